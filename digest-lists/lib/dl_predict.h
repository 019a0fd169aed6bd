/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a router's TPM will hold when nothing unknown ran: the IMA PCR
 * after its lists were loaded, and the TPM2_PolicyPCR digest of the PCRs
 * a key is sealed to. Pure computations; no TPM needed, so the NMS can
 * check a key's policy against the reference lists.
 */
#ifndef TR_DL_PREDICT_H
#define TR_DL_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#define DL_PCRS 24

/* A list as IMA measures it: the file's bytes and the path it loads from. */
struct dl_measured_file {
	const uint8_t *data;
	size_t len;
	const char *name;
};

#define DL_TEMPLATE_MAX 4200 /* ima-ng data: digest and a path */

/*
 * The ima-ng template data IMA records for @f: SHA-256 of its bytes, under
 * its name. Returns the length, or -1 (name too long).
 */
int dl_predict_template(const struct dl_measured_file *f,
			uint8_t data[DL_TEMPLATE_MAX]);

/*
 * The ima-buf template data of the record the kernel measures after
 * loading @f as the @seq-th record since boot ("digest-list-load",
 * "seq=SEQ result=0 digest=sha256:HEX path=NAME"). Returns the length, or
 * -1 (name too long).
 */
int dl_predict_record(const struct dl_measured_file *f, uint64_t seq,
		      uint8_t data[DL_TEMPLATE_MAX]);

/*
 * The entries the kernel adds to the lists' PCR when it loads @files, in
 * order, at boot: for each, the ima-ng entry of the list (SHA-256 of the
 * file, under its name), then its load record (seq = its position, from
 * 1). Calls @entry with each template data; returns 0, or -1 if a name is
 * too long or @entry fails.
 */
int dl_predict_entries(const struct dl_measured_file *files, size_t n,
		       int (*entry)(void *ctx, const uint8_t *data, size_t len),
		       void *ctx);

/* Entries per list loaded at boot: its measurement and its record. */
#define DL_ENTRIES_PER_LIST 2

/*
 * Extend @pcr (bank @bank, in and out) with those entries. Returns 0, or
 * -1 for an unknown bank or a name too long.
 */
int dl_predict_extend(const char *bank, uint8_t *pcr,
		      const struct dl_measured_file *files, size_t n);

/*
 * Extend @pcr with the boot_aggregate entry IMA records from SHA-256
 * PCRs 0-9 (what a kernel with a SHA-256 bank logs first, in PCR 10).
 */
int dl_predict_boot_aggregate(const char *bank, uint8_t *pcr,
			      const uint8_t boot_pcrs[10][32]);

/*
 * TPM2_PolicyPCR from an empty policy, SHA-256 bank: the selection is
 * the PCRs with @selected[i] set, their values in @values[i] (32 bytes).
 * policyDigest = SHA-256(0^32 || TPM_CC_PolicyPCR || TPML_PCR_SELECTION ||
 * SHA-256(values in ascending index order)).
 */
void dl_policy_pcr(const uint8_t values[DL_PCRS][32],
		   const unsigned char selected[DL_PCRS], uint8_t out[32]);

#endif
