/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files of Debian packages, for generating digest lists:
 *  - from .deb archives, without installing them (libarchive): the
 *    regular files of data.tar.{gz,xz,zst,bz2} with their SHA-256;
 *  - from the dpkg database of an installed system: the regular files
 *    each package lists, hashed on disk, checked against the package's
 *    md5sums, with the files that no longer match reported.
 * Every function returns 0, or -1 with a message in @err.
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

/* Every regular file in the .deb at @deb_path; package name from control. */
int dl_scan_deb(const char *deb_path, dl_file_cb cb, void *ctx, char *err,
		size_t errlen);

/*
 * Every regular file of the installed packages @packages (NULL: all) in
 * the dpkg database @admin_dir (normally /var/lib/dpkg), read under @root
 * (normally "/"). Files listed but missing on disk are skipped; files
 * whose MD5 differs from md5sums are reported through @mismatch and still
 * passed to @cb with their digest on disk.
 */
int dl_scan_dpkg(const char *admin_dir, const char *root,
		 const char *const *packages, dl_file_cb cb, void *ctx,
		 dl_mismatch_cb mismatch, void *mctx, char *err, size_t errlen);

#endif
