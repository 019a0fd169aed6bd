// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the enrollment evidence codecs, with synthetic but
 * well-formed TPM structures: round trips, malformed DER refused with a
 * message naming what was wrong, and the CSR attribute and certificate
 * extension taken only when there is exactly one. Malformed inputs are
 * made by editing a good encoding with OpenSSL's generic SEQUENCE codec,
 * independent of the templates under test.
 */
#include "enroll/evidence.h"
#include "tr_test.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static void ecc_public(TPM2B_PUBLIC *p, uint8_t fill, TPMA_OBJECT attrs)
{
	TPMT_PUBLIC *a = &p->publicArea;

	memset(p, 0, sizeof(*p));
	a->type = TPM2_ALG_ECC;
	a->nameAlg = TPM2_ALG_SHA256;
	a->objectAttributes = attrs;
	a->authPolicy.size = 32;
	memset(a->authPolicy.buffer, fill, 32);
	a->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	a->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	a->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	a->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	a->unique.ecc.x.size = a->unique.ecc.y.size = 32;
	memset(a->unique.ecc.x.buffer, fill + 1, 32);
	memset(a->unique.ecc.y.buffer, fill + 2, 32);
}

static void sha256_name(TPM2B_NAME *n, uint8_t fill)
{
	n->size = 34;
	n->name[0] = TPM2_ALG_SHA256 >> 8;
	n->name[1] = TPM2_ALG_SHA256 & 0xff;
	memset(n->name + 2, fill, 32);
}

/* Evidence of both kinds: every field set, each TPM structure valid. */
static void synthetic(struct tr_evidence *e)
{
	TPMS_ATTEST a = { .magic = TPM2_GENERATED_VALUE,
			  .type = TPM2_ST_ATTEST_CERTIFY };
	size_t off = 0;

	memset(e, 0, sizeof(*e));
	e->nonce.size = 32;
	memset(e->nonce.buffer, 0x11, 32);
	e->secret.size = 32;
	memset(e->secret.buffer, 0x22, 32);
	sha256_name(&e->ek_name, 0x33);
	ecc_public(&e->ak_pub, 0x40,
		   TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED |
			   TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT);
	ecc_public(&e->key_pub, 0x50, TPMA_OBJECT_SIGN_ENCRYPT);
	sha256_name(&a.qualifiedSigner, 0x60);
	a.extraData.size = e->nonce.size;
	memcpy(a.extraData.buffer, e->nonce.buffer, e->nonce.size);
	a.clockInfo.clock = 12345;
	a.clockInfo.safe = TPM2_YES;
	a.firmwareVersion = 0x2000;
	sha256_name(&a.attested.certify.name, 0x70);
	sha256_name(&a.attested.certify.qualifiedName, 0x71);
	assert_int_equal(Tss2_MU_TPMS_ATTEST_Marshal(
				 &a, e->attest.attestationData,
				 sizeof(e->attest.attestationData), &off),
			 TSS2_RC_SUCCESS);
	e->attest.size = (UINT16)off;
	e->sig.sigAlg = TPM2_ALG_ECDSA;
	e->sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
	e->sig.signature.ecdsa.signatureR.size = 32;
	e->sig.signature.ecdsa.signatureS.size = 32;
	memset(e->sig.signature.ecdsa.signatureR.buffer, 0x80, 32);
	memset(e->sig.signature.ecdsa.signatureS.buffer, 0x81, 32);
}

typedef int encoder(const struct tr_evidence *, uint8_t **, size_t *, char *,
		    size_t);
typedef int decoder(const uint8_t *, size_t, struct tr_evidence *, char *,
		    size_t);

static void marshal_public(const TPM2B_PUBLIC *p, uint8_t *b, size_t *n)
{
	*n = 0;
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(p, b, 1024, n),
			 TSS2_RC_SUCCESS);
}

/* The parts both kinds share came back as they went in. */
static void common_equal(const struct tr_evidence *a,
			 const struct tr_evidence *b)
{
	uint8_t x[1024], y[1024];
	size_t xn, yn;

	marshal_public(&a->ak_pub, x, &xn);
	marshal_public(&b->ak_pub, y, &yn);
	assert_memory_equal(x, y, xn);
	assert_int_equal(xn, yn);
	marshal_public(&a->key_pub, x, &xn);
	marshal_public(&b->key_pub, y, &yn);
	assert_memory_equal(x, y, xn);
	assert_int_equal(xn, yn);
	assert_int_equal(a->attest.size, b->attest.size);
	assert_memory_equal(a->attest.attestationData,
			    b->attest.attestationData, a->attest.size);
	assert_memory_equal(&a->sig, &b->sig, sizeof(a->sig));
}

/* Encode @e, decode it, encode again: the same bytes. */
static void round_trip(encoder *enc, decoder *dec, const struct tr_evidence *e,
		       struct tr_evidence *back)
{
	uint8_t *der, *der2;
	size_t len, len2;
	char err[256];

	if (enc(e, &der, &len, err, sizeof(err)))
		fail_msg("encode: %s", err);
	if (dec(der, len, back, err, sizeof(err)))
		fail_msg("decode: %s", err);
	common_equal(e, back);
	assert_int_equal(enc(back, &der2, &len2, err, sizeof(err)), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(der, der2, len);
	free(der);
	free(der2);
}

static void test_evidence_round_trip(void **state)
{
	struct tr_evidence e, back;

	(void)state;
	synthetic(&e);
	round_trip(tr_evidence_encode, tr_evidence_decode, &e, &back);
	assert_int_equal(back.nonce.size, 32);
	assert_memory_equal(back.nonce.buffer, e.nonce.buffer, 32);
	assert_int_equal(back.secret.size, 32);
	assert_memory_equal(back.secret.buffer, e.secret.buffer, 32);
	assert_int_equal(back.ek_name.size, 0); /* not in EnrollEvidence */

	/* The shortest and longest nonce and secret. */
	e.nonce.size = TR_NONCE_MIN;
	e.secret.size = 1;
	round_trip(tr_evidence_encode, tr_evidence_decode, &e, &back);
	e.nonce.size = sizeof(e.nonce.buffer);
	round_trip(tr_evidence_encode, tr_evidence_decode, &e, &back);
}

static void test_attestation_round_trip(void **state)
{
	struct tr_evidence e, back;

	(void)state;
	synthetic(&e);
	round_trip(tr_key_attestation_encode, tr_key_attestation_decode, &e,
		   &back);
	assert_int_equal(back.ek_name.size, 34);
	assert_memory_equal(back.ek_name.name, e.ek_name.name, 34);
	assert_int_equal(back.nonce.size, 0); /* not in KeyAttestation */
	assert_int_equal(back.secret.size, 0);
}

/* The return code and message of a call that must be refused for @want. */
static void refused(int rc, const char *err, const char *want)
{
	assert_int_equal(rc, -1);
	if (!err[0] || !strstr(err, want))
		fail_msg("refused with \"%s\", expected \"%s\"", err, want);
}

static void expect_fail(decoder *dec, const uint8_t *der, size_t len,
			const char *want)
{
	struct tr_evidence e;
	char err[256] = "";

	refused(dec(der, len, &e, err, sizeof(err)), err, want);
}

static void expect_encode_fail(encoder *enc, const struct tr_evidence *e,
			       const char *want)
{
	uint8_t *der = (uint8_t *)"";
	size_t len = 1;
	char err[256] = "";

	refused(enc(e, &der, &len, err, sizeof(err)), err, want);
	assert_null(der);
	assert_int_equal(len, 0);
}

static void encode(encoder *enc, const struct tr_evidence *e, uint8_t **der,
		   size_t *len)
{
	char err[256];

	if (enc(e, der, len, err, sizeof(err)))
		fail_msg("encode: %s", err);
}

/*
 * @der with element @i of its SEQUENCE replaced by a @type (V_ASN1_INTEGER
 * or V_ASN1_OCTET_STRING) with contents @c; the result is overwritten by
 * the next call.
 */
static const uint8_t *edit(const uint8_t *der, size_t len, int i, int type,
			   const void *c, size_t n, size_t *outlen)
{
	static uint8_t buf[2 * TR_EVIDENCE_MAX_DER];
	uint8_t *out = NULL;
	const uint8_t *p = der;
	ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	ASN1_STRING *s = ASN1_STRING_type_new(type);
	int m;

	assert_non_null(seq);
	assert_non_null(s);
	assert_true(ASN1_STRING_set(s, c, (int)n));
	ASN1_TYPE_set(sk_ASN1_TYPE_value(seq, i), type, s);
	m = i2d_ASN1_SEQUENCE_ANY(seq, &out);
	assert_true(m > 0 && (size_t)m <= sizeof(buf));
	memcpy(buf, out, (size_t)m);
	OPENSSL_free(out);
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	*outlen = (size_t)m;
	return buf;
}

/* Element @i of @der with @extra bytes after its contents. */
static const uint8_t *append_to(const uint8_t *der, size_t len, int i,
				size_t extra, size_t *outlen)
{
	const uint8_t *p = der;
	ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	const ASN1_STRING *s;
	uint8_t c[4096] = { 0 };
	size_t n;
	const uint8_t *r;

	assert_non_null(seq);
	s = sk_ASN1_TYPE_value(seq, i)->value.octet_string;
	n = (size_t)ASN1_STRING_length(s);
	assert_true(n + extra <= sizeof(c));
	memcpy(c, ASN1_STRING_get0_data(s), n);
	r = edit(der, len, i, V_ASN1_OCTET_STRING, c, n + extra, outlen);
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	return r;
}

static const uint8_t zeros[80];

/* The synthetic evidence, and its DER by @enc. */
static void good(encoder *enc, struct tr_evidence *e, uint8_t **der,
		 size_t *len)
{
	synthetic(e);
	encode(enc, e, der, len);
}

static void test_evidence_malformed(void **state)
{
	static uint8_t big[TR_EVIDENCE_MAX_DER + 1];
	decoder *dec = tr_evidence_decode;
	struct tr_evidence e;
	uint8_t *der, *plus;
	size_t len, n;
	const uint8_t *m;

	(void)state;
	good(tr_evidence_encode, &e, &der, &len);
	for (size_t cut = 0; cut < len; cut++)
		expect_fail(dec, der, cut, cut ? "EnrollEvidence" : "empty");
	expect_fail(dec, der, len - 1, "not a DER-encoded EnrollEvidence");
	plus = malloc(len + 1);
	assert_non_null(plus);
	memcpy(plus, der, len);
	plus[len] = 0;
	expect_fail(dec, plus, len + 1, "1 trailing bytes after the");
	free(plus);
	expect_fail(dec, NULL, 0, "EnrollEvidence is empty");
	expect_fail(dec, (const uint8_t *)"garbage!", 8,
		    "not a DER-encoded EnrollEvidence");
	memset(big, 0x30, sizeof(big));
	expect_fail(dec, big, sizeof(big), "8193 bytes (at most 8192)");

	m = edit(der, len, 0, V_ASN1_INTEGER, "\x02", 1, &n);
	expect_fail(dec, m, n, "version is not 1");
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, zeros, 0, &n);
	expect_fail(dec, m, n, "nonce is 0 bytes (must be 16..64)");
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, zeros, 15, &n);
	expect_fail(dec, m, n, "nonce is 15 bytes");
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, zeros, 65, &n);
	expect_fail(dec, m, n, "nonce is 65 bytes");
	m = edit(der, len, 2, V_ASN1_OCTET_STRING, zeros, 0, &n);
	expect_fail(dec, m, n, "credentialSecret is 0 bytes (must be 1..32)");
	m = edit(der, len, 2, V_ASN1_OCTET_STRING, zeros, 33, &n);
	expect_fail(dec, m, n, "credentialSecret is 33 bytes");
	m = append_to(der, len, 3, 1, &n);
	expect_fail(dec, m, n, "akPublic has 1 bytes after its TPM2B_PUBLIC");
	m = append_to(der, len, 4, 2, &n);
	expect_fail(dec, m, n, "keyPublic has 2 bytes after its TPM2B_PUBLIC");
	m = append_to(der, len, 5, 1, &n);
	expect_fail(dec, m, n, "certifyInfo has 1 bytes after its TPMS_ATTEST");
	m = append_to(der, len, 6, 1, &n);
	expect_fail(dec, m, n,
		    "certifySignature has 1 bytes after its TPMT_SIGNATURE");
	m = edit(der, len, 3, V_ASN1_OCTET_STRING, zeros, 0, &n);
	expect_fail(dec, m, n, "akPublic (0 bytes) is not a marshalled");
	m = edit(der, len, 3, V_ASN1_OCTET_STRING, "\x00\x00", 2, &n);
	expect_fail(dec, m, n, "akPublic is an empty TPM2B_PUBLIC");
	m = edit(der, len, 5, V_ASN1_OCTET_STRING, "garbage!", 8, &n);
	expect_fail(dec, m, n, "certifyInfo (8 bytes) is not a marshalled");
	/* A field of another type where an OCTET STRING belongs. */
	m = edit(der, len, 6, V_ASN1_INTEGER, "\x01", 1, &n);
	expect_fail(dec, m, n, "not a DER-encoded EnrollEvidence");
	/* A KeyAttestation is no EnrollEvidence, and the reverse. */
	expect_fail(tr_key_attestation_decode, der, len,
		    "not a DER-encoded KeyAttestation");
	free(der);
	encode(tr_key_attestation_encode, &e, &der, &len);
	expect_fail(dec, der, len, "not a DER-encoded EnrollEvidence");
	free(der);
}

static void test_evidence_ber_refused(void **state)
{
	struct tr_evidence e;
	uint8_t *der, *ber;
	size_t len;

	(void)state;
	good(tr_evidence_encode, &e, &der, &len);
	/* The version's length in long form: 02 81 01 01. */
	assert_int_equal(der[4], 0x02);
	ber = malloc(len + 1);
	assert_non_null(ber);
	memcpy(ber, der, 5);
	ber[5] = 0x81;
	memcpy(ber + 6, der + 5, len - 5);
	assert_int_equal(ber[1], 0x82); /* outer length: two bytes */
	ber[3]++;
	expect_fail(tr_evidence_decode, ber, len + 1, "BER, not DER");
	free(ber);
	free(der);
}

static void test_attestation_malformed(void **state)
{
	decoder *dec = tr_key_attestation_decode;
	uint8_t *der, name[34];
	struct tr_evidence e;
	const uint8_t *m;
	size_t len, n;

	(void)state;
	good(tr_key_attestation_encode, &e, &der, &len);
	m = edit(der, len, 0, V_ASN1_INTEGER, "\x02", 1, &n);
	expect_fail(dec, m, n, "KeyAttestation version is not 1");
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, e.ek_name.name, 33, &n);
	expect_fail(dec, m, n, "ekName is 33 bytes");
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, zeros, 0, &n);
	expect_fail(dec, m, n, "ekName (0 bytes) does not start with a known");
	memcpy(name, e.ek_name.name, 34);
	name[1] = 0x99;
	m = edit(der, len, 1, V_ASN1_OCTET_STRING, name, 34, &n);
	expect_fail(dec, m, n, "ekName (34 bytes) does not start with a known");
	m = append_to(der, len, 4, 1, &n);
	expect_fail(dec, m, n, "certifyInfo has 1 bytes after its TPMS_ATTEST");
	free(der);
}

static void test_encode_refuses(void **state)
{
	struct tr_evidence e, bad;
	encoder *enc = tr_evidence_encode;

	(void)state;
	synthetic(&e);
	bad = e;
	bad.nonce.size = TR_NONCE_MIN - 1;
	expect_encode_fail(enc, &bad, "nonce is 15 bytes");
	bad = e;
	bad.secret.size = 0;
	expect_encode_fail(enc, &bad, "credentialSecret is 0 bytes");
	bad = e;
	bad.secret.size = 33;
	expect_encode_fail(enc, &bad, "credentialSecret is 33 bytes");
	bad = e;
	bad.attest.size = 0;
	expect_encode_fail(enc, &bad, "certifyInfo is 0 bytes");
	bad = e;
	bad.attest.size--;
	expect_encode_fail(enc, &bad, "certifyInfo (");
	bad = e;
	bad.attest.size = 0xffff;
	expect_encode_fail(enc, &bad, "exceeds its buffer");
	bad = e;
	bad.ak_pub.publicArea.type = 0x7777;
	expect_encode_fail(enc, &bad, "akPublic does not marshal");
	bad = e;
	bad.ek_name.size = 20;
	expect_encode_fail(tr_key_attestation_encode, &bad,
			   "ekName is 20 bytes");
	/* EnrollEvidence does not carry the EK name: not looked at. */
	{
		uint8_t *der;
		size_t len;

		encode(tr_evidence_encode, &bad, &der, &len);
		free(der);
	}
}

/* CSR attribute and certificate extension. */

static ASN1_OBJECT *oid(const char *txt)
{
	ASN1_OBJECT *o = OBJ_txt2obj(txt, 1);

	assert_non_null(o);
	return o;
}

static EVP_PKEY *soft_key;

static int setup(void **state)
{
	(void)state;
	soft_key = EVP_EC_gen("P-256");
	return soft_key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(soft_key);
	return 0;
}

static X509_REQ *new_req(void)
{
	X509_REQ *r = X509_REQ_new();

	assert_non_null(r);
	assert_true(X509_REQ_set_pubkey(r, soft_key));
	return r;
}

/* The DER of @r, signed in software (unsigned, it does not encode). */
static int sign_encode(X509_REQ *r, uint8_t **der)
{
	int n;

	assert_true(X509_REQ_sign(r, soft_key, EVP_sha256()) > 0);
	*der = NULL;
	n = i2d_X509_REQ(r, der);
	assert_true(n > 0);
	return n;
}

/*
 * @r through its DER and back. With @rename (an OID ending in .2), that
 * OID becomes the one ending in .1 on the way.
 */
static X509_REQ *reparse(X509_REQ *r, const ASN1_OBJECT *rename)
{
	const uint8_t *od = rename ? OBJ_get0_data(rename) : NULL, *p;
	size_t on = rename ? OBJ_length(rename) : 0, hits = 0;
	uint8_t *der;
	int n = sign_encode(r, &der);
	X509_REQ *back;

	for (size_t i = 0; od && i + on <= (size_t)n; i++)
		if (!memcmp(der + i, od, on)) {
			assert_int_equal(der[i + on - 1], 2);
			der[i + on - 1] = 1;
			hits++;
		}
	assert_int_equal(hits, od ? 1 : 0);
	p = der;
	back = d2i_X509_REQ(NULL, &p, n);
	assert_non_null(back);
	OPENSSL_free(der);
	X509_REQ_free(r);
	return back;
}

/*
 * OpenSSL refuses to add a second attribute of a type (3.0), but parses
 * requests that have one: add it under the KeyAttestation OID, which
 * differs from the EnrollEvidence OID in its last byte, then edit the DER.
 */
static X509_REQ *with_second_attribute(X509_REQ *r, const uint8_t *v,
				       size_t len)
{
	ASN1_OBJECT *o = oid(TR_OID_KEY_ATTESTATION);

	assert_true(
		X509_REQ_add1_attr_by_OBJ(r, o, V_ASN1_SEQUENCE, v, (int)len));
	r = reparse(r, o);
	ASN1_OBJECT_free(o);
	return r;
}

/* The evidence of request @r, or else of certificate @c, refused. */
static void expect_get_fail(const X509_REQ *r, const X509 *c, const char *want)
{
	struct tr_evidence e;
	char err[256] = "";

	refused(r ? tr_csr_get_evidence(r, &e, err, sizeof(err)) :
		    tr_cert_get_attestation(c, &e, err, sizeof(err)),
		err, want);
}

static void test_csr_attribute(void **state)
{
	struct tr_evidence e, back;
	X509_REQ *r = new_req();
	char err[256];

	(void)state;
	synthetic(&e);
	expect_get_fail(r, NULL, "no EnrollEvidence attribute");
	if (tr_csr_add_evidence(r, &e, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(tr_csr_add_evidence(r, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already has an EnrollEvidence"));
	r = reparse(r, NULL);
	if (tr_csr_get_evidence(r, &back, err, sizeof(err)))
		fail_msg("%s", err);
	common_equal(&e, &back);
	assert_memory_equal(&back.nonce, &e.nonce, sizeof(e.nonce));
	assert_memory_equal(&back.secret, &e.secret, sizeof(e.secret));
	X509_REQ_free(r);
}

static void test_csr_attribute_refusals(void **state)
{
	struct tr_evidence e;
	ASN1_OBJECT *o = oid(TR_OID_ENROLL_EVIDENCE);
	X509_ATTRIBUTE *a;
	X509_REQ *r;
	uint8_t *der;
	size_t len;
	char err[256];

	(void)state;
	good(tr_evidence_encode, &e, &der, &len);

	r = new_req();
	assert_int_equal(tr_csr_add_evidence(r, &e, err, sizeof(err)), 0);
	r = with_second_attribute(r, der, len);
	expect_get_fail(r, NULL, "more than one EnrollEvidence attribute");
	X509_REQ_free(r);

	r = new_req();
	a = X509_ATTRIBUTE_create_by_OBJ(NULL, o, V_ASN1_SEQUENCE, der,
					 (int)len);
	assert_non_null(a);
	assert_true(
		X509_ATTRIBUTE_set1_data(a, V_ASN1_SEQUENCE, der, (int)len));
	assert_true(X509_REQ_add1_attr(r, a));
	r = reparse(r, NULL);
	expect_get_fail(r, NULL, "has 2 values (exactly 1 allowed)");
	X509_ATTRIBUTE_free(a);
	X509_REQ_free(r);

	r = new_req();
	assert_true(X509_REQ_add1_attr_by_OBJ(r, o, V_ASN1_OCTET_STRING, der,
					      (int)len));
	expect_get_fail(r, NULL, "value is not a SEQUENCE");
	X509_REQ_free(r);

	/* A SEQUENCE that is no EnrollEvidence. */
	r = new_req();
	assert_true(X509_REQ_add1_attr_by_OBJ(r, o, V_ASN1_SEQUENCE,
					      (const uint8_t *)"\x30\x00", 2));
	expect_get_fail(r, NULL, "not a DER-encoded EnrollEvidence");
	X509_REQ_free(r);

	/* Evidence that does not encode is not added. */
	r = new_req();
	e.nonce.size = 0;
	assert_int_equal(tr_csr_add_evidence(r, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nonce is 0 bytes"));
	assert_int_equal(X509_REQ_get_attr_count(r), 0);
	X509_REQ_free(r);
	free(der);
	ASN1_OBJECT_free(o);
}

static void add_ext(X509 *c, const uint8_t *der, size_t len, int critical)
{
	ASN1_OBJECT *o = oid(TR_OID_KEY_ATTESTATION);
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	X509_EXTENSION *x;

	assert_true(s && ASN1_OCTET_STRING_set(s, der, (int)len));
	x = X509_EXTENSION_create_by_OBJ(NULL, o, critical, s);
	assert_non_null(x);
	assert_true(X509_add_ext(c, x, -1));
	X509_EXTENSION_free(x);
	ASN1_OCTET_STRING_free(s);
	ASN1_OBJECT_free(o);
}

static void test_cert_extension(void **state)
{
	struct tr_evidence e, back;
	uint8_t *der;
	size_t len;
	X509 *c = X509_new();
	char err[256];

	(void)state;
	assert_non_null(c);
	good(tr_key_attestation_encode, &e, &der, &len);
	expect_get_fail(NULL, c, "no KeyAttestation extension");
	add_ext(c, der, len, 0);
	if (tr_cert_get_attestation(c, &back, err, sizeof(err)))
		fail_msg("%s", err);
	common_equal(&e, &back);
	assert_memory_equal(&back.ek_name, &e.ek_name, sizeof(e.ek_name));
	add_ext(c, der, len, 0);
	expect_get_fail(NULL, c, "more than one KeyAttestation extension");
	X509_free(c);

	c = X509_new();
	add_ext(c, der, len, 1);
	expect_get_fail(NULL, c, "is critical");
	X509_free(c);

	c = X509_new();
	add_ext(c, der, len - 1, 0);
	expect_get_fail(NULL, c, "not a DER-encoded KeyAttestation");
	X509_free(c);
	free(der);

	/* An EnrollEvidence where the KeyAttestation belongs. */
	c = X509_new();
	encode(tr_evidence_encode, &e, &der, &len);
	add_ext(c, der, len, 0);
	expect_get_fail(NULL, c, "not a DER-encoded KeyAttestation");
	X509_free(c);
	free(der);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evidence_round_trip),
		cmocka_unit_test(test_attestation_round_trip),
		cmocka_unit_test(test_evidence_malformed),
		cmocka_unit_test(test_evidence_ber_refused),
		cmocka_unit_test(test_attestation_malformed),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_csr_attribute),
		cmocka_unit_test(test_csr_attribute_refusals),
		cmocka_unit_test(test_cert_extension),
	};

	return TR_RUN(tests, setup, teardown);
}
