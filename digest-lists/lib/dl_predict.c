// SPDX-License-Identifier: GPL-2.0-only
#include "dl_predict.h"

#include "ima_log.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#define TPM_CC_POLICY_PCR 0x0000017f
#define TPM_ALG_SHA256 0x000b

int dl_predict_extend(const char *bank, uint8_t *pcr,
		      const struct dl_measured_file *files, size_t n)
{
	uint8_t d[32], data[4200];
	int len;

	for (size_t i = 0; i < n; i++) {
		SHA256(files[i].data, files[i].len, d);
		len = ima_ng_template_data("sha256", d, sizeof(d),
					   files[i].name, data, sizeof(data));
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
	/* Marshalled big endian, as the TPM hashes them. */
	uint8_t head[32 + 4 + 4 + 2 + 1 + 3] = { 0 }, *p = head + 32;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t pcr_digest[32];

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (int i = 0; i < DL_PCRS; i++)
		if (selected[i])
			EVP_DigestUpdate(ctx, values[i], 32);
	EVP_DigestFinal_ex(ctx, pcr_digest, NULL);

	*p++ = TPM_CC_POLICY_PCR >> 24;
	*p++ = (TPM_CC_POLICY_PCR >> 16) & 0xff;
	*p++ = (TPM_CC_POLICY_PCR >> 8) & 0xff;
	*p++ = TPM_CC_POLICY_PCR & 0xff;
	*p++ = 0; /* TPML_PCR_SELECTION.count = 1 */
	*p++ = 0;
	*p++ = 0;
	*p++ = 1;
	*p++ = TPM_ALG_SHA256 >> 8; /* TPMS_PCR_SELECTION.hash */
	*p++ = TPM_ALG_SHA256 & 0xff;
	*p++ = 3; /* sizeofSelect */
	for (int i = 0; i < DL_PCRS; i++)
		if (selected[i])
			p[i / 8] |= (uint8_t)(1u << (i % 8));

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, head, sizeof(head));
	EVP_DigestUpdate(ctx, pcr_digest, sizeof(pcr_digest));
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}
