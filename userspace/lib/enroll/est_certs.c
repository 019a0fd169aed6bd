// SPDX-License-Identifier: GPL-2.0-only
#include "enroll/est_certs.h"

#include "base/base64.h"
#include "base/errmsg.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_b64_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Base64 with line breaks to bytes: white space is dropped and each
 * other byte checked here, so a refusal names its position; the strict
 * decoder (base64.h) does the rest. (EVP_DecodeUpdate alone is too
 * lenient: at a '-' it stops and reports success with what it had.)
 */
static int b64_decode(const char *b64, size_t len, const char *what,
		      uint8_t **der, size_t *der_len, char *err, size_t errlen)
{
	size_t n = 0, pad = 0;
	char *clean;
	uint8_t *out;

	if (len > TR_EST_CERTS_MAX)
		return tr_fail(err, errlen,
			       "%s: %zu bytes of base64, more than the %d "
			       "accepted",
			       what, len, TR_EST_CERTS_MAX);
	clean = malloc(len ? len : 1);
	if (!clean)
		return tr_fail(err, errlen, "%s: out of memory", what);
	for (size_t i = 0; i < len; i++) {
		char c = b64[i];

		if (is_b64_space(c))
			continue;
		if (c == '=') {
			pad++;
		} else if (!tr_base64_char(c) || pad) {
			free(clean);
			if (pad)
				return tr_fail(err, errlen,
					       "%s: byte %zu: data after the "
					       "base64 padding",
					       what, i);
			return tr_fail(err, errlen,
				       "%s: byte %zu: 0x%02x is not base64",
				       what, i, (unsigned char)c);
		}
		clean[n++] = c;
	}
	if (!n) {
		free(clean);
		return tr_fail(err, errlen, "%s: empty", what);
	}
	if (n % 4 || pad > 2) {
		free(clean);
		return tr_fail(err, errlen,
			       "%s: %zu base64 characters, not whole groups "
			       "of four (truncated?)",
			       what, n);
	}
	out = malloc(n / 4 * 3);
	if (!out || tr_base64_decode(clean, n, out, n / 4 * 3, der_len, err,
				     errlen) < 0) {
		free(clean);
		free(out);
		return tr_fail(err, errlen, "%s: the base64 does not decode",
			       what);
	}
	free(clean);
	*der = out;
	return 0;
}

/* @der in 64-character lines, each ending "\n"; NUL-terminated. */
static int b64_encode(const uint8_t *der, size_t der_len, const char *what,
		      char **b64, size_t *len, char *err, size_t errlen)
{
	size_t chars = (der_len + 2) / 3 * 4, total = chars + (chars + 63) / 64;
	EVP_ENCODE_CTX *ctx;
	int outl = 0, finl = 0;
	char *out;

	/* What the decoder would refuse is not made. */
	if (total > TR_EST_CERTS_MAX)
		return tr_fail(err, errlen,
			       "%s: %zu bytes of DER, more than %d bytes of "
			       "base64",
			       what, der_len, TR_EST_CERTS_MAX);
	out = malloc(total + 1);
	ctx = EVP_ENCODE_CTX_new();
	if (!out || !ctx) {
		free(out);
		EVP_ENCODE_CTX_free(ctx);
		return tr_fail(err, errlen, "%s: out of memory", what);
	}
	EVP_EncodeInit(ctx);
	if (!EVP_EncodeUpdate(ctx, (unsigned char *)out, &outl, der,
			      (int)der_len)) {
		free(out);
		EVP_ENCODE_CTX_free(ctx);
		ERR_clear_error();
		return tr_fail(err, errlen, "%s: base64 encoding failed", what);
	}
	EVP_EncodeFinal(ctx, (unsigned char *)out + outl, &finl);
	EVP_ENCODE_CTX_free(ctx);
	*len = (size_t)outl + (size_t)finl;
	out[*len] = 0;
	*b64 = out;
	return 0;
}

int tr_est_certs_encode(STACK_OF(X509) * certs, char **b64, size_t *len,
			char *err, size_t errlen)
{
	static const char what[] = "certs-only CMS";
	int n = certs ? sk_X509_num(certs) : 0, der_len, rc = -1;
	PKCS7 *p7 = PKCS7_new();
	uint8_t *der = NULL;

	if (n < 1 || n > TR_EST_CERTS_MAX_N) {
		PKCS7_free(p7);
		return tr_fail(err, errlen, "%s: %d certificates, not 1 to %d",
			       what, n, TR_EST_CERTS_MAX_N);
	}
	if (!p7 || !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data))
		goto out;
	/*
	 * PKCS7_content_new leaves an empty eContent, which certs-only must
	 * not have (RFC 5751 3.8): absent, as `openssl crl2pkcs7` makes it.
	 */
	ASN1_OCTET_STRING_free(p7->d.sign->contents->d.data);
	p7->d.sign->contents->d.data = NULL;
	for (int i = 0; i < n; i++)
		if (!PKCS7_add_certificate(p7, sk_X509_value(certs, i)))
			goto out;
	der_len = i2d_PKCS7(p7, &der);
	if (der_len <= 0)
		goto out;
	rc = b64_encode(der, (size_t)der_len, what, b64, len, err, errlen);
	OPENSSL_free(der);
	PKCS7_free(p7);
	return rc;
out:
	PKCS7_free(p7);
	ERR_clear_error();
	return tr_fail(err, errlen, "%s: cannot build it (out of memory?)",
		       what);
}

/* Refuse what is not certs-only with 1..TR_EST_CERTS_MAX_N certs. */
static int check_certs_only(const PKCS7 *p7, char *err, size_t errlen)
{
	static const char what[] = "certs-only CMS";
	const PKCS7_SIGNED *s;
	const PKCS7 *c;
	int n;

	if (!PKCS7_type_is_signed(p7))
		return tr_fail(err, errlen, "%s: not SignedData", what);
	s = p7->d.sign;
	if (!s)
		return tr_fail(err, errlen, "%s: SignedData without its body",
			       what);
	n = sk_PKCS7_SIGNER_INFO_num(s->signer_info);
	if (n > 0)
		return tr_fail(err, errlen,
			       "%s: %d signers, certs-only has none", what, n);
	n = sk_X509_CRL_num(s->crl);
	if (n > 0)
		return tr_fail(err, errlen, "%s: %d CRLs, certs-only has none",
			       what, n);
	c = s->contents;
	if (!c || !PKCS7_type_is_data(c))
		return tr_fail(err, errlen,
			       "%s: the content type is not id-data", what);
	/* Absent is right; empty is what PKCS7_content_new gives. */
	if (c->d.data && ASN1_STRING_length(c->d.data) > 0)
		return tr_fail(err, errlen,
			       "%s: %d bytes of content, certs-only has none",
			       what, ASN1_STRING_length(c->d.data));
	n = s->cert ? sk_X509_num(s->cert) : 0;
	if (n < 1 || n > TR_EST_CERTS_MAX_N)
		return tr_fail(err, errlen, "%s: %d certificates, not 1 to %d",
			       what, n, TR_EST_CERTS_MAX_N);
	return 0;
}

/* Base64 of the DER of exactly one @it, nothing after it; or NULL. */
static ASN1_VALUE *b64_d2i(const char *b64, size_t len, const char *what,
			   const ASN1_ITEM *it, char *err, size_t errlen)
{
	const uint8_t *p;
	ASN1_VALUE *obj;
	uint8_t *der = NULL;
	size_t der_len = 0;

	if (b64_decode(b64, len, what, &der, &der_len, err, errlen) < 0)
		return NULL;
	p = der;
	obj = ASN1_item_d2i(NULL, &p, (long)der_len, it);
	if (!obj) {
		tr_fail(err, errlen, "%s: the DER does not parse (truncated?)",
			what);
	} else if (p != der + der_len) {
		tr_fail(err, errlen, "%s: %zu bytes after the DER structure",
			what, (size_t)(der + der_len - p));
		ASN1_item_free(obj, it);
		obj = NULL;
	}
	if (!obj)
		ERR_clear_error();
	free(der);
	return obj;
}

int tr_est_certs_decode(const char *b64, size_t len, STACK_OF(X509) * *certs,
			char *err, size_t errlen)
{
	PKCS7 *p7 = (PKCS7 *)b64_d2i(b64, len, "certs-only CMS",
				     ASN1_ITEM_rptr(PKCS7), err, errlen);

	*certs = NULL;
	if (!p7 || check_certs_only(p7, err, errlen) < 0) {
		PKCS7_free(p7);
		return -1;
	}
	*certs = X509_chain_up_ref(p7->d.sign->cert);
	PKCS7_free(p7);
	if (!*certs)
		return tr_fail(err, errlen, "certs-only CMS: out of memory");
	return 0;
}

int tr_est_csr_encode(X509_REQ *req, char **b64, size_t *len, char *err,
		      size_t errlen)
{
	static const char what[] = "PKCS#10 request";
	uint8_t *der = NULL;
	int der_len = req ? i2d_X509_REQ(req, &der) : -1, rc;

	if (der_len <= 0) {
		ERR_clear_error();
		return tr_fail(err, errlen, "%s: cannot encode it", what);
	}
	rc = b64_encode(der, (size_t)der_len, what, b64, len, err, errlen);
	OPENSSL_free(der);
	return rc;
}

X509_REQ *tr_est_csr_decode(const char *b64, size_t len, char *err,
			    size_t errlen)
{
	return (X509_REQ *)b64_d2i(b64, len, "PKCS#10 request",
				   ASN1_ITEM_rptr(X509_REQ), err, errlen);
}
