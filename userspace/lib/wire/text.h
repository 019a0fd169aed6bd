/* SPDX-License-Identifier: GPL-2.0-only */
/* Text in wire formats: strict UTF-8. */
#ifndef TR_WIRE_TEXT_H
#define TR_WIRE_TEXT_H

#include "wire/buf.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Strict UTF-8 (no overlong forms, surrogates or NUL): the offset of the
 * first byte that is not, or @n. Text we accept may end up in logs, the
 * store and the dashboard, where a NUL would cut it short.
 */
size_t tr_utf8_check(const uint8_t *p, size_t n);

/* -1 with what is wrong and *@bad (offset @off in a value) unless @s is UTF-8. */
int tr_text_check(const struct tr_bytes *s, size_t off, const char *what,
		  size_t *bad, char *err, size_t errlen);

#endif
