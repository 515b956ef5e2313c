// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw deflate (RFC 1951, no zlib header or checksum),
 * the format of the kernel's "deflate" crypto algorithm.
 *
 * Levels 0..9 (-1 and no level: zlib's default).  No dictionary.  A page
 * is 4 KiB, so a window of 2^DEFLATE_BE_WBITS bytes covers all of it and
 * the decoder's full window accepts any raw deflate stream.  Each CPU
 * keeps a deflate and an inflate stream, reset before every use.
 */

#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/zlib.h>

#include "backend.h"

#define DEFLATE_BE_WBITS	12	/* one page */
/*
 * 2^(6 + 7) hash heads: as good as zlib's default 2^15 on one page, and
 * a quarter of the memory that every reset clears.
 */
#define DEFLATE_BE_MEMLEVEL	6

struct deflate_be_ctx {
	struct z_stream_s def;
	struct z_stream_s inf;
};

static int deflate_be_level(const struct zcomp_params *params)
{
	if (params->level == ZCOMP_PARAM_NO_LEVEL)
		return Z_DEFAULT_COMPRESSION;
	return params->level;
}

static int deflate_be_setup_params(struct zcomp_params *params)
{
	return zcomp_be_check_params(params, Z_DEFAULT_COMPRESSION,
				     Z_BEST_COMPRESSION);
}

static void deflate_be_destroy_ctx(struct zcomp_ctx *ctx)
{
	struct deflate_be_ctx *zctx = ctx->context;

	if (!zctx)
		return;
	/* The *End() calls only drop state kept in the workspaces. */
	kvfree(zctx->def.workspace);
	kvfree(zctx->inf.workspace);
	kfree(zctx);
	ctx->context = NULL;
}

static int deflate_be_create_ctx(struct zcomp_params *params,
				 struct zcomp_ctx *ctx)
{
	struct deflate_be_ctx *zctx;
	int ret;

	zctx = kzalloc(sizeof(*zctx), GFP_KERNEL);
	if (!zctx)
		return -ENOMEM;
	ctx->context = zctx;

	zctx->def.workspace =
		kvmalloc(zlib_deflate_workspacesize(-DEFLATE_BE_WBITS,
						    DEFLATE_BE_MEMLEVEL),
			 GFP_KERNEL);
	zctx->inf.workspace = kvmalloc(zlib_inflate_workspacesize(),
				       GFP_KERNEL);
	if (!zctx->def.workspace || !zctx->inf.workspace) {
		ret = -ENOMEM;
		goto err;
	}

	/* Negative window bits: raw deflate. */
	ret = zlib_deflateInit2(&zctx->def, deflate_be_level(params),
				Z_DEFLATED, -DEFLATE_BE_WBITS,
				DEFLATE_BE_MEMLEVEL, Z_DEFAULT_STRATEGY);
	if (ret != Z_OK) {
		ret = -EINVAL;
		goto err;
	}
	ret = zlib_inflateInit2(&zctx->inf, -MAX_WBITS);
	if (ret != Z_OK) {
		ret = -EINVAL;
		goto err;
	}
	return 0;
err:
	deflate_be_destroy_ctx(ctx);
	return ret;
}

static int deflate_be_compress(struct zcomp_params *params,
			       struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct z_stream_s *strm = &((struct deflate_be_ctx *)ctx->context)->def;
	int ret;

	if (zlib_deflateReset(strm) != Z_OK)
		return -EINVAL;
	strm->next_in = req->src;
	strm->avail_in = req->src_len;
	strm->next_out = req->dst;
	strm->avail_out = req->dst_len;

	/* One call: all input, and the output must fit. */
	ret = zlib_deflate(strm, Z_FINISH);
	if (ret != Z_STREAM_END)
		return -EINVAL;
	req->dst_len = strm->total_out;
	return 0;
}

static int deflate_be_decompress(struct zcomp_params *params,
				 struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct z_stream_s *strm = &((struct deflate_be_ctx *)ctx->context)->inf;
	int ret;

	if (zlib_inflateReset(strm) != Z_OK)
		return -EINVAL;
	strm->next_in = req->src;
	strm->avail_in = req->src_len;
	strm->next_out = req->dst;
	strm->avail_out = req->dst_len;

	/*
	 * Bounded by avail_out.  The stream must end exactly and use all
	 * the input: anything else is corruption.
	 */
	ret = zlib_inflate(strm, Z_FINISH);
	if (ret != Z_STREAM_END || strm->avail_in)
		return -EINVAL;
	req->dst_len = strm->total_out;
	return 0;
}

const struct zcomp_ops zcomp_deflate_ops = {
	.name		= "deflate",
	.setup_params	= deflate_be_setup_params,
	.release_params	= zcomp_be_release_nothing,
	.create_ctx	= deflate_be_create_ctx,
	.destroy_ctx	= deflate_be_destroy_ctx,
	.compress	= deflate_be_compress,
	.decompress	= deflate_be_decompress,
};
