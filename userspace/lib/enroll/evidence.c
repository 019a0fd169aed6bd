// SPDX-License-Identifier: GPL-2.0-only
/*
 * EnrollEvidence and KeyAttestation (enroll/evidence.h). One C struct
 * backs both SEQUENCEs: each template names the fields it has. Encoder
 * and decoder pass every field through the same checks, so whatever one
 * writes the other reads back, and the reverse.
 */
#include "enroll/evidence.h"
#include "base/errmsg.h"
#include "tpm/certify.h"
#include "tpm/convert.h"

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

typedef struct {
	ASN1_INTEGER *version;
	ASN1_OCTET_STRING *nonce;
	ASN1_OCTET_STRING *secret;
	ASN1_OCTET_STRING *ek_name;
	ASN1_OCTET_STRING *ak_pub;
	ASN1_OCTET_STRING *key_pub;
	ASN1_OCTET_STRING *certify_info;
	ASN1_OCTET_STRING *certify_sig;
} Evidence;

typedef Evidence EnrollEvidence;
typedef Evidence KeyAttestation;

/* What both SEQUENCEs end with: the key, certified by the AK. */
#define CERTIFIED_KEY(st)                                         \
	ASN1_SIMPLE(st, ak_pub, ASN1_OCTET_STRING),               \
		ASN1_SIMPLE(st, key_pub, ASN1_OCTET_STRING),      \
		ASN1_SIMPLE(st, certify_info, ASN1_OCTET_STRING), \
		ASN1_SIMPLE(st, certify_sig, ASN1_OCTET_STRING)

ASN1_SEQUENCE(EnrollEvidence) = {
	ASN1_SIMPLE(EnrollEvidence, version, ASN1_INTEGER),
	ASN1_SIMPLE(EnrollEvidence, nonce, ASN1_OCTET_STRING),
	ASN1_SIMPLE(EnrollEvidence, secret, ASN1_OCTET_STRING),
	CERTIFIED_KEY(EnrollEvidence),
} static_ASN1_SEQUENCE_END(EnrollEvidence)

ASN1_SEQUENCE(KeyAttestation) = {
	ASN1_SIMPLE(KeyAttestation, version, ASN1_INTEGER),
	ASN1_SIMPLE(KeyAttestation, ek_name, ASN1_OCTET_STRING),
	CERTIFIED_KEY(KeyAttestation),
} static_ASN1_SEQUENCE_END(KeyAttestation)

enum field { F_NONCE, F_SECRET, F_EK_NAME, F_AK, F_KEY, F_INFO, F_SIG, F_N };

static const char *const field_name[F_N] = {
	"nonce",     "credentialSecret", "ekName",	     "akPublic",
	"keyPublic", "certifyInfo",	 "certifySignature",
};

static const size_t field_off[F_N] = {
	offsetof(Evidence, nonce),	 offsetof(Evidence, secret),
	offsetof(Evidence, ek_name),	 offsetof(Evidence, ak_pub),
	offsetof(Evidence, key_pub),	 offsetof(Evidence, certify_info),
	offsetof(Evidence, certify_sig),
};

#define SLOT(a, f) (*(ASN1_OCTET_STRING **)((char *)(a) + field_off[f]))

#define BIT(f) (1u << (f))
#define CERTIFIED_KEY_FIELDS (BIT(F_AK) | BIT(F_KEY) | BIT(F_INFO) | BIT(F_SIG))

struct form {
	const char *name;
	const ASN1_ITEM *(*it)(void); /* ASN1_ITEM_ref */
	unsigned has; /* BIT(field) */
};

static const struct form enroll_form = {
	"EnrollEvidence",
	ASN1_ITEM_ref(EnrollEvidence),
	BIT(F_NONCE) | BIT(F_SECRET) | CERTIFIED_KEY_FIELDS,
};

static const struct form attestation_form = {
	"KeyAttestation",
	ASN1_ITEM_ref(KeyAttestation),
	BIT(F_EK_NAME) | CERTIFIED_KEY_FIELDS,
};

/* A field's contents: into the DER's strings, or into marshalled copies. */
struct fields {
	const uint8_t *b[F_N];
	size_t n[F_N];
};

/* The marshalled TPM structures of the encoder. */
struct marshalled {
	uint8_t ak[sizeof(TPM2B_PUBLIC)];
	uint8_t key[sizeof(TPM2B_PUBLIC)];
	uint8_t sig[sizeof(TPMT_SIGNATURE)];
};

union tpm_struct {
	TPM2B_PUBLIC pub;
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
};

static const char *tpm_type(enum field f)
{
	return f == F_INFO ? "TPMS_ATTEST" :
	       f == F_SIG  ? "TPMT_SIGNATURE" :
			     "TPM2B_PUBLIC";
}

/* @s points to the TPM structure of field @f (tpm_type). */
static TSS2_RC tpm_unmarshal(enum field f, const uint8_t *b, size_t n,
			     size_t *off, void *s)
{
	if (f == F_INFO)
		return Tss2_MU_TPMS_ATTEST_Unmarshal(b, n, off, s);
	if (f == F_SIG)
		return Tss2_MU_TPMT_SIGNATURE_Unmarshal(b, n, off, s);
	return Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, n, off, s);
}

static TSS2_RC tpm_marshal(enum field f, const void *s, uint8_t *b, size_t size,
			   size_t *off)
{
	if (f == F_INFO)
		return Tss2_MU_TPMS_ATTEST_Marshal(s, b, size, off);
	if (f == F_SIG)
		return Tss2_MU_TPMT_SIGNATURE_Marshal(s, b, size, off);
	return Tss2_MU_TPM2B_PUBLIC_Marshal(s, b, size, off);
}

/*
 * @b is one marshalled TPM structure that fills it, in the only form it
 * marshals to (a TPM2B whose size field disagrees with its contents, for
 * one, does not survive), unmarshalled into @u.
 */
static int check_tpm(const struct form *fm, enum field f, const uint8_t *b,
		     size_t n, union tpm_struct *u, char *err, size_t errlen)
{
	uint8_t re[sizeof(union tpm_struct) + 2];
	size_t off = 0, relen = 0;
	TSS2_RC rc;

	memset(u, 0, sizeof(*u));
	rc = tpm_unmarshal(f, b, n, &off, u);
	if (rc)
		return tr_fail(
			err, errlen,
			"%s: %s (%zu bytes) is not a marshalled %s (tpm2-tss error 0x%x)",
			fm->name, field_name[f], n, tpm_type(f), rc);
	if (off != n)
		return tr_fail(err, errlen, "%s: %s has %zu bytes after its %s",
			       fm->name, field_name[f], n - off, tpm_type(f));
	if ((f == F_AK || f == F_KEY) && !u->pub.size)
		return tr_fail(err, errlen, "%s: %s is an empty TPM2B_PUBLIC",
			       fm->name, field_name[f]);
	rc = tpm_marshal(f, u, re, sizeof(re), &relen);
	if (rc || relen != n || memcmp(re, b, n))
		return tr_fail(
			err, errlen,
			"%s: %s is not a %s in its canonical marshalled form",
			fm->name, field_name[f], tpm_type(f));
	return 0;
}

static int check_len(const struct form *fm, enum field f, size_t n, size_t min,
		     size_t max, char *err, size_t errlen)
{
	if (n < min || n > max)
		return tr_fail(err, errlen,
			       "%s: %s is %zu bytes (must be %zu..%zu)",
			       fm->name, field_name[f], n, min, max);
	return 0;
}

/* A TPM name of a digest: the hash algorithm, then a digest of its size. */
static int check_name(const struct form *fm, const uint8_t *b, size_t n,
		      char *err, size_t errlen)
{
	size_t want = 0;

	if (n >= 2) {
		switch (b[0] << 8 | b[1]) {
		case TPM2_ALG_SHA1:
			want = TPM2_SHA1_DIGEST_SIZE;
			break;
		case TPM2_ALG_SHA256:
		case TPM2_ALG_SM3_256:
			want = TPM2_SHA256_DIGEST_SIZE;
			break;
		case TPM2_ALG_SHA384:
			want = TPM2_SHA384_DIGEST_SIZE;
			break;
		case TPM2_ALG_SHA512:
			want = TPM2_SHA512_DIGEST_SIZE;
			break;
		}
	}
	if (!want)
		return tr_fail(
			err, errlen,
			"%s: ekName (%zu bytes) does not start with a known hash algorithm",
			fm->name, n);
	if (n != 2 + want)
		return tr_fail(
			err, errlen,
			"%s: ekName is %zu bytes, its hash algorithm 0x%04x names with %zu",
			fm->name, n, b[0] << 8 | b[1], 2 + want);
	return 0;
}

/*
 * Every field of @fm in @in is what enroll/evidence.h allows; with @e
 * (zeroed by the caller) not NULL, copied into it.
 */
static int check_fields(const struct form *fm, const struct fields *in,
			struct tr_evidence *e, char *err, size_t errlen)
{
	struct tr_evidence scratch;
	union tpm_struct u;

	if (!e)
		e = &scratch;
	for (enum field f = 0; f < F_N; f++) {
		const uint8_t *b = in->b[f];
		size_t n = in->n[f];

		if (!(fm->has & BIT(f)))
			continue;
		switch (f) {
		case F_NONCE:
			if (check_len(fm, f, n, TR_NONCE_MIN,
				      sizeof(e->nonce.buffer), err, errlen) < 0)
				return -1;
			memcpy(e->nonce.buffer, b, n);
			e->nonce.size = (UINT16)n;
			break;
		case F_SECRET:
			if (check_len(fm, f, n, 1, 32, err, errlen) < 0)
				return -1;
			memcpy(e->secret.buffer, b, n);
			e->secret.size = (UINT16)n;
			break;
		case F_EK_NAME:
			if (check_name(fm, b, n, err, errlen) < 0)
				return -1;
			memcpy(e->ek_name.name, b, n);
			e->ek_name.size = (UINT16)n;
			break;
		case F_INFO:
			/* Kept as it is: the AK signed these very bytes. */
			if (check_len(fm, f, n, 1,
				      sizeof(e->attest.attestationData), err,
				      errlen) < 0 ||
			    check_tpm(fm, f, b, n, &u, err, errlen) < 0)
				return -1;
			memcpy(e->attest.attestationData, b, n);
			e->attest.size = (UINT16)n;
			break;
		default:
			if (check_tpm(fm, f, b, n, &u, err, errlen) < 0)
				return -1;
			if (f == F_SIG)
				e->sig = u.sig;
			else if (f == F_AK)
				e->ak_pub = u.pub;
			else
				e->key_pub = u.pub;
		}
	}
	return 0;
}

/* The reason OpenSSL gave for the last failure, for messages. */
static const char *ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "unknown error";
}

static int decode(const struct form *fm, const uint8_t *der, size_t len,
		  struct tr_evidence *e, char *err, size_t errlen)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	struct fields in;
	Evidence *a = NULL;
	int64_t version;
	int relen, ret = -1;

	memset(e, 0, sizeof(*e));
	if (!der || !len)
		return tr_fail(err, errlen, "%s is empty", fm->name);
	if (len > TR_EVIDENCE_MAX_DER)
		return tr_fail(err, errlen, "%s DER is %zu bytes (at most %d)",
			       fm->name, len, TR_EVIDENCE_MAX_DER);
	ERR_set_mark();
	a = (Evidence *)ASN1_item_d2i(NULL, &p, (long)len, fm->it());
	if (!a) {
		tr_fail(err, errlen, "not a DER-encoded %s: %s", fm->name,
			ossl_reason());
		goto out;
	}
	if (p != der + len) {
		tr_fail(err, errlen, "%zu trailing bytes after the %s",
			len - (size_t)(p - der), fm->name);
		goto out;
	}
	relen = ASN1_item_i2d((ASN1_VALUE *)a, &re, fm->it());
	if (relen < 0 || (size_t)relen != len || memcmp(re, der, len)) {
		tr_fail(err, errlen,
			"%s is BER, not DER (not in its canonical encoding)",
			fm->name);
		goto out;
	}
	if (!ASN1_INTEGER_get_int64(&version, a->version) || version != 1) {
		tr_fail(err, errlen, "%s version is not 1 (the only one known)",
			fm->name);
		goto out;
	}
	for (enum field f = 0; f < F_N; f++) {
		const ASN1_OCTET_STRING *s = (fm->has & BIT(f)) ? SLOT(a, f) :
								  NULL;

		in.b[f] = s ? ASN1_STRING_get0_data(s) : NULL;
		in.n[f] = s ? (size_t)ASN1_STRING_length(s) : 0;
	}
	ret = check_fields(fm, &in, e, err, errlen);
out:
	OPENSSL_free(re);
	ASN1_item_free((ASN1_VALUE *)a, fm->it());
	ERR_pop_to_mark();
	if (ret < 0)
		memset(e, 0, sizeof(*e));
	return ret;
}

static int marshal(const struct form *fm, enum field f, const void *s,
		   uint8_t *b, size_t size, struct fields *out, char *err,
		   size_t errlen)
{
	size_t off = 0;
	TSS2_RC rc = tpm_marshal(f, s, b, size, &off);

	if (rc)
		return tr_fail(err, errlen,
			       "%s: %s does not marshal (tpm2-tss error 0x%x)",
			       fm->name, field_name[f], rc);
	out->b[f] = b;
	out->n[f] = off;
	return 0;
}

/* The fields of @e as the DER holds them. */
static int to_fields(const struct form *fm, const struct tr_evidence *e,
		     struct marshalled *m, struct fields *out, char *err,
		     size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->b[F_NONCE] = e->nonce.buffer;
	out->n[F_NONCE] = e->nonce.size;
	out->b[F_SECRET] = e->secret.buffer;
	out->n[F_SECRET] = e->secret.size;
	out->b[F_EK_NAME] = e->ek_name.name;
	out->n[F_EK_NAME] = e->ek_name.size;
	out->b[F_INFO] = e->attest.attestationData;
	out->n[F_INFO] = e->attest.size;
	/* Sizes beyond their buffers would be read past: refuse them here. */
	if (e->ek_name.size > sizeof(e->ek_name.name) ||
	    e->attest.size > sizeof(e->attest.attestationData))
		return tr_fail(err, errlen,
			       "%s: a size field exceeds its buffer", fm->name);
	if (marshal(fm, F_AK, &e->ak_pub, m->ak, sizeof(m->ak), out, err,
		    errlen) < 0 ||
	    marshal(fm, F_KEY, &e->key_pub, m->key, sizeof(m->key), out, err,
		    errlen) < 0 ||
	    marshal(fm, F_SIG, &e->sig, m->sig, sizeof(m->sig), out, err,
		    errlen) < 0)
		return -1;
	return 0;
}

static int encode(const struct form *fm, const struct tr_evidence *e,
		  uint8_t **der, size_t *len, char *err, size_t errlen)
{
	struct marshalled m;
	struct fields in;
	unsigned char *out = NULL;
	Evidence *a;
	int n = -1;

	*der = NULL;
	*len = 0;
	if (to_fields(fm, e, &m, &in, err, errlen) < 0 ||
	    check_fields(fm, &in, NULL, err, errlen) < 0)
		return -1;
	ERR_set_mark();
	a = (Evidence *)ASN1_item_new(fm->it());
	if (a && ASN1_INTEGER_set(a->version, 1)) {
		n = 0;
		for (enum field f = 0; f < F_N && !n; f++)
			if ((fm->has & BIT(f)) &&
			    !ASN1_OCTET_STRING_set(SLOT(a, f), in.b[f],
						   (int)in.n[f]))
				n = -1;
		if (!n)
			n = ASN1_item_i2d((ASN1_VALUE *)a, &out, fm->it());
	}
	ASN1_item_free((ASN1_VALUE *)a, fm->it());
	ERR_pop_to_mark();
	if (n <= 0)
		return tr_fail(err, errlen, "out of memory encoding the %s",
			       fm->name);
	if (n > TR_EVIDENCE_MAX_DER) {
		OPENSSL_free(out);
		return tr_fail(err, errlen,
			       "%s DER would be %d bytes (at most %d)",
			       fm->name, n, TR_EVIDENCE_MAX_DER);
	}
	*der = malloc((size_t)n);
	if (*der) {
		memcpy(*der, out, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(out);
	return *der ? 0 :
		      tr_fail(err, errlen, "out of memory for the %s",
			      fm->name);
}

int tr_evidence_encode(const struct tr_evidence *e, uint8_t **der, size_t *len,
		       char *err, size_t errlen)
{
	return encode(&enroll_form, e, der, len, err, errlen);
}

int tr_evidence_decode(const uint8_t *der, size_t len, struct tr_evidence *e,
		       char *err, size_t errlen)
{
	return decode(&enroll_form, der, len, e, err, errlen);
}

int tr_key_attestation_encode(const struct tr_evidence *e, uint8_t **der,
			      size_t *len, char *err, size_t errlen)
{
	return encode(&attestation_form, e, der, len, err, errlen);
}

int tr_key_attestation_decode(const uint8_t *der, size_t len,
			      struct tr_evidence *e, char *err, size_t errlen)
{
	return decode(&attestation_form, der, len, e, err, errlen);
}

int tr_csr_add_evidence(X509_REQ *req, const struct tr_evidence *e, char *err,
			size_t errlen)
{
	ASN1_OBJECT *obj;
	uint8_t *der;
	size_t len;
	int ok;

	if (tr_evidence_encode(e, &der, &len, err, errlen) < 0)
		return -1;
	ERR_set_mark();
	obj = OBJ_txt2obj(TR_OID_ENROLL_EVIDENCE, 1);
	if (obj && X509_REQ_get_attr_by_OBJ(req, obj, -1) >= 0) {
		ok = tr_fail(
			err, errlen,
			"the request already has an EnrollEvidence attribute");
	} else {
		ok = obj && X509_REQ_add1_attr_by_OBJ(req, obj, V_ASN1_SEQUENCE,
						      der, (int)len) ?
			     0 :
			     tr_fail(err, errlen,
				     "out of memory adding the EnrollEvidence attribute");
	}
	ASN1_OBJECT_free(obj);
	ERR_pop_to_mark();
	free(der);
	return ok;
}

typedef int find_fn(const void *x, const ASN1_OBJECT *obj, int lastpos);

static int req_attr(const void *req, const ASN1_OBJECT *obj, int lastpos)
{
	return X509_REQ_get_attr_by_OBJ(req, obj, lastpos);
}

static int cert_ext(const void *cert, const ASN1_OBJECT *obj, int lastpos)
{
	return X509_get_ext_by_OBJ(cert, obj, lastpos);
}

/* The index of the only @what (@oid) in the @where @x, or -1. */
static int find_one(const void *x, find_fn *find, const char *oid,
		    const char *where, const char *what, char *err,
		    size_t errlen)
{
	ASN1_OBJECT *obj;
	int i = -1, next = -1;

	ERR_set_mark();
	obj = OBJ_txt2obj(oid, 1);
	if (obj) {
		i = find(x, obj, -1);
		next = i >= 0 ? find(x, obj, i) : -1;
	}
	ASN1_OBJECT_free(obj);
	ERR_pop_to_mark();
	if (!obj)
		return tr_fail(err, errlen, "out of memory for the OID %s",
			       oid);
	if (i < 0)
		return tr_fail(err, errlen, "the %s has no %s (%s)", where,
			       what, oid);
	if (next >= 0)
		return tr_fail(err, errlen, "the %s has more than one %s",
			       where, what);
	return i;
}

/* @s holds the DER of the @fm. */
static int decode_string(const struct form *fm, const ASN1_STRING *s,
			 struct tr_evidence *e, char *err, size_t errlen)
{
	int n = s ? ASN1_STRING_length(s) : 0;

	return decode(fm, n > 0 ? ASN1_STRING_get0_data(s) : NULL,
		      n > 0 ? (size_t)n : 0, e, err, errlen);
}

int tr_csr_get_evidence(const X509_REQ *req, struct tr_evidence *e, char *err,
			size_t errlen)
{
	X509_ATTRIBUTE *attr;
	const ASN1_TYPE *v;
	int i, n;

	memset(e, 0, sizeof(*e));
	i = find_one(req, req_attr, TR_OID_ENROLL_EVIDENCE, "request",
		     "EnrollEvidence attribute", err, errlen);
	if (i < 0)
		return -1;
	attr = X509_REQ_get_attr(req, i);
	n = X509_ATTRIBUTE_count(attr);
	if (n != 1)
		return tr_fail(
			err, errlen,
			"the EnrollEvidence attribute has %d values (exactly 1 allowed)",
			n);
	v = X509_ATTRIBUTE_get0_type(attr, 0);
	if (!v || v->type != V_ASN1_SEQUENCE)
		return tr_fail(
			err, errlen,
			"the EnrollEvidence attribute's value is not a SEQUENCE");
	/* A SEQUENCE value is kept as its whole DER. */
	return decode_string(&enroll_form, v->value.sequence, e, err, errlen);
}

int tr_cert_get_attestation(const X509 *cert, struct tr_evidence *e, char *err,
			    size_t errlen)
{
	X509_EXTENSION *ext;
	int i;

	memset(e, 0, sizeof(*e));
	i = find_one(cert, cert_ext, TR_OID_KEY_ATTESTATION, "certificate",
		     "KeyAttestation extension", err, errlen);
	if (i < 0)
		return -1;
	ext = X509_get_ext(cert, i);
	if (X509_EXTENSION_get_critical(ext))
		return tr_fail(
			err, errlen,
			"the KeyAttestation extension is critical (it must not be)");
	return decode_string(&attestation_form, X509_EXTENSION_get_data(ext), e,
			     err, errlen);
}

static int verify(const X509 *cert, const uint8_t *policy,
		  const struct tr_evidence *e, char *err, size_t errlen)
{
	EVP_PKEY *key, *cert_key = X509_get0_pubkey(cert);
	TPMS_ATTEST info;
	size_t off = 0;
	char why[192];
	int eq;

	key = tr_tpm_public_to_evp(&e->key_pub, why, sizeof(why));
	if (!key)
		return tr_fail(err, errlen, "KeyAttestation: keyPublic: %s",
			       why);
	eq = cert_key ? EVP_PKEY_eq(key, cert_key) : 0;
	EVP_PKEY_free(key);
	if (eq != 1)
		return tr_fail(
			err, errlen,
			"KeyAttestation: keyPublic is not the certificate's public key");
	if (tr_ak_check_public(&e->ak_pub, why, sizeof(why)) < 0)
		return tr_fail(err, errlen, "KeyAttestation: %s", why);
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(e->attest.attestationData,
					  e->attest.size, &off, &info))
		return tr_fail(err, errlen,
			       "KeyAttestation: malformed certifyInfo");
	if (tr_certify_verify(&e->attest, &e->sig, &e->ak_pub, &e->key_pub,
			      &info.extraData, why, sizeof(why)) < 0)
		return tr_fail(err, errlen, "KeyAttestation: certifyInfo: %s",
			       why);
	if (policy && tr_sealed_key_check_public(&e->key_pub, policy, why,
						 sizeof(why)) < 0)
		return tr_fail(err, errlen, "KeyAttestation: %s", why);
	return 0;
}

int tr_cert_attestation_verify(const X509 *cert, const uint8_t *policy,
			       struct tr_evidence *e, char *err, size_t errlen)
{
	int ret = tr_cert_get_attestation(cert, e, err, errlen);

	if (!ret) {
		ERR_set_mark();
		ret = verify(cert, policy, e, err, errlen);
		ERR_pop_to_mark();
	}
	if (ret < 0)
		memset(e, 0, sizeof(*e));
	return ret;
}
