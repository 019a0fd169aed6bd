// SPDX-License-Identifier: GPL-2.0-only
/*
 * The swtpm fixture works: two TPMs at once, each reached through ESAPI,
 * isolated from each other, provisioned with an EK certificate that chains
 * to the project's test CA, and gone without a trace after stop.
 */
#define _GNU_SOURCE
#include "swtpm_fixture.h"
#include "tpm/key.h"
#include "tr_test.h"

#include <errno.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define EK_CERT_RSA_NV 0x01c00002

struct tpm {
	struct swtpm sw;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

static struct tpm tpms[2];

static int open_tpm(struct tpm *t)
{
	if (swtpm_start(&t->sw, NULL) < 0)
		return -1;
	if (Tss2_TctiLdr_Initialize(t->sw.tcti, &t->tcti) != TSS2_RC_SUCCESS ||
	    Esys_Initialize(&t->esys, t->tcti, NULL) != TSS2_RC_SUCCESS)
		return -1;
	return 0;
}

static void close_tpm(struct tpm *t)
{
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	swtpm_stop(&t->sw);
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		if (open_tpm(&tpms[i]) < 0)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		close_tpm(&tpms[i]);
	return 0;
}

static void test_two_tpms_run_at_once(void **state)
{
	(void)state;
	assert_true(tpms[0].sw.pid > 0 && tpms[1].sw.pid > 0);
	assert_int_equal(kill(tpms[0].sw.pid, 0), 0);
	assert_int_equal(kill(tpms[1].sw.pid, 0), 0);
	assert_int_not_equal(tpms[0].sw.port, tpms[1].sw.port);
	assert_string_not_equal(tpms[0].sw.dir, tpms[1].sw.dir);
	assert_int_equal(tpms[0].sw.dir[0], '/'); /* absolute, as swtpm needs */
}

/* ECC P-256 storage primary with the standard SRK template. */
static void test_create_primary(void **state)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR handle = ESYS_TR_NONE;

	(void)state;
	assert_int_equal(Esys_CreatePrimary(tpms[0].esys, ESYS_TR_RH_OWNER,
					    ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &sens,
					    &tr_srk_template, &outside, &pcrs,
					    &handle, &pub, NULL, NULL, NULL),
			 TSS2_RC_SUCCESS);
	assert_int_equal(pub->publicArea.type, TPM2_ALG_ECC);
	assert_int_equal(pub->publicArea.unique.ecc.x.size, 32);
	assert_int_equal(pub->publicArea.unique.ecc.y.size, 32);
	Esys_Free(pub);
	assert_int_equal(Esys_FlushContext(tpms[0].esys, handle),
			 TSS2_RC_SUCCESS);
}

static void read_pcr(struct tpm *t, TPMI_ALG_HASH alg, unsigned idx,
		     TPM2B_DIGEST *out)
{
	TPML_PCR_SELECTION sel = {
		.count = 1,
		.pcrSelections[0] = { .hash = alg, .sizeofSelect = 3 },
	};
	TPML_DIGEST *vals = NULL;

	sel.pcrSelections[0].pcrSelect[idx / 8] = 1 << (idx % 8);
	assert_int_equal(Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				       ESYS_TR_NONE, &sel, NULL, NULL, &vals),
			 TSS2_RC_SUCCESS);
	assert_int_equal(vals->count, 1);
	*out = vals->digests[0];
	Esys_Free(vals);
}

static void test_pcrs_start_at_zero_in_both_banks(void **state)
{
	TPM2B_DIGEST d;
	uint8_t zero[32] = { 0 };

	(void)state;
	read_pcr(&tpms[1], TPM2_ALG_SHA256, 10, &d);
	assert_int_equal(d.size, 32);
	assert_memory_equal(d.buffer, zero, 32);
	read_pcr(&tpms[1], TPM2_ALG_SHA1, 10, &d);
	assert_int_equal(d.size, 20);
	assert_memory_equal(d.buffer, zero, 20);
}

/* An extend on one TPM changes its PCR as computed, and not the other's. */
static void test_tpms_are_isolated(void **state)
{
	TPML_DIGEST_VALUES v = { .count = 1 };
	uint8_t buf[64] = { 0 }, want[32], zero[32] = { 0 };
	TPM2B_DIGEST d;

	(void)state;
	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(v.digests[0].digest.sha256, 0x5a, 32);
	assert_int_equal(Esys_PCR_Extend(tpms[0].esys, ESYS_TR_PCR16,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &v),
			 TSS2_RC_SUCCESS);
	memset(buf + 32, 0x5a, 32);
	SHA256(buf, 64, want);
	read_pcr(&tpms[0], TPM2_ALG_SHA256, 16, &d);
	assert_memory_equal(d.buffer, want, 32);
	read_pcr(&tpms[1], TPM2_ALG_SHA256, 16, &d);
	assert_memory_equal(d.buffer, zero, 32);
}

static X509 *read_ek_cert(struct tpm *t)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC *pub = NULL;
	uint8_t der[4096];
	const uint8_t *p = der;
	uint16_t size, off = 0;
	X509 *cert;

	assert_int_equal(Esys_TR_FromTPMPublic(t->esys, EK_CERT_RSA_NV,
					       ESYS_TR_NONE, ESYS_TR_NONE,
					       ESYS_TR_NONE, &nv),
			 TSS2_RC_SUCCESS);
	assert_int_equal(Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE,
					    ESYS_TR_NONE, ESYS_TR_NONE, &pub,
					    NULL),
			 TSS2_RC_SUCCESS);
	size = pub->nvPublic.dataSize;
	Esys_Free(pub);
	assert_true(size > 0 && size <= sizeof(der));
	while (off < size) {
		TPM2B_MAX_NV_BUFFER *chunk = NULL;
		uint16_t n = size - off > 512 ? 512 : size - off;

		assert_int_equal(Esys_NV_Read(t->esys, ESYS_TR_RH_OWNER, nv,
					      ESYS_TR_PASSWORD, ESYS_TR_NONE,
					      ESYS_TR_NONE, n, off, &chunk),
				 TSS2_RC_SUCCESS);
		memcpy(der + off, chunk->buffer, chunk->size);
		off += chunk->size;
		Esys_Free(chunk);
	}
	Esys_TR_Close(t->esys, &nv);
	cert = d2i_X509(NULL, &p, size);
	assert_non_null(cert);
	return cert;
}

static X509 *load_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void test_ek_cert_chains_to_test_ca(void **state)
{
	X509 *ek = read_ek_cert(&tpms[0]);
	X509 *root = load_pem(TR_TPM_CA_DIR "/swtpm-localca-rootca-cert.pem");
	X509 *issuer = load_pem(TR_TPM_CA_DIR "/issuercert.pem");
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	int ok;

	(void)state;
	X509_STORE_add_cert(store, root);
	sk_X509_push(chain, issuer);
	X509_STORE_CTX_init(ctx, store, ek, chain);
	ok = X509_verify_cert(ctx);
	if (ok != 1)
		fail_msg("EK certificate does not verify: %s",
			 X509_verify_cert_error_string(
				 X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(chain);
	X509_free(ek);
	X509_free(root);
	X509_free(issuer);
}

static void test_stop_leaves_nothing_behind(void **state)
{
	struct swtpm t;
	struct stat st;
	char dir[PATH_MAX];
	pid_t pid;

	(void)state;
	assert_int_equal(swtpm_start(&t, NULL), 0);
	pid = t.pid;
	snprintf(dir, sizeof(dir), "%s", t.dir);
	swtpm_stop(&t);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(stat(dir, &st), -1);
	swtpm_stop(&t); /* idempotent */
}

static void test_missing_state_is_an_error(void **state)
{
	struct swtpm t;

	(void)state;
	assert_int_equal(swtpm_start(&t, "/nonexistent/tpm-state"), -1);
	assert_int_equal(t.pid, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_tpms_run_at_once),
		cmocka_unit_test(test_create_primary),
		cmocka_unit_test(test_pcrs_start_at_zero_in_both_banks),
		cmocka_unit_test(test_tpms_are_isolated),
		cmocka_unit_test(test_ek_cert_chains_to_test_ca),
		cmocka_unit_test(test_stop_leaves_nothing_behind),
		cmocka_unit_test(test_missing_state_is_an_error),
	};

	return TR_RUN(tests, setup, teardown);
}
