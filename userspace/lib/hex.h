/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_HEX_H
#define TR_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of @n bytes into @dst (2n + 1 bytes, NUL-terminated). */
void tr_hex(char *dst, const uint8_t *src, size_t n);

#endif
