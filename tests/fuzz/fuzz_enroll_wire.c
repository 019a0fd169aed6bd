// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the enrollment JSON decoders (request and reply) on
 * arbitrary bytes. Every failure says why; what decodes must encode and
 * decode again to the same JSON; abort() otherwise.
 */
#include "enroll/wire.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void check_request(const char *in, size_t len)
{
	struct tr_credential_request *r = malloc(sizeof(*r));
	struct tr_credential_request *back = malloc(sizeof(*back));
	char err[256] = "", *a = NULL, *b = NULL;

	if (!r || !back)
		abort();
	if (tr_credential_request_parse(in, len, r, err, sizeof(err)) == 0) {
		a = tr_credential_request_json(r);
		if (!a || tr_credential_request_parse(a, strlen(a), back, err,
						      sizeof(err)))
			abort();
		b = tr_credential_request_json(back);
		if (!b || strcmp(a, b))
			abort();
		fuzz_sink += (unsigned)strlen(a);
	} else if (!err[0]) {
		abort();
	}
	free(a);
	free(b);
	free(r);
	free(back);
}

static void check_reply(const char *in, size_t len)
{
	struct tr_credential_reply r, back;
	char err[256] = "", *a = NULL, *b = NULL;

	if (tr_credential_reply_parse(in, len, &r, err, sizeof(err)) == 0) {
		a = tr_credential_reply_json(&r);
		if (!a || tr_credential_reply_parse(a, strlen(a), &back, err,
						    sizeof(err)))
			abort();
		b = tr_credential_reply_json(&back);
		if (!b || strcmp(a, b))
			abort();
		fuzz_sink += (unsigned)strlen(a);
	} else if (!err[0]) {
		abort();
	}
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request((const char *)data, size);
	check_reply((const char *)data, size);
	return 0;
}
