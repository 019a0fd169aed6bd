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

#include "tpm/policy.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <tss2/tss2_esys.h>

#define TR_ERR_POLICY (-2) /* the TPM refused the policy: PCRs changed */
#define TR_MAX_APPROVALS 16

struct tr_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR srk;
	unsigned long commands; /* TPM commands sent through this layer */
};

/*
 * Open the TPM: @tcti, else $TRUSTROUTE_TCTI, else $TPM2TOOLS_TCTI, else
 * "device:/dev/tpmrm0".
 */
int tr_tpm_open(struct tr_tpm *t, const char *tcti, char *err, size_t errlen);
void tr_tpm_close(struct tr_tpm *t);
/* The standard SRK (created on first use, kept loaded). */
int tr_tpm_srk(struct tr_tpm *t, char *err, size_t errlen);
/* Read the selected SHA-256 PCRs into @pcrs->value. */
int tr_tpm_pcr_read(struct tr_tpm *t, struct tr_pcr_values *pcrs, char *err,
		    size_t errlen);

enum tr_key_alg { TR_KEY_ECC_P256, TR_KEY_RSA_2048 };

/* The standard ECC P-256 SRK template (parent 0x40000001 in key files). */
extern const TPM2B_PUBLIC tr_srk_template;

/* TPM2_Create of @tmpl under the SRK; @what names it in errors. */
int tr_tpm_create(struct tr_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what,
		  TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, char *err,
		  size_t errlen);

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
 * Sign @digest (@dlen bytes: 32 or 48) with @scheme (TPM2_ALG_ECDSA,
 * TPM2_ALG_RSASSA, TPM2_ALG_RSAPSS). Returns 0, TR_ERR_POLICY when the
 * PCRs do not satisfy the key's policy, or -1.
 */
int tr_key_sign(struct tr_key *k, const uint8_t *digest, size_t dlen,
		TPMI_ALG_SIG_SCHEME scheme, TPMT_SIGNATURE *sig, char *err,
		size_t errlen);

/* "@what: <decoded TSS2 error> (0xRC)" into @err; returns -1. */
int tr_tpm_fail(char *err, size_t errlen, const char *what, TSS2_RC rc);

/* The TPM name of a public area (nameAlg || H(public area)). */
int tr_tpm_name(const TPM2B_PUBLIC *pub, TPM2B_NAME *name);
/* A P-256 public key from OpenSSL as a TPM2B_PUBLIC (for authorizers). */
int tr_tpm_public_from_evp(EVP_PKEY *pkey, TPM2B_PUBLIC *pub, char *err,
			   size_t errlen);
/* An OpenSSL ECDSA signature (DER) as a TPMT_SIGNATURE (SHA-256). */
int tr_tpm_sig_from_der(const uint8_t *der, size_t len, TPMT_SIGNATURE *sig,
			char *err, size_t errlen);
/*
 * An ECDSA TPMT_SIGNATURE as DER (ECDSA-Sig-Value) into @out, @cap bytes
 * (TR_ECDSA_DER_MAX is enough for any curve the TPM signs with). Returns
 * the length, or -1.
 */
#define TR_ECDSA_DER_MAX 139
int tr_tpm_sig_to_der(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap);
/* The public key of a TPM2B_PUBLIC as an OpenSSL key. */
EVP_PKEY *tr_tpm_public_to_evp(const TPM2B_PUBLIC *pub, char *err,
			       size_t errlen);

#endif
