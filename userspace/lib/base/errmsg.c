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
