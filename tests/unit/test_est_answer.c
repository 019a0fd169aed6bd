// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EST request layer without HTTP (nms_est_answer): paths, methods,
 * media types and bodies to status codes, before any enrollment
 * decision is needed (those are test_enroll's, with a TPM).
 */
#include "nms/enroll/est_server.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

#define EST "/.well-known/est/"

static const char cacerts[] = "MIIB...base64...\n";

static unsigned answer(const char *method, const char *url, const char *type,
		       const char *body, bool too_large,
		       struct nms_est_answer *a)
{
	struct nms_est_request q = {
		.method = method,
		.url = url,
		.content_type = type,
		.body = body,
		.len = body ? strlen(body) : 0,
		.too_large = too_large,
	};

	/* No enrollment is reached: no store, no CA. */
	assert_int_equal(
		nms_est_answer(NULL, cacerts, sizeof(cacerts) - 1, &q, a), 0);
	return a->status;
}

static void expect(const char *method, const char *url, const char *type,
		   const char *body, bool too_large, unsigned status,
		   const char *text)
{
	struct nms_est_answer a;

	assert_int_equal(answer(method, url, type, body, too_large, &a),
			 status);
	if (text) {
		assert_string_equal(a.type, "text/plain; charset=utf-8");
		assert_true(a.len > 0 && a.body[a.len - 1] == '\n');
		assert_non_null(strstr(a.body, text));
		assert_non_null(strstr(a.why, text));
	}
	free(a.body);
}

static void test_routes(void **state)
{
	struct nms_est_answer a;

	(void)state;
	assert_int_equal(answer("GET", EST "cacerts", NULL, NULL, false, &a),
			 200);
	assert_string_equal(a.type,
			    "application/pkcs7-mime; smime-type=certs-only");
	assert_int_equal(a.len, sizeof(cacerts) - 1);
	assert_memory_equal(a.body, cacerts, a.len);
	assert_string_equal(a.op, "cacerts");
	free(a.body);
	expect("GET", "/", NULL, NULL, false, 404, "not an EST path");
	expect("GET", "/.well-known/es", NULL, NULL, false, 404,
	       "not an EST path");
	expect("GET", EST "simplereenroll", NULL, NULL, false, 404,
	       "unknown EST operation");
	expect("POST", EST "cacerts", NULL, "x", false, 405, "use GET");
	/* The CRL (made from the store: test_enroll) is asked with GET. */
	expect("POST", EST "crl", NULL, "x", false, 405, "use GET");
	expect("GET", EST "tpm-credential", NULL, NULL, false, 405, "use POST");
	expect("PUT", EST "simpleenroll", "application/pkcs10", "x", false, 405,
	       "use POST");
	expect("POST", EST "simpleenroll", "application/pkcs10", NULL, false,
	       400, "empty request");
	expect("POST", EST "tpm-credential", "application/json", "{}", true,
	       413, "request too large");
}

static void test_bodies(void **state)
{
	struct nms_est_answer a;

	(void)state;
	expect("POST", EST "tpm-credential", NULL, "{}", false, 415,
	       "want application/json");
	expect("POST", EST "tpm-credential", "text/json", "{}", false, 415,
	       "want application/json");
	expect("POST", EST "simpleenroll", "application/json", "x", false, 415,
	       "want application/pkcs10");
	/* Parameters may follow the media type, in any case. */
	assert_int_equal(answer("POST", EST "tpm-credential",
				"Application/JSON; charset=utf-8", "{", false,
				&a),
			 400);
	assert_string_equal(a.op, "tpm-credential");
	free(a.body);
	expect("POST", EST "simpleenroll", "application/pkcs10", "!!", false,
	       400, NULL);
	expect("POST", EST "tpm-credential", "application/jsonx", "{}", false,
	       415, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_bodies),
	};

	return TR_RUN(tests, NULL, NULL);
}
