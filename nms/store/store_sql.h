/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers the store's files share; not for use outside nms/store*.c. */
#ifndef TR_NMS_STORE_SQL_H
#define TR_NMS_STORE_SQL_H

#include "nms/store/store.h"

/* "@what: <SQLite's message>" into @err; returns -1. */
int nms_db_fail(struct nms_store *s, char *err, size_t errlen,
		const char *what);
void nms_bind_blob(sqlite3_stmt *st, int i, struct nms_blob b);
int nms_prepare(struct nms_store *s, const char *sql, const char *what,
		char *err, size_t errlen, sqlite3_stmt **out);
/*
 * The same for the hot paths (an observation, its routes): @sql must be
 * a string literal, whose address keys a statement kept prepared for the
 * connection's life, so SQLite parses it once. A statement in use by
 * another thread is not shared: that caller gets one of its own. Give it
 * back with nms_release, never sqlite3_finalize.
 */
int nms_prepare_cached(struct nms_store *s, const char *sql, const char *what,
		       char *err, size_t errlen, sqlite3_stmt **out);
/* Done with @st from either: a cached one is reset and kept, any other
 * finalized. */
void nms_release(struct nms_store *s, sqlite3_stmt *st);
/* Step an INSERT and release it: the new row's id, or -1. */
int64_t nms_step_insert(struct nms_store *s, sqlite3_stmt *st, const char *what,
			char *err, size_t errlen);

/*
 * Migration 5's second half: every EK's key_id from its stored public
 * area, then unique. A store where one TPM was enrolled twice (issue 12)
 * is refused, naming both devices: which one is the router is the
 * operator's call.
 */
int nms_store_migrate_ek_keys(struct nms_store *s, void *arg, char *err,
			      size_t errlen);

#endif
