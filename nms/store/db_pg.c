// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PostgreSQL backend of nms/store/db.h (libpq): ?N parameters become
 * $N, every parameter and result is sent in binary, and text is kept to
 * what a UTF-8 database takes (a byte that is not UTF-8 is sent as '?':
 * SQLite stores any bytes, PostgreSQL would refuse the whole row).
 */
#define _DEFAULT_SOURCE /* htobe64 */
#include "nms/store/db_impl.h"

#include "base/errmsg.h"

#include <ctype.h>
#include <endian.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (pg_type.dat): what we bind and what we read. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

#define MAX_PARAMS 32
/* Statements prepared once per connection (by text and parameter types). */
#define CACHE_SIZE 128

struct pg_cached {
	char *sql;
	int nparams;
	Oid types[MAX_PARAMS];
};

struct pg_db {
	struct nms_db base;
	PGconn *conn;
	int64_t changes;
	char sqlstate[6];
	struct pg_cached cache[CACHE_SIZE];
	int ncached;
};

struct pg_param {
	const char *value;
	int length, format;
	Oid type;
	uint64_t be; /* an int8, big-endian */
	char *own; /* text we had to mend */
};

struct pg_stmt {
	struct nms_stmt base;
	char *sql; /* with $N */
	int nparams;
	struct pg_param p[MAX_PARAMS];
	PGresult *res;
	int row, nrows;
};

#define DB(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

static void set_err(struct nms_db *db, const char *msg)
{
	size_t n;

	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
		 msg && *msg ? msg : "PostgreSQL error");
	n = strlen(db->errmsg);
	while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = 0;
}

/* Whether @p..@p+@n is well-formed UTF-8 (no overlongs, no surrogates). */
static bool utf8_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i], len, min;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, min = 0x80, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, min = 0x800, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (unsigned k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return false;
		i += len;
	}
	return true;
}

/* @sql with ?N and ? as $N (outside quotes); the highest N in *@n. */
static char *translate(const char *sql, int *n)
{
	size_t len = strlen(sql), k = 0;
	char *out = malloc(2 * len + 16);
	char quote = 0;
	int max = 0;

	if (!out)
		return NULL;
	for (const char *p = sql; *p;) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			out[k++] = *p++;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			out[k++] = *p++;
		} else if (*p == '?') {
			long v;

			p++;
			if (isdigit((unsigned char)*p)) {
				v = strtol(p, (char **)&p, 10);
			} else {
				v = max + 1;
			}
			if (v > max)
				max = (int)v;
			k += (size_t)sprintf(out + k, "$%ld", v);
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = 0;
	*n = max;
	return out;
}

static int pg_prepare(struct nms_db *db, const char *sql, struct nms_stmt **out)
{
	struct pg_stmt *st = calloc(1, sizeof(*st));

	if (!st || !(st->sql = translate(sql, &st->nparams))) {
		free(st);
		set_err(db, "out of memory");
		return -1;
	}
	if (st->nparams > MAX_PARAMS) {
		free(st->sql);
		free(st);
		set_err(db, "too many parameters");
		return -1;
	}
	st->base.db = db;
	*out = &st->base;
	return 0;
}

/* Parameter @i (1-based) emptied for a new value; NULL if out of range. */
static struct pg_param *param(struct nms_stmt *s, int i)
{
	struct pg_stmt *st = ST(s);
	struct pg_param *p;

	if (i < 1 || i > st->nparams)
		return NULL;
	p = &st->p[i - 1];
	free(p->own);
	memset(p, 0, sizeof(*p));
	p->format = 1;
	return p;
}

static void pg_bind_int64(struct nms_stmt *s, int i, int64_t v)
{
	struct pg_param *p = param(s, i);

	if (!p)
		return;
	p->be = htobe64((uint64_t)v);
	p->value = (const char *)&p->be;
	p->length = 8;
	p->type = OID_INT8;
}

static void pg_bind_text(struct nms_stmt *s, int i, const char *v)
{
	struct pg_param *p = param(s, i);
	size_t n = strlen(v);

	if (!p)
		return;
	p->type = OID_TEXT;
	p->value = v;
	p->length = (int)n;
	if (utf8_ok((const unsigned char *)v, n))
		return;
	p->own = strdup(v);
	if (!p->own) {
		p->value = "";
		p->length = 0;
		return;
	}
	/* Mend: each byte that starts no valid sequence becomes '?'. */
	for (size_t k = 0; k < n;) {
		unsigned char c = (unsigned char)p->own[k];
		size_t len = c < 0x80		? 1 :
			     (c & 0xe0) == 0xc0 ? 2 :
			     (c & 0xf0) == 0xe0 ? 3 :
			     (c & 0xf8) == 0xf0 ? 4 :
						  0;

		if (len && k + len <= n &&
		    utf8_ok((unsigned char *)p->own + k, len)) {
			k += len;
			continue;
		}
		p->own[k++] = '?';
	}
	p->value = p->own;
}

static void pg_bind_blob(struct nms_stmt *s, int i, const void *v, size_t n)
{
	struct pg_param *p = param(s, i);

	if (!p)
		return;
	p->type = OID_BYTEA;
	p->value = n ? v : "";
	p->length = (int)n;
}

static void pg_bind_null(struct nms_stmt *s, int i)
{
	param(s, i);
}

static int pg_param_count(const struct nms_stmt *st)
{
	return ST(st)->nparams;
}

static void clear_result(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
}

static PGresult *run(struct pg_stmt *st)
{
	struct pg_db *db = DB(st->base.db);
	const char *values[MAX_PARAMS];
	int lengths[MAX_PARAMS], formats[MAX_PARAMS];
	Oid types[MAX_PARAMS];

	for (int i = 0; i < st->nparams; i++) {
		values[i] = st->p[i].value;
		lengths[i] = st->p[i].length;
		formats[i] = st->p[i].format;
		types[i] = st->p[i].type;
	}
	/* Prepared once, then executed: PostgreSQL parses and plans each
	 * text once per connection, not at every step. */
	for (int k = 0; k < db->ncached; k++) {
		struct pg_cached *c = &db->cache[k];

		if (c->nparams == st->nparams && !strcmp(c->sql, st->sql) &&
		    !memcmp(c->types, types,
			    sizeof(Oid) * (size_t)st->nparams)) {
			char name[16];

			snprintf(name, sizeof(name), "s%d", k);
			return PQexecPrepared(db->conn, name, st->nparams,
					      values, lengths, formats, 1);
		}
	}
	if (db->ncached < CACHE_SIZE) {
		struct pg_cached *c = &db->cache[db->ncached];
		char name[16];
		PGresult *r;

		snprintf(name, sizeof(name), "s%d", db->ncached);
		r = PQprepare(db->conn, name, st->sql, st->nparams, types);
		if (PQresultStatus(r) == PGRES_COMMAND_OK &&
		    (c->sql = strdup(st->sql))) {
			PQclear(r);
			c->nparams = st->nparams;
			memcpy(c->types, types,
			       sizeof(Oid) * (size_t)st->nparams);
			db->ncached++;
			return PQexecPrepared(db->conn, name, st->nparams,
					      values, lengths, formats, 1);
		}
		/* Not prepared: a bad statement, an aborted transaction.
		 * Its error is the statement's. */
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return r;
		PQclear(r); /* out of memory for the copy: run it plainly */
	}
	return PQexecParams(db->conn, st->sql, st->nparams, types, values,
			    lengths, formats, 1);
}

static void cache_clear(struct pg_db *db)
{
	for (int k = 0; k < db->ncached; k++)
		free(db->cache[k].sql);
	db->ncached = 0;
}

/* A lost connection outside a transaction is made again, once. */
static bool reconnected(struct pg_db *db)
{
	if (PQstatus(db->conn) != CONNECTION_BAD || db->base.tx_depth)
		return false;
	PQreset(db->conn);
	cache_clear(db); /* a new session has none of them */
	return PQstatus(db->conn) == CONNECTION_OK;
}

/* Note @res's outcome on @db; 0 when it succeeded. */
static int outcome(struct pg_db *db, PGresult *res)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *code;

	db->sqlstate[0] = 0;
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		db->changes = atoll(PQcmdTuples(res));
		return 0;
	}
	code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (code)
		snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", code);
	set_err(&db->base,
		res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	return -1;
}

static int pg_step(struct nms_stmt *s)
{
	struct pg_stmt *st = ST(s);
	struct pg_db *db = DB(s->db);

	if (st->res) {
		if (++st->row < st->nrows)
			return NMS_DB_ROW;
		return NMS_DB_DONE;
	}
	st->res = run(st);
	if (outcome(db, st->res) < 0 && reconnected(db)) {
		PQclear(st->res);
		st->res = run(st);
	}
	if (outcome(db, st->res) < 0) {
		clear_result(st);
		return NMS_DB_ERROR;
	}
	st->nrows = PQntuples(st->res);
	st->row = 0;
	return st->nrows ? NMS_DB_ROW : NMS_DB_DONE;
}

static int pg_column_count(const struct nms_stmt *s)
{
	return ST(s)->res ? PQnfields(ST(s)->res) : 0;
}

static bool have(const struct pg_stmt *st, int col)
{
	return st->res && st->row < st->nrows && col >= 0 &&
	       col < PQnfields(st->res) && !PQgetisnull(st->res, st->row, col);
}

static enum nms_db_type pg_column_type(const struct nms_stmt *s, int col)
{
	const struct pg_stmt *st = ST(s);

	if (!have(st, col))
		return NMS_DB_NULL;
	switch (PQftype(st->res, col)) {
	case OID_INT8:
	case OID_INT4:
	case OID_INT2:
	case OID_BOOL:
		return NMS_DB_INT;
	case OID_BYTEA:
		return NMS_DB_BLOB;
	default:
		return NMS_DB_TEXT;
	}
}

static int64_t pg_column_int64(const struct nms_stmt *s, int col)
{
	const struct pg_stmt *st = ST(s);
	const unsigned char *v;
	int n;

	if (!have(st, col))
		return 0;
	v = (const unsigned char *)PQgetvalue(st->res, st->row, col);
	n = PQgetlength(st->res, st->row, col);
	switch (PQftype(st->res, col)) {
	case OID_INT8: {
		uint64_t x;

		if (n != 8)
			return 0;
		memcpy(&x, v, 8);
		return (int64_t)be64toh(x);
	}
	case OID_INT4: {
		uint32_t x;

		if (n != 4)
			return 0;
		memcpy(&x, v, 4);
		return (int32_t)be32toh(x);
	}
	case OID_INT2: {
		uint16_t x;

		if (n != 2)
			return 0;
		memcpy(&x, v, 2);
		return (int16_t)be16toh(x);
	}
	case OID_BOOL:
		return n == 1 && v[0];
	case OID_BYTEA:
		return 0;
	default: /* text: as SQLite reads a number in text */
		return strtoll((const char *)v, NULL, 10);
	}
}

static const char *pg_column_text(const struct nms_stmt *s, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)ST(s);

	if (!have(st, col))
		return NULL;
	switch (PQftype(st->res, col)) {
	case OID_INT8:
	case OID_INT4:
	case OID_INT2:
	case OID_BOOL: {
		/* Numbers as text, in a buffer per statement. */
		static _Thread_local char buf[32];

		snprintf(buf, sizeof(buf), "%lld",
			 (long long)pg_column_int64(s, col));
		return buf;
	}
	default:
		/* libpq ends every value with a NUL byte. */
		return PQgetvalue(st->res, st->row, col);
	}
}

static const void *pg_column_blob(const struct nms_stmt *s, int col)
{
	const struct pg_stmt *st = ST(s);

	return have(st, col) ? PQgetvalue(st->res, st->row, col) : NULL;
}

static size_t pg_column_bytes(const struct nms_stmt *s, int col)
{
	const struct pg_stmt *st = ST(s);

	return have(st, col) ? (size_t)PQgetlength(st->res, st->row, col) : 0;
}

static void pg_reset(struct nms_stmt *s)
{
	clear_result(ST(s));
}

static void pg_finalize(struct nms_stmt *s)
{
	struct pg_stmt *st = ST(s);

	clear_result(st);
	for (int i = 0; i < MAX_PARAMS; i++)
		free(st->p[i].own);
	free(st->sql);
	free(st);
}

static int64_t pg_changes(const struct nms_db *db)
{
	return DB(db)->changes;
}

static int pg_exec(struct nms_db *d, const char *sql)
{
	struct pg_db *db = DB(d);
	PGresult *res = PQexec(db->conn, sql);
	int rc = outcome(db, res);

	if (rc < 0 && reconnected(db)) {
		PQclear(res);
		res = PQexec(db->conn, sql);
		rc = outcome(db, res);
	}
	PQclear(res);
	return rc;
}

static bool pg_retryable(const struct nms_db *db)
{
	/* serialization_failure, deadlock_detected */
	return !strcmp(DB(db)->sqlstate, "40001") ||
	       !strcmp(DB(db)->sqlstate, "40P01");
}

static bool pg_unique_violation(const struct nms_db *db)
{
	return !strcmp(DB(db)->sqlstate, "23505");
}

static void pg_close(struct nms_db *db)
{
	cache_clear(DB(db));
	PQfinish(DB(db)->conn);
	free(db);
}

static const struct nms_db_ops pg_ops = {
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.param_count = pg_param_count,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.changes = pg_changes,
	.exec = pg_exec,
	.retryable = pg_retryable,
	.unique_violation = pg_unique_violation,
	.close = pg_close,
};

/* Notices (such as "table already exists, skipping") are not errors. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int nms_db_pg_open(struct nms_db **out, const char *conninfo, char *err,
		   size_t errlen)
{
	struct pg_db *db = calloc(1, sizeof(*db));

	if (!db)
		return tr_fail(err, errlen, "out of memory");
	db->base.ops = &pg_ops;
	db->base.kind = NMS_DB_PG;
	db->conn = PQconnectdb(conninfo);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		set_err(&db->base,
			db->conn ? PQerrorMessage(db->conn) : "out of memory");
		tr_fail(err, errlen, "PostgreSQL: %s", db->base.errmsg);
		PQfinish(db->conn);
		free(db);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, quiet, NULL);
	/* Committed means on disk, as with SQLite's synchronous=FULL. */
	if (pg_exec(&db->base, "SET synchronous_commit = on;"
			       " SET client_min_messages = warning") < 0) {
		tr_fail(err, errlen, "PostgreSQL: %s", db->base.errmsg);
		pg_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}
