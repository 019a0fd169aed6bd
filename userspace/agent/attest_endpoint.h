/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router's implicit-attestation endpoint: a TLS server whose key is
 * the enrolled sealed key (tls.key, tls.crt in the state directory),
 * used through the trustroute OpenSSL provider. Each handshake needs the
 * TPM to sign, which it does only while the PCRs are in the good state;
 * the NMS's prober learns the router's state from the handshake alone.
 * A completed handshake gets one line ("trustroute <device>") and the
 * connection is closed.
 */
#ifndef TR_AGENT_ATTEST_ENDPOINT_H
#define TR_AGENT_ATTEST_ENDPOINT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct endpoint_config {
	const char *state_dir;
	const char *address; /* IPv4 or IPv6 literal */
	unsigned short port; /* 0: any free port */
	const char *port_file; /* where to write the port, or NULL */
	/* Tell systemd READY=1 once listening (base/notify.h). */
	bool notify_ready;
};

/* Serve until *@stop is set: 0, or -1 with the reason. */
int endpoint_run(const struct endpoint_config *c, volatile sig_atomic_t *stop,
		 char *err, size_t errlen);

#endif
