// SPDX-License-Identifier: GPL-2.0-only
/*
 * LZO1X and its run-length variant LZO-RLE.
 *
 * Both share one decompressor (lzo1x_decompress_safe() recognises the
 * RLE stream version) and the same work memory; only the compressor
 * differs.  LZO has no levels: like the kernel's zram, a level is
 * accepted and ignored.  A dictionary is refused.
 */

#include <linux/errno.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend.h"

static int lzo_be_setup_params(struct zcomp_params *params)
{
	/* Any level: LZO has none. */
	return zcomp_be_check_params(params, 1, 0);
}

static int lzo_be_create_ctx(struct zcomp_params *params,
			     struct zcomp_ctx *ctx)
{
	return zcomp_be_alloc_workmem(ctx, LZO1X_MEM_COMPRESS);
}

typedef int (*lzo_be_compress_fn)(const unsigned char *src, size_t src_len,
				  unsigned char *dst, size_t *dst_len,
				  void *wrkmem);

/* LZO and LZO-RLE differ only in the library compressor called. */
static int lzo_be_compress_with(lzo_be_compress_fn compress,
				struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	size_t out = req->dst_len;
	int ret;

	/* The fast compressors trust the output room: make sure it is. */
	if (out < lzo1x_worst_compress(req->src_len))
		return -ENOSPC;
	ret = compress(req->src, req->src_len, req->dst, &out, ctx->context);
	if (ret != LZO_E_OK)
		return -EINVAL;
	req->dst_len = out;
	return 0;
}

static int lzo_be_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			   struct zcomp_req *req)
{
	return lzo_be_compress_with(lzo1x_1_compress, ctx, req);
}

static int lzorle_be_compress(struct zcomp_params *params,
			      struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	return lzo_be_compress_with(lzorle1x_1_compress, ctx, req);
}

static int lzo_be_decompress(struct zcomp_params *params,
			     struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	size_t out = req->dst_len;
	int ret;

	/* Bounded by @out; fails on overruns and on unused input. */
	ret = lzo1x_decompress_safe(req->src, req->src_len, req->dst, &out);
	if (ret != LZO_E_OK)
		return -EINVAL;
	req->dst_len = out;
	return 0;
}

const struct zcomp_ops zcomp_lzo_ops = {
	.name		= "lzo",
	.setup_params	= lzo_be_setup_params,
	.release_params	= zcomp_be_release_nothing,
	.create_ctx	= lzo_be_create_ctx,
	.destroy_ctx	= zcomp_be_free_workmem,
	.compress	= lzo_be_compress,
	.decompress	= lzo_be_decompress,
};

const struct zcomp_ops zcomp_lzorle_ops = {
	.name		= "lzo-rle",
	.setup_params	= lzo_be_setup_params,
	.release_params	= zcomp_be_release_nothing,
	.create_ctx	= lzo_be_create_ctx,
	.destroy_ctx	= zcomp_be_free_workmem,
	.compress	= lzorle_be_compress,
	.decompress	= lzo_be_decompress,
};
