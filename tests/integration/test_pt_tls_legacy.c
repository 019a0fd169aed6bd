// SPDX-License-Identifier: GPL-2.0-only
/*
 * The router's PT-TLS client against a TLS 1.2 server without RFC 5746
 * (no renegotiation_info in its ServerHello), as strongSwan 6.0.6's
 * charon (tnc-pdp) is. The server here is GnuTLS with
 * %DISABLE_SAFE_RENEGOTIATION: a real TLS stack that, like charon, never
 * sends the extension. It terminates TLS and relays the plaintext to the
 * NMS's own TNC server, so a whole PT-TLS/PB-TNC session runs through it.
 *  - a default OpenSSL 3 client refuses that server ("unsafe legacy
 *    renegotiation disabled"): the fixture reproduces charon's handshake;
 *  - the agent's PT-TLS client completes a session through it;
 *  - a HelloRequest from that server (a renegotiation, the attack RFC
 *    5746 is about) is refused with a no_renegotiation alert, and the
 *    session goes on.
 */
#include "nms/enroll/ca.h"
#include "nms/tnc/tnc_server.h"
#include "test_dir.h"
#include "tr_test.h"
#include "userspace/agent/tnc_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* charon's TLS: 1.2, no renegotiation_info, nothing else unusual. */
#define CHARON_LIKE "NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION"

static struct test_dir dir;
static SSL_CTX *server_ctx;
static char ca_dir[512], ca_file[512], state_dir[512];
static unsigned decided_count;

static int no_ak(const char *device, TPM2B_PUBLIC *ak, void *arg)
{
	(void)device;
	(void)ak;
	(void)arg;
	return -1;
}

static void decided(const struct tnc_session_info *s,
		    const struct nms_verdict *v, void *arg)
{
	(void)s;
	(void)v;
	(void)arg;
	__atomic_add_fetch(&decided_count, 1, __ATOMIC_SEQ_CST);
}

/* The router's state: a certificate, no usable sealed key. */
static int make_state(void)
{
	struct nms_ca ca;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	struct nms_cert_request r = { "legacy", k, NULL, 0, 1 };
	char path[600], err[256];
	X509 *x;
	FILE *f;

	if (!k || nms_ca_load(&ca, ca_dir, err, sizeof(err)) < 0)
		return -1;
	x = nms_ca_issue(&ca, &r, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/tls.crt", state_dir);
	f = fopen(path, "w");
	if (!x || !f || !PEM_write_X509(f, x))
		return -1;
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
	nms_ca_free(&ca);
	return 0;
}

static int setup(void **state)
{
	char path[600], err[256];

	(void)state;
	if (test_dir_make(&dir, "trustroute-pt-tls-legacy") < 0)
		return -1;
	test_dir_path(&dir, ca_dir, sizeof(ca_dir), "ca");
	test_dir_path(&dir, state_dir, sizeof(state_dir), "router");
	test_dir_path(&dir, ca_file, sizeof(ca_file), "ca/ca.pem");
	if (test_dir_sh(&dir, "mkdir %s %s", ca_dir, state_dir) ||
	    nms_ca_create(ca_dir, "test CA", "localhost,127.0.0.1", 1, err,
			  sizeof(err)) ||
	    make_state() < 0)
		return -1;
	server_ctx = SSL_CTX_new(TLS_server_method());
	snprintf(path, sizeof(path), "%s/server.pem", ca_dir);
	if (SSL_CTX_use_certificate_chain_file(server_ctx, path) != 1)
		return -1;
	snprintf(path, sizeof(path), "%s/server.key", ca_dir);
	if (SSL_CTX_use_PrivateKey_file(server_ctx, path, SSL_FILETYPE_PEM) !=
	    1)
		return -1;
	return gnutls_global_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	SSL_CTX_free(server_ctx);
	gnutls_global_deinit();
	return test_dir_remove(&dir);
}

/* ---- the NMS's TNC server, in process ---------------------------------- */

struct nms {
	struct tnc_server *s;
	pthread_t th;
	volatile sig_atomic_t stop;
};

static void *nms_run(void *arg)
{
	struct nms *n = arg;

	tnc_server_run(n->s, &n->stop);
	return NULL;
}

static unsigned short nms_start(struct nms *n)
{
	static const struct imv_os_policy os = { .n_products = 0 };
	static const struct imv_attest_policy attest = { 0 };
	struct tnc_server_config c = {
		.tls = { .address = "127.0.0.1",
			 .ctx = server_ctx,
			 .max_conns = 16,
			 .max_message = 1u << 20,
			 .max_outbuf = 64 * 1024,
			 .handshake_ms = 3000,
			 .idle_ms = 5000,
			 .session_ms = 10000 },
		.os_policy = &os,
		.attest_policy = &attest,
		.ak_of = no_ak,
		.decided = decided,
	};
	char err[256];

	memset(n, 0, sizeof(*n));
	n->s = tnc_server_new(&c, err, sizeof(err));
	if (!n->s)
		fail_msg("%s", err);
	assert_int_equal(pthread_create(&n->th, NULL, nms_run, n), 0);
	return tnc_server_port(n->s);
}

static void nms_stop(struct nms *n)
{
	n->stop = 1;
	pthread_join(n->th, NULL);
	tnc_server_free(n->s);
}

/* ---- the charon-like TLS 1.2 front ----------------------------------- */

struct front {
	int lfd;
	unsigned short port, nms_port; /* 0: handshake only, no relay */
	bool hello_request; /* ask for a renegotiation once relaying */
	pthread_t th;
	/* what it saw */
	int handshake; /* gnutls_handshake's result */
	int safe_reneg; /* gnutls_safe_renegotiation_status */
	bool no_reneg_alert; /* the client refused the renegotiation */
	unsigned long relayed;
};

static int tcp_to(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* All of @buf to the NMS (non-blocking): 0, or -1. */
static int nms_write(SSL *ssl, int nfd, const char *buf, int len)
{
	while (len > 0) {
		int n = SSL_write(ssl, buf, len), e;
		struct pollfd p = { nfd, 0, 0 };

		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		e = SSL_get_error(ssl, n);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return -1;
		p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		if (poll(&p, 1, 10000) <= 0)
			return -1;
	}
	return 0;
}

/*
 * Plaintext both ways between the GnuTLS session and the NMS. The NMS's
 * socket is non-blocking once connected: what makes it readable need not
 * be data. A TLS 1.3 server sends NewSessionTickets right after the
 * handshake (a KeyUpdate may come at any time); SSL_read consumes them
 * and, on a blocking socket, would then wait for data the NMS sends only
 * once the client has spoken, while the client's message waits in the
 * other socket: a deadlock until the NMS's idle deadline closes it.
 */
static void relay(struct front *f, gnutls_session_t g, int gfd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int nfd = tcp_to(f->nms_port);
	SSL *ssl = ctx && nfd >= 0 ? SSL_new(ctx) : NULL;
	bool asked = false;
	char buf[16384];

	if (!ssl || !SSL_set_fd(ssl, nfd) || SSL_connect(ssl) != 1 ||
	    fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK) < 0)
		goto out;
	for (;;) {
		struct pollfd p[2] = { { gfd, POLLIN, 0 }, { nfd, POLLIN, 0 } };
		ssize_t n;
		int r;

		if (!gnutls_record_check_pending(g) && !SSL_pending(ssl) &&
		    poll(p, 2, 10000) <= 0)
			break;
		if (gnutls_record_check_pending(g) || p[0].revents) {
			n = gnutls_record_recv(g, buf, sizeof(buf));
			if (n == GNUTLS_E_WARNING_ALERT_RECEIVED) {
				f->no_reneg_alert |= gnutls_alert_get(g) ==
						     GNUTLS_A_NO_RENEGOTIATION;
				continue;
			}
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n <= 0 || nms_write(ssl, nfd, buf, (int)n) < 0)
				break;
			f->relayed += (unsigned long)n;
		}
		if (SSL_pending(ssl) || p[1].revents) {
			r = SSL_read(ssl, buf, sizeof(buf));
			if (r <= 0 &&
			    SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ)
				continue; /* no data: a ticket, say */
			if (r <= 0 ||
			    gnutls_record_send(g, buf, (size_t)r) != r)
				break;
			f->relayed += (unsigned long)r;
			/* Once the session runs: a renegotiation, refused. */
			if (f->hello_request && !asked) {
				asked = true;
				gnutls_rehandshake(g);
			}
		}
	}
	SSL_shutdown(ssl); /* the NMS sees a close, not a TLS error */
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (nfd >= 0)
		close(nfd);
}

static void *front_run(void *arg)
{
	struct front *f = arg;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t g;
	char crt[600], key[600];
	int fd = accept(f->lfd, NULL, NULL);

	snprintf(crt, sizeof(crt), "%s/server.pem", ca_dir);
	snprintf(key, sizeof(key), "%s/server.key", ca_dir);
	if (fd < 0)
		return NULL;
	gnutls_certificate_allocate_credentials(&cred);
	f->handshake = gnutls_certificate_set_x509_key_file(
		cred, crt, key, GNUTLS_X509_FMT_PEM);
	if (f->handshake >= 0) {
		gnutls_init(&g, GNUTLS_SERVER);
		gnutls_priority_set_direct(g, CHARON_LIKE, NULL);
		gnutls_credentials_set(g, GNUTLS_CRD_CERTIFICATE, cred);
		gnutls_transport_set_int(g, fd);
		gnutls_handshake_set_timeout(g, 5000);
		do
			f->handshake = gnutls_handshake(g);
		while (f->handshake < 0 &&
		       !gnutls_error_is_fatal(f->handshake));
		if (f->handshake == 0) {
			f->safe_reneg = gnutls_safe_renegotiation_status(g);
			if (f->nms_port)
				relay(f, g, fd);
			gnutls_bye(g, GNUTLS_SHUT_WR);
		}
		gnutls_deinit(g);
	}
	gnutls_certificate_free_credentials(cred);
	close(fd);
	return NULL;
}

static void front_start(struct front *f, unsigned short nms_port,
			bool hello_request)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->handshake = 1;
	f->safe_reneg = -1;
	f->nms_port = nms_port;
	f->hello_request = hello_request;
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	getsockname(f->lfd, (struct sockaddr *)&a, &len);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->th, NULL, front_run, f), 0);
}

static void front_stop(struct front *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
}

static int run_client(unsigned short port, struct tnc_client_result *r,
		      char *err, size_t errlen)
{
	struct tnc_client_config c = { .state_dir = state_dir,
				       .nms_address = "127.0.0.1",
				       .nms_port = port,
				       .nms_name = "localhost",
				       .nms_ca = ca_file,
				       .os_root = "/",
				       .ima_log = "/dev/null",
				       .timeout_ms = 8000 };

	return tnc_client_run(&c, r, err, errlen);
}

/* What a default OpenSSL 3 client says of that server. */
static void test_default_openssl_refuses_it(void **state)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct front f;
	char why[256] = "";
	SSL *ssl;
	int fd;

	(void)state;
	front_start(&f, 0, false);
	fd = tcp_to(f.port);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	assert_int_not_equal(SSL_connect(ssl), 1);
	ERR_error_string_n(ERR_peek_error(), why, sizeof(why));
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	front_stop(&f);
	printf("# a default OpenSSL client: %s\n", why);
	assert_non_null(strstr(why, "unsafe legacy renegotiation disabled"));
}

static void test_agent_attests_through_it(void **state)
{
	struct tnc_client_result r;
	struct front f;
	struct nms n;
	char err[256];
	int rc;

	(void)state;
	decided_count = 0;
	front_start(&f, nms_start(&n), false);
	rc = run_client(f.port, &r, err, sizeof(err));
	front_stop(&f);
	nms_stop(&n);
	if (rc < 0)
		fail_msg(
			"the PT-TLS client through a server without RFC 5746: %s",
			err);
	/* It was a TLS 1.2 handshake without renegotiation_info. */
	assert_int_equal(f.handshake, 0);
	assert_int_equal(f.safe_reneg, 0);
	assert_int_equal(decided_count, 1);
	assert_int_equal(r.access, 3); /* quarantined: not enrolled */
}

static void test_renegotiation_refused(void **state)
{
	struct tnc_client_result r;
	struct front f;
	struct nms n;
	char err[256];
	int rc;

	(void)state;
	decided_count = 0;
	front_start(&f, nms_start(&n), true);
	rc = run_client(f.port, &r, err, sizeof(err));
	front_stop(&f);
	nms_stop(&n);
	if (rc < 0)
		fail_msg("%s", err);
	assert_true(f.no_reneg_alert);
	assert_int_equal(decided_count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_openssl_refuses_it),
		cmocka_unit_test(test_agent_attests_through_it),
		cmocka_unit_test(test_renegotiation_refused),
	};

	/* As the agent and nmsd do: a peer's close is an error, not a
	 * signal that kills the process. */
	signal(SIGPIPE, SIG_IGN);
	return TR_RUN(tests, setup, teardown);
}
