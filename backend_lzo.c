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
#include <linux/types.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend.h"

static int lzo_be_prepare(const struct zcomp_conf *conf, void **shared)
{
	/* Any level: LZO has none. */
	return zcomp_be_check_conf(conf, 1, 0);
}

static int lzo_be_alloc_work(const struct zcomp *comp, void **work)
{
	return zcomp_be_alloc_work(LZO1X_MEM_COMPRESS, work);
}

typedef int (*lzo_be_compress_fn)(const unsigned char *src, size_t src_len,
				  unsigned char *dst, size_t *dst_len,
				  void *wrkmem);

/* LZO and LZO-RLE differ only in the library compressor called. */
static int lzo_be_compress_with(lzo_be_compress_fn compress, void *work,
				const void *src, size_t src_len,
				void *dst, size_t dst_cap)
{
	size_t out = dst_cap;

	/* The fast compressors trust the output room: make sure it is. */
	if (out < lzo1x_worst_compress(src_len))
		return -ENOSPC;
	if (compress(src, src_len, dst, &out, work) != LZO_E_OK)
		return -EINVAL;
	return out;
}

static int lzo_be_compress(const struct zcomp *comp, void *work,
			   const void *src, size_t src_len,
			   void *dst, size_t dst_cap)
{
	return lzo_be_compress_with(lzo1x_1_compress, work, src, src_len,
				    dst, dst_cap);
}

static int lzorle_be_compress(const struct zcomp *comp, void *work,
			      const void *src, size_t src_len,
			      void *dst, size_t dst_cap)
{
	return lzo_be_compress_with(lzorle1x_1_compress, work, src, src_len,
				    dst, dst_cap);
}

static int lzo_be_decompress(const struct zcomp *comp, void *work,
			     const void *src, size_t src_len,
			     void *dst, size_t dst_cap)
{
	size_t out = dst_cap;

	/* Bounded by @out; fails on overruns and on unused input. */
	if (lzo1x_decompress_safe(src, src_len, dst, &out) != LZO_E_OK)
		return -EINVAL;
	return out;
}

const struct zcomp_backend zcomp_lzo_backend = {
	.name		= "lzo",
	.prepare	= lzo_be_prepare,
	.alloc_work	= lzo_be_alloc_work,
	.free_work	= zcomp_be_free_work,
	.compress	= lzo_be_compress,
	.decompress	= lzo_be_decompress,
	.decompress_anywhere = true,
};

const struct zcomp_backend zcomp_lzorle_backend = {
	.name		= "lzo-rle",
	.prepare	= lzo_be_prepare,
	.alloc_work	= lzo_be_alloc_work,
	.free_work	= zcomp_be_free_work,
	.compress	= lzorle_be_compress,
	.decompress	= lzo_be_decompress,
	.decompress_anywhere = true,
};
