/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's appraisal of a router's IMA measurement log against the
 * reference digest lists, given the PCR values a verified quote vouches
 * for (tpm/quote.h). Pure: no I/O, no allocation.
 *
 * 1. Replay: every entry extends its PCR (SHA-256 bank). Each IMA PCR the
 *    policy names must reach its quoted value after some prefix of its
 *    entries; entries after that prefix were measured after the quote (the
 *    kernel logs an entry before it extends the PCR, and the router reads
 *    the log after quoting) and are counted, not appraised. No prefix
 *    reaching the quoted value: bad, "replay mismatch". A malformed log,
 *    an entry whose SHA-1 template digest does not match its data, or an
 *    entry in a PCR outside the policy's: bad.
 * 2. Each quoted entry:
 *    - the first, boot_aggregate: accepted (the boot PCRs are judged
 *      elsewhere);
 *    - a violation (all-zero template digest, all-ones extended): unknown,
 *      the file's content was not measured;
 *    - a digest in a known-bad list: bad;
 *    - a digest list (named under the reference lists' directory, or with
 *      a reference list's SHA-256): it must be a reference list, else bad
 *      (a list the verifier does not know hides every file it names); a
 *      reference list loaded under another name, twice, out of order, or
 *      not at all: unknown (the router is not in the reference state,
 *      though no unknown code was seen);
 *    - a record of a list load or unload (ima-buf, digest-list-load or
 *      digest-list-unload): the load of a reference list under its name,
 *      good; of another list, bad; an unload or a refused load, unknown
 *      (the set of lists in force changed);
 *    - a file whose digest is in a reference list: good; in none: unknown.
 */
#ifndef TR_DL_APPRAISE_H
#define TR_DL_APPRAISE_H

#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_reference.h"
#include "tpm/policy.h"

/* Ordered: the worst reason sets the verdict (as nms/trust/verdict.h). */
enum dl_verdict { DL_GOOD, DL_UNKNOWN, DL_BAD };

#define DL_APPRAISE_REASONS 32
#define DL_REASON_PATH 256
#define DL_REASON_WHY 128

struct dl_reason {
	enum dl_verdict verdict; /* DL_UNKNOWN or DL_BAD */
	long entry; /* index in the log, -1 for the log or the lists as such */
	char path[DL_REASON_PATH]; /* printable; "..." ends a cut one */
	char why[DL_REASON_WHY];
};

/* The reference lists, prepared once: parsed, and what IMA records. */
struct dl_refset {
	const struct dl_reference *ref;
	struct dl_view view[DL_REFERENCE_MAX_LISTS];
	uint8_t sha256[DL_REFERENCE_MAX_LISTS][32]; /* of each list file */
	size_t dir_len; /* "<name_dir>/" the lists' names start with */
};

/* Parse @ref's lists into @s (which points into @ref). 0, or -1. */
int dl_refset_init(struct dl_refset *s, const struct dl_reference *ref,
		   char *err, size_t errlen);

struct dl_appraise_policy {
	const struct dl_refset *refs;
	const struct dl_view *bad; /* known-bad lists (may be NULL) */
	size_t n_bad;
	unsigned char ima_pcr[TR_PCRS]; /* our kernel: 10 and 11 */
};

struct dl_appraisal {
	enum dl_verdict verdict;
	size_t entries; /* in the log */
	size_t quoted; /* covered by the quote, appraised */
	size_t after_quote; /* measured after the quote, not appraised */
	size_t lists; /* reference lists loaded */
	size_t known; /* files in reference lists (boot_aggregate too) */
	size_t unknown; /* files in no list, violations included */
	size_t bad; /* known-bad files, foreign lists */
	size_t violations;
	size_t n_reasons; /* kept, bad ones first to stay */
	size_t reasons_dropped;
	struct dl_reason reason[DL_APPRAISE_REASONS];
};

/*
 * Appraise @log (binary_runtime_measurements) against @quoted, the SHA-256
 * PCR values of a verified quote, which must cover every IMA PCR of @p.
 * Returns 0 with the result in @out (whatever the verdict), or -1 with a
 * message when the verifier's own inputs are inconsistent.
 */
int dl_appraise(const uint8_t *log, size_t len,
		const struct tr_pcr_values *quoted,
		const struct dl_appraise_policy *p, struct dl_appraisal *out,
		char *err, size_t errlen);

const char *dl_verdict_name(enum dl_verdict v);

#endif
