/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PB-TNC (RFC 5793): batches of messages between the TNC client (the
 * router) and the TNC server (the NMS), the state machine that says which
 * batch each side may send when, and strongSwan's mutual mode, in which
 * both sides also play the other role on the same PT-TLS stream. Pure
 * functions over buffers; parsed batches point into the caller's buffer.
 * Documentation/tnc.md describes the layers and the mutual mode.
 */
#ifndef TR_PB_TNC_H
#define TR_PB_TNC_H

#include "tnc/pa_attr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_PB_VERSION 2
#define TR_PB_BATCH_HEADER_LEN 8
/* Limits of what we accept: a peer cannot make us track more. */
#define TR_PB_MAX_MSGS 64
#define TR_PB_BATCH_MAX (16u << 20)
#define TR_PB_LANG_MAX 255 /* the language ranges of Accept-Language */

enum tr_pb_batch_type {
	TR_PB_CDATA = 1,
	TR_PB_SDATA = 2,
	TR_PB_RESULT = 3,
	TR_PB_CRETRY = 4,
	TR_PB_SRETRY = 5,
	TR_PB_CLOSE = 6,
};

enum tr_pb_msg_type {
	TR_PB_EXPERIMENTAL = 0,
	TR_PB_PA = 1,
	TR_PB_ASSESSMENT_RESULT = 2,
	TR_PB_ACCESS_RECOMMENDATION = 3,
	TR_PB_REMEDIATION_PARAMETERS = 4,
	TR_PB_ERROR = 5,
	TR_PB_LANGUAGE_PREFERENCE = 6,
	TR_PB_REASON_STRING = 7,
};
/*
 * strongSwan's PB-Mutual-Capability (vendor TR_PEN_ITA): a 32-bit set of
 * the mutual protocols the sender speaks; half duplex is the one in use.
 */
#define TR_PB_ITA_MUTUAL_CAPABILITY 1
#define TR_PB_MUTUAL_HALF_DUPLEX 0x80000000u
#define TR_PB_MUTUAL_FULL_DUPLEX 0x40000000u

enum tr_pb_access {
	TR_PB_ACCESS_ALLOWED = 1,
	TR_PB_ACCESS_DENIED = 2,
	TR_PB_ACCESS_QUARANTINED = 3,
};

enum tr_pb_error_code {
	TR_PB_ERR_UNEXPECTED_BATCH_TYPE = 0,
	TR_PB_ERR_INVALID_PARAMETER = 1,
	TR_PB_ERR_LOCAL = 2,
	TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG = 3,
	TR_PB_ERR_VERSION_NOT_SUPPORTED = 4,
};

struct tr_pb_batch {
	uint8_t type; /* enum tr_pb_batch_type */
	bool from_server; /* the D bit */
	size_t n;
	struct tr_tlv msgs[TR_PB_MAX_MSGS]; /* in order */
};

/* The PB-Error message (RFC 5793 4.9). */
struct tr_pb_error {
	bool fatal;
	uint32_t vendor; /* of the error code */
	uint16_t code;
	/* IETF codes: */
	uint32_t offset; /* all but VERSION_NOT_SUPPORTED (0 if none) */
	uint8_t bad_version, max_version, min_version;
	/* any other vendor or code: the Error Parameters as they are */
	struct tr_bytes params;
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

/* PB-PA: a PA-TNC message for the IMCs or IMVs of a PA subtype. */
#define TR_PB_PA_EXCLUSIVE 0x80
#define TR_PB_PA_ANY_ID 0xffff /* collector or validator: not one */

struct tr_pb_pa {
	bool exclusive;
	uint32_t vendor; /* of the PA subtype */
	uint32_t subtype;
	uint16_t collector, validator;
	struct tr_bytes body; /* the PA-TNC message */
};

struct tr_pb_reason {
	struct tr_bytes reason; /* UTF-8 */
	struct tr_bytes lang; /* its language tag */
};

/* A typed message: vendor and type say which member holds the value. */
struct tr_pb_value {
	uint32_t vendor, type;
	union {
		struct tr_pb_pa pa;
		uint32_t assessment; /* enum tr_pa_assessment */
		uint16_t access; /* enum tr_pb_access */
		struct tr_remediation remediation;
		struct tr_pb_error error;
		/* "Accept-Language: " and this, as strongSwan sends it */
		struct tr_bytes language;
		struct tr_pb_reason reason;
		uint32_t mutual; /* TR_PB_MUTUAL_* bits */
		struct tr_bytes experimental;
	} u;
};

bool tr_pb_known(uint32_t vendor, uint32_t type);

/* A PB-PA message carrying the PA-TNC message built in @pa. */
int tr_pb_add_pa(struct tr_wbuf *w, uint32_t vendor, uint32_t subtype,
		 uint16_t collector, uint16_t validator,
		 const struct tr_wbuf *pa);
/* The NOSKIP flag a known message must (0x80) or must not (0) carry. */
uint8_t tr_pb_noskip(uint32_t vendor, uint32_t type);
/* "IETF/PB-PA", "ITA-HSR/PB-Mutual-Capability", or "0x00abcd/17". */
const char *tr_pb_msg_name(uint32_t vendor, uint32_t type, char *buf,
			   size_t len);
/* "CDATA" ... "CLOSE", or "unknown". */
const char *tr_pb_batch_name(uint8_t type);

/* -1 for a type we do not know or a bad value; *@bad: its offset. */
int tr_pb_value_parse(const struct tr_tlv *m, struct tr_pb_value *v,
		      size_t *bad, char *err, size_t errlen);
int tr_pb_value_build(const struct tr_pb_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen);
/* A whole message, with the NOSKIP flag its type asks for. */
int tr_pb_add(struct tr_wbuf *w, const struct tr_pb_value *v, char *err,
	      size_t errlen);

/* --- the state machine (RFC 5793 3.2) ------------------------------------ */

enum tr_pb_role {
	TR_PB_CLIENT, /* TNC client: IMCs, measured */
	TR_PB_SERVER, /* TNC server: IMVs, assessing */
};

enum tr_pb_state {
	TR_PB_INIT,
	TR_PB_SERVER_WORKING,
	TR_PB_CLIENT_WORKING,
	TR_PB_DECIDED,
	TR_PB_END,
};

/* One PB-TNC connection as one side plays it. */
struct tr_pb_sm {
	enum tr_pb_role role;
	enum tr_pb_state state;
};

void tr_pb_sm_init(struct tr_pb_sm *sm, enum tr_pb_role role);
const char *tr_pb_state_name(enum tr_pb_state s);
/* Whether this side may send a batch of @type now. */
bool tr_pb_sm_may_send(const struct tr_pb_sm *sm, uint8_t type);
/* Whether it is this side's turn: the peer waits for its batch. */
bool tr_pb_sm_our_turn(const struct tr_pb_sm *sm);
/* We sent a batch of @type: -1 if we may not. */
int tr_pb_sm_sent(struct tr_pb_sm *sm, uint8_t type, char *err, size_t errlen);
/*
 * We received batch @b: -1 if its direction is wrong (Invalid Parameter at
 * offset 1) or its type not allowed now (Unexpected Batch Type); @refusal
 * is then the fatal PB-Error to answer with.
 */
int tr_pb_sm_received(struct tr_pb_sm *sm, const struct tr_pb_batch *b,
		      struct tr_pb_error *refusal, char *err, size_t errlen);

/* --- one PT-TLS stream: one connection, or two in mutual mode ------------
 *
 * strongSwan's mutual mode (tnccs-20 mutual = yes): the PT-TLS client sends
 * PB-Mutual-Capability (half duplex) in its first CDATA; a server that
 * also speaks it answers with one in its next batch. From then on each
 * side plays both roles on the one stream, in two PB-TNC connections: the
 * first, in which the PT-TLS client is the TNC client, and the reverse
 * one. The D bit of a batch says which connection it belongs to (from a
 * TNC server: to our client-role connection). Batches still alternate,
 * one side then the other (half duplex). The PT-TLS client starts the
 * reverse connection with an SDATA batch once the first is decided (or
 * while it is still going, interleaving them), answers in the reverse
 * connection while the first is decided, and ends with CLOSE in the first
 * one once the reverse has ended. The PT-TLS server answers each batch in
 * the connection it came in, and is done when both have ended.
 */
struct tr_pb_stream {
	enum tr_pb_role role; /* ours in the first connection */
	bool offer_mutual; /* we send or answer PB-Mutual-Capability */
	bool mutual; /* both sides did */
	bool sent_capability;
	bool has[2]; /* conn[r] began: conn[r] is where we play role r */
	struct tr_pb_sm conn[2];
	bool await; /* the peer's turn */
	bool again; /* ours again in the same connection (after SRETRY) */
	enum tr_pb_role last; /* the connection of the last batch */
};

void tr_pb_stream_init(struct tr_pb_stream *s, enum tr_pb_role role,
		       bool offer_mutual);
/*
 * A batch arrived: checks it against the state of the connection its D
 * bit names (outside mutual mode there is one: the D bit must match) and
 * moves it on; notes a PB-Mutual-Capability. *@role is set to our role in
 * that connection (which of our IMCs or IMVs get its messages). -1 with
 * the PB-Error to answer with in @refusal: send it in a CLOSE batch in
 * *@role's connection (tr_pb_stream_sent allows CLOSE in every state).
 */
int tr_pb_stream_received(struct tr_pb_stream *s, const struct tr_pb_batch *b,
			  enum tr_pb_role *role, struct tr_pb_error *refusal,
			  char *err, size_t errlen);
/*
 * Whose turn: 1 with *@role set to the connection (our role in it) in
 * which we send the next batch; 0 when it is the peer's turn; -1 when all
 * connections have ended (nothing more to send: close the stream).
 */
int tr_pb_stream_next(const struct tr_pb_stream *s, enum tr_pb_role *role);
/*
 * Whether the next batch we send in @role's connection must carry a
 * PB-Mutual-Capability (the first batch of the PT-TLS client, or the
 * server's answer to one).
 */
bool tr_pb_stream_capability_due(const struct tr_pb_stream *s,
				 enum tr_pb_role role);
/* We sent a batch of @type in @role's connection: -1 if we may not. */
int tr_pb_stream_sent(struct tr_pb_stream *s, enum tr_pb_role role,
		      uint8_t type, char *err, size_t errlen);

#endif
