// SPDX-License-Identifier: GPL-2.0-only
#include "net/net.h"

#include "base/errmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct timespec tr_deadline(unsigned ms)
{
	struct timespec d;

	clock_gettime(CLOCK_MONOTONIC, &d);
	d.tv_sec += ms / 1000;
	d.tv_nsec += (long)(ms % 1000) * 1000000;
	if (d.tv_nsec >= 1000000000) {
		d.tv_sec++;
		d.tv_nsec -= 1000000000;
	}
	return d;
}

int tr_ms_left(const struct timespec *d)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (d->tv_sec - now.tv_sec) * 1000 +
	     (d->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* @ip @port as a socket address: its length, or 0 when @ip is none. */
static socklen_t sockaddr_of(const char *ip, unsigned short port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return sizeof(*a6);
	}
	return 0;
}

int tr_dial(const char *ip, unsigned short port, const struct timespec *d,
	    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(ip, port, &ss), elen = sizeof(int);
	struct pollfd p = { .events = POLLOUT };
	int e = 0;

	if (!len)
		return tr_fail(err, errlen, "%s: not an IP address", ip);
	p.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		      0);
	if (p.fd < 0)
		return tr_fail(err, errlen, "socket: %s", strerror(errno));
	/* Request and answer protocols: a small write must not wait for the
	 * ACK of the one before (Nagle), which the peer delays (40 ms). */
	setsockopt(p.fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if (connect(p.fd, (struct sockaddr *)&ss, len) < 0 &&
	    errno != EINPROGRESS)
		e = errno;
	else if (poll(&p, 1, tr_ms_left(d)) != 1)
		e = ETIMEDOUT;
	else
		getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &e, &elen);
	if (e) {
		close(p.fd);
		return tr_fail(err, errlen, "%s port %u: %s", ip, port,
			       strerror(e));
	}
	return p.fd;
}

int tr_listen(const char *ip, unsigned short port, int backlog, bool nonblock,
	      unsigned short *bound, char *err, size_t errlen)
{
	struct sockaddr_storage ss, got;
	socklen_t len = sockaddr_of(ip, port, &ss), glen = sizeof(got);
	int one = 1, fd;

	if (!len)
		return tr_fail(err, errlen, "%s: not an IP address", ip);
	fd = socket(ss.ss_family,
		    SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)&got, &glen)) {
		tr_fail(err, errlen, "listening on %s port %u: %s", ip, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*bound = ntohs(got.ss_family == AF_INET6 ?
			       ((struct sockaddr_in6 *)&got)->sin6_port :
			       ((struct sockaddr_in *)&got)->sin_port);
	return fd;
}

int tr_ssl_wait(SSL *ssl, int fd, int rc, const struct timespec *d)
{
	int e = SSL_get_error(ssl, rc);
	struct pollfd p = { .fd = fd };

	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return -1;
	p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	return tr_ms_left(d) > 0 && poll(&p, 1, tr_ms_left(d)) == 1 ? 0 : -2;
}

/*
 * A resumed handshake has no signature: the session's keys come from an
 * earlier full handshake. A sealed key signs only while the PCRs hold
 * the good values, so a peer that resumes a session (TLS 1.2 session id,
 * TLS 1.3 ticket) made before the PCRs changed completes a handshake the
 * TPM would refuse, and implicit attestation says nothing. Servers then
 * offer no resumption, clients ask for none, and verifiers refuse a
 * resumed handshake as proof (SSL_session_reused) besides. No PSK
 * callbacks are set anywhere, so there is no external PSK either.
 */
void tr_ssl_ctx_no_resumption(SSL_CTX *ctx)
{
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	/* TLS 1.3 servers: not even stateful tickets. */
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_max_early_data(ctx, 0);
}
