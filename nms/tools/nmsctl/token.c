// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl token: operators' bearer tokens for the API. The token is
 * printed once, when made; the store keeps only its SHA-256.
 *
 *   nmsctl token add    --db FILE NAME --role admin|read-only
 *   nmsctl token list   --db FILE [--json]
 *   nmsctl token revoke --db FILE NAME
 */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "base/host_name.h"
#include "base/log.h"
#include "nms/api/api_auth.h"
#include "nms/store/store_api.h"
#include "nms/trust/trust_policy.h"
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int add(struct nms_store *s, const char *name, const char *role)
{
	char token[API_TOKEN_LEN + 1], err[256];
	enum api_role r;
	uint8_t hash[32];

	/* A name goes into the audit log: a plain name, as for devices. */
	if (!name[0] || strlen(name) > TR_DEVICE_NAME_MAX ||
	    tr_host_name_span((const uint8_t *)name, strlen(name)) !=
		    strlen(name)) {
		fprintf(stderr,
			"nmsctl: token name \"%s\": letters, digits, '-' and '.' only\n",
			name);
		return 2;
	}
	if (!role || api_role_parse(role, &r) < 0) {
		fprintf(stderr, "nmsctl: --role admin or --role read-only\n");
		return 2;
	}
	if (api_token_new(token) < 0) {
		fprintf(stderr, "nmsctl: no randomness\n");
		return 1;
	}
	api_token_hash(token, strlen(token), hash);
	if (nms_store_token_add(s, name, role, hash, (int64_t)time(NULL), err,
				sizeof(err)) < 0) {
		OPENSSL_cleanse(token, sizeof(token));
		fprintf(stderr, "nmsctl: %s\n", err);
		return 1;
	}
	printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return 0;
}

static int list_row(const struct nms_token_view *t, void *arg)
{
	json_object *a = arg, *o;

	char created[TR_TIME_LEN], revoked[TR_TIME_LEN];

	/* RFC 3339 in UTC, as every nmsctl time. */
	tr_time_rfc3339_s(t->created, created);
	tr_time_rfc3339(t->revoked_ms, revoked);
	if (!a) {
		printf("%-20s %-9s %-7s %s\n", t->name, t->role,
		       t->revoked_ms ? "revoked" : "valid", created);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "role", json_object_new_string(t->role));
	json_object_object_add(o, "created", json_object_new_string(created));
	json_object_object_add(o, "revoked",
			       t->revoked_ms ? json_object_new_string(revoked) :
					       NULL);
	json_object_array_add(a, o);
	return 0;
}

int cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *role = NULL, *verb;
	json_object *arr = NULL;
	bool json = false;
	struct nms_store s;
	char err[256];
	int o, rc;

	if (argc < 2)
		return usage(2);
	verb = argv[1];
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			db = optarg;
		else if (o == 'r')
			role = optarg;
		else if (o == 'j')
			json = true;
		else
			return usage(2);
	}
	if (!db)
		return tr_cli_missing("nmsctl token", "--db FILE");
	if (strcmp(verb, "list") ? optind + 1 != argc : optind != argc)
		return usage(2);
	/* nmsd makes the store: a typo must not make an empty one. */
	if (open_store(&s, db) < 0)
		return 2;
	if (!strcmp(verb, "add")) {
		rc = add(&s, argv[optind], role);
	} else if (!strcmp(verb, "revoke")) {
		rc = nms_store_token_revoke(&s, argv[optind], trust_now_ms(),
					    err, sizeof(err)) < 0;
		if (rc)
			fprintf(stderr, "nmsctl: %s\n", err);
	} else if (!strcmp(verb, "list")) {
		if (json)
			arr = json_object_new_array();
		rc = nms_store_tokens(&s, list_row, arr, err, sizeof(err)) < 0;
		if (rc)
			fprintf(stderr, "nmsctl: %s\n", err);
		if (arr)
			print_json(arr);
	} else {
		rc = usage(2);
	}
	nms_store_close(&s);
	return rc;
}
