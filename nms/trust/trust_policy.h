/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust policy: each router has a trust state, good, unknown, bad or
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
#ifndef TR_NMS_TRUST_POLICY_H
#define TR_NMS_TRUST_POLICY_H

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

/*
 * What each state means for routing, per actuator: the kernel route
 * metric the netlink actuator gives the routes through a router, and the
 * OSPF cost the FRR actuator gives the interfaces toward it.
 */
struct trust_metrics {
	uint32_t metric[TRUST_NSTATES];
	uint32_t ospf_cost[TRUST_NSTATES];
	/*
	 * The routing policy per state: re-cost (false: the routes through
	 * the router stay, at the state's metric) or withdraw (true: they
	 * are deleted; where another path exists traffic takes it, make-
	 * before-break; where none does, the destination has no route). The
	 * trade-off is availability against exposure: a re-costed bad router
	 * still carries what has no other way; a withdrawn one carries
	 * nothing, and what only it reached is cut off.
	 */
	bool withdraw[TRUST_NSTATES];
};

/*
 * Metrics 10/20/30/40; OSPF costs good=10, unknown=100, offline=1000,
 * bad=10000. An interface cost of 10 is a common link cost, which leaves
 * room below it; a path into an unknown router loses against a detour of
 * up to nine good links; a bad one against any path of fewer than 100
 * unknown links, while staying far below the 16-bit maximum, so that a
 * bad router still carries traffic that has no other way (OSPF has no
 * infinite link cost: 65535 is still usable). Offline is below bad here,
 * unlike the metric map: OSPF itself drops a router that is down (dead
 * interval), so the cost only matters for one that forwards but cannot be
 * checked, which is less than known to be compromised. Static routes have
 * no such detection, so there offline is the worst.
 */
extern const struct trust_metrics trust_metrics_default;

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

/*
 * The OSPF costs in the same form ("good=10,unknown=100,offline=1000,
 * bad=10000") over @m->ospf_cost: 1 to 65535 (an interface cost is 16
 * bits), and the four must differ, so that a neighbour's configuration
 * says which state it was given.
 */
int trust_ospf_costs_parse(const char *spec, struct trust_metrics *m, char *err,
			   size_t errlen);
void trust_ospf_costs_format(const struct trust_metrics *m, char *buf,
			     size_t cap);

/*
 * The routing policy, "bad=withdraw,offline=recost,..." over
 * @m->withdraw (states not named keep theirs). Each of unknown, bad and
 * offline is "recost" or "withdraw"; good is always re-costed (its
 * routes are the ones traffic should take). On error @m is unchanged.
 */
int trust_route_policy_parse(const char *spec, struct trust_metrics *m,
			     char *err, size_t errlen);
void trust_route_policy_format(const struct trust_metrics *m, char *buf,
			       size_t cap);

/* Unix time in milliseconds, and in ns (CLOCK_REALTIME). */
int64_t trust_now_ms(void);
int64_t trust_now_ns(void);

#endif
