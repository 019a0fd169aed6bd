/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A connection to the TPM (ESAPI over a TCTI), the standard SRK under
 * which our keys live, PCR reads, and TPM errors as messages.
 */
#ifndef TR_TPM_CONTEXT_H
#define TR_TPM_CONTEXT_H

#include "tpm/policy.h"

#include <stdbool.h>
#include <tss2/tss2_esys.h>

struct tr_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR srk;
	unsigned long commands; /* TPM commands sent through this layer */
};

/*
 * Open the TPM: @tcti, else $TRUSTROUTE_TCTI, else $TPM2TOOLS_TCTI, else
 * "device:/dev/tpmrm0".
 */
int tr_tpm_open(struct tr_tpm *t, const char *tcti, char *err, size_t errlen);
void tr_tpm_close(struct tr_tpm *t);
/* The standard SRK (created on first use, kept loaded). */
int tr_tpm_srk(struct tr_tpm *t, char *err, size_t errlen);
/* Read the selected SHA-256 PCRs into @pcrs->value. */
int tr_tpm_pcr_read(struct tr_tpm *t, struct tr_pcr_values *pcrs, char *err,
		    size_t errlen);

/*
 * Send a command through @t and count it: the figures of TPM commands per
 * operation (bench/) come from this count.
 */
#define TR_TPM_CALL(t, call) ((t)->commands++, (call))

/* The standard ECC P-256 SRK template (parent 0x40000001 in key files). */
extern const TPM2B_PUBLIC tr_srk_template;

/* TPM2_Create of @tmpl under the SRK; @what names it in errors. */
int tr_tpm_create(struct tr_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what,
		  TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, char *err,
		  size_t errlen);

/* The SHA-256 bank's selection of @p as a TPML_PCR_SELECTION. */
void tr_tpm_pcr_selection(const struct tr_pcr_values *p,
			  TPML_PCR_SELECTION *sel);

/* "@what: <decoded TSS2 error> (0xRC)" into @err; returns -1. */
int tr_tpm_fail(char *err, size_t errlen, const char *what, TSS2_RC rc);
/*
 * A TPM2_Load of @what (e.g. "the AK") that failed with @rc, said by its
 * cause: a key wrapped by another TPM (integrity or binding check: "not
 * from this TPM"), a TPM without room for another object or session
 * (0x902-0x906: transient objects left loaded, no resource manager), or
 * the TPM's own words. Returns -1.
 */
int tr_tpm_load_fail(char *err, size_t errlen, const char *what, TSS2_RC rc);

#endif
