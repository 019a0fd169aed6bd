// SPDX-License-Identifier: GPL-2.0-only
#include "nms/probe/prober.h"

#include "base/errmsg.h"
#include "enroll/evidence.h"
#include "net/net.h"
#include "nms/enroll/ca.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

SSL_CTX *probe_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		tr_fail(err, errlen, "%s: cannot load the NMS CA", ca_file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* The prober never offers a session: each probe is a full
	 * handshake that the router's TPM must sign now. */
	tr_ssl_ctx_no_resumption(ctx);
	return ctx;
}

const double probe_buckets[PROBE_BUCKETS] = { 0.001, 0.0025, 0.005, 0.01,
					      0.025, 0.05,   0.1,   0.25,
					      0.5,   1,	     2.5,   5 };

/* Every probe of the process, by result (relaxed atomics: any thread). */
static struct probe_histogram histograms[3];

static void histogram_add(enum probe_result r, uint64_t us)
{
	struct probe_histogram *h = &histograms[r];
	size_t i = 0;

	while (i < PROBE_BUCKETS && (double)us / 1e6 > probe_buckets[i])
		i++;
	__atomic_add_fetch(&h->bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum_us, us, __ATOMIC_RELAXED);
}

void probe_histogram_get(enum probe_result r, struct probe_histogram *out)
{
	const struct probe_histogram *h = &histograms[r];

	for (size_t i = 0; i <= PROBE_BUCKETS; i++)
		out->bucket[i] =
			__atomic_load_n(&h->bucket[i], __ATOMIC_RELAXED);
	out->count = __atomic_load_n(&h->count, __ATOMIC_RELAXED);
	out->sum_us = __atomic_load_n(&h->sum_us, __ATOMIC_RELAXED);
}

const char *probe_result_name(enum probe_result r)
{
	return r == PROBE_OK	 ? "ok" :
	       r == PROBE_FAILED ? "failed" :
				   "no answer";
}

/* The handshake within the deadline: 1 done, 0 failed, -1 timed out. */
static int handshake(SSL *ssl, int fd, const struct timespec *end)
{
	for (;;) {
		int r = SSL_connect(ssl), w;

		if (r == 1)
			return 1;
		w = tr_ssl_wait(ssl, fd, r, end);
		if (w < 0)
			return w == -1 ? 0 : -1;
	}
}

/* How far the server got: the handshake messages it sent us. */
struct progress {
	bool server_hello, certificate;
};

static void on_message(int write_p, int version, int content_type,
		       const void *buf, size_t len, SSL *ssl, void *arg)
{
	struct progress *p = arg;
	const unsigned char *b = buf;

	(void)version;
	(void)ssl;
	if (write_p || content_type != SSL3_RT_HANDSHAKE || !len)
		return;
	if (b[0] == SSL3_MT_SERVER_HELLO)
		p->server_hello = true;
	else if (b[0] == SSL3_MT_CERTIFICATE)
		p->certificate = true;
}

static void ssl_reason(char *why, size_t whylen, const char *what, SSL *ssl,
		       const struct progress *p)
{
	unsigned long e = ERR_peek_last_error();
	long v = SSL_get_verify_result(ssl);

	if (v != X509_V_OK)
		tr_fail(why, whylen, "%s: certificate: %s", what,
			X509_verify_cert_error_string(v));
	else if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
		 ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_INTERNAL_ERROR &&
		 p->server_hello)
		/* The key exchange was done (ServerHello), then the router
		 * gave up on its own side: what it does when its TPM will
		 * not sign the handshake with the sealed key, i.e. its PCRs
		 * left the state the key is sealed to. */
		tr_fail(why, whylen,
			"%s: the router could not sign with its sealed key (its TPM refused after the key exchange%s: PCRs not in the sealed state?; TLS alert: internal error)",
			what, p->certificate ? " and its certificate" : "");
	else
		tr_fail(why, whylen, "%s: %s", what,
			e ? ERR_reason_error_string(e) : "connection closed");
	ERR_clear_error();
}

static enum probe_result probe_once(SSL_CTX *ctx, const struct probe_target *t,
				    const uint8_t *policy, unsigned timeout_ms,
				    char *why, size_t whylen)
{
	struct timespec end;
	struct tr_evidence ev;
	struct progress prog = { 0 };
	enum probe_result r = PROBE_FAILED;
	X509 *peer = NULL;
	SSL *ssl = NULL;
	char msg[256];
	int fd, h;

	end = tr_deadline(timeout_ms);
	fd = tr_dial(t->address, t->port, &end, why, whylen);
	if (fd < 0)
		return PROBE_NO_ANSWER;
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || !SSL_set1_host(ssl, t->device)) {
		tr_fail(why, whylen, "out of memory");
		goto out;
	}
	SSL_set_tlsext_host_name(ssl, t->device);
	SSL_set_msg_callback(ssl, on_message);
	SSL_set_msg_callback_arg(ssl, &prog);
	h = handshake(ssl, fd, &end);
	if (h < 0) {
		/* No answer, not a failed answer: offline (which routing
		 * avoids even more than bad, so stalling gains nothing). */
		tr_fail(why, whylen, "no answer to the TLS handshake in %u ms",
			timeout_ms);
		r = PROBE_NO_ANSWER;
		goto out;
	}
	if (!h) {
		ssl_reason(why, whylen, "TLS handshake failed", ssl, &prog);
		goto out;
	}
	/* A resumed session carries no signature: whatever the router's PCRs
	 * are now, it proves nothing. Refused even though we offer none (a
	 * context set up elsewhere, a PSK callback, a future change). */
	if (SSL_session_reused(ssl)) {
		tr_fail(why, whylen,
			"TLS handshake resumed a session: no fresh signature by the sealed key, no proof");
		goto out;
	}
	/* The CA issued it for this device; its key must also be the
	 * attested, sealed one (a copied certificate with another key
	 * could not have finished the handshake anyway). */
	peer = SSL_get1_peer_certificate(ssl);
	if (!peer ||
	    tr_cert_attestation_verify(peer, policy, &ev, msg, sizeof(msg))) {
		tr_fail(why, whylen, "key attestation: %s",
			peer ? msg : "no certificate");
		goto out;
	}
	/* The NMS's own word: a decommissioned router's certificate is
	 * refused, though it chains and its key still works. */
	if (t->revoked) {
		char serial[80];
		int rv;

		nms_cert_serial_hex(peer, serial, sizeof(serial));
		rv = t->revoked(serial, t->arg);
		if (rv) {
			tr_fail(why, whylen,
				rv > 0 ?
					"certificate %s revoked by the NMS" :
					"certificate %s: the store cannot say whether it was revoked",
				serial);
			goto out;
		}
	}
	snprintf(why, whylen, "TLS %s with the sealed key of %s",
		 SSL_get_version(ssl), t->device);
	r = PROBE_OK;
	SSL_shutdown(ssl);
out:
	X509_free(peer);
	SSL_free(ssl);
	close(fd);
	return r;
}

enum probe_result probe(SSL_CTX *ctx, const struct probe_target *t,
			const uint8_t *policy, unsigned timeout_ms, char *why,
			size_t whylen)
{
	struct timespec t0, t1;
	enum probe_result r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = probe_once(ctx, t, policy, timeout_ms, why, whylen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	histogram_add(r, (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
				 (uint64_t)(t1.tv_nsec - t0.tv_nsec) / 1000);
	return r;
}
