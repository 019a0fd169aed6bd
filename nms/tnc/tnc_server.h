/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's TNC server: PT-TLS (RFC 6876) on the bounded TLS server
 * (tls_server.h), PB-TNC sessions (RFC 5793) and two IMVs: the OS policy
 * (imv_os.h) and attestation (imv_attest.h). Routers authenticate with
 * their enrolled certificate, which needs their sealed key. A router
 * whose PCRs left the good state cannot use that key any more: it comes
 * without a certificate and claims its name (Device Name attribute); the
 * claim holds only if the quote that follows verifies with that device's
 * enrolled AK, so nobody else can get a verdict recorded for it. Peers
 * that must use SASL PLAIN (strongSwan's pt-tls-client) can, when a user
 * is configured.
 *
 * A session:
 *   router CDATA   OS attributes (IETF/Operating System)
 *   NMS SDATA      Quote Request: a fresh nonce, the IMA PCRs (enrolled
 *                  routers only)
 *   router CDATA   Simple Evidence Final, PCR Values, IMA Log
 *   NMS RESULT     Assessment Result, PB-Assessment-Result, PB-Access-
 *                  Recommendation; the verdict goes to decided()
 *   router CLOSE
 * In mutual mode (strongSwan's half duplex) the router then assesses the
 * NMS the same way in the reverse connection, with the NMS's OS facts.
 */
#ifndef TR_NMS_TNC_SERVER_H
#define TR_NMS_TNC_SERVER_H

#include "nms/tnc/imv_attest.h"
#include "nms/tnc/imv_os.h"
#include "nms/tnc/tls_server.h"
#include "nms/trust/verdict.h"

#include <time.h>

struct tnc_session_info {
	/*
	 * certificate, claim, or the SASL user; a peer that gave none is
	 * "unauthenticated@PEER" (never empty: '@' is in no Device Name)
	 */
	const char *device;
	const char *peer; /* address */
	bool certified; /* authenticated by an enrolled certificate */
	bool proven; /* that device's: certified, or its AK quoted */
	bool mutual;
	bool attested; /* a quote and log were appraised */
	time_t started;
	unsigned batches; /* received */
	/* In decided(): each IMV's own verdict (NULL: it did not run). */
	const struct nms_verdict *os, *attestation;
};

struct tnc_server_config {
	struct tls_server_config tls; /* ctx: server identity; client
					 certificates checked against the
					 NMS CA when sent */
	const char *sasl_user, *sasl_password; /* NULL: certificates only */
	bool mutual; /* answer a PB-Mutual-Capability */
	const struct imv_os_policy *os_policy;
	const struct imv_attest_policy *attest_policy;
	const struct os_facts *own_facts; /* ours, for mutual mode */
	/* The AK @device enrolled: 0, or -1 when it has none. */
	int (*ak_of)(const char *device, TPM2B_PUBLIC *ak, void *arg);
	/* The device id first seen for @device (TOFU), "" if none yet. */
	void (*device_id_of)(const char *device, const char *seen, char *out,
			     size_t len, void *arg);
	/* A router was assessed (the RESULT is on its way). */
	void (*decided)(const struct tnc_session_info *s,
			const struct nms_verdict *v, void *arg);
	/*
	 * Mutual mode: what the router decided about the NMS (its PB-TNC
	 * assessment result and access recommendation). Optional.
	 */
	void (*nms_assessed)(const struct tnc_session_info *s,
			     uint32_t assessment, uint16_t access, void *arg);
	/*
	 * A peer refused, with the reason: by the TLS server (tls_server.h)
	 * or by the session (SASL refused, a PT-TLS or PB-TNC error), once
	 * per connection. Optional; rate-limit what it logs.
	 */
	void (*refused)(const char *peer, const char *why, void *arg);
	void (*tick)(void *arg); /* optional, about twice a second */
	void *arg;
};

struct tnc_server;

struct tnc_server *tnc_server_new(const struct tnc_server_config *c, char *err,
				  size_t errlen);
unsigned short tnc_server_port(const struct tnc_server *s);
int tnc_server_run(struct tnc_server *s, volatile sig_atomic_t *stop);
void tnc_server_stats(const struct tnc_server *s, struct tls_server_stats *st);
void tnc_server_free(struct tnc_server *s);

#endif
