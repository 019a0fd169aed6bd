// SPDX-License-Identifier: GPL-2.0-only
/*
 * appraise-bench: IMA log appraisal against reference digest lists, in
 * entries per second on one core, against the floor of SHA-256 over the
 * same bytes (what sha256sum does with the log file).
 *
 *   appraise-bench [--files N] [--entries M] [--seconds S]
 *
 * The reference: one list of N file digests (default 100 000), as
 * digestlist makes them. The log: boot_aggregate, the list (PCR 11), then
 * M files from it (default 100 000; PCR 10), ima-ng entries with SHA-256
 * file digests as our kernel writes them; the quote is its replay. Each
 * run is dl_appraise as the attestation IMV calls it (replay of both
 * banks' PCRs, each entry's template digest checked, every file looked
 * up), repeated for S seconds (default 2); then SHA-256 of the log bytes
 * for as long. Prints both rates and their ratio.
 */
#define _GNU_SOURCE
#include "digest-lists/lib/dl_appraise.h"
#include "ima/log.h"

#include <getopt.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIR "/etc/trustroute/digest_lists"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void file_digest(size_t i, uint8_t d[32])
{
	char name[32];

	snprintf(name, sizeof(name), "file %zu", i);
	SHA256((const uint8_t *)name, strlen(name), d);
}

struct log {
	uint8_t *b;
	size_t n, cap;
};

static int add(struct log *l, uint32_t pcr, const uint8_t *d, const char *name)
{
	uint8_t data[600];
	int n = ima_ng_template_data("sha256", d, 32, name, data, sizeof(data));

	if (n <= 0)
		return -1;
	if (l->cap - l->n < 1024) {
		l->cap = 2 * l->cap + 1024 * 1024;
		l->b = realloc(l->b, l->cap);
		if (!l->b)
			return -1;
	}
	n = ima_log_entry_encode(pcr, "ima-ng", data, (size_t)n, false,
				 l->b + l->n, l->cap - l->n);
	if (n <= 0)
		return -1;
	l->n += (size_t)n;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "files", required_argument, NULL, 'f' },
		{ "entries", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	size_t files = 100000, entries = 100000;
	double seconds = 2, t0, ta, th;
	static struct dl_reference ref;
	static struct dl_refset refs;
	static struct dl_appraisal a;
	struct tr_pcr_values q = { 0 };
	struct dl_appraise_policy p = { .refs = &refs };
	struct log l = { 0 };
	uint8_t *digests, d[32], out[IMA_LOG_DIGEST_MAX], agg[32];
	char err[256], path[80];
	long runs = 0, hashes = 0;
	size_t len, n;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'f')
			files = strtoul(optarg, NULL, 10);
		else if (o == 'e')
			entries = strtoul(optarg, NULL, 10);
		else if (o == 's')
			seconds = atof(optarg);
		else
			return 2;
	}
	if (!files || !entries || seconds <= 0)
		return 2;
	digests = malloc(files * 32);
	if (!digests)
		return 1;
	for (size_t i = 0; i < files; i++)
		file_digest(i, digests + 32 * i);
	ref.n = 1;
	if (dl_write(HASH_ALGO_SHA256, 0, digests, files,
		     (uint8_t **)&ref.file[0].data, &ref.file[0].len, err,
		     sizeof(err)) < 0) {
		fprintf(stderr, "appraise-bench: %s\n", err);
		return 1;
	}
	ref.file[0].name = strdup(DIR "/10-image.list");
	if (dl_refset_init(&refs, &ref, err, sizeof(err)) < 0) {
		fprintf(stderr, "appraise-bench: %s\n", err);
		return 1;
	}
	memset(agg, 0xba, sizeof(agg));
	SHA256(ref.file[0].data, ref.file[0].len, d);
	if (add(&l, 10, agg, "boot_aggregate") < 0 ||
	    add(&l, 11, d, ref.file[0].name) < 0)
		return 1;
	for (size_t i = 0; i < entries; i++) {
		snprintf(path, sizeof(path), "/usr/lib/router/file-%zu",
			 (i * 7919) % files);
		if (add(&l, 10, digests + 32 * ((i * 7919) % files), path) < 0)
			return 1;
	}
	q.selected[10] = q.selected[11] = 1;
	for (int pcr = 10; pcr <= 11; pcr++) {
		if (ima_log_replay(l.b, l.n, "sha256", (uint32_t)pcr, out, &len,
				   &n, err, sizeof(err)) < 0) {
			fprintf(stderr, "appraise-bench: %s\n", err);
			return 1;
		}
		memcpy(q.value[pcr], out, 32);
	}
	p.ima_pcr[10] = p.ima_pcr[11] = 1;
	t0 = now_s();
	do {
		if (dl_appraise(l.b, l.n, &q, &p, &a, err, sizeof(err)) < 0 ||
		    a.verdict != DL_GOOD || a.known != entries + 1) {
			fprintf(stderr,
				"appraise-bench: not good (%s; %zu known of %zu)\n",
				err, a.known, a.entries);
			return 1;
		}
		runs++;
	} while ((ta = now_s() - t0) < seconds);
	t0 = now_s();
	do {
		SHA256(l.b, l.n, d);
		hashes++;
	} while ((th = now_s() - t0) < seconds);
	{
		double er = (double)runs * (double)(entries + 2) / ta,
		       hr = (double)hashes * (double)l.n / th;
		double floor = hr / ((double)l.n / (double)(entries + 2));

		printf("reference: %zu file digests in one list; log: %zu entries, %zu bytes (%.0f bytes an entry)\n",
		       files, entries + 2, l.n,
		       (double)l.n / (double)(entries + 2));
		printf("appraisal: %.2f M entries/s on one core (%ld runs in %.2f s)\n",
		       er / 1e6, runs, ta);
		printf("floor, SHA-256 of the same bytes: %.0f MB/s = %.2f M entries/s\n",
		       hr / 1e6, floor / 1e6);
		printf("ratio: appraisal %.2f x the floor's time\n",
		       floor / er);
	}
	dl_reference_free(&ref);
	free(digests);
	free(l.b);
	return 0;
}
