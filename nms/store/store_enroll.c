// SPDX-License-Identifier: GPL-2.0-only
/*
 * Enrollment rows in the NMS store: devices and EKs, AKs, challenges,
 * certified TLS keys and certificates.
 */
#include "nms/store/store_enroll.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The device that owns the EK @ek_name, 0 if none, -1 on error. */
static int64_t device_of_ek(struct nms_store *s, struct nms_blob ek_name,
			    const char **owner, char *ownerbuf, size_t ownerlen)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT d.id, d.name FROM eks e"
			       " JOIN devices d ON d.id = e.device_id"
			       " WHERE e.name = ?",
			       -1, &st, NULL))
		return -1;
	nms_bind_blob(st, 1, ek_name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(ownerbuf, ownerlen, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		*owner = ownerbuf;
	} else if (rc == SQLITE_DONE) {
		id = 0;
	}
	sqlite3_finalize(st);
	return id;
}

struct device_args {
	const char *name;
	struct nms_blob ek_name, ek_pub, ek_cert;
	int64_t id;
};

static int device_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct device_args *a = arg;
	char ownerbuf[256];
	const char *owner = NULL;
	sqlite3_stmt *st;
	int64_t now = (int64_t)time(NULL);

	a->id = device_of_ek(s, a->ek_name, &owner, ownerbuf, sizeof(ownerbuf));
	if (a->id < 0)
		return nms_db_fail(s, err, errlen, "looking up the EK");
	if (a->id > 0) {
		/* The same TPM under another name would be two identities
		 * for one router: refused. */
		if (strcmp(owner, a->name))
			return tr_fail(
				err, errlen,
				"this EK is already enrolled as device \"%s\"",
				owner);
		return 0;
	}
	if (nms_prepare(s,
			"INSERT INTO devices (name, created, updated)"
			" VALUES (?, ?, ?)",
			"devices", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now);
	a->id = nms_step_insert(s, st, "adding the device (name taken?)", err,
				errlen);
	if (a->id < 0)
		return -1;
	if (nms_prepare(s,
			"INSERT INTO eks (device_id, name, public, cert)"
			" VALUES (?, ?, ?, ?)",
			"eks", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, a->id);
	nms_bind_blob(st, 2, a->ek_name);
	nms_bind_blob(st, 3, a->ek_pub);
	nms_bind_blob(st, 4, a->ek_cert);
	return nms_step_insert(s, st, "adding the EK", err, errlen) < 0 ? -1 :
									  0;
}

int64_t nms_store_device_for_ek(struct nms_store *s, const char *name,
				struct nms_blob ek_name, struct nms_blob ek_pub,
				struct nms_blob ek_cert, char *err,
				size_t errlen)
{
	struct device_args a = { name, ek_name, ek_pub, ek_cert, -1 };

	if (!name || !*name || !ek_name.n)
		return tr_fail(err, errlen, "a device needs a name and an EK");
	if (nms_store_tx(s, device_tx, &a, err, errlen) < 0)
		return -1;
	return a.id;
}

/*
 * The owner of the row in @table named @name: its id and device, 0 when
 * there is none, -1 on error.
 */
static int64_t owned_row(struct nms_store *s, const char *sql,
			 struct nms_blob name, int64_t *device_id)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return -1;
	nms_bind_blob(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		*device_id = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		id = 0;
	}
	sqlite3_finalize(st);
	return id;
}

int64_t nms_store_ak(struct nms_store *s, int64_t device_id,
		     struct nms_blob name, struct nms_blob pub, char *err,
		     size_t errlen)
{
	int64_t owner = 0, id;
	sqlite3_stmt *st;

	id = owned_row(s, "SELECT id, device_id FROM aks WHERE name = ?", name,
		       &owner);
	if (id < 0)
		return nms_db_fail(s, err, errlen, "looking up the AK");
	/* One AK vouching for two devices would let one TPM's evidence
	 * stand for another router. */
	if (id > 0 && owner != device_id)
		return tr_fail(
			err, errlen,
			"this AK is already enrolled for another device");
	if (id > 0)
		return id;
	if (nms_prepare(
		    s,
		    "INSERT INTO aks (device_id, name, public) VALUES (?, ?, ?)",
		    "aks", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	nms_bind_blob(st, 2, name);
	nms_bind_blob(st, 3, pub);
	return nms_step_insert(s, st, "adding the AK", err, errlen);
}

/* Run an UPDATE/DELETE that must change exactly one row. */
static int step_one(struct nms_store *s, sqlite3_stmt *st, const char *what,
		    char *err, size_t errlen)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return nms_db_fail(s, err, errlen, what);
	if (sqlite3_changes(s->db) != 1)
		return tr_fail(err, errlen, "%s: no such row", what);
	return 0;
}

int nms_store_ak_activated(struct nms_store *s, int64_t ak_id, int64_t when,
			   char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (nms_prepare(s, "UPDATE aks SET activated = ? WHERE id = ?", "aks",
			err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, when);
	sqlite3_bind_int64(st, 2, ak_id);
	return step_one(s, st, "marking the AK activated", err, errlen);
}

int nms_store_challenge_add(struct nms_store *s, struct nms_blob nonce,
			    const struct nms_challenge *c, char *err,
			    size_t errlen)
{
	sqlite3_stmt *st;

	if (nms_prepare(s,
			"INSERT INTO challenges"
			" (device_id, ak_id, nonce, secret_hash, expires)"
			" VALUES (?, ?, ?, ?, ?)",
			"challenges", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->device_id);
	sqlite3_bind_int64(st, 2, c->ak_id);
	nms_bind_blob(st, 3, nonce);
	sqlite3_bind_blob(st, 4, c->secret_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->expires);
	return nms_step_insert(s, st, "adding the challenge", err, errlen) < 0 ?
		       -1 :
		       0;
}

int nms_store_challenge_take(struct nms_store *s, struct nms_blob nonce,
			     int64_t now, struct nms_challenge *c, char *err,
			     size_t errlen)
{
	bool found = false;
	sqlite3_stmt *st;
	int rc;

	/* One statement, atomic on its own: two answers racing for the
	 * same challenge cannot both get it. */
	if (nms_prepare(s,
			"DELETE FROM challenges WHERE nonce = ?"
			" RETURNING device_id, ak_id, secret_hash, expires",
			"challenges", err, errlen, &st) < 0)
		return -1;
	nms_bind_blob(st, 1, nonce);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 2) == 32 &&
	    sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
		found = true;
		c->device_id = sqlite3_column_int64(st, 0);
		c->ak_id = sqlite3_column_int64(st, 1);
		memcpy(c->secret_hash, sqlite3_column_blob(st, 2), 32);
		c->expires = sqlite3_column_int64(st, 3);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return nms_db_fail(s, err, errlen, "taking the challenge");
	if (!found)
		return tr_fail(err, errlen,
			       "unknown or already used challenge (replay?)");
	if (c->expires < now)
		return tr_fail(err, errlen, "challenge expired");
	return 0;
}

int64_t nms_store_tls_key(struct nms_store *s, int64_t device_id,
			  struct nms_blob name, struct nms_blob pub,
			  const uint8_t policy[32], char *err, size_t errlen)
{
	int64_t owner = 0, id;
	sqlite3_stmt *st;

	id = owned_row(s, "SELECT id, device_id FROM tls_keys WHERE name = ?",
		       name, &owner);
	if (id < 0)
		return nms_db_fail(s, err, errlen, "looking up the TLS key");
	if (id > 0 && owner != device_id)
		return tr_fail(
			err, errlen,
			"this TLS key is already enrolled for another device");
	if (nms_prepare(s,
			id ? "UPDATE tls_keys SET policy = ?3, certified = ?4"
			     " WHERE id = ?5" :
			     "INSERT INTO tls_keys"
			     " (device_id, name, public, policy, certified)"
			     " VALUES (?1, ?2, ?6, ?3, ?4)",
			"tls_keys", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	nms_bind_blob(st, 2, name);
	sqlite3_bind_blob(st, 3, policy, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 5, id);
	nms_bind_blob(st, 6, pub);
	if (id)
		return step_one(s, st, "updating the TLS key", err, errlen) ?
			       -1 :
			       id;
	return nms_step_insert(s, st, "adding the TLS key", err, errlen);
}

int64_t nms_store_cert_add(struct nms_store *s, const struct nms_cert_row *c,
			   char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (nms_prepare(
		    s,
		    "INSERT INTO certificates (device_id, tls_key_id, serial,"
		    " der, not_after, issued) VALUES (?, ?, ?, ?, ?, ?)",
		    "certificates", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->device_id);
	sqlite3_bind_int64(st, 2, c->tls_key_id);
	sqlite3_bind_text(st, 3, c->serial, -1, SQLITE_STATIC);
	nms_bind_blob(st, 4, c->der);
	sqlite3_bind_int64(st, 5, c->not_after);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	return nms_step_insert(s, st, "adding the certificate", err, errlen);
}

int64_t nms_store_cert_count(struct nms_store *s, int64_t device_id)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(
		    s->db,
		    device_id ?
			    "SELECT count(*) FROM certificates WHERE device_id = ?" :
			    "SELECT count(*) FROM certificates",
		    -1, &st, NULL))
		return -1;
	if (device_id)
		sqlite3_bind_int64(st, 1, device_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The single row of @st: copy column @col (a blob) to @out; its length. */
static int64_t one_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t cap)
{
	int64_t n = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, col);

		if (len <= cap) {
			memcpy(out, sqlite3_column_blob(st, col), len);
			n = (int64_t)len;
		}
	}
	return n;
}

int nms_store_ak_name(struct nms_store *s, int64_t ak_id, uint8_t *name,
		      size_t cap)
{
	sqlite3_stmt *st;
	int64_t n;

	if (sqlite3_prepare_v2(s->db, "SELECT name FROM aks WHERE id = ?", -1,
			       &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, ak_id);
	n = one_blob(st, 0, name, cap);
	sqlite3_finalize(st);
	return (int)n;
}

int nms_store_device_get(struct nms_store *s, int64_t id, char *name,
			 size_t cap, uint8_t *ek_name, size_t ek_cap,
			 size_t *ek_len)
{
	sqlite3_stmt *st;
	int64_t n;

	if (sqlite3_prepare_v2(
		    s->db,
		    "SELECT e.name, d.name FROM devices d"
		    " JOIN eks e ON e.device_id = d.id WHERE d.id = ?",
		    -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	n = one_blob(st, 0, ek_name, ek_cap);
	if (n >= 0) {
		snprintf(name, cap, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		*ek_len = (size_t)n;
	}
	sqlite3_finalize(st);
	return n < 0 ? -1 : 0;
}
