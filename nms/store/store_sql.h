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
/* Step an INSERT and finalize it: the new row's id, or -1. */
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
