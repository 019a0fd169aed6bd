// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zero-touch enrollment decisions; see enroll.h for the order of checks.
 */
#include "nms/enroll/enroll.h"

#include "base/errmsg.h"
#include "enroll/evidence.h"
#include "nms/store/store_api.h"
#include "nms/store/store_enroll.h"
#include "nms/store/store_preapproval.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"
#include "tpm/certify.h"
#include "tpm/convert.h"
#include "tpm/credential.h"
#include "tpm/ek.h"

#include <openssl/bn.h>
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

/* A refusal for identity (name, EK and AK belong together): logged
 * against the device that holds the name or the TPM, so that its
 * operator sees who tried. */
static int conflict(struct nms_enroll *e, int64_t device_id, char *err,
		    size_t errlen, const char *device, const char *why)
{
	refuse(e, device_id, err, errlen, "%s: %s", device, why);
	return NMS_ENROLL_NAME_CONFLICT;
}

static void set_blob(struct nms_challenge_blob *b, const void *p, size_t n)
{
	memcpy(b->b, p, n);
	b->n = n;
}

static int is_accepted(const struct nms_enroll_config *cfg, int tmpl)
{
	unsigned accepted = cfg->ek_templates ? cfg->ek_templates :
						TR_EK_TEMPLATE_BIT(TR_EK_L1);

	return accepted & TR_EK_TEMPLATE_BIT(tmpl);
}

/*
 * Whether the EK certificate @der is on the pre-approval allow-list: 0
 * with the one name it may enroll under in @name, 1 when it is not (and
 * @why says so), -1 when the store cannot say (@why).
 */
static int preapproval_of(struct nms_store *s, const uint8_t *der, size_t len,
			  char *name, size_t nlen, char *why, size_t wlen)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIGNUM *bn = x ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL) :
			 NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	unsigned char *issuer = NULL;
	int ilen = x ? i2d_X509_NAME(X509_get_issuer_name(x), &issuer) : -1;
	uint8_t sha[32];
	int r;

	SHA256(der, len, sha);
	r = nms_store_preapproved(s, sha, hex, issuer,
				  ilen > 0 ? (size_t)ilen : 0, name, nlen, why,
				  wlen);
	if (r == 0)
		snprintf(
			why, wlen,
			"its EK certificate (serial %s) is not pre-approved: only TPMs on the allow-list enroll",
			hex ? hex : "unreadable");
	OPENSSL_free(issuer);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	return r < 0 ? -1 : r ? 0 : 1;
}

/* What the router said about where it is monitored, kept with the
 * challenge until the answer proves it. */
static void endpoint_claim(const struct tr_credential_request *req,
			   struct nms_challenge *c)
{
	size_t off = 0;

	snprintf(c->endpoint_address, sizeof(c->endpoint_address), "%s",
		 req->endpoint_address);
	c->endpoint_port = req->endpoint_port;
	c->request_port = req->request_port;
	for (size_t i = 0; i < req->n_route_addrs; i++)
		off += (size_t)snprintf(c->route_addrs + off,
					sizeof(c->route_addrs) - off, "%s%s",
					i ? "," : "", req->route_addrs[i]);
}

struct credential_tx {
	const struct nms_challenge *c;
	const struct tr_credential_reply *reply;
	int64_t owner; /* the device of a conflict */
	int conflict;
	bool decommissioned;
};

/* A router the operator decommissioned stays out, by its name and by its
 * TPM: 0, or -1 with the reason (*@out set when that is the refusal). */
static int not_decommissioned(struct nms_store *s, const char *device,
			      const uint8_t ek_key_id[32], bool *out, char *err,
			      size_t errlen)
{
	int rv = nms_store_decommissioned(s, device,
					  (struct nms_blob){ ek_key_id, 32 });

	*out = rv > 0;
	if (rv > 0)
		return tr_fail(
			err, errlen,
			"%s: decommissioned by the operator (by name or by its TPM)",
			device);
	return rv < 0 ? tr_fail(err, errlen,
				"cannot read the decommissioned devices") :
			0;
}

/* Read-only checks and one insert, in one transaction, so that the
 * check and the challenge see the same store. */
static int credential_tx(struct nms_store *s, void *arg, char *err,
			 size_t errlen)
{
	struct credential_tx *a = arg;
	const struct nms_challenge *c = a->c;
	int rc = nms_store_identity_check(
		s, c->device, (struct nms_blob){ c->ek_key_id, 32 },
		(struct nms_blob){ c->ak_name.b, c->ak_name.n }, &a->owner, err,
		errlen);

	if (rc == NMS_STORE_CONFLICT) {
		a->conflict = 1;
		return -1;
	}
	if (rc < 0 || not_decommissioned(s, c->device, c->ek_key_id,
					 &a->decommissioned, err, errlen) < 0)
		return -1;
	return nms_store_challenge_add(
		s,
		(struct nms_blob){ a->reply->nonce, sizeof(a->reply->nonce) },
		c, (int64_t)time(NULL), err, errlen);
}

int nms_enroll_credential(struct nms_enroll *e,
			  const struct tr_credential_request *req,
			  struct tr_credential_reply *reply, char *err,
			  size_t errlen)
{
	struct nms_challenge *c = calloc(1, sizeof(*c));
	struct tr_ek_trust trust = { e->cfg->ek_roots, e->cfg->ek_intermediates,
				     e->cfg->ek_crls };
	struct credential_tx tx = { c, reply, 0, 0, false };
	uint8_t secret[32];
	TPM2B_NAME ek_name, ak_name;
	char why[256];
	int tmpl, rc = NMS_ENROLL_REFUSED;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NMS_ENROLL_ERROR;
	}
	if (!device_name_ok(req->device)) {
		refuse(e, 0, err, errlen,
		       "device name: 1-63 letters, digits, '-' or '.'");
		goto out;
	}
	/* Which template the area is, and whether this NMS takes it: only
	 * templates a TPM cannot hold twice over, by default L-1 alone. */
	tmpl = tr_ek_template_of(&req->ek_pub, why, sizeof(why));
	if (tmpl >= 0 && !is_accepted(e->cfg, tmpl))
		snprintf(why, sizeof(why),
			 "EK template %s is not accepted here (ek-templates)",
			 tr_ek_template_name(tmpl));
	/* (a) a genuine TPM: the manufacturer vouches for this EK, it is
	 * not revoked, and its area is its template's. */
	if (tmpl < 0 || !is_accepted(e->cfg, tmpl) ||
	    tr_ek_cert_verify(req->ek_cert, req->ek_cert_len, &trust,
			      &req->ek_pub, why, sizeof(why)) < 0 ||
	    tr_ak_check_public(&req->ak_pub, why, sizeof(why)) < 0) {
		refuse(e, 0, err, errlen, "%s: %s", req->device, why);
		goto out;
	}
	/* Not every TPM of a trusted maker: with pre-approval only those
	 * on the operator's list, each under the one name the list gives
	 * it (a stolen or bought TPM of the same maker, or a listed TPM
	 * asking for another router's name, gets no challenge). */
	if (e->cfg->preapproval) {
		char listed[TR_DEVICE_NAME_MAX + 1];
		int r = preapproval_of(e->store, req->ek_cert, req->ek_cert_len,
				       listed, sizeof(listed), why,
				       sizeof(why));

		if (r < 0) {
			snprintf(err, errlen, "store: %s", why);
			rc = NMS_ENROLL_ERROR;
			goto out;
		}
		if (r > 0) {
			refuse(e, 0, err, errlen, "%s: %s", req->device, why);
			goto out;
		}
		if (strcmp(listed, req->device)) {
			refuse(e, 0, err, errlen,
			       "%s: this TPM is pre-approved as \"%s\" only",
			       req->device, listed);
			goto out;
		}
	}
	snprintf(c->device, sizeof(c->device), "%s", req->device);
	endpoint_claim(req, c);
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&req->ek_pub, c->ek_pub.b,
					 sizeof(c->ek_pub.b), &c->ek_pub.n) ||
	    Tss2_MU_TPM2B_PUBLIC_Marshal(&req->ak_pub, c->ak_pub.b,
					 sizeof(c->ak_pub.b), &c->ak_pub.n) ||
	    tr_tpm_name(&req->ek_pub, &ek_name) < 0 ||
	    tr_tpm_name(&req->ak_pub, &ak_name) < 0 ||
	    tr_ek_key_id(&req->ek_pub, c->ek_key_id) < 0 ||
	    req->ek_cert_len > sizeof(c->ek_cert.b)) {
		refuse(e, 0, err, errlen, "%s: bad EK or AK public area",
		       req->device);
		goto out;
	}
	set_blob(&c->ek_name, ek_name.name, ek_name.size);
	set_blob(&c->ak_name, ak_name.name, ak_name.size);
	set_blob(&c->ek_cert, req->ek_cert, req->ek_cert_len);

	/* (b), first half: a secret only the EK's TPM can unwrap, and only
	 * for an object named like this AK. */
	if (RAND_bytes(secret, sizeof(secret)) != 1 ||
	    RAND_bytes(reply->nonce, sizeof(reply->nonce)) != 1) {
		snprintf(err, errlen, "no randomness");
		rc = NMS_ENROLL_ERROR;
		goto out;
	}
	SHA256(secret, sizeof(secret), c->secret_hash);
	c->expires = reply->expires =
		(int64_t)time(NULL) + e->cfg->challenge_seconds;
	if (tr_make_credential(&req->ek_pub, &ak_name, secret, sizeof(secret),
			       &reply->credential, &reply->secret, why,
			       sizeof(why)) < 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		refuse(e, 0, err, errlen, "%s: %s", req->device, why);
		goto out;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	/* A known conflict is refused now, to tell the router early; step 2
	 * checks again, because only there is the name bound. */
	if (nms_store_tx(e->store, credential_tx, &tx, why, sizeof(why)) < 0) {
		if (tx.conflict) {
			rc = conflict(e, tx.owner, err, errlen, req->device,
				      why);
			goto out;
		}
		if (tx.decommissioned) {
			rc = refuse(e, 0, err, errlen, "%s", why);
			goto out;
		}
		snprintf(err, errlen, "store: %s", why);
		rc = NMS_ENROLL_ERROR;
		goto out;
	}
	crash_point("challenge-stored");
	rc = 0;
out:
	free(c);
	return rc;
}

/* Step 2. Checks that need no state come first, then one transaction. */
struct csr_tx {
	struct nms_enroll *e;
	X509_REQ *req;
	EVP_PKEY *pub;
	const struct tr_evidence *ev;
	struct nms_challenge *c;
	X509 *cert;
	const char *peer; /* where the request came from, or NULL */
	char refusal[256]; /* set: refused, but commit (challenge used) */
	int64_t device_id; /* of the refusal's event */
	bool conflict; /* the refusal is a name conflict */
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

/*
 * Zero-touch monitoring: what the router said at enrollment about where
 * it is monitored, registered only now that it is proven, in the
 * transaction that binds it. Its endpoint (the address it gave, or the
 * one its request came from) and request port always: a false claim
 * only makes its own probes fail. Its route addresses only with
 * register_routes: a router that claims a gateway address it does not
 * have would make the NMS re-cost, or withdraw, routes through it. An
 * address another router holds is not taken: an event says so.
 */
static int register_router(struct nms_store *s, struct csr_tx *a, char *err,
			   size_t errlen)
{
	const struct nms_enroll_config *cfg = a->e->cfg;
	const struct nms_challenge *c = a->c;
	const char *addr = c->endpoint_address[0] ? c->endpoint_address :
			   a->peer		  ? a->peer :
						    "";
	char why[300], list[sizeof(c->route_addrs)], *save = NULL, *one;

	if (addr[0] && c->endpoint_port) {
		if (nms_store_endpoint_set(s, a->device_id, addr,
					   c->endpoint_port, err, errlen) < 0 ||
		    nms_store_request_port_set(s, a->device_id, c->request_port,
					       err, errlen) < 0)
			return -1;
		snprintf(
			why, sizeof(why),
			"endpoint %s port %u, request port %u, registered at enrollment",
			addr, c->endpoint_port, c->request_port);
		if (nms_store_event(s, a->device_id, "registered", why, err,
				    errlen) < 0)
			return -1;
	}
	snprintf(list, sizeof(list), "%s", c->route_addrs);
	for (one = cfg->register_routes ? strtok_r(list, ",", &save) : NULL;
	     one; one = strtok_r(NULL, ",", &save)) {
		char e2[256];

		if (nms_store_savepoint(s, "addr", err, errlen) < 0)
			return -1;
		if (nms_store_router_addr_add(s, a->device_id, one, e2,
					      sizeof(e2)) < 0) {
			if (nms_store_rollback_to(s, "addr", err, errlen) < 0)
				return -1;
			snprintf(why, sizeof(why),
				 "route address %s not registered: %s", one,
				 e2);
			if (nms_store_event(s, a->device_id, "register-refused",
					    why, err, errlen) < 0)
				return -1;
			continue; /* rolled back and released */
		}
		if (nms_store_release(s, "addr", err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int csr_proven(struct nms_store *s, struct csr_tx *a, char *err,
		      size_t errlen)
{
	const struct tr_evidence *ev = a->ev;
	const struct nms_enroll_config *cfg = a->e->cfg;
	struct nms_challenge *c = a->c;
	uint8_t hash[32];
	uint8_t key_pub[sizeof(TPM2B_PUBLIC)], *der = NULL, *att = NULL;
	struct tr_evidence kat = *ev;
	TPM2B_NAME name, key_name;
	const char *device = c->device;
	char serial[64], why[256];
	size_t key_pub_len = 0, att_len;
	int der_len;
	int64_t key_id, ak_id;

	if (c->ek_name.n > sizeof(kat.ek_name.name))
		return tr_fail(err, errlen, "the challenge's EK is malformed");
	memcpy(kat.ek_name.name, c->ek_name.b, c->ek_name.n);
	kat.ek_name.size = (UINT16)c->ek_name.n;
	/* (b) the AK is in the EK's TPM: only that TPM could unwrap the
	 * secret, and only for this AK. */
	SHA256(ev->secret.buffer, ev->secret.size, hash);
	if (CRYPTO_memcmp(hash, c->secret_hash, 32))
		return csr_refuse(
			a,
			"%s: credential not activated: the AK is not in the TPM of the enrolled EK",
			device);
	if (tr_tpm_name(&ev->ak_pub, &name) < 0 || c->ak_name.n != name.size ||
	    memcmp(c->ak_name.b, name.name, name.size))
		return csr_refuse(
			a,
			"%s: the key is certified by another AK than the one activated (key from another TPM)",
			device);
	if (!cn_is(a->req, device))
		return csr_refuse(a, "%s: the CSR's subject is not CN=%s",
				  device, device);
	/* Again where the name is bound: an entry removed (or changed)
	 * since the challenge was made is no longer an approval. */
	if (cfg->preapproval) {
		char listed[TR_DEVICE_NAME_MAX + 1];
		int r = preapproval_of(s, c->ek_cert.b, c->ek_cert.n, listed,
				       sizeof(listed), why, sizeof(why));

		if (r < 0)
			return tr_fail(err, errlen, "%s", why);
		if (r > 0 || strcmp(listed, device))
			return csr_refuse(
				a,
				"%s: no longer pre-approved under this name: %s",
				device,
				r > 0 ? why : "the list names it otherwise");
	}

	bool decommissioned;

	if (not_decommissioned(s, device, c->ek_key_id, &decommissioned, why,
			       sizeof(why)) < 0)
		return decommissioned ? csr_refuse(a, "%s", why) :
					tr_fail(err, errlen, "%s", why);
	/* Proven: only now are the name, the EK and the AK bound, and a
	 * name another TPM proved first is refused here. */
	struct nms_ek ek = {
		{ c->ek_key_id, 32 },
		{ c->ek_name.b, c->ek_name.n },
		{ c->ek_pub.b, c->ek_pub.n },
		{ c->ek_cert.b, c->ek_cert.n },
	};

	a->device_id =
		nms_store_device_for_ek(s, device, &ek, why, sizeof(why));
	if (a->device_id == NMS_STORE_CONFLICT) {
		a->device_id = 0;
		a->conflict = true;
		return csr_refuse(a, "%s: %s", device, why);
	}
	if (a->device_id < 0)
		return tr_fail(err, errlen, "%s", why);
	ak_id = nms_store_ak(s, a->device_id,
			     (struct nms_blob){ c->ak_name.b, c->ak_name.n },
			     (struct nms_blob){ c->ak_pub.b, c->ak_pub.n }, why,
			     sizeof(why));
	if (ak_id == NMS_STORE_CONFLICT) {
		a->conflict = true;
		return csr_refuse(a, "%s: %s", device, why);
	}
	if (ak_id < 0)
		return tr_fail(err, errlen, "%s", why);

	/* Everything holds: issue, and record it with the keys. */
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&ev->key_pub, key_pub, sizeof(key_pub),
					 &key_pub_len) ||
	    tr_tpm_name(&ev->key_pub, &key_name) < 0)
		return tr_fail(err, errlen, "cannot marshal the TLS key");
	if (nms_store_ak_activated(s, ak_id, (int64_t)time(NULL), err, errlen) <
	    0)
		return -1;
	key_id = nms_store_tls_key(s, a->device_id,
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
	/* Its expiry as the certificate says it (a little before now +
	 * days: clock skew), so that the operator's view is exact. */
	int day = 0, sec = 0;
	int64_t now = (int64_t)time(NULL);

	ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(a->cert));
	struct nms_cert_row row = { a->device_id, key_id, serial,
				    (struct nms_blob){ der, (size_t)der_len },
				    now + (int64_t)day * 86400 + sec };
	if (nms_store_cert_add(s, &row, err, errlen) < 0) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	snprintf(why, sizeof(why), "certificate %s issued (%s)", serial,
		 cfg->policy_desc);
	if (nms_store_event(s, a->device_id, "enrolled", why, err, errlen) < 0)
		return -1;
	if (register_router(s, a, err, errlen) < 0)
		return -1;
	crash_point("before-commit");
	return 0;
}

static int csr_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct csr_tx *a = arg;
	const struct tr_evidence *ev = a->ev;
	char why[256];

	/* (d) fresh: the challenge is live, and this consumes it. */
	if (nms_store_challenge_take(
		    s, (struct nms_blob){ ev->nonce.buffer, ev->nonce.size },
		    (int64_t)time(NULL), a->c, why, sizeof(why)) < 0)
		return csr_refuse(a, "%s", why);
	if (nms_store_savepoint(s, "proof", err, errlen) < 0 ||
	    csr_proven(s, a, err, errlen) < 0)
		return -1;
	/* A refused answer uses its challenge up and writes nothing else:
	 * no device, EK or AK half-bound to a name. */
	if (a->refusal[0]) {
		X509_free(a->cert);
		a->cert = NULL;
		a->device_id = 0; /* it may be one that is rolled back */
		return nms_store_rollback_to(s, "proof", err, errlen);
	}
	return nms_store_release(s, "proof", err, errlen);
}

int nms_enroll_csr(struct nms_enroll *e, X509_REQ *req, X509 **cert, char *err,
		   size_t errlen)
{
	return nms_enroll_csr_from(e, req, NULL, cert, err, errlen);
}

int nms_enroll_csr_from(struct nms_enroll *e, X509_REQ *req, const char *peer,
			X509 **cert, char *err, size_t errlen)
{
	struct tr_evidence ev;
	struct csr_tx tx = { .e = e, .req = req, .ev = &ev, .peer = peer };
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
	tx.c = calloc(1, sizeof(*tx.c));
	if (!tx.c) {
		snprintf(err, errlen, "out of memory");
		return NMS_ENROLL_ERROR;
	}
	if (nms_store_tx(e->store, csr_tx, &tx, why, sizeof(why)) < 0) {
		X509_free(tx.cert);
		snprintf(err, errlen, "store: %s", why);
		rc = NMS_ENROLL_ERROR;
		goto out;
	}
	crash_point("after-commit");
	if (tx.refusal[0]) {
		refuse(e, tx.device_id, err, errlen, "%s", tx.refusal);
		rc = tx.conflict ? NMS_ENROLL_NAME_CONFLICT :
				   NMS_ENROLL_REFUSED;
		goto out;
	}
	*cert = tx.cert;
	rc = 0;
out:
	OPENSSL_cleanse(&ev.secret, sizeof(ev.secret));
	free(tx.c);
	return rc;
}
