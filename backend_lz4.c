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

static int lz4_be_prepare(const struct zcomp_conf *conf, void **shared)
{
	return zcomp_be_check_conf(conf, 1, LZ4_BE_ACCELERATION_MAX);
}

static int lz4_be_alloc_work(const struct zcomp *comp, void **work)
{
	return zcomp_be_alloc_work(LZ4_MEM_COMPRESS, work);
}

static int lz4_be_compress(const struct zcomp *comp, void *work,
			   const void *src, size_t src_len,
			   void *dst, size_t dst_cap)
{
	int ret;

	/* Bounded by dst_cap; 0 means it did not fit. */
	ret = LZ4_compress_fast(src, dst, src_len, dst_cap,
				zcomp_level_or(comp->conf,
					       LZ4_ACCELERATION_DEFAULT),
				work);
	return ret > 0 ? ret : -EINVAL;
}

int zcomp_be_lz4_decompress(const struct zcomp *comp, void *work,
			    const void *src, size_t src_len,
			    void *dst, size_t dst_cap)
{
	int ret;

	/* Never writes past dst + dst_cap; negative on corrupt input. */
	ret = LZ4_decompress_safe(src, dst, src_len, dst_cap);
	return ret >= 0 ? ret : -EINVAL;
}

const struct zcomp_backend zcomp_lz4_backend = {
	.name		= "lz4",
	.prepare	= lz4_be_prepare,
	.alloc_work	= lz4_be_alloc_work,
	.free_work	= zcomp_be_free_work,
	.compress	= lz4_be_compress,
	.decompress	= zcomp_be_lz4_decompress,
	.decompress_anywhere = true,
};
