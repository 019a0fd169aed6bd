// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM2_Quote by an AK on swtpms: the verifier accepts the quote for its
 * nonce, by that AK, over the PCRs it asked, with the values that hash to
 * the quoted digest, and refuses each of these changed alone.
 */
#include "tpm/certify.h"
#include "tpm_pair.h"
#include "tpm/quote.h"
#include "tr_test.h"

#include <string.h>

static struct tpm_pair pair;
static TPM2B_PUBLIC ak_pub, ak2_pub, other_pub;
static TPM2B_PRIVATE ak_priv, ak2_priv, other_priv;
static TPM2B_DATA nonce = { .size = 32 };
static unsigned char asked[TR_PCRS];

static void extend16(struct tr_tpm *t, uint8_t fill)
{
	TPML_DIGEST_VALUES v = { .count = 1 };

	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(v.digests[0].digest.sha256, fill, 32);
	assert_int_equal(Esys_PCR_Extend(t->esys, ESYS_TR_PCR16,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &v),
			 0);
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (tpm_pair_start(&pair) < 0)
		return -1;
	memset(nonce.buffer, 0xa5, nonce.size);
	asked[10] = asked[11] = asked[16] = 1;
	if (tr_ak_create(&pair.t[0], &ak_pub, &ak_priv, err, sizeof(err)) ||
	    tr_ak_create(&pair.t[0], &ak2_pub, &ak2_priv, err, sizeof(err)) ||
	    tr_ak_create(&pair.t[1], &other_pub, &other_priv, err,
			 sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	extend16(&pair.t[0], 0x16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tpm_pair_stop(&pair);
	return 0;
}

static void quote(const unsigned char *sel, struct tr_quote *q)
{
	char err[256];

	if (tr_quote(&pair.t[0], &ak_pub, &ak_priv, sel, &nonce, q, err,
		     sizeof(err)))
		fail_msg("%s", err);
}

static void expect_refused(const struct tr_quote *q, const TPM2B_PUBLIC *ak,
			   const TPM2B_DATA *n, const unsigned char *sel,
			   const char *why)
{
	char err[256] = "";

	assert_int_equal(tr_quote_verify(&q->attest, &q->sig, ak, n, sel,
					 &q->pcrs, NULL, err, sizeof(err)),
			 -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
}

static void expect_verifies(const struct tr_quote *q, const unsigned char *sel)
{
	struct tr_quote_info info = { 0 };
	char err[256];

	if (tr_quote_verify(&q->attest, &q->sig, &ak_pub, &nonce, sel, &q->pcrs,
			    &info, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(info.clock > 0);
}

static void test_quote_verifies_in_four_commands(void **state)
{
	struct tr_pcr_values now = { 0 };
	unsigned long before = pair.t[0].commands;
	struct tr_quote q;
	char err[256];

	(void)state;
	quote(asked, &q);
	/* Load, PCR_Read, Quote, FlushContext (the SRK is loaded). */
	assert_int_equal(pair.t[0].commands - before, 4);
	expect_verifies(&q, asked);
	memcpy(now.selected, asked, sizeof(now.selected));
	assert_int_equal(tr_tpm_pcr_read(&pair.t[0], &now, err, sizeof(err)),
			 0);
	assert_memory_equal(q.pcrs.value, now.value, sizeof(now.value));
	assert_memory_equal(q.pcrs.selected, asked, TR_PCRS);
}

static void test_all_pcrs(void **state)
{
	unsigned char all[TR_PCRS];
	unsigned long before = pair.t[0].commands;
	struct tr_quote q;

	(void)state;
	memset(all, 1, sizeof(all));
	quote(all, &q);
	/* 24 PCRs take three PCR_Reads of 8. */
	assert_int_equal(pair.t[0].commands - before, 6);
	expect_verifies(&q, all);
	expect_refused(&q, &ak_pub, &nonce, asked, "other PCRs");
}

static void test_refusals(void **state)
{
	TPM2B_DATA stale = nonce;
	unsigned char fewer[TR_PCRS] = { 0 };
	struct tr_quote q, t;
	TPM2B_PUBLIC bad_ak;

	(void)state;
	quote(asked, &q);
	stale.buffer[31] ^= 1;
	expect_refused(&q, &ak_pub, &stale, asked, "stale");
	expect_refused(&q, &ak2_pub, &nonce, asked, "does not verify");
	expect_refused(&q, &other_pub, &nonce, asked, "does not verify");
	bad_ak = ak_pub;
	bad_ak.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
	expect_refused(&q, &bad_ak, &nonce, asked, "AK: not a restricted");

	t = q; /* the last byte of pcrDigest */
	t.attest.attestationData[t.attest.size - 1] ^= 1;
	expect_refused(&t, &ak_pub, &nonce, asked, "does not verify");
	t = q;
	t.sig.signature.ecdsa.signatureS.buffer[5] ^= 1;
	expect_refused(&t, &ak_pub, &nonce, asked, "does not verify");
	t = q;
	t.sig.signature.ecdsa.hash = TPM2_ALG_SHA1;
	expect_refused(&t, &ak_pub, &nonce, asked, "not an ECDSA-SHA256");
	t = q;
	t.attest.size -= 1;
	expect_refused(&t, &ak_pub, &nonce, asked, "malformed");

	/* The router's values, one changed. */
	t = q;
	t.pcrs.value[11][0] ^= 1;
	expect_refused(&t, &ak_pub, &nonce, asked, "not the ones quoted");
	/* The router claims fewer PCRs than quoted. */
	t = q;
	t.pcrs.selected[16] = 0;
	expect_refused(&t, &ak_pub, &nonce, asked, "PCR 16 missing");

	/* The verifier asked for fewer, or others. */
	fewer[10] = fewer[11] = 1;
	expect_refused(&q, &ak_pub, &nonce, fewer, "other PCRs");
	fewer[16] = fewer[17] = 1;
	expect_refused(&q, &ak_pub, &nonce, fewer, "other PCRs");

	stale.size = 8;
	expect_refused(&q, &ak_pub, &stale, asked, "nonce of 8 bytes");
}

/* The same AK's certification of a key is no quote. */
static void test_certification_is_not_a_quote(void **state)
{
	struct tr_quote q;
	char err[256];

	(void)state;
	quote(asked, &q);
	assert_int_equal(tr_certify(&pair.t[0], &ak_pub, &ak_priv, &ak2_pub,
				    &ak2_priv, &nonce, &q.attest, &q.sig, err,
				    sizeof(err)),
			 0);
	expect_refused(&q, &ak_pub, &nonce, asked, "not a quote");
}

static void test_quote_follows_the_pcrs(void **state)
{
	struct tr_quote q1, q2, mixed;

	(void)state;
	quote(asked, &q1);
	extend16(&pair.t[0], 0x61);
	quote(asked, &q2);
	expect_verifies(&q2, asked);
	assert_memory_not_equal(q1.pcrs.value[16], q2.pcrs.value[16], 32);
	/* The values from before the extend do not fit the new quote. */
	mixed = q2;
	mixed.pcrs = q1.pcrs;
	expect_refused(&mixed, &ak_pub, &nonce, asked, "not the ones quoted");
}

static void test_bad_requests(void **state)
{
	unsigned char none[TR_PCRS] = { 0 };
	TPM2B_DATA shortn = { .size = TR_QUOTE_NONCE_MIN - 1 };
	TPM2B_DATA longn = { .size = TR_QUOTE_NONCE_MAX + 1 };
	unsigned long before = pair.t[0].commands;
	struct tr_quote q;
	char err[256];

	(void)state;
	assert_int_equal(tr_quote(&pair.t[0], &ak_pub, &ak_priv, none, &nonce,
				  &q, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no PCR selected"));
	assert_int_equal(tr_quote(&pair.t[0], &ak_pub, &ak_priv, asked, &shortn,
				  &q, err, sizeof(err)),
			 -1);
	assert_int_equal(tr_quote(&pair.t[0], &ak_pub, &ak_priv, asked, &longn,
				  &q, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nonce of 33 bytes"));
	assert_int_equal(pair.t[0].commands, before);
	/* An AK of another TPM does not load here. */
	assert_int_equal(tr_quote(&pair.t[0], &other_pub, &other_priv, asked,
				  &nonce, &q, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not from this TPM"));
}

/*
 * A TPM whose object slots are full (TPM_RC_OBJECT_MEMORY, 0x902: a
 * leaking client, no resource manager) refuses to load the AK: the error
 * says so and how to fix it, not "not from this TPM?", which would send
 * the operator looking at the wrong thing.
 */
static void test_full_tpm_is_not_a_foreign_ak(void **state)
{
	TPM2B_PUBLIC
	tmpl = { .publicArea = {
			 .type = TPM2_ALG_ECC,
			 .nameAlg = TPM2_ALG_SHA256,
			 .objectAttributes = TPMA_OBJECT_FIXEDTPM |
					     TPMA_OBJECT_FIXEDPARENT |
					     TPMA_OBJECT_SENSITIVEDATAORIGIN |
					     TPMA_OBJECT_USERWITHAUTH |
					     TPMA_OBJECT_SIGN_ENCRYPT,
			 .parameters
				 .eccDetail = { .symmetric.algorithm =
							TPM2_ALG_NULL,
						.scheme.scheme = TPM2_ALG_NULL,
						.curveID = TPM2_ECC_NIST_P256,
						.kdf.scheme = TPM2_ALG_NULL },
		 } };
	TPM2B_SENSITIVE_CREATE in = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	ESYS_TR held[8];
	struct tr_quote q;
	size_t n = 0;
	char err[512];
	TSS2_RC rc = 0;

	(void)state;
	/* Fill every free slot with primaries (the SRK holds one). */
	while (n < 8) {
		rc = Esys_CreatePrimary(pair.t[0].esys, ESYS_TR_RH_OWNER,
					ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE, &in, &tmpl, NULL, &none,
					&held[n], NULL, NULL, NULL, NULL);
		if (rc)
			break;
		n++;
	}
	assert_int_equal(rc & 0xfff, 0x902);
	assert_int_equal(tr_quote(&pair.t[0], &ak_pub, &ak_priv, asked, &nonce,
				  &q, err, sizeof(err)),
			 -1);
	for (size_t i = 0; i < n; i++)
		Esys_FlushContext(pair.t[0].esys, held[i]);
	assert_null(strstr(err, "not from this TPM"));
	assert_non_null(strstr(err, "no room"));
	assert_non_null(strstr(err, "0x902"));
	/* With the slots free again the same AK quotes. */
	assert_int_equal(tr_quote(&pair.t[0], &ak_pub, &ak_priv, asked, &nonce,
				  &q, err, sizeof(err)),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_verifies_in_four_commands),
		cmocka_unit_test(test_all_pcrs),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_certification_is_not_a_quote),
		cmocka_unit_test(test_quote_follows_the_pcrs),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_full_tpm_is_not_a_foreign_ak),
	};

	return TR_RUN(tests, setup, teardown);
}
