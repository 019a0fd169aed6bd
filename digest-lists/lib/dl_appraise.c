// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_appraise.h"

#include "base/errmsg.h"
#include "ima/log.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NOT_REACHED SIZE_MAX

const char *dl_verdict_name(enum dl_verdict v)
{
	return v == DL_GOOD ? "good" : v == DL_UNKNOWN ? "unknown" : "bad";
}

int dl_refset_init(struct dl_refset *s, const struct dl_reference *ref,
		   char *err, size_t errlen)
{
	const char *slash;

	memset(s, 0, sizeof(*s));
	s->ref = ref;
	if (ref->n > DL_REFERENCE_MAX_LISTS)
		return tr_fail(err, errlen, "more than %d reference lists",
			       DL_REFERENCE_MAX_LISTS);
	for (size_t i = 0; i < ref->n; i++) {
		const struct dl_measured_file *f = &ref->file[i];
		long payload = dl_strip_modsig(f->data, f->len, err, errlen);

		if (payload < 0 || dl_parse(f->data, (size_t)payload,
					    &s->view[i], err, errlen) < 0)
			return -1;
		/* IMA measures the file as read: signature included. */
		SHA256(f->data, f->len, s->sha256[i]);
	}
	slash = ref->n ? strrchr(ref->file[0].name, '/') : NULL;
	s->dir_len = slash ? (size_t)(slash - ref->file[0].name) + 1 : 0;
	return 0;
}

/* Untrusted names reach logs and dashboards: no control characters. */
static void printable(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (; src && *src && n + 1 < cap; src++) {
		unsigned char ch = (unsigned char)*src;

		dst[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
	if (src && *src)
		memcpy(dst + cap - 4, "...", 4);
}

/* Keep a reason; when full, a bad one displaces the last unknown one. */
static void note(struct dl_appraisal *a, enum dl_verdict v, long entry,
		 const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void note(struct dl_appraisal *a, enum dl_verdict v, long entry,
		 const char *path, const char *fmt, ...)
{
	struct dl_reason *r;
	size_t j = a->n_reasons;
	va_list ap;

	if (v > a->verdict)
		a->verdict = v;
	if (a->n_reasons == DL_APPRAISE_REASONS) {
		while (v == DL_BAD && j > 0 &&
		       a->reason[j - 1].verdict == DL_BAD)
			j--;
		a->reasons_dropped++;
		if (v != DL_BAD || j == 0)
			return;
		memmove(&a->reason[j - 1], &a->reason[j],
			(a->n_reasons - j) * sizeof(a->reason[0]));
		a->n_reasons--;
	}
	r = &a->reason[a->n_reasons++];
	r->verdict = v;
	r->entry = entry;
	printable(r->path, sizeof(r->path), path);
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	/* The reason may quote the log (a template name): the same. */
	for (char *c = r->why; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

/* The walk over the quoted entries. */
struct walk {
	const struct dl_appraise_policy *p;
	struct dl_appraisal *a;
	unsigned char loaded[DL_REFERENCE_MAX_LISTS];
	long last; /* the reference list loaded last, -1 before any */
};

static bool listed(const struct dl_view *v, size_t n,
		   const struct ima_log_entry *e)
{
	int algo = dl_algo_from_name(e->hash_algo);

	for (size_t i = 0; algo >= 0 && i < n; i++)
		if (v[i].algo == (unsigned)algo &&
		    v[i].digest_size == e->file_digest_len &&
		    dl_contains(&v[i], e->file_digest))
			return true;
	return false;
}

/* The reference list with this content (IMA records its SHA-256). */
static long reference_list(const struct dl_refset *s,
			   const struct ima_log_entry *e)
{
	if (strcmp(e->hash_algo, "sha256") || e->file_digest_len != 32)
		return -1;
	for (size_t i = 0; i < s->ref->n; i++)
		if (!memcmp(s->sha256[i], e->file_digest, 32))
			return (long)i;
	return -1;
}

static void list_entry(struct walk *w, const struct ima_log_entry *e, long k)
{
	const struct dl_reference *ref = w->p->refs->ref;
	struct dl_appraisal *a = w->a;
	long i = (long)e->index;

	if (k < 0) {
		a->bad++;
		note(a, DL_BAD, i, e->file_name,
		     "not a reference list: the files it names run unmeasured");
		return;
	}
	a->lists++;
	if (strcmp(e->file_name, ref->file[k].name))
		note(a, DL_UNKNOWN, i, e->file_name,
		     "reference list %s loaded under another name",
		     ref->file[k].name + w->p->refs->dir_len);
	else if (w->loaded[k])
		note(a, DL_UNKNOWN, i, e->file_name,
		     "reference list loaded again");
	else if (k < w->last)
		note(a, DL_UNKNOWN, i, e->file_name,
		     "reference list loaded out of order (after %s)",
		     ref->file[w->last].name + w->p->refs->dir_len);
	w->loaded[k] = 1;
	if (k > w->last)
		w->last = k;
}

/* The reference list with this SHA-256, or -1. */
static long reference_by_digest(const struct dl_refset *s, const uint8_t *d)
{
	for (size_t i = 0; i < s->ref->n; i++)
		if (!memcmp(s->sha256[i], d, 32))
			return (long)i;
	return -1;
}

/*
 * A record of a list load or unload (the kernel measures one for each):
 * a reference list loaded under its own name is expected; anything else
 * changes the set of lists in force.
 */
static void record_entry(struct walk *w, const struct ima_log_entry *e,
			 const struct ima_dl_record *r)
{
	const struct dl_reference *ref = w->p->refs->ref;
	struct dl_appraisal *a = w->a;
	long i = (long)e->index;
	long k = r->has_digest ? reference_by_digest(w->p->refs, r->sha256) :
				 -1;

	if (r->result) {
		a->unknown++;
		note(a, DL_UNKNOWN, i, r->path, "digest list %s refused (%d)",
		     r->unload ? "unload" : "load", r->result);
	} else if (r->unload) {
		a->unknown++;
		note(a, DL_UNKNOWN, i, r->path, "digest list unloaded");
	} else if (k < 0) {
		a->bad++;
		note(a, DL_BAD, i, r->path,
		     "not a reference list loaded: the files it names run unmeasured");
	} else if (strcmp(r->path, ref->file[k].name)) {
		a->unknown++;
		note(a, DL_UNKNOWN, i, r->path,
		     "reference list %s loaded under another name",
		     ref->file[k].name + w->p->refs->dir_len);
	} else {
		a->known++;
	}
}

static void appraise_entry(struct walk *w, const struct ima_log_entry *e)
{
	const struct dl_refset *refs = w->p->refs;
	struct dl_appraisal *a = w->a;
	long i = (long)e->index, k;
	struct ima_dl_record r;
	char err[160];
	int rec;

	if (i == 0 && e->file_name && !strcmp(e->file_name, "boot_aggregate")) {
		a->known++;
		return;
	}
	if (e->violation) {
		a->violations++;
		a->unknown++;
		note(a, DL_UNKNOWN, i, e->file_name,
		     "violation: measured while open for writing (or an integrity violation), content unknown");
		return;
	}
	rec = ima_dl_record_parse(e, &r, err, sizeof(err));
	if (rec < 0) {
		a->unknown++;
		note(a, DL_UNKNOWN, i, e->file_name, "%s", err);
		return;
	}
	if (rec) {
		record_entry(w, e, &r);
		return;
	}
	if (!e->file_digest) {
		a->unknown++;
		note(a, DL_UNKNOWN, i, NULL,
		     "template %s carries no file digest", e->template_name);
		return;
	}
	if (listed(w->p->bad, w->p->n_bad, e)) {
		a->bad++;
		note(a, DL_BAD, i, e->file_name, "known-bad digest (%s)",
		     e->hash_algo);
		return;
	}
	k = reference_list(refs, e);
	if (k >= 0 ||
	    (refs->dir_len &&
	     !strncmp(e->file_name, refs->ref->file[0].name, refs->dir_len))) {
		list_entry(w, e, k);
		return;
	}
	if (listed(refs->view, refs->ref->n, e)) {
		a->known++;
		return;
	}
	a->unknown++;
	note(a, DL_UNKNOWN, i, e->file_name, "in no reference list (%s)",
	     e->hash_algo);
}

/*
 * Pass 1: replay every entry; find for each IMA PCR the number of its
 * entries after which it holds the quoted value (@cut). Returns false
 * when the log does not hold together (verdict bad).
 */
static bool replay(const uint8_t *log, size_t len,
		   const struct tr_pcr_values *quoted,
		   const struct dl_appraise_policy *p, struct dl_appraisal *a,
		   size_t cut[TR_PCRS])
{
	static const uint8_t zero[32];
	uint8_t run[TR_PCRS][32] = { { 0 } }, event[IMA_LOG_DIGEST_MAX];
	size_t seen[TR_PCRS] = { 0 };
	struct ima_log_cursor c;
	struct ima_log_entry e;
	char msg[200];
	int rc;

	for (int i = 0; i < TR_PCRS; i++)
		cut[i] = p->ima_pcr[i] && !memcmp(quoted->value[i], zero, 32) ?
				 0 :
				 NOT_REACHED;
	ima_log_cursor_init(&c, log, len);
	while ((rc = ima_log_next(&c, &e, msg, sizeof(msg))) == 1) {
		a->entries++;
		if (!p->ima_pcr[e.pcr]) {
			note(a, DL_BAD, (long)e.index, e.file_name,
			     "measured into PCR %u, which the quote does not cover",
			     e.pcr);
			continue;
		}
		if (ima_log_entry_event(&e, "sha256", event, msg, sizeof(msg)) <
		    0) {
			note(a, DL_BAD, (long)e.index, e.file_name,
			     "edited: %s", msg);
			return false;
		}
		ima_pcr_extend("sha256", run[e.pcr], event);
		seen[e.pcr]++;
		if (cut[e.pcr] == NOT_REACHED &&
		    !memcmp(run[e.pcr], quoted->value[e.pcr], 32))
			cut[e.pcr] = seen[e.pcr];
	}
	if (rc < 0) {
		note(a, DL_BAD, -1, NULL, "malformed log: %s", msg);
		return false;
	}
	for (int i = 0; i < TR_PCRS; i++)
		if (p->ima_pcr[i] && cut[i] == NOT_REACHED)
			note(a, DL_BAD, -1, NULL,
			     "replay mismatch: the %zu entries of PCR %d never reach its quoted value",
			     seen[i], i);
	return a->verdict != DL_BAD;
}

int dl_appraise(const uint8_t *log, size_t len,
		const struct tr_pcr_values *quoted,
		const struct dl_appraise_policy *p, struct dl_appraisal *out,
		char *err, size_t errlen)
{
	struct walk w = { .p = p, .a = out, .last = -1 };
	size_t cut[TR_PCRS], seen[TR_PCRS] = { 0 };
	struct ima_log_cursor c;
	struct ima_log_entry e;
	const struct dl_reference *ref;
	bool any = false;

	memset(out, 0, sizeof(*out));
	out->verdict = DL_GOOD;
	if (!p->refs || !p->refs->ref)
		return tr_fail(err, errlen, "no reference lists");
	if (p->n_bad && !p->bad)
		return tr_fail(err, errlen, "no known-bad lists");
	for (int i = 0; i < TR_PCRS; i++) {
		if (p->ima_pcr[i] && !quoted->selected[i])
			return tr_fail(err, errlen,
				       "IMA PCR %d is not in the quote", i);
		any = any || p->ima_pcr[i];
	}
	if (!any)
		return tr_fail(err, errlen, "no IMA PCR");
	if (!replay(log, len, quoted, p, out, cut))
		return 0;

	ima_log_cursor_init(&c, log, len);
	while (ima_log_next(&c, &e, NULL, 0) == 1) {
		if (++seen[e.pcr] > cut[e.pcr]) {
			out->after_quote++;
			continue;
		}
		out->quoted++;
		appraise_entry(&w, &e);
	}
	ref = p->refs->ref;
	for (size_t k = 0; k < ref->n; k++)
		if (!w.loaded[k])
			note(out, DL_UNKNOWN, -1, ref->file[k].name,
			     "reference list not loaded");
	return 0;
}
