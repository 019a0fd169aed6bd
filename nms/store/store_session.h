/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attestation sessions, probe endpoints and the OS device id in the NMS
 * store (schema 4).
 */
#ifndef TR_NMS_STORE_SESSION_H
#define TR_NMS_STORE_SESSION_H

#include "nms/store/store.h"
#include "nms/trust/verdict.h"

#include <stdbool.h>

/* One IMV's verdict in a session ("os", "attestation"). */
struct nms_session_imv {
	const char *imv;
	const struct nms_verdict *verdict;
};

struct nms_session_row {
	int64_t device_id; /* 0: not a device (a SASL user) */
	const char *peer, *identity;
	int64_t started, ended;
	const struct nms_verdict *verdict;
	bool mutual, attested;
	const struct nms_session_imv *imvs; /* may be NULL */
	size_t n_imvs;
};

/*
 * Record a session, with each IMV's verdict and reasons (session_results,
 * the reasons as a JSON array), in one transaction. The session's reasons
 * are joined with "; ". Its id, or -1.
 */
int64_t nms_store_session_add(struct nms_store *s,
			      const struct nms_session_row *r, char *err,
			      size_t errlen);

/*
 * The enrolled AK of @device_id (the one whose credential was activated
 * last), marshalled TPM2B_PUBLIC into @buf: its length, or -1. A
 * decommissioned device has none: its quotes prove nothing any more.
 */
int nms_store_device_ak(struct nms_store *s, int64_t device_id, uint8_t *buf,
			size_t cap);

/*
 * The OS device id first seen for @device_id into @out ("" if none yet);
 * with @seen not empty and none recorded, @seen is recorded now.
 */
int nms_store_os_device_id(struct nms_store *s, int64_t device_id,
			   const char *seen, char *out, size_t len);

/* The endpoint the prober probes for @device_id (set or replaced). */
int nms_store_endpoint_set(struct nms_store *s, int64_t device_id,
			   const char *address, unsigned port, char *err,
			   size_t errlen);

/* @device_id is probed no more (a router taken out of service). */
int nms_store_endpoint_delete(struct nms_store *s, int64_t device_id, char *err,
			      size_t errlen);

typedef int nms_endpoint_fn(int64_t device_id, const char *device,
			    const char *address, unsigned port, void *arg);
/* Each endpoint, by device name. */
int nms_store_endpoints(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			char *err, size_t errlen);

/*
 * The port where the NMS asks @device_id to attest (its agent's request
 * port, 0: none) at its endpoint's address; the endpoint must be set.
 */
int nms_store_request_port_set(struct nms_store *s, int64_t device_id,
			       unsigned port, char *err, size_t errlen);
/* Each endpoint with a request port: @port is that port. */
int nms_store_request_ports(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			    char *err, size_t errlen);

#endif
