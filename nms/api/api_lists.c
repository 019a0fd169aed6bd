// SPDX-License-Identifier: GPL-2.0-only
/* The reference lists in force, described once when nmsd starts. */
#include "nms/api/api_internal.h"

#include "base/errmsg.h"
#include "base/hex.h"
#include "digest-lists/lib/dl_reference.h"

#include <libgen.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *list_json(const char *path, const char *name_dir, char *err,
			      size_t errlen)
{
	struct dl_list_file l = { 0 };
	uint8_t sha[32];
	char hex[65], why[256], name[4096], *copy = strdup(path);
	json_object *o = NULL;

	if (!copy || dl_list_load(path, &l, why, sizeof(why)) < 0) {
		tr_fail(err, errlen, "%s: %s", path, copy ? why : "no memory");
		goto out;
	}
	SHA256(l.buf, l.len, sha);
	tr_hex(hex, sha, 32);
	o = json_object_new_object();
	json_object_object_add(o, "path", api_string(path));
	if (name_dir) {
		/* What IMA records when the router loads it. */
		snprintf(name, sizeof(name), "%s/%s", name_dir, basename(copy));
		json_object_object_add(o, "name", api_string(name));
	}
	json_object_object_add(o, "sha256", api_string(hex));
	json_object_object_add(o, "bytes",
			       json_object_new_int64((int64_t)l.len));
	json_object_object_add(o, "signed",
			       json_object_new_boolean(l.payload >= 0 &&
						       (size_t)l.payload <
							       l.len));
	json_object_object_add(o, "digests",
			       json_object_new_int64(l.view.count));
	json_object_object_add(o, "algorithm",
			       api_string(dl_algo_name(l.view.algo)));
out:
	free(l.buf);
	free(copy);
	return o;
}

char *api_lists_json(const struct api_lists_config *c, char *err, size_t errlen)
{
	json_object *o = json_object_new_object(), *ref, *bad, *l;
	char *out = NULL;

	ref = json_object_new_array();
	bad = json_object_new_array();
	json_object_object_add(o, "reference", ref);
	json_object_object_add(o, "known_bad", bad);
	json_object_object_add(o, "lists_pcr",
			       json_object_new_int(c->lists_pcr));
	json_object_object_add(o, "key_policy", api_string(c->policy_desc));
	for (size_t i = 0; i < c->n_lists; i++) {
		if (!(l = list_json(c->lists[i], c->name_dir, err, errlen)))
			goto out;
		json_object_array_add(ref, l);
	}
	for (size_t i = 0; i < c->n_bad; i++) {
		if (!(l = list_json(c->bad_lists[i], NULL, err, errlen)))
			goto out;
		json_object_array_add(bad, l);
	}
	out = strdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return out;
}
