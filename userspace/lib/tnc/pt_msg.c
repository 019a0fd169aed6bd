// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pt_msg.h"
#include "base/errmsg.h"
#include "wire/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A SASL mechanism name (RFC 4422): 1 to 20 of A-Z 0-9 - _. */
static bool mech_name_ok(const uint8_t *p, size_t n)
{
	if (!n || n > TR_SASL_MECH_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		      p[i] == '_'))
			return false;
	return true;
}

/* The length byte and name at r->off: 3 reserved bits, 5 of length. */
static int mech_name(struct tr_rbuf *r, struct tr_bytes *name, size_t *bad,
		     char *err, size_t errlen)
{
	size_t at = r->off;
	uint8_t b;

	if (!tr_get_u8(r, &b))
		return tr_fail_at(bad, at, err, errlen, "no mechanism name");
	if (b & 0xe0)
		return tr_fail_at(bad, at, err, errlen, "reserved bits set");
	if (!tr_get_bytes(r, b & 0x1f, name))
		return tr_fail_at(bad, at, err, errlen,
				  "mechanism name longer than the value");
	if (!mech_name_ok(name->p, name->len))
		return tr_fail_at(
			bad, at + 1, err, errlen,
			"mechanism name is not 1 to 20 of A-Z 0-9 - _");
	return 0;
}

static int parse_mechs(const uint8_t *p, size_t n, struct tr_pt_sasl_mechs *l,
		       size_t *bad, char *err, size_t errlen)
{
	struct tr_rbuf r = { p, n, 0 };

	l->n = 0;
	while (r.off < n) {
		if (l->n == TR_PT_SASL_MECHS_MAX)
			return tr_fail_at(bad, r.off, err, errlen,
					  "more than %d mechanisms",
					  TR_PT_SASL_MECHS_MAX);
		if (mech_name(&r, &l->names[l->n], bad, err, errlen))
			return -1;
		l->n++;
	}
	return 0;
}

static int parse_version_request(const uint8_t *p, size_t n,
				 struct tr_pt_version_request *v, size_t *bad,
				 char *err, size_t errlen)
{
	if (n != 4)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not 4", n);
	if (p[0])
		return tr_fail_at(bad, 0, err, errlen, "reserved byte set");
	v->min = p[1];
	v->max = p[2];
	v->pref = p[3];
	if (v->min > v->max)
		return tr_fail_at(bad, 1, err, errlen,
				  "minimum version %u above the maximum %u",
				  v->min, v->max);
	if (v->pref < v->min || v->pref > v->max)
		return tr_fail_at(bad, 3, err, errlen,
				  "preferred version %u not from %u to %u",
				  v->pref, v->min, v->max);
	return 0;
}

static int parse_result(const uint8_t *p, size_t n, struct tr_pt_sasl_result *r,
			size_t *bad, char *err, size_t errlen)
{
	if (!n)
		return tr_fail_at(bad, 0, err, errlen, "no result code");
	r->wide = n > 1; /* one byte: strongSwan's form */
	r->code = r->wide ? (uint16_t)(p[0] << 8 | p[1]) : p[0];
	r->data.p = p + (r->wide ? 2 : 1);
	r->data.len = n - (r->wide ? 2 : 1);
	if (r->code > TR_SASL_MECH_FAILURE)
		return tr_fail_at(bad, 0, err, errlen, "result code %u",
				  r->code);
	return 0;
}

static int parse_error(const uint8_t *p, size_t n, struct tr_pt_error *e,
		       size_t *bad, char *err, size_t errlen)
{
	if (n < 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 8", n);
	if (p[0])
		return tr_fail_at(bad, 0, err, errlen, "reserved byte set");
	if (n - 8 > TR_PT_ERROR_COPY_MAX)
		return tr_fail_at(bad, 8, err, errlen,
				  "copy of %zu bytes, more than %d", n - 8,
				  TR_PT_ERROR_COPY_MAX);
	e->vendor = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	e->code = tr_be32(p + 4);
	e->original.p = p + 8;
	e->original.len = n - 8;
	return 0;
}

static int parse_value(const uint8_t *p, size_t n, void *vv, size_t *bad,
		       char *err, size_t errlen)
{
	struct tr_pt_value *v = vv;
	struct tr_bytes *opaque = &v->u.auth_data;
	struct tr_rbuf r = { p, n, 0 };

	switch (v->type) {
	case TR_PT_VERSION_REQUEST:
		return parse_version_request(p, n, &v->u.version_request, bad,
					     err, errlen);
	case TR_PT_VERSION_RESPONSE:
		if (n != 4)
			return tr_fail_at(bad, 0, err, errlen,
					  "%zu bytes, not 4", n);
		if (p[0] || p[1] || p[2])
			return tr_fail_at(bad, 0, err, errlen,
					  "reserved bytes set");
		v->u.version = p[3];
		return 0;
	case TR_PT_SASL_MECHS:
		return parse_mechs(p, n, &v->u.mechs, bad, err, errlen);
	case TR_PT_SASL_MECH_SELECTION:
		if (mech_name(&r, &v->u.selection.name, bad, err, errlen))
			return -1;
		v->u.selection.data.p = p + r.off;
		v->u.selection.data.len = n - r.off;
		return 0;
	case TR_PT_SASL_RESULT:
		return parse_result(p, n, &v->u.result, bad, err, errlen);
	case TR_PT_ERROR:
		return parse_error(p, n, &v->u.error, bad, err, errlen);
	case TR_PT_EXPERIMENTAL:
	case TR_PT_SASL_AUTH_DATA:
	case TR_PT_PB_TNC_BATCH:
		/* their bytes are someone else's to read; same member type */
		opaque->p = p;
		opaque->len = n;
		return 0;
	default:
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	}
}

int tr_pt_value_parse(const struct tr_pt_msg *m, struct tr_pt_value *v,
		      size_t *bad, char *err, size_t errlen)
{
	struct tr_tlv t = { 0, m->vendor, m->type, m->value, 0 };
	char name[48];

	memset(v, 0, sizeof(*v));
	v->type = m->vendor == TR_PEN_IETF ? m->type : TR_TYPE_RESERVED;
	return tr_tlv_parse_value(&t, v, parse_value,
				  tr_pt_type_name(m->vendor, m->type, name,
						  sizeof(name)),
				  bad, err, errlen);
}

static int put_mech(struct tr_wbuf *w, const struct tr_bytes *name, char *err,
		    size_t errlen)
{
	if (!mech_name_ok(name->p, name->len))
		return tr_fail(err, errlen,
			       "mechanism name is not 1 to 20 of A-Z 0-9 - _");
	tr_put_u8(w, (uint32_t)name->len);
	tr_put_bytes(w, name->p, name->len);
	return 0;
}

static int build_value(const void *vv, struct tr_wbuf *w, char *err,
		       size_t errlen)
{
	const struct tr_pt_value *v = vv;
	const struct tr_pt_sasl_result *r = &v->u.result;

	switch (v->type) {
	case TR_PT_VERSION_REQUEST:
		tr_put_u8(w, 0);
		tr_put_u8(w, v->u.version_request.min);
		tr_put_u8(w, v->u.version_request.max);
		tr_put_u8(w, v->u.version_request.pref);
		return 0;
	case TR_PT_VERSION_RESPONSE:
		tr_put_u24(w, 0);
		tr_put_u8(w, v->u.version);
		return 0;
	case TR_PT_SASL_MECHS:
		if (v->u.mechs.n > TR_PT_SASL_MECHS_MAX)
			return tr_fail(err, errlen, "more than %d mechanisms",
				       TR_PT_SASL_MECHS_MAX);
		for (size_t i = 0; i < v->u.mechs.n; i++)
			if (put_mech(w, &v->u.mechs.names[i], err, errlen))
				return -1;
		return 0;
	case TR_PT_SASL_MECH_SELECTION:
		if (put_mech(w, &v->u.selection.name, err, errlen))
			return -1;
		tr_put_bytes(w, v->u.selection.data.p, v->u.selection.data.len);
		return 0;
	case TR_PT_SASL_RESULT:
		if (!r->wide && (r->code > 255 || r->data.len))
			return tr_fail(
				err, errlen,
				"a one-byte result code carries no data");
		if (r->wide)
			tr_put_u16(w, r->code);
		else
			tr_put_u8(w, r->code);
		tr_put_bytes(w, r->data.p, r->data.len);
		return 0;
	case TR_PT_ERROR:
		tr_put_vendor_type(w, v->u.error.vendor, v->u.error.code);
		tr_put_bytes(w, v->u.error.original.p,
			     v->u.error.original.len < TR_PT_ERROR_COPY_MAX ?
				     v->u.error.original.len :
				     TR_PT_ERROR_COPY_MAX);
		return 0;
	default: /* the opaque ones share their member's type */
		tr_put_bytes(w, v->u.auth_data.p, v->u.auth_data.len);
		return 0;
	}
}

static void header(struct tr_wbuf *w, uint32_t vendor, uint32_t type,
		   uint32_t id)
{
	tr_put_u8(w, 0);
	tr_put_u24(w, vendor);
	tr_put_u32(w, type);
	tr_put_u32(w, 0); /* length, patched when the value is written */
	tr_put_u32(w, id);
}

int tr_pt_add(struct tr_wbuf *w, uint32_t id, const struct tr_pt_value *v,
	      char *err, size_t errlen)
{
	struct tr_pt_value back = { .type = v->type };
	size_t mark = w->len;
	char name[48];

	header(w, TR_PEN_IETF, v->type, id);
	if (tr_build_checked(w, v, &back, build_value, parse_value,
			     v->type < TR_PT_NTYPES,
			     tr_pt_type_name(0, v->type, name, sizeof(name)),
			     err, errlen)) {
		w->len = mark;
		return -1;
	}
	tr_patch_u32(w, mark + 8, (uint32_t)(w->len - mark));
	return 0;
}

void tr_pt_add_raw(struct tr_wbuf *w, uint32_t vendor, uint32_t type,
		   uint32_t id, const uint8_t *value, size_t len)
{
	size_t mark = w->len;

	header(w, vendor, type, id);
	tr_put_bytes(w, value, len);
	tr_patch_u32(w, mark + 8, (uint32_t)(w->len - mark));
}
