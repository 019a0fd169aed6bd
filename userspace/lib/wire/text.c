// SPDX-License-Identifier: GPL-2.0-only
#include "wire/text.h"
#include "base/errmsg.h"

size_t tr_utf8_check(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t k;
		uint32_t cp, min;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n - i <= k)
			return i;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += k + 1;
	}
	return n;
}

int tr_text_check(const struct tr_bytes *s, size_t off, const char *what,
		  size_t *bad, char *err, size_t errlen)
{
	size_t at = tr_utf8_check(s->p, s->len);

	if (at != s->len)
		return tr_fail_at(bad, off + at, err, errlen,
				  "%s: byte %zu is not UTF-8 text", what, at);
	return 0;
}
