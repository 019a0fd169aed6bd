// SPDX-License-Identifier: GPL-2.0-only
#include "nms/probe/partition.h"

#include <string.h>

/* FNV-1a over @s, then on. */
static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t nms_partition_weight(const char *member, const char *device)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, member);

	h ^= 0xff; /* a separator no name byte is: "ab"+"c" is not "a"+"bc" */
	h *= 0x100000001b3ULL;
	return mix(fnv(h, device));
}

int nms_partition_owner(const char *device, const char *ids, size_t len, int n)
{
	uint64_t best = 0;
	int owner = -1;

	for (int i = 0; i < n; i++) {
		uint64_t w =
			nms_partition_weight(ids + (size_t)i * len, device);

		/* Ties (never in practice) go to the first, by id order. */
		if (owner < 0 || w > best) {
			best = w;
			owner = i;
		}
	}
	return owner;
}
