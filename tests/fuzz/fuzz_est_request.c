// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the EST request layer (nms_est_answer) with a real
 * enrollment behind it: an NMS CA made at start, the swtpm EK CA of
 * tests/data/tpm as the trusted TPM maker, a store in memory, TLS keys
 * required to have the software TLS key's policy. The input is byte 0
 * (bit 0: the body was over the limit), then "METHOD URL\n", then the
 * Content-Type ("\n" alone: none), then the body (none without that
 * second newline).
 *
 * Every answer is one of EST's statuses; a refusal is a text line saying
 * why; a 200 is the CA's certificates for GET /cacerts, a challenge that
 * decodes for tpm-credential, or one certificate for simpleenroll; the
 * enrollment steps are reached exactly for POSTs of a body to their
 * paths (else the answer is a routing refusal); the operation for the log
 * is the path's, or "(not EST)". abort() otherwise.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "enroll/est_certs.h"
#include "fuzz.h"
#include "nms/enroll/est_server.h"
#include "soft_tpm.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define EST "/.well-known/est/"

static struct nms_enroll_config cfg;
static struct nms_store store;
static struct nms_ca ca;
static struct nms_enroll e = { &store, &ca, &cfg };
static char dir[] = "/tmp/fuzz-est-XXXXXX", *cacerts;
static size_t cacerts_len;
static unsigned long runs;

static void cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "fuzz_est_request: %s not removed\n", dir);
}

static void open_store(void)
{
	char err[256];

	if (nms_store_open(&store, ":memory:", err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_est_request: %s\n", err);
		abort();
	}
}

static void init(void)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	char path[256], err[256];

	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/ca", dir);
	if (mkdir(path, 0700) < 0 ||
	    nms_ca_create(path, "fuzz NMS CA", "localhost", 30, err,
			  sizeof(err)) < 0 ||
	    nms_ca_load(&ca, path, err, sizeof(err)) < 0 || !sk ||
	    !sk_X509_push(sk, X509_dup(ca.cert)) ||
	    tr_est_certs_encode(sk, &cacerts, &cacerts_len, err, sizeof(err)) <
		    0) {
		fprintf(stderr, "fuzz_est_request: %s\n", err);
		abort();
	}
	sk_X509_pop_free(sk, X509_free);
	cfg.ek_roots = TR_DATA_DIR "/tpm/ek-root.pem";
	cfg.ek_intermediates = TR_DATA_DIR "/tpm/ek-intermediate.pem";
	memcpy(cfg.policy, soft_tls_policy, 32);
	snprintf(cfg.policy_desc, sizeof(cfg.policy_desc), "the fuzz policy");
	cfg.cert_days = 30;
	cfg.challenge_seconds = 300;
	open_store();
}

static void check(const struct nms_est_request *q,
		  const struct nms_est_answer *a)
{
	const char *op =
		strncmp(q->url, EST, strlen(EST)) ? NULL : q->url + strlen(EST);
	bool step =
		op && !q->too_large && !strcmp(q->method, "POST") && q->body &&
		(!strcmp(op, "tpm-credential") || !strcmp(op, "simpleenroll"));
	char err[256];

	static const char *const routing[] = {
		"not an EST path",	 "request too large", "use GET",
		"unknown EST operation", "use POST",	      "empty request",
	};
	bool routed = false;

	if (!a->type || (a->len && !a->body) || !a->op ||
	    strcmp(a->op, op ? op : "(not EST)"))
		abort();
	/* Short of an enrollment step, only routing answers. */
	for (size_t i = 0; i < sizeof(routing) / sizeof(*routing); i++)
		routed |= !strcmp(a->why, routing[i]);
	/* GET cacerts and GET crl answer without an enrollment step. */
	if (!step && !routed &&
	    !(op && !strcmp(op, "cacerts") && a->status == 200) &&
	    !(op && !strcmp(op, "crl") && a->status == 200))
		abort();
	if (step && routed)
		abort();
	switch (a->status) {
	case 200:
		break;
	case 400:
	case 403:
	case 404:
	case 405:
	case 413:
	case 415:
	case 503: /* the NMS failed; item 2 of issue 12 is about which */
		if (strcmp(a->type, "text/plain; charset=utf-8") ||
		    a->len < 2 || a->body[a->len - 1] != '\n' || !a->why[0] ||
		    memchr(a->body, '\n', a->len - 1))
			abort();
		return;
	default:
		abort();
	}
	if (!op)
		abort();
	if (!strcmp(op, "cacerts")) {
		if (a->len != cacerts_len || memcmp(a->body, cacerts, a->len))
			abort();
	} else if (!strcmp(op, "crl")) {
		const unsigned char *p = (const unsigned char *)a->body;
		X509_CRL *crl;

		/* The NMS CA's, DER, every byte of it. */
		crl = d2i_X509_CRL(NULL, &p, (long)a->len);
		if (strcmp(a->type, "application/pkix-crl") || !crl ||
		    p != (const unsigned char *)a->body + a->len)
			abort();
		X509_CRL_free(crl);
	} else if (!strcmp(op, "tpm-credential")) {
		struct tr_credential_reply r;

		if (strcmp(a->type, "application/json") ||
		    tr_credential_reply_parse(a->body, a->len, &r, err,
					      sizeof(err)))
			abort();
	} else {
		STACK_OF(X509) * sk;

		if (tr_est_certs_decode(a->body, a->len, &sk, err,
					sizeof(err)) ||
		    sk_X509_num(sk) != 1)
			abort();
		sk_X509_pop_free(sk, X509_free);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *nl, *sp, *type, *body = NULL;
	struct nms_est_request q = { 0 };
	struct nms_est_answer a;

	fuzz_quiet_tss();
	if (!cacerts)
		init();
	/* Events of refusals pile up in the store: start a new one now
	 * and then. */
	if (++runs % 4096 == 0) {
		nms_store_close(&store);
		open_store();
	}
	if (!size)
		return 0;
	in = malloc(size);
	if (!in)
		abort();
	memcpy(in, data + 1, size - 1);
	in[size - 1] = 0;
	/* The request line and the header: text up to NUL. */
	nl = memchr(in, '\n', size - 1);
	sp = nl ? memchr(in, ' ', (size_t)(nl - in)) : NULL;
	if (!sp)
		goto out;
	*sp = *nl = 0;
	type = nl + 1;
	nl = memchr(type, '\n', size - 1 - (size_t)(type - in));
	if (nl) {
		*nl = 0;
		body = nl + 1;
	}
	q.method = in;
	q.url = sp + 1;
	q.content_type = type[0] ? type : NULL;
	/* A body is what HTTP gave: not empty, NUL-terminated. */
	q.body = body && body < in + size - 1 ? body : NULL;
	q.len = q.body ? (size_t)(in + size - 1 - body) : 0;
	q.too_large = data[0] & 1;
	if (nms_est_answer(&e, cacerts, cacerts_len, &q, &a) < 0)
		abort();
	check(&q, &a);
	fuzz_sink += a.status;
	free(a.body);
out:
	free(in);
	return 0;
}
