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

#include <stdbool.h>
#include <stddef.h>

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

/* One request, as the HTTP server has it once its body is in. */
struct nms_est_request {
	const char *method, *url;
	const char *content_type; /* NULL: none */
	const char *body; /* NUL-terminated; NULL: none was sent */
	size_t len;
	bool too_large; /* the body was over the limit, not kept */
	/* The client's address (simpleenroll: the router's endpoint if
	 * it names none); NULL: not known. */
	const char *peer;
};

/* What to send back. */
struct nms_est_answer {
	unsigned status; /* HTTP */
	const char *type; /* Content-Type */
	char *body; /* malloc'ed, @len bytes: free() it */
	size_t len;
	/* For the log line: the EST operation asked for (what follows
	 * /.well-known/est/ in the URL), or "(not EST)". */
	const char *op;
	char why[160]; /* for the log */
	/* The Trustroute-Refusal header (TR_EST_REFUSAL_*), or NULL. */
	const char *refusal;
};

/*
 * The EST service without HTTP: routing, methods, media types and
 * bodies to an answer, with enroll.c's decisions; @cacerts is the
 * /cacerts answer. 0, or -1 when out of memory (free a->body anyway).
 */
int nms_est_answer(struct nms_enroll *e, const char *cacerts,
		   size_t cacerts_len, const struct nms_est_request *q,
		   struct nms_est_answer *a);

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
