/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The credential-activation round trip of enrollment, as JSON
 * (Documentation/enrollment.md), POSTed to /.well-known/est/tpm-credential
 * before /simpleenroll:
 *
 *   request:  { "version": 1, "device": "r1",
 *               "ek_certificate": b64(DER),
 *               "ek_public": b64(TPM2B_PUBLIC), "ak_public": b64(TPM2B_PUBLIC) }
 *   reply:    { "version": 1, "nonce": b64(32 bytes),
 *               "credential": b64(TPM2B_ID_OBJECT),
 *               "secret": b64(TPM2B_ENCRYPTED_SECRET), "expires": unix time }
 *
 * Optional members (issue 20): the request may say where the router is
 * monitored, registered by the NMS once it is enrolled,
 *               "endpoint_address": "192.0.2.7" (else the NMS takes the
 *                  address the enrollment came from), "endpoint_port": 8444,
 *               "request_port": 8445 (where the NMS asks it to attest),
 *               "route_addresses": ["10.1.0.2", ...] (its gateway addresses,
 *                  at most TR_ROUTE_ADDRS_MAX)
 * TPM structures are marshalled; each base64 value must hold exactly one.
 * Decoders are pure and bounded (TR_WIRE_MAX bytes, nesting depth 4) and
 * refuse unknown versions, missing, extra or mistyped members.
 */
#ifndef TR_ENROLL_WIRE_H
#define TR_ENROLL_WIRE_H

#include "base/host_name.h"
#include "tpm/ek.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#define TR_WIRE_MAX 16384

/*
 * A 403 that no retry can change carries this header: the device name
 * is another TPM's, or this TPM is enrolled under another name. The
 * router stops and says so rather than retrying (enrollment.md).
 */
#define TR_EST_REFUSAL_HEADER "Trustroute-Refusal"
#define TR_EST_REFUSAL_NAME_CONFLICT "name-conflict"

#define TR_ROUTE_ADDRS_MAX 16
#define TR_ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

struct tr_credential_request {
	char device[TR_DEVICE_NAME_MAX + 1];
	uint8_t ek_cert[TR_EK_CERT_MAX];
	size_t ek_cert_len;
	TPM2B_PUBLIC ek_pub;
	TPM2B_PUBLIC ak_pub;
	/* optional: "" and 0 when not said */
	char endpoint_address[TR_ADDR_TEXT_MAX];
	unsigned endpoint_port, request_port;
	char route_addrs[TR_ROUTE_ADDRS_MAX][TR_ADDR_TEXT_MAX];
	size_t n_route_addrs;
};

struct tr_credential_reply {
	uint8_t nonce[32];
	TPM2B_ID_OBJECT credential;
	TPM2B_ENCRYPTED_SECRET secret;
	int64_t expires;
};

/* New NUL-terminated JSON strings (free()), or NULL. */
char *tr_credential_request_json(const struct tr_credential_request *r);
char *tr_credential_reply_json(const struct tr_credential_reply *r);

int tr_credential_request_parse(const char *json, size_t len,
				struct tr_credential_request *r, char *err,
				size_t errlen);
int tr_credential_reply_parse(const char *json, size_t len,
			      struct tr_credential_reply *r, char *err,
			      size_t errlen);

#endif
