// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/remediation.h"
#include "base/errmsg.h"
#include "wire/text.h"
#include "wire/tlv.h"

#include <string.h>

int tr_text_lang_parse(const uint8_t *v, size_t len, size_t off,
		       struct tr_bytes *text, struct tr_bytes *lang,
		       const char *what, size_t *bad, char *err, size_t errlen)
{
	struct tr_rbuf rd = { v, len, off };
	uint32_t tlen;
	uint8_t llen;
	size_t at;

	if (!tr_get_u32(&rd, &tlen) || !tr_get_bytes(&rd, tlen, text))
		return tr_fail_at(bad, off, err, errlen,
				  "%s longer than the value", what);
	at = rd.off;
	if (!tr_get_u8(&rd, &llen) || !tr_get_bytes(&rd, llen, lang))
		return tr_fail_at(bad, at, err, errlen,
				  "language tag longer than the value");
	if (rd.off != len)
		return tr_fail_at(bad, rd.off, err, errlen,
				  "%zu bytes after the language tag",
				  len - rd.off);
	if (tr_text_check(text, off + 4, what, bad, err, errlen) ||
	    tr_text_check(lang, at + 1, "language tag", bad, err, errlen))
		return -1;
	return 0;
}

int tr_text_lang_build(struct tr_wbuf *w, const struct tr_bytes *text,
		       const struct tr_bytes *lang, char *err, size_t errlen)
{
	if (text->len > UINT32_MAX || lang->len > 255)
		return tr_fail(err, errlen, "text or language tag too long");
	tr_put_u32(w, (uint32_t)text->len);
	tr_put_bytes(w, text->p, text->len);
	tr_put_u8(w, (uint32_t)lang->len);
	tr_put_bytes(w, lang->p, lang->len);
	return 0;
}

int tr_remediation_parse(const uint8_t *v, size_t len, struct tr_remediation *r,
			 size_t *bad, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (tr_get_vendor_type(v, len, &r->vendor, &r->type, bad, err, errlen))
		return -1;
	r->params.p = v + 8;
	r->params.len = len - 8;
	if (r->vendor != TR_PEN_IETF)
		return 0;
	if (r->type == TR_REMEDIATION_URI) {
		if (!r->params.len)
			return tr_fail_at(bad, 8, err, errlen, "empty URI");
		return tr_text_check(&r->params, 8, "URI", bad, err, errlen);
	}
	if (r->type != TR_REMEDIATION_STRING)
		return 0;
	return tr_text_lang_parse(v, len, 8, &r->string, &r->lang,
				  "remediation string", bad, err, errlen);
}

int tr_remediation_build(const struct tr_remediation *r, struct tr_wbuf *w,
			 char *err, size_t errlen)
{
	tr_put_vendor_type(w, r->vendor, r->type);
	if (r->vendor == TR_PEN_IETF && r->type == TR_REMEDIATION_STRING)
		return tr_text_lang_build(w, &r->string, &r->lang, err, errlen);
	tr_put_bytes(w, r->params.p, r->params.len);
	return 0;
}
