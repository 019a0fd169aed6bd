/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two fresh swtpms, opened through libtrust: "this TPM" and "another
 * TPM", for tests that a key, EK or credential of one is refused by the
 * other.
 */
#ifndef TR_TPM_PAIR_H
#define TR_TPM_PAIR_H

#include "swtpm_fixture.h"
#include "tpm/key.h"

struct tpm_pair {
	struct swtpm sw[2];
	struct tr_tpm t[2];
};

/* 0, or -1 with the reason on stderr. */
int tpm_pair_start(struct tpm_pair *p);
void tpm_pair_stop(struct tpm_pair *p);

#endif
