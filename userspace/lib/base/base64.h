/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Base64 (RFC 4648 section 4, with padding) for wire formats. The decoder
 * is strict: whole groups of four, the alphabet only, padding only at the
 * end, no white space (callers that allow line breaks remove them first).
 */
#ifndef TR_BASE64_H
#define TR_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One of the 64 characters (not '=', not white space). */
bool tr_base64_char(char c);

/* Decode @len characters into @out (@cap bytes); 0 with *outlen, or -1. */
int tr_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
		     size_t *outlen, char *err, size_t errlen);

/* A new NUL-terminated string (free()), or NULL when out of memory. */
char *tr_base64_encode(const uint8_t *in, size_t len);

#endif
