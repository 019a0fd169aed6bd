// SPDX-License-Identifier: GPL-2.0-only
/*
 * PT-TLS and PB-TNC sessions with the OS and attestation IMVs
 * (tnc_server.h).
 */
#include "nms/tnc/tnc_server.h"

#include "base/errmsg.h"
#include "tnc/attest_attrs.h"
#include "tnc/os_attrs.h"
#include "tnc/pa_msg.h"
#include "tnc/pb_stream.h"
#include "tnc/pt_session.h"

#include <openssl/crypto.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 65536 /* what the NMS sends: requests and results */
#define PA_ID_OS 1 /* our IMV ids in PB-PA */
#define PA_ID_ATTEST 2

struct tnc_server {
	struct tnc_server_config cfg;
	struct tls_server *tls;
};

struct session {
	struct tnc_server *srv;
	struct tr_pt_session pt;
	struct tr_pb_stream pb;
	struct tnc_session_info info;
	char device[64];
	/* our IMVs (the router's connection) */
	struct os_facts os;
	bool have_os, want_attest, result_sent, claim_mismatch;
	bool sasl; /* authenticated by SASL PLAIN */
	TPM2B_PUBLIC ak;
	struct imv_attest att;
	/* our IMC (the reverse connection, mutual mode) */
	bool os_sent;
	uint32_t pa_id;
};

static void refuse(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Why the session refuses its peer, to the log (once). */
static void refuse(struct session *s, const char *fmt, ...)
{
	const struct tnc_server_config *cfg = &s->srv->cfg;
	char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (cfg->refused)
		cfg->refused(s->info.peer, why, cfg->arg);
}

/* @p as text fit for a log line: control bytes become '?'. */
static void printable(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = p[i] < 0x20 || p[i] == 0x7f ? '?' : (char)p[i];
	out[n] = 0;
}

static long frame(const uint8_t *buf, size_t len, size_t max, void *arg)
{
	struct tr_pt_msg m;
	struct tr_pt_error refusal;
	size_t need;
	char err[128];

	(void)arg;
	switch (tr_pt_frame(buf, len, max, &m, &need, &refusal, err,
			    sizeof(err))) {
	case TR_PT_FRAME_DONE:
		return (long)m.raw.len;
	case TR_PT_FRAME_MORE:
		return 0;
	default:
		return -1;
	}
}

static int send_out(struct tls_conn *c, struct tr_wbuf *out)
{
	if (tr_wbuf_check(out, NULL, 0) < 0)
		return -1;
	return out->len ? tls_conn_send(c, out->p, out->len) : 0;
}

/* Wrap PB-TNC batch @b in a PT-TLS message and queue it. */
static int send_batch(struct tls_conn *c, struct session *s,
		      enum tr_pb_role role, uint8_t type,
		      const struct tr_wbuf *b)
{
	uint8_t *out;
	size_t len;
	char err[256];
	int rc;

	if (tr_pt_pb_batch(&s->pt, &s->pb, role, type, b, &out, &len, err,
			   sizeof(err)) < 0)
		return -1;
	rc = tls_conn_send(c, out, len);
	free(out);
	return rc;
}

/* A PB-TNC message with one number: assessment, access or mutual. */
static int add_simple(struct tr_wbuf *w, uint32_t vendor, uint32_t type,
		      uint32_t value)
{
	struct tr_pb_value v = { .vendor = vendor, .type = type };

	if (vendor == TR_PEN_ITA)
		v.u.mutual = value;
	else if (type == TR_PB_ASSESSMENT_RESULT)
		v.u.assessment = value;
	else
		v.u.access = (uint16_t)value;
	return tr_pb_add(w, &v, NULL, 0);
}

/* The session's verdict in @v, each IMV's in @os and @att (the parts,
 * for the record: s->info points at those that ran). */
static void assess(struct session *s, struct nms_verdict *v,
		   struct nms_verdict *os, struct nms_verdict *att)
{
	const struct tnc_server_config *c = &s->srv->cfg;
	char seen[64] = "";

	verdict_init(v);
	s->info.os = s->info.attestation = NULL;
	if (s->have_os) {
		if (c->device_id_of)
			c->device_id_of(s->device, s->os.device_id, seen,
					sizeof(seen), c->arg);
		imv_os_assess(c->os_policy, &s->os, seen, os);
		verdict_merge(v, os);
		s->info.os = os;
	} else {
		verdict_add(v, VERDICT_UNKNOWN, "no OS facts");
	}
	if (s->want_attest) {
		int quoted = imv_attest_assess(&s->att, c->attest_policy,
					       &s->ak, att);

		verdict_merge(v, att);
		s->info.attestation = att;
		s->info.attested = true;
		s->info.proven = s->info.certified || quoted;
	} else {
		verdict_add(v, VERDICT_UNKNOWN,
			    "not attested: no enrolled device with an AK");
	}
	if (s->claim_mismatch)
		verdict_add(
			v, VERDICT_BAD,
			"its Device Name is not the name in its certificate");
}

/* Our next batch as the TNC server (the IMVs' side). */
static int server_batch(struct tls_conn *c, struct session *s)
{
	const struct tnc_server_config *cfg = &s->srv->cfg;
	uint8_t bbuf[BATCH_MAX], pbuf[4096];
	struct tr_wbuf b, pa;
	struct nms_verdict v, os, att;
	uint8_t type;
	size_t mark;
	char err[256];

	tr_wbuf_init(&b, bbuf, sizeof(bbuf));
	tr_wbuf_init(&pa, pbuf, sizeof(pbuf));
	type = s->want_attest && !s->att.requested ? TR_PB_SDATA : TR_PB_RESULT;
	mark = tr_pb_batch_begin(&b, type, true);
	if (tr_pb_stream_capability_due(&s->pb, TR_PB_SERVER))
		add_simple(&b, TR_PEN_ITA, TR_PB_ITA_MUTUAL_CAPABILITY,
			   TR_PB_MUTUAL_HALF_DUPLEX);
	tr_pa_msg_begin(&pa, ++s->pa_id);
	if (type == TR_PB_SDATA) {
		if (imv_attest_request(&s->att, cfg->attest_policy, &pa, err,
				       sizeof(err)) < 0)
			return -1;
		tr_pb_add_pa(&b, TR_PEN_TCG, TR_PA_SUBTYPE_TCG_PTS,
			     TR_PB_PA_ANY_ID, PA_ID_ATTEST, &pa);
	} else {
		struct tr_pa_value r = { .vendor = TR_PEN_IETF,
					 .type = TR_PA_ASSESSMENT_RESULT,
					 .flags = TR_NOSKIP };

		assess(s, &v, &os, &att);
		r.u.assessment =
			v.v == VERDICT_GOOD    ? TR_PA_COMPLIANT :
			v.v == VERDICT_UNKNOWN ? TR_PA_NONCOMPLIANT_MINOR :
						 TR_PA_NONCOMPLIANT_MAJOR;
		if (tr_pa_add(&pa, &r, err, sizeof(err)) < 0)
			return -1;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, TR_PB_PA_ANY_ID,
			     PA_ID_OS, &pa);
		add_simple(&b, TR_PEN_IETF, TR_PB_ASSESSMENT_RESULT,
			   r.u.assessment);
		add_simple(&b, TR_PEN_IETF, TR_PB_ACCESS_RECOMMENDATION,
			   v.v == VERDICT_GOOD	  ? TR_PB_ACCESS_ALLOWED :
			   v.v == VERDICT_UNKNOWN ? TR_PB_ACCESS_QUARANTINED :
						    TR_PB_ACCESS_DENIED);
		s->result_sent = true;
		/* Nobody said who it is: recorded as what it is. */
		if (!s->device[0])
			snprintf(s->device, sizeof(s->device),
				 "unauthenticated@%s", s->info.peer);
		s->info.device = s->device;
		if (cfg->decided)
			cfg->decided(&s->info, &v, cfg->arg);
		s->info.os = s->info.attestation = NULL; /* on our stack */
	}
	tr_pb_batch_end(&b, mark);
	return send_batch(c, s, TR_PB_SERVER, type, &b);
}

/* Our next batch as the TNC client (mutual mode: the NMS is measured). */
static int client_batch(struct tls_conn *c, struct session *s)
{
	const struct tnc_server_config *cfg = &s->srv->cfg;
	uint8_t bbuf[8192], pbuf[4096];
	struct tr_wbuf b, pa;
	uint8_t type = s->os_sent && s->pb.conn[TR_PB_CLIENT].state ==
					       TR_PB_DECIDED ?
			       TR_PB_CLOSE :
			       TR_PB_CDATA;
	size_t mark;
	char err[256];

	tr_wbuf_init(&b, bbuf, sizeof(bbuf));
	mark = tr_pb_batch_begin(&b, type, false);
	if (!s->os_sent) {
		tr_wbuf_init(&pa, pbuf, sizeof(pbuf));
		tr_pa_msg_begin(&pa, ++s->pa_id);
		if (!cfg->own_facts ||
		    tnc_os_build(cfg->own_facts, &pa, err, sizeof(err)) < 0)
			return -1;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, PA_ID_OS,
			     TR_PB_PA_ANY_ID, &pa);
		s->os_sent = true;
	}
	tr_pb_batch_end(&b, mark);
	return send_batch(c, s, TR_PB_CLIENT, type, &b);
}

/*
 * An attestation attribute: the router's claimed name (looked up, to be
 * proven by its quote), or evidence for the IMV.
 */
static int attest_attr(struct session *s, const struct tr_tlv *a, char *err,
		       size_t errlen)
{
	const struct tnc_server_config *cfg = &s->srv->cfg;
	char name[TR_ATTR_DEVICE_NAME_MAX + 1];

	if (a->vendor != TR_PEN_TRUSTROUTE || a->type != TR_ATTR_DEVICE_NAME)
		return s->want_attest ?
			       imv_attest_take(&s->att, a, err, errlen) :
			       0;
	if (tr_attr_device_name_decode(a->value.p, a->value.len, name,
				       sizeof(name), err, errlen) < 0)
		return -1;
	if (s->info.certified || s->sasl) {
		/* Its certificate or SASL said who it is; a different
		 * claim is a lie in an authenticated session. */
		if (strcmp(name, s->device))
			s->claim_mismatch = true;
		return 1;
	}
	if (s->device[0] && strcmp(name, s->device))
		return tr_fail(err, errlen, "a second Device Name");
	snprintf(s->device, sizeof(s->device), "%s", name);
	s->want_attest = cfg->ak_of &&
			 cfg->ak_of(s->device, &s->ak, cfg->arg) == 0;
	return 1;
}

/* A PB-PA message for our IMVs: OS facts and attestation evidence. */
static int to_imvs(struct session *s, const struct tr_pb_pa *pa, char *err,
		   size_t errlen)
{
	struct tr_pa_msg *m = malloc(sizeof(*m));
	struct tr_pa_error refusal;
	int rc = -1;

	if (!m) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	if (tr_pa_msg_parse(pa->body.p, pa->body.len, m, &refusal, err,
			    errlen) < 0)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		int r = 0;

		if (pa->vendor == TR_PEN_IETF &&
		    pa->subtype == TR_PA_SUBTYPE_OS) {
			r = tnc_os_take(&s->os, &m->attrs[i], err, errlen);
			s->have_os |= r > 0;
		} else if (pa->vendor == TR_PEN_TCG &&
			   pa->subtype == TR_PA_SUBTYPE_TCG_PTS) {
			r = attest_attr(s, &m->attrs[i], err, errlen);
		}
		if (r < 0)
			goto out;
	}
	rc = 0;
out:
	free(m);
	return rc;
}

/* Mutual mode: the router's RESULT about us, for the log. */
static void nms_result(struct session *s, const struct tr_pb_batch *b)
{
	const struct tnc_server_config *cfg = &s->srv->cfg;
	uint32_t assessment = UINT32_MAX;
	uint16_t access = 0;
	char err[128];

	for (size_t i = 0; i < b->n; i++) {
		struct tr_pb_value v;

		if (b->msgs[i].vendor != TR_PEN_IETF ||
		    tr_pb_value_parse(&b->msgs[i], &v, NULL, err, sizeof(err)) <
			    0)
			continue;
		if (v.type == TR_PB_ASSESSMENT_RESULT)
			assessment = v.u.assessment;
		else if (v.type == TR_PB_ACCESS_RECOMMENDATION)
			access = v.u.access;
	}
	if (cfg->nms_assessed)
		cfg->nms_assessed(&s->info, assessment, access, cfg->arg);
}

static int on_batch(struct tls_conn *c, struct session *s,
		    const struct tr_bytes *raw)
{
	struct tr_pb_batch *b = malloc(sizeof(*b));
	struct tr_pb_error refusal;
	enum tr_pb_role role;
	char err[256];
	int rc = -1, next;

	if (!b) {
		refuse(s, "out of memory");
		goto out;
	}
	if (tr_pb_batch_parse(raw->p, raw->len, b, &refusal, err, sizeof(err)) <
		    0 ||
	    tr_pb_stream_received(&s->pb, b, &role, &refusal, err,
				  sizeof(err)) < 0) {
		refuse(s, "PB-TNC: %s", err);
		goto out;
	}
	s->info.batches++;
	s->info.mutual = s->pb.mutual;
	if (role == TR_PB_CLIENT && b->type == TR_PB_RESULT)
		nms_result(s, b);
	for (size_t i = 0; i < b->n && role == TR_PB_SERVER; i++) {
		struct tr_pb_value v;

		if (b->msgs[i].vendor != TR_PEN_IETF ||
		    b->msgs[i].type != TR_PB_PA ||
		    tr_pb_value_parse(&b->msgs[i], &v, NULL, err, sizeof(err)) <
			    0)
			continue;
		if (to_imvs(s, &v.u.pa, err, sizeof(err)) < 0) {
			refuse(s, "PA-TNC: %s", err);
			goto out;
		}
	}
	while ((next = tr_pb_stream_next(&s->pb, &role)) == 1)
		if ((role == TR_PB_SERVER ? server_batch(c, s) :
					    client_batch(c, s)) < 0) {
			refuse(s, "our %s batch could not be built or sent",
			       role == TR_PB_SERVER ? "server" : "client");
			goto out;
		}
	if (next < 0)
		tls_conn_close_after_send(c);
	rc = 0;
out:
	free(b);
	return rc;
}

static int on_message(struct tls_conn *c, const uint8_t *msg, size_t len,
		      void *arg)
{
	struct session *s = tls_conn_data(c);
	const struct tnc_server_config *cfg = &s->srv->cfg;
	uint8_t obuf[TR_PT_OUT_MIN];
	struct tr_pt_error refusal;
	struct tr_pt_event ev;
	struct tr_pt_msg m;
	struct tr_wbuf out;
	size_t need;
	char err[256];
	int rc;

	(void)arg;
	tr_wbuf_init(&out, obuf, sizeof(obuf));
	if (tr_pt_frame(msg, len, len, &m, &need, &refusal, err, sizeof(err)) !=
	    TR_PT_FRAME_DONE) {
		refuse(s, "PT-TLS: %s", err);
		return -1;
	}
	rc = tr_pt_recv(&s->pt, &m, &out, &ev, err, sizeof(err));
	if (rc < 0)
		refuse(s, "%s%s", strncmp(err, "PT-TLS", 6) ? "PT-TLS: " : "",
		       err);
	if (send_out(c, &out) < 0) {
		if (rc >= 0)
			refuse(s, "PT-TLS: our answer could not be sent");
		return -1;
	}
	if (rc < 0) {
		tls_conn_close_after_send(c);
		return 0;
	}
	if (ev.type == TR_PT_EV_SASL_PLAIN) {
		/* Both compared in constant time: no timing oracle. */
		bool ok = cfg->sasl_user &&
			  ev.plain.authcid.len == strlen(cfg->sasl_user) &&
			  ev.plain.passwd.len == strlen(cfg->sasl_password) &&
			  !CRYPTO_memcmp(ev.plain.authcid.p, cfg->sasl_user,
					 ev.plain.authcid.len) &&
			  !CRYPTO_memcmp(ev.plain.passwd.p, cfg->sasl_password,
					 ev.plain.passwd.len);

		if (ok) {
			snprintf(s->device, sizeof(s->device), "%s",
				 cfg->sasl_user);
			s->sasl = true;
			tls_conn_set_authenticated(c);
		} else {
			char user[64];

			/* Guessing passwords leaves a trace (rate-limited
			 * by the caller); the password never does. */
			printable(ev.plain.authcid.p, ev.plain.authcid.len,
				  user, sizeof(user));
			refuse(s, "SASL PLAIN login refused for \"%s\": %s",
			       user,
			       cfg->sasl_user ? "wrong user or password" :
						"no SASL user is configured");
		}
		tr_wbuf_init(&out, obuf, sizeof(obuf));
		rc = tr_pt_sasl_verdict(&s->pt, ok, &out, err, sizeof(err));
		if (send_out(c, &out) < 0)
			return -1;
		if (rc < 0)
			tls_conn_close_after_send(c);
		return 0;
	}
	if (ev.type == TR_PT_EV_BATCH)
		return on_batch(c, s, &ev.batch);
	return 0;
}

static int on_open(struct tls_conn *c, void *arg)
{
	struct tnc_server *srv = arg;
	const struct tnc_server_config *cfg = &srv->cfg;
	struct session *s = calloc(1, sizeof(*s));
	struct tr_pt_config pc = { .role = TR_PT_SERVER };
	X509 *peer = SSL_get0_peer_certificate(tls_conn_ssl(c));
	uint8_t obuf[TR_PT_OUT_MIN];
	struct tr_wbuf out;
	char err[256] = "";

	if (!s) {
		if (cfg->refused)
			cfg->refused(tls_conn_peer(c), "out of memory",
				     cfg->arg);
		return -1;
	}
	s->srv = srv;
	tls_conn_set_data(c, s);
	imv_attest_init(&s->att);
	s->info.peer = tls_conn_peer(c);
	s->info.started = time(NULL);
	s->info.device = s->device;
	/* The TLS layer verified it against the NMS CA: the name is the
	 * enrolled device's, and its key is the sealed one, which signed
	 * this handshake (a resumed session would carry no signature: not
	 * proof; our server offers none anyway). */
	if (peer && SSL_get_verify_result(tls_conn_ssl(c)) == X509_V_OK &&
	    !SSL_session_reused(tls_conn_ssl(c)) &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
				      NID_commonName, s->device,
				      sizeof(s->device)) > 0) {
		s->info.certified = s->info.proven = true;
		tls_conn_set_authenticated(c);
		s->want_attest = cfg->ak_of &&
				 cfg->ak_of(s->device, &s->ak, cfg->arg) == 0;
	}
	/* Without a certificate: SASL if configured, else the claim. */
	pc.sasl_required = !s->info.certified && cfg->sasl_user;
	tr_pb_stream_init(&s->pb, TR_PB_SERVER, cfg->mutual);
	tr_wbuf_init(&out, obuf, sizeof(obuf));
	if (tr_pt_start(&s->pt, &pc, &out, err, sizeof(err)) < 0 ||
	    send_out(c, &out) < 0) {
		refuse(s, "PT-TLS: cannot start: %s", err);
		return -1;
	}
	return 0;
}

static void on_refused(const char *peer, const char *why, void *arg)
{
	struct tnc_server *srv = arg;

	if (srv->cfg.refused)
		srv->cfg.refused(peer, why, srv->cfg.arg);
}

static void on_tick(void *arg)
{
	struct tnc_server *srv = arg;

	if (srv->cfg.tick)
		srv->cfg.tick(srv->cfg.arg);
}

static void on_close(struct tls_conn *c, const char *why, void *arg)
{
	struct session *s = tls_conn_data(c);

	(void)why;
	(void)arg;
	if (!s)
		return;
	imv_attest_free(&s->att);
	free(s);
}

struct tnc_server *tnc_server_new(const struct tnc_server_config *c, char *err,
				  size_t errlen)
{
	struct tnc_server *s = calloc(1, sizeof(*s));
	struct tls_server_ops ops = { .frame = frame,
				      .opened = on_open,
				      .message = on_message,
				      .closed = on_close,
				      .refused = on_refused,
				      .tick = on_tick };

	if (!s) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *c;
	s->tls = tls_server_new(&c->tls, &ops, s, err, errlen);
	if (!s->tls) {
		free(s);
		return NULL;
	}
	return s;
}

unsigned short tnc_server_port(const struct tnc_server *s)
{
	return tls_server_port(s->tls);
}

int tnc_server_run(struct tnc_server *s, volatile sig_atomic_t *stop)
{
	return tls_server_run(s->tls, stop);
}

void tnc_server_stats(const struct tnc_server *s, struct tls_server_stats *st)
{
	tls_server_stats(s->tls, st);
}

void tnc_server_free(struct tnc_server *s)
{
	if (!s)
		return;
	tls_server_free(s->tls);
	free(s);
}
