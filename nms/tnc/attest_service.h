/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's attestation service: the TNC server (tnc_server.h) with its
 * IMVs' policies loaded (reference and known-bad digest lists, the OS
 * policy), the enrolled AKs and first-seen device ids from the store, and
 * each verdict recorded as a session and applied to the router's trust
 * state (observe.h).
 */
#ifndef TR_NMS_ATTEST_SERVICE_H
#define TR_NMS_ATTEST_SERVICE_H

#include "base/counters.h"
#include "base/ratelimit.h"
#include "nms/enroll/key_policy.h"
#include "nms/tnc/imv_os.h"
#include "nms/tnc/tls_server.h"
#include "nms/trust/trust_policy.h"

#define ATTEST_MAX_BAD_LISTS 16

struct attest_service_config {
	const char *db;
	const char *ca_dir; /* server.pem, server.key; ca.pem for clients */
	const char *address;
	unsigned short port;
	unsigned max_sessions; /* connections in all */
	unsigned max_per_source; /* from one address (IPv6: /64) */
	unsigned handshake_ms, idle_ms, session_ms; /* 0: 5 s, 10 s, 120 s */
	/* the refusals' log limiter, shared with EST; NULL: our own */
	struct tr_ratelimit *log_limit;
	const char *sasl_user, *sasl_password; /* NULL: certificates only */
	bool mutual;
	/* reference lists: the same as the enrollment key policy's */
	const struct nms_key_policy_config *refs;
	const char *bad_lists[ATTEST_MAX_BAD_LISTS];
	size_t n_bad;
	struct imv_os_policy os;
	const struct trust_metrics *metrics;
};

struct attest_service;

struct attest_service *attest_service_new(const struct attest_service_config *c,
					  char *err, size_t errlen);
unsigned short attest_service_port(const struct attest_service *s);
int attest_service_run(struct attest_service *s, volatile sig_atomic_t *stop);
void attest_service_free(struct attest_service *s);

/*
 * PT-TLS refusals by reason since the process started (revoked,
 * tls-handshake, handshake-timeout, not-tls, per-source-limit, full,
 * evicted, idle, session-timeout, sasl, protocol, other), and the reason
 * a refusal's text counts under.
 */
const struct tr_counters *attest_refusals(void);
const char *attest_refusal_kind(const char *why);

#endif
