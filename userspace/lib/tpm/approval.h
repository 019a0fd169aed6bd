/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signed approvals of PCR states for PolicyAuthorize keys (tpm/key.h):
 * what the NMS (or a vendor key it holds) signs for each image version it
 * approves, how they travel to a router, and how a router keeps them in
 * its key file, so that one sealed key works in every approved state.
 *
 * An approval of a state is the authorizer's ECDSA (P-256, SHA-256)
 * signature over aHash = H(approvedPolicy || policyRef), where
 * approvedPolicy = PolicyPCR(selection, pcrDigest) from a zero digest.
 *
 * On the wire (EST's JSON as base64, a PA-TNC attribute) a list is:
 *   u8 count (at most TR_APPROVALS_MAX)
 *   count times:
 *     u8 name length (at most TR_APPROVAL_NAME_MAX), name (the reference
 *        set's: letters, digits, '-', '.', '_')
 *     TPM2B_DIGEST pcrDigest (32 bytes), TPML_PCR_SELECTION (SHA-256
 *        PCRs 0-23), TPMT_SIGNATURE (ECDSA, SHA-256)
 * The decoder is a pure, bounded function and consumes the whole input.
 *
 * In a key file (tpm/keyfile.h) each approval is one signed policy:
 * TPM2_PolicyPCR then the signed TPM2_PolicyAuthorize, named after the
 * set, newest first (what `trustkey approve` writes).
 */
#ifndef TR_TPM_APPROVAL_H
#define TR_TPM_APPROVAL_H

#include "tpm/key.h"
#include "tpm/keyfile.h"

#include <openssl/evp.h>

#define TR_APPROVAL_NAME_MAX 63
#define TR_APPROVALS_MAX TR_MAX_APPROVALS
/* Bytes an encoded list can take at most (a signature is ~72 bytes). */
#define TR_APPROVALS_WIRE_MAX (1 + TR_APPROVALS_MAX * (1 + 63 + 34 + 10 + 140))

struct tr_named_approval {
	char name[TR_APPROVAL_NAME_MAX + 1];
	struct tr_approval a;
};

int tr_approvals_encode(const struct tr_named_approval *v, size_t n,
			uint8_t *out, size_t cap, size_t *len, char *err,
			size_t errlen);
int tr_approvals_decode(const uint8_t *b, size_t len,
			struct tr_named_approval *v, size_t cap, size_t *n,
			char *err, size_t errlen);

/*
 * The approval of the state @pcrs (selection and values) under @ref by
 * @key (a P-256 private key). 0, or -1 with the reason.
 */
int tr_approval_sign(EVP_PKEY *key, const struct tr_pcr_values *pcrs,
		     const uint8_t *ref, size_t ref_len, struct tr_approval *a,
		     char *err, size_t errlen);

/*
 * Whether @a is @authorizer's signature under @ref, checked in software
 * (what the TPM's TPM2_VerifySignature will say). 0, or -1.
 */
int tr_approval_verify(const struct tr_approval *a,
		       const TPM2B_PUBLIC *authorizer, const TPM2B_NONCE *ref,
		       char *err, size_t errlen);

/* Two approvals of the same state (selection and digest). */
bool tr_approval_same_state(const struct tr_approval *x,
			    const struct tr_approval *y);

/*
 * A PolicyAuthorize key file's authorizer and reference (its own first
 * statement). 0, or -1 when @kf is no such key.
 */
int tr_keyfile_authorizer(const struct tr_keyfile *kf, TPM2B_PUBLIC *authorizer,
			  TPM2B_NONCE *ref, char *err, size_t errlen);

/* The approvals a key file holds (malformed ones skipped), newest first. */
size_t tr_keyfile_approvals(const struct tr_keyfile *kf,
			    struct tr_named_approval *v, size_t cap);

/*
 * Add @v[@n] to PolicyAuthorize key file @kf, newest first, each only if
 * its state is not there yet and its signature verifies with the key's
 * authorizer (a forged or foreign one is refused, never stored). When
 * the file is full the oldest approval goes. *@added says how many were
 * new. 0, or -1 with the reason (nothing changed).
 */
int tr_keyfile_add_approvals(struct tr_keyfile *kf,
			     const struct tr_named_approval *v, size_t n,
			     size_t *added, char *err, size_t errlen);

#endif
