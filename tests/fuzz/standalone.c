// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs a fuzz target without libFuzzer, for make check under ASan/UBSan:
 * every seed file as is, then a fixed number of deterministic mutations of
 * the seeds (bit flips, byte stores, truncations, extreme 32-bit values
 * where length fields sit). Each input goes in an exact-size heap buffer
 * so the sanitizers see any overread. `make fuzz` runs real libFuzzer.
 *
 *   fuzz-NAME [-n ITERATIONS] SEED...
 */
#include "base/fileio.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile unsigned fuzz_sink;

/* Weak: a target without one links too. */
extern int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void run(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static void mutate(uint8_t *b, size_t *len)
{
	static const uint32_t extremes[] = { 0,		 1,	     0x7fffffff,
					     0x80000000, 0xffffffff, 0xfffffffc,
					     256 };
	size_t pos = *len ? next() % *len : 0;
	uint32_t v;

	switch (next() % 4) {
	case 0:
		if (*len)
			b[pos] ^= (uint8_t)(1u << (next() % 8));
		break;
	case 1:
		if (*len)
			b[pos] = (uint8_t)next();
		break;
	case 2:
		*len = pos;
		break;
	default:
		v = extremes[next() % (sizeof(extremes) / sizeof(*extremes))];
		if (*len >= 4) {
			pos = next() % (*len - 3);
			memcpy(b + pos, &v, 4);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long iterations = 200000;
	uint8_t *seeds[64], *work;
	size_t lens[64], nseeds = 0, max = 0;
	int i = 1;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		iterations = strtoul(argv[2], NULL, 10);
		i = 3;
	}
	for (; i < argc && nseeds < 64; i++) {
		if (read_file_bounded(argv[i], 1 << 20, &seeds[nseeds],
				      &lens[nseeds]) < 0) {
			perror(argv[i]);
			printf("0 passed, 1 failed\n");
			return 1;
		}
		run(seeds[nseeds], lens[nseeds]);
		if (lens[nseeds] > max)
			max = lens[nseeds];
		nseeds++;
	}
	if (!nseeds) {
		fprintf(stderr, "usage: %s [-n ITERATIONS] SEED...\n", argv[0]);
		return 2;
	}
	work = malloc(max ? max : 1);
	for (unsigned long it = 0; it < iterations; it++) {
		size_t s = next() % nseeds, len = lens[s];

		memcpy(work, seeds[s], len);
		for (int k = 1 + (int)(next() % 4); k > 0; k--)
			mutate(work, &len);
		run(work, len);
	}
	free(work);
	for (size_t s = 0; s < nseeds; s++)
		free(seeds[s]);
	/* Reaching here means no sanitizer report and no crash. */
	printf("%zu seeds and %lu mutations ran clean\n", nseeds, iterations);
	printf("1 passed, 0 failed\n");
	return 0;
}
