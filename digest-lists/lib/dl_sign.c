// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_sign.h"
#include "base/errmsg.h"

#include <linux/hash_info.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* The module signature trailer, as <linux/module_signature.h> has it. */
#define MODSIG_MARKER "~Module signature appended~\n"
#define MODSIG_MARKER_LEN (sizeof(MODSIG_MARKER) - 1)
#define MODSIG_INFO_SIZE 12
#define MODSIG_TRAILER (MODSIG_INFO_SIZE + MODSIG_MARKER_LEN)
#define PKEY_ID_PKCS7 2

/* security.ima signature v2 (struct signature_v2_hdr, packed). */
#define IMASIG_TYPE 0x03 /* EVM_IMA_XATTR_DIGSIG */
#define IMASIG_VERSION 0x02 /* DIGSIG_VERSION_2 */
#define IMASIG_HDR 9

/*
 * Like tr_fail(), with OpenSSL's reason appended; the error queue is emptied
 * so that a stale entry never shows up in a later, unrelated message.
 */
static int ossl_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	tr_fail(err, errlen, "%s (%s)", what, reason ? reason : "no detail");
	ERR_clear_error();
	return -1;
}

/* Never prompt on a terminal for the passphrase of an encrypted key. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

EVP_PKEY *dl_load_key(const char *pem_path, char *err, size_t errlen)
{
	EVP_PKEY *key;
	BIO *b;

	if (!pem_path) {
		tr_fail(err, errlen, "no private key path given");
		return NULL;
	}
	b = BIO_new_file(pem_path, "r");
	if (!b) {
		tr_fail(err, errlen, "cannot open private key %s", pem_path);
		ERR_clear_error();
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (!key) {
		char what[300];

		snprintf(what, sizeof(what),
			 "%s holds no PEM private key (or it is encrypted)",
			 pem_path);
		ossl_fail(err, errlen, what);
	}
	return key;
}

X509 *dl_load_cert(const char *pem_path, char *err, size_t errlen)
{
	X509 *cert;
	BIO *b;

	if (!pem_path) {
		tr_fail(err, errlen, "no certificate path given");
		return NULL;
	}
	b = BIO_new_file(pem_path, "r");
	if (!b) {
		tr_fail(err, errlen, "cannot open certificate %s", pem_path);
		ERR_clear_error();
		return NULL;
	}
	cert = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (!cert) {
		char what[300];

		snprintf(what, sizeof(what), "%s holds no PEM certificate",
			 pem_path);
		ossl_fail(err, errlen, what);
	}
	return cert;
}

/* A read-only BIO over @data; OpenSSL refuses NULL even for length 0. */
static BIO *mem_bio(const uint8_t *data, size_t len)
{
	static const uint8_t empty[1];

	if (len > INT_MAX)
		return NULL;
	return BIO_new_mem_buf(len ? data : empty, (int)len);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The detached CMS signature, with the calls and flags of the kernel's
 * scripts/sign-file without -k (signer by issuer and serial, CMS_NOATTR),
 * so that an RSA signature comes out byte for byte the same.
 */
static int cms_sign(const uint8_t *data, size_t len, EVP_PKEY *key, X509 *cert,
		    uint8_t **der, size_t *der_len, char *err, size_t errlen)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	BUF_MEM *mem;
	int ret = -1;

	in = mem_bio(data, len);
	out = BIO_new(BIO_s_mem());
	if (!in || !out) {
		ossl_fail(err, errlen, "modsig: cannot set up buffers");
		goto out;
	}
	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED |
			       CMS_STREAM);
	if (!cms) {
		ossl_fail(err, errlen, "modsig: CMS_sign failed");
		goto out;
	}
	if (!CMS_add1_signer(cms, cert, key, EVP_sha256(),
			     CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP |
				     CMS_NOATTR)) {
		ossl_fail(
			err, errlen,
			"modsig: cannot add signer (does the key match the certificate?)");
		goto out;
	}
	if (CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1) {
		ossl_fail(err, errlen, "modsig: signing failed");
		goto out;
	}
	/* Flags 0: plain DER, as sign-file writes it. */
	if (i2d_CMS_bio_stream(out, cms, NULL, 0) != 1) {
		ossl_fail(err, errlen, "modsig: cannot encode the signature");
		goto out;
	}
	BIO_get_mem_ptr(out, &mem);
	if (!mem->length || mem->length > UINT32_MAX) {
		tr_fail(err, errlen, "modsig: bad signature size %zu",
			mem->length);
		goto out;
	}
	*der = malloc(mem->length);
	if (!*der) {
		tr_fail(err, errlen, "modsig: out of memory");
		goto out;
	}
	memcpy(*der, mem->data, mem->length);
	*der_len = mem->length;
	ret = 0;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	return ret;
}

int dl_modsig_append(const uint8_t *data, size_t len, EVP_PKEY *key, X509 *cert,
		     uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	uint8_t *der = NULL, *b, *p;
	size_t der_len = 0, total;

	if ((!data && len) || !key || !cert || !out || !out_len)
		return tr_fail(err, errlen, "modsig: missing argument");
	*out = NULL;
	*out_len = 0;
	if (len > INT_MAX)
		return tr_fail(err, errlen,
			       "modsig: content of %zu bytes too large", len);
	if (cms_sign(data, len, key, cert, &der, &der_len, err, errlen) < 0)
		return -1;
	total = len + der_len + MODSIG_TRAILER;
	b = malloc(total);
	if (!b) {
		free(der);
		return tr_fail(err, errlen, "modsig: out of memory");
	}
	p = b;
	if (len)
		memcpy(p, data, len);
	p += len;
	memcpy(p, der, der_len);
	p += der_len;
	/* struct module_signature: all zero but id_type and sig_len. */
	memset(p, 0, MODSIG_INFO_SIZE);
	p[2] = PKEY_ID_PKCS7;
	put_be32(p + 8, (uint32_t)der_len);
	p += MODSIG_INFO_SIZE;
	memcpy(p, MODSIG_MARKER, MODSIG_MARKER_LEN);
	free(der);
	*out = b;
	*out_len = total;
	return 0;
}

/* Digests a signature may use: those digest lists may use. */
static const EVP_MD *cms_digest_ok(int nid)
{
	switch (nid) {
	case NID_sha256:
		return EVP_sha256();
	case NID_sha384:
		return EVP_sha384();
	case NID_sha512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

static int cms_verify(const uint8_t *data, size_t len, const uint8_t *sig,
		      size_t sig_len, X509 *cert, char *err, size_t errlen)
{
	const unsigned char *p = sig;
	STACK_OF(CMS_SignerInfo) * sis;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms;
	X509_ALGOR *dig = NULL;
	CMS_SignerInfo *si;
	BIO *in = NULL, *mem = NULL;
	int ret = -1;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms)
		return ossl_fail(err, errlen,
				 "modsig: signature is not a CMS message");
	if (p != sig + sig_len) {
		tr_fail(err, errlen,
			"modsig: %zu bytes after the CMS message in the signature",
			(size_t)(sig + sig_len - p));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		tr_fail(err, errlen, "modsig: CMS message is not signedData");
		goto out;
	}
	if (CMS_is_detached(cms) != 1) {
		tr_fail(err, errlen, "modsig: CMS message is not detached");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
		tr_fail(err, errlen,
			"modsig: CMS message has %d signers, not 1",
			sis ? sk_CMS_SignerInfo_num(sis) : 0);
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	if (CMS_SignerInfo_cert_cmp(si, cert) != 0) {
		tr_fail(err, errlen,
			"modsig: signer is not the given certificate");
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (!dig || !cms_digest_ok(OBJ_obj2nid(dig->algorithm))) {
		tr_fail(err, errlen,
			"modsig: digest algorithm is not SHA-256/384/512");
		goto out;
	}
	certs = sk_X509_new_null();
	/*
	 * CMS_verify() copies a memory BIO into one of its own, and OpenSSL
	 * 3.0 leaks that copy when the digestAlgorithms set is bad: a null
	 * filter in front keeps it from recognising ours.
	 */
	in = BIO_new(BIO_f_null());
	mem = mem_bio(data, len);
	if (in && mem)
		in = BIO_push(in, mem);
	else
		BIO_free(mem);
	if (!certs || !in || !mem || !sk_X509_push(certs, cert)) {
		ossl_fail(err, errlen, "modsig: cannot set up verification");
		goto out;
	}
	/* The given certificate alone; no chain to verify it against. */
	if (CMS_verify(cms, certs, NULL, in, NULL,
		       CMS_NOINTERN | CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) !=
	    1) {
		ossl_fail(err, errlen, "modsig: signature does not verify");
		goto out;
	}
	ret = 0;
out:
	sk_X509_free(certs); /* cert itself belongs to the caller */
	BIO_free_all(in);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return ret;
}

int dl_modsig_verify(const uint8_t *buf, size_t len, X509 *cert, char *err,
		     size_t errlen)
{
	const uint8_t *info;
	size_t body;
	uint32_t sig_len;

	if ((!buf && len) || !cert)
		return tr_fail(err, errlen, "modsig: missing argument");
	if (len < MODSIG_TRAILER)
		return tr_fail(
			err, errlen,
			"modsig: %zu bytes, too short for a signature trailer",
			len);
	if (memcmp(buf + len - MODSIG_MARKER_LEN, MODSIG_MARKER,
		   MODSIG_MARKER_LEN))
		return tr_fail(
			err, errlen,
			"modsig: no \"~Module signature appended~\" marker");
	body = len - MODSIG_TRAILER;
	info = buf + body;
	if (info[2] != PKEY_ID_PKCS7)
		return tr_fail(err, errlen,
			       "modsig: id_type %u, not PKCS#7 (2)", info[2]);
	/* As the kernel's mod_check_sig(): the other fields must be 0. */
	if (info[0] || info[1] || info[3] || info[4] || info[5] || info[6] ||
	    info[7])
		return tr_fail(
			err, errlen,
			"modsig: nonzero algo/hash/signer_len/key_id_len/pad in struct module_signature");
	sig_len = get_be32(info + 8);
	if (!sig_len)
		return tr_fail(err, errlen, "modsig: sig_len is 0");
	if (sig_len > body)
		return tr_fail(
			err, errlen,
			"modsig: sig_len %u larger than the %zu bytes before the trailer",
			sig_len, body);
	if (body - sig_len > INT_MAX)
		return tr_fail(err, errlen, "modsig: content too large");
	return cms_verify(buf, body - sig_len, buf + body - sig_len, sig_len,
			  cert, err, errlen);
}

/* Key id of a v2 signature: the last 4 bytes of the certificate's SKID. */
static int cert_keyid(X509 *cert, uint8_t keyid[4], char *err, size_t errlen)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert);
	int n;

	if (!skid) {
		ERR_clear_error();
		return tr_fail(
			err, errlen,
			"imasig: certificate has no subject key identifier, needed for the key id");
	}
	n = ASN1_STRING_length(skid);
	if (n < 4)
		return tr_fail(
			err, errlen,
			"imasig: certificate's subject key identifier has %d bytes, fewer than 4",
			n);
	memcpy(keyid, ASN1_STRING_get0_data(skid) + n - 4, 4);
	return 0;
}

/* RSA (PKCS#1 v1.5) and ECDSA are what IMA verifies for v2 signatures. */
static int key_type_ok(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_base_id(key);

	return id == EVP_PKEY_RSA || id == EVP_PKEY_EC;
}

static const EVP_MD *ima_md(unsigned algo)
{
	switch (algo) {
	case HASH_ALGO_SHA256:
		return EVP_sha256();
	case HASH_ALGO_SHA384:
		return EVP_sha384();
	case HASH_ALGO_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* A context for signing or verifying a digest made with @md. */
static EVP_PKEY_CTX *pkey_ctx(EVP_PKEY *key, const EVP_MD *md, int sign)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);

	if (!ctx)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) <= 0 ||
	    (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int dl_imasig_create(const uint8_t *data, size_t len, EVP_PKEY *key, X509 *cert,
		     uint8_t *sig, size_t *sig_len, char *err, size_t errlen)
{
	uint8_t digest[EVP_MAX_MD_SIZE], keyid[4];
	unsigned int dlen = 0;
	EVP_PKEY_CTX *ctx;
	size_t slen;
	int ok;

	if ((!data && len) || !key || !cert || !sig || !sig_len)
		return tr_fail(err, errlen, "imasig: missing argument");
	*sig_len = 0;
	if (!key_type_ok(key))
		return tr_fail(err, errlen, "imasig: key is %s, not RSA or EC",
			       OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
	if (cert_keyid(cert, keyid, err, errlen) < 0)
		return -1;
	/* A signature under another key would carry a wrong key id. */
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), key) != 1) {
		ERR_clear_error();
		return tr_fail(err, errlen,
			       "imasig: key does not match the certificate");
	}
	if (!EVP_Digest(len ? data : (const uint8_t *)"", len, digest, &dlen,
			EVP_sha256(), NULL))
		return ossl_fail(err, errlen, "imasig: cannot hash the data");
	ctx = pkey_ctx(key, EVP_sha256(), 1);
	if (!ctx)
		return ossl_fail(err, errlen,
				 "imasig: cannot set up signing with the key");
	ok = EVP_PKEY_sign(ctx, NULL, &slen, digest, dlen) > 0;
	if (ok && slen > DL_IMASIG_MAX - IMASIG_HDR) {
		EVP_PKEY_CTX_free(ctx);
		return tr_fail(
			err, errlen,
			"imasig: signature of up to %zu bytes does not fit in %d",
			slen, DL_IMASIG_MAX - IMASIG_HDR);
	}
	slen = DL_IMASIG_MAX - IMASIG_HDR;
	ok = ok &&
	     EVP_PKEY_sign(ctx, sig + IMASIG_HDR, &slen, digest, dlen) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return ossl_fail(err, errlen, "imasig: signing failed");
	sig[0] = IMASIG_TYPE;
	sig[1] = IMASIG_VERSION;
	sig[2] = HASH_ALGO_SHA256;
	memcpy(sig + 3, keyid, 4);
	sig[7] = (uint8_t)(slen >> 8);
	sig[8] = (uint8_t)slen;
	*sig_len = IMASIG_HDR + slen;
	return 0;
}

int dl_imasig_verify(const uint8_t *data, size_t len, const uint8_t *sig,
		     size_t sig_len, X509 *cert, char *err, size_t errlen)
{
	uint8_t digest[EVP_MAX_MD_SIZE], keyid[4];
	unsigned int dlen = 0;
	EVP_PKEY_CTX *ctx;
	const EVP_MD *md;
	EVP_PKEY *pub;
	size_t size;
	int rc;

	if ((!data && len) || (!sig && sig_len) || !cert)
		return tr_fail(err, errlen, "imasig: missing argument");
	if (sig_len < IMASIG_HDR)
		return tr_fail(
			err, errlen,
			"imasig: %zu bytes, shorter than the 9-byte header",
			sig_len);
	if (sig[0] != IMASIG_TYPE)
		return tr_fail(
			err, errlen,
			"imasig: type 0x%02x, not a digital signature (0x03)",
			sig[0]);
	if (sig[1] != IMASIG_VERSION)
		return tr_fail(err, errlen, "imasig: version %u, not 2",
			       sig[1]);
	md = ima_md(sig[2]);
	if (!md)
		return tr_fail(
			err, errlen,
			"imasig: hash algorithm %u is not SHA-256/384/512",
			sig[2]);
	size = (size_t)sig[7] << 8 | sig[8];
	if (!size || size != sig_len - IMASIG_HDR)
		return tr_fail(
			err, errlen,
			"imasig: signature size field %zu, but %zu bytes follow the header",
			size, sig_len - IMASIG_HDR);
	if (cert_keyid(cert, keyid, err, errlen) < 0)
		return -1;
	if (memcmp(sig + 3, keyid, 4))
		return tr_fail(
			err, errlen,
			"imasig: key id %02x%02x%02x%02x is not the certificate's %02x%02x%02x%02x",
			sig[3], sig[4], sig[5], sig[6], keyid[0], keyid[1],
			keyid[2], keyid[3]);
	pub = X509_get0_pubkey(cert);
	if (!pub) {
		ERR_clear_error();
		return tr_fail(
			err, errlen,
			"imasig: cannot read the certificate's public key");
	}
	if (!key_type_ok(pub))
		return tr_fail(err, errlen,
			       "imasig: certificate key is %s, not RSA or EC",
			       OBJ_nid2sn(EVP_PKEY_get_base_id(pub)));
	if (!EVP_Digest(len ? data : (const uint8_t *)"", len, digest, &dlen,
			md, NULL))
		return ossl_fail(err, errlen, "imasig: cannot hash the data");
	ctx = pkey_ctx(pub, md, 0);
	if (!ctx)
		return ossl_fail(err, errlen,
				 "imasig: cannot set up verification");
	rc = EVP_PKEY_verify(ctx, sig + IMASIG_HDR, size, digest, dlen);
	EVP_PKEY_CTX_free(ctx);
	if (rc != 1) {
		ERR_clear_error();
		return tr_fail(err, errlen,
			       "imasig: signature does not verify");
	}
	return 0;
}
