// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_predict.h"

#include "ima/log.h"
#include "tpm/policy.h"

#include <openssl/sha.h>
#include <string.h>

int dl_predict_template(const struct dl_measured_file *f,
			uint8_t data[DL_TEMPLATE_MAX])
{
	uint8_t d[32];

	SHA256(f->data, f->len, d);
	return ima_ng_template_data("sha256", d, sizeof(d), f->name, data,
				    DL_TEMPLATE_MAX);
}

int dl_predict_record(const struct dl_measured_file *f, uint64_t seq,
		      uint8_t data[DL_TEMPLATE_MAX])
{
	struct ima_dl_record r = { .seq = seq, .has_digest = true };
	char text[IMA_DL_RECORD_MAX];
	int len;

	if (strlen(f->name) >= sizeof(r.path))
		return -1;
	strcpy(r.path, f->name);
	SHA256(f->data, f->len, r.sha256);
	len = ima_dl_record_text(&r, text, sizeof(text));
	return len < 0 ?
		       -1 :
		       ima_buf_template_data(IMA_DL_RECORD_LOAD,
					     (const uint8_t *)text, (size_t)len,
					     data, DL_TEMPLATE_MAX);
}

int dl_predict_entries(const struct dl_measured_file *files, size_t n,
		       int (*entry)(void *ctx, const uint8_t *data, size_t len),
		       void *ctx)
{
	uint8_t data[DL_TEMPLATE_MAX];
	int len;

	for (size_t i = 0; i < n; i++) {
		len = dl_predict_template(&files[i], data);
		if (len < 0 || entry(ctx, data, (size_t)len) < 0)
			return -1;
		len = dl_predict_record(&files[i], i + 1, data);
		if (len < 0 || entry(ctx, data, (size_t)len) < 0)
			return -1;
	}
	return 0;
}

struct extend_ctx {
	const char *bank;
	uint8_t *pcr;
};

static int extend_entry(void *ctx, const uint8_t *data, size_t len)
{
	struct extend_ctx *x = ctx;

	return ima_pcr_extend_data(x->bank, x->pcr, data, len);
}

int dl_predict_extend(const char *bank, uint8_t *pcr,
		      const struct dl_measured_file *files, size_t n)
{
	struct extend_ctx x = { bank, pcr };

	return dl_predict_entries(files, n, extend_entry, &x);
}

int dl_predict_boot_aggregate(const char *bank, uint8_t *pcr,
			      const uint8_t boot_pcrs[10][32])
{
	uint8_t agg[32], data[128];
	int len;

	ima_boot_aggregate_sha256(boot_pcrs, agg);
	len = ima_ng_template_data("sha256", agg, sizeof(agg), "boot_aggregate",
				   data, sizeof(data));
	return len < 0 ? -1 : ima_pcr_extend_data(bank, pcr, data, (size_t)len);
}

void dl_policy_pcr(const uint8_t values[DL_PCRS][32],
		   const unsigned char selected[DL_PCRS], uint8_t out[32])
{
	struct tr_pcr_values pcrs;

	memcpy(pcrs.selected, selected, sizeof(pcrs.selected));
	memcpy(pcrs.value, values, sizeof(pcrs.value));
	memset(out, 0, 32);
	tr_policy_pcr(out, &pcrs);
}
