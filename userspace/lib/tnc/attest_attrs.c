// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/attest_attrs.h"

#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#define EVID_FINAL_TPM2_QUOTE 0x10 /* strongSwan's TPM 2.0 Quote Info */
#define REQ_FLAG_IMA_LOG 0x80
#define CLOCK_INFO_SIZE 17 /* marshalled TPMS_CLOCK_INFO */
#define EC_HALF_MAX 66 /* r or s of P-521, the largest curve */

/* A bounded reader over an attribute value; the first error sticks. */
struct rd {
	const char *attr;
	const uint8_t *buf;
	size_t len, off;
	char *err;
	size_t errlen;
	bool failed;
};

static int rd_fail(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int rd_fail(struct rd *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (r->failed)
		return -1;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tr_fail(r->err, r->errlen, "%s: %s", r->attr, msg);
}

static const uint8_t *rd_take(struct rd *r, size_t n, const char *field)
{
	const uint8_t *p = r->buf + r->off;

	if (r->failed)
		return NULL;
	if (r->len - r->off < n) {
		rd_fail(r, "truncated in %s (offset %zu)", field, r->off);
		return NULL;
	}
	r->off += n;
	return p;
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A big-endian integer of @n bytes (0 after an error). */
static uint64_t rd_uint(struct rd *r, size_t n, const char *field)
{
	return be(rd_take(r, n, field), n);
}

static int rd_end(struct rd *r)
{
	if (!r->failed && r->off != r->len)
		rd_fail(r, "%zu bytes after the end", r->len - r->off);
	return r->failed ? -1 : 0;
}

/* A bounded writer; it fails once @cap would be passed. */
struct wr {
	uint8_t *buf;
	size_t cap, n;
	bool full;
};

static void wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (w->full || w->cap - w->n < n) {
		w->full = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->n, p, n);
	w->n += n;
}

static void wr_uint(struct wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> 8 * (n - 1 - i));
	wr_bytes(w, b, n);
}

static int wr_done(const struct wr *w, const char *attr, char *err,
		   size_t errlen)
{
	return w->full ? tr_fail(err, errlen, "%s: buffer too small", attr) :
			 (int)w->n;
}

/* The 24 PCRs as a 32-bit map (bit i = PCR i); 0 for none. */
static uint32_t pcr_map(const unsigned char selected[TR_PCRS])
{
	uint32_t m = 0;

	for (int i = 0; i < TR_PCRS; i++)
		if (selected[i])
			m |= 1u << i;
	return m;
}

static void rd_pcr_map(struct rd *r, unsigned char selected[TR_PCRS])
{
	uint32_t m = (uint32_t)rd_uint(r, 4, "PCR selection");

	if (r->failed)
		return;
	if (!m || m >> TR_PCRS)
		rd_fail(r, "PCR selection 0x%08x (PCRs 0-23, at least one)", m);
	for (int i = 0; i < TR_PCRS; i++)
		selected[i] = (unsigned char)(m >> i & 1);
}

static void rd_sha256_alg(struct rd *r)
{
	uint16_t alg = (uint16_t)rd_uint(r, 2, "hash algorithm");

	if (!r->failed && alg != TR_PTS_ALG_SHA256)
		rd_fail(r, "hash algorithm 0x%04x (only SHA-256, 0x%04x)", alg,
			TR_PTS_ALG_SHA256);
}

static void rd_zero(struct rd *r, size_t n, const char *field)
{
	if (rd_uint(r, n, field))
		rd_fail(r, "%s not zero", field);
}

/* Quote Request: flags | reserved | alg(2) | PCRs(4) | len(2) | nonce */
int tr_attr_quote_request_encode(const struct tr_quote_request *r, uint8_t *out,
				 size_t cap, char *err, size_t errlen)
{
	struct wr w = { .buf = out, .cap = cap };
	uint32_t m = pcr_map(r->selected);

	if (!m || r->nonce.size < TR_QUOTE_NONCE_MIN ||
	    r->nonce.size > TR_QUOTE_NONCE_MAX)
		return tr_fail(err, errlen,
			       "Quote Request: no PCR, or a nonce of %u bytes",
			       r->nonce.size);
	wr_uint(&w, r->want_ima_log ? REQ_FLAG_IMA_LOG : 0, 1);
	wr_uint(&w, 0, 1);
	wr_uint(&w, TR_PTS_ALG_SHA256, 2);
	wr_uint(&w, m, 4);
	wr_uint(&w, r->nonce.size, 2);
	wr_bytes(&w, r->nonce.buffer, r->nonce.size);
	return wr_done(&w, "Quote Request", err, errlen);
}

int tr_attr_quote_request_decode(const uint8_t *buf, size_t len,
				 struct tr_quote_request *q, char *err,
				 size_t errlen)
{
	struct rd r = { "Quote Request", buf, len, 0, err, errlen, false };
	const uint8_t *nonce;
	uint8_t flags;
	uint16_t n;

	memset(q, 0, sizeof(*q));
	flags = (uint8_t)rd_uint(&r, 1, "flags");
	if (flags & ~REQ_FLAG_IMA_LOG)
		rd_fail(&r, "reserved flags 0x%02x set", flags);
	q->want_ima_log = flags & REQ_FLAG_IMA_LOG;
	rd_zero(&r, 1, "reserved");
	rd_sha256_alg(&r);
	rd_pcr_map(&r, q->selected);
	n = (uint16_t)rd_uint(&r, 2, "nonce length");
	if (!r.failed && (n < TR_QUOTE_NONCE_MIN || n > TR_QUOTE_NONCE_MAX))
		rd_fail(&r, "nonce of %u bytes (%d..%d)", n, TR_QUOTE_NONCE_MIN,
			TR_QUOTE_NONCE_MAX);
	nonce = rd_take(&r, n, "nonce");
	if (nonce) {
		q->nonce.size = n;
		memcpy(q->nonce.buffer, nonce, n);
	}
	return rd_end(&r);
}

/* PCR Values: alg(2) | reserved(2) | PCRs(4) | 32 bytes per PCR */
int tr_attr_pcr_values_encode(const struct tr_pcr_values *p, uint8_t *out,
			      size_t cap, char *err, size_t errlen)
{
	struct wr w = { .buf = out, .cap = cap };
	uint32_t m = pcr_map(p->selected);

	if (!m)
		return tr_fail(err, errlen, "PCR Values: no PCR");
	wr_uint(&w, TR_PTS_ALG_SHA256, 2);
	wr_uint(&w, 0, 2);
	wr_uint(&w, m, 4);
	for (int i = 0; i < TR_PCRS; i++)
		if (p->selected[i])
			wr_bytes(&w, p->value[i], 32);
	return wr_done(&w, "PCR Values", err, errlen);
}

int tr_attr_pcr_values_decode(const uint8_t *buf, size_t len,
			      struct tr_pcr_values *p, char *err, size_t errlen)
{
	struct rd r = { "PCR Values", buf, len, 0, err, errlen, false };
	char field[16];

	memset(p, 0, sizeof(*p));
	rd_sha256_alg(&r);
	rd_zero(&r, 2, "reserved");
	rd_pcr_map(&r, p->selected);
	for (int i = 0; i < TR_PCRS && !r.failed; i++) {
		const uint8_t *v;

		if (!p->selected[i])
			continue;
		snprintf(field, sizeof(field), "PCR %d", i);
		v = rd_take(&r, 32, field);
		if (v)
			memcpy(p->value[i], v, 32);
	}
	return rd_end(&r);
}

/*
 * Simple Evidence Final, TPM 2.0 quote: flags(1) = 0x10 | reserved(1) |
 * composite hash alg(2) | len(4) pcrDigest | len(2) qualifiedSigner |
 * len(2) clockInfo | len(2) firmwareVersion | len(2) TPML_PCR_SELECTION |
 * len(4) signature r || s.
 */
int tr_attr_evid_final_encode(const TPM2B_ATTEST *attest,
			      const TPMT_SIGNATURE *sig, uint8_t *out,
			      size_t cap, char *err, size_t errlen)
{
	struct wr w = { .buf = out, .cap = cap };
	uint8_t sel[sizeof(TPML_PCR_SELECTION)], clock[CLOCK_INFO_SIZE];
	uint8_t pad[EC_HALF_MAX] = { 0 };
	const TPM2B_ECC_PARAMETER *r, *s;
	size_t off = 0, sel_len = 0, clock_len = 0, half;
	TPMS_ATTEST a;

	if (Tss2_MU_TPMS_ATTEST_Unmarshal(attest->attestationData, attest->size,
					  &off, &a) ||
	    off != attest->size || a.magic != TPM2_GENERATED_VALUE ||
	    a.type != TPM2_ST_ATTEST_QUOTE ||
	    a.attested.quote.pcrDigest.size != 32)
		return tr_fail(
			err, errlen,
			"Simple Evidence Final: not a TPM 2.0 quote with a SHA-256 digest");
	r = &sig->signature.ecdsa.signatureR;
	s = &sig->signature.ecdsa.signatureS;
	half = r->size > s->size ? r->size : s->size;
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    sig->signature.ecdsa.hash != TPM2_ALG_SHA256 || !half ||
	    half > EC_HALF_MAX)
		return tr_fail(
			err, errlen,
			"Simple Evidence Final: not an ECDSA-SHA256 signature");
	if (Tss2_MU_TPML_PCR_SELECTION_Marshal(&a.attested.quote.pcrSelect, sel,
					       sizeof(sel), &sel_len) ||
	    Tss2_MU_TPMS_CLOCK_INFO_Marshal(&a.clockInfo, clock, sizeof(clock),
					    &clock_len))
		return tr_fail(err, errlen,
			       "Simple Evidence Final: cannot marshal");
	wr_uint(&w, EVID_FINAL_TPM2_QUOTE, 1);
	wr_uint(&w, 0, 1);
	wr_uint(&w, TR_PTS_ALG_SHA256, 2);
	wr_uint(&w, 32, 4);
	wr_bytes(&w, a.attested.quote.pcrDigest.buffer, 32);
	wr_uint(&w, a.qualifiedSigner.size, 2);
	wr_bytes(&w, a.qualifiedSigner.name, a.qualifiedSigner.size);
	wr_uint(&w, clock_len, 2);
	wr_bytes(&w, clock, clock_len);
	wr_uint(&w, 8, 2);
	wr_uint(&w, a.firmwareVersion, 8);
	wr_uint(&w, sel_len, 2);
	wr_bytes(&w, sel, sel_len);
	/* r and s at the same width, so that the verifier can split them. */
	wr_uint(&w, 2 * half, 4);
	wr_bytes(&w, pad, half - r->size);
	wr_bytes(&w, r->buffer, r->size);
	wr_bytes(&w, pad, half - s->size);
	wr_bytes(&w, s->buffer, s->size);
	return wr_done(&w, "Simple Evidence Final", err, errlen);
}

/* A length-prefixed field of @lenbytes whose length must be in range. */
static const uint8_t *rd_field(struct rd *r, size_t lenbytes, size_t min,
			       size_t max, const char *field, size_t *n)
{
	*n = (size_t)rd_uint(r, lenbytes, field);
	if (!r->failed && (*n < min || *n > max))
		rd_fail(r, "%s of %zu bytes (%zu..%zu)", field, *n, min, max);
	return rd_take(r, *n, field);
}

static void rd_tpm2_fields(struct rd *r, TPMS_ATTEST *a)
{
	const uint8_t *p;
	size_t n, off = 0;

	p = rd_field(r, 4, 32, 32, "PCR composite", &n);
	if (p) {
		a->attested.quote.pcrDigest.size = 32;
		memcpy(a->attested.quote.pcrDigest.buffer, p, 32);
	}
	p = rd_field(r, 2, 0, sizeof(a->qualifiedSigner.name),
		     "qualified signer", &n);
	if (p) {
		a->qualifiedSigner.size = (uint16_t)n;
		memcpy(a->qualifiedSigner.name, p, n);
	}
	p = rd_field(r, 2, CLOCK_INFO_SIZE, CLOCK_INFO_SIZE, "clock info", &n);
	if (p &&
	    (Tss2_MU_TPMS_CLOCK_INFO_Unmarshal(p, n, &off, &a->clockInfo) ||
	     a->clockInfo.safe > TPM2_YES))
		rd_fail(r, "malformed clock info");
	a->firmwareVersion = be(rd_field(r, 2, 8, 8, "version info", &n), 8);
	/* One bank, SHA-256, 3 or 4 bytes of map: what a quote of ours has;
	 * checked here so that unmarshalling cannot fail (and log). */
	p = rd_field(r, 2, 10, 11, "PCR selection", &n);
	if (p &&
	    (be(p, 4) != 1 || be(p + 4, 2) != TPM2_ALG_SHA256 || p[6] != n - 7))
		rd_fail(r, "PCR selection: not one SHA-256 bank");
	off = 0;
	if (!r->failed && Tss2_MU_TPML_PCR_SELECTION_Unmarshal(
				  p, n, &off, &a->attested.quote.pcrSelect))
		rd_fail(r, "malformed PCR selection");
}

int tr_attr_evid_final_decode(const uint8_t *buf, size_t len,
			      const TPM2B_DATA *nonce, TPM2B_ATTEST *attest,
			      TPMT_SIGNATURE *sig, char *err, size_t errlen)
{
	struct rd r = {
		"Simple Evidence Final", buf, len, 0, err, errlen, false
	};
	TPMS_ATTEST a = { .magic = TPM2_GENERATED_VALUE,
			  .type = TPM2_ST_ATTEST_QUOTE };
	uint8_t flags;
	const uint8_t *p;
	size_t n, off = 0;

	memset(sig, 0, sizeof(*sig));
	memset(attest, 0, sizeof(*attest));
	if (nonce->size > sizeof(a.extraData.buffer))
		return tr_fail(err, errlen, "nonce of %u bytes", nonce->size);
	flags = (uint8_t)rd_uint(&r, 1, "flags");
	if (!r.failed && flags != EVID_FINAL_TPM2_QUOTE)
		rd_fail(&r,
			"flags 0x%02x: only a TPM 2.0 quote (0x10) without evidence signature",
			flags);
	rd_zero(&r, 1, "reserved");
	rd_sha256_alg(&r);
	rd_tpm2_fields(&r, &a);
	p = rd_field(&r, 4, 2, 2 * EC_HALF_MAX, "quote signature", &n);
	if (p && n % 2)
		rd_fail(&r, "quote signature of %zu bytes is not r || s", n);
	if (rd_end(&r) < 0)
		return -1;
	sig->sigAlg = TPM2_ALG_ECDSA;
	sig->signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig->signature.ecdsa.signatureR.size = (uint16_t)(n / 2);
	memcpy(sig->signature.ecdsa.signatureR.buffer, p, n / 2);
	sig->signature.ecdsa.signatureS.size = (uint16_t)(n / 2);
	memcpy(sig->signature.ecdsa.signatureS.buffer, p + n / 2, n / 2);
	/* The quote as the TPM signed it, if it was for @nonce. */
	a.extraData.size = nonce->size;
	memcpy(a.extraData.buffer, nonce->buffer, nonce->size);
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, attest->attestationData,
					sizeof(attest->attestationData), &off))
		return tr_fail(err, errlen,
			       "Simple Evidence Final: cannot marshal");
	attest->size = (uint16_t)off;
	return 0;
}

/* IMA Log: total(4) | offset(4) | bytes */
int tr_attr_ima_log_encode(const uint8_t *log, size_t len, size_t off,
			   uint8_t *out, size_t cap, size_t *next, char *err,
			   size_t errlen)
{
	struct wr w = { .buf = out, .cap = cap };
	size_t n;

	if (len > TR_IMA_LOG_MAX || off > len || (off == len && len) ||
	    cap < 8 + (len ? 1 : 0))
		return tr_fail(
			err, errlen,
			"IMA Log: offset %zu of %zu bytes (at most %u), buffer %zu",
			off, len, TR_IMA_LOG_MAX, cap);
	n = len - off;
	if (n > TR_IMA_LOG_CHUNK_MAX)
		n = TR_IMA_LOG_CHUNK_MAX;
	if (n > cap - 8)
		n = cap - 8;
	wr_uint(&w, len, 4);
	wr_uint(&w, off, 4);
	wr_bytes(&w, log + off, n);
	*next = off + n;
	return wr_done(&w, "IMA Log", err, errlen);
}

int tr_attr_ima_log_decode(const uint8_t *buf, size_t len,
			   struct tr_ima_log_chunk *c, char *err, size_t errlen)
{
	struct rd r = { "IMA Log", buf, len, 0, err, errlen, false };

	memset(c, 0, sizeof(*c));
	c->total = (uint32_t)rd_uint(&r, 4, "total length");
	c->offset = (uint32_t)rd_uint(&r, 4, "offset");
	if (r.failed)
		return -1;
	if (c->total > TR_IMA_LOG_MAX)
		return rd_fail(&r, "a log of %u bytes (at most %u)", c->total,
			       TR_IMA_LOG_MAX);
	if (len - r.off > TR_IMA_LOG_CHUNK_MAX)
		return rd_fail(&r, "a chunk of %zu bytes (at most %u)",
			       len - r.off, TR_IMA_LOG_CHUNK_MAX);
	c->data = buf + r.off;
	c->len = (uint32_t)(len - r.off);
	if (c->offset > c->total || c->len > c->total - c->offset)
		return rd_fail(&r, "bytes %u..%llu of a log of %u", c->offset,
			       (unsigned long long)c->offset + c->len,
			       c->total);
	if (!c->len && c->total)
		return rd_fail(&r, "empty chunk of a log of %u bytes",
			       c->total);
	return 0;
}

int tr_ima_log_rx_add(struct tr_ima_log_rx *rx, const uint8_t *val, size_t len,
		      char *err, size_t errlen)
{
	struct tr_ima_log_chunk c;

	if (tr_attr_ima_log_decode(val, len, &c, err, errlen) < 0)
		return -1;
	if (!rx->started) {
		rx->buf = NULL;
		rx->total = c.total;
		rx->have = rx->cap = 0;
		rx->started = true;
	} else if (c.total != rx->total) {
		return tr_fail(err, errlen,
			       "IMA Log: a chunk of a log of %u bytes, not %u",
			       c.total, rx->total);
	}
	if (c.offset != rx->have)
		return tr_fail(err, errlen,
			       "IMA Log: chunk at offset %u, expected %u",
			       c.offset, rx->have);
	/* The total is the peer's claim: memory follows the bytes that
	 * came (decode keeps them within the total), doubling so that a
	 * log of many chunks is copied O(1) times a byte. At least one
	 * byte, so that a complete empty log has a buffer too. */
	if (!rx->buf || c.len > rx->cap - rx->have) {
		uint32_t need = rx->have + c.len, cap = rx->cap;
		uint8_t *nb;

		cap = cap > rx->total / 2 ? rx->total : cap * 2;
		if (cap < need)
			cap = need;
		if (!cap)
			cap = 1;
		nb = realloc(rx->buf, cap);
		if (!nb)
			return tr_fail(err, errlen, "IMA Log: out of memory");
		rx->buf = nb;
		rx->cap = cap;
	}
	if (c.len)
		memcpy(rx->buf + rx->have, c.data, c.len);
	rx->have += c.len;
	return rx->have == rx->total;
}

void tr_ima_log_rx_free(struct tr_ima_log_rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

int tr_attr_device_name_decode(const uint8_t *buf, size_t len, char *name,
			       size_t cap, char *err, size_t errlen)
{
	if (!len || len > TR_ATTR_DEVICE_NAME_MAX || len >= cap)
		return tr_fail(err, errlen, "Device Name: %zu bytes, not 1..%d",
			       len, TR_ATTR_DEVICE_NAME_MAX);
	/* It names a device in logs and the store: a host name only. */
	if (tr_host_name_span(buf, len) != len)
		return tr_fail(err, errlen,
			       "Device Name: byte %zu is not a host name's",
			       tr_host_name_span(buf, len));
	memcpy(name, buf, len);
	name[len] = 0;
	return 0;
}
