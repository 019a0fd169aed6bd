// SPDX-License-Identifier: GPL-2.0-only
/* The attestation attribute values: layouts, round trips, bad input. */
#include "tnc/attest_attrs.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

typedef int decoder(const uint8_t *, size_t, char *, size_t);

static TPM2B_DATA nonce = { .size = 16 };

/* Every proper prefix of @buf is refused, with a reason. */
static void every_prefix_refused(decoder *dec, const uint8_t *buf, size_t len)
{
	char err[256];

	for (size_t n = 0; n < len; n++) {
		err[0] = '\0';
		if (dec(buf, n, err, sizeof(err)) != -1 || !err[0])
			fail_msg("a prefix of %zu bytes was not refused", n);
	}
}

static void expect_refused(decoder *dec, const uint8_t *buf, size_t len,
			   const char *why)
{
	char err[256] = "";

	assert_int_equal(dec(buf, len, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
}

static int dec_request(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	struct tr_quote_request r;

	return tr_attr_quote_request_decode(b, n, &r, err, errlen);
}

static int dec_pcrs(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	struct tr_pcr_values p;

	return tr_attr_pcr_values_decode(b, n, &p, err, errlen);
}

static int dec_final(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	TPM2B_ATTEST a;
	TPMT_SIGNATURE s;

	return tr_attr_evid_final_decode(b, n, &nonce, &a, &s, err, errlen);
}

static int dec_chunk(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	struct tr_ima_log_chunk c;

	return tr_attr_ima_log_decode(b, n, &c, err, errlen);
}

static void test_quote_request(void **state)
{
	static const uint8_t want[10] = { 0x80, 0,    0x40, 0, 0x00,
					  0x01, 0x0c, 0x00, 0, 16 };
	struct tr_quote_request r = { .want_ima_log = true }, back;
	uint8_t b[TR_ATTR_QUOTE_REQUEST_MAX + 1];
	char err[256];
	int n;

	(void)state;
	r.selected[10] = r.selected[11] = r.selected[16] = 1;
	r.nonce.size = 16;
	memset(r.nonce.buffer, 0x33, 16);
	n = tr_attr_quote_request_encode(&r, b, sizeof(b), err, sizeof(err));
	assert_int_equal(n, 26);
	assert_memory_equal(b, want, sizeof(want));
	assert_int_equal(tr_attr_quote_request_decode(b, (size_t)n, &back, err,
						      sizeof(err)),
			 0);
	assert_true(back.want_ima_log);
	assert_memory_equal(back.selected, r.selected, TR_PCRS);
	assert_int_equal(back.nonce.size, 16);
	assert_memory_equal(back.nonce.buffer, r.nonce.buffer, 16);
	every_prefix_refused(dec_request, b, (size_t)n);
	expect_refused(dec_request, b, (size_t)n + 1, "1 bytes after the end");

	b[0] = 0x81;
	expect_refused(dec_request, b, 26, "reserved flags 0x81 set");
	b[0] = 0;
	b[1] = 1;
	expect_refused(dec_request, b, 26, "reserved not zero");
	b[1] = 0;
	b[2] = 0x80; /* SHA-1 */
	expect_refused(dec_request, b, 26, "hash algorithm 0x8000");
	b[2] = 0x40;
	b[4] = 1; /* PCR 24 */
	expect_refused(dec_request, b, 26, "PCR selection 0x01010c00");
	memset(b + 4, 0, 4);
	expect_refused(dec_request, b, 26, "PCR selection 0x00000000");
	b[5] = 1;
	b[9] = 15;
	expect_refused(dec_request, b, 25, "nonce of 15 bytes");
	b[9] = 33;
	expect_refused(dec_request, b, 43, "nonce of 33 bytes");

	r.nonce.size = 8;
	assert_int_equal(tr_attr_quote_request_encode(&r, b, sizeof(b), err,
						      sizeof(err)),
			 -1);
	r.nonce.size = 16;
	assert_int_equal(
		tr_attr_quote_request_encode(&r, b, 25, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "buffer too small"));
	memset(r.selected, 0, sizeof(r.selected));
	assert_int_equal(tr_attr_quote_request_encode(&r, b, sizeof(b), err,
						      sizeof(err)),
			 -1);
}

static void test_pcr_values(void **state)
{
	struct tr_pcr_values p = { 0 }, back;
	uint8_t b[TR_ATTR_PCR_VALUES_MAX];
	char err[256];
	int n;

	(void)state;
	p.selected[0] = p.selected[10] = p.selected[23] = 1;
	memset(p.value[0], 0xa0, 32);
	memset(p.value[10], 0xaa, 32);
	memset(p.value[23], 0xb7, 32);
	memset(p.value[5], 0x55, 32); /* not selected: not sent */
	n = tr_attr_pcr_values_encode(&p, b, sizeof(b), err, sizeof(err));
	assert_int_equal(n, 8 + 3 * 32);
	assert_memory_equal(b, "\x40\0\0\0\x00\x80\x04\x01", 8);
	assert_int_equal(b[8], 0xa0);
	assert_int_equal(b[40], 0xaa);
	assert_int_equal(b[72], 0xb7);
	assert_int_equal(tr_attr_pcr_values_decode(b, (size_t)n, &back, err,
						   sizeof(err)),
			 0);
	memset(p.value[5], 0, 32);
	assert_memory_equal(&back, &p, sizeof(p));
	every_prefix_refused(dec_pcrs, b, (size_t)n);
	expect_refused(dec_pcrs, b, (size_t)n - 1, "truncated in PCR 23");
	b[3] = 1;
	expect_refused(dec_pcrs, b, (size_t)n, "reserved not zero");
	b[3] = 0;
	memcpy(b + 4, "\0\0\0\x03", 4); /* PCRs 0, 1: a value too many */
	expect_refused(dec_pcrs, b, (size_t)n, "32 bytes after the end");
	memset(p.selected, 0, sizeof(p.selected));
	assert_int_equal(tr_attr_pcr_values_encode(&p, b, sizeof(b), err,
						   sizeof(err)),
			 -1);
}

/* A quote as a TPM would marshal it (no TPM here). */
static void make_quote(TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig)
{
	TPMS_ATTEST a = {
		.magic = TPM2_GENERATED_VALUE,
		.type = TPM2_ST_ATTEST_QUOTE,
		.qualifiedSigner = { .size = 34 },
		.clockInfo = { .clock = 0x1122334455,
			       .resetCount = 7,
			       .restartCount = 2,
			       .safe = TPM2_YES },
		.firmwareVersion = 0x2023031400010002ull,
	};
	TPMS_PCR_SELECTION *s = &a.attested.quote.pcrSelect.pcrSelections[0];
	size_t off = 0;

	memset(a.qualifiedSigner.name, 0x0b, 34);
	a.extraData = nonce;
	a.attested.quote.pcrSelect.count = 1;
	s->hash = TPM2_ALG_SHA256;
	s->sizeofSelect = 3;
	s->pcrSelect[1] = 0x0c;
	a.attested.quote.pcrDigest.size = 32;
	memset(a.attested.quote.pcrDigest.buffer, 0xd1, 32);
	assert_int_equal(Tss2_MU_TPMS_ATTEST_Marshal(
				 &a, attest->attestationData,
				 sizeof(attest->attestationData), &off),
			 0);
	attest->size = (uint16_t)off;
	memset(sig, 0, sizeof(*sig));
	sig->sigAlg = TPM2_ALG_ECDSA;
	sig->signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig->signature.ecdsa.signatureR.size = 32;
	memset(sig->signature.ecdsa.signatureR.buffer, 0x52, 32);
	sig->signature.ecdsa.signatureS.size = 31; /* a short one is padded */
	memset(sig->signature.ecdsa.signatureS.buffer, 0x53, 31);
}

static void test_evidence_final(void **state)
{
	TPM2B_ATTEST attest, back;
	TPMT_SIGNATURE sig, bsig;
	uint8_t b[TR_ATTR_EVID_FINAL_MAX], again[TR_ATTR_EVID_FINAL_MAX];
	char err[256];
	size_t sig_at;
	int n;

	(void)state;
	memset(nonce.buffer, 0x4e, nonce.size);
	make_quote(&attest, &sig);
	n = tr_attr_evid_final_encode(&attest, &sig, b, sizeof(b), err,
				      sizeof(err));
	assert_int_equal(n, 4 + 4 + 32 + 2 + 34 + 2 + 17 + 2 + 8 + 2 + 10 + 4 +
				    64);
	/* flags, reserved, SHA-256, the composite (pcrDigest) */
	assert_memory_equal(b, "\x10\0\x40\0\0\0\0\x20\xd1", 9);
	assert_memory_equal(b + 40, "\0\x22\x0b", 3); /* qualified signer */
	assert_memory_equal(b + 76, "\0\x11\0\0\0\x11\x22\x33\x44\x55", 10);
	assert_memory_equal(b + 95, "\0\x08\x20\x23\x03\x14\0\x01\0\x02", 10);
	assert_memory_equal(b + 105, "\0\x0a\0\0\0\x01\0\x0b\x03\0\x0c\0", 12);
	sig_at = 117;
	assert_memory_equal(b + sig_at, "\0\0\0\x40\x52", 5);
	assert_memory_equal(b + sig_at + 36, "\0\x53", 2);

	assert_int_equal(tr_attr_evid_final_decode(b, (size_t)n, &nonce, &back,
						   &bsig, err, sizeof(err)),
			 0);
	assert_int_equal(back.size, attest.size);
	assert_memory_equal(back.attestationData, attest.attestationData,
			    attest.size);
	assert_int_equal(bsig.signature.ecdsa.signatureS.size, 32);
	assert_int_equal(bsig.signature.ecdsa.signatureS.buffer[0], 0);
	assert_memory_equal(bsig.signature.ecdsa.signatureR.buffer,
			    sig.signature.ecdsa.signatureR.buffer, 32);
	assert_int_equal(tr_attr_evid_final_encode(&back, &bsig, again,
						   sizeof(again), err,
						   sizeof(err)),
			 n);
	assert_memory_equal(again, b, (size_t)n);

	every_prefix_refused(dec_final, b, (size_t)n);
	b[0] = 0x40; /* TPM 1.2 TPM_QUOTE_INFO */
	expect_refused(dec_final, b, (size_t)n, "flags 0x40");
	b[0] = 0x30; /* with an evidence signature */
	expect_refused(dec_final, b, (size_t)n, "flags 0x30");
	b[0] = 0x10;
	b[7] = 20; /* a SHA-1 composite */
	expect_refused(dec_final, b, (size_t)n, "PCR composite of 20 bytes");
	b[7] = 32;
	b[77] = 16;
	expect_refused(dec_final, b, (size_t)n, "clock info of 16 bytes");
	b[77] = 17;
	b[94] = 2; /* safe */
	expect_refused(dec_final, b, (size_t)n, "malformed clock info");
	b[94] = 1;
	b[110] = 2; /* two banks, one given */
	expect_refused(dec_final, b, (size_t)n, "not one SHA-256 bank");
	b[110] = 1;
	b[112] = 0x04; /* SHA-1 */
	expect_refused(dec_final, b, (size_t)n, "not one SHA-256 bank");
	b[112] = 0x0b;
	b[113] = 4; /* a map of 4 bytes, 3 given */
	expect_refused(dec_final, b, (size_t)n, "not one SHA-256 bank");
	b[113] = 3;
	b[sig_at + 3] = 63;
	expect_refused(dec_final, b, (size_t)n - 1, "not r || s");
	b[sig_at + 3] = 64;
	expect_refused(dec_final, b, (size_t)n + 1, "1 bytes after the end");

	/* Not a quote, not ECDSA: nothing to send. */
	attest.attestationData[5] = 0x17; /* TPM2_ST_ATTEST_CERTIFY */
	assert_int_equal(tr_attr_evid_final_encode(&attest, &sig, b, sizeof(b),
						   err, sizeof(err)),
			 -1);
	attest.attestationData[5] = 0x18;
	sig.sigAlg = TPM2_ALG_RSASSA;
	assert_int_equal(tr_attr_evid_final_encode(&attest, &sig, b, sizeof(b),
						   err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an ECDSA-SHA256"));
}

static void test_ima_log_chunks(void **state)
{
	static uint8_t log[150000], val[TR_ATTR_IMA_LOG_MAX];
	struct tr_ima_log_rx rx = { 0 };
	size_t off = 0, next;
	char err[256];
	int n, rc = 0, chunks = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(log); i++)
		log[i] = (uint8_t)(i * 7 + i / 251);
	while (off < sizeof(log)) {
		n = tr_attr_ima_log_encode(log, sizeof(log), off, val,
					   sizeof(val), &next, err,
					   sizeof(err));
		assert_true(n > 8);
		assert_int_equal(rc, 0);
		rc = tr_ima_log_rx_add(&rx, val, (size_t)n, err, sizeof(err));
		assert_true(rc >= 0);
		off = next;
		chunks++;
	}
	assert_int_equal(rc, 1);
	assert_int_equal(chunks, 3); /* 65000 + 65000 + 20000 */
	assert_int_equal(rx.total, sizeof(log));
	assert_memory_equal(rx.buf, log, sizeof(log));
	tr_ima_log_rx_free(&rx);

	/* A smaller buffer, smaller chunks. */
	n = tr_attr_ima_log_encode(log, sizeof(log), 100, val, 108, &next, err,
				   sizeof(err));
	assert_int_equal(n, 108);
	assert_int_equal(next, 200);
	assert_memory_equal(val, "\0\x02\x49\xf0\0\0\0\x64", 8);

	/* An empty log is one empty chunk. */
	n = tr_attr_ima_log_encode(log, 0, 0, val, sizeof(val), &next, err,
				   sizeof(err));
	assert_int_equal(n, 8);
	assert_int_equal(tr_ima_log_rx_add(&rx, val, 8, err, sizeof(err)), 1);
	assert_int_equal(rx.total, 0);
	tr_ima_log_rx_free(&rx);
	assert_int_equal(tr_attr_ima_log_encode(log, 10, 10, val, sizeof(val),
						&next, err, sizeof(err)),
			 -1);
}

/*
 * The total is the peer's claim: the first chunk of a log claiming
 * TR_IMA_LOG_MAX (16 MiB) with 8 bytes in it made the verifier allocate
 * 16 MiB, and a few sessions' first chunks held hundreds of MB. Memory
 * now follows what arrived: at most twice the bytes received, never more
 * than the total, and exactly the total once the log is complete.
 */
static void test_ima_log_claim(void **state)
{
	static uint8_t log[1000000], val[TR_ATTR_IMA_LOG_MAX];
	uint8_t claim[16] = { 0x01, 0,	 0,   0,   0,	0,   0,	  0,
			      'a',  'b', 'c', 'd', 'e', 'f', 'g', 'h' };
	struct tr_ima_log_rx rx[64] = { 0 };
	size_t off = 0, next;
	char err[256];
	int n, rc = 0;

	(void)state;
	/* 64 sessions each claiming 16 MiB, each with 8 bytes: 8 bytes
	 * each, not 1 GiB. */
	for (int i = 0; i < 64; i++) {
		assert_int_equal(tr_ima_log_rx_add(&rx[i], claim, sizeof(claim),
						   err, sizeof(err)),
				 0);
		assert_int_equal(rx[i].total, TR_IMA_LOG_MAX);
		assert_int_equal(rx[i].have, 8);
		assert_int_equal(rx[i].cap, 8);
	}
	/* More tiny chunks: the buffer doubles, no more than twice what
	 * came. */
	for (uint32_t o = 8; o < 4096; o += 8) {
		claim[4] = (uint8_t)(o >> 24);
		claim[5] = (uint8_t)(o >> 16);
		claim[6] = (uint8_t)(o >> 8);
		claim[7] = (uint8_t)o;
		assert_int_equal(tr_ima_log_rx_add(&rx[0], claim, sizeof(claim),
						   err, sizeof(err)),
				 0);
		assert_true(rx[0].cap >= rx[0].have);
		assert_true(rx[0].cap <= 2 * rx[0].have);
	}
	assert_memory_equal(rx[0].buf + 4088, "abcdefgh", 8);
	for (int i = 0; i < 64; i++)
		tr_ima_log_rx_free(&rx[i]);

	/* A whole log in full chunks: reassembled, the buffer the total. */
	for (size_t i = 0; i < sizeof(log); i++)
		log[i] = (uint8_t)(i * 13 + i / 509);
	while (off < sizeof(log)) {
		n = tr_attr_ima_log_encode(log, sizeof(log), off, val,
					   sizeof(val), &next, err,
					   sizeof(err));
		assert_true(n > 8);
		assert_int_equal(rc, 0);
		rc = tr_ima_log_rx_add(&rx[0], val, (size_t)n, err,
				       sizeof(err));
		assert_true(rc >= 0);
		assert_true(rx[0].cap <= sizeof(log));
		assert_true(rx[0].cap <= 2 * rx[0].have);
		off = next;
	}
	assert_int_equal(rc, 1);
	assert_int_equal(rx[0].cap, sizeof(log));
	assert_memory_equal(rx[0].buf, log, sizeof(log));
	tr_ima_log_rx_free(&rx[0]);
}

static void test_ima_log_refusals(void **state)
{
	static uint8_t log[1000], val[TR_IMA_LOG_CHUNK_MAX + 9];
	struct tr_ima_log_rx rx = { 0 };
	size_t next;
	char err[256];
	int n;

	(void)state;
	every_prefix_refused(dec_chunk, (const uint8_t *)"\0\0\0\x10\0\0\0\0",
			     8);
	expect_refused(dec_chunk, (const uint8_t *)"\0\0\0\x10\0\0\0\0", 8,
		       "empty chunk of a log of 16 bytes");
	expect_refused(dec_chunk, (const uint8_t *)"\x01\0\0\x01\0\0\0\0x", 9,
		       "a log of 16777217 bytes");
	expect_refused(dec_chunk, (const uint8_t *)"\0\0\0\x02\0\0\0\x01xy", 10,
		       "bytes 1..3 of a log of 2");
	expect_refused(dec_chunk,
		       (const uint8_t *)"\0\0\0\x02\xff\xff\xff\xffx", 9,
		       "of a log of 2");
	memset(val, 0, sizeof(val));
	val[1] = 0xff;
	expect_refused(dec_chunk, val, sizeof(val), "a chunk of 65001 bytes");

	/* Out of order, and another total. */
	n = tr_attr_ima_log_encode(log, sizeof(log), 0, val, 108, &next, err,
				   sizeof(err));
	assert_int_equal(
		tr_ima_log_rx_add(&rx, val, (size_t)n, err, sizeof(err)), 0);
	n = tr_attr_ima_log_encode(log, sizeof(log), 200, val, 108, &next, err,
				   sizeof(err));
	assert_int_equal(
		tr_ima_log_rx_add(&rx, val, (size_t)n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chunk at offset 200, expected 100"));
	n = tr_attr_ima_log_encode(log, sizeof(log) - 1, 100, val, 108, &next,
				   err, sizeof(err));
	assert_int_equal(
		tr_ima_log_rx_add(&rx, val, (size_t)n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a log of 999 bytes, not 1000"));
	tr_ima_log_rx_free(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_request),
		cmocka_unit_test(test_pcr_values),
		cmocka_unit_test(test_evidence_final),
		cmocka_unit_test(test_ima_log_chunks),
		cmocka_unit_test(test_ima_log_claim),
		cmocka_unit_test(test_ima_log_refusals),
	};

	return TR_RUN(tests, NULL, NULL);
}
