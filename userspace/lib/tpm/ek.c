// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading and checking the endorsement key and its certificate.
 */
#include "tpm/ek.h"

#include "base/errmsg.h"
#include "tpm/convert.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <string.h>

#define NV_CHUNK 512 /* below every TPM's MAX_NV_BUFFER_SIZE */

int tr_ek_cert_read(struct tr_tpm *t, uint8_t **der, size_t *len, char *err,
		    size_t errlen)
{
	TPM2B_NV_PUBLIC *nvpub = NULL;
	ESYS_TR nv = ESYS_TR_NONE;
	uint8_t *buf = NULL;
	uint16_t size, off;
	TSS2_RC rc;
	int ret = -1;

	t->commands++;
	rc = Esys_TR_FromTPMPublic(t->esys, TR_EK_CERT_NV_RSA, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, &nv);
	if (rc)
		return tr_tpm_fail(err, errlen,
				   "no EK certificate in NV 0x01c00002", rc);
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

/* PolicySecret(TPM_RH_ENDORSEMENT): the EK's authPolicy in template L-1. */
static const uint8_t ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
	0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
	0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

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
	a->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN |
			      TPMA_OBJECT_ADMINWITHPOLICY |
			      TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	a->authPolicy.size = sizeof(ek_policy);
	memcpy(a->authPolicy.buffer, ek_policy, sizeof(ek_policy));
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

int tr_ek_cert_verify(const uint8_t *der, size_t len,
		      const char *trusted_ca_file,
		      const char *intermediates_file,
		      const TPM2B_PUBLIC *ek_pub, char *err, size_t errlen)
{
	const unsigned char *p = der;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	EVP_PKEY *want = NULL;
	X509 *cert = NULL;
	int ret = -1;

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
	if (load_pem_certs(store, NULL, trusted_ca_file, err, errlen) < 0 ||
	    (intermediates_file &&
	     load_pem_certs(NULL, chain, intermediates_file, err, errlen) < 0))
		goto out;
	if (!X509_STORE_CTX_init(ctx, store, cert, chain)) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	/* EK certificates carry a critical subjectAltName of TPM attributes,
	 * which OpenSSL parses; nothing else is relaxed. */
	if (X509_verify_cert(ctx) != 1) {
		tr_fail(err, errlen,
			"EK certificate not from a trusted manufacturer CA: %s",
			X509_verify_cert_error_string(
				X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
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
	ret = 0;
out:
	EVP_PKEY_free(want);
	X509_free(cert);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
	return ret;
}
