// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pa_attr.h"
#include "base/errmsg.h"
#include "wire/text.h"

#include <stdio.h>
#include <string.h>

static int fixed_len(size_t len, size_t want, size_t *bad, char *err,
		     size_t errlen)
{
	if (len != want)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not %zu",
				  len, want);
	return 0;
}

/* A 32-bit enumeration from 0 to @max. */
static int parse_enum(const uint8_t *v, size_t len, uint32_t max, uint32_t *out,
		      size_t *bad, char *err, size_t errlen)
{
	if (fixed_len(len, 4, bad, err, errlen))
		return -1;
	*out = tr_be32(v);
	if (*out > max)
		return tr_fail_at(bad, 0, err, errlen, "value %u, more than %u",
				  *out, max);
	return 0;
}

static int parse_request(const uint8_t *v, size_t len,
			 struct tr_pa_attr_request *r, size_t *bad, char *err,
			 size_t errlen)
{
	if (!len || len % 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, not one or more 8-byte entries",
				  len);
	for (size_t i = 0; i < len; i += 8) {
		if (v[i])
			return tr_fail_at(bad, i, err, errlen,
					  "entry %zu: reserved byte is 0x%02x",
					  i / 8, v[i]);
		if (tr_be24(v + i + 1) == TR_PEN_RESERVED)
			return tr_fail_at(bad, i + 1, err, errlen,
					  "entry %zu: reserved vendor id",
					  i / 8);
		if (tr_be32(v + i + 4) == TR_TYPE_RESERVED)
			return tr_fail_at(bad, i + 4, err, errlen,
					  "entry %zu: reserved type", i / 8);
	}
	r->n = len / 8;
	r->types = NULL;
	r->raw.p = v;
	r->raw.len = len;
	return 0;
}

static int parse_product(const uint8_t *v, size_t len,
			 struct tr_pa_product_info *p, size_t *bad, char *err,
			 size_t errlen)
{
	if (len < 5)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 5", len);
	p->vendor = tr_be24(v);
	p->id = (uint16_t)(v[3] << 8 | v[4]);
	p->name.p = v + 5;
	p->name.len = len - 5;
	return tr_text_check(&p->name, 5, "product name", bad, err, errlen);
}

static int parse_numeric(const uint8_t *v, size_t len,
			 struct tr_pa_numeric_version *n, size_t *bad,
			 char *err, size_t errlen)
{
	if (fixed_len(len, 16, bad, err, errlen))
		return -1;
	n->major = tr_be32(v);
	n->minor = tr_be32(v + 4);
	n->build = tr_be32(v + 8);
	n->sp_major = (uint16_t)(v[12] << 8 | v[13]);
	n->sp_minor = (uint16_t)(v[14] << 8 | v[15]);
	return 0;
}

static int parse_string_version(const uint8_t *v, size_t len,
				struct tr_pa_string_version *s, size_t *bad,
				char *err, size_t errlen)
{
	static const char *const what[] = { "product version", "build number",
					    "configuration version" };
	struct tr_bytes *f[] = { &s->version, &s->build, &s->config };
	struct tr_rbuf r = { v, len, 0 };

	for (int i = 0; i < 3; i++) {
		size_t at = r.off;
		uint8_t n;

		if (!tr_get_u8(&r, &n) || !tr_get_bytes(&r, n, f[i]))
			return tr_fail_at(bad, at, err, errlen,
					  "%s longer than the value", what[i]);
		if (tr_text_check(f[i], at + 1, what[i], bad, err, errlen))
			return -1;
	}
	if (r.off != len)
		return tr_fail_at(bad, r.off, err, errlen,
				  "%zu bytes after the configuration version",
				  len - r.off);
	return 0;
}

/* "YYYY-MM-DDThh:mm:ssZ", or all zeros for "never used". */
static size_t time_bad(const char *t)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	static const struct {
		int at, min, max;
	} fields[] = { { 5, 1, 12 },
		       { 8, 1, 31 },
		       { 11, 0, 23 },
		       { 14, 0, 59 },
		       { 17, 0, 60 } };

	for (size_t i = 0; i < TR_PA_TIME_LEN; i++)
		if (form[i] == 'd' ? t[i] < '0' || t[i] > '9' : t[i] != form[i])
			return i;
	if (!strcmp(t, "0000-00-00T00:00:00Z"))
		return TR_PA_TIME_LEN;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int x = (t[fields[i].at] - '0') * 10 + t[fields[i].at + 1] -
			'0';

		if (x < fields[i].min || x > fields[i].max)
			return (size_t)fields[i].at;
	}
	return TR_PA_TIME_LEN;
}

static int parse_op_status(const uint8_t *v, size_t len,
			   struct tr_pa_op_status *o, size_t *bad, char *err,
			   size_t errlen)
{
	size_t at;

	if (fixed_len(len, 4 + TR_PA_TIME_LEN, bad, err, errlen))
		return -1;
	o->status = v[0];
	o->result = v[1];
	if (o->status > TR_PA_OP_OPERATIONAL)
		return tr_fail_at(bad, 0, err, errlen, "status %u", v[0]);
	if (o->result > TR_PA_OP_RESULT_FAILED)
		return tr_fail_at(bad, 1, err, errlen, "result %u", v[1]);
	if (v[2] || v[3])
		return tr_fail_at(bad, 2, err, errlen, "reserved bytes set");
	memcpy(o->last_use, v + 4, TR_PA_TIME_LEN);
	o->last_use[TR_PA_TIME_LEN] = 0;
	at = time_bad(o->last_use);
	if (at != TR_PA_TIME_LEN)
		return tr_fail_at(bad, 4 + at, err, errlen,
				  "last use is not YYYY-MM-DDThh:mm:ssZ");
	return 0;
}

static int parse_ports(const uint8_t *v, size_t len,
		       struct tr_pa_port_filter *f, size_t *bad, char *err,
		       size_t errlen)
{
	if (len % 4)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, not 4-byte entries", len);
	for (size_t i = 0; i < len; i += 4)
		if (v[i] & 0xfe)
			return tr_fail_at(bad, i, err, errlen,
					  "entry %zu: reserved bits set",
					  i / 4);
	f->n = len / 4;
	f->ports = NULL;
	f->raw.p = v;
	f->raw.len = len;
	return 0;
}

/* One package at r->off: its name and version. */
static int parse_package(struct tr_rbuf *r, struct tr_pa_package *p,
			 size_t *bad, char *err, size_t errlen)
{
	size_t at = r->off;
	uint8_t n;

	if (!tr_get_u8(r, &n) || !tr_get_bytes(r, n, &p->name))
		return tr_fail_at(bad, at, err, errlen,
				  "package name longer than the value");
	if (tr_text_check(&p->name, at + 1, "package name", bad, err, errlen))
		return -1;
	at = r->off;
	if (!tr_get_u8(r, &n) || !tr_get_bytes(r, n, &p->version))
		return tr_fail_at(bad, at, err, errlen,
				  "package version longer than the value");
	return tr_text_check(&p->version, at + 1, "package version", bad, err,
			     errlen);
}

static int parse_packages(const uint8_t *v, size_t len,
			  struct tr_pa_packages *l, size_t *bad, char *err,
			  size_t errlen)
{
	struct tr_rbuf r = { v, len, 4 };
	struct tr_pa_package p;
	size_t n = 0;

	if (len < 4)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 4", len);
	if (v[0] || v[1])
		return tr_fail_at(bad, 0, err, errlen, "reserved bytes set");
	while (r.off < len) {
		if (parse_package(&r, &p, bad, err, errlen))
			return -1;
		n++;
	}
	if (n != (size_t)(v[2] << 8 | v[3]))
		return tr_fail_at(bad, 2, err, errlen,
				  "count %u, but %zu packages follow",
				  v[2] << 8 | v[3], n);
	l->n = n;
	l->pkgs = NULL;
	l->raw.p = v + 4;
	l->raw.len = len - 4;
	return 0;
}

static bool ietf_pa_error_code(uint32_t vendor, uint32_t code)
{
	return vendor == TR_PEN_IETF && code >= TR_PA_ERR_INVALID_PARAMETER &&
	       code <= TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED;
}

static int parse_error(const uint8_t *v, size_t len, struct tr_pa_error *e,
		       size_t *bad, char *err, size_t errlen)
{
	static const size_t tail[] = { 0, 4, 4, 8 };

	memset(e, 0, sizeof(*e));
	if (tr_get_vendor_type(v, len, &e->vendor, &e->code, bad, err, errlen))
		return -1;
	if (!ietf_pa_error_code(e->vendor, e->code)) {
		e->info.p = v + 8;
		e->info.len = len - 8;
		return 0;
	}
	if (len != 16 + tail[e->code])
		return tr_fail_at(bad, 8, err, errlen,
				  "error information of %zu bytes, not %zu",
				  len - 8, 8 + tail[e->code]);
	memcpy(e->msg_header, v + 8, 8);
	v += 16;
	switch (e->code) {
	case TR_PA_ERR_INVALID_PARAMETER:
		e->offset = tr_be32(v);
		break;
	case TR_PA_ERR_VERSION_NOT_SUPPORTED:
		e->max_version = v[0];
		e->min_version = v[1];
		if (v[2] || v[3])
			return tr_fail_at(bad, 18, err, errlen,
					  "reserved bytes set");
		break;
	default:
		e->attr_flags = v[0];
		e->attr_vendor = tr_be24(v + 1);
		e->attr_type = tr_be32(v + 4);
		break;
	}
	return 0;
}

static int parse_device_id(const uint8_t *v, size_t len, struct tr_bytes *id,
			   size_t *bad, char *err, size_t errlen)
{
	if (!len || len > TR_PA_DEVICE_ID_MAX)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not 1 to %d",
				  len, TR_PA_DEVICE_ID_MAX);
	id->p = v;
	id->len = len;
	return tr_text_check(id, 0, "device id", bad, err, errlen);
}

static const char *const ietf_names[] = {
	"Testing",
	"Attribute Request",
	"Product Information",
	"Numeric Version",
	"String Version",
	"Operational Status",
	"Port Filter",
	"Installed Packages",
	"PA-TNC Error",
	"Assessment Result",
	"Remediation Instructions",
	"Forwarding Enabled",
	"Factory Default Password Enabled",
};

bool tr_pa_known(uint32_t vendor, uint32_t type)
{
	if (vendor == TR_PEN_IETF)
		return type >= TR_PA_ATTR_REQUEST &&
		       type <= TR_PA_FACTORY_DEFAULT_PWD;
	return vendor == TR_PEN_ITA && type == TR_PA_ITA_DEVICE_ID;
}

const char *tr_pa_attr_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len)
{
	if (vendor == TR_PEN_IETF &&
	    type < sizeof(ietf_names) / sizeof(ietf_names[0]))
		snprintf(buf, len, "IETF/%s", ietf_names[type]);
	else if (vendor == TR_PEN_ITA && type == TR_PA_ITA_DEVICE_ID)
		snprintf(buf, len, "ITA-HSR/Device ID");
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

static int parse_value(const uint8_t *p, size_t n, void *vv, size_t *bad,
		       char *err, size_t errlen)
{
	struct tr_pa_value *v = vv;

	if (v->vendor == TR_PEN_ITA && v->type == TR_PA_ITA_DEVICE_ID)
		return parse_device_id(p, n, &v->u.device_id, bad, err, errlen);
	if (v->vendor != TR_PEN_IETF)
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	switch (v->type) {
	case TR_PA_ATTR_REQUEST:
		return parse_request(p, n, &v->u.request, bad, err, errlen);
	case TR_PA_PRODUCT_INFO:
		return parse_product(p, n, &v->u.product, bad, err, errlen);
	case TR_PA_NUMERIC_VERSION:
		return parse_numeric(p, n, &v->u.numeric, bad, err, errlen);
	case TR_PA_STRING_VERSION:
		return parse_string_version(p, n, &v->u.string, bad, err,
					    errlen);
	case TR_PA_OP_STATUS:
		return parse_op_status(p, n, &v->u.op_status, bad, err, errlen);
	case TR_PA_PORT_FILTER:
		return parse_ports(p, n, &v->u.ports, bad, err, errlen);
	case TR_PA_INSTALLED_PACKAGES:
		return parse_packages(p, n, &v->u.packages, bad, err, errlen);
	case TR_PA_ERROR:
		return parse_error(p, n, &v->u.error, bad, err, errlen);
	case TR_PA_ASSESSMENT_RESULT:
		return parse_enum(p, n, TR_PA_DONT_KNOW, &v->u.assessment, bad,
				  err, errlen);
	case TR_PA_REMEDIATION:
		return tr_remediation_parse(p, n, &v->u.remediation, bad, err,
					    errlen);
	case TR_PA_FORWARDING_ENABLED:
		return parse_enum(p, n, TR_PA_FWD_UNKNOWN, &v->u.forwarding,
				  bad, err, errlen);
	case TR_PA_FACTORY_DEFAULT_PWD:
		return parse_enum(p, n, 1, &v->u.default_pwd, bad, err, errlen);
	default:
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	}
}

int tr_pa_value_parse(const struct tr_tlv *a, struct tr_pa_value *v,
		      size_t *bad, char *err, size_t errlen)
{
	char name[48];

	memset(v, 0, sizeof(*v));
	v->flags = a->flags;
	v->vendor = a->vendor;
	v->type = a->type;
	return tr_tlv_parse_value(a, v, parse_value,
				  tr_pa_attr_name(a->vendor, a->type, name,
						  sizeof(name)),
				  bad, err, errlen);
}

void tr_pa_request_get(const struct tr_pa_attr_request *r, size_t i,
		       struct tr_pa_attr_type *t)
{
	if (r->types) {
		*t = r->types[i];
		return;
	}
	t->vendor = tr_be24(r->raw.p + 8 * i + 1);
	t->type = tr_be32(r->raw.p + 8 * i + 4);
}

void tr_pa_port_get(const struct tr_pa_port_filter *f, size_t i,
		    struct tr_pa_port *p)
{
	const uint8_t *e;

	if (f->ports) {
		*p = f->ports[i];
		return;
	}
	e = f->raw.p + 4 * i;
	p->blocked = e[0] & 1;
	p->protocol = e[1];
	p->port = (uint16_t)(e[2] << 8 | e[3]);
}

bool tr_pa_package_next(const struct tr_pa_packages *l, size_t *cursor,
			struct tr_pa_package *p)
{
	struct tr_rbuf r;

	if (l->pkgs) {
		if (*cursor >= l->n)
			return false;
		*p = l->pkgs[(*cursor)++];
		return true;
	}
	/* raw was checked by parse_packages: each entry is whole */
	r.p = l->raw.p;
	r.len = l->raw.len;
	r.off = *cursor;
	if (r.off >= r.len || parse_package(&r, p, NULL, NULL, 0))
		return false;
	*cursor = r.off;
	return true;
}

static int put_short_text(struct tr_wbuf *w, const struct tr_bytes *s,
			  const char *what, char *err, size_t errlen)
{
	if (s->len > 255)
		return tr_fail(err, errlen, "%s: %zu bytes, more than 255",
			       what, s->len);
	tr_put_u8(w, (uint32_t)s->len);
	tr_put_bytes(w, s->p, s->len);
	return 0;
}

static int build_list(const struct tr_pa_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	const struct tr_pa_attr_request *r = &v->u.request;
	const struct tr_pa_port_filter *f = &v->u.ports;
	const struct tr_pa_packages *l = &v->u.packages;

	switch (v->type) {
	case TR_PA_ATTR_REQUEST:
		for (size_t i = 0; i < r->n; i++) {
			struct tr_pa_attr_type t;

			tr_pa_request_get(r, i, &t);
			tr_put_vendor_type(w, t.vendor, t.type);
		}
		return 0;
	case TR_PA_PORT_FILTER:
		for (size_t i = 0; i < f->n; i++) {
			struct tr_pa_port p;

			tr_pa_port_get(f, i, &p);
			tr_put_u8(w, p.blocked);
			tr_put_u8(w, p.protocol);
			tr_put_u16(w, p.port);
		}
		return 0;
	default: {
		struct tr_pa_package p;
		size_t cursor = 0, n = 0;

		if (l->n > UINT16_MAX)
			return tr_fail(err, errlen,
				       "%zu packages, more than %d", l->n,
				       UINT16_MAX);
		tr_put_u16(w, 0);
		tr_put_u16(w, (uint32_t)l->n);
		while (n < l->n && tr_pa_package_next(l, &cursor, &p)) {
			if (put_short_text(w, &p.name, "package name", err,
					   errlen) ||
			    put_short_text(w, &p.version, "package version",
					   err, errlen))
				return -1;
			n++;
		}
		return 0;
	}
	}
}

static int build_error(const struct tr_pa_error *e, struct tr_wbuf *w)
{
	tr_put_vendor_type(w, e->vendor, e->code);
	if (!ietf_pa_error_code(e->vendor, e->code)) {
		tr_put_bytes(w, e->info.p, e->info.len);
		return 0;
	}
	tr_put_bytes(w, e->msg_header, sizeof(e->msg_header));
	switch (e->code) {
	case TR_PA_ERR_INVALID_PARAMETER:
		tr_put_u32(w, e->offset);
		break;
	case TR_PA_ERR_VERSION_NOT_SUPPORTED:
		tr_put_u8(w, e->max_version);
		tr_put_u8(w, e->min_version);
		tr_put_u16(w, 0);
		break;
	default:
		tr_put_u8(w, e->attr_flags);
		tr_put_u24(w, e->attr_vendor);
		tr_put_u32(w, e->attr_type);
		break;
	}
	return 0;
}

static int build_value(const void *vv, struct tr_wbuf *w, char *err,
		       size_t errlen)
{
	const struct tr_pa_value *v = vv;
	const struct tr_pa_numeric_version *n = &v->u.numeric;
	const struct tr_pa_string_version *s = &v->u.string;

	if (v->vendor == TR_PEN_ITA) {
		tr_put_bytes(w, v->u.device_id.p, v->u.device_id.len);
		return 0;
	}
	switch (v->type) {
	case TR_PA_PRODUCT_INFO:
		tr_put_u24(w, v->u.product.vendor);
		tr_put_u16(w, v->u.product.id);
		tr_put_bytes(w, v->u.product.name.p, v->u.product.name.len);
		return 0;
	case TR_PA_NUMERIC_VERSION:
		tr_put_u32(w, n->major);
		tr_put_u32(w, n->minor);
		tr_put_u32(w, n->build);
		tr_put_u16(w, n->sp_major);
		tr_put_u16(w, n->sp_minor);
		return 0;
	case TR_PA_STRING_VERSION:
		return put_short_text(w, &s->version, "product version", err,
				      errlen) ||
		       put_short_text(w, &s->build, "build number", err,
				      errlen) ||
		       put_short_text(w, &s->config, "configuration version",
				      err, errlen);
	case TR_PA_OP_STATUS:
		tr_put_u8(w, v->u.op_status.status);
		tr_put_u8(w, v->u.op_status.result);
		tr_put_u16(w, 0);
		tr_put_bytes(w, v->u.op_status.last_use, TR_PA_TIME_LEN);
		return 0;
	case TR_PA_ERROR:
		return build_error(&v->u.error, w);
	case TR_PA_ASSESSMENT_RESULT:
	case TR_PA_FORWARDING_ENABLED:
	case TR_PA_FACTORY_DEFAULT_PWD:
		/* the three share the offset: a union of uint32_t members */
		tr_put_u32(w, v->u.assessment);
		return 0;
	case TR_PA_REMEDIATION:
		return tr_remediation_build(&v->u.remediation, w, err, errlen);
	default:
		return build_list(v, w, err, errlen);
	}
}

int tr_pa_value_build(const struct tr_pa_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	struct tr_pa_value back = { .vendor = v->vendor, .type = v->type };
	char name[48];

	return tr_build_checked(w, v, &back, build_value, parse_value,
				tr_pa_known(v->vendor, v->type),
				tr_pa_attr_name(v->vendor, v->type, name,
						sizeof(name)),
				err, errlen);
}
