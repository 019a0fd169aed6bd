// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the trustflow policy parser, the subject rules and the
 * flow decision.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/string.h>

#include "policy.h"

#define D1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define D2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static struct tf_policy *parse(struct kunit *test, const char *text,
			       char *err)
{
	return tf_policy_parse(text, strlen(text), err, TF_POLICY_ERR_SIZE);
}

static void tf_parse_valid(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	const char *text = "# comment\n\n"
			   "tcb digest=sha256:" D1 "\n"
			   "  tcb\texe=/usr/sbin/routed   # trailing\r\n"
			   "filter exe=/usr/bin/cfg channels=file,pipe\n"
			   "filter digest=sha256:" D2 " channels=all";
	struct tf_policy *p = parse(test, text, err);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(p), "%s", err);
	KUNIT_EXPECT_EQ(test, p->count, 4U);
	KUNIT_EXPECT_EQ(test, p->rules[0].type, TF_RULE_TCB);
	KUNIT_EXPECT_TRUE(test, p->rules[0].by_digest);
	KUNIT_EXPECT_EQ(test, p->rules[0].digest[0], 0x00);
	KUNIT_EXPECT_EQ(test, p->rules[0].digest[31], 0xff);
	KUNIT_EXPECT_FALSE(test, p->rules[1].by_digest);
	KUNIT_EXPECT_STREQ(test, p->rules[1].exe, "/usr/sbin/routed");
	KUNIT_EXPECT_EQ(test, p->rules[2].type, TF_RULE_FILTER);
	KUNIT_EXPECT_EQ(test, p->rules[2].channels,
			(u16)(BIT(TF_CH_FILE) | BIT(TF_CH_PIPE)));
	KUNIT_EXPECT_EQ(test, p->rules[3].channels, (u16)TF_CH_ALL);
	KUNIT_EXPECT_EQ(test, p->len, strlen(text));
	KUNIT_EXPECT_STREQ(test, p->text, text);
	tf_policy_free(p);
}

static void tf_parse_empty(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	struct tf_policy *p = parse(test, "", err);

	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p->count, 0U);
	tf_policy_free(p);
	p = parse(test, "# nothing\n\n\t# indented\n", err);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p->count, 0U);
	tf_policy_free(p);
}

struct tf_bad_case {
	const char *text;
	const char *err;
};

static const struct tf_bad_case tf_bad_cases[] = {
	{ "tcb exe=/a\nallow exe=/b\n", "line 2: unknown rule (not tcb or filter)" },
	{ "tcb digest=sha256:" D1 "0", "line 1: digest is not sha256: and 64 hex digits" },
	{ "tcb digest=sha1:" D1, "line 1: digest is not sha256: and 64 hex digits" },
	{ "tcb digest=sha256:g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	  "line 1: digest is not sha256: and 64 hex digits" },
	{ "tcb", "line 1: digest= or exe= missing" },
	{ "tcb exe", "line 1: expected key=value" },
	{ "tcb exe=", "line 1: expected key=value" },
	{ "tcb exe=relative", "line 1: exe is not an absolute path" },
	{ "tcb exe=/a exe=/b", "line 1: more than one digest= or exe=" },
	{ "tcb exe=/a channels=file", "line 1: channels= is for filter rules" },
	{ "filter exe=/a", "line 1: channels= missing" },
	{ "filter exe=/a channels=file,disk", "line 1: unknown channel" },
	{ "filter exe=/a channels=", "line 1: expected key=value" },
	{ "filter exe=/a channels=file channels=pipe", "line 1: more than one channels=" },
	{ "filter exe=/a channels=file,", "line 1: unknown channel" },
	{ "tcb exe=/a mode=x", "line 1: unknown key" },
	{ "tcb exe=/a\n\n\ntcb path=/b", "line 4: unknown key" },
	{ "tcb exe=/a\x01", "byte 10: not printable text" },
};

static void tf_parse_bad(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	struct tf_policy *p;
	int i;

	for (i = 0; i < ARRAY_SIZE(tf_bad_cases); i++) {
		p = parse(test, tf_bad_cases[i].text, err);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(p), -EINVAL,
				    "case %d", i);
		KUNIT_EXPECT_STREQ_MSG(test, err, tf_bad_cases[i].err,
				       "case %d", i);
		if (!IS_ERR(p))
			tf_policy_free(p);
	}
}

static void tf_parse_nul(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	static const char text[] = "tcb exe=/a\0tcb exe=/b";
	struct tf_policy *p;

	p = tf_policy_parse(text, sizeof(text) - 1, err, sizeof(err));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(p), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "byte 10: not printable text");
}

static void tf_parse_limits(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	size_t size = TF_POLICY_MAX_SIZE + 1, len = 0;
	struct tf_policy *p;
	char *text;
	int i;

	text = kunit_kzalloc(test, size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, text);
	memset(text, '#', size);
	p = tf_policy_parse(text, size, err, sizeof(err));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(p), -E2BIG);

	for (i = 0; i <= TF_POLICY_MAX_RULES; i++)
		len += sprintf(text + len, "tcb exe=/%d\n", i);
	p = tf_policy_parse(text, len, err, sizeof(err));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(p), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "line 1025: too many rules");

	/* Exactly the maximum, without a final newline. */
	len = 0;
	for (i = 0; i < TF_POLICY_MAX_RULES; i++)
		len += sprintf(text + len, "tcb exe=/%d\n", i);
	p = tf_policy_parse(text, len - 1, err, sizeof(err));
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(p), "%s", err);
	KUNIT_EXPECT_EQ(test, p->count, (unsigned int)TF_POLICY_MAX_RULES);
	tf_policy_free(p);
}

static void tf_subject_rules(struct kunit *test)
{
	char err[TF_POLICY_ERR_SIZE];
	u8 d1[SHA256_DIGEST_SIZE], d2[SHA256_DIGEST_SIZE];
	struct tf_cred tc = { 0 };
	struct tf_policy *p;

	KUNIT_ASSERT_EQ(test, hex2bin(d1, D1, sizeof(d1)), 0);
	KUNIT_ASSERT_EQ(test, hex2bin(d2, D2, sizeof(d2)), 0);
	p = parse(test, "tcb digest=sha256:" D1 "\n"
			"tcb exe=/sbin/init\n"
			"filter digest=sha256:" D1 " channels=file\n"
			"filter exe=/sbin/init channels=pipe,unix\n", err);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(p), "%s", err);

	tf_policy_subject(p, "/bin/x", HASH_ALGO_SHA256, d1, &tc);
	KUNIT_EXPECT_EQ(test, tc.flags, (u16)(TF_SUBJ_TCB | TF_SUBJ_POLICY));
	KUNIT_EXPECT_EQ(test, tc.filter, (u16)BIT(TF_CH_FILE));

	memset(&tc, 0, sizeof(tc));
	tf_policy_subject(p, "/bin/x", HASH_ALGO_SHA256, d2, &tc);
	KUNIT_EXPECT_EQ(test, tc.flags, 0);
	KUNIT_EXPECT_EQ(test, tc.filter, 0);

	/* The same bytes under another algorithm are not that digest. */
	tf_policy_subject(p, "/bin/x", HASH_ALGO_SHA512, d1, &tc);
	KUNIT_EXPECT_EQ(test, tc.flags, 0);

	tf_policy_subject(p, "/sbin/init", -EOPNOTSUPP, NULL, &tc);
	KUNIT_EXPECT_EQ(test, tc.flags, (u16)(TF_SUBJ_TCB | TF_SUBJ_POLICY));
	KUNIT_EXPECT_EQ(test, tc.filter,
			(u16)(BIT(TF_CH_PIPE) | BIT(TF_CH_UNIX)));

	memset(&tc, 0, sizeof(tc));
	tf_policy_subject(p, "/sbin/init2", HASH_ALGO_SHA256, d2, &tc);
	tf_policy_subject(NULL, "/sbin/init", HASH_ALGO_SHA256, d1, &tc);
	KUNIT_EXPECT_EQ(test, tc.flags, 0);
	tf_policy_free(p);
}

static void tf_decide_table(struct kunit *test)
{
	struct tf_cred user = { 0 };
	struct tf_cred tcb = { .flags = TF_SUBJ_TCB };
	struct tf_cred filter = { .flags = TF_SUBJ_TCB,
				  .filter = BIT(TF_CH_FILE) };
	enum tf_mode m;

	for (m = TF_MODE_PERMISSIVE; m <= TF_MODE_DISCOVER; m++) {
		/* High-integrity input, or a subject outside the TCB. */
		KUNIT_EXPECT_EQ(test, tf_decide(m, &tcb, false, TF_CH_FILE),
				TF_ALLOW);
		KUNIT_EXPECT_EQ(test, tf_decide(m, &user, true, TF_CH_FILE),
				TF_ALLOW);
		KUNIT_EXPECT_EQ(test, tf_decide(m, &filter, false, TF_CH_PIPE),
				TF_ALLOW);
	}
	KUNIT_EXPECT_EQ(test, tf_decide(TF_MODE_ENFORCE, &tcb, true, TF_CH_PIPE),
			TF_DENY);
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_PERMISSIVE, &tcb, true, TF_CH_PIPE),
			TF_PERMIT);
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_DISCOVER, &tcb, true, TF_CH_PIPE),
			TF_PERMIT);
	/* A filter, through its channel and through another. */
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_ENFORCE, &filter, true, TF_CH_FILE),
			TF_ALLOW);
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_PERMISSIVE, &filter, true, TF_CH_FILE),
			TF_ALLOW);
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_DISCOVER, &filter, true, TF_CH_FILE),
			TF_FLOW);
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_ENFORCE, &filter, true, TF_CH_MMAP),
			TF_DENY);
	/* An out-of-range channel is never filtered. */
	filter.filter = TF_CH_ALL;
	KUNIT_EXPECT_EQ(test,
			tf_decide(TF_MODE_ENFORCE, &filter, true, TF_CH__LAST),
			TF_DENY);
}

static void tf_channel_names(struct kunit *test)
{
	int ch;

	for (ch = 0; ch < TF_CH__LAST; ch++)
		KUNIT_EXPECT_EQ(test, tf_channel_parse(tf_channel_name(ch)), ch);
	KUNIT_EXPECT_EQ(test, tf_channel_parse("all"), -EINVAL);
	KUNIT_EXPECT_EQ(test, tf_channel_parse(""), -EINVAL);
	KUNIT_EXPECT_STREQ(test, tf_channel_name(TF_CH__LAST), "?");
	KUNIT_EXPECT_STREQ(test, tf_mode_name(TF_MODE_ENFORCE), "enforce");
}

static struct kunit_case tf_policy_cases[] = {
	KUNIT_CASE(tf_parse_valid),
	KUNIT_CASE(tf_parse_empty),
	KUNIT_CASE(tf_parse_bad),
	KUNIT_CASE(tf_parse_nul),
	KUNIT_CASE(tf_parse_limits),
	KUNIT_CASE(tf_subject_rules),
	{}
};

static struct kunit_suite tf_policy_suite = {
	.name = "trustflow_policy",
	.test_cases = tf_policy_cases,
};

static struct kunit_case tf_decide_cases[] = {
	KUNIT_CASE(tf_decide_table),
	KUNIT_CASE(tf_channel_names),
	{}
};

static struct kunit_suite tf_decide_suite = {
	.name = "trustflow_decide",
	.test_cases = tf_decide_cases,
};

kunit_test_suites(&tf_policy_suite, &tf_decide_suite);

MODULE_LICENSE("GPL");
