// SPDX-License-Identifier: GPL-2.0-only
/*
 * Size-class object pool for compressed pages (interface: zsmalloc.h).
 *
 * Layout
 * ------
 * Objects live in "slots" of a fixed size per class.  A class owns
 * zspages: 1..ZSM_MAX_PAGES_PER_ZSPAGE order-0 pages treated as one
 * linear byte range of ppz * PAGE_SIZE bytes cut into objs slots, so a
 * slot may cross from one page into the next.  Every zspage has a small
 * descriptor (struct zsm_zspage, from a slab cache) that lists its pages;
 * every page's ->private points back at the descriptor.
 *
 * Slot header
 * -----------
 * In classes with more than one slot per zspage, the first word of every
 * slot is a header: for a live object it holds the handle (a slab pointer,
 * so bit 0 is clear), for a free slot the index of the next free slot,
 * shifted left once with bit 0 set.  The caller's bytes follow the header.
 * Slot sizes are multiples of 16, so a header never crosses a page.
 * Classes with one slot per zspage (the "huge" class that stores whole
 * pages) have no header: the descriptor keeps the handle instead.
 * Slots of a fresh zspage are handed out in order (->fresh counts them)
 * before the free list is used, so a new zspage needs no initialising.
 *
 * Pages on demand
 * ---------------
 * A zspage starts with its first page only and gains the next one when
 * the next fresh slot reaches into it (->npages counts them: pages[] is
 * filled from index 0 up, never with holes; a slot is at most a page, so
 * one slot needs at most one more).  Every slot in use lies below ->fresh
 * and so in pages the zspage has.  zsm_malloc() gets the page as it gets
 * a zspage, with the class lock dropped (and looks again after), and
 * compaction without sleeping.  The zspage a class is filling thus
 * holds the pages its objects use, not ppz of them: at the end of a
 * stream of writes each class keeps less than a page unused instead of
 * half a zspage on average, and zspages may chain more pages (up to
 * ZSM_MAX_PAGES_PER_ZSPAGE) to waste less at their ends and to store
 * more sizes compressed instead of whole.
 *
 * Handles
 * -------
 * A handle is the address of a word from a slab cache.  The word encodes
 * the object's location: the zspage's id (its index in the class's
 * xarray), the class index and the slot index.  Compaction moves an
 * object by copying it and rewriting that word; the handle itself never
 * changes.  The word names no page, so migrating a page of a zspage
 * (below) changes no handle word.
 *
 * Lists
 * -----
 * Each class keeps its zspages on ZSM_NR_PARTIAL + 1 lists bucketed by
 * fullness (the last one holds full zspages).  Allocation takes a slot
 * from the fullest non-full zspage; compaction empties the emptiest one.
 * A zspage whose last object is freed is released at once.
 *
 * Movable pages
 * -------------
 * Pool pages are allocated movable (__GFP_MOVABLE | __GFP_HIGHMEM) and
 * registered with the kernel's migration (struct movable_operations): a
 * page's ->private names its zspage, and zsm_migrate_page() copies the
 * page and swaps it into zspage->pages[].  Memory compaction and memory
 * offlining can so move a pool page, and ZONE_MOVABLE can hold the pool.
 * Releasing a zspage clears its pages' movable mark under the page lock
 * (the migration core isolates and migrates only locked, marked pages);
 * when a page lock is busy, the zspage is released later by a work item.
 *
 * Locking (outermost first)
 * -------------------------
 *   1. class->lock (spinlock)
 *        the class's lists and counters, each zspage's free list, slot
 *        headers, handle words of objects being allocated, freed or
 *        moved, and the pages[] and npages of its zspages (migration
 *        takes it; a listed zspage grows under it).
 *        Holding it keeps every object of the class in place.
 *   2. zspage->lock (rwlock, one per zspage)
 *        read:  zsm_read_begin() .. zsm_read_end() and zsm_write(): pins
 *               the objects of one zspage and its pages;
 *        write: compaction while it moves objects out of that zspage,
 *               migration while it replaces one of its pages, and the
 *               release of the zspage.
 *   (page lock) taken with trylock only under 1./2. (zspage release);
 *        the migration core holds it around zsm_migrate_page().
 *   (xarray lock) class->ids, inside 1. or alone.
 *   pool->defer_lock (spinlock): the list of zspages waiting for release.
 *   (global) zsm_global_mutex: slab caches and debugfs root, taken only in
 *        zsm_create_pool()/zsm_destroy_pool(), never with 1. or 2. held.
 *
 * A reader finds its zspage without any pool-wide lock: it reads the
 * handle word, looks the id up in the class's xarray under RCU (zspage
 * descriptors come from a SLAB_TYPESAFE_BY_RCU cache, so the memory stays
 * a descriptor), read-locks that zspage and checks that the zspage still
 * carries that id and the handle still names it; otherwise it retries.
 * So compaction or migration of one zspage never stalls I/O on another.
 * zsm_malloc() and zsm_free() take 1. only (zsm_free() learns the class
 * from the handle word, which a move never changes).  Nothing sleeps
 * with 1. or 2. held, and nothing allocates memory there but compaction
 * (a GFP_NOWAIT page for a destination that grows), so callers may use
 * every function except zsm_create_pool(), zsm_destroy_pool() and
 * zsm_compact() under their own spinlocks, bit locks or per-CPU local
 * locks (zsm_malloc() then with a non-blocking gfp).  Compaction holds
 * 1. and 2. only while it empties a single zspage (at most
 * ZSM_MAX_PAGES_PER_ZSPAGE pages of copying); migration while it copies
 * one page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "zsmalloc.h"

/* Smallest slot: header word plus a little payload. */
#define ZSM_MIN_SLOT		32U
/* Slot sizes grow in these steps (16 bytes with 4K pages). */
#define ZSM_SLOT_STEP		(PAGE_SIZE >> 8 < 16 ? 16U : \
				 (unsigned int)(PAGE_SIZE >> 8))
#define ZSM_NR_SLOT_SIZES	((unsigned int)((PAGE_SIZE - ZSM_MIN_SLOT) / \
						ZSM_SLOT_STEP + 1))
#define ZSM_HDR_SIZE		((unsigned int)sizeof(unsigned long))
#define ZSM_ZSPAGE_BYTES	(ZSM_MAX_PAGES_PER_ZSPAGE * PAGE_SIZE)
#define ZSM_MAX_OBJS		((unsigned int)(ZSM_ZSPAGE_BYTES / ZSM_MIN_SLOT))

/*
 * Handle word: slot index in the low ZSM_IDX_BITS, class index in the
 * next ZSM_CLASS_BITS, zspage id above them.
 */
#define ZSM_IDX_BITS		(ilog2(ZSM_MAX_OBJS) + 1)
#define ZSM_IDX_MASK		((1UL << ZSM_IDX_BITS) - 1)
#define ZSM_CLASS_BITS		8
#define ZSM_CLASS_SHIFT		ZSM_IDX_BITS
#define ZSM_ID_SHIFT		(ZSM_IDX_BITS + ZSM_CLASS_BITS)

/* End of a zspage's free list. */
#define ZSM_NO_SLOT		((unsigned int)ZSM_IDX_MASK)

/* Partial-fullness buckets; bucket ZSM_NR_PARTIAL holds full zspages. */
#define ZSM_NR_PARTIAL		8
#define ZSM_FULL		ZSM_NR_PARTIAL
#define ZSM_NR_LISTS		(ZSM_NR_PARTIAL + 1)
#define ZSM_UNLISTED		0xff

struct zsm_class {
	spinlock_t lock;		/* lists, counters, slot headers */
	struct list_head lists[ZSM_NR_LISTS];
	struct xarray ids;		/* zspage id -> descriptor */
	struct zsm_pool *pool;
	unsigned int index;		/* in pool->classes[] */
	unsigned long inuse;		/* live objects */
	unsigned long zspages;		/* zspages owned */
	unsigned long pages;		/* pages those zspages hold */
	unsigned int size;		/* slot size, header included */
	unsigned int hdr;		/* header bytes: 0 or ZSM_HDR_SIZE */
	unsigned int ppz;		/* pages per zspage */
	unsigned int objs;		/* slots per zspage */
} ____cacheline_aligned_in_smp;

/*
 * Everything but ->lock is set at allocation; ->lock is initialised once
 * by the slab constructor (the caches are SLAB_TYPESAFE_BY_RCU: a reader
 * may lock a descriptor that was released meanwhile, see "Locking").
 * Descriptors of one-page zspages (most are the huge class's, one per
 * incompressible page) come from a cache sized for pages[1], the others
 * from one sized for pages[ZSM_MAX_PAGES_PER_ZSPAGE].
 */
struct zsm_zspage {
	struct list_head node;		/* class->lists[] or pool->deferred */
	struct zsm_class *class;
	unsigned long huge_handle;	/* handle of the object, hdr == 0 */
	u32 id;				/* in class->ids; 0 once released */
	u16 movable;			/* bit i: pages[i] marked movable */
	u8 npages;			/* pages[0..npages - 1] are there */
	unsigned int inuse;		/* live objects */
	unsigned int fresh;		/* slots ever handed out */
	unsigned int free_head;		/* first free slot below ->fresh */
	unsigned int bucket;		/* list index or ZSM_UNLISTED */
	rwlock_t lock;			/* pins objects and pages; "Locking" */
	struct page *pages[];		/* class->ppz of them */
};

struct zsm_pool {
	atomic_long_t pages;		/* pages held by all zspages */
	atomic_long_t compacted;	/* pages freed by compaction */
	atomic_long_t migrated;		/* pages moved by zsm_migrate_page() */
	atomic_long_t alloc_raced;	/* zsm_malloc()s that made too much */
	spinlock_t defer_lock;		/* ->deferred */
	struct list_head deferred;	/* empty zspages waiting for page locks */
	struct delayed_work release_work;
	unsigned int nr_classes;
	size_t huge_size;
	struct shrinker *shrinker;
	struct dentry *debug_dir;
	const char *name;
	/* Class serving each slot size MIN + i * STEP (merged ones repeat). */
	struct zsm_class *slot_class[ZSM_NR_SLOT_SIZES];
	/* Distinct classes by ascending size. */
	struct zsm_class *classes[ZSM_NR_SLOT_SIZES];
};

/* Shared by every pool: created with the first, destroyed with the last. */
static DEFINE_MUTEX(zsm_global_mutex);
static unsigned int zsm_nr_pools;
static struct kmem_cache *zsm_handle_cache;
/* [0]: descriptors with room for one page, [1]: for the most. */
static struct kmem_cache *zsm_zspage_cache[2];
static struct dentry *zsm_debug_root;

static struct kmem_cache *zsm_zspage_cache_of(const struct zsm_class *class)
{
	return zsm_zspage_cache[class->ppz > 1];
}

/* ---- location encoding ---- */

static unsigned long zsm_encode(const struct zsm_zspage *zspage,
				unsigned int idx)
{
	return ((unsigned long)zspage->id << ZSM_ID_SHIFT) |
	       ((unsigned long)zspage->class->index << ZSM_CLASS_SHIFT) | idx;
}

static unsigned int zsm_word_idx(unsigned long word)
{
	return word & ZSM_IDX_MASK;
}

static u32 zsm_word_id(unsigned long word)
{
	return word >> ZSM_ID_SHIFT;
}

/* The class of the object a handle word names: a move never changes it. */
static struct zsm_class *zsm_word_class(struct zsm_pool *pool,
					unsigned long word)
{
	return pool->classes[(word >> ZSM_CLASS_SHIFT) &
			     ((1UL << ZSM_CLASS_BITS) - 1)];
}

/*
 * Handle word of a live object.  Stable under the class lock, or under
 * the read lock of the zspage it names (see zsm_pin()).
 */
static unsigned long zsm_handle_word(unsigned long handle)
{
	return READ_ONCE(*(unsigned long *)handle);
}

/*
 * Publish an object's location (class lock held): release, so that a
 * reader that sees the new word in zsm_pin() also sees the bytes copied
 * there before.
 */
static void zsm_set_handle_word(unsigned long handle, unsigned long word)
{
	/* Pairs with smp_load_acquire() in zsm_pin(). */
	smp_store_release((unsigned long *)handle, word);
}

/* Descriptor of the zspage @word names: under RCU or the class lock. */
static struct zsm_zspage *zsm_lookup(struct zsm_pool *pool, unsigned long word)
{
	return xa_load(&zsm_word_class(pool, word)->ids, zsm_word_id(word));
}

/*
 * Pin the object behind @handle: returns its zspage read-locked, and the
 * slot index in *@idx.  The caller keeps the object alive (it does not
 * free it meanwhile); compaction may move it and migration may move its
 * pages until the zspage is locked, hence the loop.
 */
static struct zsm_zspage *zsm_pin(struct zsm_pool *pool, unsigned long handle,
				  unsigned int *idx)
	__acquires(zspage_lock)
{
	for (;;) {
		unsigned long word = zsm_handle_word(handle), now;
		struct zsm_zspage *zspage;

		rcu_read_lock();
		zspage = zsm_lookup(pool, word);
		if (likely(zspage)) {
			read_lock(&zspage->lock);
			/*
			 * The descriptor may have been released and reused
			 * since the lookup: it is the one the word names
			 * only while it carries that class and id.
			 */
			/* Acquire: pairs with zsm_set_handle_word(). */
			now = smp_load_acquire((unsigned long *)handle);
			if (likely(zspage->id == zsm_word_id(word) &&
				   zspage->class == zsm_word_class(pool, word) &&
				   now == word)) {
				rcu_read_unlock();
				*idx = zsm_word_idx(word);
				return zspage;
			}
			read_unlock(&zspage->lock);
		}
		rcu_read_unlock();
		cpu_relax();
	}
}

static void zsm_unpin(struct zsm_zspage *zspage)
	__releases(zspage_lock)
{
	read_unlock(&zspage->lock);
}

/* ---- byte access inside a zspage ---- */

static unsigned long zsm_slot_offset(const struct zsm_class *class,
				     unsigned int idx)
{
	return (unsigned long)idx * class->size;
}

/*
 * One side of a copy: bytes of a zspage from byte @off on, or, with no
 * zspage, a plain buffer from @buf + @off on.
 */
struct zsm_span {
	const struct zsm_zspage *zspage;
	unsigned long off;
	void *buf;
};

/* Bytes of @s reachable through one mapping. */
static unsigned int zsm_span_room(const struct zsm_span *s)
{
	return s->zspage ? PAGE_SIZE - offset_in_page(s->off) : UINT_MAX;
}

static void *zsm_span_map(const struct zsm_span *s)
{
	if (!s->zspage)
		return s->buf + s->off;
	return kmap_local_page(s->zspage->pages[s->off >> PAGE_SHIFT]) +
	       offset_in_page(s->off);
}

static void zsm_span_unmap(const struct zsm_span *s, void *mem)
{
	if (s->zspage)
		kunmap_local(mem);
}

/*
 * Copy @len bytes from @src to @dst, one piece at a time: no piece
 * crosses a page of either zspage.
 */
static void zsm_copy(struct zsm_span dst, struct zsm_span src,
		     unsigned int len)
{
	while (len) {
		unsigned int chunk = min3(len, zsm_span_room(&dst),
					  zsm_span_room(&src));
		void *s = zsm_span_map(&src);
		void *d = zsm_span_map(&dst);

		memcpy(d, s, chunk);
		zsm_span_unmap(&dst, d);
		zsm_span_unmap(&src, s);
		dst.off += chunk;
		src.off += chunk;
		len -= chunk;
	}
}

/* The bytes of slot @idx after its header. */
static struct zsm_span zsm_payload(const struct zsm_class *class,
				   const struct zsm_zspage *zspage,
				   unsigned int idx)
{
	return (struct zsm_span){
		.zspage = zspage,
		.off = zsm_slot_offset(class, idx) + class->hdr,
	};
}

static unsigned long zsm_read_hdr(const struct zsm_class *class,
				  const struct zsm_zspage *zspage,
				  unsigned int idx)
{
	unsigned long off = zsm_slot_offset(class, idx);
	unsigned long *p = kmap_local_page(zspage->pages[off >> PAGE_SHIFT]);
	unsigned long val = p[offset_in_page(off) / ZSM_HDR_SIZE];

	kunmap_local(p);
	return val;
}

static void zsm_write_hdr(const struct zsm_class *class,
			  struct zsm_zspage *zspage, unsigned int idx,
			  unsigned long val)
{
	unsigned long off = zsm_slot_offset(class, idx);
	unsigned long *p = kmap_local_page(zspage->pages[off >> PAGE_SHIFT]);

	p[offset_in_page(off) / ZSM_HDR_SIZE] = val;
	kunmap_local(p);
}

static unsigned long zsm_free_link(unsigned int next)
{
	return ((unsigned long)next << 1) | 1;
}

/* ---- class lists (class->lock held) ---- */

static unsigned int zsm_bucket_of(const struct zsm_class *class,
				  unsigned int inuse)
{
	if (inuse >= class->objs)
		return ZSM_FULL;
	return inuse * ZSM_NR_PARTIAL / class->objs;
}

static void zsm_relink(struct zsm_class *class, struct zsm_zspage *zspage)
{
	unsigned int b = zsm_bucket_of(class, zspage->inuse);

	if (b == zspage->bucket)
		return;
	if (zspage->bucket == ZSM_UNLISTED)
		list_add(&zspage->node, &class->lists[b]);
	else
		list_move(&zspage->node, &class->lists[b]);
	zspage->bucket = b;
}

static void zsm_unlink(struct zsm_zspage *zspage)
{
	list_del_init(&zspage->node);
	zspage->bucket = ZSM_UNLISTED;
}

/* The fullest zspage that still has a free slot, or NULL. */
static struct zsm_zspage *zsm_fullest_partial(struct zsm_class *class)
{
	int b;

	for (b = ZSM_NR_PARTIAL - 1; b >= 0; b--)
		if (!list_empty(&class->lists[b]))
			return list_first_entry(&class->lists[b],
						struct zsm_zspage, node);
	return NULL;
}

/* The emptiest zspage (approximately), or NULL when all are full. */
static struct zsm_zspage *zsm_emptiest_partial(struct zsm_class *class)
{
	int b;

	for (b = 0; b < ZSM_NR_PARTIAL; b++)
		if (!list_empty(&class->lists[b]))
			return list_first_entry(&class->lists[b],
						struct zsm_zspage, node);
	return NULL;
}

/* Exact under class->lock; a clamped estimate without it. */
static unsigned long zsm_class_free_slots(const struct zsm_class *class)
{
	unsigned long slots = READ_ONCE(class->zspages) * class->objs;
	unsigned long inuse = READ_ONCE(class->inuse);

	return slots > inuse ? slots - inuse : 0;
}

/*
 * Pages that compaction could release from @class when it holds @inuse
 * objects in @zspages zspages of @pages pages: one zspage for every
 * zspage's worth of free slots, but no more than the pages beyond those
 * the objects fill (the free slots past the last page of the zspage
 * being filled have no page to give back).  None in classes of one
 * object per zspage (no zspage is ever partial).
 */
static unsigned long zsm_freeable_pages(const struct zsm_class *class,
					unsigned long inuse,
					unsigned long zspages,
					unsigned long pages)
{
	unsigned long slots = zspages * class->objs;
	unsigned long full = DIV_ROUND_UP(inuse * class->size, PAGE_SIZE);

	if (!class->hdr || slots <= inuse || pages <= full)
		return 0;
	return min((slots - inuse) / class->objs * class->ppz, pages - full);
}

/* Live objects, zspages and pages of @class, read together. */
static void zsm_class_counts(struct zsm_class *class, unsigned long *inuse,
			     unsigned long *zspages, unsigned long *pages)
{
	spin_lock(&class->lock);
	*inuse = class->inuse;
	*zspages = class->zspages;
	*pages = class->pages;
	spin_unlock(&class->lock);
}

/* Put @handle into a free slot of @zspage; returns the slot index. */
static unsigned int zsm_slot_take(struct zsm_class *class,
				  struct zsm_zspage *zspage,
				  unsigned long handle)
{
	unsigned int idx;

	if (!class->hdr) {
		idx = 0;
		zspage->huge_handle = handle;
		zspage->fresh = 1;
	} else if (zspage->free_head != ZSM_NO_SLOT) {
		idx = zspage->free_head;
		zspage->free_head = zsm_read_hdr(class, zspage, idx) >> 1;
		zsm_write_hdr(class, zspage, idx, handle);
	} else {
		idx = zspage->fresh++;
		zsm_write_hdr(class, zspage, idx, handle);
	}
	zspage->inuse++;
	class->inuse++;
	return idx;
}

static void zsm_slot_release(struct zsm_class *class,
			     struct zsm_zspage *zspage, unsigned int idx)
{
	if (!class->hdr) {
		zspage->huge_handle = 0;
	} else {
		zsm_write_hdr(class, zspage, idx,
			      zsm_free_link(zspage->free_head));
		zspage->free_head = idx;
	}
	zspage->inuse--;
	class->inuse--;
}

/* Live object handle in slot @idx, or 0 when the slot is free. */
static unsigned long zsm_slot_handle(const struct zsm_class *class,
				     const struct zsm_zspage *zspage,
				     unsigned int idx)
{
	unsigned long val;

	if (!class->hdr)
		return zspage->huge_handle;
	if (idx >= zspage->fresh)
		return 0;
	val = zsm_read_hdr(class, zspage, idx);
	return (val & 1) ? 0 : val;
}

/* ---- zspages ---- */

static const struct movable_operations zsm_movable_ops;

static void zsm_zspage_ctor(void *obj)
{
	struct zsm_zspage *zspage = obj;

	rwlock_init(&zspage->lock);
}

/*
 * Mark a fresh page movable.  Nobody else can hold its lock yet (the
 * migration core locks only pages already marked), but a busy lock just
 * leaves the page unmovable, never wrong.
 */
static void zsm_page_init(struct zsm_zspage *zspage, unsigned int i)
{
	struct page *page = zspage->pages[i];

	set_page_private(page, (unsigned long)zspage);
	if (trylock_page(page)) {
		__SetPageMovable(page, &zsm_movable_ops);
		zspage->movable |= BIT(i);
		unlock_page(page);
	}
}

/* A page for a zspage: movable, and anywhere in memory. */
static struct page *zsm_page_alloc(gfp_t gfp)
{
	return alloc_page(gfp | __GFP_HIGHMEM | __GFP_MOVABLE);
}

/*
 * Append @page to @zspage: under zspage->lock (write) for a zspage no
 * class lists yet, else under class->lock (readers never look at pages
 * past their own object's, and migration takes class->lock).  The class
 * counts the page once the zspage is the class's (zsm_adopt()).
 */
static void zsm_page_add(struct zsm_zspage *zspage, struct page *page)
{
	unsigned int i = zspage->npages;

	zspage->pages[i] = page;
	zsm_page_init(zspage, i);
	zspage->npages = i + 1;
	atomic_long_inc(&zspage->class->pool->pages);
}

/* Does the next slot zsm_slot_take() hands out need a page @zspage lacks? */
static bool zsm_needs_page(const struct zsm_class *class,
			   const struct zsm_zspage *zspage)
{
	if (!class->hdr || zspage->free_head != ZSM_NO_SLOT)
		return false;
	return zsm_slot_offset(class, zspage->fresh + 1) >
	       (unsigned long)zspage->npages << PAGE_SHIFT;
}

/* Give @zspage the page its next slot needs (class->lock held). */
static void zsm_grow(struct zsm_class *class, struct zsm_zspage *zspage,
		     struct page *page)
{
	zsm_page_add(zspage, page);
	class->pages++;
}

static struct zsm_zspage *zsm_zspage_alloc(struct zsm_pool *pool,
					   struct zsm_class *class, gfp_t gfp)
{
	struct zsm_zspage *zspage;
	struct page *page;
	u32 id;

	/* Not zeroed by the slab: ->lock is the constructor's. */
	zspage = kmem_cache_alloc(zsm_zspage_cache_of(class), gfp);
	if (!zspage)
		return NULL;
	/* The first page only: see "Pages on demand". */
	page = zsm_page_alloc(gfp);
	if (!page)
		goto fail;
	if (xa_alloc(&class->ids, &id, zspage, xa_limit_32b, gfp))
		goto fail_page;

	/* A reader that looked this descriptor up before may hold ->lock. */
	write_lock(&zspage->lock);
	INIT_LIST_HEAD(&zspage->node);
	zspage->class = class;
	zspage->huge_handle = 0;
	zspage->inuse = 0;
	zspage->fresh = 0;
	zspage->free_head = ZSM_NO_SLOT;
	zspage->bucket = ZSM_UNLISTED;
	zspage->movable = 0;
	zspage->npages = 0;
	zspage->id = id;
	zsm_page_add(zspage, page);
	write_unlock(&zspage->lock);
	return zspage;

fail_page:
	__free_page(page);
fail:
	kmem_cache_free(zsm_zspage_cache_of(class), zspage);
	return NULL;
}

/*
 * Give the pages of a released zspage back, if their locks can be had
 * now; all or nothing.  Under zspage->lock (write), so no migration is
 * between its swap of pages[] and the end of the copy.
 */
static bool zsm_zspage_put_pages(struct zsm_pool *pool,
				 struct zsm_zspage *zspage)
{
	unsigned int n = zspage->npages;
	unsigned int i, j;

	write_lock(&zspage->lock);
	for (i = 0; i < n; i++) {
		if (!trylock_page(zspage->pages[i])) {
			for (j = 0; j < i; j++)
				unlock_page(zspage->pages[j]);
			write_unlock(&zspage->lock);
			return false;
		}
	}
	for (i = 0; i < n; i++) {
		struct page *page = zspage->pages[i];

		if (zspage->movable & BIT(i))
			__ClearPageMovable(page);
		set_page_private(page, 0);
		unlock_page(page);
		__free_page(page);
	}
	write_unlock(&zspage->lock);
	atomic_long_sub(n, &pool->pages);
	return true;
}

/*
 * Release an unlisted, empty zspage; no handle names it any more.  Its
 * pages go back now, or from pool->release_work once the migration core
 * has let go of their locks.
 */
static void zsm_zspage_free(struct zsm_pool *pool, struct zsm_zspage *zspage)
{
	struct zsm_class *class = zspage->class;

	write_lock(&zspage->lock);
	xa_erase(&class->ids, zspage->id);
	zspage->id = 0;
	write_unlock(&zspage->lock);
	if (zsm_zspage_put_pages(pool, zspage)) {
		kmem_cache_free(zsm_zspage_cache_of(class), zspage);
		return;
	}
	spin_lock(&pool->defer_lock);
	list_add_tail(&zspage->node, &pool->deferred);
	spin_unlock(&pool->defer_lock);
	schedule_delayed_work(&pool->release_work, 1);
}

static void zsm_release_work(struct work_struct *work)
{
	struct zsm_pool *pool = container_of(to_delayed_work(work),
					     struct zsm_pool, release_work);
	struct zsm_zspage *zspage, *tmp;
	LIST_HEAD(list);
	bool busy = false;

	spin_lock(&pool->defer_lock);
	list_splice_init(&pool->deferred, &list);
	spin_unlock(&pool->defer_lock);

	list_for_each_entry_safe(zspage, tmp, &list, node) {
		if (zsm_zspage_put_pages(pool, zspage)) {
			list_del(&zspage->node);
			kmem_cache_free(zsm_zspage_cache_of(zspage->class),
					zspage);
		} else {
			busy = true;
		}
	}
	if (busy) {
		spin_lock(&pool->defer_lock);
		list_splice(&list, &pool->deferred);
		spin_unlock(&pool->defer_lock);
		schedule_delayed_work(&pool->release_work, 1);
	}
}

/* Wait until every deferred zspage is released (pool teardown). */
static void zsm_release_wait(struct zsm_pool *pool)
{
	for (;;) {
		bool empty;

		flush_delayed_work(&pool->release_work);
		spin_lock(&pool->defer_lock);
		empty = list_empty(&pool->deferred);
		spin_unlock(&pool->defer_lock);
		if (empty)
			break;
		schedule_timeout_uninterruptible(1);
	}
}

/* ---- migration ---- */

static bool zsm_isolate_page(struct page *page, isolate_mode_t mode)
{
	/* Nothing to note: zsm_migrate_page() finds all it needs. */
	return true;
}

/*
 * Called with @src (one of our pages, isolated) and @dst locked; the page
 * lock keeps the zspage from release (zsm_zspage_put_pages() needs it).
 */
static int zsm_migrate_page(struct page *dst, struct page *src,
			    enum migrate_mode mode)
{
	struct zsm_zspage *zspage = (struct zsm_zspage *)page_private(src);
	struct zsm_class *class;
	struct zsm_pool *pool;
	unsigned int i;

	if (WARN_ON_ONCE(!zspage))
		return -EINVAL;
	class = zspage->class;
	pool = class->pool;

	spin_lock(&class->lock);
	write_lock(&zspage->lock);
	for (i = 0; i < zspage->npages; i++)
		if (zspage->pages[i] == src)
			break;
	if (WARN_ON_ONCE(i == zspage->npages)) {
		write_unlock(&zspage->lock);
		spin_unlock(&class->lock);
		return -EINVAL;
	}
	copy_highpage(dst, src);
	get_page(dst);
	set_page_private(dst, (unsigned long)zspage);
	__SetPageMovable(dst, &zsm_movable_ops);
	zspage->pages[i] = dst;
	write_unlock(&zspage->lock);
	spin_unlock(&class->lock);

	__ClearPageMovable(src);
	set_page_private(src, 0);
	/* The pool's reference; the migration core drops its own. */
	put_page(src);
	atomic_long_inc(&pool->migrated);
	return MIGRATEPAGE_SUCCESS;
}

static void zsm_putback_page(struct page *page)
{
}

static const struct movable_operations zsm_movable_ops = {
	.isolate_page = zsm_isolate_page,
	.migrate_page = zsm_migrate_page,
	.putback_page = zsm_putback_page,
};

/* ---- allocation ---- */

static struct zsm_class *zsm_size_class(struct zsm_pool *pool, size_t size)
{
	size_t need = size + ZSM_HDR_SIZE;
	size_t i = 0;

	if (need > ZSM_MIN_SLOT)
		i = DIV_ROUND_UP(need - ZSM_MIN_SLOT, ZSM_SLOT_STEP);
	if (i >= ZSM_NR_SLOT_SIZES)
		i = ZSM_NR_SLOT_SIZES - 1;
	return pool->slot_class[i];
}

/* Put handle @h in a free slot of @zspage (class->lock held). */
static void zsm_place(struct zsm_class *class, struct zsm_zspage *zspage,
		      unsigned long *h)
{
	unsigned int idx = zsm_slot_take(class, zspage, (unsigned long)h);

	zsm_relink(class, zspage);
	*h = zsm_encode(zspage, idx);
}

/* Make @zspage, fresh from zsm_zspage_alloc(), one of @class's. */
static void zsm_adopt(struct zsm_class *class, struct zsm_zspage *zspage)
{
	class->zspages++;
	class->pages += zspage->npages;
}

/* Undo zsm_adopt() (and the pages grown since) before release. */
static void zsm_disown(struct zsm_class *class, struct zsm_zspage *zspage)
{
	class->zspages--;
	class->pages -= zspage->npages;
}

/*
 * The zspage the next object of @class goes to, with the page its slot
 * needs: a partial zspage, else *@fresh (then NULL).  Returns NULL when
 * the caller must drop the lock and make a zspage (*@fresh is NULL and
 * no zspage is partial) or a page (*@spare is NULL); it then calls again.
 * class->lock held.
 */
static struct zsm_zspage *zsm_target(struct zsm_class *class,
				     struct zsm_zspage **fresh,
				     struct page **spare)
{
	struct zsm_zspage *zspage = zsm_fullest_partial(class);

	if (!zspage) {
		if (!*fresh)
			return NULL;
		zspage = *fresh;
		*fresh = NULL;
		zsm_adopt(class, zspage);
		/* Its slot 0 lies in its page 0. */
		return zspage;
	}
	if (zsm_needs_page(class, zspage)) {
		if (!*spare)
			return NULL;
		zsm_grow(class, zspage, *spare);
		*spare = NULL;
	}
	return zspage;
}

/* Free what zsm_malloc() made and did not use. */
static void zsm_give_back(struct zsm_pool *pool, struct zsm_zspage *fresh,
			  struct page *spare)
{
	if (fresh)
		zsm_zspage_free(pool, fresh);
	if (spare)
		__free_page(spare);
}

int zsm_malloc(struct zsm_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle)
{
	struct zsm_zspage *zspage, *fresh = NULL;
	struct page *spare = NULL;
	struct zsm_class *class;
	unsigned long *h;

	if (unlikely(!size || size > PAGE_SIZE || !handle))
		return -EINVAL;

	/* For the slab; zsm_page_alloc() adds them back for pages. */
	gfp &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
	might_sleep_if(gfpflags_allow_blocking(gfp));
	class = zsm_size_class(pool, size);

	h = kmem_cache_alloc(zsm_handle_cache, gfp);
	if (!h)
		return -ENOMEM;

	spin_lock(&class->lock);
	while (unlikely(!(zspage = zsm_target(class, &fresh, &spare)))) {
		/*
		 * Memory is made with the lock dropped; meanwhile another
		 * allocation of this class (the parts of a parallel write
		 * on other CPUs often are) may open a zspage or add the
		 * page: zsm_target() looks again, and what is left over is
		 * given back below.  Taking the fullest partial zspage as
		 * it is now keeps the one partly-filled zspage per class
		 * that one allocation at a time leaves.
		 */
		bool zspage_needed = !zsm_fullest_partial(class), made;

		spin_unlock(&class->lock);
		if (zspage_needed) {
			fresh = zsm_zspage_alloc(pool, class, gfp);
			made = fresh;
		} else {
			spare = zsm_page_alloc(gfp);
			made = spare;
		}
		if (!made) {
			zsm_give_back(pool, fresh, spare);
			kmem_cache_free(zsm_handle_cache, h);
			return -ENOMEM;
		}
		spin_lock(&class->lock);
	}
	zsm_place(class, zspage, h);
	spin_unlock(&class->lock);
	*handle = (unsigned long)h;
	if (unlikely(fresh || spare)) {
		atomic_long_inc(&pool->alloc_raced);
		zsm_give_back(pool, fresh, spare);
	}
	return 0;
}

void zsm_free(struct zsm_pool *pool, unsigned long handle)
{
	struct zsm_zspage *zspage;
	struct zsm_class *class;
	unsigned long word;
	unsigned int idx;
	bool empty;

	if (unlikely(!handle))
		return;

	class = zsm_word_class(pool, zsm_handle_word(handle));
	spin_lock(&class->lock);
	/* The object cannot move any more: moves need class->lock. */
	word = zsm_handle_word(handle);
	zspage = zsm_lookup(pool, word);
	idx = zsm_word_idx(word);

	zsm_slot_release(class, zspage, idx);
	empty = !zspage->inuse;
	if (empty) {
		zsm_unlink(zspage);
		zsm_disown(class, zspage);
	} else {
		zsm_relink(class, zspage);
	}
	spin_unlock(&class->lock);

	if (empty)
		zsm_zspage_free(pool, zspage);
	kmem_cache_free(zsm_handle_cache, (void *)handle);
}

size_t zsm_huge_class_size(struct zsm_pool *pool)
{
	return pool->huge_size;
}

size_t zsm_slot_size(struct zsm_pool *pool, size_t size)
{
	return zsm_size_class(pool, size)->size;
}

/* ---- object access ---- */

/*
 * Where the object in slot @idx of @zspage is: zspage byte offset and
 * length.  Returns true when they lie within one page.
 */
static bool zsm_locate(const struct zsm_zspage *zspage, unsigned int idx,
		       unsigned long *offp, unsigned int *lenp)
{
	const struct zsm_class *class = zspage->class;

	*offp = zsm_slot_offset(class, idx) + class->hdr;
	*lenp = class->size - class->hdr;
	return offset_in_page(*offp) + *lenp <= PAGE_SIZE;
}

const void *zsm_read_begin(struct zsm_pool *pool, unsigned long handle,
			   void *local_copy)
	__acquires(zspage_lock)
{
	struct zsm_zspage *zspage;
	unsigned long off;
	unsigned int idx, len;
	void *addr;

	zspage = zsm_pin(pool, handle, &idx);
	if (zsm_locate(zspage, idx, &off, &len)) {
		addr = kmap_local_page(zspage->pages[off >> PAGE_SHIFT]);
		return addr + offset_in_page(off);
	}
	zsm_copy((struct zsm_span){ .buf = local_copy },
		 (struct zsm_span){ .zspage = zspage, .off = off }, len);
	return local_copy;
}

void zsm_read_end(struct zsm_pool *pool, unsigned long handle,
		  const void *mem)
	__releases(zspage_lock)
{
	struct zsm_zspage *zspage;
	unsigned long word, off;
	unsigned int len;

	/* Still pinned by the read lock, so the word and answer are the same. */
	word = zsm_handle_word(handle);
	zspage = zsm_lookup(pool, word);
	if (zsm_locate(zspage, zsm_word_idx(word), &off, &len))
		kunmap_local(mem);
	zsm_unpin(zspage);
}

void zsm_write(struct zsm_pool *pool, unsigned long handle,
	       const void *src, size_t len)
{
	struct zsm_zspage *zspage;
	unsigned long off;
	unsigned int idx, room;

	zspage = zsm_pin(pool, handle, &idx);
	zsm_locate(zspage, idx, &off, &room);
	if (WARN_ON_ONCE(len > room))
		len = room;
	/* The buffer side of a copy is only written when it is @dst. */
	zsm_copy((struct zsm_span){ .zspage = zspage, .off = off },
		 (struct zsm_span){ .buf = (void *)src }, len);
	zsm_unpin(zspage);
}

/* ---- statistics ---- */

unsigned long zsm_get_total_pages(struct zsm_pool *pool)
{
	return atomic_long_read(&pool->pages);
}

unsigned long zsm_pages_compacted(struct zsm_pool *pool)
{
	return atomic_long_read(&pool->compacted);
}

unsigned long zsm_pages_migrated(struct zsm_pool *pool)
{
	return atomic_long_read(&pool->migrated);
}

/* ---- compaction ---- */

/* Pages that compacting @class could give back, judged without locks. */
static unsigned long zsm_class_freeable(const struct zsm_class *class)
{
	return zsm_freeable_pages(class, READ_ONCE(class->inuse),
				  READ_ONCE(class->zspages),
				  READ_ONCE(class->pages));
}

/*
 * Move every object out of @src (unlisted) into other zspages of the
 * class.  class->lock and src->lock (write) held; readers of the
 * destination zspages need no exclusion: the slots written were free,
 * and zsm_set_handle_word() publishes each copy.  A destination that
 * needs a page for its next slot gets one without sleeping; *@grown
 * counts them.  Returns false, with @src relisted and the objects not
 * yet moved still in it, when room ran out (cannot happen while free
 * slots >= objs, checked by the caller) or no page could be had.
 */
static bool zsm_drain(struct zsm_class *class, struct zsm_zspage *src,
		      unsigned int *grown)
{
	unsigned int i, len = class->size - class->hdr;

	for (i = 0; i < src->fresh && src->inuse; i++) {
		unsigned long handle = zsm_slot_handle(class, src, i);
		struct zsm_zspage *dst;
		unsigned int j;

		if (!handle)
			continue;
		dst = zsm_fullest_partial(class);
		if (WARN_ON_ONCE(!dst)) {
			zsm_relink(class, src);
			return false;
		}
		if (zsm_needs_page(class, dst)) {
			/* Not from the reserves: the shrinker runs in reclaim. */
			struct page *page = zsm_page_alloc(GFP_NOWAIT |
							   __GFP_NOWARN |
							   __GFP_NOMEMALLOC);

			if (!page) {
				zsm_relink(class, src);
				return false;
			}
			zsm_grow(class, dst, page);
			(*grown)++;
		}
		j = zsm_slot_take(class, dst, handle);
		zsm_copy(zsm_payload(class, dst, j), zsm_payload(class, src, i),
			 len);
		zsm_set_handle_word(handle, zsm_encode(dst, j));
		zsm_relink(class, dst);
		zsm_slot_release(class, src, i);
	}
	return true;
}

static unsigned long zsm_compact_class(struct zsm_pool *pool,
				       struct zsm_class *class)
{
	/* Bounded even if frees keep making room meanwhile. */
	unsigned long budget = READ_ONCE(class->zspages);
	/* Pages given back less pages destinations grew by. */
	long net = 0;

	while (budget-- && zsm_class_freeable(class)) {
		unsigned int grown = 0, held = 0;
		struct zsm_zspage *src;
		bool drained = false;

		spin_lock(&class->lock);
		src = NULL;
		if (zsm_class_free_slots(class) >= class->objs)
			src = zsm_emptiest_partial(class);
		if (src) {
			zsm_unlink(src);
			write_lock(&src->lock);
			drained = zsm_drain(class, src, &grown);
			write_unlock(&src->lock);
			if (drained) {
				held = src->npages;
				zsm_disown(class, src);
			}
		}
		spin_unlock(&class->lock);

		if (drained)
			zsm_zspage_free(pool, src);
		net += (long)held - grown;
		if (!drained)
			break;
		cond_resched();
	}
	return net > 0 ? net : 0;
}

unsigned long zsm_compact(struct zsm_pool *pool)
{
	unsigned long freed = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		freed += zsm_compact_class(pool, pool->classes[i]);
		cond_resched();
	}
	atomic_long_add(freed, &pool->compacted);
	return freed;
}

static unsigned long zsm_shrink_count(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	struct zsm_pool *pool = zram_compat_shrinker_private(shrinker);
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		pages += zsm_class_freeable(pool->classes[i]);
	return pages;
}

static unsigned long zsm_shrink_scan(struct shrinker *shrinker,
				     struct shrink_control *sc)
{
	struct zsm_pool *pool = zram_compat_shrinker_private(shrinker);
	unsigned long freed = zsm_compact(pool);

	return freed ? freed : SHRINK_STOP;
}

/* ---- debugfs ---- */

static int zsm_classes_show(struct seq_file *m, void *unused)
{
	struct zsm_pool *pool = m->private;
	unsigned long t_inuse = 0, t_alloc = 0, t_pages = 0, t_free = 0;
	unsigned int i;

	seq_printf(m, "%5s %6s %6s %4s %5s %10s %10s %10s %10s %10s\n",
		   "class", "size", "slot", "ppz", "objs", "inuse",
		   "allocated", "zspages", "pages", "freeable");
	for (i = 0; i < pool->nr_classes; i++) {
		struct zsm_class *class = pool->classes[i];
		unsigned long inuse, zspages, pages, freeable;

		zsm_class_counts(class, &inuse, &zspages, &pages);
		freeable = zsm_freeable_pages(class, inuse, zspages, pages);
		seq_printf(m, "%5u %6u %6u %4u %5u %10lu %10lu %10lu %10lu %10lu\n",
			   i, class->size - class->hdr, class->size,
			   class->ppz, class->objs, inuse,
			   zspages * class->objs, zspages, pages, freeable);
		t_inuse += inuse;
		t_alloc += zspages * class->objs;
		t_pages += pages;
		t_free += freeable;
	}
	seq_printf(m, "%5s %6s %6s %4s %5s %10lu %10lu %10s %10lu %10lu\n",
		   "total", "", "", "", "", t_inuse, t_alloc, "", t_pages,
		   t_free);
	seq_printf(m, "compacted %lu\n", zsm_pages_compacted(pool));
	seq_printf(m, "migrated %lu\n", zsm_pages_migrated(pool));
	seq_printf(m, "alloc_raced %lu\n", atomic_long_read(&pool->alloc_raced));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsm_classes);

static void zsm_debugfs_add(struct zsm_pool *pool)
{
	struct dentry *dir;

	if (IS_ERR_OR_NULL(zsm_debug_root))
		return;
	dir = debugfs_create_dir(pool->name, zsm_debug_root);
	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("classes", 0444, dir, pool, &zsm_classes_fops);
	pool->debug_dir = dir;
}

/* ---- pool set-up ---- */

static struct kmem_cache *zsm_zspage_cache_create(const char *name,
						  unsigned int pages)
{
	struct zsm_zspage *zspage;

	return kmem_cache_create(name, struct_size(zspage, pages, pages), 0,
				 SLAB_TYPESAFE_BY_RCU, zsm_zspage_ctor);
}

static void zsm_caches_destroy(void)
{
	kmem_cache_destroy(zsm_handle_cache);
	kmem_cache_destroy(zsm_zspage_cache[0]);
	kmem_cache_destroy(zsm_zspage_cache[1]);
	zsm_handle_cache = NULL;
	zsm_zspage_cache[0] = NULL;
	zsm_zspage_cache[1] = NULL;
}

static int zsm_global_get(void)
{
	int ret = 0;

	mutex_lock(&zsm_global_mutex);
	if (!zsm_nr_pools) {
		/* Named per module: unmergeable caches need unique names. */
		zsm_handle_cache = kmem_cache_create(KBUILD_MODNAME "_zsm_handle",
						     sizeof(unsigned long),
						     0, 0, NULL);
		zsm_zspage_cache[0] =
			zsm_zspage_cache_create(KBUILD_MODNAME "_zsm_zspage1", 1);
		zsm_zspage_cache[1] =
			zsm_zspage_cache_create(KBUILD_MODNAME "_zsm_zspage",
						ZSM_MAX_PAGES_PER_ZSPAGE);
		if (!zsm_handle_cache || !zsm_zspage_cache[0] ||
		    !zsm_zspage_cache[1]) {
			zsm_caches_destroy();
			ret = -ENOMEM;
			goto out;
		}
		zsm_debug_root = debugfs_create_dir("zsmalloc-oot", NULL);
	}
	zsm_nr_pools++;
out:
	mutex_unlock(&zsm_global_mutex);
	return ret;
}

static void zsm_global_put(void)
{
	mutex_lock(&zsm_global_mutex);
	if (!--zsm_nr_pools) {
		debugfs_remove_recursive(zsm_debug_root);
		zsm_debug_root = NULL;
		zsm_caches_destroy();
	}
	mutex_unlock(&zsm_global_mutex);
}

/*
 * Pages per zspage for a slot size: the count wasting the smallest share
 * of its bytes, the smaller count on a tie.
 */
static unsigned int zsm_best_ppz(unsigned int size)
{
	unsigned int best = 1, best_waste = PAGE_SIZE % size, n;

	for (n = 2; n <= ZSM_MAX_PAGES_PER_ZSPAGE; n++) {
		unsigned int waste = (n * PAGE_SIZE) % size;

		/* waste / n < best_waste / best */
		if (waste * best < best_waste * n) {
			best = n;
			best_waste = waste;
		}
	}
	return best;
}

static int zsm_init_classes(struct zsm_pool *pool)
{
	struct zsm_class *upper = NULL;
	unsigned int i, n = 0;
	size_t size;

	/* Top down, so a slot size can reuse the class just above it. */
	for (i = ZSM_NR_SLOT_SIZES; i-- > 0; ) {
		unsigned int slot = ZSM_MIN_SLOT + i * ZSM_SLOT_STEP;
		unsigned int ppz = zsm_best_ppz(slot);
		unsigned int objs = ppz * PAGE_SIZE / slot;
		struct zsm_class *class;
		int b;

		if (upper && upper->ppz == ppz && upper->objs == objs) {
			pool->slot_class[i] = upper;
			continue;
		}
		class = kzalloc(sizeof(*class), GFP_KERNEL);
		if (!class) {
			/* Let zsm_free_classes() see what was made. */
			pool->nr_classes = n;
			return -ENOMEM;
		}
		spin_lock_init(&class->lock);
		for (b = 0; b < ZSM_NR_LISTS; b++)
			INIT_LIST_HEAD(&class->lists[b]);
		/* Id 0 is never handed out: a released zspage carries it. */
		xa_init_flags(&class->ids, XA_FLAGS_ALLOC1);
		class->pool = pool;
		class->size = slot;
		class->ppz = ppz;
		class->objs = objs;
		/* One object per zspage: the descriptor holds the handle. */
		class->hdr = objs > 1 ? ZSM_HDR_SIZE : 0;
		pool->classes[n++] = class;
		pool->slot_class[i] = class;
		upper = class;
	}
	pool->nr_classes = n;

	/* Ascending order, as debugfs lists them. */
	for (i = 0; i < n / 2; i++)
		swap(pool->classes[i], pool->classes[n - 1 - i]);
	for (i = 0; i < n; i++)
		pool->classes[i]->index = i;

	pool->huge_size = PAGE_SIZE;
	for (size = 1; size <= PAGE_SIZE; size++) {
		const struct zsm_class *class = zsm_size_class(pool, size);

		if (class->objs == 1 && class->ppz == 1) {
			pool->huge_size = size;
			break;
		}
	}
	return 0;
}

static void zsm_release_all(struct zsm_pool *pool, struct zsm_class *class)
{
	struct zsm_zspage *zspage, *tmp;
	unsigned int b, i;

	for (b = 0; b < ZSM_NR_LISTS; b++) {
		list_for_each_entry_safe(zspage, tmp, &class->lists[b], node) {
			for (i = 0; i < class->objs; i++) {
				unsigned long h = zsm_slot_handle(class,
								  zspage, i);

				if (h)
					kmem_cache_free(zsm_handle_cache,
							(void *)h);
			}
			zsm_unlink(zspage);
			zsm_zspage_free(pool, zspage);
		}
	}
	class->zspages = 0;
	class->pages = 0;
	class->inuse = 0;
}

static void zsm_free_classes(struct zsm_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		zsm_release_all(pool, pool->classes[i]);
	/* Deferred zspages still point at their classes. */
	zsm_release_wait(pool);
	for (i = 0; i < pool->nr_classes; i++) {
		xa_destroy(&pool->classes[i]->ids);
		kfree(pool->classes[i]);
	}
}

struct zsm_pool *zsm_create_pool(const char *name)
{
	struct zsm_pool *pool;
	char *sname;

	BUILD_BUG_ON(ZSM_MIN_SLOT % ZSM_SLOT_STEP);
	BUILD_BUG_ON(PAGE_SIZE % ZSM_SLOT_STEP);
	BUILD_BUG_ON(ZSM_SLOT_STEP % (2 * ZSM_HDR_SIZE));
	BUILD_BUG_ON(ZSM_MAX_OBJS > ZSM_IDX_MASK);
	/* Zspage id, class and slot index in one word. */
	BUILD_BUG_ON(ZSM_NR_SLOT_SIZES > (1U << ZSM_CLASS_BITS));
	BUILD_BUG_ON(ZSM_ID_SHIFT + 32 > BITS_PER_LONG);
	BUILD_BUG_ON(sizeof_field(struct zsm_zspage, movable) * BITS_PER_BYTE <
		     ZSM_MAX_PAGES_PER_ZSPAGE);

	if (!name)
		return NULL;
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	atomic_long_set(&pool->pages, 0);
	atomic_long_set(&pool->compacted, 0);
	atomic_long_set(&pool->migrated, 0);
	atomic_long_set(&pool->alloc_raced, 0);
	spin_lock_init(&pool->defer_lock);
	INIT_LIST_HEAD(&pool->deferred);
	INIT_DELAYED_WORK(&pool->release_work, zsm_release_work);
	pool->name = kstrdup(name, GFP_KERNEL);
	if (!pool->name)
		goto err_pool;
	if (zsm_global_get())
		goto err_name;
	if (zsm_init_classes(pool))
		goto err_classes;

	/*
	 * A pool without its shrinker would hold fragmented zspages under
	 * memory pressure until someone writes "compact": not a pool we
	 * hand out.
	 */
	sname = kasprintf(GFP_KERNEL, "zsmalloc-oot-%s", name);
	if (!sname)
		goto err_classes;
	pool->shrinker = zram_compat_shrinker_create(sname, zsm_shrink_count,
						     zsm_shrink_scan, 0, pool);
	kfree(sname);
	if (!pool->shrinker)
		goto err_classes;

	mutex_lock(&zsm_global_mutex);
	zsm_debugfs_add(pool);
	mutex_unlock(&zsm_global_mutex);
	return pool;

err_classes:
	zsm_free_classes(pool);
	zsm_global_put();
err_name:
	kfree(pool->name);
err_pool:
	kfree(pool);
	return NULL;
}

void zsm_destroy_pool(struct zsm_pool *pool)
{
	if (!pool)
		return;
	if (pool->shrinker)
		zram_compat_shrinker_destroy(pool->shrinker);
	debugfs_remove_recursive(pool->debug_dir);
	zsm_free_classes(pool);
	WARN_ON_ONCE(atomic_long_read(&pool->pages));
	zsm_global_put();
	kfree(pool->name);
	kfree(pool);
}
