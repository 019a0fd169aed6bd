/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's state: devices, their EKs, AKs, certified TLS keys, issued
 * certificates, enrollment challenges and an event log, in SQLite (one
 * file, the embedded default) or PostgreSQL (several NMS hosts sharing
 * one database), behind nms/store/db.h. This file opens, migrates and
 * runs transactions; store_enroll.h has the enrollment rows.
 *
 * The schema is versioned (SQLite: PRAGMA user_version; PostgreSQL: the
 * table schema_version) and migrated forward in one transaction when
 * opened. SQLite runs in WAL mode with synchronous=FULL, PostgreSQL with
 * synchronous_commit on, so a transaction that committed survives kill -9
 * and power loss, and one that did not leaves no trace.
 *
 * One exception, for the reroute's critical path, in SQLite:
 * nms_store_tx_nosync commits without waiting for the disk
 * (synchronous=NORMAL for that commit). Its commit has been written to
 * the WAL, into the OS's page cache, when it returns: it survives kill -9
 * of the NMS like any other, and the database stays consistent whatever
 * happens. Only an OS crash or power loss before the next nms_store_sync
 * can take it back, whole. The caller says why that window is safe, and
 * calls nms_store_sync before it tells anyone the change is done. In
 * PostgreSQL every commit is synchronous (nms_store_sync has nothing to
 * do).
 */
#ifndef TR_NMS_STORE_H
#define TR_NMS_STORE_H

#include "nms/store/db.h"

#include <stddef.h>
#include <stdint.h>

#define NMS_SCHEMA_VERSION 9

struct nms_store {
	struct nms_db *db;
};

/*
 * Open (creating if needed) and migrate @path: a SQLite file, or a
 * PostgreSQL database (postgresql://..., or pg:CONNINFO; nms/store/db.h). A database whose schema is newer
 * than this NMS knows is refused, not written to: an older NMS would
 * corrupt what it does not understand.
 */
int nms_store_open(struct nms_store *s, const char *path, char *err,
		   size_t errlen);
/*
 * The same, migrating to schema @version only: for tests of migrations.
 * A PostgreSQL database starts at schema 8 (it came after SQLite's
 * migrations 1 to 8), so there @version is 8 or more.
 */
int nms_store_open_version(struct nms_store *s, const char *path, int version,
			   char *err, size_t errlen);
void nms_store_close(struct nms_store *s);

/* The schema version in the file (0 for a new, empty one). */
int nms_store_version(struct nms_store *s);

/*
 * Run @fn in one transaction: all of it commits or nothing. SQLite takes
 * the write lock at BEGIN (IMMEDIATE); PostgreSQL runs it SERIALIZABLE,
 * and a transaction that lost to a concurrent one is run again from the
 * start (a few times): @fn may run more than once, and only its last run
 * counts. Called inside another nms_store_tx, @fn joins the outer
 * transaction.
 */
typedef int nms_tx_fn(struct nms_store *s, void *arg, char *err, size_t errlen);
int nms_store_tx(struct nms_store *s, nms_tx_fn *fn, void *arg, char *err,
		 size_t errlen);
/*
 * The same, but the commit does not wait for the disk (see above): safe
 * against kill -9, not yet against power loss until nms_store_sync.
 * Inside another transaction it joins it, which commits as that one does.
 */
int nms_store_tx_nosync(struct nms_store *s, nms_tx_fn *fn, void *arg,
			char *err, size_t errlen);
/*
 * Every commit so far on disk: an fsync of the WAL, when a nosync commit
 * is pending (else nothing). Then, when the WAL is due for a checkpoint,
 * the checkpoint that a nosync commit put off, and the WAL's restart
 * with it (see nms_store_warm). 0, or -1 with the reason.
 */
int nms_store_sync(struct nms_store *s, char *err, size_t errlen);
/*
 * For a long-running NMS, before its first observation: the first
 * commit into a new or checkpointed WAL restarts it and syncs its header
 * (and, for a new file, its directory), even with synchronous=NORMAL.
 * This does that now, with a commit that changes nothing, so that the
 * next one, maybe a reroute's, does not wait for the disk. 0, or -1.
 */
int nms_store_warm(struct nms_store *s, char *err, size_t errlen);

/*
 * Inside a transaction: a savepoint @name, rolled back to (undoing what
 * came after it, then released) or released (kept). 0, or -1.
 */
int nms_store_savepoint(struct nms_store *s, const char *name, char *err,
			size_t errlen);
int nms_store_rollback_to(struct nms_store *s, const char *name, char *err,
			  size_t errlen);
int nms_store_release(struct nms_store *s, const char *name, char *err,
		      size_t errlen);

/* A blob in or out of the store. */
struct nms_blob {
	const uint8_t *p;
	size_t n;
};

/*
 * Append to the event log (@device_id 0: not about one device). Returns
 * the event's id, or -1.
 */
int64_t nms_store_event(struct nms_store *s, int64_t device_id,
			const char *kind, const char *detail, char *err,
			size_t errlen);

/* How many events there are (of @kind, or all when NULL); -1 on error. */
int64_t nms_store_event_count(struct nms_store *s, const char *kind);

/* How many store statements failed in this process (every connection). */
uint64_t nms_store_errors(void);

#endif
