// SPDX-License-Identifier: GPL-2.0-only
/*
 * Software EC keys held by our "EC" keymgmt.
 *
 * OpenSSL fetches a keymgmt by name, first provider first: with
 * trustroute loaded before the default provider (the order our docs
 * give), ours answers every "EC", including the ephemeral ECDHE keys
 * libssl makes for P-256, P-384 and P-521 and the peer's key share it
 * reads back. Those keys are generated, checked and exported by the next
 * provider that has EC keys (the default one); we only hold them, so
 * that the key exchange runs there (libssl's derive exports them) and
 * the TPM is asked for nothing but the signature. Their private part is
 * exportable: it was made in software and lives in this process anyway.
 * TPM keys never become software keys, and their private part still
 * never leaves (keymgmt.c).
 */
#include "userspace/provider/provider.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

/* Any provider but ours: no recursion into this file. */
#define SOFT_PROPQ "provider!=" TR_PROV_NAME

#define PARAMS OSSL_KEYMGMT_SELECT_ALL_PARAMETERS
#define KEYPAIR OSSL_KEYMGMT_SELECT_KEYPAIR

struct gen_ctx {
	struct tr_prov *prov;
	EVP_PKEY_CTX *dctx; /* the other provider's generation */
	int selection;
};

void *tr_soft_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
	struct tr_prov *p = provctx;
	struct gen_ctx *c = OPENSSL_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->prov = p;
	c->selection = selection;
	c->dctx = EVP_PKEY_CTX_new_from_name(p->libctx, "EC", SOFT_PROPQ);
	if (!c->dctx ||
	    ((selection & KEYPAIR) ? EVP_PKEY_keygen_init(c->dctx) :
				     EVP_PKEY_paramgen_init(c->dctx)) <= 0 ||
	    (params && !EVP_PKEY_CTX_set_params(c->dctx, params))) {
		tr_prov_err(
			p, TR_R_UNSUPPORTED,
			"EC key generation: no other provider generates EC keys (load the default provider)");
		tr_soft_gen_cleanup(c);
		return NULL;
	}
	return c;
}

void tr_soft_gen_cleanup(void *genctx)
{
	struct gen_ctx *c = genctx;

	if (!c)
		return;
	EVP_PKEY_CTX_free(c->dctx);
	OPENSSL_free(c);
}

int tr_soft_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
	struct gen_ctx *c = genctx;

	return EVP_PKEY_CTX_set_params(c->dctx, params);
}

const OSSL_PARAM *tr_soft_gen_settable_params(void *genctx, void *provctx)
{
	static const OSSL_PARAM group_only[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
		OSSL_PARAM_END,
	};
	struct gen_ctx *c = genctx;
	const OSSL_PARAM *p;

	(void)provctx;
	p = c ? EVP_PKEY_CTX_settable_params(c->dctx) : NULL;
	return p ? p : group_only;
}

/* The group name of one of our keys: a TPM key is P-256. */
static int group_of(const struct tr_prov_key *k, char *out, size_t len)
{
	if (k->soft)
		return EVP_PKEY_get_utf8_string_param(
			k->soft, OSSL_PKEY_PARAM_GROUP_NAME, out, len, NULL);
	if (!tr_prov_key_point(k, (uint8_t[65]){ 0 }))
		return 0;
	snprintf(out, len, "prime256v1");
	return 1;
}

/* A key like the template (libssl: our key share on the peer's group). */
int tr_soft_gen_set_template(void *genctx, void *templ)
{
	struct gen_ctx *c = genctx;
	char group[64];

	if (!templ)
		return 1;
	if (!group_of(templ, group, sizeof(group))) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "EC key generation: the template has no group");
		return 0;
	}
	return EVP_PKEY_CTX_set_group_name(c->dctx, group) > 0;
}

static struct tr_prov_key *wrap(struct tr_prov *p, EVP_PKEY *pk, int parts)
{
	struct tr_prov_key *k = tr_prov_key_new(p);

	if (!k) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	k->soft = pk;
	k->soft_parts = parts;
	return k;
}

void *tr_soft_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
	struct gen_ctx *c = genctx;
	EVP_PKEY *pk = NULL;

	(void)cb; /* no progress to report: the other provider's work */
	(void)cbarg;
	if (EVP_PKEY_generate(c->dctx, &pk) <= 0) {
		tr_prov_err(c->prov, TR_R_INTERNAL,
			    "EC key generation failed in the other provider");
		return NULL;
	}
	return wrap(c->prov, pk,
		    (c->selection & KEYPAIR) ? KEYPAIR | PARAMS : PARAMS);
}

int tr_soft_has(const struct tr_prov_key *k, int selection)
{
	return !((selection & (KEYPAIR | PARAMS)) & ~k->soft_parts);
}

int tr_soft_match(const struct tr_prov_key *a, const struct tr_prov_key *b,
		  int selection)
{
	char ga[64], gb[64];

	if (a->soft && b->soft && (selection & KEYPAIR))
		return EVP_PKEY_eq(a->soft, b->soft) == 1;
	if (a->soft && b->soft)
		return EVP_PKEY_parameters_eq(a->soft, b->soft) == 1;
	/* A software key is never the same key as a TPM key; only their
	 * groups can be the same. */
	if (selection & KEYPAIR)
		return 0;
	return group_of(a, ga, sizeof(ga)) && group_of(b, gb, sizeof(gb)) &&
	       !strcmp(ga, gb);
}

int tr_soft_get_params(const struct tr_prov_key *k, OSSL_PARAM params[])
{
	return EVP_PKEY_get_params(k->soft, params);
}

/* The peer's key share onto a key with the group only (libssl). */
int tr_soft_set_params(struct tr_prov_key *k, const OSSL_PARAM params[])
{
	if (!EVP_PKEY_set_params(k->soft, (OSSL_PARAM *)params))
		return 0;
	if (OSSL_PARAM_locate_const(params,
				    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY) ||
	    OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY))
		k->soft_parts |= OSSL_KEYMGMT_SELECT_PUBLIC_KEY;
	return 1;
}

int tr_soft_export(const struct tr_prov_key *k, int selection,
		   OSSL_CALLBACK *cb, void *cbarg)
{
	return EVP_PKEY_export(k->soft, selection & (k->soft_parts | PARAMS),
			       cb, cbarg);
}

void *tr_soft_dup(const struct tr_prov_key *k, int selection)
{
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	char group[64];

	if (selection & KEYPAIR) {
		pk = EVP_PKEY_dup(k->soft);
		return pk ? wrap(k->prov, pk, k->soft_parts) : NULL;
	}
	/* The group alone, in a new key: a public key set on the copy later
	 * must not pair with the original's private key. */
	if (!group_of(k, group, sizeof(group)))
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     group, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(k->prov->libctx, "EC", SOFT_PROPQ);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEY_PARAMETERS, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk ? wrap(k->prov, pk, PARAMS) : NULL;
}

/* The other provider's checks (a peer's point must be on its curve). */
int tr_soft_validate(const struct tr_prov_key *k, int selection, int checktype)
{
	EVP_PKEY_CTX *ctx;
	int ok = 1;

	if (!tr_soft_has(k, selection))
		return 0;
	ctx = EVP_PKEY_CTX_new_from_pkey(k->prov->libctx, k->soft, SOFT_PROPQ);
	if (!ctx)
		return 0;
	if ((selection & PARAMS) && EVP_PKEY_param_check(ctx) != 1)
		ok = 0;
	if ((selection & KEYPAIR) == KEYPAIR) {
		if (EVP_PKEY_pairwise_check(ctx) != 1)
			ok = 0;
	} else if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) &&
		   (checktype == OSSL_KEYMGMT_VALIDATE_QUICK_CHECK ?
			    EVP_PKEY_public_check_quick(ctx) :
			    EVP_PKEY_public_check(ctx)) != 1) {
		ok = 0;
	} else if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) &&
		   EVP_PKEY_private_check(ctx) != 1) {
		ok = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return ok;
}
