// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IMA digest list parser: the format, what a list is
 * granted from what IMA did to it, and the policy option digest_list=.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "../integrity.h"
#include "ima_digest_list.h"
#include "ima_digest_list_vectors.h"

#define SHA256_LEN 32

/* Build a list of @count SHA-256 digests 0x01.., 0x02.., ... in @test. */
static u8 *make_list(struct kunit *test, u32 count, size_t extra,
		     size_t *size)
{
	struct ima_digest_list_hdr *hdr;
	u8 *buf;
	u32 i;

	*size = sizeof(*hdr) + (size_t)count * SHA256_LEN + extra;
	buf = kunit_kzalloc(test, *size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	hdr = (struct ima_digest_list_hdr *)buf;
	memcpy(hdr->magic, IMA_DIGEST_LIST_MAGIC, IMA_DIGEST_LIST_MAGIC_LEN);
	hdr->version = IMA_DIGEST_LIST_VERSION;
	hdr->type = IMA_DIGEST_LIST_TYPE_FILE;
	put_unaligned_le16(HASH_ALGO_SHA256, &hdr->algo);
	put_unaligned_le16(IMA_DIGEST_LIST_MOD_IMMUTABLE, &hdr->modifiers);
	put_unaligned_le32(count, &hdr->count);
	for (i = 0; i < count; i++)
		memset(buf + sizeof(*hdr) + i * SHA256_LEN, i + 1, SHA256_LEN);
	return buf;
}

static struct ima_digest_list_hdr *hdr_of(u8 *buf)
{
	return (struct ima_digest_list_hdr *)buf;
}

static int parse(const u8 *buf, size_t size, struct ima_digest_list_view *v,
		 const char **reason)
{
	/*
	 * Not NULL: a parse that wrongly succeeds leaves it untouched, and
	 * KUNIT_EXPECT_STREQ() then fails the case instead of oopsing.
	 */
	*reason = "(no reason given)";
	return ima_digest_list_parse(buf, size, v, reason);
}

static void parse_valid(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 3, 0, &size);

	KUNIT_ASSERT_EQ(test, parse(buf, size, &v, &reason), 0);
	KUNIT_EXPECT_EQ(test, v.algo, HASH_ALGO_SHA256);
	KUNIT_EXPECT_EQ(test, v.count, 3U);
	KUNIT_EXPECT_EQ(test, v.digest_size, SHA256_LEN);
	KUNIT_EXPECT_EQ(test, v.modifiers, IMA_DIGEST_LIST_MOD_IMMUTABLE);
	KUNIT_EXPECT_PTR_EQ(test, v.digests, buf + sizeof(struct ima_digest_list_hdr));
	KUNIT_EXPECT_EQ(test, v.digests[2 * SHA256_LEN], 3);
}

static void parse_empty_list(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 0, 0, &size);

	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), 0);
	KUNIT_EXPECT_EQ(test, v.count, 0U);
}

static void parse_truncated(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size, cut;
	u8 *buf = make_list(test, 2, 0, &size);

	/* Every shorter prefix is refused, header or digests cut. */
	for (cut = 0; cut < size; cut++)
		KUNIT_EXPECT_EQ(test, parse(buf, cut, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "truncated");
	KUNIT_EXPECT_EQ(test, parse(buf, 10, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "shorter than the header");
}

static void parse_trailing_bytes(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 2, 1, &size);

	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "trailing bytes");
}

static void parse_oversized_count(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 2, 0, &size);

	put_unaligned_le32(IMA_DIGEST_LIST_MAX_COUNT + 1, &hdr_of(buf)->count);
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -E2BIG);
	/* A count the buffer does not hold. */
	put_unaligned_le32(1000, &hdr_of(buf)->count);
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "truncated");
}

static void parse_wrong_algo(struct kunit *test)
{
	static const u16 bad[] = { HASH_ALGO_MD5, HASH_ALGO_SHA1,
				   HASH_ALGO__LAST, 0xffff };
	struct ima_digest_list_view v;
	const char *reason;
	size_t size, i;
	u8 *buf = make_list(test, 1, 0, &size);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		put_unaligned_le16(bad[i], &hdr_of(buf)->algo);
		KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EOPNOTSUPP);
		KUNIT_EXPECT_STREQ(test, reason, "unsupported hash algorithm");
	}
}

static void parse_bad_header_fields(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 1, 0, &size);

	hdr_of(buf)->magic[0] = 'X';
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "bad magic");
	hdr_of(buf)->magic[0] = 'I';

	hdr_of(buf)->version = 2;
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EOPNOTSUPP);
	hdr_of(buf)->version = IMA_DIGEST_LIST_VERSION;

	hdr_of(buf)->type = 1;
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EOPNOTSUPP);
	hdr_of(buf)->type = IMA_DIGEST_LIST_TYPE_FILE;

	put_unaligned_le16(0x8000, &hdr_of(buf)->modifiers);
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, reason, "unknown modifiers");
	put_unaligned_le16(0, &hdr_of(buf)->modifiers);

	put_unaligned_le16(1, &hdr_of(buf)->reserved);
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason, "reserved field not zero");
	put_unaligned_le16(0, &hdr_of(buf)->reserved);

	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), 0);
}

static void parse_unsorted_or_duplicate(struct kunit *test)
{
	struct ima_digest_list_view v;
	const char *reason;
	size_t size;
	u8 *buf = make_list(test, 3, 0, &size);
	u8 *d = buf + sizeof(struct ima_digest_list_hdr);

	memset(d + SHA256_LEN, 0x01, SHA256_LEN); /* second == first */
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
	KUNIT_EXPECT_STREQ(test, reason,
			   "digests not in strictly ascending order");
	memset(d + SHA256_LEN, 0x05, SHA256_LEN); /* second > third */
	KUNIT_EXPECT_EQ(test, parse(buf, size, &v, &reason), -EBADMSG);
}

/* The vectors user space runs too (ima_digest_list_vectors.h). */
static void parse_shared_vectors(struct kunit *test)
{
	static const int want[] = {
		[IMA_DL_VEC_OK] = 0,
		[IMA_DL_VEC_MALFORMED] = -EBADMSG,
		[IMA_DL_VEC_UNSUPPORTED] = -EOPNOTSUPP,
		[IMA_DL_VEC_TOO_BIG] = -E2BIG,
	};
	struct ima_digest_list_view v;
	const struct ima_dl_vector *t;
	const char *reason;
	size_t i;
	u8 *copy;

	for (i = 0; i < ARRAY_SIZE(ima_dl_vectors); i++) {
		t = &ima_dl_vectors[i];
		/* Exact size, so KASAN would see an overread. */
		copy = kunit_kmalloc(test, t->len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copy);
		memcpy(copy, t->data, t->len);
		KUNIT_EXPECT_EQ_MSG(test, parse(copy, t->len, &v, &reason),
				    want[t->result], "vector %s", t->name);
		if (t->result == IMA_DL_VEC_OK)
			KUNIT_EXPECT_EQ_MSG(test, v.count, t->count,
					    "vector %s", t->name);
	}
}

/* The policy option digest_list=, as ima_parse_rule() checks it. */
static void parse_rule_option(struct kunit *test)
{
	static const struct {
		const char *value;
		int action;
		int rc;
	} cases[] = {
		{ "measure", IMA_MEASURE, 0 },
		{ "appraise", IMA_APPRAISE, 0 },
		/* Each value on its own kind of rule only. */
		{ "appraise", IMA_MEASURE, -EINVAL },
		{ "measure", IMA_APPRAISE, -EINVAL },
		/* dont_measure, dont_appraise, audit, hash: 0x2, 0x8, ... */
		{ "measure", 0x0002, -EINVAL },
		{ "appraise", 0x0008, -EINVAL },
		{ "measure", 0, -EINVAL },
		/* Exact values only. */
		{ "", IMA_MEASURE, -EINVAL },
		{ "Measure", IMA_MEASURE, -EINVAL },
		{ "measure ", IMA_MEASURE, -EINVAL },
		{ "measure,appraise", IMA_MEASURE, -EINVAL },
		{ "appraise\n", IMA_APPRAISE, -EINVAL },
		{ "measur", IMA_MEASURE, -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    ima_digest_list_parse_opt(cases[i].value,
							      cases[i].action),
				    cases[i].rc, "case %d (\"%s\", %#x)", i,
				    cases[i].value, cases[i].action);
}

static struct kunit_case ima_digest_list_parse_cases[] = {
	KUNIT_CASE(parse_shared_vectors),
	KUNIT_CASE(parse_valid),
	KUNIT_CASE(parse_empty_list),
	KUNIT_CASE(parse_truncated),
	KUNIT_CASE(parse_trailing_bytes),
	KUNIT_CASE(parse_oversized_count),
	KUNIT_CASE(parse_wrong_algo),
	KUNIT_CASE(parse_bad_header_fields),
	KUNIT_CASE(parse_unsorted_or_duplicate),
	KUNIT_CASE(parse_rule_option),
	{}
};

static struct kunit_suite ima_digest_list_parse_suite = {
	.name = "ima_digest_list_parse",
	.test_cases = ima_digest_list_parse_cases,
};

#define MEASURED	IMA_DIGEST_LIST_MEASURED
#define APPRAISED	IMA_DIGEST_LIST_APPRAISED
#define SIGNED		IMA_DIGEST_LIST_SIGNED
#define IMMUTABLE	IMA_DIGEST_LIST_MOD_IMMUTABLE

static void grants_earned(struct kunit *test)
{
	static const struct {
		unsigned int status;
		u16 modifiers;
		bool require_sigs;
		int grants;
	} cases[] = {
		/* Not measured, not signed: nothing to grant. */
		{ 0, IMMUTABLE, false, -EACCES },
		{ APPRAISED, IMMUTABLE, false, -EACCES },
		/* Measured only: no appraisal, immutable or not. */
		{ MEASURED, 0, false, IMA_DIGEST_GRANT_MEASURE },
		{ MEASURED, IMMUTABLE, false, IMA_DIGEST_GRANT_MEASURE },
		{ MEASURED | APPRAISED, IMMUTABLE, false,
		  IMA_DIGEST_GRANT_MEASURE },
		/* A signature without a pass is no signature. */
		{ MEASURED | SIGNED, IMMUTABLE, false,
		  IMA_DIGEST_GRANT_MEASURE },
		/* Signed and immutable: appraisal, measured or not. */
		{ APPRAISED | SIGNED, IMMUTABLE, false,
		  IMA_DIGEST_GRANT_APPRAISE },
		{ MEASURED | APPRAISED | SIGNED, IMMUTABLE, false,
		  IMA_DIGEST_GRANT_ALL },
		/* Signed but mutable: no appraisal. */
		{ MEASURED | APPRAISED | SIGNED, 0, false,
		  IMA_DIGEST_GRANT_MEASURE },
		{ APPRAISED | SIGNED, 0, false, -EACCES },
		/* IMA_DIGEST_LIST_REQUIRE_SIGS */
		{ MEASURED, 0, true, -EACCES },
		{ MEASURED | APPRAISED, IMMUTABLE, true, -EACCES },
		{ MEASURED | APPRAISED | SIGNED, 0, true,
		  IMA_DIGEST_GRANT_MEASURE },
		{ MEASURED | APPRAISED | SIGNED, IMMUTABLE, true,
		  IMA_DIGEST_GRANT_ALL },
	};
	const char *reason;
	int i, rc;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		reason = NULL;
		rc = ima_digest_list_grants(cases[i].status,
					    cases[i].modifiers,
					    cases[i].require_sigs, &reason);
		KUNIT_EXPECT_EQ_MSG(test, rc, cases[i].grants, "case %d", i);
		if (rc < 0)
			KUNIT_EXPECT_NOT_NULL_MSG(test, reason, "case %d", i);
	}
}

static struct kunit_case ima_digest_list_grants_cases[] = {
	KUNIT_CASE(grants_earned),
	{}
};

static struct kunit_suite ima_digest_list_grants_suite = {
	.name = "ima_digest_list_grants",
	.test_cases = ima_digest_list_grants_cases,
};

kunit_test_suites(&ima_digest_list_parse_suite, &ima_digest_list_grants_suite);

MODULE_DESCRIPTION("KUnit tests for the IMA digest list parser");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
