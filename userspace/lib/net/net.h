/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCP for the NMS and the agent: addresses are IPv4 or IPv6 literals
 * (no name lookups: the operator gives addresses), and every wait is
 * bounded by a deadline on CLOCK_MONOTONIC.
 */
#ifndef TR_NET_H
#define TR_NET_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* @ms from now. */
struct timespec tr_deadline(unsigned ms);
/* Milliseconds until @d, 0 when it has passed. */
int tr_ms_left(const struct timespec *d);

/*
 * A non-blocking TCP connection to @ip @port, made before @d: the socket,
 * or -1 with "@ip port @port: reason" (refused, timed out, ...).
 */
int tr_dial(const char *ip, unsigned short port, const struct timespec *d,
	    char *err, size_t errlen);

/*
 * A listening socket on @ip @port (0: any free port, told in *@bound),
 * non-blocking when @nonblock. The socket, or -1 with the reason.
 */
int tr_listen(const char *ip, unsigned short port, int backlog, bool nonblock,
	      unsigned short *bound, char *err, size_t errlen);

/*
 * After an SSL call on @fd returned @rc: wait for what it asked for, until
 * @d. 0 to call it again; -1 when it failed otherwise; -2 at the deadline.
 */
int tr_ssl_wait(SSL *ssl, int fd, int rc, const struct timespec *d);

/*
 * No TLS session resumption with @ctx, as server or client: no session
 * cache, no tickets (TLS 1.2 and 1.3), no PSK. For every context that
 * uses or checks a sealed key (see net.c for why).
 */
void tr_ssl_ctx_no_resumption(SSL_CTX *ctx);

#endif
