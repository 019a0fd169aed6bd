// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the EnrollEvidence and KeyAttestation decoders on
 * arbitrary bytes. Whatever decodes must encode to exactly the input (the
 * DER is canonical, and so is every TPM structure in it); every refusal
 * says why. abort() otherwise.
 */
#include "enroll/evidence.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

typedef int encoder(const struct tr_evidence *, uint8_t **, size_t *, char *,
		    size_t);
typedef int decoder(const uint8_t *, size_t, struct tr_evidence *, char *,
		    size_t);

static void check(decoder *dec, encoder *enc, const uint8_t *data, size_t size)
{
	struct tr_evidence e;
	uint8_t *der;
	size_t len;
	char err[256] = "";

	if (dec(data, size, &e, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
		return;
	}
	if (enc(&e, &der, &len, err, sizeof(err)) < 0)
		abort();
	if (len != size || memcmp(der, data, size))
		abort();
	fuzz_sink += (unsigned)len;
	free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(tr_evidence_decode, tr_evidence_encode, data, size);
	check(tr_key_attestation_decode, tr_key_attestation_encode, data, size);
	return 0;
}
