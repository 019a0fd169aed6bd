/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_FUZZ_H
#define TR_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Keeps reads in fuzz targets from being optimised away. */
extern volatile unsigned fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/*
 * Optional, once per process before the first input (libFuzzer and
 * tests/fuzz/standalone.c call it): keys, contexts, templates, so that
 * each input costs only its parsing.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);

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

/*
 * Inputs made of several parts: each is a 2-byte big-endian length and
 * that many bytes. The next part of @in (@left bytes) into @f, @flen;
 * false when the input ends first (then @f is empty).
 */
static inline bool fuzz_part(const uint8_t **in, size_t *left,
			     const uint8_t **f, size_t *flen)
{
	size_t n;

	*f = *in;
	*flen = 0;
	if (*left < 2)
		return false;
	n = (size_t)((*in)[0] << 8 | (*in)[1]);
	if (n > *left - 2)
		return false;
	*f = *in + 2;
	*flen = n;
	*in += 2 + n;
	*left -= 2 + n;
	return true;
}

#endif
