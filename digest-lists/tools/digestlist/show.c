// SPDX-License-Identifier: GPL-2.0-only
/* digestlist show: what a list holds. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "base/hex.h"
#include "digest-lists/lib/dl_reference.h"
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *list_json(const char *path, const struct dl_list_file *l)
{
	json_object *o = json_object_new_object();
	uint8_t sum[32];
	char h[65];

	SHA256(l->buf, l->len, sum);
	tr_hex(h, sum, 32);
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "sha256", json_object_new_string(h));
	json_object_object_add(
		o, "algo", json_object_new_string(dl_algo_name(l->view.algo)));
	json_object_object_add(o, "count",
			       json_object_new_int64(l->view.count));
	json_object_object_add(
		o, "immutable",
		json_object_new_boolean(l->view.modifiers &
					IMA_DIGEST_LIST_MOD_IMMUTABLE));
	json_object_object_add(o, "appended_signature",
			       json_object_new_boolean((size_t)l->payload !=
						       l->len));
	return o;
}

int cmd_show(int argc, char **argv)
{
	int json = 0, rc = 0;
	json_object *arr = json_object_new_array();
	char err[ERRLEN], h[2 * DL_DIGEST_MAX + 1];

	for (int i = 1; i < argc; i++) {
		struct dl_list_file l;

		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (dl_list_load(argv[i], &l, err, ERRLEN) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", argv[i], err);
			rc = 1;
		} else if (json) {
			json_object *o = list_json(argv[i], &l);
			json_object *d = json_object_new_array();

			for (uint32_t k = 0; k < l.view.count; k++) {
				tr_hex(h,
				       l.view.digests +
					       (size_t)k * l.view.digest_size,
				       l.view.digest_size);
				json_object_array_add(
					d, json_object_new_string(h));
			}
			json_object_object_add(o, "digests", d);
			json_object_array_add(arr, o);
		} else {
			printf("%s: %s, %u digests, %s%s\n", argv[i],
			       dl_algo_name(l.view.algo), l.view.count,
			       l.view.modifiers &
					       IMA_DIGEST_LIST_MOD_IMMUTABLE ?
				       "immutable" :
				       "mutable",
			       (size_t)l.payload != l.len ?
				       ", signed (appended)" :
				       "");
			for (uint32_t k = 0; k < l.view.count; k++) {
				tr_hex(h,
				       l.view.digests +
					       (size_t)k * l.view.digest_size,
				       l.view.digest_size);
				printf("  %s\n", h);
			}
		}
		free(l.buf);
	}
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	return rc;
}
