/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_FILEIO_H
#define TR_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read a whole file (or "-" for stdin) of at most @max bytes into a new
 * buffer. Works on files whose size stat() cannot tell (securityfs, pipes).
 * The data is followed by a NUL byte (not counted in *len), so text can be
 * used as a string. Returns 0, or -1 with errno set (EFBIG when larger
 * than @max).
 */
int read_file_bounded(const char *path, size_t max, uint8_t **buf, size_t *len);

/*
 * Replace @path with @len bytes of @buf, atomically and durably: a
 * temporary file in the same directory, fsync, rename, fsync of the
 * directory. After a crash @path is the old file or the new one, never a
 * mix. The file gets @mode. Returns 0, or -1 with errno set.
 */
int write_file_atomic(const char *path, const void *buf, size_t len,
		      unsigned mode);

#endif
