/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's EST service (RFC 7030) over HTTPS, libmicrohttpd:
 *   GET  /.well-known/est/cacerts         the CA that issues router certs
 *   POST /.well-known/est/tpm-credential  credential challenge (JSON)
 *   POST /.well-known/est/simpleenroll    CSR with evidence -> certificate
 *   GET  /.well-known/est/crl             the CA's CRL (ours; nms_crl_from_store)
 * Answers: 200; 400 malformed; 403 refused, with the reason as text; 404;
 * 405; 413 too large; 503 with Retry-After when the NMS failed (worth a
 * retry). One polling thread serves every connection, so enrollment
 * decisions never run concurrently on the store. Every refusal is logged
 * once with the peer's address and the reason, rate-limited.
 */
#ifndef TR_NMS_EST_SERVER_H
#define TR_NMS_EST_SERVER_H

#include "base/counters.h"
#include "base/ratelimit.h"
#include "nms/enroll/enroll.h"

struct nms_est_config {
	const char *ca_dir; /* server.key, server.pem, ca.pem */
	const char *address; /* IPv4 or IPv6 literal to bind */
	unsigned short port; /* 0: any free port */
	/*
	 * Connections in all, and from one address (an IPv6 /64). When full,
	 * a newcomer evicts the oldest connection that has not sent a
	 * request yet (still in its TLS handshake, or stalled), from the
	 * address that holds the most; one address cannot fill the table.
	 */
	unsigned connection_limit;
	unsigned max_per_source; /* 0: connection_limit */
	/* from the accept to the first request (TLS handshake included) */
	unsigned handshake_seconds;
	unsigned timeout_seconds; /* idle connections are closed */
	/* the refusals' log limiter (shared with PT-TLS); NULL: our own */
	struct tr_ratelimit *log_limit;
};

struct nms_est_server;

struct nms_est_server *nms_est_start(struct nms_enroll *e,
				     const struct nms_est_config *c, char *err,
				     size_t errlen);
unsigned short nms_est_port(const struct nms_est_server *s);
void nms_est_stop(struct nms_est_server *s);

/*
 * EST refusals by reason since the process started: of connections
 * (per-source-limit, full, evicted, handshake-timeout,
 * closed-before-request) and of requests by status (bad-request,
 * forbidden, not-found, method, too-large, media-type, unavailable).
 */
const struct tr_counters *nms_est_refusals(void);

#endif
