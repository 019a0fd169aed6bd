// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-sign-floor: the TPM's own time for one sealed-key signature, the
 * floor of bench/tls-handshake: TPM2_PolicyPCR and TPM2_Sign as raw ESAPI
 * calls on a policy session kept open, over the TPM at $TRUSTROUTE_TCTI
 * (the same swtpm and TCTI the provider uses). The key file is loaded
 * once, untimed; then COUNT signatures of a SHA-256 (P-256: ECDSA) or
 * SHA-256 RSASSA digest are timed with CLOCK_MONOTONIC.
 *
 *   tpm-sign-floor [--sys] KEYFILE [COUNT]   (default 100)
 *
 * --sys sends the same two commands through ESAPI's SAPI context instead
 * (Tss2_Sys_*: no cpHash, rpHash or nonce computed by ESAPI), which is
 * the TPM and the TCTI alone. Prints "N signatures, M ns each" on
 * stdout, with the median and PolicyPCR's share. Exit: 0, 1 on failure.
 */
#include "tpm/key.h"
#include "tpm/sealed_key.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_sys.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	TPMT_TK_HASHCHECK check = { .tag = TPM2_ST_HASHCHECK,
				    .hierarchy = TPM2_RH_NULL };
	TPM2B_DIGEST d = { .size = 32 }, current = { 0 };
	TPMT_SIG_SCHEME sch = { 0 };
	struct tr_pcr_values pcrs;
	TPML_PCR_SELECTION sel;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	struct tr_tpm t;
	struct tr_key k;
	char err[512];
	uint64_t *ns, t0, pcr_ns = 0, total = 0;
	TSS2L_SYS_AUTH_COMMAND auth = { .count = 1 };
	TSS2L_SYS_AUTH_RESPONSE rsp;
	TSS2_SYS_CONTEXT *sys = NULL;
	TPM2_HANDLE key_h = 0, sess_h = 0;
	int use_sys = argc > 1 && !strcmp(argv[1], "--sys");
	long n;
	TSS2_RC rc;

	argc -= use_sys;
	argv += use_sys;
	n = argc > 2 ? strtol(argv[2], NULL, 10) : 100;
	if (argc < 2 || argc > 3 || n < 1 || n > 100000) {
		fprintf(stderr,
			"usage: tpm-sign-floor [--sys] KEYFILE [COUNT]\n");
		return 1;
	}
	ns = calloc((size_t)n, sizeof(*ns));
	if (!ns ||
	    tr_keyfile_load(argv[1], &pub, &priv, &pcrs, err, sizeof(err)) !=
		    0 ||
	    tr_tpm_open(&t, NULL, err, sizeof(err)) < 0 ||
	    tr_key_load_pcr(&t, &pub, &priv, &pcrs, &k, err, sizeof(err)) < 0) {
		fprintf(stderr, "tpm-sign-floor: %s\n",
			ns ? err : "out of memory");
		return 1;
	}
	sch.scheme = pub.publicArea.type == TPM2_ALG_RSA ? TPM2_ALG_RSASSA :
							   TPM2_ALG_ECDSA;
	sch.details.any.hashAlg = TPM2_ALG_SHA256;
	memset(d.buffer, 0x5a, 32);
	tr_tpm_pcr_selection(&pcrs, &sel);
	if (use_sys && (Esys_GetSysContext(t.esys, &sys) ||
			Esys_TR_GetTpmHandle(t.esys, k.handle, &key_h) ||
			Esys_TR_GetTpmHandle(t.esys, k.session, &sess_h))) {
		fprintf(stderr, "tpm-sign-floor: no SAPI context or handles\n");
		return 1;
	}
	auth.auths[0].sessionHandle = sess_h;
	auth.auths[0].sessionAttributes = TPMA_SESSION_CONTINUESESSION;
	auth.auths[0].nonce.size = 32;
	for (long i = 0; i < n; i++) {
		TPMT_SIGNATURE *sig = NULL, out;
		uint64_t t1;

		t0 = now_ns();
		if (use_sys)
			rc = Tss2_Sys_PolicyPCR(sys, sess_h, NULL, &current,
						&sel, NULL);
		else
			rc = Esys_PolicyPCR(t.esys, k.session, ESYS_TR_NONE,
					    ESYS_TR_NONE, ESYS_TR_NONE,
					    &current, &sel);
		t1 = now_ns();
		auth.auths[0].nonce.buffer[0] = (uint8_t)i;
		if (!rc && use_sys)
			rc = Tss2_Sys_Sign(sys, key_h, &auth, &d, &sch, &check,
					   &out, &rsp);
		else if (!rc)
			rc = Esys_Sign(t.esys, k.handle, k.session,
				       ESYS_TR_NONE, ESYS_TR_NONE, &d, &sch,
				       &check, &sig);
		ns[i] = now_ns() - t0;
		Esys_Free(sig);
		if (rc) {
			fprintf(stderr, "tpm-sign-floor: signature %ld: %s\n",
				i, Tss2_RC_Decode(rc));
			return 1;
		}
		pcr_ns += t1 - t0;
		total += ns[i];
	}
	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	printf("%ld signatures, %llu ns each (median %llu ns; PolicyPCR %llu ns of it)\n",
	       n, (unsigned long long)(total / (uint64_t)n),
	       (unsigned long long)ns[n / 2],
	       (unsigned long long)(pcr_ns / (uint64_t)n));
	tr_key_unload(&k);
	tr_tpm_close(&t);
	free(ns);
	return 0;
}
