/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CORE_BANNED_H
#define CUSTOMS_CORE_BANNED_H

/*
 * Functions that are never right in customs: unbounded copies, locale- or overflow-unsafe
 * number parsing, hidden static state, and raw allocation (use core.h's customs_malloc & co.,
 * which tests can make fail). Include this last in every .c file of src/.
 *
 * A C library may define a banned name as a macro: glibc's _FORTIFY_SOURCE does so for
 * sprintf when the compiler lacks __builtin_va_arg_pack (clang), and poisoning a defined
 * macro is an error. The macro only redirects calls to a checked variant, and no call may
 * remain, so each is undefined before it is poisoned.
 */

#ifdef strcpy
#undef strcpy
#endif
#ifdef strcat
#undef strcat
#endif
#ifdef sprintf
#undef sprintf
#endif
#ifdef vsprintf
#undef vsprintf
#endif
#ifdef gets
#undef gets
#endif
#ifdef atoi
#undef atoi
#endif
#ifdef atol
#undef atol
#endif
#ifdef atoll
#undef atoll
#endif
#ifdef strtok
#undef strtok
#endif
#ifdef malloc
#undef malloc
#endif
#ifdef calloc
#undef calloc
#endif
#ifdef realloc
#undef realloc
#endif
#ifdef strdup
#undef strdup
#endif
#ifdef strndup
#undef strndup
#endif

#pragma GCC poison strcpy strcat sprintf vsprintf gets atoi atol atoll strtok
#pragma GCC poison malloc calloc realloc strdup strndup

#endif /* CUSTOMS_CORE_BANNED_H */
