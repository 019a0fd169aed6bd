/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files of Debian packages, for generating digest lists, as the scans of
 * .deb archives (dl_deb.h) and of the dpkg database (dl_dpkg.h) report
 * them. Every function returns 0, or -1 with a message in @err.
 */
#ifndef TR_DL_PKG_H
#define TR_DL_PKG_H

#include <stddef.h>
#include <stdint.h>

/*
 * One regular file: its absolute path in the installed system ("/usr/bin/x"),
 * SHA-256 of its contents, mode bits (0755 ...), and its package. Return
 * non-zero to stop the scan (the scan then returns -1).
 */
typedef int (*dl_file_cb)(void *ctx, const char *path, const uint8_t sha256[32],
			  unsigned mode, const char *package);

/* A file on disk whose MD5 differs from the package's md5sums entry. */
typedef void (*dl_mismatch_cb)(void *ctx, const char *path,
			       const char *package);

#endif
