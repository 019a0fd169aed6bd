/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_FUZZ_H
#define TR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Keeps reads in fuzz targets from being optimised away. */
extern volatile unsigned fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * tpm2-tss logs each malformed structure it refuses to stderr, which
 * slows a fuzzer down more than the parsing: call before the first input.
 */
static inline void fuzz_quiet_tss(void)
{
	static int done;

	if (!done)
		setenv("TSS2_LOG", "all+NONE", 1);
	done = 1;
}

#endif
