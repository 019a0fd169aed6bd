// SPDX-License-Identifier: GPL-2.0-only
#include "wire/tlv.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int tr_tlv_read(const uint8_t *buf, size_t len, size_t off, struct tr_tlv *t,
		size_t *bad, char *err, size_t errlen)
{
	uint32_t tlen;

	if (len - off < TR_TLV_HEADER_LEN)
		return tr_fail_at(
			bad, off, err, errlen,
			"%zu bytes left, shorter than a 12-byte header",
			len - off);
	t->flags = buf[off];
	t->vendor = tr_be24(buf + off + 1);
	t->type = tr_be32(buf + off + 4);
	tlen = tr_be32(buf + off + 8);
	t->offset = off;
	if (t->flags & ~TR_NOSKIP)
		return tr_fail_at(bad, off, err, errlen,
				  "reserved flags 0x%02x", t->flags);
	if (t->vendor == TR_PEN_RESERVED)
		return tr_fail_at(bad, off + 1, err, errlen,
				  "reserved vendor id");
	if (t->type == TR_TYPE_RESERVED)
		return tr_fail_at(bad, off + 4, err, errlen, "reserved type");
	if (tlen < TR_TLV_HEADER_LEN || tlen > len - off)
		return tr_fail_at(bad, off + 8, err, errlen,
				  "length %u, not 12 to the %zu bytes left",
				  tlen, len - off);
	t->value.p = buf + off + TR_TLV_HEADER_LEN;
	t->value.len = tlen - TR_TLV_HEADER_LEN;
	return 0;
}

size_t tr_tlv_begin(struct tr_wbuf *w, uint8_t flags, uint32_t vendor,
		    uint32_t type)
{
	size_t mark = w->len;

	tr_put_u8(w, flags);
	tr_put_u24(w, vendor);
	tr_put_u32(w, type);
	tr_put_u32(w, 0); /* length, patched by tr_tlv_end() */
	return mark;
}

void tr_tlv_end(struct tr_wbuf *w, size_t mark)
{
	tr_patch_u32(w, mark + 8, (uint32_t)(w->len - mark));
}

void tr_tlv_put(struct tr_wbuf *w, const struct tr_tlv *t)
{
	size_t mark = tr_tlv_begin(w, t->flags, t->vendor, t->type);

	tr_put_bytes(w, t->value.p, t->value.len);
	tr_tlv_end(w, mark);
}

void tr_put_vendor_type(struct tr_wbuf *w, uint32_t vendor, uint32_t type)
{
	tr_put_u8(w, 0);
	tr_put_u24(w, vendor);
	tr_put_u32(w, type);
}

int tr_build_checked(struct tr_wbuf *w, const void *v, void *scratch,
		     int (*build)(const void *v, struct tr_wbuf *w, char *err,
				  size_t errlen),
		     int (*parse)(const uint8_t *p, size_t n, void *scratch,
				  size_t *bad, char *err, size_t errlen),
		     bool known, const char *name, char *err, size_t errlen)
{
	size_t mark = w->len;
	char why[160];

	if (!known)
		return tr_fail(err, errlen, "%s: not a type we know", name);
	if (build(v, w, why, sizeof(why)))
		goto bad;
	if (w->len > w->cap ||
	    !parse(w->p + mark, w->len - mark, scratch, NULL, why, sizeof(why)))
		return 0;
bad:
	w->len = mark;
	return tr_fail(err, errlen, "%s: %s", name, why);
}

int tr_tlv_parse_value(const struct tr_tlv *t, void *v,
		       int (*parse)(const uint8_t *p, size_t n, void *v,
				    size_t *bad, char *err, size_t errlen),
		       const char *name, size_t *bad, char *err, size_t errlen)
{
	char why[160];
	size_t at = 0;

	if (!parse(t->value.p, t->value.len, v, &at, why, sizeof(why)))
		return 0;
	if (bad)
		*bad = at;
	return tr_fail(err, errlen, "%s: %s (value offset %zu)", name, why, at);
}

/*
 * Reserved byte, vendor id, type or code: the 8 bytes that open
 * remediation parameters and PA-TNC errors.
 */
int tr_get_vendor_type(const uint8_t *v, size_t len, uint32_t *vendor,
		       uint32_t *type, size_t *bad, char *err, size_t errlen)
{
	if (len < 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 8", len);
	if (v[0])
		return tr_fail_at(bad, 0, err, errlen,
				  "reserved byte is 0x%02x", v[0]);
	*vendor = tr_be24(v + 1);
	*type = tr_be32(v + 4);
	return 0;
}
