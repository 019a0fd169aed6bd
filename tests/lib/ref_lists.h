/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reference digest lists and IMA logs for tests without a kernel: the
 * lists fuzz_dl_appraise appraises against (10-base: busybox and libc,
 * 20-app: routerd; known bad: rootkit, each file's content its name and
 * a newline) and logs of routers that booted with them.
 */
#ifndef TR_TEST_REF_LISTS_H
#define TR_TEST_REF_LISTS_H

#include "digest-lists/lib/dl_appraise.h"

#define REF_LISTS_DIR "/etc/ima/digest_lists"

struct ref_lists {
	struct dl_reference ref;
	struct dl_refset refs;
	struct dl_view bad;
	uint8_t *bad_buf;
};

/* 0, or -1. Free with ref_lists_free. */
int ref_lists_init(struct ref_lists *l);
void ref_lists_free(struct ref_lists *l);

/*
 * An IMA log into @out (@cap bytes): boot_aggregate and the two lists
 * (PCR 11), then with @run set those files measured in PCR 10 as IMA
 * would for unknown ones ("/usr/bin/@run", content "@run\n"). Returns
 * the length, or 0.
 */
size_t ref_log(const struct ref_lists *l, const char *const *run, size_t n,
	       uint8_t *out, size_t cap);

#endif
