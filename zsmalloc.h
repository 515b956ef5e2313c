/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Size-class object pool for compressed pages.
 *
 * The pool hands out opaque handles to objects of 1..PAGE_SIZE bytes.
 * Objects are packed into "zspages": groups of 1..ZSM_MAX_PAGES_PER_ZSPAGE
 * order-0 pages chained together, each group serving a single size class.
 * An object may straddle the boundary between two pages of its zspage, so
 * its bytes are only reachable through zsm_read_begin()/zsm_write().
 *
 * Handles stay valid while the object lives, even when compaction moves
 * the object to another zspage.
 *
 * Concurrency: every function may be called concurrently with every
 * other one on the same pool, except zsm_destroy_pool().  Calls on one
 * handle must not race with zsm_free() of that handle (the caller owns
 * the handle and serialises on it).  zsm_read_begin() .. zsm_read_end()
 * is an atomic section: the caller must not sleep inside it.
 */
#ifndef _ZRAM_OOT_ZSMALLOC_H
#define _ZRAM_OOT_ZSMALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>

struct zsm_pool;

/* Largest number of pages one zspage may chain. */
#define ZSM_MAX_PAGES_PER_ZSPAGE	8

struct zsm_pool *zsm_create_pool(const char *name);
void zsm_destroy_pool(struct zsm_pool *pool);

/*
 * Allocate an object of @size bytes.  Returns 0 and stores the handle in
 * *@handle, -EINVAL for a size of 0 or above PAGE_SIZE, -ENOMEM when no
 * memory could be had with @gfp.  @gfp must not include __GFP_HIGHMEM
 * or __GFP_MOVABLE (they are masked off).
 */
int zsm_malloc(struct zsm_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle);
void zsm_free(struct zsm_pool *pool, unsigned long handle);

/*
 * Objects of at least this size get a class that stores one object per
 * page, so they save nothing over an uncompressed page: callers treat
 * anything this big as incompressible ("huge").
 */
size_t zsm_huge_class_size(struct zsm_pool *pool);

/*
 * Bytes of pool memory an object of @size (1..PAGE_SIZE) occupies: the
 * slot size of the class that would hold it.  Two sizes with the same
 * slot size cost the same memory.
 */
size_t zsm_slot_size(struct zsm_pool *pool, size_t size);

/*
 * Map an object for reading.  Returns a pointer to its bytes: either the
 * object in place, or @local_copy (PAGE_SIZE bytes supplied by the
 * caller) filled with them when the object straddles two pages.  Must be
 * paired with zsm_read_end() with the same arguments and the pointer
 * returned; nothing between the two may sleep.
 */
const void *zsm_read_begin(struct zsm_pool *pool, unsigned long handle,
			   void *local_copy);
void zsm_read_end(struct zsm_pool *pool, unsigned long handle,
		  const void *mem);

/* Copy @len bytes (at most the allocated size) into the object. */
void zsm_write(struct zsm_pool *pool, unsigned long handle,
	       const void *src, size_t len);

/* Pages the pool currently holds (payload plus fragmentation). */
unsigned long zsm_get_total_pages(struct zsm_pool *pool);

/*
 * Move objects out of sparsely used zspages so that whole zspages can be
 * released.  Returns the number of pages freed by this call.
 */
unsigned long zsm_compact(struct zsm_pool *pool);

/* Pages freed by compaction (explicit and shrinker) since creation. */
unsigned long zsm_pages_compacted(struct zsm_pool *pool);

#endif /* _ZRAM_OOT_ZSMALLOC_H */
