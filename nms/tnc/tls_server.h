/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TLS server for message streams (PT-TLS): one thread, epoll, OpenSSL
 * in non-blocking mode. Built to survive many clients at once, garbage
 * and slow ones included, in bounded memory:
 *  - at most max_conns connections; more are accepted and closed at once
 *    (counted), so a flood cannot exhaust file descriptors;
 *  - a connection buffers at most max_message bytes in and max_outbuf
 *    bytes out; a bigger message or a client that does not read is
 *    closed;
 *  - deadlines: the TLS handshake, idleness between messages, and the
 *    whole session; a slow client is closed when one passes.
 * OpenSSL's buffers are released while a connection is idle
 * (SSL_MODE_RELEASE_BUFFERS), so idle connections cost little, and after
 * a burst of closed connections the heap is given back to the system
 * (malloc_trim), so a flood leaves no lasting footprint.
 * Every connection refused or closed for cause is reported (refused()),
 * with the peer and the reason.
 */
#ifndef TR_NMS_TLS_SERVER_H
#define TR_NMS_TLS_SERVER_H

#include <openssl/ssl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct tls_server;
struct tls_conn;

struct tls_server_ops {
	/*
	 * The length of the complete message at the start of @buf, 0 when
	 * more bytes are needed, or -1 when the stream is malformed (the
	 * connection is closed). Must look no further than @len.
	 */
	long (*frame)(const uint8_t *buf, size_t len, size_t max, void *arg);
	/* The TLS handshake completed: a session starts. 0, or -1 to close. */
	int (*opened)(struct tls_conn *c, void *arg);
	/* One complete message. 0 to go on, -1 to close. */
	int (*message)(struct tls_conn *c, const uint8_t *msg, size_t len,
		       void *arg);
	/* The connection is gone (any reason); free what opened() made. */
	void (*closed)(struct tls_conn *c, const char *why, void *arg);
	/*
	 * Optional: a connection from @peer refused or closed for cause
	 * (full, too many from its address, evicted, not TLS, handshake
	 * failed or timed out, idle, malformed, too large), once. Not called
	 * when the peer or the session ended it (the session logs its own).
	 */
	void (*refused)(const char *peer, const char *why, void *arg);
	/* Optional: called about twice a second from the serving thread. */
	void (*tick)(void *arg);
};

struct tls_server_config {
	const char *address; /* IPv4 or IPv6 literal */
	unsigned short port; /* 0: any free port */
	SSL_CTX *ctx; /* server context: certificate, key, versions */
	unsigned max_conns;
	unsigned max_per_source; /* 0: max_conns */
	size_t max_message;
	size_t max_outbuf;
	unsigned handshake_ms, idle_ms, session_ms;
};

struct tls_server_stats {
	unsigned open, peak;
	unsigned long accepted, refused_full, refused_source, evicted, not_tls;
	unsigned long sessions, timeouts, errors, trims;
	size_t buffered; /* bytes held in our buffers now */
	size_t buffered_peak;
};

struct tls_server *tls_server_new(const struct tls_server_config *cfg,
				  const struct tls_server_ops *ops, void *arg,
				  char *err, size_t errlen);
unsigned short tls_server_port(const struct tls_server *s);
/* Serve until *@stop is set; returns 0, or -1 on a fatal error. */
int tls_server_run(struct tls_server *s, volatile sig_atomic_t *stop);
void tls_server_stats(const struct tls_server *s, struct tls_server_stats *st);
void tls_server_free(struct tls_server *s);

/* Queue @len bytes to the peer; -1 when that would pass max_outbuf. */
int tls_conn_send(struct tls_conn *c, const uint8_t *buf, size_t len);
/* Close once everything queued was sent. */
void tls_conn_close_after_send(struct tls_conn *c);
void tls_conn_set_data(struct tls_conn *c, void *data);
void *tls_conn_data(const struct tls_conn *c);
SSL *tls_conn_ssl(const struct tls_conn *c);
/*
 * The session authenticated its peer (certificate, SASL): never evicted
 * to make room for a newcomer.
 */
void tls_conn_set_authenticated(struct tls_conn *c);
/* The peer's address, as text. */
const char *tls_conn_peer(const struct tls_conn *c);

#endif
