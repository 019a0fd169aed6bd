// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IMA digest list table: lookups, grants, growth,
 * removal, and lockless lookups racing the writers.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "ima_digest_list.h"

#define SHA256_LEN 32

/* A list of @count SHA-256 digests numbered from @first, not parsed. */
static struct ima_digest_list_view *view(struct kunit *test, u32 first,
					 u32 count)
{
	struct ima_digest_list_view *v = kunit_kzalloc(test, sizeof(*v),
						       GFP_KERNEL);
	u8 *d = kunit_kzalloc(test, (size_t)count * SHA256_LEN, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, d);
	for (i = 0; i < count; i++) {
		put_unaligned_be32(first + i, d + i * SHA256_LEN);
		memset(d + i * SHA256_LEN + 4, 0xa5, SHA256_LEN - 4);
	}
	v->algo = HASH_ALGO_SHA256;
	v->count = count;
	v->digest_size = SHA256_LEN;
	v->digests = d;
	return v;
}

/* Write the digests of view(first, count) into @v again. */
static void refill(struct ima_digest_list_view *v, u32 first)
{
	u8 *d = (u8 *)v->digests;
	u32 i;

	for (i = 0; i < v->count; i++) {
		put_unaligned_be32(first + i, d + i * SHA256_LEN);
		memset(d + i * SHA256_LEN + 4, 0xa5, SHA256_LEN - 4);
	}
}

#define MEASURE		IMA_DIGEST_GRANT_MEASURE
#define APPRAISE	IMA_DIGEST_GRANT_APPRAISE

/* The lists a test has loaded, as the securityfs code keeps them. */
struct loaded {
	struct ima_digest_set set;
	struct ima_digest_list_view *lists[300];
	unsigned int grants[300];
	int n;
};

static const u8 *find_other(void *ctx, enum hash_algo algo, const u8 *digest)
{
	struct loaded *l = ctx;
	const u8 *p;
	int i;

	for (i = 0; i < l->n; i++)
		if (l->lists[i]->algo == algo) {
			p = ima_digest_list_find(l->lists[i], digest);
			if (p)
				return p;
		}
	return NULL;
}

static int load(struct kunit *test, struct ima_digest_list_view *v,
		unsigned int grants)
{
	struct loaded *l = test->priv;
	int rc = ima_digest_set_add(&l->set, v, grants);

	if (!rc && l->n < ARRAY_SIZE(l->lists)) {
		l->grants[l->n] = grants;
		l->lists[l->n++] = v;
	}
	return rc;
}

/*
 * Unload @v and, after a grace period as the securityfs code waits,
 * poison its buffer: nothing may point into it any more.
 */
static void unload(struct kunit *test, struct ima_digest_list_view *v,
		   bool poison)
{
	struct loaded *l = test->priv;
	unsigned int grants;
	int i;

	for (i = 0; i < l->n && l->lists[i] != v; i++)
		;
	KUNIT_ASSERT_LT(test, i, l->n);
	grants = l->grants[i];
	l->n--;
	l->lists[i] = l->lists[l->n];
	l->grants[i] = l->grants[l->n];
	ima_digest_set_remove(&l->set, v, grants, find_other, l);
	if (poison) {
		synchronize_rcu();
		memset((u8 *)v->digests, 0, (size_t)v->count * v->digest_size);
	}
}

static void digest_nr(u32 n, u8 d[SHA256_LEN])
{
	put_unaligned_be32(n, d);
	memset(d + 4, 0xa5, SHA256_LEN - 4);
}

static unsigned int lookup_in(struct ima_digest_set *set, u32 n)
{
	u8 d[SHA256_LEN];

	digest_nr(n, d);
	return ima_digest_set_lookup(set, HASH_ALGO_SHA256, d);
}

static unsigned int lookup_nr(struct kunit *test, u32 n)
{
	struct loaded *l = test->priv;

	return lookup_in(&l->set, n);
}

static void stats(struct kunit *test, u64 *digests, u64 *bytes)
{
	struct loaded *l = test->priv;

	ima_digest_set_stats(&l->set, digests, bytes);
}

static int table_init(struct kunit *test)
{
	struct loaded *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	ima_digest_set_init(&l->set);
	test->priv = l;
	return 0;
}

static void table_exit(struct kunit *test)
{
	struct loaded *l = test->priv;

	ima_digest_set_destroy(&l->set);
	rcu_barrier(); /* the tables are freed after a grace period */
}

static void table_add_lookup(struct kunit *test)
{
	struct loaded *l = test->priv;
	u8 sha512[64] = { 0, 0, 0, 2 };
	u64 digests, bytes;

	KUNIT_ASSERT_EQ(test, load(test, view(test, 1, 3), MEASURE), 0);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2), MEASURE);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 4), 0);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 0), 0);
	/* Other algorithms have their own table. */
	memset(sha512 + 4, 0xa5, sizeof(sha512) - 4);
	KUNIT_EXPECT_EQ(test, ima_digest_set_lookup(&l->set, HASH_ALGO_SHA512,
						    sha512), 0);
	stats(test, &digests, &bytes);
	KUNIT_EXPECT_EQ(test, digests, 3ULL);
}

/* A list that earned nothing is refused: it could only waste memory. */
static void table_no_grants(struct kunit *test)
{
	struct loaded *l = test->priv;
	struct ima_digest_list_view *v = view(test, 1, 3);

	KUNIT_EXPECT_EQ(test, ima_digest_set_add(&l->set, v, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ima_digest_set_add(&l->set, v, 0x4), -EINVAL);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), 0);
}

static void table_duplicate_across_lists(struct kunit *test)
{
	struct ima_digest_list_view *a = view(test, 1, 2);
	struct ima_digest_list_view *b = view(test, 2, 2);
	u64 digests, bytes;

	KUNIT_ASSERT_EQ(test, load(test, a, MEASURE), 0);
	KUNIT_ASSERT_EQ(test, load(test, b, MEASURE), 0);
	stats(test, &digests, &bytes);
	KUNIT_EXPECT_EQ(test, digests, 3ULL); /* 1, 2, 3: 2 counted once */

	/* Digest 2 pointed into a; it must now use b's copy. */
	unload(test, a, true);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), 0);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2), MEASURE);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 3), MEASURE);

	unload(test, b, true);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2), 0);
	stats(test, &digests, &bytes);
	KUNIT_EXPECT_EQ(test, digests, 0ULL);
	KUNIT_EXPECT_EQ(test, bytes, 0ULL); /* empty table freed */
}

/* Each list grants what it earned; a digest gets the union. */
static void table_grants_per_list(struct kunit *test)
{
	struct ima_digest_list_view *appraise = view(test, 1, 1);
	struct ima_digest_list_view *measure = view(test, 1, 2);

	KUNIT_ASSERT_EQ(test, load(test, appraise, APPRAISE), 0);
	KUNIT_ASSERT_EQ(test, load(test, measure, MEASURE), 0);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), MEASURE | APPRAISE);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2), MEASURE);
	unload(test, appraise, true);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), MEASURE);
	unload(test, measure, true);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), 0);
}

static void table_growth_and_memory(struct kunit *test)
{
	struct ima_digest_list_view *part;
	const u32 n = 20000;
	u64 digests, bytes;
	u32 i;

	/* In 50 lists, so the table grows several times. */
	for (i = 0; i < 50; i++) {
		part = view(test, 1 + i * (n / 50), n / 50);
		KUNIT_ASSERT_EQ(test, load(test, part, MEASURE), 0);
	}
	for (i = 1; i <= n; i++)
		if (lookup_nr(test, i) != MEASURE)
			KUNIT_FAIL(test, "digest %u lost", i);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, n + 1), 0);
	stats(test, &digests, &bytes);
	KUNIT_EXPECT_EQ(test, digests, (u64)n);
	/*
	 * The memory budget is 48 bytes per SHA-256 digest in all: 32 in
	 * the list, so at most 16 in the table.
	 */
	KUNIT_EXPECT_LE(test, bytes, 16ULL * n);
}

static void table_remove_shrinks(struct kunit *test)
{
	struct ima_digest_list_view *big = view(test, 1, 4000);
	struct ima_digest_list_view *small = view(test, 5000, 100);
	u64 digests, bytes_before, bytes;
	u32 i;

	KUNIT_ASSERT_EQ(test, load(test, big, MEASURE), 0);
	KUNIT_ASSERT_EQ(test, load(test, small, MEASURE), 0);
	stats(test, &digests, &bytes_before);
	unload(test, big, true);
	stats(test, &digests, &bytes);
	KUNIT_EXPECT_EQ(test, digests, 100ULL);
	KUNIT_EXPECT_LT(test, bytes, bytes_before / 10);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, lookup_nr(test, 5000 + i), MEASURE);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 1), 0);
}

static void table_refcount_overflow(struct kunit *test)
{
	struct ima_digest_list_view *v = view(test, 1, 2);
	struct ima_digest_list_view *w = view(test, 2, 2);
	struct ima_digest_list_view *x = view(test, 3, 1);
	int i;

	for (i = 0; i < 254; i++)
		KUNIT_ASSERT_EQ(test, load(test, v, MEASURE), 0);
	/* Digest 2 is full: w must fail as a whole, digest 3 not added. */
	KUNIT_EXPECT_EQ(test, load(test, w, MEASURE), -EOVERFLOW);
	/* The other count of digest 2 still has room. */
	KUNIT_EXPECT_EQ(test, load(test, w, APPRAISE), 0);
	unload(test, w, false);
	KUNIT_ASSERT_EQ(test, load(test, x, MEASURE), 0);
	unload(test, x, true);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 3), 0);
	for (i = 0; i < 254; i++)
		unload(test, v, false);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2), 0);
}

/*
 * Lockless lookups against writers. A hrtimer looks digests up from
 * interrupt context every 50 microseconds, so on any kernel, one CPU
 * and no preemption included, lookups land in the middle of additions,
 * removals, slot repointing and table rebuilds. Three lists:
 *
 *	a: 1..499      MEASURE, loaded throughout
 *	b: 400..2399   MEASURE | APPRAISE, loaded and removed in turn
 *	c: 2000..2999  APPRAISE, loaded after b, so 2000..2399 point into b
 *
 * Removing b repoints 2000..2399 at c's copy and leaves enough
 * tombstones to shrink the table; b's buffer is then poisoned, so a slot
 * left pointing into it would make a digest disappear.
 */
struct race {
	struct hrtimer timer;
	struct ima_digest_set *set;
	u32 next;
	atomic_t lookups;
	atomic_t wrong;
	u32 wrong_nr;
	unsigned int wrong_grants;
};

static bool race_ok(u32 n, unsigned int g)
{
	if (n < 400)
		return g == MEASURE;
	if (n < 500)
		return g == MEASURE || g == (MEASURE | APPRAISE);
	if (n < 2000)
		return g == 0 || g == (MEASURE | APPRAISE);
	if (n < 2400)
		return g == 0 || g == APPRAISE || g == (MEASURE | APPRAISE);
	if (n < 3000)
		return g == 0 || g == APPRAISE;
	return g == 0;
}

static enum hrtimer_restart race_tick(struct hrtimer *timer)
{
	struct race *r = container_of(timer, struct race, timer);
	unsigned int g;
	int i;

	for (i = 0; i < 4; i++) {
		/* 1..3100, in a stride that visits every region. */
		r->next = (r->next + 389) % 3100;
		g = lookup_in(r->set, r->next + 1);
		if (!race_ok(r->next + 1, g) &&
		    atomic_inc_return(&r->wrong) == 1) {
			r->wrong_nr = r->next + 1;
			r->wrong_grants = g;
		}
		atomic_inc(&r->lookups);
	}
	hrtimer_forward_now(timer, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void table_lookup_races_writers(struct kunit *test)
{
	struct loaded *l = test->priv;
	struct ima_digest_list_view *a = view(test, 1, 499);
	struct ima_digest_list_view *b = view(test, 400, 2000);
	struct ima_digest_list_view *c = view(test, 2000, 1000);
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int round;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->set = &l->set;
	KUNIT_ASSERT_EQ(test, load(test, a, MEASURE), 0);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	r->timer.function = race_tick;
	hrtimer_start(&r->timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);
	for (round = 0; round < 100; round++) {
		refill(b, 400);
		refill(c, 2000);
		KUNIT_ASSERT_EQ(test, load(test, b, MEASURE | APPRAISE), 0);
		KUNIT_ASSERT_EQ(test, load(test, c, APPRAISE), 0);
		unload(test, b, true);
		unload(test, c, true);
		cond_resched();
	}
	hrtimer_cancel(&r->timer);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->wrong), 0,
			    "digest %u: grants %#x", r->wrong_nr,
			    r->wrong_grants);
	/* The timer did run while the writers worked. */
	KUNIT_EXPECT_GT(test, atomic_read(&r->lookups), 100);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 450), MEASURE);
	KUNIT_EXPECT_EQ(test, lookup_nr(test, 2100), 0);
}

static struct kunit_case ima_digest_table_cases[] = {
	KUNIT_CASE(table_add_lookup),
	KUNIT_CASE(table_no_grants),
	KUNIT_CASE(table_duplicate_across_lists),
	KUNIT_CASE(table_grants_per_list),
	KUNIT_CASE(table_growth_and_memory),
	KUNIT_CASE(table_remove_shrinks),
	KUNIT_CASE(table_refcount_overflow),
	KUNIT_CASE(table_lookup_races_writers),
	{}
};

static struct kunit_suite ima_digest_table_suite = {
	.name = "ima_digest_list_table",
	.init = table_init,
	.exit = table_exit,
	.test_cases = ima_digest_table_cases,
};

kunit_test_suite(ima_digest_table_suite);

MODULE_DESCRIPTION("KUnit tests for the IMA digest list table");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
