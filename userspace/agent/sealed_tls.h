/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLS with the router's enrolled identity: the certificate (tls.crt) and
 * the sealed key (tls.key) in the state directory, the key used through
 * the trustroute OpenSSL provider, so every handshake needs the TPM and
 * fails once the PCRs left the good state.
 */
#ifndef TR_AGENT_SEALED_TLS_H
#define TR_AGENT_SEALED_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

/*
 * A context for @method (server or client) with the identity of
 * @state_dir, TLS 1.2 or newer, without session resumption (each
 * handshake has a fresh TPM signature). With @ca_file, peers are
 * verified against it (the NMS CA). NULL with the reason.
 */
SSL_CTX *sealed_tls_ctx(const SSL_METHOD *method, const char *state_dir,
			const char *ca_file, char *err, size_t errlen);

/* The enrolled device name: tls.crt's CN. 0, or -1 with the reason. */
int sealed_tls_name(const char *state_dir, char *out, size_t len, char *err,
		    size_t errlen);

/* Every reason on OpenSSL's error queue, "; "-separated, into @out. */
void sealed_tls_errors(char *out, size_t len);

#endif
