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
#include "enroll/evidence.h"
#include "base/fileio.h"
#include "soft_tpm.h"
#include "tpm/keyfile.h"
#include "tpm/policy_stmt.h"

#include <errno.h>
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

static const struct {
	const char *name;
	void (*fn)(void);
} targets[] = {
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
