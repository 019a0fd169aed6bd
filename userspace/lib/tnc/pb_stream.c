// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pb_stream.h"
#include "base/errmsg.h"

#include <string.h>

#define OTHER(r) ((r) == TR_PB_CLIENT ? TR_PB_SERVER : TR_PB_CLIENT)

void tr_pb_stream_init(struct tr_pb_stream *s, enum tr_pb_role role,
		       bool offer_mutual)
{
	memset(s, 0, sizeof(*s));
	s->role = role;
	s->offer_mutual = offer_mutual;
	s->has[role] = true;
	tr_pb_sm_init(&s->conn[role], role);
	tr_pb_sm_init(&s->conn[OTHER(role)], OTHER(role));
	/* the TNC client speaks first */
	s->await = role == TR_PB_SERVER;
	s->last = role;
}

static bool has_capability(const struct tr_pb_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tr_tlv *m = &b->msgs[i];

		/* the value was checked by tr_pb_batch_parse() */
		if (m->vendor == TR_PEN_ITA &&
		    m->type == TR_PB_ITA_MUTUAL_CAPABILITY &&
		    m->value.len == 4 && m->value.p[0] & 0x80)
			return true;
	}
	return false;
}

int tr_pb_stream_received(struct tr_pb_stream *s, const struct tr_pb_batch *b,
			  enum tr_pb_role *role, struct tr_pb_error *refusal,
			  char *err, size_t errlen)
{
	/* from a TNC server: for the connection where we are the client */
	enum tr_pb_role r = b->from_server ? TR_PB_CLIENT : TR_PB_SERVER;

	if (!s->mutual)
		r = s->role; /* tr_pb_sm_received() refuses a wrong D bit */
	*role = r; /* where to send a CLOSE with the PB-Error on refusal */
	if (!s->has[r]) {
		/* only the PT-TLS client opens the reverse connection */
		*role = s->role;
		if (s->role == TR_PB_CLIENT)
			return tr_pb_refuse(
				refusal, TR_PB_ERR_UNEXPECTED_BATCH_TYPE, 0, 0,
				err, errlen,
				"%s in the reverse connection, which we "
				"open",
				tr_pb_batch_name(b->type));
		*role = r;
		s->has[r] = true;
	}
	if (tr_pb_sm_received(&s->conn[r], b, refusal, err, errlen))
		return -1;
	if (r == s->role && s->offer_mutual && has_capability(b) &&
	    (s->role == TR_PB_SERVER || s->sent_capability))
		s->mutual = true;
	s->await = false;
	s->again = false;
	s->last = r;
	return 0;
}

/* Whether we owe a batch in @r's connection. */
static bool owes(const struct tr_pb_stream *s, enum tr_pb_role r)
{
	if (!s->has[r])
		/* the reverse one, which the PT-TLS client opens */
		return s->mutual && s->role == TR_PB_CLIENT && r != s->role &&
		       s->conn[s->role].state != TR_PB_END;
	return tr_pb_sm_our_turn(&s->conn[r]);
}

int tr_pb_stream_next(const struct tr_pb_stream *s, enum tr_pb_role *role)
{
	enum tr_pb_role x = s->last, o = OTHER(x);
	const struct tr_pb_sm *first = &s->conn[s->role];

	if ((!s->has[0] || s->conn[0].state == TR_PB_END) &&
	    (!s->has[1] || s->conn[1].state == TR_PB_END) && !owes(s, o) &&
	    !owes(s, x))
		return -1;
	if (s->await)
		return 0;
	if (s->again) {
		*role = x;
		return 1;
	}
	/*
	 * In mutual mode the PT-TLS client switches to the other connection
	 * while the first is not decided (strongSwan interleaves them), and
	 * to open the reverse one after a batch in the first.
	 */
	if (s->mutual && s->role == TR_PB_CLIENT && owes(s, o) &&
	    (x == s->role || first->state != TR_PB_DECIDED))
		*role = o;
	else if (owes(s, x))
		*role = x;
	else if (owes(s, o))
		*role = o;
	else
		return 0;
	return 1;
}

bool tr_pb_stream_capability_due(const struct tr_pb_stream *s,
				 enum tr_pb_role role)
{
	if (!s->offer_mutual || s->sent_capability || role != s->role)
		return false;
	if (s->role == TR_PB_CLIENT)
		return s->conn[role].state == TR_PB_INIT;
	return s->mutual;
}

int tr_pb_stream_sent(struct tr_pb_stream *s, enum tr_pb_role role,
		      uint8_t type, char *err, size_t errlen)
{
	bool due = tr_pb_stream_capability_due(s, role);

	if (!s->has[role] && !owes(s, role))
		return tr_fail(err, errlen,
			       "PB-TNC: no connection where we are the %s",
			       role == TR_PB_SERVER ? "server" : "client");
	if (tr_pb_sm_sent(&s->conn[role], type, err, errlen))
		return -1;
	s->has[role] = true;
	s->sent_capability |= due;
	/* half duplex: the peer answers, unless the state leaves it to us */
	s->again = tr_pb_sm_our_turn(&s->conn[role]);
	s->await = !s->again;
	s->last = role;
	return 0;
}
