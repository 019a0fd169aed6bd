/* SPDX-License-Identifier: GPL-2.0-only */
/* What the API's files share; not for use outside nms/api. */
#ifndef TR_NMS_API_INTERNAL_H
#define TR_NMS_API_INTERNAL_H

#include "base/counters.h"
#include "nms/api/api.h"
#include "nms/store/store_api.h"

#include <json-c/json.h>

/* One request on its way through the API. */
struct api_call {
	struct api_context *c;
	const struct api_request *q;
	struct api_response *r;
	const char *arg; /* the path's '*' segment (a device, a session) */
	char detail[512]; /* what an action did or why not, for the audit */
};

/* A device found by name, copied out of the store's row. */
struct api_device {
	int64_t id;
	char name[64], endpoint[64];
	unsigned port;
	bool decommissioned;
};

/* Answer @o (taken) as JSON with @status. */
void api_reply_json(struct api_call *k, unsigned status, json_object *o);
/* Answer {"error": ...} with @status; the text is also the audit's. */
void api_fail(struct api_call *k, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Answer 200 with @body (taken, malloc()ed) of @type. */
void api_reply_bytes(struct api_call *k, const char *type, char *body,
		     size_t len);
json_object *api_string(const char *s);
json_object *api_hex(struct nms_blob b);

/* The query argument @name (NULL: absent). */
const char *api_arg(const struct api_request *q, const char *name);
/* A number from @lo to @hi, @dflt when absent: 0; -1 answered 400. */
int api_arg_int(struct api_call *k, const char *name, int64_t lo, int64_t hi,
		int64_t dflt, int64_t *out);

/* The device k->arg names, its JSON into @o (may be NULL): 0; -1 answered
 * (404, 500). */
int api_find_device(struct api_call *k, struct api_device *d, json_object **o);
json_object *api_device_json(struct api_context *c,
			     const struct nms_device_view *d);

/* The handlers of other files. */
void api_crl(struct api_call *k); /* api_actions.c */
void api_reset(struct api_call *k);
void api_revoke(struct api_call *k);
void api_attest(struct api_call *k);
void api_metrics(struct api_call *k); /* api_metrics.c */

/* The API's refusals by reason since the process started. */
const struct tr_counters *api_refusals(void);

#endif
