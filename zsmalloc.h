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
 * the object to another zspage or the kernel migrates a page of its
 * zspage: pool pages are movable (memory compaction and offlining move
 * them; zsm_pages_migrated() counts the moves).
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
#define ZSM_MAX_PAGES_PER_ZSPAGE	16

/**
 * zsm_create_pool() - create an empty pool
 * @name: names the pool's shrinker and debugfs directory; copied
 *
 * May sleep.
 *
 * Return: the pool, or NULL when @name is NULL or memory ran out.
 */
struct zsm_pool *zsm_create_pool(const char *name);

/**
 * zsm_destroy_pool() - free a pool and every object still in it
 * @pool: the pool, or NULL (then nothing happens)
 *
 * May sleep.  Nothing else may use @pool any more.
 */
void zsm_destroy_pool(struct zsm_pool *pool);

/**
 * zsm_malloc() - allocate an object
 * @pool: the pool
 * @size: object size in bytes, 1..PAGE_SIZE
 * @gfp: allocation flags for any memory the pool needs; the pool adds
 *	__GFP_HIGHMEM and __GFP_MOVABLE for its pages itself and masks them
 *	off for everything else
 * @handle: where the object's handle is stored on success
 *
 * Return: 0, -EINVAL for a size of 0 or above PAGE_SIZE, -ENOMEM when no
 * memory could be had with @gfp.
 */
int zsm_malloc(struct zsm_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle);

/**
 * zsm_free() - free an object
 * @pool: the pool
 * @handle: the object's handle, or 0 (then nothing happens)
 */
void zsm_free(struct zsm_pool *pool, unsigned long handle);

/**
 * zsm_huge_class_size() - smallest size that saves nothing
 * @pool: the pool
 *
 * Objects of at least this size get a class that stores one object per
 * page, so they save nothing over an uncompressed page: callers treat
 * anything this big as incompressible ("huge").
 *
 * Return: that size in bytes.
 */
size_t zsm_huge_class_size(struct zsm_pool *pool);

/**
 * zsm_slot_size() - pool memory an object of some size occupies
 * @pool: the pool
 * @size: object size, 1..PAGE_SIZE
 *
 * Two sizes with the same slot size cost the same memory.
 *
 * Return: the slot size, in bytes, of the class that would hold it.
 */
size_t zsm_slot_size(struct zsm_pool *pool, size_t size);

/**
 * zsm_read_begin() - map an object for reading
 * @pool: the pool
 * @handle: the object's handle
 * @local_copy: PAGE_SIZE bytes of the caller's, used when the object
 *	straddles two pages
 *
 * Must be paired with zsm_read_end() with the same @pool and @handle and
 * the pointer returned; nothing between the two may sleep or call another
 * function of the pool (the object's zspage is read-locked, and the
 * pool's compaction and migration take a class lock before a zspage's).
 *
 * Return: a pointer to the object's bytes: either the object in place,
 * or @local_copy filled with them.
 */
const void *zsm_read_begin(struct zsm_pool *pool, unsigned long handle,
			   void *local_copy);

/**
 * zsm_read_end() - end the access zsm_read_begin() started
 * @pool: the pool
 * @handle: the object's handle
 * @mem: what zsm_read_begin() returned
 */
void zsm_read_end(struct zsm_pool *pool, unsigned long handle,
		  const void *mem);

/**
 * zsm_write() - copy bytes into an object
 * @pool: the pool
 * @handle: the object's handle
 * @src: the bytes
 * @len: their number, at most the object's allocated size
 */
void zsm_write(struct zsm_pool *pool, unsigned long handle,
	       const void *src, size_t len);

/**
 * zsm_get_total_pages() - pages the pool holds
 * @pool: the pool
 *
 * Return: the number of pages, payload plus fragmentation.
 */
unsigned long zsm_get_total_pages(struct zsm_pool *pool);

/**
 * zsm_compact() - release zspages by moving objects together
 * @pool: the pool
 *
 * Moves objects out of sparsely used zspages so that whole zspages can
 * be released.  May sleep.
 *
 * Return: the number of pages freed by this call.
 */
unsigned long zsm_compact(struct zsm_pool *pool);

/**
 * zsm_pages_compacted() - pages compaction has freed
 * @pool: the pool
 *
 * Return: pages freed by compaction (explicit and shrinker) since the
 * pool was created.
 */
unsigned long zsm_pages_compacted(struct zsm_pool *pool);

/**
 * zsm_pages_migrated() - pool pages the kernel's migration has moved
 * @pool: the pool
 *
 * Return: pages moved (memory compaction, offlining) since the pool was
 * created.
 */
unsigned long zsm_pages_migrated(struct zsm_pool *pool);

#endif /* _ZRAM_OOT_ZSMALLOC_H */
