// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pa_msg.h"
#include "base/errmsg.h"

#include <string.h>

void tr_pa_error_init(struct tr_pa_error *e, uint32_t code, const uint8_t *msg,
		      size_t len)
{
	memset(e, 0, sizeof(*e));
	e->vendor = TR_PEN_IETF;
	e->code = code;
	memcpy(e->msg_header, msg, len < 8 ? len : 8);
}

/* Refuse the message: fill @refusal, say what and where in @err. */
static int refuse(struct tr_pa_error *refusal, const uint8_t *buf, size_t len,
		  uint32_t code, size_t offset, char *err, size_t errlen,
		  const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static int refuse(struct tr_pa_error *refusal, const uint8_t *buf, size_t len,
		  uint32_t code, size_t offset, char *err, size_t errlen,
		  const char *fmt, ...)
{
	va_list ap;

	if (refusal) {
		tr_pa_error_init(refusal, code, buf, len);
		refusal->offset = (uint32_t)offset;
		refusal->max_version = refusal->min_version = TR_PA_VERSION;
	}
	va_start(ap, fmt);
	tr_vfail_prefixed(err, errlen, "PA-TNC message: ", fmt, ap);
	va_end(ap);
	return -1;
}

int tr_pa_msg_parse(const uint8_t *buf, size_t len, struct tr_pa_msg *m,
		    struct tr_pa_error *refusal, char *err, size_t errlen)
{
	size_t off = TR_PA_MSG_HEADER_LEN;

	m->n = 0;
	m->id = 0;
	if (len < TR_PA_MSG_HEADER_LEN)
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 0,
			      err, errlen,
			      "%zu bytes, shorter than its 8-byte header", len);
	if (len > TR_PA_MSG_MAX)
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 0,
			      err, errlen, "%zu bytes, more than %u", len,
			      TR_PA_MSG_MAX);
	if (buf[0] != TR_PA_VERSION)
		return refuse(refusal, buf, len,
			      TR_PA_ERR_VERSION_NOT_SUPPORTED, 0, err, errlen,
			      "version %u, not %u", buf[0], TR_PA_VERSION);
	if (buf[1] || buf[2] || buf[3])
		return refuse(refusal, buf, len, TR_PA_ERR_INVALID_PARAMETER, 1,
			      err, errlen, "reserved header bytes set");
	m->id = tr_be32(buf + 4);
	while (off < len) {
		struct tr_tlv *a = &m->attrs[m->n];
		struct tr_pa_value v;
		char why[200], name[48];
		size_t bad = 0;

		if (m->n == TR_PA_MAX_ATTRS)
			return refuse(refusal, buf, len,
				      TR_PA_ERR_INVALID_PARAMETER, off, err,
				      errlen,
				      "attribute at offset %zu: more than %d "
				      "attributes",
				      off, TR_PA_MAX_ATTRS);
		if (tr_tlv_read(buf, len, off, a, &bad, why, sizeof(why)))
			return refuse(refusal, buf, len,
				      TR_PA_ERR_INVALID_PARAMETER, bad, err,
				      errlen, "attribute at offset %zu: %s",
				      off, why);
		if (tr_pa_known(a->vendor, a->type)) {
			if (tr_pa_value_parse(a, &v, &bad, why, sizeof(why)))
				return refuse(refusal, buf, len,
					      TR_PA_ERR_INVALID_PARAMETER,
					      off + TR_TLV_HEADER_LEN + bad,
					      err, errlen,
					      "attribute at offset %zu: %s",
					      off, why);
		} else if (a->flags & TR_NOSKIP) {
			/* RFC 5792 4.2.8: none of the message is processed */
			refuse(refusal, buf, len,
			       TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED, off, err,
			       errlen,
			       "attribute at offset %zu: type %s unknown, "
			       "with NOSKIP",
			       off,
			       tr_pa_attr_name(a->vendor, a->type, name,
					       sizeof(name)));
			if (refusal) {
				refusal->offset = 0;
				refusal->attr_flags = a->flags;
				refusal->attr_vendor = a->vendor;
				refusal->attr_type = a->type;
			}
			return -1;
		}
		off += TR_TLV_HEADER_LEN + a->value.len;
		m->n++;
	}
	return 0;
}

void tr_pa_msg_begin(struct tr_wbuf *w, uint32_t id)
{
	tr_put_u8(w, TR_PA_VERSION);
	tr_put_u24(w, 0);
	tr_put_u32(w, id);
}

int tr_pa_add(struct tr_wbuf *w, const struct tr_pa_value *v, char *err,
	      size_t errlen)
{
	size_t mark;

	if (v->flags & ~TR_NOSKIP)
		return tr_fail(err, errlen, "attribute flags 0x%02x: reserved",
			       v->flags);
	mark = tr_tlv_begin(w, v->flags, v->vendor, v->type);
	if (tr_pa_value_build(v, w, err, errlen)) {
		w->len = mark;
		return -1;
	}
	tr_tlv_end(w, mark);
	return 0;
}
