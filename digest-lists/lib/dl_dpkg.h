/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dpkg database of an installed system: the regular files each
 * package lists, hashed on disk, checked against the package's md5sums,
 * with the files that no longer match reported.
 */
#ifndef TR_DL_DPKG_H
#define TR_DL_DPKG_H

#include "digest-lists/lib/dl_pkg.h"

#include <stddef.h>

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
