/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded byte readers and writers over the caller's buffers, and
 * big-endian numbers: what every wire codec of ours is written with.
 */
#ifndef TR_WIRE_BUF_H
#define TR_WIRE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes inside a buffer the caller owns (parsed values point there). */
struct tr_bytes {
	const uint8_t *p;
	size_t len;
};

/*
 * A bounded writer over the caller's buffer. A write that does not fit is
 * counted but not done; tr_wbuf_check() then says how much was needed.
 */
struct tr_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len; /* bytes written, or that would have been */
};

void tr_wbuf_init(struct tr_wbuf *w, uint8_t *buf, size_t cap);
void tr_put_u8(struct tr_wbuf *w, uint32_t v);
void tr_put_u16(struct tr_wbuf *w, uint32_t v);
void tr_put_u24(struct tr_wbuf *w, uint32_t v);
void tr_put_u32(struct tr_wbuf *w, uint32_t v);
void tr_put_bytes(struct tr_wbuf *w, const void *p, size_t n);
/* Overwrite the 32-bit field at @at (a length written before its data). */
void tr_patch_u32(struct tr_wbuf *w, size_t at, uint32_t v);
/* 0 if everything fit, else -1: "output needs N bytes, buffer holds M". */
int tr_wbuf_check(const struct tr_wbuf *w, char *err, size_t errlen);

/* A bounded reader: each get fails (false) instead of reading past len. */
struct tr_rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* Big-endian numbers at @p (the caller checked the length). */
static inline uint32_t tr_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t tr_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | tr_be24(p + 1);
}

bool tr_get_u8(struct tr_rbuf *r, uint8_t *v);
bool tr_get_u16(struct tr_rbuf *r, uint16_t *v);
bool tr_get_u24(struct tr_rbuf *r, uint32_t *v);
bool tr_get_u32(struct tr_rbuf *r, uint32_t *v);
bool tr_get_bytes(struct tr_rbuf *r, size_t n, struct tr_bytes *v);

#endif
