// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: appraisal of arbitrary IMA logs against fixed reference
 * lists (the contents the seeds' lists were made from). The quoted values
 * are the log's own replay, or zeros when it has none, so that appraisal
 * runs past the replay. Checks that counts and reasons stay consistent.
 */
#include "digest-lists/lib/dl_appraise.h"
#include "fuzz.h"
#include "ima/log.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define DIR "/etc/ima/digest_lists"

static struct dl_reference ref;
static struct dl_refset refs;
static struct dl_view bad;
static uint8_t *bad_buf;

static uint8_t *list(const char *const *contents, size_t n, size_t *len)
{
	uint8_t d[4][32], *out = NULL;
	char err[128];

	for (size_t i = 0; i < n; i++)
		SHA256((const uint8_t *)contents[i], strlen(contents[i]), d[i]);
	if (dl_write(HASH_ALGO_SHA256, 0, &d[0][0], n, &out, len, err,
		     sizeof(err)))
		abort();
	return out;
}

static void init(void)
{
	static const char *const base[] = { "busybox\n", "libc\n" };
	static const char *const app[] = { "routerd\n" };
	static const char *const evil[] = { "rootkit\n" };
	size_t len;
	char err[128];

	ref.n = 2;
	ref.file[0].data = list(base, 2, &ref.file[0].len);
	ref.file[0].name = DIR "/10-base.list";
	ref.file[1].data = list(app, 1, &ref.file[1].len);
	ref.file[1].name = DIR "/20-app.list";
	bad_buf = list(evil, 1, &len);
	if (dl_refset_init(&refs, &ref, err, sizeof(err)) ||
	    dl_parse(bad_buf, len, &bad, err, sizeof(err)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_appraise_policy p = { .refs = &refs,
					.bad = &bad,
					.n_bad = 1 };
	struct tr_pcr_values q = { 0 };
	struct dl_appraisal a;
	uint8_t out[IMA_LOG_DIGEST_MAX];
	enum dl_verdict worst = DL_GOOD;
	size_t len, n;
	char err[256];

	if (!ref.n)
		init();
	p.ima_pcr[10] = p.ima_pcr[11] = 1;
	q.selected[10] = q.selected[11] = 1;
	for (uint32_t pcr = 10; pcr <= 11; pcr++)
		if (!ima_log_replay(data, size, "sha256", pcr, out, &len, &n,
				    err, sizeof(err)))
			memcpy(q.value[pcr], out, 32);
	if (dl_appraise(data, size, &q, &p, &a, err, sizeof(err)))
		abort();
	if (a.n_reasons > DL_APPRAISE_REASONS ||
	    a.quoted + a.after_quote > a.entries ||
	    (a.verdict != DL_BAD && a.quoted + a.after_quote != a.entries) ||
	    a.known + a.unknown + a.bad + a.lists != a.quoted ||
	    (a.verdict == DL_GOOD && a.n_reasons + a.reasons_dropped))
		abort();
	for (size_t i = 0; i < a.n_reasons; i++) {
		const struct dl_reason *r = &a.reason[i];

		if (r->verdict == DL_GOOD || r->verdict > a.verdict ||
		    strlen(r->path) >= sizeof(r->path) ||
		    strlen(r->why) >= sizeof(r->why))
			abort();
		for (const char *c = r->path; *c; c++)
			if ((unsigned char)*c < 0x20)
				abort();
		/* Reasons quote the log too: no control byte either. */
		for (const char *c = r->why; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		if (r->verdict > worst)
			worst = r->verdict;
	}
	if (worst != a.verdict)
		abort();
	fuzz_sink += (unsigned)a.verdict;
	return 0;
}
