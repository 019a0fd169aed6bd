/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PT-TLS (RFC 6876): the messages the router and the NMS exchange inside
 * TLS, a streaming framer over received bytes, SASL PLAIN (RFC 4616), and
 * a session state machine for either end. Pure functions over buffers:
 * the I/O layer reads bytes, frames them with tr_pt_frame(), hands each
 * message to tr_pt_recv() and writes what the session put in its output
 * buffer. Documentation/tnc.md describes the layers and strongSwan's ways.
 */
#ifndef TR_PT_TLS_H
#define TR_PT_TLS_H

#include "tnc/pa_attr.h"
#include "tnc/pb_msg.h"

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
#define TR_SASL_PLAIN_FIELD_MAX 255

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

/* "Version Request" ... "PT-TLS Error", or "0x00abcd/17". */
const char *tr_pt_type_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len);

/* --- message values ------------------------------------------------------ */

struct tr_pt_version_request {
	uint8_t min, max, pref;
};

/* SASL mechanism names: 1 to 20 of A-Z 0-9 - _ (RFC 4422). */
struct tr_pt_sasl_mechs {
	size_t n; /* 0: authentication is over */
	struct tr_bytes names[TR_PT_SASL_MECHS_MAX];
};

struct tr_pt_sasl_selection {
	struct tr_bytes name;
	struct tr_bytes data; /* the initial response, may be empty */
};

/*
 * SASL Result. RFC 6876 gives the result code two bytes; strongSwan 6.0.6
 * sends and reads one (libpttls write_uint8/read_uint8). We read both: a
 * one-byte value is strongSwan's code, two or more bytes the RFC's code
 * and result data. We send strongSwan's byte (wide false): its client
 * takes the first byte as the code, so the RFC's 00 01 (failure) would
 * read as 00, success. A one-byte code carries no data, or a reader could
 * not tell the two forms apart.
 */
struct tr_pt_sasl_result {
	uint16_t code; /* enum tr_sasl_result_code */
	bool wide; /* the RFC's two-byte code */
	struct tr_bytes data;
};

/* A typed message: type says which member holds the value. */
struct tr_pt_value {
	uint32_t type; /* IETF: vendor 0 */
	union {
		struct tr_pt_version_request version_request;
		uint8_t version; /* Version Response */
		struct tr_pt_sasl_mechs mechs;
		struct tr_pt_sasl_selection selection;
		struct tr_bytes auth_data;
		struct tr_pt_sasl_result result;
		struct tr_bytes batch; /* a PB-TNC batch */
		struct tr_pt_error error;
		struct tr_bytes experimental;
	} u;
};

/* -1 for a vendor's type or a bad value; *@bad: offset in the value. */
int tr_pt_value_parse(const struct tr_pt_msg *m, struct tr_pt_value *v,
		      size_t *bad, char *err, size_t errlen);
/* A whole message: header (vendor 0, type, length, @id) and value. */
int tr_pt_add(struct tr_wbuf *w, uint32_t id, const struct tr_pt_value *v,
	      char *err, size_t errlen);
/* A message of any vendor and type with @value as it is. */
void tr_pt_add_raw(struct tr_wbuf *w, uint32_t vendor, uint32_t type,
		   uint32_t id, const uint8_t *value, size_t len);

/*
 * SASL PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, each at most
 * 255 bytes of UTF-8, authcid and passwd not empty.
 */
struct tr_sasl_plain {
	struct tr_bytes authzid, authcid, passwd;
};

int tr_sasl_plain_parse(const uint8_t *p, size_t len, struct tr_sasl_plain *s,
			char *err, size_t errlen);
int tr_sasl_plain_build(const struct tr_sasl_plain *s, struct tr_wbuf *w,
			char *err, size_t errlen);

/* --- the session ------------------------------------------------------------
 *
 * Client (the router): Version Request; the server's Version Response;
 * its SASL Mechanisms: empty, and the data transport phase begins, or
 * with PLAIN, and we select PLAIN with our credentials as the initial
 * response; its SASL Result; then (strongSwan) an empty SASL Mechanisms
 * before the data transport phase. Server (the NMS): answers the Version
 * Request, offers PLAIN when it asks for SASL (else an empty list), hands
 * the credentials to the caller (TR_PT_EV_SASL_PLAIN), sends the result
 * the caller decides (tr_pt_sasl_verdict) and, on success, the empty SASL
 * Mechanisms strongSwan's client waits for. In data transport, PB-TNC
 * batches go both ways; messages of other vendors are ignored.
 */

enum tr_pt_role {
	TR_PT_CLIENT,
	TR_PT_SERVER,
};

enum tr_pt_phase {
	TR_PT_PH_VERSION, /* negotiating the version */
	TR_PT_PH_SASL, /* authenticating */
	TR_PT_PH_DATA, /* data transport: PB-TNC batches */
	TR_PT_PH_FAILED, /* send what the last call wrote, then close */
};

struct tr_pt_config {
	enum tr_pt_role role;
	size_t max_msg; /* framing limit; 0: TR_PT_MSG_MAX_DEFAULT */
	/* client: PLAIN credentials, if the server asks for SASL */
	struct tr_bytes sasl_authcid, sasl_passwd;
	/* server: ask for SASL PLAIN (not when a TLS client certificate
	 * authenticated the peer) */
	bool sasl_required;
	/* server: send the RFC's two-byte SASL Result (strongSwan: no) */
	bool sasl_result_wide;
};

enum tr_pt_step {
	TR_PT_S_START,
	TR_PT_S_VERSION, /* client: waiting for the Version Response */
	TR_PT_S_MECHS, /* client: waiting for SASL Mechanisms */
	TR_PT_S_RESULT, /* client: waiting for the SASL Result */
	TR_PT_S_SELECTION, /* server: waiting for the Mechanism Selection */
	TR_PT_S_AUTH_DATA, /* server: waiting for the PLAIN response */
	TR_PT_S_VERDICT, /* server: waiting for tr_pt_sasl_verdict() */
	TR_PT_S_NONE,
};

struct tr_pt_session {
	struct tr_pt_config cfg;
	enum tr_pt_phase phase;
	enum tr_pt_step step;
	uint32_t next_id; /* of the next message we send */
};

enum tr_pt_event_type {
	TR_PT_EV_NONE,
	TR_PT_EV_DATA, /* the data transport phase begins */
	TR_PT_EV_SASL_PLAIN, /* server: check plain, then tr_pt_sasl_verdict */
	TR_PT_EV_BATCH, /* a PB-TNC batch: batch */
	TR_PT_EV_IGNORED, /* a message of another vendor */
};

struct tr_pt_event {
	enum tr_pt_event_type type;
	struct tr_sasl_plain plain; /* views into the received message */
	struct tr_bytes batch; /* view into the received message */
};

/*
 * Each call writes what to send into @out (nothing, or whole messages);
 * TR_PT_OUT_MIN bytes hold what any call but tr_pt_send_batch() writes.
 * Check @out with tr_wbuf_check() and send it. On -1 the phase is
 * TR_PT_PH_FAILED and @err says why: send what @out holds (a PT-TLS
 * Error or a SASL Result Abort, when there is one), then close.
 */
#define TR_PT_OUT_MIN 2048
int tr_pt_start(struct tr_pt_session *s, const struct tr_pt_config *c,
		struct tr_wbuf *out, char *err, size_t errlen);
int tr_pt_recv(struct tr_pt_session *s, const struct tr_pt_msg *m,
	       struct tr_wbuf *out, struct tr_pt_event *ev, char *err,
	       size_t errlen);
/* Server: the credentials of TR_PT_EV_SASL_PLAIN are good or not. */
int tr_pt_sasl_verdict(struct tr_pt_session *s, bool ok, struct tr_wbuf *out,
		       char *err, size_t errlen);
/* Data transport: a PB-TNC batch in a PT-TLS message. */
int tr_pt_send_batch(struct tr_pt_session *s, const uint8_t *batch, size_t len,
		     struct tr_wbuf *out, char *err, size_t errlen);
/*
 * Send PB-TNC batch @b, of @type, in @role's connection of @pb: the
 * stream records it (-1 if it may not be sent now), and it is wrapped in
 * a PT-TLS message, in *@out (malloc'ed, *@len bytes; free() it).
 */
int tr_pt_pb_batch(struct tr_pt_session *s, struct tr_pb_stream *pb,
		   enum tr_pb_role role, uint8_t type, const struct tr_wbuf *b,
		   uint8_t **out, size_t *len, char *err, size_t errlen);
/* The framing limit of the session. */
size_t tr_pt_max_msg(const struct tr_pt_session *s);

#endif
