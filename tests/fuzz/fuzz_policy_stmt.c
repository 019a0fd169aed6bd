// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the policy statement bodies of key files
 * (tpm/policy_stmt.h). A TPM2_PolicyPCR body that parses selects only
 * SHA-256 PCRs 0-23, at least one, and gives its pcrDigest; a
 * TPM2_PolicyAuthorize body that parses builds again to exactly the
 * input. Every refusal says why. abort() otherwise.
 */
#include "fuzz.h"
#include "tpm/policy_stmt.h"

#include <stdlib.h>
#include <string.h>

static void pcr(const uint8_t *data, size_t size)
{
	unsigned char sel[TR_PCRS];
	uint8_t digest[32];
	char err[256] = "";
	int n = 0;

	if (tr_stmt_parse_pcr(data, size, sel, digest, err, sizeof(err))) {
		if (!err[0])
			abort();
		return;
	}
	/* pcrDigest is the first field: size 32, then the digest. */
	if (size < 34 || data[0] || data[1] != 32 ||
	    memcmp(digest, data + 2, 32))
		abort();
	for (int i = 0; i < TR_PCRS; i++) {
		if (sel[i] > 1)
			abort();
		n += sel[i];
	}
	if (!n)
		abort();
	fuzz_sink += (unsigned)n;
}

static void authorize(const uint8_t *data, size_t size)
{
	static uint8_t out[2 * sizeof(TPM2B_PUBLIC) + sizeof(TPMT_SIGNATURE)];
	TPM2B_PUBLIC key;
	TPM2B_NONCE ref;
	TPMT_SIGNATURE sig;
	char err[256] = "";
	size_t len;

	if (tr_stmt_parse_authorize(data, size, &key, &ref, &sig, err,
				    sizeof(err))) {
		if (!err[0])
			abort();
		return;
	}
	if (tr_stmt_build_authorize(&key, &ref, &sig, out, sizeof(out), &len) ||
	    len != size || memcmp(out, data, size))
		abort();
	fuzz_sink += (unsigned)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet_tss();
	pcr(data, size);
	authorize(data, size);
	return 0;
}
