// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite zram_drv: the block device layer (zram_drv.c).
 *
 * Compiled inside kunit/tu_zram.c right after zram_drv.c, so every static
 * function and object of the driver is in scope.  Each case gets a fresh
 * device from zram_add() (the driver's own constructor) in .init and
 * removes it in .exit; cases that need storage size it through the
 * disksize sysfs handler, exactly as user space would.  The data path is
 * driven through zram_write_page(), zram_read_page(), zram_rw_in_page(),
 * zram_bio_rw() (bios cut into parts on several CPUs, zram_par.c),
 * zram_par_readahead() (readahead read by another CPU) and
 * zram_bio_discard_or_zero(), and checked against the slot table and the stats.
 */

#include <kunit/test.h>
#include <linux/random.h>

#include "../backend.h"		/* an instance's struct zcomp_backend */

/* Device size used by most cases: 16 pages. */
#define ZK_PAGES	16U
#define ZK_DISKSIZE	"64K\n"

/*
 * The 6.1 kernel runs a module's suites while the module is COMING, i.e.
 * before zram_init(); on kernels that run them later zram_init() has run.
 * zram_major tells which: if it is 0, the suite provides what zram_init()
 * would (CPU-hotplug state for the streams, the zram_par workqueue, a
 * tiering workqueue, a block major) and undoes it
 * in .suite_exit, before zram_init() runs.
 */
static bool zk_own_setup;

static int zk_suite_init(struct kunit_suite *suite)
{
	int ret;

	if (zram_major > 0)
		return 0;
	ret = zcomp_init();
	if (ret)
		return ret;
	ret = zram_par_init();
	if (ret)
		goto err_zcomp;
	ret = zram_tier_module_init();
	if (ret)
		goto err_par;
	ret = register_blkdev(0, "zram");
	if (ret <= 0) {
		ret = ret ? ret : -EBUSY;
		goto err_tier;
	}
	zram_major = ret;
	zk_own_setup = true;
	return 0;

err_tier:
	zram_tier_module_exit();
err_par:
	zram_par_exit();
err_zcomp:
	zcomp_exit();
	return ret;
}

static void zk_suite_exit(struct kunit_suite *suite)
{
	if (!zk_own_setup)
		return;
	unregister_blkdev(zram_major, "zram");
	zram_major = 0;
	zram_tier_module_exit();
	zram_par_exit();
	zcomp_exit();
	zk_own_setup = false;
}

struct zk_ctx {
	struct zram *zram;
	struct page *page;	/* data written */
	struct page *back;	/* data read back */
};

static int zk_init(struct kunit *test)
{
	struct zk_ctx *ctx;
	int id;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->page = alloc_page(GFP_KERNEL);
	ctx->back = alloc_page(GFP_KERNEL);
	if (!ctx->page || !ctx->back)
		goto err_pages;

	mutex_lock(&zram_index_mutex);
	id = zram_add();
	if (id >= 0)
		ctx->zram = idr_find(&zram_index_idr, id);
	mutex_unlock(&zram_index_mutex);
	if (id < 0) {
		kunit_err(test, "zram_add() failed: %d\n", id);
		goto err_pages;
	}
	test->priv = ctx;
	return 0;

err_pages:
	if (ctx->page)
		__free_page(ctx->page);
	if (ctx->back)
		__free_page(ctx->back);
	return -ENOMEM;
}

static void zk_exit(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	int id;

	if (!ctx)
		return;
	id = ctx->zram->id;
	mutex_lock(&zram_index_mutex);
	if (!zram_remove(ctx->zram, false))
		idr_remove(&zram_index_idr, id);
	else
		kunit_err(test, "zram%d could not be removed\n", id);
	mutex_unlock(&zram_index_mutex);
	__free_page(ctx->page);
	__free_page(ctx->back);
}

static struct device *zk_dev(struct zram *zram)
{
	return disk_to_dev(zram->disk);
}

static ssize_t zk_store(struct zram *zram, struct device_attribute *attr,
			const char *buf)
{
	return attr->store(zk_dev(zram), attr, buf, strlen(buf));
}

/* Size the device through the disksize handler: 16 pages. */
static void zk_setup(struct kunit *test, struct zram *zram)
{
	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_disksize, ZK_DISKSIZE),
			(ssize_t)strlen(ZK_DISKSIZE));
	KUNIT_ASSERT_TRUE(test, zram->init_done);
}

/* Deterministic incompressible bytes (xorshift64*, fixed seed). */
static void zk_fill_random(struct page *page, u64 seed)
{
	u64 *p = page_address(page);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++) {
		seed ^= seed >> 12;
		seed ^= seed << 25;
		seed ^= seed >> 27;
		p[i] = seed * 0x2545f4914f6cdd1dULL;
	}
}

/* Compressible, not same-filled: short text lines with a counter. */
static void zk_fill_text(struct page *page, unsigned int tag)
{
	char *p = page_address(page);
	unsigned int at = 0, line = 0;

	while (at < PAGE_SIZE) {
		at += scnprintf(p + at, PAGE_SIZE - at,
				"zram kunit line %u tag %u: compressible\n",
				line++, tag);
		if (at >= PAGE_SIZE - 1)
			break;
	}
	p[PAGE_SIZE - 1] = '\n';
}

/* Compressed size the device's own compressor gives @page. */
static unsigned int zk_comp_len(struct kunit *test, struct zram *zram,
				struct page *page)
{
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	struct zcomp_stream *zstrm;
	unsigned int len = 0;
	int ret;

	zstrm = zcomp_stream_get(comp);
	ret = zcomp_compress(comp, zstrm, page_address(page), &len);
	zcomp_stream_put(comp);
	KUNIT_EXPECT_EQ(test, ret, 0);
	return len;
}

/* memset_l() for any word (its 32-bit branch upsets sparse on constants). */
static void zk_fill_words(void *mem, unsigned long word)
{
	unsigned long *p = mem;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = word;
}

/* The flag bits of a slot, without size or access time. */
static unsigned long zk_flags(struct zram *zram, u32 index)
{
	return zram->slots[index].flags & ~(BIT(ZRAM_FLAG_SHIFT) - 1) &
	       (BIT(ZRAM_ACTIME_SHIFT) - 1);
}

/* Exact slot counters; a function so that a failure names its caller. */
static void zk_expect_stats(struct kunit *test, struct zram *zram, s64 stored,
			    s64 same, s64 huge, s64 compr, int line)
{
	struct zram_stats *st = &zram->stats;

	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&st->pages_stored), stored,
			    "pages_stored, line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&st->same_pages), same,
			    "same_pages, line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&st->huge_pages), huge,
			    "huge_pages, line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&st->compr_data_size), compr,
			    "compr_data_size, line %d", line);
}

#define ZK_EXPECT_STATS(test, zram, stored, same, huge, compr)		\
	zk_expect_stats(test, zram, stored, same, huge, compr, __LINE__)

/* Read slot @index into ctx->back (filled with 0xee first), compare. */
static void zk_expect_reads(struct kunit *test, struct zk_ctx *ctx,
			    struct page *page, u32 index)
{
	memset(page_address(ctx->back), 0xee, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_read_page(ctx->zram, ctx->back, index, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(page),
				     page_address(ctx->back), PAGE_SIZE), 0);
}

/* Write @page to @index, read it back into ctx->back, compare. */
static void zk_write_read(struct kunit *test, struct zk_ctx *ctx,
			  struct page *page, u32 index)
{
	KUNIT_ASSERT_EQ(test, zram_write_page(ctx->zram, page, index), 0);
	zk_expect_reads(test, ctx, page, index);
}

/* Free slot @index, as a discard does. */
static void zk_free_slot(struct zram *zram, u32 index)
{
	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram_slot_unlock(zram, index);
}

/* ---- page_same_filled() ---- */

struct zk_same_case {
	const char *desc;
	void (*fill)(unsigned long *p);
	bool same;
	unsigned long word;
};

#define ZK_WORDS	(PAGE_SIZE / sizeof(unsigned long))

static void zk_fill_zero(unsigned long *p)
{
	memset(p, 0, PAGE_SIZE);
}

static void zk_fill_word(unsigned long *p)
{
	zk_fill_words(p, 0x0123456789abcdefUL);
}

static void zk_fill_last_differs(unsigned long *p)
{
	zk_fill_words(p, 0x0123456789abcdefUL);
	p[ZK_WORDS - 1] ^= 1;
}

static void zk_fill_first_differs(unsigned long *p)
{
	zk_fill_words(p, 0x0123456789abcdefUL);
	p[0] = 0;
}

static void zk_fill_middle_differs(unsigned long *p)
{
	zk_fill_words(p, 0x0123456789abcdefUL);
	p[ZK_WORDS / 2] = 0x0123456789abcdeeUL;
}

static void zk_fill_byte(unsigned long *p)
{
	memset(p, 0x5a, PAGE_SIZE);
}

static void zk_fill_u16(unsigned long *p)
{
	u16 *h = (u16 *)p;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*h); i++)
		h[i] = 0x1234;
}

/* A 3-byte period never lines up with an 8-byte word. */
static void zk_fill_3byte(unsigned long *p)
{
	u8 *b = (u8 *)p;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		b[i] = i % 3;
}

/* Two alternating words: every word differs from its neighbour. */
static void zk_fill_two_words(unsigned long *p)
{
	unsigned int i;

	for (i = 0; i < ZK_WORDS; i++)
		p[i] = i & 1 ? ~0UL : 0UL;
}

static const struct zk_same_case zk_same_cases[] = {
	{ "all-zero", zk_fill_zero, true, 0 },
	{ "repeated-word", zk_fill_word, true, 0x0123456789abcdefUL },
	{ "last-word-differs", zk_fill_last_differs, false, 0 },
	{ "first-word-differs", zk_fill_first_differs, false, 0 },
	{ "middle-word-differs", zk_fill_middle_differs, false, 0 },
	{ "byte-0x5a", zk_fill_byte, true, 0x5a5a5a5a5a5a5a5aUL },
	{ "u16-0x1234", zk_fill_u16, true, 0x1234123412341234UL },
	{ "3-byte-period", zk_fill_3byte, false, 0 },
	{ "two-alternating-words", zk_fill_two_words, false, 0 },
};

static void zk_same_desc(const struct zk_same_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zk_same, zk_same_cases, zk_same_desc);

static void zram_kunit_same_filled(struct kunit *test)
{
	const struct zk_same_case *c = test->param_value;
	unsigned long *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long word = 0xfeedUL;	/* untouched unless same */

	KUNIT_ASSERT_NOT_NULL(test, buf);
	c->fill(buf);
	KUNIT_EXPECT_EQ(test, page_same_filled(buf, &word), c->same);
	KUNIT_EXPECT_EQ(test, word, c->same ? c->word : 0xfeedUL);
}

/* ---- zram_parse_size() ---- */

struct zk_size_case {
	const char *in;
	int ret;
	u64 val;
};

static const struct zk_size_case zk_size_cases[] = {
	{ "0", 0, 0 },
	{ "4096", 0, 4096 },
	{ "1K", 0, 1ULL << 10 },
	{ "1k", 0, 1ULL << 10 },
	{ "2M\n", 0, 2ULL << 20 },
	{ "1G", 0, 1ULL << 30 },
	{ "3T", 0, 3ULL << 40 },
	{ "5p", 0, 5ULL << 50 },
	{ "15E", 0, 15ULL << 60 },
	{ "18446744073709551615", 0, U64_MAX },
	{ "0x1000", 0, 4096 },
	{ "0X10k\n", 0, 16ULL << 10 },
	{ "0xffffffffffffffff", 0, U64_MAX },
	/* memparse(): a leading 0 means octal */
	{ "010", 0, 8 },
	{ "0100K", 0, 64ULL << 10 },
	{ "00", 0, 0 },
	{ "08", -EINVAL, 0 },
	{ "0x10k x", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "\n", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1Q", -EINVAL, 0 },
	{ "1KK", -EINVAL, 0 },
	{ "1 K", -EINVAL, 0 },
	{ "1K x", -EINVAL, 0 },
	{ "99999999999999999999", -EINVAL, 0 },
	{ "18446744073709551616", -EINVAL, 0 },
	{ "16E", -EINVAL, 0 },
	{ "17179869184G", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "0xg", -EINVAL, 0 },
	{ "0x10000000000000000", -EINVAL, 0 },
};

static void zk_size_desc(const struct zk_size_case *c, char *desc)
{
	char shown[32];
	unsigned int i, n = 0;

	/* Keep the description on one KTAP line: "\n" is spelt out. */
	for (i = 0; c->in[i] && n < sizeof(shown) - 3; i++) {
		if (c->in[i] == '\n') {
			shown[n++] = '\\';
			shown[n++] = 'n';
		} else {
			shown[n++] = c->in[i];
		}
	}
	shown[n] = '\0';
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" -> %s", shown,
		 c->ret ? "EINVAL" : "ok");
}

KUNIT_ARRAY_PARAM(zk_size, zk_size_cases, zk_size_desc);

static void zram_kunit_parse_size(struct kunit *test)
{
	const struct zk_size_case *c = test->param_value;
	u64 val = 0xabcdULL;	/* must stay untouched on error */

	KUNIT_EXPECT_EQ(test, zram_parse_size(c->in, strlen(c->in), &val),
			c->ret);
	KUNIT_EXPECT_EQ(test, val, c->ret ? 0xabcdULL : c->val);
}

/* The length, not a NUL, ends the input (sysfs buffers). */
static void zram_kunit_parse_size_len(struct kunit *test)
{
	u64 val = 0;

	/* "4096K" seen through 2 bytes is "40" */
	KUNIT_EXPECT_EQ(test, zram_parse_size("4096K", 2, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 40ULL);
	/* "8K" with length 2 and a stray byte after it */
	KUNIT_EXPECT_EQ(test, zram_parse_size("8Kx", 2, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 8192ULL);
	KUNIT_EXPECT_EQ(test, zram_parse_size("8", 0, &val), -EINVAL);
}

/* ---- zram_parse_name() ---- */

static void zram_kunit_parse_name(struct kunit *test)
{
	char name[ZRAM_MAX_ALG_NAME];
	char longest[ZRAM_MAX_ALG_NAME + 1];

	KUNIT_EXPECT_EQ(test, zram_parse_name("zstd\n", 5, name, sizeof(name)),
			0);
	KUNIT_EXPECT_STREQ(test, name, "zstd");
	KUNIT_EXPECT_EQ(test, zram_parse_name("lz4", 3, name, sizeof(name)), 0);
	KUNIT_EXPECT_STREQ(test, name, "lz4");
	KUNIT_EXPECT_EQ(test, zram_parse_name("lzo-rle\t\n\n", 10, name,
					      sizeof(name)), 0);
	KUNIT_EXPECT_STREQ(test, name, "lzo-rle");
	KUNIT_EXPECT_EQ(test, zram_parse_name("", 0, name, sizeof(name)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zram_parse_name("\n", 1, name, sizeof(name)),
			-EINVAL);

	/* 31 characters fit a 32-byte name, 32 do not. */
	memset(longest, 'a', sizeof(longest));
	KUNIT_EXPECT_EQ(test, zram_parse_name(longest, ZRAM_MAX_ALG_NAME - 1,
					      name, sizeof(name)), 0);
	KUNIT_EXPECT_EQ(test, strlen(name), (size_t)ZRAM_MAX_ALG_NAME - 1);
	KUNIT_EXPECT_EQ(test, zram_parse_name(longest, ZRAM_MAX_ALG_NAME,
					      name, sizeof(name)), -EINVAL);
}

/* ---- sysfs store handlers ---- */

static void zram_kunit_disksize_store(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	static const char * const bad[] = {
		"abc", "", "0", "-4096", "1Q", "16E", "17179869184G",
	};
	unsigned int i;

	/* Before: not initialised, no capacity, nothing allocated. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, zk_store(zram, &dev_attr_disksize,
						   bad[i]),
				    (ssize_t)-EINVAL, "input \"%s\"", bad[i]);
		KUNIT_EXPECT_FALSE(test, zram->init_done);
		KUNIT_EXPECT_EQ(test, zram->disksize, 0ULL);
		KUNIT_EXPECT_NULL(test, zram->slots);
		KUNIT_EXPECT_NULL(test, zram->pool);
		KUNIT_EXPECT_EQ(test, get_capacity(zram->disk), (sector_t)0);
	}

	/* 4097 bytes round up to two pages. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_disksize, "4097\n"),
			(ssize_t)5);
	KUNIT_EXPECT_TRUE(test, zram->init_done);
	KUNIT_EXPECT_EQ(test, zram->disksize, 2ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, get_capacity(zram->disk),
			(sector_t)(2 * PAGE_SIZE >> SECTOR_SHIFT));
	KUNIT_EXPECT_EQ(test, zram->huge_class_size,
			zsm_huge_class_size(zram->pool));

	/* Initialised: any write is refused and changes nothing. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_disksize, "1M"),
			(ssize_t)-EBUSY);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_disksize, "abc"),
			(ssize_t)-EBUSY);
	KUNIT_EXPECT_EQ(test, zram->disksize, 2ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, get_capacity(zram->disk),
			(sector_t)(2 * PAGE_SIZE >> SECTOR_SHIFT));
}

static void zram_kunit_comp_algorithm_store(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	ssize_t len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[ZRAM_PRIMARY_COMP], ZRAM_DEFAULT_COMP);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm, "foo\n"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm, "\n"),
			(ssize_t)-EINVAL);
	/* A prefix of a real name is not that name. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm, "lz"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[ZRAM_PRIMARY_COMP], ZRAM_DEFAULT_COMP);

	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm,
				       "zstd\n"), (ssize_t)5);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[ZRAM_PRIMARY_COMP], "zstd");
	len = dev_attr_comp_algorithm.show(zk_dev(zram),
					   &dev_attr_comp_algorithm, buf);
	KUNIT_EXPECT_EQ(test, len,
			(ssize_t)strlen("lzo lzo-rle lz4 lz4hc [zstd] deflate\n"));
	KUNIT_EXPECT_STREQ(test, buf, "lzo lzo-rle lz4 lz4hc [zstd] deflate\n");

	/* After init the algorithm is fixed, even for a valid name. */
	zk_setup(test, zram);
	KUNIT_EXPECT_STREQ(test, zram->comps[ZRAM_PRIMARY_COMP]->backend->name, "zstd");
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm, "lz4"),
			(ssize_t)-EBUSY);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[ZRAM_PRIMARY_COMP], "zstd");
}

static void zram_kunit_other_stores(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;

	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_reset, "0"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_reset, "x"),
			(ssize_t)-EINVAL);
	/* 16 bits, decimal, as with the kernel's zram */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_reset, "65536"),
			(ssize_t)-ERANGE);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_reset, "0x1"),
			(ssize_t)-EINVAL);
	/* Any write is taken (and ignored), as with the kernel's zram. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_max_comp_streams, "0"),
			(ssize_t)1);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_max_comp_streams, "x"),
			(ssize_t)1);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_max_comp_streams, "4\n"),
			(ssize_t)2);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_mem_used_max, "1"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_compact, "1"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_mem_limit, "1Q"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zram->limit_pages, 0UL);
	/* 5000 bytes round up to two pages of limit. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_mem_limit, "5000"),
			(ssize_t)4);
	KUNIT_EXPECT_EQ(test, zram->limit_pages, 2UL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_mem_limit, "0"),
			(ssize_t)1);
	KUNIT_EXPECT_EQ(test, zram->limit_pages, 0UL);
	/* The largest number: a limit never reached (no overflow to 0). */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_mem_limit,
				       "18446744073709551615"), (ssize_t)20);
	KUNIT_EXPECT_EQ(test, zram->limit_pages,
			(unsigned long)(U64_MAX >> PAGE_SHIFT) + 1);
}

/* ---- data path ---- */

/* Same-filled page: no object, the word in ->handle. */
static void zram_kunit_write_same(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;

	zk_setup(test, zram);
	zk_fill_words(page_address(ctx->page), 0xa5a5deadUL);
	zk_write_read(test, ctx, ctx->page, 3);

	KUNIT_EXPECT_EQ(test, zk_flags(zram, 3), BIT(ZRAM_SAME));
	KUNIT_EXPECT_EQ(test, zram->slots[3].handle, 0xa5a5deadUL);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 3), 0U);
	ZK_EXPECT_STATS(test, zram, 1, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), 0UL);
}

/* Incompressible page: stored raw, ZRAM_HUGE, PAGE_SIZE bytes. */
static void zram_kunit_write_huge(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;

	zk_setup(test, zram);
	zk_fill_random(ctx->page, 0x9e3779b97f4a7c15ULL);
	KUNIT_ASSERT_GE(test, zk_comp_len(test, zram, ctx->page),
			(unsigned int)zram->huge_class_size);
	zk_write_read(test, ctx, ctx->page, 0);

	KUNIT_EXPECT_EQ(test, zk_flags(zram, 0), BIT(ZRAM_HUGE));
	KUNIT_EXPECT_NE(test, zram->slots[0].handle, 0UL);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 0), (unsigned int)PAGE_SIZE);
	ZK_EXPECT_STATS(test, zram, 1, 0, 1, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.huge_pages_since), 1LL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), 1UL);
}

/* Compressible page: an object of exactly the compressed length. */
static void zram_kunit_write_compressed(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	unsigned int len;

	zk_setup(test, zram);
	zk_fill_text(ctx->page, 1);
	len = zk_comp_len(test, zram, ctx->page);
	KUNIT_ASSERT_GT(test, len, 0U);
	KUNIT_ASSERT_LT(test, len, (unsigned int)zram->huge_class_size);
	zk_write_read(test, ctx, ctx->page, ZK_PAGES - 1);

	KUNIT_EXPECT_EQ(test, zk_flags(zram, ZK_PAGES - 1), 0UL);
	KUNIT_EXPECT_NE(test, zram->slots[ZK_PAGES - 1].handle, 0UL);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, ZK_PAGES - 1), len);
	ZK_EXPECT_STATS(test, zram, 1, 0, 0, len);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.huge_pages_since), 0LL);
}

/* DISCARD (or WRITE_ZEROES) of @size bytes at byte @start. */
static void zk_discard(struct kunit *test, struct zram *zram, u64 start,
		       u32 size, bool zeroes)
{
	struct bio bio;

	bio_init(&bio, NULL, NULL, 0,
		 zeroes ? REQ_OP_WRITE_ZEROES : REQ_OP_DISCARD);
	bio.bi_iter.bi_sector = start >> SECTOR_SHIFT;
	bio.bi_iter.bi_size = size;
	KUNIT_EXPECT_EQ(test, zram_bio_discard_or_zero(zram, &bio, zeroes), 0);
	bio_uninit(&bio);
}

/*
 * One slot through every state:
 * empty -> same -> compressed -> huge -> (discard) empty
 *       -> compressed -> (zram_free_slot) empty.
 */
static void zram_kunit_slot_transitions(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	const u32 i = 5;
	unsigned int len;

	zk_setup(test, zram);
	/* empty: no flags, no handle, reads as zeros */
	KUNIT_EXPECT_FALSE(test, zram_slot_allocated(zram, i));
	memset(page_address(ctx->page), 0, PAGE_SIZE);
	zk_write_read(test, ctx, ctx->page, 6);	/* slot 6: zero page */
	memset(page_address(ctx->back), 0x11, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, i, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(ctx->back),
				     page_address(ctx->page), PAGE_SIZE), 0);
	ZK_EXPECT_STATS(test, zram, 1, 1, 0, 0);

	/* same */
	zk_fill_words(page_address(ctx->page), 7);
	zk_write_read(test, ctx, ctx->page, i);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, i), BIT(ZRAM_SAME));
	ZK_EXPECT_STATS(test, zram, 2, 2, 0, 0);

	/* compressed: the same-page count drops back */
	zk_fill_text(ctx->page, 2);
	len = zk_comp_len(test, zram, ctx->page);
	zk_write_read(test, ctx, ctx->page, i);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, i), 0UL);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, i), len);
	ZK_EXPECT_STATS(test, zram, 2, 1, 0, len);

	/* huge: the compressed object is released */
	zk_fill_random(ctx->page, 42);
	zk_write_read(test, ctx, ctx->page, i);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, i), BIT(ZRAM_HUGE));
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, i), (unsigned int)PAGE_SIZE);
	ZK_EXPECT_STATS(test, zram, 2, 1, 1, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), 1UL);

	/* discard of pages 5 and 6: both empty again */
	zk_discard(test, zram, (u64)i * PAGE_SIZE, 2 * PAGE_SIZE, false);
	KUNIT_EXPECT_FALSE(test, zram_slot_allocated(zram, i));
	KUNIT_EXPECT_FALSE(test, zram_slot_allocated(zram, i + 1));
	KUNIT_EXPECT_EQ(test, zram->slots[i].flags, 0UL);
	KUNIT_EXPECT_EQ(test, zram->slots[i].handle, 0UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.notify_free), 2LL);
	ZK_EXPECT_STATS(test, zram, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), 0UL);

	/* compressed again, then freed directly */
	zk_fill_text(ctx->page, 3);
	zk_write_read(test, ctx, ctx->page, i);
	ZK_EXPECT_STATS(test, zram, 1, 0, 0, zk_comp_len(test, zram, ctx->page));
	zk_free_slot(zram, i);
	KUNIT_EXPECT_EQ(test, zram->slots[i].flags, 0UL);
	ZK_EXPECT_STATS(test, zram, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), 0UL);
}

/* Every page of the device, mixed contents, all read back intact. */
static void zram_kunit_read_back(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	u64 compr = 0;
	unsigned int huge = 0, same = 0;
	u32 i;

	zk_setup(test, zram);
	for (i = 0; i < ZK_PAGES; i++) {
		switch (i % 3) {
		case 0:
			zk_fill_words(page_address(ctx->page), i);
			same++;
			break;
		case 1:
			zk_fill_text(ctx->page, i);
			compr += zk_comp_len(test, zram, ctx->page);
			break;
		default:
			zk_fill_random(ctx->page, i + 1);
			compr += PAGE_SIZE;
			huge++;
			break;
		}
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, i), 0);
	}
	ZK_EXPECT_STATS(test, zram, ZK_PAGES, same, huge, compr);

	/* Regenerate each page and compare with what the device returns. */
	for (i = 0; i < ZK_PAGES; i++) {
		switch (i % 3) {
		case 0:
			zk_fill_words(page_address(ctx->page), i);
			break;
		case 1:
			zk_fill_text(ctx->page, i);
			break;
		default:
			zk_fill_random(ctx->page, i + 1);
			break;
		}
		KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, i, NULL), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_address(ctx->page),
						 page_address(ctx->back),
						 PAGE_SIZE), 0, "page %u", i);
	}
}

/* Sub-page writes and reads through the bounce page. */
static void zram_kunit_rw_part(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	u8 *src = page_address(ctx->page), *dst = page_address(ctx->back);
	u8 *expect = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, expect);
	zk_setup(test, zram);

	/* 512 bytes into the empty page 2 at offset 1024: rest stays 0. */
	for (i = 0; i < PAGE_SIZE; i++)
		src[i] = i * 7 + 1;
	KUNIT_ASSERT_EQ(test, zram_rw_in_page(zram, ctx->page, 100, 512, 2, 1024,
					   true, NULL), 0);
	memcpy(expect + 1024, src + 100, 512);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(dst, expect, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 2), 0UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 1LL);

	/* A second write over the tail of the page: modify, keep the rest. */
	KUNIT_ASSERT_EQ(test, zram_rw_in_page(zram, ctx->page, 0, 3072, 2, 1024,
					   true, NULL), 0);
	memcpy(expect + 1024, src, 3072);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(dst, expect, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 1LL);

	/* Partial read: 100 bytes from offset 1000 land at page offset 7. */
	memset(dst, 0xcc, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_rw_in_page(zram, ctx->back, 7, 100, 2, 1000,
					   false, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(dst + 7, expect + 1000, 100), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(dst, 0xcc, 7), NULL);
	KUNIT_EXPECT_PTR_EQ(test,
			    memchr_inv(dst + 107, 0xcc, PAGE_SIZE - 107), NULL);
}

/* ---- zram_par.c: bios cut into parts on several CPUs ---- */

struct zk_par_case {
	unsigned int pages, cpus, min_pages, parts;
};

static const struct zk_par_case zk_par_cases[] = {
	{ 256, 4, 32, 4 },	/* as many parts as CPUs */
	{ 256, 2, 32, 2 },
	{ 256, 64, 32, 8 },	/* at most ZRAM_PAR_MAX_PARTS */
	{ 256, 64, 64, 4 },	/* at most pages / min_pages */
	{ 64, 4, 32, 2 },	/* the smallest bio that is cut */
	{ 63, 4, 32, 1 },
	{ 95, 4, 32, 2 },	/* 95 / 32 = 2: never a part below 32 */
	{ 256, 1, 32, 1 },	/* one CPU */
	{ 256, 4, 0, 1 },	/* parallel_pages=0 */
	{ 1, 4, 1, 1 },
	{ 2, 4, 1, 2 },
	{ 0, 4, 32, 1 },
};

static void zk_par_desc(const struct zk_par_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages, %u CPUs, min %u",
		 c->pages, c->cpus, c->min_pages);
}

KUNIT_ARRAY_PARAM(zk_par, zk_par_cases, zk_par_desc);

static void zram_kunit_par_parts(struct kunit *test)
{
	const struct zk_par_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, zram_par_parts(c->pages, c->cpus, c->min_pages),
			c->parts);
}

/*
 * One bio over all ZK_PAGES device pages, from pages that hold each
 * device page in two segments (1 KiB into the first page of memory
 * on), written and read back whole with parallel_pages=2: the parts
 * begin in the middle of a segment, each device page stays in one part.
 */
static void zk_par_bio(struct kunit *test, struct zram *zram,
		       struct page **pages, blk_opf_t op)
{
	struct bio_vec bvecs[ZK_PAGES + 1];
	struct bio bio;
	unsigned int i;

	bio_init(&bio, NULL, bvecs, ARRAY_SIZE(bvecs), op);
	for (i = 0; i <= ZK_PAGES; i++) {
		unsigned int off = i ? 0 : 1024;
		unsigned int len = i == ZK_PAGES ? 1024 : PAGE_SIZE - off;

		KUNIT_EXPECT_EQ(test, bio_add_page(&bio, pages[i], len, off),
				len);
	}
	/* Expectations, not assertions: the caller restores parallel_pages. */
	if (bio.bi_iter.bi_size == ZK_PAGES * PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, zram_bio_rw(zram, &bio, op_is_write(op)),
				0);
	else
		KUNIT_FAIL(test, "bio of %u bytes", bio.bi_iter.bi_size);
	bio_uninit(&bio);
}

static void zram_kunit_par_bio(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	struct page *src[ZK_PAGES + 1] = {}, *dst[ZK_PAGES + 1] = {};
	unsigned int saved = parallel_pages, i;
	s64 parts;

	zk_setup(test, zram);
	for (i = 0; i <= ZK_PAGES; i++) {
		src[i] = alloc_page(GFP_KERNEL);
		dst[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!src[i] || !dst[i]) {
			KUNIT_FAIL(test, "no memory");
			goto out;
		}
		if (i % 2)
			zk_fill_text(src[i], i);
		else
			zk_fill_random(src[i], i + 1);
	}
	parts = zram_par_parts(ZK_PAGES, num_online_cpus(), 2);
	kunit_info(test, "%u online CPUs: %lld parts per bio\n",
		   num_online_cpus(), parts);

	parallel_pages = 2;
	zk_par_bio(test, zram, src, REQ_OP_WRITE);
	zk_par_bio(test, zram, dst, REQ_OP_READ);
	parallel_pages = saved;

	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored),
			(s64)ZK_PAGES);
	for (i = 0; i <= ZK_PAGES; i++) {
		unsigned int off = i ? 0 : 1024;
		unsigned int len = i == ZK_PAGES ? 1024 : PAGE_SIZE - off;

		KUNIT_EXPECT_EQ_MSG(test,
				    memcmp(page_address(src[i]) + off,
					   page_address(dst[i]) + off, len),
				    0, "memory page %u", i);
	}
	if (parts > 1) {
		KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.par_bios), 2LL);
		KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.par_parts),
				2 * (parts - 1));
	} else {
		KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.par_bios), 0LL);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.failed_writes), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.failed_reads), 0LL);
out:
	parallel_pages = saved;
	for (i = 0; i <= ZK_PAGES; i++) {
		if (src[i])
			__free_page(src[i]);
		if (dst[i])
			__free_page(dst[i]);
	}
}

static void zk_ra_end_io(struct bio *bio)
{
	complete(bio->bi_private);
}

/*
 * zram_par_readahead(): a read without REQ_RAHEAD, a readahead smaller
 * than async_readahead, and any with async_readahead=0 stay with the
 * caller (false, nothing counted); a readahead of ZK_PAGES pages with
 * async_readahead=ZK_PAGES goes to a worker (with 2 CPUs online, as the
 * KUnit guest has), which completes it with the data and leaves
 * ra_fly at 0.
 */
static void zram_kunit_par_readahead(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	DECLARE_COMPLETION_ONSTACK(done);
	unsigned int saved = async_readahead, i;
	struct page *dst[ZK_PAGES] = {};
	struct bio_vec bvecs[ZK_PAGES];
	struct bio bio;

	zk_setup(test, zram);
	bio_init(&bio, zram->disk->part0, bvecs, ZK_PAGES, REQ_OP_READ);
	for (i = 0; i < ZK_PAGES; i++) {
		zk_fill_text(ctx->page, i);
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, i), 0);
		dst[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!dst[i]) {
			KUNIT_FAIL(test, "no memory");
			goto out;
		}
		bio_add_page(&bio, dst[i], PAGE_SIZE, 0);
	}
	KUNIT_ASSERT_EQ(test, bio.bi_iter.bi_size, ZK_PAGES * PAGE_SIZE);

	async_readahead = ZK_PAGES;
	KUNIT_EXPECT_FALSE(test, zram_par_readahead(zram, &bio, jiffies));
	bio.bi_opf |= REQ_RAHEAD;
	async_readahead = ZK_PAGES + 1;
	KUNIT_EXPECT_FALSE(test, zram_par_readahead(zram, &bio, jiffies));
	async_readahead = 0;
	KUNIT_EXPECT_FALSE(test, zram_par_readahead(zram, &bio, jiffies));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.ra_async), 0LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&zram->ra_fly), 0);

	if (num_online_cpus() < 2) {
		kunit_mark_skipped(test, "one CPU online: readahead stays");
		goto out;
	}
	async_readahead = ZK_PAGES;
	bio.bi_private = &done;
	bio.bi_end_io = zk_ra_end_io;
	if (!zram_par_readahead(zram, &bio, bio_start_io_acct(&bio))) {
		KUNIT_FAIL(test, "readahead of %u pages stayed", ZK_PAGES);
		goto out;
	}
	wait_for_completion(&done);
	zram_par_quiesce(zram);
	KUNIT_EXPECT_EQ(test, bio.bi_status, BLK_STS_OK);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.ra_async), 1LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&zram->ra_fly), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.failed_reads), 0LL);
	for (i = 0; i < ZK_PAGES; i++) {
		zk_fill_text(ctx->back, i);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_address(ctx->back),
						 page_address(dst[i]), PAGE_SIZE),
				    0, "page %u", i);
	}
out:
	async_readahead = saved;
	bio_uninit(&bio);
	for (i = 0; i < ZK_PAGES; i++)
		if (dst[i])
			__free_page(dst[i]);
}

/*
 * WRITE_ZEROES zeroes partial pages in place and frees whole ones;
 * DISCARD leaves partial pages alone.
 */
static void zram_kunit_discard_partial(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	u8 *p = page_address(ctx->page), *b = page_address(ctx->back);

	zk_setup(test, zram);
	zk_fill_text(ctx->page, 9);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 0), 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 1), 0);

	/* discard [2048, 4096 + 2048): no whole page, nothing changes */
	zk_discard(test, zram, 2048, PAGE_SIZE, false);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 2LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.notify_free), 0LL);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p, b, PAGE_SIZE), 0);

	/* write zeroes over [2048, 4096 + 2048): both halves zeroed */
	zk_discard(test, zram, 2048, PAGE_SIZE, true);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p, b, 2048), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(b + 2048, 0, 2048), NULL);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 1, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(b, 0, 2048), NULL);
	KUNIT_EXPECT_EQ(test, memcmp(p + 2048, b + 2048, 2048), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 2LL);
}

/* A write that would take the pool over mem_limit fails cleanly. */
static void zram_kunit_mem_limit(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	unsigned long pages;
	char limit[32];

	zk_setup(test, zram);
	zk_fill_random(ctx->page, 1);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 0), 0);
	pages = zsm_get_total_pages(zram->pool);
	KUNIT_ASSERT_EQ(test, pages, 1UL);

	/* limit = what the pool holds now: the next huge page cannot fit */
	snprintf(limit, sizeof(limit), "%lu\n", pages * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_mem_limit, limit),
			(ssize_t)strlen(limit));
	zk_fill_random(ctx->page, 2);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, ctx->page, 1), -ENOMEM);
	KUNIT_EXPECT_FALSE(test, zram_slot_allocated(zram, 1));
	ZK_EXPECT_STATS(test, zram, 1, 0, 1, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(zram->pool), pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zram->stats.max_used_pages),
			2L);
	/* same-filled pages need no memory and still work */
	memset(page_address(ctx->page), 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, ctx->page, 1), 0);
}

/* mm_stat reports the exact counters; reset brings everything to 0. */
static void zram_kunit_mm_stat_reset(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long long v[9];
	int n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm, "lz4"),
			(ssize_t)3);
	zk_setup(test, zram);
	memset(page_address(ctx->page), 0, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 0), 0);
	zk_fill_random(ctx->page, 3);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 1), 0);

	KUNIT_ASSERT_GT(test, dev_attr_mm_stat.show(zk_dev(zram),
						    &dev_attr_mm_stat, buf),
			(ssize_t)0);
	n = sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
	KUNIT_ASSERT_EQ(test, n, 9);
	KUNIT_EXPECT_EQ(test, v[0], 2ULL * PAGE_SIZE);	/* orig_data_size */
	KUNIT_EXPECT_EQ(test, v[1], (u64)PAGE_SIZE);	/* compr_data_size */
	KUNIT_EXPECT_EQ(test, v[2], (u64)PAGE_SIZE);	/* mem_used_total */
	KUNIT_EXPECT_EQ(test, v[3], 0ULL);		/* mem_limit */
	KUNIT_EXPECT_EQ(test, v[4], (u64)PAGE_SIZE);	/* mem_used_max */
	KUNIT_EXPECT_EQ(test, v[5], 1ULL);		/* same_pages */
	KUNIT_EXPECT_EQ(test, v[6], 0ULL);		/* pages_compacted */
	KUNIT_EXPECT_EQ(test, v[7], 1ULL);		/* huge_pages */
	KUNIT_EXPECT_EQ(test, v[8], 1ULL);		/* huge_pages_since */

	/* reset: back to the state after creation */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_reset, "1\n"),
			(ssize_t)2);
	KUNIT_EXPECT_FALSE(test, zram->init_done);
	KUNIT_EXPECT_EQ(test, zram->disksize, 0ULL);
	KUNIT_EXPECT_NULL(test, zram->slots);
	KUNIT_EXPECT_NULL(test, zram->pool);
	KUNIT_EXPECT_NULL(test, zram->comps[ZRAM_PRIMARY_COMP]);
	/* the chosen algorithm survives a reset, as with the kernel's zram */
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[ZRAM_PRIMARY_COMP], "lz4");
	KUNIT_EXPECT_EQ(test, get_capacity(zram->disk), (sector_t)0);
	ZK_EXPECT_STATS(test, zram, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&zram->stats.max_used_pages),
			0L);

	/* and the device can be set up again, with that algorithm */
	zk_setup(test, zram);
	KUNIT_EXPECT_STREQ(test, zram->comps[ZRAM_PRIMARY_COMP]->backend->name, "lz4");
}

/* ---- idle tracking ---- */

/*
 * The access time lives in the upper 32 bits of ->flags: setting it
 * keeps size, flags and lock bit, and they keep it.
 */
static void zram_kunit_actime_packing(struct kunit *test)
{
	static const u32 times[] = { 0, 1, 0x7fffffff, 0x80000000, U32_MAX };
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	unsigned int i;

	zk_setup(test, zram);
	for (i = 0; i < ARRAY_SIZE(times); i++) {
		zram_slot_lock(zram, 1);
		zram_set_obj_size(zram, 1, PAGE_SIZE);
		zram_set_flag(zram, 1, ZRAM_HUGE);
		zram_set_flag(zram, 1, ZRAM_IDLE);
		zram_set_actime(zram, 1, times[i]);
		KUNIT_EXPECT_EQ(test, zram_get_actime(zram, 1), times[i]);
		KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 1),
				(unsigned int)PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, zk_flags(zram, 1), BIT(ZRAM_SLOT_LOCK) |
				BIT(ZRAM_HUGE) | BIT(ZRAM_IDLE));

		/* size and flag changes leave the time alone */
		zram_set_obj_size(zram, 1, 123);
		zram_clear_flag(zram, 1, ZRAM_HUGE);
		zram_set_flag(zram, 1, ZRAM_SAME);
		KUNIT_EXPECT_EQ(test, zram_get_actime(zram, 1), times[i]);
		KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 1), 123U);
		KUNIT_EXPECT_EQ(test, zk_flags(zram, 1), BIT(ZRAM_SLOT_LOCK) |
				BIT(ZRAM_SAME) | BIT(ZRAM_IDLE));
		zram->slots[1].flags &= BIT(ZRAM_SLOT_LOCK);
		zram_slot_unlock(zram, 1);
		KUNIT_EXPECT_EQ(test, zram->slots[1].flags, 0UL);
	}
	KUNIT_EXPECT_EQ(test, ZRAM_ACTIME_SHIFT, 32);
	KUNIT_EXPECT_LE(test, (int)__NR_ZRAM_SLOT_FLAGS, ZRAM_ACTIME_SHIFT);
}

static void zk_mark_idle(struct zram *zram, u64 age)
{
	down_read(&zram->init_lock);
	zram_mark_idle(zram, age);
	up_read(&zram->init_lock);
}

/* Writes and reads stamp the time and clear idle; a free resets both. */
static void zram_kunit_idle_access(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	u32 before = zram_now(), after;
	unsigned int len;

	zk_setup(test, zram);
	zk_fill_text(ctx->page, 7);
	len = zk_comp_len(test, zram, ctx->page);
	zk_write_read(test, ctx, ctx->page, 2);		/* compressed */
	zk_fill_words(page_address(ctx->page), 0);
	zk_write_read(test, ctx, ctx->page, 4);		/* same */
	after = zram_now();
	KUNIT_EXPECT_GE(test, zram_get_actime(zram, 2), before);
	KUNIT_EXPECT_LE(test, zram_get_actime(zram, 2), after);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 2), len);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 4), BIT(ZRAM_SAME));

	/* "all": every stored slot, no empty one */
	zk_mark_idle(zram, 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 2), BIT(ZRAM_IDLE));
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 4),
			BIT(ZRAM_SAME) | BIT(ZRAM_IDLE));
	KUNIT_EXPECT_EQ(test, zram->slots[3].flags, 0UL);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 2), len);

	/* a read clears it, a read of an empty slot stamps nothing */
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 2), 0UL);
	KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, zram->slots[3].flags, 0UL);
	/* a write too */
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 4), 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 4), BIT(ZRAM_SAME));

	/* by age: 100 s old is idle for 99, not for 150 (ticks allowed) */
	zk_mark_idle(zram, 0);
	zram_slot_lock(zram, 2);
	zram_set_actime(zram, 2, zram_now() - 100);
	zram_clear_flag(zram, 2, ZRAM_IDLE);
	zram_slot_unlock(zram, 2);
	zram_slot_lock(zram, 4);
	zram_clear_flag(zram, 4, ZRAM_IDLE);
	zram_slot_unlock(zram, 4);
	zk_mark_idle(zram, 150);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 2), 0UL);
	zk_mark_idle(zram, 99);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 2), BIT(ZRAM_IDLE));
	zk_mark_idle(zram, 10);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 4), BIT(ZRAM_SAME));
	KUNIT_EXPECT_EQ(test, zram->slots[3].flags, 0UL);

	/* freeing resets time and idle */
	zk_discard(test, zram, 2 * PAGE_SIZE, PAGE_SIZE, false);
	KUNIT_EXPECT_EQ(test, zram->slots[2].flags, 0UL);
}

struct zk_idle_case {
	const char *in;
	int ret;
	u64 age;
};

static const struct zk_idle_case zk_idle_cases[] = {
	{ "all", 0, 0 },
	{ "all\n", 0, 0 },
	{ "1", 0, 1 },
	{ "86400\n", 0, 86400 },
	{ "18446744073709551615", 0, U64_MAX },
	/* as the kernel's zram: kstrtoull(base 0), 0 is every page */
	{ "0", 0, 0 },
	{ "0\n", 0, 0 },
	{ "0x10", 0, 16 },
	{ "010", 0, 8 },
	{ "+5", 0, 5 },
	{ "-1", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "all x", -EINVAL, 0 },
	{ "alll", -EINVAL, 0 },
	{ "ALL", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "\n", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1s", -EINVAL, 0 },
	{ "5\n\n", -EINVAL, 0 },
	{ "18446744073709551616", -EINVAL, 0 },
};

static void zk_idle_desc(const struct zk_idle_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%*pE\"", (int)strlen(c->in),
		 c->in);
}

KUNIT_ARRAY_PARAM(zk_idle, zk_idle_cases, zk_idle_desc);

static void zram_kunit_parse_idle(struct kunit *test)
{
	const struct zk_idle_case *c = test->param_value;
	u64 age = 0xabcdULL;

	KUNIT_EXPECT_EQ(test, zram_parse_idle(c->in, &age), c->ret);
	KUNIT_EXPECT_EQ(test, age, c->ret ? 0xabcdULL : c->age);
}

/* The idle attribute: -EINVAL before set-up and for bad input. */
static void zram_kunit_idle_store(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;

	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "all\n"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "5"),
			(ssize_t)-EINVAL);
	zk_setup(test, zram);
	zk_fill_words(page_address(ctx->page), 1);
	zk_write_read(test, ctx, ctx->page, 0);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "-1"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "all x"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "100000"),
			(ssize_t)6);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 0), BIT(ZRAM_SAME));
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "all\n"),
			(ssize_t)4);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 0),
			BIT(ZRAM_SAME) | BIT(ZRAM_IDLE));
	KUNIT_EXPECT_EQ(test, zram->slots[1].flags, 0UL);
	/* "0" marks every stored page, as "all" does. */
	zk_write_read(test, ctx, ctx->page, 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 0), BIT(ZRAM_SAME));
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_idle, "0"),
			(ssize_t)1);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 0),
			BIT(ZRAM_SAME) | BIT(ZRAM_IDLE));
}

/* ---- writeback: parsing, block allocation, slot states ---- */

struct zk_wb_case {
	const char *in;
	int ret;
	enum zram_wb_mode mode;
};

/* Against a device of ZK_PAGES (16) pages. */
static const struct zk_wb_case zk_wb_cases[] = {
	{ "huge", 0, ZRAM_WB_HUGE },
	{ "huge\n", 0, ZRAM_WB_HUGE },
	{ "idle", 0, ZRAM_WB_IDLE },
	{ "huge_idle\n", 0, ZRAM_WB_HUGE_IDLE },
	{ "incompressible", 0, ZRAM_WB_INCOMPRESSIBLE },
	{ "page_index=0", 0, ZRAM_WB_INDEX },
	{ "page_index=15\n", 0, ZRAM_WB_INDEX },
	{ "page_indexes=0-15", 0, ZRAM_WB_INDEX },
	{ "page_indexes=7-7", 0, ZRAM_WB_INDEX },
	{ "page_index=1 page_indexes=3-5 page_index=9\n", 0, ZRAM_WB_INDEX },
	{ "page_index=16", -EINVAL },
	{ "page_indexes=3-16", -EINVAL },
	{ "page_indexes=5-2", -EINVAL },
	{ "page_indexes=5", -EINVAL },
	{ "page_indexes=5-", -EINVAL },
	{ "page_indexes=-5", -EINVAL },
	{ "page_index=", -EINVAL },
	{ "page_index=-1", -EINVAL },
	{ "page_index=x", -EINVAL },
	{ "page_index=1x", -EINVAL },
	{ "page_index=4294967296", -EINVAL },
	{ "page_index=1 huge", -EINVAL },
	{ "page_index=1 page_index=99", -EINVAL },
	{ "huge idle", -EINVAL },
	{ "HUGE", -EINVAL },
	{ "hugeidle", -EINVAL },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "bogus", -EINVAL },
};

static void zk_wb_desc(const struct zk_wb_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%*pE\"", (int)strlen(c->in),
		 c->in);
}

KUNIT_ARRAY_PARAM(zk_wb, zk_wb_cases, zk_wb_desc);

/* A writable copy of @s, freed with the test (6.1 has no kunit_kstrdup). */
static char *zk_strdup(struct kunit *test, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = kunit_kmalloc(test, len, GFP_KERNEL);

	if (p)
		memcpy(p, s, len);
	return p;
}

static void zram_kunit_parse_wb_mode(struct kunit *test)
{
	const struct zk_wb_case *c = test->param_value;
	struct zram_wb_req req = { .mode = (enum zram_wb_mode)-1 };
	char *args = zk_strdup(test, c->in);

	KUNIT_ASSERT_NOT_NULL(test, args);
	KUNIT_EXPECT_EQ(test, zram_parse_wb(args, ZK_PAGES, &req), c->ret);
	if (!c->ret)
		KUNIT_EXPECT_EQ(test, req.mode, c->mode);
	/* A refused write leaves nothing allocated. */
	else
		KUNIT_EXPECT_NULL(test, req.ranges);
	zram_wb_req_free(&req);
}

/* The ranges of a page_index list, in order. */
static void zram_kunit_wb_ranges(struct kunit *test)
{
	char *args = zk_strdup(test,
			       "page_index=1  page_indexes=3-5\tpage_index=9\n");
	struct zram_wb_req req;

	KUNIT_ASSERT_NOT_NULL(test, args);
	KUNIT_ASSERT_EQ(test, zram_parse_wb(args, 16, &req), 0);
	KUNIT_EXPECT_EQ(test, req.mode, ZRAM_WB_INDEX);
	KUNIT_ASSERT_EQ(test, req.nr_ranges, 3U);
	KUNIT_EXPECT_EQ(test, req.ranges[0].lo, 1U);
	KUNIT_EXPECT_EQ(test, req.ranges[0].hi, 1U);
	KUNIT_EXPECT_EQ(test, req.ranges[1].lo, 3U);
	KUNIT_EXPECT_EQ(test, req.ranges[1].hi, 5U);
	KUNIT_EXPECT_EQ(test, req.ranges[2].lo, 9U);
	KUNIT_EXPECT_EQ(test, req.ranges[2].hi, 9U);
	zram_wb_req_free(&req);
}

/*
 * A stand-in backing device: the bitmap and block count only (no block
 * device; nothing here does I/O).  zk_fake_bd_put() frees it.
 */
static void zk_fake_bd(struct kunit *test, struct zram *zram,
		       unsigned long nr_blocks)
{
	KUNIT_ASSERT_EQ(test, zram_bd_maps_alloc(&zram->bd, nr_blocks), 0);
}

static void zk_fake_bd_put(struct zram *zram)
{
	zram_bd_maps_free(&zram->bd);
}

/* Blocks whose readers are done (none here) free: two grace periods. */
static void zk_recycle_all(struct zram *zram)
{
	mutex_lock(&zram->move_lock);
	zram_bd_recycle(zram, true);
	zram_bd_recycle(zram, true);
	mutex_unlock(&zram->move_lock);
}

/* Blocks come lowest-free-first from where the last search ended. */
static void zram_kunit_bd_alloc(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;

	zk_fake_bd(test, zram, 5);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 0L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 1L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 2L);
	zram_bd_release(zram, 1);
	/* the search goes on past 2 first, then wraps to the freed 1 */
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 3L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 4L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 1L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), (long)-ENOSPC);
	KUNIT_EXPECT_EQ(test, bitmap_weight(zram->bd.bitmap, 5), 5U);
	zram_bd_release(zram, 4);
	KUNIT_EXPECT_EQ(test, zram->bd.used, 4UL);
	/* the last free blocks can be kept (for cleaning) */
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 1), (long)-ENOSPC);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 4L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), (long)-ENOSPC);
	KUNIT_EXPECT_EQ(test, zram->bd.used, 5UL);
	zk_fake_bd_put(zram);
}

/*
 * A freed block is quarantined while a read that looked it up may be in
 * flight: it becomes free only after an SRCU grace period that began
 * after it was freed, and a reader still registered holds it back.
 */
static void zram_kunit_bd_quarantine(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	struct zram_backing *bd = &zram->bd;
	int idx;

	zk_fake_bd(test, zram, 2);
	mutex_lock(&zram->move_lock);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 0L);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 1L);
	/* block 1 holds two packed objects, 100 and 200 bytes */
	atomic_set(&bd->live[1], 300);
	atomic64_set(&zram->stats.bd_count, 1);
	/* a read of block 1 starts, then both objects are freed */
	idx = zram_bd_hold(bd);
	KUNIT_EXPECT_FALSE(test, zram_bd_put(zram, 1, 100));
	KUNIT_EXPECT_FALSE(test, test_bit(1, bd->quar));
	KUNIT_EXPECT_TRUE(test, zram_bd_put(zram, 1, 200));
	KUNIT_EXPECT_TRUE(test, test_bit(1, bd->quar));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_count), 0LL);
	/* not waiting: pending behind a grace period the reader holds up */
	zram_bd_recycle(zram, false);
	KUNIT_EXPECT_TRUE(test, bd->pend_any);
	KUNIT_EXPECT_TRUE(test, test_bit(1, bd->pend));
	zram_bd_recycle(zram, false);
	KUNIT_EXPECT_TRUE(test, test_bit(1, bd->bitmap));
	KUNIT_EXPECT_EQ(test, zram_bd_find(bd), (long)-ENOSPC);
	/* the read completes: the block is free once the period ends */
	zram_bd_unhold(bd, idx);
	KUNIT_EXPECT_EQ(test, zram_bd_alloc(zram, 0), 1L);
	KUNIT_EXPECT_FALSE(test, bd->pend_any);
	/* a block reserved but never published goes back at once */
	zram_bd_release(zram, 0);
	KUNIT_EXPECT_EQ(test, zram_bd_find(bd), 0L);
	mutex_unlock(&zram->move_lock);
	zk_fake_bd_put(zram);
}

/* Where a written-back slot's data is: a whole block, or a packed object. */
static void zram_kunit_wb_place(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;

	zk_setup(test, zram);
	zram_slot_lock(zram, 0);
	zram->slots[0].handle = 7;
	zram_set_flag(zram, 0, ZRAM_WB);
	KUNIT_EXPECT_EQ(test, zram_wb_block(zram, 0), 7UL);
	KUNIT_EXPECT_EQ(test, zram_wb_offset(zram, 0), 0U);
	KUNIT_EXPECT_EQ(test, zram_wb_bytes(zram, 0), (unsigned int)PAGE_SIZE);
	zram->slots[0].handle = (7UL << PAGE_SHIFT) + 1000;
	zram_set_obj_size(zram, 0, 123);
	KUNIT_EXPECT_EQ(test, zram_wb_block(zram, 0), 7UL);
	KUNIT_EXPECT_EQ(test, zram_wb_offset(zram, 0), 1000U);
	KUNIT_EXPECT_EQ(test, zram_wb_bytes(zram, 0), 123U);
	/* an object stored raw fills its block */
	zram->slots[0].handle = 9UL << PAGE_SHIFT;
	zram_set_obj_size(zram, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zram_wb_block(zram, 0), 9UL);
	KUNIT_EXPECT_EQ(test, zram_wb_offset(zram, 0), 0U);
	KUNIT_EXPECT_EQ(test, zram_wb_bytes(zram, 0), (unsigned int)PAGE_SIZE);
	zram->slots[0].handle = 0;
	zram->slots[0].flags &= BIT(ZRAM_SLOT_LOCK);
	zram_slot_unlock(zram, 0);
}

/*
 * The pipeline grows as the walk needs it: a new walk has one batch;
 * each push onto the batch one past the last made makes it, up to
 * ZRAM_WB_NR_BATCHES of writeback_batch_size blocks each; with
 * writeback_batch_size 1 the walk keeps one (one page at a time).
 */
static void zram_kunit_wb_grow(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	unsigned int size = zram->wb_batch_size, i;
	struct zram_wb_walk w = {};

	zram->wb_batch_size = 4;
	KUNIT_ASSERT_EQ(test, zram_wb_walk_init(zram, &w), 0);
	KUNIT_EXPECT_EQ(test, w.nr_bat, 1U);
	KUNIT_EXPECT_EQ(test, w.want_bat, ZRAM_WB_NR_BATCHES);
	/* only the batch one past the last made is made */
	zram_wb_grow(&w, 2);
	KUNIT_EXPECT_EQ(test, w.nr_bat, 1U);
	for (i = 1; i <= ZRAM_WB_NR_BATCHES; i++)
		zram_wb_grow(&w, i);
	KUNIT_EXPECT_EQ(test, w.nr_bat, ZRAM_WB_NR_BATCHES);
	for (i = 0; i < w.nr_bat; i++) {
		KUNIT_EXPECT_EQ(test, w.bat[i].max, 4U);
		KUNIT_EXPECT_NOT_NULL(test, w.bat[i].blks[3].stage);
	}
	zram_wb_walk_free(&w);

	zram->wb_batch_size = 1;
	memset(&w, 0, sizeof(w));
	KUNIT_ASSERT_EQ(test, zram_wb_walk_init(zram, &w), 0);
	zram_wb_grow(&w, 1);
	KUNIT_EXPECT_EQ(test, w.nr_bat, 1U);
	KUNIT_EXPECT_EQ(test, w.want_bat, 1U);
	zram_wb_walk_free(&w);
	zram->wb_batch_size = size;
}

/*
 * Packing: an object goes after the last one while it fits in the
 * block, runs on into the next block only when that one is adjacent,
 * and starts a new block otherwise; uncompressed, every page takes a
 * block; a full batch says so.
 */
static void zram_kunit_wb_pack(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	struct zram_wb_walk w = { .compressed = true, .resv = -1 };
	struct zram_wb_batch *b = &w.bat[0];
	unsigned int bi = 99, off = 99;

	zk_fake_bd(test, zram, 8);
	KUNIT_ASSERT_EQ(test, zram_wb_batch_init(b, 2, false), 0);
	w.batch = b;
	/* no block yet: one must be reserved first */
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 3000, &bi, &off), -ENOENT);
	w.resv = 4;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 3000, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, bi, 0U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	KUNIT_EXPECT_EQ(test, b->blks[0].blk, 4UL);
	KUNIT_EXPECT_EQ(test, w.resv, -1L);
	/* block 4: 3000 + 1000 */
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 1000, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, off, 3000U);
	KUNIT_EXPECT_EQ(test, b->blks[0].used, 4000U);
	/* 500 more run on from 4000 into block 5, the adjacent one */
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 500, &bi, &off), -ENOENT);
	w.resv = 5;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 500, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, bi, 0U);
	KUNIT_EXPECT_EQ(test, off, 4000U);
	KUNIT_EXPECT_EQ(test, b->nr, 2U);
	KUNIT_EXPECT_EQ(test, b->blks[0].used, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, b->blks[1].used, 404U);
	/* the batch holds 2 blocks: what does not fit in block 5 waits */
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 3693, &bi, &off), -EAGAIN);
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 3692, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, bi, 1U);
	KUNIT_EXPECT_EQ(test, off, 404U);
	/* a block that is not adjacent: the object starts it */
	b->nr = 0;
	w.resv = 7;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 4000, &bi, &off), 0);
	w.resv = 2;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 200, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, bi, 1U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	KUNIT_EXPECT_EQ(test, b->blks[0].used, 4000U);
	KUNIT_EXPECT_EQ(test, b->blks[1].used, 200U);
	/* uncompressed: a block per page, never shared */
	b->nr = 0;
	w.compressed = false;
	w.resv = 3;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, PAGE_SIZE, &bi, &off), 0);
	KUNIT_EXPECT_EQ(test, bi, 0U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, PAGE_SIZE, &bi, &off),
			-ENOENT);
	/* objects per batch are bounded too */
	b->nr_objs = b->max_objs;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, 1, &bi, &off), -EAGAIN);
	b->nr = 0;
	b->nr_objs = 0;
	/* the budget counts the blocks of the batches in flight too */
	w.fly_blocks = 2;
	zram->bd.limit_enable = true;
	zram->bd.limit = 3 * ZRAM_4K_PER_PAGE;
	w.resv = 6;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, PAGE_SIZE, &bi, &off), 0);
	w.resv = 7;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, PAGE_SIZE, &bi, &off),
			-EDQUOT);
	w.fly_blocks = 1;
	KUNIT_EXPECT_EQ(test, zram_wb_place(zram, &w, PAGE_SIZE, &bi, &off), 0);
	zram->bd.limit_enable = false;
	b->nr = 0;
	zram_wb_batch_free(b);
	zk_fake_bd_put(zram);
}

/*
 * Make slot @index a written-back page at block @blk, as a finished
 * writeback leaves it (the slot must be empty).
 */
static void zk_fake_wb_slot(struct zram *zram, u32 index, unsigned long blk)
{
	set_bit(blk, zram->bd.bitmap);
	atomic_set(&zram->bd.live[blk], PAGE_SIZE);
	zram_slot_lock(zram, index);
	zram->slots[index].handle = blk;
	zram_set_flag(zram, index, ZRAM_WB);
	zram_set_actime(zram, index, zram_now());
	zram_slot_unlock(zram, index);
	atomic64_inc(&zram->stats.bd_count);
	atomic64_inc(&zram->stats.bd_pages);
	atomic64_add(PAGE_SIZE, &zram->stats.bd_live);
	atomic64_inc(&zram->stats.pages_stored);
}

/*
 * Which slots writeback takes in each mode; a written-back slot (even
 * at block 0) counts as stored, is never marked idle, and freeing it by
 * discard or overwrite gives its block back.
 */
static void zram_kunit_wb_slots(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	static const struct {
		enum zram_wb_mode mode;
		const char *want;	/* slots 0..5 taken: 'y' */
	} modes[] = {
		{ ZRAM_WB_HUGE, "..y.y." },
		{ ZRAM_WB_IDLE, ".y..y." },
		{ ZRAM_WB_HUGE_IDLE, "....y." },
		{ ZRAM_WB_INCOMPRESSIBLE, "...y.." },
		{ ZRAM_WB_INDEX, ".yyyy." },
	};
	unsigned int m, i;

	zk_setup(test, zram);
	zk_fake_bd(test, zram, 8);
	/* 0 same, 1 compressed idle, 2 huge, 3 compressed incompressible,
	 * 4 huge idle, 5 written back at block 0
	 */
	zk_fill_words(page_address(ctx->page), 7);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 0), 0);
	zk_fill_text(ctx->page, 1);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 1), 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 3), 0);
	zk_fill_random(ctx->page, 2);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 2), 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 4), 0);
	zk_fake_wb_slot(zram, 5, 0);
	zk_mark_idle(zram, 0);
	zram_slot_lock(zram, 2);
	zram_clear_flag(zram, 2, ZRAM_IDLE);
	zram_slot_unlock(zram, 2);
	zram_slot_lock(zram, 3);
	zram_clear_flag(zram, 3, ZRAM_IDLE);
	zram_set_flag(zram, 3, ZRAM_INCOMPRESSIBLE);
	zram_slot_unlock(zram, 3);

	KUNIT_EXPECT_EQ(test, zk_flags(zram, 5), BIT(ZRAM_WB));
	for (m = 0; m < ARRAY_SIZE(modes); m++)
		for (i = 0; i < 6; i++) {
			bool got;

			zram_slot_lock(zram, i);
			got = zram_wb_wanted(zram, i, modes[m].mode);
			zram_slot_unlock(zram, i);
			KUNIT_EXPECT_EQ_MSG(test, got, modes[m].want[i] == 'y',
					    "mode %d slot %u", modes[m].mode, i);
		}

	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 6LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.same_pages), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.huge_pages), 2LL);
	/* discard frees block 0: quarantined, then free */
	zk_discard(test, zram, 5 * PAGE_SIZE, PAGE_SIZE, false);
	KUNIT_EXPECT_EQ(test, zram->slots[5].flags, 0UL);
	KUNIT_EXPECT_TRUE(test, test_bit(0, zram->bd.quar));
	KUNIT_EXPECT_TRUE(test, test_bit(0, zram->bd.bitmap));
	zk_recycle_all(zram);
	KUNIT_EXPECT_FALSE(test, test_bit(0, zram->bd.bitmap));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_count), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_live), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 5LL);
	/* overwrite frees block 3 */
	zk_fake_wb_slot(zram, 6, 3);
	zk_fill_words(page_address(ctx->page), 9);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, ctx->page, 6), 0);
	KUNIT_EXPECT_EQ(test, zk_flags(zram, 6), BIT(ZRAM_SAME));
	zk_recycle_all(zram);
	KUNIT_EXPECT_FALSE(test, test_bit(3, zram->bd.bitmap));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_count), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 6LL);
	/* a slot under writeback loses that flag when it is freed */
	zram_slot_lock(zram, 1);
	zram_set_flag(zram, 1, ZRAM_MOVING);
	zram_slot_unlock(zram, 1);
	zk_discard(test, zram, PAGE_SIZE, PAGE_SIZE, false);
	KUNIT_EXPECT_EQ(test, zram->slots[1].flags, 0UL);
	/*
	 * The writeback generation survives freeing (cleaning must see a
	 * slot freed and written back anew) and wraps alone.
	 */
	zram_slot_lock(zram, 7);
	zram_next_wb_gen(zram, 7);
	zram_slot_unlock(zram, 7);
	KUNIT_EXPECT_EQ(test, zram->slots[7].flags, BIT(ZRAM_WB_GEN));
	zk_fill_text(ctx->page, 7);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, ctx->page, 7), 0);
	zk_discard(test, zram, 7 * PAGE_SIZE, PAGE_SIZE, false);
	KUNIT_EXPECT_EQ(test, zram->slots[7].flags, BIT(ZRAM_WB_GEN));
	zram_slot_lock(zram, 7);
	zram->slots[7].flags |= ZRAM_WB_GEN_MASK | BIT(ZRAM_IDLE);
	zram_next_wb_gen(zram, 7);
	zram_slot_unlock(zram, 7);
	KUNIT_EXPECT_EQ(test, zram->slots[7].flags, BIT(ZRAM_IDLE));
	zram->slots[7].flags = 0;
	/* reset frees the last written-back slot's block too */
	zk_fake_wb_slot(zram, 7, 5);
	zram_reset_device(zram);
	zk_recycle_all(zram);
	KUNIT_EXPECT_EQ(test, bitmap_weight(zram->bd.bitmap, 8), 0U);
	zk_fake_bd_put(zram);
}

/* backing_dev and writeback refuse bad input and keep their state. */
static void zram_kunit_wb_stores(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);

	KUNIT_EXPECT_EQ(test, dev_attr_backing_dev.show(zk_dev(zram),
			&dev_attr_backing_dev, buf), (ssize_t)5);
	KUNIT_EXPECT_STREQ(test, buf, "none\n");
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_backing_dev, "\n"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_backing_dev,
				       "/no/such/zram/backing\n"),
			(ssize_t)-ENOENT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_backing_dev, "none"),
			(ssize_t)4);
	KUNIT_EXPECT_NULL(test, zram->bd.dev.bdev);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback, "huge"),
			(ssize_t)-EINVAL);
	zk_setup(test, zram);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback, "huge"),
			(ssize_t)-ENODEV);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_backing_dev, "none"),
			(ssize_t)-EBUSY);

	/* Any number but 0 turns it on, as with the kernel's zram. */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit_enable,
				       "2"), (ssize_t)1);
	KUNIT_EXPECT_TRUE(test, zram->bd.limit_enable);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit_enable,
				       "0"), (ssize_t)1);
	KUNIT_EXPECT_FALSE(test, zram->bd.limit_enable);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit_enable,
				       "0x1"), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit_enable,
				       "-1"), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit_enable,
				       "1\n"), (ssize_t)2);
	KUNIT_EXPECT_TRUE(test, zram->bd.limit_enable);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit, "x"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit, "-1"),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_limit, "25\n"),
			(ssize_t)3);
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 25ULL);
	/*
	 * budget: checked before a page joins a batch, counting the pages
	 * already in it, and charged once a page is out
	 */
	KUNIT_EXPECT_TRUE(test, zram_wb_budget_left(zram, 0));
	KUNIT_EXPECT_TRUE(test,
			  zram_wb_budget_left(zram, 25 / ZRAM_4K_PER_PAGE - 1));
	KUNIT_EXPECT_FALSE(test,
			   zram_wb_budget_left(zram, 25 / ZRAM_4K_PER_PAGE));
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 25ULL);
	zram_wb_budget_charge(zram);
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 25ULL - ZRAM_4K_PER_PAGE);
	zram->bd.limit = 0;
	KUNIT_EXPECT_FALSE(test, zram_wb_budget_left(zram, 0));
	zram_wb_budget_charge(zram);
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 0ULL);
	/* off: always room, nothing charged */
	zram->bd.limit_enable = false;
	KUNIT_EXPECT_TRUE(test, zram_wb_budget_left(zram, 1000));
	/* writeback_batch_size: 1 and up; 0, signs and garbage refused */
	KUNIT_EXPECT_EQ(test, zram->wb_batch_size, ZRAM_WB_BATCH_DEFAULT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_batch_size,
				       "0"), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_batch_size,
				       "-4"), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_batch_size,
				       "4294967296"), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zram->wb_batch_size, ZRAM_WB_BATCH_DEFAULT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_batch_size,
				       "1000\n"), (ssize_t)5);
	KUNIT_EXPECT_EQ(test, zram->wb_batch_size, 1000U);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_writeback_batch_size,
				       "1"), (ssize_t)1);
	KUNIT_EXPECT_EQ(test, zram->wb_batch_size, 1U);
	/* a batch holds 1..ZRAM_WB_BATCH_MAX pages, whatever was asked */
	{
		struct zram_wb_batch b;

		KUNIT_ASSERT_EQ(test, zram_wb_batch_init(&b, 100000, true), 0);
		KUNIT_EXPECT_EQ(test, b.max, ZRAM_WB_BATCH_MAX);
		/* uncompressed: a stage page per block */
		KUNIT_EXPECT_NOT_NULL(test, b.blks[0].stage);
		KUNIT_EXPECT_NOT_NULL(test, b.blks[b.max - 1].stage);
		zram_wb_batch_free(&b);
		KUNIT_ASSERT_EQ(test, zram_wb_batch_init(&b, 0, false), 0);
		KUNIT_EXPECT_EQ(test, b.max, 1U);
		KUNIT_EXPECT_NULL(test, b.blks[0].stage);
		zram_wb_batch_free(&b);
	}
	zram->bd.limit = 5;
	zram_wb_budget_charge(zram);
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 5ULL);

	KUNIT_EXPECT_EQ(test, dev_attr_bd_stat.show(zk_dev(zram),
			&dev_attr_bd_stat, buf), (ssize_t)54);
	KUNIT_EXPECT_STREQ(test, buf,
			   "       0        0        0        0        0        0\n");
	/* reset turns the limit off and zeroes it */
	zram->bd.limit_enable = true;
	zram->bd.limit = 7;
	zram_reset_device(zram);
	KUNIT_EXPECT_FALSE(test, zram->bd.limit_enable);
	KUNIT_EXPECT_EQ(test, zram->bd.limit, 0ULL);
}

/* ---- recompression and algorithm parameters ---- */

static ssize_t zk_show(struct zram *zram, struct device_attribute *attr,
		       char *buf)
{
	return attr->show(zk_dev(zram), attr, buf);
}

/* recomp_algorithm: parsing, errors, the listing, EBUSY, reset. */
static void zram_kunit_recomp_algorithm(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	static const char * const bad[] = {
		"", "\n", "zstd", "algo=", "algo=nope", "algo=zstd priority=0",
		"algo=zstd priority=4", "algo=zstd priority=x",
		"priority=1", "algo=zstd speed=1", "algo=zstd =1",
		"algo=zstdzstdzstdzstdzstdzstdzstdzstd",
	};
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, zk_show(zram, &dev_attr_recomp_algorithm, buf),
			(ssize_t)0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, zk_store(zram,
				&dev_attr_recomp_algorithm, bad[i]),
				(ssize_t)-EINVAL, "\"%s\"", bad[i]);
	KUNIT_EXPECT_EQ(test, zk_show(zram, &dev_attr_recomp_algorithm, buf),
			(ssize_t)0);

	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_recomp_algorithm,
				       "priority=2  algo=deflate\n"),
			(ssize_t)strlen("priority=2  algo=deflate\n"));
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_recomp_algorithm,
				       "algo=zstd"), (ssize_t)9);
	zk_show(zram, &dev_attr_recomp_algorithm, buf);
	KUNIT_EXPECT_STREQ(test, buf,
			   "#1: lzo lzo-rle lz4 lz4hc [zstd] deflate\n"
			   "#2: lzo lzo-rle lz4 lz4hc zstd [deflate]\n");
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[3], "");

	zk_setup(test, zram);
	KUNIT_EXPECT_NOT_NULL(test, zram->comps[1]);
	KUNIT_EXPECT_NOT_NULL(test, zram->comps[2]);
	KUNIT_EXPECT_NULL(test, zram->comps[3]);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_recomp_algorithm,
				       "algo=lz4 priority=3"), (ssize_t)-EBUSY);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[3], "");
	zram_reset_device(zram);
	KUNIT_EXPECT_EQ(test, zk_show(zram, &dev_attr_recomp_algorithm, buf),
			(ssize_t)0);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[0], ZRAM_DEFAULT_COMP);
}

/* algorithm_params: slot selection, errors, replacement, reset. */
static void zram_kunit_algorithm_params(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	static const char * const bad[] = {
		"level", "level=", "level=x", "level=1 foo=2", "algo=deflate",
		"priority=2", "priority=0 level=1", "algo=zstd priority=1",
		"algo=zstd level=99", "level=-2147483648", "algo=lz4 =x",
	};
	unsigned int i;

	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_comp_algorithm,
				       "lz4"), (ssize_t)3);
	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_recomp_algorithm,
				       "algo=zstd"), (ssize_t)9);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, zk_store(zram,
				&dev_attr_algorithm_params, bad[i]),
				(ssize_t)-EINVAL, "\"%s\"", bad[i]);
	for (i = 0; i < ZRAM_MAX_COMPS; i++)
		KUNIT_EXPECT_EQ(test, zram->comp_conf[i].level,
				ZCOMP_LEVEL_DEFAULT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "algo=zstd dict=/no/such/dict"),
			(ssize_t)-ENOENT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "algo=zstd dict=/"), (ssize_t)-EINVAL);

	/* no slot named: the primary; algo= and priority= pick theirs */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "level=7"), (ssize_t)7);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[0].level, 7);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "algo=zstd level=19\n"), (ssize_t)19);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[1].level, 19);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "priority=1 level=-3"), (ssize_t)19);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[1].level, -3);
	/* a write replaces the whole set */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "priority=1"), (ssize_t)10);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[1].level,
			ZCOMP_LEVEL_DEFAULT);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "priority=1 level=3"), (ssize_t)18);
	/* another algorithm for the slot starts from no parameters */
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_recomp_algorithm,
				       "algo=deflate"), (ssize_t)12);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[1].level,
			ZCOMP_LEVEL_DEFAULT);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[0].level, 7);

	zk_setup(test, zram);
	KUNIT_EXPECT_EQ(test, zk_store(zram, &dev_attr_algorithm_params,
				       "level=1"), (ssize_t)-EBUSY);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[0].level, 7);
	zram_reset_device(zram);
	KUNIT_EXPECT_EQ(test, zram->comp_conf[0].level,
			ZCOMP_LEVEL_DEFAULT);
	KUNIT_EXPECT_STREQ(test, zram->comp_algs[0], "lz4");
}

/* Sum of the object sizes the slots record: compr_data_size. */
static u64 zk_sum_sizes(struct zram *zram, u32 nr)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < nr; i++)
		if (zram->slots[i].handle && !zram_test_flag(zram, i, ZRAM_SAME) &&
		    !zram_test_flag(zram, i, ZRAM_WB))
			sum += zram_get_obj_size(zram, i);
	return sum;
}

static int zk_recompress(struct zram *zram, const char *args)
{
	return zk_store(zram, &dev_attr_recompress, args);
}

/*
 * lz4 primary, zstd level 19 secondary.  Slots: 0..7 text, 8..11
 * random (huge), 12 same-filled.  Recompression keeps smaller forms,
 * flags what it cannot shrink, reads back every byte, and keeps
 * mm_stat exact; max_pages, threshold and type select exactly.
 */
static void zram_kunit_recompress(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	struct zram_stats *st = &zram->stats;
	static const char * const bad[] = {
		"type=all", "type=", "threshold=0", "threshold=4097",
		"threshold=x", "max_pages=0", "algo=lz4", "algo=deflate",
		"priority=2", "priority=1 algo=zstd", "foo=1", "type",
	};
	u64 compr_before;
	unsigned int i;

	zk_store(zram, &dev_attr_comp_algorithm, "lz4");
	zk_store(zram, &dev_attr_recomp_algorithm, "algo=zstd");
	zk_store(zram, &dev_attr_algorithm_params, "algo=zstd level=19");
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, ""), (ssize_t)-EINVAL);
	zk_setup(test, zram);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, zk_recompress(zram, bad[i]),
				    (ssize_t)-EINVAL, "\"%s\"", bad[i]);

	for (i = 0; i < 8; i++) {
		zk_fill_text(ctx->page, i);
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, i), 0);
	}
	for (i = 8; i < 12; i++) {
		zk_fill_random(ctx->page, i);
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, i), 0);
	}
	zk_fill_words(page_address(ctx->page), 3);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 12), 0);
	KUNIT_ASSERT_EQ(test, atomic64_read(&st->huge_pages), 4LL);

	/* threshold: only the four raw pages reach 4096 bytes */
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, "threshold=4096"),
			(ssize_t)14);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_tried), 4LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_kept), 0LL);
	for (i = 8; i < 12; i++)
		KUNIT_EXPECT_EQ(test, zk_flags(zram, i),
				BIT(ZRAM_HUGE) | BIT(ZRAM_INCOMPRESSIBLE));
	/* flagged pages are not tried again */
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, "type=huge"), (ssize_t)9);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_tried), 4LL);

	/* idle: only idle pages; max_pages: exactly that many */
	zk_mark_idle(zram, 0);
	zram_read_page(zram, ctx->back, 0, NULL);
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, "type=idle max_pages=3"),
			(ssize_t)21);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_tried), 7LL);
	KUNIT_EXPECT_EQ(test, zram_get_prio(zram, 0), 0U);

	compr_before = atomic64_read(&st->compr_data_size);
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, "algo=zstd\n"), (ssize_t)10);
	/* slots 4..7 and 0 were left: five more tries */
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_tried), 12LL);
	KUNIT_EXPECT_GT(test, atomic64_read(&st->recomp_kept), 0LL);
	KUNIT_EXPECT_LT(test, (u64)atomic64_read(&st->compr_data_size),
			compr_before);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&st->compr_data_size),
			zk_sum_sizes(zram, ZK_PAGES));
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->pages_stored), 13LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->huge_pages), 4LL);
	for (i = 0; i < 8; i++) {
		/* kept by zstd, or nothing shrank it: never both */
		KUNIT_EXPECT_NE(test, zram_get_prio(zram, i) == 1,
				zram_test_flag(zram, i, ZRAM_INCOMPRESSIBLE));
		zk_fill_text(ctx->page, i);
		KUNIT_ASSERT_EQ(test, zram_read_page(zram, ctx->back, i, NULL), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_address(ctx->page),
						 page_address(ctx->back),
						 PAGE_SIZE), 0, "slot %u", i);
	}
	/* nothing is left to try */
	KUNIT_EXPECT_EQ(test, zk_recompress(zram, ""), (ssize_t)0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&st->recomp_tried), 12LL);
	/* a rewrite is primary-compressed again */
	zk_fill_text(ctx->page, 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, ctx->page, 0), 0);
	KUNIT_EXPECT_EQ(test, zram_get_prio(zram, 0), 0U);
	KUNIT_EXPECT_FALSE(test, zram_test_flag(zram, 0, ZRAM_INCOMPRESSIBLE));
}

/* ---- slot walks ---- */

struct zk_walk {
	u32 seen[ZK_PAGES];
	unsigned int n;
	u32 stop_at;		/* return 7 at this index; ZK_PAGES: never */
};

static int zk_walk_fn(struct zram *zram, u32 index, void *data)
{
	struct zk_walk *w = data;

	w->seen[w->n++] = index;
	return index == w->stop_at ? 7 : 0;
}

/* zram_walk_slots(): every index of the range in order, stops on non-zero. */
static void zram_kunit_walk_slots(struct kunit *test)
{
	struct zram *zram = ((struct zk_ctx *)test->priv)->zram;
	struct zk_walk w = { .stop_at = ZK_PAGES };
	unsigned int i;

	/* 3..9: seven calls, in order, result 0 */
	KUNIT_EXPECT_EQ(test, zram_walk_slots(zram, 3, 9, 0, zk_walk_fn, &w), 0);
	KUNIT_ASSERT_EQ(test, w.n, 7U);
	for (i = 0; i < w.n; i++)
		KUNIT_EXPECT_EQ(test, w.seen[i], 3 + i);
	/* one slot */
	w.n = 0;
	KUNIT_EXPECT_EQ(test, zram_walk_slots(zram, 5, 5, ZRAM_WALK_KILLABLE,
					      zk_walk_fn, &w), 0);
	KUNIT_EXPECT_EQ(test, w.n, 1U);
	/* stops at 4 with its result; 5.. never visited */
	w.n = 0;
	w.stop_at = 4;
	KUNIT_EXPECT_EQ(test, zram_walk_slots(zram, 0, ZK_PAGES - 1, 0,
					      zk_walk_fn, &w), 7);
	KUNIT_EXPECT_EQ(test, w.n, 5U);
	KUNIT_EXPECT_EQ(test, w.seen[4], 4U);
}

/*
 * use_dedup: three slots store one text page; a fourth, another page;
 * two slots store one random (raw) page.  Share counts, saved bytes,
 * compr_data_size and the object's life through frees, a hash
 * collision that must not share (same tag, other bytes), and a shared
 * object that writeback and recompression leave alone.
 */
static void zram_kunit_dedup(struct kunit *test)
{
	struct zk_ctx *ctx = test->priv;
	struct zram *zram = ctx->zram;
	struct zram_dedup *dd;
	unsigned long h;
	unsigned int len, len2;

	KUNIT_ASSERT_EQ(test, zk_store(zram, &dev_attr_use_dedup, "1\n"), 2L);
	zk_setup(test, zram);
	dd = zram->dedup;
	KUNIT_ASSERT_NOT_NULL(test, dd);

	zk_fill_text(ctx->page, 7);
	len = zk_comp_len(test, zram, ctx->page);
	zk_write_read(test, ctx, ctx->page, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 0LL);
	KUNIT_EXPECT_TRUE(test, zram_test_flag(zram, 0, ZRAM_DEDUP));
	zk_write_read(test, ctx, ctx->page, 1);
	zk_write_read(test, ctx, ctx->page, 2);
	h = zram->slots[0].handle;
	KUNIT_EXPECT_EQ(test, zram->slots[1].handle, h);
	KUNIT_EXPECT_EQ(test, zram->slots[2].handle, h);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 3LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->saved), 2LL * len);
	ZK_EXPECT_STATS(test, zram, 3, 0, 0, len);
	KUNIT_EXPECT_TRUE(test, zram_dedup_shared(zram, 0));
	/* Shared: no writeback, no recompression. */
	KUNIT_EXPECT_FALSE(test, zram_slot_may_move(zram, 1));

	zk_fill_text(ctx->page, 8);
	len2 = zk_comp_len(test, zram, ctx->page);
	zk_write_read(test, ctx, ctx->page, 3);
	KUNIT_EXPECT_NE(test, zram->slots[3].handle, h);
	ZK_EXPECT_STATS(test, zram, 4, 0, 0, len + len2);
	KUNIT_EXPECT_TRUE(test, zram_slot_may_move(zram, 3));

	/* Two raw pages share too; huge_pages counts both. */
	zk_fill_random(ctx->page, 42);
	zk_write_read(test, ctx, ctx->page, 4);
	zk_write_read(test, ctx, ctx->page, 5);
	KUNIT_EXPECT_EQ(test, zram->slots[4].handle, zram->slots[5].handle);
	ZK_EXPECT_STATS(test, zram, 6, 0, 2, len + len2 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 5LL);

	/* Frees: the object stays while a page holds it. */
	zk_free_slot(zram, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 4LL);
	ZK_EXPECT_STATS(test, zram, 5, 0, 2, len + len2 + PAGE_SIZE);
	zk_free_slot(zram, 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 2LL);
	KUNIT_EXPECT_FALSE(test, zram_dedup_shared(zram, 2));
	KUNIT_EXPECT_TRUE(test, zram_slot_may_move(zram, 2));
	ZK_EXPECT_STATS(test, zram, 4, 0, 2, len + len2 + PAGE_SIZE);
	zk_fill_text(ctx->page, 7);
	zk_expect_reads(test, ctx, ctx->page, 2);
	zk_free_slot(zram, 2);
	ZK_EXPECT_STATS(test, zram, 3, 0, 2, len2 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->saved), (s64)PAGE_SIZE);

	/*
	 * A colliding entry: slot 7 holds a raw page that differs from
	 * another in its last byte only (same size: only memcmp tells
	 * them apart), entered under the other's hash.  Writing the other
	 * must not share slot 7's object.
	 */
	zk_fill_random(ctx->page, 77);
	((u8 *)page_address(ctx->page))[PAGE_SIZE - 1] ^= 1;
	zk_write_read(test, ctx, ctx->page, 7);
	((u8 *)page_address(ctx->page))[PAGE_SIZE - 1] ^= 1;
	zram_dedup_insert(zram, 7, zram_dedup_hash(page_address(ctx->page),
						   PAGE_SIZE));
	{
		struct zcomp_stream *zstrm = zcomp_stream_get(zram->comps[0]);

		KUNIT_EXPECT_FALSE(test, zram_dedup_find(zram,
							 page_address(ctx->page),
							 PAGE_SIZE,
							 zram_dedup_hash(page_address(ctx->page),
									 PAGE_SIZE),
							 zstrm->scratch, &h));
		zcomp_stream_put(zram->comps[0]);
	}
	zk_write_read(test, ctx, ctx->page, 6);
	KUNIT_EXPECT_NE(test, zram->slots[6].handle, zram->slots[7].handle);
	KUNIT_EXPECT_EQ(test, zram_get_obj_size(zram, 6), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 2LL);

	/*
	 * A writer has taken its reference (zram_dedup_find()) when the
	 * object's only page is freed: the object stays for the writer,
	 * which then installs it (zram_store_shared()) as its only user.
	 */
	zk_fill_text(ctx->page, 9);
	zk_write_read(test, ctx, ctx->page, 8);
	{
		struct zcomp_stream *zstrm = zcomp_stream_get(zram->comps[0]);
		u64 hash;

		KUNIT_ASSERT_EQ(test, zcomp_compress(zram->comps[0], zstrm,
						     page_address(ctx->page),
						     &len2), 0);
		hash = zram_dedup_hash(zstrm->out, len2);
		KUNIT_EXPECT_TRUE(test, zram_dedup_find(zram, zstrm->out, len2,
							hash, zstrm->scratch,
							&h));
		zcomp_stream_put(zram->comps[0]);
	}
	len = atomic64_read(&zram->stats.compr_data_size);
	zk_free_slot(zram, 8);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.compr_data_size),
			(s64)len);
	KUNIT_EXPECT_EQ(test, atomic64_read(&dd->shared), 2LL);
	zram_store_shared(zram, 9, h, len2, false);
	KUNIT_EXPECT_FALSE(test, zram_dedup_shared(zram, 9));
	zk_expect_reads(test, ctx, ctx->page, 9);
	zk_free_slot(zram, 9);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.compr_data_size),
			(s64)(len - len2));
}

static struct kunit_case zram_drv_cases[] = {
	KUNIT_CASE_PARAM(zram_kunit_same_filled, zk_same_gen_params),
	KUNIT_CASE_PARAM(zram_kunit_parse_size, zk_size_gen_params),
	KUNIT_CASE(zram_kunit_parse_size_len),
	KUNIT_CASE(zram_kunit_parse_name),
	KUNIT_CASE(zram_kunit_disksize_store),
	KUNIT_CASE(zram_kunit_comp_algorithm_store),
	KUNIT_CASE(zram_kunit_other_stores),
	KUNIT_CASE(zram_kunit_write_same),
	KUNIT_CASE(zram_kunit_write_huge),
	KUNIT_CASE(zram_kunit_write_compressed),
	KUNIT_CASE(zram_kunit_slot_transitions),
	KUNIT_CASE(zram_kunit_read_back),
	KUNIT_CASE(zram_kunit_rw_part),
	KUNIT_CASE_PARAM(zram_kunit_par_parts, zk_par_gen_params),
	KUNIT_CASE(zram_kunit_par_bio),
	KUNIT_CASE(zram_kunit_par_readahead),
	KUNIT_CASE(zram_kunit_discard_partial),
	KUNIT_CASE(zram_kunit_mem_limit),
	KUNIT_CASE(zram_kunit_mm_stat_reset),
	KUNIT_CASE(zram_kunit_actime_packing),
	KUNIT_CASE(zram_kunit_idle_access),
	KUNIT_CASE_PARAM(zram_kunit_parse_idle, zk_idle_gen_params),
	KUNIT_CASE(zram_kunit_idle_store),
	KUNIT_CASE_PARAM(zram_kunit_parse_wb_mode, zk_wb_gen_params),
	KUNIT_CASE(zram_kunit_wb_ranges),
	KUNIT_CASE(zram_kunit_bd_alloc),
	KUNIT_CASE(zram_kunit_bd_quarantine),
	KUNIT_CASE(zram_kunit_wb_place),
	KUNIT_CASE(zram_kunit_wb_pack),
	KUNIT_CASE(zram_kunit_wb_grow),
	KUNIT_CASE(zram_kunit_wb_slots),
	KUNIT_CASE(zram_kunit_wb_stores),
	KUNIT_CASE(zram_kunit_recomp_algorithm),
	KUNIT_CASE(zram_kunit_algorithm_params),
	KUNIT_CASE(zram_kunit_recompress),
	KUNIT_CASE(zram_kunit_walk_slots),
	KUNIT_CASE(zram_kunit_dedup),
	{}
};

static struct kunit_suite zram_drv_suite = {
	.name = "zram_drv",
	.suite_init = zk_suite_init,
	.suite_exit = zk_suite_exit,
	.init = zk_init,
	.exit = zk_exit,
	.test_cases = zram_drv_cases,
};

kunit_test_suites(&zram_drv_suite);
