/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Several NMS hosts on one database (schema 9): members and leases.
 *
 * A member is one NMS process, known by an id unique to it (host, pid,
 * start time); it is live while its heartbeat is fresh. A lease names
 * one holder until it expires; the holder renews it. Each new holder
 * gets the next epoch, so a holder that was paused past its lease and
 * wakes up finds, in the same transaction as its writes, that it lost
 * (fencing). Times are the database's clock (now_ms()), so the hosts'
 * clocks need not agree.
 */
#ifndef TR_NMS_STORE_CLUSTER_H
#define TR_NMS_STORE_CLUSTER_H

#include "nms/store/store.h"

/* The route actuator's lease: one NMS host changes routes. */
#define NMS_LEASE_ROUTE "route"

/* Member @id on @host is alive now; members silent for @forget_ms go. */
int nms_store_member_beat(struct nms_store *s, const char *id, const char *host,
			  int64_t started_ms, int64_t forget_ms, char *err,
			  size_t errlen);
/* Member @id leaves (a clean stop). */
int nms_store_member_leave(struct nms_store *s, const char *id, char *err,
			   size_t errlen);

/*
 * The live members (heartbeat within @live_ms), ordered by id, into
 * @ids (@cap of @len bytes each). Their number, or -1.
 */
int nms_store_members_live(struct nms_store *s, int64_t live_ms, char *ids,
			   size_t len, int cap, char *err, size_t errlen);

/*
 * Take or renew lease @name for @holder for @ttl_ms: 1 held (its epoch in
 * *@epoch: the same as before on a renewal, the next one on a takeover),
 * 0 held by another (its holder into @other, @olen bytes, if not NULL),
 * -1 on error.
 */
int nms_store_lease_take(struct nms_store *s, const char *name,
			 const char *holder, int64_t ttl_ms, int64_t *epoch,
			 char *other, size_t olen, char *err, size_t errlen);

/* Give lease @name back, if @holder has it (a clean stop). */
int nms_store_lease_release(struct nms_store *s, const char *name,
			    const char *holder, char *err, size_t errlen);

/*
 * Whether @holder still holds lease @name in @epoch, unexpired: 1, 0 (it
 * lost it), -1. Inside a transaction, its writes are fenced by it.
 */
int nms_store_lease_held(struct nms_store *s, const char *name,
			 const char *holder, int64_t epoch, char *err,
			 size_t errlen);

#endif
