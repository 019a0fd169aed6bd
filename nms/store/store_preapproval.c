// SPDX-License-Identifier: GPL-2.0-only
/* The pre-approval allow-list in the NMS store (store_preapproval.h). */
#include "nms/store/store_preapproval.h"
#include "nms/store/store_sql.h"

#include "base/errmsg.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int nms_serial_canonical(const char *in, char *out, size_t len)
{
	size_t n = 0;

	out[0] = 0;
	if (!strncmp(in, "0x", 2) || !strncmp(in, "0X", 2))
		in += 2;
	for (; *in == '0' || *in == ':'; in++)
		;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n + 1 >= len ||
		    n == NMS_SERIAL_MAX)
			return -1;
		out[n++] = (char)toupper((unsigned char)*in);
	}
	/* All zeros: the serial 0. */
	if (!n && len > 1)
		out[n++] = '0';
	out[n] = 0;
	return n ? 0 : -1;
}

static int add(struct nms_store *s, const uint8_t *sha256, const char *serial,
	       const uint8_t *issuer, size_t ilen, const char *device,
	       char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc;

	if (!device || !*device)
		return tr_fail(err, errlen, "pre-approval: no device name");
	if (nms_prepare(s,
			"INSERT INTO preapproved (device, ek_cert_sha256,"
			" ek_serial, ek_issuer, added) VALUES (?, ?, ?, ?, ?)",
			"pre-approvals", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, device);
	if (sha256)
		nms_db_bind_blob(st, 2, sha256, 32);
	else
		nms_db_bind_null(st, 2);
	if (serial) {
		nms_db_bind_text(st, 3, serial);
		nms_db_bind_blob(st, 4, issuer, ilen);
	} else {
		nms_db_bind_null(st, 3);
		nms_db_bind_null(st, 4);
	}
	nms_db_bind_int64(st, 5, (int64_t)time(NULL));
	rc = nms_db_step(st);
	nms_db_finalize(st);
	if (rc == NMS_DB_DONE)
		return 0;
	if (nms_db_unique_violation(s->db))
		return tr_fail(
			err, errlen,
			"pre-approval: \"%s\", or that EK certificate, is on the list already",
			device);
	return nms_sql_fail(s, err, errlen, "adding the pre-approval");
}

int nms_store_preapprove_cert(struct nms_store *s, const uint8_t sha256[32],
			      const char *device, char *err, size_t errlen)
{
	return add(s, sha256, NULL, NULL, 0, device, err, errlen);
}

int nms_store_preapprove_serial(struct nms_store *s, const char *serial,
				const uint8_t *issuer, size_t ilen,
				const char *device, char *err, size_t errlen)
{
	char canon[NMS_SERIAL_MAX + 1];

	if (nms_serial_canonical(serial, canon, sizeof(canon)) < 0)
		return tr_fail(
			err, errlen,
			"pre-approval: serial \"%s\": want 1-%d hex digits",
			serial, NMS_SERIAL_MAX);
	if (!issuer || !ilen || ilen > NMS_ISSUER_DER_MAX)
		return tr_fail(err, errlen,
			       "pre-approval: a serial needs its issuer");
	return add(s, NULL, canon, issuer, ilen, device, err, errlen);
}

int nms_store_preapproval_remove(struct nms_store *s, const char *device,
				 char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s, "DELETE FROM preapproved WHERE device = ?",
			"pre-approvals", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, device);
	if (nms_step_done(s, st, "removing the pre-approval", err, errlen) < 0)
		return -1;
	return nms_db_changes(s->db) ?
		       0 :
		       tr_fail(err, errlen, "\"%s\" is not pre-approved",
			       device);
}

int nms_store_preapproved(struct nms_store *s, const uint8_t sha256[32],
			  const char *serial, const uint8_t *issuer,
			  size_t ilen, char *device, size_t dlen, char *err,
			  size_t errlen)
{
	char canon[NMS_SERIAL_MAX + 1] = "";
	struct nms_stmt *st;
	int rc, found = 0;

	/* An unreadable serial matches no serial entry. */
	if (!serial || nms_serial_canonical(serial, canon, sizeof(canon)) < 0)
		canon[0] = 0;
	if (nms_prepare(s,
			"SELECT device FROM preapproved"
			" WHERE ek_cert_sha256 = ?1"
			"  OR (ek_serial = ?2 AND ek_issuer = ?3)"
			" ORDER BY ek_cert_sha256 IS NULL LIMIT 1",
			"pre-approvals", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_blob(st, 1, sha256, 32);
	nms_db_bind_text(st, 2, canon);
	nms_db_bind_blob(st, 3, issuer, issuer ? ilen : 0);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW) {
		found = 1;
		snprintf(device, dlen, "%s", nms_db_column_text(st, 0));
	}
	nms_db_finalize(st);
	if (rc == NMS_DB_ERROR)
		return nms_sql_fail(s, err, errlen,
				    "reading the pre-approvals");
	return found;
}

int nms_store_preapprovals(struct nms_store *s, nms_preapproval_fn *fn,
			   void *arg, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int n = 0, rc;

	if (nms_prepare(s,
			"SELECT device, ek_cert_sha256, ek_serial"
			" FROM preapproved ORDER BY device",
			"pre-approvals", err, errlen, &st) < 0)
		return -1;
	while ((rc = nms_db_step(st)) == NMS_DB_ROW) {
		n++;
		if (fn(nms_db_column_text(st, 0),
		       nms_db_column_bytes(st, 1) == 32 ?
			       nms_db_column_blob(st, 1) :
			       NULL,
		       nms_db_column_text(st, 2), arg))
			break;
	}
	nms_db_finalize(st);
	if (rc == NMS_DB_ERROR)
		return nms_sql_fail(s, err, errlen,
				    "reading the pre-approvals");
	return n;
}
