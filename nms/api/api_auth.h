/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Operators' credentials for the API, checked without sockets (the
 * server hands over the Authorization header and the TLS client's
 * certificate chain).
 *
 * A bearer token is "trt_" and 64 hex digits (256 random bits), shown
 * once when made (nmsctl token add). The store keeps its SHA-256 only; a
 * presented token is hashed and compared with every stored hash in
 * constant time, so neither a copy of the store nor the answer's timing
 * gives one away. Revoked tokens are refused.
 *
 * An operator certificate must chain to the operator CA (its own CA, not
 * the NMS CA: a router's certificate makes nobody an operator), be valid
 * now and for client authentication, and name one role in one OU of its
 * subject: "admin" or "read-only". Its CN names the operator.
 */
#ifndef TR_NMS_API_AUTH_H
#define TR_NMS_API_AUTH_H

#include "nms/api/api.h"

#include <openssl/x509.h>

#define API_TOKEN_PREFIX "trt_"
#define API_TOKEN_LEN (sizeof(API_TOKEN_PREFIX) - 1 + 64)

/* A new random token into @out: 0, or -1 (no randomness). */
int api_token_new(char out[API_TOKEN_LEN + 1]);
void api_token_hash(const char *token, size_t len, uint8_t out[32]);

/*
 * The role the header "Authorization: Bearer TOKEN" (@header) gives:
 * API_ROLE_READ or API_ROLE_ADMIN with "token:NAME" in @who, or
 * API_ROLE_NONE with the reason in @why.
 */
enum api_role api_auth_bearer(struct nms_store *s, const char *header,
			      char *who, size_t wholen, char *why,
			      size_t whylen);

/*
 * The role of the client certificate chain @chain (DER, leaf first, @n
 * of them) checked against the operator CAs @cas: a role with
 * "cert:CN" in @who, or API_ROLE_NONE with @why.
 */
enum api_role api_auth_cert(X509_STORE *cas, const struct nms_blob *chain,
			    size_t n, char *who, size_t wholen, char *why,
			    size_t whylen);

/* The operator CAs of the PEM file @path, or NULL with the reason. */
X509_STORE *api_operator_cas(const char *path, char *err, size_t errlen);

#endif
