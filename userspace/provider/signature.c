// SPDX-License-Identifier: GPL-2.0-only
/*
 * "ECDSA" and "RSA" (PKCS#1 v1.5, PSS) signatures by the TPM: hash here,
 * sign there. Per signature the TPM sees TPM2_PolicyPCR and TPM2_Sign on
 * the key's open session.
 */
#include "userspace/provider/provider.h"
#include "tpm/convert.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SIG 72 /* DER ECDSA-Sig-Value for P-256 */
#define RSA_SIG 256 /* RSA-2048 */

struct sig_ctx {
	struct tr_prov *prov;
	bool rsa; /* the "RSA" algorithm, else "ECDSA" */
	int pad; /* RSA: RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
	int saltlen; /* PSS: RSA_PSS_SALTLEN_DIGEST or a byte count */
	struct tr_prov_key *key; /* not ours: the EVP_PKEY holds it */
	EVP_MD *md;
	EVP_MD_CTX *mdctx;
	char mdname[16];
};

static void *sig_newctx(void *provctx, const char *propq)
{
	struct sig_ctx *c = OPENSSL_zalloc(sizeof(*c));

	(void)propq;
	if (c) {
		c->prov = provctx;
		c->pad = RSA_PKCS1_PADDING;
		c->saltlen = RSA_PSS_SALTLEN_DIGEST;
	}
	return c;
}

static void *rsa_newctx(void *provctx, const char *propq)
{
	struct sig_ctx *c = sig_newctx(provctx, propq);

	if (c)
		c->rsa = true;
	return c;
}

static void sig_freectx(void *ctx)
{
	struct sig_ctx *c = ctx;

	if (!c)
		return;
	EVP_MD_CTX_free(c->mdctx);
	EVP_MD_free(c->md);
	OPENSSL_free(c);
}

static void *sig_dupctx(void *ctx)
{
	struct sig_ctx *c = ctx, *d = OPENSSL_memdup(c, sizeof(*c));

	if (!d)
		return NULL;
	d->md = NULL;
	d->mdctx = NULL;
	if ((c->md && !EVP_MD_up_ref(c->md)) ||
	    (c->mdctx && (!(d->mdctx = EVP_MD_CTX_new()) ||
			  !EVP_MD_CTX_copy_ex(d->mdctx, c->mdctx)))) {
		sig_freectx(d);
		return NULL;
	}
	d->md = c->md;
	return d;
}

/*
 * SHA-256/384/512. ECDSA: at least as long as the P-256 order (see
 * tpm_sign). RSA signs the whole digest: our keys have scheme NULL, so
 * the TPM takes any hash it implements per signature (TPM2_Sign's
 * inScheme), SHA-512 included; a key made with a fixed scheme could not.
 */
static int set_digest(struct sig_ctx *c, const char *name)
{
	const char *canon;
	EVP_MD *md;

	if (!name || !*name)
		name = "SHA256";
	if (!strcasecmp(name, "SHA256") || !strcasecmp(name, "SHA2-256") ||
	    !strcasecmp(name, "SHA-256"))
		canon = "SHA2-256";
	else if (!strcasecmp(name, "SHA384") || !strcasecmp(name, "SHA2-384") ||
		 !strcasecmp(name, "SHA-384"))
		canon = "SHA2-384";
	else if (!strcasecmp(name, "SHA512") || !strcasecmp(name, "SHA2-512") ||
		 !strcasecmp(name, "SHA-512"))
		canon = "SHA2-512";
	else {
		tr_prov_err(
			c->prov, TR_R_UNSUPPORTED,
			"digest %s: the TPM key signs SHA-256, SHA-384 or SHA-512",
			name);
		return 0;
	}
	md = EVP_MD_fetch(c->prov->libctx, canon, NULL);
	if (!md) {
		tr_prov_err(c->prov, TR_R_INTERNAL,
			    "cannot fetch %s (load the default provider)",
			    canon);
		return 0;
	}
	EVP_MD_free(c->md);
	c->md = md;
	strcpy(c->mdname, canon);
	return 1;
}

static int sig_set_ctx_params(void *ctx, const OSSL_PARAM params[]);

static int sign_init(void *ctx, void *provkey, const OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;

	if (provkey)
		c->key = provkey;
	/* An ECDHE key libssl made through our keymgmt (softkey.c) is for
	 * key exchange only; signing here means signing in the TPM. */
	if (c->key && c->key->soft) {
		tr_prov_err(
			c->prov, TR_R_UNSUPPORTED,
			"a software key: the trustroute provider signs with TPM keys only");
		return 0;
	}
	if (!c->key || tr_prov_key_is_rsa(c->key) != c->rsa) {
		tr_prov_err(c->prov, TR_R_INTERNAL, "no key of this type");
		return 0;
	}
	if (!c->md && !set_digest(c, NULL))
		return 0;
	return sig_set_ctx_params(ctx, params);
}

static int sig_digest_sign_init(void *ctx, const char *mdname, void *provkey,
				const OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;

	if (!set_digest(c, mdname) || !sign_init(ctx, provkey, params))
		return 0;
	if (!c->mdctx && !(c->mdctx = EVP_MD_CTX_new()))
		return 0;
	return EVP_DigestInit_ex2(c->mdctx, c->md, NULL);
}

static int sig_digest_sign_update(void *ctx, const unsigned char *data,
				  size_t len)
{
	struct sig_ctx *c = ctx;

	return c->mdctx && EVP_DigestUpdate(c->mdctx, data, len);
}

/* TPM2_Sign, its errors on OpenSSL's queue. */
static int key_sign(struct sig_ctx *c, const unsigned char *dgst, size_t dlen,
		    TPMI_ALG_SIG_SCHEME scheme, TPMT_SIGNATURE *sig)
{
	char err[256];
	int rc;

	if (tr_prov_key_load(c->key) < 0)
		return 0;
	rc = tr_key_sign(&c->key->key, dgst, dlen, scheme, sig, err,
			 sizeof(err));
	if (rc == TR_ERR_POLICY) {
		tr_prov_err(c->prov, TR_R_POLICY, "%s", err);
		return 0;
	}
	if (rc < 0) {
		tr_prov_err(c->prov, TR_R_TPM, "%s", err);
		return 0;
	}
	return 1;
}

/*
 * RSASSA or RSAPSS over the digest of the context's hash. The TPM's PSS
 * salt is as long as the digest (TPM 2.0 Part 1, "RSASSA-PSS"), which is
 * what TLS 1.3 requires; any other salt length is refused, not faked.
 */
static int rsa_sign(struct sig_ctx *c, unsigned char *out, size_t *outlen,
		    size_t outsize, const unsigned char *dgst, size_t dlen)
{
	TPMI_ALG_SIG_SCHEME scheme = TPM2_ALG_RSASSA;
	TPMT_SIGNATURE sig;

	if (!c->md || dlen != (size_t)EVP_MD_get_size(c->md)) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "a %zu-byte digest for %s", dlen,
			    c->md ? c->mdname : "no digest");
		return 0;
	}
	if (c->pad == RSA_PKCS1_PSS_PADDING) {
		if (c->saltlen != RSA_PSS_SALTLEN_DIGEST &&
		    c->saltlen != (int)dlen) {
			tr_prov_err(
				c->prov, TR_R_UNSUPPORTED,
				"PSS salt of %d bytes: the TPM's salt is the digest length",
				c->saltlen);
			return 0;
		}
		scheme = TPM2_ALG_RSAPSS;
	} else if (c->pad != RSA_PKCS1_PADDING) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "RSA padding %d: PKCS#1 v1.5 or PSS only", c->pad);
		return 0;
	}
	if (outsize < RSA_SIG) {
		tr_prov_err(c->prov, TR_R_INTERNAL,
			    "signature buffer too small");
		return 0;
	}
	if (!key_sign(c, dgst, dlen, scheme, &sig))
		return 0;
	/* RSASSA and RSAPSS share the layout of TPMS_SIGNATURE_RSA. */
	if (sig.signature.rsassa.sig.size != RSA_SIG) {
		tr_prov_err(c->prov, TR_R_TPM, "a %u-byte RSA signature",
			    sig.signature.rsassa.sig.size);
		return 0;
	}
	memcpy(out, sig.signature.rsassa.sig.buffer, RSA_SIG);
	*outlen = RSA_SIG;
	return 1;
}

/* The TPM signs; the result goes out as DER ECDSA-Sig-Value. */
static int tpm_sign(struct sig_ctx *c, unsigned char *out, size_t *outlen,
		    size_t outsize, const unsigned char *dgst, size_t dlen)
{
	TPMT_SIGNATURE sig;
	int n;

	if (c->rsa)
		return rsa_sign(c, out, outlen, outsize, dgst, dlen);
	/* ECDSA uses the leftmost bits of a longer digest: for P-256, 32
	 * bytes, which the TPM then signs as a SHA-256 digest. */
	if (dlen > 32)
		dlen = 32;
	if (dlen != 32) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "a %zu-byte digest: the TPM signs 32 bytes or more",
			    dlen);
		return 0;
	}
	if (outsize < MAX_SIG) {
		tr_prov_err(c->prov, TR_R_INTERNAL,
			    "signature buffer too small");
		return 0;
	}
	if (!key_sign(c, dgst, dlen, TPM2_ALG_ECDSA, &sig))
		return 0;
	n = tr_tpm_sig_to_der(&sig, out, outsize);
	if (n <= 0)
		return 0;
	*outlen = (size_t)n;
	return 1;
}

static int sig_digest_sign_final(void *ctx, unsigned char *sig, size_t *siglen,
				 size_t sigsize)
{
	struct sig_ctx *c = ctx;
	unsigned char dgst[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!sig) {
		*siglen = c->rsa ? RSA_SIG : MAX_SIG;
		return 1;
	}
	if (!c->mdctx || !EVP_DigestFinal_ex(c->mdctx, dgst, &dlen))
		return 0;
	return tpm_sign(c, sig, siglen, sigsize, dgst, dlen);
}

static int sig_sign_init(void *ctx, void *provkey, const OSSL_PARAM params[])
{
	return sign_init(ctx, provkey, params);
}

/* Pre-hashed input. */
static int sig_sign(void *ctx, unsigned char *sig, size_t *siglen,
		    size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
	struct sig_ctx *c = ctx;

	if (!sig) {
		*siglen = c->rsa ? RSA_SIG : MAX_SIG;
		return 1;
	}
	return tpm_sign(ctx, sig, siglen, sigsize, tbs, tbslen);
}

/* DER AlgorithmIdentifier of ecdsa-with-SHA256/384 (no parameters). */
static const unsigned char algid_sha256[] = { 0x30, 0x0a, 0x06, 0x08,
					      0x2a, 0x86, 0x48, 0xce,
					      0x3d, 0x04, 0x03, 0x02 };
static const unsigned char algid_sha384[] = { 0x30, 0x0a, 0x06, 0x08,
					      0x2a, 0x86, 0x48, 0xce,
					      0x3d, 0x04, 0x03, 0x03 };
static const unsigned char algid_sha512[] = { 0x30, 0x0a, 0x06, 0x08,
					      0x2a, 0x86, 0x48, 0xce,
					      0x3d, 0x04, 0x03, 0x04 };

/* sha256/384/512WithRSAEncryption: the OID, then NULL parameters. */
static const unsigned char rsa_algid_sha256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00
};
static const unsigned char rsa_algid_sha384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00
};
static const unsigned char rsa_algid_sha512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00
};

static int sig_get_ctx_params(void *ctx, OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;
	const unsigned char *algid = algid_sha256;
	size_t algid_len = sizeof(algid_sha256), dsize = 32;
	OSSL_PARAM *p;

	if (c->md && !strcmp(c->mdname, "SHA2-384")) {
		algid = algid_sha384;
		dsize = 48;
	} else if (c->md && !strcmp(c->mdname, "SHA2-512")) {
		algid = algid_sha512;
		dsize = 64;
	}
	if (c->rsa) {
		algid = dsize == 64 ? rsa_algid_sha512 :
			dsize == 48 ? rsa_algid_sha384 :
				      rsa_algid_sha256;
		algid_len = sizeof(rsa_algid_sha256);
	}
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
	/* RSASSA-PSS identifiers carry parameters we do not encode: no
	 * certificates or CSRs signed with PSS (TLS does not need one). */
	if (p && !(c->rsa && c->pad == RSA_PKCS1_PSS_PADDING) &&
	    !OSSL_PARAM_set_octet_string(p, algid, algid_len))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
	if (p && c->rsa && !OSSL_PARAM_set_int(p, c->pad))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
	if (p && !OSSL_PARAM_set_utf8_string(p, c->md ? c->mdname : "SHA2-256"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, dsize))
		return 0;
	return 1;
}

static const OSSL_PARAM *sig_gettable_ctx_params(void *ctx, void *provctx)
{
	static const OSSL_PARAM gettable[] = {
		OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL,
					0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
		OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, NULL),
		OSSL_PARAM_int(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL),
		OSSL_PARAM_END,
	};

	(void)ctx;
	(void)provctx;
	return gettable;
}

/* RSA padding: an int (RSA_PKCS1_*) or a name, as OpenSSL's RSA takes. */
static int set_pad_mode(struct sig_ctx *c, const OSSL_PARAM *p)
{
	const char *name;

	if (p->data_type == OSSL_PARAM_UTF8_STRING) {
		if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
			return 0;
		if (!strcmp(name, OSSL_PKEY_RSA_PAD_MODE_PKCSV15))
			c->pad = RSA_PKCS1_PADDING;
		else if (!strcmp(name, OSSL_PKEY_RSA_PAD_MODE_PSS))
			c->pad = RSA_PKCS1_PSS_PADDING;
		else
			c->pad = -1;
	} else if (!OSSL_PARAM_get_int(p, &c->pad)) {
		return 0;
	}
	if (c->pad != RSA_PKCS1_PADDING && c->pad != RSA_PKCS1_PSS_PADDING) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "RSA padding: PKCS#1 v1.5 or PSS only");
		return 0;
	}
	return 1;
}

/* PSS salt length: "digest" (or its length) is what the TPM does. */
static int set_saltlen(struct sig_ctx *c, const OSSL_PARAM *p)
{
	const char *name;
	char *end;
	long n;

	if (p->data_type != OSSL_PARAM_UTF8_STRING)
		return OSSL_PARAM_get_int(p, &c->saltlen);
	if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
		return 0;
	if (!strcmp(name, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST)) {
		c->saltlen = RSA_PSS_SALTLEN_DIGEST;
		return 1;
	}
	/* A byte count is checked against the digest when signing; "max",
	 * "auto" and anything else name salts the TPM cannot make. */
	errno = 0;
	n = strtol(name, &end, 10);
	if (errno || end == name || *end || n <= 0 || n > INT_MAX) {
		tr_prov_err(
			c->prov, TR_R_UNSUPPORTED,
			"PSS salt length \"%s\": the TPM's salt is the digest length",
			name);
		return 0;
	}
	c->saltlen = (int)n;
	return 1;
}

/* MGF1 uses the signature's digest in the TPM; another one is refused. */
static int check_mgf1(struct sig_ctx *c, const OSSL_PARAM *p)
{
	const char *name;
	EVP_MD *md;
	int same;

	if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
		return 0;
	md = EVP_MD_fetch(c->prov->libctx, name, NULL);
	same = md && c->md && EVP_MD_is_a(c->md, EVP_MD_get0_name(md));
	EVP_MD_free(md);
	if (!same)
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "MGF1 with %s: the TPM uses the signature digest",
			    name);
	return same;
}

static int sig_set_ctx_params(void *ctx, const OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;
	const OSSL_PARAM *p;
	const char *name = NULL;

	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
	if (p) {
		if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) ||
		    !set_digest(c, name))
			return 0;
	}
	if (!c->rsa)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
	if (p && !set_pad_mode(c, p))
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
	if (p && !set_saltlen(c, p))
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
	if (p && !check_mgf1(c, p))
		return 0;
	return 1;
}

static const OSSL_PARAM *sig_settable_ctx_params(void *ctx, void *provctx)
{
	static const OSSL_PARAM settable[] = {
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL,
				       0),
		OSSL_PARAM_END,
	};

	static const OSSL_PARAM rsa_settable[] = {
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL,
				       0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL,
				       0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL,
				       0),
		OSSL_PARAM_END,
	};
	const struct sig_ctx *c = ctx;

	(void)provctx;
	return c && c->rsa ? rsa_settable : settable;
}

/* Both algorithms share the functions; the context knows which it is. */
/* clang-format off */
#define TR_SIGNATURE_DISPATCH(newctx) {					\
	{ OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))newctx },		\
	{ OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))sig_freectx },	\
	{ OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))sig_dupctx },	\
	{ OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_sign_init }, \
	{ OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_sign },		\
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,				\
	  (void (*)(void))sig_digest_sign_init },			\
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,			\
	  (void (*)(void))sig_digest_sign_update },			\
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,				\
	  (void (*)(void))sig_digest_sign_final },			\
	{ OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS,				\
	  (void (*)(void))sig_get_ctx_params },				\
	{ OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,			\
	  (void (*)(void))sig_gettable_ctx_params },			\
	{ OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,				\
	  (void (*)(void))sig_set_ctx_params },				\
	{ OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS,			\
	  (void (*)(void))sig_settable_ctx_params },			\
	{ 0, NULL },							\
}
/* clang-format on */

const OSSL_DISPATCH tr_ecdsa_signature_functions[] =
	TR_SIGNATURE_DISPATCH(sig_newctx);
const OSSL_DISPATCH tr_rsa_signature_functions[] =
	TR_SIGNATURE_DISPATCH(rsa_newctx);
