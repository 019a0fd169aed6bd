// SPDX-License-Identifier: GPL-2.0-only
#include "ima/log.h"
#include "base/errmsg.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* An error in entry @e: the message names the entry and where it starts. */
static int bad(const struct ima_log_entry *e, char *err, size_t errlen,
	       const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (err && errlen) {
		n = snprintf(err, errlen, "entry %zu at offset %zu: ", e->index,
			     e->offset);
		if (n < 0 || (size_t)n >= errlen)
			return -1;
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Read a little-endian u32 at *off if 4 bytes remain before @end. */
static bool take_u32(const uint8_t *buf, size_t end, size_t *off, uint32_t *v)
{
	if (end - *off < 4)
		return false;
	*v = get_le32(buf + *off);
	*off += 4;
	return true;
}

static bool is_ima_ng_family(const char *name)
{
	static const char *const names[] = { "ima-ng", "ima-sig", "ima-buf",
					     "ima-modsig" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/*
 * d-ng is "algo:\0" followed by the raw digest; n-ng a NUL-terminated path.
 * Both are checked strictly: a consumer prints the path and matches the
 * digest against reference values, so neither may run past its field.
 */
static int parse_ng_fields(struct ima_log_entry *e, char *err, size_t errlen)
{
	size_t off = 0;
	uint32_t dlen, nlen;
	const uint8_t *d, *colon;
	size_t alen;

	if (!take_u32(e->data, e->data_len, &off, &dlen) ||
	    dlen > e->data_len - off)
		return bad(e, err, errlen, "d-ng field overruns template data");
	d = e->data + off;
	off += dlen;
	colon = memchr(d, ':', dlen);
	if (!colon || colon + 1 >= d + dlen || colon[1] != '\0')
		return bad(e, err, errlen,
			   "d-ng field has no \"algo:\" prefix");
	alen = (size_t)(colon - d);
	if (alen == 0 || alen >= sizeof(e->hash_algo))
		return bad(e, err, errlen, "bad hash algorithm name length %zu",
			   alen);
	memcpy(e->hash_algo, d, alen);
	e->hash_algo[alen] = '\0';
	e->file_digest = colon + 2;
	e->file_digest_len = dlen - (uint32_t)alen - 2;
	if (e->file_digest_len == 0 || e->file_digest_len > IMA_LOG_DIGEST_MAX)
		return bad(e, err, errlen, "file digest length %u out of range",
			   e->file_digest_len);

	if (!take_u32(e->data, e->data_len, &off, &nlen) ||
	    nlen > e->data_len - off)
		return bad(e, err, errlen, "n-ng field overruns template data");
	if (nlen == 0 || e->data[off + nlen - 1] != '\0' ||
	    memchr(e->data + off, '\0', nlen) != e->data + off + nlen - 1)
		return bad(e, err, errlen,
			   "n-ng field is not one NUL-terminated name");
	e->file_name = (const char *)e->data + off;
	off += nlen;

	/* ima-buf: the buffer, which must end the data. */
	if (!strcmp(e->template_name, "ima-buf")) {
		if (!take_u32(e->data, e->data_len, &off, &e->buf_len) ||
		    e->buf_len != e->data_len - off)
			return bad(e, err, errlen,
				   "buf field does not end the template data");
		e->buf = e->data + off;
	}
	return 0;
}

int ima_log_next(struct ima_log_cursor *c, struct ima_log_entry *e, char *err,
		 size_t errlen)
{
	size_t off = c->off;
	uint32_t name_len, data_len;
	static const uint8_t zero[20];

	if (off == c->len)
		return 0;
	memset(e, 0, sizeof(*e));
	e->index = c->index;
	e->offset = off;

	if (!take_u32(c->buf, c->len, &off, &e->pcr))
		return bad(e, err, errlen, "truncated PCR index");
	if (e->pcr > IMA_LOG_PCR_MAX)
		return bad(e, err, errlen, "PCR index %u out of range", e->pcr);
	if (c->len - off < sizeof(e->template_digest))
		return bad(e, err, errlen, "truncated template digest");
	memcpy(e->template_digest, c->buf + off, sizeof(e->template_digest));
	off += sizeof(e->template_digest);
	e->violation = !memcmp(e->template_digest, zero, sizeof(zero));

	if (!take_u32(c->buf, c->len, &off, &name_len))
		return bad(e, err, errlen, "truncated template name length");
	if (name_len == 0 || name_len > IMA_LOG_NAME_MAX)
		return bad(e, err, errlen,
			   "template name length %u not in 1..%u", name_len,
			   IMA_LOG_NAME_MAX);
	if (c->len - off < name_len)
		return bad(e, err, errlen, "truncated template name");
	memcpy(e->template_name, c->buf + off, name_len);
	e->template_name[name_len] = '\0';
	off += name_len;
	if (strlen(e->template_name) != name_len)
		return bad(e, err, errlen, "NUL inside template name");
	/* The legacy "ima" template has no data length and a padded name. */
	if (!strcmp(e->template_name, "ima"))
		return bad(
			e, err, errlen,
			"legacy \"ima\" template is not supported (use ima-ng)");

	if (!take_u32(c->buf, c->len, &off, &data_len))
		return bad(e, err, errlen, "truncated template data length");
	if (data_len > IMA_LOG_DATA_MAX)
		return bad(e, err, errlen, "template data length %u exceeds %u",
			   data_len, IMA_LOG_DATA_MAX);
	if (c->len - off < data_len)
		return bad(
			e, err, errlen,
			"template data truncated (%u bytes announced, %zu left)",
			data_len, c->len - off);
	e->data = c->buf + off;
	e->data_len = data_len;
	off += data_len;

	if (is_ima_ng_family(e->template_name) &&
	    parse_ng_fields(e, err, errlen) < 0)
		return -1;

	c->off = off;
	c->index++;
	return 1;
}

/*
 * The hashes are fetched from the provider once (an EVP_sha1() given to
 * EVP_DigestInit is fetched again at every call, under a lock) and each
 * thread reuses one context: a log of 100 000 entries costs three
 * hashes an entry, not three allocations and fetches as well.
 */
static const char *const banks[] = { "sha1", "sha256", "sha384", "sha512" };
#define NBANKS (sizeof(banks) / sizeof(banks[0]))
static EVP_MD *fetched[NBANKS];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static pthread_key_t ctx_key;

static void ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void fetch_all(void)
{
	for (size_t i = 0; i < NBANKS; i++)
		fetched[i] = EVP_MD_fetch(NULL, banks[i], NULL);
	pthread_key_create(&ctx_key, ctx_free);
}

static const EVP_MD *md_named(size_t i)
{
	pthread_once(&fetch_once, fetch_all);
	return fetched[i];
}

#define MD_SHA1 md_named(0)
#define MD_SHA256 md_named(1)

static int digest(const EVP_MD *md, const void *a, size_t alen, const void *b,
		  size_t blen, uint8_t *out)
{
	EVP_MD_CTX *ctx;

	if (!md)
		return -1;
	/* The per-thread key is made with the fetch: a caller that brings
	 * its own md (not from md_named) must not find no key. */
	pthread_once(&fetch_once, fetch_all);
	ctx = pthread_getspecific(ctx_key);
	if (!ctx) {
		ctx = EVP_MD_CTX_new();
		if (ctx && pthread_setspecific(ctx_key, ctx)) {
			EVP_MD_CTX_free(ctx);
			ctx = NULL;
		}
	}
	return ctx && EVP_DigestInit_ex(ctx, md, NULL) &&
			       EVP_DigestUpdate(ctx, a, alen) &&
			       (!b || EVP_DigestUpdate(ctx, b, blen)) &&
			       EVP_DigestFinal_ex(ctx, out, NULL) ?
		       0 :
		       -1;
}

/* The PCR banks a replay or prediction may use. */
static const EVP_MD *bank_md(const char *bank)
{
	for (size_t i = 0; i < NBANKS; i++)
		if (!strcmp(bank, banks[i]))
			return md_named(i);
	return NULL;
}

int ima_log_entry_event(const struct ima_log_entry *e, const char *bank,
			uint8_t out[IMA_LOG_DIGEST_MAX], char *err,
			size_t errlen)
{
	const EVP_MD *md = bank_md(bank);
	uint8_t check[20];
	int size;

	if (!md)
		return tr_fail(
			err, errlen,
			"unknown PCR bank \"%s\" (sha1, sha256, sha384, sha512)",
			bank);
	size = EVP_MD_get_size(md);
	if (e->violation) {
		/* The kernel extends all-ones for a violation. */
		memset(out, 0xff, (size_t)size);
		return size;
	}
	if (digest(MD_SHA1, e->data, e->data_len, NULL, 0, check) ||
	    digest(md, e->data, e->data_len, NULL, 0, out))
		return tr_fail(err, errlen, "hash failure");
	if (memcmp(check, e->template_digest, sizeof(check)))
		return bad(e, err, errlen,
			   "template digest does not match its data");
	return size;
}

int ima_pcr_extend(const char *bank, uint8_t *pcr, const uint8_t *event)
{
	const EVP_MD *md = bank_md(bank);
	size_t size;

	if (!md)
		return -1;
	size = (size_t)EVP_MD_get_size(md);
	return digest(md, pcr, size, event, size, pcr);
}

int ima_log_replay(const uint8_t *buf, size_t len, const char *bank,
		   uint32_t pcr, uint8_t out[IMA_LOG_DIGEST_MAX],
		   size_t *out_len, size_t *n_entries, char *err, size_t errlen)
{
	const EVP_MD *md = bank_md(bank);
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t event[IMA_LOG_DIGEST_MAX];
	int rc;

	if (!md)
		return tr_fail(
			err, errlen,
			"unknown PCR bank \"%s\" (sha1, sha256, sha384, sha512)",
			bank);
	if (pcr > IMA_LOG_PCR_MAX)
		return tr_fail(err, errlen, "PCR index %u out of range", pcr);
	memset(out, 0, IMA_LOG_DIGEST_MAX);
	*out_len = (size_t)EVP_MD_get_size(md);
	*n_entries = 0;

	ima_log_cursor_init(&c, buf, len);
	while ((rc = ima_log_next(&c, &e, err, errlen)) == 1) {
		if (e.pcr != pcr)
			continue;
		if (ima_log_entry_event(&e, bank, event, err, errlen) < 0)
			return -1;
		if (ima_pcr_extend(bank, out, event))
			return tr_fail(err, errlen, "hash failure");
		(*n_entries)++;
	}
	return rc < 0 ? -1 : 0;
}

int ima_log_entry_encode(uint32_t pcr, const char *template_name,
			 const uint8_t *data, size_t data_len, bool violation,
			 uint8_t *out, size_t cap)
{
	size_t nlen = strlen(template_name);
	size_t total = 4 + 20 + 4 + nlen + 4 + data_len;
	uint8_t *p = out;

	if (pcr > IMA_LOG_PCR_MAX || nlen == 0 || nlen > IMA_LOG_NAME_MAX ||
	    data_len > IMA_LOG_DATA_MAX || total > cap)
		return -1;
	put_le32(p, pcr);
	if (violation)
		memset(p + 4, 0, 20);
	else if (digest(MD_SHA1, data, data_len, NULL, 0, p + 4))
		return -1;
	p += 24;
	put_le32(p, (uint32_t)nlen);
	memcpy(p + 4, template_name, nlen);
	p += 4 + nlen;
	put_le32(p, (uint32_t)data_len);
	if (data_len)
		memcpy(p + 4, data, data_len);
	return (int)total;
}

int ima_ng_template_data(const char *algo, const uint8_t *digest,
			 size_t digest_len, const char *name, uint8_t *out,
			 size_t cap)
{
	size_t alen = strlen(algo), nlen = strlen(name) + 1;
	size_t dfield = alen + 2 + digest_len;
	size_t total = 4 + dfield + 4 + nlen;
	uint8_t *p = out;

	if (total > cap || dfield > UINT32_MAX || nlen > UINT32_MAX)
		return -1;
	put_le32(p, (uint32_t)dfield);
	p += 4;
	memcpy(p, algo, alen);
	p += alen;
	*p++ = ':';
	*p++ = '\0';
	memcpy(p, digest, digest_len);
	p += digest_len;
	put_le32(p, (uint32_t)nlen);
	p += 4;
	memcpy(p, name, nlen);
	return (int)total;
}

int ima_buf_template_data(const char *name, const uint8_t *buf, size_t len,
			  uint8_t *out, size_t cap)
{
	uint8_t d[32];
	int n;

	if (digest(MD_SHA256, buf, len, NULL, 0, d))
		return -1;
	n = ima_ng_template_data("sha256", d, sizeof(d), name, out, cap);
	if (n < 0 || len > UINT32_MAX || cap - (size_t)n < 4 + len)
		return -1;
	put_le32(out + n, (uint32_t)len);
	memcpy(out + n + 4, buf, len);
	return n + 4 + (int)len;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				      -1;
}

/* "KEY=" at *p; moves *p past it. */
static bool take_key(const char **p, const char *end, const char *key)
{
	size_t k = strlen(key);

	if ((size_t)(end - *p) < k || memcmp(*p, key, k))
		return false;
	*p += k;
	return true;
}

/* Decimal digits up to a space; moves *p past the space. */
static bool take_num(const char **p, const char *end, bool neg_ok, uint64_t max,
		     int64_t *v)
{
	bool neg = false;
	uint64_t n = 0;
	const char *q = *p;

	if (neg_ok && q < end && *q == '-') {
		neg = true;
		q++;
	}
	if (q == end || *q < '0' || *q > '9' ||
	    (*q == '0' && q + 1 < end && q[1] != ' '))
		return false;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (n > (max - (uint64_t)(*q - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*q - '0');
	}
	if (q == end || *q != ' ')
		return false;
	*p = q + 1;
	*v = neg ? -(int64_t)n : (int64_t)n;
	return true;
}

int ima_dl_record_parse(const struct ima_log_entry *e, struct ima_dl_record *r,
			char *err, size_t errlen)
{
	const char *p, *end;
	int64_t v;
	size_t plen;

	if (strcmp(e->template_name, "ima-buf") || !e->file_name || !e->buf)
		return 0;
	if (!strcmp(e->file_name, IMA_DL_RECORD_LOAD))
		r->unload = false;
	else if (!strcmp(e->file_name, IMA_DL_RECORD_UNLOAD))
		r->unload = true;
	else
		return 0;
	p = (const char *)e->buf;
	end = p + e->buf_len;
	if (!take_key(&p, end, "seq=") ||
	    !take_num(&p, end, false, UINT64_MAX, &v))
		return bad(e, err, errlen, "digest list record: bad seq");
	r->seq = (uint64_t)v;
	if (!take_key(&p, end, "result=") ||
	    !take_num(&p, end, true, 4095, &v) || v > 0)
		return bad(e, err, errlen, "digest list record: bad result");
	r->result = (int)v;
	if (!take_key(&p, end, "digest="))
		return bad(e, err, errlen, "digest list record: no digest");
	if (take_key(&p, end, "none ")) {
		r->has_digest = false;
	} else if (take_key(&p, end, "sha256:") && end - p > 64 &&
		   p[64] == ' ') {
		for (int i = 0; i < 32; i++) {
			int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return bad(e, err, errlen,
					   "digest list record: bad digest");
			r->sha256[i] = (uint8_t)(hi << 4 | lo);
		}
		r->has_digest = true;
		p += 65;
	} else {
		return bad(e, err, errlen, "digest list record: bad digest");
	}
	if (!take_key(&p, end, "path="))
		return bad(e, err, errlen, "digest list record: no path");
	plen = (size_t)(end - p);
	if (plen == 0 || plen >= sizeof(r->path) || memchr(p, '\0', plen))
		return bad(e, err, errlen, "digest list record: bad path");
	memcpy(r->path, p, plen);
	r->path[plen] = '\0';
	return 1;
}

int ima_dl_record_text(const struct ima_dl_record *r, char *out, size_t cap)
{
	char hex[65] = "none";
	int n;

	if (r->has_digest)
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", r->sha256[i]);
	n = snprintf(out, cap, "seq=%llu result=%d digest=%s%s path=%s",
		     (unsigned long long)r->seq, r->result,
		     r->has_digest ? "sha256:" : "", hex, r->path);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int ima_pcr_extend_data(const char *bank, uint8_t *pcr, const uint8_t *data,
			size_t len)
{
	const EVP_MD *md = bank_md(bank);
	uint8_t event[IMA_LOG_DIGEST_MAX];

	if (!md || digest(md, data, len, NULL, 0, event))
		return -1;
	return ima_pcr_extend(bank, pcr, event);
}

void ima_boot_aggregate_sha256(const uint8_t pcrs[10][32], uint8_t out[32])
{
	digest(MD_SHA256, pcrs, 10 * 32, NULL, 0, out);
}
