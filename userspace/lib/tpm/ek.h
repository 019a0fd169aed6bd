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

/*
 * The EK templates of the TCG EK Credential Profile 2.x that the verifier
 * recognises: the low range (L-1, L-2) and the high range (H-1 to H-4,
 * H-6). An EK's public area is exactly its template with the key in
 * unique, so knowing the template and the key gives the whole area, and
 * with it the EK's name.
 */
enum tr_ek_template {
	TR_EK_L1, /* RSA 2048, SHA-256, PolicyA; certificate at 0x01c00002 */
	TR_EK_L2, /* ECC NIST P-256, SHA-256, PolicyA; 0x01c0000a */
	TR_EK_H1, /* RSA 2048, SHA-256, PolicyB; 0x01c00012 */
	TR_EK_H2, /* ECC NIST P-256, SHA-256, PolicyB; 0x01c00014 */
	TR_EK_H3, /* ECC NIST P-384, SHA-384, PolicyB; 0x01c00016 */
	TR_EK_H4, /* ECC NIST P-521, SHA-512, PolicyB; 0x01c00018 */
	TR_EK_H6, /* RSA 3072, SHA-384, PolicyB; 0x01c0001c */
	TR_EK_TEMPLATES
};

#define TR_EK_TEMPLATE_BIT(t) (1u << (t))

/* "L-1", "H-3", ...; NULL for no template. */
const char *tr_ek_template_name(int t);

/* A comma-separated list of template names into a mask of their bits. */
int tr_ek_template_list(const char *list, unsigned *mask, char *err,
			size_t errlen);

/*
 * The template @pub was made from, or -1 when it is none of them, with
 * the field that differs from the nearest one ("EK public area is not
 * template L-1: objectAttributes 0x000304b2, L-1 has 0x000300b2").
 * Pure.
 */
int tr_ek_template_of(const TPM2B_PUBLIC *pub, char *err, size_t errlen);

/* The certificate (DER) from NV index @nv; *der is malloc'ed. */
int tr_ek_cert_read_nv(struct tr_tpm *t, uint32_t nv, uint8_t **der,
		       size_t *len, char *err, size_t errlen);

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
 * An EK's identity whatever the area around it says: SHA-256 of the DER
 * SubjectPublicKeyInfo of its key. Two public areas with one key are one
 * TPM's EK. 0, or -1.
 */
int tr_ek_key_id(const TPM2B_PUBLIC *ek_pub, uint8_t id[32]);

/* What the verifier trusts: files of PEM certificates and CRLs. */
struct tr_ek_trust {
	const char *roots; /* trusted manufacturer CAs */
	const char *intermediates; /* may be NULL */
	/*
	 * CRLs of the roots and intermediates (may be NULL). When given,
	 * every certificate of the chain is checked against its issuer's
	 * CRL, and a chain with a CA whose CRL is missing or expired is
	 * refused.
	 */
	const char *crls;
};

/* Whether every file of @trust reads (roots and CRLs: at least one). */
int tr_ek_trust_check(const struct tr_ek_trust *trust, char *err,
		      size_t errlen);

/*
 * The verifier's side, pure: @der (at most TR_EK_CERT_MAX bytes) is a
 * certificate that chains to a trusted root, is not revoked, is an EK
 * certificate where its extensions say what it is for (basicConstraints,
 * keyUsage, extendedKeyUsage, subjectAltName), and whose key is @ek_pub's;
 * and @ek_pub is exactly one of the recognised templates for that key.
 * Returns the template (>= 0), or -1 with the reason.
 */
int tr_ek_cert_verify(const uint8_t *der, size_t len,
		      const struct tr_ek_trust *trust,
		      const TPM2B_PUBLIC *ek_pub, char *err, size_t errlen);

#endif
