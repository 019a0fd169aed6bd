// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the TPM key file decoder (DER and PEM) on arbitrary bytes.
 * Whatever decodes must encode, and the encoding must decode to the same
 * struct and encode to the same bytes; abort() otherwise.
 */
#include "fuzz.h"
#include "tpm/keyfile.h"

#include <stdlib.h>
#include <string.h>

static bool bytes_same(const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool policy_same(const struct tr_policy *a, const struct tr_policy *b)
{
	if (a->n != b->n || a->n > TR_KEYFILE_MAX_POLICY)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->stmt[i].cc != b->stmt[i].cc ||
		    !bytes_same(a->stmt[i].body, a->stmt[i].len,
				b->stmt[i].body, b->stmt[i].len))
			return false;
	return true;
}

static bool keyfile_same(const struct tr_keyfile *a, const struct tr_keyfile *b)
{
	if (a->empty_auth != b->empty_auth || a->parent != b->parent ||
	    !bytes_same(a->pub, a->pub_len, b->pub, b->pub_len) ||
	    !bytes_same(a->priv, a->priv_len, b->priv, b->priv_len) ||
	    !policy_same(&a->policy, &b->policy) || a->n_auth != b->n_auth ||
	    a->n_auth > TR_KEYFILE_MAX_AUTHPOLICY ||
	    !str_same(a->description, b->description))
		return false;
	for (size_t i = 0; i < a->n_auth; i++)
		if (!str_same(a->auth[i].name, b->auth[i].name) ||
		    !policy_same(&a->auth[i].policy, &b->auth[i].policy))
			return false;
	return true;
}

/* @k decoded: it must survive encode, decode, encode unchanged. */
static void check_round_trip(const struct tr_keyfile *k)
{
	struct tr_keyfile back;
	uint8_t *der, *der2;
	size_t len, len2;
	char err[256];

	if (tr_keyfile_encode(k, &der, &len, err, sizeof(err)) < 0)
		abort();
	if (tr_keyfile_decode(der, len, &back, err, sizeof(err)) < 0)
		abort();
	if (!keyfile_same(k, &back))
		abort();
	if (tr_keyfile_encode(&back, &der2, &len2, err, sizeof(err)) < 0 ||
	    !bytes_same(der, len, der2, len2))
		abort();
	fuzz_sink += (unsigned)len;
	free(der);
	free(der2);
	tr_keyfile_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_keyfile k;
	char err[256];

	if (tr_keyfile_decode(data, size, &k, err, sizeof(err)) == 0) {
		check_round_trip(&k);
		tr_keyfile_free(&k);
	} else if (!err[0]) {
		abort(); /* every failure says why */
	}
	if (tr_keyfile_decode_pem((const char *)data, size, &k, err,
				  sizeof(err)) == 0) {
		check_round_trip(&k);
		tr_keyfile_free(&k);
	}
	return 0;
}
