// SPDX-License-Identifier: GPL-2.0-only
/*
 * LZ4, fast mode.
 *
 * The level is LZ4's acceleration factor: 1 (the default) compresses
 * best, larger values trade ratio for speed.  No dictionary.
 */

#include <linux/errno.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend.h"

/* Upstream LZ4 clamps larger factors to this. */
#define LZ4_BE_ACCELERATION_MAX	65537

static int lz4_be_acceleration(const struct zcomp_params *params)
{
	if (params->level == ZCOMP_PARAM_NO_LEVEL)
		return LZ4_ACCELERATION_DEFAULT;
	return params->level;
}

static int lz4_be_setup_params(struct zcomp_params *params)
{
	return zcomp_be_check_params(params, 1, LZ4_BE_ACCELERATION_MAX);
}

static int lz4_be_create_ctx(struct zcomp_params *params,
			     struct zcomp_ctx *ctx)
{
	return zcomp_be_alloc_workmem(ctx, LZ4_MEM_COMPRESS);
}

static int lz4_be_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			   struct zcomp_req *req)
{
	int ret;

	/* Bounded by dst_len; 0 means it did not fit. */
	ret = LZ4_compress_fast(req->src, req->dst, req->src_len,
				req->dst_len, lz4_be_acceleration(params),
				ctx->context);
	if (ret <= 0)
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

int zcomp_be_lz4_decompress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	int ret;

	/* Never writes past dst + dst_len; negative on corrupt input. */
	ret = LZ4_decompress_safe(req->src, req->dst, req->src_len,
				  req->dst_len);
	if (ret < 0)
		return -EINVAL;
	req->dst_len = ret;
	return 0;
}

const struct zcomp_ops zcomp_lz4_ops = {
	.name		= "lz4",
	.setup_params	= lz4_be_setup_params,
	.release_params	= zcomp_be_release_nothing,
	.create_ctx	= lz4_be_create_ctx,
	.destroy_ctx	= zcomp_be_free_workmem,
	.compress	= lz4_be_compress,
	.decompress	= zcomp_be_lz4_decompress,
};
