// SPDX-License-Identifier: GPL-2.0-only
#include "userspace/agent/tls_stream.h"

#include "base/errmsg.h"
#include "net/net.h"
#include "userspace/agent/sealed_tls.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Wait for what OpenSSL asked for; 0, or -1 (failed, or the deadline). */
static int wait_io(struct tls_stream *s, int ssl_rc)
{
	return tr_ssl_wait(s->ssl, s->fd, ssl_rc, &s->deadline) ? -1 : 0;
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
	s->deadline = tr_deadline(timeout_ms);
	s->fd = tr_dial(host, port, &s->deadline, err, errlen);
	if (s->fd < 0)
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
				       tr_ms_left(&s->deadline) ?
					       "connection closed" :
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
				       tr_ms_left(&s->deadline) ?
					       "connection closed" :
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
