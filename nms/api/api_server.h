/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator's API and dashboard over HTTPS (libmicrohttpd): the
 * transport for api.h. It authenticates each request (a bearer token, or
 * a client certificate from the operator CA: api_auth.h), bounds bodies
 * at API_BODY_MAX, hands the request to api_handle() and sends what it
 * answers with headers that keep a browser from sniffing, framing or
 * caching it. Four threads serve; the store is used by one at a time
 * (a lock api_handle holds), except while an action probes a router.
 * Refusals are logged once with the peer, rate-limited; admin actions are
 * logged too (and audited in the store by the API).
 */
#ifndef TR_NMS_API_SERVER_H
#define TR_NMS_API_SERVER_H

#include "base/ratelimit.h"
#include "nms/api/api.h"

struct nms_api_config {
	const char *db;
	const char *ca_dir; /* server.key, server.pem (the HTTPS identity) */
	const char *address; /* IPv4 or IPv6 literal */
	unsigned short port; /* 0: any free one */
	const char *operator_ca; /* PEM; NULL: bearer tokens only */
	const struct nms_ca *ca; /* signs the CRL */
	const struct trust_metrics *metrics;
	/* how to probe a router now (its certificate from ca.pem) */
	const uint8_t *policy;
	unsigned probe_timeout_ms;
	const char *lists_json; /* the reference lists in force */
	unsigned connection_limit, max_per_source, timeout_seconds;
	struct tr_ratelimit *log_limit; /* NULL: our own */
};

struct nms_api_server;

struct nms_api_server *nms_api_start(const struct nms_api_config *c, char *err,
				     size_t errlen);
unsigned short nms_api_port(const struct nms_api_server *s);
void nms_api_stop(struct nms_api_server *s);

#endif
