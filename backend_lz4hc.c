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

static int lz4hc_be_prepare(const struct zcomp_conf *conf, void **shared)
{
	return zcomp_be_check_conf(conf, 1, LZ4HC_MAX_CLEVEL);
}

static int lz4hc_be_alloc_work(const struct zcomp *comp, void **work)
{
	return zcomp_be_alloc_work(LZ4HC_MEM_COMPRESS, work);
}

static int lz4hc_be_compress(const struct zcomp *comp, void *work,
			     const void *src, size_t src_len,
			     void *dst, size_t dst_cap)
{
	int ret;

	/* Bounded by dst_cap; 0 means it did not fit. */
	ret = LZ4_compress_HC(src, dst, src_len, dst_cap,
			      zcomp_level_or(comp->conf, LZ4HC_DEFAULT_CLEVEL),
			      work);
	return ret > 0 ? ret : -EINVAL;
}

const struct zcomp_backend zcomp_lz4hc_backend = {
	.name		= "lz4hc",
	.prepare	= lz4hc_be_prepare,
	.alloc_work	= lz4hc_be_alloc_work,
	.free_work	= zcomp_be_free_work,
	.compress	= lz4hc_be_compress,
	.decompress	= zcomp_be_lz4_decompress,
	.decompress_anywhere = true,
};
