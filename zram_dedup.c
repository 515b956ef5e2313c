// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deduplication (use_dedup): pages with the same content share one
 * object of the pool.
 *
 * Owns: use_dedup and dedup_stat, the candidate index and the share
 * counts (struct zram_dedup).
 *
 * How a page comes to share an object.  A write compresses the page as
 * ever, then hashes what it would store (xxh64 of the object's bytes:
 * the compressed data, or the page when it is stored raw).  The index,
 * an open-addressed table of (hash tag, slot) entries in buckets of
 * eight, names the slots that stored an object with that tag.  For
 * each such candidate the writer takes the slot's lock with a trylock
 * (it holds a compression stream: rule 2 of zram_slot.h), checks that
 * the slot still holds an object of the primary algorithm that nobody
 * is moving, of the same size, and compares the bytes with memcmp.
 * Only equal bytes share: the hash finds candidates, it never decides.
 * Equal objects of one algorithm decompress to equal pages, so the
 * comparison of objects is a comparison of pages.  Then, still under
 * the candidate's slot lock, the object's share count goes up, and the
 * writer's slot takes the same handle (flagged ZRAM_DEDUP).  A write
 * that found nothing stores its object as ever, flags its slot
 * ZRAM_DEDUP and enters it in the index.
 *
 * The index is a hint: a slot that was freed or rewritten leaves a stale
 * entry, which the comparison rejects (and removes) and an insertion
 * replaces first.  A tag has two buckets (two-choice hashing):
 * an entry goes to the first with room; only when both are full of live
 * entries does one lose an entry (a missed sharing, never a wrong one).
 * The index starts at 4096 entries and doubles (in a work item, entries
 * copied by their tag, which names both buckets) once half of its
 * entries are in use (so it has 2 to 4 entries, 16 to 32 bytes, per
 * distinct stored object), up to the device's pages rounded up to a
 * power of two.  Readers
 * look it up under RCU; its entries are single 64-bit words, so racing
 * insertions may lose each other's entry, nothing else.
 *
 * Share counts live in an rhashtable keyed by handle, with an entry
 * only for an object two or more pages share (count >= 2): an object of
 * one page costs nothing.  A count that falls to 1 stays, dead, until a
 * work item removes it (a page can be freed with interrupts off, where
 * the rhashtable cannot be changed); a dead count means one user, like
 * no count, and a new share brings it back to 2.  Freeing a ZRAM_DEDUP slot (zram_release_data)
 * asks zram_dedup_put() whether other pages still use the object.
 *
 * Locks: the count of an object changes under ->lock (a spinlock, inside
 * slot locks).  A count goes up only under the lock of a slot that holds
 * the object, and an object has no count entry only while one slot holds
 * it; so a slot holder that finds no entry is alone and may free without
 * ->lock.
 *
 * Shared objects are neither written back nor recompressed (they stay in
 * memory, zram_slot_may_move()); once all but one of their pages are
 * gone, the last is an ordinary object again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <linux/xxhash.h>

#include "zram_drv.h"
#include "zram_slot.h"
#include "zsmalloc.h"

#define ZRAM_DEDUP_WAYS		8U	/* entries in a bucket */
#define ZRAM_DEDUP_MIN		4096U	/* entries at first */

/* The index: (tag << 32 | slot + 1) words, 0 when empty. */
struct zram_dedup_index {
	struct rcu_head rcu;
	u32 mask;			/* entries - 1 */
	atomic_t used;			/* entries not 0 */
	u64 ent[];
};

/* The share count of an object two or more pages share. */
struct zram_dedup_ref {
	struct rhash_head node;
	unsigned long handle;
	unsigned int refs;		/* >= 2; 1: dead, to be reaped */
	bool queued;			/* on ->dead */
	struct llist_node dead;
	struct rcu_head rcu;
};

struct zram_dedup {
	struct zram *zram;
	struct zram_dedup_index __rcu *index;
	unsigned long cap;		/* entries the index grows to at most */
	unsigned long fail_at;		/* jiffies of a failed growth */
	unsigned long growing;		/* bit 0: the grow work is queued */
	struct work_struct grow;
	spinlock_t lock;		/* share counts */
	struct rhashtable refs;
	/*
	 * Counts that fell to 1, removed from ->refs by ->reap: a page may
	 * be freed with interrupts off (the swap slot cache), where the
	 * rhashtable may not be changed (it disables bottom halves).
	 */
	struct llist_head dead;
	struct work_struct reap;
	atomic64_t shared;		/* pages sharing an object */
	atomic64_t saved;		/* bytes of objects not stored */
};

static const struct rhashtable_params zram_dedup_params = {
	.key_len = sizeof(unsigned long),
	.key_offset = offsetof(struct zram_dedup_ref, handle),
	.head_offset = offsetof(struct zram_dedup_ref, node),
	.automatic_shrinking = true,
};

static u32 zram_dedup_tag(u64 hash)
{
	return hash >> 32;
}

/* Bucket @n (0 or 1) of @tag. */
static u64 *zram_dedup_bucket(struct zram_dedup_index *idx, u32 tag,
			      unsigned int n)
{
	u32 h = n ? ror32(tag * 0x9e3779b1U, 16) : tag;

	return &idx->ent[h & idx->mask & ~(ZRAM_DEDUP_WAYS - 1)];
}

/* Does the slot an entry names still hold an indexed object?  No lock. */
static bool zram_dedup_live(struct zram *zram, u64 ent)
{
	u32 index = (u32)ent - 1;

	return index < zram_nr_pages(zram) &&
	       (READ_ONCE(zram->slots[index].flags) &
		(BIT(ZRAM_DEDUP) | BIT(ZRAM_WB))) == BIT(ZRAM_DEDUP);
}

static struct zram_dedup_index *zram_dedup_index_alloc(u32 entries)
{
	struct zram_dedup_index *idx;

	idx = kvzalloc(struct_size(idx, ent, entries),
		       GFP_KERNEL | __GFP_NOWARN);
	if (idx)
		idx->mask = entries - 1;
	return idx;
}

/* Double the index: live entries move by their tag, the rest is dropped. */
static void zram_dedup_grow(struct work_struct *work)
{
	struct zram_dedup *dd = container_of(work, struct zram_dedup, grow);
	struct zram_dedup_index *old, *new;
	unsigned int n;
	u32 i, k;

	old = rcu_dereference_protected(dd->index, 1);
	if (old->mask + 1UL >= dd->cap)
		goto out;
	new = zram_dedup_index_alloc((old->mask + 1) * 2);
	if (!new) {
		/* Not again for a second: inserts keep asking meanwhile. */
		WRITE_ONCE(dd->fail_at, jiffies);
		goto out;
	}
	for (i = 0; i <= old->mask; i++) {
		u64 ent = READ_ONCE(old->ent[i]), *b;

		if (!(i & 1023))
			cond_resched();
		if (!ent || !zram_dedup_live(dd->zram, ent))
			continue;
		for (n = 0; n < 2; n++) {
			b = zram_dedup_bucket(new, (u32)(ent >> 32), n);
			for (k = 0; k < ZRAM_DEDUP_WAYS && b[k]; k++)
				;
			if (k < ZRAM_DEDUP_WAYS) {
				b[k] = ent;
				atomic_inc(&new->used);
				break;
			}
		}
	}
	rcu_assign_pointer(dd->index, new);
	kvfree_rcu(old, rcu);
out:
	clear_bit(0, &dd->growing);
}

/* Remove the counts that are still dead (a share may have revived one). */
static void zram_dedup_reap(struct work_struct *work)
{
	struct zram_dedup *dd = container_of(work, struct zram_dedup, reap);
	struct llist_node *node = llist_del_all(&dd->dead), *next;
	struct zram_dedup_ref *ref;

	for (; node; node = next) {
		next = llist_next(node);
		ref = container_of(node, struct zram_dedup_ref, dead);
		spin_lock(&dd->lock);
		ref->queued = false;
		if (ref->refs <= 1) {
			rhashtable_remove_fast(&dd->refs, &ref->node,
					       zram_dedup_params);
			kfree_rcu(ref, rcu);
		}
		spin_unlock(&dd->lock);
	}
}

/* ---- life cycle ---- */

/* Set-up of a device with use_dedup, for @nr_pages pages. */
int zram_dedup_create(struct zram *zram, unsigned long nr_pages)
{
	struct zram_dedup_index *idx;
	struct zram_dedup *dd;
	int ret = -ENOMEM;

	dd = kzalloc(sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	dd->zram = zram;
	dd->fail_at = jiffies - 2 * HZ;
	/* Entries are u32-indexed: 2^31 at most (8 TiB of 4K pages). */
	if (nr_pages > 1UL << 31)
		dd->cap = 1UL << 31;
	else if (nr_pages <= ZRAM_DEDUP_MIN)
		dd->cap = ZRAM_DEDUP_MIN;
	else
		dd->cap = roundup_pow_of_two(nr_pages);
	idx = zram_dedup_index_alloc(ZRAM_DEDUP_MIN);
	if (!idx)
		goto err;
	RCU_INIT_POINTER(dd->index, idx);
	spin_lock_init(&dd->lock);
	INIT_WORK(&dd->grow, zram_dedup_grow);
	INIT_WORK(&dd->reap, zram_dedup_reap);
	init_llist_head(&dd->dead);
	ret = rhashtable_init(&dd->refs, &zram_dedup_params);
	if (ret)
		goto err_idx;
	zram->dedup = dd;
	return 0;
err_idx:
	kvfree(idx);
err:
	kfree(dd);
	return ret;
}

static void zram_dedup_free_ref(void *ptr, void *arg)
{
	kfree(ptr);
}

/* Teardown, after every slot was freed. */
void zram_dedup_destroy(struct zram *zram)
{
	struct zram_dedup *dd = zram->dedup;

	if (!dd)
		return;
	cancel_work_sync(&dd->grow);
	cancel_work_sync(&dd->reap);
	/* Frees dead counts only: the live ones went with the slots. */
	rhashtable_free_and_destroy(&dd->refs, zram_dedup_free_ref, NULL);
	/* Lookups ran under the slot locks, all released by now. */
	kvfree(rcu_dereference_protected(dd->index, 1));
	kfree(dd);
	zram->dedup = NULL;
}

/* ---- the write path ---- */

u64 zram_dedup_hash(const void *obj, unsigned int size)
{
	return xxh64(obj, size, 0);
}

/*
 * Slot @j is a candidate for @obj (@size bytes, tag of @hash): does it
 * hold the same object, one that may be shared?  Slot @j locked.
 */
static bool zram_dedup_same(struct zram *zram, u32 j, const void *obj,
			    unsigned int size, void *scratch)
{
	unsigned long handle = zram->slots[j].handle;
	const void *src;
	bool same;

	if (!zram_test_flag(zram, j, ZRAM_DEDUP) || !handle ||
	    zram_test_flag(zram, j, ZRAM_SAME) ||
	    zram_test_flag(zram, j, ZRAM_WB) ||
	    zram_test_flag(zram, j, ZRAM_MOVING) ||
	    zram_get_prio(zram, j) != ZRAM_PRIMARY_COMP ||
	    zram_get_obj_size(zram, j) != size)
		return false;
	src = zsm_read_begin(zram->pool, handle, scratch);
	same = !memcmp(src, obj, size);
	zsm_read_end(zram->pool, handle, src);
	return same;
}

/* One more page shares @handle (@size bytes); a holder's slot locked. */
static bool zram_dedup_get(struct zram_dedup *dd, unsigned long handle,
			   unsigned int size)
{
	struct zram_dedup_ref *ref;
	bool ok = true;

	spin_lock(&dd->lock);
	ref = rhashtable_lookup_fast(&dd->refs, &handle, zram_dedup_params);
	if (ref) {
		/* A dead count (1) comes back to life with both pages. */
		atomic64_add(ref->refs == 1 ? 2 : 1, &dd->shared);
		ref->refs++;
	} else {
		ref = kmalloc(sizeof(*ref), GFP_NOWAIT | __GFP_NOWARN);
		if (ref) {
			ref->handle = handle;
			ref->refs = 2;
			ref->queued = false;
			if (rhashtable_insert_fast(&dd->refs, &ref->node,
						   zram_dedup_params)) {
				kfree(ref);
				ref = NULL;
			}
		}
		if (ref)
			atomic64_add(2, &dd->shared);
		ok = ref;
	}
	if (ok)
		atomic64_add(size, &dd->saved);
	spin_unlock(&dd->lock);
	return ok;
}

/*
 * Is an object equal to @obj (@size bytes, xxh64 @hash) stored?  If so
 * it now has one more user, and its handle is in *@handle.  The caller
 * holds a compression stream (@scratch is its scratch buffer): slot
 * locks are only tried.
 */
bool zram_dedup_find(struct zram *zram, const void *obj, unsigned int size,
		     u64 hash, void *scratch, unsigned long *handle)
{
	struct zram_dedup *dd = zram->dedup;
	struct zram_dedup_index *idx;
	u32 tag = zram_dedup_tag(hash), k;
	bool found = false;
	u64 *b[2];

	rcu_read_lock();
	idx = rcu_dereference(dd->index);
	b[0] = zram_dedup_bucket(idx, tag, 0);
	b[1] = zram_dedup_bucket(idx, tag, 1);
	for (k = 0; k < 2 * ZRAM_DEDUP_WAYS && !found; k++) {
		u64 *e = &b[k / ZRAM_DEDUP_WAYS][k % ZRAM_DEDUP_WAYS];
		u64 ent = READ_ONCE(*e);
		u32 j = (u32)ent - 1;

		if (!ent || (u32)(ent >> 32) != tag ||
		    j >= zram_nr_pages(zram) || !zram_slot_trylock(zram, j))
			continue;
		if (zram_test_flag(zram, j, ZRAM_MOVING)) {
			/* Being moved: neither shareable nor stale. */
		} else if (zram_dedup_same(zram, j, obj, size, scratch)) {
			if (zram_dedup_get(dd, zram->slots[j].handle, size)) {
				*handle = zram->slots[j].handle;
				found = true;
			}
		} else if (cmpxchg(e, ent, 0) == ent) {
			/* Stale (the slot holds something else now): gone. */
			atomic_dec(&idx->used);
		}
		zram_slot_unlock(zram, j);
	}
	rcu_read_unlock();
	return found;
}

/* Slot @index (flagged ZRAM_DEDUP) stored a new object of xxh64 @hash. */
void zram_dedup_insert(struct zram *zram, u32 index, u64 hash)
{
	struct zram_dedup *dd = zram->dedup;
	u32 tag = zram_dedup_tag(hash), k, way = 2 * ZRAM_DEDUP_WAYS;
	struct zram_dedup_index *idx;
	bool grow = false;
	u64 *b[2], *e;

	rcu_read_lock();
	idx = rcu_dereference(dd->index);
	b[0] = zram_dedup_bucket(idx, tag, 0);
	b[1] = zram_dedup_bucket(idx, tag, 1);
	/*
	 * An empty entry (or this slot's own) first; only then a stale one,
	 * which costs a look at other slots (cache misses).
	 */
	for (k = 0; k < 2 * ZRAM_DEDUP_WAYS; k++) {
		u64 ent = READ_ONCE(b[k / ZRAM_DEDUP_WAYS][k % ZRAM_DEDUP_WAYS]);

		if (!ent || (u32)ent == index + 1) {
			way = k;
			break;
		}
	}
	for (k = 0; k < 2 * ZRAM_DEDUP_WAYS && way == 2 * ZRAM_DEDUP_WAYS; k++) {
		u64 ent = READ_ONCE(b[k / ZRAM_DEDUP_WAYS][k % ZRAM_DEDUP_WAYS]);

		if (!zram_dedup_live(zram, ent))
			way = k;
	}
	/* Both buckets full of live entries: one of them goes. */
	if (way == 2 * ZRAM_DEDUP_WAYS)
		way = (tag >> 16) % ZRAM_DEDUP_WAYS;
	e = &b[way / ZRAM_DEDUP_WAYS][way % ZRAM_DEDUP_WAYS];
	if (!READ_ONCE(*e))
		grow = atomic_inc_return(&idx->used) > (idx->mask + 1) / 2 &&
		       idx->mask + 1UL < dd->cap;
	WRITE_ONCE(*e, (u64)tag << 32 | (index + 1));
	rcu_read_unlock();
	if (grow && time_after(jiffies, READ_ONCE(dd->fail_at) + HZ) &&
	    !test_and_set_bit(0, &dd->growing))
		queue_work(system_unbound_wq, &dd->grow);
}

/* ---- freeing ---- */

/*
 * Slot @index (locked, flagged ZRAM_DEDUP, holding an object of @size
 * bytes) lets go of its object: true if other pages still use it (the
 * caller must not free it), false if the slot was its only user.
 */
bool zram_dedup_put(struct zram *zram, u32 index, unsigned int size)
{
	struct zram_dedup *dd = zram->dedup;
	unsigned long handle = zram->slots[index].handle;
	struct zram_dedup_ref *ref;

	if (!dd)
		return false;
	bool shared = false;

	/* No count: this slot is the only user, and stays so (see top). */
	if (!rhashtable_lookup_fast(&dd->refs, &handle, zram_dedup_params))
		return false;
	spin_lock(&dd->lock);
	ref = rhashtable_lookup_fast(&dd->refs, &handle, zram_dedup_params);
	/* A dead count (1) is this slot alone, as no count is. */
	if (ref && ref->refs >= 2) {
		shared = true;
		atomic64_sub(size, &dd->saved);
		if (--ref->refs >= 2) {
			atomic64_dec(&dd->shared);
		} else {
			atomic64_sub(2, &dd->shared);
			if (!ref->queued) {
				ref->queued = true;
				llist_add(&ref->dead, &dd->dead);
				queue_work(system_unbound_wq, &dd->reap);
			}
		}
	}
	spin_unlock(&dd->lock);
	return shared;
}

/* Do other pages share the object of slot @index (locked)? */
bool zram_dedup_shared(struct zram *zram, u32 index)
{
	unsigned long handle = zram->slots[index].handle;
	struct zram_dedup_ref *ref;

	if (!zram->dedup)
		return false;
	ref = rhashtable_lookup_fast(&zram->dedup->refs, &handle,
				     zram_dedup_params);
	return ref && READ_ONCE(ref->refs) >= 2;
}

/* ---- sysfs ---- */

/*
 * use_dedup (the name of the vendor kernels' option): 0 or 1, before
 * disksize (-EBUSY after); kept across reset, like comp_algorithm.
 */
static ssize_t use_dedup_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_zram(dev)->use_dedup);
}

static ssize_t use_dedup_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);

	return zram_store_setup_flag(zram, buf, len, &zram->use_dedup);
}

/*
 * dedup_stat, one line: pages currently sharing an object with another
 * page (a writer about to share counts as one already); bytes of pool
 * memory saved (the compressed objects not stored because a page shares
 * one, counted as compr_data_size counts them); bytes of memory the
 * index and the share counts take.
 * All 0 without use_dedup or before disksize.
 */
static ssize_t dedup_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	u64 shared = 0, saved = 0, meta = 0;
	struct zram_dedup *dd;

	down_read(&zram->init_lock);
	dd = zram->dedup;
	if (dd) {
		struct bucket_table *tbl;

		shared = atomic64_read(&dd->shared);
		saved = atomic64_read(&dd->saved);
		rcu_read_lock();
		meta = sizeof(*dd) +
		       struct_size(rcu_dereference(dd->index), ent,
				   rcu_dereference(dd->index)->mask + 1ULL);
		tbl = rcu_dereference(dd->refs.tbl);
		meta += (u64)tbl->size * sizeof(tbl->buckets[0]);
		rcu_read_unlock();
		meta += (u64)atomic_read(&dd->refs.nelems) *
			kmalloc_size_roundup(sizeof(struct zram_dedup_ref));
	}
	up_read(&zram->init_lock);
	return sysfs_emit(buf, "%8llu %8llu %8llu\n", shared, saved, meta);
}

ZRAM_ATTR_RW(use_dedup);
static DEVICE_ATTR_RO(dedup_stat);

static struct attribute *zram_dedup_attrs[] = {
	&dev_attr_use_dedup.attr,
	&dev_attr_dedup_stat.attr,
	NULL,
};

const struct attribute_group zram_dedup_attr_group = {
	.attrs = zram_dedup_attrs,
};
