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
 * The public and private parts of the key file at @path, and, for a
 * PolicyPCR key (one TPM2_PolicyPCR statement), its PCR selection in
 * @pcrs (may be NULL when not needed): 0, 1 when there is no such file
 * (@err says so), or -1 with the reason.
 */
int tr_keyfile_load(const char *path, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
		    struct tr_pcr_values *pcrs, char *err, size_t errlen);

#endif
