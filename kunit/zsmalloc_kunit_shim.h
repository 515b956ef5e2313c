/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allocation shims for the zram_zsmalloc suite.
 *
 * kunit/tu_zsmalloc.c includes this header before ../zsmalloc.c (Kbuild
 * defines ZRAM_KUNIT_ZSMALLOC_SHIM when the file exists).  Every
 * allocation and release zsmalloc.c makes goes through a counting
 * wrapper, so the suite can
 *
 *  - check exactly how many slab objects, kmalloc blocks and pages the
 *    pool holds (nothing leaks on any path, not even a failing one);
 *  - make the Nth allocation from now fail, deterministically, whatever
 *    the state of the machine (no debugfs, no probability).
 *
 * The wrappers are defined first, while the names still mean the kernel's
 * own functions or macros; only then are the names redirected to them.
 * Headers that zsmalloc.c and the suite include later are included here
 * first, so their include guards keep the redirections out of the
 * kernel's own declarations and inline functions.
 */
#ifndef _ZRAM_OOT_ZSMALLOC_KUNIT_SHIM_H
#define _ZRAM_OOT_ZSMALLOC_KUNIT_SHIM_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

/* Tells the suite that the shims are in place. */
#define ZSM_KUNIT_SHIM	1

/* Allocation kinds, for zsm_kunit_shim.fail_kinds. */
#define ZSM_KUNIT_SLAB	BIT(0)	/* kmem_cache_alloc */
#define ZSM_KUNIT_PAGE	BIT(1)	/* alloc_page */
#define ZSM_KUNIT_KMEM	BIT(2)	/* kzalloc, kstrdup, kasprintf */

struct zsm_kunit_shim_state {
	/* Live allocations made by zsmalloc.c, by kind. */
	atomic_long_t slab;
	atomic_long_t pages;
	atomic_long_t kmem;
	/*
	 * Fault injection: when fail_kinds is non-zero, allocations of those
	 * kinds are counted down in fail_after; the one that finds it at 0
	 * fails, and injection disarms itself.  injected counts failures.
	 */
	unsigned int fail_kinds;
	int fail_after;
	atomic_t injected;
	/*
	 * One-shot: the next alloc_page calls page_hook(page_hook_data)
	 * first (and disarms it), e.g. to make another allocation happen
	 * inside zsm_malloc()'s unlocked window, as another CPU would.
	 */
	void (*page_hook)(void *data);
	void *page_hook_data;
};

static struct zsm_kunit_shim_state zsm_kunit_shim;

/* True when this allocation of @kind must fail. */
static bool zsm_kunit_should_fail(unsigned int kind)
{
	if (!(READ_ONCE(zsm_kunit_shim.fail_kinds) & kind))
		return false;
	if (zsm_kunit_shim.fail_after-- > 0)
		return false;
	WRITE_ONCE(zsm_kunit_shim.fail_kinds, 0);
	atomic_inc(&zsm_kunit_shim.injected);
	return true;
}

/* Fail the allocation of a kind in @kinds that comes after @after others. */
static void __maybe_unused zsm_kunit_fail_arm(unsigned int kinds, int after)
{
	zsm_kunit_shim.fail_after = after;
	atomic_set(&zsm_kunit_shim.injected, 0);
	WRITE_ONCE(zsm_kunit_shim.fail_kinds, kinds);
}

static void __maybe_unused zsm_kunit_fail_disarm(void)
{
	WRITE_ONCE(zsm_kunit_shim.fail_kinds, 0);
}

static void *zsm_kunit_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *p;

	if (zsm_kunit_should_fail(ZSM_KUNIT_SLAB))
		return NULL;
	p = kmem_cache_alloc(s, gfp);
	if (p)
		atomic_long_inc(&zsm_kunit_shim.slab);
	return p;
}

static void zsm_kunit_cache_free(struct kmem_cache *s, void *p)
{
	if (p)
		atomic_long_dec(&zsm_kunit_shim.slab);
	kmem_cache_free(s, p);
}

static struct page *zsm_kunit_alloc_page(gfp_t gfp)
{
	void (*hook)(void *data) = zsm_kunit_shim.page_hook;
	struct page *page;

	if (hook) {
		zsm_kunit_shim.page_hook = NULL;
		hook(zsm_kunit_shim.page_hook_data);
	}
	if (zsm_kunit_should_fail(ZSM_KUNIT_PAGE))
		return NULL;
	page = alloc_page(gfp);
	if (page)
		atomic_long_inc(&zsm_kunit_shim.pages);
	return page;
}

static void zsm_kunit_free_page(struct page *page)
{
	atomic_long_dec(&zsm_kunit_shim.pages);
	__free_page(page);
}

static void *zsm_kunit_kzalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (zsm_kunit_should_fail(ZSM_KUNIT_KMEM))
		return NULL;
	p = kzalloc(size, gfp);
	if (p)
		atomic_long_inc(&zsm_kunit_shim.kmem);
	return p;
}

static char *zsm_kunit_kstrdup(const char *s, gfp_t gfp)
{
	char *p;

	if (zsm_kunit_should_fail(ZSM_KUNIT_KMEM))
		return NULL;
	p = kstrdup(s, gfp);
	if (p)
		atomic_long_inc(&zsm_kunit_shim.kmem);
	return p;
}

/* For kasprintf(): counts a block the caller got, or fails it. */
static char *zsm_kunit_kmem_got(char *p)
{
	if (p && zsm_kunit_should_fail(ZSM_KUNIT_KMEM)) {
		kfree(p);
		return NULL;
	}
	if (p)
		atomic_long_inc(&zsm_kunit_shim.kmem);
	return p;
}

static void zsm_kunit_kfree(const void *p)
{
	if (!ZERO_OR_NULL_PTR(p))
		atomic_long_dec(&zsm_kunit_shim.kmem);
	kfree(p);
}

#undef kmem_cache_alloc
#define kmem_cache_alloc(s, gfp)	zsm_kunit_cache_alloc(s, gfp)
#undef kmem_cache_free
#define kmem_cache_free(s, p)		zsm_kunit_cache_free(s, p)
#undef alloc_page
#define alloc_page(gfp)			zsm_kunit_alloc_page(gfp)
#undef __free_page
#define __free_page(page)		zsm_kunit_free_page(page)
#undef kzalloc
#define kzalloc(size, gfp)		zsm_kunit_kzalloc(size, gfp)
#undef kstrdup
#define kstrdup(s, gfp)			zsm_kunit_kstrdup(s, gfp)
#undef kasprintf
#define kasprintf(gfp, fmt, ...)	\
	zsm_kunit_kmem_got(kasprintf(gfp, fmt, ##__VA_ARGS__))
#undef kfree
#define kfree(p)			zsm_kunit_kfree(p)

#endif /* _ZRAM_OOT_ZSMALLOC_KUNIT_SHIM_H */
