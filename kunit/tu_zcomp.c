// SPDX-License-Identifier: GPL-2.0-only
/*
 * zram_kunit.ko translation unit for the zcomp layer: zcomp.c unchanged,
 * then its suite (which sees zcomp.c's statics, zcomp_lookup() among
 * them).
 *
 * Note: the kernel this is built for runs a module's suites when the
 * module is COMING, before its module_init (zram_init()) has run, so a
 * suite that needs zcomp_init() must call it in its .suite_init (and
 * zcomp_exit() in .suite_exit) unless zcomp_cpuhp_state is already set.
 */
#include "../zcomp.c"
#include "zcomp_kunit.c"
