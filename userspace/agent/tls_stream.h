/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router's side of a message stream over TLS (PT-TLS to the NMS):
 * connect within a deadline, authenticate with the sealed key, verify the
 * server against the NMS CA and its name, then whole messages both ways.
 * Every wait is bounded by the stream's deadline.
 */
#ifndef TR_AGENT_TLS_STREAM_H
#define TR_AGENT_TLS_STREAM_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tls_stream {
	SSL *ssl;
	int fd;
	struct timespec deadline;
	uint8_t *buf; /* received; starts with the message returned last */
	size_t len, cap, returned;
};

/* The length of the complete message at @buf, 0 for more, -1 if bad. */
typedef long tls_frame_fn(const uint8_t *buf, size_t len, size_t max);

/*
 * Connect to @host (IP literal) @port with @ctx, checking the server's
 * certificate names @server_name, all within @timeout_ms.
 */
int tls_stream_open(struct tls_stream *s, SSL_CTX *ctx, const char *host,
		    unsigned short port, const char *server_name,
		    unsigned timeout_ms, char *err, size_t errlen);
int tls_stream_send(struct tls_stream *s, const uint8_t *buf, size_t len,
		    char *err, size_t errlen);
/*
 * The next whole message (at most @max bytes): *msg points into the
 * stream's buffer, valid until the next call. 0, or -1 (closed, bad
 * framing, timeout) with the reason.
 */
int tls_stream_recv(struct tls_stream *s, tls_frame_fn *frame, size_t max,
		    const uint8_t **msg, size_t *len, char *err, size_t errlen);
void tls_stream_close(struct tls_stream *s);

#endif
