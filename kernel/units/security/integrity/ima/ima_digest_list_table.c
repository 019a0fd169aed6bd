// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMA digest lists: the table of loaded digests.
 *
 * Lookups run on every measured file access, so they take no lock: each
 * hash algorithm has an open-addressing table (linear probing) published
 * with RCU. A slot is a pointer to the digest inside a loaded list and a
 * 16-bit meta word: in the low byte, the number of loaded lists holding
 * the digest that grant IMA_DIGEST_GRANT_MEASURE, in the high byte the
 * number that grant IMA_DIGEST_GRANT_APPRAISE; 0 for an empty slot,
 * IMA_SLOT_TOMBSTONE for a removed digest. A list that grants nothing is
 * never added, so a digest is held as long as one of its counts is not
 * zero. At most 7/8 of the slots are in use, and a table is rebuilt to
 * 3/4 when it fills, so a digest costs its 32 bytes (SHA-256) in its list
 * plus 10 / 0.75 to 10 / 0.875 bytes here: about 44 to 46 bytes in all.
 *
 * Writers hold set->lock. A slot's pointer is set before its meta word is
 * published with release semantics, and a slot, once used, is never
 * reused in that table (removal leaves a tombstone), so a lockless reader
 * that sees a live meta word with acquire semantics always compares a
 * complete digest. When the list a slot points into is removed while
 * other lists still hold the digest, the slot is pointed at another
 * list's copy of the same bytes; the caller frees a removed list's buffer
 * only after a grace period. Tombstones go away when a table is rebuilt
 * into a new allocation; the old one is freed after a grace period.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ima_digest_list.h"

#define IMA_SLOT_EMPTY		0
#define IMA_SLOT_TOMBSTONE	0xffff
#define IMA_SLOT_MAX_REFS	254
#define IMA_TABLE_MIN_SLOTS	64

/* A list's share of a slot's meta word: one reference per grant. */
static u16 grant_refs(unsigned int grants)
{
	return (grants & IMA_DIGEST_GRANT_MEASURE ? 1 : 0) |
	       (grants & IMA_DIGEST_GRANT_APPRAISE ? 1 << 8 : 0);
}

/* Would adding @grants overflow a count, or meet the tombstone? */
static bool refs_full(u16 meta, unsigned int grants)
{
	return ((grants & IMA_DIGEST_GRANT_MEASURE) &&
		(meta & 0xff) >= IMA_SLOT_MAX_REFS) ||
	       ((grants & IMA_DIGEST_GRANT_APPRAISE) &&
		(meta >> 8) >= IMA_SLOT_MAX_REFS);
}

struct ima_digest_table {
	struct rcu_head rcu;
	u32 slots;
	u32 used;		/* live slots and tombstones */
	u32 live;
	u32 digest_size;
	u16 *meta;		/* after the pointers, in the same allocation */
	const u8 *digest[];
};

static size_t table_bytes(u32 slots)
{
	return sizeof(struct ima_digest_table) +
	       (size_t)slots * (sizeof(u8 *) + sizeof(u16));
}

static struct ima_digest_table *table_alloc(u32 entries, u32 digest_size)
{
	struct ima_digest_table *t;
	u64 slots = max_t(u64, IMA_TABLE_MIN_SLOTS, (u64)entries * 4 / 3 + 1);

	if (slots > U32_MAX / 2)
		return NULL;
	t = kvzalloc(table_bytes(slots), GFP_KERNEL);
	if (!t)
		return NULL;
	t->slots = slots;
	t->digest_size = digest_size;
	t->meta = (u16 *)&t->digest[slots];
	return t;
}

static u32 slot_of(const struct ima_digest_set *set,
		   const struct ima_digest_table *t, const u8 *digest)
{
	/*
	 * Keyed, so that even a signed list crafted to collide cannot make
	 * lookups degrade into long probe sequences.
	 */
	u64 h = siphash(digest, 16, &set->key);

	return reciprocal_scale((u32)h, t->slots);
}

/*
 * Slot of @digest, or of the empty slot that ends its probe sequence.
 * @meta gets the meta word as read there (0 if not found), so a lookup
 * racing with a removal never reads a tombstone as reference counts.
 */
static u32 probe(const struct ima_digest_set *set, struct ima_digest_table *t,
		 const u8 *digest, u16 *meta)
{
	u32 slot = slot_of(set, t, digest), n;
	u16 m;

	for (n = 0; n < t->slots; n++) {
		/* Pairs with insert_new(): a live slot has its pointer. */
		m = smp_load_acquire(&t->meta[slot]);
		if (m == IMA_SLOT_EMPTY)
			break;
		if (m != IMA_SLOT_TOMBSTONE &&
		    !memcmp(READ_ONCE(t->digest[slot]), digest,
			    t->digest_size)) {
			*meta = m;
			return slot;
		}
		if (++slot == t->slots)
			slot = 0;
	}
	/* Never full: at most 7/8 of the slots are used. */
	*meta = IMA_SLOT_EMPTY;
	return slot;
}

/* Put a digest not yet in @t into its empty slot. Caller holds the lock. */
static void insert_new(const struct ima_digest_set *set,
		       struct ima_digest_table *t, const u8 *digest, u16 meta)
{
	u16 seen;
	u32 slot = probe(set, t, digest, &seen);

	t->digest[slot] = digest;
	/* Pairs with probe(): publish the slot after its pointer. */
	smp_store_release(&t->meta[slot], meta);
	t->used++;
	t->live++;
}

/* Copy the live slots of @old (may be NULL) into a table for @entries. */
static struct ima_digest_table *rebuild(const struct ima_digest_set *set,
					struct ima_digest_table *old,
					u32 entries, u32 digest_size)
{
	struct ima_digest_table *t = table_alloc(entries, digest_size);
	u32 i;

	if (!t || !old)
		return t;
	for (i = 0; i < old->slots; i++)
		if (old->meta[i] != IMA_SLOT_EMPTY &&
		    old->meta[i] != IMA_SLOT_TOMBSTONE)
			insert_new(set, t, old->digest[i], old->meta[i]);
	return t;
}

static void publish(struct ima_digest_set *set, enum hash_algo algo,
		    struct ima_digest_table *old, struct ima_digest_table *new)
{
	rcu_assign_pointer(set->tables[algo], new);
	if (old)
		kvfree_rcu(old, rcu);
}

static bool points_into(const struct ima_digest_list_view *list,
			const u8 *p)
{
	return p >= list->digests &&
	       p < list->digests + (size_t)list->count * list->digest_size;
}

/* Drop @list's references. Caller holds the lock. */
static void remove_digests(struct ima_digest_set *set,
			   struct ima_digest_table *t,
			   const struct ima_digest_list_view *list, u32 count,
			   unsigned int grants, ima_digest_find_t find_other,
			   void *ctx)
{
	const u16 drop = grant_refs(grants);
	const u8 *digest, *other;
	u16 meta;
	u32 i, slot;

	for (i = 0; i < count; i++) {
		digest = list->digests + (size_t)i * t->digest_size;
		slot = probe(set, t, digest, &meta);
		/* Only lists that were added are removed. */
		if (WARN_ON_ONCE(meta == IMA_SLOT_EMPTY ||
				 (meta & 0xff) < (drop & 0xff) ||
				 (meta >> 8) < (drop >> 8)))
			continue;
		meta -= drop;
		if (!meta) {
			WRITE_ONCE(t->meta[slot], IMA_SLOT_TOMBSTONE);
			t->live--;
			continue;
		}
		if (points_into(list, t->digest[slot])) {
			other = find_other ? find_other(ctx, list->algo, digest) :
					     NULL;
			/*
			 * Another list holds it, or the counts are wrong:
			 * never leave a pointer into a buffer to be freed.
			 */
			if (WARN_ON_ONCE(!other)) {
				WRITE_ONCE(t->meta[slot], IMA_SLOT_TOMBSTONE);
				t->live--;
				continue;
			}
			WRITE_ONCE(t->digest[slot], other);
		}
		WRITE_ONCE(t->meta[slot], meta);
	}
}

/**
 * ima_digest_list_find - binary search in a parsed (sorted) list
 * @list: the list
 * @digest: digest of list->algo
 *
 * Return: the list's copy of @digest, or NULL.
 */
const u8 *ima_digest_list_find(const struct ima_digest_list_view *list,
			       const u8 *digest)
{
	size_t lo = 0, hi = list->count, mid;
	const u8 *elt;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		elt = list->digests + mid * list->digest_size;
		c = memcmp(digest, elt, list->digest_size);
		if (!c)
			return elt;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_list_find);

void ima_digest_set_init(struct ima_digest_set *set)
{
	memset(set, 0, sizeof(*set));
	mutex_init(&set->lock);
	get_random_bytes(&set->key, sizeof(set->key));
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_init);

void ima_digest_set_destroy(struct ima_digest_set *set)
{
	struct ima_digest_table *t;
	int i;

	mutex_lock(&set->lock);
	for (i = 0; i < HASH_ALGO__LAST; i++) {
		t = rcu_dereference_protected(set->tables[i],
					      lockdep_is_held(&set->lock));
		publish(set, i, t, NULL);
	}
	mutex_unlock(&set->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_destroy);

/**
 * ima_digest_set_add - add the digests of a parsed list
 * @set: the digest set
 * @list: the list; its digests must stay in memory until it is removed
 * @grants: IMA_DIGEST_GRANT_* that the list earned, not zero
 *
 * All or nothing: on error the set is unchanged.
 *
 * Return: 0, -EINVAL if @grants is empty, -ENOMEM, or -EOVERFLOW if a
 * digest is already held by IMA_SLOT_MAX_REFS lists with the same grant.
 */
int ima_digest_set_add(struct ima_digest_set *set,
		       const struct ima_digest_list_view *list,
		       unsigned int grants)
{
	const u16 add = grant_refs(grants);
	struct ima_digest_table *t, *grown;
	const u8 *digest;
	u32 i, slot;
	u16 meta;
	int rc = 0;

	/* A list that grants nothing has no business in the table. */
	if (!add || grants & ~IMA_DIGEST_GRANT_ALL)
		return -EINVAL;
	if (!list->count)
		return 0;
	mutex_lock(&set->lock);
	t = rcu_dereference_protected(set->tables[list->algo],
				      lockdep_is_held(&set->lock));
	/* Room for the worst case, all new, at most 7/8 full. */
	if (!t || (u64)t->used + list->count > (u64)t->slots * 7 / 8) {
		grown = rebuild(set, t, (t ? t->live : 0) + list->count,
				list->digest_size);
		if (!grown) {
			rc = -ENOMEM;
			goto out;
		}
		publish(set, list->algo, t, grown);
		t = grown;
	}

	for (i = 0; i < list->count; i++) {
		digest = list->digests + (size_t)i * list->digest_size;
		slot = probe(set, t, digest, &meta);
		if (meta == IMA_SLOT_EMPTY) {
			insert_new(set, t, digest, add);
			continue;
		}
		if (refs_full(meta, grants)) {
			/*
			 * Undo the digests added so far. Slots they created
			 * point into this list, which is not freed yet; none
			 * needs another copy since only this list's
			 * references are dropped from them.
			 */
			remove_digests(set, t, list, i, grants, NULL, NULL);
			rc = -EOVERFLOW;
			goto out;
		}
		WRITE_ONCE(t->meta[slot], meta + add);
	}
out:
	mutex_unlock(&set->lock);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_add);

/**
 * ima_digest_set_remove - remove the digests of a list added before
 * @set: the digest set
 * @list: the list, as it was added
 * @grants: the grants it was added with
 * @find_other: finds a digest in the other loaded lists
 * @ctx: passed to @find_other
 *
 * Digests that other loaded lists hold stay in the set. The caller frees
 * @list's buffer only after a grace period (synchronize_rcu()).
 */
void ima_digest_set_remove(struct ima_digest_set *set,
			   const struct ima_digest_list_view *list,
			   unsigned int grants, ima_digest_find_t find_other,
			   void *ctx)
{
	struct ima_digest_table *t, *clean;

	if (!list->count)
		return;
	mutex_lock(&set->lock);
	t = rcu_dereference_protected(set->tables[list->algo],
				      lockdep_is_held(&set->lock));
	if (WARN_ON_ONCE(!t))
		goto out;
	remove_digests(set, t, list, list->count, grants, find_other, ctx);
	if (!t->live) {
		publish(set, list->algo, t, NULL);
	} else if (t->used - t->live > t->live &&
		   t->slots > IMA_TABLE_MIN_SLOTS) {
		/* Mostly tombstones: shrink. On -ENOMEM, keep the old one. */
		clean = rebuild(set, t, t->live, t->digest_size);
		if (clean)
			publish(set, list->algo, t, clean);
	}
out:
	mutex_unlock(&set->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_remove);

/**
 * ima_digest_set_lookup - what do the loaded lists grant for a digest?
 * @set: the digest set
 * @algo: hash algorithm of @digest
 * @digest: the digest
 *
 * Safe in any context that may take rcu_read_lock(), interrupts included.
 *
 * Return: the IMA_DIGEST_GRANT_* that at least one loaded list holding
 * @digest earned; 0 if no loaded list holds it.
 */
unsigned int ima_digest_set_lookup(struct ima_digest_set *set,
				   enum hash_algo algo, const u8 *digest)
{
	struct ima_digest_table *t;
	u16 meta = IMA_SLOT_EMPTY;
	unsigned int grants = 0;

	if (algo >= HASH_ALGO__LAST)
		return 0;
	rcu_read_lock();
	t = rcu_dereference(set->tables[algo]);
	if (t)
		probe(set, t, digest, &meta);
	rcu_read_unlock();
	if (meta & 0xff)
		grants |= IMA_DIGEST_GRANT_MEASURE;
	if (meta >> 8)
		grants |= IMA_DIGEST_GRANT_APPRAISE;
	return grants;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_lookup);

/* Number of distinct digests held, and the memory of their tables. */
void ima_digest_set_stats(struct ima_digest_set *set, u64 *digests,
			  u64 *bytes)
{
	struct ima_digest_table *t;
	int i;

	*digests = 0;
	*bytes = 0;
	mutex_lock(&set->lock);
	for (i = 0; i < HASH_ALGO__LAST; i++) {
		t = rcu_dereference_protected(set->tables[i],
					      lockdep_is_held(&set->lock));
		if (!t)
			continue;
		*digests += t->live;
		*bytes += table_bytes(t->slots);
	}
	mutex_unlock(&set->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_set_stats);
