// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's API as a function, on a real SQLite store (or, with
 * TRUSTROUTE_TEST_STORE=pg, a PostgreSQL one: tests/lib/pg_fixture.h),
 * no sockets:
 * the order of refusals (401 before 404, 405 with Allow, 403 for a
 * read-only operator, 413/415/400 for bodies, 404 for an unknown device
 * or session) on every route; each resource's JSON; the admin actions
 * (reset through the trust engine, revoke onto the CRL and refused by the
 * store from then on, attest as a probe with the store's lock released)
 * and their audit rows, refused ones included; the files a session's
 * appraisal named, a path with markup kept as text; routes with the ones
 * traffic takes; the event log; /metrics. Tokens: hashed, constant-time
 * matched, revoked, malformed; operator certificates by OU, from the
 * operator CA only, for client authentication only.
 */
#define _GNU_SOURCE /* memmem */
#include "nms/api/api.h"
#include "nms/api/api_auth.h"
#include "nms/store/store_api.h"
#include "nms/store/store_session.h"
#include "nms/store/store_sql.h"
#include "nms/store/store_trust.h"
#include "pg_fixture.h"
#include "test_dir.h"
#include "tr_test.h"

#include <ctype.h>
#include <json-c/json.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

static struct test_dir td;
static struct nms_store store;
static struct nms_ca ca;
static struct api_context ctx;
static int locked, probes;
static enum probe_result probe_answer = PROBE_FAILED;

static void lock(void *arg)
{
	(void)arg;
	assert_int_equal(locked, 0);
	locked = 1;
}

static void unlock(void *arg)
{
	(void)arg;
	assert_int_equal(locked, 1);
	locked = 0;
}

/* A probe that says what the test wants; the store must be unlocked. */
static enum probe_result fake_probe(const struct probe_target *t, char *why,
				    size_t whylen, void *arg)
{
	(void)arg;
	assert_int_equal(locked, 0);
	assert_string_equal(t->address, "192.0.2.11");
	assert_int_equal(t->port, 8444);
	probes++;
	snprintf(why, whylen, "fake probe of %s", t->device);
	return probe_answer;
}

/* @q with SQLite's blob literals (x'0b') as PostgreSQL's ('\x0b'::bytea)
 * on PostgreSQL, into @out. */
static void dialect(const char *q, char *out, size_t cap)
{
	size_t n = 0;
	bool quoted = false, hex = false;

	for (const char *p = q; *p && n + 10 < cap; p++) {
		if (tr_store_is_pg() && !quoted && p[0] == 'x' &&
		    p[1] == '\'' &&
		    (p == q || !isalnum((unsigned char)p[-1]))) {
			n += (size_t)snprintf(out + n, cap - n, "'\\x");
			quoted = hex = true;
			p++;
			continue;
		}
		out[n++] = *p;
		if (*p == '\'') {
			quoted = !quoted;
			if (!quoted && hex) {
				n += (size_t)snprintf(out + n, cap - n,
						      "::bytea");
				hex = false;
			}
		}
	}
	assert_true(n + 10 < cap);
	out[n] = 0;
}

static void sql(const char *q)
{
	char err[512], *d = malloc(2 * strlen(q) + 64);

	assert_non_null(d);
	dialect(q, d, 2 * strlen(q) + 64);
	if (nms_db_exec(store.db, d, err, sizeof(err)) < 0)
		fail_msg("%s: %s", d, err);
	free(d);
}

static int64_t count(const char *q)
{
	struct nms_stmt *st;
	int64_t n = -1;

	assert_int_equal(nms_db_prepare(store.db, q, &st), 0);
	if (nms_db_step(st) == NMS_DB_ROW)
		n = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return n;
}

/* A fresh store: r1 (good, a certificate, an endpoint, two addresses),
 * r2 (bad), hosts A and B converged through both. */
static int setup_each(void **state)
{
	char file[300], err[256];
	const char *path;
	static int n;
	char name[32];

	(void)state;
	snprintf(name, sizeof(name), "api-%d.db", ++n);
	test_dir_path(&td, file, sizeof(file), name);
	path = tr_store_target(file);
	assert_non_null(path);
	if (nms_store_open(&store, path, err, sizeof(err)))
		fail_msg("%s", err);
	sql("INSERT INTO devices (name, trust, trust_reason, trust_since,"
	    " created, updated) VALUES ('r1', 'good', 'attest-ok: good', 1000,"
	    " 1, 1), ('r2', 'bad', 'handshake-fail: PCR policy', 2000, 1, 1);"
	    "INSERT INTO eks (device_id, name, public, cert, key_id)"
	    " VALUES (1, x'0b', x'00', x'', x'aabb');"
	    "INSERT INTO aks (device_id, name, public, activated)"
	    " VALUES (1, x'0c0d', x'00', 5);"
	    "INSERT INTO tls_keys (device_id, name, public, policy, certified)"
	    " VALUES (1, x'01', x'02', x'03', 0);"
	    "INSERT INTO certificates (device_id, tls_key_id, serial, der,"
	    " not_after, issued) VALUES (1, 1, '0A1B2C3D', x'00', 2000000000,"
	    " 100);"
	    "INSERT INTO endpoints (device_id, address, port)"
	    " VALUES (1, '192.0.2.11', 8444);"
	    "INSERT INTO router_addrs VALUES (1, '10.11.0.2'), (1, '10.21.0.1'),"
	    " (2, '10.12.0.2');"
	    "INSERT INTO route_hosts (name, netns) VALUES ('A', 'ns-a'),"
	    " ('B', 'ns-b');"
	    "INSERT INTO route_applied (host_id, device_id, state, metric,"
	    " time_ms) VALUES (1, 1, 'good', 10, 7),"
	    " (1, 2, 'bad', 30, 7), (2, 1, 'good', 10, 7), (2, 2, 'bad', 30, 7);");
	ctx = (struct api_context){ .store = &store,
				    .metrics = &trust_metrics_default,
				    .ca = &ca,
				    .lists_json = "{\"reference\":[]}",
				    .probe = fake_probe,
				    .lock = lock,
				    .unlock = unlock };
	locked = probes = 0;
	probe_answer = PROBE_FAILED;
	return 0;
}

static int teardown_each(void **state)
{
	(void)state;
	nms_store_close(&store);
	return 0;
}

static int setup(void **state)
{
	char p[300], err[256];

	(void)state;
	if (test_dir_make(&td, "trustroute-api"))
		return -1;
	test_dir_path(&td, p, sizeof(p), "ca");
	if (test_dir_sh(&td, "mkdir %s", p) ||
	    nms_ca_create(p, "test CA", "localhost", 30, err, sizeof(err)) ||
	    nms_ca_load(&ca, p, err, sizeof(err)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nms_ca_free(&ca);
	return test_dir_remove(&td);
}

/* A request: "k=v&k=v" arguments after '?' in @url. */
struct req {
	struct api_request q;
	char url[256], buf[256];
};

static void request(struct req *r, enum api_role role, const char *method,
		    const char *url, const char *body, const char *type)
{
	char *qm, *p;

	memset(r, 0, sizeof(*r));
	snprintf(r->url, sizeof(r->url), "%s", url);
	qm = strchr(r->url, '?');
	if (qm) {
		*qm = 0;
		snprintf(r->buf, sizeof(r->buf), "%s", qm + 1);
		for (p = strtok(r->buf, "&"); p; p = strtok(NULL, "&")) {
			char *eq = strchr(p, '=');

			if (r->q.n_args == API_MAX_ARGS) {
				r->q.too_many_args = true;
				break;
			}
			if (eq)
				*eq = 0;
			r->q.args[r->q.n_args][0] = p;
			r->q.args[r->q.n_args++][1] = eq ? eq + 1 : "";
		}
	}
	r->q.method = method;
	r->q.path = r->url;
	r->q.role = role;
	r->q.operator= role == API_ROLE_ADMIN ? "token:alice" : "token:bob";
	r->q.body = body;
	r->q.body_len = body ? strlen(body) : 0;
	r->q.content_type = type;
}

static unsigned call(enum api_role role, const char *method, const char *url,
		     const char *body, json_object **out)
{
	struct req r;
	struct api_response resp;
	unsigned status;

	request(&r, role, method, url, body, body ? "application/json" : NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(locked, 0);
	status = resp.status;
	/* An internal error is the store's or the test's: say which. */
	if (status >= 500)
		print_message("%s %s: %u %.*s\n", method, url, status,
			      (int)resp.len, resp.body ? resp.body : "");
	if (out) {
		*out = NULL;
		if (resp.type && !strcmp(resp.type, "application/json")) {
			*out = json_tokener_parse(resp.body);
			assert_non_null(*out);
		}
	}
	api_response_free(&resp);
	return status;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

/* ---- the order of refusals -------------------------------------------- */

static const char *const api_paths[][2] = {
	{ "GET", "/api/v1/whoami" },
	{ "GET", "/api/v1/devices" },
	{ "GET", "/api/v1/devices/r1" },
	{ "GET", "/api/v1/devices/r1/history" },
	{ "POST", "/api/v1/devices/r1/reset" },
	{ "POST", "/api/v1/devices/r1/revoke" },
	{ "POST", "/api/v1/devices/r1/attest" },
	{ "GET", "/api/v1/sessions" },
	{ "GET", "/api/v1/sessions/1" },
	{ "GET", "/api/v1/routes" },
	{ "GET", "/api/v1/reference-lists" },
	{ "GET", "/api/v1/events" },
	{ "GET", "/api/v1/audit" },
	{ "GET", "/metrics" },
	{ "GET", "/api/v1/nothing-here" },
	{ "GET", "/api" },
};

static void unauthenticated_is_401_everywhere(void **state)
{
	json_object *o;

	(void)state;
	for (size_t i = 0; i < sizeof(api_paths) / sizeof(api_paths[0]); i++) {
		assert_int_equal(call(API_ROLE_NONE, api_paths[i][0],
				      api_paths[i][1], NULL, &o),
				 401);
		assert_string_equal(str(o, "error"), "authentication required");
		json_object_put(o);
	}
	/* Nothing was done or audited for nobody. */
	assert_int_equal(count("SELECT count(*) FROM audit"), 0);
	assert_int_equal(
		count("SELECT count(*) FROM devices WHERE decommissioned <> 0"),
		0);
}

static void public_files_and_unknown_paths(void **state)
{
	struct req r;
	struct api_response resp;

	(void)state;
	request(&r, API_ROLE_NONE, "GET", "/", NULL, NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.type, "text/html; charset=utf-8");
	assert_non_null(memmem(resp.body, resp.len, "/app.js", 7));
	api_response_free(&resp);
	request(&r, API_ROLE_NONE, "GET", "/app.js", NULL, NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.type, "text/javascript; charset=utf-8");
	/* The page never has data parsed as markup. */
	assert_null(memmem(resp.body, resp.len, "innerHTML", 9));
	assert_null(memmem(resp.body, resp.len, "outerHTML", 9));
	assert_null(memmem(resp.body, resp.len, "insertAdjacentHTML", 18));
	assert_null(memmem(resp.body, resp.len, "document.write", 14));
	api_response_free(&resp);
	assert_int_equal(call(API_ROLE_NONE, "GET", "/style.css", NULL, NULL),
			 200);
	assert_int_equal(call(API_ROLE_NONE, "GET", "/nothing", NULL, NULL),
			 404);
	assert_int_equal(call(API_ROLE_NONE, "POST", "/", NULL, NULL), 404);
	assert_int_equal(
		call(API_ROLE_NONE, "GET", "/../etc/passwd", NULL, NULL), 404);
	assert_int_equal(call(API_ROLE_ADMIN, "GET", "/api/v1/nothing", NULL,
			      NULL),
			 404);
	assert_int_equal(call(API_ROLE_ADMIN, "GET", "/api/v1/devices/", NULL,
			      NULL),
			 404);
	assert_int_equal(call(API_ROLE_ADMIN, "GET", "/api/v1/devices//history",
			      NULL, NULL),
			 404);
	request(&r, API_ROLE_ADMIN, "GET", "relative", NULL, NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(resp.status, 400);
	api_response_free(&resp);
}

static void wrong_method_is_405_with_allow(void **state)
{
	static const char *const cases[][3] = {
		{ "DELETE", "/api/v1/devices", "GET" },
		{ "POST", "/api/v1/devices/r1", "GET" },
		{ "GET", "/api/v1/devices/r1/reset", "POST" },
		{ "PUT", "/api/v1/devices/r1/revoke", "POST" },
		{ "GET", "/api/v1/devices/r1/attest", "POST" },
		{ "POST", "/api/v1/sessions", "GET" },
		{ "POST", "/metrics", "GET" },
		{ "PATCH", "/api/v1/audit", "GET" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req r;
		struct api_response resp;

		request(&r, API_ROLE_ADMIN, cases[i][0], cases[i][1], NULL,
			NULL);
		api_handle(&ctx, &r.q, &resp);
		assert_int_equal(resp.status, 405);
		assert_string_equal(resp.allow, cases[i][2]);
		api_response_free(&resp);
	}
	/* A GET of an action changes nothing. */
	assert_int_equal(count("SELECT count(*) FROM trust_history"), 0);
}

static void read_only_cannot_act_and_is_audited(void **state)
{
	static const char *const actions[] = { "reset", "revoke", "attest" };
	json_object *o;
	char url[64];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(url, sizeof(url), "/api/v1/devices/r2/%s", actions[i]);
		assert_int_equal(call(API_ROLE_READ, "POST", url, NULL, &o),
				 403);
		assert_non_null(strstr(str(o, "error"), "admin"));
		json_object_put(o);
	}
	assert_int_equal(
		call(API_ROLE_READ, "GET", "/api/v1/audit", NULL, NULL), 403);
	assert_int_equal(probes, 0);
	assert_int_equal(count("SELECT count(*) FROM trust_history"), 0);
	assert_int_equal(
		count("SELECT count(*) FROM audit WHERE status = 403"
		      " AND operator = 'token:bob' AND role = 'read-only'"
		      " AND target = 'r2'"),
		3);
	/* The audit log keeps what it has. */
	assert_int_not_equal(
		nms_db_exec(store.db, "UPDATE audit SET status = 200", NULL, 0),
		0);
	assert_int_not_equal(
		nms_db_exec(store.db, "DELETE FROM audit", NULL, 0), 0);
	assert_int_equal(count("SELECT count(*) FROM audit"), 3);
}

static void unknown_devices_and_sessions_are_404(void **state)
{
	static const char *const cases[][2] = {
		{ "GET", "/api/v1/devices/r9" },
		{ "GET", "/api/v1/devices/r9/history" },
		{ "POST", "/api/v1/devices/r9/reset" },
		{ "POST", "/api/v1/devices/r9/revoke" },
		{ "POST", "/api/v1/devices/r9/attest" },
		{ "GET", "/api/v1/devices/r1%3Bdrop/history" },
		{ "GET", "/api/v1/devices/<script>" },
		{ "GET", "/api/v1/sessions?device=r9" },
		{ "GET", "/api/v1/sessions/999" },
		{ "GET", "/api/v1/sessions/0" },
		{ "GET", "/api/v1/sessions/-1" },
		{ "GET", "/api/v1/sessions/abc" },
		{ "GET",
		  "/api/v1/devices/"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(call(API_ROLE_ADMIN, cases[i][0], cases[i][1],
				      NULL, NULL),
				 404);
	assert_int_equal(probes, 0);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE status = 404"),
			 3);
}

static void bad_query_arguments_are_400(void **state)
{
	static const char *const cases[] = {
		"/api/v1/sessions?limit=0",
		"/api/v1/sessions?limit=1001",
		"/api/v1/sessions?limit=ten",
		"/api/v1/sessions?limit=",
		"/api/v1/sessions?limit=-5",
		"/api/v1/sessions?limit=99999999999999999999",
		"/api/v1/sessions?before=x",
		"/api/v1/sessions?colour=red",
		"/api/v1/sessions?limit=5&limit=6",
		"/api/v1/events?after=x",
		"/api/v1/devices?x=1",
		"/api/v1/sessions?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
			call(API_ROLE_READ, "GET", cases[i], NULL, NULL), 400);
}

/* Bad bodies, each on every action: none is taken, each is audited. */
static void bad_bodies(void **state)
{
	static const char *const actions[] = { "reset", "revoke", "attest" };
	static const char *const bad[] = {
		"{",
		"{\"reason\": }",
		"[\"reason\"]",
		"\"reset\"",
		"{\"reason\": 5}",
		"{\"reason\": \"x\", \"force\": true}",
		"{\"reason\": \"x\"} {}",
		"{\"reason\": \"a\\nb\"}",
		"{\"reason\": \"\\u0000\"}",
		"{\"reason\": \"\xff\xfe\"}",
		"{'reason': 'x'}",
		"{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
	};
	char url[64], big[API_BODY_MAX + 64], longer[API_REASON_MAX + 32];
	struct req r;
	struct api_response resp;

	(void)state;
	memset(longer, 'x', sizeof(longer));
	memcpy(longer, "{\"reason\":\"", 11);
	memcpy(longer + sizeof(longer) - 3, "\"}", 3);
	for (size_t a = 0; a < 3; a++) {
		snprintf(url, sizeof(url), "/api/v1/devices/r2/%s", actions[a]);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_int_equal(call(API_ROLE_ADMIN, "POST", url,
					      bad[i], NULL),
					 400);
		assert_int_equal(
			call(API_ROLE_ADMIN, "POST", url, longer, NULL), 400);
		/* Not JSON by its type. */
		request(&r, API_ROLE_ADMIN, "POST", url, "{}", "text/plain");
		api_handle(&ctx, &r.q, &resp);
		assert_int_equal(resp.status, 415);
		api_response_free(&resp);
		request(&r, API_ROLE_ADMIN, "POST", url, "{}", NULL);
		api_handle(&ctx, &r.q, &resp);
		assert_int_equal(resp.status, 415);
		api_response_free(&resp);
		/* Too large: as the server flags it, and as a length. */
		request(&r, API_ROLE_ADMIN, "POST", url, "{}",
			"application/json");
		r.q.body_too_large = true;
		api_handle(&ctx, &r.q, &resp);
		assert_int_equal(resp.status, 413);
		api_response_free(&resp);
		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		big[0] = '{';
		big[sizeof(big) - 2] = '}';
		assert_int_equal(call(API_ROLE_ADMIN, "POST", url, big, NULL),
				 413);
	}
	assert_int_equal(probes, 0);
	assert_int_equal(count("SELECT count(*) FROM trust_history"), 0);
	assert_int_equal(
		count("SELECT decommissioned FROM devices WHERE name = 'r2'"),
		0);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE status IN"
			       " (400, 413, 415) AND action IN"
			       " ('reset', 'revoke', 'attest')"),
			 3 * (sizeof(bad) / sizeof(bad[0]) + 5));
}

/* ---- resources ---------------------------------------------------------- */

static void devices_and_history(void **state)
{
	json_object *a, *d, *cert;

	(void)state;
	assert_int_equal(
		call(API_ROLE_READ, "GET", "/api/v1/devices", NULL, &a), 200);
	assert_int_equal(json_object_array_length(a), 2);
	d = json_object_array_get_idx(a, 0);
	assert_string_equal(str(d, "name"), "r1");
	assert_string_equal(str(d, "state"), "good");
	assert_string_equal(str(d, "reason"), "attest-ok: good");
	assert_int_equal(json_object_get_int64(member(d, "since_ms")), 1000);
	assert_string_equal(str(member(d, "enrolled"), "ek_key_id"), "aabb");
	assert_string_equal(str(member(d, "enrolled"), "ak_name"), "0c0d");
	cert = member(d, "certificate");
	assert_string_equal(str(cert, "serial"), "0A1B2C3D");
	assert_int_equal(json_object_get_int64(member(cert, "not_after_ms")),
			 2000000000000LL);
	assert_false(json_object_get_boolean(member(cert, "revoked")));
	assert_string_equal(str(member(d, "endpoint"), "address"),
			    "192.0.2.11");
	assert_int_equal(json_object_array_length(member(d, "addresses")), 2);
	d = json_object_array_get_idx(a, 1);
	assert_string_equal(str(d, "state"), "bad");
	assert_null(member(d, "certificate"));
	assert_null(member(d, "endpoint"));
	json_object_put(a);

	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/devices/r2", NULL,
			      &d),
			 200);
	assert_string_equal(str(d, "reason"), "handshake-fail: PCR policy");
	json_object_put(d);
	assert_int_equal(call(API_ROLE_READ, "GET",
			      "/api/v1/devices/r2/history", NULL, &a),
			 200);
	assert_int_equal(json_object_array_length(a), 0);
	json_object_put(a);
}

static void reset_goes_through_the_trust_engine(void **state)
{
	json_object *o, *a;

	(void)state;
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r2/reset",
			      "{\"reason\": \"reimaged <b>today</b>\"}", &o),
			 200);
	assert_string_equal(str(member(o, "trust"), "from"), "bad");
	assert_string_equal(str(member(o, "trust"), "to"), "unknown");
	/* The hosts' namespaces do not exist: the state changed, the
	 * routes could not follow, and the answer says so. */
	assert_non_null(strstr(str(o, "routes_error"), "ns-a"));
	json_object_put(o);
	assert_int_equal(call(API_ROLE_READ, "GET",
			      "/api/v1/devices/r2/history", NULL, &a),
			 200);
	assert_int_equal(json_object_array_length(a), 1);
	assert_string_equal(
		str(json_object_array_get_idx(a, 0), "reason"),
		"reset: operator by token:alice: reimaged <b>today</b>");
	json_object_put(a);
	/* Again: unknown stays unknown, nothing written but the audit. */
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r2/reset", NULL, &o),
			 200);
	assert_false(
		json_object_get_boolean(member(member(o, "trust"), "changed")));
	json_object_put(o);
	assert_int_equal(count("SELECT count(*) FROM trust_history"), 1);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE action ="
			       " 'reset' AND status = 200 AND target = 'r2'"
			       " AND detail LIKE 'bad -> unknown; routes: %'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM audit"), 2);
}

static void revoke_decommissions(void **state)
{
	struct req r;
	struct api_response resp;
	const unsigned char *p;
	X509_CRL *crl;
	json_object *o;
	char err[256];
	uint8_t key[2] = { 0xaa, 0xbb };

	(void)state;
	assert_int_equal(nms_store_cert_revoked(&store, "0A1B2C3D"), 0);
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r1/revoke",
			      "{\"reason\":\"stolen\"}", &o),
			 200);
	assert_int_equal(json_object_get_int(member(o, "revoked_certificates")),
			 1);
	/* It had an endpoint: probed at once, and (here) the probe fails. */
	assert_int_equal(probes, 1);
	assert_string_equal(str(member(o, "trust"), "to"), "bad");
	json_object_put(o);
	assert_int_equal(nms_store_cert_revoked(&store, "0A1B2C3D"), 1);
	assert_int_equal(nms_store_cert_revoked(&store, "FFFF"), 0);
	assert_int_equal(nms_store_decommissioned(&store, "r1",
						  (struct nms_blob){ key, 0 }),
			 1);
	assert_int_equal(nms_store_decommissioned(&store, "other",
						  (struct nms_blob){ key, 2 }),
			 1);
	assert_int_equal(nms_store_decommissioned(&store, "r2",
						  (struct nms_blob){ key, 1 }),
			 0);
	/* Its AK vouches for nothing any more. */
	{
		uint8_t buf[64];

		assert_int_equal(
			nms_store_device_ak(&store, 1, buf, sizeof(buf)), -1);
	}
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/devices/r1", NULL,
			      &o),
			 200);
	assert_true(json_object_get_boolean(member(o, "decommissioned")));
	assert_true(json_object_get_boolean(
		member(member(o, "certificate"), "revoked")));
	json_object_put(o);
	/* On the CRL, signed by the CA. */
	request(&r, API_ROLE_NONE, "GET", "/crl", NULL, NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.type, "application/pkix-crl");
	p = (const unsigned char *)resp.body;
	crl = d2i_X509_CRL(NULL, &p, (long)resp.len);
	assert_non_null(crl);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(ca.cert)), 1);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(
			X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(
				X509_CRL_get_REVOKED(crl), 0)),
			NULL);
		char *hex = BN_bn2hex(bn);

		assert_string_equal(hex, "0A1B2C3D");
		OPENSSL_free(hex);
		BN_free(bn);
	}
	X509_CRL_free(crl);
	api_response_free(&resp);
	/* Again: nothing more to revoke. */
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r1/revoke", NULL, &o),
			 200);
	assert_int_equal(json_object_get_int(member(o, "revoked_certificates")),
			 0);
	json_object_put(o);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind ="
			       " 'decommissioned'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE action ="
			       " 'revoke' AND status = 200"),
			 2);
	/* Without a CA, no CRL. */
	ctx.ca = NULL;
	assert_int_equal(call(API_ROLE_NONE, "GET", "/crl", NULL, NULL), 404);
	(void)err;
}

static void attest_is_a_probe_now(void **state)
{
	json_object *o;

	(void)state;
	probe_answer = PROBE_OK;
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r1/attest", "{}", &o),
			 200);
	assert_int_equal(probes, 1);
	assert_string_equal(str(member(o, "probe"), "result"), "ok");
	assert_non_null(strstr(str(o, "note"), "implicit attestation"));
	assert_false(
		json_object_get_boolean(member(member(o, "trust"), "changed")));
	json_object_put(o);
	probe_answer = PROBE_NO_ANSWER;
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r1/attest", NULL, &o),
			 200);
	assert_string_equal(str(member(o, "trust"), "to"), "offline");
	json_object_put(o);
	assert_int_equal(count("SELECT count(*) FROM trust_history WHERE"
			       " reason LIKE 'no-answer: implicit attestation"
			       " (asked by token:alice): fake probe of r1'"),
			 1);
	/* r2 has no endpoint: 409, no probe. */
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r2/attest", NULL, NULL),
			 409);
	ctx.probe = NULL;
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r1/attest", NULL, NULL),
			 503);
	assert_int_equal(probes, 2);
	assert_int_equal(
		count("SELECT count(*) FROM audit WHERE action = 'attest'"), 4);
}

static void add_session(int64_t device, const char *verdict_reason,
			enum verdict v)
{
	struct nms_verdict all, os, att;
	struct nms_session_imv imvs[2] = { { "os", &os },
					   { "attestation", &att } };
	struct nms_session_row row = { device, "192.0.2.11", "r1", 10,	 11,
				       &all,   false,	     true, imvs, 2 };
	char err[256];

	verdict_init(&os);
	verdict_init(&att);
	verdict_add(&att, v, "%s", verdict_reason);
	verdict_add(&att, VERDICT_BAD,
		    "/usr/sbin/rootkit: known-bad digest (ab12)");
	verdict_init(&all);
	verdict_merge(&all, &os);
	verdict_merge(&all, &att);
	if (nms_store_session_add(&store, &row, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void sessions_say_why(void **state)
{
	json_object *a, *s, *imvs, *files;

	(void)state;
	add_session(
		1,
		"/tmp/<img src=x onerror=alert(1)>: in no reference list (0123)",
		VERDICT_UNKNOWN);
	add_session(0, "/x: a: in no reference list: in no reference list (9)",
		    VERDICT_BAD);
	assert_int_equal(
		call(API_ROLE_READ, "GET", "/api/v1/sessions", NULL, &a), 200);
	assert_int_equal(json_object_array_length(a), 2);
	/* Newest first; the second names no proven device. */
	assert_int_equal(json_object_get_int(
				 member(json_object_array_get_idx(a, 0), "id")),
			 2);
	assert_null(member(json_object_array_get_idx(a, 0), "device"));
	json_object_put(a);
	assert_int_equal(call(API_ROLE_READ, "GET",
			      "/api/v1/sessions?device=r1&limit=5", NULL, &a),
			 200);
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(a);
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/sessions?before=2",
			      NULL, &a),
			 200);
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(a);

	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/sessions/1", NULL,
			      &s),
			 200);
	imvs = member(s, "imvs");
	assert_int_equal(json_object_array_length(imvs), 2);
	assert_string_equal(str(json_object_array_get_idx(imvs, 1), "verdict"),
			    "bad");
	assert_int_equal(
		json_object_array_length(
			member(json_object_array_get_idx(imvs, 1), "reasons")),
		2);
	/* The path, markup and all, as text: escaping is the page's job,
	 * and the API must hand it over intact. */
	files = member(s, "unknown_files");
	assert_int_equal(json_object_array_length(files), 1);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(files, 0)),
		"/tmp/<img src=x onerror=alert(1)>");
	files = member(s, "bad_files");
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(files, 0)),
		"/usr/sbin/rootkit");
	json_object_put(s);
	/* The last marker counts: a path that holds one stays whole. */
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/sessions/2", NULL,
			      &s),
			 200);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    member(s, "unknown_files"), 0)),
			    "/x: a: in no reference list");
	json_object_put(s);
}

static void routes_say_which_traffic_takes(void **state)
{
	json_object *o, *rs;

	(void)state;
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/routes", NULL, &o),
			 200);
	assert_int_equal(json_object_array_length(member(o, "hosts")), 2);
	rs = member(o, "routes");
	assert_int_equal(json_object_array_length(rs), 4);
	for (size_t i = 0; i < 4; i++) {
		json_object *r = json_object_array_get_idx(rs, i);

		assert_int_equal(
			json_object_get_boolean(member(r, "preferred")),
			!strcmp(str(r, "via"), "r1"));
	}
	json_object_put(o);
}

static void events_after(void **state)
{
	json_object *o;
	int64_t last;
	char url[64];

	(void)state;
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/events", NULL, &o),
			 200);
	last = json_object_get_int64(member(o, "last"));
	json_object_put(o);
	assert_int_equal(call(API_ROLE_ADMIN, "POST",
			      "/api/v1/devices/r2/reset", NULL, NULL),
			 200);
	snprintf(url, sizeof(url), "/api/v1/events?after=%lld",
		 (long long)last);
	assert_int_equal(call(API_ROLE_READ, "GET", url, NULL, &o), 200);
	assert_int_equal(json_object_array_length(member(o, "events")), 1);
	assert_string_equal(
		str(json_object_array_get_idx(member(o, "events"), 0), "kind"),
		"trust");
	assert_string_equal(
		str(json_object_array_get_idx(member(o, "events"), 0),
		    "device"),
		"r2");
	assert_int_equal(json_object_get_int64(member(o, "last")), last + 1);
	assert_int_equal(json_object_get_int64(member(o, "last_session")), 0);
	json_object_put(o);
	/* A session that changes no state is seen by its id. */
	add_session(2, "x", VERDICT_BAD);
	assert_int_equal(call(API_ROLE_READ, "GET", url, NULL, &o), 200);
	assert_int_equal(json_object_get_int64(member(o, "last_session")), 1);
	json_object_put(o);
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/reference-lists",
			      NULL, &o),
			 200);
	assert_non_null(member(o, "reference"));
	json_object_put(o);
	assert_int_equal(call(API_ROLE_READ, "GET", "/api/v1/whoami", NULL, &o),
			 200);
	assert_string_equal(str(o, "role"), "read-only");
	assert_string_equal(str(o, "operator"), "token:bob");
	json_object_put(o);
	assert_int_equal(call(API_ROLE_ADMIN, "GET", "/api/v1/audit?limit=1",
			      NULL, &o),
			 200);
	assert_int_equal(json_object_array_length(o), 1);
	assert_string_equal(str(json_object_array_get_idx(o, 0), "action"),
			    "reset");
	json_object_put(o);
}

static void metrics_text(void **state)
{
	struct req r;
	struct api_response resp;
	char *text;

	(void)state;
	add_session(1, "x", VERDICT_UNKNOWN);
	request(&r, API_ROLE_READ, "GET", "/metrics", NULL, NULL);
	api_handle(&ctx, &r.q, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.type,
			    "text/plain; version=0.0.4; charset=utf-8");
	text = strndup(resp.body, resp.len);
	assert_non_null(
		strstr(text, "\ntrustroute_devices{state=\"good\"} 1\n"));
	assert_non_null(
		strstr(text, "\ntrustroute_devices{state=\"bad\"} 1\n"));
	assert_non_null(strstr(
		text, "\ntrustroute_sessions_total{verdict=\"bad\"} 1\n"));
	assert_non_null(strstr(
		text, "\ntrustroute_sessions_total{verdict=\"good\"} 0\n"));
	assert_non_null(strstr(
		text, "# TYPE trustroute_probe_duration_seconds histogram\n"));
	assert_non_null(strstr(
		text,
		"trustroute_probe_duration_seconds_bucket{result=\"ok\",le=\"+Inf\"} "));
	assert_non_null(strstr(
		text,
		"trustroute_refusals_total{service=\"api\",reason=\"unauthenticated\"} "));
	assert_non_null(strstr(
		text,
		"trustroute_refusals_total{service=\"pt-tls\",reason=\"revoked\"} "));
	assert_non_null(strstr(text, "\ntrustroute_store_errors_total "));
	assert_non_null(strstr(text, "\ntrustroute_route_changes_total 0\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	api_response_free(&resp);
}

/* ---- credentials -------------------------------------------------------- */

static void bearer_tokens(void **state)
{
	char tok[API_TOKEN_LEN + 1], tok2[API_TOKEN_LEN + 1], hdr[128],
		who[128], why[256], err[256];
	uint8_t h[32];

	(void)state;
	assert_int_equal(api_token_new(tok), 0);
	assert_int_equal(strlen(tok), API_TOKEN_LEN);
	assert_int_equal(api_token_new(tok2), 0);
	assert_string_not_equal(tok, tok2);
	api_token_hash(tok, strlen(tok), h);
	assert_true(nms_store_token_add(&store, "alice", "admin", h, 1, err,
					sizeof(err)) > 0);
	api_token_hash(tok2, strlen(tok2), h);
	assert_true(nms_store_token_add(&store, "bob", "read-only", h, 1, err,
					sizeof(err)) > 0);
	/* A name once, a hash once, a role of the two. */
	assert_int_equal(nms_store_token_add(&store, "alice", "admin", h, 1,
					     err, sizeof(err)),
			 -1);
	h[0] ^= 1;
	assert_int_equal(nms_store_token_add(&store, "eve", "root", h, 1, err,
					     sizeof(err)),
			 -1);
	/* Only the hash is stored. */
	assert_int_equal(count("SELECT count(*) FROM api_tokens WHERE"
			       " length(hash) = 32"),
			 2);
	snprintf(hdr, sizeof(hdr), "Bearer %s", tok);
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_ADMIN);
	assert_string_equal(who, "token:alice");
	snprintf(hdr, sizeof(hdr), "bearer %s", tok2);
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_READ);
	assert_string_equal(who, "token:bob");
	/* One character off, too short, other schemes: refused. */
	hdr[sizeof("bearer ") + 10] ^= 1;
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	snprintf(hdr, sizeof(hdr), "Bearer %s", tok);
	hdr[strlen(hdr) - 1] = hdr[strlen(hdr) - 1] == 'a' ? 'b' : 'a';
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	assert_string_equal(why, "unknown token");
	assert_string_equal(who, "");
	hdr[strlen(hdr) - 1] = 0;
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	assert_string_equal(why, "malformed token");
	snprintf(hdr, sizeof(hdr), "Basic %s", tok);
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	assert_int_equal(api_auth_bearer(&store, NULL, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	/* Revoked: refused from then on. */
	assert_int_equal(nms_store_token_revoke(&store, "alice", 9, err,
						sizeof(err)),
			 0);
	assert_int_equal(nms_store_token_revoke(&store, "alice", 9, err,
						sizeof(err)),
			 -1);
	assert_int_equal(nms_store_token_revoke(&store, "nobody", 9, err,
						sizeof(err)),
			 -1);
	snprintf(hdr, sizeof(hdr), "Bearer %s", tok);
	assert_int_equal(api_auth_bearer(&store, hdr, who, sizeof(who), why,
					 sizeof(why)),
			 API_ROLE_NONE);
	assert_string_equal(why, "token \"alice\" was revoked");
}

/* A certificate made with the openssl CLI, as DER in @out. */
static struct nms_blob cert_der(const char *name, uint8_t **out)
{
	char p[300];
	size_t len;

	test_dir_path(&td, p, sizeof(p), name);
	*out = test_read_buf(p, 1 << 16, &len);
	return (struct nms_blob){ *out, len };
}

/* admin.der's twin, by the operator CA, but valid only in 2020 (the
 * openssl CLI of Debian 12 cannot date a certificate in the past). */
static void expired_cert(void)
{
	char p[300];
	FILE *f;
	EVP_PKEY *key;
	X509 *issuer, *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_EXTENSION *eku;
	unsigned char *der = NULL;
	int len;

	test_dir_path(&td, p, sizeof(p), "op.key");
	f = fopen(p, "r");
	assert_non_null(f);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	test_dir_path(&td, p, sizeof(p), "op.pem");
	f = fopen(p, "r");
	assert_non_null(f);
	issuer = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	assert_non_null(issuer);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"old", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC,
				   (const unsigned char *)"admin", -1, -1, 0);
	eku = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, "clientAuth");
	assert_true(X509_set_version(x, 2) &&
		    ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
		    X509_set_subject_name(x, n) &&
		    X509_set_issuer_name(x, X509_get_subject_name(issuer)) &&
		    ASN1_TIME_set(X509_getm_notBefore(x), 1577836800) &&
		    ASN1_TIME_set(X509_getm_notAfter(x), 1577923200) &&
		    X509_set_pubkey(x, key) && eku &&
		    X509_add_ext(x, eku, -1) &&
		    X509_sign(x, key, EVP_sha256()));
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	test_dir_path(&td, p, sizeof(p), "expired.der");
	test_write_buf(p, der, (size_t)len);
	OPENSSL_free(der);
	X509_EXTENSION_free(eku);
	X509_NAME_free(n);
	X509_free(x);
	X509_free(issuer);
	EVP_PKEY_free(key);
}

static void operator_certificates(void **state)
{
	static const struct {
		const char *file;
		enum api_role role;
		const char *why;
	} cases[] = {
		{ "admin.der", API_ROLE_ADMIN, NULL },
		{ "reader.der", API_ROLE_READ, NULL },
		{ "norole.der", API_ROLE_NONE, "one role, in one OU" },
		{ "tworoles.der", API_ROLE_NONE, "one role, in one OU" },
		{ "root.der", API_ROLE_NONE, NULL },
		{ "server.der", API_ROLE_NONE,
		  "unsuitable certificate purpose" },
		{ "expired.der", API_ROLE_NONE, "certificate has expired" },
		{ "stranger.der", API_ROLE_NONE, "unable to get local issuer" },
	};
	char p[300], err[256], who[128], why[256];
	X509_STORE *cas;

	(void)state;
	td.log_stdout = true;
	/* The operator CA, and leaves: by role, without one, with two, for
	 * servers only, expired, and one from another CA with OU=admin. */
	if (test_dir_sh(
		    &td,
		    "{ cd %s && K='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes' &&"
		    " openssl req -x509 $K -keyout op.key -out op.pem -subj '/CN=ops CA' -days 2 &&"
		    " openssl req -x509 $K -keyout st.key -out st.pem -subj '/CN=other CA' -days 2 &&"
		    " leaf() { openssl req $K -keyout $1.key -out $1.csr -subj \"$2\" &&"
		    "  printf 'extendedKeyUsage=%%s\\n' $3 >$1.ext &&"
		    "  openssl x509 -req -in $1.csr -CA ${5:-op}.pem -CAkey ${5:-op}.key -CAcreateserial"
		    "   -days ${4:-1} -extfile $1.ext -out $1.pem &&"
		    "  openssl x509 -in $1.pem -outform DER -out $1.der; } &&"
		    " leaf admin '/CN=alice/OU=admin' clientAuth &&"
		    " leaf reader '/CN=bob/OU=read-only' clientAuth &&"
		    " leaf norole '/CN=carol' clientAuth &&"
		    " leaf tworoles '/CN=dave/OU=read-only/OU=admin' clientAuth &&"
		    " leaf server '/CN=web/OU=admin' serverAuth &&"
		    " leaf stranger '/CN=mallory/OU=admin' clientAuth 1 st &&"
		    " openssl x509 -in op.pem -outform DER -out root.der; }",
		    td.dir))
		fail_msg("%s", test_dir_log(&td));
	expired_cert();
	test_dir_path(&td, p, sizeof(p), "op.pem");
	cas = api_operator_cas(p, err, sizeof(err));
	assert_non_null(cas);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *buf;
		struct nms_blob der = cert_der(cases[i].file, &buf);

		assert_int_equal(api_auth_cert(cas, &der, 1, who, sizeof(who),
					       why, sizeof(why)),
				 cases[i].role);
		if (cases[i].why && !strstr(why, cases[i].why))
			fail_msg("%s: \"%s\", not \"%s\"", cases[i].file, why,
				 cases[i].why);
		free(buf);
	}
	{
		uint8_t *buf;
		struct nms_blob der = cert_der("admin.der", &buf);

		assert_int_equal(api_auth_cert(cas, &der, 1, who, sizeof(who),
					       why, sizeof(why)),
				 API_ROLE_ADMIN);
		assert_string_equal(who, "cert:alice");
		/* Not DER, nothing, no CA. */
		der.n--;
		assert_int_equal(api_auth_cert(cas, &der, 1, who, sizeof(who),
					       why, sizeof(why)),
				 API_ROLE_NONE);
		assert_int_equal(api_auth_cert(cas, &der, 0, who, sizeof(who),
					       why, sizeof(why)),
				 API_ROLE_NONE);
		der.n++;
		assert_int_equal(api_auth_cert(NULL, &der, 1, who, sizeof(who),
					       why, sizeof(why)),
				 API_ROLE_NONE);
		free(buf);
	}
	X509_STORE_free(cas);
	test_dir_path(&td, p, sizeof(p), "nothing.pem");
	assert_null(api_operator_cas(p, err, sizeof(err)));
}

static void roles(void **state)
{
	enum api_role r;

	(void)state;
	assert_int_equal(api_role_parse("admin", &r), 0);
	assert_int_equal(r, API_ROLE_ADMIN);
	assert_int_equal(api_role_parse("read-only", &r), 0);
	assert_int_equal(r, API_ROLE_READ);
	assert_int_equal(api_role_parse("none", &r), -1);
	assert_int_equal(api_role_parse("Admin", &r), -1);
	assert_string_equal(api_role_name(API_ROLE_NONE), "none");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_each, teardown_each)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(unauthenticated_is_401_everywhere),
		T(public_files_and_unknown_paths),
		T(wrong_method_is_405_with_allow),
		T(read_only_cannot_act_and_is_audited),
		T(unknown_devices_and_sessions_are_404),
		T(bad_query_arguments_are_400),
		T(bad_bodies),
		T(devices_and_history),
		T(reset_goes_through_the_trust_engine),
		T(revoke_decommissions),
		T(attest_is_a_probe_now),
		T(sessions_say_why),
		T(routes_say_which_traffic_takes),
		T(events_after),
		T(metrics_text),
		T(bearer_tokens),
		T(operator_certificates),
		T(roles),
	};

	return TR_RUN(tests, setup, teardown);
}
