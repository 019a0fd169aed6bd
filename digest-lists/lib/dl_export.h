/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reference database the NMS appraises measurement logs against: for
 * every digest, the list that vouches for it, the file's path and its
 * package. SQLite, one file, written to a temporary name and renamed.
 *
 *   meta(key, value)                  schema_version = 1
 *   lists(id, name, sha256, algo, immutable, count)
 *   refs(digest, list_id, path, package)   index on digest
 */
#ifndef TR_DL_EXPORT_H
#define TR_DL_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#define DL_EXPORT_SCHEMA 1

/*
 * Parse one manifest line at *off ("HEX<TAB>PATH<TAB>PACKAGE\n"): the
 * digest must have @digest_size bytes, path and package no control
 * characters. Pure and bounded; fields point into @buf (not terminated:
 * lengths given). Returns 1 with a line, 0 at the end, -1 with a message.
 */
struct dl_manifest_line {
	uint8_t digest[64];
	const char *path;
	size_t path_len;
	const char *package;
	size_t package_len;
};
int dl_manifest_next(const char *buf, size_t len, size_t *off,
		     size_t digest_size, struct dl_manifest_line *line,
		     char *err, size_t errlen);

/*
 * Export the lists at @paths (with LIST.manifest beside each, if any) into
 * a new database at @db_path. A manifest naming a digest its list lacks is
 * an error; digests without a manifest line get an empty path.
 */
int dl_export(const char *db_path, const char *const *paths, size_t n,
	      char *err, size_t errlen);

#endif
