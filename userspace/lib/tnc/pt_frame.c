// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pt_frame.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	"Experimental",
	"Version Request",
	"Version Response",
	"SASL Mechanisms",
	"SASL Mechanism Selection",
	"SASL Authentication Data",
	"SASL Result",
	"PB-TNC Batch",
	"PT-TLS Error",
};

_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == TR_PT_NTYPES,
	       "a name for each IETF type");

const char *tr_pt_type_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len)
{
	if (vendor == TR_PEN_IETF && type < TR_PT_NTYPES)
		snprintf(buf, len, "%s", type_names[type]);
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

size_t tr_pt_msg_limit(size_t max)
{
	if (!max)
		return TR_PT_MSG_MAX_DEFAULT;
	return max < TR_PT_MSG_MAX_LIMIT ? max : TR_PT_MSG_MAX_LIMIT;
}

void tr_pt_error_init(struct tr_pt_error *e, uint32_t code, const uint8_t *raw,
		      size_t len)
{
	e->vendor = TR_PEN_IETF;
	e->code = code;
	e->original.p = raw;
	e->original.len = len < TR_PT_ERROR_COPY_MAX ? len :
						       TR_PT_ERROR_COPY_MAX;
}

int tr_pt_frame(const uint8_t *buf, size_t have, size_t max,
		struct tr_pt_msg *m, size_t *need, struct tr_pt_error *refusal,
		char *err, size_t errlen)
{
	uint32_t len, code = TR_PT_ERR_MALFORMED;

	max = tr_pt_msg_limit(max);
	*need = TR_PT_HEADER_LEN;
	if (have < TR_PT_HEADER_LEN)
		return TR_PT_FRAME_MORE;
	len = tr_be32(buf + 8);
	if (buf[0]) {
		tr_fail(err, errlen, "PT-TLS message: reserved byte 0x%02x",
			buf[0]);
	} else if (len < TR_PT_HEADER_LEN) {
		tr_fail(err, errlen,
			"PT-TLS message: length %u, shorter than its "
			"16-byte header",
			len);
	} else if (len > max) {
		/* a peer must not make us buffer more than we said */
		code = TR_PT_ERR_INVALID_PARAMETER;
		tr_fail(err, errlen,
			"PT-TLS message: length %u, more than the %zu we take",
			len, max);
	} else {
		*need = len;
		if (have < len)
			return TR_PT_FRAME_MORE;
		m->vendor = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 |
			    buf[3];
		m->type = tr_be32(buf + 4);
		m->id = tr_be32(buf + 12);
		m->raw.p = buf;
		m->raw.len = len;
		m->value.p = buf + TR_PT_HEADER_LEN;
		m->value.len = len - TR_PT_HEADER_LEN;
		return TR_PT_FRAME_DONE;
	}
	if (refusal)
		tr_pt_error_init(refusal, code, buf, TR_PT_HEADER_LEN);
	return TR_PT_FRAME_ERROR;
}
