/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_FILEIO_H
#define TR_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read a whole file (or "-" for stdin) of at most @max bytes into a new
 * buffer. Works on files whose size stat() cannot tell (securityfs, pipes).
 * Returns 0, or -1 with errno set (EFBIG when larger than @max).
 */
int read_file_bounded(const char *path, size_t max, uint8_t **buf, size_t *len);

#endif
