/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CORE_BANNED_H
#define CUSTOMS_CORE_BANNED_H

/*
 * Functions that are never right in customs: unbounded copies, locale- or overflow-unsafe
 * number parsing, hidden static state, and raw allocation (use core.h's customs_malloc & co.,
 * which tests can make fail). Include this last in every .c file of src/.
 */

#pragma GCC poison strcpy strcat sprintf vsprintf gets atoi atol atoll strtok
#pragma GCC poison malloc calloc realloc strdup strndup

#endif /* CUSTOMS_CORE_BANNED_H */
