// SPDX-License-Identifier: GPL-2.0-only
/*
 * zram_kunit.ko translation unit for the block device layer: zram_drv.c
 * and its zram_*.c siblings unchanged (they bring module_init/exit, the
 * "zram" block major and the zram-control class: never load zram.ko and
 * zram_kunit.ko together), then the zram_drv suite.
 */
#include "../zram_drv.c"
#include "../zram_par.c"
#include "../zram_sysfs.c"
#include "../zram_wb.c"
#include "../zram_recomp.c"
#include "../zram_tier.c"
#include "../zram_dedup.c"
#include "../zram_debugfs.c"
#include "zram_kunit.c"
