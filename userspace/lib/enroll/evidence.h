/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attestation evidence enrollment carries (Documentation/enrollment.md):
 * the router puts it in its CSR as an attribute; the NMS, once it has
 * checked it, copies the part a peer can check again into the issued
 * certificate as an extension.
 *
 * Object identifiers, under the UUID arc 2.25.TR_OID_ARC (ITU-T X.667,
 * no registration needed):
 *   TR_OID_ENROLL_EVIDENCE  CSR attribute, exactly one value
 *   TR_OID_KEY_ATTESTATION  certificate extension, non-critical
 *
 *   EnrollEvidence ::= SEQUENCE {
 *     version          INTEGER (1),
 *     nonce            OCTET STRING,   -- the NMS's challenge, 16..64 bytes
 *     credentialSecret OCTET STRING,   -- from ActivateCredential, 1..32
 *     akPublic         OCTET STRING,   -- TPM2B_PUBLIC of the AK
 *     keyPublic        OCTET STRING,   -- TPM2B_PUBLIC of the TLS key
 *     certifyInfo      OCTET STRING,   -- TPMS_ATTEST from TPM2_Certify
 *     certifySignature OCTET STRING }  -- TPMT_SIGNATURE over certifyInfo
 *
 *   KeyAttestation ::= SEQUENCE {
 *     version          INTEGER (1),
 *     ekName           OCTET STRING,   -- TPM name of the router's EK
 *     akPublic, keyPublic, certifyInfo, certifySignature as above }
 *
 * The TPM structures are in their marshalled (big-endian TPM) form and
 * each OCTET STRING must hold exactly one. Decoders are pure and bounded
 * (TR_EVIDENCE_MAX_DER) and refuse anything else: other versions,
 * trailing bytes, a TPM structure that does not fill its string. Functions
 * return 0, or -1 with the reason in @err and the evidence zeroed.
 */
#ifndef TR_ENROLL_EVIDENCE_H
#define TR_ENROLL_EVIDENCE_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#define TR_OID_ARC "2.25.329575340259887516954279746411034158568"
#define TR_OID_ENROLL_EVIDENCE TR_OID_ARC ".1"
#define TR_OID_KEY_ATTESTATION TR_OID_ARC ".2"
#define TR_EVIDENCE_MAX_DER 8192
#define TR_NONCE_MIN 16

struct tr_evidence {
	TPM2B_DATA nonce; /* EnrollEvidence only */
	TPM2B_DIGEST secret; /* EnrollEvidence only */
	TPM2B_NAME ek_name; /* KeyAttestation only */
	TPM2B_PUBLIC ak_pub;
	TPM2B_PUBLIC key_pub;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
};

/* EnrollEvidence DER; *der is malloc'ed. */
int tr_evidence_encode(const struct tr_evidence *e, uint8_t **der, size_t *len,
		       char *err, size_t errlen);
int tr_evidence_decode(const uint8_t *der, size_t len, struct tr_evidence *e,
		       char *err, size_t errlen);

/* KeyAttestation DER; *der is malloc'ed. */
int tr_key_attestation_encode(const struct tr_evidence *e, uint8_t **der,
			      size_t *len, char *err, size_t errlen);
int tr_key_attestation_decode(const uint8_t *der, size_t len,
			      struct tr_evidence *e, char *err, size_t errlen);

/* Add the EnrollEvidence attribute to @req (before it is signed). */
int tr_csr_add_evidence(X509_REQ *req, const struct tr_evidence *e, char *err,
			size_t errlen);
/*
 * The EnrollEvidence of @req: exactly one attribute of that type with
 * exactly one value, which decodes. Does not check the CSR's signature.
 */
int tr_csr_get_evidence(const X509_REQ *req, struct tr_evidence *e, char *err,
			size_t errlen);

/* The KeyAttestation extension of @cert (exactly one), decoded. */
int tr_cert_get_attestation(const X509 *cert, struct tr_evidence *e, char *err,
			    size_t errlen);

/*
 * What a peer checks of an enrolled router's certificate, pure: the
 * KeyAttestation extension is there; its keyPublic is the certificate's
 * public key; its akPublic is a restricted AK (tr_ak_check_public: only
 * then does the TPM's magic in certifyInfo mean the TPM made it); its
 * certifyInfo is a TPM2_Certify of that key signed by that AK
 * (tr_certify_verify, with the nonce certifyInfo carries); and,
 * when @policy is not NULL, the key is a sealed TLS key with that
 * authPolicy (tr_sealed_key_check_public). It does not check the
 * certificate's chain: that is the TLS stack's job.
 */
int tr_cert_attestation_verify(const X509 *cert, const uint8_t *policy,
			       struct tr_evidence *e, char *err, size_t errlen);

#endif
