/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signing keys inside the TPM, usable only while the PCRs hold the values
 * their policy names (ESAPI).
 *
 * A key lives under the standard ECC P-256 SRK of the owner hierarchy,
 * with userWithAuth clear: only its policy authorizes it. Two policies:
 *  - PolicyPCR: authPolicy = PolicyPCR(selection, expected values). Per
 *    signature: TPM2_PolicyPCR and TPM2_Sign on a session kept open.
 *  - PolicyAuthorize: authPolicy = PolicyAuthorize(authorizer, ref); the
 *    authorizer (the vendor) signs approved PolicyPCR digests, so after an
 *    update a new approval makes the same key work again. Per signature:
 *    PolicyPCR, PolicyAuthorize (verification ticket cached), Sign.
 */
#ifndef TR_TPM_KEY_H
#define TR_TPM_KEY_H

#include "tpm/context.h"

#include <stdbool.h>
#include <tss2/tss2_esys.h>

#define TR_ERR_POLICY (-2) /* the TPM refused the policy: PCRs changed */
#define TR_MAX_APPROVALS 16

enum tr_key_alg { TR_KEY_ECC_P256, TR_KEY_RSA_2048 };

/* Create a key with authPolicy @policy; outputs its public and private. */
int tr_key_create(struct tr_tpm *t, enum tr_key_alg alg,
		  const uint8_t policy[32], TPM2B_PUBLIC *pub,
		  TPM2B_PRIVATE *priv, char *err, size_t errlen);

/*
 * A vendor's signed approval of a PolicyPCR state: the selected PCRs and
 * the digest of their approved values (as a key file stores it).
 */
struct tr_approval {
	unsigned char selected[TR_PCRS];
	uint8_t pcr_digest[32];
	TPMT_SIGNATURE sig; /* over H(approvedPolicy || ref) */
};

struct tr_key {
	struct tr_tpm *tpm;
	ESYS_TR handle;
	ESYS_TR session;
	/* The TPM's handles of the key and its session: the signing path
	 * talks to the TPM below ESAPI (see tr_key_sign). */
	TPM2_HANDLE tpm_handle, tpm_session;
	TPM2B_PUBLIC pub;
	struct tr_pcr_values pcrs; /* PolicyPCR mode: selection */
	bool authorize; /* PolicyAuthorize mode */
	TPM2B_PUBLIC authorizer;
	ESYS_TR authorizer_handle;
	TPM2B_NONCE ref;
	struct tr_approval approval[TR_MAX_APPROVALS];
	TPMT_TK_VERIFIED *ticket[TR_MAX_APPROVALS];
	size_t n_approvals;
	size_t last; /* approval that worked last */
};

/* Load a key for PolicyPCR use over the PCRs selected in @pcrs. */
int tr_key_load_pcr(struct tr_tpm *t, const TPM2B_PUBLIC *pub,
		    const TPM2B_PRIVATE *priv, const struct tr_pcr_values *pcrs,
		    struct tr_key *k, char *err, size_t errlen);
/* Load a key for PolicyAuthorize use by @authorizer with @ref. */
int tr_key_load_authorized(struct tr_tpm *t, const TPM2B_PUBLIC *pub,
			   const TPM2B_PRIVATE *priv,
			   const TPM2B_PUBLIC *authorizer,
			   const TPM2B_NONCE *ref, struct tr_key *k, char *err,
			   size_t errlen);
int tr_key_add_approval(struct tr_key *k, const struct tr_approval *a,
			char *err, size_t errlen);
void tr_key_unload(struct tr_key *k);

/*
 * Sign @digest (@dlen bytes: 32, 48 or 64: SHA-256/384/512) with @scheme (TPM2_ALG_ECDSA,
 * TPM2_ALG_RSASSA, TPM2_ALG_RSAPSS). Returns 0, TR_ERR_POLICY when the
 * PCRs do not satisfy the key's policy, or -1. Two TPM commands in
 * PolicyPCR mode (TPM2_PolicyPCR, TPM2_Sign), each one round trip, and no
 * client-side crypto beyond a nonce: see key.c.
 */
int tr_key_sign(struct tr_key *k, const uint8_t *digest, size_t dlen,
		TPMI_ALG_SIG_SCHEME scheme, TPMT_SIGNATURE *sig, char *err,
		size_t errlen);

#endif
