// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading and checking the endorsement key and its certificate.
 */
#include "tpm/ek.h"

#include "base/errmsg.h"
#include "tpm/convert.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NV_CHUNK 512 /* below every TPM's MAX_NV_BUFFER_SIZE */

int tr_ek_cert_read_nv(struct tr_tpm *t, uint32_t nv_index, uint8_t **der,
		       size_t *len, char *err, size_t errlen)
{
	TPM2B_NV_PUBLIC *nvpub = NULL;
	ESYS_TR nv = ESYS_TR_NONE;
	uint8_t *buf = NULL;
	uint16_t size, off;
	TSS2_RC rc;
	int ret = -1;

	t->commands++;
	rc = Esys_TR_FromTPMPublic(t->esys, nv_index, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, &nv);
	if (rc) {
		char what[64];

		snprintf(what, sizeof(what), "no certificate in NV 0x%08x",
			 nv_index);
		return tr_tpm_fail(err, errlen, what, rc);
	}
	t->commands++;
	rc = Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
				ESYS_TR_NONE, &nvpub, NULL);
	if (rc) {
		tr_tpm_fail(err, errlen, "TPM2_NV_ReadPublic", rc);
		goto out;
	}
	size = nvpub->nvPublic.dataSize;
	if (!size || size > TR_EK_CERT_MAX) {
		tr_fail(err, errlen, "EK certificate index of %u bytes", size);
		goto out;
	}
	buf = malloc(size);
	if (!buf) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	for (off = 0; off < size;) {
		uint16_t n = size - off > NV_CHUNK ? NV_CHUNK : size - off;
		TPM2B_MAX_NV_BUFFER *data = NULL;

		/* EK certificate indices are readable with their own
		 * (empty) authorization. */
		t->commands++;
		rc = Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, ESYS_TR_NONE, n, off, &data);
		if (rc || data->size != n) {
			Esys_Free(data);
			tr_tpm_fail(err, errlen, "TPM2_NV_Read", rc);
			goto out;
		}
		memcpy(buf + off, data->buffer, n);
		off += n;
		Esys_Free(data);
	}
	*der = buf;
	*len = size;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	Esys_Free(nvpub);
	Esys_TR_Close(t->esys, &nv);
	return ret;
}

int tr_ek_cert_read(struct tr_tpm *t, uint8_t **der, size_t *len, char *err,
		    size_t errlen)
{
	return tr_ek_cert_read_nv(t, TR_EK_CERT_NV_RSA, der, len, err, errlen);
}

/*
 * The authPolicy digests of the TCG EK Credential Profile 2.x (checked
 * against tpm2-tools 5.4's tpm2_createek on swtpm, and wolfTPM).
 * PolicyA: PolicySecret(TPM_RH_ENDORSEMENT), the low range's policy.
 * PolicyB: PolicyOR(PolicyA, PolicyC), the high range's, one per nameAlg.
 */
static const uint8_t policy_a_sha256[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
	0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
	0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

static const uint8_t policy_b_sha256[32] = {
	0xca, 0x3d, 0x0a, 0x99, 0xa2, 0xb9, 0x39, 0x06, 0xf7, 0xa3, 0x34,
	0x24, 0x14, 0xef, 0xcf, 0xb3, 0xa3, 0x85, 0xd4, 0x4c, 0xd1, 0xfd,
	0x45, 0x90, 0x89, 0xd1, 0x9b, 0x50, 0x71, 0xc0, 0xb7, 0xa0,
};

static const uint8_t policy_b_sha384[48] = {
	0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc, 0x53, 0xd8, 0x82, 0xbc,
	0xf5, 0xfd, 0x3a, 0x1a, 0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3, 0xb4, 0xe4,
	0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca, 0xcb, 0x47, 0xba, 0x09,
	0x69, 0x96, 0x46, 0x15, 0x0f, 0x9f, 0xc0, 0x00, 0xf3, 0xf8, 0x0e, 0x12,
};

static const uint8_t policy_b_sha512[64] = {
	0xb8, 0x22, 0x1c, 0xa6, 0x9e, 0x85, 0x50, 0xa4, 0x91, 0x4d, 0xe3,
	0xfa, 0xa6, 0xa1, 0x8c, 0x07, 0x2c, 0xc0, 0x12, 0x08, 0x07, 0x3a,
	0x92, 0x8d, 0x5d, 0x66, 0xd5, 0x9e, 0xf7, 0x9e, 0x49, 0xa4, 0x29,
	0xc4, 0x1a, 0x6b, 0x26, 0x95, 0x71, 0xd5, 0x7e, 0xdb, 0x25, 0xfb,
	0xdb, 0x18, 0x38, 0x42, 0x56, 0x08, 0xb4, 0x13, 0xcd, 0x61, 0x6a,
	0x5f, 0x6d, 0xb5, 0xb6, 0x07, 0x1a, 0xf9, 0x9b, 0xea,
};

/* Both ranges: made in the TPM, never leaving it, a restricted
 * decryption key whose admin role needs the policy. */
#define EK_LOW                                                           \
	(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |                \
	 TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY | \
	 TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)
/* The high range adds userWithAuth (its PolicyB has the password path
 * through PolicyC's NV index instead). */
#define EK_HIGH (EK_LOW | TPMA_OBJECT_USERWITHAUTH)

struct ek_template {
	const char *name, *what;
	TPMI_ALG_PUBLIC type;
	TPMI_ALG_HASH name_alg;
	TPMA_OBJECT attrs;
	const uint8_t *policy;
	uint16_t policy_len;
	uint16_t aes_bits; /* symmetric: AES-n in CFB mode */
	uint16_t rsa_bits; /* RSA: modulus size, exponent 0 (65537) */
	TPMI_ECC_CURVE curve; /* ECC: curve, no KDF */
	uint16_t unique_len; /* RSA: modulus bytes; ECC: each coordinate */
};

#define POLICY(p) p, sizeof(p)

static const struct ek_template templates[TR_EK_TEMPLATES] = {
	[TR_EK_L1] = { "L-1", "RSA 2048", TPM2_ALG_RSA, TPM2_ALG_SHA256, EK_LOW,
		       POLICY(policy_a_sha256), 128, 2048, 0, 256 },
	[TR_EK_L2] = { "L-2", "ECC NIST P-256", TPM2_ALG_ECC, TPM2_ALG_SHA256,
		       EK_LOW, POLICY(policy_a_sha256), 128, 0,
		       TPM2_ECC_NIST_P256, 32 },
	[TR_EK_H1] = { "H-1", "RSA 2048", TPM2_ALG_RSA, TPM2_ALG_SHA256,
		       EK_HIGH, POLICY(policy_b_sha256), 128, 2048, 0, 256 },
	[TR_EK_H2] = { "H-2", "ECC NIST P-256", TPM2_ALG_ECC, TPM2_ALG_SHA256,
		       EK_HIGH, POLICY(policy_b_sha256), 128, 0,
		       TPM2_ECC_NIST_P256, 32 },
	[TR_EK_H3] = { "H-3", "ECC NIST P-384", TPM2_ALG_ECC, TPM2_ALG_SHA384,
		       EK_HIGH, POLICY(policy_b_sha384), 256, 0,
		       TPM2_ECC_NIST_P384, 48 },
	[TR_EK_H4] = { "H-4", "ECC NIST P-521", TPM2_ALG_ECC, TPM2_ALG_SHA512,
		       EK_HIGH, POLICY(policy_b_sha512), 256, 0,
		       TPM2_ECC_NIST_P521, 66 },
	[TR_EK_H6] = { "H-6", "RSA 3072", TPM2_ALG_RSA, TPM2_ALG_SHA384,
		       EK_HIGH, POLICY(policy_b_sha384), 256, 3072, 0, 384 },
};

const char *tr_ek_template_name(int t)
{
	return t >= 0 && t < TR_EK_TEMPLATES ? templates[t].name : NULL;
}

int tr_ek_template_list(const char *list, unsigned *mask, char *err,
			size_t errlen)
{
	const char *p = list ? list : "";

	*mask = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		int t;

		for (t = 0; t < TR_EK_TEMPLATES; t++)
			if (strlen(templates[t].name) == n &&
			    !strncmp(p, templates[t].name, n))
				break;
		if (t == TR_EK_TEMPLATES)
			return tr_fail(
				err, errlen,
				"\"%.*s\" is not an EK template (L-1, L-2, H-1 to H-4, H-6)",
				(int)n, p);
		*mask |= TR_EK_TEMPLATE_BIT(t);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static const struct {
	TPMA_OBJECT bit;
	const char *name;
} attr_names[] = {
	{ TPMA_OBJECT_FIXEDTPM, "fixedTPM" },
	{ TPMA_OBJECT_STCLEAR, "stClear" },
	{ TPMA_OBJECT_FIXEDPARENT, "fixedParent" },
	{ TPMA_OBJECT_SENSITIVEDATAORIGIN, "sensitiveDataOrigin" },
	{ TPMA_OBJECT_USERWITHAUTH, "userWithAuth" },
	{ TPMA_OBJECT_ADMINWITHPOLICY, "adminWithPolicy" },
	{ TPMA_OBJECT_NODA, "noDA" },
	{ TPMA_OBJECT_ENCRYPTEDDUPLICATION, "encryptedDuplication" },
	{ TPMA_OBJECT_RESTRICTED, "restricted" },
	{ TPMA_OBJECT_DECRYPT, "decrypt" },
	{ TPMA_OBJECT_SIGN_ENCRYPT, "sign" },
	{ TPMA_OBJECT_X509SIGN, "x509sign" },
};

/* "noDA set, userWithAuth clear, bits 0x00000100 set" for @got vs @want. */
static void attr_diff(TPMA_OBJECT got, TPMA_OBJECT want, char *out, size_t len)
{
	TPMA_OBJECT rest = got ^ want;
	size_t n = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (rest & attr_names[i].bit) {
			n += (size_t)snprintf(
				out + n, n < len ? len - n : 0, "%s%s %s",
				n ? ", " : "", attr_names[i].name,
				got & attr_names[i].bit ? "set" : "clear");
			rest &= ~attr_names[i].bit;
		}
	if (rest)
		snprintf(out + n, n < len ? len - n : 0,
			 "%sreserved bits 0x%08x set", n ? ", " : "", rest);
}

/*
 * How far @a is from template @t: the number of fields that differ, the
 * first of them described in @why.
 */
static int template_diff(const TPMT_PUBLIC *a, const struct ek_template *t,
			 char *why, size_t len)
{
	const TPMT_SYM_DEF_OBJECT *sym =
		a->type == TPM2_ALG_RSA ? &a->parameters.rsaDetail.symmetric :
					  &a->parameters.eccDetail.symmetric;
	int n = 0;
	char buf[160];

#define DIFF(cond, ...)                                          \
	do {                                                     \
		if (cond) {                                      \
			if (!n++)                                \
				snprintf(why, len, __VA_ARGS__); \
		}                                                \
	} while (0)

	why[0] = 0;
	if (a->type != t->type)
		return 100; /* not even the same kind of key */
	DIFF(a->nameAlg != t->name_alg, "nameAlg 0x%04x, %s has 0x%04x",
	     a->nameAlg, t->name, t->name_alg);
	attr_diff(a->objectAttributes, t->attrs, buf, sizeof(buf));
	DIFF(a->objectAttributes != t->attrs,
	     "objectAttributes 0x%08x (%s), %s has 0x%08x", a->objectAttributes,
	     buf, t->name, t->attrs);
	DIFF(a->authPolicy.size != t->policy_len ||
		     memcmp(a->authPolicy.buffer, t->policy, t->policy_len),
	     "authPolicy is not %s's (%s of %u bytes)", t->name,
	     t->policy == policy_a_sha256 ? "PolicyA" : "PolicyB",
	     t->policy_len);
	DIFF(sym->algorithm != TPM2_ALG_AES ||
		     sym->keyBits.aes != t->aes_bits ||
		     sym->mode.aes != TPM2_ALG_CFB,
	     "symmetric is not AES-%u-CFB as in %s", t->aes_bits, t->name);
	if (a->type == TPM2_ALG_RSA) {
		const TPMS_RSA_PARMS *r = &a->parameters.rsaDetail;

		DIFF(r->scheme.scheme != TPM2_ALG_NULL,
		     "scheme 0x%04x, %s has none", r->scheme.scheme, t->name);
		DIFF(r->keyBits != t->rsa_bits, "keyBits %u, %s has %u",
		     r->keyBits, t->name, t->rsa_bits);
		/* 0 means 65537; 65537 spelled out is another public area,
		 * another name, for the same key. */
		DIFF(r->exponent != 0, "exponent %u, %s has 0 (65537)",
		     r->exponent, t->name);
		DIFF(a->unique.rsa.size != t->unique_len,
		     "unique of %u bytes, a %s modulus has %u",
		     a->unique.rsa.size, t->name, t->unique_len);
	} else {
		const TPMS_ECC_PARMS *e = &a->parameters.eccDetail;

		DIFF(e->scheme.scheme != TPM2_ALG_NULL,
		     "scheme 0x%04x, %s has none", e->scheme.scheme, t->name);
		DIFF(e->curveID != t->curve, "curve 0x%04x, %s has 0x%04x",
		     e->curveID, t->name, t->curve);
		DIFF(e->kdf.scheme != TPM2_ALG_NULL, "kdf 0x%04x, %s has none",
		     e->kdf.scheme, t->name);
		/* The TPM pads each coordinate to the curve's size. */
		DIFF(a->unique.ecc.x.size != t->unique_len ||
			     a->unique.ecc.y.size != t->unique_len,
		     "unique point of %u+%u bytes, %s has %u+%u",
		     a->unique.ecc.x.size, a->unique.ecc.y.size, t->name,
		     t->unique_len, t->unique_len);
	}
#undef DIFF
	return n;
}

/*
 * Why exact: MakeCredential wraps to the key alone, so any area around
 * the certified key would activate. An area with one attribute flipped
 * (noDA) has another name, and the store, keyed by name, took it for
 * another TPM: one swtpm enrolled as "r1" and as "r1-clone" (issue 12).
 * With the area fixed by its template, one key has one area, one name.
 */
int tr_ek_template_of(const TPM2B_PUBLIC *pub, char *err, size_t errlen)
{
	const TPMT_PUBLIC *a = &pub->publicArea;
	int best = -1, best_n = 0;
	char why[256], best_why[256] = "";

	if (a->type != TPM2_ALG_RSA && a->type != TPM2_ALG_ECC)
		return tr_fail(
			err, errlen,
			"EK public area: type 0x%04x, not an RSA or ECC key",
			a->type);
	for (int t = 0; t < TR_EK_TEMPLATES; t++) {
		int n = template_diff(a, &templates[t], why, sizeof(why));

		if (!n)
			return t;
		if (best < 0 || n < best_n) {
			best = t;
			best_n = n;
			snprintf(best_why, sizeof(best_why), "%s", why);
		}
	}
	return tr_fail(
		err, errlen,
		"EK public area is not a TCG EK template: nearest is %s (%s), but %s",
		templates[best].name, templates[best].what, best_why);
}

int tr_ek_key_id(const TPM2B_PUBLIC *ek_pub, uint8_t id[32])
{
	EVP_PKEY *k = tr_tpm_public_to_evp(ek_pub, NULL, 0);
	unsigned char *der = NULL;
	int n = k ? i2d_PUBKEY(k, &der) : -1;

	if (n > 0)
		SHA256(der, (size_t)n, id);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	return n > 0 ? 0 : -1;
}

int tr_ek_create(struct tr_tpm *t, ESYS_TR *ek, TPM2B_PUBLIC *pub, char *err,
		 size_t errlen)
{
	TPM2B_PUBLIC tmpl = { 0 }, *out = NULL;
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPMT_PUBLIC *a = &tmpl.publicArea;
	TSS2_RC rc;

	a->type = TPM2_ALG_RSA;
	a->nameAlg = TPM2_ALG_SHA256;
	a->objectAttributes = EK_LOW;
	a->authPolicy.size = sizeof(policy_a_sha256);
	memcpy(a->authPolicy.buffer, policy_a_sha256, sizeof(policy_a_sha256));
	a->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
	a->parameters.rsaDetail.symmetric.keyBits.aes = 128;
	a->parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	a->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	a->parameters.rsaDetail.keyBits = 2048;
	a->unique.rsa.size = 256; /* zeros, as the template says */
	t->commands++;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT,
				ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, &tmpl, &outside, &pcrs, ek, &out, NULL,
				NULL, NULL);
	if (rc)
		return tr_tpm_fail(err, errlen, "TPM2_CreatePrimary (EK)", rc);
	*pub = *out;
	Esys_Free(out);
	return 0;
}

static int load_pem_certs(X509_STORE *store, STACK_OF(X509) * stack,
			  const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	X509 *x;
	int n = 0;

	if (!f)
		return tr_fail(err, errlen, "cannot open %s", file);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		int ok = store ? X509_STORE_add_cert(store, x) :
				 sk_X509_push(stack, x) > 0;

		if (store || !ok)
			X509_free(x);
		if (!ok) {
			fclose(f);
			return tr_fail(err, errlen, "cannot use %s", file);
		}
		n++;
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	fclose(f);
	if (!n)
		return tr_fail(err, errlen, "no certificate in %s", file);
	return 0;
}

/* Every CRL in @file (PEM) into @store; a file without one is an error. */
static int load_pem_crls(X509_STORE *store, const char *file, char *err,
			 size_t errlen)
{
	FILE *f = fopen(file, "r");
	X509_CRL *crl;
	int n = 0;

	if (!f)
		return tr_fail(err, errlen, "cannot open %s", file);
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL))) {
		int ok = X509_STORE_add_crl(store, crl);

		X509_CRL_free(crl);
		if (!ok) {
			fclose(f);
			return tr_fail(err, errlen, "cannot use %s", file);
		}
		n++;
	}
	ERR_clear_error();
	fclose(f);
	if (!n)
		return tr_fail(err, errlen, "no CRL in %s", file);
	return 0;
}

/* The TCG OIDs an EK certificate carries (EK Credential Profile 2.x). */
#define OID_TCG_KP_EK_CERTIFICATE "2.23.133.8.1"
#define OID_TPM_MANUFACTURER "2.23.133.2.1"
#define OID_TPM_MODEL "2.23.133.2.2"
#define OID_TPM_VERSION "2.23.133.2.3"

static bool has_oid(const ASN1_OBJECT *o, const char *oid)
{
	char buf[64];

	return OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0 && !strcmp(buf, oid);
}

/* A directory name with the TPM's manufacturer, model and version. */
static bool names_a_tpm(const X509_NAME *n)
{
	static const char *const want[] = { OID_TPM_MANUFACTURER, OID_TPM_MODEL,
					    OID_TPM_VERSION };
	int found = 0;

	for (size_t w = 0; w < 3; w++)
		for (int i = 0; i < X509_NAME_entry_count(n); i++)
			if (has_oid(X509_NAME_ENTRY_get_object(
					    X509_NAME_get_entry(n, i)),
				    want[w])) {
				found++;
				break;
			}
	return found == 3;
}

/*
 * An extension of @cert, decoded: 0 with *out when present (once, and
 * well-formed), 1 when absent, -1 when repeated or malformed.
 */
static int get_ext(X509 *cert, int nid, void **out)
{
	int crit = -1;

	*out = X509_get_ext_d2i(cert, nid, &crit, NULL);
	if (*out)
		return 0;
	return crit == -1 ? 1 : -1;
}

/*
 * What the certificate says it is for, where it says it. A manufacturer
 * CA signs more than EK certificates (platform certificates, CA
 * certificates of its own, sometimes TLS or AK certificates) and some of
 * those name a key of the same TPM or none at all: only one that says it
 * certifies an EK may stand for one. swtpm's platform certificate, for
 * one, is for the EK's own key, with tcg-kp-PlatformCertificate.
 */
static int ek_cert_purpose(X509 *cert, TPMI_ALG_PUBLIC type, char *err,
			   size_t errlen)
{
	BASIC_CONSTRAINTS *bc = NULL;
	ASN1_BIT_STRING *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	GENERAL_NAMES *san = NULL;
	int rc = -1, r;

	r = get_ext(cert, NID_basic_constraints, (void **)&bc);
	if (r < 0 || (!r && bc->ca)) {
		tr_fail(err, errlen,
			r < 0 ? "EK certificate: malformed basicConstraints" :
				"EK certificate is a CA certificate (basicConstraints CA:TRUE)");
		goto out;
	}
	/* An RSA EK decrypts (MakeCredential's seed is RSA-OAEP to it), an
	 * ECC EK agrees on keys (ECDH): a certificate that allows neither
	 * was not issued for an EK. */
	r = get_ext(cert, NID_key_usage, (void **)&ku);
	if (r < 0 || (!r && !ASN1_BIT_STRING_get_bit(
				    ku, type == TPM2_ALG_RSA ? 2 : 4))) {
		tr_fail(err, errlen,
			r < 0 ? "EK certificate: malformed keyUsage" :
			type == TPM2_ALG_RSA ?
				"EK certificate: keyUsage without keyEncipherment (not an RSA EK's)" :
				"EK certificate: keyUsage without keyAgreement (not an ECC EK's)");
		goto out;
	}
	r = get_ext(cert, NID_ext_key_usage, (void **)&eku);
	if (r < 0) {
		tr_fail(err, errlen,
			"EK certificate: malformed extendedKeyUsage");
		goto out;
	}
	if (!r) {
		bool ek = false;

		for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
			ek |= has_oid(sk_ASN1_OBJECT_value(eku, i),
				      OID_TCG_KP_EK_CERTIFICATE);
		if (!ek) {
			tr_fail(err, errlen,
				"EK certificate: extendedKeyUsage without tcg-kp-EKCertificate (" OID_TCG_KP_EK_CERTIFICATE
				")");
			goto out;
		}
	}
	/* The profile puts the TPM's identity in the subjectAltName: one
	 * that names something else is not a TPM's certificate. */
	r = get_ext(cert, NID_subject_alt_name, (void **)&san);
	if (r < 0) {
		tr_fail(err, errlen,
			"EK certificate: malformed subjectAltName");
		goto out;
	}
	if (!r) {
		bool tpm = false;

		for (int i = 0; i < sk_GENERAL_NAME_num(san); i++) {
			GENERAL_NAME *g = sk_GENERAL_NAME_value(san, i);

			tpm |= g->type == GEN_DIRNAME &&
			       names_a_tpm(g->d.directoryName);
		}
		if (!tpm) {
			tr_fail(err, errlen,
				"EK certificate: subjectAltName without the TPM's manufacturer, model and version (2.23.133.2.1-3)");
			goto out;
		}
	}
	rc = 0;
out:
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	EXTENDED_KEY_USAGE_free(eku);
	GENERAL_NAMES_free(san);
	return rc;
}

int tr_ek_trust_check(const struct tr_ek_trust *trust, char *err, size_t errlen)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	int rc = -1;

	if (!store || !chain)
		tr_fail(err, errlen, "out of memory");
	else if (!trust->roots)
		tr_fail(err, errlen, "no trusted EK roots");
	else if (load_pem_certs(store, NULL, trust->roots, err, errlen) == 0 &&
		 (!trust->intermediates ||
		  load_pem_certs(NULL, chain, trust->intermediates, err,
				 errlen) == 0) &&
		 (!trust->crls ||
		  load_pem_crls(store, trust->crls, err, errlen) == 0))
		rc = 0;
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(store);
	return rc;
}

int tr_ek_cert_verify(const uint8_t *der, size_t len,
		      const struct tr_ek_trust *trust,
		      const TPM2B_PUBLIC *ek_pub, char *err, size_t errlen)
{
	const unsigned char *p = der;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	EVP_PKEY *want = NULL;
	X509 *cert = NULL;
	int ret = -1, tmpl;

	if (!chain || !store || !ctx) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	/* Bounded, and the whole input must be the one certificate: trailing
	 * bytes would be data nobody checked. */
	if (!len || len > TR_EK_CERT_MAX || !(cert = d2i_X509(NULL, &p, len)) ||
	    p != der + len) {
		tr_fail(err, errlen, "EK certificate: not one DER certificate");
		goto out;
	}
	if (load_pem_certs(store, NULL, trust->roots, err, errlen) < 0 ||
	    (trust->intermediates &&
	     load_pem_certs(NULL, chain, trust->intermediates, err, errlen) <
		     0) ||
	    (trust->crls && load_pem_crls(store, trust->crls, err, errlen) < 0))
		goto out;
	/* With CRLs, every link is checked (CRL_CHECK_ALL), not only the
	 * EK certificate: a revoked intermediate (a compromised production
	 * line's CA) revokes every EK it issued. A CA without its CRL, or
	 * with an expired one, fails the chain: no revocation data is not
	 * "not revoked". */
	if (trust->crls)
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK |
						    X509_V_FLAG_CRL_CHECK_ALL);
	if (!X509_STORE_CTX_init(ctx, store, cert, chain)) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	/* EK certificates carry a critical subjectAltName of TPM attributes,
	 * which OpenSSL parses; nothing else is relaxed. */
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);

		tr_fail(err, errlen,
			e == X509_V_ERR_CERT_REVOKED ?
				"EK certificate revoked (%s)" :
				"EK certificate not from a trusted manufacturer CA: %s",
			X509_verify_cert_error_string(e));
		goto out;
	}
	tmpl = tr_ek_template_of(ek_pub, err, errlen);
	if (tmpl < 0 ||
	    ek_cert_purpose(cert, ek_pub->publicArea.type, err, errlen) < 0)
		goto out;
	/* A genuine certificate of another TPM's EK proves nothing about
	 * this one. */
	want = tr_tpm_public_to_evp(ek_pub, err, errlen);
	if (!want)
		goto out;
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), want) != 1) {
		tr_fail(err, errlen,
			"EK certificate is for another key than this TPM's EK");
		goto out;
	}
	ret = tmpl;
out:
	EVP_PKEY_free(want);
	X509_free(cert);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
	return ret;
}
