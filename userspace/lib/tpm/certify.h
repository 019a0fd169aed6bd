/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Proving what a key is: an attestation key (AK, a restricted ECC P-256
 * signing key in the same TPM) certifies the key with TPM2_Certify. The
 * TPM signs the key's name, nameAlg || H(public area), which covers its
 * authPolicy and attributes, with a verifier's nonce.
 */
#ifndef TR_TPM_CERTIFY_H
#define TR_TPM_CERTIFY_H

#include "tpm/key.h"

/* A restricted P-256 signing key for attestation (userWithAuth set). */
int tr_ak_create(struct tr_tpm *t, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
		 char *err, size_t errlen);

/*
 * TPM2_Certify of the key (@key_pub, @key_priv) by the AK, with @nonce as
 * qualifying data. Outputs the marshalled TPMS_ATTEST and the AK's
 * signature.
 */
int tr_certify(struct tr_tpm *t, const TPM2B_PUBLIC *ak_pub,
	       const TPM2B_PRIVATE *ak_priv, const TPM2B_PUBLIC *key_pub,
	       const TPM2B_PRIVATE *key_priv, const TPM2B_DATA *nonce,
	       TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig, char *err,
	       size_t errlen);

/*
 * The verifier's side, pure: @attest is a TPM-generated certification
 * (magic, type) of exactly @key_pub (its name) for @nonce, signed by the
 * AK @ak_pub. Returns 0, or -1 with the reason.
 */
int tr_certify_verify(const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
		      const TPM2B_PUBLIC *ak_pub, const TPM2B_PUBLIC *key_pub,
		      const TPM2B_DATA *nonce, char *err, size_t errlen);

/*
 * What the verifier demands of the public areas a router sends (pure).
 * Each must be a valid key (a point on the curve, a modulus of keyBits).
 * The AK: a P-256 key that never leaves its TPM (fixedTPM, fixedParent,
 * sensitiveDataOrigin) and signs only TPM-made structures (restricted,
 * sign, not decrypt). The names that MakeCredential and Certify bind
 * cover these attributes, so a router cannot lie about them afterwards.
 */
int tr_ak_check_public(const TPM2B_PUBLIC *ak_pub, char *err, size_t errlen);

/*
 * A sealed TLS key: P-256 or RSA-2048, made in and bound to its TPM, an
 * unrestricted signing key, userWithAuth clear (only its policy can use
 * it, never a password) and authPolicy equal to @policy (32 bytes).
 */
int tr_sealed_key_check_public(const TPM2B_PUBLIC *key_pub,
			       const uint8_t policy[32], char *err,
			       size_t errlen);

#endif
