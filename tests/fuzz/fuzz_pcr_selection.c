// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: PCR selections as the tools and the agent take them
 * (--pcrs sha256:N[,N...], tr_pcr_selection_parse). What is accepted is
 * exactly that grammar, N a decimal PCR 0..23 and at least one, checked
 * here independently; the selection is the PCRs named and the values
 * are zero. A NUL ends the selection, as it would an argument.
 * abort() otherwise.
 */
#include "fuzz.h"
#include "tpm/policy.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The grammar, by hand: 1 and @want when @s is a selection. */
static bool grammar(const char *s, unsigned char want[TR_PCRS])
{
	memset(want, 0, TR_PCRS);
	if (strncmp(s, "sha256:", 7))
		return false;
	s += 7;
	for (;;) {
		unsigned n = 0, digits = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits++)
			if (n < TR_PCRS)
				n = n * 10 + (unsigned)(*s - '0');
		if (!digits || n >= TR_PCRS)
			return false;
		want[n] = 1;
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	unsigned char want[TR_PCRS];
	struct tr_pcr_values p;
	static const uint8_t zero[TR_PCRS][32];
	bool ok;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	memset(&p, 0xa5, sizeof(p));
	ok = grammar(s, want);
	if (tr_pcr_selection_parse(s, &p) == 0) {
		if (!ok)
			abort();
		for (int i = 0; i < TR_PCRS; i++)
			if (!p.selected[i] != !want[i])
				abort();
		if (memcmp(p.value, zero, sizeof(zero)))
			abort();
		fuzz_sink += p.selected[0];
	} else if (ok) {
		abort();
	}
	free(s);
	return 0;
}
