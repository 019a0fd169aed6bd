/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sealed keys and AKs as key files (tpm/keyfile.h, PEM): made in the TPM
 * and written out, read back and loaded. What the agent and trustkey
 * share.
 */
#ifndef TR_TPM_SEALED_KEY_H
#define TR_TPM_SEALED_KEY_H

#include "tpm/key.h"
#include "tpm/keyfile.h"
#include "tpm/approval.h"

/* PEM of a key file holding @pub and @priv under the owner SRK. */
int tr_keyfile_pem(struct tr_keyfile *kf, const TPM2B_PUBLIC *pub,
		   const TPM2B_PRIVATE *priv, char **pem, size_t *len,
		   char *err, size_t errlen);

/*
 * A sealed key bound with PolicyPCR to the PCRs selected in @pcrs as they
 * are now (their values are read into @pcrs): the good state. *pem is
 * the key file.
 */
int tr_sealed_key_create_pcr(struct tr_tpm *t, enum tr_key_alg alg,
			     struct tr_pcr_values *pcrs, char **pem,
			     size_t *len, char *err, size_t errlen);

/*
 * A sealed key bound with PolicyAuthorize to @authorizer (a P-256 public
 * area) and @ref, holding the approvals @v[@n] (each verified with the
 * authorizer first): it signs in any PCR state one of them approves, now
 * and after an update, once the new state's approval is added to the
 * file (tpm/approval.h). *pem is the key file.
 */
int tr_sealed_key_create_authorized(struct tr_tpm *t, enum tr_key_alg alg,
				    const TPM2B_PUBLIC *authorizer,
				    const TPM2B_NONCE *ref,
				    const struct tr_named_approval *v, size_t n,
				    char **pem, size_t *len, char *err,
				    size_t errlen);

/*
 * Load the key file at @path for signing, whatever its policy: PolicyPCR
 * (one TPM2_PolicyPCR) or PolicyAuthorize with its approvals. @pub gets
 * its public area (may be NULL). 0, or -1 with the reason.
 */
int tr_sealed_key_load(struct tr_tpm *t, const char *path, struct tr_key *k,
		       TPM2B_PUBLIC *pub, char *err, size_t errlen);

/*
 * Add the approvals @v[@n] to the PolicyAuthorize key file at @path,
 * rewritten atomically (temporary file, fsync, rename) only if one is
 * new; *@added says how many. The key itself is not touched: its public
 * and private parts stay as they are. 0, or -1 with the reason.
 */
int tr_sealed_key_add_approvals(const char *path,
				const struct tr_named_approval *v, size_t n,
				size_t *added, char *err, size_t errlen);

/*
 * The public and private parts of the key file at @path, and, for a
 * PolicyPCR key (one TPM2_PolicyPCR statement), its PCR selection in
 * @pcrs (may be NULL when not needed): 0, 1 when there is no such file
 * (@err says so), or -1 with the reason.
 */
int tr_keyfile_load(const char *path, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
		    struct tr_pcr_values *pcrs, char *err, size_t errlen);

#endif
