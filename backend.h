/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compression backends known to zcomp.c.
 *
 * Each backend_*.c file defines one (backend_lzo.c: two) ops tables.
 * They are private to the zcomp layer; users go through zcomp.h.
 */
#ifndef _ZRAM_OOT_BACKEND_H
#define _ZRAM_OOT_BACKEND_H

#include "zcomp.h"

/*
 * A backend is built only when the kernel has its library (Kbuild, same
 * conditions): ZCOMP_BE_<NAME> is its ops table or NULL, and
 * ZCOMP_NEEDS_<NAME> names the options it needs, for the message that
 * refuses a write naming it.  LZ4HC shares LZ4's decompressor.
 */
#define ZCOMP_HAVE_LZO		(IS_ENABLED(CONFIG_LZO_COMPRESS) && \
				 IS_ENABLED(CONFIG_LZO_DECOMPRESS))
#define ZCOMP_HAVE_LZ4		(IS_ENABLED(CONFIG_LZ4_COMPRESS) && \
				 IS_ENABLED(CONFIG_LZ4_DECOMPRESS))
#define ZCOMP_HAVE_LZ4HC	(ZCOMP_HAVE_LZ4 && \
				 IS_ENABLED(CONFIG_LZ4HC_COMPRESS))
#define ZCOMP_HAVE_ZSTD		(IS_ENABLED(CONFIG_ZSTD_COMPRESS) && \
				 IS_ENABLED(CONFIG_ZSTD_DECOMPRESS))
#define ZCOMP_HAVE_DEFLATE	(IS_ENABLED(CONFIG_ZLIB_DEFLATE) && \
				 IS_ENABLED(CONFIG_ZLIB_INFLATE))

#define ZCOMP_NEEDS_LZO		"CONFIG_LZO_COMPRESS and CONFIG_LZO_DECOMPRESS"
#define ZCOMP_NEEDS_LZ4		"CONFIG_LZ4_COMPRESS and CONFIG_LZ4_DECOMPRESS"
#define ZCOMP_NEEDS_LZ4HC	"CONFIG_LZ4HC_COMPRESS, " ZCOMP_NEEDS_LZ4
#define ZCOMP_NEEDS_ZSTD	"CONFIG_ZSTD_COMPRESS and CONFIG_ZSTD_DECOMPRESS"
#define ZCOMP_NEEDS_DEFLATE	"CONFIG_ZLIB_DEFLATE and CONFIG_ZLIB_INFLATE"

extern const struct zcomp_ops zcomp_lzo_ops;
extern const struct zcomp_ops zcomp_lzorle_ops;
extern const struct zcomp_ops zcomp_lz4_ops;
extern const struct zcomp_ops zcomp_lz4hc_ops;
extern const struct zcomp_ops zcomp_zstd_ops;
extern const struct zcomp_ops zcomp_deflate_ops;

#define ZCOMP_BE_LZO		(ZCOMP_HAVE_LZO ? &zcomp_lzo_ops : NULL)
#define ZCOMP_BE_LZORLE		(ZCOMP_HAVE_LZO ? &zcomp_lzorle_ops : NULL)
#define ZCOMP_BE_LZ4		(ZCOMP_HAVE_LZ4 ? &zcomp_lz4_ops : NULL)
#define ZCOMP_BE_LZ4HC		(ZCOMP_HAVE_LZ4HC ? &zcomp_lz4hc_ops : NULL)
#define ZCOMP_BE_ZSTD		(ZCOMP_HAVE_ZSTD ? &zcomp_zstd_ops : NULL)
#define ZCOMP_BE_DEFLATE	(ZCOMP_HAVE_DEFLATE ? &zcomp_deflate_ops : NULL)

/*
 * Helpers for the simple backends (zcomp.c): no dictionary, a level in
 * [min, max] when one is set (min > max: any level, ignored), no shared
 * state, and per-CPU work memory of a fixed size.
 */
int zcomp_be_check_params(struct zcomp_params *params, s32 min, s32 max);
void zcomp_be_release_nothing(struct zcomp_params *params);
int zcomp_be_alloc_workmem(struct zcomp_ctx *ctx, size_t size);
void zcomp_be_free_workmem(struct zcomp_ctx *ctx);

/* LZ4 and LZ4HC write the same format: one decompressor serves both. */
int zcomp_be_lz4_decompress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req);

#endif /* _ZRAM_OOT_BACKEND_H */
