/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TPM's attestation signatures made in software, for tests and fuzz
 * targets: a fixed AK (P-256 with the public area tr_ak_create gives) and
 * a fixed TLS key, whose private keys are in soft_tpm.c so that seeds
 * signed with them stay valid from run to run; quotes and certifications
 * marshalled as a TPM makes them and signed with that AK. Test keys only:
 * they prove nothing about any TPM.
 */
#ifndef TR_TEST_SOFT_TPM_H
#define TR_TEST_SOFT_TPM_H

#include "tpm/context.h"
#include "tpm/convert.h"
#include "tpm/key.h"

#include <openssl/evp.h>
#include <stdbool.h>

/* The keys, loaded once and kept (do not free). NULL only on failure. */
EVP_PKEY *soft_ak_key(void);
EVP_PKEY *soft_tls_key(void);

/* The authPolicy the seeds' sealed TLS keys have. */
extern const uint8_t soft_tls_policy[32];

/* The AK's public area: restricted, fixedTPM, ECDSA-SHA256, P-256. */
int soft_ak_public(TPM2B_PUBLIC *pub);
/* The TLS key's as a sealed key: userWithAuth clear, @policy (32 bytes). */
int soft_tls_public(const uint8_t policy[32], TPM2B_PUBLIC *pub);

/* ECDSA-SHA256 of @data by @key as the TPM returns it. 0 or -1. */
int soft_sign(EVP_PKEY *key, const uint8_t *data, size_t len,
	      TPMT_SIGNATURE *sig);

/*
 * Whether @sig is an ECDSA-SHA256 signature of @data by @key, checked
 * with OpenSSL alone (not through tpm/): an oracle for fuzz targets.
 */
bool soft_verify(const TPM2B_PUBLIC *key, const uint8_t *data, size_t len,
		 const TPMT_SIGNATURE *sig);

/* TPMS_ATTEST of a TPM2_Quote of the SHA-256 PCRs @pcrs over @nonce. */
int soft_quote_info(const TPM2B_DATA *nonce, const struct tr_pcr_values *pcrs,
		    TPM2B_ATTEST *attest);
/* ... and signed by the AK. */
int soft_quote(const TPM2B_DATA *nonce, const struct tr_pcr_values *pcrs,
	       TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig);
/* TPM2_Certify of @key by the AK over @nonce, signed. */
int soft_certify(const TPM2B_PUBLIC *key, const TPM2B_DATA *nonce,
		 TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig);

#endif
