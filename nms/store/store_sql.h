/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers the store's files share; not for use outside nms/store*.c. */
#ifndef TR_NMS_STORE_SQL_H
#define TR_NMS_STORE_SQL_H

#include "nms/store/store.h"

/* "@what: <the database's message>" into @err; returns -1. */
int nms_sql_fail(struct nms_store *s, char *err, size_t errlen,
		 const char *what);
void nms_bind_blob(struct nms_stmt *st, int i, struct nms_blob b);
int nms_prepare(struct nms_store *s, const char *sql, const char *what,
		char *err, size_t errlen, struct nms_stmt **out);
/*
 * The same for the hot paths (an observation, its routes): @sql must be
 * a string literal, kept prepared for the connection's life
 * (nms_db_prepare_cached). nms_db_finalize gives it back.
 */
int nms_prepare_cached(struct nms_store *s, const char *sql, const char *what,
		       char *err, size_t errlen, struct nms_stmt **out);
/* Step an INSERT ... RETURNING id and finalize it: the id, or -1. */
int64_t nms_step_insert(struct nms_store *s, struct nms_stmt *st,
			const char *what, char *err, size_t errlen);
/* Step a statement without rows and finalize it: 0, or -1. */
int nms_step_done(struct nms_store *s, struct nms_stmt *st, const char *what,
		  char *err, size_t errlen);

/*
 * Step @st to its end, handing each row to @row, which returns 0 to go
 * on, non-zero to stop, negative for a row it cannot read; then
 * finalize. The number of rows handed over, or -1 with @what in @err (a
 * row that cannot be read: "@what: a row holds an unknown @noun").
 */
typedef int nms_row_fn(struct nms_stmt *st, void *arg);
int nms_each_row(struct nms_store *s, struct nms_stmt *st, nms_row_fn *row,
		 void *arg, const char *what, const char *noun, char *err,
		 size_t errlen);

/*
 * Migration 5's second half: every EK's key_id from its stored public
 * area, then unique. A store where one TPM was enrolled twice (issue 12)
 * is refused, naming both devices: which one is the router is the
 * operator's call.
 */
int nms_store_migrate_ek_keys(struct nms_store *s, void *arg, char *err,
			      size_t errlen);

#endif
