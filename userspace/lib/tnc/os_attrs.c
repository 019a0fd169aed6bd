// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/os_attrs.h"
#include "tnc/pa_attr.h"

#include "base/errmsg.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct tr_bytes text(const char *s)
{
	return (struct tr_bytes){ (const uint8_t *)s, strlen(s) };
}

int tnc_os_build(const struct os_facts *f, struct tr_wbuf *w, char *err,
		 size_t errlen)
{
	struct tr_pa_value v[7];
	time_t boot = (time_t)f->last_boot;
	struct tm tm;

	memset(v, 0, sizeof(v));
	for (int i = 0; i < 7; i++)
		v[i].vendor = TR_PEN_IETF;
	v[0].type = TR_PA_PRODUCT_INFO;
	v[0].u.product.name = text(f->product);
	v[1].type = TR_PA_STRING_VERSION;
	v[1].u.string.version = text(f->version);
	v[2].type = TR_PA_NUMERIC_VERSION;
	v[2].u.numeric.major = f->major;
	v[2].u.numeric.minor = f->minor;
	v[3].type = TR_PA_OP_STATUS;
	v[3].u.op_status.status = TR_PA_OP_OPERATIONAL;
	v[3].u.op_status.result = TR_PA_OP_RESULT_OK;
	if (boot && gmtime_r(&boot, &tm))
		strftime(v[3].u.op_status.last_use,
			 sizeof(v[3].u.op_status.last_use),
			 "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strcpy(v[3].u.op_status.last_use, "0000-00-00T00:00:00Z");
	v[4].type = TR_PA_FORWARDING_ENABLED;
	v[4].u.forwarding = f->forwarding_v4 || f->forwarding_v6 ?
				    TR_PA_FWD_ENABLED :
				    TR_PA_FWD_DISABLED;
	v[5].type = TR_PA_FACTORY_DEFAULT_PWD;
	v[5].u.default_pwd = f->default_password;
	v[6].vendor = TR_PEN_ITA;
	v[6].type = TR_PA_ITA_DEVICE_ID;
	v[6].u.device_id = text(f->device_id);
	for (int i = 0; i < 7; i++)
		if (tr_pa_add(w, &v[i], err, errlen) < 0)
			return -1;
	return 0;
}

/* A counted string into a C string, cut to @cap. */
static void copy(char *out, size_t cap, struct tr_bytes b)
{
	snprintf(out, cap, "%.*s", (int)(b.len < cap ? b.len : cap - 1),
		 (const char *)b.p);
}

int tnc_os_take(struct os_facts *f, const struct tr_tlv *a, char *err,
		size_t errlen)
{
	struct tr_pa_value v;
	size_t bad;

	if (!tr_pa_known(a->vendor, a->type))
		return 0;
	if (tr_pa_value_parse(a, &v, &bad, err, errlen) < 0)
		return -1;
	if (a->vendor == TR_PEN_ITA && a->type == TR_PA_ITA_DEVICE_ID) {
		copy(f->device_id, sizeof(f->device_id), v.u.device_id);
		return 1;
	}
	if (a->vendor != TR_PEN_IETF)
		return 0;
	switch (a->type) {
	case TR_PA_PRODUCT_INFO:
		copy(f->product, sizeof(f->product), v.u.product.name);
		return 1;
	case TR_PA_STRING_VERSION:
		copy(f->version, sizeof(f->version), v.u.string.version);
		return 1;
	case TR_PA_NUMERIC_VERSION:
		f->major = v.u.numeric.major;
		f->minor = v.u.numeric.minor;
		return 1;
	case TR_PA_FORWARDING_ENABLED:
		f->forwarding_v4 = v.u.forwarding == TR_PA_FWD_ENABLED;
		return 1;
	case TR_PA_FACTORY_DEFAULT_PWD:
		f->default_password = v.u.default_pwd != 0;
		return 1;
	default:
		return 0;
	}
}
