/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM structures and their OpenSSL counterparts: names, public keys and
 * signatures, so verifiers without a TPM can check what a TPM made.
 */
#ifndef TR_TPM_CONVERT_H
#define TR_TPM_CONVERT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

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
