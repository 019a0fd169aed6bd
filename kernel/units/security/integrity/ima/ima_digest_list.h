/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA digest lists: internal interfaces.
 */
#ifndef __LINUX_IMA_DIGEST_LIST_H
#define __LINUX_IMA_DIGEST_LIST_H

#include <crypto/hash_info.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <uapi/linux/ima_digest_list.h>

/* A parsed list: points into the buffer that was parsed. */
struct ima_digest_list_view {
	enum hash_algo algo;
	u8 type;
	u16 modifiers;
	u32 count;
	u32 digest_size;
	const u8 *digests;
};

int ima_digest_list_parse(const void *buf, size_t size,
			  struct ima_digest_list_view *view,
			  const char **reason);

/*
 * What IMA did to a list when it was loaded (ima_digest_list_status()):
 * MEASURED, its content is in the measurement list; APPRAISED, it passed
 * appraisal; SIGNED, by a signature verified against the .ima keyring (in
 * security.ima, an EVM portable signature over its hash, or appended);
 * HASHED, IMA's SHA-256 of the file is known.
 */
#define IMA_DIGEST_LIST_MEASURED	0x1
#define IMA_DIGEST_LIST_APPRAISED	0x2
#define IMA_DIGEST_LIST_SIGNED		0x4
#define IMA_DIGEST_LIST_HASHED		0x8

/*
 * What a loaded list lets IMA do with the files it lists. A list earns
 * these from what IMA did to the list itself when it was loaded:
 * skipping the measurement of a file only if the list was measured,
 * passing the appraisal of one only if the list is immutable and was
 * appraised with a valid signature.
 */
#define IMA_DIGEST_GRANT_MEASURE	0x1
#define IMA_DIGEST_GRANT_APPRAISE	0x2
#define IMA_DIGEST_GRANT_ALL		(IMA_DIGEST_GRANT_MEASURE | \
					 IMA_DIGEST_GRANT_APPRAISE)

int ima_digest_list_grants(unsigned int status, u16 modifiers,
			   bool require_sigs, const char **reason);

/*
 * The digests of all loaded lists, one table per hash algorithm. The
 * table points into the lists' own buffers, which stay loaded, rather than
 * copying the digests. A digest counts how many loaded lists hold it with
 * each grant, so unloading one list keeps what others still grant.
 */
struct ima_digest_table;

struct ima_digest_set {
	struct mutex lock;		/* serialises writers */
	siphash_key_t key;		/* slot hash key, random per set */
	struct ima_digest_table __rcu *tables[HASH_ALGO__LAST];
};

void ima_digest_set_init(struct ima_digest_set *set);
void ima_digest_set_destroy(struct ima_digest_set *set);
int ima_digest_set_add(struct ima_digest_set *set,
		       const struct ima_digest_list_view *list,
		       unsigned int grants);
/* Finds @digest in another loaded list (the one removed excluded). */
typedef const u8 *(*ima_digest_find_t)(void *ctx, enum hash_algo algo,
				       const u8 *digest);
void ima_digest_set_remove(struct ima_digest_set *set,
			   const struct ima_digest_list_view *list,
			   unsigned int grants, ima_digest_find_t find_other,
			   void *ctx);
const u8 *ima_digest_list_find(const struct ima_digest_list_view *list,
			       const u8 *digest);
unsigned int ima_digest_set_lookup(struct ima_digest_set *set,
				   enum hash_algo algo, const u8 *digest);
void ima_digest_set_stats(struct ima_digest_set *set, u64 *digests,
			  u64 *bytes);

struct file;

#ifdef CONFIG_IMA_DIGEST_LISTS
/*
 * The query for IMA and other integrity code: is a file content digest in
 * a loaded list, and what do those lists grant? For example, "in an
 * immutable list appraised with a signature" is IMA_DIGEST_GRANT_APPRAISE.
 */
int ima_digest_list_lookup(const u8 *digest, enum hash_algo algo,
			   unsigned int *grants);
unsigned int ima_digest_list_status(struct file *file, u8 *sha256);
int ima_digest_lists_fs_init(struct dentry *ima_dir);
int ima_digest_list_parse_opt(const char *value, int action);
#else
static inline int ima_digest_list_parse_opt(const char *value, int action)
{
	return -EINVAL;
}

static inline int ima_digest_list_lookup(const u8 *digest,
					 enum hash_algo algo,
					 unsigned int *grants)
{
	*grants = 0;
	return -ENOENT;
}

static inline int ima_digest_lists_fs_init(struct dentry *ima_dir)
{
	return 0;
}
#endif /* CONFIG_IMA_DIGEST_LISTS */

#if IS_ENABLED(CONFIG_KUNIT)
ssize_t ima_digest_list_payload(const void *buf, size_t size);
#endif

#endif /* __LINUX_IMA_DIGEST_LIST_H */
