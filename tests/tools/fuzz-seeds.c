// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-seeds TARGET...: write the seeds of fuzz targets into
 * tests/fuzz/seeds/TARGET/ (run from the top of the tree), made by the
 * project's own encoders from real inputs: the swtpm key files and
 * evidence already in the seeds, the swtpm EKs in tests/fuzz/seeds/
 * tpm_public, and the software AK of tests/lib/soft_tpm.h for what a
 * TPM would sign. Signatures are randomised (ECDSA), so a new run writes
 * other bytes that are just as valid.
 */
#define _GNU_SOURCE /* asprintf */
#include "enroll/evidence.h"
#include "enroll/csr.h"
#include "enroll/est_certs.h"
#include "enroll/wire.h"
#include "base/fileio.h"
#include "fuzz_rand.h"
#include "fuzz_tnc.h"
#include "tnc_router.h"
#include "soft_tpm.h"
#include "tpm/keyfile.h"
#include "tpm/policy_stmt.h"

#include <errno.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tss2/tss2_mu.h>

#define SEEDS "tests/fuzz/seeds"

static const char *target;

static void die(const char *what)
{
	fprintf(stderr, "fuzz-seeds: %s: %s\n", target, what);
	exit(1);
}

static void put(const char *name, const void *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), SEEDS "/%s", target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(strerror(errno));
	snprintf(path, sizeof(path), SEEDS "/%s/%s", target, name);
	if (write_file_atomic(path, buf, len, 0644) < 0)
		die(strerror(errno));
	printf("%s %zu bytes\n", path, len);
}

static uint8_t *get(const char *dir, const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf;

	snprintf(path, sizeof(path), SEEDS "/%s/%s", dir, name);
	if (read_file_bounded(path, 1 << 20, &buf, len) < 0)
		die(path);
	return buf;
}

static size_t marshal_public(const TPM2B_PUBLIC *p, uint8_t *out)
{
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(p, out, sizeof(TPM2B_PUBLIC), &off))
		die("marshalling a TPM2B_PUBLIC");
	return off;
}

static void keyfile(const char *name, struct tr_keyfile *k)
{
	char err[256];
	size_t len;
	uint8_t *der = get("tpm_keyfile", name, &len);

	if (tr_keyfile_decode(der, len, k, err, sizeof(err)))
		die(err);
	free(der);
}

static void evidence(const char *name, struct tr_evidence *e)
{
	char err[256];
	size_t len;
	uint8_t *der = get("enroll_evidence", name, &len);

	if ((strstr(name, "attestation") ?
		     tr_key_attestation_decode :
		     tr_evidence_decode)(der, len, e, err, sizeof(err)))
		die(err);
	free(der);
}

static void policy_stmt(void)
{
	static const char *const files[] = { "ours-policy.der",
					     "ours-authpolicy.der" };
	struct tr_pcr_values pcrs = { 0 };
	uint8_t body[2048];
	TPM2B_PUBLIC ak = { 0 };
	TPM2B_NONCE ref = { .size = 6 };
	TPMT_SIGNATURE sig;
	size_t len;
	char name[64];

	/* The statements of the key files made by trustkey on a swtpm. */
	for (size_t f = 0; f < 2; f++) {
		struct tr_keyfile k;

		keyfile(files[f], &k);
		for (size_t i = 0; i < k.policy.n; i++) {
			snprintf(name, sizeof(name), "keyfile%zu-%zu-cc%x", f,
				 i, k.policy.stmt[i].cc);
			put(name, k.policy.stmt[i].body, k.policy.stmt[i].len);
		}
		tr_keyfile_free(&k);
	}
	pcrs.selected[10] = pcrs.selected[11] = 1;
	memset(pcrs.value[11], 0x11, 32);
	put("pcr-10-11", body, tr_policy_pcr_body(&pcrs, body));
	/* PolicyAuthorize by a vendor key, unsigned and signed. */
	memcpy(ref.buffer, "vendor", 6);
	if (soft_ak_public(&ak) < 0 ||
	    tr_stmt_build_authorize(&ak, &ref, NULL, body, sizeof(body), &len))
		die("PolicyAuthorize");
	put("authorize-unsigned", body, len);
	if (soft_sign(soft_ak_key(), ref.buffer, ref.size, &sig) < 0 ||
	    tr_stmt_build_authorize(&ak, &ref, &sig, body, sizeof(body), &len))
		die("PolicyAuthorize");
	put("authorize-signed", body, len);
}

static void tpm_public(void)
{
	static const char *const ev[] = { "enroll-p256.der", "enroll-rsa.der" };
	uint8_t out[sizeof(TPM2B_PUBLIC)];
	struct tr_keyfile k;
	TPM2B_PUBLIC pub;
	char name[64];

	/* Real public areas from swtpm: AKs, TLS keys and a sealed key. */
	for (size_t i = 0; i < 2; i++) {
		struct tr_evidence e;

		evidence(ev[i], &e);
		snprintf(name, sizeof(name), "ak-%s", ev[i] + 7);
		put(name, out, marshal_public(&e.ak_pub, out));
		snprintf(name, sizeof(name), "tls-%s", ev[i] + 7);
		put(name, out, marshal_public(&e.key_pub, out));
	}
	keyfile("ours-policy.der", &k);
	put("keyfile-policy", k.pub, k.pub_len);
	tr_keyfile_free(&k);
	if (soft_ak_public(&pub) < 0)
		die("soft AK");
	put("soft-ak", out, marshal_public(&pub, out));
	if (soft_tls_public(soft_tls_policy, &pub) < 0)
		die("soft TLS key");
	put("soft-tls", out, marshal_public(&pub, out));
}

/* Inputs of parts (fuzz.h fuzz_part): a mode byte, then length + bytes. */
struct parts {
	uint8_t b[16384];
	size_t len;
};

static void parts_begin(struct parts *p, uint8_t mode)
{
	p->b[0] = mode;
	p->len = 1;
}

static void part(struct parts *p, const void *data, size_t n)
{
	if (p->len + 2 + n > sizeof(p->b))
		die("seed too large");
	p->b[p->len] = (uint8_t)(n >> 8);
	p->b[p->len + 1] = (uint8_t)n;
	memcpy(p->b + p->len + 2, data, n);
	p->len += 2 + n;
}

static size_t marshal_sig(const TPMT_SIGNATURE *s, uint8_t *out)
{
	size_t off = 0;

	if (Tss2_MU_TPMT_SIGNATURE_Marshal(s, out, sizeof(TPMT_SIGNATURE),
					   &off))
		die("marshalling a TPMT_SIGNATURE");
	return off;
}

static void bitmap(const struct tr_pcr_values *p, uint8_t out[3])
{
	memset(out, 0, 3);
	for (int i = 0; i < TR_PCRS; i++)
		if (p->selected[i])
			out[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void quote_seed(const char *name, bool self_signed,
		       const TPM2B_DATA *nonce,
		       const struct tr_pcr_values *pcrs, const uint8_t *attest,
		       size_t attest_len, const TPMT_SIGNATURE *sig,
		       const TPM2B_PUBLIC *ak)
{
	uint8_t b[sizeof(TPM2B_PUBLIC)] = { 0 }, sel[3], vals[TR_PCRS * 32];
	struct parts p;
	size_t nv = 0;

	parts_begin(&p, self_signed);
	bitmap(pcrs, sel);
	part(&p, sel, 3);
	part(&p, nonce->buffer, nonce->size);
	part(&p, attest, attest_len);
	part(&p, b, sig ? marshal_sig(sig, b) : 0);
	part(&p, b, ak ? marshal_public(ak, b) : 0);
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs->selected[i])
			memcpy(vals + 32 * nv++, pcrs->value[i], 32);
	part(&p, vals, 32 * nv);
	put(name, p.b, p.len);
}

static void unhex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sscanf(h + 2 * i, "%2hhx", &out[i]) != 1)
			die("hex");
}

/* The swtpm quotes of tests/data/tpm (README there). */
static void swtpm_quote(const char *name, const char *which,
			const char *nonce_hex, const struct tr_pcr_values *pcrs)
{
	char path[256];
	uint8_t *attest, *sigb, *akb;
	size_t alen, slen, klen, off = 0;
	TPMT_SIGNATURE sig;
	TPM2B_PUBLIC ak = { 0 };
	TPM2B_DATA nonce;

	snprintf(path, sizeof(path), TR_DATA_DIR "/tpm/swtpm-quote-%s.attest",
		 which);
	if (read_file_bounded(path, 4096, &attest, &alen) < 0)
		die(path);
	snprintf(path, sizeof(path), TR_DATA_DIR "/tpm/swtpm-quote-%s.sig",
		 which);
	if (read_file_bounded(path, 4096, &sigb, &slen) < 0 ||
	    Tss2_MU_TPMT_SIGNATURE_Unmarshal(sigb, slen, &off, &sig))
		die(path);
	off = 0;
	if (read_file_bounded(TR_DATA_DIR "/tpm/swtpm-ak.pub", 4096, &akb,
			      &klen) < 0 ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(akb, klen, &off, &ak))
		die("swtpm-ak.pub");
	nonce.size = (UINT16)(strlen(nonce_hex) / 2);
	unhex(nonce_hex, nonce.buffer, nonce.size);
	quote_seed(name, false, &nonce, pcrs, attest, alen, &sig, &ak);
	free(attest);
	free(sigb);
	free(akb);
}

static void quote(void)
{
	struct tr_pcr_values pcrs = { 0 };
	TPM2B_DATA nonce = { .size = 32 };
	TPM2B_ATTEST a;
	TPMT_SIGNATURE sig;
	TPM2B_PUBLIC ak = { 0 };

	pcrs.selected[10] = pcrs.selected[11] = 1;
	swtpm_quote("swtpm-10-11", "10-11",
		    "00112233445566778899aabbccddeeff0011223344556677", &pcrs);
	pcrs.selected[10] = 0;
	unhex("9ef814b42fa0be12d197c44d3e8e03441a4b1118237658368ba1351090e556ed",
	      pcrs.value[11], 32);
	swtpm_quote("swtpm-11", "11", "00112233445566778899aabbccddeeff",
		    &pcrs);
	/* The software AK's, as the NMS asks: PCRs 10 and 11. */
	pcrs.selected[10] = 1;
	memset(pcrs.value[10], 0x10, 32);
	memset(nonce.buffer, 0x4e, 32);
	if (soft_ak_public(&ak) < 0 || soft_quote(&nonce, &pcrs, &a, &sig) < 0)
		die("soft quote");
	quote_seed("soft-signed", false, &nonce, &pcrs, a.attestationData,
		   a.size, &sig, &ak);
	quote_seed("soft-self-signed", true, &nonce, &pcrs, a.attestationData,
		   a.size, NULL, NULL);
	/* A boot-time selection, a short nonce. */
	memset(&pcrs, 0, sizeof(pcrs));
	for (int i = 0; i < 8; i++) {
		pcrs.selected[i] = 1;
		memset(pcrs.value[i], i, 32);
	}
	nonce.size = 16;
	if (soft_quote_info(&nonce, &pcrs, &a) < 0)
		die("soft quote");
	quote_seed("soft-self-signed-boot", true, &nonce, &pcrs,
		   a.attestationData, a.size, NULL, NULL);
}

static void certify_seed(const char *name, bool self_signed,
			 const struct tr_evidence *e, const TPM2B_DATA *nonce)
{
	uint8_t b[sizeof(TPM2B_PUBLIC)] = { 0 };
	struct parts p;

	parts_begin(&p, self_signed);
	part(&p, nonce->buffer, nonce->size);
	part(&p, e->attest.attestationData, e->attest.size);
	part(&p, b, self_signed ? 0 : marshal_sig(&e->sig, b));
	part(&p, b, self_signed ? 0 : marshal_public(&e->ak_pub, b));
	part(&p, b, marshal_public(&e->key_pub, b));
	put(name, p.b, p.len);
}

static void certify(void)
{
	static const char *const ev[] = { "enroll-p256.der", "enroll-rsa.der" };
	struct tr_evidence e = { 0 };
	TPM2B_DATA nonce = { .size = 32 };

	/* Enrollment's: swtpm certified its TLS key with its AK. */
	for (size_t i = 0; i < 2; i++) {
		char name[32];

		evidence(ev[i], &e);
		snprintf(name, sizeof(name), "swtpm-%s", ev[i] + 7);
		certify_seed(name, false, &e, &e.nonce);
	}
	memset(nonce.buffer, 0xce, 32);
	if (soft_ak_public(&e.ak_pub) < 0 ||
	    soft_tls_public(soft_tls_policy, &e.key_pub) < 0 ||
	    soft_certify(&e.key_pub, &nonce, &e.attest, &e.sig) < 0)
		die("soft certify");
	certify_seed("soft-signed", false, &e, &nonce);
	certify_seed("soft-self-signed", true, &e, &nonce);
}

/* Evidence of the software AK and TLS key, for @nonce. */
static void soft_evidence(struct tr_evidence *e)
{
	memset(e, 0, sizeof(*e));
	e->nonce.size = 32;
	memset(e->nonce.buffer, 0xe0, 32);
	e->secret.size = 32;
	memset(e->secret.buffer, 0x5e, 32);
	e->ek_name.size = 34;
	e->ek_name.name[0] = TPM2_ALG_SHA256 >> 8;
	e->ek_name.name[1] = TPM2_ALG_SHA256 & 0xff;
	memset(e->ek_name.name + 2, 0xee, 32);
	if (soft_ak_public(&e->ak_pub) < 0 ||
	    soft_tls_public(soft_tls_policy, &e->key_pub) < 0 ||
	    soft_certify(&e->key_pub, &e->nonce, &e->attest, &e->sig) < 0)
		die("soft evidence");
}

static EVP_PKEY *key_of(const struct tr_evidence *e)
{
	char err[256];
	EVP_PKEY *k = tr_tpm_public_to_evp(&e->key_pub, err, sizeof(err));

	if (!k)
		die(err);
	return k;
}

/* @der with the mode byte @mode before it. */
static void put_mode(const char *name, uint8_t mode, const uint8_t *der,
		     size_t len)
{
	uint8_t *b = malloc(len + 1);

	if (!b)
		die("out of memory");
	b[0] = mode;
	memcpy(b + 1, der, len);
	put(name, b, len + 1);
	free(b);
}

/*
 * A CSR for @e's key with @e as its EnrollEvidence. The signature is the
 * software TLS key's: tr_csr_get_evidence does not check it, and the
 * swtpm keys' private parts are not kept.
 */
static void csr_seed(const char *name, const struct tr_evidence *e)
{
	X509_REQ *req = X509_REQ_new();
	EVP_PKEY *k = key_of(e);
	uint8_t *der = NULL;
	char err[256];
	int len;

	if (!req || !X509_REQ_set_pubkey(req, k) ||
	    !X509_NAME_add_entry_by_txt(
		    X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
		    (const unsigned char *)"r1", -1, -1, 0) ||
	    tr_csr_add_evidence(req, e, err, sizeof(err)) < 0 ||
	    !X509_REQ_sign(req, soft_tls_key(), EVP_sha256()) ||
	    (len = i2d_X509_REQ(req, &der)) <= 0)
		die("CSR");
	put_mode(name, 0, der, (size_t)len);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	X509_REQ_free(req);
}

static void csr_evidence(void)
{
	static const char *const ev[] = { "enroll-p256.der", "enroll-rsa.der" };
	struct tr_evidence e;

	for (size_t i = 0; i < 2; i++) {
		char name[32];
		size_t len;
		uint8_t *der = get("enroll_evidence", ev[i], &len);

		evidence(ev[i], &e);
		snprintf(name, sizeof(name), "swtpm-%.*s.csr",
			 (int)strcspn(ev[i] + 7, "."), ev[i] + 7);
		csr_seed(name, &e);
		snprintf(name, sizeof(name), "value-swtpm-%.*s",
			 (int)strcspn(ev[i] + 7, "."), ev[i] + 7);
		put_mode(name, 1, der, len);
		free(der);
	}
	soft_evidence(&e);
	csr_seed("soft.csr", &e);
}

/*
 * A certificate for @e's key with @e as its KeyAttestation, as the NMS
 * issues them; signed by the software AK, as its chain is not checked.
 */
static void cert_seed(const char *name, const struct tr_evidence *e)
{
	X509 *x = X509_new();
	EVP_PKEY *k = key_of(e);
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *oid = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1);
	X509_EXTENSION *xe = NULL;
	uint8_t *ext = NULL, *der = NULL;
	size_t elen;
	char err[256];
	int len;

	if (tr_key_attestation_encode(e, &ext, &elen, err, sizeof(err)) < 0)
		die(err);
	if (!x || !s || !oid || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 7) ||
	    !X509_NAME_add_entry_by_txt(
		    X509_get_subject_name(x), "CN", MBSTRING_UTF8,
		    (const unsigned char *)"r1", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(
		    X509_get_issuer_name(x), "CN", MBSTRING_UTF8,
		    (const unsigned char *)"NMS CA", -1, -1, 0) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) ||
	    !X509_set_pubkey(x, k) ||
	    !ASN1_OCTET_STRING_set(s, ext, (int)elen) ||
	    !(xe = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, s)) ||
	    !X509_add_ext(x, xe, -1) ||
	    !X509_sign(x, soft_ak_key(), EVP_sha256()) ||
	    (len = i2d_X509(x, &der)) <= 0)
		die("certificate");
	put_mode(name, 0, der, (size_t)len);
	OPENSSL_free(der);
	free(ext);
	X509_EXTENSION_free(xe);
	ASN1_OBJECT_free(oid);
	ASN1_OCTET_STRING_free(s);
	EVP_PKEY_free(k);
	X509_free(x);
}

static void cert_attestation(void)
{
	static const char *const ev[] = { "attestation-p256.der",
					  "attestation-rsa.der" };
	struct tr_evidence e;

	for (size_t i = 0; i < 2; i++) {
		char name[32];
		size_t len;
		uint8_t *der = get("enroll_evidence", ev[i], &len);

		evidence(ev[i], &e);
		snprintf(name, sizeof(name), "swtpm-%.*s.crt",
			 (int)strcspn(ev[i] + 12, "."), ev[i] + 12);
		cert_seed(name, &e);
		snprintf(name, sizeof(name), "ext-swtpm-%.*s",
			 (int)strcspn(ev[i] + 12, "."), ev[i] + 12);
		put_mode(name, 1, der, len);
		free(der);
	}
	soft_evidence(&e);
	cert_seed("soft.crt", &e);
}

/*
 * Packages built by dpkg-deb, one per compression it knows, with what
 * a .deb holds: a file, an executable, a directory, a symlink and a hard
 * link. Small, so that mutations stay near the formats.
 */
static void dl_deb(void)
{
	static const char *const z[] = { "gzip", "xz", "zstd", "none" };
	char dir[] = "/tmp/fuzz-seeds-XXXXXX", cmd[1024], name[64], path[512];

	if (!mkdtemp(dir))
		die(strerror(errno));
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; mkdir -p pkg/DEBIAN pkg/usr/bin pkg/etc/tr; "
		 "printf 'Package: trfuzz\nVersion: 1.0\nArchitecture: all\n"
		 "Maintainer: T <t@example.org>\nDescription: seed\n' "
		 ">pkg/DEBIAN/control; printf '#!/bin/sh\necho hi\n' "
		 ">pkg/usr/bin/hi; chmod 755 pkg/usr/bin/hi; "
		 "printf 'x=1\n' >pkg/etc/tr/conf; ln -s hi pkg/usr/bin/lo; "
		 "ln pkg/usr/bin/hi pkg/usr/bin/zz",
		 dir);
	if (system(cmd))
		die("making the package tree");
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		uint8_t *b;
		size_t len;

		snprintf(cmd, sizeof(cmd),
			 "cd %s && dpkg-deb --root-owner-group -Z%s --build "
			 "pkg %s.deb >/dev/null",
			 dir, z[i], z[i]);
		if (system(cmd))
			die("dpkg-deb");
		snprintf(path, sizeof(path), "%s/%s.deb", dir, z[i]);
		if (read_file_bounded(path, 1 << 20, &b, &len) < 0)
			die(path);
		snprintf(name, sizeof(name), "dpkg-deb-%s.deb", z[i]);
		put(name, b, len);
		free(b);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		die("rm");
}

/* An EST request as fuzz_est_request reads it. */
static void est_seed(const char *name, const char *method, const char *op,
		     const char *type, const char *body, size_t len)
{
	char *b;
	int n = asprintf(&b, "%c%s /.well-known/est/%s\n%s\n", 0, method, op,
			 type);

	if (n < 0 || !(b = realloc(b, (size_t)n + len)))
		die("out of memory");
	memcpy(b + n, body, len);
	put(name, b, (size_t)n + len);
	free(b);
}

static uint8_t *data_file(const char *name, size_t *len)
{
	char path[512];
	uint8_t *b;

	snprintf(path, sizeof(path), TR_DATA_DIR "/tpm/%s", name);
	if (read_file_bounded(path, 1 << 16, &b, len) < 0)
		die(path);
	return b;
}

static void est_request(void)
{
	struct tr_credential_request *r = calloc(1, sizeof(*r));
	X509_REQ *req;
	size_t len, off = 0;
	uint8_t *b;
	char *json, *b64, err[256];
	const uint8_t *p;

	/* The swtpm's EK and a swtpm AK, as the agent sends them. */
	if (!r)
		die("out of memory");
	snprintf(r->device, sizeof(r->device), "r1");
	b = data_file("swtpm-ek-rsa.crt", &len);
	memcpy(r->ek_cert, b, len);
	r->ek_cert_len = len;
	free(b);
	b = data_file("swtpm-ek-rsa.pub", &len);
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, len, &off, &r->ek_pub))
		die("swtpm-ek-rsa.pub");
	free(b);
	off = 0;
	b = data_file("swtpm-ak.pub", &len);
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, len, &off, &r->ak_pub))
		die("swtpm-ak.pub");
	free(b);
	json = tr_credential_request_json(r);
	if (!json)
		die("tr_credential_request_json");
	est_seed("credential", "POST", "tpm-credential", "application/json",
		 json, strlen(json));
	est_seed("credential-charset", "POST", "tpm-credential",
		 "application/json; charset=utf-8", json, strlen(json));
	free(json);
	free(r);
	/* The software key's CSR with its evidence, as EST carries it. */
	b = get("csr_evidence", "soft.csr", &len);
	p = b + 1;
	req = d2i_X509_REQ(NULL, &p, (long)len - 1);
	if (!req || tr_est_csr_encode(req, &b64, &len, err, sizeof(err)) < 0)
		die("soft.csr");
	est_seed("simpleenroll", "POST", "simpleenroll", "application/pkcs10",
		 b64, len);
	free(b64);
	free(b);
	X509_REQ_free(req);
	est_seed("cacerts", "GET", "cacerts", "", "", 0);
	est_seed("cacerts-post", "POST", "cacerts", "text/plain", "x", 1);
	est_seed("crl", "GET", "crl", "", "", 0);
	est_seed("crl-post", "POST", "crl", "text/plain", "x", 1);
}

/* The NMS's last decision, to check that a seed is the session it says. */
static enum verdict decision = (enum verdict) - 1;

static void decided(const struct tnc_session_info *i,
		    const struct nms_verdict *v, void *arg)
{
	(void)i;
	(void)arg;
	decision = v->v;
}

/*
 * A whole session of the scripted router against the NMS of fuzz_tnc.h
 * in @mode, with the random stream fuzz_tnc_session will have: the seed
 * is the mode byte and every message the router sent.
 */
static void session_seed(const char *name, unsigned mode, struct tnc_router *r,
			 const char *const *run, size_t n)
{
	static uint8_t log[8192];
	struct tnc_server_config c = fuzz_tnc_config(mode);
	struct tnc_session_io io = tnc_router_io(r);
	struct tnc_session *s;
	char err[256];
	uint8_t *b;

	c.decided = decided;
	decision = (enum verdict) - 1;
	r->log = log;
	r->log_len = ref_log(&fuzz_tnc_lists, run, n, log, sizeof(log));
	snprintf(r->facts.product, sizeof(r->facts.product), "Debian");
	snprintf(r->facts.version, sizeof(r->facts.version), "12 x86_64");
	r->facts.major = 12;
	r->facts.minor = 4;
	r->facts.forwarding_v4 = true;
	snprintf(r->facts.device_id, sizeof(r->facts.device_id), "%s",
		 FUZZ_TNC_DEVICE_ID);
	fuzz_rand_reset();
	s = tnc_session_open(&c, "192.0.2.7",
			     mode & FUZZ_TNC_CERTIFIED ? "r1" : NULL, &io);
	if (!s || !r->log_len)
		die("session");
	if (tnc_router_run(r, s, err, sizeof(err)) < 0 &&
	    !strstr(name, "refused"))
		die(err);
	tnc_session_free(s);
	/* "good" seeds must reach a good verdict: their quotes verify. */
	if (strstr(name, "good") && decision != VERDICT_GOOD)
		die("the NMS did not find it good");
	if (strstr(name, "rootkit") && decision != VERDICT_BAD)
		die("the NMS did not find it bad");
	b = malloc(r->sent_len + 1);
	if (!b)
		die("out of memory");
	b[0] = (uint8_t)mode;
	memcpy(b + 1, r->sent, r->sent_len);
	put(name, b, r->sent_len + 1);
	free(b);
	tnc_router_free(r);
}

static void tnc_session(void)
{
	static const char *const rootkit[] = { "rootkit" };
	static const char *const tcpdump[] = { "tcpdump" };
	struct tnc_router r;
	size_t len;
	uint8_t *b, *s;

	if (fuzz_tnc_init() < 0)
		die("reference lists");
	r = (struct tnc_router){ .device = "r1" };
	session_seed("certified-good", FUZZ_TNC_CERTIFIED, &r, NULL, 0);
	r = (struct tnc_router){ .device = "r1" };
	session_seed("claim-good", 0, &r, NULL, 0);
	r = (struct tnc_router){ .device = "r1" };
	session_seed("claim-rootkit", 0, &r, rootkit, 1);
	r = (struct tnc_router){ .device = "r1" };
	session_seed("certified-unknown-file", FUZZ_TNC_CERTIFIED, &r, tcpdump,
		     1);
	r = (struct tnc_router){ .device = "r2" };
	session_seed("certified-claims-another", FUZZ_TNC_CERTIFIED, &r, NULL,
		     0);
	r = (struct tnc_router){ .device = "r1", .mutual = true };
	session_seed("mutual-certified", FUZZ_TNC_CERTIFIED | FUZZ_TNC_MUTUAL,
		     &r, NULL, 0);
	r = (struct tnc_router){ .device = "r1", .mutual = true };
	session_seed("mutual-claim", FUZZ_TNC_MUTUAL, &r, NULL, 0);
	r = (struct tnc_router){ .sasl_user = "r1", .sasl_password = "pw" };
	session_seed("sasl", FUZZ_TNC_SASL, &r, NULL, 0);
	r = (struct tnc_router){ .sasl_user = "r1", .sasl_password = "no" };
	session_seed("sasl-refused", FUZZ_TNC_SASL, &r, NULL, 0);
	/* strongSwan 6.0.6's pt-tls-client, SASL PLAIN as carol. */
	b = get("pt_tls", "client-sasl.stream", &len);
	s = malloc(len + 1);
	if (!s)
		die("out of memory");
	s[0] = FUZZ_TNC_SASL;
	memcpy(s + 1, b, len);
	put("strongswan-client-sasl", s, len + 1);
	free(s);
	free(b);
}

static const struct {
	const char *name;
	void (*fn)(void);
} targets[] = {
	{ "tnc_session", tnc_session },
	{ "est_request", est_request },
	{ "dl_deb", dl_deb },
	{ "csr_evidence", csr_evidence },
	{ "cert_attestation", cert_attestation },
	{ "quote", quote },
	{ "certify", certify },
	{ "policy_stmt", policy_stmt },
	{ "tpm_public", tpm_public },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-seeds TARGET... (from the top)\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		size_t t = 0;

		while (t < sizeof(targets) / sizeof(targets[0]) &&
		       strcmp(targets[t].name, argv[i]))
			t++;
		if (t == sizeof(targets) / sizeof(targets[0])) {
			fprintf(stderr, "fuzz-seeds: no target %s\n", argv[i]);
			return 2;
		}
		target = argv[i];
		targets[t].fn();
	}
	return 0;
}
