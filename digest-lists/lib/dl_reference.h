/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A verifier's reference set of digest lists, read from files: each list
 * is checked (an appended signature stripped, the payload parsed), named
 * as routers load it (<name_dir>/<file name>, what IMA records) and put
 * in the order `digestlist upload` loads them. From it come the IMA PCR a
 * good router holds (dl_predict.h) and the steps that reach it.
 */
#ifndef TR_DL_REFERENCE_H
#define TR_DL_REFERENCE_H

#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_predict.h"

#define DL_REFERENCE_MAX_LISTS 256
#define DL_REFERENCE_MAX_BYTES (256u << 20) /* per list */

/* A digest list file as read: whole, and its parsed payload. */
struct dl_list_file {
	uint8_t *buf; /* the file (free()) */
	size_t len;
	long payload; /* length without an appended signature */
	struct dl_view view;
};

/*
 * Read the list at @path (at most DL_REFERENCE_MAX_BYTES), strip an
 * appended signature and parse it. 0, or -1 with the reason (the path is
 * the caller's to add); l->buf is set even then, for free().
 */
int dl_list_load(const char *path, struct dl_list_file *l, char *err,
		 size_t errlen);

struct dl_reference {
	struct dl_measured_file file[DL_REFERENCE_MAX_LISTS];
	size_t n;
};

/* Read @n list files; names under @name_dir. Returns 0, or -1. */
int dl_reference_load(struct dl_reference *r, const char *const *paths,
		      size_t n, const char *name_dir, char *err, size_t errlen);
void dl_reference_free(struct dl_reference *r);

/*
 * The SHA-256 template digests IMA extends the PCR with for @files, in
 * order, DL_ENTRIES_PER_LIST per list (its measurement and its load
 * record; @out holds @n * DL_ENTRIES_PER_LIST): what a TPM must be
 * extended with to reach the predicted value without booting the kernel
 * (tests, demos).
 */
int dl_reference_steps(const struct dl_measured_file *files, size_t n,
		       uint8_t (*out)[32]);

#endif
