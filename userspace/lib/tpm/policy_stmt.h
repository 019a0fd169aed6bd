/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bodies of the policy statements key files carry (tpm/keyfile.h):
 *   TPM2_PolicyPCR:       TPM2B_DIGEST pcrDigest, TPML_PCR_SELECTION
 *   TPM2_PolicyAuthorize: TPM2B_PUBLIC keySign, TPM2B_DIGEST policyRef,
 *                         TPMT_SIGNATURE (sigAlg NULL when unsigned)
 * Parsers are bounded and consume the whole body; 0 or -1 with a message.
 */
#ifndef TR_TPM_POLICY_STMT_H
#define TR_TPM_POLICY_STMT_H

#include "tpm/policy.h"

#include <tss2/tss2_tpm2_types.h>

/* Only SHA-256 PCRs 0-23 are accepted. */
int tr_stmt_parse_pcr(const uint8_t *b, size_t len,
		      unsigned char selected[TR_PCRS], uint8_t pcr_digest[32],
		      char *err, size_t errlen);
int tr_stmt_parse_authorize(const uint8_t *b, size_t len, TPM2B_PUBLIC *key,
			    TPM2B_NONCE *ref, TPMT_SIGNATURE *sig, char *err,
			    size_t errlen);
/* @sig NULL: an unsigned statement (the key's own first statement). */
int tr_stmt_build_authorize(const TPM2B_PUBLIC *key, const TPM2B_NONCE *ref,
			    const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap,
			    size_t *len);

#endif
