// SPDX-License-Identifier: GPL-2.0-only
/* The provider's entry point, its algorithms and its error upcalls. */
#include "userspace/provider/provider.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static OSSL_FUNC_core_new_error_fn *core_new_error;
static OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug;
static OSSL_FUNC_core_vset_error_fn *core_vset_error;
static OSSL_FUNC_core_get_params_fn *core_get_params;

static const OSSL_ITEM reason_strings[] = {
	{ TR_R_POLICY, "PCR policy not satisfied" },
	{ TR_R_TPM, "TPM error" },
	{ TR_R_KEYFILE, "unsupported TPM key file" },
	{ TR_R_UNSUPPORTED, "unsupported operation" },
	{ TR_R_INTERNAL, "internal error" },
	{ 0, NULL },
};

void tr_prov_err_at(struct tr_prov *p, int reason, const char *file, int line,
		    const char *func, const char *fmt, ...)
{
	va_list ap;

	if (!p || !core_new_error || !core_vset_error)
		return;
	core_new_error(p->handle);
	if (core_set_error_debug)
		core_set_error_debug(p->handle, file, line, func);
	va_start(ap, fmt);
	core_vset_error(p->handle, (uint32_t)reason, fmt, ap);
	va_end(ap);
}

int tr_prov_tpm(struct tr_prov *p)
{
	char err[256];

	if (p->tpm_open)
		return 0;
	if (tr_tpm_open(&p->tpm, p->tcti, err, sizeof(err)) < 0) {
		tr_prov_err(p, TR_R_TPM, "%s", err);
		return -1;
	}
	p->tpm_open = true;
	return 0;
}

static const OSSL_ALGORITHM keymgmts[] = {
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", TR_PROV_PROPS,
	  tr_ec_keymgmt_functions, "TPM P-256 keys with a PCR policy" },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", TR_PROV_PROPS,
	  tr_rsa_keymgmt_functions, "TPM RSA-2048 keys with a PCR policy" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM signatures[] = {
	{ "ECDSA", TR_PROV_PROPS, tr_ecdsa_signature_functions,
	  "ECDSA in the TPM" },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", TR_PROV_PROPS,
	  tr_rsa_signature_functions, "RSA PKCS#1 v1.5 and PSS in the TPM" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM decoders[] = {
	{ "EC", TR_PROV_PROPS ",input=der,structure=TSS2",
	  tr_tss2_der_decoder_functions, "TSS2 PRIVATE KEY (DER), P-256" },
	{ "RSA", TR_PROV_PROPS ",input=der,structure=TSS2",
	  tr_tss2_der_rsa_decoder_functions, "TSS2 PRIVATE KEY (DER), RSA" },
	{ "DER", TR_PROV_PROPS ",input=pem", tr_tss2_pem_decoder_functions,
	  "TSS2 PRIVATE KEY (PEM to DER)" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM encoders[] = {
	{ "EC", TR_PROV_PROPS ",output=text", tr_text_encoder_functions,
	  "P-256 TPM key as text: public key, parent, policy" },
	{ "RSA", TR_PROV_PROPS ",output=text", tr_text_encoder_functions,
	  "RSA TPM key as text: public key, parent, policy" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM stores[] = {
	{ "tpmkey", TR_PROV_PROPS, tr_tpmkey_store_functions,
	  "tpmkey:PATH, a TSS2 PRIVATE KEY file" },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM *query(void *provctx, int op, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (op) {
	case OSSL_OP_KEYMGMT:
		return keymgmts;
	case OSSL_OP_SIGNATURE:
		return signatures;
	case OSSL_OP_DECODER:
		return decoders;
	case OSSL_OP_ENCODER:
		return encoders;
	case OSSL_OP_STORE:
		return stores;
	}
	return NULL;
}

static const OSSL_PARAM *gettable_params(void *provctx)
{
	static const OSSL_PARAM gettable[] = {
		OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
		OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, NULL, 0),
		OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, NULL, 0),
		OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, NULL),
		OSSL_PARAM_END,
	};

	(void)provctx;
	return gettable;
}

static int get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	(void)provctx;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "trustroute TPM provider"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "0.1"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "trustroute"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	if (p && !OSSL_PARAM_set_int(p, 1))
		return 0;
	return 1;
}

static const OSSL_ITEM *get_reason_strings(void *provctx)
{
	(void)provctx;
	return reason_strings;
}

static void teardown(void *provctx)
{
	struct tr_prov *p = provctx;

	if (p->tpm_open)
		tr_tpm_close(&p->tpm);
	OSSL_LIB_CTX_free(p->libctx);
	OPENSSL_free(p->tcti);
	OPENSSL_free(p);
}

/*
 * The NIST curves as TLS groups, as the default provider declares them.
 * libssl uses a provider's EC key in TLS 1.2 (ECDSA suites) only when the
 * provider declares the key's curve; and it offers a group only when the
 * "EC" keymgmt it fetches comes from the provider that declared it. With
 * trustroute loaded first that keymgmt is ours, so we declare all three
 * curves TLS 1.3 allows, and our keymgmt has the ephemeral keys made by
 * the default provider (softkey.c): no group is lost in either order.
 */
struct tls_group {
	const char *name, *internal;
	unsigned int id, bits;
};

/* Each under both its names, as the default provider has them: a
 * configured group list ("-groups P-256") names them either way. */
static const struct tls_group tls_groups[] = {
	{ "secp256r1", "prime256v1", 23, 128 },
	{ "P-256", "prime256v1", 23, 128 },
	{ "secp384r1", "secp384r1", 24, 192 },
	{ "P-384", "secp384r1", 24, 192 },
	{ "secp521r1", "secp521r1", 25, 256 },
	{ "P-521", "secp521r1", 25, 256 },
};

static int get_capabilities(void *provctx, const char *capability,
			    OSSL_CALLBACK *cb, void *arg)
{
	static int min_tls = 0x0301, max_tls = 0; /* TLS 1.0 and up */
	static int min_dtls = 0xfeff, max_dtls = 0; /* DTLS 1.0 and up */

	(void)provctx;
	if (strcmp(capability, "TLS-GROUP"))
		return 0;
	for (size_t i = 0; i < sizeof(tls_groups) / sizeof(tls_groups[0]);
	     i++) {
		const struct tls_group *g = &tls_groups[i];
		unsigned int id = g->id, bits = g->bits;
		OSSL_PARAM group[] = {
			OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME,
					       (char *)g->name,
					       strlen(g->name)),
			OSSL_PARAM_utf8_string(
				OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL,
				(char *)g->internal, strlen(g->internal)),
			OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG,
					       (char *)"EC", 2),
			OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
			OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS,
					&bits),
			OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS,
				       &min_tls),
			OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS,
				       &max_tls),
			OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS,
				       &min_dtls),
			OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS,
				       &max_dtls),
			OSSL_PARAM_END,
		};

		if (!cb(group, arg))
			return 0;
	}
	return 1;
}

static const OSSL_DISPATCH provider_functions[] = {
	{ OSSL_FUNC_PROVIDER_GET_CAPABILITIES,
	  (void (*)(void))get_capabilities },
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))teardown },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))query },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))get_params },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS,
	  (void (*)(void))get_reason_strings },
	{ 0, NULL },
};

__attribute__((visibility("default"))) OSSL_provider_init_fn OSSL_provider_init;

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		       const OSSL_DISPATCH **out, void **provctx)
{
	const OSSL_DISPATCH *d;
	struct tr_prov *p;
	char *tcti = NULL;

	p = OPENSSL_zalloc(sizeof(*p));
	if (!p)
		return 0;
	p->handle = handle;
	for (d = in; d->function_id; d++) {
		switch (d->function_id) {
		case OSSL_FUNC_CORE_NEW_ERROR:
			core_new_error = OSSL_FUNC_core_new_error(d);
			break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			core_set_error_debug =
				OSSL_FUNC_core_set_error_debug(d);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR:
			core_vset_error = OSSL_FUNC_core_vset_error(d);
			break;
		case OSSL_FUNC_CORE_GET_PARAMS:
			core_get_params = OSSL_FUNC_core_get_params(d);
			break;
		case OSSL_FUNC_BIO_READ_EX:
			p->bio_read = OSSL_FUNC_BIO_read_ex(d);
			break;
		}
	}
	/* "tcti = ..." in the provider's section of openssl.cnf. */
	if (core_get_params) {
		OSSL_PARAM req[] = {
			OSSL_PARAM_utf8_ptr("tcti", &tcti, 0),
			OSSL_PARAM_END,
		};

		if (core_get_params(handle, req) && tcti && *tcti)
			p->tcti = OPENSSL_strdup(tcti);
	}
	/* Digests come from the application's providers, through a child
	 * library context that follows them. */
	p->libctx = OSSL_LIB_CTX_new_child(handle, in);
	*out = provider_functions;
	*provctx = p;
	return 1;
}
