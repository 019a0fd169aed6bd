/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator's view in the NMS store (schema 7): what the HTTP API
 * reads (devices with their enrolled identity and certificate, sessions
 * with each IMV's result, routes, events) and writes (the audit log,
 * operators' tokens, decommissioned routers and their revoked
 * certificates). The API layer has no SQL of its own: every query is
 * here, so that another store backend implements these functions.
 *
 * Listings hand each row to a callback whose pointers live until it
 * returns; a callback returning non-zero stops the walk. They return the
 * number of rows seen, or -1 with the reason.
 */
#ifndef TR_NMS_STORE_API_H
#define TR_NMS_STORE_API_H

#include "nms/store/store.h"
#include "nms/store/store_trust.h"
#include "nms/trust/verdict.h"

#include <stdbool.h>

/* A device as the operator sees it. */
struct nms_device_view {
	int64_t id;
	const char *name;
	struct nms_trust_row trust;
	int64_t created; /* Unix s */
	int64_t decommissioned_ms; /* 0: in service */
	const char *os_device_id; /* "" until its first session */
	struct nms_blob ek_key_id, ek_cert; /* empty: none */
	struct nms_blob ak_name; /* the AK whose credential was activated last */
	int64_t ak_activated; /* Unix s; 0: none */
	/* its newest certificate; serial NULL: none */
	const char *cert_serial;
	int64_t cert_issued, cert_not_after; /* Unix s */
	int64_t cert_revoked_ms; /* 0: not revoked */
	int64_t certificates; /* how many were issued to it */
	const char *endpoint; /* where it is probed; NULL: nowhere */
	unsigned endpoint_port;
};

typedef int nms_device_view_fn(const struct nms_device_view *d, void *arg);
/* Every device by name, or only the one named @name (when not NULL). */
int nms_store_device_views(struct nms_store *s, const char *name,
			   nms_device_view_fn *fn, void *arg, char *err,
			   size_t errlen);

/* Attestation sessions, newest first. */
struct nms_session_query {
	int64_t id; /* this one only (0: any) */
	int64_t device_id; /* of this proven device only (0: any) */
	int64_t before_id; /* older than this one (0: from the newest) */
	int limit; /* at most this many (1..1000) */
};

struct nms_session_view {
	int64_t id;
	const char *device; /* the proven device; NULL: none */
	const char *peer, *identity;
	int64_t started, ended; /* Unix s */
	const char *verdict;
	bool mutual, attested;
	const char *reasons; /* all of them, joined with "; " */
};

typedef int nms_session_view_fn(const struct nms_session_view *v, void *arg);
int nms_store_session_views(struct nms_store *s,
			    const struct nms_session_query *q,
			    nms_session_view_fn *fn, void *arg, char *err,
			    size_t errlen);

/* One IMV's verdict in a session, its reasons a JSON array of strings. */
struct nms_imv_view {
	const char *imv, *verdict, *reasons_json;
};

typedef int nms_imv_view_fn(const struct nms_imv_view *v, void *arg);
int nms_store_session_results(struct nms_store *s, int64_t session_id,
			      nms_imv_view_fn *fn, void *arg, char *err,
			      size_t errlen);

/* Sessions by verdict, indexed by enum verdict; 0 or -1. */
int nms_store_session_counts(struct nms_store *s, int64_t out[3]);

/* What each managed host's routes through each router were converged to. */
struct nms_route_view {
	const char *host, *netns, *device;
	enum trust_state state;
	int64_t metric, time_ms;
};

typedef int nms_route_view_fn(const struct nms_route_view *v, void *arg);
int nms_store_route_views(struct nms_store *s, nms_route_view_fn *fn, void *arg,
			  char *err, size_t errlen);

/* The managed hosts, by name. */
typedef int nms_host_fn(const char *name, const char *netns, void *arg);
int nms_store_hosts(struct nms_store *s, nms_host_fn *fn, void *arg, char *err,
		    size_t errlen);

/* The event log after event @after_id, oldest first, at most @limit. */
struct nms_event_view {
	int64_t id, time; /* Unix s */
	const char *device; /* NULL: NMS-wide */
	const char *kind, *detail;
};

typedef int nms_event_view_fn(const struct nms_event_view *v, void *arg);
int nms_store_events_after(struct nms_store *s, int64_t after_id, int limit,
			   nms_event_view_fn *fn, void *arg, char *err,
			   size_t errlen);
/* The newest event's id (0: none), or -1; the newest session's too. */
int64_t nms_store_last_event(struct nms_store *s);
int64_t nms_store_last_session(struct nms_store *s);

/* An operator's action, for the audit log (append-only). */
struct nms_audit_row {
	int64_t id; /* set when read */
	int64_t time_ms;
	const char *operator, * role, *action, *target;
	int status; /* the HTTP status it was answered with */
	const char *detail;
};

int64_t nms_store_audit_add(struct nms_store *s, const struct nms_audit_row *r,
			    char *err, size_t errlen);
typedef int nms_audit_fn(const struct nms_audit_row *r, void *arg);
/* Newest first, older than @before_id (0: from the newest). */
int nms_store_audit_list(struct nms_store *s, int64_t before_id, int limit,
			 nms_audit_fn *fn, void *arg, char *err, size_t errlen);

/*
 * Operators' bearer tokens, known by their SHA-256 only (the token is
 * shown once, when made). Roles are "read-only" and "admin". A name is
 * used once; a revoked token stays listed, refused.
 */
int64_t nms_store_token_add(struct nms_store *s, const char *name,
			    const char *role, const uint8_t hash[32],
			    int64_t now, char *err, size_t errlen);
/* Revoke the token @name at @now_ms: 0; -1 when there is none (live). */
int nms_store_token_revoke(struct nms_store *s, const char *name,
			   int64_t now_ms, char *err, size_t errlen);

struct nms_token_view {
	const char *name, *role;
	struct nms_blob hash;
	int64_t created; /* Unix s */
	int64_t revoked_ms; /* 0: valid */
};

typedef int nms_token_fn(const struct nms_token_view *t, void *arg);
int nms_store_tokens(struct nms_store *s, nms_token_fn *fn, void *arg,
		     char *err, size_t errlen);

/*
 * Decommission @device_id at @time_ms: every certificate it has is
 * revoked with @reason, the device is marked, and a "decommissioned"
 * event says so, in one transaction. Returns how many certificates were
 * revoked now (0 when it already was), or -1.
 */
int nms_store_decommission(struct nms_store *s, int64_t device_id,
			   const char *reason, int64_t time_ms, char *err,
			   size_t errlen);

/*
 * Whether the certificate with serial @serial (upper-case hex, as issued)
 * was revoked: 1 revoked, 0 not (or not one the store knows), -1 when the
 * store could not say (callers refuse then: fail closed).
 */
int nms_store_cert_revoked(struct nms_store *s, const char *serial);

/* Whether a decommissioned device has the name @name or the EK key
 * @ek_key_id: 1 yes, 0 no, -1 error. */
int nms_store_decommissioned(struct nms_store *s, const char *name,
			     struct nms_blob ek_key_id);

/* The revoked certificates, for the CRL, oldest revocation first. */
struct nms_revoked_view {
	const char *serial;
	int64_t revoked_ms;
	const char *reason;
};

typedef int nms_revoked_fn(const struct nms_revoked_view *r, void *arg);
int nms_store_revoked(struct nms_store *s, nms_revoked_fn *fn, void *arg,
		      char *err, size_t errlen);

#endif
