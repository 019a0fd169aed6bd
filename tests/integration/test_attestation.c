// SPDX-License-Identifier: GPL-2.0-only
/*
 * Explicit attestation end to end, on a swtpm per test: ima-sim plays the
 * router's kernel (log and PCRs), the router quotes what the NMS's Quote
 * Request asks and sends the attributes, and the NMS decodes them,
 * verifies the quote with the AK and appraises the log against the
 * reference lists.
 */
#include "tnc/attest_attrs.h"
#include "digest-lists/lib/dl_appraise.h"
#include "ima/log.h"
#include "swtpm_fixture.h"
#include "test_dir.h"
#include "tpm/certify.h"
#include "tpm/quote.h"
#include "tr_test.h"

#include <libgen.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_DIR "/etc/ima/digest_lists"

static struct test_dir dir;
static char sim[4200], log_path[300];
static struct dl_reference ref;
static struct dl_refset refs;
static struct dl_view bad_view;
static uint8_t *bad_buf;

/* The router: its TPM, its AK. */
static struct swtpm sw;
static struct tr_tpm tpm;
static TPM2B_PUBLIC ak_pub;
static TPM2B_PRIVATE ak_priv;

/* Log chunks of one session: the digest lists' load records (ima-buf,
 * the list itself) make the log several kilobytes. */
#define LOG_CHUNKS_MAX 64

/* What travels: the attribute values. */
struct wire {
	uint8_t request[TR_ATTR_QUOTE_REQUEST_MAX];
	int request_len;
	uint8_t final[TR_ATTR_EVID_FINAL_MAX];
	int final_len;
	uint8_t pcrs[TR_ATTR_PCR_VALUES_MAX];
	int pcrs_len;
	uint8_t *log_chunks[LOG_CHUNKS_MAX];
	int log_len[LOG_CHUNKS_MAX];
	int n_chunks;
};

static void write_list(const char *name, const char *const *contents, size_t n)
{
	uint8_t *digests = calloc(n, 32), *out;
	char path[300], err[256];
	size_t len;

	assert_non_null(digests);
	for (size_t i = 0; i < n; i++)
		SHA256((const uint8_t *)contents[i], strlen(contents[i]),
		       digests + 32 * i);
	assert_int_equal(dl_write(HASH_ALGO_SHA256, 0, digests, n, &out, &len,
				  err, sizeof(err)),
			 0);
	test_dir_path(&dir, path, sizeof(path), name);
	test_write_buf(path, out, len);
	free(out);
	free(digests);
}

static void write_file(const char *name, const char *content)
{
	char path[300];

	test_dir_path(&dir, path, sizeof(path), name);
	test_write_buf(path, content, strlen(content));
}

static int group_setup(void **state)
{
	static const char *const base[] = { "busybox\n", "libc\n" };
	static const char *const app[] = { "routerd\n" };
	static const char *const evil[] = { "rootkit\n" };
	static const char *const foreign[] = { "anything\n" };
	char self[4096], p1[300], p2[300], err[256];
	const char *paths[2] = { p1, p2 };
	ssize_t n;
	size_t len;

	(void)state;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0 || test_dir_make(&dir, "attestation") < 0)
		return -1;
	self[n] = '\0';
	snprintf(sim, sizeof(sim), "%s/../bin/ima-sim", dirname(self));
	if (access(sim, X_OK)) {
		fprintf(stderr, "%s is not built (make)\n", sim);
		return -1;
	}
	write_list("10-base.list", base, 2);
	write_list("20-app.list", app, 1);
	write_list("bad.list", evil, 1);
	write_list("30-foreign.list", foreign, 1);
	write_file("busybox", "busybox\n");
	write_file("rootkit", "rootkit\n");
	write_file("unknown", "unknown\n");
	test_dir_path(&dir, p1, sizeof(p1), "20-app.list");
	test_dir_path(&dir, p2, sizeof(p2), "10-base.list");
	test_dir_path(&dir, log_path, sizeof(log_path), "bad.list");
	bad_buf = test_read_buf(log_path, 1 << 20, &len);
	test_dir_path(&dir, log_path, sizeof(log_path),
		      "binary_runtime_measurements");
	if (dl_reference_load(&ref, paths, 2, NAME_DIR, err, sizeof(err)) ||
	    dl_refset_init(&refs, &ref, err, sizeof(err)) ||
	    dl_parse(bad_buf, len, &bad_view, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	dl_reference_free(&ref);
	free(bad_buf);
	test_dir_remove(&dir);
	return 0;
}

/* A new router: a fresh TPM (PCRs at zero), an AK, an empty log. */
static int router_setup(void **state)
{
	char err[256];

	(void)state;
	unlink(log_path);
	if (swtpm_start(&sw, NULL) < 0 ||
	    tr_tpm_open(&tpm, sw.tcti, err, sizeof(err)) < 0 ||
	    tr_ak_create(&tpm, &ak_pub, &ak_priv, err, sizeof(err)) < 0) {
		fprintf(stderr, "router_setup failed\n");
		return -1;
	}
	return 0;
}

static int router_teardown(void **state)
{
	(void)state;
	tr_tpm_close(&tpm);
	swtpm_stop(&sw);
	return 0;
}

/* ima-sim ARGS against the router's TPM and log. */
static void ima_sim(const char *args)
{
	if (test_dir_sh(
		    &dir,
		    "cd '%s' && TRUSTROUTE_TCTI='%s' '%s' --log '%s' %s >/dev/null",
		    dir.dir, sw.tcti, sim, log_path, args))
		fail_msg("ima-sim %s: %s", args, test_dir_log(&dir));
}

/* The kernel at boot: boot_aggregate, then the reference lists. */
static void boot(void)
{
	ima_sim("boot-aggregate");
	ima_sim("lists --name-dir " NAME_DIR " 20-app.list 10-base.list");
}

/* NMS: ask for a quote of PCRs 10 and 11 and the log. */
static void nms_request(struct wire *w, TPM2B_DATA *nonce)
{
	struct tr_quote_request r = { .want_ima_log = true };
	char err[256];

	r.selected[10] = r.selected[11] = 1;
	r.nonce.size = 32;
	assert_int_equal(RAND_bytes(r.nonce.buffer, 32), 1);
	*nonce = r.nonce;
	w->request_len = tr_attr_quote_request_encode(
		&r, w->request, sizeof(w->request), err, sizeof(err));
	assert_true(w->request_len > 0);
}

/* Router: quote as asked (the log is read later, see router_log). */
static void router_quote(struct wire *w)
{
	struct tr_quote_request r;
	struct tr_quote q;
	char err[256];

	if (tr_attr_quote_request_decode(w->request, (size_t)w->request_len, &r,
					 err, sizeof(err)) ||
	    tr_quote(&tpm, &ak_pub, &ak_priv, r.selected, &r.nonce, &q, err,
		     sizeof(err)))
		fail_msg("%s", err);
	assert_true(r.want_ima_log);
	w->final_len = tr_attr_evid_final_encode(&q.attest, &q.sig, w->final,
						 sizeof(w->final), err,
						 sizeof(err));
	w->pcrs_len = tr_attr_pcr_values_encode(
		&q.pcrs, w->pcrs, sizeof(w->pcrs), err, sizeof(err));
	if (w->final_len < 0 || w->pcrs_len < 0)
		fail_msg("%s", err);
}

/* The NMS asks, the router quotes. */
static void quote_session(struct wire *w, TPM2B_DATA *nonce)
{
	nms_request(w, nonce);
	router_quote(w);
}

/* Router: the log after the quote, in chunks of at most @chunk bytes. */
static void router_log(struct wire *w, size_t chunk)
{
	size_t len, off = 0, next;
	uint8_t *log = test_read_buf(log_path, TR_IMA_LOG_MAX, &len);
	char err[256];

	w->n_chunks = 0;
	do {
		assert_true(w->n_chunks < LOG_CHUNKS_MAX);
		w->log_chunks[w->n_chunks] = malloc(8 + chunk);
		w->log_len[w->n_chunks] = tr_attr_ima_log_encode(
			log, len, off, w->log_chunks[w->n_chunks], 8 + chunk,
			&next, err, sizeof(err));
		assert_true(w->log_len[w->n_chunks++] >= 8);
		off = next;
	} while (off < len);
	free(log);
}

static void wire_free(struct wire *w)
{
	for (int i = 0; i < w->n_chunks; i++)
		free(w->log_chunks[i]);
}

/*
 * NMS: decode, verify the quote for @nonce with the enrolled AK, reassemble
 * the log and appraise it. Returns -1 with @err when the quote is refused.
 */
static int nms_check(struct wire *w, const TPM2B_DATA *nonce,
		     struct dl_appraisal *a, char *err, size_t errlen)
{
	struct dl_appraise_policy p = { .refs = &refs,
					.bad = &bad_view,
					.n_bad = 1 };
	struct tr_ima_log_rx rx = { 0 };
	unsigned char asked[TR_PCRS] = { 0 };
	struct tr_pcr_values pcrs;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	int rc = 0;

	asked[10] = asked[11] = 1;
	p.ima_pcr[10] = p.ima_pcr[11] = 1;
	if (tr_attr_evid_final_decode(w->final, (size_t)w->final_len, nonce,
				      &attest, &sig, err, errlen) ||
	    tr_attr_pcr_values_decode(w->pcrs, (size_t)w->pcrs_len, &pcrs, err,
				      errlen) ||
	    tr_quote_verify(&attest, &sig, &ak_pub, nonce, asked, &pcrs, NULL,
			    err, errlen))
		return -1;
	for (int i = 0; i < w->n_chunks && rc == 0; i++)
		rc = tr_ima_log_rx_add(&rx, w->log_chunks[i],
				       (size_t)w->log_len[i], err, errlen);
	if (rc != 1)
		fail_msg("log not reassembled: %s", err);
	if (dl_appraise(rx.buf, rx.total, &pcrs, &p, a, err, errlen))
		fail_msg("%s", err);
	tr_ima_log_rx_free(&rx);
	return 0;
}

/* A whole session: request, quote, log, check. */
static void attest(struct dl_appraisal *a)
{
	struct wire w = { .n_chunks = 0 };
	TPM2B_DATA nonce;
	char err[256];

	quote_session(&w, &nonce);
	router_log(&w, 100);
	if (nms_check(&w, &nonce, a, err, sizeof(err)))
		fail_msg("quote refused: %s", err);
	wire_free(&w);
}

/* The verdict; with @why, the first reason names @path for @why. */
static void expect(const struct dl_appraisal *a, enum dl_verdict v,
		   const char *path, const char *why)
{
	const struct dl_reason *r = &a->reason[0];

	if (a->verdict != v || (why && (!a->n_reasons || !strstr(r->why, why) ||
					strcmp(r->path, path))))
		fail_msg("%s (%s: %s), expected %s (%s: %s)",
			 dl_verdict_name(a->verdict),
			 a->n_reasons ? r->path : "",
			 a->n_reasons ? r->why : "", dl_verdict_name(v),
			 path ? path : "", why ? why : "");
}

static void test_healthy_router(void **state)
{
	struct dl_appraisal a;
	struct wire w = { .n_chunks = 0 };
	struct tr_pcr_values pcrs;
	uint8_t predicted[32] = { 0 };
	TPM2B_DATA nonce;
	char err[256];

	(void)state;
	boot();
	/* PCR 11 is what the reference lists predict. */
	quote_session(&w, &nonce);
	assert_int_equal(tr_attr_pcr_values_decode(w.pcrs, (size_t)w.pcrs_len,
						   &pcrs, err, sizeof(err)),
			 0);
	assert_int_equal(
		dl_predict_extend("sha256", predicted, ref.file, ref.n), 0);
	assert_memory_equal(pcrs.value[11], predicted, 32);

	ima_sim("file busybox /bin/busybox"); /* ran before its list */
	attest(&a);
	expect(&a, DL_GOOD, NULL, NULL);
	assert_int_equal(a.n_reasons, 0);
	/* boot_aggregate, each list's file and its load record, busybox */
	assert_int_equal(a.entries, 6);
	assert_int_equal(a.lists, 2);
	/* boot_aggregate, busybox and the two lists' load records */
	assert_int_equal(a.known, 4);
}

/* After a healthy boot, one thing happens on the router. */
static void test_what_ran(void **state)
{
	static const struct {
		const char *sim;
		enum dl_verdict v;
		const char *path, *why;
		unsigned n_reasons;
	} runs[] = {
		{ "file unknown /usr/local/bin/miner", DL_UNKNOWN,
		  "/usr/local/bin/miner", "in no reference list", 1 },
		{ "file rootkit /usr/sbin/sshd", DL_BAD, "/usr/sbin/sshd",
		  "known-bad digest", 1 },
		/* Two: the list's file as measured, and its load record. */
		{ "lists --name-dir " NAME_DIR " 30-foreign.list", DL_BAD,
		  NAME_DIR "/30-foreign.list", "not a reference list", 2 },
		{ "violation /usr/bin/routerd", DL_UNKNOWN, "/usr/bin/routerd",
		  "violation", 1 },
	};
	struct dl_appraisal a;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (i && (router_teardown(state), router_setup(state)))
			fail_msg("no new router");
		boot();
		ima_sim(runs[i].sim);
		attest(&a);
		expect(&a, runs[i].v, runs[i].path, runs[i].why);
		assert_int_equal(a.n_reasons, runs[i].n_reasons);
	}
}

/* Measured between the quote and the read of the log: appraised next time. */
static void test_measured_after_the_quote(void **state)
{
	struct wire w = { .n_chunks = 0 };
	struct dl_appraisal a;
	TPM2B_DATA nonce;
	char err[256];

	(void)state;
	boot();
	quote_session(&w, &nonce);
	ima_sim("file unknown /tmp/late");
	router_log(&w, 4096);
	assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)), 0);
	expect(&a, DL_GOOD, NULL, NULL);
	assert_int_equal(a.after_quote, 1);
	wire_free(&w);
	attest(&a);
	expect(&a, DL_UNKNOWN, "/tmp/late", "in no reference list");
}

/* Rewrite the log: drop entry @drop, rename entry @rename, or insert a
 * listed file before entry @insert (-1: none). */
static void edit_log(long drop, long rename, long insert)
{
	size_t len, out_len = 0;
	uint8_t *log = test_read_buf(log_path, TR_IMA_LOG_MAX, &len);
	uint8_t *out = malloc(len + 4096), data[4200], d[32];
	struct ima_log_cursor c;
	struct ima_log_entry e;
	char err[256];
	int n;

	assert_non_null(out);
	ima_log_cursor_init(&c, log, len);
	while (ima_log_next(&c, &e, err, sizeof(err)) == 1) {
		size_t end = c.off;

		if ((long)e.index == insert) {
			SHA256((const uint8_t *)"busybox\n", 8, d);
			n = ima_ng_template_data("sha256", d, 32, "/bin/sh",
						 data, sizeof(data));
			out_len += (size_t)ima_log_entry_encode(
				11, "ima-ng", data, (size_t)n, false,
				out + out_len, 4096);
		}
		if ((long)e.index == drop)
			continue;
		if ((long)e.index == rename) {
			n = ima_ng_template_data(e.hash_algo, e.file_digest,
						 e.file_digest_len, "/bin/true",
						 data, sizeof(data));
			out_len += (size_t)ima_log_entry_encode(
				e.pcr, "ima-ng", data, (size_t)n, false,
				out + out_len, 4096);
			continue;
		}
		memcpy(out + out_len, log + e.offset, end - e.offset);
		out_len += end - e.offset;
	}
	test_write_buf(log_path, out, out_len);
	free(out);
	free(log);
}

static void test_log_edited_after_the_quote(void **state)
{
	static const long edits[][3] = { { 3, -1, -1 }, /* removed */
					 { -1, 3, -1 }, /* changed */
					 { -1, -1, 3 } }; /* added */

	(void)state;
	boot();
	ima_sim("file unknown /usr/local/bin/miner");
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct wire w = { .n_chunks = 0 };
		struct dl_appraisal a;
		TPM2B_DATA nonce;
		char err[256];
		size_t len;
		uint8_t *orig;

		quote_session(&w, &nonce);
		orig = test_read_buf(log_path, TR_IMA_LOG_MAX, &len);
		edit_log(edits[i][0], edits[i][1], edits[i][2]);
		router_log(&w, 4096);
		assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)),
				 0);
		expect(&a, DL_BAD, "", "replay mismatch");
		assert_int_equal(a.quoted, 0);
		test_write_buf(log_path, orig, len);
		free(orig);
		wire_free(&w);
	}
}

static void test_stale_or_foreign_evidence(void **state)
{
	struct wire w = { .n_chunks = 0 }, w2 = { .n_chunks = 0 };
	struct dl_appraisal a;
	TPM2B_DATA nonce, nonce2;
	TPM2B_PUBLIC saved = ak_pub, other;
	TPM2B_PRIVATE other_priv;
	char err[256];

	(void)state;
	boot();
	quote_session(&w, &nonce);
	router_log(&w, 4096);
	/* The answer to an earlier request, replayed to a new one. */
	nms_request(&w2, &nonce2);
	assert_int_equal(nms_check(&w, &nonce2, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not verify"));
	/* Another router's AK. */
	assert_int_equal(
		tr_ak_create(&tpm, &other, &other_priv, err, sizeof(err)), 0);
	ak_pub = other;
	assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not verify"));
	ak_pub = saved;
	assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)), 0);
	wire_free(&w);
}

static void test_truncated_and_garbage_logs(void **state)
{
	struct wire w = { .n_chunks = 0 };
	struct dl_appraisal a;
	TPM2B_DATA nonce;
	char err[256];
	size_t len;
	uint8_t *log;

	(void)state;
	boot();
	quote_session(&w, &nonce);
	log = test_read_buf(log_path, TR_IMA_LOG_MAX, &len);
	test_write_buf(log_path, log, len - 5);
	router_log(&w, 4096);
	assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)), 0);
	/* boot_aggregate, the two lists' load records, then the files: the
	 * cut is in the last entry. */
	expect(&a, DL_BAD, "", "malformed log: entry 4 ");
	wire_free(&w);

	memset(log, 0x5a, len);
	test_write_buf(log_path, log, len);
	router_log(&w, 4096);
	assert_int_equal(nms_check(&w, &nonce, &a, err, sizeof(err)), 0);
	expect(&a, DL_BAD, "", "malformed log: entry 0 at offset 0");
	wire_free(&w);
	free(log);
}

#define ROUTER_TEST(f) \
	cmocka_unit_test_setup_teardown(f, router_setup, router_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ROUTER_TEST(test_healthy_router),
		ROUTER_TEST(test_what_ran),
		ROUTER_TEST(test_measured_after_the_quote),
		ROUTER_TEST(test_log_edited_after_the_quote),
		ROUTER_TEST(test_stale_or_foreign_evidence),
		ROUTER_TEST(test_truncated_and_garbage_logs),
	};

	return TR_RUN(tests, group_setup, group_teardown);
}
