// SPDX-License-Identifier: GPL-2.0-only
#include "nms/tnc/imv_attest.h"

#include "base/errmsg.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

void imv_attest_init(struct imv_attest *a)
{
	memset(a, 0, sizeof(*a));
}

void imv_attest_free(struct imv_attest *a)
{
	tr_ima_log_rx_free(&a->log);
	memset(a, 0, sizeof(*a));
}

int imv_attest_request(struct imv_attest *a, const struct imv_attest_policy *p,
		       struct tr_wbuf *w, char *err, size_t errlen)
{
	uint8_t val[TR_ATTR_QUOTE_REQUEST_MAX];
	size_t mark;
	int n;

	/* Fresh for this session: an old quote cannot answer it. */
	a->req.nonce.size = TR_QUOTE_NONCE_MAX;
	if (RAND_bytes(a->req.nonce.buffer, a->req.nonce.size) != 1)
		return tr_fail(err, errlen, "no randomness");
	memcpy(a->req.selected, p->pcrs, sizeof(a->req.selected));
	a->req.want_ima_log = true;
	n = tr_attr_quote_request_encode(&a->req, val, sizeof(val), err,
					 errlen);
	if (n < 0)
		return -1;
	mark = tr_tlv_begin(w, 0, TR_PEN_TRUSTROUTE, TR_ATTR_QUOTE_REQUEST);
	tr_put_bytes(w, val, (size_t)n);
	tr_tlv_end(w, mark);
	a->requested = true;
	return 0;
}

int imv_attest_take(struct imv_attest *a, const struct tr_tlv *attr, char *err,
		    size_t errlen)
{
	const uint8_t *v = attr->value.p;
	size_t n = attr->value.len;

	if (attr->vendor == TR_PEN_TCG &&
	    attr->type == TR_ATTR_TCG_SIMPLE_EVID_FINAL) {
		if (!a->requested)
			return tr_fail(err, errlen, "a quote nobody asked for");
		if (tr_attr_evid_final_decode(v, n, &a->req.nonce, &a->attest,
					      &a->sig, err, errlen) < 0)
			return -1;
		a->have_quote = true;
		return 1;
	}
	if (attr->vendor != TR_PEN_TRUSTROUTE)
		return 0;
	if (attr->type == TR_ATTR_PCR_VALUES) {
		if (tr_attr_pcr_values_decode(v, n, &a->pcrs, err, errlen) < 0)
			return -1;
		a->have_pcrs = true;
		return 1;
	}
	if (attr->type == TR_ATTR_IMA_LOG)
		return tr_ima_log_rx_add(&a->log, v, n, err, errlen) < 0 ? -1 :
									   1;
	return 0;
}

/* Whether everything asked for arrived (the log whole). */
static bool imv_attest_complete(const struct imv_attest *a)
{
	return a->have_quote && a->have_pcrs && a->log.started &&
	       a->log.have == a->log.total;
}

int imv_attest_assess(const struct imv_attest *a,
		      const struct imv_attest_policy *p,
		      const TPM2B_PUBLIC *ak_pub, struct nms_verdict *r)
{
	struct dl_appraise_policy ap = { .refs = p->refs,
					 .bad = p->bad,
					 .n_bad = p->n_bad };
	struct dl_appraisal *res;
	struct tr_quote_info info;
	char why[256];

	verdict_init(r);
	if (!imv_attest_complete(a)) {
		verdict_add(
			r, VERDICT_UNKNOWN,
			"attestation: no quote, PCR values or whole IMA log");
		return 0;
	}
	if (!ak_pub) {
		verdict_add(r, VERDICT_BAD, "attestation: no enrolled AK");
		return 0;
	}
	/* Only values the TPM signed for this nonce are appraised. */
	if (tr_quote_verify(&a->attest, &a->sig, ak_pub, &a->req.nonce,
			    a->req.selected, &a->pcrs, &info, why,
			    sizeof(why)) < 0) {
		verdict_add(r, VERDICT_BAD, "quote: %s", why);
		return 0;
	}
	memcpy(ap.ima_pcr, p->pcrs, sizeof(ap.ima_pcr));
	res = malloc(sizeof(*res));
	if (!res || dl_appraise(a->log.buf, a->log.total, &a->pcrs, &ap, res,
				why, sizeof(why)) < 0) {
		verdict_add(r, VERDICT_UNKNOWN, "appraisal: %s",
			    res ? why : "out of memory");
		free(res);
		return 1;
	}
	for (size_t i = 0; i < res->n_reasons; i++) {
		const struct dl_reason *x = &res->reason[i];

		verdict_add(
			r, x->verdict == DL_BAD ? VERDICT_BAD : VERDICT_UNKNOWN,
			"%s%s%s", x->path, x->path[0] ? ": " : "", x->why);
	}
	/* The appraisal's own verdict stands even if reasons were cut. */
	if (res->verdict == DL_BAD)
		verdict_add(r, VERDICT_BAD, "%zu bad entries", res->bad);
	else if (res->verdict == DL_UNKNOWN && r->v == VERDICT_GOOD)
		verdict_add(r, VERDICT_UNKNOWN, "%zu unknown entries",
			    res->unknown);
	r->dropped += res->reasons_dropped;
	free(res);
	return 1;
}
