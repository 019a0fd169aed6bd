/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA digest list format (digest-lists/include/linux/ima_digest_list.h,
 * the same header the kernel series adds): a bounded parser that applies
 * the kernel's rules, and a writer that produces the one encoding the
 * kernel accepts (sorted, no duplicates). Pure functions over buffers.
 */
#ifndef TR_DL_FORMAT_H
#define TR_DL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/hash_info.h>
#include <linux/ima_digest_list.h>

#define DL_DIGEST_MAX 64
#define DL_HDR_SIZE sizeof(struct ima_digest_list_hdr)

struct dl_view {
	unsigned algo; /* enum hash_algo */
	uint8_t type;
	uint16_t modifiers;
	uint32_t count;
	uint32_t digest_size;
	const uint8_t *digests; /* points into the parsed buffer */
};

/* Digest size of an algorithm lists may use (SHA-256/384/512), else 0. */
size_t dl_algo_size(unsigned algo);
/* "sha256" etc. for those algorithms, NULL otherwise; and the reverse. */
const char *dl_algo_name(unsigned algo);
int dl_algo_from_name(const char *name);

/*
 * Parse a list without appended signature, with the kernel's rules.
 * Returns 0, or -1 with a message naming what is wrong.
 */
int dl_parse(const uint8_t *buf, size_t len, struct dl_view *v, char *err,
	     size_t errlen);

/*
 * Write a list of @n digests (any order, duplicates allowed: they are
 * sorted and merged) into a new buffer. @digests is modified (sorted).
 * Returns 0, or -1 (count over IMA_DIGEST_LIST_MAX_COUNT, bad algorithm,
 * no memory).
 */
int dl_write(unsigned algo, uint16_t modifiers, uint8_t *digests, size_t n,
	     uint8_t **out, size_t *out_len, char *err, size_t errlen);

/*
 * Length of @buf without an appended module-style signature: @len if
 * there is none; -1 with a message if the trailer is inconsistent.
 */
long dl_strip_modsig(const uint8_t *buf, size_t len, char *err, size_t errlen);

/* Binary search in a parsed list. */
bool dl_contains(const struct dl_view *v, const uint8_t *digest);

#endif
