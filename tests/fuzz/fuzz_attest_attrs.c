// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the attestation attribute decoders on arbitrary bytes.
 * Whatever decodes must encode to exactly the input; every refusal says
 * why; the log reassembly takes the input as one chunk. abort() otherwise.
 */
#include "tnc/attest_attrs.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void same(int n, const uint8_t *out, const uint8_t *data, size_t size)
{
	if (n < 0 || (size_t)n != size || memcmp(out, data, size))
		abort();
	fuzz_sink += (unsigned)n;
}

static void refused(const char *err)
{
	if (!err[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const TPM2B_DATA nonce = { .size = 20 };
	static uint8_t out[TR_ATTR_IMA_LOG_MAX];
	struct tr_quote_request req;
	struct tr_pcr_values pcrs;
	struct tr_ima_log_chunk c;
	struct tr_ima_log_rx rx = { 0 };
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	char err[256] = "";
	size_t next;

	if (!tr_attr_quote_request_decode(data, size, &req, err, sizeof(err)))
		same(tr_attr_quote_request_encode(&req, out, sizeof(out), err,
						  sizeof(err)),
		     out, data, size);
	else
		refused(err);
	err[0] = '\0';
	if (!tr_attr_pcr_values_decode(data, size, &pcrs, err, sizeof(err)))
		same(tr_attr_pcr_values_encode(&pcrs, out, sizeof(out), err,
					       sizeof(err)),
		     out, data, size);
	else
		refused(err);
	err[0] = '\0';
	if (!tr_attr_evid_final_decode(data, size, &nonce, &attest, &sig, err,
				       sizeof(err)))
		same(tr_attr_evid_final_encode(&attest, &sig, out, sizeof(out),
					       err, sizeof(err)),
		     out, data, size);
	else
		refused(err);
	err[0] = '\0';
	if (!tr_attr_ima_log_decode(data, size, &c, err, sizeof(err))) {
		/* A first chunk: the log is complete iff it is all there. */
		if (tr_ima_log_rx_add(&rx, data, size, err, sizeof(err)) !=
		    (c.offset == 0 && c.len == c.total) - (c.offset != 0))
			abort();
		if (c.offset == 0 && c.len == c.total)
			same(tr_attr_ima_log_encode(c.data, c.len, 0, out,
						    sizeof(out), &next, err,
						    sizeof(err)),
			     out, data, size);
		tr_ima_log_rx_free(&rx);
	} else {
		refused(err);
	}
	return 0;
}
