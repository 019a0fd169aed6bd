// SPDX-License-Identifier: GPL-2.0-only
#include "wire/buf.h"
#include "base/errmsg.h"

#include <string.h>

void tr_wbuf_init(struct tr_wbuf *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
}

void tr_put_bytes(struct tr_wbuf *w, const void *p, size_t n)
{
	if (n && w->len <= w->cap && n <= w->cap - w->len)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void put_be(struct tr_wbuf *w, uint32_t v, int bytes)
{
	uint8_t b[4];

	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	tr_put_bytes(w, b, (size_t)bytes);
}

void tr_put_u8(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 1);
}

void tr_put_u16(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 2);
}

void tr_put_u24(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 3);
}

void tr_put_u32(struct tr_wbuf *w, uint32_t v)
{
	put_be(w, v, 4);
}

void tr_patch_u32(struct tr_wbuf *w, size_t at, uint32_t v)
{
	if (at <= w->cap && w->cap - at >= 4 && at + 4 <= w->len)
		for (int i = 0; i < 4; i++)
			w->p[at + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

int tr_wbuf_check(const struct tr_wbuf *w, char *err, size_t errlen)
{
	if (w->len > w->cap)
		return tr_fail(err, errlen,
			       "output needs %zu bytes, the buffer holds %zu",
			       w->len, w->cap);
	return 0;
}

static bool get_be(struct tr_rbuf *r, size_t n, uint32_t *v)
{
	if (r->len - r->off < n)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | r->p[r->off + i];
	r->off += n;
	return true;
}

bool tr_get_u8(struct tr_rbuf *r, uint8_t *v)
{
	uint32_t x;

	if (!get_be(r, 1, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

bool tr_get_u16(struct tr_rbuf *r, uint16_t *v)
{
	uint32_t x;

	if (!get_be(r, 2, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool tr_get_u24(struct tr_rbuf *r, uint32_t *v)
{
	return get_be(r, 3, v);
}

bool tr_get_u32(struct tr_rbuf *r, uint32_t *v)
{
	return get_be(r, 4, v);
}

bool tr_get_bytes(struct tr_rbuf *r, size_t n, struct tr_bytes *v)
{
	if (r->len - r->off < n)
		return false;
	v->p = r->p + r->off;
	v->len = n;
	r->off += n;
	return true;
}
