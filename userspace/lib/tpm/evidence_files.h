/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A quote as files that others' tools check (pure, no I/O):
 *
 *  - the PCR values as tpm2_quote -o (and tpm2_pcrread -o) writes them
 *    in its default "serialized" format: TPML_PCR_SELECTION as the C
 *    structure, a UINT32 count of TPML_DIGESTs, then those structures
 *    (at most 8 digests each), all little-endian; tpm2_checkquote -f
 *    reads it. The quote's message (-m) is the TPMS_ATTEST bytes and its
 *    signature (-s) the marshalled TPMT_SIGNATURE, as tr_quote gives them.
 *  - the same values as the text that evmctl ima_measurement --pcrs
 *    sha256,FILE reads: "PCR-NN: HEX" lines for PCRs 0 to 23 in order
 *    (zeros for the PCRs not quoted).
 */
#ifndef TR_TPM_EVIDENCE_FILES_H
#define TR_TPM_EVIDENCE_FILES_H

#include "tpm/policy.h"

#include <stddef.h>
#include <stdint.h>

/* The serialized PCR file of the SHA-256 PCRs selected in @p; malloc'd
 * into *@out. Returns 0, or -1 (out of memory). */
int tr_pcrs_tpm2_serialized(const struct tr_pcr_values *p, uint8_t **out,
			    size_t *len);
/* evmctl's PCR text for @p; malloc'd, NUL-terminated; NULL when out of
 * memory. */
char *tr_pcrs_evmctl_text(const struct tr_pcr_values *p);

#endif
