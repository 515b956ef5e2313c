// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zstandard, single-shot frames.
 *
 * Shared state (struct zstd_be_shared, built once in prepare()):
 * the compression parameters for a page at the chosen level (with the
 * zstd of 6.1, those of a source of unknown size over a page's tables:
 * see compat.h's ZRAM_COMPAT_ZSTD_PAGE_SRC), the size of a compression
 * workspace for them, and, when the user gave a dictionary
 * (raw content or a zstd-format dictionary), one digested compression
 * and one decompression dictionary that all CPUs read.
 *
 * Per-CPU state: one compression and one decompression context, each
 * placed in a preallocated workspace so that the hot paths never
 * allocate.  Both are sized for one page, with a dictionary too: zstd
 * attaches the digested dictionary (its tables stay in the shared cdict)
 * when it compresses an input as small as a page, so a CPU's context
 * only needs tables for the page (zstd_be_page_cparams()), and a
 * decompression context never depends on the dictionary's size.
 *
 * Dictionaries use zram_compat_zstd_create_cdict() and friends.  Kernels
 * without them (6.1, see compat.h) get "prefix mode", built on the
 * streaming API that every kernel exports: a page is compressed as the
 * tail of one frame whose head is the dictionary, so its matches may
 * reach back into the dictionary's bytes.  The head's compressed form
 * is the same every time; prepare() computes it once ("prefix") and
 * only the tail is stored.  Decompression replays prefix and tail
 * through a streaming context and keeps the last PAGE_SIZE bytes.  The
 * dictionary is used as raw content (a trained dictionary's entropy
 * tables are not), and every page costs a pass over the dictionary in
 * both directions, so it takes dictionaries of 64 KiB at most, less at
 * higher levels (zstd_be_prefix_max(), -EFBIG beyond): that bounds the
 * work done per page with the stream held (preemption off) and the
 * per-CPU workspaces.
 */

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/zstd.h>

#include "backend.h"
#include "compat.h"

/*
 * Largest dictionary prefix mode takes at @level.  Every page written
 * compresses the dictionary again, with the stream held (preemption
 * off), so the limit falls with the level: one page must take at most
 * 10 ms in a 6.1 TCG guest (about 1 ms on hardware), where these
 * limits measured at most 5 ms per page on average (the README has the
 * table).  Decompression replays the dictionary at any level in under
 * 1 ms there, so it needs no limit of its own.
 */
static size_t zstd_be_prefix_max(int level)
{
	if (level <= 6)		/* 0 is zstd's default, level 3 */
		return SZ_64K;
	if (level <= 10)
		return SZ_32K;
	if (level == 11)
		return SZ_4K;
	return 0;
}

struct zstd_be_shared {
	zstd_parameters zp;
	size_t cctx_size;		/* the cstream's in prefix mode */
	size_t dctx_size;		/* the dstream's in prefix mode */
	zram_compat_zstd_cdict *cdict;
	zram_compat_zstd_ddict *ddict;
	/* Prefix mode: the dictionary's compressed form, frame header first. */
	void *prefix;
	size_t prefix_len;
	size_t window;			/* dictionary plus a page */
};

struct zstd_be_work {
	zstd_cctx *cctx;
	zstd_dctx *dctx;
	zstd_cstream *cs;		/* prefix mode only, */
	zstd_dstream *ds;		/* in place of cctx and dctx */
	void *cctx_mem;
	void *dctx_mem;
	void *scratch;			/* prefix mode: prefix_len bytes */
};

static bool zstd_be_prefix_mode(const struct zcomp_conf *conf)
{
	return conf->dict && !ZRAM_COMPAT_HAVE_ZSTD_DICT;
}

/* Dictionaries are digested in prepare(), which may sleep. */
static void *zstd_be_alloc(void *opaque, size_t size)
{
	return kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static void zstd_be_free(void *opaque, void *address)
{
	kvfree(address);
}

static const zram_compat_zstd_mem zstd_be_mem = {
	.customAlloc = zstd_be_alloc,
	.customFree = zstd_be_free,
};

static void zstd_be_release(void *shared)
{
	struct zstd_be_shared *p = shared;

	if (!p)
		return;
	if (p->cdict)
		zram_compat_zstd_free_cdict(p->cdict);
	if (p->ddict)
		zram_compat_zstd_free_ddict(p->ddict);
	kvfree(p->prefix);
	kfree(p);
}

/*
 * Feed all of @in to @cs and flush (@end: end the frame) into @out.
 * 0 on success, -ENOSPC when @out is too small, -EINVAL on a zstd error.
 */
static int zstd_be_stream(zstd_cstream *cs, zstd_in_buffer *in,
			  zstd_out_buffer *out, bool end)
{
	size_t ret;

	while (in->pos < in->size) {
		ret = zstd_compress_stream(cs, out, in);
		if (zstd_is_error(ret))
			return -EINVAL;
		if (out->pos == out->size && in->pos < in->size)
			return -ENOSPC;
	}
	do {
		ret = end ? zstd_end_stream(cs, out) : zstd_flush_stream(cs, out);
		if (zstd_is_error(ret))
			return -EINVAL;
		if (ret && out->pos == out->size)
			return -ENOSPC;
	} while (ret);
	return 0;
}

/* Prefix mode: window and workspace sizes, and the prefix itself. */
static int zstd_be_setup_prefix(const struct zcomp_conf *conf, int level,
				struct zstd_be_shared *p)
{
	zstd_in_buffer in = { .src = conf->dict, .size = conf->dict_len };
	size_t max = zstd_be_prefix_max(level);
	zstd_out_buffer out;
	zstd_cstream *cs;
	void *mem;
	int ret;

	if (conf->dict_len > max) {
		pr_info_ratelimited(KBUILD_MODNAME ": zstd level %d: dictionary of %zu bytes refused, this kernel takes %zu at most at that level\n",
				    level, conf->dict_len, max);
		return -EFBIG;
	}
	p->window = conf->dict_len + PAGE_SIZE;
	/* Every byte of the dictionary must stay within reach. */
	while ((1UL << p->zp.cParams.windowLog) < p->window)
		p->zp.cParams.windowLog++;
	p->cctx_size = zstd_cstream_workspace_bound(&p->zp.cParams);
	p->dctx_size = zstd_dstream_workspace_bound(1UL << p->zp.cParams.windowLog);

	out.size = zstd_compress_bound(conf->dict_len) + 64;
	out.pos = 0;
	out.dst = kvmalloc(out.size, GFP_KERNEL | __GFP_NOWARN);
	mem = kvmalloc(p->cctx_size, GFP_KERNEL | __GFP_NOWARN);
	ret = -ENOMEM;
	if (!out.dst || !mem)
		goto out;
	ret = -EINVAL;
	cs = zstd_init_cstream(&p->zp, p->window, mem, p->cctx_size);
	if (!cs)
		goto out;
	ret = zstd_be_stream(cs, &in, &out, false);
	if (ret)
		goto out;
	p->prefix = out.dst;
	p->prefix_len = out.pos;
	out.dst = NULL;
out:
	kvfree(mem);
	kvfree(out.dst);
	return ret;
}

/*
 * The parameters of the context that compresses one page against the
 * digested dictionary when zstd attaches it rather than copy its tables
 * (it attaches for inputs of ZSTD_BE_ATTACH_MAX bytes or fewer, at
 * every strategy): the dictionary's own, with the tables shrunk to what
 * a PAGE_SIZE input fills (hash log at most its log + 1, chain at most
 * its log, counted as zstd counts the binary trees' chains).  The
 * dictionary's tables stay in the cdict, once for all CPUs.
 */
#define ZSTD_BE_ATTACH_MAX	SZ_8K

static zstd_compression_parameters
zstd_be_page_cparams(zstd_compression_parameters cp)
{
	unsigned int cycle = cp.chainLog - (cp.strategy >= ZSTD_btlazy2);

	cp.windowLog = max_t(unsigned int, PAGE_SHIFT, ZSTD_WINDOWLOG_MIN);
	cp.hashLog = min(cp.hashLog, cp.windowLog + 1);
	if (cycle > cp.windowLog)
		cp.chainLog -= cycle - cp.windowLog;
	return cp;
}

/*
 * The per-CPU compression workspace with a dictionary: sized for a page
 * (see above), checked by compressing one page (the dictionary's first)
 * in such a workspace, since a static zstd context never grows.  Should
 * zstd refuse it (a zstd version that copies, or sizes otherwise), the
 * workspace is sized for the dictionary's tables, as zstd's own bound
 * says, and a warning says so.
 */
static int zstd_be_size_cctx(const struct zcomp_conf *conf,
			     struct zstd_be_shared *p)
{
	zstd_compression_parameters cp = zstd_be_page_cparams(p->zp.cParams);
	size_t full = zstd_cctx_workspace_bound(&p->zp.cParams);
	size_t src_len = min_t(size_t, conf->dict_len, PAGE_SIZE);
	zstd_cctx *cctx;
	void *mem, *dst;
	int ret = -ENOMEM;

	p->cctx_size = full;
	if (PAGE_SIZE > ZSTD_BE_ATTACH_MAX)
		return 0;
	p->cctx_size = min(full, zstd_cctx_workspace_bound(&cp));
	mem = kvmalloc(p->cctx_size, GFP_KERNEL | __GFP_NOWARN);
	dst = kvmalloc(ZCOMP_OUT_SIZE, GFP_KERNEL | __GFP_NOWARN);
	if (!mem || !dst)
		goto out;
	cctx = zstd_init_cctx(mem, p->cctx_size);
	if (!cctx ||
	    zstd_is_error(zram_compat_zstd_compress_cdict(cctx, dst,
							  ZCOMP_OUT_SIZE,
							  conf->dict, src_len,
							  p->cdict))) {
		pr_warn_once(KBUILD_MODNAME ": zstd: page-sized workspace refused, using %zu bytes a CPU\n",
			     full);
		p->cctx_size = full;
	}
	ret = 0;
out:
	kvfree(dst);
	kvfree(mem);
	return ret;
}

static int zstd_be_prepare(const struct zcomp_conf *conf, void **shared)
{
	struct zstd_be_shared *p;
	int level = zcomp_level_or(conf, ZSTD_CLEVEL_DEFAULT);
	int ret = 0;

	/* 0 is zstd's own spelling of the default level. */
	if (level < zstd_min_clevel() || level > zstd_max_clevel())
		return -EINVAL;
	if (!conf->dict != !conf->dict_len)
		return -EINVAL;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;

	/*
	 * With a dictionary: tables sized for a page plus the dictionary.
	 * Without: the search as ZRAM_COMPAT_ZSTD_PAGE_SRC says, over
	 * tables for a page (a no-op for zstd's own page parameters; for
	 * an unknown size, level 19 would want 100 MiB a CPU).
	 */
	if (conf->dict_len) {
		p->zp = zstd_get_params(level, PAGE_SIZE + conf->dict_len);
	} else {
		p->zp = zstd_get_params(level, ZRAM_COMPAT_ZSTD_PAGE_SRC);
		p->zp.cParams = zstd_be_page_cparams(p->zp.cParams);
	}
	if (zstd_be_prefix_mode(conf)) {
		ret = zstd_be_setup_prefix(conf, level, p);
		goto out;
	}
	p->dctx_size = zstd_dctx_workspace_bound();
	if (!conf->dict) {
		p->cctx_size = zstd_cctx_workspace_bound(&p->zp.cParams);
		goto out;
	}

	/*
	 * A page sees the whole dictionary whatever the window (zstd keeps
	 * all of it valid while the window reaches one byte of it), so a
	 * window of a page is enough; the frame then asks the decoder for
	 * no more either.
	 */
	p->zp.cParams.windowLog = max_t(unsigned int, PAGE_SHIFT,
					ZSTD_WINDOWLOG_MIN);
	/*
	 * By reference: the caller keeps the dictionary for as long as
	 * these live.  Failing here means no memory or a zstd-format
	 * dictionary that does not parse; the latter is far likelier.
	 */
	p->cdict = zram_compat_zstd_create_cdict(conf->dict, conf->dict_len,
						 p->zp.cParams, zstd_be_mem);
	p->ddict = zram_compat_zstd_create_ddict(conf->dict, conf->dict_len,
						 zstd_be_mem);
	if (!p->cdict || !p->ddict) {
		ret = -EINVAL;
		goto out;
	}
	ret = zstd_be_size_cctx(conf, p);
out:
	if (ret) {
		zstd_be_release(p);
		return ret;
	}
	*shared = p;
	return 0;
}

static void zstd_be_free_work(void *work)
{
	struct zstd_be_work *w = work;

	/* The contexts live inside the workspaces. */
	kvfree(w->cctx_mem);
	kvfree(w->dctx_mem);
	kvfree(w->scratch);
	kfree(w);
}

static int zstd_be_alloc_work(const struct zcomp *comp, void **work)
{
	const struct zstd_be_shared *p = comp->shared;
	struct zstd_be_work *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;

	w->cctx_mem = kvmalloc(p->cctx_size, GFP_KERNEL | __GFP_NOWARN);
	w->dctx_mem = kvmalloc(p->dctx_size, GFP_KERNEL | __GFP_NOWARN);
	if (!w->cctx_mem || !w->dctx_mem)
		goto err;
	if (p->prefix) {
		w->scratch = kvmalloc(max(p->prefix_len, PAGE_SIZE),
					  GFP_KERNEL | __GFP_NOWARN);
		w->cs = zstd_init_cstream(&p->zp, p->window, w->cctx_mem,
					  p->cctx_size);
		w->ds = zstd_init_dstream(1UL << p->zp.cParams.windowLog,
					  w->dctx_mem, p->dctx_size);
		if (!w->scratch || !w->cs || !w->ds)
			goto err;
	} else {
		w->cctx = zstd_init_cctx(w->cctx_mem, p->cctx_size);
		w->dctx = zstd_init_dctx(w->dctx_mem, p->dctx_size);
		if (!w->cctx || !w->dctx)
			goto err;
	}
	*work = w;
	return 0;
err:
	zstd_be_free_work(w);
	return -ENOMEM;
}

/*
 * Prefix mode: compress the dictionary into the scratch buffer (it must
 * come out as the prefix computed at set-up), then the page into @dst.
 */
static int zstd_be_compress_prefix(const struct zcomp *comp,
				   struct zstd_be_work *w,
				   const void *src, size_t src_len,
				   void *dst, size_t dst_cap)
{
	const struct zstd_be_shared *p = comp->shared;
	zstd_in_buffer in = { .src = comp->conf->dict,
			      .size = comp->conf->dict_len };
	zstd_out_buffer out = { .dst = w->scratch, .size = p->prefix_len };
	int ret;

	if (zstd_is_error(zstd_reset_cstream(w->cs, p->window)))
		return -EINVAL;
	ret = zstd_be_stream(w->cs, &in, &out, false);
	if (ret || out.pos != p->prefix_len ||
	    memcmp(w->scratch, p->prefix, p->prefix_len)) {
		/* zstd output not reproducible: the page is stored raw. */
		WARN_ONCE(1, "zstd dictionary prefix differs from set-up's\n");
		return -EINVAL;
	}

	in = (zstd_in_buffer){ .src = src, .size = src_len };
	out = (zstd_out_buffer){ .dst = dst, .size = dst_cap };
	ret = zstd_be_stream(w->cs, &in, &out, true);
	if (ret)
		return ret;
	return out.pos;
}

/*
 * Prefix mode: decode prefix then @src as one frame.  The first
 * dict_len bytes out are the dictionary again and go to the scratch
 * buffer, the rest to @dst, which must not receive more than @dst_cap.
 */
static int zstd_be_decompress_prefix(const struct zcomp *comp,
				     struct zstd_be_work *w,
				     const void *src, size_t src_len,
				     void *dst, size_t dst_cap)
{
	const struct zstd_be_shared *p = comp->shared;
	zstd_in_buffer in = { .src = p->prefix, .size = p->prefix_len };
	size_t skip = comp->conf->dict_len, done = 0, ret;
	zstd_out_buffer out;
	bool tail = false;

	if (zstd_is_error(zstd_reset_dstream(w->ds)))
		return -EINVAL;
	for (;;) {
		if (in.pos == in.size && !tail) {
			in = (zstd_in_buffer){ .src = src, .size = src_len };
			tail = true;
		}
		if (skip)
			out = (zstd_out_buffer){ .dst = w->scratch,
				.size = min_t(size_t, skip, PAGE_SIZE) };
		else
			out = (zstd_out_buffer){ .dst = dst + done,
				.size = dst_cap - done };
		ret = zstd_decompress_stream(w->ds, &out, &in);
		if (zstd_is_error(ret))
			return -EINVAL;
		if (skip)
			skip -= out.pos;
		else
			done += out.pos;
		if (!ret)
			break;
		/* Input used up and nothing came out: truncated. */
		if (tail && in.pos == in.size && !out.pos)
			return -EINVAL;
		/* The frame holds more than the page: corrupt. */
		if (!skip && done == dst_cap && out.size == 0)
			return -EINVAL;
	}
	if (skip || in.pos != in.size)
		return -EINVAL;
	return done;
}

static int zstd_be_compress(const struct zcomp *comp, void *work,
			    const void *src, size_t src_len,
			    void *dst, size_t dst_cap)
{
	const struct zstd_be_shared *p = comp->shared;
	struct zstd_be_work *w = work;
	size_t ret;

	if (p->prefix)
		return zstd_be_compress_prefix(comp, w, src, src_len, dst,
					       dst_cap);
	/* Bounded by dst_cap; the static workspace is never grown. */
	if (p->cdict)
		ret = zram_compat_zstd_compress_cdict(w->cctx, dst, dst_cap, src,
						src_len, p->cdict);
	else
		ret = zstd_compress_cctx(w->cctx, dst, dst_cap, src, src_len,
					 &p->zp);
	return zstd_is_error(ret) ? -EINVAL : ret;
}

static int zstd_be_decompress(const struct zcomp *comp, void *work,
			      const void *src, size_t src_len,
			      void *dst, size_t dst_cap)
{
	const struct zstd_be_shared *p = comp->shared;
	struct zstd_be_work *w = work;
	size_t ret;

	if (p->prefix)
		return zstd_be_decompress_prefix(comp, w, src, src_len, dst,
						 dst_cap);
	/* Never writes past dst + dst_cap; an error on corrupt input. */
	if (p->ddict)
		ret = zram_compat_zstd_decompress_ddict(w->dctx, dst, dst_cap, src,
						  src_len, p->ddict);
	else
		ret = zstd_decompress_dctx(w->dctx, dst, dst_cap, src,
					   src_len);
	return zstd_is_error(ret) ? -EINVAL : ret;
}

const struct zcomp_backend zcomp_zstd_backend = {
	.name		= "zstd",
	.prepare	= zstd_be_prepare,
	.release	= zstd_be_release,
	.alloc_work	= zstd_be_alloc_work,
	.free_work	= zstd_be_free_work,
	.compress	= zstd_be_compress,
	.decompress	= zstd_be_decompress,
};
