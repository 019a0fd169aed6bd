// SPDX-License-Identifier: GPL-2.0-only
/* A scripted router for TNC sessions in-process (tnc_router.h). */
#include "tnc_router.h"

#include "base/errmsg.h"
#include "ima/log.h"
#include "soft_tpm.h"
#include "tnc/os_attrs.h"

#include <stdlib.h>
#include <string.h>

#define PA_ID_OS 1
#define PA_ID_ATTEST 2

static int from_nms(void *arg, const uint8_t *buf, size_t len)
{
	struct tnc_router *r = arg;

	if (r->in_len + len > r->in_cap) {
		size_t cap = (r->in_len + len) * 2;
		uint8_t *n = realloc(r->in, cap);

		if (!n)
			return -1;
		r->in = n;
		r->in_cap = cap;
	}
	memcpy(r->in + r->in_len, buf, len);
	r->in_len += len;
	return 0;
}

static void nms_closes(void *arg)
{
	((struct tnc_router *)arg)->closed = true;
}

struct tnc_session_io tnc_router_io(struct tnc_router *r)
{
	return (struct tnc_session_io){ from_nms, nms_closes, NULL, r };
}

/* @len bytes of whole PT-TLS messages to the NMS, kept in r->sent. */
static int to_nms(struct tnc_router *r, struct tnc_session *s, const uint8_t *p,
		  size_t len, char *err, size_t errlen)
{
	uint8_t *n = realloc(r->sent, r->sent_len + len + 1);
	size_t off = 0;

	if (!n)
		return tr_fail(err, errlen, "out of memory");
	r->sent = n;
	memcpy(r->sent + r->sent_len, p, len);
	r->sent_len += len;
	while (off < len) {
		struct tr_pt_msg m;
		size_t need;

		if (tr_pt_frame(p + off, len - off, len - off, &m, &need, NULL,
				err, errlen) != TR_PT_FRAME_DONE)
			return -1;
		if (tnc_session_message(s, p + off, m.raw.len) < 0)
			return tr_fail(err, errlen, "the NMS closed at once");
		off += m.raw.len;
	}
	return 0;
}

static int send_batch(struct tnc_router *r, struct tnc_session *s,
		      enum tr_pb_role role, uint8_t type,
		      const struct tr_wbuf *b, char *err, size_t errlen)
{
	uint8_t *out;
	size_t len;
	int rc;

	if (tr_pt_pb_batch(&r->pt, &r->pb, role, type, b, &out, &len, err,
			   errlen) < 0)
		return -1;
	rc = to_nms(r, s, out, len, err, errlen);
	free(out);
	return rc;
}

static void attr(struct tr_wbuf *pa, uint32_t vendor, uint32_t type,
		 const uint8_t *v, size_t n)
{
	size_t mark = tr_tlv_begin(pa, 0, vendor, type);

	tr_put_bytes(pa, v, n);
	tr_tlv_end(pa, mark);
}

/* The quote asked for, by the software AK, its values, the log. */
static int evidence(struct tnc_router *r, struct tr_wbuf *pa, char *err,
		    size_t errlen)
{
	static uint8_t val[TR_ATTR_IMA_LOG_MAX];
	struct tr_pcr_values pcrs = { 0 };
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	size_t off = 0;
	int n;

	for (int i = 0; i < TR_PCRS; i++) {
		uint8_t d[IMA_LOG_DIGEST_MAX];
		size_t dlen, entries;

		if (!r->req.selected[i])
			continue;
		pcrs.selected[i] = 1;
		if (!ima_log_replay(r->log, r->log_len, "sha256", (uint32_t)i,
				    d, &dlen, &entries, err, errlen) &&
		    dlen == 32)
			memcpy(pcrs.value[i], d, 32);
	}
	if (soft_quote(&r->req.nonce, &pcrs, &attest, &sig) < 0)
		return tr_fail(err, errlen, "the software quote failed");
	n = tr_attr_evid_final_encode(&attest, &sig, val, sizeof(val), err,
				      errlen);
	if (n < 0)
		return -1;
	attr(pa, TR_PEN_TCG, TR_ATTR_TCG_SIMPLE_EVID_FINAL, val, (size_t)n);
	n = tr_attr_pcr_values_encode(&pcrs, val, sizeof(val), err, errlen);
	if (n < 0)
		return -1;
	attr(pa, TR_PEN_TRUSTROUTE, TR_ATTR_PCR_VALUES, val, (size_t)n);
	do {
		n = tr_attr_ima_log_encode(r->log, r->log_len, off, val,
					   sizeof(val), &off, err, errlen);
		if (n < 0)
			return -1;
		attr(pa, TR_PEN_TRUSTROUTE, TR_ATTR_IMA_LOG, val, (size_t)n);
	} while (off < r->log_len);
	r->quoted = true;
	return 0;
}

/* As the TNC client: OS facts and the name, the evidence, the end. */
static int client_batch(struct tnc_router *r, struct tnc_session *s, char *err,
			size_t errlen)
{
	size_t cap = 65536 + 2 * r->log_len, mark;
	uint8_t *bbuf = malloc(cap), *pbuf = malloc(cap);
	struct tr_wbuf b, pa;
	uint8_t type = TR_PB_CDATA;
	int rc = -1;

	if (!bbuf || !pbuf) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	tr_wbuf_init(&b, bbuf, cap);
	if (r->os_sent && (!r->quote_asked || r->evidence_sent) &&
	    r->pb.conn[TR_PB_CLIENT].state == TR_PB_DECIDED) {
		type = TR_PB_CLOSE;
		if (r->retries) {
			/* Again from the start: facts, name, evidence. */
			r->retries--;
			type = TR_PB_CRETRY;
			r->os_sent = r->quote_asked = r->evidence_sent = false;
		}
	}
	mark = tr_pb_batch_begin(&b, type, false);
	if (tr_pb_stream_capability_due(&r->pb, TR_PB_CLIENT)) {
		struct tr_pb_value v = { .vendor = TR_PEN_ITA,
					 .type = TR_PB_ITA_MUTUAL_CAPABILITY };

		v.u.mutual = TR_PB_MUTUAL_HALF_DUPLEX;
		tr_pb_add(&b, &v, NULL, 0);
	}
	if (!r->os_sent) {
		tr_wbuf_init(&pa, pbuf, cap);
		tr_pa_msg_begin(&pa, ++r->pa_id);
		if (tnc_os_build(&r->facts, &pa, err, errlen) < 0)
			goto out;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, PA_ID_OS,
			     TR_PB_PA_ANY_ID, &pa);
		if (r->device) {
			tr_wbuf_init(&pa, pbuf, cap);
			tr_pa_msg_begin(&pa, ++r->pa_id);
			attr(&pa, TR_PEN_TRUSTROUTE, TR_ATTR_DEVICE_NAME,
			     (const uint8_t *)r->device, strlen(r->device));
			tr_pb_add_pa(&b, TR_PEN_TCG, TR_PA_SUBTYPE_TCG_PTS,
				     PA_ID_ATTEST, TR_PB_PA_ANY_ID, &pa);
		}
		r->os_sent = true;
	} else if (type == TR_PB_CDATA && r->quote_asked && !r->evidence_sent) {
		tr_wbuf_init(&pa, pbuf, cap);
		tr_pa_msg_begin(&pa, ++r->pa_id);
		if (evidence(r, &pa, err, errlen) < 0)
			goto out;
		tr_pb_add_pa(&b, TR_PEN_TCG, TR_PA_SUBTYPE_TCG_PTS,
			     PA_ID_ATTEST, TR_PB_PA_ANY_ID, &pa);
		r->evidence_sent = true;
	}
	tr_pb_batch_end(&b, mark);
	rc = send_batch(r, s, TR_PB_CLIENT, type, &b, err, errlen);
out:
	free(bbuf);
	free(pbuf);
	return rc;
}

/* Mutual: as the TNC server, assessing the NMS (no factory password). */
static int server_batch(struct tnc_router *r, struct tnc_session *s, char *err,
			size_t errlen)
{
	uint8_t bbuf[4096], pbuf[1024];
	struct tr_wbuf b, pa;
	uint8_t type = r->sdata_sent ? TR_PB_RESULT : TR_PB_SDATA;
	size_t mark;

	tr_wbuf_init(&b, bbuf, sizeof(bbuf));
	mark = tr_pb_batch_begin(&b, type, true);
	if (type == TR_PB_RESULT) {
		uint32_t a = !r->nms_os ? TR_PA_DONT_KNOW :
			     r->nms.default_password ?
					  TR_PA_NONCOMPLIANT_MAJOR :
					  TR_PA_COMPLIANT;
		struct tr_pa_value v = { .flags = TR_NOSKIP,
					 .vendor = TR_PEN_IETF,
					 .type = TR_PA_ASSESSMENT_RESULT };
		struct tr_pb_value p = { .vendor = TR_PEN_IETF };

		v.u.assessment = a;
		tr_wbuf_init(&pa, pbuf, sizeof(pbuf));
		tr_pa_msg_begin(&pa, ++r->pa_id);
		if (tr_pa_add(&pa, &v, err, errlen) < 0)
			return -1;
		tr_pb_add_pa(&b, TR_PEN_IETF, TR_PA_SUBTYPE_OS, TR_PB_PA_ANY_ID,
			     PA_ID_OS, &pa);
		p.type = TR_PB_ASSESSMENT_RESULT;
		p.u.assessment = a;
		tr_pb_add(&b, &p, NULL, 0);
		p.type = TR_PB_ACCESS_RECOMMENDATION;
		p.u.access = a == TR_PA_COMPLIANT ? TR_PB_ACCESS_ALLOWED :
						    TR_PB_ACCESS_DENIED;
		tr_pb_add(&b, &p, NULL, 0);
		r->nms_assessed = r->nms_os;
	}
	r->sdata_sent = true;
	tr_pb_batch_end(&b, mark);
	return send_batch(r, s, TR_PB_SERVER, type, &b, err, errlen);
}

static int on_pa(struct tnc_router *r, enum tr_pb_role role,
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
			int k = tnc_os_take(&r->nms, a, err, errlen);

			if (k < 0)
				goto out;
			r->nms_os |= k > 0;
		} else if (a->vendor == TR_PEN_TRUSTROUTE &&
			   a->type == TR_ATTR_QUOTE_REQUEST) {
			struct tr_quote_request prev = r->req;

			if (tr_attr_quote_request_decode(a->value.p,
							 a->value.len, &r->req,
							 err, errlen) < 0)
				goto out;
			r->nonce_reused |=
				r->quote_requests &&
				prev.nonce.size == r->req.nonce.size &&
				!memcmp(prev.nonce.buffer, r->req.nonce.buffer,
					prev.nonce.size);
			r->quote_requests++;
			r->quote_asked = true;
		} else if (a->vendor == TR_PEN_IETF &&
			   a->type == TR_PA_ASSESSMENT_RESULT) {
			struct tr_pa_value v;

			if (tr_pa_value_parse(a, &v, NULL, err, errlen) < 0)
				goto out;
			r->assessment = v.u.assessment;
		}
	}
	rc = 0;
out:
	free(m);
	return rc;
}

static int on_batch(struct tnc_router *r, struct tnc_session *s,
		    const struct tr_bytes *raw, char *err, size_t errlen)
{
	struct tr_pb_batch *b = malloc(sizeof(*b));
	struct tr_pb_error refusal;
	enum tr_pb_role role;
	int rc = -1, next;

	if (!b ||
	    tr_pb_batch_parse(raw->p, raw->len, b, &refusal, err, errlen) < 0 ||
	    tr_pb_stream_received(&r->pb, b, &role, &refusal, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < b->n; i++) {
		struct tr_pb_value v;

		if (b->msgs[i].vendor != TR_PEN_IETF ||
		    tr_pb_value_parse(&b->msgs[i], &v, NULL, err, errlen) < 0)
			continue;
		if (v.type == TR_PB_PA &&
		    on_pa(r, role, &v.u.pa, err, errlen) < 0)
			goto out;
		if (v.type == TR_PB_ACCESS_RECOMMENDATION &&
		    role == TR_PB_CLIENT)
			r->access = v.u.access;
	}
	while ((next = tr_pb_stream_next(&r->pb, &role)) == 1)
		if ((role == TR_PB_CLIENT ?
			     client_batch(r, s, err, errlen) :
			     server_batch(r, s, err, errlen)) < 0)
			goto out;
	rc = 0;
out:
	free(b);
	return rc;
}

int tnc_router_run(struct tnc_router *r, struct tnc_session *s, char *err,
		   size_t errlen)
{
	struct tr_pt_config pc = { .role = TR_PT_CLIENT };
	uint8_t obuf[TR_PT_OUT_MIN];
	struct tr_wbuf out;

	if (r->sasl_user) {
		pc.sasl_authcid =
			(struct tr_bytes){ (const uint8_t *)r->sasl_user,
					   strlen(r->sasl_user) };
		pc.sasl_passwd =
			(struct tr_bytes){ (const uint8_t *)r->sasl_password,
					   strlen(r->sasl_password) };
	}
	tr_pb_stream_init(&r->pb, TR_PB_CLIENT, r->mutual);
	tr_wbuf_init(&out, obuf, sizeof(obuf));
	if (tr_pt_start(&r->pt, &pc, &out, err, errlen) < 0 ||
	    tr_wbuf_check(&out, err, errlen) < 0 ||
	    to_nms(r, s, out.p, out.len, err, errlen) < 0)
		return -1;
	while (r->in_len) {
		struct tr_pt_msg m;
		struct tr_pt_event ev;
		size_t need;
		uint8_t *msg;
		int rc;

		if (tr_pt_frame(r->in, r->in_len, r->in_len, &m, &need, NULL,
				err, errlen) != TR_PT_FRAME_DONE)
			return -1;
		/* What answering it makes the NMS send comes after. */
		msg = malloc(m.raw.len);
		if (!msg)
			return tr_fail(err, errlen, "out of memory");
		memcpy(msg, r->in, m.raw.len);
		memmove(r->in, r->in + m.raw.len, r->in_len - m.raw.len);
		r->in_len -= m.raw.len;
		tr_pt_frame(msg, m.raw.len, m.raw.len, &m, &need, NULL, err,
			    errlen);
		tr_wbuf_init(&out, obuf, sizeof(obuf));
		rc = tr_pt_recv(&r->pt, &m, &out, &ev, err, errlen);
		if (tr_wbuf_check(&out, err, errlen) < 0 ||
		    to_nms(r, s, out.p, out.len, err, errlen) < 0 || rc < 0)
			rc = -1;
		else if (ev.type == TR_PT_EV_DATA)
			rc = client_batch(r, s, err, errlen);
		else if (ev.type == TR_PT_EV_BATCH)
			rc = on_batch(r, s, &ev.batch, err, errlen);
		free(msg);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void tnc_router_free(struct tnc_router *r)
{
	free(r->sent);
	free(r->in);
	r->sent = r->in = NULL;
	r->sent_len = r->in_len = r->in_cap = 0;
}
