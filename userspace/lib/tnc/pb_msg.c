// SPDX-License-Identifier: GPL-2.0-only
#include "tnc/pb_msg.h"
#include "base/errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LANG_PREFIX "Accept-Language: "
#define LANG_PREFIX_LEN (sizeof(LANG_PREFIX) - 1)

/* --- message types --------------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t noskip; /* the flag it must carry */
	bool result_only; /* only a RESULT batch may carry it */
} ietf_msgs[] = {
	[TR_PB_EXPERIMENTAL] = { "PB-Experimental", 0, false },
	[TR_PB_PA] = { "PB-PA", TR_NOSKIP, false },
	[TR_PB_ASSESSMENT_RESULT] = { "PB-Assessment-Result", TR_NOSKIP, true },
	[TR_PB_ACCESS_RECOMMENDATION] = { "PB-Access-Recommendation", 0, true },
	[TR_PB_REMEDIATION_PARAMETERS] = { "PB-Remediation-Parameters", 0,
					   true },
	[TR_PB_ERROR] = { "PB-Error", TR_NOSKIP, false },
	[TR_PB_LANGUAGE_PREFERENCE] = { "PB-Language-Preference", 0, false },
	[TR_PB_REASON_STRING] = { "PB-Reason-String", 0, true },
};

#define IETF_MSGS (sizeof(ietf_msgs) / sizeof(ietf_msgs[0]))

bool tr_pb_known(uint32_t vendor, uint32_t type)
{
	if (vendor == TR_PEN_IETF)
		return type < IETF_MSGS;
	return vendor == TR_PEN_ITA && type == TR_PB_ITA_MUTUAL_CAPABILITY;
}

uint8_t tr_pb_noskip(uint32_t vendor, uint32_t type)
{
	return vendor == TR_PEN_IETF && type < IETF_MSGS ?
		       ietf_msgs[type].noskip :
		       0;
}

const char *tr_pb_msg_name(uint32_t vendor, uint32_t type, char *buf,
			   size_t len)
{
	if (vendor == TR_PEN_IETF && type < IETF_MSGS)
		snprintf(buf, len, "IETF/%s", ietf_msgs[type].name);
	else if (vendor == TR_PEN_ITA && type == TR_PB_ITA_MUTUAL_CAPABILITY)
		snprintf(buf, len, "ITA-HSR/PB-Mutual-Capability");
	else
		snprintf(buf, len, "0x%06x/%u", vendor, type);
	return buf;
}

const char *tr_pb_batch_name(uint8_t type)
{
	static const char *const names[] = { "unknown", "CDATA",  "SDATA",
					     "RESULT",	"CRETRY", "SRETRY",
					     "CLOSE" };

	return type <= TR_PB_CLOSE ? names[type] : names[0];
}

/* --- message values ---------------------------------------------------------- */

static int parse_pa(const uint8_t *v, size_t len, struct tr_pb_pa *pa,
		    size_t *bad, char *err, size_t errlen)
{
	if (len < 12)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 12", len);
	if (v[0] & ~TR_PB_PA_EXCLUSIVE)
		return tr_fail_at(bad, 0, err, errlen, "reserved flags 0x%02x",
				  v[0]);
	pa->exclusive = v[0] & TR_PB_PA_EXCLUSIVE;
	pa->vendor = tr_be24(v + 1);
	pa->subtype = tr_be32(v + 4);
	if (pa->vendor == TR_PEN_RESERVED)
		return tr_fail_at(bad, 1, err, errlen, "reserved vendor id");
	if (pa->subtype == TR_TYPE_RESERVED)
		return tr_fail_at(bad, 4, err, errlen, "reserved subtype");
	pa->collector = (uint16_t)(v[8] << 8 | v[9]);
	pa->validator = (uint16_t)(v[10] << 8 | v[11]);
	pa->body.p = v + 12;
	pa->body.len = len - 12;
	return 0;
}

static int parse_u32(const uint8_t *v, size_t len, uint32_t *out, size_t *bad,
		     char *err, size_t errlen)
{
	if (len != 4)
		return tr_fail_at(bad, 0, err, errlen, "%zu bytes, not 4", len);
	*out = tr_be32(v);
	return 0;
}

static int parse_error(const uint8_t *v, size_t len, struct tr_pb_error *e,
		       size_t *bad, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	if (len < 8)
		return tr_fail_at(bad, 0, err, errlen,
				  "%zu bytes, shorter than 8", len);
	if (v[0] & 0x7f)
		return tr_fail_at(bad, 0, err, errlen, "reserved flags 0x%02x",
				  v[0]);
	e->fatal = v[0] & 0x80;
	e->vendor = tr_be24(v + 1);
	e->code = (uint16_t)(v[4] << 8 | v[5]);
	if (v[6] || v[7])
		return tr_fail_at(bad, 6, err, errlen, "reserved bytes set");
	e->params.p = v + 8;
	e->params.len = len - 8;
	if (e->vendor != TR_PEN_IETF ||
	    e->code > TR_PB_ERR_VERSION_NOT_SUPPORTED)
		return 0;
	if (len != 12)
		return tr_fail_at(bad, 8, err, errlen,
				  "error parameters of %zu bytes, not 4",
				  len - 8);
	if (e->code != TR_PB_ERR_VERSION_NOT_SUPPORTED) {
		e->offset = tr_be32(v + 8);
		return 0;
	}
	e->bad_version = v[8];
	e->max_version = v[9];
	e->min_version = v[10];
	if (v[11])
		return tr_fail_at(bad, 11, err, errlen, "reserved byte set");
	return 0;
}

static int parse_language(const uint8_t *v, size_t len, struct tr_bytes *l,
			  size_t *bad, char *err, size_t errlen)
{
	if (len < LANG_PREFIX_LEN || memcmp(v, LANG_PREFIX, LANG_PREFIX_LEN))
		return tr_fail_at(bad, 0, err, errlen,
				  "not \"" LANG_PREFIX "\" and ranges");
	l->p = v + LANG_PREFIX_LEN;
	l->len = len - LANG_PREFIX_LEN;
	if (l->len > TR_PB_LANG_MAX)
		return tr_fail_at(bad, LANG_PREFIX_LEN, err, errlen,
				  "language ranges of %zu bytes, more than %d",
				  l->len, TR_PB_LANG_MAX);
	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] < 0x20 || l->p[i] > 0x7e)
			return tr_fail_at(bad, LANG_PREFIX_LEN + i, err, errlen,
					  "language ranges: byte %zu is not "
					  "printable ASCII",
					  i);
	return 0;
}

static int parse_value(const uint8_t *p, size_t n, void *vv, size_t *bad,
		       char *err, size_t errlen)
{
	struct tr_pb_value *v = vv;

	if (v->vendor == TR_PEN_ITA && v->type == TR_PB_ITA_MUTUAL_CAPABILITY) {
		if (parse_u32(p, n, &v->u.mutual, bad, err, errlen))
			return -1;
		if (v->u.mutual &
		    ~(TR_PB_MUTUAL_HALF_DUPLEX | TR_PB_MUTUAL_FULL_DUPLEX))
			return tr_fail_at(bad, 0, err, errlen,
					  "reserved bits set");
		return 0;
	}
	if (!tr_pb_known(v->vendor, v->type))
		return tr_fail_at(bad, 0, err, errlen, "not a type we know");
	switch (v->type) {
	case TR_PB_PA:
		return parse_pa(p, n, &v->u.pa, bad, err, errlen);
	case TR_PB_ASSESSMENT_RESULT:
		if (parse_u32(p, n, &v->u.assessment, bad, err, errlen))
			return -1;
		if (v->u.assessment > TR_PA_DONT_KNOW)
			return tr_fail_at(bad, 0, err, errlen,
					  "result %u, more than %d",
					  v->u.assessment, TR_PA_DONT_KNOW);
		return 0;
	case TR_PB_ACCESS_RECOMMENDATION:
		if (n != 4)
			return tr_fail_at(bad, 0, err, errlen,
					  "%zu bytes, not 4", n);
		if (p[0] || p[1])
			return tr_fail_at(bad, 0, err, errlen,
					  "reserved bytes set");
		v->u.access = (uint16_t)(p[2] << 8 | p[3]);
		if (v->u.access < TR_PB_ACCESS_ALLOWED ||
		    v->u.access > TR_PB_ACCESS_QUARANTINED)
			return tr_fail_at(bad, 2, err, errlen,
					  "recommendation %u, not 1 to 3",
					  v->u.access);
		return 0;
	case TR_PB_REMEDIATION_PARAMETERS:
		return tr_remediation_parse(p, n, &v->u.remediation, bad, err,
					    errlen);
	case TR_PB_ERROR:
		return parse_error(p, n, &v->u.error, bad, err, errlen);
	case TR_PB_LANGUAGE_PREFERENCE:
		return parse_language(p, n, &v->u.language, bad, err, errlen);
	case TR_PB_REASON_STRING:
		return tr_text_lang_parse(p, n, 0, &v->u.reason.reason,
					  &v->u.reason.lang, "reason string",
					  bad, err, errlen);
	default: /* PB-Experimental: no layout */
		v->u.experimental.p = p;
		v->u.experimental.len = n;
		return 0;
	}
}

int tr_pb_value_parse(const struct tr_tlv *m, struct tr_pb_value *v,
		      size_t *bad, char *err, size_t errlen)
{
	char name[48];

	memset(v, 0, sizeof(*v));
	v->vendor = m->vendor;
	v->type = m->type;
	return tr_tlv_parse_value(m, v, parse_value,
				  tr_pb_msg_name(m->vendor, m->type, name,
						 sizeof(name)),
				  bad, err, errlen);
}

static int build_value(const void *vv, struct tr_wbuf *w, char *err,
		       size_t errlen)
{
	const struct tr_pb_value *v = vv;
	const struct tr_pb_pa *pa = &v->u.pa;
	const struct tr_pb_error *e = &v->u.error;

	if (v->vendor == TR_PEN_ITA) {
		tr_put_u32(w, v->u.mutual);
		return 0;
	}
	switch (v->type) {
	case TR_PB_PA:
		tr_put_u8(w, pa->exclusive ? TR_PB_PA_EXCLUSIVE : 0);
		tr_put_u24(w, pa->vendor);
		tr_put_u32(w, pa->subtype);
		tr_put_u16(w, pa->collector);
		tr_put_u16(w, pa->validator);
		tr_put_bytes(w, pa->body.p, pa->body.len);
		return 0;
	case TR_PB_ASSESSMENT_RESULT:
		tr_put_u32(w, v->u.assessment);
		return 0;
	case TR_PB_ACCESS_RECOMMENDATION:
		tr_put_u16(w, 0);
		tr_put_u16(w, v->u.access);
		return 0;
	case TR_PB_REMEDIATION_PARAMETERS:
		return tr_remediation_build(&v->u.remediation, w, err, errlen);
	case TR_PB_ERROR:
		tr_put_u8(w, e->fatal ? 0x80 : 0);
		tr_put_u24(w, e->vendor);
		tr_put_u16(w, e->code);
		tr_put_u16(w, 0);
		if (e->vendor != TR_PEN_IETF ||
		    e->code > TR_PB_ERR_VERSION_NOT_SUPPORTED) {
			tr_put_bytes(w, e->params.p, e->params.len);
		} else if (e->code == TR_PB_ERR_VERSION_NOT_SUPPORTED) {
			tr_put_u8(w, e->bad_version);
			tr_put_u8(w, e->max_version);
			tr_put_u8(w, e->min_version);
			tr_put_u8(w, 0);
		} else {
			tr_put_u32(w, e->offset);
		}
		return 0;
	case TR_PB_LANGUAGE_PREFERENCE:
		tr_put_bytes(w, LANG_PREFIX, LANG_PREFIX_LEN);
		tr_put_bytes(w, v->u.language.p, v->u.language.len);
		return 0;
	case TR_PB_REASON_STRING:
		return tr_text_lang_build(w, &v->u.reason.reason,
					  &v->u.reason.lang, err, errlen);
	default:
		tr_put_bytes(w, v->u.experimental.p, v->u.experimental.len);
		return 0;
	}
}

int tr_pb_value_build(const struct tr_pb_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen)
{
	struct tr_pb_value back = { .vendor = v->vendor, .type = v->type };
	char name[48];

	return tr_build_checked(w, v, &back, build_value, parse_value,
				tr_pb_known(v->vendor, v->type),
				tr_pb_msg_name(v->vendor, v->type, name,
					       sizeof(name)),
				err, errlen);
}

/* --- batches ------------------------------------------------------------------ */

static int refuse(struct tr_pb_error *refusal, uint16_t code, size_t offset,
		  uint8_t bad_version, char *err, size_t errlen,
		  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int refuse(struct tr_pb_error *refusal, uint16_t code, size_t offset,
		  uint8_t bad_version, char *err, size_t errlen,
		  const char *fmt, ...)
{
	va_list ap;

	if (refusal) {
		memset(refusal, 0, sizeof(*refusal));
		refusal->fatal = true;
		refusal->vendor = TR_PEN_IETF;
		refusal->code = code;
		refusal->offset = (uint32_t)offset;
		refusal->bad_version = bad_version;
		refusal->max_version = refusal->min_version = TR_PB_VERSION;
	}
	va_start(ap, fmt);
	tr_vfail_prefixed(err, errlen, "PB-TNC batch: ", fmt, ap);
	va_end(ap);
	return -1;
}

static int batch_header(const uint8_t *buf, size_t len, struct tr_pb_batch *b,
			struct tr_pb_error *refusal, char *err, size_t errlen)
{
	uint32_t blen;

	if (len < TR_PB_BATCH_HEADER_LEN)
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 0, 0, err,
			      errlen,
			      "%zu bytes, shorter than its 8-byte header", len);
	if (buf[0] != TR_PB_VERSION)
		return refuse(refusal, TR_PB_ERR_VERSION_NOT_SUPPORTED, 0,
			      buf[0], err, errlen, "version %u, not %u", buf[0],
			      TR_PB_VERSION);
	if (buf[1] & 0x7f || buf[2] || buf[3] & 0xf0)
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER,
			      buf[1] & 0x7f ? 1 :
			      buf[2]	    ? 2 :
					      3,
			      0, err, errlen, "reserved header bits set");
	b->from_server = buf[1] & 0x80;
	b->type = buf[3];
	if (b->type < TR_PB_CDATA || b->type > TR_PB_CLOSE)
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 3, 0, err,
			      errlen, "batch type %u, not 1 to 6", b->type);
	blen = tr_be32(buf + 4);
	if (blen != len)
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 4, 0, err,
			      errlen, "batch length %u, but %zu bytes came",
			      blen, len);
	return 0;
}

/* A message of a type we know: its flag, its batch, its value. */
static int check_known(const struct tr_tlv *m, uint8_t batch_type,
		       struct tr_pb_error *refusal, char *err, size_t errlen)
{
	struct tr_pb_value v;
	char why[200], name[48];
	size_t bad = 0;

	tr_pb_msg_name(m->vendor, m->type, name, sizeof(name));
	if (m->vendor == TR_PEN_IETF && m->type == TR_PB_EXPERIMENTAL &&
	    m->flags & TR_NOSKIP)
		return refuse(refusal, TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG,
			      m->offset, 0, err, errlen,
			      "message at offset %zu: %s with NOSKIP",
			      m->offset, name);
	if (m->flags != tr_pb_noskip(m->vendor, m->type))
		return refuse(
			refusal, TR_PB_ERR_INVALID_PARAMETER, m->offset, 0, err,
			errlen,
			"message at offset %zu: %s must%s have NOSKIP set",
			m->offset, name, m->flags ? " not" : "");
	if (m->vendor == TR_PEN_IETF && ietf_msgs[m->type].result_only &&
	    batch_type != TR_PB_RESULT)
		return refuse(
			refusal, TR_PB_ERR_INVALID_PARAMETER, m->offset, 0, err,
			errlen,
			"message at offset %zu: %s outside a RESULT batch",
			m->offset, name);
	if (tr_pb_value_parse(m, &v, &bad, why, sizeof(why)))
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER,
			      m->offset + TR_TLV_HEADER_LEN + bad, 0, err,
			      errlen, "message at offset %zu: %s", m->offset,
			      why);
	return 0;
}

int tr_pb_batch_parse(const uint8_t *buf, size_t len, struct tr_pb_batch *b,
		      struct tr_pb_error *refusal, char *err, size_t errlen)
{
	size_t off = TR_PB_BATCH_HEADER_LEN;

	memset(b, 0, offsetof(struct tr_pb_batch, msgs));
	if (len > TR_PB_BATCH_MAX)
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 4, 0, err,
			      errlen, "%zu bytes, more than %u", len,
			      TR_PB_BATCH_MAX);
	if (batch_header(buf, len, b, refusal, err, errlen))
		return -1;
	while (off < len) {
		struct tr_tlv *m = &b->msgs[b->n];
		char why[160], name[48];
		size_t bad = 0;

		if (b->n == TR_PB_MAX_MSGS)
			return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, off,
				      0, err, errlen,
				      "message at offset %zu: more than %d "
				      "messages",
				      off, TR_PB_MAX_MSGS);
		if (tr_tlv_read(buf, len, off, m, &bad, why, sizeof(why)))
			return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, bad,
				      0, err, errlen,
				      "message at offset %zu: %s", off, why);
		if (tr_pb_known(m->vendor, m->type)) {
			if (check_known(m, b->type, refusal, err, errlen))
				return -1;
		} else if (m->flags & TR_NOSKIP) {
			/* RFC 5793 4.2: none of the batch is processed */
			return refuse(refusal,
				      TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG, off,
				      0, err, errlen,
				      "message at offset %zu: type %s unknown, "
				      "with NOSKIP",
				      off,
				      tr_pb_msg_name(m->vendor, m->type, name,
						     sizeof(name)));
		}
		off += TR_TLV_HEADER_LEN + m->value.len;
		b->n++;
	}
	return 0;
}

size_t tr_pb_batch_begin(struct tr_wbuf *w, uint8_t type, bool from_server)
{
	size_t mark = w->len;

	tr_put_u8(w, TR_PB_VERSION);
	tr_put_u8(w, from_server ? 0x80 : 0);
	tr_put_u8(w, 0);
	tr_put_u8(w, type);
	tr_put_u32(w, 0); /* length, patched by tr_pb_batch_end() */
	return mark;
}

void tr_pb_batch_end(struct tr_wbuf *w, size_t mark)
{
	tr_patch_u32(w, mark + 4, (uint32_t)(w->len - mark));
}

int tr_pb_add(struct tr_wbuf *w, const struct tr_pb_value *v, char *err,
	      size_t errlen)
{
	size_t mark = tr_tlv_begin(w, tr_pb_noskip(v->vendor, v->type),
				   v->vendor, v->type);

	if (tr_pb_value_build(v, w, err, errlen)) {
		w->len = mark;
		return -1;
	}
	tr_tlv_end(w, mark);
	return 0;
}

/* --- the state machine ------------------------------------------------------ */

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
		return refuse(refusal, TR_PB_ERR_INVALID_PARAMETER, 1, 0, err,
			      errlen, "%s from a PB-TNC %s, which we are",
			      tr_pb_batch_name(b->type),
			      b->from_server ? "server" : "client");
	next = next_state(sm->state, sender, b->type);
	if (next < 0)
		return refuse(refusal, TR_PB_ERR_UNEXPECTED_BATCH_TYPE, 0, 0,
			      err, errlen, "%s from the %s not allowed in %s",
			      tr_pb_batch_name(b->type),
			      b->from_server ? "server" : "client",
			      tr_pb_state_name(sm->state));
	sm->state = (enum tr_pb_state)next;
	return 0;
}

/* --- one stream, one or two connections ------------------------------------- */

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
			return refuse(refusal, TR_PB_ERR_UNEXPECTED_BATCH_TYPE,
				      0, 0, err, errlen,
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

int tr_pb_add_pa(struct tr_wbuf *w, uint32_t vendor, uint32_t subtype,
		 uint16_t collector, uint16_t validator,
		 const struct tr_wbuf *pa)
{
	struct tr_pb_value v = { .vendor = TR_PEN_IETF, .type = TR_PB_PA };

	v.u.pa.vendor = vendor;
	v.u.pa.subtype = subtype;
	v.u.pa.collector = collector;
	v.u.pa.validator = validator;
	v.u.pa.body = (struct tr_bytes){ pa->p, pa->len };
	return tr_pb_add(w, &v, NULL, 0);
}
