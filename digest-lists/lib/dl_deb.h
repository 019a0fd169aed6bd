/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * .deb archives, without installing them (libarchive): the regular files
 * of data.tar.{gz,xz,zst,bz2} with their SHA-256.
 */
#ifndef TR_DL_DEB_H
#define TR_DL_DEB_H

#include "digest-lists/lib/dl_pkg.h"

#include <stddef.h>
#include <stdint.h>

/* Every regular file in the .deb at @deb_path; package name from control. */
int dl_scan_deb(const char *deb_path, dl_file_cb cb, void *ctx, char *err,
		size_t errlen);
/* The same for a .deb in memory (@len bytes at @buf); @name in messages. */
int dl_scan_deb_mem(const uint8_t *buf, size_t len, const char *name,
		    dl_file_cb cb, void *ctx, char *err, size_t errlen);

#endif
