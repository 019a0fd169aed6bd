// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's API: routing, the order of refusals, the read-only
 * resources. The admin actions are in api_actions.c, /metrics in
 * api_metrics.c.
 */
#include "nms/api/api_internal.h"

#include "base/hex.h"
#include "base/host_name.h"
#include "nms/store/store_api.h"
#include "nms/store/store_trust.h"

#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *api_role_name(enum api_role r)
{
	return r == API_ROLE_ADMIN ? "admin" :
	       r == API_ROLE_READ  ? "read-only" :
				     "none";
}

int api_role_parse(const char *name, enum api_role *r)
{
	if (!strcmp(name, "admin"))
		*r = API_ROLE_ADMIN;
	else if (!strcmp(name, "read-only"))
		*r = API_ROLE_READ;
	else
		return -1;
	return 0;
}

void api_response_free(struct api_response *r)
{
	if (!r->is_static)
		free(r->body);
	r->body = NULL;
}

void api_reply_json(struct api_call *k, unsigned status, json_object *o)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);

	api_response_free(k->r);
	k->r->status = status;
	k->r->type = "application/json";
	k->r->body = malloc(n + 2);
	if (k->r->body) {
		memcpy(k->r->body, s, n);
		k->r->body[n] = '\n';
		k->r->body[n + 1] = 0;
		k->r->len = n + 1;
	} else {
		k->r->status = 500;
		k->r->len = 0;
	}
	json_object_put(o);
}

void api_fail(struct api_call *k, unsigned status, const char *fmt, ...)
{
	json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The audit says why an action was refused, in the same words. */
	snprintf(k->detail, sizeof(k->detail), "%s", msg);
	json_object_object_add(o, "error", json_object_new_string(msg));
	api_reply_json(k, status, o);
}

void api_reply_bytes(struct api_call *k, const char *type, char *body,
		     size_t len)
{
	api_response_free(k->r);
	k->r->status = 200;
	k->r->type = type;
	k->r->body = body;
	k->r->len = len;
	k->r->is_static = false;
}

json_object *api_string(const char *s)
{
	return json_object_new_string(s ? s : "");
}

json_object *api_hex(struct nms_blob b)
{
	char *h = malloc(2 * b.n + 1);
	json_object *o;

	if (!h)
		return NULL;
	tr_hex(h, b.p, b.n);
	o = json_object_new_string(h);
	free(h);
	return o;
}

/* ---- query arguments --------------------------------------------------- */

const char *api_arg(const struct api_request *q, const char *name)
{
	for (size_t i = 0; i < q->n_args; i++)
		if (!strcmp(q->args[i][0], name))
			return q->args[i][1] ? q->args[i][1] : "";
	return NULL;
}

int api_arg_int(struct api_call *k, const char *name, int64_t lo, int64_t hi,
		int64_t dflt, int64_t *out)
{
	const char *v = api_arg(k->q, name);
	char *end;
	long long n;

	*out = dflt;
	if (!v)
		return 0;
	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 18) {
		api_fail(k, 400, "argument %s: want a number from %lld to %lld",
			 name, (long long)lo, (long long)hi);
		return -1;
	}
	n = strtoll(v, &end, 10);
	if (n < lo || n > hi) {
		api_fail(k, 400, "argument %s: want a number from %lld to %lld",
			 name, (long long)lo, (long long)hi);
		return -1;
	}
	*out = n;
	return 0;
}

/* Every argument is one the route takes (@allowed: "a,b,c"), once. */
static int args_known(struct api_call *k, const char *allowed)
{
	if (k->q->too_many_args)
		return api_fail(k, 400, "too many query arguments"), -1;
	for (size_t i = 0; i < k->q->n_args; i++) {
		const char *a = k->q->args[i][0];
		size_t n = strlen(a);
		const char *p = allowed;
		bool ok = false;

		while (!ok && p && *p) {
			size_t m = strcspn(p, ",");

			ok = m == n && !strncmp(p, a, n);
			p += m + (p[m] == ',');
		}
		if (!ok) {
			api_fail(k, 400, "unknown query argument \"%.64s\"", a);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(k->q->args[j][0], a)) {
				api_fail(k, 400,
					 "argument \"%.64s\" given twice", a);
				return -1;
			}
	}
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

/* The subject or issuer of a DER certificate, RFC 2253; "" if none. */
static json_object *cert_name(struct nms_blob der, bool issuer)
{
	const unsigned char *p = der.p;
	X509 *x = der.n ? d2i_X509(NULL, &p, (long)der.n) : NULL;
	BIO *b = BIO_new(BIO_s_mem());
	char buf[512] = "";
	int n;

	if (x && b &&
	    X509_NAME_print_ex(b,
			       issuer ? X509_get_issuer_name(x) :
					X509_get_subject_name(x),
			       0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_read(b, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
	}
	BIO_free(b);
	X509_free(x);
	return json_object_new_string(buf);
}

json_object *api_device_json(struct api_context *c,
			     const struct nms_device_view *d)
{
	json_object *o = json_object_new_object(), *e, *cert, *addrs;
	char a[16][46], err[128];
	int n;

	json_object_object_add(o, "name", api_string(d->name));
	json_object_object_add(o, "state",
			       api_string(trust_state_name(d->trust.state)));
	json_object_object_add(o, "reason", api_string(d->trust.reason));
	json_object_object_add(o, "since_ms",
			       json_object_new_int64(d->trust.since_ms));
	json_object_object_add(o, "created_ms",
			       json_object_new_int64(d->created * 1000));
	json_object_object_add(o, "decommissioned",
			       json_object_new_boolean(d->decommissioned_ms));
	json_object_object_add(o, "decommissioned_ms",
			       json_object_new_int64(d->decommissioned_ms));
	json_object_object_add(o, "os_device_id", api_string(d->os_device_id));
	/* The identity enrollment proved: its TPM (EK, by the maker's
	 * certificate) and the AK that answered its credential. */
	e = json_object_new_object();
	json_object_object_add(e, "ek_key_id", api_hex(d->ek_key_id));
	json_object_object_add(e, "ek_issuer", cert_name(d->ek_cert, true));
	json_object_object_add(e, "ak_name", api_hex(d->ak_name));
	json_object_object_add(e, "ak_activated_ms",
			       json_object_new_int64(d->ak_activated * 1000));
	json_object_object_add(o, "enrolled", e);
	cert = NULL;
	if (d->cert_serial) {
		cert = json_object_new_object();
		json_object_object_add(cert, "serial",
				       api_string(d->cert_serial));
		json_object_object_add(
			cert, "issued_ms",
			json_object_new_int64(d->cert_issued * 1000));
		json_object_object_add(
			cert, "not_after_ms",
			json_object_new_int64(d->cert_not_after * 1000));
		json_object_object_add(
			cert, "revoked",
			json_object_new_boolean(d->cert_revoked_ms != 0));
		json_object_object_add(
			cert, "revoked_ms",
			json_object_new_int64(d->cert_revoked_ms));
		json_object_object_add(cert, "issued",
				       json_object_new_int64(d->certificates));
	}
	json_object_object_add(o, "certificate", cert);
	e = NULL;
	if (d->endpoint) {
		e = json_object_new_object();
		json_object_object_add(e, "address", api_string(d->endpoint));
		json_object_object_add(
			e, "port", json_object_new_int((int)d->endpoint_port));
	}
	json_object_object_add(o, "endpoint", e);
	addrs = json_object_new_array();
	n = nms_store_router_addrs(c->store, d->id, a, 16, err, sizeof(err));
	for (int i = 0; i < n; i++)
		json_object_array_add(addrs, json_object_new_string(a[i]));
	json_object_object_add(o, "addresses", addrs);
	return o;
}

struct device_walk {
	struct api_context *c;
	json_object *out; /* an array, or the one device */
	struct api_device *d;
};

static int device_row(const struct nms_device_view *v, void *arg)
{
	struct device_walk *w = arg;
	json_object *o = api_device_json(w->c, v);

	if (w->d) {
		w->d->id = v->id;
		snprintf(w->d->name, sizeof(w->d->name), "%s", v->name);
		snprintf(w->d->endpoint, sizeof(w->d->endpoint), "%s",
			 v->endpoint ? v->endpoint : "");
		w->d->port = v->endpoint_port;
		w->d->decommissioned = v->decommissioned_ms != 0;
		json_object_put(w->out);
		w->out = o;
		return 1;
	}
	json_object_array_add(w->out, o);
	return 0;
}

/* A device name as it may appear in a path: a host name (enrollment
 * takes no other), so nothing else is looked up. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= TR_DEVICE_NAME_MAX &&
	       tr_host_name_span((const uint8_t *)s, n) == n;
}

int api_find_device(struct api_call *k, struct api_device *d, json_object **o)
{
	struct device_walk w = { k->c, NULL, d };
	char err[256];
	int n;

	memset(d, 0, sizeof(*d));
	if (!name_ok(k->arg)) {
		api_fail(k, 404, "no device named \"%.64s\"", k->arg);
		return -1;
	}
	n = nms_store_device_views(k->c->store, k->arg, device_row, &w, err,
				   sizeof(err));
	if (n < 0) {
		json_object_put(w.out);
		api_fail(k, 500, "store: %s", err);
		return -1;
	}
	if (!n) {
		api_fail(k, 404, "no device named \"%s\"", k->arg);
		return -1;
	}
	if (o)
		*o = w.out;
	else
		json_object_put(w.out);
	return 0;
}

static void devices(struct api_call *k)
{
	struct device_walk w = { k->c, json_object_new_array(), NULL };
	char err[256];

	if (nms_store_device_views(k->c->store, NULL, device_row, &w, err,
				   sizeof(err)) < 0) {
		json_object_put(w.out);
		return api_fail(k, 500, "store: %s", err);
	}
	api_reply_json(k, 200, w.out);
}

static void device(struct api_call *k)
{
	struct api_device d;
	json_object *o;

	if (api_find_device(k, &d, &o) == 0)
		api_reply_json(k, 200, o);
}

static int hist_row(const struct nms_trust_hist *h, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "time_ms", json_object_new_int64(h->time_ms));
	json_object_object_add(o, "from",
			       api_string(trust_state_name(h->from)));
	json_object_object_add(o, "to", api_string(trust_state_name(h->to)));
	json_object_object_add(o, "reason", api_string(h->reason));
	json_object_array_add(arg, o);
	return 0;
}

static void history(struct api_call *k)
{
	struct api_device d;
	json_object *a;
	char err[256];

	if (api_find_device(k, &d, NULL) < 0)
		return;
	a = json_object_new_array();
	if (nms_store_trust_history(k->c->store, d.id, hist_row, a, err,
				    sizeof(err)) < 0) {
		json_object_put(a);
		return api_fail(k, 500, "store: %s", err);
	}
	api_reply_json(k, 200, a);
}

/* ---- sessions ----------------------------------------------------------- */

/* "a; b; c" (how sessions keep their reasons) as an array. */
static json_object *split_reasons(const char *s)
{
	json_object *a = json_object_new_array();

	while (s && *s) {
		const char *end = strstr(s, "; ");
		size_t n = end ? (size_t)(end - s) : strlen(s);

		json_object_array_add(a, json_object_new_string_len(s, (int)n));
		s = end ? end + 2 : NULL;
	}
	return a;
}

static json_object *session_json(const struct nms_session_view *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(v->id));
	json_object_object_add(o, "device",
			       v->device ? api_string(v->device) : NULL);
	json_object_object_add(o, "identity", api_string(v->identity));
	json_object_object_add(o, "peer", api_string(v->peer));
	json_object_object_add(o, "started_ms",
			       json_object_new_int64(v->started * 1000));
	json_object_object_add(o, "ended_ms",
			       json_object_new_int64(v->ended * 1000));
	json_object_object_add(o, "verdict", api_string(v->verdict));
	json_object_object_add(o, "mutual", json_object_new_boolean(v->mutual));
	json_object_object_add(o, "attested",
			       json_object_new_boolean(v->attested));
	json_object_object_add(o, "reasons", split_reasons(v->reasons));
	return o;
}

static int session_row(const struct nms_session_view *v, void *arg)
{
	json_object_array_add(arg, session_json(v));
	return 0;
}

static void sessions(struct api_call *k)
{
	struct nms_session_query sq = { 0 };
	const char *dev = api_arg(k->q, "device");
	int64_t before, limit;
	json_object *a;
	char err[256];

	if (api_arg_int(k, "before", 1, INT64_MAX / 2, 0, &before) < 0 ||
	    api_arg_int(k, "limit", 1, 1000, 50, &limit) < 0)
		return;
	if (dev) {
		struct api_device d;

		k->arg = dev;
		if (api_find_device(k, &d, NULL) < 0)
			return;
		sq.device_id = d.id;
	}
	sq.before_id = before;
	sq.limit = (int)limit;
	a = json_object_new_array();
	if (nms_store_session_views(k->c->store, &sq, session_row, a, err,
				    sizeof(err)) < 0) {
		json_object_put(a);
		return api_fail(k, 500, "store: %s", err);
	}
	api_reply_json(k, 200, a);
}

/*
 * The files the appraisal named: its reasons read "PATH: in no reference
 * list (...)", "PATH: known-bad digest (...)" and "PATH: violation: ..."
 * (dl_appraise.c). The last marker counts, so a path that holds one is
 * still cut at the real one.
 */
static void classify(const char *reason, json_object *unknown, json_object *bad,
		     json_object *violations)
{
	static const struct {
		const char *marker;
		int kind;
	} kinds[] = {
		{ ": in no reference list", 0 },
		{ ": known-bad digest", 1 },
		{ ": violation: ", 2 },
	};
	json_object *to[] = { unknown, bad, violations };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *at = NULL, *p = reason;

		while ((p = strstr(p, kinds[i].marker)))
			at = p++;
		if (at && at > reason) {
			json_object_array_add(
				to[kinds[i].kind],
				json_object_new_string_len(reason,
							   (int)(at - reason)));
			return;
		}
	}
}

static int imv_row(const struct nms_imv_view *v, void *arg)
{
	json_object *o = json_object_new_object();
	json_object *reasons = json_tokener_parse(v->reasons_json);

	if (!reasons || !json_object_is_type(reasons, json_type_array)) {
		json_object_put(reasons);
		reasons = json_object_new_array();
	}
	json_object_object_add(o, "imv", api_string(v->imv));
	json_object_object_add(o, "verdict", api_string(v->verdict));
	json_object_object_add(o, "reasons", reasons);
	json_object_array_add(arg, o);
	return 0;
}

struct session_one {
	json_object *o;
};

static int session_one(const struct nms_session_view *v, void *arg)
{
	struct session_one *s = arg;

	s->o = session_json(v);
	return 1;
}

static void session(struct api_call *k)
{
	struct nms_session_query sq = { .limit = 1 };
	struct session_one one = { NULL };
	json_object *imvs, *unknown, *bad, *violations, *reasons;
	char err[256], *end;
	long long id;

	id = strspn(k->arg, "0123456789") == strlen(k->arg) &&
			     strlen(k->arg) <= 18 ?
		     strtoll(k->arg, &end, 10) :
		     0;
	sq.id = id;
	if (id <= 0 || nms_store_session_views(k->c->store, &sq, session_one,
					       &one, err, sizeof(err)) <= 0) {
		json_object_put(one.o);
		return api_fail(k, 404, "no session %.32s", k->arg);
	}
	imvs = json_object_new_array();
	if (nms_store_session_results(k->c->store, id, imv_row, imvs, err,
				      sizeof(err)) < 0) {
		json_object_put(imvs);
		json_object_put(one.o);
		return api_fail(k, 500, "store: %s", err);
	}
	json_object_object_add(one.o, "imvs", imvs);
	/* What ran that should not have: from every reason of the session
	 * (a session before schema 7 has no per-IMV results). */
	unknown = json_object_new_array();
	bad = json_object_new_array();
	violations = json_object_new_array();
	json_object_object_get_ex(one.o, "reasons", &reasons);
	for (size_t i = 0; i < json_object_array_length(reasons); i++)
		classify(json_object_get_string(
				 json_object_array_get_idx(reasons, i)),
			 unknown, bad, violations);
	json_object_object_add(one.o, "unknown_files", unknown);
	json_object_object_add(one.o, "bad_files", bad);
	json_object_object_add(one.o, "violations", violations);
	api_reply_json(k, 200, one.o);
}

/* ---- routes, events, lists ---------------------------------------------- */

static int host_row(const char *name, const char *netns, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", api_string(name));
	json_object_object_add(o, "netns", api_string(netns));
	json_object_array_add(arg, o);
	return 0;
}

static int route_row(const struct nms_route_view *v, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "host", api_string(v->host));
	json_object_object_add(o, "via", api_string(v->device));
	json_object_object_add(o, "state",
			       api_string(trust_state_name(v->state)));
	json_object_object_add(o, "metric", json_object_new_int64(v->metric));
	json_object_object_add(o, "since_ms",
			       json_object_new_int64(v->time_ms));
	json_object_array_add(arg, o);
	return 0;
}

static int64_t member_int(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) :
						     0;
}

static const char *member_str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) :
						     "";
}

/*
 * Which routes traffic takes now: of a host's routes through the routers,
 * those at its lowest metric (the kernel prefers them; among equal ones,
 * the one that was there first).
 */
static void mark_preferred(json_object *routes)
{
	size_t n = json_object_array_length(routes);

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(routes, i);
		int64_t best = INT64_MAX;

		for (size_t j = 0; j < n; j++) {
			json_object *o = json_object_array_get_idx(routes, j);

			if (!strcmp(member_str(o, "host"),
				    member_str(r, "host")) &&
			    member_int(o, "metric") < best)
				best = member_int(o, "metric");
		}
		json_object_object_add(
			r, "preferred",
			json_object_new_boolean(member_int(r, "metric") ==
						best));
	}
}

static void routes(struct api_call *k)
{
	json_object *o = json_object_new_object(), *hosts, *rs;
	char err[256];

	hosts = json_object_new_array();
	rs = json_object_new_array();
	json_object_object_add(o, "hosts", hosts);
	json_object_object_add(o, "routes", rs);
	if (nms_store_hosts(k->c->store, host_row, hosts, err, sizeof(err)) <
		    0 ||
	    nms_store_route_views(k->c->store, route_row, rs, err,
				  sizeof(err)) < 0) {
		json_object_put(o);
		return api_fail(k, 500, "store: %s", err);
	}
	mark_preferred(rs);
	api_reply_json(k, 200, o);
}

static int event_row(const struct nms_event_view *v, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(v->id));
	json_object_object_add(o, "time_ms",
			       json_object_new_int64(v->time * 1000));
	json_object_object_add(o, "device",
			       v->device ? api_string(v->device) : NULL);
	json_object_object_add(o, "kind", api_string(v->kind));
	json_object_object_add(o, "detail", api_string(v->detail));
	json_object_array_add(arg, o);
	return 0;
}

/* The events after ?after=ID (what a dashboard polls), or the newest,
 * and the newest session's id. */
static void events(struct api_call *k)
{
	json_object *o, *a;
	int64_t after, limit, last = nms_store_last_event(k->c->store);
	char err[256];

	if (api_arg_int(k, "after", 0, INT64_MAX / 2, -1, &after) < 0 ||
	    api_arg_int(k, "limit", 1, 1000, 100, &limit) < 0)
		return;
	if (last < 0)
		return api_fail(k, 500, "store: cannot read the event log");
	if (after < 0)
		after = last > limit ? last - limit : 0;
	o = json_object_new_object();
	a = json_object_new_array();
	json_object_object_add(o, "last", json_object_new_int64(last));
	/* A session need not change a state (bad stays bad): said apart,
	 * so that a page that polls sees it. */
	json_object_object_add(
		o, "last_session",
		json_object_new_int64(nms_store_last_session(k->c->store)));
	json_object_object_add(o, "events", a);
	if (nms_store_events_after(k->c->store, after, (int)limit, event_row, a,
				   err, sizeof(err)) < 0) {
		json_object_put(o);
		return api_fail(k, 500, "store: %s", err);
	}
	api_reply_json(k, 200, o);
}

static void lists(struct api_call *k)
{
	json_object *o =
		json_tokener_parse(k->c->lists_json ? k->c->lists_json : "{}");

	if (!o)
		return api_fail(k, 500, "the reference lists' description");
	api_reply_json(k, 200, o);
}

static void whoami(struct api_call *k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "operator", api_string(k->q->operator));
	json_object_object_add(o, "role",
			       api_string(api_role_name(k->q->role)));
	api_reply_json(k, 200, o);
}

static int audit_row(const struct nms_audit_row *r, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "time_ms", json_object_new_int64(r->time_ms));
	json_object_object_add(o, "operator", api_string(r->operator));
	json_object_object_add(o, "role", api_string(r->role));
	json_object_object_add(o, "action", api_string(r->action));
	json_object_object_add(o, "target", api_string(r->target));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	json_object_object_add(o, "detail", api_string(r->detail));
	json_object_array_add(arg, o);
	return 0;
}

static void audit(struct api_call *k)
{
	int64_t before, limit;
	json_object *a;
	char err[256];

	if (api_arg_int(k, "before", 1, INT64_MAX / 2, 0, &before) < 0 ||
	    api_arg_int(k, "limit", 1, 1000, 100, &limit) < 0)
		return;
	a = json_object_new_array();
	if (nms_store_audit_list(k->c->store, before, (int)limit, audit_row, a,
				 err, sizeof(err)) < 0) {
		json_object_put(a);
		return api_fail(k, 500, "store: %s", err);
	}
	api_reply_json(k, 200, a);
}

/* ---- routing ------------------------------------------------------------ */

struct route {
	const char *pattern; /* '*': one path segment, the argument */
	const char *method;
	enum api_role role; /* NONE: public */
	void (*fn)(struct api_call *k);
	const char *args; /* the query arguments it takes */
	const char *action; /* an admin action: audited */
};

static const struct route route_table[] = {
	{ "/crl", "GET", API_ROLE_NONE, api_crl, "", NULL },
	{ "/metrics", "GET", API_ROLE_READ, api_metrics, "", NULL },
	{ "/api/v1/whoami", "GET", API_ROLE_READ, whoami, "", NULL },
	{ "/api/v1/devices", "GET", API_ROLE_READ, devices, "", NULL },
	{ "/api/v1/devices/*", "GET", API_ROLE_READ, device, "", NULL },
	{ "/api/v1/devices/*/history", "GET", API_ROLE_READ, history, "",
	  NULL },
	{ "/api/v1/devices/*/reset", "POST", API_ROLE_ADMIN, api_reset, "",
	  "reset" },
	{ "/api/v1/devices/*/revoke", "POST", API_ROLE_ADMIN, api_revoke, "",
	  "revoke" },
	{ "/api/v1/devices/*/attest", "POST", API_ROLE_ADMIN, api_attest, "",
	  "attest" },
	{ "/api/v1/sessions", "GET", API_ROLE_READ, sessions,
	  "device,before,limit", NULL },
	{ "/api/v1/sessions/*", "GET", API_ROLE_READ, session, "", NULL },
	{ "/api/v1/routes", "GET", API_ROLE_READ, routes, "", NULL },
	{ "/api/v1/reference-lists", "GET", API_ROLE_READ, lists, "", NULL },
	{ "/api/v1/events", "GET", API_ROLE_READ, events, "after,limit", NULL },
	{ "/api/v1/audit", "GET", API_ROLE_ADMIN, audit, "before,limit", NULL },
};

/* @path against @pattern: 1 with the '*' segment in @arg, else 0. */
static int match(const char *pattern, const char *path, char *arg, size_t cap)
{
	arg[0] = 0;
	while (*pattern && *path) {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");

			if (!n || n >= cap)
				return 0;
			memcpy(arg, path, n);
			arg[n] = 0;
			path += n;
			pattern++;
		} else if (*pattern++ != *path++) {
			return 0;
		}
	}
	return !*pattern && !*path;
}

static bool needs_auth(const char *path)
{
	return !strncmp(path, "/api/", 5) || !strcmp(path, "/api") ||
	       !strcmp(path, "/metrics");
}

static void audit_call(struct api_call *k, const char *action)
{
	struct nms_audit_row row = { .time_ms = trust_now_ms(),
				     .operator= k->q->operator?
				     k->q->operator: "?",
				     .role = api_role_name(k->q->role),
				     .action = action,
				     .target = k->arg,
				     .status = (int)k->r->status,
				     .detail = k->detail, };
	char err[256];

	/* An action that cannot be audited is not done silently: said. */
	if (nms_store_audit_add(k->c->store, &row, err, sizeof(err)) < 0)
		api_fail(k, 500, "the audit log: %s", err);
}

static bool static_file(const struct api_request *q, struct api_response *r)
{
	const char *path = !strcmp(q->path, "/") ? "/index.html" : q->path;

	for (size_t i = 0; i < api_n_assets; i++)
		if (!strcmp(api_assets[i].path, path)) {
			r->status = 200;
			r->type = api_assets[i].type;
			r->body = (char *)api_assets[i].data;
			r->len = api_assets[i].len;
			r->is_static = true;
			return true;
		}
	return false;
}

static void dispatch(struct api_call *k)
{
	const struct api_request *q = k->q;
	const struct route *hit = NULL;
	char *allow = k->r->allow, arg[128];
	bool path_known = false;

	/* Nobody unauthenticated learns which API paths exist. */
	if (needs_auth(q->path) && q->role == API_ROLE_NONE)
		return api_fail(k, 401, "authentication required");
	for (size_t i = 0; i < sizeof(route_table) / sizeof(route_table[0]);
	     i++) {
		const struct route *rt = &route_table[i];

		if (!match(rt->pattern, q->path, arg, sizeof(arg)))
			continue;
		path_known = true;
		if (!strcmp(rt->method, q->method)) {
			hit = rt;
			break;
		}
	}
	if (!hit && !path_known && !strcmp(q->method, "GET") &&
	    static_file(q, k->r))
		return;
	if (!hit && !path_known)
		return api_fail(k, 404, "no such resource");
	if (!hit) {
		/* 405 says what would do: the methods of this path. */
		for (size_t i = 0;
		     i < sizeof(route_table) / sizeof(route_table[0]); i++)
			if (match(route_table[i].pattern, q->path, arg,
				  sizeof(arg)) &&
			    !strstr(allow, route_table[i].method))
				snprintf(allow + strlen(allow),
					 sizeof(k->r->allow) - strlen(allow),
					 "%s%s", allow[0] ? ", " : "",
					 route_table[i].method);
		return api_fail(k, 405, "method %.16s not allowed here: use %s",
				q->method, allow);
	}
	k->arg = arg;
	if (q->role < hit->role)
		api_fail(k, 403, "this needs the %s role; you have %s",
			 api_role_name(hit->role), api_role_name(q->role));
	else if (args_known(k, hit->args) == 0)
		hit->fn(k);
	/* Every admin action asked by a known operator, refused or not. */
	if (hit->action)
		audit_call(k, hit->action);
	k->arg = NULL;
}

/* Refusals by reason, for /metrics. */
TR_COUNTERS(refusals, "bad-request", "unauthenticated", "forbidden",
	    "not-found", "method", "conflict", "too-large", "media-type",
	    "error", "other");

const struct tr_counters *api_refusals(void)
{
	return &refusals;
}

static const char *refusal_label(unsigned status)
{
	static const struct {
		unsigned status;
		const char *label;
	} labels[] = {
		{ 400, "bad-request" }, { 401, "unauthenticated" },
		{ 403, "forbidden" },	{ 404, "not-found" },
		{ 405, "method" },	{ 409, "conflict" },
		{ 413, "too-large" },	{ 415, "media-type" },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (labels[i].status == status)
			return labels[i].label;
	return status >= 500 ? "error" : "other";
}

void api_handle(struct api_context *c, const struct api_request *q,
		struct api_response *r)
{
	struct api_call k = { c, q, r, NULL, "" };

	memset(r, 0, sizeof(*r));
	if (c->lock)
		c->lock(c->lock_arg);
	if (!q->method || !q->path || q->path[0] != '/')
		api_fail(&k, 400, "malformed request");
	else
		dispatch(&k);
	if (c->unlock)
		c->unlock(c->lock_arg);
	if (r->status >= 400)
		tr_count(&refusals, refusal_label(r->status));
}
