/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's monitor: a thread that probes each router's endpoint (implicit
 * attestation, prober.h) every interval, up to 16 at once so that silent
 * routers do not delay the others, and feeds the outcomes to the trust
 * engine: a completed handshake (handshake-ok), a failed one
 * (handshake-fail: bad at once), or none (no-answer: offline).
 *
 * It also asks routers for an explicit attestation (requester.h), at
 * their request port (nms_store_request_ports): with @request_on_bad, a
 * router a probe just made bad, so that its session says what ran; and
 * every @request_interval_ms each router that has one. Each request is
 * an "attest-requested" event with what the router answered.
 */
#ifndef TR_NMS_MONITOR_H
#define TR_NMS_MONITOR_H

#include "nms/trust/trust_policy.h"

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nms_monitor_config {
	const char *db;
	const char *ca_file; /* the NMS CA: routers' certificates */
	const uint8_t *policy; /* their keys' expected authPolicy, or NULL */
	unsigned interval_ms, timeout_ms;
	const struct trust_metrics *metrics;
	/* Of several NMS hosts: this one's member id, and how fresh a
	 * heartbeat must be (ms) for a member to count; NULL: probe all. */
	const char *member_id;
	unsigned live_ms;
	SSL_CTX *request_ctx; /* the NMS's identity; NULL: no requests */
	bool request_on_bad;
	unsigned request_interval_ms; /* 0: none on a schedule */
};

struct nms_monitor;

struct nms_monitor *nms_monitor_start(const struct nms_monitor_config *c,
				      char *err, size_t errlen);
void nms_monitor_stop(struct nms_monitor *m);

#endif
