// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pt_session.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	"Experimental",
	"Version Request",
	"Version Response",
	"SASL Mechanisms",
	"SASL Mechanism Selection",
	"SASL Authentication Data",
	"SASL Result",
	"PB-TNC Batch",
	"PT-TLS Error",
};

#define TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *tr_pt_type_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len)
{
	if (vendor == TR_PEN_IETF && type < TYPES)
		snprintf(buf, len, "%s", type_names[type]);
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

/* --- framing ------------------------------------------------------------------ */

static size_t cap_max(size_t max)
{
	if (!max)
		return TR_PT_MSG_MAX_DEFAULT;
	return max < TR_PT_MSG_MAX_LIMIT ? max : TR_PT_MSG_MAX_LIMIT;
}

/* A PT-TLS Error with the code and a copy of (the start of) @raw. */
static void error_init(struct tr_pt_error *e, uint32_t code, const uint8_t *raw,
		       size_t len)
{
	e->vendor = TR_PEN_IETF;
	e->code = code;
	e->original.p = raw;
	e->original.len = len < TR_PT_ERROR_COPY_MAX ? len :
						       TR_PT_ERROR_COPY_MAX;
}

int tr_pt_frame(const uint8_t *buf, size_t have, size_t max,
		struct tr_pt_msg *m, size_t *need, struct tr_pt_error *refusal,
		char *err, size_t errlen)
{
	uint32_t len, code = TR_PT_ERR_MALFORMED;

	max = cap_max(max);
	*need = TR_PT_HEADER_LEN;
	if (have < TR_PT_HEADER_LEN)
		return TR_PT_FRAME_MORE;
	len = tr_be32(buf + 8);
	if (buf[0]) {
		tr_fail(err, errlen, "PT-TLS message: reserved byte 0x%02x",
			buf[0]);
	} else if (len < TR_PT_HEADER_LEN) {
		tr_fail(err, errlen,
			"PT-TLS message: length %u, shorter than its "
			"16-byte header",
			len);
	} else if (len > max) {
		/* a peer must not make us buffer more than we said */
		code = TR_PT_ERR_INVALID_PARAMETER;
		tr_fail(err, errlen,
			"PT-TLS message: length %u, more than the %zu we take",
			len, max);
	} else {
		*need = len;
		if (have < len)
			return TR_PT_FRAME_MORE;
		m->vendor = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 |
			    buf[3];
		m->type = tr_be32(buf + 4);
		m->id = tr_be32(buf + 12);
		m->raw.p = buf;
		m->raw.len = len;
		m->value.p = buf + TR_PT_HEADER_LEN;
		m->value.len = len - TR_PT_HEADER_LEN;
		return TR_PT_FRAME_DONE;
	}
	if (refusal)
		error_init(refusal, code, buf, TR_PT_HEADER_LEN);
	return TR_PT_FRAME_ERROR;
}

/* --- values -------------------------------------------------------------------- */

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
			     v->type < TYPES,
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

/* --- SASL PLAIN ------------------------------------------------------------------ */

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

/* --- the session ------------------------------------------------------------------ */

size_t tr_pt_max_msg(const struct tr_pt_session *s)
{
	return cap_max(s->cfg.max_msg);
}

static int put_msg(struct tr_pt_session *s, struct tr_wbuf *out,
		   const struct tr_pt_value *v, char *err, size_t errlen)
{
	if (tr_pt_add(out, s->next_id, v, err, errlen))
		return -1;
	s->next_id++;
	return 0;
}

/* Fail the session; with a @code, a PT-TLS Error refusing @m goes out. */
static int fail(struct tr_pt_session *s, struct tr_wbuf *out, uint32_t code,
		const struct tr_pt_msg *m, char *err, size_t errlen,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int fail(struct tr_pt_session *s, struct tr_wbuf *out, uint32_t code,
		const struct tr_pt_msg *m, char *err, size_t errlen,
		const char *fmt, ...)
{
	struct tr_pt_value e = { .type = TR_PT_ERROR };
	va_list ap;

	s->phase = TR_PT_PH_FAILED;
	s->step = TR_PT_S_NONE;
	if (code) {
		error_init(&e.u.error, code, m ? m->raw.p : NULL,
			   m ? m->raw.len : 0);
		put_msg(s, out, &e, NULL, 0);
	}
	va_start(ap, fmt);
	tr_vfail_prefixed(err, errlen, "PT-TLS: ", fmt, ap);
	va_end(ap);
	return -1;
}

static int send_mechs(struct tr_pt_session *s, struct tr_wbuf *out, bool plain,
		      char *err, size_t errlen)
{
	struct tr_pt_value v = { .type = TR_PT_SASL_MECHS };

	if (plain) {
		v.u.mechs.n = 1;
		v.u.mechs.names[0].p = (const uint8_t *)"PLAIN";
		v.u.mechs.names[0].len = 5;
	}
	return put_msg(s, out, &v, err, errlen);
}

int tr_pt_start(struct tr_pt_session *s, const struct tr_pt_config *c,
		struct tr_wbuf *out, char *err, size_t errlen)
{
	struct tr_pt_value v = { .type = TR_PT_VERSION_REQUEST };

	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	s->phase = TR_PT_PH_VERSION;
	if (c->max_msg > TR_PT_MSG_MAX_LIMIT)
		return fail(s, out, 0, NULL, err, errlen,
			    "message limit %zu above %u", c->max_msg,
			    TR_PT_MSG_MAX_LIMIT);
	if (c->role == TR_PT_SERVER) {
		s->step = TR_PT_S_START;
		return 0;
	}
	s->step = TR_PT_S_VERSION;
	v.u.version_request.min = v.u.version_request.max =
		v.u.version_request.pref = TR_PT_VERSION;
	if (put_msg(s, out, &v, err, errlen))
		return fail(s, out, 0, NULL, NULL, 0, "cannot happen");
	return 0;
}

/* Client: the server offered @mechs; select PLAIN with our credentials. */
static int select_plain(struct tr_pt_session *s, const struct tr_pt_msg *m,
			const struct tr_pt_sasl_mechs *mechs,
			struct tr_wbuf *out, char *err, size_t errlen)
{
	struct tr_pt_value v = { .type = TR_PT_SASL_MECH_SELECTION };
	struct tr_sasl_plain plain = { { NULL, 0 },
				       s->cfg.sasl_authcid,
				       s->cfg.sasl_passwd };
	uint8_t data[3 * TR_SASL_PLAIN_FIELD_MAX + 2];
	struct tr_wbuf w;
	bool offered = false;
	char why[160];

	for (size_t i = 0; i < mechs->n; i++)
		offered |= mechs->names[i].len == 5 &&
			   !memcmp(mechs->names[i].p, "PLAIN", 5);
	if (!offered)
		return fail(s, out, TR_PT_ERR_SASL_MECHANISM, m, err, errlen,
			    "the server offers no SASL mechanism we have "
			    "(PLAIN)");
	tr_wbuf_init(&w, data, sizeof(data));
	if (!s->cfg.sasl_authcid.len)
		return fail(s, out, TR_PT_ERR_SASL_MECHANISM, m, err, errlen,
			    "the server asks for SASL PLAIN, we have no "
			    "credentials");
	if (tr_sasl_plain_build(&plain, &w, why, sizeof(why)))
		return fail(s, out, TR_PT_ERR_SASL_MECHANISM, m, err, errlen,
			    "our credentials: %s", why);
	v.u.selection.name.p = (const uint8_t *)"PLAIN";
	v.u.selection.name.len = 5;
	v.u.selection.data.p = data;
	v.u.selection.data.len = w.len;
	s->step = TR_PT_S_RESULT;
	return put_msg(s, out, &v, err, errlen);
}

static int client_recv(struct tr_pt_session *s, const struct tr_pt_msg *m,
		       const struct tr_pt_value *v, struct tr_wbuf *out,
		       struct tr_pt_event *ev, char *err, size_t errlen)
{
	static const char *const results[] = { "Success", "Failure", "Abort",
					       "Mechanism Failure" };

	if (s->step == TR_PT_S_VERSION && m->type == TR_PT_VERSION_RESPONSE) {
		if (v->u.version != TR_PT_VERSION)
			return fail(s, out, TR_PT_ERR_VERSION_NOT_SUPPORTED, m,
				    err, errlen,
				    "the server chose version %u, we offered 1",
				    v->u.version);
		s->phase = TR_PT_PH_SASL;
		s->step = TR_PT_S_MECHS;
		return 0;
	}
	if (s->step == TR_PT_S_MECHS && m->type == TR_PT_SASL_MECHS) {
		if (v->u.mechs.n)
			return select_plain(s, m, &v->u.mechs, out, err,
					    errlen);
		s->phase = TR_PT_PH_DATA;
		s->step = TR_PT_S_NONE;
		ev->type = TR_PT_EV_DATA;
		return 0;
	}
	if (s->step == TR_PT_S_RESULT && m->type == TR_PT_SASL_RESULT) {
		if (v->u.result.code != TR_SASL_SUCCESS)
			return fail(s, out, 0, m, err, errlen,
				    "the server refused our SASL PLAIN "
				    "credentials (%s)",
				    results[v->u.result.code]);
		/* strongSwan then sends SASL Mechanisms, empty when done */
		s->step = TR_PT_S_MECHS;
		return 0;
	}
	return -2;
}

/* Server: the PLAIN response in @data; the caller judges it. */
static int take_plain(struct tr_pt_session *s, const struct tr_pt_msg *m,
		      const struct tr_bytes *data, struct tr_wbuf *out,
		      struct tr_pt_event *ev, char *err, size_t errlen)
{
	struct tr_pt_value r = { .type = TR_PT_SASL_RESULT };
	char why[200];

	if (tr_sasl_plain_parse(data->p, data->len, &ev->plain, why,
				sizeof(why))) {
		/* Abort: the client may not try again on this stream */
		r.u.result.code = TR_SASL_ABORT;
		r.u.result.wide = s->cfg.sasl_result_wide;
		put_msg(s, out, &r, NULL, 0);
		return fail(s, out, 0, m, err, errlen, "%s", why);
	}
	s->step = TR_PT_S_VERDICT;
	ev->type = TR_PT_EV_SASL_PLAIN;
	return 0;
}

static int server_recv(struct tr_pt_session *s, const struct tr_pt_msg *m,
		       const struct tr_pt_value *v, struct tr_wbuf *out,
		       struct tr_pt_event *ev, char *err, size_t errlen)
{
	const struct tr_pt_version_request *vr = &v->u.version_request;
	struct tr_pt_value rsp = { .type = TR_PT_VERSION_RESPONSE };
	const struct tr_bytes *name = &v->u.selection.name;

	if (s->step == TR_PT_S_START && m->type == TR_PT_VERSION_REQUEST) {
		if (vr->min > TR_PT_VERSION || vr->max < TR_PT_VERSION)
			return fail(s, out, TR_PT_ERR_VERSION_NOT_SUPPORTED, m,
				    err, errlen,
				    "the client wants versions %u to %u, we "
				    "have 1",
				    vr->min, vr->max);
		rsp.u.version = TR_PT_VERSION;
		if (put_msg(s, out, &rsp, err, errlen) ||
		    send_mechs(s, out, s->cfg.sasl_required, err, errlen))
			return fail(s, out, 0, m, NULL, 0, "cannot happen");
		s->phase = s->cfg.sasl_required ? TR_PT_PH_SASL : TR_PT_PH_DATA;
		s->step = s->cfg.sasl_required ? TR_PT_S_SELECTION :
						 TR_PT_S_NONE;
		ev->type = s->cfg.sasl_required ? TR_PT_EV_NONE : TR_PT_EV_DATA;
		return 0;
	}
	if (s->step == TR_PT_S_SELECTION &&
	    m->type == TR_PT_SASL_MECH_SELECTION) {
		struct tr_pt_value chal = { .type = TR_PT_SASL_AUTH_DATA };

		if (name->len != 5 || memcmp(name->p, "PLAIN", 5))
			return fail(s, out, TR_PT_ERR_SASL_MECHANISM, m, err,
				    errlen,
				    "the client selected %.*s, we offered "
				    "PLAIN",
				    (int)name->len, (const char *)name->p);
		if (v->u.selection.data.len)
			return take_plain(s, m, &v->u.selection.data, out, ev,
					  err, errlen);
		/* no initial response: ask for it with an empty challenge */
		s->step = TR_PT_S_AUTH_DATA;
		return put_msg(s, out, &chal, err, errlen);
	}
	if (s->step == TR_PT_S_AUTH_DATA && m->type == TR_PT_SASL_AUTH_DATA)
		return take_plain(s, m, &v->u.auth_data, out, ev, err, errlen);
	return -2;
}

int tr_pt_recv(struct tr_pt_session *s, const struct tr_pt_msg *m,
	       struct tr_wbuf *out, struct tr_pt_event *ev, char *err,
	       size_t errlen)
{
	struct tr_pt_value v;
	char why[200], name[48];
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (s->phase == TR_PT_PH_FAILED)
		return tr_fail(err, errlen,
			       "PT-TLS: the session failed before");
	tr_pt_type_name(m->vendor, m->type, name, sizeof(name));
	if (m->vendor != TR_PEN_IETF) {
		/* other vendors' messages: for whoever knows them */
		ev->type = TR_PT_EV_IGNORED;
		return 0;
	}
	if (m->type == TR_PT_EXPERIMENTAL || m->type >= TYPES)
		return fail(s, out, TR_PT_ERR_TYPE_NOT_SUPPORTED, m, err,
			    errlen, "message type %s", name);
	if (tr_pt_value_parse(m, &v, NULL, why, sizeof(why)))
		return fail(s, out, TR_PT_ERR_MALFORMED, m, err, errlen,
			    "message #%u: %s", m->id, why);
	if (m->type == TR_PT_ERROR)
		return fail(s, out, 0, m, err, errlen,
			    "the peer sent error %u (vendor 0x%06x)",
			    v.u.error.code, v.u.error.vendor);
	if (s->phase == TR_PT_PH_DATA) {
		if (m->type != TR_PT_PB_TNC_BATCH)
			goto unexpected;
		ev->type = TR_PT_EV_BATCH;
		ev->batch = v.u.batch;
		return 0;
	}
	rc = s->cfg.role == TR_PT_CLIENT ?
		     client_recv(s, m, &v, out, ev, err, errlen) :
		     server_recv(s, m, &v, out, ev, err, errlen);
	if (rc != -2)
		return rc;
unexpected:
	return fail(s, out, TR_PT_ERR_INVALID_MESSAGE, m, err, errlen,
		    "%s (message #%u) not expected now", name, m->id);
}

int tr_pt_sasl_verdict(struct tr_pt_session *s, bool ok, struct tr_wbuf *out,
		       char *err, size_t errlen)
{
	struct tr_pt_value r = { .type = TR_PT_SASL_RESULT };

	if (s->cfg.role != TR_PT_SERVER || s->step != TR_PT_S_VERDICT)
		return fail(s, out, 0, NULL, err, errlen,
			    "no SASL credentials wait for a verdict");
	r.u.result.code = ok ? TR_SASL_SUCCESS : TR_SASL_ABORT;
	r.u.result.wide = s->cfg.sasl_result_wide;
	if (put_msg(s, out, &r, err, errlen))
		return fail(s, out, 0, NULL, NULL, 0, "output");
	if (!ok)
		return fail(s, out, 0, NULL, err, errlen,
			    "SASL PLAIN credentials refused");
	/* done: the empty list strongSwan's client waits for */
	if (send_mechs(s, out, false, err, errlen))
		return fail(s, out, 0, NULL, NULL, 0, "output");
	s->phase = TR_PT_PH_DATA;
	s->step = TR_PT_S_NONE;
	return 0;
}

int tr_pt_send_batch(struct tr_pt_session *s, const uint8_t *batch, size_t len,
		     struct tr_wbuf *out, char *err, size_t errlen)
{
	struct tr_pt_value v = { .type = TR_PT_PB_TNC_BATCH };

	if (s->phase != TR_PT_PH_DATA)
		return tr_fail(err, errlen,
			       "PT-TLS: a PB-TNC batch before data transport");
	if (len > TR_PT_MSG_MAX_LIMIT - TR_PT_HEADER_LEN)
		return tr_fail(err, errlen,
			       "PT-TLS: a batch of %zu bytes, more than %u",
			       len, TR_PT_MSG_MAX_LIMIT - TR_PT_HEADER_LEN);
	v.u.batch.p = batch;
	v.u.batch.len = len;
	return put_msg(s, out, &v, err, errlen);
}

int tr_pt_pb_batch(struct tr_pt_session *s, struct tr_pb_stream *pb,
		   enum tr_pb_role role, uint8_t type, const struct tr_wbuf *b,
		   uint8_t **out, size_t *len, char *err, size_t errlen)
{
	struct tr_wbuf w;
	uint8_t *buf;

	if (tr_wbuf_check(b, err, errlen) < 0)
		return -1;
	buf = malloc(b->len + TR_PT_OUT_MIN);
	if (!buf)
		return tr_fail(err, errlen, "out of memory");
	tr_wbuf_init(&w, buf, b->len + TR_PT_OUT_MIN);
	if (tr_pb_stream_sent(pb, role, type, err, errlen) < 0 ||
	    tr_pt_send_batch(s, b->p, b->len, &w, err, errlen) < 0 ||
	    tr_wbuf_check(&w, err, errlen) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = w.len;
	return 0;
}
