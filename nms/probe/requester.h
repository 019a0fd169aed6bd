/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS asks a router to attest (issue 20, item 3): a TLS connection to
 * the agent's request port (userspace/agent/attest_request.h),
 * authenticated by the NMS's own certificate (ca-dir's server.pem and
 * server.key, which the agent checks against the NMS CA it enrolled with
 * and the NMS's name), one line "attest REASON", one line back ("ok", or
 * "busy" when a session is running or one ran a moment ago). The router
 * then opens its PT-TLS session to the NMS as it always does, so the
 * verdict arrives, and is recorded, the usual way.
 *
 * Why a request and not PT-TLS opened by the NMS (RFC 6876 allows it):
 * the router keeps talking only to the NMS it enrolled with, over the
 * session code it already has (no PT-TLS/PB-TNC parser listening on the
 * router, no second way into the TNC state machines); the request works
 * when the sealed key refuses (a bad router, the case that matters: it
 * cannot do TLS with that key, so the request channel uses a software
 * key the NMS does not trust for anything); and the request proves
 * nothing by itself, so the NMS need not trust the router's TLS
 * identity here: it waits for the quote.
 */
#ifndef TR_NMS_REQUESTER_H
#define TR_NMS_REQUESTER_H

#include <openssl/ssl.h>
#include <stddef.h>

/* A client context with the NMS's identity from @ca_dir; NULL, reason. */
SSL_CTX *attest_request_ctx(const char *ca_dir, char *err, size_t errlen);

/*
 * Ask @device at @address @port within @timeout_ms, saying @reason
 * (printable, cut to 120 bytes). 0 when it said ok, 1 busy, -1 failed;
 * @answer gets what it said or why it failed.
 */
int attest_request(SSL_CTX *ctx, const char *address, unsigned port,
		   const char *reason, unsigned timeout_ms, char *answer,
		   size_t len);

#endif
