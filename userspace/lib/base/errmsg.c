// SPDX-License-Identifier: GPL-2.0-only
#include "base/errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int tr_fail(char *err, size_t errlen, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

void tr_vfail_prefixed(char *err, size_t errlen, const char *prefix,
		       const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s", prefix);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

int tr_fail_at(size_t *bad, size_t off, char *err, size_t errlen,
	       const char *fmt, ...)
{
	va_list ap;

	if (bad)
		*bad = off;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
