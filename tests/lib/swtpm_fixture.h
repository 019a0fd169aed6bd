/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fresh swtpm per test: its own provisioned state directory (absolute
 * path, EK certificates from the project's test CA), free TCP ports and a
 * TCTI string for tpm2-tss. The swtpm child dies with the test process
 * (PR_SET_PDEATHSIG), so even a crashing test leaves nothing behind.
 */
#ifndef TR_SWTPM_FIXTURE_H
#define TR_SWTPM_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct swtpm {
	char dir[PATH_MAX]; /* state directory */
	char tcti[64]; /* "swtpm:host=127.0.0.1,port=N" */
	unsigned short port; /* data port; control is port + 1 */
	pid_t pid;
	bool own_dir; /* dir was created here and is removed on stop */
};

/*
 * Start a swtpm. With state_dir NULL a new TPM is provisioned in a fresh
 * temporary directory; otherwise the TPM in state_dir is used in place:
 * resumed with its PCRs if a volatile state was stored (e.g. after a VM
 * run), else started with TPM2_Startup(CLEAR) like after a reboot.
 * Returns 0, or -1 with a message on stderr.
 */
int swtpm_start(struct swtpm *t, const char *state_dir);

/* Stop the swtpm and remove a directory swtpm_start created. Idempotent. */
void swtpm_stop(struct swtpm *t);

#endif
