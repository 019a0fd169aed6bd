/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PA-TNC (RFC 5792) messages: a header and the attributes in it
 * (tnc/pa_attr.h), as PB-PA messages carry them. Pure functions over
 * buffers; a parsed message points into the caller's buffer.
 */
#ifndef TR_TNC_PA_MSG_H
#define TR_TNC_PA_MSG_H

#include "tnc/pa_attr.h"

#include <stddef.h>
#include <stdint.h>

#define TR_PA_VERSION 1
/* Limits of what we accept: a peer cannot make us track more. */
#define TR_PA_MAX_ATTRS 256
#define TR_PA_MSG_MAX (16u << 20)

struct tr_pa_msg {
	uint32_t id;
	size_t n;
	struct tr_tlv attrs[TR_PA_MAX_ATTRS]; /* in order */
};

/*
 * Parse a PA-TNC message. Every attribute is listed in order; the value of
 * each attribute type we know is checked as well (tr_pa_value_parse), one
 * we do not know is kept as it is unless its NOSKIP flag is set: then, as
 * RFC 5792 demands, the whole message is refused. On -1, @refusal (if not
 * NULL) holds the PA-TNC Error attribute to answer with: Version Not
 * Supported, Attribute Type Not Supported, or Invalid Parameter with the
 * offset of the bad field in the message.
 */
int tr_pa_msg_parse(const uint8_t *buf, size_t len, struct tr_pa_msg *m,
		    struct tr_pa_error *refusal, char *err, size_t errlen);

/*
 * Build a message in @w: tr_pa_msg_begin(), then each attribute with
 * tr_pa_add() (a typed value), tr_tlv_put() (as it is), or tr_tlv_begin(),
 * its value, tr_tlv_end(). Nothing ends a message (its header holds no
 * length). tr_wbuf_check() at the end.
 */
void tr_pa_msg_begin(struct tr_wbuf *w, uint32_t id);

/*
 * The PA-TNC Error to answer a refused message with: a copy of the first
 * 8 bytes of @msg (zeros where it was shorter) and the given code.
 */
void tr_pa_error_init(struct tr_pa_error *e, uint32_t code, const uint8_t *msg,
		      size_t len);

#endif
