/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust engine: each router has a trust state, good, unknown, bad or
 * offline, with the reason and time of its last change and a history of
 * changes. What the NMS observes (an attestation's verdict, a TLS
 * handshake with the router's TPM-bound key, silence) moves the state by
 * a fixed policy, trust_next(). Each state maps to a route metric
 * (default 10, 20, 30, 40) that the route actuator gives the routes
 * through the router.
 *
 * The policy:
 * - a passed explicit attestation (fresh quote, appraised IMA log) makes
 *   a router good, from any state;
 * - a failed explicit attestation, or a failed implicit one (the TLS
 *   handshake failed in the router's proof of its key: the TPM refused
 *   the sealed key because the PCRs changed), makes it bad at once;
 * - a successful handshake makes it good, unless it is bad: bad is
 *   sticky, and only a passed explicit attestation (or an operator's
 *   reset, which makes it unknown) ends it. A compromised router may
 *   still hold a usable key for what its key policy does not cover, so a
 *   handshake alone does not clear it;
 * - no answer makes it offline, unless it is bad: a compromised router
 *   that goes silent stays bad, so silence never launders a verdict;
 * - an explicit attestation that found nothing bad but files in no
 *   reference list makes it unknown, unless it is bad (bad stays).
 * An observation that leaves the state as it is writes nothing.
 */
#ifndef TR_NMS_TRUST_H
#define TR_NMS_TRUST_H

#include "nms/route/route_actuator.h"
#include "nms/store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trust_state {
	TRUST_GOOD,
	TRUST_UNKNOWN,
	TRUST_BAD,
	TRUST_OFFLINE,
	TRUST_NSTATES
};

/* What the NMS observed about a router. */
enum trust_event {
	TRUST_EV_ATTEST_OK, /* explicit attestation passed */
	TRUST_EV_ATTEST_FAIL, /* explicit attestation failed */
	TRUST_EV_HANDSHAKE_OK, /* TLS handshake with its TPM key succeeded */
	TRUST_EV_HANDSHAKE_FAIL, /* the router could not prove its key */
	TRUST_EV_NO_ANSWER, /* no answer (timeout, refused connection) */
	TRUST_EV_RESET, /* an operator forgets the verdict */
	TRUST_EV_ATTEST_UNKNOWN, /* explicit attestation: unknown files */
	TRUST_NEVENTS
};

/* "good", "unknown", "bad", "offline" (the names in the store). */
const char *trust_state_name(enum trust_state st);
int trust_state_parse(const char *name, enum trust_state *st);
/* "attest-ok", "attest-fail", "handshake-ok", "handshake-fail",
 * "no-answer", "reset". */
const char *trust_event_name(enum trust_event ev);
int trust_event_parse(const char *name, enum trust_event *ev);

/* The state after @ev in state @cur (the policy above). */
enum trust_state trust_next(enum trust_state cur, enum trust_event ev);

/* The route metric of each state. */
struct trust_metrics {
	uint32_t metric[TRUST_NSTATES];
};

extern const struct trust_metrics trust_metrics_default; /* 10/20/30/40 */

/*
 * Parse "good=10,unknown=20,bad=30,offline=40" over @m (states not named
 * keep their value). Metrics are 1 to 2^31-1 and the four must differ:
 * two states with one metric could not be told apart in the kernel's
 * routes. On error @m is unchanged and @err names the bad item.
 */
int trust_metrics_parse(const char *spec, struct trust_metrics *m, char *err,
			size_t errlen);
/* The same form, into @buf. */
void trust_metrics_format(const struct trust_metrics *m, char *buf, size_t cap);

/* What an observation did. */
struct trust_change {
	enum trust_state from, to;
	bool changed;
	int64_t time_ms; /* of the change (Unix time, ms) */
};

/*
 * Apply @ev about device @device_id, observed at @now_ms, with @reason
 * (NULL: the event's name): read its state, decide, and when the state
 * changes write the new state, its reason and time, a history row and an
 * event, all in one transaction (or in the caller's).
 */
int nms_trust_observe(struct nms_store *s, int64_t device_id,
		      enum trust_event ev, const char *reason, int64_t now_ms,
		      struct trust_change *c, char *err, size_t errlen);

/* What converging one managed host for one router did. */
struct nms_converged {
	int64_t host_id, device_id;
	const char *host, *netns, *device;
	enum trust_state state;
	uint32_t metric;
	struct ra_stats st;
	int rc; /* 0, or -1 with @err */
	const char *err;
	int64_t t_done_ns; /* CLOCK_REALTIME when its routes were in place */
};

/*
 * Converge the managed hosts' routes through router @device_id (0: every
 * router with addresses) to the metrics of the routers' states in @m,
 * with the route actuator; then record, in one transaction, what each
 * host now has (route_applied, and a "route" event each). With @all
 * false, a host already converged to the metric (by the store's record)
 * is left alone; with it true every host is read and converged, which is
 * what a restarted NMS does, as the kernel may have changed meanwhile.
 * @fn (may be NULL) hears about each pair as it is done. Returns 0 when
 * every pair converged, -1 otherwise (@err says the first failure).
 */
typedef void nms_converged_fn(const struct nms_converged *r, void *arg);
int nms_trust_converge(struct nms_store *s, const struct trust_metrics *m,
		       int64_t device_id, bool all, nms_converged_fn *fn,
		       void *arg, char *err, size_t errlen);

/* Unix time in milliseconds, and in ns (CLOCK_REALTIME). */
int64_t trust_now_ms(void);
int64_t trust_now_ns(void);

#endif
