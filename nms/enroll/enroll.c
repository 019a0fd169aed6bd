// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zero-touch enrollment decisions; see enroll.h for the order of checks.
 */
#include "nms/enroll/enroll.h"

#include "enroll/evidence.h"
#include "base/errmsg.h"
#include "nms/store/store_enroll.h"
#include "tpm/certify.h"
#include "tpm/credential.h"
#include "tpm/ek.h"
#include "tpm/convert.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_mu.h>

/*
 * Fault injection for the crash tests: TRUSTROUTE_NMS_CRASH=<point> makes
 * the NMS kill itself (SIGKILL, no clean-up) at that point of an
 * enrollment, as a power cut or an OOM kill would.
 */
static void crash_point(const char *point)
{
	const char *want = getenv("TRUSTROUTE_NMS_CRASH");

	if (want && !strcmp(want, point))
		raise(SIGKILL);
}

/* A refusal: logged (best effort: the answer matters more) and returned. */
static int refuse(struct nms_enroll *e, int64_t device_id, char *err,
		  size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int refuse(struct nms_enroll *e, int64_t device_id, char *err,
		  size_t errlen, const char *fmt, ...)
{
	char ignored[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	nms_store_event(e->store, device_id, "enroll-refused", err, ignored,
			sizeof(ignored));
	return NMS_ENROLL_REFUSED;
}

/* Names go into certificates and logs: a plain host name only. */
static bool device_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= TR_DEVICE_NAME_MAX &&
	       tr_host_name_span((const uint8_t *)s, n) == n;
}

struct blobs {
	uint8_t ek_pub[sizeof(TPM2B_PUBLIC)], ak_pub[sizeof(TPM2B_PUBLIC)];
	size_t ek_pub_len, ak_pub_len;
	TPM2B_NAME ek_name, ak_name;
};

struct credential_tx {
	struct nms_enroll *e;
	const struct tr_credential_request *req;
	const struct blobs *b;
	const struct tr_credential_reply *reply;
	const uint8_t *secret_hash;
	int64_t device_id;
};

static int credential_tx(struct nms_store *s, void *arg, char *err,
			 size_t errlen)
{
	struct credential_tx *a = arg;
	const struct blobs *b = a->b;
	struct nms_challenge c = { .expires = a->reply->expires };

	a->device_id = nms_store_device_for_ek(
		s, a->req->device,
		(struct nms_blob){ b->ek_name.name, b->ek_name.size },
		(struct nms_blob){ b->ek_pub, b->ek_pub_len },
		(struct nms_blob){ a->req->ek_cert, a->req->ek_cert_len }, err,
		errlen);
	if (a->device_id < 0)
		return -1;
	c.device_id = a->device_id;
	c.ak_id = nms_store_ak(
		s, a->device_id,
		(struct nms_blob){ b->ak_name.name, b->ak_name.size },
		(struct nms_blob){ b->ak_pub, b->ak_pub_len }, err, errlen);
	if (c.ak_id < 0)
		return -1;
	memcpy(c.secret_hash, a->secret_hash, 32);
	if (nms_store_challenge_add(s,
				    (struct nms_blob){ a->reply->nonce,
						       sizeof(a->reply->nonce) },
				    &c, err, errlen) < 0)
		return -1;
	return nms_store_event(s, a->device_id, "challenge",
			       "credential challenge issued", err, errlen) < 0 ?
		       -1 :
		       0;
}

int nms_enroll_credential(struct nms_enroll *e,
			  const struct tr_credential_request *req,
			  struct tr_credential_reply *reply, char *err,
			  size_t errlen)
{
	uint8_t secret[32], secret_hash[32];
	struct blobs b = { 0 };
	struct credential_tx tx = { e, req, &b, reply, secret_hash, 0 };
	char why[256];

	if (!device_name_ok(req->device))
		return refuse(e, 0, err, errlen,
			      "device name: 1-63 letters, digits, '-' or '.'");
	/* (a) a genuine TPM: the manufacturer vouches for this EK, and its
	 * area is exactly its template's. */
	if (tr_ek_cert_verify(req->ek_cert, req->ek_cert_len,
			      &(struct tr_ek_trust){ e->cfg->ek_roots,
						     e->cfg->ek_intermediates,
						     NULL },
			      &req->ek_pub, why, sizeof(why)) < 0)
		return refuse(e, 0, err, errlen, "%s: %s", req->device, why);
	if (tr_ak_check_public(&req->ak_pub, why, sizeof(why)) < 0)
		return refuse(e, 0, err, errlen, "%s: %s", req->device, why);
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&req->ek_pub, b.ek_pub,
					 sizeof(b.ek_pub), &b.ek_pub_len) ||
	    Tss2_MU_TPM2B_PUBLIC_Marshal(&req->ak_pub, b.ak_pub,
					 sizeof(b.ak_pub), &b.ak_pub_len) ||
	    tr_tpm_name(&req->ek_pub, &b.ek_name) < 0 ||
	    tr_tpm_name(&req->ak_pub, &b.ak_name) < 0)
		return refuse(e, 0, err, errlen, "%s: bad EK or AK public area",
			      req->device);

	/* (b), first half: a secret only the EK's TPM can unwrap, and only
	 * for an object named like this AK. */
	if (RAND_bytes(secret, sizeof(secret)) != 1 ||
	    RAND_bytes(reply->nonce, sizeof(reply->nonce)) != 1) {
		snprintf(err, errlen, "no randomness");
		return NMS_ENROLL_ERROR;
	}
	SHA256(secret, sizeof(secret), secret_hash);
	reply->expires = (int64_t)time(NULL) + e->cfg->challenge_seconds;
	if (tr_make_credential(&req->ek_pub, &b.ak_name, secret, sizeof(secret),
			       &reply->credential, &reply->secret, why,
			       sizeof(why)) < 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return refuse(e, 0, err, errlen, "%s: %s", req->device, why);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	if (nms_store_tx(e->store, credential_tx, &tx, why, sizeof(why)) < 0) {
		/* The store refuses a second identity for one TPM; anything
		 * else is the NMS's own failure. */
		if (strstr(why, "already enrolled"))
			return refuse(e, 0, err, errlen, "%s: %s", req->device,
				      why);
		snprintf(err, errlen, "store: %s", why);
		return NMS_ENROLL_ERROR;
	}
	crash_point("challenge-stored");
	return 0;
}

/* Step 2. Checks that need no state come first, then one transaction. */
struct csr_tx {
	struct nms_enroll *e;
	X509_REQ *req;
	EVP_PKEY *pub;
	const struct tr_evidence *ev;
	X509 *cert;
	char refusal[256]; /* set: refused, but commit (challenge used) */
	int64_t device_id;
};

static int csr_refuse(struct csr_tx *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int csr_refuse(struct csr_tx *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->refusal, sizeof(a->refusal), fmt, ap);
	va_end(ap);
	return 0;
}

static bool cn_is(X509_REQ *req, const char *name)
{
	X509_NAME *subj = X509_REQ_get_subject_name(req);
	char cn[80];
	int len;

	/* Exactly one CN, equal to the enrolled name: a certificate must
	 * not name a device the TPM did not enroll as. */
	if (X509_NAME_entry_count(subj) != 1)
		return false;
	len = X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn));
	return len > 0 && (size_t)len == strlen(name) && !strcmp(cn, name);
}

static int csr_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct csr_tx *a = arg;
	const struct tr_evidence *ev = a->ev;
	const struct nms_enroll_config *cfg = a->e->cfg;
	struct nms_challenge c;
	uint8_t hash[32], ak_name[sizeof(TPM2B_NAME)];
	uint8_t key_pub[sizeof(TPM2B_PUBLIC)], *der = NULL, *att = NULL;
	struct tr_evidence kat = *ev;
	TPM2B_NAME name, key_name;
	char device[64], serial[64], why[256];
	size_t key_pub_len = 0, ek_len, att_len;
	int n, der_len;
	int64_t key_id;

	/* (d) fresh: the challenge is live, and this consumes it. */
	if (nms_store_challenge_take(
		    s, (struct nms_blob){ ev->nonce.buffer, ev->nonce.size },
		    (int64_t)time(NULL), &c, why, sizeof(why)) < 0)
		return csr_refuse(a, "%s", why);
	a->device_id = c.device_id;
	if (nms_store_device_get(s, c.device_id, device, sizeof(device),
				 kat.ek_name.name, sizeof(kat.ek_name.name),
				 &ek_len) < 0)
		return tr_fail(err, errlen, "the challenge's device is gone");
	kat.ek_name.size = (UINT16)ek_len;
	/* (b) the AK is in the EK's TPM: only that TPM could unwrap the
	 * secret, and only for this AK. */
	SHA256(ev->secret.buffer, ev->secret.size, hash);
	if (CRYPTO_memcmp(hash, c.secret_hash, 32))
		return csr_refuse(
			a,
			"%s: credential not activated: the AK is not in the TPM of the enrolled EK",
			device);
	n = nms_store_ak_name(s, c.ak_id, ak_name, sizeof(ak_name));
	if (tr_tpm_name(&ev->ak_pub, &name) < 0 || n != name.size ||
	    memcmp(ak_name, name.name, name.size))
		return csr_refuse(
			a,
			"%s: the key is certified by another AK than the one activated (key from another TPM)",
			device);
	if (!cn_is(a->req, device))
		return csr_refuse(a, "%s: the CSR's subject is not CN=%s",
				  device, device);

	/* Everything holds: issue, and record it with the keys. */
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&ev->key_pub, key_pub, sizeof(key_pub),
					 &key_pub_len) ||
	    tr_tpm_name(&ev->key_pub, &key_name) < 0)
		return tr_fail(err, errlen, "cannot marshal the TLS key");
	if (nms_store_ak_activated(s, c.ak_id, (int64_t)time(NULL), err,
				   errlen) < 0)
		return -1;
	key_id = nms_store_tls_key(s, c.device_id,
				   (struct nms_blob){ key_name.name,
						      key_name.size },
				   (struct nms_blob){ key_pub, key_pub_len },
				   cfg->policy, why, sizeof(why));
	if (key_id < 0)
		return csr_refuse(a, "%s: %s", device, why);
	if (tr_key_attestation_encode(&kat, &att, &att_len, err, errlen) < 0)
		return -1;
	struct nms_cert_request r = { device, a->pub, att, att_len,
				      cfg->cert_days };
	a->cert = nms_ca_issue(a->e->ca, &r, err, errlen);
	free(att);
	if (!a->cert)
		return -1;
	nms_cert_serial_hex(a->cert, serial, sizeof(serial));
	der_len = i2d_X509(a->cert, &der);
	if (der_len <= 0)
		return tr_fail(err, errlen, "cannot encode the certificate");
	struct nms_cert_row row = { c.device_id, key_id, serial,
				    (struct nms_blob){ der, (size_t)der_len },
				    (int64_t)time(NULL) +
					    (int64_t)cfg->cert_days * 86400 };
	if (nms_store_cert_add(s, &row, err, errlen) < 0) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	snprintf(why, sizeof(why), "certificate %s issued (%s)", serial,
		 cfg->policy_desc);
	if (nms_store_event(s, c.device_id, "enrolled", why, err, errlen) < 0)
		return -1;
	crash_point("before-commit");
	return 0;
}

int nms_enroll_csr(struct nms_enroll *e, X509_REQ *req, X509 **cert, char *err,
		   size_t errlen)
{
	struct tr_evidence ev;
	struct csr_tx tx = { .e = e, .req = req, .ev = &ev };
	EVP_PKEY *key_evp = NULL;
	char why[256];
	int rc = NMS_ENROLL_REFUSED;

	*cert = NULL;
	tx.pub = X509_REQ_get0_pubkey(req);
	if (tr_csr_get_evidence(req, &ev, why, sizeof(why)) < 0)
		return refuse(e, 0, err, errlen, "CSR: %s", why);
	/* The CSR is signed by the TLS key, inside the TPM, so its PCRs
	 * were good when it was made. */
	if (!tx.pub || X509_REQ_verify(req, tx.pub) != 1)
		return refuse(e, 0, err, errlen,
			      "CSR: signature does not verify");
	key_evp = tr_tpm_public_to_evp(&ev.key_pub, why, sizeof(why));
	if (!key_evp || EVP_PKEY_eq(key_evp, tx.pub) != 1) {
		EVP_PKEY_free(key_evp);
		return refuse(e, 0, err, errlen,
			      "CSR: its key is not the certified TPM key");
	}
	EVP_PKEY_free(key_evp);
	/* (c) the key: certified by the AK for this challenge's nonce... */
	if (tr_ak_check_public(&ev.ak_pub, why, sizeof(why)) < 0 ||
	    tr_certify_verify(&ev.attest, &ev.sig, &ev.ak_pub, &ev.key_pub,
			      &ev.nonce, why, sizeof(why)) < 0)
		return refuse(e, 0, err, errlen, "key certification: %s", why);
	/* ...a sealed key with the policy the NMS computed. */
	if (tr_sealed_key_check_public(&ev.key_pub, e->cfg->policy, why,
				       sizeof(why)) < 0)
		return refuse(e, 0, err, errlen, "%s (expected %s)", why,
			      e->cfg->policy_desc);
	if (nms_store_tx(e->store, csr_tx, &tx, why, sizeof(why)) < 0) {
		X509_free(tx.cert);
		snprintf(err, errlen, "store: %s", why);
		return NMS_ENROLL_ERROR;
	}
	crash_point("after-commit");
	if (tx.refusal[0]) {
		X509_free(tx.cert);
		return refuse(e, tx.device_id, err, errlen, "%s", tx.refusal);
	}
	*cert = tx.cert;
	rc = 0;
	OPENSSL_cleanse(&ev.secret, sizeof(ev.secret));
	return rc;
}
