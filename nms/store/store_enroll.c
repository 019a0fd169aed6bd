// SPDX-License-Identifier: GPL-2.0-only
/*
 * Enrollment rows in the NMS store: devices and EKs, AKs, challenges,
 * certified TLS keys and certificates.
 */
#include "nms/store/store_enroll.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"
#include "tpm/ek.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_mu.h>

/*
 * The single row of @sql (one blob parameter @key): its id and, when
 * asked, its name column into @name (@cap bytes). 0 when there is none,
 * -1 on error.
 */
static int64_t find(struct nms_store *s, const char *sql, struct nms_blob key,
		    const char *text, char *name, size_t cap)
{
	struct nms_stmt *st;
	int64_t id = -1;
	int rc;

	if (nms_db_prepare(s->db, sql, &st))
		return -1;
	if (text)
		nms_db_bind_text(st, 1, text);
	else
		nms_bind_blob(st, 1, key);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW) {
		id = nms_db_column_int64(st, 0);
		if (name)
			snprintf(name, cap, "%s",
				 (const char *)nms_db_column_text(st, 1));
	} else if (rc == NMS_DB_DONE) {
		id = 0;
	}
	nms_db_finalize(st);
	return id;
}

/* The device whose EK has the key @key_id (its name in @name), 0, -1. */
static int64_t device_of_key(struct nms_store *s, struct nms_blob key_id,
			     char *name, size_t cap)
{
	return find(s,
		    "SELECT d.id, d.name FROM eks e"
		    " JOIN devices d ON d.id = e.device_id WHERE e.key_id = ?",
		    key_id, NULL, name, cap);
}

static int64_t device_named(struct nms_store *s, const char *name)
{
	return find(s, "SELECT id FROM devices WHERE name = ?",
		    (struct nms_blob){ 0 }, name, NULL, 0);
}

/*
 * The identity rules, shared by the check and the binding. With @name,
 * @key_id: 0 when free, the device id when the pair is bound already,
 * NMS_STORE_CONFLICT (and *conflict) when either is bound elsewhere.
 */
static int64_t bound(struct nms_store *s, const char *name,
		     struct nms_blob key_id, int64_t *conflict, char *err,
		     size_t errlen)
{
	char owner[256];
	int64_t id = device_of_key(s, key_id, owner, sizeof(owner));

	*conflict = 0;
	if (id < 0)
		return nms_sql_fail(s, err, errlen, "looking up the EK");
	if (id > 0) {
		if (!strcmp(owner, name))
			return id;
		/* The same TPM under another name would be two identities
		 * for one router. Its key decides, not its public area: an
		 * area with one attribute changed has another TPM name but
		 * is the same EK. */
		*conflict = id;
		tr_fail(err, errlen,
			"this TPM (its EK) is already enrolled as device \"%s\"",
			owner);
		return NMS_STORE_CONFLICT;
	}
	id = device_named(s, name);
	if (id < 0)
		return nms_sql_fail(s, err, errlen, "looking up the device");
	if (id > 0) {
		*conflict = id;
		tr_fail(err, errlen,
			"device name \"%s\" is enrolled with another TPM",
			name);
		return NMS_STORE_CONFLICT;
	}
	return 0;
}

/* The AK named @ak_name: its id and device, 0 when unknown, -1. */
static int64_t ak_owner(struct nms_store *s, struct nms_blob ak_name,
			int64_t *device_id);

int nms_store_identity_check(struct nms_store *s, const char *name,
			     struct nms_blob key_id, struct nms_blob ak_name,
			     int64_t *device_id, char *err, size_t errlen)
{
	int64_t id = bound(s, name, key_id, device_id, err, errlen), owner = 0,
		ak;

	if (id < 0)
		return (int)id;
	ak = ak_owner(s, ak_name, &owner);
	if (ak < 0)
		return nms_sql_fail(s, err, errlen, "looking up the AK");
	/* One AK vouching for two devices would let one TPM's evidence
	 * stand for another router. */
	if (ak > 0 && owner != id) {
		*device_id = owner;
		tr_fail(err, errlen,
			"this AK is already enrolled for another device");
		return NMS_STORE_CONFLICT;
	}
	return 0;
}

struct device_args {
	const char *name;
	const struct nms_ek *ek;
	int64_t id;
};

static int device_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct device_args *a = arg;
	struct nms_stmt *st;
	int64_t now = (int64_t)time(NULL), conflict;

	a->id = bound(s, a->name, a->ek->key_id, &conflict, err, errlen);
	if (a->id)
		return a->id < 0 ? -1 : 0;
	if (nms_prepare(s,
			"INSERT INTO devices (name, created, updated)"
			" VALUES (?, ?, ?) RETURNING id",
			"devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, a->name);
	nms_db_bind_int64(st, 2, now);
	nms_db_bind_int64(st, 3, now);
	a->id = nms_step_insert(s, st, "adding the device", err, errlen);
	if (a->id < 0)
		return -1;
	if (nms_prepare(s,
			"INSERT INTO eks (device_id, name, public, cert, key_id)"
			" VALUES (?, ?, ?, ?, ?) RETURNING id",
			"eks", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->id);
	nms_bind_blob(st, 2, a->ek->name);
	nms_bind_blob(st, 3, a->ek->pub);
	nms_bind_blob(st, 4, a->ek->cert);
	nms_bind_blob(st, 5, a->ek->key_id);
	return nms_step_insert(s, st, "adding the EK", err, errlen) < 0 ? -1 :
									  0;
}

int64_t nms_store_device_for_ek(struct nms_store *s, const char *name,
				const struct nms_ek *ek, char *err,
				size_t errlen)
{
	struct device_args a = { name, ek, -1 };

	if (!name || !*name || !ek->name.n || ek->key_id.n != 32)
		return tr_fail(err, errlen,
			       "a device needs a name and an EK key id");
	if (nms_store_tx(s, device_tx, &a, err, errlen) < 0)
		return a.id == NMS_STORE_CONFLICT ? NMS_STORE_CONFLICT : -1;
	return a.id;
}

/*
 * The owner of the row in @table named @name: its id and device, 0 when
 * there is none, -1 on error.
 */
static int64_t owned_row(struct nms_store *s, const char *sql,
			 struct nms_blob name, int64_t *device_id)
{
	struct nms_stmt *st;
	int64_t id = -1;
	int rc;

	if (nms_db_prepare(s->db, sql, &st))
		return -1;
	nms_bind_blob(st, 1, name);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW) {
		id = nms_db_column_int64(st, 0);
		*device_id = nms_db_column_int64(st, 1);
	} else if (rc == NMS_DB_DONE) {
		id = 0;
	}
	nms_db_finalize(st);
	return id;
}

static int64_t ak_owner(struct nms_store *s, struct nms_blob ak_name,
			int64_t *device_id)
{
	return owned_row(s, "SELECT id, device_id FROM aks WHERE name = ?",
			 ak_name, device_id);
}

int64_t nms_store_ak(struct nms_store *s, int64_t device_id,
		     struct nms_blob name, struct nms_blob pub, char *err,
		     size_t errlen)
{
	int64_t owner = 0, id;
	struct nms_stmt *st;

	id = ak_owner(s, name, &owner);
	if (id < 0)
		return nms_sql_fail(s, err, errlen, "looking up the AK");
	/* One AK vouching for two devices would let one TPM's evidence
	 * stand for another router. */
	if (id > 0 && owner != device_id) {
		tr_fail(err, errlen,
			"this AK is already enrolled for another device");
		return NMS_STORE_CONFLICT;
	}
	if (id > 0)
		return id;
	if (nms_prepare(
		    s,
		    "INSERT INTO aks (device_id, name, public) VALUES (?, ?, ?)"
		    " RETURNING id",
		    "aks", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	nms_bind_blob(st, 2, name);
	nms_bind_blob(st, 3, pub);
	return nms_step_insert(s, st, "adding the AK", err, errlen);
}

/* Run an UPDATE/DELETE that must change exactly one row. */
static int step_one(struct nms_store *s, struct nms_stmt *st, const char *what,
		    char *err, size_t errlen)
{
	int rc = nms_db_step(st);

	nms_db_finalize(st);
	if (rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, what);
	if (nms_db_changes(s->db) != 1)
		return tr_fail(err, errlen, "%s: no such row", what);
	return 0;
}

int nms_store_ak_activated(struct nms_store *s, int64_t ak_id, int64_t when,
			   char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s, "UPDATE aks SET activated = ? WHERE id = ?", "aks",
			err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, when);
	nms_db_bind_int64(st, 2, ak_id);
	return step_one(s, st, "marking the AK activated", err, errlen);
}

static int exec_bound(struct nms_store *s, const char *sql, const char *what,
		      struct nms_blob key, int64_t n, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc;

	if (nms_prepare(s, sql, what, err, errlen, &st) < 0)
		return -1;
	nms_bind_blob(st, 1, key);
	nms_db_bind_int64(st, 2, n);
	rc = nms_db_step(st);
	nms_db_finalize(st);
	return rc == NMS_DB_DONE ? 0 : nms_sql_fail(s, err, errlen, what);
}

static struct nms_blob cblob(const struct nms_challenge_blob *b)
{
	return (struct nms_blob){ b->b, b->n };
}

int nms_store_challenge_add(struct nms_store *s, struct nms_blob nonce,
			    const struct nms_challenge *c, int64_t now,
			    char *err, size_t errlen)
{
	struct nms_blob key = { c->ek_key_id, sizeof(c->ek_key_id) };
	struct nms_stmt *st;

	if (!c->device[0] || !c->ek_name.n || !c->ak_name.n)
		return tr_fail(
			err, errlen,
			"a challenge needs a device name, an EK and an AK");
	/* Unproven claims are kept only while they can be answered, and
	 * only a few per EK: anyone can send a manufacturer's public EK
	 * certificate, so these rows are the store's only writes that an
	 * unauthenticated client causes. */
	if (exec_bound(s, "DELETE FROM challenges WHERE expires < ?2",
		       "dropping expired challenges", key, now, err,
		       errlen) < 0 ||
	    exec_bound(
		    s,
		    "DELETE FROM challenges WHERE ek_key_id = ?1 AND id NOT IN"
		    " (SELECT id FROM challenges WHERE ek_key_id = ?1"
		    " ORDER BY id DESC LIMIT ?2)",
		    "dropping an EK's oldest challenges", key,
		    NMS_CHALLENGES_PER_EK - 1, err, errlen) < 0)
		return -1;
	if (nms_prepare(
		    s,
		    "INSERT INTO challenges (nonce, device, ek_key_id,"
		    " ek_name, ek_public, ek_cert, ak_name, ak_public,"
		    " secret_hash, expires, endpoint_address,"
		    " endpoint_port, request_port, route_addrs)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		    "challenges", err, errlen, &st) < 0)
		return -1;
	nms_bind_blob(st, 1, nonce);
	nms_db_bind_text(st, 2, c->device);
	nms_bind_blob(st, 3, key);
	nms_bind_blob(st, 4, cblob(&c->ek_name));
	nms_bind_blob(st, 5, cblob(&c->ek_pub));
	nms_bind_blob(st, 6, cblob(&c->ek_cert));
	nms_bind_blob(st, 7, cblob(&c->ak_name));
	nms_bind_blob(st, 8, cblob(&c->ak_pub));
	nms_db_bind_blob(st, 9, c->secret_hash, 32);
	nms_db_bind_int64(st, 10, c->expires);
	nms_db_bind_text(st, 11, c->endpoint_address);
	nms_db_bind_int64(st, 12, c->endpoint_port);
	nms_db_bind_int64(st, 13, c->request_port);
	nms_db_bind_text(st, 14, c->route_addrs);
	return nms_step_insert(s, st, "adding the challenge", err, errlen) < 0 ?
		       -1 :
		       0;
}

/* Column @col of @st into @b: false when it does not fit. */
static bool column_blob(struct nms_stmt *st, int col,
			struct nms_challenge_blob *b)
{
	size_t n = (size_t)nms_db_column_bytes(st, col);

	if (n > sizeof(b->b))
		return false;
	if (n)
		memcpy(b->b, nms_db_column_blob(st, col), n);
	b->n = n;
	return true;
}

int nms_store_challenge_take(struct nms_store *s, struct nms_blob nonce,
			     int64_t now, struct nms_challenge *c, char *err,
			     size_t errlen)
{
	bool found = false;
	struct nms_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	/* One statement, atomic on its own: two answers racing for the
	 * same challenge cannot both get it. */
	if (nms_prepare(s,
			"DELETE FROM challenges WHERE nonce = ?"
			" RETURNING device, ek_key_id, ek_name, ek_public,"
			" ek_cert, ak_name, ak_public, secret_hash, expires,"
			" endpoint_address, endpoint_port, request_port,"
			" route_addrs",
			"challenges", err, errlen, &st) < 0)
		return -1;
	nms_bind_blob(st, 1, nonce);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW && nms_db_column_bytes(st, 1) == 32 &&
	    nms_db_column_bytes(st, 7) == 32 &&
	    (size_t)nms_db_column_bytes(st, 0) < sizeof(c->device) &&
	    column_blob(st, 2, &c->ek_name) && column_blob(st, 3, &c->ek_pub) &&
	    column_blob(st, 4, &c->ek_cert) &&
	    column_blob(st, 5, &c->ak_name) && column_blob(st, 6, &c->ak_pub)) {
		found = true;
		snprintf(c->device, sizeof(c->device), "%s",
			 (const char *)nms_db_column_text(st, 0));
		memcpy(c->ek_key_id, nms_db_column_blob(st, 1), 32);
		memcpy(c->secret_hash, nms_db_column_blob(st, 7), 32);
		c->expires = nms_db_column_int64(st, 8);
		snprintf(c->endpoint_address, sizeof(c->endpoint_address), "%s",
			 nms_db_column_text(st, 9));
		c->endpoint_port = (unsigned)nms_db_column_int64(st, 10);
		c->request_port = (unsigned)nms_db_column_int64(st, 11);
		snprintf(c->route_addrs, sizeof(c->route_addrs), "%s",
			 nms_db_column_text(st, 12));
		rc = nms_db_step(st);
	}
	nms_db_finalize(st);
	if (rc != NMS_DB_DONE && rc != NMS_DB_ROW)
		return nms_sql_fail(s, err, errlen, "taking the challenge");
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
	struct nms_stmt *st;

	id = owned_row(s, "SELECT id, device_id FROM tls_keys WHERE name = ?",
		       name, &owner);
	if (id < 0)
		return nms_sql_fail(s, err, errlen, "looking up the TLS key");
	if (id > 0 && owner != device_id)
		return tr_fail(
			err, errlen,
			"this TLS key is already enrolled for another device");
	if (nms_prepare(s,
			id ? "UPDATE tls_keys SET policy = ?3, certified = ?4"
			     " WHERE id = ?5" :
			     "INSERT INTO tls_keys"
			     " (device_id, name, public, policy, certified)"
			     " VALUES (?1, ?2, ?6, ?3, ?4) RETURNING id",
			"tls_keys", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	nms_bind_blob(st, 2, name);
	nms_db_bind_blob(st, 3, policy, 32);
	nms_db_bind_int64(st, 4, (int64_t)time(NULL));
	nms_db_bind_int64(st, 5, id);
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
	struct nms_stmt *st;

	if (nms_prepare(
		    s,
		    "INSERT INTO certificates (device_id, tls_key_id, serial,"
		    " der, not_after, issued) VALUES (?, ?, ?, ?, ?, ?)"
		    " RETURNING id",
		    "certificates", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, c->device_id);
	nms_db_bind_int64(st, 2, c->tls_key_id);
	nms_db_bind_text(st, 3, c->serial);
	nms_bind_blob(st, 4, c->der);
	nms_db_bind_int64(st, 5, c->not_after);
	nms_db_bind_int64(st, 6, (int64_t)time(NULL));
	return nms_step_insert(s, st, "adding the certificate", err, errlen);
}

int64_t nms_store_cert_count(struct nms_store *s, int64_t device_id)
{
	struct nms_stmt *st;
	int64_t n = -1;

	if (nms_db_prepare(
		    s->db,
		    device_id ?
			    "SELECT count(*) FROM certificates WHERE device_id = ?" :
			    "SELECT count(*) FROM certificates",
		    &st))
		return -1;
	if (device_id)
		nms_db_bind_int64(st, 1, device_id);
	if (nms_db_step(st) == NMS_DB_ROW)
		n = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return n;
}

int nms_store_migrate_ek_keys(struct nms_store *s, void *arg, char *err,
			      size_t errlen)
{
	struct nms_stmt *st, *up = NULL;
	int rc;

	(void)arg;
	if (nms_prepare(s, "SELECT id, public FROM eks", "eks", err, errlen,
			&st) < 0 ||
	    nms_prepare(s, "UPDATE eks SET key_id = ? WHERE id = ?", "eks", err,
			errlen, &up) < 0) {
		nms_db_finalize(st);
		return -1;
	}
	while ((rc = nms_db_step(st)) == NMS_DB_ROW) {
		TPM2B_PUBLIC pub = { 0 };
		uint8_t id[32];
		size_t off = 0;
		const uint8_t *b = nms_db_column_blob(st, 1);
		size_t n = (size_t)nms_db_column_bytes(st, 1);

		if (!b || Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, n, &off, &pub) ||
		    off != n || tr_ek_key_id(&pub, id) < 0) {
			tr_fail(err, errlen,
				"EK %lld: its stored public area has no key this NMS reads",
				(long long)nms_db_column_int64(st, 0));
			goto fail;
		}
		nms_db_reset(up);
		nms_db_bind_blob(up, 1, id, 32);
		nms_db_bind_int64(up, 2, nms_db_column_int64(st, 0));
		if (nms_db_step(up) != NMS_DB_DONE) {
			nms_sql_fail(s, err, errlen, "setting an EK's key id");
			goto fail;
		}
	}
	if (rc != NMS_DB_DONE) {
		nms_sql_fail(s, err, errlen, "reading the EKs");
		goto fail;
	}
	nms_db_finalize(st);
	nms_db_finalize(up);
	/* Two devices on one EK key are the hole of issue 12 having been
	 * used: the upgrade stops rather than pick one. */
	if (nms_prepare(s,
			"SELECT a.name, b.name FROM eks x"
			" JOIN eks y ON y.key_id = x.key_id AND y.id > x.id"
			" JOIN devices a ON a.id = x.device_id"
			" JOIN devices b ON b.id = y.device_id LIMIT 1",
			"eks", err, errlen, &st) < 0)
		return -1;
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW)
		tr_fail(err, errlen,
			"devices \"%s\" and \"%s\" are one TPM (one EK key): delete the one that is not that router, then start the NMS again",
			(const char *)nms_db_column_text(st, 0),
			(const char *)nms_db_column_text(st, 1));
	else if (rc != NMS_DB_DONE)
		nms_sql_fail(s, err, errlen, "looking for shared EKs");
	nms_db_finalize(st);
	if (rc != NMS_DB_DONE)
		return -1;
	if (nms_prepare(s, "CREATE UNIQUE INDEX eks_by_key ON eks(key_id)",
			"eks", err, errlen, &st) < 0)
		return -1;
	rc = nms_db_step(st);
	nms_db_finalize(st);
	return rc == NMS_DB_DONE ?
		       0 :
		       nms_sql_fail(s, err, errlen, "indexing EK keys");
fail:
	nms_db_finalize(st);
	nms_db_finalize(up);
	return -1;
}
