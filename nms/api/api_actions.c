// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API's admin actions: reset a router's verdict, revoke (decommission)
 * a router, attest it now; and the CRL they publish. Each is audited by
 * api.c with the status it got.
 */
#include "nms/api/api_internal.h"

#include "nms/enroll/crl.h"
#include "nms/route/observe.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A JSON object, at most this deep (the body is {"reason": "..."}). */
#define BODY_DEPTH 4

static bool json_type_ok(const char *t)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	/* Parameters (";charset=utf-8") may follow the media type. */
	return t && !strncasecmp(t, want, n) && (!t[n] || t[n] == ';');
}

/*
 * The action's body: nothing, or a JSON object with at most a "reason"
 * (a string of printable characters, at most API_REASON_MAX bytes) and
 * no other member, so that a typo is an error and not an action taken
 * without what was meant. 0 with @reason (maybe ""); -1 answered.
 */
static int body_reason(struct api_call *k, char reason[API_REASON_MAX + 1])
{
	const struct api_request *q = k->q;
	struct json_tokener *tok;
	json_object *o = NULL, *v;
	int rc = -1;

	reason[0] = 0;
	if (q->body_too_large || q->body_len > API_BODY_MAX) {
		api_fail(k, 413, "request body larger than %d bytes",
			 API_BODY_MAX);
		return -1;
	}
	if (!q->body || !q->body_len)
		return 0;
	if (!json_type_ok(q->content_type)) {
		api_fail(k, 415, "want Content-Type application/json");
		return -1;
	}
	tok = json_tokener_new_ex(BODY_DEPTH);
	if (!tok) {
		api_fail(k, 500, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, q->body, (int)q->body_len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != q->body_len) {
		api_fail(k, 400, "body: not JSON (%s)",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		api_fail(k, 400, "body: want a JSON object");
		goto out;
	}
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (strcmp(key, "reason")) {
			api_fail(k, 400, "body: unknown member \"%.32s\"", key);
			goto out;
		}
	}
	if (json_object_object_get_ex(o, "reason", &v)) {
		const char *s = json_object_get_string(v);
		size_t n = (size_t)json_object_get_string_len(v);

		if (!json_object_is_type(v, json_type_string) ||
		    n > API_REASON_MAX) {
			api_fail(
				k, 400,
				"body: reason: want a string of at most %d bytes",
				API_REASON_MAX);
			goto out;
		}
		/* It goes into the history and the log: one printable line. */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				api_fail(k, 400,
					 "body: reason: control characters");
				goto out;
			}
		memcpy(reason, s, n);
		reason[n] = 0;
	}
	rc = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

static json_object *change_json(const struct trust_change *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "from",
			       api_string(trust_state_name(c->from)));
	json_object_object_add(o, "to", api_string(trust_state_name(c->to)));
	json_object_object_add(o, "changed",
			       json_object_new_boolean(c->changed));
	return o;
}

/*
 * @ev about the device, through the trust engine and on to the routes
 * (nms_observe), into @o. A route that could not be re-costed does not
 * undo the state that was committed: said in "routes_error". 0, or -1
 * answered 500.
 */
static int observe(struct api_call *k, const struct api_device *d,
		   enum trust_event ev, const char *reason, json_object *o)
{
	struct trust_change ch = { 0 };
	char err[256];
	int rc = nms_observe(k->c->store, k->c->metrics, d->name, ev, reason,
			     &ch, err, sizeof(err));

	if (rc < 0 && !ch.changed) {
		json_object_put(o);
		api_fail(k, 500, "%s", err);
		return -1;
	}
	json_object_object_add(o, "trust", change_json(&ch));
	if (rc < 0)
		json_object_object_add(o, "routes_error", api_string(err));
	snprintf(k->detail, sizeof(k->detail), "%s -> %s%s%s",
		 trust_state_name(ch.from), trust_state_name(ch.to),
		 rc < 0 ? "; routes: " : "", rc < 0 ? err : "");
	return 0;
}

/* The operator, the reason and who asked: what the history keeps. */
static void reason_of(struct api_call *k, const char *what, const char *reason,
		      char *out, size_t len)
{
	snprintf(out, len, "%s by %s%s%s", what,
		 k->q->operator ? k->q->operator : "?", reason[0] ? ": " : "",
		 reason);
}

void api_reset(struct api_call *k)
{
	char reason[API_REASON_MAX + 1], why[API_REASON_MAX + 128];
	struct api_device d;
	json_object *o;

	if (body_reason(k, reason) < 0 || api_find_device(k, &d, NULL) < 0)
		return;
	reason_of(k, "operator", reason, why, sizeof(why));
	o = json_object_new_object();
	json_object_object_add(o, "device", api_string(d.name));
	if (observe(k, &d, TRUST_EV_RESET, why, o) == 0)
		api_reply_json(k, 200, o);
}

/*
 * One implicit attestation now: a TLS handshake with the router's sealed
 * key, applied as the prober's would be. The store's lock is released
 * meanwhile: a silent router costs the probe's timeout, not the API.
 */
static int probe_now(struct api_call *k, const struct api_device *d,
		     json_object *o)
{
	static const enum trust_event ev[] = {
		[PROBE_OK] = TRUST_EV_HANDSHAKE_OK,
		[PROBE_FAILED] = TRUST_EV_HANDSHAKE_FAIL,
		[PROBE_NO_ANSWER] = TRUST_EV_NO_ANSWER,
	};
	struct probe_target t = { d->name, d->endpoint, (unsigned short)d->port,
				  NULL, NULL };
	char why[512], reason[600];
	json_object *p = json_object_new_object();
	enum probe_result r;

	if (k->c->unlock)
		k->c->unlock(k->c->lock_arg);
	r = k->c->probe(&t, why, sizeof(why), k->c->probe_arg);
	if (k->c->lock)
		k->c->lock(k->c->lock_arg);
	json_object_object_add(p, "kind", api_string("implicit"));
	json_object_object_add(p, "result", api_string(probe_result_name(r)));
	json_object_object_add(p, "reason", api_string(why));
	json_object_object_add(o, "probe", p);
	snprintf(reason, sizeof(reason), "implicit attestation (asked by %s): %s",
		 k->q->operator ? k->q->operator : "?", why);
	return observe(k, d, ev[r], reason, o);
}

/*
 * "Attest now". The NMS cannot start a PB-TNC session: routers start
 * them (trustroute-agent attest). What it can do now is the implicit
 * attestation, a handshake the router's TPM must sign with its sealed
 * key; the answer says that this is what was done.
 */
void api_attest(struct api_call *k)
{
	char reason[API_REASON_MAX + 1];
	struct api_device d;
	json_object *o;

	if (body_reason(k, reason) < 0 || api_find_device(k, &d, NULL) < 0)
		return;
	if (!k->c->probe)
		return api_fail(k, 503, "this NMS has no prober");
	if (!d.endpoint[0])
		return api_fail(k, 409,
				"%s has no endpoint to probe (nmsctl endpoint)",
				d.name);
	o = json_object_new_object();
	json_object_object_add(o, "device", api_string(d.name));
	json_object_object_add(
		o, "note",
		api_string(
			"a TLS handshake with the router's sealed key (implicit attestation); "
			"explicit PB-TNC sessions are started by the router"));
	if (probe_now(k, &d, o) == 0)
		api_reply_json(k, 200, o);
}

/*
 * Decommission: every certificate of the router revoked (on the CRL; the
 * prober and the PT-TLS server refuse it), its AK no longer vouches, it
 * cannot enroll again. Then, when it has an endpoint, a probe now, which
 * the revocation fails: the routes leave it at once.
 */
void api_revoke(struct api_call *k)
{
	char reason[API_REASON_MAX + 1], why[API_REASON_MAX + 128], err[256];
	struct api_device d;
	json_object *o;
	int n;

	if (body_reason(k, reason) < 0 || api_find_device(k, &d, NULL) < 0)
		return;
	reason_of(k, "decommissioned", reason, why, sizeof(why));
	n = nms_store_decommission(k->c->store, d.id, why, trust_now_ms(), err,
				   sizeof(err));
	if (n < 0)
		return api_fail(k, 500, "store: %s", err);
	o = json_object_new_object();
	json_object_object_add(o, "device", api_string(d.name));
	json_object_object_add(o, "revoked_certificates",
			       json_object_new_int(n));
	snprintf(k->detail, sizeof(k->detail), "%d certificates revoked", n);
	if (k->c->probe && d.endpoint[0] && probe_now(k, &d, o) < 0)
		return;
	api_reply_json(k, 200, o);
}

/* The CA's CRL of every revoked certificate, made now, valid a day. */
void api_crl(struct api_call *k)
{
	uint8_t *der = NULL;
	size_t len;
	char err[256];
	char *body;

	if (!k->c->ca)
		return api_fail(k, 404, "this NMS serves no CRL");
	if (nms_crl_from_store(k->c->store, k->c->ca, trust_now_ms(), 86400,
			       &der, &len, err, sizeof(err)) < 0) {
		api_fail(k, 500, "%s", err);
		return;
	}
	body = malloc(len ? len : 1);
	if (!body) {
		api_fail(k, 500, "out of memory");
		goto out;
	}
	memcpy(body, der, len);
	api_reply_bytes(k, "application/pkix-crl", body, len);
out:
	OPENSSL_free(der);
}
