// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pt_sasl.h"
#include "base/errmsg.h"
#include "wire/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tr_sasl_plain_parse(const uint8_t *p, size_t len, struct tr_sasl_plain *s,
			char *err, size_t errlen)
{
	static const char *const what[] = { "authzid", "authcid", "passwd" };
	struct tr_bytes *f[] = { &s->authzid, &s->authcid, &s->passwd };
	size_t start = 0;

	memset(s, 0, sizeof(*s));
	if (!len)
		return tr_fail(err, errlen, "SASL PLAIN: empty");
	for (int i = 0; i < 3; i++) {
		const uint8_t *nul = memchr(p + start, 0, len - start);
		size_t end = i < 2 ? (nul ? (size_t)(nul - p) : len) : len;
		size_t at;

		if (i < 2 && !nul)
			return tr_fail(err, errlen,
				       "SASL PLAIN: no NUL after the %s at "
				       "offset %zu",
				       what[i], start);
		if (i == 2 && nul)
			return tr_fail(err, errlen,
				       "SASL PLAIN: a third NUL, at offset %zu",
				       (size_t)(nul - p));
		f[i]->p = p + start;
		f[i]->len = end - start;
		if (f[i]->len > TR_SASL_PLAIN_FIELD_MAX || (i && !f[i]->len))
			return tr_fail(err, errlen,
				       "SASL PLAIN: %s of %zu bytes at offset "
				       "%zu, not %d to %d",
				       what[i], f[i]->len, start, i ? 1 : 0,
				       TR_SASL_PLAIN_FIELD_MAX);
		at = tr_utf8_check(f[i]->p, f[i]->len);
		if (at != f[i]->len)
			return tr_fail(err, errlen,
				       "SASL PLAIN: %s is not UTF-8 at offset "
				       "%zu",
				       what[i], start + at);
		start = end + 1;
	}
	return 0;
}

int tr_sasl_plain_build(const struct tr_sasl_plain *s, struct tr_wbuf *w,
			char *err, size_t errlen)
{
	size_t mark = w->len;
	struct tr_sasl_plain back;

	tr_put_bytes(w, s->authzid.p, s->authzid.len);
	tr_put_u8(w, 0);
	tr_put_bytes(w, s->authcid.p, s->authcid.len);
	tr_put_u8(w, 0);
	tr_put_bytes(w, s->passwd.p, s->passwd.len);
	if (w->len > w->cap || !tr_sasl_plain_parse(w->p + mark, w->len - mark,
						    &back, err, errlen))
		return 0;
	w->len = mark;
	return -1;
}
