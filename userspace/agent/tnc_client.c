// SPDX-License-Identifier: GPL-2.0-only
/*
 * The router's PT-TLS / PB-TNC session with its IMC and, in mutual
 * mode, its IMV of the NMS (tnc_client.h).
 */
#include "userspace/agent/tnc_client.h"

#include "tnc/attest_attrs.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include "os/collect.h"
#include "tnc/pa_msg.h"
#include "tnc/pb_stream.h"
#include "tnc/pt_session.h"
#include "userspace/agent/sealed_tls.h"
#include "userspace/agent/tls_stream.h"
#include "tnc/os_attrs.h"
#include "tpm/sealed_key.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define PA_ID_OS 1 /* our IMC's id in PB-PA */
#define PA_ID_ATTEST 2
#define SMALL_BATCH 16384

struct client {
	const struct tnc_client_config *cfg;
	struct tnc_client_result *res;
	struct tls_stream ts;
	struct tr_pt_session pt;
	struct tr_pb_stream pb;
	uint32_t pa_id;
	char device[64];
	/* IMC */
	bool os_sent, quote_asked, evidence_sent;
	struct tr_quote_request req;
	/* IMV (mutual) */
	bool sdata_sent, result_sent, nms_os;
};

const char *tnc_access_name(uint16_t access)
{
	return access == TR_PB_ACCESS_ALLOWED	  ? "allowed" :
	       access == TR_PB_ACCESS_DENIED	  ? "denied" :
	       access == TR_PB_ACCESS_QUARANTINED ? "quarantined" :
						    "none";
}

static long frame(const uint8_t *buf, size_t len, size_t max)
{
	struct tr_pt_msg m;
	struct tr_pt_error refusal;
	size_t need;
	char err[128];
	int rc = tr_pt_frame(buf, len, max, &m, &need, &refusal, err,
			     sizeof(err));

	return rc == TR_PT_FRAME_DONE ? (long)m.raw.len :
	       rc == TR_PT_FRAME_MORE ? 0 :
					-1;
}

static int flush(struct client *c, struct tr_wbuf *out, char *err,
		 size_t errlen)
{
	if (tr_wbuf_check(out, err, errlen) < 0)
		return -1;
	return out->len ?
		       tls_stream_send(&c->ts, out->p, out->len, err, errlen) :
		       0;
}

static int send_batch(struct client *c, enum tr_pb_role role, uint8_t type,
		      const struct tr_wbuf *b, char *err, size_t errlen)
{
	uint8_t *out;
	size_t len;
	int rc;

	if (tr_pt_pb_batch(&c->pt, &c->pb, role, type, b, &out, &len, err,
			   errlen) < 0)
		return -1;
	rc = tls_stream_send(&c->ts, out, len, err, errlen);
	free(out);
	return rc;
}

/* The quote the NMS asked for, its PCR values and the IMA log. */
static int evidence(struct client *c, struct tr_wbuf *pa, char *err,
		    size_t errlen)
{
	const struct tnc_client_config *cfg = c->cfg;
	uint8_t val[TR_ATTR_IMA_LOG_MAX], *log = NULL;
	char path[PATH_MAX];
	TPM2B_PUBLIC ak_pub;
	TPM2B_PRIVATE ak_priv;
	struct tr_quote q;
	struct tr_tpm t;
	size_t len = 0, off = 0, mark;
	int n, rc = -1;

	memset(&t, 0, sizeof(t));
	if (cfg->quote) {
		/* A simulated router: its stand-in quotes, its log is given. */
		if (cfg->quote(cfg->quote_arg, c->req.selected, &c->req.nonce,
			       &q, err, errlen) < 0)
			return -1;
		log = malloc(cfg->ima_log_len ? cfg->ima_log_len : 1);
		if (!log)
			return tr_fail(err, errlen, "out of memory");
		memcpy(log, cfg->ima_log_buf, cfg->ima_log_len);
		len = cfg->ima_log_len;
		goto encode;
	}
	snprintf(path, sizeof(path), "%s/ak.tss", cfg->state_dir);
	if (tr_keyfile_load(path, &ak_pub, &ak_priv, NULL, err, errlen))
		return -1;
	if (tr_tpm_open(&t, cfg->tcti, err, errlen) < 0)
		return -1;
	/* Quote first, then read the log: the kernel logs before it
	 * extends, so the log may run ahead of the quote, never behind. */
	if (tr_quote(&t, &ak_pub, &ak_priv, c->req.selected, &c->req.nonce, &q,
		     err, errlen) < 0)
		goto out;
	if (read_file_bounded(cfg->ima_log, TR_IMA_LOG_MAX, &log, &len) < 0) {
		tr_fail(err, errlen, "%s: %s", cfg->ima_log, strerror(errno));
		goto out;
	}
encode:
	n = tr_attr_evid_final_encode(&q.attest, &q.sig, val, sizeof(val), err,
				      errlen);
	if (n < 0)
		goto out;
	mark = tr_tlv_begin(pa, 0, TR_PEN_TCG, TR_ATTR_TCG_SIMPLE_EVID_FINAL);
	tr_put_bytes(pa, val, (size_t)n);
	tr_tlv_end(pa, mark);
	n = tr_attr_pcr_values_encode(&q.pcrs, val, sizeof(val), err, errlen);
	if (n < 0)
		goto out;
	mark = tr_tlv_begin(pa, 0, TR_PEN_TRUSTROUTE, TR_ATTR_PCR_VALUES);
	tr_put_bytes(pa, val, (size_t)n);
	tr_tlv_end(pa, mark);
	do {
		n = tr_attr_ima_log_encode(log, len, off, val, sizeof(val),
					   &off, err, errlen);
		if (n < 0)
			goto out;
		mark = tr_tlv_begin(pa, 0, TR_PEN_TRUSTROUTE, TR_ATTR_IMA_LOG);
		tr_put_bytes(pa, val, (size_t)n);
		tr_tlv_end(pa, mark);
	} while (off < len);
	c->res->quoted = true;
	rc = 0;
out:
	free(log);
	tr_tpm_close(&t);
	return rc;
}

/* Our batch as the TNC client: OS facts, evidence, or the end. */
static int client_batch(struct client *c, char *err, size_t errlen)
{
	size_t cap = SMALL_BATCH + (c->quote_asked && !c->evidence_sent ?
					    TR_IMA_LOG_MAX + (1u << 20) :
					    0);
	uint8_t *bbuf = malloc(cap), *pbuf = malloc(cap);
	struct tr_wbuf b, pa;
	uint8_t type = TR_PB_CDATA;
	int rc = -1;
	size_t mark, mark2;

	if (!bbuf || !pbuf) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	tr_wbuf_init(&b, bbuf, cap);
	tr_wbuf_init(&pa, pbuf, cap);
	/* OS facts first, the evidence when asked; once decided, the end. */
	if (c->os_sent && (!c->quote_asked || c->evidence_sent) &&
	    c->pb.conn[TR_PB_CLIENT].state == TR_PB_DECIDED)
		type = TR_PB_CLOSE;
	mark = tr_pb_batch_begin(&b, type, false);
	if (tr_pb_stream_capability_due(&c->pb, TR_PB_CLIENT)) {
		struct tr_pb_value v = { .vendor = TR_PEN_ITA,
					 .type = TR_PB_ITA_MUTUAL_CAPABILITY };

		v.u.mutual = TR_PB_MUTUAL_HALF_DUPLEX;
		tr_pb_add(&b, &v, NULL, 0);
	}
	if (!c->os_sent) {
		struct os_facts f;
		struct utsname u;

		uname(&u);
		if (c->cfg->os)
			f = *c->cfg->os;
		else if (os_facts_collect(c->cfg->os_root, u.machine, &f, err,
					  errlen) < 0)
			goto out;
		tr_pa_msg_begin(&pa, ++c->pa_id);
		if (tnc_os_build(&f, &pa, err, errlen) < 0)
			goto out;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, PA_ID_OS,
			     TR_PB_PA_ANY_ID, &pa);
		/* Who we are, for when the certificate could not say it:
		 * the quote will prove it. */
		tr_wbuf_init(&pa, pbuf, cap);
		tr_pa_msg_begin(&pa, ++c->pa_id);
		mark2 = tr_tlv_begin(&pa, 0, TR_PEN_TRUSTROUTE,
				     TR_ATTR_DEVICE_NAME);
		tr_put_bytes(&pa, c->device, strlen(c->device));
		tr_tlv_end(&pa, mark2);
		tr_pb_add_pa(&b, TR_PEN_TCG, TR_PA_SUBTYPE_TCG_PTS,
			     PA_ID_ATTEST, TR_PB_PA_ANY_ID, &pa);
		c->os_sent = true;
	} else if (type == TR_PB_CDATA && c->quote_asked && !c->evidence_sent) {
		tr_pa_msg_begin(&pa, ++c->pa_id);
		if (evidence(c, &pa, err, errlen) < 0)
			goto out;
		tr_pb_add_pa(&b, TR_PEN_TCG, TR_PA_SUBTYPE_TCG_PTS,
			     PA_ID_ATTEST, TR_PB_PA_ANY_ID, &pa);
		c->evidence_sent = true;
	}
	tr_pb_batch_end(&b, mark);
	rc = send_batch(c, TR_PB_CLIENT, type, &b, err, errlen);
out:
	free(bbuf);
	free(pbuf);
	return rc;
}

/* Mutual: our batch as the TNC server, assessing the NMS. */
static int server_batch(struct client *c, char *err, size_t errlen)
{
	uint8_t bbuf[SMALL_BATCH], pbuf[1024];
	struct tr_wbuf b, pa;
	uint8_t type = c->sdata_sent ? TR_PB_RESULT : TR_PB_SDATA;
	size_t mark;

	tr_wbuf_init(&b, bbuf, sizeof(bbuf));
	mark = tr_pb_batch_begin(&b, type, true);
	if (type == TR_PB_RESULT) {
		/* What the router asks of its NMS: no factory password. */
		uint32_t a = !c->nms_os ? TR_PA_DONT_KNOW :
			     c->res->nms_os.default_password ?
					  TR_PA_NONCOMPLIANT_MAJOR :
					  TR_PA_COMPLIANT;
		struct tr_pa_value r = { .flags = TR_NOSKIP,
					 .vendor = TR_PEN_IETF,
					 .type = TR_PA_ASSESSMENT_RESULT };
		struct tr_pb_value v = { .vendor = TR_PEN_IETF };

		r.u.assessment = a;
		tr_wbuf_init(&pa, pbuf, sizeof(pbuf));
		tr_pa_msg_begin(&pa, ++c->pa_id);
		if (tr_pa_add(&pa, &r, err, errlen) < 0)
			return -1;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, TR_PB_PA_ANY_ID,
			     PA_ID_OS, &pa);
		v.type = TR_PB_ASSESSMENT_RESULT;
		v.u.assessment = a;
		tr_pb_add(&b, &v, NULL, 0);
		v.type = TR_PB_ACCESS_RECOMMENDATION;
		v.u.access = a == TR_PA_COMPLIANT ? TR_PB_ACCESS_ALLOWED :
						    TR_PB_ACCESS_DENIED;
		tr_pb_add(&b, &v, NULL, 0);
		c->res->nms_assessed = c->nms_os;
		c->result_sent = true;
	}
	c->sdata_sent = true;
	tr_pb_batch_end(&b, mark);
	return send_batch(c, TR_PB_SERVER, type, &b, err, errlen);
}

/* A PB-PA message for our IMC (the NMS's requests) or IMV (its facts). */
static int on_pa(struct client *c, enum tr_pb_role role,
		 const struct tr_pb_pa *pa, char *err, size_t errlen)
{
	struct tr_pa_msg *m = malloc(sizeof(*m));
	struct tr_pa_error refusal;
	int rc = -1;

	if (!m || tr_pa_msg_parse(pa->body.p, pa->body.len, m, &refusal, err,
				  errlen) < 0)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		const struct tr_tlv *a = &m->attrs[i];

		if (role == TR_PB_SERVER) {
			int r = tnc_os_take(&c->res->nms_os, a, err, errlen);

			if (r < 0)
				goto out;
			c->nms_os |= r > 0;
		} else if (a->vendor == TR_PEN_TRUSTROUTE &&
			   a->type == TR_ATTR_QUOTE_REQUEST) {
			if (tr_attr_quote_request_decode(a->value.p,
							 a->value.len, &c->req,
							 err, errlen) < 0)
				goto out;
			c->quote_asked = true;
		} else if (a->vendor == TR_PEN_IETF &&
			   a->type == TR_PA_ASSESSMENT_RESULT) {
			struct tr_pa_value v;

			if (tr_pa_value_parse(a, &v, NULL, err, errlen) < 0)
				goto out;
			c->res->assessment = v.u.assessment;
		}
	}
	rc = 0;
out:
	free(m);
	return rc;
}

static int on_batch(struct client *c, const struct tr_bytes *raw, char *err,
		    size_t errlen)
{
	struct tr_pb_batch *b = malloc(sizeof(*b));
	struct tr_pb_error refusal;
	enum tr_pb_role role;
	int rc = -1, next;

	if (!b ||
	    tr_pb_batch_parse(raw->p, raw->len, b, &refusal, err, errlen) < 0 ||
	    tr_pb_stream_received(&c->pb, b, &role, &refusal, err, errlen) < 0)
		goto out;
	c->res->batches++;
	c->res->mutual = c->pb.mutual;
	for (size_t i = 0; i < b->n; i++) {
		struct tr_pb_value v;

		if (b->msgs[i].vendor != TR_PEN_IETF ||
		    tr_pb_value_parse(&b->msgs[i], &v, NULL, err, errlen) < 0)
			continue;
		if (v.type == TR_PB_PA &&
		    on_pa(c, role, &v.u.pa, err, errlen) < 0)
			goto out;
		if (v.type == TR_PB_ACCESS_RECOMMENDATION &&
		    role == TR_PB_CLIENT)
			c->res->access = v.u.access;
	}
	while ((next = tr_pb_stream_next(&c->pb, &role)) == 1)
		if ((role == TR_PB_CLIENT ? client_batch(c, err, errlen) :
					    server_batch(c, err, errlen)) < 0)
			goto out;
	rc = next < 0 ? 1 : 0; /* 1: every connection ended */
out:
	free(b);
	return rc;
}

/*
 * The PT-TLS client's TLS options. strongSwan 6.0.6's charon (tnc-pdp),
 * the reference TNC server, answers a TLS 1.2 ClientHello without the
 * renegotiation_info extension (RFC 5746), and OpenSSL 3 refuses such a
 * server by default ("unsafe legacy renegotiation disabled"). RFC 5746
 * 4.1 lets a client go on with a server that does not support it: the
 * attack it prevents (a man in the middle splicing his own handshake in
 * front of ours) needs a renegotiation, and this client never
 * renegotiates and refuses the server's attempts to (a HelloRequest gets
 * a no_renegotiation alert). So: legacy servers allowed, renegotiation
 * never, and only here: other TLS clients (enrollment, probes) keep
 * OpenSSL's default. TLS 1.3 has no renegotiation and is not concerned.
 */
static void pt_tls_client_options(SSL_CTX *ctx)
{
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
					 SSL_OP_NO_RENEGOTIATION);
}

int tnc_client_run(const struct tnc_client_config *cfg,
		   struct tnc_client_result *r, char *err, size_t errlen)
{
	struct tr_pt_config pc = { .role = TR_PT_CLIENT };
	struct client c = { .cfg = cfg, .res = r };
	uint8_t obuf[TR_PT_OUT_MIN];
	struct tr_wbuf out;
	SSL_CTX *ctx;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (cfg->sasl_user && cfg->sasl_password) {
		pc.sasl_authcid =
			(struct tr_bytes){ (const uint8_t *)cfg->sasl_user,
					   strlen(cfg->sasl_user) };
		pc.sasl_passwd =
			(struct tr_bytes){ (const uint8_t *)cfg->sasl_password,
					   strlen(cfg->sasl_password) };
	}
	if (cfg->device)
		snprintf(c.device, sizeof(c.device), "%s", cfg->device);
	else if (sealed_tls_name(cfg->state_dir, c.device, sizeof(c.device),
				 err, errlen) < 0)
		return -1;
	ctx = cfg->use_key ? sealed_tls_ctx(TLS_client_method(), cfg->state_dir,
					    cfg->nms_ca, err, errlen) :
			     NULL;
	if (ctx)
		pt_tls_client_options(ctx);
	if (!ctx ||
	    tls_stream_open(&c.ts, ctx, cfg->nms_address, cfg->nms_port,
			    cfg->nms_name, cfg->timeout_ms, err, errlen) < 0) {
		/* Without the sealed key (not asked for, or it refused
		 * because the PCRs changed): the quote says who we are. */
		if (cfg->use_key) {
			snprintf(r->key_error, sizeof(r->key_error), "%s", err);
			r->without_key = true;
		}
		SSL_CTX_free(ctx);
		ctx = SSL_CTX_new(TLS_client_method());
		if (!ctx ||
		    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
		    SSL_CTX_load_verify_locations(ctx, cfg->nms_ca, NULL) !=
			    1) {
			tr_fail(err, errlen, "%s: cannot load", cfg->nms_ca);
			goto out;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		pt_tls_client_options(ctx);
		if (tls_stream_open(&c.ts, ctx, cfg->nms_address, cfg->nms_port,
				    cfg->nms_name, cfg->timeout_ms, err,
				    errlen) < 0)
			goto out;
	}
	tr_pb_stream_init(&c.pb, TR_PB_CLIENT, cfg->mutual);
	tr_wbuf_init(&out, obuf, sizeof(obuf));
	if (tr_pt_start(&c.pt, &pc, &out, err, errlen) < 0 ||
	    flush(&c, &out, err, errlen) < 0)
		goto out;
	for (;;) {
		const uint8_t *msg;
		struct tr_pt_event ev;
		struct tr_pt_msg m;
		struct tr_pt_error refusal;
		size_t len, need;
		int r2;

		if (tls_stream_recv(&c.ts, frame, tr_pt_max_msg(&c.pt), &msg,
				    &len, err, errlen) < 0 ||
		    tr_pt_frame(msg, len, len, &m, &need, &refusal, err,
				errlen) != TR_PT_FRAME_DONE)
			goto out;
		tr_wbuf_init(&out, obuf, sizeof(obuf));
		r2 = tr_pt_recv(&c.pt, &m, &out, &ev, err, errlen);
		if (flush(&c, &out, err, errlen) < 0 || r2 < 0)
			goto out;
		/* The data phase: the IMC speaks first. */
		if (ev.type == TR_PT_EV_DATA &&
		    client_batch(&c, err, errlen) < 0)
			goto out;
		if (ev.type == TR_PT_EV_BATCH) {
			r2 = on_batch(&c, &ev.batch, err, errlen);
			if (r2 < 0)
				goto out;
			if (r2 > 0)
				break;
		}
	}
	rc = 0;
out:
	tls_stream_close(&c.ts);
	SSL_CTX_free(ctx);
	return rc;
}
