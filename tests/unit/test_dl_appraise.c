// SPDX-License-Identifier: GPL-2.0-only
/*
 * Appraisal of IMA logs against reference digest lists, without a TPM:
 * the quoted PCR values are a replay of the log (or of another log).
 */
#include "digest-lists/lib/dl_appraise.h"
#include "ima/log.h"
#include "tr_test.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define DIR "/etc/ima/digest_lists"

struct log {
	uint8_t b[1 << 16];
	size_t n;
};

static struct dl_reference ref;
static struct dl_refset refs;
static uint8_t *bad_buf, *foreign_buf;
static size_t bad_len, foreign_len;
static struct dl_view bad_view;

static void file_digest(const char *content, uint8_t d[32])
{
	SHA256((const uint8_t *)content, strlen(content), d);
}

/* A list of the SHA-256 of each string in @contents. */
static uint8_t *make_list(const char *const *contents, size_t n, size_t *len)
{
	uint8_t *digests = calloc(n, 32), *out;
	char err[200];

	assert_non_null(digests);
	for (size_t i = 0; i < n; i++)
		file_digest(contents[i], digests + 32 * i);
	assert_int_equal(dl_write(HASH_ALGO_SHA256, 0, digests, n, &out, len,
				  err, sizeof(err)),
			 0);
	free(digests);
	return out;
}

static void add_raw(struct log *l, uint32_t pcr, const char *algo,
		    const uint8_t *d, size_t dlen, const char *name,
		    bool violation)
{
	uint8_t data[4200];
	int n = ima_ng_template_data(algo, d, dlen, name, data, sizeof(data));

	assert_true(n > 0);
	n = ima_log_entry_encode(pcr, "ima-ng", data, (size_t)n, violation,
				 l->b + l->n, sizeof(l->b) - l->n);
	assert_true(n > 0);
	l->n += (size_t)n;
}

static void add_file(struct log *l, uint32_t pcr, const char *name,
		     const char *content)
{
	uint8_t d[32];

	file_digest(content, d);
	add_raw(l, pcr, "sha256", d, 32, name, false);
}

static void add_bytes(struct log *l, const char *name, const uint8_t *buf,
		      size_t len)
{
	uint8_t d[32];

	SHA256(buf, len, d);
	add_raw(l, 11, "sha256", d, 32, name, false);
}

static void add_list(struct log *l, size_t k)
{
	add_bytes(l, ref.file[k].name, ref.file[k].data, ref.file[k].len);
}

/* A record of a list load or unload, as the kernel measures it. */
static void add_record(struct log *l, bool unload, uint64_t seq, int result,
		       const uint8_t *list, size_t len, const char *path)
{
	struct ima_dl_record r = { .unload = unload,
				   .seq = seq,
				   .result = result,
				   .has_digest = true };
	char text[IMA_DL_RECORD_MAX];
	uint8_t data[4400];
	int n;

	SHA256(list, len, r.sha256);
	snprintf(r.path, sizeof(r.path), "%s", path);
	n = ima_dl_record_text(&r, text, sizeof(text));
	assert_true(n > 0);
	n = ima_buf_template_data(
		unload ? IMA_DL_RECORD_UNLOAD : IMA_DL_RECORD_LOAD,
		(const uint8_t *)text, (size_t)n, data, sizeof(data));
	assert_true(n > 0);
	n = ima_log_entry_encode(11, "ima-buf", data, (size_t)n, false,
				 l->b + l->n, sizeof(l->b) - l->n);
	assert_true(n > 0);
	l->n += (size_t)n;
}

/* boot_aggregate, then the reference lists in order: a healthy boot. */
static void healthy(struct log *l)
{
	uint8_t agg[32];

	memset(agg, 0xba, sizeof(agg));
	l->n = 0;
	add_raw(l, 10, "sha256", agg, 32, "boot_aggregate", false);
	add_list(l, 0);
	add_list(l, 1);
}

static void quote_of(const struct log *l, struct tr_pcr_values *q)
{
	size_t len, n;
	char err[200];

	memset(q, 0, sizeof(*q));
	q->selected[10] = q->selected[11] = 1;
	for (int pcr = 10; pcr <= 11; pcr++) {
		uint8_t out[IMA_LOG_DIGEST_MAX];

		assert_int_equal(ima_log_replay(l->b, l->n, "sha256",
						(uint32_t)pcr, out, &len, &n,
						err, sizeof(err)),
				 0);
		memcpy(q->value[pcr], out, 32);
	}
}

static void appraise_with(const struct log *l, const struct tr_pcr_values *q,
			  struct dl_appraisal *a)
{
	struct dl_appraise_policy p = { .refs = &refs,
					.bad = &bad_view,
					.n_bad = 1 };
	char err[200];

	p.ima_pcr[10] = p.ima_pcr[11] = 1;
	if (dl_appraise(l->b, l->n, q, &p, a, err, sizeof(err)))
		fail_msg("%s", err);
}

static void appraise(const struct log *l, struct dl_appraisal *a)
{
	struct tr_pcr_values q;

	quote_of(l, &q);
	appraise_with(l, &q, a);
}

/* A reason at level @v naming @path (if not NULL) for @why. */
static void has_reason(const struct dl_appraisal *a, enum dl_verdict v,
		       const char *path, const char *why)
{
	for (size_t i = 0; i < a->n_reasons; i++)
		if (a->reason[i].verdict == v &&
		    strstr(a->reason[i].why, why) &&
		    (!path || !strcmp(a->reason[i].path, path)))
			return;
	fail_msg("no %s reason \"%s\" for \"%s\" (first: %s %s)",
		 dl_verdict_name(v), why, path ? path : "",
		 a->n_reasons ? a->reason[0].path : "",
		 a->n_reasons ? a->reason[0].why : "");
}

/* The verdict, and (unless @why is NULL) a reason at that level. */
static void expect(const struct dl_appraisal *a, enum dl_verdict v,
		   const char *path, const char *why)
{
	if (a->verdict != v)
		fail_msg("verdict %s, expected %s (%zu reasons, first: %s %s)",
			 dl_verdict_name(a->verdict), dl_verdict_name(v),
			 a->n_reasons, a->n_reasons ? a->reason[0].path : "",
			 a->n_reasons ? a->reason[0].why : "");
	if (why)
		has_reason(a, v, path, why);
}

static int setup(void **state)
{
	static const char *const base[] = { "busybox", "libc" };
	static const char *const app[] = { "routerd" };
	static const char *const evil[] = { "rootkit" };
	static const char *const foreign[] = { "anything" };
	char err[200];

	(void)state;
	ref.n = 2;
	ref.file[0].data = make_list(base, 2, &ref.file[0].len);
	ref.file[0].name = strdup(DIR "/10-base.list");
	ref.file[1].data = make_list(app, 1, &ref.file[1].len);
	ref.file[1].name = strdup(DIR "/20-app.list");
	bad_buf = make_list(evil, 1, &bad_len);
	foreign_buf = make_list(foreign, 1, &foreign_len);
	if (dl_parse(bad_buf, bad_len, &bad_view, err, sizeof(err)) ||
	    dl_refset_init(&refs, &ref, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dl_reference_free(&ref);
	free(bad_buf);
	free(foreign_buf);
	return 0;
}

static void test_healthy_router_is_good(void **state)
{
	static struct log l;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_file(&l, 11, "/bin/busybox", "busybox"); /* before its list */
	appraise(&l, &a);
	expect(&a, DL_GOOD, NULL, NULL);
	assert_int_equal(a.n_reasons, 0);
	assert_int_equal(a.entries, 4);
	assert_int_equal(a.quoted, 4);
	assert_int_equal(a.lists, 2);
	assert_int_equal(a.known, 2);
	assert_int_equal(a.unknown + a.bad + a.after_quote, 0);
}

/* After a healthy boot, one file runs; one unknown file ran before. */
static void test_one_file(void **state)
{
	static const struct {
		const char *name, *content;
		enum dl_verdict v;
		const char *why;
	} runs[] = {
		{ "/usr/bin/routerd", "routerd", DL_UNKNOWN, NULL },
		{ "/usr/sbin/sshd", "rootkit", DL_BAD, "known-bad digest" },
		{ "/tmp/y", "not listed either", DL_UNKNOWN,
		  "in no reference list (sha256)" },
	};
	static struct log l;
	struct dl_appraisal a;

	(void)state;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		healthy(&l);
		add_file(&l, 11, "/tmp/x", "not listed");
		add_file(&l, 11, runs[i].name, runs[i].content);
		appraise(&l, &a);
		expect(&a, runs[i].v, "/tmp/x", NULL);
		has_reason(&a, DL_UNKNOWN, "/tmp/x",
			   "in no reference list (sha256)");
		assert_int_equal(a.reason[0].entry, 3);
		if (runs[i].why)
			has_reason(&a, runs[i].v, runs[i].name, runs[i].why);
		assert_int_equal(a.n_reasons, runs[i].why ? 2 : 1);
		assert_int_equal(a.bad, runs[i].v == DL_BAD);
		assert_int_equal(a.unknown, runs[i].why ? 1 + !a.bad : 1);
		assert_int_equal(a.known, runs[i].why ? 1 : 2);
	}
}

static void test_foreign_list_is_bad(void **state)
{
	static struct log l;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_bytes(&l, DIR "/30-extra.list", foreign_buf, foreign_len);
	appraise(&l, &a);
	expect(&a, DL_BAD, DIR "/30-extra.list", "not a reference list");
	/* A reference list's name with other content is not one either. */
	l.n = 0;
	healthy(&l);
	l.n = 0;
	add_list(&l, 0);
	add_bytes(&l, DIR "/20-app.list", foreign_buf, foreign_len);
	appraise(&l, &a);
	expect(&a, DL_BAD, DIR "/20-app.list", "not a reference list");
	has_reason(&a, DL_UNKNOWN, DIR "/20-app.list",
		   "reference list not loaded");
}

static void test_lists_not_as_referenced(void **state)
{
	static struct log l;
	struct dl_appraisal a;
	uint8_t agg[32] = { 0 };

	(void)state;
	l.n = 0; /* only the first list */
	add_list(&l, 0);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, DIR "/20-app.list", "reference list not loaded");
	assert_int_equal(a.reason[0].entry, -1);

	l.n = 0;
	add_list(&l, 1);
	add_list(&l, 0);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, DIR "/10-base.list",
	       "out of order (after 20-app.list)");

	healthy(&l);
	add_bytes(&l, "/tmp/10-base.list", ref.file[0].data, ref.file[0].len);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "/tmp/10-base.list",
	       "reference list 10-base.list loaded under another name");
	assert_int_equal(a.lists, 3);

	healthy(&l);
	add_list(&l, 1);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, DIR "/20-app.list", "loaded again");

	/* boot_aggregate is only the first entry. */
	l.n = 0;
	add_list(&l, 0);
	add_list(&l, 1);
	add_raw(&l, 10, "sha256", agg, 32, "boot_aggregate", false);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "boot_aggregate", "in no reference list");
}

static void test_violation_is_unknown(void **state)
{
	static struct log l;
	struct dl_appraisal a;
	uint8_t zero[32] = { 0 };

	(void)state;
	healthy(&l);
	add_raw(&l, 10, "sha256", zero, 32, "/var/log/messages", true);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "/var/log/messages", "violation");
	assert_int_equal(a.violations, 1);
}

static void test_other_digests_and_templates(void **state)
{
	static struct log l;
	struct dl_appraisal a;
	uint8_t d1[20] = { 1 }, data[64];
	int n;

	(void)state;
	healthy(&l); /* a SHA-1 digest: no reference list has those */
	add_raw(&l, 11, "sha1", d1, sizeof(d1), "/bin/old", false);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "/bin/old", "in no reference list (sha1)");

	healthy(&l); /* a template without d-ng/n-ng fields */
	memset(data, 7, sizeof(data));
	n = ima_log_entry_encode(10, "d-only", data, sizeof(data), false,
				 l.b + l.n, sizeof(l.b) - l.n);
	assert_true(n > 0);
	l.n += (size_t)n;
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "", "template d-only carries no file digest");

	/* What fuzz_tnc_session found: the router's template name went
	 * into the reason as it was, a newline and all (a forged line in
	 * the log, a broken one in the dashboard). */
	healthy(&l);
	n = ima_log_entry_encode(10, "im\n-ng\x1b", data, sizeof(data), false,
				 l.b + l.n, sizeof(l.b) - l.n);
	assert_true(n > 0);
	l.n += (size_t)n;
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "", "template im?-ng? carries no file digest");
}

static void test_replay_mismatch(void **state)
{
	static struct log l, edited;
	struct tr_pcr_values q;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_file(&l, 11, "/tmp/x", "not listed");
	add_file(&l, 11, "/tmp/y", "not listed either");
	quote_of(&l, &q);

	/* The unknown file removed from the log after the quote. */
	healthy(&edited);
	add_file(&edited, 11, "/tmp/y", "not listed either");
	appraise_with(&edited, &q, &a);
	expect(&a, DL_BAD, "", "replay mismatch: the 3 entries of PCR 11");
	assert_int_equal(a.quoted, 0);

	/* Renamed, with a consistent SHA-1 template digest. */
	healthy(&edited);
	add_file(&edited, 11, "/tmp/X", "not listed");
	add_file(&edited, 11, "/tmp/y", "not listed either");
	appraise_with(&edited, &q, &a);
	expect(&a, DL_BAD, "", "replay mismatch");

	/* An entry inserted in the middle. */
	healthy(&edited);
	add_file(&edited, 11, "/tmp/x", "not listed");
	add_file(&edited, 11, "/bin/busybox", "busybox");
	add_file(&edited, 11, "/tmp/y", "not listed either");
	appraise_with(&edited, &q, &a);
	expect(&a, DL_BAD, "", "replay mismatch");

	/* Moved to the other PCR. */
	healthy(&edited);
	add_file(&edited, 10, "/tmp/x", "not listed");
	add_file(&edited, 11, "/tmp/y", "not listed either");
	appraise_with(&edited, &q, &a);
	expect(&a, DL_BAD, "", "PCR 11 never reach");
	assert_int_equal(a.n_reasons, 1);

	/* One byte of a file name, the SHA-1 template digest left as it was. */
	edited = l;
	edited.b[edited.n - 3] ^= 1;
	appraise_with(&edited, &q, &a);
	expect(&a, DL_BAD, NULL,
	       "edited: entry 4 at offset 435: template digest does not match");
}

/* The router reads its log after the quote: entries since are counted. */
static void test_entries_after_the_quote(void **state)
{
	static struct log l;
	struct tr_pcr_values q;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_file(&l, 11, "/bin/busybox", "busybox");
	quote_of(&l, &q);
	add_file(&l, 11, "/tmp/after", "not listed");
	add_file(&l, 10, "/tmp/after10", "not listed");
	appraise_with(&l, &q, &a);
	expect(&a, DL_GOOD, NULL, NULL);
	assert_int_equal(a.entries, 6);
	assert_int_equal(a.quoted, 4);
	assert_int_equal(a.after_quote, 2);

	/* A PCR still zero in the quote: all its entries came after. */
	l.n = 0;
	add_list(&l, 0);
	add_list(&l, 1);
	quote_of(&l, &q);
	add_file(&l, 10, "/tmp/after10", "not listed");
	appraise_with(&l, &q, &a);
	expect(&a, DL_GOOD, NULL, NULL);
	assert_int_equal(a.after_quote, 1);
}

static void test_malformed_logs(void **state)
{
	static struct log l;
	struct tr_pcr_values q;
	struct dl_appraisal a;
	size_t full;

	(void)state;
	healthy(&l);
	add_file(&l, 11, "/tmp/x", "not listed");
	quote_of(&l, &q);
	full = l.n;
	for (l.n = 0; l.n < full; l.n++) {
		appraise_with(&l, &q, &a);
		assert_int_equal(a.verdict, DL_BAD);
		assert_int_equal(a.quoted, 0);
	}
	l.n = full - 1;
	appraise_with(&l, &q, &a);
	expect(&a, DL_BAD, "",
	       "malformed log: entry 3 at offset 342: template data truncated");
	memset(l.b, 0xff, 64);
	l.n = 64;
	appraise_with(&l, &q, &a);
	expect(&a, DL_BAD, "", "malformed log: entry 0 at offset 0: PCR index");
}

static void test_pcr_outside_the_quote(void **state)
{
	static struct log l;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_file(&l, 12, "/tmp/x", "not listed");
	appraise(&l, &a);
	expect(&a, DL_BAD, "/tmp/x", "PCR 12, which the quote does not cover");
}

static void test_reasons_are_bounded(void **state)
{
	static struct log l;
	struct dl_appraisal a;
	char name[600];

	(void)state;
	healthy(&l);
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "/tmp/u%d", i);
		add_file(&l, 11, name, name);
	}
	add_file(&l, 11, "/sbin/evil", "rootkit");
	memset(name, 'a', sizeof(name));
	name[0] = '/';
	name[5] = '\n';
	name[6] = '\033';
	name[sizeof(name) - 1] = '\0';
	add_file(&l, 11, name, "another");
	appraise(&l, &a);
	expect(&a, DL_BAD, "/sbin/evil", "known-bad");
	assert_int_equal(a.n_reasons, DL_APPRAISE_REASONS);
	assert_int_equal(a.reasons_dropped, 62 - DL_APPRAISE_REASONS);
	assert_int_equal(a.unknown, 61);
	/* Kept in log order, the bad one among the first unknown ones. */
	assert_string_equal(a.reason[0].path, "/tmp/u0");
	assert_string_equal(a.reason[DL_APPRAISE_REASONS - 1].path,
			    "/sbin/evil");
	assert_int_equal(a.reason[DL_APPRAISE_REASONS - 2].entry, 33);
	/* A long name with control characters, cut to fit. */
	healthy(&l);
	add_file(&l, 11, name, "another");
	appraise(&l, &a);
	assert_int_equal(strlen(a.reason[0].path), DL_REASON_PATH - 1);
	assert_memory_equal(a.reason[0].path, "/aaaa??aa", 9);
	assert_string_equal(a.reason[0].path + DL_REASON_PATH - 4, "...");
}

/* Records of the loads of the reference lists are expected; others not. */
static void test_list_records(void **state)
{
	static struct log l;
	struct dl_appraisal a;

	(void)state;
	healthy(&l);
	add_record(&l, false, 1, 0, ref.file[0].data, ref.file[0].len,
		   ref.file[0].name);
	appraise(&l, &a);
	expect(&a, DL_GOOD, NULL, NULL);

	add_record(&l, true, 2, 0, ref.file[0].data, ref.file[0].len,
		   ref.file[0].name);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, ref.file[0].name, "digest list unloaded");

	healthy(&l);
	add_record(&l, false, 1, -74, ref.file[1].data, ref.file[1].len,
		   ref.file[1].name);
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, ref.file[1].name, "refused (-74)");

	healthy(&l);
	add_record(&l, false, 1, 0, foreign_buf, foreign_len, DIR "/x.list");
	appraise(&l, &a);
	expect(&a, DL_BAD, DIR "/x.list", "not a reference list loaded");

	healthy(&l);
	add_record(&l, false, 1, 0, ref.file[1].data, ref.file[1].len,
		   "/tmp/20-app.list");
	appraise(&l, &a);
	expect(&a, DL_UNKNOWN, "/tmp/20-app.list", "under another name");
}

static void test_verifier_errors(void **state)
{
	static struct log l;
	struct dl_appraise_policy p = { .refs = &refs };
	struct tr_pcr_values q;
	struct dl_appraisal a;
	struct dl_reference broken = { .n = 1 };
	struct dl_refset bs;
	char err[200];

	(void)state;
	healthy(&l);
	quote_of(&l, &q);
	assert_int_equal(dl_appraise(l.b, l.n, &q, &p, &a, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "no IMA PCR");
	p.ima_pcr[10] = p.ima_pcr[11] = p.ima_pcr[12] = 1;
	assert_int_equal(dl_appraise(l.b, l.n, &q, &p, &a, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "IMA PCR 12 is not in the quote");
	p.ima_pcr[12] = 0;
	p.n_bad = 1;
	assert_int_equal(dl_appraise(l.b, l.n, &q, &p, &a, err, sizeof(err)),
			 -1);
	p.n_bad = 0;
	assert_int_equal(dl_appraise(l.b, l.n, &q, &p, &a, err, sizeof(err)),
			 0);
	expect(&a, DL_GOOD, NULL, NULL);

	broken.file[0].data = (const uint8_t *)"not a list";
	broken.file[0].len = 10;
	broken.file[0].name = DIR "/x.list";
	assert_int_equal(dl_refset_init(&bs, &broken, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_router_is_good),
		cmocka_unit_test(test_one_file),
		cmocka_unit_test(test_foreign_list_is_bad),
		cmocka_unit_test(test_lists_not_as_referenced),
		cmocka_unit_test(test_violation_is_unknown),
		cmocka_unit_test(test_other_digests_and_templates),
		cmocka_unit_test(test_replay_mismatch),
		cmocka_unit_test(test_entries_after_the_quote),
		cmocka_unit_test(test_malformed_logs),
		cmocka_unit_test(test_pcr_outside_the_quote),
		cmocka_unit_test(test_reasons_are_bounded),
		cmocka_unit_test(test_verifier_errors),
		cmocka_unit_test(test_list_records),
	};

	return TR_RUN(tests, setup, teardown);
}
