// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/policy.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define TR_ALG_SHA256 0x000b

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* SHA-256 over up to three buffers. */
static void sha256_3(const void *a, size_t alen, const void *b, size_t blen,
		     const void *c, size_t clen, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, a, alen);
	if (blen)
		EVP_DigestUpdate(ctx, b, blen);
	if (clen)
		EVP_DigestUpdate(ctx, c, clen);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* TPML_PCR_SELECTION with one SHA-256 bank; 10 bytes. */
static void selection(const unsigned char selected[TR_PCRS], uint8_t out[10])
{
	memset(out, 0, 10);
	put_be32(out, 1); /* count */
	out[4] = TR_ALG_SHA256 >> 8;
	out[5] = TR_ALG_SHA256 & 0xff;
	out[6] = 3; /* sizeofSelect */
	for (int i = 0; i < TR_PCRS; i++)
		if (selected[i])
			out[7 + i / 8] |= (uint8_t)(1u << (i % 8));
}

void tr_pcr_values_digest(const struct tr_pcr_values *pcrs, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs->selected[i])
			EVP_DigestUpdate(ctx, pcrs->value[i], 32);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

void tr_policy_pcr_digest(uint8_t digest[32],
			  const unsigned char selected[TR_PCRS],
			  const uint8_t pcr_digest[32])
{
	uint8_t buf[32 + 4 + 10];

	memcpy(buf, digest, 32);
	put_be32(buf + 32, TR_CC_POLICY_PCR);
	selection(selected, buf + 36);
	sha256_3(buf, sizeof(buf), pcr_digest, 32, NULL, 0, digest);
}

void tr_policy_pcr(uint8_t digest[32], const struct tr_pcr_values *pcrs)
{
	uint8_t pd[32];

	tr_pcr_values_digest(pcrs, pd);
	tr_policy_pcr_digest(digest, pcrs->selected, pd);
}

void tr_policy_authorize(uint8_t digest[32], const uint8_t *name,
			 size_t name_len, const uint8_t *ref, size_t ref_len)
{
	uint8_t head[32 + 4] = { 0 }, inner[32];

	put_be32(head + 32, TR_CC_POLICY_AUTHORIZE);
	sha256_3(head, sizeof(head), name, name_len, NULL, 0, inner);
	sha256_3(inner, sizeof(inner), ref, ref_len, NULL, 0, digest);
}

void tr_policy_approval_hash(const uint8_t approved[32], const uint8_t *ref,
			     size_t ref_len, uint8_t out[32])
{
	sha256_3(approved, 32, ref, ref_len, NULL, 0, out);
}

size_t tr_policy_pcr_body(const struct tr_pcr_values *pcrs, uint8_t *out)
{
	out[0] = 0;
	out[1] = 32; /* TPM2B_DIGEST size */
	tr_pcr_values_digest(pcrs, out + 2);
	selection(pcrs->selected, out + 34);
	return 44;
}

int tr_pcr_selection_parse(const char *s, struct tr_pcr_values *p)
{
	struct tr_pcr_values out;

	if (strncmp(s, "sha256:", 7))
		return -1;
	s += 7;
	memset(&out, 0, sizeof(out));
	/* Digits only: strtoul would also take blanks, signs and "" (no
	 * PCR at all, a policy that binds nothing). */
	for (;;) {
		unsigned long i = 0;
		const char *start = s;

		for (; *s >= '0' && *s <= '9'; s++)
			if (i < TR_PCRS)
				i = i * 10 + (unsigned long)(*s - '0');
		if (s == start || i >= TR_PCRS)
			return -1;
		out.selected[i] = 1;
		if (!*s)
			break;
		if (*s++ != ',')
			return -1;
	}
	*p = out;
	return 0;
}
