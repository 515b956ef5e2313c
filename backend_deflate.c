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

struct deflate_be_work {
	struct z_stream_s def;
	struct z_stream_s inf;
};

static int deflate_be_prepare(const struct zcomp_conf *conf, void **shared)
{
	return zcomp_be_check_conf(conf, Z_DEFAULT_COMPRESSION,
				   Z_BEST_COMPRESSION);
}

static void deflate_be_free_work(void *work)
{
	struct deflate_be_work *w = work;

	/* The *End() calls only drop state kept in the workspaces. */
	kvfree(w->def.workspace);
	kvfree(w->inf.workspace);
	kfree(w);
}

static int deflate_be_alloc_work(const struct zcomp *comp, void **work)
{
	struct deflate_be_work *w;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;

	w->def.workspace =
		kvmalloc(zlib_deflate_workspacesize(-DEFLATE_BE_WBITS,
						    DEFLATE_BE_MEMLEVEL),
			 GFP_KERNEL | __GFP_NOWARN);
	w->inf.workspace = kvmalloc(zlib_inflate_workspacesize(),
				    GFP_KERNEL | __GFP_NOWARN);
	if (!w->def.workspace || !w->inf.workspace) {
		ret = -ENOMEM;
		goto err;
	}

	/* Negative window bits: raw deflate. */
	ret = zlib_deflateInit2(&w->def,
				zcomp_level_or(comp->conf,
					       Z_DEFAULT_COMPRESSION),
				Z_DEFLATED, -DEFLATE_BE_WBITS,
				DEFLATE_BE_MEMLEVEL, Z_DEFAULT_STRATEGY);
	if (ret != Z_OK) {
		ret = -EINVAL;
		goto err;
	}
	ret = zlib_inflateInit2(&w->inf, -MAX_WBITS);
	if (ret != Z_OK) {
		ret = -EINVAL;
		goto err;
	}
	*work = w;
	return 0;
err:
	deflate_be_free_work(w);
	return ret;
}

/*
 * Run @strm (reset by the caller) over all of @src into @dst in one call.
 * The stream must end exactly and, when decoding, use all the input.
 */
static int deflate_be_run(struct z_stream_s *strm, bool inflate,
			  const void *src, size_t src_len,
			  void *dst, size_t dst_cap)
{
	int ret;

	strm->next_in = src;
	strm->avail_in = src_len;
	strm->next_out = dst;
	strm->avail_out = dst_cap;
	/* Bounded by avail_out; anything but a clean end is an error. */
	ret = inflate ? zlib_inflate(strm, Z_FINISH) :
			zlib_deflate(strm, Z_FINISH);
	if (ret != Z_STREAM_END || strm->avail_in)
		return -EINVAL;
	return strm->total_out;
}

static int deflate_be_compress(const struct zcomp *comp, void *work,
			       const void *src, size_t src_len,
			       void *dst, size_t dst_cap)
{
	struct z_stream_s *strm = &((struct deflate_be_work *)work)->def;

	if (zlib_deflateReset(strm) != Z_OK)
		return -EINVAL;
	return deflate_be_run(strm, false, src, src_len, dst, dst_cap);
}

static int deflate_be_decompress(const struct zcomp *comp, void *work,
				 const void *src, size_t src_len,
				 void *dst, size_t dst_cap)
{
	struct z_stream_s *strm = &((struct deflate_be_work *)work)->inf;

	if (zlib_inflateReset(strm) != Z_OK)
		return -EINVAL;
	return deflate_be_run(strm, true, src, src_len, dst, dst_cap);
}

const struct zcomp_backend zcomp_deflate_backend = {
	.name		= "deflate",
	.prepare	= deflate_be_prepare,
	.alloc_work	= deflate_be_alloc_work,
	.free_work	= deflate_be_free_work,
	.compress	= deflate_be_compress,
	.decompress	= deflate_be_decompress,
};
