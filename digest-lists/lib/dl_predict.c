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

int dl_predict_extend(const char *bank, uint8_t *pcr,
		      const struct dl_measured_file *files, size_t n)
{
	uint8_t data[DL_TEMPLATE_MAX];
	int len;

	for (size_t i = 0; i < n; i++) {
		len = dl_predict_template(&files[i], data);
		if (len < 0 ||
		    ima_pcr_extend_data(bank, pcr, data, (size_t)len) < 0)
			return -1;
	}
	return 0;
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
