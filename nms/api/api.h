/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator's HTTP API as a pure function: a request (method, path,
 * query arguments, the caller's role, a body) becomes a response (status,
 * content type, body), reading and writing only the store. No sockets:
 * api_server.c carries requests here over HTTPS, and the unit tests and
 * the fuzzer call it directly. Documentation/api.md lists the resources.
 *
 * Fail closed, in this order: a path under /api/ or /metrics without an
 * authenticated caller is 401; an unknown path 404; a known one with
 * another method 405 (with Allow); a read-only caller on an admin action
 * 403; a body too large 413, not JSON 415, malformed 400; an unknown
 * device or session 404. Every admin action an authenticated operator
 * asked for is audited in the store with the status it got, refused or
 * not. The dashboard's files and the CRL need no authentication: they
 * hold no state the CRL does not publish anyway.
 */
#ifndef TR_NMS_API_H
#define TR_NMS_API_H

#include "nms/enroll/ca.h"
#include "nms/probe/prober.h"
#include "nms/store/store.h"
#include "nms/trust/trust_policy.h"

#include <stdbool.h>
#include <stddef.h>

enum api_role { API_ROLE_NONE, API_ROLE_READ, API_ROLE_ADMIN };

/* "none", "read-only", "admin"; and back (0, or -1). */
const char *api_role_name(enum api_role r);
int api_role_parse(const char *name, enum api_role *r);

#define API_BODY_MAX 16384 /* an action's JSON is a reason: a few bytes */
#define API_MAX_ARGS 8
#define API_REASON_MAX 200

struct api_request {
	const char *method, *path; /* path without the query, decoded */
	const char *args[API_MAX_ARGS][2]; /* query arguments, decoded */
	size_t n_args;
	bool too_many_args;
	enum api_role role;
	const char *operator; /* who, for the audit ("token:NAME") */
	const char *content_type; /* NULL: none */
	const char *body; /* NULL: none */
	size_t body_len;
	bool body_too_large; /* the server stopped reading at API_BODY_MAX */
};

struct api_response {
	unsigned status;
	const char *type; /* Content-Type */
	char *body; /* malloc()ed, body_len bytes (JSON ends with '\n') */
	size_t len;
	char allow[64]; /* a 405's Allow header ("" otherwise) */
	bool is_static; /* body points at a built-in file: not freed */
};

/* What the API reads and acts with. */
struct api_context {
	struct nms_store *store;
	const struct trust_metrics *metrics; /* route costs (reset) */
	const struct nms_ca *ca; /* signs the CRL; NULL: no CRL served */
	const char *lists_json; /* the reference lists in force, or NULL */
	/*
	 * One implicit attestation of @t now (prober.h), called with the
	 * lock released; NULL when the NMS cannot probe.
	 */
	enum probe_result (*probe)(const struct probe_target *t, char *why,
				   size_t whylen, void *arg);
	void *probe_arg;
	/* Held around store use (the server's threads share one store). */
	void (*lock)(void *arg);
	void (*unlock)(void *arg);
	void *lock_arg;
};

/* Answer @q into @r (free it with api_response_free). */
void api_handle(struct api_context *c, const struct api_request *q,
		struct api_response *r);
void api_response_free(struct api_response *r);

/* A file of the dashboard, compiled in (generated from nms/api/web/). */
struct api_asset {
	const char *path, *type;
	const unsigned char *data;
	size_t len;
};

extern const struct api_asset api_assets[];
extern const size_t api_n_assets;

/*
 * The reference lists in force, as JSON (free()): each list's path, the
 * name routers load it under, its SHA-256, digests and algorithm; the
 * known-bad lists the same way; the expected key policy. NULL with the
 * reason when a list cannot be read.
 */
struct api_lists_config {
	const char *const *lists;
	size_t n_lists;
	const char *name_dir;
	int lists_pcr;
	const char *const *bad_lists;
	size_t n_bad;
	const char *policy_desc;
};

char *api_lists_json(const struct api_lists_config *c, char *err,
		     size_t errlen);

#endif
