// SPDX-License-Identifier: GPL-2.0-only
/* Asking a router to attest now (requester.h). */
#include "nms/probe/requester.h"

#include "base/errmsg.h"
#include "net/net.h"

#include <limits.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

SSL_CTX *attest_request_ctx(const char *ca_dir, char *err, size_t errlen)
{
	char crt[PATH_MAX], key[PATH_MAX];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	snprintf(crt, sizeof(crt), "%s/server.pem", ca_dir);
	snprintf(key, sizeof(key), "%s/server.key", ca_dir);
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tr_fail(err, errlen, "%s: cannot load the NMS's identity",
			ca_dir);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* The router's key on this port is a throwaway software key (its
	 * sealed key may refuse: that is when we ask). Nothing it says here
	 * is believed; the verdict comes from its quote. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	tr_ssl_ctx_no_resumption(ctx);
	return ctx;
}

enum op { CONNECT, WRITE, READ };

/*
 * One SSL call to completion within @end (READ: some bytes into @buf at
 * *@n, up to @cap): 1 done, 0 failed, -1 late.
 */
static int until(SSL *ssl, int fd, enum op op, char *buf, size_t cap, size_t *n,
		 const struct timespec *end)
{
	for (;;) {
		int r = op == CONNECT ?
				SSL_connect(ssl) :
			op == WRITE ?
				SSL_write(ssl, buf, (int)strlen(buf)) :
				SSL_read(ssl, buf + *n, (int)(cap - *n - 1)),
		    w;

		if (r > 0) {
			if (op == READ)
				*n += (size_t)r;
			return 1;
		}
		w = tr_ssl_wait(ssl, fd, r, end);
		if (w < 0)
			return w == -1 ? 0 : -1;
	}
}

int attest_request(SSL_CTX *ctx, const char *address, unsigned port,
		   const char *reason, unsigned timeout_ms, char *answer,
		   size_t len)
{
	struct timespec end = tr_deadline(timeout_ms);
	char line[160], got[64] = "";
	SSL *ssl = NULL;
	int fd, rc = -1, h;
	size_t n;

	snprintf(line, sizeof(line), "attest %.120s", reason ? reason : "");
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	strcat(line, "\n");
	fd = tr_dial(address, (unsigned short)port, &end, answer, len);
	if (fd < 0)
		return -1;
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd)) {
		tr_fail(answer, len, "out of memory");
		goto out;
	}
	h = until(ssl, fd, CONNECT, NULL, 0, NULL, &end);
	if (h <= 0) {
		unsigned long e = ERR_get_error();

		tr_fail(answer, len, "TLS handshake %s%s%s",
			h < 0 ? "timed out" : "failed", e ? ": " : "",
			e ? ERR_reason_error_string(e) : "");
		goto out;
	}
	if (until(ssl, fd, WRITE, line, 0, NULL, &end) <= 0) {
		tr_fail(answer, len, "the request could not be sent");
		goto out;
	}
	n = 0;
	while (!memchr(got, '\n', n) && n + 1 < sizeof(got))
		if (until(ssl, fd, READ, got, sizeof(got), &n, &end) <= 0)
			break;
	got[n] = 0;
	n = strcspn(got, "\r\n");
	got[n] = 0;
	if (!strcmp(got, "ok"))
		rc = 0;
	else if (!strcmp(got, "busy"))
		rc = 1;
	snprintf(answer, len, "%s", got[0] ? got : "no answer");
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return rc;
}
