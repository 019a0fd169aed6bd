// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zero-touch enrollment against swtpms with EK certificates from
 * swtpm_localca: a router enrolls and its certificate carries evidence a
 * peer can check again; refused, each with its reason, are an EK from an
 * untrusted CA, an AK not in the EK's TPM, a TLS key with userWithAuth
 * set, a key policy other than the expected one, a replayed request, a
 * key from another TPM, a late answer and a CSR naming another device.
 * One TPM is one device: an EK public area that is not exactly its TCG
 * template is refused, naming the field (one swtpm was enrolled as "r1"
 * and "r1-clone" with noDA flipped); and a name is bound only when a
 * credential is activated, so a squatter holding a public EK certificate
 * and a random AK reserves nothing, while a real conflict is refused.
 * Then the same over HTTPS: the agent's client against the EST server,
 * idempotent on a second run, stopping at once on a name conflict, and
 * malformed requests answered with the right status.
 */
#include "nms/enroll/enroll.h"
#include "userspace/agent/enroll_client.h"
#include "enroll/evidence.h"
#include "nms/enroll/est_server.h"
#include "userspace/agent/http_client.h"
#include "nms/enroll/key_policy.h"
#include "nms/store/store_enroll.h"
#include "pg_fixture.h"
#include "nms/store/store_preapproval.h"
#include "nms/store/store_trust.h"
#include "test_dir.h"
#include "tpm/certify.h"
#include "tpm/credential.h"
#include "enroll/csr.h"
#include "tpm_pair.h"
#include "tr_test.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOT_CA TR_TPM_CA_DIR "/swtpm-localca-rootca-cert.pem"
#define ISSUER TR_TPM_CA_DIR "/issuercert.pem"

/* A router's keys in one TPM. */
struct router {
	struct tr_tpm *t;
	TPM2B_PUBLIC ak_pub, key_pub;
	TPM2B_PRIVATE ak_priv, key_priv;
	struct tr_pcr_values pcrs; /* what its key is sealed to */
};

static struct tpm_pair pair; /* A = t[0], B = t[1] */
static struct swtpm untrusted_sw; /* EK certificate from another CA */
static struct tr_tpm untrusted_t;
static struct swtpm c_sw; /* a third genuine TPM */
static struct tr_tpm c_t;
static struct router ra, rb, ru, rcc; /* rcc: router C */
static struct test_dir dir;
static struct nms_store store;
static struct nms_ca ca;
static struct nms_enroll_config cfg = { .ek_roots = ROOT_CA,
					.ek_intermediates = ISSUER,
					.cert_days = 30,
					.challenge_seconds = 60 };
static struct nms_enroll nms = { &store, &ca, &cfg };

/* The good state the NMS expects: PCR 11 as a fresh TPM has it. */
#define ZERO64 \
	"0000000000000000000000000000000000000000000000000000000000000000"

static int make_router(struct router *r, struct tr_tpm *t, int pcr)
{
	uint8_t policy[32] = { 0 };
	char err[256];

	memset(r, 0, sizeof(*r));
	r->t = t;
	r->pcrs.selected[pcr] = 1;
	if (tr_tpm_pcr_read(t, &r->pcrs, err, sizeof(err)) < 0)
		return -1;
	tr_policy_pcr(policy, &r->pcrs);
	return tr_ak_create(t, &r->ak_pub, &r->ak_priv, err, sizeof(err)) ||
	       tr_key_create(t, TR_KEY_ECC_P256, policy, &r->key_pub,
			     &r->key_priv, err, sizeof(err));
}

static int setup(void **state)
{
	struct nms_key_policy_config pc = { .pcr_values = "11=" ZERO64 };
	char path[512], err[256] = "";
	const char *target;

	(void)state;
	if (test_dir_make(&dir, "trustroute-enroll") < 0 ||
	    tpm_pair_start(&pair) < 0)
		return -1;
	/* A TPM whose manufacturer the operator does not trust. */
	test_dir_path(&dir, path, sizeof(path), "other-tpm-ca");
	setenv("TRUSTROUTE_TPM_CA_DIR", path, 1);
	if (swtpm_start(&untrusted_sw, NULL) < 0)
		return -1;
	unsetenv("TRUSTROUTE_TPM_CA_DIR");
	if (swtpm_start(&c_sw, NULL) < 0 ||
	    tr_tpm_open(&c_t, c_sw.tcti, err, sizeof(err)) < 0 ||
	    make_router(&rcc, &c_t, 11) < 0)
		return -1;
	if (tr_tpm_open(&untrusted_t, untrusted_sw.tcti, err, sizeof(err)) <
		    0 ||
	    make_router(&ra, &pair.t[0], 11) < 0 ||
	    make_router(&rb, &pair.t[1], 11) < 0 ||
	    make_router(&ru, &untrusted_t, 11) < 0)
		return -1;
	/* The store: a SQLite file, or (TRUSTROUTE_TEST_STORE=pg) a
	 * PostgreSQL database of this test's own server. */
	test_dir_path(&dir, path, sizeof(path), "nms.db");
	target = tr_store_target(path);
	if (!target || nms_store_open(&store, target, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: store: %s\n", err);
		return -1;
	}
	test_dir_path(&dir, path, sizeof(path), "ca");
	if (test_dir_sh(&dir, "mkdir %s", path) ||
	    nms_ca_create(path, "test NMS CA", "localhost,127.0.0.1", 30, err,
			  sizeof(err)) < 0 ||
	    nms_ca_load(&ca, path, err, sizeof(err)) < 0 ||
	    nms_key_policy(&pc, cfg.policy, cfg.policy_desc,
			   sizeof(cfg.policy_desc), err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nms_ca_free(&ca);
	nms_store_close(&store);
	tr_tpm_close(&untrusted_t);
	swtpm_stop(&untrusted_sw);
	tr_tpm_close(&c_t);
	swtpm_stop(&c_sw);
	tpm_pair_stop(&pair);
	test_dir_remove(&dir);
	return 0;
}

/* A change an attacker makes to an EK public area before sending it. */
typedef void ek_tamper_fn(TPMT_PUBLIC *a);

/* The request of round 1: the EK of @ek_tpm (changed by @tamper), the
 * AK of @r. */
static struct tr_credential_request *request(struct tr_tpm *ek_tpm,
					     const char *device,
					     const struct router *r,
					     ek_tamper_fn *tamper)
{
	struct tr_credential_request *req = calloc(1, sizeof(*req));
	uint8_t *cert = NULL;
	char err[256];
	ESYS_TR ek;

	assert_non_null(req);
	snprintf(req->device, sizeof(req->device), "%s", device);
	req->ak_pub = r->ak_pub;
	if (tr_ek_cert_read(ek_tpm, &cert, &req->ek_cert_len, err,
			    sizeof(err)) ||
	    tr_ek_create(ek_tpm, &ek, &req->ek_pub, err, sizeof(err)))
		fail_msg("%s", err);
	memcpy(req->ek_cert, cert, req->ek_cert_len);
	Esys_FlushContext(ek_tpm->esys, ek);
	if (tamper)
		tamper(&req->ek_pub.publicArea);
	free(cert);
	return req;
}

/* Round 1 with the EK of @ek_tpm (changed by @tamper) and the AK of @r. */
static int challenge_ek(struct tr_tpm *ek_tpm, const char *device,
			const struct router *r, ek_tamper_fn *tamper,
			struct tr_credential_reply *rep, char *err,
			size_t errlen)
{
	struct tr_credential_request *req = request(ek_tpm, device, r, tamper);
	int rc = nms_enroll_credential(&nms, req, rep, err, errlen);

	free(req);
	return rc;
}

static int challenge(struct tr_tpm *ek_tpm, const char *device,
		     const struct router *r, struct tr_credential_reply *rep,
		     char *err, size_t errlen)
{
	return challenge_ek(ek_tpm, device, r, NULL, rep, err, errlen);
}

static TPM2B_DATA nonce_of(const struct tr_credential_reply *rep)
{
	TPM2B_DATA n = { .size = sizeof(rep->nonce) };

	memcpy(n.buffer, rep->nonce, sizeof(rep->nonce));
	return n;
}

/* What an honest router answers: activate, certify its key. */
static void evidence(const struct router *r,
		     const struct tr_credential_reply *rep,
		     struct tr_evidence *ev)
{
	char err[256];

	memset(ev, 0, sizeof(*ev));
	ev->nonce = nonce_of(rep);
	ev->ak_pub = r->ak_pub;
	ev->key_pub = r->key_pub;
	if (tr_activate_credential(r->t, &r->ak_pub, &r->ak_priv,
				   &rep->credential, &rep->secret, &ev->secret,
				   err, sizeof(err)) ||
	    tr_certify(r->t, &r->ak_pub, &r->ak_priv, &r->key_pub, &r->key_priv,
		       &ev->nonce, &ev->attest, &ev->sig, err, sizeof(err)))
		fail_msg("%s", err);
}

/* B's AK certifies B's key for @ev's nonce. */
static void certify_by_b(struct tr_evidence *ev)
{
	char err[256];

	if (tr_certify(rb.t, &rb.ak_pub, &rb.ak_priv, &rb.key_pub, &rb.key_priv,
		       &ev->nonce, &ev->attest, &ev->sig, err, sizeof(err)))
		fail_msg("%s", err);
}

/* A challenge for router A as "r1", answered honestly. */
static void answer_as_r1(struct tr_credential_reply *rep,
			 struct tr_evidence *ev)
{
	char err[512] = "";

	if (challenge(&pair.t[0], "r1", &ra, rep, err, sizeof(err)))
		fail_msg("%s", err);
	evidence(&ra, rep, ev);
}

/* The CSR signed by @r's key inside its TPM. */
static X509_REQ *csr(const struct router *r, const char *cn,
		     const struct tr_evidence *ev)
{
	struct tr_key k;
	X509_REQ *req;
	char err[256];
	int rc = 0;

	if (tr_key_load_pcr(r->t, &r->key_pub, &r->key_priv, &r->pcrs, &k, err,
			    sizeof(err)))
		fail_msg("%s", err);
	req = tr_csr_create(&k, cn, ev, &rc, err, sizeof(err));
	tr_key_unload(&k);
	if (!req)
		fail_msg("%s", err);
	return req;
}

/* Submit @req: the NMS's answer, its reason in @err. */
static int submit(X509_REQ *req, X509 **cert, char *err, size_t errlen)
{
	int rc = nms_enroll_csr(&nms, req, cert, err, errlen);

	X509_REQ_free(req);
	return rc;
}

static void expect_refused(int rc, const char *err, const char *why)
{
	if (rc != NMS_ENROLL_REFUSED || !strstr(err, why))
		fail_msg("wanted refusal \"%s\", got %d: %s", why, rc, err);
}

/* A refusal for identity: the name, the TPM or the AK is taken. */
static void expect_conflict(int rc, const char *err, const char *why)
{
	if (rc != NMS_ENROLL_NAME_CONFLICT || !strstr(err, why))
		fail_msg("wanted name conflict \"%s\", got %d: %s", why, rc,
			 err);
}

static void test_router_enrolls(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev, back;
	X509 *cert = NULL;
	X509_STORE *roots = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int64_t refused = nms_store_event_count(&store, "enroll-refused");
	char err[512] = "";

	(void)state;
	answer_as_r1(&rep, &ev);
	if (submit(csr(&ra, "r1", &ev), &cert, err, sizeof(err)))
		fail_msg("%s", err);
	/* It chains to the NMS CA and names the device... */
	X509_STORE_add_cert(roots, ca.cert);
	X509_STORE_CTX_init(ctx, roots, cert, NULL);
	assert_int_equal(X509_verify_cert(ctx), 1);
	assert_int_equal(X509_check_host(cert, "r1", 2, 0, NULL), 1);
	/* ...and a peer can check the key's certification again. */
	assert_int_equal(tr_cert_attestation_verify(cert, cfg.policy, &back,
						    err, sizeof(err)),
			 0);
	assert_memory_equal(&back.key_pub, &ra.key_pub, sizeof(ra.key_pub));
	assert_int_equal(nms_store_cert_count(&store, 0), 1);
	assert_int_equal(nms_store_event_count(&store, "enrolled"), 1);
	assert_int_equal(nms_store_event_count(&store, "enroll-refused"),
			 refused);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(roots);
	X509_free(cert);
}

static void test_untrusted_ek_ca(void **state)
{
	struct tr_credential_reply rep;
	int64_t refused = nms_store_event_count(&store, "enroll-refused");
	char err[512] = "";

	(void)state;
	expect_refused(
		challenge(&untrusted_t, "ru", &ru, &rep, err, sizeof(err)), err,
		"EK certificate not from a trusted manufacturer CA");
	/* Refusals are in the event log. */
	assert_int_equal(nms_store_event_count(&store, "enroll-refused"),
			 refused + 1);
}

static void test_ak_not_in_the_tpm(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	TPM2B_DIGEST secret;
	char err[512] = "";
	X509 *cert;

	(void)state;
	/* TPM A's EK with TPM B's AK: the NMS makes a credential... */
	assert_int_equal(
		challenge(&pair.t[0], "r1", &rb, &rep, err, sizeof(err)), 0);
	/* ...that neither TPM can activate: A has no such AK, B not the EK. */
	assert_int_not_equal(
		tr_activate_credential(&pair.t[0], &rb.ak_pub, &rb.ak_priv,
				       &rep.credential, &rep.secret, &secret,
				       err, sizeof(err)),
		0);
	assert_int_not_equal(
		tr_activate_credential(&pair.t[1], &rb.ak_pub, &rb.ak_priv,
				       &rep.credential, &rep.secret, &secret,
				       err, sizeof(err)),
		0);
	/* So B certifies its key and guesses the secret. */
	memset(&ev, 0, sizeof(ev));
	ev.nonce = nonce_of(&rep);
	ev.ak_pub = rb.ak_pub;
	ev.key_pub = rb.key_pub;
	ev.secret.size = 32;
	RAND_bytes(ev.secret.buffer, 32);
	certify_by_b(&ev);
	expect_refused(
		submit(csr(&rb, "r1", &ev), &cert, err, sizeof(err)), err,
		"credential not activated: the AK is not in the TPM of the enrolled EK");
}

static void test_key_with_user_with_auth(void **state)
{
	struct tr_credential_reply rep;
	struct router bad = ra;
	TPM2B_PUBLIC tmpl = ra.key_pub;
	struct tr_evidence ev;
	char err[512] = "";
	X509 *cert;

	(void)state;
	/* The same key shape, but its password (empty) would sign too. */
	tmpl.publicArea.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
	tmpl.publicArea.unique.ecc.x.size = 0;
	tmpl.publicArea.unique.ecc.y.size = 0;
	if (tr_tpm_create(ra.t, &tmpl, "userWithAuth key", &bad.key_pub,
			  &bad.key_priv, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(
		challenge(&pair.t[0], "r1", &bad, &rep, err, sizeof(err)), 0);
	evidence(&bad, &rep, &ev);
	expect_refused(submit(csr(&bad, "r1", &ev), &cert, err, sizeof(err)),
		       err, "userWithAuth set");
}

static void test_key_policy_not_expected(void **state)
{
	struct tr_credential_reply rep;
	struct router other;
	struct tr_evidence ev;
	char err[512] = "";
	X509 *cert;

	(void)state;
	/* Sealed to PCR 12, a good value, but not what the NMS expects. */
	assert_int_equal(make_router(&other, &pair.t[0], 12), 0);
	other.ak_pub = ra.ak_pub;
	other.ak_priv = ra.ak_priv;
	assert_int_equal(
		challenge(&pair.t[0], "r1", &other, &rep, err, sizeof(err)), 0);
	evidence(&other, &rep, &ev);
	expect_refused(
		submit(csr(&other, "r1", &ev), &cert, err, sizeof(err)), err,
		"policy is not the expected one (expected PolicyPCR sha256:11)");
}

static void test_replayed_request(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	X509_REQ *req;
	X509 *cert = NULL;
	char err[512] = "";

	(void)state;
	answer_as_r1(&rep, &ev);
	req = csr(&ra, "r1", &ev);
	assert_int_equal(nms_enroll_csr(&nms, req, &cert, err, sizeof(err)), 0);
	X509_free(cert);
	/* The same request again, as captured on the wire. */
	expect_refused(submit(req, &cert, err, sizeof(err)), err,
		       "already used challenge (replay?)");
}

static void test_key_from_another_tpm(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	char err[512] = "";
	X509 *cert;

	(void)state;
	/* A is activated honestly... */
	answer_as_r1(&rep, &ev);
	/* ...but the key offered is B's, certified by B's AK. */
	ev.ak_pub = rb.ak_pub;
	ev.key_pub = rb.key_pub;
	certify_by_b(&ev);
	expect_refused(
		submit(csr(&rb, "r1", &ev), &cert, err, sizeof(err)), err,
		"certified by another AK than the one activated (key from another TPM)");

	/* Claiming A's AK for B's certification fails on the signature. */
	answer_as_r1(&rep, &ev);
	ev.key_pub = rb.key_pub;
	certify_by_b(&ev);
	expect_refused(submit(csr(&rb, "r1", &ev), &cert, err, sizeof(err)),
		       err, "key certification:");
}

static void test_late_answer(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	char err[512] = "";
	X509 *cert;

	(void)state;
	cfg.challenge_seconds = -1; /* expired when made */
	assert_int_equal(
		challenge(&pair.t[0], "r1", &ra, &rep, err, sizeof(err)), 0);
	cfg.challenge_seconds = 60;
	evidence(&ra, &rep, &ev);
	expect_refused(submit(csr(&ra, "r1", &ev), &cert, err, sizeof(err)),
		       err, "challenge expired");
}

static void test_csr_names_another_device(void **state)
{
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	char err[512] = "";
	X509 *cert;

	(void)state;
	answer_as_r1(&rep, &ev);
	expect_refused(submit(csr(&ra, "r2", &ev), &cert, err, sizeof(err)),
		       err, "the CSR's subject is not CN=r1");
	/* And one EK is one device: A's TPM cannot come back as "r9". */
	expect_conflict(challenge(&pair.t[0], "r9", &ra, &rep, err,
				  sizeof(err)),
			err, "already enrolled as device \"r1\"");
}

/* ---- one TPM, one device --------------------------------------------- */

static void no_da(TPMT_PUBLIC *a)
{
	a->objectAttributes |= TPMA_OBJECT_NODA;
}

static void st_clear(TPMT_PUBLIC *a)
{
	a->objectAttributes |= TPMA_OBJECT_STCLEAR;
}

static void user_with_auth(TPMT_PUBLIC *a)
{
	a->objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
}

static void other_policy(TPMT_PUBLIC *a)
{
	a->authPolicy.buffer[0] ^= 1;
}

static void no_policy(TPMT_PUBLIC *a)
{
	a->authPolicy.size = 0;
}

static void aes256(TPMT_PUBLIC *a)
{
	a->parameters.rsaDetail.symmetric.keyBits.aes = 256;
}

static void no_symmetric(TPMT_PUBLIC *a)
{
	a->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
}

static void oaep_scheme(TPMT_PUBLIC *a)
{
	a->parameters.rsaDetail.scheme.scheme = TPM2_ALG_OAEP;
	a->parameters.rsaDetail.scheme.details.oaep.hashAlg = TPM2_ALG_SHA256;
}

static void exponent_spelled_out(TPMT_PUBLIC *a)
{
	a->parameters.rsaDetail.exponent = 65537;
}

static void sha384_name(TPMT_PUBLIC *a)
{
	a->nameAlg = TPM2_ALG_SHA384;
}

/*
 * Issue 12, item 1: the key is what MakeCredential wraps to, so any
 * public area around A's certified EK key would activate in A. Each of
 * these areas has another name than A's EK: if one were taken, A would
 * be enrolled a second time, as "r1-clone", next to "r1".
 */
static void test_ek_area_not_its_template(void **state)
{
	static const struct {
		ek_tamper_fn *fn;
		const char *why;
	} tampers[] = {
		{ no_da,
		  "objectAttributes 0x000304b2 (noDA set), L-1 has 0x000300b2" },
		{ st_clear, "stClear set" },
		{ user_with_auth, "userWithAuth set" },
		{ other_policy, "authPolicy is not L-1's (PolicyA" },
		{ no_policy, "authPolicy" },
		{ aes256, "symmetric is not AES-128-CFB" },
		{ no_symmetric, "symmetric is not AES-128-CFB" },
		{ oaep_scheme, "scheme 0x0017, L-1 has none" },
		{ exponent_spelled_out, "exponent 65537" },
		{ sha384_name, "nameAlg 0x000c, L-1 has 0x000b" },
	};
	struct tr_credential_reply rep;
	struct router clone;
	int64_t certs = nms_store_cert_count(&store, 0);
	char err[512];

	(void)state;
	/* The attacker's own AK and key, in A: all it needs besides the
	 * changed area. */
	assert_int_equal(make_router(&clone, &pair.t[0], 11), 0);
	for (size_t i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++) {
		int rc;

		err[0] = 0;
		rc = challenge_ek(&pair.t[0], "r1-clone", &clone, tampers[i].fn,
				  &rep, err, sizeof(err));
		if (!rc) {
			struct tr_evidence ev;
			X509 *cert = NULL;

			/* Show how far it gets: A's real EK activates. */
			evidence(&clone, &rep, &ev);
			rc = submit(csr(&clone, "r1-clone", &ev), &cert, err,
				    sizeof(err));
			X509_free(cert);
			fail_msg("EK area %zu accepted for A as \"r1-clone\"%s",
				 i, rc ? "" : ", and certified");
		}
		if (rc != NMS_ENROLL_REFUSED ||
		    !strstr(err, "not a TCG EK template") ||
		    !strstr(err, tampers[i].why))
			fail_msg(
				"EK area %zu: wanted refusal \"%s\", got %d: %s",
				i, tampers[i].why, rc, err);
	}
	/* The genuine area under the new name: the TPM is "r1" already. */
	expect_conflict(challenge(&pair.t[0], "r1-clone", &clone, &rep, err,
				  sizeof(err)),
			err, "already enrolled as device \"r1\"");
	assert_int_equal(nms_store_cert_count(&store, 0), certs);
}

static int64_t devices_named(const char *name)
{
	struct nms_stmt *st;
	int64_t n = -1;

	assert_int_equal(nms_db_prepare(store.db,
					"SELECT count(*) FROM devices"
					" WHERE name = ?",
					&st),
			 0);
	nms_db_bind_text(st, 1, name);
	if (nms_db_step(st) == NMS_DB_ROW)
		n = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return n;
}

/* An AK that no TPM holds: a valid-looking P-256 restricted key. */
static struct router random_ak(void)
{
	struct router r = ra;

	RAND_bytes(r.ak_pub.publicArea.unique.ecc.x.buffer, 32);
	RAND_bytes(r.ak_pub.publicArea.unique.ecc.y.buffer, 32);
	return r;
}

/*
 * Issue 12, item 2: the first step wrote the device row before any proof
 * of possession. A client with only public data (an EK certificate, its
 * area, changed or not, and a random AK) reserved "victim1", and the real
 * router was refused forever (503, "UNIQUE constraint failed").
 */
static void test_name_squatting(void **state)
{
	struct router fake = random_ak();
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	X509 *cert = NULL;
	char err[512] = "";

	(void)state;
	/* C's own EK certificate, its area with noDA flipped. */
	challenge_ek(&c_t, "victim1", &fake, no_da, &rep, err, sizeof(err));
	/* B's genuine EK certificate and area: a challenge, never answered. */
	if (challenge(&pair.t[1], "victim1", &fake, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	if (challenge(&pair.t[1], "victim2", &fake, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	/* Nothing durable about a device: the names are still free. */
	assert_int_equal(devices_named("victim1"), 0);
	assert_int_equal(devices_named("victim2"), 0);

	/* B, honest but configured with C's name, gets a challenge while
	 * the name is still free... */
	struct tr_credential_reply rep_b;
	struct tr_evidence ev_b;

	if (challenge(&pair.t[1], "victim1", &rb, &rep_b, err, sizeof(err)))
		fail_msg("%s", err);
	evidence(&rb, &rep_b, &ev_b);

	/* ...but the real router C answers first, and gets its name. */
	if (challenge(&c_t, "victim1", &rcc, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	evidence(&rcc, &rep, &ev);
	if (submit(csr(&rcc, "victim1", &ev), &cert, err, sizeof(err)))
		fail_msg("the real router was refused: %s", err);
	X509_free(cert);
	assert_int_equal(devices_named("victim1"), 1);

	/* A true conflict: B's answer now finds the name bound to another
	 * TPM, and a new request is refused before any challenge. Both say
	 * why. */
	expect_conflict(
		submit(csr(&rb, "victim1", &ev_b), &cert, err, sizeof(err)),
		err, "device name \"victim1\" is enrolled with another TPM");
	expect_conflict(
		challenge(&pair.t[1], "victim1", &rb, &rep, err, sizeof(err)),
		err, "device name \"victim1\" is enrolled with another TPM");
	assert_int_equal(devices_named("victim1"), 1);
}

/* ---- over HTTPS ------------------------------------------------------ */

static unsigned short start_est(struct nms_est_server **est)
{
	struct nms_est_config c = { .address = "127.0.0.1",
				    .connection_limit = 16,
				    .timeout_seconds = 5 };
	char path[512], err[256];

	test_dir_path(&dir, path, sizeof(path), "ca");
	c.ca_dir = path;
	*est = nms_est_start(&nms, &c, err, sizeof(err));
	if (!*est)
		fail_msg("%s", err);
	return nms_est_port(*est);
}

static void agent_config(struct enroll_config *c, const char *state_dir,
			 const char *url, const char *ca_file,
			 const char *device, const char *tcti)
{
	memset(c, 0, sizeof(*c));
	c->state_dir = state_dir;
	c->nms_url = url;
	c->nms_ca = ca_file;
	c->device = device;
	c->tcti = tcti;
	c->pcrs.selected[11] = 1;
	c->alg = TR_KEY_ECC_P256;
	c->max_attempts = 1;
	c->backoff_ms = 10;
	c->backoff_max_ms = 10;
}

static void test_agent_over_https(void **state)
{
	struct nms_est_server *est;
	struct enroll_config c;
	char url[64], ca_file[512], sd[512], crt[600], err[512] = "";
	int64_t certs, refused;
	int rc;

	(void)state;
	snprintf(url, sizeof(url), "https://127.0.0.1:%u", start_est(&est));
	test_dir_path(&dir, ca_file, sizeof(ca_file), "ca/ca.pem");
	test_dir_path(&dir, sd, sizeof(sd), "r2-state");
	assert_int_equal(test_dir_sh(&dir, "mkdir %s", sd), 0);
	agent_config(&c, sd, url, ca_file, "r2", pair.sw[1].tcti);
	/* The agent has the TPM to itself, as behind a resource manager:
	 * a swtpm has 3 object slots and our connection holds the SRK. */
	tr_tpm_close(&pair.t[1]);
	if (enroll_run(&c, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(crt, sizeof(crt), "%s/tls.crt", sd);
	assert_int_equal(test_dir_sh(&dir,
				     "openssl verify -CAfile %s/nms-ca.pem %s",
				     sd, crt),
			 0);
	/* After a reboot: the same keys, already enrolled, no new request. */
	certs = nms_store_cert_count(&store, 0);
	assert_int_equal(enroll_run(&c, err, sizeof(err)), 0);
	assert_int_equal(nms_store_cert_count(&store, 0), certs);

	/* C, enrolled as "victim1", configured as "r2": a name conflict,
	 * which no retry can solve. The agent says so and stops at once,
	 * although it was allowed 3 attempts. */
	test_dir_path(&dir, sd, sizeof(sd), "c-state");
	assert_int_equal(test_dir_sh(&dir, "mkdir %s", sd), 0);
	agent_config(&c, sd, url, ca_file, "r2", c_sw.tcti);
	c.max_attempts = 3;
	refused = nms_store_event_count(&store, "enroll-refused");
	tr_tpm_close(&c_t);
	rc = enroll_run(&c, err, sizeof(err));
	assert_int_equal(nms_store_event_count(&store, "enroll-refused"),
			 refused + 1);
	assert_non_null(strstr(err, "HTTP 403"));
	assert_non_null(strstr(err, "already enrolled as device \"victim1\""));
	assert_int_equal(rc, ENROLL_NAME_CONFLICT);
	assert_int_equal(tr_tpm_open(&c_t, c_sw.tcti, err, sizeof(err)), 0);

	/* The untrusted TPM, through the agent: refused, with the reason. */
	test_dir_path(&dir, sd, sizeof(sd), "ru-state");
	assert_int_equal(test_dir_sh(&dir, "mkdir %s", sd), 0);
	agent_config(&c, sd, url, ca_file, "ru", untrusted_sw.tcti);
	tr_tpm_close(&untrusted_t);
	assert_int_equal(enroll_run(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "HTTP 403"));
	assert_non_null(strstr(
		err, "EK certificate not from a trusted manufacturer CA"));
	snprintf(crt, sizeof(crt), "%s/tls.crt", sd);
	assert_int_not_equal(access(crt, F_OK), 0);
	nms_est_stop(est);
	assert_int_equal(
		tr_tpm_open(&pair.t[1], pair.sw[1].tcti, err, sizeof(err)), 0);
}

static void expect_status(const char *url, const char *type, const char *body,
			  size_t len, long status, const char *why)
{
	struct http_answer *a = malloc(sizeof(*a));
	char ca_file[512], err[256];

	test_dir_path(&dir, ca_file, sizeof(ca_file), "ca/ca.pem");
	assert_int_equal(http_request(url, ca_file, type, body, len, a, err,
				      sizeof(err)),
			 0);
	if (a->status != status || !strstr(a->body, why))
		fail_msg("%s: wanted %ld \"%s\", got %ld: %s", url, status, why,
			 a->status, a->body);
	free(a);
}

static void test_malformed_requests(void **state)
{
	struct nms_est_server *est;
	unsigned short port = start_est(&est);
	char url[128], *big = calloc(1, 70000);

	(void)state;
	assert_non_null(big);
	memset(big, '{', 69999);
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%u/.well-known/est/tpm-credential", port);
	expect_status(url, "text/plain", "x", 1, 415, "application/json");
	expect_status(url, "application/json", "{\"version\": 1", 13, 400,
		      "JSON: truncated");
	expect_status(url, "application/json", "{\"version\": 2}", 14, 400,
		      "\"version\" must be 1");
	expect_status(url, "application/json", big, 69999, 413, "too large");
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%u/.well-known/est/simpleenroll", port);
	expect_status(url, NULL, NULL, 0, 405, "use POST");
	expect_status(url, "application/pkcs10", "AAAA", 4, 400, "");
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%u/.well-known/est/serverkeygen", port);
	expect_status(url, "application/pkcs10", "AAAA", 4, 404,
		      "unknown EST operation");
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%u/.well-known/est/cacerts", port);
	expect_status(url, NULL, NULL, 0, 200, "");
	free(big);
	nms_est_stop(est);
}

/* A name conflict over HTTP: 403, the reason, and the header that tells
 * the agent retrying cannot help. Other refusals have no such header. */
static void test_name_conflict_status(void **state)
{
	struct nms_est_server *est;
	unsigned short port = start_est(&est);
	struct tr_credential_request *req;
	struct http_answer *a = malloc(sizeof(*a));
	char url[128], ca_file[512], err[256], *json;

	(void)state;
	assert_non_null(a);
	test_dir_path(&dir, ca_file, sizeof(ca_file), "ca/ca.pem");
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%u/.well-known/est/tpm-credential", port);
	/* A is "r1"; B's name is "r2". */
	req = request(&pair.t[0], "r2", &ra, NULL);
	json = tr_credential_request_json(req);
	assert_int_equal(http_request(url, ca_file, "application/json", json,
				      strlen(json), a, err, sizeof(err)),
			 0);
	if (a->status != 403 ||
	    !strstr(a->body, "already enrolled as device") ||
	    strcmp(a->refusal, "name-conflict"))
		fail_msg("wanted 403 name-conflict, got %ld \"%s\": %s",
			 a->status, a->refusal, a->body);
	free(json);
	free(req);
	/* A changed EK area is refused too, but it is not a conflict. */
	req = request(&pair.t[0], "r1", &ra, no_da);
	json = tr_credential_request_json(req);
	assert_int_equal(http_request(url, ca_file, "application/json", json,
				      strlen(json), a, err, sizeof(err)),
			 0);
	assert_int_equal(a->status, 403);
	assert_string_equal(a->refusal, "");
	free(json);
	free(req);
	free(a);
	nms_est_stop(est);
}

/* Pre-approval (issue 20, item 2): with the allow-list on, a genuine TPM
 * of a trusted maker is refused until the operator lists it, by its EK
 * certificate or by serial and issuer, and then only under the name the
 * list gives it; an entry removed after the challenge is no approval. */
static void test_preapproval(void **state)
{
	struct swtpm d_sw;
	struct tr_tpm d_t;
	struct router rd;
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	uint8_t *der = NULL, sha[32], *issuer = NULL;
	const unsigned char *p;
	size_t der_len;
	X509 *ek_cert, *cert = NULL;
	BIGNUM *bn;
	char err[512] = "", *serial;
	int ilen, olen, rc;
	unsigned char *other = NULL;

	(void)state;
	if (swtpm_start(&d_sw, NULL) < 0 ||
	    tr_tpm_open(&d_t, d_sw.tcti, err, sizeof(err)) < 0 ||
	    make_router(&rd, &d_t, 11) < 0 ||
	    tr_ek_cert_read(&d_t, &der, &der_len, err, sizeof(err)) < 0)
		fail_msg("router D: %s", err);
	p = der;
	ek_cert = d2i_X509(NULL, &p, (long)der_len);
	assert_non_null(ek_cert);
	SHA256(der, der_len, sha);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ek_cert), NULL);
	serial = BN_bn2hex(bn);
	BN_free(bn);
	ilen = i2d_X509_NAME(X509_get_issuer_name(ek_cert), &issuer);
	/* Another issuer: the NMS CA's name (any name not the EK's). */
	olen = i2d_X509_NAME(X509_get_subject_name(ca.cert), &other);
	assert_true(ilen > 0 && olen > 0);
	cfg.preapproval = true;

	/* Not listed: refused before any challenge. */
	rc = challenge(&d_t, "rd", &rd, &rep, err, sizeof(err));
	expect_refused(rc, err, "is not pre-approved");
	/* Its serial, but under another issuer: still not this TPM. */
	assert_int_equal(nms_store_preapprove_serial(&store, serial, other,
						     (size_t)olen, "rd", err,
						     sizeof(err)),
			 0);
	rc = challenge(&d_t, "rd", &rd, &rep, err, sizeof(err));
	expect_refused(rc, err, "is not pre-approved");
	assert_int_equal(nms_store_preapproval_remove(&store, "rd", err,
						      sizeof(err)),
			 0);
	/* Listed by its certificate as "rd-1": no other name. */
	assert_int_equal(nms_store_preapprove_cert(&store, sha, "rd-1", err,
						   sizeof(err)),
			 0);
	rc = challenge(&d_t, "rd", &rd, &rep, err, sizeof(err));
	expect_refused(rc, err, "pre-approved as \"rd-1\" only");
	/* Its name: a challenge; the entry removed before the answer: the
	 * answer is refused where the name is bound. */
	if (challenge(&d_t, "rd-1", &rd, &rep, err, sizeof(err)))
		fail_msg("listed: %s", err);
	evidence(&rd, &rep, &ev);
	assert_int_equal(nms_store_preapproval_remove(&store, "rd-1", err,
						      sizeof(err)),
			 0);
	rc = submit(csr(&rd, "rd-1", &ev), &cert, err, sizeof(err));
	expect_refused(rc, err, "no longer pre-approved");
	assert_null(cert);
	/* Listed by serial and issuer (any case, separators): enrolls. */
	for (char *c = serial; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	assert_int_equal(nms_store_preapprove_serial(&store, serial, issuer,
						     (size_t)ilen, "rd-1", err,
						     sizeof(err)),
			 0);
	if (challenge(&d_t, "rd-1", &rd, &rep, err, sizeof(err)))
		fail_msg("listed by serial: %s", err);
	evidence(&rd, &rep, &ev);
	if (submit(csr(&rd, "rd-1", &ev), &cert, err, sizeof(err)))
		fail_msg("listed by serial: %s", err);
	assert_int_equal(X509_check_host(cert, "rd-1", 4, 0, NULL), 1);
	/* One entry a name, one a TPM. */
	assert_int_equal(nms_store_preapprove_cert(&store, sha, "rd-1", err,
						   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "on the list already"));
	assert_int_equal(nms_store_preapprove_serial(&store, "xyz", issuer,
						     (size_t)ilen, "rd-2", err,
						     sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "want 1-64 hex digits"));

	cfg.preapproval = false;
	X509_free(cert);
	X509_free(ek_cert);
	OPENSSL_free(serial);
	OPENSSL_free(issuer);
	OPENSSL_free(other);
	free(der);
	tr_tpm_close(&d_t);
	swtpm_stop(&d_sw);
}

/* Zero-touch monitoring (issue 20, item 2): what a router says at step 1
 * about where it is monitored is registered only once it is proven: its
 * endpoint and request port, and, with register_routes, its route
 * addresses, except one another router holds (an event says so). */
static void test_registered_at_enrollment(void **state)
{
	struct swtpm e_sw;
	struct tr_tpm e_t;
	struct router re;
	struct tr_credential_request *req;
	struct tr_credential_reply rep;
	struct tr_evidence ev;
	X509 *cert = NULL;
	char err[512] = "", addrs[4][46];
	int64_t other, id;
	int n;

	(void)state;
	if (swtpm_start(&e_sw, NULL) < 0 ||
	    tr_tpm_open(&e_t, e_sw.tcti, err, sizeof(err)) < 0 ||
	    make_router(&re, &e_t, 11) < 0)
		fail_msg("router E: %s", err);
	/* Another router holds 10.66.0.9. */
	assert_int_equal(nms_db_exec(store.db,
				     "INSERT INTO devices (name, created,"
				     " updated) VALUES ('re-other', 0, 0)",
				     err, sizeof(err)),
			 0);
	other = nms_store_device_id(&store, "re-other", err, sizeof(err));
	if (other <= 0 || nms_store_router_addr_add(&store, other, "10.66.0.9",
						    err, sizeof(err)) < 0)
		fail_msg("%s", err);
	cfg.register_routes = true;
	req = request(&e_t, "re", &re, NULL);
	strcpy(req->endpoint_address, "192.0.2.70");
	req->endpoint_port = 8444;
	req->request_port = 8445;
	strcpy(req->route_addrs[0], "10.66.0.2");
	strcpy(req->route_addrs[1], "10.66.0.9");
	req->n_route_addrs = 2;
	if (nms_enroll_credential(&nms, req, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	free(req);
	id = nms_store_device_id(&store, "re", err, sizeof(err));
	/* Nothing before the proof. */
	n = nms_store_router_addrs(&store, id > 0 ? id : 0, addrs, 4, err,
				   sizeof(err));
	assert_true(n <= 0);
	evidence(&re, &rep, &ev);
	if (submit(csr(&re, "re", &ev), &cert, err, sizeof(err)))
		fail_msg("%s", err);
	id = nms_store_device_id(&store, "re", err, sizeof(err));
	assert_true(id > 0);
	n = nms_store_router_addrs(&store, id, addrs, 4, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_string_equal(addrs[0], "10.66.0.2");
	assert_true(nms_store_event_count(&store, "registered") >= 1);
	assert_true(nms_store_event_count(&store, "register-refused") >= 1);
	cfg.register_routes = false;
	X509_free(cert);
	tr_tpm_close(&e_t);
	swtpm_stop(&e_sw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_enrolls),
		cmocka_unit_test(test_untrusted_ek_ca),
		cmocka_unit_test(test_ak_not_in_the_tpm),
		cmocka_unit_test(test_key_with_user_with_auth),
		cmocka_unit_test(test_key_policy_not_expected),
		cmocka_unit_test(test_replayed_request),
		cmocka_unit_test(test_key_from_another_tpm),
		cmocka_unit_test(test_late_answer),
		cmocka_unit_test(test_csr_names_another_device),
		cmocka_unit_test(test_ek_area_not_its_template),
		cmocka_unit_test(test_name_squatting),
		cmocka_unit_test(test_agent_over_https),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_name_conflict_status),
		cmocka_unit_test(test_preapproval),
		cmocka_unit_test(test_registered_at_enrollment),
	};

	return TR_RUN(tests, setup, teardown);
}
