// SPDX-License-Identifier: GPL-2.0-only
#include "userspace/agent/attest_endpoint.h"

#include "base/errmsg.h"
#include "base/log.h"
#include "base/notify.h"
#include "base/ratelimit.h"
#include "base/fileio.h"
#include "net/net.h"
#include "userspace/agent/sealed_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int listen_on(const struct endpoint_config *c, char *err, size_t errlen)
{
	unsigned short bound;
	char port[16];
	int fd = tr_listen(c->address, c->port, 16, false, &bound, err, errlen);

	if (fd < 0)
		return -1;
	snprintf(port, sizeof(port), "%u\n", bound);
	if (c->port_file &&
	    write_file_atomic(c->port_file, port, strlen(port), 0644) < 0) {
		close(fd);
		return tr_fail(err, errlen, "%s: %s", c->port_file,
			       strerror(errno));
	}
	return fd;
}

/* One connection: the handshake (the TPM signs), one line, close. */
/* Failed handshakes: anyone who can connect can cause them, so 10 lines
 * at once, then 1 a second, and a count of the rest. */
static struct tr_ratelimit failures = TR_RATELIMIT_INIT("endpoint", 10, 1);

static void peer_name(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	snprintf(out, len, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out,
			  (socklen_t)len);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  out, (socklen_t)len);
}

static void serve_one(SSL_CTX *ctx, int fd, const char *cn)
{
	struct timeval tv = { .tv_sec = 5 };
	SSL *ssl = SSL_new(ctx);
	char line[96];

	/* A client that stalls cannot hold the endpoint for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (ssl && SSL_set_fd(ssl, fd) && SSL_accept(ssl) == 1) {
		snprintf(line, sizeof(line), "trustroute %s\n", cn);
		SSL_write(ssl, line, (int)strlen(line));
		SSL_shutdown(ssl);
	} else {
		char why[256], peer[INET6_ADDRSTRLEN];

		/* The log says why, every reason on the queue: "PCR policy
		 * not satisfied" when the router left its good state. */
		sealed_tls_errors(why, sizeof(why));
		peer_name(fd, peer, sizeof(peer));
		tr_log_limited(&failures, TR_LOG_WARN, "endpoint",
			       "handshake with %s failed: %s", peer,
			       why[0] ? why : "connection closed");
	}
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
}

int endpoint_run(const struct endpoint_config *c, volatile sig_atomic_t *stop,
		 char *err, size_t errlen)
{
	SSL_CTX *ctx = sealed_tls_ctx(TLS_server_method(), c->state_dir, NULL,
				      err, errlen);
	char cn[80] = "";
	struct pollfd p = { .events = POLLIN };

	if (!ctx)
		return -1;
	X509_NAME_get_text_by_NID(
		X509_get_subject_name(SSL_CTX_get0_certificate(ctx)),
		NID_commonName, cn, sizeof(cn));
	p.fd = listen_on(c, err, errlen);
	if (p.fd < 0) {
		SSL_CTX_free(ctx);
		return -1;
	}
	if (c->notify_ready)
		tr_notify("READY=1");
	while (!*stop) {
		int fd;

		if (poll(&p, 1, 200) != 1) {
			tr_log_flush(&failures);
			continue;
		}
		fd = accept(p.fd, NULL, NULL);
		if (fd >= 0)
			serve_one(ctx, fd, cn);
	}
	close(p.fd);
	SSL_CTX_free(ctx);
	return 0;
}
