// SPDX-License-Identifier: GPL-2.0-only
#include "nms/api/api_auth.h"

#include "base/errmsg.h"
#include "base/hex.h"
#include "nms/store/store_api.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int api_token_new(char out[API_TOKEN_LEN + 1])
{
	uint8_t r[32];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	memcpy(out, API_TOKEN_PREFIX, sizeof(API_TOKEN_PREFIX) - 1);
	tr_hex(out + sizeof(API_TOKEN_PREFIX) - 1, r, sizeof(r));
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

void api_token_hash(const char *token, size_t len, uint8_t out[32])
{
	SHA256((const unsigned char *)token, len, out);
}

struct token_match {
	uint8_t hash[32];
	bool found, revoked;
	enum api_role role;
	char name[64];
};

/* Every stored hash is compared, all the way: no early exit. */
static int token_row(const struct nms_token_view *t, void *arg)
{
	struct token_match *m = arg;
	enum api_role role;

	if (t->hash.n == 32 && !CRYPTO_memcmp(t->hash.p, m->hash, 32) &&
	    api_role_parse(t->role, &role) == 0) {
		m->found = true;
		m->revoked = t->revoked_ms != 0;
		m->role = role;
		snprintf(m->name, sizeof(m->name), "%s", t->name);
	}
	return 0;
}

enum api_role api_auth_bearer(struct nms_store *s, const char *header,
			      char *who, size_t wholen, char *why,
			      size_t whylen)
{
	static const char scheme[] = "Bearer ";
	struct token_match m = { .role = API_ROLE_NONE };
	const char *t;
	size_t n;
	char err[256];

	who[0] = 0;
	/* The scheme's name is case-insensitive (RFC 7235). */
	if (!header || strncasecmp(header, scheme, sizeof(scheme) - 1))
		return tr_fail(why, whylen, "not a bearer token"),
		       API_ROLE_NONE;
	t = header + sizeof(scheme) - 1;
	n = strlen(t);
	/* Only what we make: the rest is refused before any lookup. */
	if (n != API_TOKEN_LEN ||
	    strncmp(t, API_TOKEN_PREFIX, sizeof(API_TOKEN_PREFIX) - 1) ||
	    strspn(t + sizeof(API_TOKEN_PREFIX) - 1, "0123456789abcdef") != 64)
		return tr_fail(why, whylen, "malformed token"), API_ROLE_NONE;
	api_token_hash(t, n, m.hash);
	if (nms_store_tokens(s, token_row, &m, err, sizeof(err)) < 0)
		return tr_fail(why, whylen, "store: %s", err), API_ROLE_NONE;
	if (!m.found)
		return tr_fail(why, whylen, "unknown token"), API_ROLE_NONE;
	if (m.revoked)
		return tr_fail(why, whylen, "token \"%s\" was revoked", m.name),
		       API_ROLE_NONE;
	snprintf(who, wholen, "token:%s", m.name);
	return m.role;
}

/* The one OU of @x that names a role; API_ROLE_NONE if not exactly one. */
static enum api_role cert_role(X509 *x, char *why, size_t whylen)
{
	X509_NAME *name = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName,
					   -1);
	enum api_role role;
	const char *ou;

	if (i < 0 || X509_NAME_get_index_by_NID(
			     name, NID_organizationalUnitName, i) >= 0)
		return tr_fail(why, whylen,
			       "an operator certificate names one role, in one OU"),
		       API_ROLE_NONE;
	ou = (const char *)ASN1_STRING_get0_data(
		X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (api_role_parse(ou, &role) < 0)
		return tr_fail(why, whylen,
			       "OU \"%.32s\" is not a role (admin, read-only)",
			       ou),
		       API_ROLE_NONE;
	return role;
}

enum api_role api_auth_cert(X509_STORE *cas, const struct nms_blob *chain,
			    size_t n, char *who, size_t wholen, char *why,
			    size_t whylen)
{
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *leaf = NULL;
	enum api_role role = API_ROLE_NONE;
	char cn[64] = "";

	who[0] = 0;
	if (!rest || !ctx || !cas || !n) {
		tr_fail(why, whylen, "no operator certificate");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = chain[i].p;
		X509 *x = d2i_X509(NULL, &p, (long)chain[i].n);

		if (!x || p != chain[i].p + chain[i].n) {
			X509_free(x);
			tr_fail(why, whylen, "certificate %zu: not DER", i);
			goto out;
		}
		if (!i)
			leaf = x;
		else if (!sk_X509_push(rest, x))
			X509_free(x);
	}
	/* Chains to the operator CA, valid now, for TLS clients. */
	if (!X509_STORE_CTX_init(ctx, cas, leaf, rest) ||
	    !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) ||
	    X509_verify_cert(ctx) != 1) {
		tr_fail(why, whylen, "operator certificate: %s",
			X509_verify_cert_error_string(
				X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	role = cert_role(leaf, why, whylen);
	if (role == API_ROLE_NONE)
		goto out;
	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName,
				  cn, sizeof(cn));
	snprintf(who, wholen, "cert:%s", cn[0] ? cn : "?");
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(rest, X509_free);
	X509_free(leaf);
	return role;
}

X509_STORE *api_operator_cas(const char *path, char *err, size_t errlen)
{
	X509_STORE *s = X509_STORE_new();

	if (!s || X509_STORE_load_file(s, path) != 1) {
		X509_STORE_free(s);
		tr_fail(err, errlen, "%s: cannot load the operator CA", path);
		return NULL;
	}
	return s;
}
