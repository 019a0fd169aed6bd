/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PT-TLS (RFC 6876) messages as bytes: the 16-byte header, the types and
 * codes, and a streaming framer over received bytes. Pure functions over
 * buffers. Documentation/tnc.md describes the layers.
 */
#ifndef TR_TNC_PT_FRAME_H
#define TR_TNC_PT_FRAME_H

#include "wire/tlv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_PT_HEADER_LEN 16
#define TR_PT_VERSION 1
/*
 * The largest message we accept unless told otherwise: a PB-TNC batch of
 * strongSwan's largest size (128 TLS records less the header) with ours.
 * No configuration goes above TR_PT_MSG_MAX_LIMIT.
 */
#define TR_PT_MSG_MAX_DEFAULT (128u * 16384u)
#define TR_PT_MSG_MAX_LIMIT (16u << 20)
/* A PT-TLS Error copies at most this much of the message it refuses. */
#define TR_PT_ERROR_COPY_MAX 1024
#define TR_PT_SASL_MECHS_MAX 16
#define TR_SASL_MECH_NAME_MAX 20

enum tr_pt_type {
	TR_PT_EXPERIMENTAL = 0,
	TR_PT_VERSION_REQUEST = 1,
	TR_PT_VERSION_RESPONSE = 2,
	TR_PT_SASL_MECHS = 3,
	TR_PT_SASL_MECH_SELECTION = 4,
	TR_PT_SASL_AUTH_DATA = 5,
	TR_PT_SASL_RESULT = 6,
	TR_PT_PB_TNC_BATCH = 7,
	TR_PT_ERROR = 8,
};
#define TR_PT_NTYPES 9 /* IETF types: 0 to TR_PT_ERROR */

enum tr_pt_error_code {
	TR_PT_ERR_MALFORMED = 1,
	TR_PT_ERR_VERSION_NOT_SUPPORTED = 2,
	TR_PT_ERR_TYPE_NOT_SUPPORTED = 3,
	TR_PT_ERR_INVALID_MESSAGE = 4,
	TR_PT_ERR_SASL_MECHANISM = 5,
	TR_PT_ERR_INVALID_PARAMETER = 6,
};

enum tr_sasl_result_code {
	TR_SASL_SUCCESS = 0,
	TR_SASL_FAILURE = 1,
	TR_SASL_ABORT = 2,
	TR_SASL_MECH_FAILURE = 3,
};

/* One message as framed; value and raw point into the received bytes. */
struct tr_pt_msg {
	uint32_t vendor; /* of the type: 0 for the IETF types above */
	uint32_t type;
	uint32_t id;
	struct tr_bytes value;
	struct tr_bytes raw; /* header and value */
};

/* The PT-TLS Error message. */
struct tr_pt_error {
	uint32_t vendor; /* of the error code */
	uint32_t code;
	struct tr_bytes original; /* the refused message, cut at 1024 */
};

enum tr_pt_frame_rc {
	TR_PT_FRAME_ERROR = -1,
	TR_PT_FRAME_MORE = 0, /* *need bytes are needed in all */
	TR_PT_FRAME_DONE = 1, /* a message: the first m->raw.len bytes */
};

/*
 * Frame the message at the start of the @have bytes received so far.
 * MORE: *@need is how many bytes the message needs in all (16 until its
 * header is there), so the I/O layer reads no more than that. DONE: @m
 * is the message, which ends at m->raw.len. ERROR: a bad header (length
 * below 16 or above @max, reserved byte set); @refusal (if not NULL) is
 * the PT-TLS Error to send before closing. @max (0: the default, and
 * never above TR_PT_MSG_MAX_LIMIT) is checked against the header alone,
 * so a peer cannot make us buffer more.
 */
int tr_pt_frame(const uint8_t *buf, size_t have, size_t max,
		struct tr_pt_msg *m, size_t *need, struct tr_pt_error *refusal,
		char *err, size_t errlen);

/* The framing limit for a configured @max: 0 is the default. */
size_t tr_pt_msg_limit(size_t max);
/* A PT-TLS Error with @code and a copy of (the start of) @raw. */
void tr_pt_error_init(struct tr_pt_error *e, uint32_t code, const uint8_t *raw,
		      size_t len);

/* "Version Request" ... "PT-TLS Error", or "0x00abcd/17". */
const char *tr_pt_type_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len);

#endif
