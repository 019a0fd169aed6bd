// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the dpkg text parsers of dl_deb822.c (status stanzas, control
 * Package field, md5sums lines, path normalization) on arbitrary bytes.
 */
#include "digest-lists/lib/dl_deb822.h"
#include "fuzz.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A normalized path is absolute and has no "." or ".." component. */
static void check_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "/../") || strstr(p, "/./") ||
	    strstr(p, "//"))
		abort();
	fuzz_sink += (unsigned char)p[strlen(p) - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct dl_status_pkg p;
	char name[DL_PKG_NAME_MAX], path[PATH_MAX], small[24], err[256];
	uint8_t md5[16];
	size_t off = 0, start, end;
	unsigned line = 0;

	while (dl_status_next(buf, size, &off, &line, &p, err, sizeof(err)) ==
	       1) {
		if (!p.name[0] || off > size)
			abort();
		fuzz_sink += (unsigned)strlen(p.name) + (unsigned)p.installed;
	}
	if (!dl_control_package(buf, size, name, sizeof(name), err,
				sizeof(err)))
		fuzz_sink += (unsigned char)name[0];
	for (start = 0; start < size; start = end + 1) {
		const char *nl = memchr(buf + start, '\n', size - start);

		end = nl ? (size_t)(nl - buf) : size;
		if (dl_md5sums_line(buf + start, end - start, md5, path,
				    sizeof(path), err, sizeof(err)) == 1) {
			check_path(path);
			fuzz_sink += md5[0];
		}
		if (!dl_norm_path(buf + start, end - start, small,
				  sizeof(small), err, sizeof(err)))
			check_path(small);
	}
	return 0;
}
