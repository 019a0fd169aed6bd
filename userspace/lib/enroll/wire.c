// SPDX-License-Identifier: GPL-2.0-only
#include "enroll/wire.h"

#include "base/base64.h"
#include "base/errmsg.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#define WIRE_VERSION 1

/* Marshal @obj with @fn and add it as base64 member @key. */
#define ADD_TPM(o, key, fn, obj)                                         \
	({                                                               \
		uint8_t buf_[sizeof(*(obj)) + 8];                        \
		size_t n_ = 0;                                           \
		fn((obj), buf_, sizeof(buf_), &n_) ==                    \
			TSS2_RC_SUCCESS &&add_b64((o), (key), buf_, n_); \
	})

static bool add_b64(json_object *o, const char *key, const uint8_t *b, size_t n)
{
	char *s = tr_base64_encode(b, n);
	bool ok = s &&
		  !json_object_object_add(o, key, json_object_new_string(s));

	free(s);
	return ok;
}

static char *finish(json_object *o, bool ok)
{
	char *s = ok ? strdup(json_object_to_json_string_ext(
			       o, JSON_C_TO_STRING_PLAIN)) :
		       NULL;

	json_object_put(o);
	return s;
}

char *tr_credential_request_json(const struct tr_credential_request *r)
{
	json_object *o = json_object_new_object();
	bool ok = o;

	ok = ok &&
	     !json_object_object_add(o, "version",
				     json_object_new_int(WIRE_VERSION)) &&
	     !json_object_object_add(o, "device",
				     json_object_new_string(r->device)) &&
	     add_b64(o, "ek_certificate", r->ek_cert, r->ek_cert_len) &&
	     ADD_TPM(o, "ek_public", Tss2_MU_TPM2B_PUBLIC_Marshal,
		     &r->ek_pub) &&
	     ADD_TPM(o, "ak_public", Tss2_MU_TPM2B_PUBLIC_Marshal, &r->ak_pub);
	if (ok && r->endpoint_address[0])
		ok = !json_object_object_add(
			o, "endpoint_address",
			json_object_new_string(r->endpoint_address));
	if (ok && r->endpoint_port)
		ok = !json_object_object_add(
			o, "endpoint_port",
			json_object_new_int((int)r->endpoint_port));
	if (ok && r->request_port)
		ok = !json_object_object_add(
			o, "request_port",
			json_object_new_int((int)r->request_port));
	if (ok && r->n_route_addrs) {
		json_object *a = json_object_new_array();

		ok = a && !json_object_object_add(o, "route_addresses", a);
		for (size_t i = 0; ok && i < r->n_route_addrs; i++)
			ok = !json_object_array_add(
				a, json_object_new_string(r->route_addrs[i]));
	}
	return finish(o, ok);
}

char *tr_credential_reply_json(const struct tr_credential_reply *r)
{
	json_object *o = json_object_new_object();
	bool ok = o;

	ok = ok &&
	     !json_object_object_add(o, "version",
				     json_object_new_int(WIRE_VERSION)) &&
	     add_b64(o, "nonce", r->nonce, sizeof(r->nonce)) &&
	     ADD_TPM(o, "credential", Tss2_MU_TPM2B_ID_OBJECT_Marshal,
		     &r->credential) &&
	     ADD_TPM(o, "secret", Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal,
		     &r->secret) &&
	     !json_object_object_add(o, "expires",
				     json_object_new_int64(r->expires));
	return finish(o, ok);
}

/*
 * Parse @json as one object with exactly the members in @keys (NULL
 * terminated), any of @optional (may be NULL) and "version" 1. Returns the object, or NULL.
 */
static json_object *parse_object(const char *json, size_t len,
				 const char *const *keys,
				 const char *const *optional, char *err,
				 size_t errlen)
{
	json_tokener *tok;
	json_object *o, *v;
	size_t want = 1;

	if (len > TR_WIRE_MAX) {
		tr_fail(err, errlen, "JSON: %zu bytes, more than %d", len,
			TR_WIRE_MAX);
		return NULL;
	}
	tok = json_tokener_new_ex(4);
	if (!tok) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, json, (int)len);
	/* The whole input is one object: nothing after it, not truncated. */
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		tr_fail(err, errlen, "JSON: %s",
			o ? "not one object" :
			e == json_tokener_continue ?
			    "truncated" :
			    json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != WIRE_VERSION) {
		tr_fail(err, errlen, "JSON: \"version\" must be %d",
			WIRE_VERSION);
		goto bad;
	}
	for (const char *const *k = keys; *k; k++, want++)
		if (!json_object_object_get_ex(o, *k, NULL)) {
			tr_fail(err, errlen, "JSON: \"%s\" missing", *k);
			goto bad;
		}
	for (const char *const *k = optional; k && *k; k++)
		want += json_object_object_get_ex(o, *k, NULL);
	/* Members we do not know could be meant to change the meaning: an
	 * older NMS must not ignore them. */
	if ((size_t)json_object_object_length(o) != want) {
		tr_fail(err, errlen, "JSON: unknown members");
		goto bad;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}

static int get_b64(json_object *o, const char *key, uint8_t *out, size_t cap,
		   size_t *n, char *err, size_t errlen)
{
	json_object *v;
	char why[128];

	json_object_object_get_ex(o, key, &v);
	if (!json_object_is_type(v, json_type_string))
		return tr_fail(err, errlen, "JSON: \"%s\" is not a string",
			       key);
	if (tr_base64_decode(json_object_get_string(v),
			     (size_t)json_object_get_string_len(v), out, cap, n,
			     why, sizeof(why)) < 0)
		return tr_fail(err, errlen, "\"%s\": %s", key, why);
	return 0;
}

/*
 * Base64 member @key holding exactly one marshalled TPM structure, in
 * the form the encoder writes: unmarshalled, it must marshal back to the
 * same bytes. Otherwise the parser would accept what the encoder refuses
 * or writes differently, and a value could mean one thing here and
 * another to the next reader (the NMS hashes what it stores).
 */
#define GET_TPM(o, key, unmarshal, marshal, obj, err, errlen)                  \
	({                                                                     \
		uint8_t buf_[sizeof(*(obj)) + 8], back_[sizeof(*(obj)) + 8];   \
		size_t n_ = 0, off_ = 0, m_ = 0;                               \
		int rc_ = get_b64((o), (key), buf_, sizeof(buf_), &n_, (err),  \
				  (errlen));                                   \
		if (!rc_ && (unmarshal(buf_, n_, &off_, (obj)) || off_ != n_)) \
			rc_ = tr_fail((err), (errlen),                         \
				      "\"%s\": not one TPM structure", (key)); \
		if (!rc_ && (marshal((obj), back_, sizeof(back_), &m_) ||      \
			     m_ != n_ || memcmp(back_, buf_, n_)))             \
			rc_ = tr_fail((err), (errlen),                         \
				      "\"%s\": not in its canonical form",     \
				      (key));                                  \
		rc_;                                                           \
	})

/*
 * A TPM2B_PUBLIC: never empty. Tss2_MU takes a size of 0 (no area at
 * all) but cannot marshal it back; and an object without a public area
 * has no name, so nothing could be bound to it.
 */
static int get_public(json_object *o, const char *key, TPM2B_PUBLIC *pub,
		      char *err, size_t errlen)
{
	if (GET_TPM(o, key, Tss2_MU_TPM2B_PUBLIC_Unmarshal,
		    Tss2_MU_TPM2B_PUBLIC_Marshal, pub, err, errlen)) {
		if (!pub->size && strstr(err, "canonical"))
			tr_fail(err, errlen, "\"%s\": empty TPM2B_PUBLIC", key);
		return -1;
	}
	return 0;
}

/* An IPv4 or IPv6 literal, into @out (TR_ADDR_TEXT_MAX). */
static int get_addr(json_object *v, const char *key, char *out, char *err,
		    size_t errlen)
{
	uint8_t bin[16];
	const char *s = json_object_get_string(v);

	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= TR_ADDR_TEXT_MAX ||
	    strlen(s) != (size_t)json_object_get_string_len(v) ||
	    (inet_pton(AF_INET, s, bin) != 1 &&
	     inet_pton(AF_INET6, s, bin) != 1))
		return tr_fail(err, errlen,
			       "JSON: \"%s\": not an IPv4 or IPv6 address",
			       key);
	strcpy(out, s);
	return 0;
}

static int get_port(json_object *v, const char *key, unsigned *out, char *err,
		    size_t errlen)
{
	int64_t p = json_object_get_int64(v);

	if (!json_object_is_type(v, json_type_int) || p < 1 || p > 65535)
		return tr_fail(err, errlen, "JSON: \"%s\": a port, 1 to 65535",
			       key);
	*out = (unsigned)p;
	return 0;
}

int tr_credential_request_parse(const char *json, size_t len,
				struct tr_credential_request *r, char *err,
				size_t errlen)
{
	static const char *const keys[] = { "device", "ek_certificate",
					    "ek_public", "ak_public", NULL };
	static const char *const optional[] = { "endpoint_address",
						"endpoint_port", "request_port",
						"route_addresses", NULL };
	json_object *o = parse_object(json, len, keys, optional, err, errlen),
		    *v;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!o)
		return -1;
	json_object_object_get_ex(o, "device", &v);
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > TR_DEVICE_NAME_MAX ||
	    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v)) {
		tr_fail(err, errlen,
			"JSON: \"device\": a name of at most %d bytes",
			TR_DEVICE_NAME_MAX);
		goto out;
	}
	strcpy(r->device, json_object_get_string(v));
	if (get_b64(o, "ek_certificate", r->ek_cert, sizeof(r->ek_cert),
		    &r->ek_cert_len, err, errlen) ||
	    get_public(o, "ek_public", &r->ek_pub, err, errlen) ||
	    get_public(o, "ak_public", &r->ak_pub, err, errlen))
		goto out;
	if (json_object_object_get_ex(o, "endpoint_address", &v) &&
	    get_addr(v, "endpoint_address", r->endpoint_address, err, errlen) <
		    0)
		goto out;
	if (json_object_object_get_ex(o, "endpoint_port", &v) &&
	    get_port(v, "endpoint_port", &r->endpoint_port, err, errlen) < 0)
		goto out;
	if (json_object_object_get_ex(o, "request_port", &v) &&
	    get_port(v, "request_port", &r->request_port, err, errlen) < 0)
		goto out;
	if (json_object_object_get_ex(o, "route_addresses", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) > TR_ROUTE_ADDRS_MAX) {
			tr_fail(err, errlen,
				"JSON: \"route_addresses\": an array of at most %d addresses",
				TR_ROUTE_ADDRS_MAX);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (get_addr(json_object_array_get_idx(v, i),
				     "route_addresses", r->route_addrs[i], err,
				     errlen) < 0)
				goto out;
		r->n_route_addrs = n;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int tr_credential_reply_parse(const char *json, size_t len,
			      struct tr_credential_reply *r, char *err,
			      size_t errlen)
{
	static const char *const keys[] = { "nonce", "credential", "secret",
					    "expires", NULL };
	json_object *o = parse_object(json, len, keys, NULL, err, errlen), *v;
	size_t n;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!o)
		return -1;
	if (get_b64(o, "nonce", r->nonce, sizeof(r->nonce), &n, err, errlen))
		goto out;
	if (n != sizeof(r->nonce)) {
		tr_fail(err, errlen, "\"nonce\": %zu bytes, not %zu", n,
			sizeof(r->nonce));
		goto out;
	}
	if (GET_TPM(o, "credential", Tss2_MU_TPM2B_ID_OBJECT_Unmarshal,
		    Tss2_MU_TPM2B_ID_OBJECT_Marshal, &r->credential, err,
		    errlen) ||
	    GET_TPM(o, "secret", Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal,
		    Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal, &r->secret, err,
		    errlen))
		goto out;
	json_object_object_get_ex(o, "expires", &v);
	if (!json_object_is_type(v, json_type_int)) {
		tr_fail(err, errlen, "JSON: \"expires\" is not an integer");
		goto out;
	}
	r->expires = json_object_get_int64(v);
	rc = 0;
out:
	json_object_put(o);
	return rc;
}
