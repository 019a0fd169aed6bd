/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM 2.0 key files ("TSS2 PRIVATE KEY" PEM, the ASN.1 of the draft
 * "ASN.1 Specification for TPM 2.0 Key Files", as openssl_tpm2_engine,
 * tpm2-openssl and tpm2-tools read and write them):
 *
 *   TPMPolicy ::= SEQUENCE { CommandCode [0] EXPLICIT INTEGER,
 *                            CommandPolicy [1] EXPLICIT OCTET STRING }
 *   TPMAuthPolicy ::= SEQUENCE { Name [0] EXPLICIT UTF8String OPTIONAL,
 *                                Policy [1] EXPLICIT SEQUENCE OF TPMPolicy }
 *   TPMKey ::= SEQUENCE {
 *     type        OBJECT IDENTIFIER,   -- 2.23.133.10.1.3 loadable key
 *     emptyAuth   [0] EXPLICIT BOOLEAN OPTIONAL,
 *     policy      [1] EXPLICIT SEQUENCE OF TPMPolicy OPTIONAL,
 *     secret      [2] EXPLICIT OCTET STRING OPTIONAL,
 *     authPolicy  [3] EXPLICIT SEQUENCE OF TPMAuthPolicy OPTIONAL,
 *     description [4] EXPLICIT UTF8String OPTIONAL,
 *     rsaParent   [5] EXPLICIT BOOLEAN OPTIONAL,
 *     parent      INTEGER,             -- 0x40000001: owner SRK; 0x81xxxxxx
 *     pubkey      OCTET STRING,        -- marshalled TPM2B_PUBLIC
 *     privkey     OCTET STRING }       -- marshalled TPM2B_PRIVATE
 *
 * A policy statement's CommandPolicy is the marshalled body of the policy
 * command (for TPM2_PolicyPCR: TPM2B_DIGEST pcrDigest, TPML_PCR_SELECTION
 * pcrs), except TPM2_PolicyAuthorize: TPM2B_PUBLIC keySign, TPM2B_DIGEST
 * policyRef, TPMT_SIGNATURE policySignature. Signed policies (authPolicy)
 * each end with a TPM2_PolicyAuthorize whose signature covers the policy
 * before it; the key's own policy then starts with a TPM2_PolicyAuthorize
 * naming the key and nonce, with an empty signature.
 *
 * The decoder is a pure, bounded function over a buffer; it refuses what
 * it does not fully understand. Functions return 0, or -1 with a message.
 */
#ifndef TR_TPM_KEYFILE_H
#define TR_TPM_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_KEYFILE_MAX_POLICY 16 /* statements per policy */
#define TR_KEYFILE_MAX_AUTHPOLICY 16 /* signed policies per key */
#define TR_KEYFILE_MAX_BODY 4096 /* bytes per CommandPolicy */
#define TR_KEYFILE_MAX_DER 65536

#define TR_PARENT_OWNER 0x40000001u /* the standard ECC P-256 SRK */

struct tr_policy_stmt {
	uint32_t cc; /* TPM command code, e.g. 0x17F TPM2_PolicyPCR */
	uint8_t *body;
	size_t len;
};

struct tr_policy {
	struct tr_policy_stmt stmt[TR_KEYFILE_MAX_POLICY];
	size_t n;
};

struct tr_auth_policy {
	char *name; /* NULL if absent */
	struct tr_policy policy;
};

struct tr_keyfile {
	bool empty_auth;
	uint32_t parent;
	uint8_t *pub; /* marshalled TPM2B_PUBLIC */
	size_t pub_len;
	uint8_t *priv; /* marshalled TPM2B_PRIVATE */
	size_t priv_len;
	struct tr_policy policy;
	struct tr_auth_policy auth[TR_KEYFILE_MAX_AUTHPOLICY];
	size_t n_auth;
	char *description; /* NULL if absent */
};

/*
 * DER of a TPMKey; @k is zeroed, then filled with copies (free with
 * tr_keyfile_free; decoding into a filled struct leaks its old contents).
 */
int tr_keyfile_decode(const uint8_t *der, size_t len, struct tr_keyfile *k,
		      char *err, size_t errlen);
/* PEM ("-----BEGIN TSS2 PRIVATE KEY-----"); other PEM labels refused. */
int tr_keyfile_decode_pem(const char *pem, size_t len, struct tr_keyfile *k,
			  char *err, size_t errlen);
/* DER and PEM of @k, in new buffers (free()). */
int tr_keyfile_encode(const struct tr_keyfile *k, uint8_t **der, size_t *len,
		      char *err, size_t errlen);
int tr_keyfile_encode_pem(const struct tr_keyfile *k, char **pem, size_t *len,
			  char *err, size_t errlen);
void tr_keyfile_free(struct tr_keyfile *k);

/* Append a statement (copied) to @p. */
int tr_policy_add(struct tr_policy *p, uint32_t cc, const uint8_t *body,
		  size_t len, char *err, size_t errlen);

#endif
