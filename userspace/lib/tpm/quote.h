/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM2_Quote: the router's AK signs the digest of the SHA-256 PCRs a
 * verifier selected, with the verifier's nonce as qualifying data; and the
 * verifier's check of it, a pure function.
 *
 * A TPM 2.0 quote holds only pcrDigest = H(selected values), so the router
 * also sends the values: the verifier accepts them when they hash to the
 * signed digest, and then compares them with its own replay of the IMA log
 * (dl_appraise.h).
 */
#ifndef TR_TPM_QUOTE_H
#define TR_TPM_QUOTE_H

#include "tpm/key.h"

#define TR_QUOTE_NONCE_MIN 16
#define TR_QUOTE_NONCE_MAX 32 /* fits every TPM's TPM2B_DATA */
#define TR_QUOTE_TRIES 3

struct tr_quote {
	TPM2B_ATTEST attest; /* TPMS_ATTEST as the TPM made it */
	TPMT_SIGNATURE sig; /* the AK's signature over it */
	struct tr_pcr_values pcrs; /* the selection and the values quoted */
};

/* What else a verified quote says about the TPM (TPMS_CLOCK_INFO etc). */
struct tr_quote_info {
	uint64_t clock; /* ms the TPM has been powered */
	uint32_t reset_count; /* TPM resets (reboots) since TPM2_Clear */
	uint32_t restart_count; /* resumes since the last reset */
	bool safe;
	uint64_t firmware_version;
};

/*
 * Router side: load the AK (@ak_pub, @ak_priv, as tr_keyfile_load gives
 * them from ak.tss) under the SRK, read the SHA-256 PCRs set in @selected
 * and quote them with @nonce (TR_QUOTE_NONCE_MIN..MAX bytes).
 *
 * The race: a PCR may be extended between TPM2_PCR_Read and TPM2_Quote.
 * The quote's pcrDigest tells: the values read are the values quoted
 * exactly when they hash to it (pcrUpdateCounter is not in the quote, so
 * it could not bind them). On a mismatch both are done again, at most
 * TR_QUOTE_TRIES times.
 *
 * TPM commands: Load, PCR_Read (one per 8 PCRs), Quote, FlushContext: 4
 * for up to 8 PCRs; 2 more per retry; 1 more (CreatePrimary of the SRK)
 * the first time on @t. All are counted in t->commands.
 */
int tr_quote(struct tr_tpm *t, const TPM2B_PUBLIC *ak_pub,
	     const TPM2B_PRIVATE *ak_priv,
	     const unsigned char selected[TR_PCRS], const TPM2B_DATA *nonce,
	     struct tr_quote *q, char *err, size_t errlen);

/*
 * Verifier side, pure. Accepts only a TPM-made quote (magic, type QUOTE)
 * for exactly @nonce, signed by the AK @ak_pub (which passes
 * tr_ak_check_public), over exactly the PCRs @asked of the SHA-256 bank,
 * whose pcrDigest is the digest of @pcrs (selection @asked, the values the
 * router claims). Fills @info if not NULL. Returns 0, or -1 with the
 * reason.
 */
int tr_quote_verify(const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
		    const TPM2B_PUBLIC *ak_pub, const TPM2B_DATA *nonce,
		    const unsigned char asked[TR_PCRS],
		    const struct tr_pcr_values *pcrs,
		    struct tr_quote_info *info, char *err, size_t errlen);

#endif
