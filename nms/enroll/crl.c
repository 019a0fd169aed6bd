// SPDX-License-Identifier: GPL-2.0-only
/* The NMS CA's CRL from the store's revoked certificates. */
#include "nms/enroll/crl.h"

#include "base/errmsg.h"
#include "nms/store/store_api.h"

#include <stdio.h>
#include <stdlib.h>

struct crl_walk {
	struct nms_crl_entry *e;
	char (*serial)[80];
	size_t n, cap;
};

static int crl_row(const struct nms_revoked_view *r, void *arg)
{
	struct crl_walk *w = arg;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		void *e = realloc(w->e, cap * sizeof(*w->e));
		void *s = e ? realloc(w->serial, cap * sizeof(*w->serial)) :
			      NULL;

		if (e)
			w->e = e;
		if (!s)
			return -1;
		w->serial = s;
		w->cap = cap;
	}
	snprintf(w->serial[w->n], sizeof(w->serial[0]), "%s", r->serial);
	w->e[w->n].revoked_ms = r->revoked_ms;
	w->n++;
	return 0;
}

int nms_crl_from_store(struct nms_store *s, const struct nms_ca *ca,
		       int64_t now_ms, int64_t next_seconds, uint8_t **der,
		       size_t *len, char *err, size_t errlen)
{
	struct crl_walk w = { 0 };
	char e[256];
	int rc = -1;

	*der = NULL;
	*len = 0;
	if (nms_store_revoked(s, crl_row, &w, e, sizeof(e)) < 0) {
		tr_fail(err, errlen, "store: %s", e);
		goto out;
	}
	for (size_t i = 0; i < w.n; i++)
		w.e[i].serial = w.serial[i];
	if (nms_ca_crl(ca, w.e, w.n, now_ms / 1000, next_seconds, der, len, e,
		       sizeof(e)) < 0) {
		tr_fail(err, errlen, "CRL: %s", e);
		goto out;
	}
	rc = 0;
out:
	free(w.e);
	free(w.serial);
	return rc;
}
