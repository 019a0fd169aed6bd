// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the operator's API (api_handle) on an in-memory store with
 * two routers, from arbitrary requests. The input is
 *
 *   ROLE-BYTE METHOD '\n' PATH '\n' QUERY '\n' CONTENT-TYPE '\n' BODY
 *
 * (QUERY "k=v&k=v"; a PATH starting with "Bearer " is also tried as an
 * Authorization header). Whatever comes, the answer is one of the
 * statuses the API documents, a JSON answer parses, an unauthenticated
 * caller gets 401 on /api/ and /metrics and changes nothing, a
 * read-only one writes no more than the audit row of a 403, a 405 says
 * what is allowed; else abort().
 */
#include "fuzz.h"
#include "nms/api/api.h"
#include "nms/api/api_auth.h"
#include "nms/store/store_api.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static struct nms_store store;
static struct api_context ctx;

static void init(void)
{
	char err[256];

	if (nms_store_open(&store, ":memory:", err, sizeof(err)) ||
	    nms_db_exec(
		    store.db,
		    "INSERT INTO devices (name, trust, created, updated)"
		    " VALUES ('r1', 'good', 1, 1), ('r2', 'bad', 1, 1);"
		    "INSERT INTO tls_keys (device_id, name, public, policy,"
		    " certified) VALUES (1, x'01', x'02', x'03', 0);"
		    "INSERT INTO certificates (device_id, tls_key_id, serial,"
		    " der, not_after, issued) VALUES (1, 1, 'AB', x'00', 9, 1);"
		    "INSERT INTO sessions (device_id, peer, identity, started,"
		    " ended, verdict, mutual, attested, reasons) VALUES"
		    " (1, 'p', 'r1', 1, 2, 'bad', 0, 1,"
		    " '/x: in no reference list (1); /y: known-bad digest (2)');"
		    "INSERT INTO session_results VALUES (1, 'os', 'good', '[]'),"
		    " (1, 'attestation', 'bad', '[\"/x\", 5, {}]');",
		    err, sizeof(err)) < 0)
		abort();
	ctx = (struct api_context){ .store = &store,
				    .metrics = &trust_metrics_default,
				    .lists_json = "{\"reference\":[]}" };
}

/* The next '\n'-ended field of @in, NUL-terminated in @out. */
static const uint8_t *field(const uint8_t *in, const uint8_t *end, char *out,
			    size_t cap)
{
	size_t n = 0;

	while (in < end && *in != '\n') {
		if (n + 1 < cap)
			out[n++] = (char)*in;
		in++;
	}
	out[n] = 0;
	return in < end ? in + 1 : in;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned ok[] = { 200, 400, 401, 403, 404, 405,
				       409, 413, 415, 500, 503 };
	const uint8_t *p = data, *end = data + size;
	char method[16], path[512], query[512], type[64], *body, *q, *save;
	struct api_request r = { 0 };
	struct api_response resp;
	int changes;
	bool known = false;

	if (!store.db)
		init();
	if (!size)
		return 0;
	r.role = (enum api_role)(*p++ % 3);
	p = field(p, end, method, sizeof(method));
	p = field(p, end, path, sizeof(path));
	p = field(p, end, query, sizeof(query));
	p = field(p, end, type, sizeof(type));
	body = malloc((size_t)(end - p) + 1);
	if (!body)
		abort();
	memcpy(body, p, (size_t)(end - p));
	body[end - p] = 0;
	for (q = strtok_r(query, "&", &save); q;
	     q = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(q, '=');

		if (r.n_args == API_MAX_ARGS) {
			r.too_many_args = true;
			break;
		}
		if (eq)
			*eq++ = 0;
		r.args[r.n_args][0] = q;
		r.args[r.n_args++][1] = eq;
	}
	if (!strncmp(path, "Bearer ", 7)) {
		char who[128], why[256];

		if (api_auth_bearer(&store, path, who, sizeof(who), why,
				    sizeof(why)) != API_ROLE_NONE)
			abort(); /* the store holds no token */
	}
	r.method = method;
	r.path = path;
	r.operator= "fuzz";
	r.content_type = type[0] ? type : NULL;
	r.body = (size_t)(end - p) ? body : NULL;
	r.body_len = (size_t)(end - p);
	r.body_too_large = r.body_len > API_BODY_MAX;
	changes = nms_db_total_changes(store.db);
	api_handle(&ctx, &r, &resp);
	changes = nms_db_total_changes(store.db) - changes;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		known |= resp.status == ok[i];
	if (!known || (resp.len && !resp.body))
		abort();
	if (resp.type && !strcmp(resp.type, "application/json")) {
		json_object *o = json_tokener_parse(resp.body);

		if (!o)
			abort();
		json_object_put(o);
	}
	if (resp.status == 405 && !resp.allow[0])
		abort();
	/* Nobody unauthenticated reaches the API, or changes anything. */
	if ((!strncmp(path, "/api/", 5) || !strcmp(path, "/metrics")) &&
	    r.role == API_ROLE_NONE && resp.status != 401)
		abort();
	if (r.role == API_ROLE_NONE && changes)
		abort();
	/* A read-only caller writes at most the audit row of its 403. */
	if (r.role == API_ROLE_READ &&
	    (changes > 1 || (changes && resp.status != 403)))
		abort();
	fuzz_sink += resp.status;
	api_response_free(&resp);
	free(body);
	return 0;
}
