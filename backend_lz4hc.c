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
	return zcomp_be_check_params(params, 1, LZ4HC_MAX_CLEVEL);
}

static int lz4hc_be_create_ctx(struct zcomp_params *params,
			       struct zcomp_ctx *ctx)
{
	return zcomp_be_alloc_workmem(ctx, LZ4HC_MEM_COMPRESS);
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

const struct zcomp_ops zcomp_lz4hc_ops = {
	.name		= "lz4hc",
	.setup_params	= lz4hc_be_setup_params,
	.release_params	= zcomp_be_release_nothing,
	.create_ctx	= lz4hc_be_create_ctx,
	.destroy_ctx	= zcomp_be_free_workmem,
	.compress	= lz4hc_be_compress,
	.decompress	= zcomp_be_lz4_decompress,
};
