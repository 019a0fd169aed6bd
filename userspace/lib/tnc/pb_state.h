/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PB-TNC state machine (RFC 5793 3.2): which batch each side of one
 * connection may send when.
 */
#ifndef TR_TNC_PB_STATE_H
#define TR_TNC_PB_STATE_H

#include "tnc/pb_batch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
