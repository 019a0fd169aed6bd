/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_ERRMSG_H
#define TR_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format a message into @err (if any) and return -1: the error return of
 * the library's parsers and helpers, which report what went wrong and
 * where. errno is left as it was.
 */
int tr_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "@prefix" and @fmt into @err (if any): the refusals' messages. */
void tr_vfail_prefixed(char *err, size_t errlen, const char *prefix,
		       const char *fmt, va_list ap);

/* tr_fail() that also sets *@bad (if not NULL) to @off. */
int tr_fail_at(size_t *bad, size_t off, char *err, size_t errlen,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
