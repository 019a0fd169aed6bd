/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_ERRMSG_H
#define TR_ERRMSG_H

#include <stddef.h>

/*
 * Format a message into @err (if any) and return -1: the error return of
 * the library's parsers and helpers, which report what went wrong and
 * where. errno is left as it was.
 */
int tr_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
