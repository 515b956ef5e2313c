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

extern const struct zcomp_ops zcomp_lzo_ops;
extern const struct zcomp_ops zcomp_lzorle_ops;
extern const struct zcomp_ops zcomp_lz4_ops;
extern const struct zcomp_ops zcomp_lz4hc_ops;
extern const struct zcomp_ops zcomp_zstd_ops;
extern const struct zcomp_ops zcomp_deflate_ops;

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
