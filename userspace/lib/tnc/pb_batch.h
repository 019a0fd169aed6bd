/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PB-TNC (RFC 5793) batches: the header, the messages in order
 * (tnc/pb_msg.h), each checked, and the writer that builds one. Which
 * batch may come when is tnc/pb_state.h's.
 */
#ifndef TR_TNC_PB_BATCH_H
#define TR_TNC_PB_BATCH_H

#include "tnc/pb_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_PB_VERSION 2
#define TR_PB_BATCH_HEADER_LEN 8
/* Limits of what we accept: a peer cannot make us track more. */
#define TR_PB_MAX_MSGS 64
#define TR_PB_BATCH_MAX (16u << 20)

enum tr_pb_batch_type {
	TR_PB_CDATA = 1,
	TR_PB_SDATA = 2,
	TR_PB_RESULT = 3,
	TR_PB_CRETRY = 4,
	TR_PB_SRETRY = 5,
	TR_PB_CLOSE = 6,
};

struct tr_pb_batch {
	uint8_t type; /* enum tr_pb_batch_type */
	bool from_server; /* the D bit */
	size_t n;
	struct tr_tlv msgs[TR_PB_MAX_MSGS]; /* in order */
};

/*
 * Parse a batch. Each message type we know is checked (tr_pb_value_parse),
 * including its NOSKIP flag and that the messages only a RESULT batch may
 * carry are in one; an unknown message is kept as it is unless its NOSKIP
 * flag is set: then the batch is refused (RFC 5793 4.2). Neither the
 * direction nor the batch type is checked against a state here: that is
 * tr_pb_sm_received()'s. On -1, @refusal (if not NULL) is the PB-Error to
 * answer with (fatal), its offset that of the bad field in the batch.
 */
int tr_pb_batch_parse(const uint8_t *buf, size_t len, struct tr_pb_batch *b,
		      struct tr_pb_error *refusal, char *err, size_t errlen);

/*
 * Build a batch in @w: mark = tr_pb_batch_begin(), messages with
 * tr_pb_add() (typed) or tr_tlv_put() (as they are), tr_pb_batch_end(mark)
 * to write its length. Marks are offsets in @w, so a batch can be built
 * right inside a PT-TLS message. tr_wbuf_check() at the end.
 */
size_t tr_pb_batch_begin(struct tr_wbuf *w, uint8_t type, bool from_server);
void tr_pb_batch_end(struct tr_wbuf *w, size_t mark);

/*
 * Fill @refusal (if not NULL) with the fatal IETF PB-Error @code at
 * @offset (@bad_version for Version Not Supported) and @err with
 * "PB-TNC batch: " and the message: -1, for the refusals of batches.
 */
int tr_pb_refuse(struct tr_pb_error *refusal, uint16_t code, size_t offset,
		 uint8_t bad_version, char *err, size_t errlen, const char *fmt,
		 ...) __attribute__((format(printf, 7, 8)));

/* "CDATA" ... "CLOSE", or "unknown". */
const char *tr_pb_batch_name(uint8_t type);

#endif
