// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pb_msg.h"
#include "base/errmsg.h"
#include "tnc/pa_attr.h" /* the PA-TNC assessment codes */
#include "wire/text.h"

#include <stdio.h>
#include <string.h>

#define LANG_PREFIX "Accept-Language: "
#define LANG_PREFIX_LEN (sizeof(LANG_PREFIX) - 1)

/* --- message types --------------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t noskip; /* the flag it must carry */
	bool result_only; /* only a RESULT batch may carry it */
} ietf_msgs[] = {
	[TR_PB_EXPERIMENTAL] = { "PB-Experimental", 0, false },
	[TR_PB_PA] = { "PB-PA", TR_NOSKIP, false },
	[TR_PB_ASSESSMENT_RESULT] = { "PB-Assessment-Result", TR_NOSKIP, true },
	[TR_PB_ACCESS_RECOMMENDATION] = { "PB-Access-Recommendation", 0, true },
	[TR_PB_REMEDIATION_PARAMETERS] = { "PB-Remediation-Parameters", 0,
					   true },
	[TR_PB_ERROR] = { "PB-Error", TR_NOSKIP, false },
	[TR_PB_LANGUAGE_PREFERENCE] = { "PB-Language-Preference", 0, false },
	[TR_PB_REASON_STRING] = { "PB-Reason-String", 0, true },
};

#define IETF_MSGS (sizeof(ietf_msgs) / sizeof(ietf_msgs[0]))

bool tr_pb_known(uint32_t vendor, uint32_t type)
{
	if (vendor == TR_PEN_IETF)
		return type < IETF_MSGS;
	return vendor == TR_PEN_ITA && type == TR_PB_ITA_MUTUAL_CAPABILITY;
}

bool tr_pb_result_only(uint32_t vendor, uint32_t type)
{
	return vendor == TR_PEN_IETF && type < IETF_MSGS &&
	       ietf_msgs[type].result_only;
}

uint8_t tr_pb_noskip(uint32_t vendor, uint32_t type)
{
	return vendor == TR_PEN_IETF && type < IETF_MSGS ?
		       ietf_msgs[type].noskip :
		       0;
}

const char *tr_pb_msg_name(uint32_t vendor, uint32_t type, char *buf,
			   size_t len)
{
	if (vendor == TR_PEN_IETF && type < IETF_MSGS)
		snprintf(buf, len, "IETF/%s", ietf_msgs[type].name);
	else if (vendor == TR_PEN_ITA && type == TR_PB_ITA_MUTUAL_CAPABILITY)
		snprintf(buf, len, "ITA-HSR/PB-Mutual-Capability");
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

/* --- message values ---------------------------------------------------------- */

static int parse_pa(const uint8_t *v, size_t len, struct tr_pb_pa *pa,
		    size_t *bad, char *err, size_t errlen)
{
	if (len < 12)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 12", len);
	if (v[0] & ~TR_PB_PA_EXCLUSIVE)
		return tr_fail_at(bad, 0, err, errlen, "reserved flags 0x%02x",
				  v[0]);
	pa->exclusive = v[0] & TR_PB_PA_EXCLUSIVE;
	pa->vendor = tr_be24(v + 1);
	pa->subtype = tr_be32(v + 4);
	if (pa->vendor == TR_PEN_RESERVED)
		return tr_fail_at(bad, 1, err, errlen, "reserved vendor id");
	if (pa->subtype == TR_TYPE_RESERVED)
		return tr_fail_at(bad, 4, err, errlen, "reserved subtype");
	pa->collector = (uint16_t)(v[8] << 8 | v[9]);
	pa->validator = (uint16_t)(v[10] << 8 | v[11]);
	pa->body.p = v + 12;
	pa->body.len = len - 12;
	return 0;
}

static int parse_u32(const uint8_t *v, size_t len, uint32_t *out, size_t *bad,
		     char *err, size_t errlen)
{
	if (len != 4)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not 4", len);
	*out = tr_be32(v);
	return 0;
}

static int parse_error(const uint8_t *v, size_t len, struct tr_pb_error *e,
		       size_t *bad, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	if (len < 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 8", len);
	if (v[0] & 0x7f)
		return tr_fail_at(bad, 0, err, errlen, "reserved flags 0x%02x",
				  v[0]);
	e->fatal = v[0] & 0x80;
	e->vendor = tr_be24(v + 1);
	e->code = (uint16_t)(v[4] << 8 | v[5]);
	if (v[6] || v[7])
		return tr_fail_at(bad, 6, err, errlen, "reserved bytes set");
	e->params.p = v + 8;
	e->params.len = len - 8;
	if (e->vendor != TR_PEN_IETF ||
	    e->code > TR_PB_ERR_VERSION_NOT_SUPPORTED)
		return 0;
	if (len != 12)
		return tr_fail_at(bad, 8, err, errlen,
				  "error parameters of %zu bytes, not 4",
				  len - 8);
	if (e->code != TR_PB_ERR_VERSION_NOT_SUPPORTED) {
		e->offset = tr_be32(v + 8);
		return 0;
	}
	e->bad_version = v[8];
	e->max_version = v[9];
	e->min_version = v[10];
	if (v[11])
		return tr_fail_at(bad, 11, err, errlen, "reserved byte set");
	return 0;
}

static int parse_language(const uint8_t *v, size_t len, struct tr_bytes *l,
			  size_t *bad, char *err, size_t errlen)
{
	if (len < LANG_PREFIX_LEN || memcmp(v, LANG_PREFIX, LANG_PREFIX_LEN))
		return tr_fail_at(bad, 0, err, errlen,
				  "not \"" LANG_PREFIX "\" and ranges");
	l->p = v + LANG_PREFIX_LEN;
	l->len = len - LANG_PREFIX_LEN;
	if (l->len > TR_PB_LANG_MAX)
		return tr_fail_at(bad, LANG_PREFIX_LEN, err, errlen,
				  "language ranges of %zu bytes, more than %d",
				  l->len, TR_PB_LANG_MAX);
	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] < 0x20 || l->p[i] > 0x7e)
			return tr_fail_at(bad, LANG_PREFIX_LEN + i, err, errlen,
					  "language ranges: byte %zu is not "
					  "printable ASCII",
					  i);
	return 0;
}

static int parse_value(const uint8_t *p, size_t n, void *vv, size_t *bad,
		       char *err, size_t errlen)
{
	struct tr_pb_value *v = vv;

	if (v->vendor == TR_PEN_ITA && v->type == TR_PB_ITA_MUTUAL_CAPABILITY) {
		if (parse_u32(p, n, &v->u.mutual, bad, err, errlen))
			return -1;
		if (v->u.mutual &
		    ~(TR_PB_MUTUAL_HALF_DUPLEX | TR_PB_MUTUAL_FULL_DUPLEX))
			return tr_fail_at(bad, 0, err, errlen,
					  "reserved bits set");
		return 0;
	}
	if (!tr_pb_known(v->vendor, v->type))
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	switch (v->type) {
	case TR_PB_PA:
		return parse_pa(p, n, &v->u.pa, bad, err, errlen);
	case TR_PB_ASSESSMENT_RESULT:
		if (parse_u32(p, n, &v->u.assessment, bad, err, errlen))
			return -1;
		if (v->u.assessment > TR_PA_DONT_KNOW)
			return tr_fail_at(bad, 0, err, errlen,
					  "result %u, more than %d",
					  v->u.assessment, TR_PA_DONT_KNOW);
		return 0;
	case TR_PB_ACCESS_RECOMMENDATION:
		if (n != 4)
			return tr_fail_at(bad, 0, err, errlen,
					  "%zu bytes, not 4", n);
		if (p[0] || p[1])
			return tr_fail_at(bad, 0, err, errlen,
					  "reserved bytes set");
		v->u.access = (uint16_t)(p[2] << 8 | p[3]);
		if (v->u.access < TR_PB_ACCESS_ALLOWED ||
		    v->u.access > TR_PB_ACCESS_QUARANTINED)
			return tr_fail_at(bad, 2, err, errlen,
					  "recommendation %u, not 1 to 3",
					  v->u.access);
		return 0;
	case TR_PB_REMEDIATION_PARAMETERS:
		return tr_remediation_parse(p, n, &v->u.remediation, bad, err,
					    errlen);
	case TR_PB_ERROR:
		return parse_error(p, n, &v->u.error, bad, err, errlen);
	case TR_PB_LANGUAGE_PREFERENCE:
		return parse_language(p, n, &v->u.language, bad, err, errlen);
	case TR_PB_REASON_STRING:
		return tr_text_lang_parse(p, n, 0, &v->u.reason.reason,
					  &v->u.reason.lang, "reason string",
					  bad, err, errlen);
	default: /* PB-Experimental: no layout */
		v->u.experimental.p = p;
		v->u.experimental.len = n;
		return 0;
	}
}

int tr_pb_value_parse(const struct tr_tlv *m, struct tr_pb_value *v,
		      size_t *bad, char *err, size_t errlen)
{
	char name[48];

	memset(v, 0, sizeof(*v));
	v->vendor = m->vendor;
	v->type = m->type;
	return tr_tlv_parse_value(m, v, parse_value,
				  tr_pb_msg_name(m->vendor, m->type, name,
						 sizeof(name)),
				  bad, err, errlen);
}

static int build_value(const void *vv, struct tr_wbuf *w, char *err,
		       size_t errlen)
{
	const struct tr_pb_value *v = vv;
	const struct tr_pb_pa *pa = &v->u.pa;
	const struct tr_pb_error *e = &v->u.error;

	if (v->vendor == TR_PEN_ITA) {
		tr_put_u32(w, v->u.mutual);
		return 0;
	}
	switch (v->type) {
	case TR_PB_PA:
		tr_put_u8(w, pa->exclusive ? TR_PB_PA_EXCLUSIVE : 0);
		tr_put_u24(w, pa->vendor);
		tr_put_u32(w, pa->subtype);
		tr_put_u16(w, pa->collector);
		tr_put_u16(w, pa->validator);
		tr_put_bytes(w, pa->body.p, pa->body.len);
		return 0;
	case TR_PB_ASSESSMENT_RESULT:
		tr_put_u32(w, v->u.assessment);
		return 0;
	case TR_PB_ACCESS_RECOMMENDATION:
		tr_put_u16(w, 0);
		tr_put_u16(w, v->u.access);
		return 0;
	case TR_PB_REMEDIATION_PARAMETERS:
		return tr_remediation_build(&v->u.remediation, w, err, errlen);
	case TR_PB_ERROR:
		tr_put_u8(w, e->fatal ? 0x80 : 0);
		tr_put_u24(w, e->vendor);
		tr_put_u16(w, e->code);
		tr_put_u16(w, 0);
		if (e->vendor != TR_PEN_IETF ||
		    e->code > TR_PB_ERR_VERSION_NOT_SUPPORTED) {
			tr_put_bytes(w, e->params.p, e->params.len);
		} else if (e->code == TR_PB_ERR_VERSION_NOT_SUPPORTED) {
			tr_put_u8(w, e->bad_version);
			tr_put_u8(w, e->max_version);
			tr_put_u8(w, e->min_version);
			tr_put_u8(w, 0);
		} else {
			tr_put_u32(w, e->offset);
		}
		return 0;
	case TR_PB_LANGUAGE_PREFERENCE:
		tr_put_bytes(w, LANG_PREFIX, LANG_PREFIX_LEN);
		tr_put_bytes(w, v->u.language.p, v->u.language.len);
		return 0;
	case TR_PB_REASON_STRING:
		return tr_text_lang_build(w, &v->u.reason.reason,
					  &v->u.reason.lang, err, errlen);
	default:
		tr_put_bytes(w, v->u.experimental.p, v->u.experimental.len);
		return 0;
	}
}

int tr_pb_value_build(const struct tr_pb_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	struct tr_pb_value back = { .vendor = v->vendor, .type = v->type };
	char name[48];

	return tr_build_checked(w, v, &back, build_value, parse_value,
				tr_pb_known(v->vendor, v->type),
				tr_pb_msg_name(v->vendor, v->type, name,
					       sizeof(name)),
				err, errlen);
}

int tr_pb_add(struct tr_wbuf *w, const struct tr_pb_value *v, char *err,
	      size_t errlen)
{
	size_t mark = tr_tlv_begin(w, tr_pb_noskip(v->vendor, v->type),
				   v->vendor, v->type);

	if (tr_pb_value_build(v, w, err, errlen)) {
		w->len = mark;
		return -1;
	}
	tr_tlv_end(w, mark);
	return 0;
}

int tr_pb_add_pa(struct tr_wbuf *w, uint32_t vendor, uint32_t subtype,
		 uint16_t collector, uint16_t validator,
		 const struct tr_wbuf *pa)
{
	struct tr_pb_value v = { .vendor = TR_PEN_IETF, .type = TR_PB_PA };

	v.u.pa.vendor = vendor;
	v.u.pa.subtype = subtype;
	v.u.pa.collector = collector;
	v.u.pa.validator = validator;
	v.u.pa.body = (struct tr_bytes){ pa->p, pa->len };
	return tr_pb_add(w, &v, NULL, 0);
}
