// SPDX-License-Identifier: GPL-2.0-only
/* Reference lists and IMA logs for tests (ref_lists.h). */
#include "ref_lists.h"

#include "ima/log.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *list(const char *const *contents, size_t n, size_t *len)
{
	uint8_t d[4][32], *out = NULL;
	char err[128];

	for (size_t i = 0; i < n && i < 4; i++)
		SHA256((const uint8_t *)contents[i], strlen(contents[i]), d[i]);
	if (dl_write(HASH_ALGO_SHA256, 0, &d[0][0], n, &out, len, err,
		     sizeof(err)))
		return NULL;
	return out;
}

int ref_lists_init(struct ref_lists *l)
{
	static const char *const base[] = { "busybox\n", "libc\n" };
	static const char *const app[] = { "routerd\n" };
	static const char *const evil[] = { "rootkit\n" };
	size_t len;
	char err[128];

	memset(l, 0, sizeof(*l));
	l->ref.n = 2;
	l->ref.file[0].data = list(base, 2, &l->ref.file[0].len);
	l->ref.file[0].name = REF_LISTS_DIR "/10-base.list";
	l->ref.file[1].data = list(app, 1, &l->ref.file[1].len);
	l->ref.file[1].name = REF_LISTS_DIR "/20-app.list";
	l->bad_buf = list(evil, 1, &len);
	if (!l->ref.file[0].data || !l->ref.file[1].data || !l->bad_buf ||
	    dl_refset_init(&l->refs, &l->ref, err, sizeof(err)) ||
	    dl_parse(l->bad_buf, len, &l->bad, err, sizeof(err)))
		return -1;
	return 0;
}

void ref_lists_free(struct ref_lists *l)
{
	free((void *)l->ref.file[0].data);
	free((void *)l->ref.file[1].data);
	free(l->bad_buf);
	memset(l, 0, sizeof(*l));
}

static int entry(uint32_t pcr, const uint8_t d[32], const char *name,
		 uint8_t *out, size_t cap, size_t *len)
{
	uint8_t data[512];
	int n = ima_ng_template_data("sha256", d, 32, name, data, sizeof(data));

	if (n <= 0)
		return -1;
	n = ima_log_entry_encode(pcr, "ima-ng", data, (size_t)n, false,
				 out + *len, cap - *len);
	if (n <= 0)
		return -1;
	*len += (size_t)n;
	return 0;
}

size_t ref_log(const struct ref_lists *l, const char *const *run, size_t n,
	       uint8_t *out, size_t cap)
{
	uint8_t d[32];
	size_t len = 0;

	memset(d, 0xba, sizeof(d));
	if (entry(10, d, "boot_aggregate", out, cap, &len) < 0)
		return 0;
	for (size_t i = 0; i < l->ref.n; i++) {
		SHA256(l->ref.file[i].data, l->ref.file[i].len, d);
		if (entry(11, d, l->ref.file[i].name, out, cap, &len) < 0)
			return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char path[128], content[128];

		snprintf(path, sizeof(path), "/usr/bin/%s", run[i]);
		snprintf(content, sizeof(content), "%s\n", run[i]);
		SHA256((const uint8_t *)content, strlen(content), d);
		if (entry(10, d, path, out, cap, &len) < 0)
			return 0;
	}
	return len;
}
