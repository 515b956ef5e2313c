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
 * allocate.  Dictionaries need zstd_create_cdict_byreference() and
 * friends; on kernels without them (see compat.h) a dictionary is
 * refused with -EOPNOTSUPP.
 */

#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/zstd.h>

#include "backend.h"

struct zstd_be_params {
	zstd_parameters zp;
	size_t cctx_size;
	zstd_cdict *cdict;
	zstd_ddict *ddict;
};

struct zstd_be_ctx {
	zstd_cctx *cctx;
	zstd_dctx *dctx;
	void *cctx_mem;
	void *dctx_mem;
};

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
	kfree(p);
	params->drv_data = NULL;
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
	if (params->dict && !ZRAM_HAVE_ZSTD_DICT)
		return -EOPNOTSUPP;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	params->drv_data = p;

	/* Tables sized for a page plus whatever the dictionary adds. */
	p->zp = zstd_get_params(level, PAGE_SIZE + params->dict_sz);
	p->cctx_size = zstd_cctx_workspace_bound(&p->zp.cParams);
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
	kfree(c);
	ctx->context = NULL;
}

static int zstd_be_create_ctx(struct zcomp_params *params,
			      struct zcomp_ctx *ctx)
{
	struct zstd_be_params *p = params->drv_data;
	size_t dctx_size = zstd_dctx_workspace_bound();
	struct zstd_be_ctx *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ctx->context = c;

	c->cctx_mem = kvmalloc(p->cctx_size, GFP_KERNEL);
	c->dctx_mem = kvmalloc(dctx_size, GFP_KERNEL);
	if (!c->cctx_mem || !c->dctx_mem)
		goto err;
	c->cctx = zstd_init_cctx(c->cctx_mem, p->cctx_size);
	c->dctx = zstd_init_dctx(c->dctx_mem, dctx_size);
	if (!c->cctx || !c->dctx)
		goto err;
	return 0;
err:
	zstd_be_destroy_ctx(ctx);
	return -ENOMEM;
}

static int zstd_be_compress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct zstd_be_params *p = params->drv_data;
	struct zstd_be_ctx *c = ctx->context;
	size_t ret;

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
