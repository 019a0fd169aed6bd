// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the EST certs-only and PKCS#10 base64 decoders on
 * arbitrary bytes. Every failure must say why; whatever decodes must
 * encode, and the encoding must decode to the same certificates (the
 * same request); abort() otherwise.
 */
#include "enroll/est_certs.h"
#include "fuzz.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

/*
 * Our encoding adds a line break per 64 characters, so input near the
 * size limit with fewer breaks may decode yet not encode within it.
 */
static void check_encoded(int rc, size_t in_len)
{
	if (rc < 0 && in_len < TR_EST_CERTS_MAX / 65 * 64)
		abort();
}

static void same_der(const uint8_t *a, int alen, const uint8_t *b, int blen)
{
	if (alen <= 0 || alen != blen || memcmp(a, b, (size_t)alen))
		abort();
}

static void check_certs(STACK_OF(X509) * certs, size_t in_len)
{
	STACK_OF(X509) * back;
	char err[256], *b64;
	size_t len;
	int rc = tr_est_certs_encode(certs, &b64, &len, err, sizeof(err));

	check_encoded(rc, in_len);
	if (rc < 0)
		return;
	if (tr_est_certs_decode(b64, len, &back, err, sizeof(err)) < 0 ||
	    sk_X509_num(back) != sk_X509_num(certs))
		abort();
	for (int i = 0; i < sk_X509_num(certs); i++) {
		uint8_t *a = NULL, *b = NULL;
		int alen = i2d_X509(sk_X509_value(certs, i), &a);
		int blen = i2d_X509(sk_X509_value(back, i), &b);

		same_der(a, alen, b, blen);
		OPENSSL_free(a);
		OPENSSL_free(b);
	}
	fuzz_sink += (unsigned)len;
	free(b64);
	sk_X509_pop_free(back, X509_free);
}

static void check_csr(X509_REQ *req, size_t in_len)
{
	uint8_t *a = NULL, *b = NULL;
	char err[256], *b64;
	X509_REQ *back;
	size_t len;
	int rc = tr_est_csr_encode(req, &b64, &len, err, sizeof(err)), alen,
	    blen;

	check_encoded(rc, in_len);
	if (rc < 0)
		return;
	back = tr_est_csr_decode(b64, len, err, sizeof(err));
	if (!back)
		abort();
	alen = i2d_X509_REQ(req, &a);
	blen = i2d_X509_REQ(back, &b);
	same_der(a, alen, b, blen);
	fuzz_sink += (unsigned)len;
	OPENSSL_free(a);
	OPENSSL_free(b);
	free(b64);
	X509_REQ_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	STACK_OF(X509) * certs;
	char err[256];
	X509_REQ *req;

	err[0] = 0;
	if (tr_est_certs_decode(text, size, &certs, err, sizeof(err)) == 0) {
		check_certs(certs, size);
		sk_X509_pop_free(certs, X509_free);
	} else if (!err[0] || certs) {
		abort(); /* every failure says why, and returns nothing */
	}
	err[0] = 0;
	req = tr_est_csr_decode(text, size, err, sizeof(err));
	if (req) {
		check_csr(req, size);
		X509_REQ_free(req);
	} else if (!err[0]) {
		abort();
	}
	return 0;
}
