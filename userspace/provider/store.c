// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "tpmkey:" store: "tpmkey:/etc/trustroute/tls.key" names a TSS2 key
 * file (PEM or DER) by URI, for applications that open keys through
 * OSSL_STORE (curl's and s_server's "-key" with a URI, our daemons). It
 * yields the one key, loaded by our keymgmt; nothing else is tried, so a
 * file that is not a usable TPM key is an error, never some other key.
 */
#include "userspace/provider/provider.h"

#include "base/fileio.h"
#include "tpm/keyfile.h"

#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/store.h>
#include <stdlib.h>
#include <string.h>

#define SCHEME "tpmkey:"
#define MAX_KEY_FILE (64 * 1024) /* key files are a few KiB */

struct store_ctx {
	struct tr_prov *prov;
	char *path;
	bool done;
};

static void *store_open(void *provctx, const char *uri)
{
	struct store_ctx *c;

	if (strncmp(uri, SCHEME, strlen(SCHEME)) || !uri[strlen(SCHEME)])
		return NULL;
	c = OPENSSL_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->prov = provctx;
	/* "tpmkey:PATH" and "tpmkey://PATH" (an empty authority) alike. */
	uri += strlen(SCHEME);
	if (!strncmp(uri, "//", 2))
		uri += 2;
	c->path = OPENSSL_strdup(uri);
	if (!c->path) {
		OPENSSL_free(c);
		return NULL;
	}
	return c;
}

/* The file as DER: PEM is converted, anything else passed on as is. */
static int key_der(struct store_ctx *c, uint8_t **der, size_t *dlen)
{
	struct tr_keyfile kf;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0;
	int ret = -1;

	if (read_file_bounded(c->path, MAX_KEY_FILE, &buf, &len) < 0) {
		tr_prov_err(c->prov, TR_R_KEYFILE, "cannot read %s", c->path);
		return -1;
	}
	memset(&kf, 0, sizeof(kf));
	if (len && buf[0] == 0x30) { /* a DER SEQUENCE */
		*der = buf;
		*dlen = len;
		return 0;
	}
	if (tr_keyfile_decode_pem((const char *)buf, len, &kf, err,
				  sizeof(err)) < 0 ||
	    tr_keyfile_encode(&kf, der, dlen, err, sizeof(err)) < 0)
		tr_prov_err(c->prov, TR_R_KEYFILE, "%s: %s", c->path, err);
	else
		ret = 0;
	tr_keyfile_free(&kf);
	free(buf);
	return ret;
}

static int store_load(void *ctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
		      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	struct store_ctx *c = ctx;
	struct tr_prov_key *k;
	uint8_t *der = NULL;
	size_t len = 0;
	int ret = 0, r;

	(void)pw_cb; /* TPM keys here have policies, not passwords */
	(void)pw_cbarg;
	if (c->done)
		return 0;
	c->done = true;
	if (key_der(c, &der, &len) < 0)
		return 0;
	k = tr_prov_key_new(c->prov);
	r = k ? tr_prov_key_from_der(k, der, len) : -1;
	if (r == 0)
		tr_prov_err(c->prov, TR_R_KEYFILE,
			    "%s: not a TSS2 PRIVATE KEY file", c->path);
	if (r > 0) {
		ret = tr_prov_key_pass(k, object_cb, object_cbarg);
		k = NULL;
	}
	tr_prov_key_free(k);
	free(der);
	return ret;
}

static int store_eof(void *ctx)
{
	return ((struct store_ctx *)ctx)->done;
}

static int store_close(void *ctx)
{
	struct store_ctx *c = ctx;

	OPENSSL_free(c->path);
	OPENSSL_free(c);
	return 1;
}

/* Only keys live here: asking for certificates or CRLs finds nothing. */
static int store_set_ctx_params(void *ctx, const OSSL_PARAM params[])
{
	const OSSL_PARAM *p =
		OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
	int expect;

	if (p && OSSL_PARAM_get_int(p, &expect) && expect != 0 &&
	    expect != OSSL_STORE_INFO_PKEY)
		((struct store_ctx *)ctx)->done = true;
	return 1;
}

static const OSSL_PARAM *store_settable_ctx_params(void *provctx)
{
	static const OSSL_PARAM settable[] = {
		OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
		OSSL_PARAM_END,
	};

	(void)provctx;
	return settable;
}

const OSSL_DISPATCH tr_tpmkey_store_functions[] = {
	{ OSSL_FUNC_STORE_OPEN, (void (*)(void))store_open },
	{ OSSL_FUNC_STORE_LOAD, (void (*)(void))store_load },
	{ OSSL_FUNC_STORE_EOF, (void (*)(void))store_eof },
	{ OSSL_FUNC_STORE_CLOSE, (void (*)(void))store_close },
	{ OSSL_FUNC_STORE_SET_CTX_PARAMS,
	  (void (*)(void))store_set_ctx_params },
	{ OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS,
	  (void (*)(void))store_settable_ctx_params },
	{ 0, NULL },
};
