// SPDX-License-Identifier: GPL-2.0-only
/*
 * ima-sim: do what the trustroute kernel's IMA would, for a router that
 * runs without it (a demo router in a network namespace): append ima-ng
 * entries (and ima-buf records of list loads) to a binary measurement log and extend the TPM's PCR with the
 * same template hashes, in every allocated bank (SHA-256, and SHA-1 and
 * others where the TPM has them), so that log and PCRs agree.
 *
 *   ima-sim --log FILE [--tcti T] [--no-tpm] [--pcr N] COMMAND ...
 *
 * The log is rewritten atomically (temporary file, rename) before the PCR
 * is extended: the kernel also logs an entry before it extends.
 */
#include "digest-lists/lib/dl_reference.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include "base/hex.h"
#include "ima/log.h"
#include "tpm/key.h"

#include <errno.h>
#include <getopt.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX (64u << 20)

static const char usage_text[] =
	"usage: ima-sim --log FILE [--tcti T] [--no-tpm] [--pcr N] COMMAND ...\n"
	"  boot-aggregate          boot_aggregate of the TPM's SHA-256 PCRs 0-9\n"
	"                          (zeros with --no-tpm); PCR 10\n"
	"  file PATH [NAME]        an unlisted file runs: SHA-256 of PATH's\n"
	"                          contents, recorded as NAME (default PATH); PCR 11\n"
	"  digest HEX NAME         the same with the SHA-256 given; PCR 11\n"
	"  violation NAME          a violation (zero template digest, all-ones\n"
	"                          extended); PCR 10, as IMA records them\n"
	"  lists --name-dir DIR LIST...\n"
	"                          digest lists loaded as the kernel does: in sorted\n"
	"                          order, each as DIR/<its file name>, each followed\n"
	"                          by the record of its load (ima-buf); PCR 11\n"
	"The TPM is --tcti, else $TRUSTROUTE_TCTI. Each entry is printed as\n"
	"\"PCR sha256:TEMPLATE-HASH NAME\". Exit: 0 done, 1 failed, 2 usage.\n";

struct sim {
	const char *log_path;
	uint8_t *log;
	size_t len, old_len;
	struct tr_tpm tpm;
	bool use_tpm;
	long pcr; /* -1: the command's default */
	char err[512];
};

static int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

/* Append one entry (ima-ng, template data @data) to the log in memory. */
static int add(struct sim *s, uint32_t pcr, const char *template,
	       const uint8_t *data, size_t dlen, bool violation)
{
	size_t cap = s->len + dlen + 512;
	uint8_t *grown = realloc(s->log, cap);
	int n;

	if (!grown || cap > LOG_MAX)
		return tr_fail(s->err, sizeof(s->err), "log too large");
	s->log = grown;
	n = ima_log_entry_encode(pcr, template, data, dlen, violation,
				 s->log + s->len, cap - s->len);
	if (n < 0)
		return tr_fail(s->err, sizeof(s->err), "entry out of bounds");
	s->len += (size_t)n;
	return 0;
}

static int add_ng(struct sim *s, long def_pcr, const uint8_t digest[32],
		  const char *name, bool violation)
{
	uint8_t data[DL_TEMPLATE_MAX];
	int n = ima_ng_template_data("sha256", digest, 32, name, data,
				     sizeof(data));

	if (n < 0)
		return tr_fail(s->err, sizeof(s->err), "name too long: %s",
			       name);
	return add(s, (uint32_t)(s->pcr >= 0 ? s->pcr : def_pcr), "ima-ng",
		   data, (size_t)n, violation);
}

static const char *bank_name(TPMI_ALG_HASH alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return "sha1";
	case TPM2_ALG_SHA256:
		return "sha256";
	case TPM2_ALG_SHA384:
		return "sha384";
	case TPM2_ALG_SHA512:
		return "sha512";
	}
	return NULL;
}

/* Extend entry @e's PCR in every bank the TPM allocates for it. */
static int extend(struct sim *s, const struct ima_log_entry *e)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPML_DIGEST_VALUES v = { .count = 0 };
	TPML_PCR_SELECTION *banks;
	TSS2_RC rc;

	rc = Esys_GetCapability(s->tpm.esys, ESYS_TR_NONE, ESYS_TR_NONE,
				ESYS_TR_NONE, TPM2_CAP_PCRS, 0, 1, NULL, &cap);
	if (rc)
		return tr_tpm_fail(s->err, sizeof(s->err),
				   "TPM2_GetCapability(PCRS)", rc);
	banks = &cap->data.assignedPCR;
	for (uint32_t i = 0; i < banks->count; i++) {
		const TPMS_PCR_SELECTION *b = &banks->pcrSelections[i];
		const char *name = bank_name(b->hash);

		if (!name || e->pcr / 8 >= b->sizeofSelect ||
		    !(b->pcrSelect[e->pcr / 8] & (1u << (e->pcr % 8))))
			continue;
		v.digests[v.count].hashAlg = b->hash;
		if (ima_log_entry_event(e, name,
					(uint8_t *)&v.digests[v.count].digest,
					s->err, sizeof(s->err)) < 0) {
			Esys_Free(cap);
			return -1;
		}
		v.count++;
	}
	Esys_Free(cap);
	if (!v.count)
		return tr_fail(s->err, sizeof(s->err),
			       "the TPM has no bank for PCR %u", e->pcr);
	rc = Esys_PCR_Extend(s->tpm.esys, ESYS_TR_PCR0 + e->pcr,
			     ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
	return rc ? tr_tpm_fail(s->err, sizeof(s->err), "TPM2_PCR_Extend", rc) :
		    0;
}

/* Write the log, then extend and print every entry added. */
static int commit(struct sim *s)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t event[IMA_LOG_DIGEST_MAX];
	char hex[2 * IMA_LOG_DIGEST_MAX + 1];
	int rc;

	if (write_file_atomic(s->log_path, s->log, s->len, 0644) < 0)
		return tr_fail(s->err, sizeof(s->err), "%s: %s", s->log_path,
			       strerror(errno));
	ima_log_cursor_init(&c, s->log + s->old_len, s->len - s->old_len);
	while ((rc = ima_log_next(&c, &e, s->err, sizeof(s->err))) == 1) {
		if (ima_log_entry_event(&e, "sha256", event, s->err,
					sizeof(s->err)) < 0 ||
		    (s->use_tpm && extend(s, &e) < 0))
			return -1;
		tr_hex(hex, event, 32);
		printf("%u sha256:%s %s\n", e.pcr, hex,
		       e.file_name ? e.file_name : "");
	}
	return rc;
}

static int boot_aggregate(struct sim *s)
{
	struct tr_pcr_values p = { 0 };
	uint8_t pcrs[10][32] = { { 0 } }, agg[32];

	if (s->use_tpm) {
		memset(p.selected, 1, 10);
		if (tr_tpm_pcr_read(&s->tpm, &p, s->err, sizeof(s->err)) < 0)
			return -1;
		memcpy(pcrs, p.value, sizeof(pcrs));
	}
	ima_boot_aggregate_sha256(pcrs, agg);
	return add_ng(s, 10, agg, "boot_aggregate", false);
}

static int file_entry(struct sim *s, const char *path, const char *name)
{
	uint8_t *buf, d[32];
	size_t len;

	if (read_file_bounded(path, LOG_MAX, &buf, &len) < 0)
		return tr_fail(s->err, sizeof(s->err), "%s: %s", path,
			       strerror(errno));
	SHA256(buf, len, d);
	free(buf);
	return add_ng(s, 11, d, name, false);
}

static int digest_entry(struct sim *s, const char *hex, const char *name)
{
	uint8_t d[32];

	if (strlen(hex) != 64 || tr_unhex(hex, 32, d))
		return tr_fail(s->err, sizeof(s->err),
			       "%s: not a SHA-256 in hex", hex);
	return add_ng(s, 11, d, name, false);
}

static int violation(struct sim *s, const char *name)
{
	static const uint8_t zero[32];

	return add_ng(s, 10, zero, name, true);
}

/* Digest list records in the log so far: the kernel numbers them all. */
static uint64_t records_so_far(const struct sim *s)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	struct ima_dl_record r;
	uint64_t n = 0;
	char err[256];

	ima_log_cursor_init(&c, s->log, s->len);
	while (ima_log_next(&c, &e, err, sizeof(err)) == 1)
		if (ima_dl_record_parse(&e, &r, err, sizeof(err)) == 1)
			n++;
	return n;
}

/* lists --name-dir DIR LIST... */
static int lists(struct sim *s, int argc, char **argv)
{
	struct dl_reference ref;
	uint8_t data[DL_TEMPLATE_MAX];
	uint32_t pcr = (uint32_t)(s->pcr >= 0 ? s->pcr : 11);
	uint64_t seq = records_so_far(s);
	int n, rc = 0;

	if (dl_reference_load(&ref, (const char *const *)argv + 2,
			      (size_t)(argc - 2), argv[1], s->err,
			      sizeof(s->err)) < 0)
		return -1;
	/* Each list's measurement, then the record of its load. */
	for (size_t k = 0; k < ref.n && !rc; k++) {
		n = dl_predict_template(&ref.file[k], data);
		rc = n < 0 ? tr_fail(s->err, sizeof(s->err), "name too long") :
			     add(s, pcr, "ima-ng", data, (size_t)n, false);
		if (rc)
			break;
		n = dl_predict_record(&ref.file[k], ++seq, data);
		rc = n < 0 ? tr_fail(s->err, sizeof(s->err), "name too long") :
			     add(s, pcr, "ima-buf", data, (size_t)n, false);
	}
	dl_reference_free(&ref);
	return rc;
}

/* The command and its number of arguments, checked before the TPM is. */
static bool well_formed(int argc, char **argv)
{
	const char *c = argv[0];

	return (!strcmp(c, "boot-aggregate") && argc == 1) ||
	       (!strcmp(c, "file") && (argc == 2 || argc == 3)) ||
	       (!strcmp(c, "digest") && argc == 3) ||
	       (!strcmp(c, "violation") && argc == 2) ||
	       (!strcmp(c, "lists") && argc >= 4 &&
		!strcmp(argv[1], "--name-dir"));
}

static int run(struct sim *s, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!strcmp(cmd, "boot-aggregate"))
		return boot_aggregate(s);
	if (!strcmp(cmd, "file"))
		return file_entry(s, argv[1], argv[argc - 1]);
	if (!strcmp(cmd, "digest"))
		return digest_entry(s, argv[1], argv[2]);
	if (!strcmp(cmd, "violation"))
		return violation(s, argv[1]);
	return lists(s, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "tcti", required_argument, NULL, 't' },
		{ "no-tpm", no_argument, NULL, 'n' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim s = { .use_tpm = true, .pcr = -1 };
	const char *tcti = NULL;
	char *end;
	int o, rc;

	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			s.log_path = optarg;
			break;
		case 't':
			tcti = optarg;
			break;
		case 'n':
			s.use_tpm = false;
			break;
		case 'p':
			s.pcr = strtol(optarg, &end, 10);
			if (*end || s.pcr < 0 || s.pcr > IMA_LOG_PCR_MAX)
				return usage(2);
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	if (!s.log_path || optind >= argc ||
	    !well_formed(argc - optind, argv + optind))
		return usage(2);
	if (read_file_bounded(s.log_path, LOG_MAX, &s.log, &s.len) < 0) {
		if (errno != ENOENT) {
			fprintf(stderr, "ima-sim: %s: %s\n", s.log_path,
				strerror(errno));
			return 1;
		}
		s.log = NULL;
		s.len = 0;
	}
	s.old_len = s.len;
	if (s.use_tpm && tr_tpm_open(&s.tpm, tcti, s.err, sizeof(s.err)) < 0) {
		fprintf(stderr, "ima-sim: %s\n", s.err);
		free(s.log);
		return 1;
	}
	rc = run(&s, argc - optind, argv + optind);
	if (!rc)
		rc = commit(&s);
	if (s.use_tpm)
		tr_tpm_close(&s.tpm);
	free(s.log);
	if (rc < 0)
		fprintf(stderr, "ima-sim: %s\n", s.err);
	return rc < 0 ? 1 : 0;
}
