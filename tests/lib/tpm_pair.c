// SPDX-License-Identifier: GPL-2.0-only
#include "tpm_pair.h"

#include <stdio.h>

int tpm_pair_start(struct tpm_pair *p)
{
	char err[256] = "swtpm did not start";

	for (int i = 0; i < 2; i++)
		if (swtpm_start(&p->sw[i], NULL) < 0 ||
		    tr_tpm_open(&p->t[i], p->sw[i].tcti, err, sizeof(err)) <
			    0) {
			fprintf(stderr, "tpm_pair_start: %s\n", err);
			return -1;
		}
	return 0;
}

void tpm_pair_stop(struct tpm_pair *p)
{
	for (int i = 0; i < 2; i++) {
		tr_tpm_close(&p->t[i]);
		swtpm_stop(&p->sw[i]);
	}
}
