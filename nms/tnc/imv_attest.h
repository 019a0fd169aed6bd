/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attestation IMV: it asks the router for a quote of its IMA PCRs
 * over a fresh nonce and its IMA log (attest_attrs.h), verifies the quote
 * with the AK the router enrolled with, replays the log to the quoted
 * PCRs and appraises every entry against the reference digest lists
 * (dl_appraise.h):
 *   good     the quote holds and every measured file is listed
 *   unknown  files in no list, violations, lists out of order
 *   bad      the quote does not verify (another AK, a replay, changed),
 *            the log does not replay to it, known-bad files, foreign lists
 * One per PB-TNC connection; the policy is shared.
 */
#ifndef TR_NMS_IMV_ATTEST_H
#define TR_NMS_IMV_ATTEST_H

#include "tnc/attest_attrs.h"
#include "digest-lists/lib/dl_appraise.h"
#include "wire/tlv.h"
#include "nms/trust/verdict.h"

struct imv_attest_policy {
	const struct dl_refset *refs;
	const struct dl_view *bad; /* known-bad lists, may be none */
	size_t n_bad;
	unsigned char pcrs[TR_PCRS]; /* quoted and replayed: 10 and 11 */
};

struct imv_attest {
	struct tr_quote_request req;
	bool requested;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	bool have_quote;
	struct tr_pcr_values pcrs;
	bool have_pcrs;
	struct tr_ima_log_rx log;
};

void imv_attest_init(struct imv_attest *a);
void imv_attest_free(struct imv_attest *a);

/* The Quote Request attribute (a fresh nonce) into @w. */
int imv_attest_request(struct imv_attest *a, const struct imv_attest_policy *p,
		       struct tr_wbuf *w, char *err, size_t errlen);

/*
 * An attribute from the router: the quote, its PCR values or a piece of
 * the IMA log are kept; others are not ours (0). -1 on a malformed one.
 */
int imv_attest_take(struct imv_attest *a, const struct tr_tlv *attr, char *err,
		    size_t errlen);

/*
 * The verdict, with @ak_pub the AK the device enrolled. Returns 1 when
 * the quote verified with it (the evidence is that device's), else 0.
 */
int imv_attest_assess(const struct imv_attest *a,
		      const struct imv_attest_policy *p,
		      const TPM2B_PUBLIC *ak_pub, struct nms_verdict *r);

#endif
