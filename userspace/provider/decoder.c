// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoder: DER of a TSS2 key file (the default provider's PEM decoder
 * turns "TSS2 PRIVATE KEY" PEM into it) to a reference to our key object.
 */
#include "userspace/provider/provider.h"

#include "tpm/keyfile.h"

#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

struct dec_ctx {
	struct tr_prov *prov;
};

static void *dec_newctx(void *provctx)
{
	struct dec_ctx *c = OPENSSL_zalloc(sizeof(*c));

	if (c)
		c->prov = provctx;
	return c;
}

static void dec_freectx(void *ctx)
{
	OPENSSL_free(ctx);
}

static int dec_does_selection(void *provctx, int selection)
{
	(void)provctx;
	return !selection || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR);
}

static uint8_t *read_all(struct tr_prov *p, OSSL_CORE_BIO *in, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = OPENSSL_malloc(cap), *nb;

	if (!p->bio_read || !buf) {
		OPENSSL_free(buf);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			/* Bounded: a key file is small. */
			if (cap >= 2 * TR_KEYFILE_MAX_DER)
				break;
			nb = OPENSSL_realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		if (!p->bio_read(in, buf + n, cap - n, &got) || !got) {
			*len = n;
			return buf;
		}
		n += got;
	}
	OPENSSL_free(buf);
	return NULL;
}

/* One DER decoder per key type: each hands over only keys of its type. */
static int decode(void *ctx, OSSL_CORE_BIO *in, bool want_rsa,
		  OSSL_CALLBACK *data_cb, void *data_cbarg)
{
	struct dec_ctx *c = ctx;
	struct tr_prov_key *k = NULL;
	uint8_t *der;
	size_t len = 0;
	int ret = 1, r;

	der = read_all(c->prov, in, &len);
	if (!der)
		return 1; /* nothing for us: let the other decoders try */
	k = tr_prov_key_new(c->prov);
	if (!k) {
		OPENSSL_free(der);
		return 0;
	}
	r = tr_prov_key_from_der(k, der, len);
	if (r < 0) {
		ret = 0; /* a TSS2 key we cannot use: say so, stop */
	} else if (r > 0 && tr_prov_key_is_rsa(k) == want_rsa) {
		ret = tr_prov_key_pass(k, data_cb, data_cbarg);
		k = NULL;
	}
	tr_prov_key_free(k);
	OPENSSL_free(der);
	return ret;
}

static int dec_decode(void *ctx, OSSL_CORE_BIO *in, int selection,
		      OSSL_CALLBACK *data_cb, void *data_cbarg,
		      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	(void)selection;
	(void)pw_cb;
	(void)pw_cbarg;
	return decode(ctx, in, false, data_cb, data_cbarg);
}

static int dec_decode_rsa(void *ctx, OSSL_CORE_BIO *in, int selection,
			  OSSL_CALLBACK *data_cb, void *data_cbarg,
			  OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	(void)selection;
	(void)pw_cb;
	(void)pw_cbarg;
	return decode(ctx, in, true, data_cb, data_cbarg);
}

/* "RSA" or "EC", from the key file's public area. */
static const char *key_type(const struct tr_keyfile *kf)
{
	TPM2B_PUBLIC pub = { 0 };
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf->pub, kf->pub_len, &off, &pub))
		return "EC";
	return pub.publicArea.type == TPM2_ALG_RSA ? "RSA" : "EC";
}

static bool contains(const char *s, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (!memcmp(s + i, what, n))
			return true;
	return false;
}

/* A key file our keymgmt takes (else the reason is on the queue). */
static bool usable(struct tr_prov *p, const uint8_t *der, size_t len)
{
	struct tr_prov_key *k = tr_prov_key_new(p);
	int r = k ? tr_prov_key_from_der(k, der, len) : -1;

	tr_prov_key_free(k);
	return r > 0;
}

/*
 * PEM to DER for our label only (the default provider's PEM decoder names
 * unknown labels as data types, which no keymgmt knows). The DER goes on
 * as an EC key of structure TSS2: the file store then asks the DER/TSS2
 * decoder above for it, whose reference our keymgmt loads.
 */
static int pem_decode(void *ctx, OSSL_CORE_BIO *in, int selection,
		      OSSL_CALLBACK *data_cb, void *data_cbarg,
		      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	static const char label[] = "-----BEGIN TSS2 PRIVATE KEY-----";
	struct dec_ctx *c = ctx;
	struct tr_keyfile kf;
	uint8_t *der = NULL;
	char *pem, err[256];
	size_t len = 0, dlen = 0;
	int ret = 1;

	(void)selection;
	(void)pw_cb;
	(void)pw_cbarg;
	memset(&kf, 0, sizeof(kf));
	pem = (char *)read_all(c->prov, in, &len);
	if (!pem)
		return 1;
	if (!contains(pem, len, label))
		goto out; /* not ours */
	if (tr_keyfile_decode_pem(pem, len, &kf, err, sizeof(err)) < 0 ||
	    tr_keyfile_encode(&kf, &der, &dlen, err, sizeof(err)) < 0) {
		tr_prov_err(c->prov, TR_R_KEYFILE, "%s", err);
		ret = 0;
	} else if (!usable(c->prov, der, dlen)) {
		/*
		 * Checked here, not only in the DER decoder below: OpenSSL's
		 * file store drops the errors of a decoder it calls on this
		 * DER and says only "unsupported". A fatal answer here keeps
		 * our reason on the queue.
		 */
		ret = 0;
	} else {
		const char *ktype = key_type(&kf);
		int type = OSSL_OBJECT_PKEY;
		OSSL_PARAM params[] = {
			OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
			OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
					       (char *)ktype, strlen(ktype)),
			OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_STRUCTURE,
					       (char *)"TSS2", 4),
			OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_DATA, der,
						dlen),
			OSSL_PARAM_END,
		};

		ret = data_cb(params, data_cbarg);
	}
out:
	tr_keyfile_free(&kf);
	free(der);
	OPENSSL_free(pem);
	return ret;
}

const OSSL_DISPATCH tr_tss2_pem_decoder_functions[] = {
	{ OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))dec_newctx },
	{ OSSL_FUNC_DECODER_FREECTX, (void (*)(void))dec_freectx },
	{ OSSL_FUNC_DECODER_DOES_SELECTION,
	  (void (*)(void))dec_does_selection },
	{ OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem_decode },
	{ 0, NULL },
};

static int dec_export_object(void *ctx, const void *objref, size_t objref_sz,
			     OSSL_CALLBACK *export_cb, void *export_cbarg)
{
	const struct tr_prov_ref *ref = objref;
	const OSSL_DISPATCH *d;
	struct tr_prov_key *k;

	(void)ctx;
	if (!ref || objref_sz != sizeof(*ref) ||
	    ref->magic != TR_PROV_REF_MAGIC || !ref->key)
		return 0;
	k = ref->key;
	/* Another provider's key: only the public part can go there. */
	for (d = tr_prov_key_is_rsa(k) ? tr_rsa_keymgmt_functions :
					 tr_ec_keymgmt_functions;
	     d->function_id; d++)
		if (d->function_id == OSSL_FUNC_KEYMGMT_EXPORT)
			return OSSL_FUNC_keymgmt_export(d)(
				k,
				OSSL_KEYMGMT_SELECT_PUBLIC_KEY |
					OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
				export_cb, export_cbarg);
	return 0;
}

const OSSL_DISPATCH tr_tss2_der_decoder_functions[] = {
	{ OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))dec_newctx },
	{ OSSL_FUNC_DECODER_FREECTX, (void (*)(void))dec_freectx },
	{ OSSL_FUNC_DECODER_DOES_SELECTION,
	  (void (*)(void))dec_does_selection },
	{ OSSL_FUNC_DECODER_DECODE, (void (*)(void))dec_decode },
	{ OSSL_FUNC_DECODER_EXPORT_OBJECT, (void (*)(void))dec_export_object },
	{ 0, NULL },
};

const OSSL_DISPATCH tr_tss2_der_rsa_decoder_functions[] = {
	{ OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))dec_newctx },
	{ OSSL_FUNC_DECODER_FREECTX, (void (*)(void))dec_freectx },
	{ OSSL_FUNC_DECODER_DOES_SELECTION,
	  (void (*)(void))dec_does_selection },
	{ OSSL_FUNC_DECODER_DECODE, (void (*)(void))dec_decode_rsa },
	{ OSSL_FUNC_DECODER_EXPORT_OBJECT, (void (*)(void))dec_export_object },
	{ 0, NULL },
};
