// SPDX-License-Identifier: GPL-2.0-only
#include "tls_stream.h"

#include "errmsg.h"
#include "sealed_tls.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int left_ms(const struct tls_stream *s)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (s->deadline.tv_sec - now.tv_sec) * 1000 +
	     (s->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Wait for what OpenSSL asked for; 0, or -1 at the deadline. */
static int wait_io(struct tls_stream *s, int ssl_rc)
{
	int e = SSL_get_error(s->ssl, ssl_rc);
	struct pollfd p = { .fd = s->fd };

	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return -1;
	p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	return poll(&p, 1, left_ms(s)) == 1 ? 0 : -1;
}

static int dial(struct tls_stream *s, const char *host, unsigned short port,
		char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int v6 = inet_pton(AF_INET6, host, &a6.sin6_addr) == 1, e = 0;
	socklen_t elen = sizeof(e);
	struct pollfd p = { .events = POLLOUT };

	if (!v6 && inet_pton(AF_INET, host, &a4.sin_addr) != 1)
		return tr_fail(err, errlen, "%s: not an IP address", host);
	p.fd = socket(v6 ? AF_INET6 : AF_INET,
		      SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p.fd < 0)
		return tr_fail(err, errlen, "socket: %s", strerror(errno));
	if (connect(p.fd, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
		    v6 ? sizeof(a6) : sizeof(a4)) < 0 &&
	    errno != EINPROGRESS)
		e = errno;
	else if (poll(&p, 1, left_ms(s)) != 1)
		e = ETIMEDOUT;
	else
		getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &e, &elen);
	if (e) {
		close(p.fd);
		return tr_fail(err, errlen, "%s port %u: %s", host, port,
			       strerror(e));
	}
	s->fd = p.fd;
	return 0;
}

/* The server's certificate must name @name: a DNS name, or an IP
 * address (then an iPAddress entry, and no SNI). */
static int expect_name(SSL *ssl, const char *name)
{
	struct in6_addr a;

	if (inet_pton(AF_INET, name, &a) == 1 ||
	    inet_pton(AF_INET6, name, &a) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
	return SSL_set1_host(ssl, name) && SSL_set_tlsext_host_name(ssl, name);
}

int tls_stream_open(struct tls_stream *s, SSL_CTX *ctx, const char *host,
		    unsigned short port, const char *server_name,
		    unsigned timeout_ms, char *err, size_t errlen)
{
	char why[256];
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += timeout_ms / 1000;
	s->deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (s->deadline.tv_nsec >= 1000000000) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000;
	}
	if (dial(s, host, port, err, errlen) < 0)
		return -1;
	s->ssl = SSL_new(ctx);
	if (!s->ssl || !SSL_set_fd(s->ssl, s->fd) ||
	    !expect_name(s->ssl, server_name)) {
		tls_stream_close(s);
		return tr_fail(err, errlen, "out of memory");
	}
	while ((r = SSL_connect(s->ssl)) != 1)
		if (wait_io(s, r) < 0) {
			sealed_tls_errors(why, sizeof(why));
			tls_stream_close(s);
			return tr_fail(err, errlen, "TLS to %s: %s", host,
				       why[0] ? why : "timed out or closed");
		}
	return 0;
}

int tls_stream_send(struct tls_stream *s, const uint8_t *buf, size_t len,
		    char *err, size_t errlen)
{
	while (len) {
		int n = SSL_write(s->ssl, buf, (int)len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (wait_io(s, n) < 0) {
			return tr_fail(err, errlen, "sending: %s",
				       left_ms(s) ? "connection closed" :
						    "timed out");
		}
	}
	return 0;
}

int tls_stream_recv(struct tls_stream *s, tls_frame_fn *frame, size_t max,
		    const uint8_t **msg, size_t *len, char *err, size_t errlen)
{
	long n;

	/* Drop the message returned last time. */
	if (s->returned) {
		memmove(s->buf, s->buf + s->returned, s->len - s->returned);
		s->len -= s->returned;
		s->returned = 0;
	}
	for (;;) {
		int r;

		n = frame(s->buf, s->len, max);
		if (n < 0)
			return tr_fail(err, errlen, "malformed message");
		if (n > 0)
			break;
		if (s->len >= max)
			return tr_fail(err, errlen, "message over %zu bytes",
				       max);
		if (s->cap < max) {
			uint8_t *p = realloc(s->buf, max);

			if (!p)
				return tr_fail(err, errlen, "out of memory");
			s->buf = p;
			s->cap = max;
		}
		r = SSL_read(s->ssl, s->buf + s->len, (int)(s->cap - s->len));
		if (r > 0)
			s->len += (size_t)r;
		else if (wait_io(s, r) < 0)
			return tr_fail(err, errlen, "receiving: %s",
				       left_ms(s) ? "connection closed" :
						    "timed out");
	}
	*msg = s->buf;
	*len = s->returned = (size_t)n;
	return 0;
}

void tls_stream_close(struct tls_stream *s)
{
	if (s->ssl) {
		SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
