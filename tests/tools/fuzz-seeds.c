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

#include <dirent.h>
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
	TPM2B_PUBLIC ak;
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

static const struct {
	const char *name;
	void (*fn)(void);
} targets[] = {
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
