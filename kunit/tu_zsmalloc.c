// SPDX-License-Identifier: GPL-2.0-only
/*
 * zram_kunit.ko translation unit for the zsmalloc layer: the product
 * source is compiled here unchanged, followed by its suite, so the suite
 * can call the layer's static functions and read its private structures.
 *
 * The suite may ask for allocation shims (names #defined to test
 * functions before the product source sees them) in zsmalloc_kunit_shim.h.
 */
/* zsmalloc.c's own, defined before the shim's headers set a default. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#ifdef ZRAM_KUNIT_ZSMALLOC_SHIM	/* set by Kbuild when the file exists */
#include "zsmalloc_kunit_shim.h"
#endif
#include "../zsmalloc.c"
#include "zsmalloc_kunit.c"
