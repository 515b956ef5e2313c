// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for zsmalloc.c: zram_zsmalloc (allocation, contents,
 * statistics, destruction), zram_zsmalloc_compact (compaction and the
 * shrinker), zram_zsmalloc_migrate (page migration, as the kernel's
 * migration core drives it) and zram_zsmalloc_fault (injected allocation
 * failures).
 *
 * Compiled after ../zsmalloc.c in kunit/tu_zsmalloc.c, so the cases can
 * look at the pool's private structures (class geometry, handle words).
 * Injected failures and leak counts come from zsmalloc_kunit_shim.h; the
 * cases that need it skip themselves when it is not compiled in.
 *
 * Every case starts from an empty pool made by zsm_kunit_init(); objects
 * hold a pattern derived from a per-object seed so that any byte that
 * moves to the wrong place, or is overwritten, is noticed.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

struct zsm_kunit_ctx {
	struct zsm_pool *pool;
	u8 *local;			/* PAGE_SIZE local_copy for reads */
	u8 *buf;			/* PAGE_SIZE staging for writes */
};

struct zsm_kunit_obj {
	unsigned long handle;
	u32 size;
	u32 seed;
};

/*
 * Snapshot of one size class, read straight from the pool's private
 * structures (zsmalloc.c keeps no statistics interface for tests).
 */
struct zsm_kunit_class_stat {
	unsigned int size;		/* object size served by this class */
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned long objs_inuse;	/* live objects */
	unsigned long objs_allocated;	/* object slots in existing zspages */
	unsigned long zspages;		/* zspages owned by the class */
	unsigned long pages;		/* pages owned by the class */
};

/* Number of distinct classes; indices into pool->classes[], ascending. */
static unsigned int zsm_kunit_class_count(struct zsm_pool *pool)
{
	return pool->nr_classes;
}

/* Fill *@st from class @idx; -EINVAL for a bad index. */
static int zsm_kunit_class_stat(struct zsm_pool *pool, unsigned int idx,
				struct zsm_kunit_class_stat *st)
{
	struct zsm_class *class;

	if (idx >= pool->nr_classes)
		return -EINVAL;
	class = pool->classes[idx];
	st->size = class->size - class->hdr;
	st->pages_per_zspage = class->ppz;
	st->objs_per_zspage = class->objs;
	zsm_class_counts(class, &st->objs_inuse, &st->zspages, &st->pages);
	st->objs_allocated = st->zspages * class->objs;
	return 0;
}

/* Class geometry, filled by the suite init for the parameter generator. */
static unsigned int zsm_kunit_nr_classes;
static unsigned int zsm_kunit_class_ids[ZSM_NR_SLOT_SIZES];
static struct zsm_kunit_class_stat zsm_kunit_geo[ZSM_NR_SLOT_SIZES];

static u8 zsm_kunit_byte(u32 seed, size_t i)
{
	return (u8)((seed * 2654435761u) >> 24) ^ (u8)(i * 37 + (i >> 7));
}

static void zsm_kunit_fill(u8 *buf, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = zsm_kunit_byte(seed, i);
}

/*
 * Read an object back.  Returns the offset of the first wrong byte, or
 * @len when all are right; *@copied says whether the pool used the
 * local copy (the object straddles two pages).
 */
static size_t zsm_kunit_check(struct zsm_kunit_ctx *ctx, unsigned long h,
			      size_t len, u32 seed, bool *copied)
{
	const u8 *p;
	size_t i;

	p = zsm_read_begin(ctx->pool, h, ctx->local);
	for (i = 0; i < len; i++)
		if (p[i] != zsm_kunit_byte(seed, i))
			break;
	if (copied)
		*copied = p == ctx->local;
	zsm_read_end(ctx->pool, h, p);
	return i;
}

static int zsm_kunit_new(struct zsm_kunit_ctx *ctx, struct zsm_kunit_obj *o,
			 u32 size, u32 seed)
{
	int ret;

	o->size = size;
	o->seed = seed;
	ret = zsm_malloc(ctx->pool, size, GFP_KERNEL, &o->handle);
	if (ret) {
		o->handle = 0;
		return ret;
	}
	zsm_kunit_fill(ctx->buf, size, seed);
	zsm_write(ctx->pool, o->handle, ctx->buf, size);
	return 0;
}

static void zsm_kunit_put(struct zsm_kunit_ctx *ctx, struct zsm_kunit_obj *o)
{
	zsm_free(ctx->pool, o->handle);
	o->handle = 0;
}

/* Number of objects among @objs[0..n) whose contents are wrong. */
static unsigned int zsm_kunit_bad(struct zsm_kunit_ctx *ctx,
				  const struct zsm_kunit_obj *objs,
				  unsigned int n)
{
	unsigned int i, bad = 0;

	for (i = 0; i < n; i++)
		if (objs[i].handle &&
		    zsm_kunit_check(ctx, objs[i].handle, objs[i].size,
				    objs[i].seed, NULL) != objs[i].size)
			bad++;
	return bad;
}

static struct zsm_kunit_class_stat zsm_kunit_stat(struct kunit *test,
						  struct zsm_pool *pool,
						  unsigned int idx)
{
	struct zsm_kunit_class_stat st = { };

	KUNIT_EXPECT_EQ(test, zsm_kunit_class_stat(pool, idx, &st), 0);
	return st;
}

/* Sums over every class. */
struct zsm_kunit_totals {
	unsigned long inuse, allocated, zspages, pages, busy_classes;
};

static struct zsm_kunit_totals zsm_kunit_sum(struct kunit *test,
					     struct zsm_pool *pool)
{
	struct zsm_kunit_totals t = { };
	unsigned int i;

	for (i = 0; i < zsm_kunit_class_count(pool); i++) {
		struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, i);

		t.inuse += st.objs_inuse;
		t.allocated += st.objs_allocated;
		t.zspages += st.zspages;
		t.pages += st.pages;
		t.busy_classes += !!st.zspages;
	}
	return t;
}

/* Pool must hold nothing at all. */
static void zsm_kunit_expect_empty(struct kunit *test, struct zsm_pool *pool)
{
	struct zsm_kunit_totals t = zsm_kunit_sum(test, pool);

	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	KUNIT_EXPECT_EQ(test, t.inuse, 0UL);
	KUNIT_EXPECT_EQ(test, t.zspages, 0UL);
	KUNIT_EXPECT_EQ(test, t.pages, 0UL);
}

/* Index of the smallest class whose objects hold @size bytes. */
static unsigned int zsm_kunit_class_for(struct zsm_pool *pool, size_t size)
{
	unsigned int i;
	struct zsm_kunit_class_stat st;

	for (i = 0; i < zsm_kunit_class_count(pool); i++)
		if (!zsm_kunit_class_stat(pool, i, &st) && st.size >= size)
			return i;
	return UINT_MAX;
}

/*
 * Objects of one zspage of @class (private geometry) that cross a page
 * boundary, computed from the layout zsmalloc.c documents: slot i starts
 * at byte i * slot size, its payload after the header.
 */
static unsigned int zsm_kunit_straddlers(const struct zsm_class *class)
{
	unsigned int i, n = 0, len = class->size - class->hdr;

	for (i = 0; i < class->objs; i++) {
		unsigned long off = (unsigned long)i * class->size + class->hdr;

		n += offset_in_page(off) + len > PAGE_SIZE;
	}
	return n;
}

/*
 * Pages @class holds after @n allocations into it from empty, one after
 * the other ("Pages on demand" in zsmalloc.c): full zspages hold ppz
 * pages, the last one the pages its handed-out slots reach into.
 */
static unsigned long zsm_kunit_seq_pages(const struct zsm_class *class,
					 unsigned long n)
{
	unsigned long rest = n % class->objs;

	return n / class->objs * class->ppz +
	       DIV_ROUND_UP(rest * class->size, PAGE_SIZE);
}

/*
 * Objects a zspage of @class holds (from empty, in order) when the next
 * one needs a page it does not have yet: the first such count.
 */
static unsigned int zsm_kunit_grow_point(const struct zsm_class *class)
{
	unsigned int n;

	for (n = 1; n < class->objs; n++)
		if (zsm_kunit_seq_pages(class, n + 1) >
		    zsm_kunit_seq_pages(class, n))
			return n;
	return 0;
}

static int zsm_kunit_cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

#ifdef ZSM_KUNIT_SHIM
struct zsm_kunit_live {
	long slab, pages, kmem;
};

static struct zsm_kunit_live zsm_kunit_live_now(void)
{
	return (struct zsm_kunit_live) {
		.slab = atomic_long_read(&zsm_kunit_shim.slab),
		.pages = atomic_long_read(&zsm_kunit_shim.pages),
		.kmem = atomic_long_read(&zsm_kunit_shim.kmem),
	};
}

/* zsmalloc.c holds exactly the allocations it held at @before. */
static void zsm_kunit_expect_live(struct kunit *test,
				  struct zsm_kunit_live before)
{
	struct zsm_kunit_live now = zsm_kunit_live_now();

	KUNIT_EXPECT_EQ_MSG(test, now.slab, before.slab, "slab objects");
	KUNIT_EXPECT_EQ_MSG(test, now.pages, before.pages, "pages");
	KUNIT_EXPECT_EQ_MSG(test, now.kmem, before.kmem, "kmalloc blocks");
}
#endif

/* ---------------------------------------------------------------- setup */

static int zsm_kunit_init(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	ctx->local = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->local);
	ctx->buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->buf);
#ifdef ZSM_KUNIT_SHIM
	zsm_kunit_fail_disarm();
#endif
	ctx->pool = zsm_create_pool("kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pool);
	test->priv = ctx;
	return 0;
}

static void zsm_kunit_exit(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;

#ifdef ZSM_KUNIT_SHIM
	zsm_kunit_fail_disarm();
	WRITE_ONCE(zsm_kunit_shim.page_hook, NULL);
#endif
	if (ctx)
		zsm_destroy_pool(ctx->pool);
}

/* Record the class geometry once, for the per-class parameters. */
static int zsm_kunit_suite_init(struct kunit_suite *suite)
{
	struct zsm_pool *pool = zsm_create_pool("kunit-geometry");
	unsigned int i;

	if (!pool)
		return -ENOMEM;
	zsm_kunit_nr_classes = min_t(unsigned int, zsm_kunit_class_count(pool),
				     ARRAY_SIZE(zsm_kunit_class_ids));
	for (i = 0; i < zsm_kunit_nr_classes; i++) {
		zsm_kunit_class_ids[i] = i;
		zsm_kunit_class_stat(pool, i, &zsm_kunit_geo[i]);
	}
	zsm_destroy_pool(pool);
	return 0;
}

static const void *zsm_kunit_class_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 :
				       zsm_kunit_class_ids;
	const struct zsm_kunit_class_stat *g;

	if ((unsigned int)(p - zsm_kunit_class_ids) >= zsm_kunit_nr_classes)
		return NULL;
	g = &zsm_kunit_geo[*p];
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "class %u: %u bytes, %u x %u pages",
		 *p, g->size, g->objs_per_zspage, g->pages_per_zspage);
	return p;
}

/* ---------------------------------------------------- zram_zsmalloc suite */

/* A new pool holds no pages; destroying it empty is clean. */
static void zsm_test_create_empty(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	unsigned int pools = zsm_nr_pools;
	struct zsm_pool *pool;

	KUNIT_EXPECT_NULL(test, zsm_create_pool(NULL));
	KUNIT_EXPECT_EQ(test, zsm_nr_pools, pools);

	zsm_kunit_expect_empty(test, ctx->pool);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_compact(ctx->pool), 0UL);

	/* A second pool at the same time shares the caches. */
	pool = zsm_create_pool("kunit-second");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, zsm_nr_pools, pools + 1);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	zsm_destroy_pool(pool);
	KUNIT_EXPECT_EQ(test, zsm_nr_pools, pools);
	zsm_destroy_pool(NULL);
}

/* Classes ascend, fit their zspages and end with a PAGE_SIZE class. */
static void zsm_test_class_geometry(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	unsigned int n = zsm_kunit_class_count(pool), i, prev = 0;
	struct zsm_kunit_class_stat st;

	KUNIT_ASSERT_GT(test, n, 1U);
	KUNIT_ASSERT_LE(test, n, (unsigned int)ZSM_NR_SLOT_SIZES);
	for (i = 0; i < n; i++) {
		st = zsm_kunit_stat(test, pool, i);
		KUNIT_EXPECT_GT(test, st.size, prev);
		KUNIT_EXPECT_GE(test, st.pages_per_zspage, 1U);
		KUNIT_EXPECT_LE(test, st.pages_per_zspage,
				(unsigned int)ZSM_MAX_PAGES_PER_ZSPAGE);
		KUNIT_EXPECT_GE(test, st.objs_per_zspage, 1U);
		/* Payload plus header of every slot fit in the zspage. */
		KUNIT_EXPECT_EQ(test, pool->classes[i]->size,
				st.size + pool->classes[i]->hdr);
		KUNIT_EXPECT_LE(test, st.objs_per_zspage *
				pool->classes[i]->size,
				st.pages_per_zspage * (unsigned int)PAGE_SIZE);
		/* The class's largest object maps back to it. */
		KUNIT_EXPECT_PTR_EQ(test, zsm_size_class(pool, st.size),
				    pool->classes[i]);
		prev = st.size;
	}
	KUNIT_EXPECT_EQ(test, prev, (unsigned int)PAGE_SIZE);
}

/* Sizes out of 1..PAGE_SIZE: -EINVAL, handle untouched, nothing held. */
static void zsm_test_malloc_einval(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	unsigned long h = 0x5a5a;

	KUNIT_EXPECT_EQ(test, zsm_malloc(ctx->pool, 0, GFP_KERNEL, &h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zsm_malloc(ctx->pool, PAGE_SIZE + 1, GFP_KERNEL,
					 &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsm_malloc(ctx->pool, SIZE_MAX, GFP_KERNEL, &h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zsm_malloc(ctx->pool, 64, GFP_KERNEL, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, h, 0x5a5aUL);
	zsm_kunit_expect_empty(test, ctx->pool);
	/* Freeing handle 0 is a no-op. */
	zsm_free(ctx->pool, 0);
	zsm_kunit_expect_empty(test, ctx->pool);
}

/*
 * Every class: 2 * objs + 1 objects of the smallest and largest sizes the
 * class serves.  Before: empty pool.  After each allocation the pool
 * holds exactly the pages the handed-out slots reach into (whole zspages
 * for full ones, pages on demand for the last).  After them all: exactly
 * three zspages in that class (two of ppz pages, one of the pages its
 * one object needs) and nothing elsewhere; every object reads back its
 * own bytes, through the local copy exactly when its slot crosses a page
 * boundary.  After the frees: empty pool.
 */
static void zsm_test_class_roundtrip(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	unsigned int idx = *(const unsigned int *)test->param_value;
	const struct zsm_class *class = pool->classes[idx];
	struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, idx);
	unsigned int lo = idx ? zsm_kunit_stat(test, pool, idx - 1).size + 1 : 1;
	unsigned int n = 2 * st.objs_per_zspage + 1, i, copies = 0, bad = 0;
	unsigned int off_pages = 0;
	struct zsm_kunit_obj *objs;
	struct zsm_kunit_totals t;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, objs);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &objs[i],
						    i & 1 ? lo : st.size,
						    idx * 1000 + i), 0);
		off_pages += zsm_get_total_pages(pool) !=
			     zsm_kunit_seq_pages(class, i + 1);
	}
	KUNIT_EXPECT_EQ(test, off_pages, 0U);

	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, st.zspages, 3UL);
	KUNIT_EXPECT_EQ(test, st.objs_allocated, 3UL * st.objs_per_zspage);
	KUNIT_EXPECT_EQ(test, st.pages, 2UL * st.pages_per_zspage +
			DIV_ROUND_UP(class->size, PAGE_SIZE));
	t = zsm_kunit_sum(test, pool);
	KUNIT_EXPECT_EQ(test, t.busy_classes, 1UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), t.pages);

	for (i = 0; i < n; i++) {
		bool copied;

		if (zsm_kunit_check(ctx, objs[i].handle, objs[i].size,
				    objs[i].seed, &copied) != objs[i].size)
			bad++;
		copies += copied;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	/* Two full zspages and slot 0 of the third, which never straddles. */
	KUNIT_EXPECT_EQ(test, copies, 2 * zsm_kunit_straddlers(class));

	for (i = 0; i < n; i++)
		zsm_kunit_put(ctx, &objs[i]);
	zsm_kunit_expect_empty(test, pool);
}

/* Sizes at and around the class boundaries (4K pages in mind). */
static const size_t zsm_kunit_edge_sizes[] = {
	1, 8, 23, 24, 25, 40, 41, 100, 1000, 2040, 2041, 2048, 3000,
	3256, 3257, 3272, 3273, 4000, PAGE_SIZE - 8, PAGE_SIZE - 1, PAGE_SIZE,
};

static void zsm_kunit_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(zsm_kunit_edge, zsm_kunit_edge_sizes, zsm_kunit_size_desc);

/*
 * One object of an edge size lands in the smallest class that holds it
 * (the only class with an object) and keeps its bytes, in place or not.
 */
static void zsm_test_edge_sizes(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	size_t size = *(const size_t *)test->param_value;
	unsigned int want = zsm_kunit_class_for(ctx->pool, size);
	struct zsm_kunit_obj o, o2;
	struct zsm_kunit_class_stat st;

	KUNIT_ASSERT_LT(test, want, zsm_kunit_class_count(ctx->pool));
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o, size, 77), 0);
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o2, size, 78), 0);
	KUNIT_EXPECT_NE(test, o.handle, 0UL);
	KUNIT_EXPECT_NE(test, o.handle, o2.handle);

	st = zsm_kunit_stat(test, ctx->pool, want);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, 2UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_sum(test, ctx->pool).inuse, 2UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(ctx->pool),
			zsm_kunit_seq_pages(ctx->pool->classes[want], 2));
	KUNIT_EXPECT_EQ(test, st.pages, zsm_get_total_pages(ctx->pool));
	KUNIT_EXPECT_EQ(test, zsm_kunit_check(ctx, o.handle, size, 77, NULL),
			size);
	KUNIT_EXPECT_EQ(test, zsm_kunit_check(ctx, o2.handle, size, 78, NULL),
			size);

	/* Rewriting a prefix keeps the rest of the object. */
	zsm_kunit_fill(ctx->buf, size, 77);
	zsm_write(ctx->pool, o.handle, ctx->buf, size / 2);
	KUNIT_EXPECT_EQ(test, zsm_kunit_check(ctx, o.handle, size, 77, NULL),
			size);

	zsm_kunit_put(ctx, &o2);
	zsm_kunit_put(ctx, &o);
	zsm_kunit_expect_empty(test, ctx->pool);
}

/*
 * 6000 objects of every size 1..PAGE_SIZE: handles non-zero and unique,
 * exact object count, the pool's page count equals the sum of its
 * classes', and freeing in a scrambled order leaves nothing behind.
 */
static void zsm_test_handles_unique(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	unsigned int n = 6000, i, dups = 0, zero = 0;
	struct zsm_kunit_obj *objs;
	struct zsm_kunit_totals t;
	unsigned long *sorted;

	objs = vzalloc(n * sizeof(*objs));
	sorted = vzalloc(n * sizeof(*sorted));
	if (!objs || !sorted) {
		vfree(objs);
		vfree(sorted);
		KUNIT_FAIL(test, "no memory for the object table");
		return;
	}
	for (i = 0; i < n; i++) {
		if (zsm_kunit_new(ctx, &objs[i], 1 + (i * 7) % PAGE_SIZE, i)) {
			KUNIT_FAIL(test, "zsm_malloc %u failed", i);
			break;
		}
		zero += !objs[i].handle;
		sorted[i] = objs[i].handle;
	}
	if (i == n) {
		sort(sorted, n, sizeof(*sorted), zsm_kunit_cmp_ul, NULL);
		for (i = 1; i < n; i++)
			dups += sorted[i] == sorted[i - 1];
		KUNIT_EXPECT_EQ(test, zero, 0U);
		KUNIT_EXPECT_EQ(test, dups, 0U);

		t = zsm_kunit_sum(test, ctx->pool);
		KUNIT_EXPECT_EQ(test, t.inuse, (unsigned long)n);
		KUNIT_EXPECT_EQ(test, zsm_get_total_pages(ctx->pool), t.pages);
		KUNIT_EXPECT_GE(test, t.allocated, t.inuse);
		KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, objs, n), 0U);
	}

	/* Free in a fixed scrambled order (7919 is prime, n is not its multiple). */
	for (i = 0; i < n; i++) {
		struct zsm_kunit_obj *o = &objs[(i * 7919UL) % n];

		if (o->handle)
			zsm_kunit_put(ctx, o);
	}
	zsm_kunit_expect_empty(test, ctx->pool);
	vfree(sorted);
	vfree(objs);
}

/*
 * Exact counters after a known sequence in the class of 100-byte objects
 * (objs slots in ppz pages per zspage):
 *   objs + 1 allocations -> inuse objs + 1, 2 zspages, 2 * objs slots,
 *                           ppz + 1 pages (the second zspage has one)
 *   free the last one    -> inuse objs, 1 zspage (its zspage emptied)
 *   free one more        -> inuse objs - 1, still 1 zspage
 *   free all             -> 0 everywhere
 */
static void zsm_test_stats_exact(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	unsigned int idx = zsm_kunit_class_for(pool, 100), n, i;
	struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, idx);
	unsigned long objs = st.objs_per_zspage, ppz = st.pages_per_zspage;
	struct zsm_kunit_obj *o;

	KUNIT_ASSERT_GT(test, objs, 1UL);
	n = objs + 1;
	o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, o);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i], 100, i), 0);

	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, objs + 1);
	KUNIT_EXPECT_EQ(test, st.zspages, 2UL);
	KUNIT_EXPECT_EQ(test, st.objs_allocated, 2 * objs);
	KUNIT_EXPECT_EQ(test, st.pages, ppz + 1);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), ppz + 1);

	zsm_kunit_put(ctx, &o[n - 1]);
	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, objs);
	KUNIT_EXPECT_EQ(test, st.zspages, 1UL);
	KUNIT_EXPECT_EQ(test, st.objs_allocated, objs);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), ppz);

	zsm_kunit_put(ctx, &o[0]);
	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, objs - 1);
	KUNIT_EXPECT_EQ(test, st.zspages, 1UL);

	/* The freed slot is reused before any new zspage is taken. */
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[0], 100, 4242), 0);
	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, objs);
	KUNIT_EXPECT_EQ(test, st.zspages, 1UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);

	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
}

/*
 * zsm_huge_class_size() is the first size of the one-object-per-page
 * class: every size from it to PAGE_SIZE lands there, the size below it
 * does not, and a huge object is read in place.
 */
static void zsm_test_huge_class(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	size_t huge = zsm_huge_class_size(pool), size;
	unsigned int top = zsm_kunit_class_count(pool) - 1, below, n;
	struct zsm_kunit_obj *objs, small;
	struct zsm_kunit_class_stat st;
	bool copied = true;

	KUNIT_ASSERT_GT(test, huge, (size_t)PAGE_SIZE / 2);
	KUNIT_ASSERT_LE(test, huge, (size_t)PAGE_SIZE);
	st = zsm_kunit_stat(test, pool, top);
	KUNIT_EXPECT_EQ(test, st.objs_per_zspage, 1U);
	KUNIT_EXPECT_EQ(test, st.pages_per_zspage, 1U);
	KUNIT_EXPECT_EQ(test, st.size, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zsm_kunit_class_for(pool, huge), top);
	below = zsm_kunit_class_for(pool, huge - 1);
	KUNIT_EXPECT_LT(test, below, top);
	KUNIT_EXPECT_GT(test, zsm_kunit_stat(test, pool, below).objs_per_zspage,
			1U);

	n = PAGE_SIZE - huge + 1;
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, objs);
	for (size = huge; size <= PAGE_SIZE; size++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &objs[size - huge],
						    size, size), 0);
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &small, huge - 1, 1), 0);

	/* n objects, one page each, plus one zspage below. */
	st = zsm_kunit_stat(test, pool, top);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, st.pages, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, zsm_kunit_stat(test, pool, below).objs_inuse, 1UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_sum(test, pool).busy_classes, 2UL);

	KUNIT_EXPECT_EQ(test, zsm_kunit_check(ctx, objs[n - 1].handle,
					      PAGE_SIZE, PAGE_SIZE, &copied),
			(size_t)PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, copied);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, objs, n), 0U);

	zsm_kunit_put(ctx, &small);
	for (size = 0; size < n; size++)
		zsm_kunit_put(ctx, &objs[size]);
	zsm_kunit_expect_empty(test, pool);
}

/*
 * Destroying a pool that still holds objects frees every page, zspage
 * descriptor and handle: checked through the destroy path's own
 * zsm_release_all() (counters) and, with the shim, the live counts.
 */
static void zsm_test_destroy_live(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool;
	unsigned long h;
	unsigned int i, n = 3000;
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_live before = zsm_kunit_live_now();
#endif

	pool = zsm_create_pool("kunit-live");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_malloc(pool, 1 + (i * 13) % PAGE_SIZE,
						 GFP_KERNEL, &h), 0);
	KUNIT_EXPECT_EQ(test, zsm_kunit_sum(test, pool).inuse, (unsigned long)n);
	KUNIT_EXPECT_GT(test, zsm_get_total_pages(pool), 0UL);
#ifdef ZSM_KUNIT_SHIM
	/* One handle per object plus one descriptor per zspage. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zsm_kunit_shim.slab) -
			before.slab,
			(long)(n + zsm_kunit_sum(test, pool).zspages));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zsm_kunit_shim.pages) -
			before.pages, (long)zsm_get_total_pages(pool));
#endif
	for (i = 0; i < pool->nr_classes; i++)
		zsm_release_all(pool, pool->classes[i]);
	zsm_kunit_expect_empty(test, pool);
	zsm_destroy_pool(pool);
#ifdef ZSM_KUNIT_SHIM
	zsm_kunit_expect_live(test, before);
#endif
	/* The suite's own pool is untouched. */
	zsm_kunit_expect_empty(test, ctx->pool);
}

/* ------------------------------------------------------ compaction suite */

/*
 * Fragment the pool: for every size, objs * nz objects (nz full zspages),
 * then keep only the first @keep objects of each zspage.
 */
static struct zsm_kunit_obj *
zsm_kunit_fragment(struct kunit *test, size_t size, unsigned int nz,
		   unsigned int keep, unsigned int *np)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	unsigned int idx = zsm_kunit_class_for(ctx->pool, size);
	unsigned int objs = zsm_kunit_stat(test, ctx->pool,
					   idx).objs_per_zspage;
	unsigned int n = objs * nz, i;
	struct zsm_kunit_obj *o;

	o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;
	for (i = 0; i < n; i++)
		if (zsm_kunit_new(ctx, &o[i], size, i * 31 + size))
			return NULL;
	for (i = 0; i < n; i++)
		if (i % objs >= keep)
			zsm_kunit_put(ctx, &o[i]);
	*np = n;
	return o;
}

static const size_t zsm_kunit_compact_sizes[] = { 24, 100, 600, 1500, 2000 };

KUNIT_ARRAY_PARAM(zsm_kunit_compact, zsm_kunit_compact_sizes,
		  zsm_kunit_size_desc);

/*
 * Eight full zspages of one class, then one object kept in each.
 * Before compaction: 8 zspages, 8 objects, 8 * objs - 8 free slots.
 * zsm_compact() drains zspages while the free slots fill a whole zspage,
 * so it frees exactly floor((8 objs - 8) / objs) = 7 zspages (objs > 8)
 * and leaves 1; the handles of moved objects change, their bytes do not,
 * and zsm_pages_compacted() grows by what zsm_compact() returned.
 */
static void zsm_test_compact_exact(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	size_t size = *(const size_t *)test->param_value;
	unsigned int idx = zsm_kunit_class_for(pool, size);
	struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, idx);
	unsigned int objs = st.objs_per_zspage, n, i, moved = 0;
	unsigned long want, before, freed, *words;
	struct zsm_kunit_obj *o;

	/* zsm_kunit_compact_sizes are all classes of several objects. */
	KUNIT_ASSERT_GE_MSG(test, objs, 2U, "class of %zu bytes", size);
	o = zsm_kunit_fragment(test, size, 8, 1, &n);
	KUNIT_ASSERT_NOT_NULL(test, o);
	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.zspages, 8UL);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, 8UL);

	want = (8UL * objs - 8) / objs * st.pages_per_zspage;
	words = kunit_kcalloc(test, n, sizeof(*words), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, words);
	for (i = 0; i < n; i++)
		if (o[i].handle)
			words[i] = zsm_handle_word(o[i].handle);

	before = zsm_get_total_pages(pool);
	freed = zsm_compact(pool);
	KUNIT_EXPECT_EQ(test, freed, want);
	KUNIT_EXPECT_EQ(test, before - zsm_get_total_pages(pool), freed);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), freed);

	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, 8UL);
	KUNIT_EXPECT_EQ(test, st.zspages, DIV_ROUND_UP(8UL, objs));
	for (i = 0; i < n; i++)
		if (o[i].handle)
			moved += words[i] != zsm_handle_word(o[i].handle);
	/* Every drained zspage held an object that had not moved yet. */
	KUNIT_EXPECT_GE(test, moved, 8U - DIV_ROUND_UP(8U, objs));
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);

	/* Nothing left to do: no pages, the counter stays. */
	KUNIT_EXPECT_EQ(test, zsm_compact(pool), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), freed);

	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), freed);
}

/*
 * Random sizes, 80% freed.  Compaction drains, per class, at most
 * floor(free slots / objs) zspages: it gives back at most their ppz
 * pages each (fewer when a drained zspage had not grown to ppz pages, or
 * a destination had to grow) and no more than the pages beyond those the
 * objects fill (what the shrinker's count promises), and at least that
 * less one zspage per class (only the zspage being filled lacks pages); it
 * leaves no class with a whole zspage of free slots, keeps every byte,
 * and accumulates in zsm_pages_compacted(), which moves by exactly the
 * pages the pool lost.
 */
static void zsm_test_compact_random(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	unsigned int n = 8000, i, ncl = zsm_kunit_class_count(pool);
	unsigned long want = 0, slack = 0, before, freed, first;
	struct zsm_kunit_obj *o;
	u32 rnd = 12345;

	o = vzalloc(n * sizeof(*o));
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++) {
		rnd = rnd * 1103515245 + 12345;
		if (zsm_kunit_new(ctx, &o[i], 16 + (rnd >> 8) % 3000, rnd)) {
			KUNIT_FAIL(test, "zsm_malloc %u failed", i);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (i % 5)
			zsm_kunit_put(ctx, &o[i]);

	for (i = 0; i < ncl; i++) {
		struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, i);

		unsigned long full = DIV_ROUND_UP(st.objs_inuse *
						  pool->classes[i]->size,
						  PAGE_SIZE);

		if (st.objs_per_zspage > 1 &&
		    st.objs_allocated - st.objs_inuse >= st.objs_per_zspage) {
			want += min((st.objs_allocated - st.objs_inuse) /
				    st.objs_per_zspage * st.pages_per_zspage,
				    st.pages - full);
			slack += st.pages_per_zspage;
		}
	}
	KUNIT_EXPECT_GT(test, want, slack);
	KUNIT_EXPECT_EQ(test, want, zsm_shrink_count(pool->shrinker, NULL));
	first = zsm_pages_compacted(pool);
	before = zsm_get_total_pages(pool);
	freed = zsm_compact(pool);
	KUNIT_EXPECT_LE(test, freed, want);
	KUNIT_EXPECT_GE(test, freed, want - slack);
	KUNIT_EXPECT_EQ(test, before - zsm_get_total_pages(pool), freed);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool) - first, freed);
	for (i = 0; i < ncl; i++) {
		struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, i);

		if (st.objs_per_zspage > 1)
			KUNIT_EXPECT_LT(test, st.objs_allocated - st.objs_inuse,
					(unsigned long)st.objs_per_zspage);
	}
	KUNIT_EXPECT_EQ(test, zsm_kunit_sum(test, pool).inuse,
			(unsigned long)(n + 4) / 5);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);
out:
	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
	vfree(o);
}

struct zsm_kunit_reader {
	struct zsm_kunit_ctx *ctx;
	const struct zsm_kunit_obj *objs;	/* never freed while it runs */
	unsigned int n;
	u8 *local;
	unsigned long reads;
	unsigned long bad;
};

static int zsm_kunit_reader_fn(void *arg)
{
	struct zsm_kunit_reader *r = arg;
	unsigned int i = 0;

	while (!kthread_should_stop()) {
		const struct zsm_kunit_obj *o = &r->objs[i];
		const u8 *p;
		size_t j;

		p = zsm_read_begin(r->ctx->pool, o->handle, r->local);
		for (j = 0; j < o->size; j++)
			if (p[j] != zsm_kunit_byte(o->seed, j))
				break;
		zsm_read_end(r->ctx->pool, o->handle, p);
		r->bad += j != o->size;
		r->reads++;
		i = (i + 1) % r->n;
		cond_resched();
	}
	return 0;
}

/*
 * @n kept objects of @size bytes interleaved with @n churn objects (so
 * that kept ones must move when churn is freed), and a kthread reading
 * and checking the kept ones until zsm_kunit_reader_stop().
 */
static struct task_struct *zsm_kunit_reader_start(struct kunit *test,
						  struct zsm_kunit_reader *r,
						  struct zsm_kunit_obj *keep,
						  struct zsm_kunit_obj *churn,
						  unsigned int n, size_t size)
{
	struct task_struct *t;
	unsigned int i;

	r->local = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->local);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(r->ctx, &keep[i], size,
						    0x1000 + i), 0);
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(r->ctx, &churn[i], size, i),
				0);
	}
	r->objs = keep;
	r->n = n;
	t = kthread_run(zsm_kunit_reader_fn, r, "zsm-kunit-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	return t;
}

/*
 * Stop the reader: it read, and never saw a wrong byte; kept and churn
 * objects read back; then free them all, leaving the pool empty.
 */
static void zsm_kunit_reader_stop(struct kunit *test, struct task_struct *t,
				  struct zsm_kunit_reader *r,
				  struct zsm_kunit_obj *churn,
				  unsigned int nchurn)
{
	struct zsm_kunit_obj *keep = (struct zsm_kunit_obj *)r->objs;
	unsigned int i;

	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, r->bad, 0UL);
	KUNIT_EXPECT_GT(test, r->reads, 0UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(r->ctx, keep, r->n), 0U);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(r->ctx, churn, nchurn), 0U);
	for (i = 0; i < r->n; i++)
		zsm_kunit_put(r->ctx, &keep[i]);
	for (i = 0; i < nchurn; i++)
		if (churn[i].handle)
			zsm_kunit_put(r->ctx, &churn[i]);
	zsm_kunit_expect_empty(test, r->ctx->pool);
}

/*
 * A kthread reads and checks the objects in @keep while this thread keeps
 * fragmenting the same class and compacting it: every read sees the
 * right bytes although compaction moves the objects under it.
 */
static void zsm_test_compact_concurrent(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 600;
	unsigned int idx = zsm_kunit_class_for(pool, size);
	unsigned int objs = zsm_kunit_stat(test, pool, idx).objs_per_zspage;
	unsigned int nkeep = 4 * objs, nchurn = 12 * objs, i, round;
	struct zsm_kunit_obj *keep, *churn;
	struct zsm_kunit_reader r = { .ctx = ctx };
	unsigned long freed = 0, moved = 0, *words;
	struct task_struct *t;

	keep = kunit_kcalloc(test, nkeep, sizeof(*keep), GFP_KERNEL);
	churn = kunit_kcalloc(test, nchurn, sizeof(*churn), GFP_KERNEL);
	words = kunit_kcalloc(test, nkeep, sizeof(*words), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, keep && churn && words);
	t = zsm_kunit_reader_start(test, &r, keep, churn, nkeep, size);
	for (i = 0; i < nkeep; i++)
		words[i] = zsm_handle_word(keep[i].handle);

	for (round = 0; round < 8; round++) {
		for (i = 0; i < nchurn; i++) {
			if (churn[i].handle)
				zsm_kunit_put(ctx, &churn[i]);
		}
		freed += zsm_compact(pool);
		for (i = 0; i < nchurn; i++)
			if (zsm_kunit_new(ctx, &churn[i], size, round * 7 + i))
				break;
		KUNIT_EXPECT_EQ(test, i, nchurn);
		/* Free all but every third: sparse zspages again. */
		for (i = 0; i < nchurn; i++)
			if (i % 3 && churn[i].handle)
				zsm_kunit_put(ctx, &churn[i]);
		freed += zsm_compact(pool);
	}
	for (i = 0; i < nkeep; i++)
		moved += words[i] != zsm_handle_word(keep[i].handle);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), freed);
	zsm_kunit_reader_stop(test, t, &r, churn, nchurn);

	kunit_info(test, "%lu reads, %lu pages compacted, %lu of %u moved\n",
		   r.reads, freed, moved, nkeep);
	KUNIT_EXPECT_GT(test, freed, 0UL);
	KUNIT_EXPECT_GT(test, moved, 0UL);
}

/*
 * Compaction into a zspage that must grow: zspage A full, then all but
 * two of its objects freed (every page still there); zspage B, the one
 * being filled, holds the objects after which its next slot needs a page
 * it lacks.  Free slots are a whole zspage's worth, so compaction drains
 * the emptier A into B's fresh slots: B grows by one page (taken without
 * sleeping), A's ppz pages go back, so the pool shrinks by exactly
 * ppz - 1 pages, and zsm_pages_compacted() says so; every byte stays.
 */
static void zsm_test_compact_grow(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	struct zsm_class *class = pool->classes[zsm_kunit_class_for(pool, 600)];
	unsigned int objs = class->objs, nb = zsm_kunit_grow_point(class);
	unsigned int n = objs + nb, i;
	unsigned long before, freed;
	struct zsm_kunit_obj *o;

	KUNIT_ASSERT_GT(test, nb, 0U);
	KUNIT_ASSERT_LE(test, nb + 2, objs);
	o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i], 600, i * 3), 0);
	/* Keep two of A's objects: the first and the last slot. */
	for (i = 1; i < objs - 1; i++)
		zsm_kunit_put(ctx, &o[i]);
	before = zsm_get_total_pages(pool);
	KUNIT_ASSERT_EQ(test, before, class->ppz + zsm_kunit_seq_pages(class, nb));

	/* B grows by one page for its two new objects. */
	KUNIT_ASSERT_EQ(test, zsm_kunit_seq_pages(class, nb + 2),
			zsm_kunit_seq_pages(class, nb) + 1);
	KUNIT_EXPECT_EQ(test, zsm_shrink_count(pool->shrinker, NULL),
			(unsigned long)class->ppz - 1);
	freed = zsm_compact(pool);
	KUNIT_EXPECT_EQ(test, freed, (unsigned long)class->ppz - 1);
	KUNIT_EXPECT_EQ(test, before - zsm_get_total_pages(pool), freed);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), freed);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			zsm_kunit_seq_pages(class, nb + 2));
	KUNIT_EXPECT_EQ(test, zsm_kunit_stat(test, pool, class->index).zspages,
			1UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);
	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
}

/*
 * The shrinker callbacks, called directly: count reports exactly the
 * pages compaction can free, scan frees them, then count is 0 and scan
 * reports SHRINK_STOP.
 */
static void zsm_test_shrinker(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = 128,
	};
	unsigned long count, before, scanned;
	struct zsm_kunit_obj *o;
	unsigned int n, i;

	/* zsm_create_pool() fails rather than return a pool without one. */
	KUNIT_ASSERT_NOT_NULL(test, pool->shrinker);
	KUNIT_EXPECT_EQ(test, zsm_shrink_count(pool->shrinker, &sc), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_shrink_scan(pool->shrinker, &sc),
			SHRINK_STOP);

	/* Class of 100 bytes: 6 zspages with 2 objects each. */
	o = zsm_kunit_fragment(test, 100, 6, 2, &n);
	KUNIT_ASSERT_NOT_NULL(test, o);
	count = zsm_shrink_count(pool->shrinker, &sc);
	i = zsm_kunit_class_for(pool, 100);
	KUNIT_EXPECT_EQ(test, count, zsm_class_freeable(pool->classes[i]));
	KUNIT_EXPECT_GT(test, count, 0UL);

	before = zsm_get_total_pages(pool);
	scanned = zsm_shrink_scan(pool->shrinker, &sc);
	KUNIT_EXPECT_EQ(test, scanned, count);
	KUNIT_EXPECT_EQ(test, before - zsm_get_total_pages(pool), count);
	KUNIT_EXPECT_EQ(test, zsm_pages_compacted(pool), count);
	KUNIT_EXPECT_EQ(test, zsm_shrink_count(pool->shrinker, &sc), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_shrink_scan(pool->shrinker, &sc),
			SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);

	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
}

/* ----------------------------------------------------------- fault suite */

struct zsm_kunit_fault {
	const char *name;
	unsigned int kinds;
	int after;		/* allocations of those kinds that succeed */
	bool new_zspage;	/* the failing call needs a new zspage */
	bool grow;		/* ... or a page for the zspage being filled */
};

static const struct zsm_kunit_fault zsm_kunit_faults[] = {
	{ "handle, room in a zspage", ZSM_KUNIT_SLAB, 0, false, false },
	{ "handle, zspage needed", ZSM_KUNIT_SLAB, 0, true, false },
	{ "zspage descriptor", ZSM_KUNIT_SLAB, 1, true, false },
	{ "first page", ZSM_KUNIT_PAGE, 0, true, false },
	{ "page a zspage grows by", ZSM_KUNIT_PAGE, 0, false, true },
};

static void zsm_kunit_fault_desc(const struct zsm_kunit_fault *f, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", f->name);
}

KUNIT_ARRAY_PARAM(zsm_kunit_fault, zsm_kunit_faults, zsm_kunit_fault_desc);

/*
 * zsm_malloc() with one injected allocation failure, in the class of
 * 600-byte objects (several pages per zspage).
 * Before: one zspage, full, or one slot free, or filled up to where its
 * next slot needs a page.  The failing call returns -ENOMEM and leaves
 * the handle, every counter and every live allocation exactly as they
 * were, and the objects' bytes intact.  The next call succeeds and takes
 * exactly one slot (and one zspage, or one page, when needed).
 */
static void zsm_test_malloc_fault(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	const struct zsm_kunit_fault *f = test->param_value;
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 600;
	unsigned int idx = zsm_kunit_class_for(pool, size);
	struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, idx), st2;
	unsigned int objs = st.objs_per_zspage, n, i;
	struct zsm_kunit_live start = zsm_kunit_live_now(), live;
	struct zsm_kunit_obj *o;
	unsigned long h = 0xdead, pages;

	KUNIT_ASSERT_GE(test, st.pages_per_zspage, 2U);
	n = f->new_zspage ? objs : objs - 1;
	if (f->grow)
		n = zsm_kunit_grow_point(pool->classes[idx]);
	KUNIT_ASSERT_GT(test, n, 0U);
	o = kunit_kcalloc(test, n + 1, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i], size, i), 0);

	st = zsm_kunit_stat(test, pool, idx);
	pages = zsm_get_total_pages(pool);
	live = zsm_kunit_live_now();

	zsm_kunit_fail_arm(f->kinds, f->after);
	KUNIT_EXPECT_EQ(test, zsm_malloc(pool, size, GFP_KERNEL, &h), -ENOMEM);
	zsm_kunit_fail_disarm();
	KUNIT_EXPECT_EQ(test, atomic_read(&zsm_kunit_shim.injected), 1);
	KUNIT_EXPECT_EQ(test, h, 0xdeadUL);

	st2 = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st2.objs_inuse, st.objs_inuse);
	KUNIT_EXPECT_EQ(test, st2.zspages, st.zspages);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), pages);
	zsm_kunit_expect_live(test, live);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);

	/* Later allocations succeed and the pool is consistent. */
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[n], size, 999), 0);
	st2 = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st2.objs_inuse, st.objs_inuse + 1);
	KUNIT_EXPECT_EQ(test, st2.zspages, st.zspages + f->new_zspage);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			zsm_kunit_seq_pages(pool->classes[idx], n + 1));
	if (f->new_zspage || f->grow)
		KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), pages + 1);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n + 1), 0U);
	for (i = 0; i <= n; i++)
		zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
	zsm_kunit_expect_live(test, start);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

#ifdef ZSM_KUNIT_SHIM
struct zsm_kunit_race {
	struct zsm_kunit_ctx *ctx;
	struct zsm_kunit_obj obj;
	int ret;
};

static void zsm_kunit_race_alloc(void *data)
{
	struct zsm_kunit_race *r = data;

	r->ret = zsm_kunit_new(r->ctx, &r->obj, r->obj.size, r->obj.seed);
}

/*
 * Make the next alloc_page in zsmalloc.c first allocate an object of
 * @size into @r (seed 7), as the part of a write on another CPU would.
 */
static void zsm_kunit_race_arm(struct zsm_kunit_race *r,
			       struct zsm_kunit_ctx *ctx, size_t size)
{
	*r = (struct zsm_kunit_race){
		.ctx = ctx,
		.obj = { .size = size, .seed = 7 },
		.ret = -EINPROGRESS,
	};
	zsm_kunit_shim.page_hook_data = r;
	WRITE_ONCE(zsm_kunit_shim.page_hook, zsm_kunit_race_alloc);
}

/* The hook ran, once, and its allocation succeeded. */
static void zsm_kunit_race_done(struct kunit *test, struct zsm_kunit_race *r)
{
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(zsm_kunit_shim.page_hook),
			    (void (*)(void *))NULL);
	KUNIT_ASSERT_EQ(test, r->ret, 0);
}
#endif

/*
 * Two allocations of one class where none has a free slot, the second
 * made while the first has dropped the class lock to make a zspage (as
 * the part of a parallel write on another CPU does): the first fills
 * the zspage the second opened and gives its own back, so the class
 * holds one zspage, as when they come one after the other.
 */
static void zsm_test_malloc_race(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 600;
	unsigned int idx = zsm_kunit_class_for(pool, size);
	struct zsm_kunit_class_stat st = zsm_kunit_stat(test, pool, idx);
	struct zsm_kunit_live start = zsm_kunit_live_now();
	struct zsm_kunit_race r;
	struct zsm_kunit_obj o;
	unsigned long raced = atomic_long_read(&pool->alloc_raced);

	KUNIT_ASSERT_GT(test, st.objs_per_zspage, 2U);
	KUNIT_ASSERT_EQ(test, st.zspages, 0UL);
	zsm_kunit_race_arm(&r, ctx, size);
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o, size, 8), 0);
	zsm_kunit_race_done(test, &r);

	st = zsm_kunit_stat(test, pool, idx);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, 2UL);
	KUNIT_EXPECT_EQ(test, st.zspages, 1UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			zsm_kunit_seq_pages(pool->classes[idx], 2));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->alloc_raced), raced + 1);
	KUNIT_EXPECT_NE(test, o.handle, r.obj.handle);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, &o, 1), 0U);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, &r.obj, 1), 0U);

	zsm_kunit_put(ctx, &o);
	zsm_kunit_put(ctx, &r.obj);
	zsm_kunit_expect_empty(test, pool);
	zsm_kunit_expect_live(test, start);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

/*
 * The same for a page: the zspage being filled needs a page for its next
 * slot, and a second allocation comes while the first has dropped the
 * class lock to get it.  The second adds its page and takes that slot;
 * the first finds the zspage grown, takes the slot after it (no page
 * needed) and gives its page back: the zspage grew by one page, as when
 * the two come one after the other, not by two.
 */
static void zsm_test_malloc_race_page(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 600;
	struct zsm_class *class = pool->classes[zsm_kunit_class_for(pool, size)];
	unsigned int n = zsm_kunit_grow_point(class), i;
	struct zsm_kunit_live start = zsm_kunit_live_now();
	struct zsm_kunit_race r;
	struct zsm_kunit_obj *o;
	unsigned long raced = atomic_long_read(&pool->alloc_raced);

	KUNIT_ASSERT_GT(test, n, 0U);
	KUNIT_ASSERT_LT(test, n + 2, class->objs);
	/* Two more objects need one more page, not two. */
	KUNIT_ASSERT_EQ(test, zsm_kunit_seq_pages(class, n + 2),
			zsm_kunit_seq_pages(class, n) + 1);
	o = kunit_kcalloc(test, n + 1, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i], size, i), 0);
	KUNIT_ASSERT_EQ(test, zsm_get_total_pages(pool),
			zsm_kunit_seq_pages(class, n));

	zsm_kunit_race_arm(&r, ctx, size);
	KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[n], size, 1000), 0);
	zsm_kunit_race_done(test, &r);

	KUNIT_EXPECT_EQ(test, zsm_kunit_stat(test, pool, class->index).zspages,
			1UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			zsm_kunit_seq_pages(class, n + 2));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pool->alloc_raced), raced + 1);
	/* The second allocation took slot n, the first slot n + 1. */
	KUNIT_EXPECT_EQ(test, zsm_word_idx(zsm_handle_word(r.obj.handle)), n);
	KUNIT_EXPECT_EQ(test, zsm_word_idx(zsm_handle_word(o[n].handle)),
			n + 1);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n + 1), 0U);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, &r.obj, 1), 0U);

	for (i = 0; i <= n; i++)
		zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_put(ctx, &r.obj);
	zsm_kunit_expect_empty(test, pool);
	zsm_kunit_expect_live(test, start);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

/*
 * zsm_malloc() runs out of memory while it holds a zspage it made: in a
 * class whose slot 1 lies in page 1, the first allocation drops the lock
 * to make a zspage, a second one opens a zspage meanwhile and takes its
 * slot 0; the first then needs a page for slot 1, and that page fails.
 * It returns -ENOMEM with the handle untouched and gives back the zspage
 * it made: the class holds the second allocation's zspage of one page,
 * and once that object is freed, nothing is left.
 */
static void zsm_test_malloc_race_fault(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 2100;
	struct zsm_class *class = pool->classes[zsm_kunit_class_for(pool, size)];
	struct zsm_kunit_live start = zsm_kunit_live_now();
	struct zsm_kunit_race r;
	unsigned long h = 0xdead;
	struct zsm_kunit_class_stat st;

	KUNIT_ASSERT_GT(test, class->ppz, 1U);
	KUNIT_ASSERT_EQ(test, zsm_kunit_seq_pages(class, 2), 2UL);
	zsm_kunit_race_arm(&r, ctx, size);
	/* Pages: the second's zspage, the first's zspage, then the spare. */
	zsm_kunit_fail_arm(ZSM_KUNIT_PAGE, 2);
	KUNIT_EXPECT_EQ(test, zsm_malloc(pool, size, GFP_KERNEL, &h), -ENOMEM);
	zsm_kunit_fail_disarm();
	KUNIT_EXPECT_EQ(test, atomic_read(&zsm_kunit_shim.injected), 1);
	KUNIT_EXPECT_EQ(test, h, 0xdeadUL);
	zsm_kunit_race_done(test, &r);

	st = zsm_kunit_stat(test, pool, class->index);
	KUNIT_EXPECT_EQ(test, st.objs_inuse, 1UL);
	KUNIT_EXPECT_EQ(test, st.zspages, 1UL);
	KUNIT_EXPECT_EQ(test, st.pages, 1UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 1UL);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, &r.obj, 1), 0U);
	zsm_kunit_put(ctx, &r.obj);
	zsm_kunit_expect_empty(test, pool);
	zsm_kunit_expect_live(test, start);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

/*
 * zsm_malloc() without sleeping, allocations failing at random-looking
 * but fixed points: every failure is -ENOMEM, the counters always match
 * the live objects, and nothing leaks.
 */
static void zsm_test_fault_sweep(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	unsigned int n = 1500, i, live_objs = 0, enomem = 0;
	struct zsm_kunit_live live = zsm_kunit_live_now();
	struct zsm_kunit_totals t;
	struct zsm_kunit_obj *o;

	o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++) {
		u32 size = 1 + (i * 2654435761u >> 8) % PAGE_SIZE;
		int ret;

		if (i % 3 == 0)
			zsm_kunit_fail_arm(ZSM_KUNIT_SLAB | ZSM_KUNIT_PAGE,
					   i % 5);
		o[i].size = size;
		o[i].seed = i;
		ret = zsm_malloc(pool, size, GFP_NOWAIT | __GFP_NOWARN,
				 &o[i].handle);
		zsm_kunit_fail_disarm();
		if (ret) {
			KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
			o[i].handle = 0;
			enomem++;
			continue;
		}
		zsm_kunit_fill(ctx->buf, size, i);
		zsm_write(pool, o[i].handle, ctx->buf, size);
		live_objs++;
	}
	t = zsm_kunit_sum(test, pool);
	KUNIT_EXPECT_GT(test, enomem, 0U);
	KUNIT_EXPECT_EQ(test, t.inuse, (unsigned long)live_objs);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), t.pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zsm_kunit_shim.slab) - live.slab,
			(long)(live_objs + t.zspages));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zsm_kunit_shim.pages) -
			live.pages, (long)t.pages);
	zsm_compact(pool);
	KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);
	for (i = 0; i < n; i++)
		if (o[i].handle)
			zsm_kunit_put(ctx, &o[i]);
	zsm_kunit_expect_empty(test, pool);
	zsm_kunit_expect_live(test, live);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

/*
 * zsm_create_pool() with its Nth kzalloc/kstrdup/kasprintf failing:
 * N = 0 pool, 1 name, 2 first class, 3 second class, 2 + classes the
 * shrinker name and, where the kernel has no shrinker_alloc() (compat.h
 * allocates the shrinker itself), 3 + classes the shrinker: it returns
 * NULL and every block it got is given back.  One point further nothing
 * fails: the pool works, with its shrinker.
 */
static void zsm_test_create_fault(struct kunit *test)
{
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_ctx *ctx = test->priv;
	unsigned int ncl = zsm_kunit_class_count(ctx->pool), pools = zsm_nr_pools;
#ifdef HAVE_SHRINKER_ALLOC
	const unsigned int last = 2 + ncl;	/* the shrinker name */
#else
	const unsigned int last = 3 + ncl;	/* compat.h's shrinker */
#endif
	int points[] = { 0, 1, 2, 3, 2 + ncl - 1, 2 + ncl, last, last + 1 };
	struct zsm_kunit_live live = zsm_kunit_live_now();
	struct zsm_pool *pool;
	unsigned int i;
	unsigned long h;

	for (i = 0; i < ARRAY_SIZE(points); i++) {
		bool works = points[i] == last + 1;

		zsm_kunit_fail_arm(ZSM_KUNIT_KMEM, points[i]);
		pool = zsm_create_pool("kunit-fault");
		zsm_kunit_fail_disarm();
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&zsm_kunit_shim.injected),
				    works ? 0 : 1, "failure point %d", points[i]);
		if (!works) {
			KUNIT_EXPECT_NULL_MSG(test, pool, "failure point %d",
					      points[i]);
		} else {
			KUNIT_ASSERT_NOT_NULL(test, pool);
			KUNIT_EXPECT_NOT_NULL(test, pool->shrinker);
			KUNIT_EXPECT_EQ(test, zsm_malloc(pool, 100, GFP_KERNEL,
							 &h), 0);
			zsm_free(pool, h);
		}
		zsm_destroy_pool(pool);
		KUNIT_EXPECT_EQ(test, zsm_nr_pools, pools);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&zsm_kunit_shim.kmem),
				    live.kmem, "leak at failure point %d",
				    points[i]);
	}
	zsm_kunit_expect_live(test, live);
#else
	kunit_skip(test, "built without zsmalloc_kunit_shim.h");
#endif
}

/* ------------------------------------------------------------ migration */

/*
 * Migrate page @i of @zspage the way the migration core does: with its
 * own reference on the isolated source, both pages locked around
 * zsm_migrate_page(), its reference on the new page dropped after
 * success.  The new page comes from alloc_pages(), not the shim's
 * alloc_page(): the pool adopts it and gives back the source, which the
 * shim counted, so the shim's count stays exact.
 */
static int zsm_kunit_migrate(struct zsm_zspage *zspage, unsigned int i)
{
	struct page *src = READ_ONCE(zspage->pages[i]);
	struct page *dst = alloc_pages(GFP_KERNEL, 0);
	int ret;

	if (!dst)
		return -ENOMEM;
	get_page(src);
	lock_page(src);
	lock_page(dst);
	ret = zsm_migrate_page(dst, src, MIGRATE_SYNC);
	unlock_page(dst);
	unlock_page(src);
	put_page(dst);
	put_page(src);
	return ret;
}

/* Up to @max zspages of @class, in list order; the caller frees none. */
static unsigned int zsm_kunit_zspages(struct zsm_class *class,
				      struct zsm_zspage **out, unsigned int max)
{
	struct zsm_zspage *zspage;
	unsigned int b, n = 0;

	spin_lock(&class->lock);
	for (b = 0; b < ZSM_NR_LISTS; b++)
		list_for_each_entry(zspage, &class->lists[b], node)
			if (n < max)
				out[n++] = zspage;
	spin_unlock(&class->lock);
	return n;
}

/*
 * Every page of three full zspages migrated, in a class whose objects
 * straddle pages (600 bytes) and in the class of whole pages: each call
 * succeeds, the zspage holds the new page (->private names the zspage),
 * no handle word changes, zsm_pages_migrated() counts each page, the pool
 * holds as many pages as before, every byte reads back, and freeing
 * everything leaves the shim's counts where they started.
 */
static void zsm_test_migrate_every_page(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t sizes[] = { 600, PAGE_SIZE };
	unsigned long migrated = 0;
	unsigned int s;
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_live live = zsm_kunit_live_now();
#endif

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int idx = zsm_kunit_class_for(pool, sizes[s]);
		struct zsm_class *class = pool->classes[idx];
		unsigned int n = 3 * class->objs, i, j, nz;
		struct zsm_zspage *zs[3];
		unsigned long before, *words;
		struct zsm_kunit_obj *o;

		o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
		words = kunit_kcalloc(test, n, sizeof(*words), GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, o && words);
		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i],
							    sizes[s], i * 11),
					0);
			words[i] = zsm_handle_word(o[i].handle);
		}
		nz = zsm_kunit_zspages(class, zs, ARRAY_SIZE(zs));
		KUNIT_ASSERT_EQ(test, nz, 3U);
		before = zsm_get_total_pages(pool);
		for (i = 0; i < nz; i++) {
			for (j = 0; j < class->ppz; j++) {
				struct page *old = zs[i]->pages[j];
				struct page *now;

				KUNIT_EXPECT_EQ(test, zsm_kunit_migrate(zs[i], j),
						MIGRATEPAGE_SUCCESS);
				now = zs[i]->pages[j];
				KUNIT_EXPECT_PTR_NE(test, now, old);
				KUNIT_EXPECT_EQ(test, page_private(now),
						(unsigned long)zs[i]);
				migrated++;
			}
		}
		KUNIT_EXPECT_EQ(test, zsm_pages_migrated(pool), migrated);
		KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), before);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, zsm_handle_word(o[i].handle),
					words[i]);
		KUNIT_EXPECT_EQ(test, zsm_kunit_bad(ctx, o, n), 0U);
		for (i = 0; i < n; i++)
			zsm_kunit_put(ctx, &o[i]);
	}
	zsm_kunit_expect_empty(test, pool);
#ifdef ZSM_KUNIT_SHIM
	zsm_kunit_expect_live(test, live);
#endif
}

/*
 * A kthread reads and checks kept objects while this thread migrates
 * every page of their class, round after round, and churns and compacts
 * the class in between: no read sees a wrong byte.
 */
static void zsm_test_migrate_concurrent(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	const size_t size = 600;
	struct zsm_class *class = pool->classes[zsm_kunit_class_for(pool, size)];
	unsigned int nkeep = 4 * class->objs, nchurn = 4 * class->objs;
	unsigned int i, j, k, nz, round;
	struct zsm_kunit_obj *keep, *churn;
	struct zsm_kunit_reader r = { .ctx = ctx };
	struct zsm_zspage *zs[16];
	unsigned long migrated = 0;
	struct task_struct *t;

	keep = kunit_kcalloc(test, nkeep, sizeof(*keep), GFP_KERNEL);
	churn = kunit_kcalloc(test, nchurn, sizeof(*churn), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, keep && churn);
	t = zsm_kunit_reader_start(test, &r, keep, churn, nkeep, size);

	for (round = 0; round < 6; round++) {
		for (k = 0; k < 4; k++) {
			nz = zsm_kunit_zspages(class, zs, ARRAY_SIZE(zs));
			for (i = 0; i < nz; i++)
				for (j = 0; j < zs[i]->npages; j++) {
					KUNIT_EXPECT_EQ(test,
							zsm_kunit_migrate(zs[i], j),
							MIGRATEPAGE_SUCCESS);
					migrated++;
				}
		}
		for (i = 0; i < nchurn; i++)
			if (i % 3 && churn[i].handle)
				zsm_kunit_put(ctx, &churn[i]);
		zsm_compact(pool);
		for (i = 0; i < nchurn; i++)
			if (!churn[i].handle)
				KUNIT_EXPECT_EQ(test,
						zsm_kunit_new(ctx, &churn[i], size,
							      round * 5 + i), 0);
	}
	KUNIT_EXPECT_EQ(test, zsm_pages_migrated(pool), migrated);
	zsm_kunit_reader_stop(test, t, &r, churn, nchurn);

	kunit_info(test, "%lu reads, %lu pages migrated\n", r.reads, migrated);
	KUNIT_EXPECT_GT(test, migrated, 0UL);
}

/*
 * The last object of a full zspage (ppz pages) is freed while the
 * migration core holds the lock of its last page (isolated, about to
 * migrate it).  The
 * zspage leaves its class at once, but its pages wait: the pool still
 * counts them.  The core then migrates that page (success, as for any
 * page) and lets go; the deferred release gives back every page, the
 * new one included, and the shim's counts end where they started.
 */
static void zsm_test_migrate_deferred_release(struct kunit *test)
{
	struct zsm_kunit_ctx *ctx = test->priv;
	struct zsm_pool *pool = ctx->pool;
	struct zsm_class *class = pool->classes[zsm_kunit_class_for(pool, 600)];
	unsigned int n = class->objs, i;
	struct zsm_kunit_obj *o;
	struct zsm_zspage *zs;
	struct page *src, *dst;
	bool deferred;
#ifdef ZSM_KUNIT_SHIM
	struct zsm_kunit_live live = zsm_kunit_live_now();
#endif

	o = kunit_kcalloc(test, n, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zsm_kunit_new(ctx, &o[i], 600, 77 + i), 0);
	KUNIT_ASSERT_EQ(test, zsm_kunit_zspages(class, &zs, 1), 1U);
	KUNIT_ASSERT_EQ(test, zsm_get_total_pages(pool),
			(unsigned long)class->ppz);
	src = zs->pages[class->ppz - 1];
	dst = alloc_pages(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	get_page(src);
	lock_page(src);

	for (i = 0; i < n; i++)
		zsm_kunit_put(ctx, &o[i]);
	spin_lock(&pool->defer_lock);
	deferred = list_is_singular(&pool->deferred);
	spin_unlock(&pool->defer_lock);
	KUNIT_EXPECT_TRUE(test, deferred);
	KUNIT_EXPECT_EQ(test, zsm_kunit_sum(test, pool).zspages, 0UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			(unsigned long)class->ppz);

	lock_page(dst);
	KUNIT_EXPECT_EQ(test, zsm_migrate_page(dst, src, MIGRATE_SYNC),
			MIGRATEPAGE_SUCCESS);
	unlock_page(dst);
	unlock_page(src);
	put_page(dst);
	put_page(src);

	zsm_release_wait(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_pages_migrated(pool), 1UL);
	zsm_kunit_expect_empty(test, pool);
#ifdef ZSM_KUNIT_SHIM
	zsm_kunit_expect_live(test, live);
#endif
}

/* --------------------------------------------------------------- suites */

static struct kunit_case zsm_kunit_cases[] = {
	KUNIT_CASE(zsm_test_create_empty),
	KUNIT_CASE(zsm_test_class_geometry),
	KUNIT_CASE(zsm_test_malloc_einval),
	KUNIT_CASE_PARAM(zsm_test_class_roundtrip, zsm_kunit_class_gen),
	KUNIT_CASE_PARAM(zsm_test_edge_sizes, zsm_kunit_edge_gen_params),
	KUNIT_CASE(zsm_test_handles_unique),
	KUNIT_CASE(zsm_test_stats_exact),
	KUNIT_CASE(zsm_test_huge_class),
	KUNIT_CASE(zsm_test_destroy_live),
	{}
};

static struct kunit_suite zram_zsmalloc_suite = {
	.name = "zram_zsmalloc",
	.suite_init = zsm_kunit_suite_init,
	.init = zsm_kunit_init,
	.exit = zsm_kunit_exit,
	.test_cases = zsm_kunit_cases,
};

static struct kunit_case zsm_kunit_compact_cases[] = {
	KUNIT_CASE_PARAM(zsm_test_compact_exact, zsm_kunit_compact_gen_params),
	KUNIT_CASE(zsm_test_compact_random),
	KUNIT_CASE(zsm_test_compact_concurrent),
	KUNIT_CASE(zsm_test_compact_grow),
	KUNIT_CASE(zsm_test_shrinker),
	{}
};

static struct kunit_suite zram_zsmalloc_compact_suite = {
	.name = "zram_zsmalloc_compact",
	.init = zsm_kunit_init,
	.exit = zsm_kunit_exit,
	.test_cases = zsm_kunit_compact_cases,
};

static struct kunit_case zsm_kunit_migrate_cases[] = {
	KUNIT_CASE(zsm_test_migrate_every_page),
	KUNIT_CASE(zsm_test_migrate_concurrent),
	KUNIT_CASE(zsm_test_migrate_deferred_release),
	{}
};

static struct kunit_suite zram_zsmalloc_migrate_suite = {
	.name = "zram_zsmalloc_migrate",
	.init = zsm_kunit_init,
	.exit = zsm_kunit_exit,
	.test_cases = zsm_kunit_migrate_cases,
};

static struct kunit_case zsm_kunit_fault_cases[] = {
	KUNIT_CASE_PARAM(zsm_test_malloc_fault, zsm_kunit_fault_gen_params),
	KUNIT_CASE(zsm_test_malloc_race),
	KUNIT_CASE(zsm_test_malloc_race_page),
	KUNIT_CASE(zsm_test_malloc_race_fault),
	KUNIT_CASE(zsm_test_fault_sweep),
	KUNIT_CASE(zsm_test_create_fault),
	{}
};

static struct kunit_suite zram_zsmalloc_fault_suite = {
	.name = "zram_zsmalloc_fault",
	.init = zsm_kunit_init,
	.exit = zsm_kunit_exit,
	.test_cases = zsm_kunit_fault_cases,
};

kunit_test_suites(&zram_zsmalloc_suite, &zram_zsmalloc_compact_suite,
		  &zram_zsmalloc_migrate_suite, &zram_zsmalloc_fault_suite);
