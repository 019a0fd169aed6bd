// SPDX-License-Identifier: GPL-2.0-only
/*
 * The digest list format in user space: the kernel's own test vectors
 * (copied verbatim from the kernel series, checked by make lint), the
 * writer's single encoding, and the appended-signature trailer.
 */
#include "digest-lists/lib/dl_format.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

#include "../data/digest-lists/ima_digest_list_vectors.h"

static void test_kernel_vectors(void **state)
{
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ima_dl_vectors) / sizeof(*ima_dl_vectors);
	     i++) {
		const struct ima_dl_vector *t = &ima_dl_vectors[i];
		uint8_t *copy = malloc(t->len); /* exact size for ASan */
		struct dl_view v;
		int rc;

		memcpy(copy, t->data, t->len);
		rc = dl_parse(copy, t->len, &v, err, sizeof(err));
		if ((rc == 0) != (t->result == IMA_DL_VEC_OK))
			fail_msg("vector %s: parse %s (%s)", t->name,
				 rc ? "failed" : "passed", rc ? err : "");
		if (!rc)
			assert_int_equal(v.count, t->count);
		free(copy);
	}
}

/* Any order and duplicates in, one encoding out, which the parser takes. */
static void test_writer_is_canonical(void **state)
{
	uint8_t a[4 * 32], b[4 * 32], *la, *lb;
	size_t lena, lenb;
	struct dl_view v;
	char err[256];

	(void)state;
	for (int i = 0; i < 4; i++) {
		memset(a + i * 32, 4 - i, 32); /* 4 3 2 1 */
		memset(b + i * 32, i % 2 ? 1 : 4, 32); /* 4 1 4 1 */
	}
	memset(b + 2 * 32, 3, 32);
	memset(b + 3 * 32, 2, 32); /* 4 1 3 2 */
	assert_int_equal(dl_write(HASH_ALGO_SHA256,
				  IMA_DIGEST_LIST_MOD_IMMUTABLE, a, 4, &la,
				  &lena, err, sizeof(err)),
			 0);
	assert_int_equal(dl_write(HASH_ALGO_SHA256,
				  IMA_DIGEST_LIST_MOD_IMMUTABLE, b, 4, &lb,
				  &lenb, err, sizeof(err)),
			 0);
	assert_int_equal(lena, lenb);
	assert_memory_equal(la, lb, lena);
	assert_int_equal(dl_parse(la, lena, &v, err, sizeof(err)), 0);
	assert_int_equal(v.count, 4);
	assert_int_equal(v.digests[0], 1);
	assert_true(dl_contains(&v, a + 32));
	free(la);
	free(lb);

	/* Duplicates merge. */
	memset(a, 9, sizeof(a));
	assert_int_equal(dl_write(HASH_ALGO_SHA256, 0, a, 4, &la, &lena, err,
				  sizeof(err)),
			 0);
	assert_int_equal(dl_parse(la, lena, &v, err, sizeof(err)), 0);
	assert_int_equal(v.count, 1);
	free(la);
}

static void test_writer_refuses(void **state)
{
	uint8_t d[32] = { 0 }, *l;
	size_t len;
	char err[256];

	(void)state;
	assert_int_equal(dl_write(HASH_ALGO_SHA1, 0, d, 1, &l, &len, err,
				  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "unsupported hash algorithm"));
	assert_int_equal(dl_write(HASH_ALGO_SHA256, 0x100, d, 1, &l, &len, err,
				  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "modifiers"));
}

static void test_parse_messages(void **state)
{
	uint8_t d[2 * 32], *l;
	struct dl_view v;
	size_t len;
	char err[256];

	(void)state;
	memset(d, 1, 32);
	memset(d + 32, 2, 32);
	assert_int_equal(dl_write(HASH_ALGO_SHA256, 0, d, 2, &l, &len, err,
				  sizeof(err)),
			 0);
	assert_int_equal(dl_parse(l, len - 1, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	memset(l + 16 + 32, 1, 32); /* second == first */
	assert_int_equal(dl_parse(l, len, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "strictly ascending"));
	free(l);
}

static void test_strip_modsig(void **state)
{
	static const char marker[] = "~Module signature appended~\n";
	uint8_t buf[100] = { 0 };
	size_t sig = 10, content = 40, len = content + sig + 12 + 28;
	char err[256];

	(void)state;
	assert_int_equal(dl_strip_modsig(buf, 40, err, sizeof(err)), 40);
	memcpy(buf + len - 28, marker, 28);
	buf[len - 28 - 12 + 2] = 2; /* PKEY_ID_PKCS7 */
	buf[len - 28 - 1] = (uint8_t)sig;
	assert_int_equal(dl_strip_modsig(buf, len, err, sizeof(err)),
			 (long)content);
	buf[len - 28 - 1] = 200; /* longer than what precedes */
	assert_int_equal(dl_strip_modsig(buf, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
	buf[len - 28 - 1] = (uint8_t)sig;
	buf[len - 28 - 12 + 2] = 1; /* not PKCS#7 */
	assert_int_equal(dl_strip_modsig(buf, len, err, sizeof(err)), -1);
}

static void test_algo_names(void **state)
{
	(void)state;
	assert_int_equal(dl_algo_from_name("sha384"), HASH_ALGO_SHA384);
	assert_string_equal(dl_algo_name(HASH_ALGO_SHA512), "sha512");
	assert_int_equal(dl_algo_from_name("sha1"), -1);
	assert_null(dl_algo_name(HASH_ALGO_SHA1));
	assert_int_equal(dl_algo_size(HASH_ALGO_MD5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_vectors),
		cmocka_unit_test(test_writer_is_canonical),
		cmocka_unit_test(test_writer_refuses),
		cmocka_unit_test(test_parse_messages),
		cmocka_unit_test(test_strip_modsig),
		cmocka_unit_test(test_algo_names),
	};

	return TR_RUN(tests, NULL, NULL);
}
