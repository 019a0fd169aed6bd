// SPDX-License-Identifier: GPL-2.0-only
#define _DEFAULT_SOURCE /* htole16, htole32 */
#include "tpm/evidence_files.h"
#include "tpm/context.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tr_pcrs_tpm2_serialized(const struct tr_pcr_values *p, uint8_t **out,
			    size_t *len)
{
	TPML_PCR_SELECTION sel;
	TPML_DIGEST chunk[(TR_PCRS + 7) / 8];
	uint32_t n = 0, count;
	uint8_t *buf, *w;

	tr_tpm_pcr_selection(p, &sel);
	memset(chunk, 0, sizeof(chunk));
	/* In the order the TPM returns them: lowest PCR first, 8 a
	 * TPML_DIGEST (one TPM2_PCR_Read each). */
	for (int i = 0; i < TR_PCRS; i++) {
		TPML_DIGEST *d;

		if (!p->selected[i])
			continue;
		d = &chunk[n];
		memcpy(d->digests[d->count].buffer, p->value[i], 32);
		d->digests[d->count].size = htole16(32);
		if (++d->count == 8)
			n++;
	}
	if (n < sizeof(chunk) / sizeof(chunk[0]) && chunk[n].count)
		n++;
	for (uint32_t i = 0; i < n; i++)
		chunk[i].count = htole32(chunk[i].count);
	sel.pcrSelections[0].hash = htole16(sel.pcrSelections[0].hash);
	sel.count = htole32(sel.count);
	count = htole32(n);
	*len = sizeof(sel) + sizeof(count) + n * sizeof(TPML_DIGEST);
	buf = malloc(*len);
	if (!buf)
		return -1;
	w = buf;
	memcpy(w, &sel, sizeof(sel));
	w += sizeof(sel);
	memcpy(w, &count, sizeof(count));
	w += sizeof(count);
	memcpy(w, chunk, n * sizeof(TPML_DIGEST));
	*out = buf;
	return 0;
}

char *tr_pcrs_evmctl_text(const struct tr_pcr_values *p)
{
	size_t cap = TR_PCRS * (8 + 64 + 1) + 1, off = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	for (int i = 0; i < TR_PCRS; i++) {
		off += (size_t)snprintf(s + off, cap - off, "PCR-%02d: ", i);
		for (int j = 0; j < 32; j++)
			off += (size_t)snprintf(
				s + off, cap - off, "%02x",
				p->selected[i] ? p->value[i][j] : 0);
		s[off++] = '\n';
	}
	s[off] = 0;
	return s;
}
