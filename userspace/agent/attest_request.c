// SPDX-License-Identifier: GPL-2.0-only
/* The router's request port (attest_request.h). */
#include "userspace/agent/attest_request.h"

#include "base/errmsg.h"
#include "base/fileio.h"
#include "enroll/evidence.h" /* TR_OID_KEY_ATTESTATION */
#include "net/net.h"

#include <errno.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int attest_request_parse(const char *buf, size_t len, char *reason, size_t cap,
			 char *err, size_t errlen)
{
	size_t end, n;

	reason[0] = 0;
	if (len > ATTEST_REQUEST_LINE_MAX)
		return tr_fail(err, errlen, "request: longer than %d bytes",
			       ATTEST_REQUEST_LINE_MAX);
	if (!len || buf[len - 1] != '\n')
		return tr_fail(err, errlen, "request: not one line");
	end = len - 1;
	if (end && buf[end - 1] == '\r')
		end--;
	if (end < 6 || memcmp(buf, "attest", 6) || (end > 6 && buf[6] != ' '))
		return tr_fail(err, errlen, "request: not \"attest [REASON]\"");
	for (size_t i = 6; i < end; i++)
		if ((unsigned char)buf[i] < 0x20 ||
		    (unsigned char)buf[i] > 0x7e)
			return tr_fail(err, errlen,
				       "request: byte %zu is not printable", i);
	n = end > 7 ? end - 7 : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(reason, buf + 7, n);
	reason[n] = 0;
	return 0;
}

/* A self-signed certificate for a fresh P-256 key: this port's identity,
 * which the NMS does not rely on. */
static int throwaway_identity(SSL_CTX *ctx, char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;
	int ok = k && x;

	if (ok) {
		n = X509_get_subject_name(x);
		ok = X509_set_version(x, 2) &&
		     ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
		     X509_gmtime_adj(X509_getm_notBefore(x), -60) &&
		     X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650) &&
		     X509_NAME_add_entry_by_txt(
			     n, "CN", MBSTRING_ASC,
			     (const unsigned char *)"trustroute request port",
			     -1, -1, 0) &&
		     X509_set_issuer_name(x, n) && X509_set_pubkey(x, k) &&
		     X509_sign(x, k, EVP_sha256()) > 0 &&
		     SSL_CTX_use_certificate(ctx, x) == 1 &&
		     SSL_CTX_use_PrivateKey(ctx, k) == 1;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	return ok ? 0 :
		    tr_fail(err, errlen, "cannot make the request port's key");
}

/* A router's certificate carries its key attestation; the NMS's not. */
static int not_a_router(int ok, X509_STORE_CTX *ctx)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
	ASN1_OBJECT *oid;
	int depth = X509_STORE_CTX_get_error_depth(ctx);

	if (!ok || depth != 0 || !cert)
		return ok;
	oid = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1);
	if (oid && X509_get_ext_by_OBJ(cert, oid, -1) >= 0) {
		X509_STORE_CTX_set_error(ctx,
					 X509_V_ERR_APPLICATION_VERIFICATION);
		ok = 0;
	}
	ASN1_OBJECT_free(oid);
	return ok;
}

static SSL_CTX *server_ctx(const struct request_config *c, char *err,
			   size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	X509_VERIFY_PARAM *p;

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    throwaway_identity(ctx, err, errlen) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_load_verify_locations(ctx, c->nms_ca, NULL) != 1) {
		tr_fail(err, errlen, "%s: cannot load the NMS CA", c->nms_ca);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Only the NMS asks: its certificate (a TLS server's, for its
	 * name) from the CA we enrolled with, or no handshake. */
	p = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set1_host(p, c->nms_name, 0);
	SSL_CTX_set_verify(ctx,
			   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   not_a_router);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	return ctx;
}

/* One connection: the handshake, one line, one answer, close. */
static void serve_one(SSL_CTX *ctx, int fd, attest_request_fn *fn, void *arg)
{
	struct timeval tv = { .tv_sec = 5 };
	char line[ATTEST_REQUEST_LINE_MAX + 1], reason[ATTEST_REASON_MAX],
		why[256];
	const char *answer = NULL;
	SSL *ssl = SSL_new(ctx);
	size_t n = 0;

	/* A client that stalls cannot hold the port for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1) {
		unsigned long e = ERR_peek_last_error();

		fprintf(stderr, "request: refused: %s\n",
			e ? ERR_reason_error_string(e) : "connection closed");
		goto out;
	}
	while (n < sizeof(line) - 1 && !memchr(line, '\n', n)) {
		int r = SSL_read(ssl, line + n, (int)(sizeof(line) - 1 - n));

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (attest_request_parse(line, n, reason, sizeof(reason), why,
				 sizeof(why)) < 0) {
		fprintf(stderr, "request: %s\n", why);
		answer = "error\n";
	} else {
		answer = fn(reason, arg) ? "busy\n" : "ok\n";
		fprintf(stderr, "request: attest (%s): %s", reason, answer);
	}
	SSL_write(ssl, answer, (int)strlen(answer));
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
}

int attest_request_run(const struct request_config *c,
		       volatile sig_atomic_t *stop, attest_request_fn *fn,
		       void *arg, char *err, size_t errlen)
{
	SSL_CTX *ctx = server_ctx(c, err, errlen);
	struct pollfd p = { .events = POLLIN };
	unsigned short bound;
	char port[16];

	if (!ctx)
		return -1;
	p.fd = tr_listen(c->address, c->port, 16, false, &bound, err, errlen);
	if (p.fd < 0) {
		SSL_CTX_free(ctx);
		return -1;
	}
	snprintf(port, sizeof(port), "%u\n", bound);
	if (c->port_file &&
	    write_file_atomic(c->port_file, port, strlen(port), 0644) < 0) {
		tr_fail(err, errlen, "%s: %s", c->port_file, strerror(errno));
		close(p.fd);
		SSL_CTX_free(ctx);
		return -1;
	}
	while (!*stop) {
		int fd;

		if (poll(&p, 1, 200) != 1)
			continue;
		fd = accept(p.fd, NULL, NULL);
		if (fd >= 0)
			serve_one(ctx, fd, fn, arg);
	}
	close(p.fd);
	SSL_CTX_free(ctx);
	return 0;
}
