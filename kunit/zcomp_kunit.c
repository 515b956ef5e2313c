// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite zram_zcomp: zcomp.c and every backend_*.c through it.
 *
 * Compiled after ../zcomp.c in kunit/tu_zcomp.c, so the cases can see
 * zcomp.c's statics (the hotplug state, the backend table).  The kernel
 * runs a module's suites while the module is COMING, before zram_init()
 * has called zcomp_init(): the suite init sets the hotplug state up when
 * nobody has, and its exit removes what it set up.
 *
 * Inputs are generated from fixed seeds, so every length and every
 * corruption below is the same on every run.  Decompression writes into
 * a two-page buffer whose second page is a guard that must stay intact;
 * compressed input is copied into an allocation of its exact length so
 * that KASAN reports any read past it.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/lz4.h>
#include <linux/lzo.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/zstd.h>

#include "../compat.h"	/* ZRAM_COMPAT_HAVE_ZSTD_DICT */

#define ZCOMP_KUNIT_GUARD	0x5a

enum zcomp_kunit_input {
	ZCOMP_IN_ZERO,		/* all zero */
	ZCOMP_IN_WORD,		/* one 8-byte word repeated */
	ZCOMP_IN_TEXT,		/* English-like words */
	ZCOMP_IN_LOWENT,	/* random nibbles: compressible, barely */
	ZCOMP_IN_RANDOM,	/* random bytes: incompressible */
	ZCOMP_IN_HALF,		/* text, then random */
	ZCOMP_NR_INPUTS,
};

static const char *const zcomp_kunit_input_names[ZCOMP_NR_INPUTS] = {
	"zero", "word", "text", "lowent", "random", "half",
};

struct zcomp_kunit_ctx {
	u8 *in[ZCOMP_NR_INPUTS];	/* PAGE_SIZE each */
	u8 *cbuf;			/* compressed copy, 3 * PAGE_SIZE */
	u8 *dbuf;			/* output page + guard page */
	struct zcomp *comp;
	struct zcomp_conf conf;
	struct zcomp_conf conf_was;	/* conf as zcomp_kunit_create() set it */
	struct zcomp *comp2;
	struct zcomp_conf conf2;
	int offline_cpu;		/* to bring back online in exit */
};

/* Set when the suite init had to call zcomp_init() itself. */
static bool zcomp_kunit_owns_cpuhp;

static u32 zcomp_kunit_next(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static void zcomp_kunit_text(u8 *p, size_t len, u32 seed)
{
	static const char *const words[] = {
		"the", "quick", "brown", "fox", "jumps", "over", "lazy",
		"dog", "memory", "page", "compressed", "kernel", "swap",
		"device", "block", "of", "and", "a", "to", "in", "is",
		"zram", "stores", "pages", "RAM", "when", "system", "free",
	};
	size_t n = 0;

	while (n < len) {
		const char *w = words[zcomp_kunit_next(&seed) %
				      ARRAY_SIZE(words)];

		while (*w && n < len)
			p[n++] = *w++;
		if (n < len)
			p[n++] = zcomp_kunit_next(&seed) % 11 ? ' ' : '\n';
	}
}

static void zcomp_kunit_random(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = zcomp_kunit_next(&seed) >> 24;
}

static void zcomp_kunit_make_inputs(struct zcomp_kunit_ctx *ctx)
{
	u32 seed = 777;
	size_t i;

	memset(ctx->in[ZCOMP_IN_ZERO], 0, PAGE_SIZE);
	for (i = 0; i < PAGE_SIZE; i += 8)
		memcpy(ctx->in[ZCOMP_IN_WORD] + i,
		       "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	zcomp_kunit_text(ctx->in[ZCOMP_IN_TEXT], PAGE_SIZE, 12345);
	for (i = 0; i < PAGE_SIZE; i++)
		ctx->in[ZCOMP_IN_LOWENT][i] = zcomp_kunit_next(&seed) % 16;
	zcomp_kunit_random(ctx->in[ZCOMP_IN_RANDOM], PAGE_SIZE, 4242);
	zcomp_kunit_text(ctx->in[ZCOMP_IN_HALF], PAGE_SIZE / 2, 999);
	zcomp_kunit_random(ctx->in[ZCOMP_IN_HALF] + PAGE_SIZE / 2,
			   PAGE_SIZE / 2, 31337);
}

/* Create @name into ctx->comp (destroyed by the exit hook). */
static struct zcomp *zcomp_kunit_create(struct zcomp_kunit_ctx *ctx,
					const char *name, s32 level,
					void *dict, size_t dict_len)
{
	memset(&ctx->conf, 0, sizeof(ctx->conf));
	ctx->conf.level = level;
	ctx->conf.dict = dict;
	ctx->conf.dict_len = dict_len;
	ctx->conf_was = ctx->conf;
	ctx->comp = zcomp_create(name, &ctx->conf);
	return ctx->comp;
}

/* zcomp never writes the conf (nor keeps backend state in it). */
static void zcomp_kunit_expect_conf_kept(struct kunit *test,
					 struct zcomp_kunit_ctx *ctx)
{
	KUNIT_EXPECT_EQ(test, ctx->conf.level, ctx->conf_was.level);
	KUNIT_EXPECT_PTR_EQ(test, ctx->conf.dict, ctx->conf_was.dict);
	KUNIT_EXPECT_EQ(test, ctx->conf.dict_len, ctx->conf_was.dict_len);
}

static void zcomp_kunit_destroy(struct zcomp_kunit_ctx *ctx)
{
	if (!IS_ERR_OR_NULL(ctx->comp))
		zcomp_destroy(ctx->comp);
	ctx->comp = NULL;
}

/* Compress one page into ctx->cbuf; 0 or the errno. */
static int zcomp_kunit_compress(struct zcomp *comp, struct zcomp_kunit_ctx *ctx,
				const void *src, unsigned int *len)
{
	struct zcomp_stream *zstrm = zcomp_stream_get(comp);
	int ret;

	ret = zcomp_compress(comp, zstrm, src, len);
	if (!ret)
		memcpy(ctx->cbuf, zstrm->out, *len);
	zcomp_stream_put(comp);
	return ret;
}

/*
 * Decompress the first @len bytes of ctx->cbuf into ctx->dbuf, from an
 * exact-size copy.  Returns 0 or the errno; *@guard_ok says whether the
 * page after the output is untouched.
 */
static int zcomp_kunit_decompress(struct zcomp *comp,
				  struct zcomp_kunit_ctx *ctx,
				  unsigned int len, bool *guard_ok)
{
	struct zcomp_stream *zstrm;
	u8 *src;
	int ret;

	src = kmemdup(ctx->cbuf, len, GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	memset(ctx->dbuf, ZCOMP_KUNIT_GUARD, 2 * PAGE_SIZE);
	zstrm = zcomp_stream_get(comp);
	ret = zcomp_decompress(comp, zstrm, src, len, ctx->dbuf);
	zcomp_stream_put(comp);
	kfree(src);
	*guard_ok = !memchr_inv(ctx->dbuf + PAGE_SIZE, ZCOMP_KUNIT_GUARD,
				PAGE_SIZE);
	return ret;
}

/* Worst-case output of each library for one page (their own bounds). */
static size_t zcomp_kunit_bound(const char *name)
{
	if (!strcmp(name, "lzo") || !strcmp(name, "lzo-rle"))
		return lzo1x_worst_compress(PAGE_SIZE);
	if (!strcmp(name, "lz4") || !strcmp(name, "lz4hc"))
		return LZ4_COMPRESSBOUND(PAGE_SIZE);
	if (!strcmp(name, "zstd"))
		return zstd_compress_bound(PAGE_SIZE);
	/* zlib's deflateBound() for stored blocks, raw stream */
	return PAGE_SIZE + (PAGE_SIZE >> 12) + (PAGE_SIZE >> 14) + 7;
}

/* ---------------------------------------------------------------- setup */

static int zcomp_kunit_suite_init(struct kunit_suite *suite)
{
	int ret;

	if (zcomp_cpuhp_state)
		return 0;
	ret = zcomp_init();
	if (ret)
		return ret;
	zcomp_kunit_owns_cpuhp = true;
	return 0;
}

static void zcomp_kunit_suite_exit(struct kunit_suite *suite)
{
	if (zcomp_kunit_owns_cpuhp)
		zcomp_exit();
	zcomp_kunit_owns_cpuhp = false;
}

static int zcomp_kunit_init(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx;
	int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	for (i = 0; i < ZCOMP_NR_INPUTS; i++) {
		ctx->in[i] = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->in[i]);
	}
	ctx->cbuf = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->cbuf);
	ctx->dbuf = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dbuf);
	ctx->offline_cpu = -1;
	zcomp_kunit_make_inputs(ctx);
	test->priv = ctx;
	return 0;
}

static void zcomp_kunit_exit(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->offline_cpu >= 0)
		add_cpu(ctx->offline_cpu);
	zcomp_kunit_destroy(ctx);
	if (!IS_ERR_OR_NULL(ctx->comp2))
		zcomp_destroy(ctx->comp2);
	ctx->comp2 = NULL;
}

static const char *const zcomp_kunit_algs[] = {
	"lzo", "lzo-rle", "lz4", "lz4hc", "zstd", "deflate",
};

static void zcomp_kunit_alg_desc(const char *const *name, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *name);
}

KUNIT_ARRAY_PARAM(zcomp_kunit_alg, zcomp_kunit_algs, zcomp_kunit_alg_desc);

/* Backends that take no dictionary. */
static const char *const zcomp_kunit_nodict_algs[] = {
	"lzo", "lzo-rle", "lz4", "lz4hc", "deflate",
};

KUNIT_ARRAY_PARAM(zcomp_kunit_nodict, zcomp_kunit_nodict_algs,
		  zcomp_kunit_alg_desc);

/* ---------------------------------------------------------------- cases */

/* Every backend is found under its exact name, with every callback. */
static void zcomp_test_lookup(struct kunit *test)
{
	static const char *const bad[] = {
		"", "LZO", "lzo\n", "lz", "zstd ", "lzo-rle-", "lz4hc2",
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(zcomp_backends),
			ARRAY_SIZE(zcomp_kunit_algs));
	for (i = 0; i < ARRAY_SIZE(zcomp_kunit_algs); i++) {
		const char *name = zcomp_kunit_algs[i];
		const struct zcomp_backend *be = zcomp_lookup(name);

		KUNIT_ASSERT_NOT_NULL_MSG(test, be, "%s", name);
		KUNIT_EXPECT_STREQ(test, be->name, name);
		KUNIT_EXPECT_PTR_EQ(test, be, zcomp_backends[i]);
		KUNIT_EXPECT_TRUE(test, zcomp_available_algorithm(name));
		/* ->release is optional: only zstd has shared state. */
		KUNIT_EXPECT_TRUE_MSG(test, be->prepare && be->alloc_work &&
				      be->free_work && be->compress &&
				      be->decompress, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, !!be->release, !strcmp(name, "zstd"),
				    "%s", name);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_NULL_MSG(test, zcomp_lookup(bad[i]), "'%s'",
				      bad[i]);
		KUNIT_EXPECT_FALSE_MSG(test, zcomp_available_algorithm(bad[i]),
				       "'%s'", bad[i]);
	}
}

/* An unknown name: ERR_PTR(-EINVAL), the conf untouched. */
static void zcomp_test_create_unknown(struct kunit *test)
{
	static const char *const bad[] = { "nope", "LZO", "lzo\n", "", "lz" };
	struct zcomp_kunit_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_PTR_EQ_MSG(test,
					zcomp_kunit_create(ctx, bad[i], 3,
							   ctx, 8),
					ERR_PTR(-EINVAL), "'%s'", bad[i]);
		ctx->comp = NULL;
		zcomp_kunit_expect_conf_kept(test, ctx);
	}
	/* Destroying nothing is allowed. */
	zcomp_destroy(NULL);
	zcomp_destroy(ERR_PTR(-EINVAL));
}

struct zcomp_kunit_show {
	const char *cur;
	const char *want;
};

static const struct zcomp_kunit_show zcomp_kunit_shows[] = {
	{ "lzo", "[lzo] lzo-rle lz4 lz4hc zstd deflate\n" },
	{ "lzo-rle", "lzo [lzo-rle] lz4 lz4hc zstd deflate\n" },
	{ "lz4", "lzo lzo-rle [lz4] lz4hc zstd deflate\n" },
	{ "lz4hc", "lzo lzo-rle lz4 [lz4hc] zstd deflate\n" },
	{ "zstd", "lzo lzo-rle lz4 lz4hc [zstd] deflate\n" },
	{ "deflate", "lzo lzo-rle lz4 lz4hc zstd [deflate]\n" },
	{ "lz", "lzo lzo-rle lz4 lz4hc zstd deflate\n" },
	{ NULL, "lzo lzo-rle lz4 lz4hc zstd deflate\n" },
};

static void zcomp_kunit_show_desc(const struct zcomp_kunit_show *s,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "current %s",
		 s->cur ? s->cur : "(none)");
}

KUNIT_ARRAY_PARAM(zcomp_kunit_show, zcomp_kunit_shows, zcomp_kunit_show_desc);

/*
 * The comp_algorithm text, exactly: every backend, the current one in
 * brackets; appended at @at, returning the new end.
 */
static void zcomp_test_available_show(struct kunit *test)
{
	const struct zcomp_kunit_show *s = test->param_value;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(buf));
	n = zcomp_available_show(s->cur, buf, 0);
	KUNIT_EXPECT_STREQ(test, buf, s->want);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen(s->want));

	/* Appending after "x: " keeps the prefix. */
	memset(buf, 0, PAGE_SIZE);
	strscpy(buf, "x: ", PAGE_SIZE);
	n = zcomp_available_show(s->cur, buf, 3);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)(3 + strlen(s->want)));
	KUNIT_EXPECT_EQ(test, strncmp(buf, "x: ", 3), 0);
	KUNIT_EXPECT_STREQ(test, buf + 3, s->want);
}

/*
 * Every input round-trips: compress, then decompress into a guarded page
 * gives the same bytes back and touches nothing after the page.
 * Constant pages shrink below 128 bytes, text below 3/4 of a page,
 * random bytes do not shrink at all.
 */
static void zcomp_test_roundtrip(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	int i;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);

	for (i = 0; i < ZCOMP_NR_INPUTS; i++) {
		const char *in = zcomp_kunit_input_names[i];
		unsigned int len = 0;
		bool guard = false;
		int ret;

		ret = zcomp_kunit_compress(comp, ctx, ctx->in[i], &len);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "compress %s", in);
		if (ret)
			continue;
		KUNIT_EXPECT_GT_MSG(test, len, 0U, "%s", in);
		KUNIT_EXPECT_LE_MSG(test, (size_t)len, zcomp_kunit_bound(name),
				    "%s", in);
		if (i == ZCOMP_IN_ZERO || i == ZCOMP_IN_WORD)
			KUNIT_EXPECT_LT_MSG(test, len, 128U, "%s", in);
		if (i == ZCOMP_IN_TEXT)
			KUNIT_EXPECT_LT_MSG(test, len,
					    (unsigned int)PAGE_SIZE * 3 / 4,
					    "%s", in);
		if (i == ZCOMP_IN_RANDOM)
			KUNIT_EXPECT_GE_MSG(test, len, (unsigned int)PAGE_SIZE,
					    "%s", in);

		ret = zcomp_kunit_decompress(comp, ctx, len, &guard);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "decompress %s", in);
		KUNIT_EXPECT_TRUE_MSG(test, guard, "guard after %s", in);
		KUNIT_EXPECT_EQ_MSG(test,
				    memcmp(ctx->dbuf, ctx->in[i], PAGE_SIZE), 0,
				    "bytes of %s", in);
	}
}

/*
 * After a decompression of input @i (@ret; @how names the call): the
 * page is back, nothing after it was touched, and @fn refuses the
 * object's first half.
 */
static void zcomp_kunit_expect_unpacked(struct kunit *test,
					struct zcomp_kunit_ctx *ctx,
					struct zcomp *comp, int i,
					unsigned int len, int ret,
					int (*fn)(struct zcomp *, const void *,
						  unsigned int, void *),
					const char *how)
{
	const char *in = zcomp_kunit_input_names[i];

	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s: %s", how, in);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(ctx->dbuf, ctx->in[i], PAGE_SIZE), 0,
			    "%s: bytes of %s", how, in);
	KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(ctx->dbuf + PAGE_SIZE,
				ZCOMP_KUNIT_GUARD, PAGE_SIZE), NULL,
				"%s: guard after %s", how, in);
	KUNIT_EXPECT_LT_MSG(test, fn(comp, ctx->cbuf, len / 2, ctx->dbuf), 0,
			    "%s: half of %s", how, in);
}

/*
 * zcomp_decompress_anywhere(): the LZO and LZ4 families decompress with
 * no stream, here with interrupts off (as in a bio's completion), to the
 * same bytes, and refuse a truncated object; the others need a stream,
 * say so and return -EINVAL, leaving the output untouched.
 * zcomp_decompress_here() decompresses every algorithm's objects (with
 * a stream where one is needed) and refuses a truncated one.
 */
static void zcomp_test_decompress_anywhere(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	bool expect = !strcmp(name, "lzo") || !strcmp(name, "lzo-rle") ||
		      !strcmp(name, "lz4") || !strcmp(name, "lz4hc");
	struct zcomp *comp;
	unsigned long flags;
	int i;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	KUNIT_EXPECT_EQ(test, zcomp_decompresses_anywhere(comp), expect);

	for (i = 0; i < ZCOMP_NR_INPUTS; i++) {
		unsigned int len = 0;
		int ret;

		if (zcomp_kunit_compress(comp, ctx, ctx->in[i], &len) ||
		    len >= PAGE_SIZE)
			continue;
		memset(ctx->dbuf, ZCOMP_KUNIT_GUARD, 2 * PAGE_SIZE);
		ret = zcomp_decompress_here(comp, ctx->cbuf, len, ctx->dbuf);
		zcomp_kunit_expect_unpacked(test, ctx, comp, i, len, ret,
					    zcomp_decompress_here, "here");

		memset(ctx->dbuf, ZCOMP_KUNIT_GUARD, 2 * PAGE_SIZE);
		local_irq_save(flags);
		ret = zcomp_decompress_anywhere(comp, ctx->cbuf, len,
						ctx->dbuf);
		local_irq_restore(flags);
		if (!expect) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "%s",
					    zcomp_kunit_input_names[i]);
			KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(ctx->dbuf,
					ZCOMP_KUNIT_GUARD, 2 * PAGE_SIZE),
					NULL, "output of %s",
					zcomp_kunit_input_names[i]);
			continue;
		}
		zcomp_kunit_expect_unpacked(test, ctx, comp, i, len, ret,
					    zcomp_decompress_anywhere,
					    "anywhere");
	}
}

/*
 * Exactly PAGE_SIZE random bytes, the worst case: the output exceeds a
 * page yet fits the library's own bound and the stream buffer, and still
 * decompresses to exactly the page.  Twice, so a reused context is
 * covered.
 */
static void zcomp_test_incompressible(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	unsigned int len = 0, len2 = 0;
	struct zcomp *comp;
	bool guard = false;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);

	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_RANDOM],
						   &len), 0);
	KUNIT_EXPECT_GT(test, len, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_LE(test, (size_t)len, zcomp_kunit_bound(name));
	KUNIT_EXPECT_LE(test, len, (unsigned int)ZCOMP_OUT_SIZE);
	KUNIT_EXPECT_EQ(test, zcomp_kunit_decompress(comp, ctx, len, &guard),
			0);
	KUNIT_EXPECT_TRUE(test, guard);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->dbuf, ctx->in[ZCOMP_IN_RANDOM],
				     PAGE_SIZE), 0);

	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_RANDOM],
						   &len2), 0);
	KUNIT_EXPECT_EQ(test, len2, len);
}

/* Truncated streams (last byte, half, one byte left) are refused. */
static void zcomp_test_truncated(struct kunit *test)
{
	static const int inputs[] = {
		ZCOMP_IN_ZERO, ZCOMP_IN_TEXT, ZCOMP_IN_RANDOM, ZCOMP_IN_HALF,
	};
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	unsigned int i, c;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);

	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		const char *in = zcomp_kunit_input_names[inputs[i]];
		unsigned int len = 0, cuts[3];

		KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
							   ctx->in[inputs[i]],
							   &len), 0);
		cuts[0] = len - 1;
		cuts[1] = len / 2;
		cuts[2] = 1;
		for (c = 0; c < ARRAY_SIZE(cuts); c++) {
			bool guard = false;

			KUNIT_EXPECT_EQ_MSG(test,
					    zcomp_kunit_decompress(comp, ctx,
								   cuts[c],
								   &guard),
					    -EINVAL, "%s cut to %u of %u", in,
					    cuts[c], len);
			KUNIT_EXPECT_TRUE_MSG(test, guard, "%s cut to %u", in,
					      cuts[c]);
		}
	}
}

/*
 * Flipped bits (1..4 per try, 64 tries each on text and on the zero
 * page): the result is -EINVAL or a whole page, never anything past it.
 * Most flips in text must be noticed.
 */
static void zcomp_test_bitflip(struct kunit *test)
{
	static const int inputs[] = { ZCOMP_IN_TEXT, ZCOMP_IN_ZERO };
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	unsigned int i, t;
	u32 seed = 2463534242u;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);

	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		const char *in = zcomp_kunit_input_names[inputs[i]];
		unsigned int detected = 0, guards = 0, odd = 0;

		for (t = 0; t < 64; t++) {
			unsigned int len = 0, f;
			bool guard = false;
			int ret;

			KUNIT_ASSERT_EQ(test,
					zcomp_kunit_compress(comp, ctx,
							     ctx->in[inputs[i]],
							     &len), 0);
			for (f = 0; f <= t % 4; f++) {
				unsigned int pos = zcomp_kunit_next(&seed) % len;

				ctx->cbuf[pos] ^= 1 << (zcomp_kunit_next(&seed) % 8);
			}
			ret = zcomp_kunit_decompress(comp, ctx, len, &guard);
			detected += ret == -EINVAL;
			odd += ret && ret != -EINVAL;
			guards += !guard;
		}
		kunit_info(test, "%s: %u of 64 corruptions detected\n", in,
			   detected);
		KUNIT_EXPECT_EQ_MSG(test, guards, 0U, "%s: guard overwritten",
				    in);
		KUNIT_EXPECT_EQ_MSG(test, odd, 0U, "%s: errors besides EINVAL",
				    in);
		if (inputs[i] == ZCOMP_IN_TEXT)
			KUNIT_EXPECT_GE_MSG(test, detected, 16U, "%s", in);
	}
}

/* Random garbage of various lengths is never a valid page. */
static void zcomp_test_garbage(struct kunit *test)
{
	static const unsigned int lens[] = {
		1, 2, 7, 100, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1,
		2 * PAGE_SIZE,
	};
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	unsigned int i;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		bool guard = false;

		zcomp_kunit_random(ctx->cbuf, lens[i], 1000 + i);
		KUNIT_EXPECT_EQ_MSG(test, zcomp_kunit_decompress(comp, ctx,
								 lens[i],
								 &guard),
				    -EINVAL, "%u bytes of garbage", lens[i]);
		KUNIT_EXPECT_TRUE_MSG(test, guard, "%u bytes", lens[i]);
	}
}

/*
 * Valid streams of the wrong length: 100 bytes decode to a short page,
 * two pages of text do not fit one; both are refused and nothing is
 * written past the page.
 */
static void zcomp_test_wrong_length(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	static const size_t srcs[] = { 100, PAGE_SIZE - 1, 2 * PAGE_SIZE };
	struct zcomp_stream *zstrm;
	struct zcomp *comp;
	u8 *big;
	unsigned int i;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	big = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	zcomp_kunit_text(big, 2 * PAGE_SIZE, 5);

	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		bool guard = false;
		int ret;

		/* 3 pages of room: lzo's worst case for 2 pages of input. */
		zstrm = zcomp_stream_get(comp);
		ret = comp->backend->compress(comp, zstrm->work, big, srcs[i],
					      ctx->cbuf, 3 * PAGE_SIZE);
		zcomp_stream_put(comp);
		KUNIT_ASSERT_GT_MSG(test, ret, 0, "compress %zu bytes", srcs[i]);
		KUNIT_EXPECT_EQ_MSG(test,
				    zcomp_kunit_decompress(comp, ctx, ret,
							   &guard),
				    -EINVAL, "stream of %zu bytes", srcs[i]);
		KUNIT_EXPECT_TRUE_MSG(test, guard, "stream of %zu bytes",
				      srcs[i]);
	}
}

struct zcomp_kunit_level {
	const char *name;
	s32 level;
	int want;
};

static const struct zcomp_kunit_level zcomp_kunit_levels[] = {
	{ "lzo", ZCOMP_LEVEL_DEFAULT, 0 },
	{ "lzo", 5, 0 },		/* accepted, ignored */
	{ "lzo-rle", -3, 0 },
	{ "lz4", ZCOMP_LEVEL_DEFAULT, 0 },
	{ "lz4", 1, 0 },
	{ "lz4", 8, 0 },
	{ "lz4", 65537, 0 },
	{ "lz4", 0, -EINVAL },
	{ "lz4", -1, -EINVAL },
	{ "lz4", 65538, -EINVAL },
	{ "lz4hc", ZCOMP_LEVEL_DEFAULT, 0 },
	{ "lz4hc", 1, 0 },
	{ "lz4hc", 16, 0 },
	{ "lz4hc", 0, -EINVAL },
	{ "lz4hc", 17, -EINVAL },
	{ "zstd", ZCOMP_LEVEL_DEFAULT, 0 },
	{ "zstd", 0, 0 },		/* zstd's own "default" */
	{ "zstd", 1, 0 },
	{ "zstd", 19, 0 },
	{ "zstd", 22, 0 },
	{ "zstd", -5, 0 },
	{ "zstd", 23, -EINVAL },
	{ "zstd", INT_MAX, -EINVAL },
	{ "deflate", ZCOMP_LEVEL_DEFAULT, 0 },
	{ "deflate", -1, 0 },
	{ "deflate", 0, 0 },
	{ "deflate", 1, 0 },
	{ "deflate", 9, 0 },
	{ "deflate", -2, -EINVAL },
	{ "deflate", 10, -EINVAL },
};

static void zcomp_kunit_level_desc(const struct zcomp_kunit_level *l,
				   char *desc)
{
	if (l->level == ZCOMP_LEVEL_DEFAULT)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, no level", l->name);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, level %d", l->name,
			 l->level);
}

KUNIT_ARRAY_PARAM(zcomp_kunit_level, zcomp_kunit_levels,
		  zcomp_kunit_level_desc);

/*
 * Levels: in range accepted (and the instance round-trips text and
 * random bytes), out of range ERR_PTR(-EINVAL) with no backend state
 * left in the params.
 */
static void zcomp_test_levels(struct kunit *test)
{
	const struct zcomp_kunit_level *l = test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	static const int inputs[] = { ZCOMP_IN_TEXT, ZCOMP_IN_RANDOM };
	unsigned int i;

	comp = zcomp_kunit_create(ctx, l->name, l->level, NULL, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(comp), l->want);
	if (IS_ERR(comp)) {
		ctx->comp = NULL;
		zcomp_kunit_expect_conf_kept(test, ctx);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		unsigned int len = 0;
		bool guard = false;

		KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
							   ctx->in[inputs[i]],
							   &len), 0);
		KUNIT_EXPECT_EQ(test, zcomp_kunit_decompress(comp, ctx, len,
							     &guard), 0);
		KUNIT_EXPECT_TRUE(test, guard);
		KUNIT_EXPECT_EQ(test, memcmp(ctx->dbuf, ctx->in[inputs[i]],
					     PAGE_SIZE), 0);
	}
	zcomp_kunit_destroy(ctx);
	zcomp_kunit_expect_conf_kept(test, ctx);
}

/*
 * zcomp_check() answers as zcomp_create() does, for every level of
 * every backend, and knows no more names than it.
 */
static void zcomp_test_check(struct kunit *test)
{
	const struct zcomp_kunit_level *l = test->param_value;
	struct zcomp_conf conf = { .level = l->level };

	KUNIT_EXPECT_EQ(test, zcomp_check(l->name, &conf), l->want);
	KUNIT_EXPECT_EQ(test, conf.level, l->level);
	KUNIT_EXPECT_EQ(test, zcomp_check("nosuch", &conf), -EINVAL);
	KUNIT_EXPECT_EQ(test, zcomp_check("", &conf), -EINVAL);
}

/*
 * zstd's range is the library's own (zstd_min_clevel()..max), and the
 * level matters: level 19 packs text tighter than level 1.
 */
static void zcomp_test_zstd_level_effect(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx = test->priv;
	unsigned int len1 = 0, len19 = 0;
	struct zcomp *comp;

	comp = zcomp_kunit_create(ctx, "zstd", zstd_max_clevel() + 1, NULL, 0);
	KUNIT_EXPECT_PTR_EQ(test, comp, ERR_PTR(-EINVAL));
	comp = zcomp_kunit_create(ctx, "zstd", zstd_min_clevel() - 1, NULL, 0);
	KUNIT_EXPECT_PTR_EQ(test, comp, ERR_PTR(-EINVAL));
	ctx->comp = NULL;

	comp = zcomp_kunit_create(ctx, "zstd", 1, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_TEXT],
						   &len1), 0);
	zcomp_kunit_destroy(ctx);

	comp = zcomp_kunit_create(ctx, "zstd", 19, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_TEXT],
						   &len19), 0);
	kunit_info(test, "text page: level 1 %u bytes, level 19 %u bytes\n",
		   len1, len19);
	KUNIT_EXPECT_LT(test, len19, len1);
}

/* Backends without dictionary support refuse one with -EINVAL. */
static void zcomp_test_dict_rejected(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	static char dict[64] = "memory page compressed kernel swap";

	KUNIT_EXPECT_PTR_EQ(test, zcomp_kunit_create(ctx, name,
						     ZCOMP_LEVEL_DEFAULT,
						     dict, sizeof(dict)),
			    ERR_PTR(-EINVAL));
	zcomp_kunit_expect_conf_kept(test, ctx);
	ctx->comp = NULL;
}

/* zstd: a dictionary pointer without a size, or a size alone: -EINVAL. */
static void zcomp_test_zstd_dict_args(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx = test->priv;
	static char dict[64] = "memory page compressed kernel swap";

	KUNIT_EXPECT_PTR_EQ(test, zcomp_kunit_create(ctx, "zstd",
						     ZCOMP_LEVEL_DEFAULT,
						     NULL, 16),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, zcomp_kunit_create(ctx, "zstd",
						     ZCOMP_LEVEL_DEFAULT,
						     dict, 0),
			    ERR_PTR(-EINVAL));
	zcomp_kunit_expect_conf_kept(test, ctx);
	ctx->comp = NULL;
}

/*
 * zstd with a raw-content dictionary of text: accepted, text compresses
 * smaller than without it, and everything round-trips; a truncated or
 * damaged object fails to decompress without writing past the page.
 * Where the kernel lacks the dictionary API (6.1, as this debug kernel)
 * this runs backend_zstd.c's prefix mode.
 */
static void zcomp_test_zstd_dict(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx = test->priv;
	size_t dsz = 2 * PAGE_SIZE;
	unsigned int plain = 0, withd = 0, i;
	struct zcomp *comp;
	u8 *dict;

	dict = kunit_kmalloc(test, dsz, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dict);
	zcomp_kunit_text(dict, dsz, 4242);

	comp = zcomp_kunit_create(ctx, "zstd", ZCOMP_LEVEL_DEFAULT, dict,
				  dsz);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	kunit_info(test, "dictionary mode: %s\n",
		   ZRAM_COMPAT_HAVE_ZSTD_DICT ? "zstd API" : "prefix");
	for (i = 0; i < ZCOMP_NR_INPUTS; i++) {
		unsigned int len = 0;
		bool guard = false;

		KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
							   ctx->in[i], &len),
				0);
		if (i == ZCOMP_IN_TEXT)
			withd = len;
		KUNIT_EXPECT_EQ(test, zcomp_kunit_decompress(comp, ctx, len,
							     &guard), 0);
		KUNIT_EXPECT_TRUE(test, guard);
		KUNIT_EXPECT_EQ(test, memcmp(ctx->dbuf, ctx->in[i], PAGE_SIZE),
				0);
	}
	/* the text page again: cut short, and with a flipped byte */
	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_TEXT],
						   &withd), 0);
	for (i = 1; i < withd; i += max(1U, withd / 8)) {
		bool guard = false;

		KUNIT_EXPECT_NE_MSG(test, zcomp_kunit_decompress(comp, ctx, i,
								 &guard),
				    0, "truncated to %u of %u", i, withd);
		KUNIT_EXPECT_TRUE(test, guard);
	}
	for (i = 0; i < withd; i += max(1U, withd / 16)) {
		bool guard = false;

		ctx->cbuf[i] ^= 0x5a;
		zcomp_kunit_decompress(comp, ctx, withd, &guard);
		KUNIT_EXPECT_TRUE_MSG(test, guard, "byte %u flipped", i);
		ctx->cbuf[i] ^= 0x5a;
	}
	zcomp_kunit_destroy(ctx);
	zcomp_kunit_expect_conf_kept(test, ctx);

	comp = zcomp_kunit_create(ctx, "zstd", ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_TEXT],
						   &plain), 0);
	KUNIT_EXPECT_LT(test, withd, plain);
}

/*
 * Dictionary size limits by level.  Prefix mode (kernels without the
 * zstd dictionary API, as this debug kernel) compresses the dictionary
 * again for every page with the stream held, so it takes 64 KiB up to
 * level 6, 32 KiB up to 10, 4 KiB at 11 and none above: one byte more
 * is -EFBIG, from zcomp_create() and zcomp_check() alike.  With the
 * zstd API every one of these is accepted.
 */
struct zcomp_kunit_dict_limit {
	s32 level;
	size_t len;
	int want_prefix;
};

static const struct zcomp_kunit_dict_limit zcomp_kunit_dict_limits[] = {
	{ ZCOMP_LEVEL_DEFAULT, SZ_64K, 0 },
	{ ZCOMP_LEVEL_DEFAULT, SZ_64K + 1, -EFBIG },
	{ 0, SZ_64K, 0 },
	{ -5, SZ_64K, 0 },
	{ 1, SZ_64K + 1, -EFBIG },
	{ 6, SZ_64K, 0 },
	{ 7, SZ_64K, -EFBIG },
	{ 7, SZ_32K, 0 },
	{ 10, SZ_32K, 0 },
	{ 10, SZ_32K + 1, -EFBIG },
	{ 11, SZ_4K, 0 },
	{ 11, SZ_4K + 1, -EFBIG },
	{ 12, 1, -EFBIG },
	{ 19, SZ_4K, -EFBIG },
	{ 22, 1, -EFBIG },
};

static void zcomp_kunit_dict_limit_desc(const struct zcomp_kunit_dict_limit *l,
					char *desc)
{
	if (l->level == ZCOMP_LEVEL_DEFAULT)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "no level, %zu bytes",
			 l->len);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "level %d, %zu bytes",
			 l->level, l->len);
}

KUNIT_ARRAY_PARAM(zcomp_kunit_dict_limit, zcomp_kunit_dict_limits,
		  zcomp_kunit_dict_limit_desc);

static void zcomp_test_zstd_dict_limit(struct kunit *test)
{
	const struct zcomp_kunit_dict_limit *l = test->param_value;
	int want = ZRAM_COMPAT_HAVE_ZSTD_DICT ? 0 : l->want_prefix;
	struct zcomp_kunit_ctx *ctx = test->priv;
	unsigned int len = 0;
	struct zcomp *comp;
	bool guard = false;
	u8 *dict;

	dict = kunit_kmalloc(test, l->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dict);
	zcomp_kunit_text(dict, l->len, 4242);
	ctx->conf = (struct zcomp_conf){ .level = l->level, .dict = dict,
					 .dict_len = l->len };
	KUNIT_EXPECT_EQ(test, zcomp_check("zstd", &ctx->conf), want);

	comp = zcomp_kunit_create(ctx, "zstd", l->level, dict, l->len);
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO(comp), want);
	if (IS_ERR(comp)) {
		ctx->comp = NULL;
		zcomp_kunit_expect_conf_kept(test, ctx);
		return;
	}
	KUNIT_ASSERT_EQ(test, zcomp_kunit_compress(comp, ctx,
						   ctx->in[ZCOMP_IN_TEXT],
						   &len), 0);
	KUNIT_EXPECT_EQ(test, zcomp_kunit_decompress(comp, ctx, len, &guard),
			0);
	KUNIT_EXPECT_TRUE(test, guard);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->dbuf, ctx->in[ZCOMP_IN_TEXT],
				     PAGE_SIZE), 0);
}

struct zcomp_kunit_on_cpu {
	struct zcomp *comp;
	const u8 *src;
	int cpu;
	/* results, checked by the test thread */
	int ran_on;
	struct zcomp_stream *zstrm;
	bool buffers;
	int ret;
	int mismatch;
};

/*
 * Runs on one CPU: the stream it gets is that CPU's, with its buffers,
 * and a page round-trips through the stream's own local_copy.
 */
static long zcomp_kunit_cpu_fn(void *data)
{
	struct zcomp_kunit_on_cpu *a = data;
	struct zcomp_stream *zstrm;
	unsigned int len = 0;
	u8 *copy;

	copy = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	if (!copy) {
		a->ret = -ENOMEM;
		return 0;
	}
	zstrm = zcomp_stream_get(a->comp);
	a->ran_on = smp_processor_id();
	a->zstrm = zstrm;
	a->buffers = zstrm->out && zstrm->scratch && zstrm->work;
	a->ret = a->buffers ? zcomp_compress(a->comp, zstrm, a->src, &len) :
			      -ENOMEM;
	if (!a->ret) {
		memcpy(copy, zstrm->out, len);
		a->ret = zcomp_decompress(a->comp, zstrm, copy, len,
					  zstrm->scratch);
	}
	if (!a->ret)
		a->mismatch = memcmp(zstrm->scratch, a->src, PAGE_SIZE);
	zcomp_stream_put(a->comp);
	kfree(copy);
	return 0;
}

static void zcomp_kunit_expect_cpu(struct kunit *test, struct zcomp *comp,
				   const u8 *src, int cpu)
{
	struct zcomp_kunit_on_cpu a = {
		.comp = comp, .src = src, .cpu = cpu, .ran_on = -1,
		.ret = -EIO, .mismatch = 1,
	};

	work_on_cpu(cpu, zcomp_kunit_cpu_fn, &a);
	KUNIT_EXPECT_EQ_MSG(test, a.ran_on, cpu, "cpu %d", cpu);
	KUNIT_EXPECT_PTR_EQ_MSG(test, a.zstrm, per_cpu_ptr(comp->stream, cpu),
				"cpu %d", cpu);
	KUNIT_EXPECT_TRUE_MSG(test, a.buffers, "cpu %d", cpu);
	KUNIT_EXPECT_EQ_MSG(test, a.ret, 0, "cpu %d", cpu);
	KUNIT_EXPECT_EQ_MSG(test, a.mismatch, 0, "cpu %d", cpu);
}

/* Each online CPU has its own working stream. */
static void zcomp_test_every_cpu(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp *comp;
	int cpu, n = 0;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		zcomp_kunit_expect_cpu(test, comp, ctx->in[ZCOMP_IN_TEXT], cpu);
		n++;
	}
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, n, (int)num_online_cpus());
}

/* One CPU's share of zcomp_test_parallel. */
struct zcomp_kunit_par {
	struct work_struct work;
	struct zcomp *comp;
	const u8 *const *in;		/* ZCOMP_NR_INPUTS pages */
	u8 *copy;			/* 2 * PAGE_SIZE */
	int cpu;
	/* results */
	int ran_on;
	struct zcomp_stream *zstrm;
	int ret;
	unsigned int bad;
};

/*
 * The model zcomp.h documents for parallel compression: a work item
 * running on CPU n gets CPU n's stream and compresses its pages one
 * after the other, copying each result out of ->out before the next.
 */
static void zcomp_kunit_par_fn(struct work_struct *work)
{
	struct zcomp_kunit_par *p = container_of(work, struct zcomp_kunit_par,
						 work);
	struct zcomp_stream *zstrm;
	unsigned int i, len;
	int ret = 0;

	zstrm = zcomp_stream_get(p->comp);
	p->ran_on = smp_processor_id();
	p->zstrm = zstrm;
	for (i = 0; i < ZCOMP_NR_INPUTS && !ret; i++) {
		ret = zcomp_compress(p->comp, zstrm, p->in[i], &len);
		if (ret)
			break;
		memcpy(p->copy, zstrm->out, len);
		ret = zcomp_decompress(p->comp, zstrm, p->copy, len,
				       zstrm->scratch);
		if (!ret && memcmp(zstrm->scratch, p->in[i], PAGE_SIZE))
			p->bad++;
	}
	zcomp_stream_put(p->comp);
	p->ret = ret;
}

/*
 * Every online CPU compresses at once on one instance, each with its
 * own stream: all pages round-trip, and no two CPUs share a stream.
 */
static void zcomp_test_parallel(struct kunit *test)
{
	const char *name = *(const char *const *)test->param_value;
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp_kunit_par *par;
	struct zcomp *comp;
	int cpu, n = 0, i;

	comp = zcomp_kunit_create(ctx, name, ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	par = kunit_kcalloc(test, nr_cpu_ids, sizeof(*par), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, par);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct zcomp_kunit_par *p = &par[n++];

		p->copy = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
		p->comp = comp;
		p->in = (const u8 *const *)ctx->in;
		p->cpu = cpu;
		p->ran_on = -1;
		p->ret = -EIO;
		INIT_WORK_ONSTACK(&p->work, zcomp_kunit_par_fn);
		if (p->copy)
			queue_work_on(cpu, system_highpri_wq, &p->work);
	}
	for (i = 0; i < n; i++) {
		flush_work(&par[i].work);
		destroy_work_on_stack(&par[i].work);
	}
	cpus_read_unlock();

	for (i = 0; i < n; i++) {
		struct zcomp_kunit_par *p = &par[i];
		int j;

		KUNIT_EXPECT_NOT_NULL(test, p->copy);
		KUNIT_EXPECT_EQ_MSG(test, p->ran_on, p->cpu, "cpu %d", p->cpu);
		KUNIT_EXPECT_PTR_EQ_MSG(test, p->zstrm,
					per_cpu_ptr(comp->stream, p->cpu),
					"cpu %d", p->cpu);
		KUNIT_EXPECT_EQ_MSG(test, p->ret, 0, "cpu %d", p->cpu);
		KUNIT_EXPECT_EQ_MSG(test, p->bad, 0U, "cpu %d", p->cpu);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, p->zstrm, par[j].zstrm);
	}
	KUNIT_EXPECT_EQ(test, n, (int)num_online_cpus());
}

/*
 * CPU hotplug: taking a CPU down frees its streams (teardown callback),
 * an instance created while it is down has none for it, and bringing it
 * back sets up working streams for both instances.
 */
static void zcomp_test_cpu_hotplug(struct kunit *test)
{
	struct zcomp_kunit_ctx *ctx = test->priv;
	struct zcomp_stream *zstrm;
	struct zcomp *comp;
	int cpu, ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "CONFIG_HOTPLUG_CPU is off");
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 online CPUs, have %u",
			   num_online_cpus());
	cpu = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_NE(test, cpu, 0);

	comp = zcomp_kunit_create(ctx, "zstd", ZCOMP_LEVEL_DEFAULT, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, comp);
	zstrm = per_cpu_ptr(comp->stream, cpu);
	KUNIT_EXPECT_NOT_NULL(test, zstrm->out);

	/* With CONFIG_HOTPLUG_CPU and 2 CPUs, refusing is a failure. */
	ret = remove_cpu(cpu);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "cpu %d cannot go offline", cpu);
	ctx->offline_cpu = cpu;
	KUNIT_EXPECT_FALSE(test, cpu_online(cpu));
	/* Dead: everything of the stream is freed. */
	KUNIT_EXPECT_NULL(test, zstrm->out);
	KUNIT_EXPECT_NULL(test, zstrm->scratch);
	KUNIT_EXPECT_NULL(test, zstrm->work);

	memset(&ctx->conf2, 0, sizeof(ctx->conf2));
	ctx->conf2.level = ZCOMP_LEVEL_DEFAULT;
	ctx->comp2 = zcomp_create("lz4", &ctx->conf2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->comp2);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(ctx->comp2->stream, cpu)->out);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	ctx->offline_cpu = -1;
	KUNIT_EXPECT_TRUE(test, cpu_online(cpu));
	KUNIT_EXPECT_NOT_NULL(test, zstrm->out);
	KUNIT_EXPECT_NOT_NULL(test,
			      per_cpu_ptr(ctx->comp2->stream, cpu)->out);
	zcomp_kunit_expect_cpu(test, comp, ctx->in[ZCOMP_IN_TEXT], cpu);
	zcomp_kunit_expect_cpu(test, ctx->comp2, ctx->in[ZCOMP_IN_HALF], cpu);
	zcomp_kunit_expect_cpu(test, comp, ctx->in[ZCOMP_IN_WORD], 0);
}

static struct kunit_case zcomp_kunit_cases[] = {
	KUNIT_CASE(zcomp_test_lookup),
	KUNIT_CASE(zcomp_test_create_unknown),
	KUNIT_CASE_PARAM(zcomp_test_available_show,
			 zcomp_kunit_show_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_roundtrip, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_decompress_anywhere,
			 zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_incompressible, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_truncated, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_bitflip, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_garbage, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_wrong_length, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_levels, zcomp_kunit_level_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_check, zcomp_kunit_level_gen_params),
	KUNIT_CASE(zcomp_test_zstd_level_effect),
	KUNIT_CASE_PARAM(zcomp_test_dict_rejected,
			 zcomp_kunit_nodict_gen_params),
	KUNIT_CASE(zcomp_test_zstd_dict_args),
	KUNIT_CASE(zcomp_test_zstd_dict),
	KUNIT_CASE_PARAM(zcomp_test_zstd_dict_limit,
			 zcomp_kunit_dict_limit_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_every_cpu, zcomp_kunit_alg_gen_params),
	KUNIT_CASE_PARAM(zcomp_test_parallel, zcomp_kunit_alg_gen_params),
	KUNIT_CASE(zcomp_test_cpu_hotplug),
	{}
};

static struct kunit_suite zram_zcomp_suite = {
	.name = "zram_zcomp",
	.suite_init = zcomp_kunit_suite_init,
	.suite_exit = zcomp_kunit_suite_exit,
	.init = zcomp_kunit_init,
	.exit = zcomp_kunit_exit,
	.test_cases = zcomp_kunit_cases,
};

kunit_test_suites(&zram_zcomp_suite);
