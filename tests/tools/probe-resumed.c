// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe-resumed CA SESSION DEVICE ADDRESS PORT: the NMS's probe (nms/
 * prober.c), its context made to offer the saved TLS session SESSION
 * (PEM, as s_client -sess_out writes it) the way a misconfigured
 * context would: set on the connection as its handshake starts. Prints
 * whether the server resumed it and what the prober concluded; exit 0
 * for "ok", 1 "failed", 3 "no answer", 2 usage or setup.
 *
 * The prober itself never offers a session; this shows that a resumed
 * handshake is not taken as proof even when one is offered.
 */
#include "nms/probe/prober.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>

static SSL_SESSION *offered;
static int resumed = -1;

static void info(const SSL *ssl, int where, int ret)
{
	(void)ret;
	if (where & SSL_CB_HANDSHAKE_START)
		SSL_set_session((SSL *)ssl, offered);
	if (where & SSL_CB_HANDSHAKE_DONE)
		resumed = SSL_session_reused(ssl);
}

int main(int argc, char **argv)
{
	struct probe_target t;
	enum probe_result r;
	char why[512];
	SSL_CTX *ctx;
	FILE *f;

	if (argc != 6) {
		fputs("usage: probe-resumed CA SESSION DEVICE ADDRESS PORT\n",
		      stderr);
		return 2;
	}
	f = fopen(argv[2], "r");
	offered = f ? PEM_read_SSL_SESSION(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!offered) {
		fprintf(stderr, "probe-resumed: %s: no TLS session\n", argv[2]);
		return 2;
	}
	ctx = probe_ctx_new(argv[1], why, sizeof(why));
	if (!ctx) {
		fprintf(stderr, "probe-resumed: %s\n", why);
		return 2;
	}
	/* Undo the prober's own refusal to send tickets (which alone stops
	 * TLS 1.2 resumption with s_server's ticketed sessions): this is
	 * about the check after the handshake. A TLS 1.2 session is resumed
	 * only in a TLS 1.2 handshake. */
	SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_max_proto_version(
		ctx, SSL_SESSION_get_protocol_version(offered));
	SSL_CTX_set_info_callback(ctx, info);
	t.device = argv[3];
	t.address = argv[4];
	t.port = (unsigned short)atoi(argv[5]);
	r = probe(ctx, &t, NULL, 5000, why, sizeof(why));
	printf("resumed: %s\n%s: %s: %s\n",
	       resumed < 0 ? "no handshake" :
	       resumed	   ? "yes" :
			     "no",
	       t.device, probe_result_name(r), why);
	SSL_CTX_free(ctx);
	SSL_SESSION_free(offered);
	return r == PROBE_OK ? 0 : r == PROBE_FAILED ? 1 : 3;
}
