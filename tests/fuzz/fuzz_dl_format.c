// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz target: digest list parsing, trailer stripping, rewriting. */
#include "digest-lists/lib/dl_format.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_view v, w;
	uint8_t *copy, *out;
	size_t out_len;
	char err[256];
	long payload = dl_strip_modsig(data, size, err, sizeof(err));

	if (payload < 0 ||
	    dl_parse(data, (size_t)payload, &v, err, sizeof(err)))
		return 0;
	/* A list that parses rewrites to the same bytes. */
	copy = malloc(v.count ? (size_t)v.count * v.digest_size : 1);
	if (!copy)
		return 0;
	memcpy(copy, v.digests, (size_t)v.count * v.digest_size);
	if (!dl_write(v.algo, v.modifiers, copy, v.count, &out, &out_len, err,
		      sizeof(err))) {
		if (out_len != (size_t)payload || memcmp(out, data, out_len) ||
		    dl_parse(out, out_len, &w, err, sizeof(err)))
			abort();
		if (v.count && !dl_contains(&w, v.digests))
			abort();
		free(out);
	}
	free(copy);
	return 0;
}
