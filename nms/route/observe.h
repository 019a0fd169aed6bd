/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the NMS saw about a router, applied: the trust engine decides the
 * state (nms/trust/trust_policy.h) and, when it changed, the managed hosts' routes through
 * the router get the new state's metric. Each step is logged.
 */
#ifndef TR_NMS_OBSERVE_H
#define TR_NMS_OBSERVE_H

#include "nms/route/converge.h"
#include "nms/store/store.h"
#include "nms/trust/trust_policy.h"

#include <stdbool.h>
#include <stdint.h>

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

/*
 * The same for an observation made at @seen_ms, before it is applied (a
 * probe's outcome, applied at the end of its round): when the state
 * changed after @seen_ms (by an attestation, another host), the
 * observation is older than the state and changes nothing; the next
 * probe sees the router again. @seen_ms 0: no such check.
 */
int nms_trust_observe_seen(struct nms_store *s, int64_t device_id,
			   enum trust_event ev, const char *reason,
			   int64_t seen_ms, int64_t now_ms,
			   struct trust_change *c, char *err, size_t errlen);

/*
 * Observe @ev about @device with @reason. 0 with the change in *@c (may be
 * NULL), or -1 with the reason (unknown device, store, netlink).
 */
int nms_observe(struct nms_store *s, const struct trust_metrics *m,
		const char *device, enum trust_event ev, const char *reason,
		struct trust_change *c, char *err, size_t errlen);

/*
 * After a change @c of router @id (@device) committed, by nms_observe or
 * by a caller that observed many in one transaction: log it and converge
 * its routes (when this process may: nms/route/route_lease.h).
 */
int nms_observe_changed(struct nms_store *s, const struct trust_metrics *m,
			int64_t id, const char *device,
			const struct trust_change *c, const char *reason,
			char *err, size_t errlen);

/* One observation of many (nms_observe_many). */
struct nms_observation {
	int64_t id; /* the device */
	const char *device;
	enum trust_event ev;
	const char *reason;
	int64_t seen_ms; /* when it was made (0: now): nms_trust_observe_seen */
	struct trust_change c; /* what it did */
};

/*
 * Apply @n observations made at @now_ms (a probe round's): the states
 * are read once, an observation that changes nothing by them writes
 * nothing, the others are applied NMS_OBSERVE_BATCH per transaction
 * (each read again and compared-and-set inside it: one commit for many,
 * not waiting for the disk), one by one if a batch fails; then each
 * change is logged and its routes converged (nms_observe_changed), and
 * one nms_store_sync makes it all durable (why that order is safe: at
 * nms_observe in observe.c). A state that changed between the read and
 * now is seen by the next round, and one that changed after an
 * observation was made is not overwritten by it
 * (nms_trust_observe_seen). 0, or -1 when some failed (each said on
 * stderr).
 */
#define NMS_OBSERVE_BATCH 256
int nms_observe_many(struct nms_store *s, const struct trust_metrics *m,
		     struct nms_observation *o, size_t n, int64_t now_ms);

/*
 * Converge every managed host for every router to its state now, reading
 * the kernel's routes: what a (re)started NMS does first, since they may
 * have changed while it was down. 0, or -1 with the reason.
 */
int nms_observe_sync(struct nms_store *s, const struct trust_metrics *m,
		     char *err, size_t errlen);

/*
 * Converge the pairs of managed host and router not yet converged to the
 * router's state: what the route owner of several NMS hosts runs every
 * poll, for the changes the others committed. 0, or -1 with the reason.
 */
int nms_observe_pending(struct nms_store *s, const struct trust_metrics *m,
			char *err, size_t errlen);

#endif
