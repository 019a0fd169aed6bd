/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One PT-TLS stream: one PB-TNC connection, or two in mutual mode.
 */
#ifndef TR_TNC_PB_STREAM_H
#define TR_TNC_PB_STREAM_H

#include "tnc/pb_state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
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
