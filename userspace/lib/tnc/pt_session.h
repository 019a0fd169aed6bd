/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PT-TLS (RFC 6876) session, for either end, as a state machine over
 * framed messages: the I/O layer reads bytes, frames them with
 * tr_pt_frame(), hands each message to tr_pt_recv() and writes what the
 * session put in its output buffer. Documentation/tnc.md describes the
 * layers and strongSwan's ways.
 */
#ifndef TR_TNC_PT_SESSION_H
#define TR_TNC_PT_SESSION_H

#include "tnc/pb_stream.h"
#include "tnc/pt_msg.h"
#include "tnc/pt_sasl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
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
