/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building digest lists: a set of files (digest, path, package, whether
 * the file is immutable) collected from a directory tree, Debian packages
 * or an IMA measurement log, then written as digest lists with their
 * manifests. Output is deterministic: the same files give the same bytes.
 *
 * A list holds the digests; its manifest, LIST.manifest, holds one line
 * per file, "HEXDIGEST<TAB>PATH<TAB>PACKAGE", sorted, for the reference
 * database the NMS uses (digestlist export). The kernel never sees it.
 */
#ifndef TR_DL_GEN_H
#define TR_DL_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dl_entry {
	uint8_t digest[64];
	char *path;
	char *package; /* "" if none */
	bool immutable;
};

struct dl_set {
	unsigned algo; /* enum hash_algo */
	struct dl_entry *e;
	size_t n, cap;
};

void dl_set_init(struct dl_set *s, unsigned algo);
void dl_set_free(struct dl_set *s);
int dl_set_add(struct dl_set *s, const uint8_t *digest, const char *path,
	       const char *package, bool immutable);

/*
 * Whether a file belongs in an immutable list: executables (any x bit)
 * and read-only files (no w bit), the files a system image does not
 * expect to change.
 */
bool dl_mode_immutable(unsigned mode);

/*
 * Hash every regular file under @dir (not following symlinks, not
 * crossing mount points), recorded as @prefix + its path relative to
 * @dir ("/" + relative path by default). Returns 0 or -1 with a message.
 */
int dl_gen_dir(struct dl_set *s, const char *dir, const char *prefix, char *err,
	       size_t errlen);

/*
 * The files an IMA measurement log (binary format) records for PCR @pcr
 * with @s->algo file digests: ima-ng family entries other than
 * boot_aggregate and violations. Pure over @buf.
 */
int dl_gen_ima_log(struct dl_set *s, const uint8_t *buf, size_t len,
		   unsigned pcr, char *err, size_t errlen);

/*
 * Write the entries with immutable == @immutable as a list at @path (and
 * its manifest at @path.manifest), via temporary files renamed into
 * place. @count gets the number of distinct digests; nothing is written
 * for an empty selection unless @write_empty. Returns 0 or -1.
 */
int dl_set_write(struct dl_set *s, bool immutable, const char *path,
		 bool write_empty, size_t *count, char *err, size_t errlen);

#endif
