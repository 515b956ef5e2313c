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

#endif /* _ZRAM_OOT_BACKEND_H */
