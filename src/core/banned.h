/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CORE_BANNED_H
#define CUSTOMS_CORE_BANNED_H

/*
 * Functions that are never right in customs: unbounded copies, locale- or overflow-unsafe
 * number parsing, hidden static state, and raw allocation (use core.h's customs_malloc & co.,
 * which tests can make fail), and creating files other than through core.h's customs_newfile.
 * Include this last in every .c file of src/.
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

#ifdef creat
#undef creat
#endif
#ifdef mkstemp
#undef mkstemp
#endif
#ifdef mkstemps
#undef mkstemps
#endif
#ifdef mkostemp
#undef mkostemp
#endif
#ifdef mkostemps
#undef mkostemps
#endif
#ifdef mktemp
#undef mktemp
#endif
#ifdef tmpnam
#undef tmpnam
#endif
#ifdef tempnam
#undef tempnam
#endif
#ifdef tmpfile
#undef tmpfile
#endif

/* Files are created only through customs_newfile and its kin (core.h, newfile.c): a temporary
 * name of one's own, O_EXCL|O_NOFOLLOW, renamed into place. scripts/check-file-creation.py
 * also fails the tests on fopen for writing and on O_CREAT outside newfile.c. */
#pragma GCC poison creat mkstemp mkstemps mkostemp mkostemps mktemp tmpnam tempnam tmpfile
#pragma GCC poison strcpy strcat sprintf vsprintf gets atoi atol atoll strtok
#pragma GCC poison malloc calloc realloc strdup strndup

#endif /* CUSTOMS_CORE_BANNED_H */
