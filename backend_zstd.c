// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zstandard, single-shot frames.
 *
 * Shared state (struct zstd_be_params, built once in setup_params):
 * the compression parameters for a page at the chosen level, the size of
 * a compression workspace for them, and, when the user gave a dictionary
 * (raw content or a zstd-format dictionary), one digested compression
 * and one decompression dictionary that all CPUs read.
 *
 * Per-CPU state: one compression and one decompression context, each
 * placed in a preallocated workspace so that the hot paths never
 * allocate.
 *
 * Dictionaries use zstd_create_cdict_byreference() and friends.  Kernels
 * without them (6.1, see compat.h) get "prefix mode", built on the
 * streaming API that every kernel exports: a page is compressed as the
 * tail of one frame whose head is the dictionary, so its matches may
 * reach back into the dictionary's bytes.  The head's compressed form
 * is the same every time; setup_params() computes it once ("prefix") and
 * only the tail is stored.  Decompression replays prefix and tail
 * through a streaming context and keeps the last PAGE_SIZE bytes.  The
 * dictionary is used as raw content (a trained dictionary's entropy
 * tables are not), and every page costs a pass over the dictionary in
 * both directions, so it takes dictionaries of ZSTD_BE_PREFIX_MAX bytes
 * at most (-EFBIG beyond): that bounds the work done per page with the
 * stream held (preemption off) and the per-CPU workspaces.
 */

#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/zstd.h>

#include "backend.h"

/* Largest dictionary prefix mode takes. */
#define ZSTD_BE_PREFIX_MAX	SZ_64K

struct zstd_be_params {
	zstd_parameters zp;
	size_t cctx_size;		/* the cstream's in prefix mode */
	size_t dctx_size;		/* the dstream's in prefix mode */
	zstd_cdict *cdict;
	zstd_ddict *ddict;
	/* Prefix mode: the dictionary's compressed form, frame header first. */
	void *prefix;
	size_t prefix_len;
	size_t window;			/* dictionary plus a page */
};

struct zstd_be_ctx {
	zstd_cctx *cctx;
	zstd_dctx *dctx;
	zstd_cstream *cs;		/* prefix mode only, */
	zstd_dstream *ds;		/* in place of cctx and dctx */
	void *cctx_mem;
	void *dctx_mem;
	void *scratch;			/* prefix mode: prefix_len bytes */
};

static bool zstd_be_prefix_mode(const struct zcomp_params *params)
{
	return params->dict && !ZRAM_HAVE_ZSTD_DICT;
}

/* Dictionaries are digested in setup_params(), which may sleep. */
static void *zstd_be_alloc(void *opaque, size_t size)
{
	return kvmalloc(size, GFP_KERNEL);
}

static void zstd_be_free(void *opaque, void *address)
{
	kvfree(address);
}

static const zstd_custom_mem zstd_be_mem = {
	.customAlloc = zstd_be_alloc,
	.customFree = zstd_be_free,
};

static void zstd_be_release_params(struct zcomp_params *params)
{
	struct zstd_be_params *p = params->drv_data;

	if (!p)
		return;
	if (p->cdict)
		zstd_free_cdict(p->cdict);
	if (p->ddict)
		zstd_free_ddict(p->ddict);
	kvfree(p->prefix);
	kfree(p);
	params->drv_data = NULL;
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
static int zstd_be_setup_prefix(struct zcomp_params *params,
				struct zstd_be_params *p)
{
	zstd_in_buffer in = { .src = params->dict, .size = params->dict_sz };
	zstd_out_buffer out;
	zstd_cstream *cs;
	void *mem;
	int ret;

	if (params->dict_sz > ZSTD_BE_PREFIX_MAX) {
		zstd_be_release_params(params);
		return -EFBIG;
	}
	p->window = params->dict_sz + PAGE_SIZE;
	/* Every byte of the dictionary must stay within reach. */
	while ((1UL << p->zp.cParams.windowLog) < p->window)
		p->zp.cParams.windowLog++;
	p->cctx_size = zstd_cstream_workspace_bound(&p->zp.cParams);
	p->dctx_size = zstd_dstream_workspace_bound(1UL << p->zp.cParams.windowLog);

	out.size = zstd_compress_bound(params->dict_sz) + 64;
	out.pos = 0;
	out.dst = kvmalloc(out.size, GFP_KERNEL);
	mem = kvmalloc(p->cctx_size, GFP_KERNEL);
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
	if (ret)
		zstd_be_release_params(params);
	return ret;
}

static int zstd_be_setup_params(struct zcomp_params *params)
{
	struct zstd_be_params *p;
	int level = params->level;

	if (level == ZCOMP_PARAM_NO_LEVEL)
		level = ZSTD_CLEVEL_DEFAULT;
	/* 0 is zstd's own spelling of the default level. */
	if (level < zstd_min_clevel() || level > zstd_max_clevel())
		return -EINVAL;
	if (!params->dict != !params->dict_sz)
		return -EINVAL;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	params->drv_data = p;

	/* Tables sized for a page plus whatever the dictionary adds. */
	p->zp = zstd_get_params(level, PAGE_SIZE + params->dict_sz);
	if (zstd_be_prefix_mode(params))
		return zstd_be_setup_prefix(params, p);
	p->cctx_size = zstd_cctx_workspace_bound(&p->zp.cParams);
	p->dctx_size = zstd_dctx_workspace_bound();
	if (!params->dict)
		return 0;

	/*
	 * By reference: the caller keeps the dictionary for as long as
	 * these live.  Failing here means no memory or a zstd-format
	 * dictionary that does not parse; the latter is far likelier.
	 */
	p->cdict = zstd_create_cdict_byreference(params->dict,
						 params->dict_sz,
						 p->zp.cParams, zstd_be_mem);
	p->ddict = zstd_create_ddict_byreference(params->dict,
						 params->dict_sz, zstd_be_mem);
	if (!p->cdict || !p->ddict) {
		zstd_be_release_params(params);
		return -EINVAL;
	}
	return 0;
}

static void zstd_be_destroy_ctx(struct zcomp_ctx *ctx)
{
	struct zstd_be_ctx *c = ctx->context;

	if (!c)
		return;
	/* The contexts live inside the workspaces. */
	kvfree(c->cctx_mem);
	kvfree(c->dctx_mem);
	kvfree(c->scratch);
	kfree(c);
	ctx->context = NULL;
}

static int zstd_be_create_ctx(struct zcomp_params *params,
			      struct zcomp_ctx *ctx)
{
	struct zstd_be_params *p = params->drv_data;
	struct zstd_be_ctx *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ctx->context = c;

	c->cctx_mem = kvmalloc(p->cctx_size, GFP_KERNEL);
	c->dctx_mem = kvmalloc(p->dctx_size, GFP_KERNEL);
	if (!c->cctx_mem || !c->dctx_mem)
		goto err;
	if (p->prefix) {
		c->scratch = kvmalloc(max(p->prefix_len, PAGE_SIZE), GFP_KERNEL);
		c->cs = zstd_init_cstream(&p->zp, p->window, c->cctx_mem,
					  p->cctx_size);
		c->ds = zstd_init_dstream(1UL << p->zp.cParams.windowLog,
					  c->dctx_mem, p->dctx_size);
		if (!c->scratch || !c->cs || !c->ds)
			goto err;
		return 0;
	}
	c->cctx = zstd_init_cctx(c->cctx_mem, p->cctx_size);
	c->dctx = zstd_init_dctx(c->dctx_mem, p->dctx_size);
	if (!c->cctx || !c->dctx)
		goto err;
	return 0;
err:
	zstd_be_destroy_ctx(ctx);
	return -ENOMEM;
}

/*
 * Prefix mode: compress the dictionary into the scratch buffer (it must
 * come out as the prefix computed at set-up), then the page into dst.
 */
static int zstd_be_compress_prefix(struct zcomp_params *params,
				   struct zstd_be_ctx *c,
				   struct zcomp_req *req)
{
	struct zstd_be_params *p = params->drv_data;
	zstd_in_buffer in = { .src = params->dict, .size = params->dict_sz };
	zstd_out_buffer out = { .dst = c->scratch, .size = p->prefix_len };
	int ret;

	if (zstd_is_error(zstd_reset_cstream(c->cs, p->window)))
		return -EINVAL;
	ret = zstd_be_stream(c->cs, &in, &out, false);
	if (ret || out.pos != p->prefix_len ||
	    memcmp(c->scratch, p->prefix, p->prefix_len)) {
		/* zstd output not reproducible: the page is stored raw. */
		WARN_ONCE(1, "zstd dictionary prefix differs from set-up's\n");
		return -EINVAL;
	}

	in = (zstd_in_buffer){ .src = req->src, .size = req->src_len };
	out = (zstd_out_buffer){ .dst = req->dst, .size = req->dst_len };
	ret = zstd_be_stream(c->cs, &in, &out, true);
	if (ret)
		return ret;
	req->dst_len = out.pos;
	return 0;
}

/*
 * Prefix mode: decode prefix then @req's bytes as one frame.  The first
 * dict_sz bytes out are the dictionary again and go to the scratch
 * buffer, the rest to dst, which must receive exactly dst_len bytes.
 */
static int zstd_be_decompress_prefix(struct zcomp_params *params,
				     struct zstd_be_ctx *c,
				     struct zcomp_req *req)
{
	struct zstd_be_params *p = params->drv_data;
	zstd_in_buffer in = { .src = p->prefix, .size = p->prefix_len };
	size_t skip = params->dict_sz, done = 0, ret;
	zstd_out_buffer out;
	bool tail = false;

	if (zstd_is_error(zstd_reset_dstream(c->ds)))
		return -EINVAL;
	for (;;) {
		if (in.pos == in.size && !tail) {
			in = (zstd_in_buffer){ .src = req->src,
					       .size = req->src_len };
			tail = true;
		}
		if (skip)
			out = (zstd_out_buffer){ .dst = c->scratch,
				.size = min_t(size_t, skip, PAGE_SIZE) };
		else
			out = (zstd_out_buffer){ .dst = req->dst + done,
				.size = req->dst_len - done };
		ret = zstd_decompress_stream(c->ds, &out, &in);
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
		if (!skip && done == req->dst_len && out.size == 0)
			return -EINVAL;
	}
	if (skip || in.pos != in.size)
		return -EINVAL;
	req->dst_len = done;
	return 0;
}

static int zstd_be_compress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct zstd_be_params *p = params->drv_data;
	struct zstd_be_ctx *c = ctx->context;
	size_t ret;

	if (p->prefix)
		return zstd_be_compress_prefix(params, c, req);
	/* Bounded by dst_len; the static workspace is never grown. */
	if (p->cdict)
		ret = zstd_compress_using_cdict(c->cctx, req->dst,
						req->dst_len, req->src,
						req->src_len, p->cdict);
	else
		ret = zstd_compress_cctx(c->cctx, req->dst, req->dst_len,
					 req->src, req->src_len, &p->zp);
	if (zstd_is_error(ret))
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

static int zstd_be_decompress(struct zcomp_params *params,
			      struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct zstd_be_params *p = params->drv_data;
	struct zstd_be_ctx *c = ctx->context;
	size_t ret;

	if (p->prefix)
		return zstd_be_decompress_prefix(params, c, req);
	/* Never writes past dst + dst_len; an error on corrupt input. */
	if (p->ddict)
		ret = zstd_decompress_using_ddict(c->dctx, req->dst,
						  req->dst_len, req->src,
						  req->src_len, p->ddict);
	else
		ret = zstd_decompress_dctx(c->dctx, req->dst, req->dst_len,
					   req->src, req->src_len);
	if (zstd_is_error(ret))
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

const struct zcomp_ops zcomp_zstd_ops = {
	.name		= "zstd",
	.setup_params	= zstd_be_setup_params,
	.release_params	= zstd_be_release_params,
	.create_ctx	= zstd_be_create_ctx,
	.destroy_ctx	= zstd_be_destroy_ctx,
	.compress	= zstd_be_compress,
	.decompress	= zstd_be_decompress,
};
