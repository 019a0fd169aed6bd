// SPDX-License-Identifier: GPL-2.0-only
/*
 * imalog: show and replay an IMA binary measurement log.
 *
 *   imalog show   [--json] LOG
 *   imalog replay [--json] [--pcr N] [--bank sha1|sha256|...] [--count N] LOG
 *   imalog predict [--json] [--bank ALGO] [--boot-pcrs HEX,...] [OP:]FILE=NAME...
 *   imalog lists  [--json] LOG
 *
 * Exit: 0 ok, 1 malformed log, 2 usage or I/O error.
 */
#include "base/cli.h"
#include "base/fileio.h"
#include "base/hex.h"
#include "ima/log.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
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
	      "the first N entries, as when matching a quote taken earlier.\n"
	      "       imalog predict [--json] [--bank ALGO] [--boot-pcrs HEX,...] [OP:]FILE=NAME...\n"
	      "predict computes the PCR a kernel reaches that records the\n"
	      "boot_aggregate of the ten SHA-256 PCRs 0-9 given, then loads\n"
	      "each digest list FILE from NAME, in order: its measurement\n"
	      "(SHA-256, ima-ng; not repeated, as IMA does not repeat an entry)\n"
	      "and the record of its load (ima-buf). OP \"unload:\" records an\n"
	      "unload instead, \"refused:ERRNO:\" a load refused with -ERRNO.\n"
	      "       imalog lists [--json] LOG\n"
	      "lists prints the digest lists in force at the end of LOG, in\n"
	      "load order, from the records of their loads and unloads.\n",
	      f);
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
			tr_hex(h, e.file_digest, e.file_digest_len);
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
	tr_hex(h, out, out_len);
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

static int parse_hex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return s[2 * n] == '\0' || s[2 * n] == ',' ? 0 : -1;
}

static void print_value(int json, const char *bank, size_t entries,
			const uint8_t *v, size_t len)
{
	char h[2 * IMA_LOG_DIGEST_MAX + 1];

	tr_hex(h, v, len);
	if (json)
		printf("{ \"bank\": \"%s\", \"entries\": %zu, \"value\": \"%s\" }\n",
		       bank, entries, h);
	else
		printf("%s\n", h);
}

static int cmd_predict(int argc, char **argv, int json, const char *bank,
		       const char *boot_pcrs)
{
	uint8_t pcr[IMA_LOG_DIGEST_MAX] = { 0 }, data[8192], d[32], td[32];
	uint8_t pcrs[10][32], (*seen)[32] = NULL;
	size_t entries = 0, size, len, n_seen = 0;
	uint64_t seq = 0;
	const EVP_MD *md = EVP_get_digestbyname(bank);
	const char *p = boot_pcrs;
	uint8_t *buf;
	int n;

	if (!md || ima_pcr_extend_data(bank, pcr, NULL, 0) < 0) {
		fprintf(stderr, "imalog: unknown PCR bank \"%s\"\n", bank);
		return 2;
	}
	size = (size_t)EVP_MD_get_size(md);
	memset(pcr, 0, sizeof(pcr));
	if (boot_pcrs) {
		for (int i = 0; i < 10; i++) {
			if (!p || parse_hex(p, 32, pcrs[i]) < 0) {
				fprintf(stderr,
					"imalog: --boot-pcrs wants ten SHA-256 values, comma separated\n");
				return 2;
			}
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		if (p) {
			fprintf(stderr,
				"imalog: --boot-pcrs: more than ten values\n");
			return 2;
		}
		ima_boot_aggregate_sha256((const uint8_t(*)[32])pcrs, d);
		n = ima_ng_template_data("sha256", d, 32, "boot_aggregate",
					 data, sizeof(data));
		ima_pcr_extend_data(bank, pcr, data, (size_t)n);
		entries++;
	}
	for (int i = 0; i < argc; i++) {
		struct ima_dl_record r = { .has_digest = true };
		char *arg = argv[i], *eq, text[IMA_DL_RECORD_MAX];
		uint8_t(*grown)[32];
		bool dup = false;
		long err_no;

		if (!strncmp(arg, "unload:", 7)) {
			r.unload = true;
			arg += 7;
		} else if (!strncmp(arg, "refused:", 8)) {
			errno = 0;
			err_no = strtol(arg + 8, &eq, 10);
			if (errno || eq == arg + 8 || *eq != ':' ||
			    err_no <= 0 || err_no > 4095) {
				fprintf(stderr,
					"imalog: \"%s\": want refused:ERRNO:FILE=NAME\n",
					argv[i]);
				return 2;
			}
			r.result = (int)-err_no;
			arg = eq + 1;
		}
		eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1] ||
		    strlen(eq + 1) >= sizeof(r.path)) {
			fprintf(stderr, "imalog: \"%s\": want FILE=NAME\n",
				argv[i]);
			return 2;
		}
		*eq = '\0';
		if (read_file_bounded(arg, LOG_MAX, &buf, &len) < 0) {
			fprintf(stderr, "imalog: %s: %s\n", arg,
				strerror(errno));
			return 2;
		}
		SHA256(buf, len, d);
		free(buf);
		if (!r.unload) {
			n = ima_ng_template_data("sha256", d, 32, eq + 1, data,
						 sizeof(data));
			if (n < 0) {
				fprintf(stderr, "imalog: name too long: %s\n",
					eq + 1);
				return 2;
			}
			/* IMA adds no entry whose digest it recorded. */
			SHA256(data, (size_t)n, td);
			for (size_t k = 0; k < n_seen && !dup; k++)
				dup = !memcmp(seen[k], td, 32);
			if (!dup) {
				grown = realloc(seen, (n_seen + 1) * 32);
				if (!grown) {
					free(seen);
					return 2;
				}
				seen = grown;
				memcpy(seen[n_seen++], td, 32);
				ima_pcr_extend_data(bank, pcr, data, (size_t)n);
				entries++;
			}
		}
		r.seq = ++seq;
		memcpy(r.sha256, d, 32);
		strcpy(r.path, eq + 1);
		n = ima_dl_record_text(&r, text, sizeof(text));
		n = n < 0 ? -1 :
			    ima_buf_template_data(r.unload ?
							  IMA_DL_RECORD_UNLOAD :
							  IMA_DL_RECORD_LOAD,
						  (const uint8_t *)text,
						  (size_t)n, data,
						  sizeof(data));
		if (n < 0) {
			fprintf(stderr, "imalog: record too long: %s\n",
				eq + 1);
			free(seen);
			return 2;
		}
		ima_pcr_extend_data(bank, pcr, data, (size_t)n);
		entries++;
	}
	free(seen);
	print_value(json, bank, entries, pcr, size);
	return 0;
}

/* A list in force: its digest and the path it was loaded from. */
struct in_force {
	uint8_t sha256[32];
	char *path;
	uint64_t seq;
};

static int cmd_lists(const uint8_t *buf, size_t len, int json)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	struct ima_dl_record r;
	struct in_force *set = NULL, *grown;
	size_t n = 0;
	char h[65], err[256];
	json_object *arr;
	int rc;

	ima_log_cursor_init(&c, buf, len);
	while ((rc = ima_log_next(&c, &e, err, sizeof(err))) == 1) {
		rc = ima_dl_record_parse(&e, &r, err, sizeof(err));
		if (rc < 0)
			break;
		if (!rc || r.result || !r.has_digest)
			continue;
		if (r.unload) {
			for (size_t k = 0; k < n; k++)
				if (!strcmp(set[k].path, r.path) &&
				    !memcmp(set[k].sha256, r.sha256, 32)) {
					free(set[k].path);
					memmove(&set[k], &set[k + 1],
						(n - k - 1) * sizeof(*set));
					n--;
					break;
				}
			continue;
		}
		grown = realloc(set, (n + 1) * sizeof(*set));
		if (!grown || !(grown[n].path = strdup(r.path))) {
			set = grown ? grown : set;
			rc = -1;
			snprintf(err, sizeof(err), "out of memory");
			break;
		}
		set = grown;
		memcpy(set[n].sha256, r.sha256, 32);
		set[n].seq = r.seq;
		n++;
	}
	if (rc == 0) {
		arr = json ? json_object_new_array() : NULL;
		for (size_t k = 0; k < n; k++) {
			tr_hex(h, set[k].sha256, 32);
			if (json) {
				json_object *o = json_object_new_object();

				json_object_object_add(
					o, "seq",
					json_object_new_int64(
						(int64_t)set[k].seq));
				json_object_object_add(
					o, "digest", json_object_new_string(h));
				json_object_object_add(
					o, "path",
					json_object_new_string(set[k].path));
				json_object_array_add(arr, o);
			} else {
				printf("sha256:%s %s\n", h, set[k].path);
			}
		}
		if (json) {
			puts(json_object_to_json_string_ext(
				arr, JSON_C_TO_STRING_PRETTY));
			json_object_put(arr);
		}
	}
	for (size_t k = 0; k < n; k++)
		free(set[k].path);
	free(set);
	if (rc < 0) {
		fprintf(stderr, "imalog: %s\n", err);
		return 1;
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
		{ "boot-pcrs", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bank = "sha256", *cmd, *boot_pcrs = NULL;
	unsigned long pcr = 10;
	size_t count = SIZE_MAX;
	unsigned long long v;
	int json = 0, o, rc;
	uint8_t *buf;
	size_t len;
	char *end;

	if (tr_cli_version(argc, argv, "imalog"))
		return 0;
	while ((o = getopt_long(argc, argv, "jp:b:c:B:h", opts, NULL)) != -1) {
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
		case 'B':
			boot_pcrs = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind >= 1 && !strcmp(argv[optind], "predict"))
		return cmd_predict(argc - optind - 1, argv + optind + 1, json,
				   bank, boot_pcrs);
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "show") && strcmp(cmd, "replay") &&
	    strcmp(cmd, "lists")) {
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
	     !strcmp(cmd, "lists") ?
		     cmd_lists(buf, len, json) :
		     cmd_replay(buf, len, json, (unsigned)pcr, bank, count);
	free(buf);
	return rc;
}
