/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's state in SQLite: devices, their EKs, AKs, certified TLS keys,
 * issued certificates, enrollment challenges and an event log. This file
 * opens, migrates and runs transactions; store_enroll.h has the
 * enrollment rows.
 *
 * The schema is versioned (PRAGMA user_version) and migrated forward in
 * one transaction when opened. The database runs in WAL mode with
 * synchronous=FULL, so a transaction that committed survives kill -9 and
 * power loss, and one that did not leaves no trace.
 */
#ifndef TR_NMS_STORE_H
#define TR_NMS_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define NMS_SCHEMA_VERSION 7

struct nms_store {
	sqlite3 *db;
};

/*
 * Open (creating if needed) and migrate. A database whose schema is newer
 * than this NMS knows is refused, not written to: an older NMS would
 * corrupt what it does not understand.
 */
int nms_store_open(struct nms_store *s, const char *path, char *err,
		   size_t errlen);
/* The same, migrating to schema @version only: for tests of migrations. */
int nms_store_open_version(struct nms_store *s, const char *path, int version,
			   char *err, size_t errlen);
void nms_store_close(struct nms_store *s);

/* The schema version in the file (0 for a new, empty one). */
int nms_store_version(struct nms_store *s);

/*
 * Run @fn in one IMMEDIATE transaction: all of it commits or nothing.
 * Called inside another nms_store_tx, @fn joins the outer transaction.
 */
typedef int nms_tx_fn(struct nms_store *s, void *arg, char *err, size_t errlen);
int nms_store_tx(struct nms_store *s, nms_tx_fn *fn, void *arg, char *err,
		 size_t errlen);

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
