// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the enrollment JSON codec, both ways, on arbitrary bytes.
 * Decoding: every failure says why; what decodes must encode and decode
 * again to the same JSON. Encoding: the bytes are also taken as the
 * members of a request and a reply (a device name and marshalled TPM
 * structures); what the encoder writes must decode to the same values.
 * Parser and encoder agree in both directions, or abort(). A parsed EK
 * area goes on to the template check, which names what differs.
 */
#include "enroll/wire.h"
#include "fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static void check_request(const char *in, size_t len)
{
	struct tr_credential_request *r = malloc(sizeof(*r));
	struct tr_credential_request *back = malloc(sizeof(*back));
	char err[256] = "", *a = NULL, *b = NULL;

	if (!r || !back)
		abort();
	if (tr_credential_request_parse(in, len, r, err, sizeof(err)) == 0) {
		/* The NMS's next look at the EK area: a template, or why
		 * not. */
		err[0] = 0;
		if (tr_ek_template_of(&r->ek_pub, err, sizeof(err)) < 0 &&
		    !err[0])
			abort();
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

/* The marshalled form of @p, to compare without padding bytes. */
static size_t marshal_pub(const TPM2B_PUBLIC *p, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(p, out, cap, &n))
		abort();
	return n;
}

static bool same_pub(const TPM2B_PUBLIC *a, const TPM2B_PUBLIC *b)
{
	uint8_t x[sizeof(*a) + 8], y[sizeof(*b) + 8];
	size_t n = marshal_pub(a, x, sizeof(x));

	return n == marshal_pub(b, y, sizeof(y)) && !memcmp(x, y, n);
}

/* Take a TPM structure from the front of the input, as Tss2_MU reads it. */
#define TAKE(fn, in, len, off, obj) (!fn((in), (len), (off), (obj)))

static void check_encoder(const uint8_t *in, size_t len)
{
	struct tr_credential_request *r = calloc(1, sizeof(*r));
	struct tr_credential_request *back = malloc(sizeof(*back));
	struct tr_credential_reply rep = { 0 }, rback;
	size_t off = 0, n;
	char err[256] = "", *j;

	if (!r || !back)
		abort();
	/* A request: a name (first byte: its length), an EK certificate of
	 * the next byte's length, then an EK and an AK public area. */
	if (len >= 2) {
		n = in[0] % (sizeof(r->device));
		if (n > len - 1)
			n = len - 1;
		memcpy(r->device, in + 1, n);
		r->device[strnlen(r->device, n)] = 0;
		off = 1 + n;
	}
	if (off < len) {
		n = in[off++];
		if (n > len - off)
			n = len - off;
		memcpy(r->ek_cert, in + off, n);
		r->ek_cert_len = n;
		off += n;
	}
	if (TAKE(Tss2_MU_TPM2B_PUBLIC_Unmarshal, in, len, &off, &r->ek_pub) &&
	    TAKE(Tss2_MU_TPM2B_PUBLIC_Unmarshal, in, len, &off, &r->ak_pub)) {
		j = tr_credential_request_json(r);
		if (j) {
			if (tr_credential_request_parse(j, strlen(j), back, err,
							sizeof(err)) ||
			    strcmp(back->device, r->device) ||
			    back->ek_cert_len != r->ek_cert_len ||
			    memcmp(back->ek_cert, r->ek_cert, r->ek_cert_len) ||
			    !same_pub(&back->ek_pub, &r->ek_pub) ||
			    !same_pub(&back->ak_pub, &r->ak_pub))
				abort();
			fuzz_sink += (unsigned)strlen(j);
			free(j);
		}
	}
	/* A reply: the nonce, a credential and a secret, from the front. */
	off = 0;
	if (len >= sizeof(rep.nonce)) {
		memcpy(rep.nonce, in, sizeof(rep.nonce));
		off = sizeof(rep.nonce);
	}
	if (TAKE(Tss2_MU_TPM2B_ID_OBJECT_Unmarshal, in, len, &off,
		 &rep.credential) &&
	    TAKE(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal, in, len, &off,
		 &rep.secret)) {
		rep.expires = off < len ? (int64_t)in[off] << 32 : -1;
		j = tr_credential_reply_json(&rep);
		if (j) {
			if (tr_credential_reply_parse(j, strlen(j), &rback, err,
						      sizeof(err)) ||
			    memcmp(rback.nonce, rep.nonce, sizeof(rep.nonce)) ||
			    rback.credential.size != rep.credential.size ||
			    memcmp(rback.credential.credential,
				   rep.credential.credential,
				   rep.credential.size) ||
			    rback.secret.size != rep.secret.size ||
			    memcmp(rback.secret.secret, rep.secret.secret,
				   rep.secret.size) ||
			    rback.expires != rep.expires)
				abort();
			fuzz_sink += (unsigned)strlen(j);
			free(j);
		}
	}
	free(r);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request((const char *)data, size);
	check_reply((const char *)data, size);
	check_encoder(data, size);
	return 0;
}
