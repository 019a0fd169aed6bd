// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* asprintf */
#include "digest-lists/lib/dl_reference.h"

#include "base/errmsg.h"
#include "base/fileio.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct dl_measured_file *)a)->name,
		      ((const struct dl_measured_file *)b)->name);
}

int dl_list_load(const char *path, struct dl_list_file *l, char *err,
		 size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (read_file_bounded(path, DL_REFERENCE_MAX_BYTES, &l->buf, &l->len) <
	    0)
		return tr_fail(err, errlen, "%s", strerror(errno));
	l->payload = dl_strip_modsig(l->buf, l->len, err, errlen);
	if (l->payload < 0 ||
	    dl_parse(l->buf, (size_t)l->payload, &l->view, err, errlen) < 0)
		return -1;
	return 0;
}

static int load_one(struct dl_measured_file *f, const char *path,
		    const char *name_dir, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	struct dl_list_file l;
	char *name;
	int rc;

	/* A reference the verifier cannot parse would predict a PCR no
	 * router reaches, or hide a list that is not one. */
	rc = dl_list_load(path, &l, err, errlen);
	f->data = l.buf;
	f->len = l.len;
	if (rc < 0)
		return -1;
	base = base ? base + 1 : path;
	if (asprintf(&name, "%s/%s", name_dir, base) < 0)
		return tr_fail(err, errlen, "out of memory");
	f->name = name;
	return 0;
}

int dl_reference_load(struct dl_reference *r, const char *const *paths,
		      size_t n, const char *name_dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (n > DL_REFERENCE_MAX_LISTS)
		return tr_fail(err, errlen, "more than %d reference lists",
			       DL_REFERENCE_MAX_LISTS);
	for (size_t i = 0; i < n; i++) {
		r->n = i + 1;
		if (load_one(&r->file[i], paths[i], name_dir, err, errlen) <
		    0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err);
			dl_reference_free(r);
			return tr_fail(err, errlen, "%s: %s", paths[i], msg);
		}
	}
	/* `digestlist upload` loads them sorted by name. */
	qsort(r->file, r->n, sizeof(r->file[0]), cmp_name);
	for (size_t i = 1; i < r->n; i++)
		if (!strcmp(r->file[i].name, r->file[i - 1].name)) {
			char dup[256];

			snprintf(dup, sizeof(dup), "%s", r->file[i].name);
			dl_reference_free(r);
			return tr_fail(err, errlen, "two lists named %s", dup);
		}
	return 0;
}

void dl_reference_free(struct dl_reference *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((void *)r->file[i].data);
		free((void *)r->file[i].name);
	}
	memset(r, 0, sizeof(*r));
}

struct steps_ctx {
	uint8_t (*out)[32];
	size_t n;
};

static int step(void *ctx, const uint8_t *data, size_t len)
{
	struct steps_ctx *s = ctx;

	SHA256(data, len, s->out[s->n++]);
	return 0;
}

int dl_reference_steps(const struct dl_measured_file *files, size_t n,
		       uint8_t (*out)[32])
{
	struct steps_ctx s = { out, 0 };

	return dl_predict_entries(files, n, step, &s);
}
