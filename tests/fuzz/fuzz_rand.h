/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fixed random stream for the program that includes this (once): its
 * RAND_bytes takes the place of OpenSSL's for our code, which calls it
 * through the dynamic linker. fuzz_tnc_session needs it so that the
 * NMS's nonce is the same at each run of an input, and its seed writer
 * so that the quotes in the seeds answer that very nonce. Never in
 * anything but a test program.
 */
#ifndef TR_FUZZ_RAND_H
#define TR_FUZZ_RAND_H

#include <openssl/rand.h>
#include <stdint.h>

static uint64_t fuzz_rand_state;

/* The stream from its start again (before each input). */
static inline void fuzz_rand_reset(void)
{
	fuzz_rand_state = 0x243f6a8885a308d3ull;
}

int RAND_bytes(unsigned char *buf, int num)
{
	for (int i = 0; i < num; i++) {
		/* splitmix64, a byte at a time */
		uint64_t z = (fuzz_rand_state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		buf[i] = (unsigned char)(z ^ (z >> 31));
	}
	return 1;
}

#endif
