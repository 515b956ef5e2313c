// SPDX-License-Identifier: GPL-2.0-only
/*
 * zram_kunit.ko translation unit for the compression backends: every
 * backend_*.c unchanged, in one unit.  Their backend tables are global and
 * used by zcomp.c (tu_zcomp.c); their suites live in zcomp_kunit.c,
 * which reaches them through zcomp_lookup() and struct zcomp_backend.
 */
#include "../backend_lzo.c"
#include "../backend_lz4.c"
#include "../backend_lz4hc.c"
#include "../backend_zstd.c"
#include "../backend_deflate.c"
