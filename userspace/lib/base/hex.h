/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_HEX_H
#define TR_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of @n bytes into @dst (2n + 1 bytes, NUL-terminated). */
void tr_hex(char *dst, const uint8_t *src, size_t n);

/*
 * @n bytes from exactly 2n hex digits at @s (either case; nothing else,
 * not even a sign or a space). 0, or -1. What follows is the caller's.
 */
int tr_unhex(const char *s, size_t n, uint8_t *out);

#endif
