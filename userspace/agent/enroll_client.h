/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router's side of zero-touch enrollment (Documentation/enrollment.md):
 * unattended, retried with backoff, idempotent across reboots.
 *
 * The state directory holds, each written atomically (fileio.h):
 *   ak.tss       the AK (key file), made once
 *   tls.key      the sealed TLS key (key file, PolicyPCR), made once
 *   nms-ca.pem   the CA that issues router certificates (EST /cacerts)
 *   tls.crt      the certificate, written last: its presence means done
 * A reboot at any point resumes with the keys already made, so the NMS
 * sees the same AK and key again.
 */
#ifndef TR_AGENT_ENROLL_CLIENT_H
#define TR_AGENT_ENROLL_CLIENT_H

#include "tpm/key.h"

struct enroll_config {
	const char *state_dir;
	const char *nms_url; /* https://host:port, no trailing slash */
	const char *nms_ca; /* trust anchor for the NMS's HTTPS (PEM) */
	const char *device; /* the name to enroll as */
	const char *tcti; /* NULL: tr_tpm_open's default */
	struct tr_pcr_values pcrs; /* selection the TLS key is sealed to */
	enum tr_key_alg alg;
	int max_attempts; /* 0: until it works */
	unsigned backoff_ms; /* first wait; doubles up to backoff_max_ms */
	unsigned backoff_max_ms;
	/* Where the NMS monitors this router, said at enrollment (zero-touch
	 * monitoring; NULL and 0: not said): its endpoint's address and port,
	 * its request port, its gateway addresses. */
	const char *endpoint_address;
	unsigned endpoint_port, request_port;
	const char *route_addrs[16];
	size_t n_route_addrs;
};

/* The NMS refused the name: it is another TPM's, or this TPM is enrolled
 * under another name. Retrying cannot help; an operator must act. */
#define ENROLL_NAME_CONFLICT (-2)

/*
 * 0 when enrolled (now or before); ENROLL_NAME_CONFLICT at once, without
 * retrying; -1 with the last reason when it gave up.
 */
int enroll_run(const struct enroll_config *c, char *err, size_t errlen);

#endif
