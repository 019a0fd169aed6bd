/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A certificate signing request signed inside the TPM: the CSR's
 * signature is made by a sealed key (tpm/key.h), so a router can only
 * produce one while its PCRs satisfy the key's policy.
 */
#ifndef TR_TPM_CSR_H
#define TR_TPM_CSR_H

#include "enroll/evidence.h"
#include "tpm/key.h"

#include <openssl/x509.h>

/*
 * A PKCS#10 request for @k's public key with subject CN=@cn and, when
 * @e is not NULL, the EnrollEvidence attribute (tr_csr_add_evidence),
 * signed with ECDSA-SHA256 (P-256
 * keys) or sha256WithRSAEncryption (RSA keys) by the TPM. Returns the
 * request or NULL (TR_ERR_POLICY in *@rc when the PCRs are not good, -1
 * otherwise).
 */
X509_REQ *tr_csr_create(struct tr_key *k, const char *cn,
			const struct tr_evidence *e, int *rc, char *err,
			size_t errlen);

#endif
