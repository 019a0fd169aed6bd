// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz target: manifest lines (digest list sidecar files). */
#include "digest-lists/lib/dl_export.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_manifest_line line;
	size_t off = 0;
	char err[256];

	while (dl_manifest_next((const char *)data, size, &off, 32, &line, err,
				sizeof(err)) == 1) {
		if (line.path[line.path_len - 1] == '\n')
			fuzz_sink++;
		if (line.package_len && line.package[0] == '\t')
			fuzz_sink++;
	}
	return 0;
}
