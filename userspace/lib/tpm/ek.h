/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The endorsement key: the identity a TPM's manufacturer vouches for.
 * The router side reads the EK certificate from its NV index and
 * recreates the EK from the standard template; the NMS side checks that
 * the certificate chains to a manufacturer CA it trusts and names
 * exactly that EK (TCG EK Credential Profile 2.0, RSA-2048 template L-1).
 */
#ifndef TR_TPM_EK_H
#define TR_TPM_EK_H

#include "tpm/key.h"

#define TR_EK_CERT_NV_RSA 0x01c00002 /* RSA-2048 EK certificate */
#define TR_EK_CERT_MAX 4096 /* certificates are about 1 KiB */

/* The EK certificate (DER) from its NV index; *der is malloc'ed. */
int tr_ek_cert_read(struct tr_tpm *t, uint8_t **der, size_t *len, char *err,
		    size_t errlen);

/*
 * The RSA EK from template L-1 (the same key every time: primary keys are
 * derived from the endorsement seed). The caller flushes the handle.
 */
int tr_ek_create(struct tr_tpm *t, ESYS_TR *ek, TPM2B_PUBLIC *pub, char *err,
		 size_t errlen);

/*
 * The verifier's side, pure: @der (at most TR_EK_CERT_MAX bytes) is a
 * certificate that chains to a CA in @trusted_ca_file (PEM), through
 * intermediates in @intermediates_file (PEM, may be NULL), and its public
 * key is @ek_pub's. Returns 0, or -1 with the reason.
 */
int tr_ek_cert_verify(const uint8_t *der, size_t len,
		      const char *trusted_ca_file,
		      const char *intermediates_file,
		      const TPM2B_PUBLIC *ek_pub, char *err, size_t errlen);

#endif
