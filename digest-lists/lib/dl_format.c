// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_format.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The module signature trailer, as <linux/module_signature.h> has it. */
#define MODSIG_MARKER "~Module signature appended~\n"
#define MODSIG_INFO_SIZE 12
#define PKEY_ID_PKCS7 2

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

size_t dl_algo_size(unsigned algo)
{
	switch (algo) {
	case HASH_ALGO_SHA256:
		return 32;
	case HASH_ALGO_SHA384:
		return 48;
	case HASH_ALGO_SHA512:
		return 64;
	default:
		return 0; /* SHA-1 and others are refused, as by the kernel */
	}
}

const char *dl_algo_name(unsigned algo)
{
	switch (algo) {
	case HASH_ALGO_SHA256:
		return "sha256";
	case HASH_ALGO_SHA384:
		return "sha384";
	case HASH_ALGO_SHA512:
		return "sha512";
	default:
		return NULL;
	}
}

int dl_algo_from_name(const char *name)
{
	if (!strcmp(name, "sha256"))
		return HASH_ALGO_SHA256;
	if (!strcmp(name, "sha384"))
		return HASH_ALGO_SHA384;
	if (!strcmp(name, "sha512"))
		return HASH_ALGO_SHA512;
	return -1;
}

int dl_parse(const uint8_t *buf, size_t len, struct dl_view *v, char *err,
	     size_t errlen)
{
	const struct ima_digest_list_hdr *h = (const void *)buf;
	unsigned algo;
	uint16_t mods;
	uint32_t count;
	size_t ds;

	if (len < DL_HDR_SIZE)
		return tr_fail(err, errlen, "shorter than the %zu-byte header",
			       DL_HDR_SIZE);
	if (memcmp(h->magic, IMA_DIGEST_LIST_MAGIC, IMA_DIGEST_LIST_MAGIC_LEN))
		return tr_fail(err, errlen,
			       "bad magic (not an IMA digest list)");
	if (h->version != IMA_DIGEST_LIST_VERSION)
		return tr_fail(err, errlen, "unsupported version %u",
			       h->version);
	if (h->type != IMA_DIGEST_LIST_TYPE_FILE)
		return tr_fail(err, errlen, "unsupported list type %u",
			       h->type);
	algo = le16(buf + 6);
	ds = dl_algo_size(algo);
	if (!ds)
		return tr_fail(err, errlen, "unsupported hash algorithm %u",
			       algo);
	mods = le16(buf + 8);
	if (mods & ~IMA_DIGEST_LIST_MOD_ALL)
		return tr_fail(err, errlen, "unknown modifiers 0x%04x", mods);
	if (le16(buf + 10))
		return tr_fail(err, errlen, "reserved field not zero");
	count = le32(buf + 12);
	if (count > IMA_DIGEST_LIST_MAX_COUNT)
		return tr_fail(err, errlen,
			       "%u digests, more than the %u allowed", count,
			       IMA_DIGEST_LIST_MAX_COUNT);
	if ((size_t)count * ds != len - DL_HDR_SIZE)
		return tr_fail(
			err, errlen,
			"%s: %zu bytes of digests for %u digests of %zu bytes",
			(size_t)count * ds > len - DL_HDR_SIZE ?
				"truncated" :
				"trailing bytes",
			len - DL_HDR_SIZE, count, ds);
	for (uint32_t i = 1; i < count; i++)
		if (memcmp(buf + DL_HDR_SIZE + (i - 1) * ds,
			   buf + DL_HDR_SIZE + i * ds, ds) >= 0)
			return tr_fail(
				err, errlen,
				"digest %u not above digest %u (not strictly ascending)",
				i, i - 1);
	v->algo = algo;
	v->type = h->type;
	v->modifiers = mods;
	v->count = count;
	v->digest_size = (uint32_t)ds;
	v->digests = buf + DL_HDR_SIZE;
	return 0;
}

static size_t sort_size;

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, sort_size);
}

int dl_write(unsigned algo, uint16_t modifiers, uint8_t *digests, size_t n,
	     uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	size_t ds = dl_algo_size(algo), m = 0;
	uint8_t *buf;

	if (!ds)
		return tr_fail(err, errlen, "unsupported hash algorithm %u",
			       algo);
	if (modifiers & ~IMA_DIGEST_LIST_MOD_ALL)
		return tr_fail(err, errlen, "unknown modifiers 0x%04x",
			       modifiers);
	if (n) {
		sort_size = ds;
		qsort(digests, n, ds, cmp_digest);
	}
	for (size_t i = 0; i < n; i++)
		if (!m || memcmp(digests + (m - 1) * ds, digests + i * ds, ds))
			memmove(digests + m++ * ds, digests + i * ds, ds);
	if (m > IMA_DIGEST_LIST_MAX_COUNT)
		return tr_fail(err, errlen,
			       "%zu digests, more than the %u a list may hold",
			       m, IMA_DIGEST_LIST_MAX_COUNT);
	buf = malloc(DL_HDR_SIZE + m * ds);
	if (!buf)
		return tr_fail(err, errlen, "out of memory");
	memcpy(buf, IMA_DIGEST_LIST_MAGIC, IMA_DIGEST_LIST_MAGIC_LEN);
	buf[4] = IMA_DIGEST_LIST_VERSION;
	buf[5] = IMA_DIGEST_LIST_TYPE_FILE;
	buf[6] = (uint8_t)algo;
	buf[7] = (uint8_t)(algo >> 8);
	buf[8] = (uint8_t)modifiers;
	buf[9] = (uint8_t)(modifiers >> 8);
	buf[10] = buf[11] = 0;
	buf[12] = (uint8_t)m;
	buf[13] = (uint8_t)(m >> 8);
	buf[14] = (uint8_t)(m >> 16);
	buf[15] = (uint8_t)(m >> 24);
	if (m)
		memcpy(buf + DL_HDR_SIZE, digests, m * ds);
	*out = buf;
	*out_len = DL_HDR_SIZE + m * ds;
	return 0;
}

long dl_strip_modsig(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	const size_t mlen = sizeof(MODSIG_MARKER) - 1;
	const uint8_t *info;
	uint32_t sig_len;

	if (len < mlen + MODSIG_INFO_SIZE ||
	    memcmp(buf + len - mlen, MODSIG_MARKER, mlen))
		return (long)len;
	info = buf + len - mlen - MODSIG_INFO_SIZE;
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
		  (uint32_t)info[10] << 8 | info[11];
	if (info[2] != PKEY_ID_PKCS7)
		return tr_fail(err, errlen, "appended signature is not PKCS#7");
	if (!sig_len || sig_len > len - mlen - MODSIG_INFO_SIZE)
		return tr_fail(err, errlen,
			       "appended signature length %u out of range",
			       sig_len);
	return (long)(len - mlen - MODSIG_INFO_SIZE - sig_len);
}

bool dl_contains(const struct dl_view *v, const uint8_t *digest)
{
	size_t lo = 0, hi = v->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(digest, v->digests + mid * v->digest_size,
			       v->digest_size);

		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}
