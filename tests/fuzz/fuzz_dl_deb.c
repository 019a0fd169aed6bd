// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: .deb archives as digestlist gen deb reads them
 * (dl_scan_deb_mem: libarchive's ar, tar, gzip, xz, zstd, bzip2 on a
 * memory buffer). Every file reported has a normalized absolute path,
 * permission bits only and the package's name from the control member;
 * a scan stopped by its callback fails saying so; every refusal says
 * why. abort() otherwise.
 */
#include "digest-lists/lib/dl_deb.h"
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

struct seen {
	size_t files, stop_at;
	char package[256];
};

static int file_cb(void *ctx, const char *path, const uint8_t sha256[32],
		   unsigned mode, const char *package)
{
	struct seen *s = ctx;

	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./") ||
	    strstr(path, "//") || mode > 07777 || !package[0] ||
	    strlen(package) >= sizeof(s->package))
		abort();
	/* One package per archive. */
	if (s->files && strcmp(package, s->package))
		abort();
	snprintf(s->package, sizeof(s->package), "%s", package);
	fuzz_sink += sha256[0];
	return ++s->files == s->stop_at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0 };
	char err[512] = "";
	int rc = dl_scan_deb_mem(data, size, "fuzz.deb", file_cb, &s, err,
				 sizeof(err));

	if (rc && !err[0])
		abort();
	if (rc || !s.files)
		return 0;
	/* Again, stopped at the first file. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	err[0] = 0;
	if (dl_scan_deb_mem(data, size, "fuzz.deb", file_cb, &s, err,
			    sizeof(err)) != -1 ||
	    s.files != 1 || !strstr(err, "stopped by the callback"))
		abort();
	return 0;
}
