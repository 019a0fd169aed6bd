// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pa_attr.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- shared by the TNC codecs ------------------------------------------ */

void tr_wbuf_init(struct tr_wbuf *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
}

void tr_put_bytes(struct tr_wbuf *w, const void *p, size_t n)
{
	if (n && w->len <= w->cap && n <= w->cap - w->len)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void put_be(struct tr_wbuf *w, uint32_t v, int bytes)
{
	uint8_t b[4];

	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	tr_put_bytes(w, b, (size_t)bytes);
}

void tr_put_u8(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 1);
}

void tr_put_u16(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 2);
}

void tr_put_u24(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 3);
}

void tr_put_u32(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 4);
}

void tr_patch_u32(struct tr_wbuf *w, size_t at, uint32_t v)
{
	if (at <= w->cap && w->cap - at >= 4 && at + 4 <= w->len)
		for (int i = 0; i < 4; i++)
			w->p[at + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

int tr_wbuf_check(const struct tr_wbuf *w, char *err, size_t errlen)
{
	if (w->len > w->cap)
		return tr_fail(err, errlen,
			       "output needs %zu bytes, the buffer holds %zu",
			       w->len, w->cap);
	return 0;
}

static bool get_be(struct tr_rbuf *r, size_t n, uint32_t *v)
{
	if (r->len - r->off < n)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | r->p[r->off + i];
	r->off += n;
	return true;
}

bool tr_get_u8(struct tr_rbuf *r, uint8_t *v)
{
	uint32_t x;

	if (!get_be(r, 1, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

bool tr_get_u16(struct tr_rbuf *r, uint16_t *v)
{
	uint32_t x;

	if (!get_be(r, 2, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool tr_get_u24(struct tr_rbuf *r, uint32_t *v)
{
	return get_be(r, 3, v);
}

bool tr_get_u32(struct tr_rbuf *r, uint32_t *v)
{
	return get_be(r, 4, v);
}

bool tr_get_bytes(struct tr_rbuf *r, size_t n, struct tr_bytes *v)
{
	if (r->len - r->off < n)
		return false;
	v->p = r->p + r->off;
	v->len = n;
	r->off += n;
	return true;
}

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

int tr_text_check(const struct tr_bytes *s, size_t off, const char *what,
		  size_t *bad, char *err, size_t errlen)
{
	size_t at = tr_utf8_check(s->p, s->len);

	if (at != s->len)
		return tr_fail_at(bad, off + at, err, errlen,
				  "%s: byte %zu is not UTF-8 text", what, at);
	return 0;
}

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
static int vendor_type(const uint8_t *v, size_t len, uint32_t *vendor,
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

/* --- remediation parameters (PB and PA share them) ---------------------- */

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
	if (vendor_type(v, len, &r->vendor, &r->type, bad, err, errlen))
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

/* --- typed attribute values --------------------------------------------- */

static int fixed_len(size_t len, size_t want, size_t *bad, char *err,
		     size_t errlen)
{
	if (len != want)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not %zu",
				  len, want);
	return 0;
}

/* A 32-bit enumeration from 0 to @max. */
static int parse_enum(const uint8_t *v, size_t len, uint32_t max, uint32_t *out,
		      size_t *bad, char *err, size_t errlen)
{
	if (fixed_len(len, 4, bad, err, errlen))
		return -1;
	*out = tr_be32(v);
	if (*out > max)
		return tr_fail_at(bad, 0, err, errlen, "value %u, more than %u",
				  *out, max);
	return 0;
}

static int parse_request(const uint8_t *v, size_t len,
			 struct tr_pa_attr_request *r, size_t *bad, char *err,
			 size_t errlen)
{
	if (!len || len % 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, not one or more 8-byte entries",
				  len);
	for (size_t i = 0; i < len; i += 8) {
		if (v[i])
			return tr_fail_at(bad, i, err, errlen,
					  "entry %zu: reserved byte is 0x%02x",
					  i / 8, v[i]);
		if (tr_be24(v + i + 1) == TR_PEN_RESERVED)
			return tr_fail_at(bad, i + 1, err, errlen,
					  "entry %zu: reserved vendor id",
					  i / 8);
		if (tr_be32(v + i + 4) == TR_TYPE_RESERVED)
			return tr_fail_at(bad, i + 4, err, errlen,
					  "entry %zu: reserved type", i / 8);
	}
	r->n = len / 8;
	r->types = NULL;
	r->raw.p = v;
	r->raw.len = len;
	return 0;
}

static int parse_product(const uint8_t *v, size_t len,
			 struct tr_pa_product_info *p, size_t *bad, char *err,
			 size_t errlen)
{
	if (len < 5)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 5", len);
	p->vendor = tr_be24(v);
	p->id = (uint16_t)(v[3] << 8 | v[4]);
	p->name.p = v + 5;
	p->name.len = len - 5;
	return tr_text_check(&p->name, 5, "product name", bad, err, errlen);
}

static int parse_numeric(const uint8_t *v, size_t len,
			 struct tr_pa_numeric_version *n, size_t *bad,
			 char *err, size_t errlen)
{
	if (fixed_len(len, 16, bad, err, errlen))
		return -1;
	n->major = tr_be32(v);
	n->minor = tr_be32(v + 4);
	n->build = tr_be32(v + 8);
	n->sp_major = (uint16_t)(v[12] << 8 | v[13]);
	n->sp_minor = (uint16_t)(v[14] << 8 | v[15]);
	return 0;
}

static int parse_string_version(const uint8_t *v, size_t len,
				struct tr_pa_string_version *s, size_t *bad,
				char *err, size_t errlen)
{
	static const char *const what[] = { "product version", "build number",
					    "configuration version" };
	struct tr_bytes *f[] = { &s->version, &s->build, &s->config };
	struct tr_rbuf r = { v, len, 0 };

	for (int i = 0; i < 3; i++) {
		size_t at = r.off;
		uint8_t n;

		if (!tr_get_u8(&r, &n) || !tr_get_bytes(&r, n, f[i]))
			return tr_fail_at(bad, at, err, errlen,
					  "%s longer than the value", what[i]);
		if (tr_text_check(f[i], at + 1, what[i], bad, err, errlen))
			return -1;
	}
	if (r.off != len)
		return tr_fail_at(bad, r.off, err, errlen,
				  "%zu bytes after the configuration version",
				  len - r.off);
	return 0;
}

/* "YYYY-MM-DDThh:mm:ssZ", or all zeros for "never used". */
static size_t time_bad(const char *t)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	static const struct {
		int at, min, max;
	} fields[] = { { 5, 1, 12 },
		       { 8, 1, 31 },
		       { 11, 0, 23 },
		       { 14, 0, 59 },
		       { 17, 0, 60 } };

	for (size_t i = 0; i < TR_PA_TIME_LEN; i++)
		if (form[i] == 'd' ? t[i] < '0' || t[i] > '9' : t[i] != form[i])
			return i;
	if (!strcmp(t, "0000-00-00T00:00:00Z"))
		return TR_PA_TIME_LEN;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int x = (t[fields[i].at] - '0') * 10 + t[fields[i].at + 1] -
			'0';

		if (x < fields[i].min || x > fields[i].max)
			return (size_t)fields[i].at;
	}
	return TR_PA_TIME_LEN;
}

static int parse_op_status(const uint8_t *v, size_t len,
			   struct tr_pa_op_status *o, size_t *bad, char *err,
			   size_t errlen)
{
	size_t at;

	if (fixed_len(len, 4 + TR_PA_TIME_LEN, bad, err, errlen))
		return -1;
	o->status = v[0];
	o->result = v[1];
	if (o->status > TR_PA_OP_OPERATIONAL)
		return tr_fail_at(bad, 0, err, errlen, "status %u", v[0]);
	if (o->result > TR_PA_OP_RESULT_FAILED)
		return tr_fail_at(bad, 1, err, errlen, "result %u", v[1]);
	if (v[2] || v[3])
		return tr_fail_at(bad, 2, err, errlen, "reserved bytes set");
	memcpy(o->last_use, v + 4, TR_PA_TIME_LEN);
	o->last_use[TR_PA_TIME_LEN] = 0;
	at = time_bad(o->last_use);
	if (at != TR_PA_TIME_LEN)
		return tr_fail_at(bad, 4 + at, err, errlen,
				  "last use is not YYYY-MM-DDThh:mm:ssZ");
	return 0;
}

static int parse_ports(const uint8_t *v, size_t len,
		       struct tr_pa_port_filter *f, size_t *bad, char *err,
		       size_t errlen)
{
	if (len % 4)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, not 4-byte entries", len);
	for (size_t i = 0; i < len; i += 4)
		if (v[i] & 0xfe)
			return tr_fail_at(bad, i, err, errlen,
					  "entry %zu: reserved bits set",
					  i / 4);
	f->n = len / 4;
	f->ports = NULL;
	f->raw.p = v;
	f->raw.len = len;
	return 0;
}

/* One package at r->off: its name and version. */
static int parse_package(struct tr_rbuf *r, struct tr_pa_package *p,
			 size_t *bad, char *err, size_t errlen)
{
	size_t at = r->off;
	uint8_t n;

	if (!tr_get_u8(r, &n) || !tr_get_bytes(r, n, &p->name))
		return tr_fail_at(bad, at, err, errlen,
				  "package name longer than the value");
	if (tr_text_check(&p->name, at + 1, "package name", bad, err, errlen))
		return -1;
	at = r->off;
	if (!tr_get_u8(r, &n) || !tr_get_bytes(r, n, &p->version))
		return tr_fail_at(bad, at, err, errlen,
				  "package version longer than the value");
	return tr_text_check(&p->version, at + 1, "package version", bad, err,
			     errlen);
}

static int parse_packages(const uint8_t *v, size_t len,
			  struct tr_pa_packages *l, size_t *bad, char *err,
			  size_t errlen)
{
	struct tr_rbuf r = { v, len, 4 };
	struct tr_pa_package p;
	size_t n = 0;

	if (len < 4)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 4", len);
	if (v[0] || v[1])
		return tr_fail_at(bad, 0, err, errlen, "reserved bytes set");
	while (r.off < len) {
		if (parse_package(&r, &p, bad, err, errlen))
			return -1;
		n++;
	}
	if (n != (size_t)(v[2] << 8 | v[3]))
		return tr_fail_at(bad, 2, err, errlen,
				  "count %u, but %zu packages follow",
				  v[2] << 8 | v[3], n);
	l->n = n;
	l->pkgs = NULL;
	l->raw.p = v + 4;
	l->raw.len = len - 4;
	return 0;
}

static bool ietf_pa_error_code(uint32_t vendor, uint32_t code)
{
	return vendor == TR_PEN_IETF && code >= TR_PA_ERR_INVALID_PARAMETER &&
	       code <= TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED;
}

static int parse_error(const uint8_t *v, size_t len, struct tr_pa_error *e,
		       size_t *bad, char *err, size_t errlen)
{
	static const size_t tail[] = { 0, 4, 4, 8 };

	memset(e, 0, sizeof(*e));
	if (vendor_type(v, len, &e->vendor, &e->code, bad, err, errlen))
		return -1;
	if (!ietf_pa_error_code(e->vendor, e->code)) {
		e->info.p = v + 8;
		e->info.len = len - 8;
		return 0;
	}
	if (len != 16 + tail[e->code])
		return tr_fail_at(bad, 8, err, errlen,
				  "error information of %zu bytes, not %zu",
				  len - 8, 8 + tail[e->code]);
	memcpy(e->msg_header, v + 8, 8);
	v += 16;
	switch (e->code) {
	case TR_PA_ERR_INVALID_PARAMETER:
		e->offset = tr_be32(v);
		break;
	case TR_PA_ERR_VERSION_NOT_SUPPORTED:
		e->max_version = v[0];
		e->min_version = v[1];
		if (v[2] || v[3])
			return tr_fail_at(bad, 18, err, errlen,
					  "reserved bytes set");
		break;
	default:
		e->attr_flags = v[0];
		e->attr_vendor = tr_be24(v + 1);
		e->attr_type = tr_be32(v + 4);
		break;
	}
	return 0;
}

static int parse_device_id(const uint8_t *v, size_t len, struct tr_bytes *id,
			   size_t *bad, char *err, size_t errlen)
{
	if (!len || len > TR_PA_DEVICE_ID_MAX)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not 1 to %d",
				  len, TR_PA_DEVICE_ID_MAX);
	id->p = v;
	id->len = len;
	return tr_text_check(id, 0, "device id", bad, err, errlen);
}

static const char *const ietf_names[] = {
	"Testing",
	"Attribute Request",
	"Product Information",
	"Numeric Version",
	"String Version",
	"Operational Status",
	"Port Filter",
	"Installed Packages",
	"PA-TNC Error",
	"Assessment Result",
	"Remediation Instructions",
	"Forwarding Enabled",
	"Factory Default Password Enabled",
};

bool tr_pa_known(uint32_t vendor, uint32_t type)
{
	if (vendor == TR_PEN_IETF)
		return type >= TR_PA_ATTR_REQUEST &&
		       type <= TR_PA_FACTORY_DEFAULT_PWD;
	return vendor == TR_PEN_ITA && type == TR_PA_ITA_DEVICE_ID;
}

const char *tr_pa_attr_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len)
{
	if (vendor == TR_PEN_IETF &&
	    type < sizeof(ietf_names) / sizeof(ietf_names[0]))
		snprintf(buf, len, "IETF/%s", ietf_names[type]);
	else if (vendor == TR_PEN_ITA && type == TR_PA_ITA_DEVICE_ID)
		snprintf(buf, len, "ITA-HSR/Device ID");
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

static int parse_value(const uint8_t *p, size_t n, void *vv, size_t *bad,
		       char *err, size_t errlen)
{
	struct tr_pa_value *v = vv;

	if (v->vendor == TR_PEN_ITA && v->type == TR_PA_ITA_DEVICE_ID)
		return parse_device_id(p, n, &v->u.device_id, bad, err, errlen);
	if (v->vendor != TR_PEN_IETF)
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	switch (v->type) {
	case TR_PA_ATTR_REQUEST:
		return parse_request(p, n, &v->u.request, bad, err, errlen);
	case TR_PA_PRODUCT_INFO:
		return parse_product(p, n, &v->u.product, bad, err, errlen);
	case TR_PA_NUMERIC_VERSION:
		return parse_numeric(p, n, &v->u.numeric, bad, err, errlen);
	case TR_PA_STRING_VERSION:
		return parse_string_version(p, n, &v->u.string, bad, err,
					    errlen);
	case TR_PA_OP_STATUS:
		return parse_op_status(p, n, &v->u.op_status, bad, err, errlen);
	case TR_PA_PORT_FILTER:
		return parse_ports(p, n, &v->u.ports, bad, err, errlen);
	case TR_PA_INSTALLED_PACKAGES:
		return parse_packages(p, n, &v->u.packages, bad, err, errlen);
	case TR_PA_ERROR:
		return parse_error(p, n, &v->u.error, bad, err, errlen);
	case TR_PA_ASSESSMENT_RESULT:
		return parse_enum(p, n, TR_PA_DONT_KNOW, &v->u.assessment, bad,
				  err, errlen);
	case TR_PA_REMEDIATION:
		return tr_remediation_parse(p, n, &v->u.remediation, bad, err,
					    errlen);
	case TR_PA_FORWARDING_ENABLED:
		return parse_enum(p, n, TR_PA_FWD_UNKNOWN, &v->u.forwarding,
				  bad, err, errlen);
	case TR_PA_FACTORY_DEFAULT_PWD:
		return parse_enum(p, n, 1, &v->u.default_pwd, bad, err, errlen);
	default:
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	}
}

int tr_pa_value_parse(const struct tr_tlv *a, struct tr_pa_value *v,
		      size_t *bad, char *err, size_t errlen)
{
	char name[48];

	memset(v, 0, sizeof(*v));
	v->flags = a->flags;
	v->vendor = a->vendor;
	v->type = a->type;
	return tr_tlv_parse_value(a, v, parse_value,
				  tr_pa_attr_name(a->vendor, a->type, name,
						  sizeof(name)),
				  bad, err, errlen);
}

void tr_pa_request_get(const struct tr_pa_attr_request *r, size_t i,
		       struct tr_pa_attr_type *t)
{
	if (r->types) {
		*t = r->types[i];
		return;
	}
	t->vendor = tr_be24(r->raw.p + 8 * i + 1);
	t->type = tr_be32(r->raw.p + 8 * i + 4);
}

void tr_pa_port_get(const struct tr_pa_port_filter *f, size_t i,
		    struct tr_pa_port *p)
{
	const uint8_t *e;

	if (f->ports) {
		*p = f->ports[i];
		return;
	}
	e = f->raw.p + 4 * i;
	p->blocked = e[0] & 1;
	p->protocol = e[1];
	p->port = (uint16_t)(e[2] << 8 | e[3]);
}

bool tr_pa_package_next(const struct tr_pa_packages *l, size_t *cursor,
			struct tr_pa_package *p)
{
	struct tr_rbuf r;

	if (l->pkgs) {
		if (*cursor >= l->n)
			return false;
		*p = l->pkgs[(*cursor)++];
		return true;
	}
	/* raw was checked by parse_packages: each entry is whole */
	r.p = l->raw.p;
	r.len = l->raw.len;
	r.off = *cursor;
	if (r.off >= r.len || parse_package(&r, p, NULL, NULL, 0))
		return false;
	*cursor = r.off;
	return true;
}

static int put_short_text(struct tr_wbuf *w, const struct tr_bytes *s,
			  const char *what, char *err, size_t errlen)
{
	if (s->len > 255)
		return tr_fail(err, errlen, "%s: %zu bytes, more than 255",
			       what, s->len);
	tr_put_u8(w, (uint32_t)s->len);
	tr_put_bytes(w, s->p, s->len);
	return 0;
}

static int build_list(const struct tr_pa_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	const struct tr_pa_attr_request *r = &v->u.request;
	const struct tr_pa_port_filter *f = &v->u.ports;
	const struct tr_pa_packages *l = &v->u.packages;

	switch (v->type) {
	case TR_PA_ATTR_REQUEST:
		for (size_t i = 0; i < r->n; i++) {
			struct tr_pa_attr_type t;

			tr_pa_request_get(r, i, &t);
			tr_put_vendor_type(w, t.vendor, t.type);
		}
		return 0;
	case TR_PA_PORT_FILTER:
		for (size_t i = 0; i < f->n; i++) {
			struct tr_pa_port p;

			tr_pa_port_get(f, i, &p);
			tr_put_u8(w, p.blocked);
			tr_put_u8(w, p.protocol);
			tr_put_u16(w, p.port);
		}
		return 0;
	default: {
		struct tr_pa_package p;
		size_t cursor = 0, n = 0;

		if (l->n > UINT16_MAX)
			return tr_fail(err, errlen,
				       "%zu packages, more than %d", l->n,
				       UINT16_MAX);
		tr_put_u16(w, 0);
		tr_put_u16(w, (uint32_t)l->n);
		while (n < l->n && tr_pa_package_next(l, &cursor, &p)) {
			if (put_short_text(w, &p.name, "package name", err,
					   errlen) ||
			    put_short_text(w, &p.version, "package version",
					   err, errlen))
				return -1;
			n++;
		}
		return 0;
	}
	}
}

static int build_error(const struct tr_pa_error *e, struct tr_wbuf *w)
{
	tr_put_vendor_type(w, e->vendor, e->code);
	if (!ietf_pa_error_code(e->vendor, e->code)) {
		tr_put_bytes(w, e->info.p, e->info.len);
		return 0;
	}
	tr_put_bytes(w, e->msg_header, sizeof(e->msg_header));
	switch (e->code) {
	case TR_PA_ERR_INVALID_PARAMETER:
		tr_put_u32(w, e->offset);
		break;
	case TR_PA_ERR_VERSION_NOT_SUPPORTED:
		tr_put_u8(w, e->max_version);
		tr_put_u8(w, e->min_version);
		tr_put_u16(w, 0);
		break;
	default:
		tr_put_u8(w, e->attr_flags);
		tr_put_u24(w, e->attr_vendor);
		tr_put_u32(w, e->attr_type);
		break;
	}
	return 0;
}

static int build_value(const void *vv, struct tr_wbuf *w, char *err,
		       size_t errlen)
{
	const struct tr_pa_value *v = vv;
	const struct tr_pa_numeric_version *n = &v->u.numeric;
	const struct tr_pa_string_version *s = &v->u.string;

	if (v->vendor == TR_PEN_ITA) {
		tr_put_bytes(w, v->u.device_id.p, v->u.device_id.len);
		return 0;
	}
	switch (v->type) {
	case TR_PA_PRODUCT_INFO:
		tr_put_u24(w, v->u.product.vendor);
		tr_put_u16(w, v->u.product.id);
		tr_put_bytes(w, v->u.product.name.p, v->u.product.name.len);
		return 0;
	case TR_PA_NUMERIC_VERSION:
		tr_put_u32(w, n->major);
		tr_put_u32(w, n->minor);
		tr_put_u32(w, n->build);
		tr_put_u16(w, n->sp_major);
		tr_put_u16(w, n->sp_minor);
		return 0;
	case TR_PA_STRING_VERSION:
		return put_short_text(w, &s->version, "product version", err,
				      errlen) ||
		       put_short_text(w, &s->build, "build number", err,
				      errlen) ||
		       put_short_text(w, &s->config, "configuration version",
				      err, errlen);
	case TR_PA_OP_STATUS:
		tr_put_u8(w, v->u.op_status.status);
		tr_put_u8(w, v->u.op_status.result);
		tr_put_u16(w, 0);
		tr_put_bytes(w, v->u.op_status.last_use, TR_PA_TIME_LEN);
		return 0;
	case TR_PA_ERROR:
		return build_error(&v->u.error, w);
	case TR_PA_ASSESSMENT_RESULT:
	case TR_PA_FORWARDING_ENABLED:
	case TR_PA_FACTORY_DEFAULT_PWD:
		/* the three share the offset: a union of uint32_t members */
		tr_put_u32(w, v->u.assessment);
		return 0;
	case TR_PA_REMEDIATION:
		return tr_remediation_build(&v->u.remediation, w, err, errlen);
	default:
		return build_list(v, w, err, errlen);
	}
}

int tr_pa_value_build(const struct tr_pa_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	struct tr_pa_value back = { .vendor = v->vendor, .type = v->type };
	char name[48];

	return tr_build_checked(w, v, &back, build_value, parse_value,
				tr_pa_known(v->vendor, v->type),
				tr_pa_attr_name(v->vendor, v->type, name,
						sizeof(name)),
				err, errlen);
}

/* --- messages ------------------------------------------------------------ */

void tr_pa_error_init(struct tr_pa_error *e, uint32_t code, const uint8_t *msg,
		      size_t len)
{
	memset(e, 0, sizeof(*e));
	e->vendor = TR_PEN_IETF;
	e->code = code;
	memcpy(e->msg_header, msg, len < 8 ? len : 8);
}

/* Refuse the message: fill @refusal, say what and where in @err. */
static int refuse(struct tr_pa_error *refusal, const uint8_t *buf, size_t len,
		  uint32_t code, size_t offset, char *err, size_t errlen,
		  const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static int refuse(struct tr_pa_error *refusal, const uint8_t *buf, size_t len,
		  uint32_t code, size_t offset, char *err, size_t errlen,
		  const char *fmt, ...)
{
	va_list ap;

	if (refusal) {
		tr_pa_error_init(refusal, code, buf, len);
		refusal->offset = (uint32_t)offset;
		refusal->max_version = refusal->min_version = TR_PA_VERSION;
	}
	va_start(ap, fmt);
	tr_vfail_prefixed(err, errlen, "PA-TNC message: ", fmt, ap);
	va_end(ap);
	return -1;
}

int tr_pa_msg_parse(const uint8_t *buf, size_t len, struct tr_pa_msg *m,
		    struct tr_pa_error *refusal, char *err, size_t errlen)
{
	size_t off = TR_PA_MSG_HEADER_LEN;

	m->n = 0;
	m->id = 0;
	if (len < TR_PA_MSG_HEADER_LEN)
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 0,
			      err, errlen,
			      "%zu bytes, shorter than its 8-byte header", len);
	if (len > TR_PA_MSG_MAX)
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 0,
			      err, errlen, "%zu bytes, more than %u", len,
			      TR_PA_MSG_MAX);
	if (buf[0] != TR_PA_VERSION)
		return refuse(refusal, buf, len,
			      TR_PA_ERR_VERSION_NOT_SUPPORTED, 0, err, errlen,
			      "version %u, not %u", buf[0], TR_PA_VERSION);
	if (buf[1] || buf[2] || buf[3])
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 1,
			      err, errlen, "reserved header bytes set");
	m->id = tr_be32(buf + 4);
	while (off < len) {
		struct tr_tlv *a = &m->attrs[m->n];
		struct tr_pa_value v;
		char why[200], name[48];
		size_t bad = 0;

		if (m->n == TR_PA_MAX_ATTRS)
			return refuse(refusal, buf, len,
				      TR_PA_ERR_INVALID_PARAMETER, off, err,
				      errlen,
				      "attribute at offset %zu: more than %d "
				      "attributes",
				      off, TR_PA_MAX_ATTRS);
		if (tr_tlv_read(buf, len, off, a, &bad, why, sizeof(why)))
			return refuse(refusal, buf, len,
				      TR_PA_ERR_INVALID_PARAMETER, bad, err,
				      errlen, "attribute at offset %zu: %s",
				      off, why);
		if (tr_pa_known(a->vendor, a->type)) {
			if (tr_pa_value_parse(a, &v, &bad, why, sizeof(why)))
				return refuse(refusal, buf, len,
					      TR_PA_ERR_INVALID_PARAMETER,
					      off + TR_TLV_HEADER_LEN + bad,
					      err, errlen,
					      "attribute at offset %zu: %s",
					      off, why);
		} else if (a->flags & TR_NOSKIP) {
			/* RFC 5792 4.2.8: none of the message is processed */
			refuse(refusal, buf, len,
			       TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED, off, err,
			       errlen,
			       "attribute at offset %zu: type %s unknown, "
			       "with NOSKIP",
			       off,
			       tr_pa_attr_name(a->vendor, a->type, name,
					       sizeof(name)));
			if (refusal) {
				refusal->offset = 0;
				refusal->attr_flags = a->flags;
				refusal->attr_vendor = a->vendor;
				refusal->attr_type = a->type;
			}
			return -1;
		}
		off += TR_TLV_HEADER_LEN + a->value.len;
		m->n++;
	}
	return 0;
}

void tr_pa_msg_begin(struct tr_wbuf *w, uint32_t id)
{
	tr_put_u8(w, TR_PA_VERSION);
	tr_put_u24(w, 0);
	tr_put_u32(w, id);
}

int tr_pa_add(struct tr_wbuf *w, const struct tr_pa_value *v, char *err,
	      size_t errlen)
{
	size_t mark;

	if (v->flags & ~TR_NOSKIP)
		return tr_fail(err, errlen, "attribute flags 0x%02x: reserved",
			       v->flags);
	mark = tr_tlv_begin(w, v->flags, v->vendor, v->type);
	if (tr_pa_value_build(v, w, err, errlen)) {
		w->len = mark;
		return -1;
	}
	tr_tlv_end(w, mark);
	return 0;
}
