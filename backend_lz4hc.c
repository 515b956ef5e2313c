// SPDX-License-Identifier: GPL-2.0-only
/*
 * LZ4 high-compression mode.
 *
 * Same bit stream as "lz4" (same decompressor), slower and tighter
 * compressor.  Levels 1..LZ4HC_MAX_CLEVEL, default LZ4HC_DEFAULT_CLEVEL.
 * No dictionary.
 */

#include <linux/errno.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend.h"

static int lz4hc_be_level(const struct zcomp_params *params)
{
	if (params->level == ZCOMP_PARAM_NO_LEVEL)
		return LZ4HC_DEFAULT_CLEVEL;
	return params->level;
}

static int lz4hc_be_setup_params(struct zcomp_params *params)
{
	if (params->dict || params->dict_sz)
		return -EINVAL;
	if (params->level != ZCOMP_PARAM_NO_LEVEL &&
	    (params->level < 1 || params->level > LZ4HC_MAX_CLEVEL))
		return -EINVAL;
	return 0;
}

static void lz4hc_be_release_params(struct zcomp_params *params)
{
}

static int lz4hc_be_create_ctx(struct zcomp_params *params,
			       struct zcomp_ctx *ctx)
{
	ctx->context = kvmalloc(LZ4HC_MEM_COMPRESS, GFP_KERNEL);
	return ctx->context ? 0 : -ENOMEM;
}

static void lz4hc_be_destroy_ctx(struct zcomp_ctx *ctx)
{
	kvfree(ctx->context);
	ctx->context = NULL;
}

static int lz4hc_be_compress(struct zcomp_params *params,
			     struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	int ret;

	/* Bounded by dst_len; 0 means it did not fit. */
	ret = LZ4_compress_HC(req->src, req->dst, req->src_len, req->dst_len,
			      lz4hc_be_level(params), ctx->context);
	if (ret <= 0)
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

static int lz4hc_be_decompress(struct zcomp_params *params,
			       struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	int ret;

	ret = LZ4_decompress_safe(req->src, req->dst, req->src_len,
				  req->dst_len);
	if (ret < 0)
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

const struct zcomp_ops zcomp_lz4hc_ops = {
	.name		= "lz4hc",
	.setup_params	= lz4hc_be_setup_params,
	.release_params	= lz4hc_be_release_params,
	.create_ctx	= lz4hc_be_create_ctx,
	.destroy_ctx	= lz4hc_be_destroy_ctx,
	.compress	= lz4hc_be_compress,
	.decompress	= lz4hc_be_decompress,
};
