/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credential activation: proof that an AK lives in the same TPM as an EK.
 * The NMS wraps a secret to the EK's public key and the AK's name
 * (MakeCredential, in software: the NMS has no TPM); only the TPM holding
 * that EK can unwrap it, and only for a loaded object of that name
 * (TPM2_ActivateCredential). A router that returns the secret has both
 * keys in one TPM.
 */
#ifndef TR_TPM_CREDENTIAL_H
#define TR_TPM_CREDENTIAL_H

#include "tpm/ek.h"
#include "tpm/key.h"

/*
 * The EK templates MakeCredential is done for: RSA-2048 with SHA-256 and
 * AES-128-CFB, as L-1 and H-1 have them (ECC EKs would need ECDH and
 * KDFe for the seed; not done).
 */
#define TR_CREDENTIAL_TEMPLATES \
	(TR_EK_TEMPLATE_BIT(TR_EK_L1) | TR_EK_TEMPLATE_BIT(TR_EK_H1))

/*
 * MakeCredential (TPM 2.0 Part 1, 24 "Credential Protection") for an
 * RSA-2048 EK with SHA-256 and AES-128-CFB, as templates L-1 and H-1 have
 * it. The caller has checked that the area is one of them
 * (tr_ek_template_of): this wraps to the key and its parameters only.
 * @secret is 1..32 bytes. Pure: OpenSSL only.
 */
int tr_make_credential(const TPM2B_PUBLIC *ek_pub, const TPM2B_NAME *ak_name,
		       const uint8_t *secret, size_t slen,
		       TPM2B_ID_OBJECT *cred, TPM2B_ENCRYPTED_SECRET *seed,
		       char *err, size_t errlen);

/*
 * The router's side: load the AK, recreate the EK, satisfy its policy
 * (PolicySecret of the endorsement hierarchy) and activate. Returns 0
 * with the secret, or -1 (e.g. the credential names another AK, or was
 * made for another TPM's EK).
 */
int tr_activate_credential(struct tr_tpm *t, const TPM2B_PUBLIC *ak_pub,
			   const TPM2B_PRIVATE *ak_priv,
			   const TPM2B_ID_OBJECT *cred,
			   const TPM2B_ENCRYPTED_SECRET *seed,
			   TPM2B_DIGEST *secret, char *err, size_t errlen);

#endif
