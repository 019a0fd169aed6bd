// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pb_batch.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

const char *tr_pb_batch_name(uint8_t type)
{
	static const char *const names[] = { "unknown", "CDATA",  "SDATA",
					     "RESULT",	"CRETRY", "SRETRY",
					     "CLOSE" };

	return type <= TR_PB_CLOSE ? names[type] : names[0];
}

/* --- batches ------------------------------------------------------------------ */

int tr_pb_refuse(struct tr_pb_error *refusal, uint16_t code, size_t offset,
		 uint8_t bad_version, char *err, size_t errlen, const char *fmt,
		 ...)
{
	va_list ap;

	if (refusal) {
		memset(refusal, 0, sizeof(*refusal));
		refusal->fatal = true;
		refusal->vendor = TR_PEN_IETF;
		refusal->code = code;
		refusal->offset = (uint32_t)offset;
		refusal->bad_version = bad_version;
		refusal->max_version = refusal->min_version = TR_PB_VERSION;
	}
	va_start(ap, fmt);
	tr_vfail_prefixed(err, errlen, "PB-TNC batch: ", fmt, ap);
	va_end(ap);
	return -1;
}

static int batch_header(const uint8_t *buf, size_t len, struct tr_pb_batch *b,
			struct tr_pb_error *refusal, char *err, size_t errlen)
{
	uint32_t blen;

	if (len < TR_PB_BATCH_HEADER_LEN)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 0, 0,
				    err, errlen,
				    "%zu bytes, shorter than its 8-byte header",
				    len);
	if (buf[0] != TR_PB_VERSION)
		return tr_pb_refuse(refusal, TR_PB_ERR_VERSION_NOT_SUPPORTED, 0,
				    buf[0], err, errlen, "version %u, not %u",
				    buf[0], TR_PB_VERSION);
	if (buf[1] & 0x7f || buf[2] || buf[3] & 0xf0)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER,
				    buf[1] & 0x7f ? 1 :
				    buf[2]	  ? 2 :
						    3,
				    0, err, errlen, "reserved header bits set");
	b->from_server = buf[1] & 0x80;
	b->type = buf[3];
	if (b->type < TR_PB_CDATA || b->type > TR_PB_CLOSE)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 3, 0,
				    err, errlen, "batch type %u, not 1 to 6",
				    b->type);
	blen = tr_be32(buf + 4);
	if (blen != len)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 4, 0,
				    err, errlen,
				    "batch length %u, but %zu bytes came", blen,
				    len);
	return 0;
}

/* A message of a type we know: its flag, its batch, its value. */
static int check_known(const struct tr_tlv *m, uint8_t batch_type,
		       struct tr_pb_error *refusal, char *err, size_t errlen)
{
	struct tr_pb_value v;
	char why[200], name[48];
	size_t bad = 0;

	tr_pb_msg_name(m->vendor, m->type, name, sizeof(name));
	if (m->vendor == TR_PEN_IETF && m->type == TR_PB_EXPERIMENTAL &&
	    m->flags & TR_NOSKIP)
		return tr_pb_refuse(refusal,
				    TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG,
				    m->offset, 0, err, errlen,
				    "message at offset %zu: %s with NOSKIP",
				    m->offset, name);
	if (m->flags != tr_pb_noskip(m->vendor, m->type))
		return tr_pb_refuse(
			refusal, TR_PB_ERR_INVALID_PARAMETER, m->offset, 0, err,
			errlen,
			"message at offset %zu: %s must%s have NOSKIP set",
			m->offset, name, m->flags ? " not" : "");
	if (tr_pb_result_only(m->vendor, m->type) && batch_type != TR_PB_RESULT)
		return tr_pb_refuse(
			refusal, TR_PB_ERR_INVALID_PARAMETER, m->offset, 0, err,
			errlen,
			"message at offset %zu: %s outside a RESULT batch",
			m->offset, name);
	if (tr_pb_value_parse(m, &v, &bad, why, sizeof(why)))
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER,
				    m->offset + TR_TLV_HEADER_LEN + bad, 0, err,
				    errlen, "message at offset %zu: %s",
				    m->offset, why);
	return 0;
}

int tr_pb_batch_parse(const uint8_t *buf, size_t len, struct tr_pb_batch *b,
		      struct tr_pb_error *refusal, char *err, size_t errlen)
{
	size_t off = TR_PB_BATCH_HEADER_LEN;

	memset(b, 0, offsetof(struct tr_pb_batch, msgs));
	if (len > TR_PB_BATCH_MAX)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 4, 0,
				    err, errlen, "%zu bytes, more than %u", len,
				    TR_PB_BATCH_MAX);
	if (batch_header(buf, len, b, refusal, err, errlen))
		return -1;
	while (off < len) {
		struct tr_tlv *m = &b->msgs[b->n];
		char why[160], name[48];
		size_t bad = 0;

		if (b->n == TR_PB_MAX_MSGS)
			return tr_pb_refuse(
				refusal, TR_PB_ERR_INVALID_PARAMETER, off, 0,
				err, errlen,
				"message at offset %zu: more than %d "
				"messages",
				off, TR_PB_MAX_MSGS);
		if (tr_tlv_read(buf, len, off, m, &bad, why, sizeof(why)))
			return tr_pb_refuse(refusal,
					    TR_PB_ERR_INVALID_PARAMETER, bad, 0,
					    err, errlen,
					    "message at offset %zu: %s", off,
					    why);
		if (tr_pb_known(m->vendor, m->type)) {
			if (check_known(m, b->type, refusal, err, errlen))
				return -1;
		} else if (m->flags & TR_NOSKIP) {
			/* RFC 5793 4.2: none of the batch is processed */
			return tr_pb_refuse(
				refusal, TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG,
				off, 0, err, errlen,
				"message at offset %zu: type %s unknown, "
				"with NOSKIP",
				off,
				tr_pb_msg_name(m->vendor, m->type, name,
					       sizeof(name)));
		}
		off += TR_TLV_HEADER_LEN + m->value.len;
		b->n++;
	}
	return 0;
}

size_t tr_pb_batch_begin(struct tr_wbuf *w, uint8_t type, bool from_server)
{
	size_t mark = w->len;

	tr_put_u8(w, TR_PB_VERSION);
	tr_put_u8(w, from_server ? 0x80 : 0);
	tr_put_u8(w, 0);
	tr_put_u8(w, type);
	tr_put_u32(w, 0); /* length, patched by tr_pb_batch_end() */
	return mark;
}

void tr_pb_batch_end(struct tr_wbuf *w, size_t mark)
{
	tr_patch_u32(w, mark + 4, (uint32_t)(w->len - mark));
}
