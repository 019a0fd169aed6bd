// SPDX-License-Identifier: GPL-2.0-only
/*
 * imalog: show and replay an IMA binary measurement log.
 *
 *   imalog show   [--json] LOG
 *   imalog replay [--json] [--pcr N] [--bank sha1|sha256|...] [--count N] LOG
 *
 * Exit: 0 ok, 1 malformed log, 2 usage or I/O error.
 */
#include "fileio.h"
#include "ima_log.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX (256u << 20) /* far above any real log; stops runaway input */

static void usage(FILE *f)
{
	fputs("usage: imalog show   [--json] LOG\n"
	      "       imalog replay [--json] [--pcr N] [--bank ALGO] [--count N] LOG\n"
	      "LOG is a binary_runtime_measurements file, or - for stdin.\n"
	      "show lists the entries; replay prints the PCR value the log\n"
	      "extends to (default PCR 10, bank sha256); --count replays only\n"
	      "the first N entries, as when matching a quote taken earlier.\n",
	      f);
}

static void hex(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", src[i]);
	dst[2 * n] = '\0';
}

static int cmd_show(const uint8_t *buf, size_t len, int json)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	json_object *arr = json ? json_object_new_array() : NULL;
	char h[2 * IMA_LOG_DIGEST_MAX + 1], err[256];
	int rc;

	ima_log_cursor_init(&c, buf, len);
	while ((rc = ima_log_next(&c, &e, err, sizeof(err))) == 1) {
		const char *name = e.file_name ? e.file_name : "";

		if (e.file_digest)
			hex(h, e.file_digest, e.file_digest_len);
		else
			h[0] = '\0';
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "pcr",
					       json_object_new_int((int)e.pcr));
			json_object_object_add(
				o, "template",
				json_object_new_string(e.template_name));
			json_object_object_add(
				o, "violation",
				json_object_new_boolean(e.violation));
			json_object_object_add(
				o, "algo", json_object_new_string(e.hash_algo));
			json_object_object_add(o, "digest",
					       json_object_new_string(h));
			json_object_object_add(o, "name",
					       json_object_new_string(name));
			json_object_array_add(arr, o);
		} else if (e.violation) {
			printf("%2u  %-8s %-71s %s\n", e.pcr, e.template_name,
			       "VIOLATION", name);
		} else {
			printf("%2u  %-8s %s:%-*s %s\n", e.pcr, e.template_name,
			       e.hash_algo, (int)(70 - strlen(e.hash_algo)), h,
			       name);
		}
	}
	if (json) {
		if (rc == 0)
			puts(json_object_to_json_string_ext(
				arr, JSON_C_TO_STRING_PRETTY));
		json_object_put(arr);
	}
	if (rc < 0) {
		fprintf(stderr, "imalog: %s\n", err);
		return 1;
	}
	return 0;
}

/* Length of the first @count entries; the whole log if it has fewer. */
static int prefix_len(const uint8_t *buf, size_t len, size_t count, size_t *out)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	char err[256];
	int rc = 1;

	ima_log_cursor_init(&c, buf, len);
	while (c.index < count &&
	       (rc = ima_log_next(&c, &e, err, sizeof(err))) == 1)
		;
	if (rc < 0) {
		fprintf(stderr, "imalog: %s\n", err);
		return -1;
	}
	*out = c.off;
	return 0;
}

static int cmd_replay(const uint8_t *buf, size_t len, int json, unsigned pcr,
		      const char *bank, size_t count)
{
	uint8_t out[IMA_LOG_DIGEST_MAX];
	char h[2 * IMA_LOG_DIGEST_MAX + 1], err[256];
	size_t out_len, n;

	if (count != SIZE_MAX && prefix_len(buf, len, count, &len) < 0)
		return 1;
	if (ima_log_replay(buf, len, bank, pcr, out, &out_len, &n, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "imalog: %s\n", err);
		return 1;
	}
	hex(h, out, out_len);
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "pcr", json_object_new_int((int)pcr));
		json_object_object_add(o, "bank", json_object_new_string(bank));
		json_object_object_add(o, "entries",
				       json_object_new_int64((int64_t)n));
		json_object_object_add(o, "value", json_object_new_string(h));
		puts(json_object_to_json_string_ext(o,
						    JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("%s\n", h);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "bank", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bank = "sha256", *cmd;
	unsigned long pcr = 10;
	size_t count = SIZE_MAX;
	unsigned long long v;
	int json = 0, o, rc;
	uint8_t *buf;
	size_t len;
	char *end;

	while ((o = getopt_long(argc, argv, "jp:b:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = 1;
			break;
		case 'p':
			errno = 0;
			pcr = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg ||
			    pcr > IMA_LOG_PCR_MAX) {
				fprintf(stderr,
					"imalog: --pcr %s: not a PCR index 0..%d\n",
					optarg, IMA_LOG_PCR_MAX);
				return 2;
			}
			break;
		case 'b':
			bank = optarg;
			break;
		case 'c':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || *optarg == '-') {
				fprintf(stderr,
					"imalog: --count %s: not a number\n",
					optarg);
				return 2;
			}
			count = (size_t)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "show") && strcmp(cmd, "replay")) {
		fprintf(stderr, "imalog: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	if (read_file_bounded(argv[optind + 1], LOG_MAX, &buf, &len) < 0) {
		fprintf(stderr, "imalog: %s: %s\n", argv[optind + 1],
			strerror(errno));
		return 2;
	}
	rc = !strcmp(cmd, "show") ?
		     cmd_show(buf, len, json) :
		     cmd_replay(buf, len, json, (unsigned)pcr, bank, count);
	free(buf);
	return rc;
}
