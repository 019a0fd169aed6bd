// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pt_session.h"
#include "base/errmsg.h"
#include "tnc/pt_sasl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tr_pt_max_msg(const struct tr_pt_session *s)
{
	return tr_pt_msg_limit(s->cfg.max_msg);
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
		tr_pt_error_init(&e.u.error, code, m ? m->raw.p : NULL,
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
	if (m->type == TR_PT_EXPERIMENTAL || m->type >= TR_PT_NTYPES)
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
