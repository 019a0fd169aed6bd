/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator's listings (nmsctl devices, history, sessions, routes,
 * members): the store's rows as columns of numbers and text, the same
 * on SQLite and PostgreSQL. Times are Unix seconds or milliseconds, for
 * the caller to format.
 */
#ifndef TR_NMS_STORE_LIST_H
#define TR_NMS_STORE_LIST_H

#include "nms/store/store.h"

#include <stdbool.h>

enum nms_listing {
	NMS_LIST_DEVICES, /* name, trust, since_ms, reason, certificates */
	NMS_LIST_HISTORY, /* time_ms, from, to, reason (of device @arg) */
	NMS_LIST_SESSIONS, /* started_s, identity, peer, verdict, mutual,
			    * attested, reasons (of identity @arg or all) */
	NMS_LIST_ROUTES, /* host, netns, via, state, metric, since_ms */
	NMS_LIST_MEMBERS, /* id, host, started_ms, heartbeat_ms, live, lease
			   * (the leases it holds, comma-separated) */
};

/* One column of a row: a number, or text (NULL for none). */
struct nms_list_value {
	bool is_int;
	int64_t i;
	const char *s;
};

/* One row of @n columns; non-zero stops. */
typedef int nms_list_row_fn(const struct nms_list_value *v, int n, void *arg);

/* The rows of listing @which (@arg as its documentation says), in order.
 * How many, or -1. */
int nms_store_list(struct nms_store *s, enum nms_listing which, const char *arg,
		   nms_list_row_fn *fn, void *fn_arg, char *err, size_t errlen);

/* Whether @name is a device's name or a session's identity: 1, 0, or -1
 * (the reason in @err). */
int nms_store_identity_known(struct nms_store *s, const char *name, char *err,
			     size_t errlen);

#endif
