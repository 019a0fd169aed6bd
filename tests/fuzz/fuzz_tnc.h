/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS that fuzz_tnc_session talks to, shared with its seed writer:
 * a TNC server config per mode byte (bit 0: the router's certificate
 * says r1; bit 1: SASL PLAIN r1/pw required of the others; bit 2:
 * mutual), r1's AK the software one, the reference lists of ref_lists.h,
 * an OS policy that wants Debian 11 or later.
 */
#ifndef TR_FUZZ_TNC_H
#define TR_FUZZ_TNC_H

#include "nms/tnc/tnc_server.h"
#include "ref_lists.h"
#include "soft_tpm.h"

#include <stdio.h>
#include <string.h>

#define FUZZ_TNC_CERTIFIED 1
#define FUZZ_TNC_SASL 2
#define FUZZ_TNC_MUTUAL 4
#define FUZZ_TNC_DEVICE_ID "0123456789abcdef0123456789abcdef"

static struct ref_lists fuzz_tnc_lists;
static struct imv_attest_policy fuzz_tnc_attest;
static const struct imv_os_policy fuzz_tnc_os = {
	.products = { "Debian" },
	.n_products = 1,
	.min_major = 11,
	.forwarding_expected = true,
};
static const struct os_facts fuzz_tnc_nms_facts = {
	.product = "Debian GNU/Linux",
	.version = "12 x86_64",
	.major = 12,
	.device_id = "fedcba9876543210fedcba9876543210",
};

static int fuzz_tnc_ak_of(const char *device, TPM2B_PUBLIC *ak, void *arg)
{
	(void)arg;
	return strcmp(device, "r1") ? -1 : soft_ak_public(ak);
}

/* r1 was seen before with this machine id. */
static void fuzz_tnc_device_id_of(const char *device, const char *seen,
				  char *out, size_t len, void *arg)
{
	(void)seen;
	(void)arg;
	snprintf(out, len, "%s",
		 strcmp(device, "r1") ? "" : FUZZ_TNC_DEVICE_ID);
}

static int fuzz_tnc_init(void)
{
	if (ref_lists_init(&fuzz_tnc_lists) < 0)
		return -1;
	fuzz_tnc_attest.refs = &fuzz_tnc_lists.refs;
	fuzz_tnc_attest.bad = &fuzz_tnc_lists.bad;
	fuzz_tnc_attest.n_bad = 1;
	fuzz_tnc_attest.pcrs[10] = fuzz_tnc_attest.pcrs[11] = 1;
	return 0;
}

static struct tnc_server_config fuzz_tnc_config(unsigned mode)
{
	return (struct tnc_server_config){
		.sasl_user = mode & FUZZ_TNC_SASL ? "r1" : NULL,
		.sasl_password = mode & FUZZ_TNC_SASL ? "pw" : NULL,
		.mutual = mode & FUZZ_TNC_MUTUAL,
		.os_policy = &fuzz_tnc_os,
		.attest_policy = &fuzz_tnc_attest,
		.own_facts = &fuzz_tnc_nms_facts,
		.ak_of = fuzz_tnc_ak_of,
		.device_id_of = fuzz_tnc_device_id_of,
	};
}

#endif
