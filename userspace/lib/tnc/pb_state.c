// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pb_state.h"
#include "base/errmsg.h"

void tr_pb_sm_init(struct tr_pb_sm *sm, enum tr_pb_role role)
{
	sm->role = role;
	sm->state = TR_PB_INIT;
}

const char *tr_pb_state_name(enum tr_pb_state s)
{
	static const char *const names[] = { "Init", "Server Working",
					     "Client Working", "Decided",
					     "End" };

	return s <= TR_PB_END ? names[s] : "unknown";
}

/*
 * The state after a batch of @type from @sender in @s (RFC 5793 3.2), or
 * -1 if that batch is not allowed there. CLOSE is allowed in every state.
 */
static int next_state(enum tr_pb_state s, enum tr_pb_role sender, uint8_t type)
{
	bool server = sender == TR_PB_SERVER;

	if (type == TR_PB_CLOSE)
		return TR_PB_END;
	switch (s) {
	case TR_PB_INIT:
		if (!server && type == TR_PB_CDATA)
			return TR_PB_SERVER_WORKING;
		/* the server opens the reverse connection in mutual mode */
		if (server && type == TR_PB_SDATA)
			return TR_PB_CLIENT_WORKING;
		return -1;
	case TR_PB_SERVER_WORKING:
		if (server && (type == TR_PB_SDATA || type == TR_PB_SRETRY))
			return TR_PB_CLIENT_WORKING;
		if (server && type == TR_PB_RESULT)
			return TR_PB_DECIDED;
		/* the client may ask for a retry while the server works */
		if (!server && type == TR_PB_CRETRY)
			return TR_PB_SERVER_WORKING;
		return -1;
	case TR_PB_CLIENT_WORKING:
		if (!server && (type == TR_PB_CDATA || type == TR_PB_CRETRY))
			return TR_PB_SERVER_WORKING;
		if (server && type == TR_PB_SRETRY)
			return TR_PB_CLIENT_WORKING;
		return -1;
	case TR_PB_DECIDED:
		if ((server && type == TR_PB_SRETRY) ||
		    (!server && type == TR_PB_CRETRY))
			return TR_PB_SERVER_WORKING;
		return -1;
	default:
		return -1;
	}
}

bool tr_pb_sm_may_send(const struct tr_pb_sm *sm, uint8_t type)
{
	return next_state(sm->state, sm->role, type) >= 0;
}

bool tr_pb_sm_our_turn(const struct tr_pb_sm *sm)
{
	if (sm->role == TR_PB_SERVER)
		return sm->state == TR_PB_SERVER_WORKING;
	return sm->state == TR_PB_INIT || sm->state == TR_PB_CLIENT_WORKING ||
	       sm->state == TR_PB_DECIDED;
}

int tr_pb_sm_sent(struct tr_pb_sm *sm, uint8_t type, char *err, size_t errlen)
{
	int next = next_state(sm->state, sm->role, type);

	if (next < 0)
		return tr_fail(err, errlen, "PB-TNC %s may not send %s in %s",
			       sm->role == TR_PB_SERVER ? "server" : "client",
			       tr_pb_batch_name(type),
			       tr_pb_state_name(sm->state));
	sm->state = (enum tr_pb_state)next;
	return 0;
}

int tr_pb_sm_received(struct tr_pb_sm *sm, const struct tr_pb_batch *b,
		      struct tr_pb_error *refusal, char *err, size_t errlen)
{
	enum tr_pb_role sender = b->from_server ? TR_PB_SERVER : TR_PB_CLIENT;
	int next;

	if (sender == sm->role)
		return tr_pb_refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 1, 0,
				    err, errlen,
				    "%s from a PB-TNC %s, which we are",
				    tr_pb_batch_name(b->type),
				    b->from_server ? "server" : "client");
	next = next_state(sm->state, sender, b->type);
	if (next < 0)
		return tr_pb_refuse(refusal, TR_PB_ERR_UNEXPECTED_BATCH_TYPE, 0,
				    0, err, errlen,
				    "%s from the %s not allowed in %s",
				    tr_pb_batch_name(b->type),
				    b->from_server ? "server" : "client",
				    tr_pb_state_name(sm->state));
	sm->state = (enum tr_pb_state)next;
	return 0;
}

/* --- one stream, one or two connections ------------------------------------- */
