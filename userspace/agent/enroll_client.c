// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zero-touch enrollment, the router's side: keys, the credential round
 * trip, the CSR with evidence, the certificate.
 */
#include "userspace/agent/enroll_client.h"

#include "enroll/evidence.h"
#include "enroll/wire.h"
#include "base/errmsg.h"
#include "base/log.h"
#include "enroll/est_certs.h"
#include "base/fileio.h"
#include "userspace/agent/http_client.h"
#include "tpm/certify.h"
#include "tpm/credential.h"
#include "enroll/csr.h"
#include "tpm/ek.h"
#include "tpm/sealed_key.h"
#include "tpm/convert.h"

#include <errno.h>
#include <limits.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EST "/.well-known/est/"

struct keys {
	TPM2B_PUBLIC ak_pub, key_pub;
	TPM2B_PRIVATE ak_priv, key_priv;
	struct tr_pcr_values pcrs;
};

static void state_path(const struct enroll_config *c, const char *name,
		       char *out, size_t len)
{
	snprintf(out, len, "%s/%s", c->state_dir, name);
}

/* The certificates of @sk as PEM in state file @name. */
static int write_certs(const struct enroll_config *c, const char *name,
		       STACK_OF(X509) * sk, char *err, size_t errlen)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char path[PATH_MAX];
	BUF_MEM *bm;
	int rc = -1;

	for (int i = 0; mem && i < sk_X509_num(sk); i++)
		PEM_write_bio_X509(mem, sk_X509_value(sk, i));
	state_path(c, name, path, sizeof(path));
	if (!mem || !BIO_get_mem_ptr(mem, &bm) ||
	    write_file_atomic(path, bm->data, bm->length, 0644) < 0)
		tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	else
		rc = 0;
	BIO_free(mem);
	return rc;
}

/* Read key file @name, or make it and store it first. */
static int key_file(struct tr_tpm *t, const struct enroll_config *c,
		    const char *name, bool sealed, struct keys *k, char *err,
		    size_t errlen)
{
	char path[PATH_MAX], *pem = NULL;
	size_t len;
	int rc;

	state_path(c, name, path, sizeof(path));
	rc = tr_keyfile_load(path, sealed ? &k->key_pub : &k->ak_pub,
			     sealed ? &k->key_priv : &k->ak_priv,
			     sealed ? &k->pcrs : NULL, err, errlen);
	if (rc <= 0)
		return rc; /* made before, or unreadable */
	if (sealed) {
		/* First boot: the PCRs as they are now are the good state. */
		k->pcrs = c->pcrs;
		rc = tr_sealed_key_create_pcr(t, c->alg, &k->pcrs, &pem, &len,
					      err, errlen);
	} else {
		struct tr_keyfile kf = { 0 };

		rc = tr_ak_create(t, &k->ak_pub, &k->ak_priv, err, errlen);
		if (!rc)
			rc = tr_keyfile_pem(&kf, &k->ak_pub, &k->ak_priv, &pem,
					    &len, err, errlen);
	}
	if (!rc && write_file_atomic(path, pem, len, 0600) < 0)
		rc = tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	free(pem);
	if (rc || !sealed)
		return rc;
	/* Read back what was stored: what the NMS certifies is the file. */
	return key_file(t, c, name, sealed, k, err, errlen);
}

static void url(const struct enroll_config *c, const char *op, char *out,
		size_t len)
{
	snprintf(out, len, "%s" EST "%s", c->nms_url, op);
}

#define NAME_CONFLICT (-3)

/*
 * An answer's status as a result: 0 done, -1 refused (start again), -2
 * retry, NAME_CONFLICT (stop: no retry can help).
 */
static int classify(const struct http_answer *a, const char *what, char *err,
		    size_t errlen)
{
	if (a->status == 200)
		return 0;
	tr_fail(err, errlen, "%s: HTTP %ld: %.*s", what, a->status,
		(int)strcspn(a->body, "\n"), a->body);
	/* Asking again, however often, cannot free a name another TPM
	 * holds: it would only fill the NMS's log. */
	if (a->status == 403 &&
	    !strcmp(a->refusal, TR_EST_REFUSAL_NAME_CONFLICT))
		return NAME_CONFLICT;
	return a->status >= 400 && a->status < 500 ? -1 : -2;
}

static int get_cacerts(const struct enroll_config *c, char *err, size_t errlen)
{
	struct http_answer *a = malloc(sizeof(*a));
	STACK_OF(X509) *sk = NULL;
	char u[PATH_MAX];
	int rc = -2;

	url(c, "cacerts", u, sizeof(u));
	if (!a || http_request(u, c->nms_ca, NULL, NULL, 0, a, err, errlen) < 0)
		goto out;
	rc = classify(a, "cacerts", err, errlen);
	if (!rc &&
	    (tr_est_certs_decode(a->body, a->len, &sk, err, errlen) < 0 ||
	     write_certs(c, "nms-ca.pem", sk, err, errlen) < 0))
		rc = -2;
out:
	sk_X509_pop_free(sk, X509_free);
	free(a);
	return rc;
}

/* Round 1: EK certificate, EK and AK; the NMS's credential challenge. */
static int get_challenge(struct tr_tpm *t, const struct enroll_config *c,
			 const struct keys *k, struct tr_credential_reply *rep,
			 char *err, size_t errlen)
{
	struct tr_credential_request *req = calloc(1, sizeof(*req));
	struct http_answer *a = malloc(sizeof(*a));
	uint8_t *cert = NULL;
	ESYS_TR ek = ESYS_TR_NONE;
	char u[PATH_MAX], *json = NULL;
	int rc = -2;

	if (!req || !a)
		goto out;
	snprintf(req->device, sizeof(req->device), "%s", c->device);
	snprintf(req->endpoint_address, sizeof(req->endpoint_address), "%s",
		 c->endpoint_address ? c->endpoint_address : "");
	req->endpoint_port = c->endpoint_port;
	req->request_port = c->request_port;
	for (size_t i = 0; i < c->n_route_addrs && i < TR_ROUTE_ADDRS_MAX; i++)
		snprintf(req->route_addrs[req->n_route_addrs++],
			 sizeof(req->route_addrs[0]), "%s", c->route_addrs[i]);
	req->ak_pub = k->ak_pub;
	if (tr_ek_cert_read(t, &cert, &req->ek_cert_len, err, errlen) < 0 ||
	    req->ek_cert_len > sizeof(req->ek_cert) ||
	    tr_ek_create(t, &ek, &req->ek_pub, err, errlen) < 0)
		goto out;
	memcpy(req->ek_cert, cert, req->ek_cert_len);
	json = tr_credential_request_json(req);
	url(c, "tpm-credential", u, sizeof(u));
	if (!json || http_request(u, c->nms_ca, "application/json", json,
				  strlen(json), a, err, errlen) < 0)
		goto out;
	rc = classify(a, "tpm-credential", err, errlen);
	if (!rc &&
	    tr_credential_reply_parse(a->body, a->len, rep, err, errlen) < 0)
		rc = -2;
out:
	if (ek != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, ek);
	free(cert);
	free(json);
	free(req);
	free(a);
	return rc;
}

/* The evidence for the challenge: activate, certify. */
static int make_evidence(struct tr_tpm *t, const struct keys *k,
			 const struct tr_credential_reply *rep,
			 struct tr_evidence *ev, char *err, size_t errlen)
{
	TPM2B_DATA nonce = { .size = sizeof(rep->nonce) };

	memset(ev, 0, sizeof(*ev));
	memcpy(nonce.buffer, rep->nonce, sizeof(rep->nonce));
	ev->nonce = nonce;
	ev->ak_pub = k->ak_pub;
	ev->key_pub = k->key_pub;
	if (tr_activate_credential(t, &k->ak_pub, &k->ak_priv, &rep->credential,
				   &rep->secret, &ev->secret, err, errlen) < 0)
		return -1;
	return tr_certify(t, &k->ak_pub, &k->ak_priv, &k->key_pub, &k->key_priv,
			  &nonce, &ev->attest, &ev->sig, err, errlen);
}

/* The certificate in @a is for our key: store it (last: "enrolled"). */
static int store_cert(const struct enroll_config *c, const struct keys *k,
		      const struct http_answer *a, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = NULL;
	EVP_PKEY *ours = NULL;
	int rc = -1;

	if (tr_est_certs_decode(a->body, a->len, &sk, err, errlen) < 0)
		goto out;
	ours = tr_tpm_public_to_evp(&k->key_pub, err, errlen);
	/* A certificate for another key would make the router unable to
	 * complete any handshake: refuse it here. */
	if (!ours || sk_X509_num(sk) != 1 ||
	    EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(sk, 0)), ours) != 1) {
		tr_fail(err, errlen,
			"the NMS returned a certificate for another key");
		goto out;
	}
	rc = write_certs(c, "tls.crt", sk, err, errlen);
out:
	EVP_PKEY_free(ours);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

/* Round 2: the CSR, signed in the TPM, with the evidence. */
static int enroll_csr(struct tr_tpm *t, const struct enroll_config *c,
		      const struct keys *k, const struct tr_evidence *ev,
		      char *err, size_t errlen)
{
	struct http_answer *a = malloc(sizeof(*a));
	struct tr_key key;
	X509_REQ *req = NULL;
	char u[PATH_MAX], *b64 = NULL;
	size_t len;
	int rc = -2, sign_rc = 0;

	if (!a || tr_key_load_pcr(t, &k->key_pub, &k->key_priv, &k->pcrs, &key,
				  err, errlen) < 0)
		goto out;
	req = tr_csr_create(&key, c->device, ev, &sign_rc, err, errlen);
	tr_key_unload(&key);
	/* The PCRs are not the good state: no certificate for this key,
	 * ever, unless they come back. */
	if (!req) {
		rc = sign_rc == TR_ERR_POLICY ? -1 : -2;
		goto out;
	}
	url(c, "simpleenroll", u, sizeof(u));
	if (tr_est_csr_encode(req, &b64, &len, err, errlen) < 0 ||
	    http_request(u, c->nms_ca, "application/pkcs10", b64, len, a, err,
			 errlen) < 0)
		goto out;
	rc = classify(a, "simpleenroll", err, errlen);
	if (!rc && store_cert(c, k, a, err, errlen) < 0)
		rc = -2;
out:
	X509_REQ_free(req);
	free(b64);
	free(a);
	return rc;
}

static bool enrolled(const struct enroll_config *c, const struct keys *k)
{
	char path[PATH_MAX];
	EVP_PKEY *ours;
	X509 *cert = NULL;
	FILE *f;
	bool ok;

	state_path(c, "tls.crt", path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return false;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ours = tr_tpm_public_to_evp(&k->key_pub, NULL, 0);
	ok = cert && ours && EVP_PKEY_eq(X509_get0_pubkey(cert), ours) == 1;
	EVP_PKEY_free(ours);
	X509_free(cert);
	return ok;
}

/* Exponential backoff with jitter, so routers that rebooted together
 * (a power cut) do not come back to the NMS in step. */
static void backoff(const struct enroll_config *c, int attempt, long hint_s)
{
	unsigned long ms = c->backoff_ms;
	unsigned r = 0;
	struct timespec ts;

	for (int i = 0; i < attempt && ms < c->backoff_max_ms; i++)
		ms *= 2;
	if (ms > c->backoff_max_ms)
		ms = c->backoff_max_ms;
	RAND_bytes((unsigned char *)&r, sizeof(r));
	ms = ms / 2 + (ms / 2 ? r % (ms / 2 + 1) : 0);
	if (hint_s > 0 && (unsigned long)hint_s * 1000 < c->backoff_max_ms &&
	    (unsigned long)hint_s * 1000 > ms)
		ms = (unsigned long)hint_s * 1000;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int enroll_run(const struct enroll_config *c, char *err, size_t errlen)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	struct keys k;
	struct tr_tpm t;
	int rc = -1, attempt = 0;
	bool have_evidence = false;

	if (tr_tpm_open(&t, c->tcti, err, errlen) < 0)
		return -1;
	if (key_file(&t, c, "ak.tss", false, &k, err, errlen) < 0 ||
	    key_file(&t, c, "tls.key", true, &k, err, errlen) < 0)
		goto out;
	if (enrolled(c, &k)) {
		rc = 0;
		goto out;
	}
	for (;; attempt++) {
		int r;

		if (c->max_attempts && attempt >= c->max_attempts)
			break;
		if (attempt)
			backoff(c, attempt - 1, 0);
		r = get_cacerts(c, err, errlen);
		/* The same evidence again after an NMS failure: its
		 * challenge may still be there (nothing was committed). */
		if (!r && !have_evidence) {
			r = get_challenge(&t, c, &k, &rep, err, errlen);
			if (!r)
				r = make_evidence(&t, &k, &rep, &ev, err,
						  errlen) ?
					    -2 :
					    0;
			have_evidence = !r;
		}
		if (!r)
			r = enroll_csr(&t, c, &k, &ev, err, errlen);
		if (!r) {
			tr_log(TR_LOG_NOTICE, "enroll", "attempt %d: enrolled",
			       attempt + 1);
			rc = 0;
			break;
		}
		tr_log(TR_LOG_WARN, "enroll", "attempt %d: %s", attempt + 1,
		       err);
		if (r == NAME_CONFLICT) {
			rc = ENROLL_NAME_CONFLICT;
			break;
		}
		/* Refused: start again with a new challenge (a used one
		 * is gone for good). */
		if (r == -1)
			have_evidence = false;
	}
out:
	OPENSSL_cleanse(&ev, sizeof(ev));
	tr_tpm_close(&t);
	return rc;
}
