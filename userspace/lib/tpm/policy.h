/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM 2.0 policy digests computed in software, SHA-256 (the name and
 * policy algorithm of every trustroute key): what a policy session
 * reaches, so a key's authPolicy can be set and checked without a TPM.
 *
 *   PolicyPCR:       d' = H(d || TPM_CC_PolicyPCR || TPML_PCR_SELECTION
 *                          || H(selected PCR values, ascending))
 *   PolicyAuthorize: d' = H(H(0^32 || TPM_CC_PolicyAuthorize || keyName)
 *                          || policyRef)      (the old digest is dropped)
 *   signed approval: the authorizer signs H(approvedPolicy || policyRef)
 */
#ifndef TR_TPM_POLICY_H
#define TR_TPM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define TR_PCRS 24
#define TR_CC_POLICY_PCR 0x0000017fu
#define TR_CC_POLICY_AUTHORIZE 0x0000016au

/* A selection of SHA-256 PCRs and their values. */
struct tr_pcr_values {
	unsigned char selected[TR_PCRS];
	uint8_t value[TR_PCRS][32];
};

/* Extend @digest (32 bytes, in and out) with TPM2_PolicyPCR. */
void tr_policy_pcr(uint8_t digest[32], const struct tr_pcr_values *pcrs);
/* The same from the selection and the digest of the values (pcrDigest). */
void tr_policy_pcr_digest(uint8_t digest[32],
			  const unsigned char selected[TR_PCRS],
			  const uint8_t pcr_digest[32]);
/* pcrDigest: SHA-256 of the selected values, in ascending index order. */
void tr_pcr_values_digest(const struct tr_pcr_values *pcrs, uint8_t out[32]);

/*
 * TPM2_PolicyAuthorize by the key named @name (its TPM name: nameAlg
 * followed by the digest of its public area, @name_len bytes), with
 * @ref (may be empty). Sets @digest (32 bytes).
 */
void tr_policy_authorize(uint8_t digest[32], const uint8_t *name,
			 size_t name_len, const uint8_t *ref, size_t ref_len);

/* aHash the authorizer signs to approve @approved under @ref. */
void tr_policy_approval_hash(const uint8_t approved[32], const uint8_t *ref,
			     size_t ref_len, uint8_t out[32]);

/*
 * The marshalled body of TPM2_PolicyPCR (TPM2B_DIGEST pcrDigest,
 * TPML_PCR_SELECTION pcrs), as a key file stores it. @out holds at
 * least 48 bytes. Returns the length.
 */
size_t tr_policy_pcr_body(const struct tr_pcr_values *pcrs, uint8_t *out);

/*
 * "sha256:N[,N...]" (at least one PCR, each decimal 0..23) into @p's
 * selection (values zeroed); 0, or -1 with @p unchanged.
 */
int tr_pcr_selection_parse(const char *s, struct tr_pcr_values *p);

_Static_assert(TR_PCRS == 24, "dl_predict passes DL_PCRS values");

#endif
