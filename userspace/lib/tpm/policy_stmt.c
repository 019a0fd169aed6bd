// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/policy_stmt.h"

#include "base/errmsg.h"

#include <string.h>
#include <tss2/tss2_mu.h>

int tr_stmt_parse_pcr(const uint8_t *b, size_t len,
		      unsigned char selected[TR_PCRS], uint8_t pcr_digest[32],
		      char *err, size_t errlen)
{
	TPM2B_DIGEST d = { 0 };
	TPML_PCR_SELECTION sel = { 0 };
	size_t off = 0;
	int found = 0;

	if (Tss2_MU_TPM2B_DIGEST_Unmarshal(b, len, &off, &d) ||
	    Tss2_MU_TPML_PCR_SELECTION_Unmarshal(b, len, &off, &sel) ||
	    off != len)
		return tr_fail(err, errlen,
			       "malformed TPM2_PolicyPCR statement");
	if (d.size != 32)
		return tr_fail(err, errlen,
			       "TPM2_PolicyPCR: pcrDigest is not SHA-256");
	memset(selected, 0, TR_PCRS);
	for (UINT32 i = 0; i < sel.count; i++) {
		const TPMS_PCR_SELECTION *s = &sel.pcrSelections[i];

		for (unsigned bit = 0; bit < 8u * s->sizeofSelect; bit++) {
			if (!(s->pcrSelect[bit / 8] & (1u << (bit % 8))))
				continue;
			if (s->hash != TPM2_ALG_SHA256 || bit >= TR_PCRS)
				return tr_fail(
					err, errlen,
					"TPM2_PolicyPCR selects PCR %u of bank 0x%04x: only SHA-256 PCRs 0-23",
					bit, s->hash);
			selected[bit] = 1;
			found = 1;
		}
	}
	if (!found)
		return tr_fail(err, errlen, "TPM2_PolicyPCR selects no PCR");
	memcpy(pcr_digest, d.buffer, 32);
	return 0;
}

int tr_stmt_parse_authorize(const uint8_t *b, size_t len, TPM2B_PUBLIC *key,
			    TPM2B_NONCE *ref, TPMT_SIGNATURE *sig, char *err,
			    size_t errlen)
{
	uint8_t re[sizeof(*key) + sizeof(*ref) + sizeof(*sig)];
	size_t off = 0, relen;

	memset(key, 0, sizeof(*key));
	memset(ref, 0, sizeof(*ref));
	memset(sig, 0, sizeof(*sig));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, len, &off, key) ||
	    Tss2_MU_TPM2B_NONCE_Unmarshal(b, len, &off, ref) ||
	    Tss2_MU_TPMT_SIGNATURE_Unmarshal(b, len, &off, sig) || off != len)
		goto bad;
	if (!key->size) {
		tr_fail(err, errlen,
			"TPM2_PolicyAuthorize: keySign is an empty TPM2B_PUBLIC");
		goto zero;
	}
	/*
	 * tpm2-tss takes a TPM2B_PUBLIC whose size field disagrees with its
	 * contents: only the one form the statement marshals to is taken,
	 * so that what is checked is what was signed and is written back.
	 */
	if (tr_stmt_build_authorize(key, ref, sig, re, sizeof(re), &relen) ||
	    relen != len || memcmp(re, b, len)) {
		tr_fail(err, errlen,
			"TPM2_PolicyAuthorize statement not in its marshalled form (a size field that disagrees with its contents)");
		goto zero;
	}
	return 0;
bad:
	tr_fail(err, errlen, "malformed TPM2_PolicyAuthorize statement");
zero:
	memset(key, 0, sizeof(*key));
	memset(ref, 0, sizeof(*ref));
	memset(sig, 0, sizeof(*sig));
	return -1;
}

int tr_stmt_build_authorize(const TPM2B_PUBLIC *key, const TPM2B_NONCE *ref,
			    const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap,
			    size_t *len)
{
	TPMT_SIGNATURE none = { .sigAlg = TPM2_ALG_NULL };

	*len = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(key, out, cap, len) ||
	    Tss2_MU_TPM2B_NONCE_Marshal(ref, out, cap, len) ||
	    Tss2_MU_TPMT_SIGNATURE_Marshal(sig ? sig : &none, out, cap, len))
		return -1;
	return 0;
}
