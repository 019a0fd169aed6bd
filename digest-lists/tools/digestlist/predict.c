// SPDX-License-Identifier: GPL-2.0-only
/* digestlist predict: the PCR the lists lead to, and its PolicyPCR digest. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "base/hex.h"
#include "digest-lists/lib/dl_reference.h"
#include <getopt.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct named {
	char *name;
	struct dl_list_file l;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
		      ((const struct named *)b)->name);
}

int cmd_predict(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bank", required_argument, NULL, 'b' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "boot-pcrs", required_argument, NULL, 'B' },
		{ "name-dir", required_argument, NULL, 'd' },
		{ "policy-pcrs", required_argument, NULL, 'P' },
		{ "steps", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bank = "sha256", *boot = NULL, *name_dir = NULL,
		   *policy = NULL;
	int steps = 0;
	uint8_t values[DL_PCRS][32] = { { 0 } }, pcr[64] = { 0 }, pol[32];
	unsigned char selected[DL_PCRS] = { 0 }, known[DL_PCRS] = { 0 };
	uint8_t boot_pcrs[10][32];
	struct dl_measured_file *files = NULL;
	struct named *lists = NULL;
	unsigned long ima_pcr = 10;
	int o, json = 0, rc = 2, n = 0;
	char err[ERRLEN], h[129];
	size_t size;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			bank = optarg;
			break;
		case 'p':
			ima_pcr = strtoul(optarg, NULL, 10);
			break;
		case 'B':
			boot = optarg;
			break;
		case 'd':
			name_dir = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			steps = 1;
			break;
		default:
			return usage(2);
		}
	}
	if (ima_pcr >= DL_PCRS ||
	    (strcmp(bank, "sha1") && dl_algo_from_name(bank) < 0)) {
		fprintf(stderr,
			"digestlist predict: --pcr 0-23, --bank sha1, sha256, sha384 or sha512\n");
		return 2;
	}
	size = (size_t)EVP_MD_get_size(EVP_get_digestbyname(bank));
	if (boot) {
		const char *p = boot;

		for (int i = 0; i < 10; i++) {
			if (!p || strlen(p) < 64 ||
			    tr_unhex(p, 32, boot_pcrs[i])) {
				fprintf(stderr,
					"digestlist predict: --boot-pcrs wants ten SHA-256 values\n");
				return 2;
			}
			memcpy(values[i], boot_pcrs[i], 32);
			known[i] = 1;
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
	}
	n = argc - optind;
	lists = calloc((size_t)n + 1, sizeof(*lists));
	files = calloc((size_t)n + 1, sizeof(*files));
	if (!lists || !files)
		goto out;
	for (int i = 0; i < n; i++) {
		const char *arg = argv[optind + i];
		char *copy = strdup(arg);

		if (dl_list_load(arg, &lists[i].l, err, ERRLEN) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", arg, err);
			free(copy);
			rc = 1;
			goto out;
		}
		/* The name IMA records: where the router loads it from. */
		if (name_dir) {
			if (asprintf(&lists[i].name, "%s/%s", name_dir,
				     basename(copy)) < 0)
				lists[i].name = NULL;
		} else {
			lists[i].name = realpath(arg, NULL);
		}
		free(copy);
		if (!lists[i].name)
			goto out;
	}
	/* digestlist upload loads them in this order. */
	qsort(lists, (size_t)n, sizeof(*lists), cmp_named);
	for (int i = 0; i < n; i++) {
		files[i].data = lists[i].l.buf;
		files[i].len = lists[i].l.len;
		files[i].name = lists[i].name;
	}
	/* What IMA extends the PCR with, list by list: tpm2_pcrextend
	 * arguments that bring a TPM to the predicted state. */
	if (steps) {
		uint8_t(*st)[32] =
			calloc((size_t)n * DL_ENTRIES_PER_LIST + 1, 32);

		if (!st || dl_reference_steps(files, (size_t)n, st) < 0) {
			free(st);
			goto out;
		}
		for (int i = 0; i < n * DL_ENTRIES_PER_LIST; i++) {
			tr_hex(h, st[i], 32);
			printf("%lu:sha256=%s\n", ima_pcr, h);
		}
		free(st);
		rc = 0;
		goto out;
	}
	/* The requested bank, and SHA-256 for the policy digest; with the
	 * lists in another PCR, PCR 10 holds the boot aggregate alone. */
	if (boot &&
	    (dl_predict_boot_aggregate("sha256", values[10],
				       (const uint8_t(*)[32])boot_pcrs) < 0 ||
	     (ima_pcr == 10 &&
	      dl_predict_boot_aggregate(bank, pcr,
					(const uint8_t(*)[32])boot_pcrs) < 0)))
		goto out;
	if (boot)
		known[10] = 1;
	if (dl_predict_extend(bank, pcr, files, (size_t)n) < 0 ||
	    dl_predict_extend("sha256", values[ima_pcr], files, (size_t)n) < 0)
		goto out;
	known[ima_pcr] = 1;
	tr_hex(h, pcr, size);

	if (policy) {
		for (char *p = (char *)policy; *p;) {
			char *end;
			unsigned long i = strtoul(p, &end, 10);

			if (end == p || i >= DL_PCRS || !known[i]) {
				fprintf(stderr,
					"digestlist predict: --policy-pcrs: PCR %lu is not known (give --boot-pcrs for 0-10)\n",
					i);
				goto out;
			}
			selected[i] = 1;
			p = *end == ',' ? end + 1 : end;
			if (*end && *end != ',')
				goto out;
		}
	} else {
		selected[ima_pcr] = 1;
	}
	dl_policy_pcr((const uint8_t(*)[32])values, selected, pol);
	if (json) {
		json_object *r = json_object_new_object();
		char ph[65];

		tr_hex(ph, pol, 32);
		json_object_object_add(r, "bank", json_object_new_string(bank));
		json_object_object_add(r, "pcr",
				       json_object_new_int((int)ima_pcr));
		json_object_object_add(r, "value", json_object_new_string(h));
		json_object_object_add(r, "policy_pcr",
				       json_object_new_string(ph));
		print_json(r);
	} else {
		printf("PCR %lu (%s): %s\n", ima_pcr, bank, h);
		tr_hex(h, pol, 32);
		printf("PolicyPCR (sha256:");
		for (int i = 0, first = 1; i < DL_PCRS; i++)
			if (selected[i]) {
				printf("%s%d", first ? "" : ",", i);
				first = 0;
			}
		printf("): %s\n", h);
	}
	rc = 0;
out:
	for (int i = 0; lists && i < n; i++) {
		free(lists[i].name);
		free(lists[i].l.buf);
	}
	free(lists);
	free(files);
	return rc;
}
