/* SPDX-License-Identifier: GPL-2.0-only */
/* The backends behind nms/store/db.h; not for use outside db*.c. */
#ifndef TR_NMS_DB_IMPL_H
#define TR_NMS_DB_IMPL_H

#include "nms/store/db.h"

struct nms_db_ops {
	int (*prepare)(struct nms_db *db, const char *sql,
		       struct nms_stmt **out);
	/* NULL: the same as prepare */
	int (*prepare_cached)(struct nms_db *db, const char *sql,
			      struct nms_stmt **out);
	void (*bind_int64)(struct nms_stmt *st, int i, int64_t v);
	void (*bind_text)(struct nms_stmt *st, int i, const char *v);
	void (*bind_blob)(struct nms_stmt *st, int i, const void *p, size_t n);
	void (*bind_null)(struct nms_stmt *st, int i);
	int (*param_count)(const struct nms_stmt *st);
	int (*step)(struct nms_stmt *st);
	int (*column_count)(const struct nms_stmt *st);
	enum nms_db_type (*column_type)(const struct nms_stmt *st, int col);
	int64_t (*column_int64)(const struct nms_stmt *st, int col);
	const char *(*column_text)(const struct nms_stmt *st, int col);
	const void *(*column_blob)(const struct nms_stmt *st, int col);
	size_t (*column_bytes)(const struct nms_stmt *st, int col);
	void (*reset)(struct nms_stmt *st);
	void (*finalize)(struct nms_stmt *st);
	int64_t (*changes)(const struct nms_db *db);
	int64_t (*total_changes)(const struct nms_db *db); /* NULL: -1 */
	int (*exec)(struct nms_db *db, const char *sql);
	/* One statement, @sql a literal, kept prepared; NULL: exec */
	int (*exec_literal)(struct nms_db *db, const char *sql);
	bool (*retryable)(const struct nms_db *db);
	bool (*unique_violation)(const struct nms_db *db);
	/* NULL: no nosync commits, sync and warm have nothing to do */
	int (*nosync)(struct nms_db *db, bool on);
	int (*sync)(struct nms_db *db);
	int (*warm)(struct nms_db *db);
	bool (*unsynced)(const struct nms_db *db);
	void (*close)(struct nms_db *db);
};

/* What every backend's connection and statement start with. */
struct nms_db {
	const struct nms_db_ops *ops;
	enum nms_db_kind kind;
	int tx_depth; /* 1 inside BEGIN ... COMMIT */
	char errmsg[512];
};

struct nms_stmt {
	struct nms_db *db;
};

int nms_db_sqlite_open(struct nms_db **db, const char *path, char *err,
		       size_t errlen);
int nms_db_pg_open(struct nms_db **db, const char *conninfo, char *err,
		   size_t errlen);

#endif
