// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the TPM 2.0 key file codec: round trips, and every kind
 * of malformed or unsupported input refused with a message naming it. The
 * malformed inputs are built here with an independent DER writer, which
 * also checks the encoder's output byte for byte.
 */
#include "tpm/keyfile.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#define OWNER TR_PARENT_OWNER

/* A DER object under construction. */
struct buf {
	uint8_t b[12288];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	if (n)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put_byte(struct buf *o, uint8_t c)
{
	put(o, &c, 1);
}

/* Tag, DER (shortest) length, contents. */
static void tlv(struct buf *o, uint8_t tag, const void *c, size_t n)
{
	put_byte(o, tag);
	if (n < 0x80) {
		put_byte(o, (uint8_t)n);
	} else if (n < 0x100) {
		put_byte(o, 0x81);
		put_byte(o, (uint8_t)n);
	} else {
		assert_true(n < 0x10000);
		put_byte(o, 0x82);
		put_byte(o, (uint8_t)(n >> 8));
		put_byte(o, (uint8_t)n);
	}
	put(o, c, n);
}

static void tlv_buf(struct buf *o, uint8_t tag, const struct buf *c)
{
	tlv(o, tag, c->b, c->n);
}

/* A non-negative DER INTEGER. */
static void der_uint(struct buf *o, uint64_t v)
{
	uint8_t c[9];
	int n = 0, i;

	for (i = 7; i > 0 && !(v >> (8 * i)); i--)
		;
	if ((v >> (8 * i)) & 0x80)
		c[n++] = 0;
	for (; i >= 0; i--)
		c[n++] = (uint8_t)(v >> (8 * i));
	tlv(o, 0x02, c, (size_t)n);
}

/* TPMPolicy ::= SEQUENCE { [0] INTEGER, [1] OCTET STRING } */
static void der_stmt(struct buf *o, uint32_t cc, const void *body, size_t n)
{
	struct buf s = { .n = 0 }, t = { .n = 0 };

	der_uint(&t, cc);
	tlv_buf(&s, 0xa0, &t);
	t.n = 0;
	tlv(&t, 0x04, body, n);
	tlv_buf(&s, 0xa1, &t);
	tlv_buf(o, 0x30, &s);
}

static const uint8_t oid_loadable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x03 };
static const uint8_t oid_importable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x04 };
static const uint8_t oid_sealed[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x05 };
static const uint8_t oid_ec_pubkey[] = { 0x2a, 0x86, 0x48, 0xce,
					 0x3d, 0x02, 0x01 };

/* What goes into a hand-built TPMKey; zero fields take valid defaults. */
struct kspec {
	const uint8_t *oid;
	size_t oid_len;
	struct buf opt; /* encoded optional fields [0]..[5] */
	struct buf parent; /* encoded INTEGER; empty: the owner SRK */
	const uint8_t *pub, *priv;
	size_t pub_len, priv_len;
};

static uint8_t valid_pub[512], valid_priv[256];
static size_t valid_pub_len, valid_priv_len;

static void der_key(struct buf *o, const struct kspec *s)
{
	struct buf k = { .n = 0 };

	o->n = 0;
	if (s->oid)
		tlv(&k, 0x06, s->oid, s->oid_len);
	else
		tlv(&k, 0x06, oid_loadable, sizeof(oid_loadable));
	put(&k, s->opt.b, s->opt.n);
	if (s->parent.n)
		put(&k, s->parent.b, s->parent.n);
	else
		der_uint(&k, OWNER);
	if (s->pub)
		tlv(&k, 0x04, s->pub, s->pub_len);
	else
		tlv(&k, 0x04, valid_pub, valid_pub_len);
	if (s->priv)
		tlv(&k, 0x04, s->priv, s->priv_len);
	else
		tlv(&k, 0x04, valid_priv, valid_priv_len);
	tlv_buf(o, 0x30, &k);
}

/* [tag] EXPLICIT BOOLEAN with content octet @v. */
static void opt_bool(struct buf *o, uint8_t tag, uint8_t v)
{
	struct buf t = { .n = 0 };

	tlv(&t, 0x01, &v, 1);
	tlv_buf(o, tag, &t);
}

/* [tag] EXPLICIT SEQUENCE OF TPMPolicy from @stmts (concatenated). */
static void opt_policy(struct buf *o, uint8_t tag, const struct buf *stmts)
{
	struct buf t = { .n = 0 };

	tlv_buf(&t, 0x30, stmts);
	tlv_buf(o, tag, &t);
}

static void opt_utf8(struct buf *o, uint8_t tag, const void *s, size_t n)
{
	struct buf t = { .n = 0 };

	tlv(&t, 0x0c, s, n);
	tlv_buf(o, tag, &t);
}

/* An ECC P-256 signing key's TPM2B_PUBLIC, marshalled by tpm2-tss. */
static size_t make_pub(uint8_t *out, size_t cap, uint8_t fill)
{
	TPM2B_PUBLIC p = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
					    TPMA_OBJECT_USERWITHAUTH |
					    TPMA_OBJECT_FIXEDTPM |
					    TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN,
			.parameters.eccDetail = {
				.symmetric.algorithm = TPM2_ALG_NULL,
				.scheme.scheme = TPM2_ALG_ECDSA,
				.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
			.unique.ecc = { .x.size = 32, .y.size = 32 },
		},
	};
	size_t off = 0;

	memset(p.publicArea.unique.ecc.x.buffer, fill, 32);
	memset(p.publicArea.unique.ecc.y.buffer, fill ^ 0x55, 32);
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(&p, out, cap, &off),
			 TSS2_RC_SUCCESS);
	return off;
}

static size_t make_priv(uint8_t *out, size_t cap)
{
	TPM2B_PRIVATE p = { .size = 126 };
	size_t off = 0;

	for (int i = 0; i < p.size; i++)
		p.buffer[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(Tss2_MU_TPM2B_PRIVATE_Marshal(&p, out, cap, &off),
			 TSS2_RC_SUCCESS);
	return off;
}

static int setup(void **state)
{
	(void)state;
	valid_pub_len = make_pub(valid_pub, sizeof(valid_pub), 0x11);
	valid_priv_len = make_priv(valid_priv, sizeof(valid_priv));
	return 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n);

	assert_non_null(d);
	memcpy(d, p, n);
	return d;
}

/* A valid key without policies: owner SRK parent, empty auth. */
static void base_key(struct tr_keyfile *k)
{
	memset(k, 0, sizeof(*k));
	k->empty_auth = true;
	k->parent = OWNER;
	k->pub = dup_bytes(valid_pub, valid_pub_len);
	k->pub_len = valid_pub_len;
	k->priv = dup_bytes(valid_priv, valid_priv_len);
	k->priv_len = valid_priv_len;
}

static void add(struct tr_policy *p, uint32_t cc, const void *body, size_t n)
{
	char err[256];

	if (tr_policy_add(p, cc, body, n, err, sizeof(err)) < 0)
		fail_msg("tr_policy_add(0x%x, %zu bytes): %s", cc, n, err);
}

static void policy_equal(const char *what, const struct tr_policy *a,
			 const struct tr_policy *b)
{
	if (a->n != b->n)
		fail_msg("%s: %zu statements, expected %zu", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct tr_policy_stmt *x = &a->stmt[i], *y = &b->stmt[i];

		if (x->cc != y->cc || x->len != y->len ||
		    (x->len && memcmp(x->body, y->body, x->len)))
			fail_msg(
				"%s statement %zu differs: cc 0x%x/%zu bytes, expected 0x%x/%zu bytes",
				what, i, x->cc, x->len, y->cc, y->len);
	}
}

static void str_equal(const char *what, const char *a, const char *b)
{
	if (!a != !b || (a && strcmp(a, b)))
		fail_msg("%s is \"%s\", expected \"%s\"", what,
			 a ? a : "(absent)", b ? b : "(absent)");
}

static void key_equal(const struct tr_keyfile *a, const struct tr_keyfile *b)
{
	char what[40];

	assert_int_equal(a->empty_auth, b->empty_auth);
	assert_int_equal(a->parent, b->parent);
	assert_int_equal(a->pub_len, b->pub_len);
	assert_memory_equal(a->pub, b->pub, a->pub_len);
	assert_int_equal(a->priv_len, b->priv_len);
	assert_memory_equal(a->priv, b->priv, a->priv_len);
	policy_equal("policy", &a->policy, &b->policy);
	assert_int_equal(a->n_auth, b->n_auth);
	for (size_t i = 0; i < a->n_auth; i++) {
		snprintf(what, sizeof(what), "authPolicy %zu", i);
		str_equal(what, a->auth[i].name, b->auth[i].name);
		policy_equal(what, &a->auth[i].policy, &b->auth[i].policy);
	}
	str_equal("description", a->description, b->description);
}

static bool is_zero(const struct tr_keyfile *k)
{
	static const struct tr_keyfile zero;

	return !memcmp(k, &zero, sizeof(zero));
}

/* Encode @k, decode it back, compare; also check determinism. */
static void round_trip(const struct tr_keyfile *k, struct buf *der_out)
{
	struct tr_keyfile back;
	uint8_t *der, *der2;
	size_t len, len2;
	char err[256];

	if (tr_keyfile_encode(k, &der, &len, err, sizeof(err)) < 0)
		fail_msg("encode: %s", err);
	if (tr_keyfile_decode(der, len, &back, err, sizeof(err)) < 0)
		fail_msg("decode of our own encoding: %s", err);
	key_equal(&back, k);
	assert_int_equal(
		tr_keyfile_encode(&back, &der2, &len2, err, sizeof(err)), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(der2, der, len);
	if (der_out) {
		der_out->n = 0;
		put(der_out, der, len);
	}
	free(der);
	free(der2);
	tr_keyfile_free(&back);
}

/* Decoding @der must fail with a message containing @want. */
static void expect_fail(const uint8_t *der, size_t len, const char *want)
{
	struct tr_keyfile k;
	char err[256] = "";

	memset(&k, 0xa5, sizeof(k));
	if (tr_keyfile_decode(der, len, &k, err, sizeof(err)) == 0) {
		tr_keyfile_free(&k);
		fail_msg("decode accepted input that should fail with \"%s\"",
			 want);
	}
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not mention \"%s\"", err, want);
	if (!is_zero(&k))
		fail_msg("struct not zeroed after failing with \"%s\"", err);
}

static void expect_fail_spec(const struct kspec *s, const char *want)
{
	struct buf der;

	der_key(&der, s);
	expect_fail(der.b, der.n, want);
}

static void expect_ok(const uint8_t *der, size_t len, struct tr_keyfile *k)
{
	char err[256];

	if (tr_keyfile_decode(der, len, k, err, sizeof(err)) < 0)
		fail_msg("decode failed: %s", err);
}

/* Encoding @k must fail with a message containing @want. */
static void expect_encode_fail(const struct tr_keyfile *k, const char *want)
{
	uint8_t *der = (uint8_t *)"x";
	size_t len = 1;
	char err[256] = "";

	if (tr_keyfile_encode(k, &der, &len, err, sizeof(err)) == 0) {
		free(der);
		fail_msg("encode accepted a key that should fail with \"%s\"",
			 want);
	}
	assert_null(der);
	assert_int_equal(len, 0);
	if (!strstr(err, want))
		fail_msg("encode error \"%s\" does not mention \"%s\"", err,
			 want);
}

static const uint8_t pcr_body[] = { 0x00, 0x20, 1,  2,	  3,  4,  5,	6,  7,
				    8,	  9,	10, 11,	  12, 13, 14,	15, 16,
				    17,	  18,	19, 20,	  21, 22, 23,	24, 25,
				    26,	  27,	28, 29,	  30, 31, 32,	0,  0,
				    0,	  1,	0,  0x0b, 3,  0,  0x80, 0 };

static void test_round_trip_plain(void **state)
{
	struct tr_keyfile k;
	struct kspec s = { .oid = NULL };
	struct buf mine, ref;

	(void)state;
	base_key(&k);
	round_trip(&k, &mine);
	/* Independent DER: type, [0] TRUE, parent, pubkey, privkey. */
	opt_bool(&s.opt, 0xa0, 0xff);
	der_key(&ref, &s);
	assert_int_equal(mine.n, ref.n);
	assert_memory_equal(mine.b, ref.b, ref.n);
	/* A persistent parent, and auth required: emptyAuth omitted. */
	k.empty_auth = false;
	k.parent = 0x81000001;
	round_trip(&k, &mine);
	s.opt.n = 0;
	der_uint(&s.parent, 0x81000001);
	der_key(&ref, &s);
	assert_int_equal(mine.n, ref.n);
	assert_memory_equal(mine.b, ref.b, ref.n);
	tr_keyfile_free(&k);
}

static void test_round_trip_policy(void **state)
{
	struct tr_keyfile k;
	struct kspec s = { .oid = NULL };
	struct buf mine, ref, stmts = { .n = 0 };

	(void)state;
	base_key(&k);
	add(&k.policy, TPM2_CC_PolicyPCR, pcr_body, sizeof(pcr_body));
	add(&k.policy, TPM2_CC_PolicyAuthValue, NULL, 0);
	add(&k.policy, TPM2_CC_PolicySecret, "\0\0", 2);
	k.description = strdup("clé de démonstration");
	round_trip(&k, &mine);
	opt_bool(&s.opt, 0xa0, 0xff);
	der_stmt(&stmts, TPM2_CC_PolicyPCR, pcr_body, sizeof(pcr_body));
	der_stmt(&stmts, TPM2_CC_PolicyAuthValue, NULL, 0);
	der_stmt(&stmts, TPM2_CC_PolicySecret, "\0\0", 2);
	opt_policy(&s.opt, 0xa1, &stmts);
	opt_utf8(&s.opt, 0xa4, k.description, strlen(k.description));
	der_key(&ref, &s);
	assert_int_equal(mine.n, ref.n);
	assert_memory_equal(mine.b, ref.b, ref.n);
	tr_keyfile_free(&k);
	base_key(&k);
	/* The most statements, and bodies of the largest size. */
	for (int i = 0; i < TR_KEYFILE_MAX_POLICY; i++) {
		static uint8_t big[TR_KEYFILE_MAX_BODY];

		memset(big, i, sizeof(big));
		add(&k.policy, TPM2_CC_PolicyCpHash, big, i ? sizeof(big) : 1);
	}
	round_trip(&k, NULL);
	tr_keyfile_free(&k);
}

static void make_signed(struct tr_keyfile *k, size_t n_auth)
{
	base_key(k);
	add(&k->policy, TPM2_CC_PolicyAuthorize, "kpub-and-nonce", 14);
	for (size_t i = 0; i < n_auth; i++) {
		uint8_t sig[100];

		memset(sig, (int)i, sizeof(sig));
		if (i % 2 == 0) {
			char name[32];

			snprintf(name, sizeof(name), "policy %zu", i);
			k->auth[i].name = strdup(name);
		}
		add(&k->auth[i].policy, TPM2_CC_PolicyPCR, pcr_body,
		    sizeof(pcr_body));
		add(&k->auth[i].policy, TPM2_CC_PolicyAuthorize, sig,
		    sizeof(sig));
		k->n_auth++;
	}
}

static void test_round_trip_auth_policy(void **state)
{
	struct tr_keyfile k;
	struct kspec s = { .oid = NULL };
	struct buf mine, ref, stmts = { .n = 0 }, list = { .n = 0 };
	struct buf ap = { .n = 0 }, t = { .n = 0 };
	uint8_t sig[100];

	(void)state;
	make_signed(&k, 2);
	k.description = strdup("");
	round_trip(&k, &mine);
	/* Independent DER of the same key. */
	opt_bool(&s.opt, 0xa0, 0xff);
	der_stmt(&stmts, TPM2_CC_PolicyAuthorize, "kpub-and-nonce", 14);
	opt_policy(&s.opt, 0xa1, &stmts);
	for (int i = 0; i < 2; i++) {
		ap.n = 0;
		if (i == 0)
			opt_utf8(&ap, 0xa0, "policy 0", 8);
		stmts.n = 0;
		der_stmt(&stmts, TPM2_CC_PolicyPCR, pcr_body, sizeof(pcr_body));
		memset(sig, i, sizeof(sig));
		der_stmt(&stmts, TPM2_CC_PolicyAuthorize, sig, sizeof(sig));
		opt_policy(&ap, 0xa1, &stmts);
		tlv_buf(&list, 0x30, &ap);
	}
	tlv_buf(&t, 0x30, &list);
	tlv_buf(&s.opt, 0xa3, &t);
	opt_utf8(&s.opt, 0xa4, "", 0);
	der_key(&ref, &s);
	assert_int_equal(mine.n, ref.n);
	assert_memory_equal(mine.b, ref.b, ref.n);
	tr_keyfile_free(&k);
	make_signed(&k, TR_KEYFILE_MAX_AUTHPOLICY);
	round_trip(&k, NULL);
	tr_keyfile_free(&k);
}

static void test_round_trip_pem(void **state)
{
	static const char begin[] = "-----BEGIN TSS2 PRIVATE KEY-----\n";
	struct tr_keyfile k, back;
	char *pem, err[256];
	size_t len;

	(void)state;
	make_signed(&k, 1);
	k.description = strdup("pem");
	if (tr_keyfile_encode_pem(&k, &pem, &len, err, sizeof(err)) < 0)
		fail_msg("encode_pem: %s", err);
	assert_int_equal(strlen(pem), len);
	assert_memory_equal(pem, begin, strlen(begin));
	assert_non_null(strstr(pem, "-----END TSS2 PRIVATE KEY-----\n"));
	if (tr_keyfile_decode_pem(pem, len, &back, err, sizeof(err)) < 0)
		fail_msg("decode_pem: %s", err);
	key_equal(&back, &k);
	free(pem);
	tr_keyfile_free(&back);
	tr_keyfile_free(&k);
}

static void test_every_truncation_rejected(void **state)
{
	struct tr_keyfile k;
	struct buf der;

	(void)state;
	make_signed(&k, 2);
	k.description = strdup("truncated");
	round_trip(&k, &der);
	tr_keyfile_free(&k);
	for (size_t n = 0; n < der.n; n++) {
		/* An exact-size copy, so ASan sees any overread. */
		uint8_t *copy = dup_bytes(der.b, n ? n : 1);
		char err[256] = "";

		memset(&k, 0xa5, sizeof(k));
		if (tr_keyfile_decode(copy, n, &k, err, sizeof(err)) == 0)
			fail_msg("a truncation to %zu of %zu bytes decoded", n,
				 der.n);
		if (!err[0] || !is_zero(&k))
			fail_msg(
				"truncation to %zu: no message or struct not zeroed",
				n);
		free(copy);
	}
}

static void test_trailing_byte_rejected(void **state)
{
	struct tr_keyfile k;
	struct buf der;

	(void)state;
	base_key(&k);
	round_trip(&k, &der);
	tr_keyfile_free(&k);
	put_byte(&der, 0);
	expect_fail(der.b, der.n, "1 trailing bytes");
	der.b[der.n - 1] = 0x30;
	put_byte(&der, 0);
	expect_fail(der.b, der.n, "2 trailing bytes");
}

static void test_size_and_empty_input(void **state)
{
	uint8_t *big = calloc(1, TR_KEYFILE_MAX_DER + 1);

	(void)state;
	assert_non_null(big);
	expect_fail(big, TR_KEYFILE_MAX_DER + 1, "at most 65536");
	free(big);
	expect_fail((const uint8_t *)"", 0, "empty");
	expect_fail(NULL, 0, "empty");
	expect_fail((const uint8_t *)"\x30\x00", 2, "not a TPMKey");
	expect_fail((const uint8_t *)"garbage!", 8, "not a TPMKey");
}

static void test_key_types(void **state)
{
	struct kspec s = { .oid = oid_importable,
			   .oid_len = sizeof(oid_importable) };
	struct tr_keyfile k;
	struct buf der;

	(void)state;
	expect_fail_spec(&s, "importable keys");
	s.oid = oid_sealed;
	expect_fail_spec(&s, "sealed data");
	s.oid = oid_ec_pubkey;
	s.oid_len = sizeof(oid_ec_pubkey);
	expect_fail_spec(&s, "OID 1.2.840.10045.2.1 is not a loadable key");
	s.oid = oid_loadable;
	s.oid_len = 5; /* 2.23.133.10.1 */
	expect_fail_spec(&s, "OID 2.23.133.10.1 is not");
	s.oid = NULL;
	der_key(&der, &s);
	expect_ok(der.b, der.n, &k);
	assert_false(k.empty_auth);
	tr_keyfile_free(&k);
}

static void test_secret_rejected(void **state)
{
	struct kspec s = { .oid = NULL };
	struct buf t = { .n = 0 };

	(void)state;
	tlv(&t, 0x04, "wrapped", 7);
	tlv_buf(&s.opt, 0xa2, &t);
	expect_fail_spec(&s, "secret field");
}

static void test_rsa_parent(void **state)
{
	struct kspec s = { .oid = NULL };
	struct tr_keyfile k, want;
	struct buf der;

	(void)state;
	opt_bool(&s.opt, 0xa5, 0xff);
	expect_fail_spec(&s, "rsaParent is TRUE");
	/* FALSE is the default: accepted, and not kept. */
	s.opt.n = 0;
	opt_bool(&s.opt, 0xa5, 0x00);
	der_key(&der, &s);
	expect_ok(der.b, der.n, &k);
	base_key(&want);
	want.empty_auth = false;
	key_equal(&k, &want);
	tr_keyfile_free(&k);
	tr_keyfile_free(&want);
}

/*
 * emptyAuth as the tools write it: tpm2-openssl writes TRUE as 0x01 (BER),
 * and FALSE explicitly for keys with a password.
 */
static void test_empty_auth_encodings(void **state)
{
	static const uint8_t vals[] = { 0x01, 0xff, 0x00 };
	struct tr_keyfile k;
	struct buf der;

	(void)state;
	for (size_t i = 0; i < sizeof(vals); i++) {
		struct kspec s = { .oid = NULL };

		opt_bool(&s.opt, 0xa0, vals[i]);
		der_key(&der, &s);
		expect_ok(der.b, der.n, &k);
		assert_int_equal(k.empty_auth, vals[i] != 0);
		tr_keyfile_free(&k);
	}
}

static void test_bad_parents(void **state)
{
	static const uint64_t bad[] = {
		0,	    0x40000007,		0x4000000c,
		0x80000000, 0x80ffffff,		0x82000000,
		0x01000000, 0x81000001ull << 8, 0x140000001ull
	};
	struct kspec s = { .oid = NULL };
	struct tr_keyfile k;
	struct buf der;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.parent.n = 0;
		der_uint(&s.parent, bad[i]);
		expect_fail_spec(&s, "is neither the owner SRK");
	}
	s.parent.n = 0;
	tlv(&s.parent, 0x02, "\xff", 1); /* -1 */
	expect_fail_spec(&s, "parent is a negative INTEGER");
	s.parent.n = 0;
	tlv(&s.parent, 0x02, "\x00\x00\x81\x00\x00\x01", 6); /* padded */
	expect_fail_spec(&s, "TPMKey");
	/* The whole persistent range is fine. */
	s.parent.n = 0;
	der_uint(&s.parent, 0x81ffffff);
	der_key(&der, &s);
	expect_ok(der.b, der.n, &k);
	assert_int_equal(k.parent, 0x81ffffff);
	tr_keyfile_free(&k);
	/* And the encoder refuses what the decoder refuses. */
	base_key(&k);
	k.parent = 0x80000001;
	expect_encode_fail(&k, "parent 0x80000001");
	tr_keyfile_free(&k);
}

static void test_malformed_public(void **state)
{
	struct kspec s = { .oid = NULL };
	uint8_t p[sizeof(valid_pub) + 1];
	struct tr_keyfile k;
	size_t n = valid_pub_len;

	(void)state;
	memcpy(p, valid_pub, n);
	s.pub = p;
	s.pub_len = n;
	/* Size field one too large, then one too small. */
	p[1]++;
	expect_fail_spec(&s, "pubkey is not a marshalled TPM2B_PUBLIC");
	p[1] -= 2;
	expect_fail_spec(
		&s,
		"pubkey is not a marshalled TPM2B_PUBLIC (size field 87, contents 88 bytes)");
	p[1]++;
	/* A trailing byte after a well-formed TPM2B_PUBLIC. */
	p[n] = 0;
	s.pub_len = n + 1;
	expect_fail_spec(
		&s, "pubkey is not a marshalled TPM2B_PUBLIC (90 of its 91");
	/* Truncated, empty, and an unknown key type. */
	s.pub_len = n - 1;
	expect_fail_spec(&s, "pubkey is not a marshalled TPM2B_PUBLIC");
	s.pub_len = 0;
	expect_fail_spec(&s, "pubkey is empty");
	s.pub = (const uint8_t *)"\0\0";
	s.pub_len = 2;
	expect_fail_spec(&s, "pubkey is an empty TPM2B_PUBLIC");
	s.pub = p;
	s.pub_len = n;
	p[3] = 0x99; /* type */
	expect_fail_spec(&s, "pubkey is not a marshalled TPM2B_PUBLIC");
	/* The encoder checks too. */
	base_key(&k);
	k.pub[1]--;
	expect_encode_fail(&k, "pubkey");
	tr_keyfile_free(&k);
}

static void test_malformed_private(void **state)
{
	struct kspec s = { .oid = NULL };
	uint8_t p[sizeof(valid_priv) + 1];
	size_t n = valid_priv_len;

	(void)state;
	memcpy(p, valid_priv, n);
	s.priv = p;
	s.priv_len = n;
	p[1]++;
	expect_fail_spec(&s, "privkey is not a marshalled TPM2B_PRIVATE");
	p[1] -= 2;
	expect_fail_spec(
		&s,
		"privkey is not a marshalled TPM2B_PRIVATE (127 of its 128");
	p[1]++;
	p[0] = 0xff; /* larger than any TPM2B_PRIVATE */
	expect_fail_spec(&s, "privkey is not a marshalled TPM2B_PRIVATE");
	s.priv = (const uint8_t *)"\0\0";
	s.priv_len = 2;
	expect_fail_spec(&s, "privkey is an empty TPM2B_PRIVATE");
}

static void test_too_many_statements(void **state)
{
	struct kspec s = { .oid = NULL };
	struct buf stmts = { .n = 0 };
	struct tr_keyfile k;
	char err[256] = "";

	(void)state;
	for (int i = 0; i <= TR_KEYFILE_MAX_POLICY; i++)
		der_stmt(&stmts, TPM2_CC_PolicyAuthValue, NULL, 0);
	opt_policy(&s.opt, 0xa1, &stmts);
	expect_fail_spec(&s, "policy has 17 statements (at most 16)");
	/* tr_policy_add stops at the limit too. */
	base_key(&k);
	for (int i = 0; i < TR_KEYFILE_MAX_POLICY; i++)
		add(&k.policy, TPM2_CC_PolicyAuthValue, NULL, 0);
	assert_int_equal(tr_policy_add(&k.policy, TPM2_CC_PolicyAuthValue, NULL,
				       0, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "16 statements"));
	assert_int_equal(k.policy.n, TR_KEYFILE_MAX_POLICY);
	tr_keyfile_free(&k);
	/* An empty policy list is refused rather than dropped. */
	s.opt.n = 0;
	stmts.n = 0;
	opt_policy(&s.opt, 0xa1, &stmts);
	expect_fail_spec(&s, "policy is present but has no statements");
}

static void test_oversized_body(void **state)
{
	static uint8_t body[TR_KEYFILE_MAX_BODY + 1];
	struct kspec s = { .oid = NULL };
	struct buf stmts = { .n = 0 }, der;
	struct tr_keyfile k;
	char err[256] = "";

	(void)state;
	der_stmt(&stmts, TPM2_CC_PolicyCpHash, body, sizeof(body));
	opt_policy(&s.opt, 0xa1, &stmts);
	expect_fail_spec(&s, "CommandPolicy is 4097 bytes (at most 4096)");
	s.opt.n = 0;
	stmts.n = 0;
	der_stmt(&stmts, TPM2_CC_PolicyCpHash, body, sizeof(body) - 1);
	opt_policy(&s.opt, 0xa1, &stmts);
	der_key(&der, &s);
	expect_ok(der.b, der.n, &k);
	assert_int_equal(k.policy.stmt[0].len, TR_KEYFILE_MAX_BODY);
	assert_int_equal(tr_policy_add(&k.policy, TPM2_CC_PolicyCpHash, body,
				       sizeof(body), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "4097 bytes"));
	tr_keyfile_free(&k);
}

static void test_bad_command_codes(void **state)
{
	static const uint64_t bad[] = { 0,	   TPM2_CC_Create, TPM2_CC_Sign,
					0x15f,	   0x193,	   0x10000016a,
					0xffffffff };
	struct kspec s = { .oid = NULL };
	struct buf stmts = { .n = 0 }, t = { .n = 0 }, st = { .n = 0 };
	struct tr_keyfile k;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.opt.n = 0;
		stmts.n = 0;
		st.n = 0;
		t.n = 0;
		der_uint(&t, bad[i]);
		tlv_buf(&st, 0xa0, &t);
		t.n = 0;
		tlv(&t, 0x04, NULL, 0);
		tlv_buf(&st, 0xa1, &t);
		tlv_buf(&stmts, 0x30, &st);
		opt_policy(&s.opt, 0xa1, &stmts);
		expect_fail_spec(&s, bad[i] > UINT32_MAX ?
					     "does not fit in 32 bits" :
					     "is not a TPM2 policy command");
	}
	base_key(&k);
	k.policy.stmt[0].cc = TPM2_CC_Sign;
	k.policy.n = 1;
	expect_encode_fail(&k, "0x15d is not a TPM2 policy command");
	k.policy.stmt[0].cc = TPM2_CC_PolicyNV; /* 0x149: a policy command */
	round_trip(&k, NULL);
	tr_keyfile_free(&k);
}

static void test_auth_policy_rules(void **state)
{
	struct tr_keyfile k;
	struct kspec s = { .oid = NULL };
	struct buf stmts = { .n = 0 }, ap = { .n = 0 }, list = { .n = 0 };
	struct buf t = { .n = 0 };

	(void)state;
	/* Must end in PolicyAuthorize: the decoder... */
	der_stmt(&stmts, TPM2_CC_PolicyAuthorize, "k", 1);
	opt_policy(&s.opt, 0xa1, &stmts);
	stmts.n = 0;
	der_stmt(&stmts, TPM2_CC_PolicyAuthorize, "sig", 3);
	der_stmt(&stmts, TPM2_CC_PolicyPCR, pcr_body, sizeof(pcr_body));
	opt_policy(&ap, 0xa1, &stmts);
	tlv_buf(&list, 0x30, &ap);
	tlv_buf(&t, 0x30, &list);
	tlv_buf(&s.opt, 0xa3, &t);
	expect_fail_spec(&s,
			 "authPolicy 0 does not end with TPM2_PolicyAuthorize");
	/* ...and the encoder. */
	make_signed(&k, 2);
	add(&k.auth[1].policy, TPM2_CC_PolicyPCR, pcr_body, sizeof(pcr_body));
	expect_encode_fail(
		&k, "authPolicy 1 does not end with TPM2_PolicyAuthorize");
	tr_keyfile_free(&k);
	/* Each needs a statement. */
	make_signed(&k, 1);
	k.n_auth = 2;
	expect_encode_fail(&k, "authPolicy 1 has no statements");
	tr_keyfile_free(&k);
	s.opt.n = 0;
	stmts.n = 0;
	list.n = 0;
	ap.n = 0;
	t.n = 0;
	der_stmt(&stmts, TPM2_CC_PolicyAuthorize, "k", 1);
	opt_policy(&s.opt, 0xa1, &stmts);
	stmts.n = 0;
	opt_policy(&ap, 0xa1, &stmts);
	tlv_buf(&list, 0x30, &ap);
	tlv_buf(&t, 0x30, &list);
	tlv_buf(&s.opt, 0xa3, &t);
	expect_fail_spec(&s, "authPolicy 0 is present but has no statements");
	/* The key's policy must start with PolicyAuthorize. */
	make_signed(&k, 1);
	k.policy.stmt[0].cc = TPM2_CC_PolicyPCR;
	expect_encode_fail(&k, "does not start with TPM2_PolicyAuthorize");
	k.policy.stmt[0].cc = TPM2_CC_PolicyAuthorize;
	round_trip(&k, NULL);
	tr_keyfile_free(&k);
	/* At most 16 signed policies. */
	make_signed(&k, TR_KEYFILE_MAX_AUTHPOLICY);
	k.n_auth++;
	expect_encode_fail(&k, "authPolicy has 17 entries (at most 16)");
	k.n_auth--;
	tr_keyfile_free(&k);
	s.opt.n = 0;
	list.n = 0;
	t.n = 0;
	stmts.n = 0;
	der_stmt(&stmts, TPM2_CC_PolicyAuthorize, "k", 1);
	opt_policy(&s.opt, 0xa1, &stmts);
	ap.n = 0;
	opt_policy(&ap, 0xa1, &stmts);
	for (int i = 0; i <= TR_KEYFILE_MAX_AUTHPOLICY; i++)
		tlv_buf(&list, 0x30, &ap);
	tlv_buf(&t, 0x30, &list);
	tlv_buf(&s.opt, 0xa3, &t);
	expect_fail_spec(&s, "authPolicy has 17 entries (at most 16)");
	/* An empty authPolicy list is refused. */
	s.opt.n = 0;
	t.n = 0;
	list.n = 0;
	opt_policy(&s.opt, 0xa1, &stmts);
	tlv_buf(&t, 0x30, &list);
	tlv_buf(&s.opt, 0xa3, &t);
	expect_fail_spec(&s, "authPolicy is present but empty");
}

static void test_strings(void **state)
{
	static const char *const bad[] = {
		"\xc3", /* truncated sequence */
		"\xc0\xaf", /* overlong '/' */
		"\xed\xa0\x80", /* surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xff",
	};
	struct kspec s = { .oid = NULL };
	struct tr_keyfile k;
	char longname[258];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.opt.n = 0;
		opt_utf8(&s.opt, 0xa4, bad[i], strlen(bad[i]));
		expect_fail_spec(&s, "description is not valid UTF-8");
	}
	s.opt.n = 0;
	opt_utf8(&s.opt, 0xa4, "a\0b", 3);
	expect_fail_spec(&s, "description contains a NUL byte");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[257] = '\0';
	s.opt.n = 0;
	opt_utf8(&s.opt, 0xa4, longname, 257);
	expect_fail_spec(&s, "description is too long (257 bytes");
	/* 256 bytes of multi-byte characters are fine. */
	base_key(&k);
	k.description = calloc(1, 257);
	for (int i = 0; i < 256; i += 4)
		memcpy(k.description + i, "\xf0\x9f\x94\x91", 4);
	round_trip(&k, NULL);
	k.description[256 - 1] = 'x';
	expect_encode_fail(&k, "description is not valid UTF-8");
	free(k.description);
	k.description = strdup(longname);
	expect_encode_fail(&k, "description is too long");
	tr_keyfile_free(&k);
	/* Names of signed policies are checked the same way. */
	make_signed(&k, 1);
	free(k.auth[0].name);
	k.auth[0].name = strdup("\xc0\x80");
	expect_encode_fail(&k, "authPolicy name is not valid UTF-8");
	tr_keyfile_free(&k);
}

/* BER that is not DER is refused, whatever OpenSSL would accept. */
static void test_ber_rejected(void **state)
{
	struct tr_keyfile k;
	struct buf der, ber = { .n = 0 };

	(void)state;
	base_key(&k);
	round_trip(&k, &der);
	tr_keyfile_free(&k);
	/* Outer length in long form with a redundant octet. */
	assert_int_equal(der.b[1], 0x81);
	put_byte(&ber, 0x30);
	put_byte(&ber, 0x82);
	put_byte(&ber, 0x00);
	put(&ber, der.b + 2, der.n - 2);
	expect_fail(ber.b, ber.n, "not DER");
	/* Indefinite length. */
	ber.n = 0;
	put_byte(&ber, 0x30);
	put_byte(&ber, 0x80);
	put(&ber, der.b + 3, der.n - 3);
	put(&ber, "\0\0", 2);
	expect_fail(ber.b, ber.n, "not DER");
}

static void test_pem_errors(void **state)
{
	static const char garbage[] = "this is not a key\n";
	static const char b64junk[] = "-----BEGIN TSS2 PRIVATE KEY-----\n"
				      "!!!!not base64!!!!\n"
				      "-----END TSS2 PRIVATE KEY-----\n";
	static const char nonkey[] = "-----BEGIN TSS2 PRIVATE KEY-----\n"
				     "MAA=\n"
				     "-----END TSS2 PRIVATE KEY-----\n";
	struct tr_keyfile k, back;
	char *pem, *other, err[256] = "";
	size_t len;

	(void)state;
	base_key(&k);
	assert_int_equal(
		tr_keyfile_encode_pem(&k, &pem, &len, err, sizeof(err)), 0);
	tr_keyfile_free(&k);
	/* Wrong label, same contents. */
	other = calloc(1, len + 16);
	assert_non_null(other);
	strcpy(other, pem);
	memcpy(other + 11, "TSS2 PUBLIC  KEY", 16);
	memcpy(strstr(other, "-----END ") + 9, "TSS2 PUBLIC  KEY", 16);
	assert_int_equal(
		tr_keyfile_decode_pem(other, len, &back, err, sizeof(err)), -1);
	assert_true(is_zero(&back));
	if (!strstr(err, "PEM label is \"TSS2 PUBLIC  KEY\""))
		fail_msg("wrong label: %s", err);
	/* A second block after the first. */
	memcpy(other, pem, len);
	memcpy(other + len, "junk\n", 6);
	assert_int_equal(tr_keyfile_decode_pem(other, len + 5, &back, err,
					       sizeof(err)),
			 -1);
	if (!strstr(err, "data after the end of the PEM block"))
		fail_msg("trailing data: %s", err);
	/* Trailing whitespace and leading text are fine. */
	memcpy(other + len, " \n\n", 4);
	if (tr_keyfile_decode_pem(other, len + 3, &back, err, sizeof(err)) < 0)
		fail_msg("trailing newlines: %s", err);
	tr_keyfile_free(&back);
	free(other);
	assert_int_equal(tr_keyfile_decode_pem(garbage, strlen(garbage), &back,
					       err, sizeof(err)),
			 -1);
	if (!strstr(err, "no valid PEM block"))
		fail_msg("garbage: %s", err);
	assert_int_equal(tr_keyfile_decode_pem(b64junk, strlen(b64junk), &back,
					       err, sizeof(err)),
			 -1);
	if (!strstr(err, "no valid PEM block"))
		fail_msg("bad base64: %s", err);
	assert_int_equal(tr_keyfile_decode_pem(nonkey, strlen(nonkey), &back,
					       err, sizeof(err)),
			 -1);
	if (!strstr(err, "not a TPMKey"))
		fail_msg("empty SEQUENCE: %s", err);
	/* A truncated PEM. */
	assert_int_equal(tr_keyfile_decode_pem(pem, len / 2, &back, err,
					       sizeof(err)),
			 -1);
	assert_true(is_zero(&back));
	assert_int_equal(tr_keyfile_decode_pem("", 0, &back, err, sizeof(err)),
			 -1);
	free(pem);
}

static void test_free_is_safe(void **state)
{
	struct tr_keyfile k = { .empty_auth = false };

	(void)state;
	tr_keyfile_free(&k);
	tr_keyfile_free(&k);
	make_signed(&k, 3);
	k.description = strdup("d");
	tr_keyfile_free(&k);
	assert_true(is_zero(&k));
	tr_keyfile_free(&k);
	tr_keyfile_free(NULL);
}

/* A failure late in decoding frees what was already copied. */
static void test_late_failure_frees(void **state)
{
	struct tr_keyfile k;
	struct buf der;
	size_t i;

	(void)state;
	make_signed(&k, 3);
	k.description = strdup("Zlate");
	round_trip(&k, &der);
	tr_keyfile_free(&k);
	for (i = 0; i + 5 <= der.n && memcmp(der.b + i, "Zlate", 5); i++)
		;
	assert_true(i + 5 <= der.n);
	der.b[i] = 0xff; /* invalid UTF-8 in the description */
	expect_fail(der.b, der.n, "description is not valid UTF-8");
}

static void test_encoder_size_limit(void **state)
{
	static uint8_t big[TR_KEYFILE_MAX_BODY];
	struct tr_keyfile k;

	(void)state;
	make_signed(&k, 2);
	for (int i = 2; i < TR_KEYFILE_MAX_POLICY; i++) {
		add(&k.auth[0].policy, TPM2_CC_PolicyCpHash, big, sizeof(big));
		add(&k.auth[1].policy, TPM2_CC_PolicyCpHash, big, sizeof(big));
	}
	/* Move the PolicyAuthorize statements back to the end. */
	for (int a = 0; a < 2; a++) {
		struct tr_policy *p = &k.auth[a].policy;
		struct tr_policy_stmt s = p->stmt[1];

		p->stmt[1] = p->stmt[p->n - 1];
		p->stmt[p->n - 1] = s;
	}
	expect_encode_fail(&k, "at most 65536");
	tr_keyfile_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_plain),
		cmocka_unit_test(test_round_trip_policy),
		cmocka_unit_test(test_round_trip_auth_policy),
		cmocka_unit_test(test_round_trip_pem),
		cmocka_unit_test(test_every_truncation_rejected),
		cmocka_unit_test(test_trailing_byte_rejected),
		cmocka_unit_test(test_size_and_empty_input),
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_secret_rejected),
		cmocka_unit_test(test_rsa_parent),
		cmocka_unit_test(test_empty_auth_encodings),
		cmocka_unit_test(test_bad_parents),
		cmocka_unit_test(test_malformed_public),
		cmocka_unit_test(test_malformed_private),
		cmocka_unit_test(test_too_many_statements),
		cmocka_unit_test(test_oversized_body),
		cmocka_unit_test(test_bad_command_codes),
		cmocka_unit_test(test_auth_policy_rules),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_ber_rejected),
		cmocka_unit_test(test_pem_errors),
		cmocka_unit_test(test_free_is_safe),
		cmocka_unit_test(test_late_failure_frees),
		cmocka_unit_test(test_encoder_size_limit),
	};

	return TR_RUN(tests, setup, NULL);
}
