// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compressed RAM block device: the device itself.
 *
 * Each PAGE_SIZE page written to /dev/zramN is compressed by a per-CPU
 * stream (zcomp) and kept in a size-class pool (zsmalloc).  Pages made
 * of one repeated machine word keep only that word; pages that do not
 * compress below the pool's huge threshold are stored raw.  With a
 * backing device, cold or raw pages can be written back to it
 * uncompressed on request (zram_wb.c) and are read from it from then on.
 *
 * The user interface is the kernel zram ABI: the same sysfs attribute
 * names, value formats and errors, under /sys/block/zramN/ and
 * /sys/class/zram-control/.
 *
 * Owns: the data path (bio and ->rw_page handling, reading and writing
 * one page, freeing slots), device set-up and reset, device creation
 * and removal, /sys/class/zram-control, module init and exit.  The list
 * of files and the lock order are in zram_drv.h; the slot rules in
 * zram_slot.h.
 *
 * Locks it takes: zram_index_mutex (device creation and removal),
 * disk->open_mutex (claiming a device for reset or removal),
 * zram->init_lock for writing (set-up and reset, after stopping the
 * tiering passes, which hold it for reading), slot locks and
 * compression streams (data path).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "zram_slot.h"
#include "zsmalloc.h"

#define ZRAM_MAX_DEVICES	1024U

static DEFINE_IDR(zram_index_idr);
/* Serialises device creation and removal. */
static DEFINE_MUTEX(zram_index_mutex);
static int zram_major;
static const struct block_device_operations zram_fops;

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of zram devices created at load (default 1, at most 1024)");

/* ---- slots ---- */

int zram_walk_slots(struct zram *zram, u32 first, u32 last,
		    unsigned int flags, zram_slot_fn fn, void *data)
{
	u64 index;
	int ret;

	for (index = first; index <= last; index++) {
		ret = fn(zram, index, data);
		if (ret)
			return ret;
		if ((flags & ZRAM_WALK_KILLABLE) && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * Free the memory (or backing block) behind a stored slot, with its
 * statistics apart from pages_stored.  The slot keeps its handle and
 * flags: the caller rewrites them.
 */
void zram_release_data(struct zram *zram, u32 index)
{
	struct zram_slot *slot = &zram->slots[index];
	struct zram_stats *st = &zram->stats;

	if (zram_test_flag(zram, index, ZRAM_SAME)) {
		atomic64_dec(&st->same_pages);
	} else if (zram_test_flag(zram, index, ZRAM_WB)) {
		zram_bd_put_slot(zram, index);
	} else {
		unsigned int size = zram_get_obj_size(zram, index);

		if (zram_test_flag(zram, index, ZRAM_HUGE))
			atomic64_dec(&st->huge_pages);
		/* Shared with other pages: the object stays, and its size. */
		if (zram_test_flag(zram, index, ZRAM_DEDUP) &&
		    zram_dedup_put(zram, index, size))
			return;
		atomic64_sub(size, &st->compr_data_size);
		zsm_free(zram->pool, slot->handle);
	}
}

/*
 * Release whatever slot @index holds and make it empty.  Called with the
 * slot locked (or with the device torn down, see zram_slot.h).
 */
void zram_free_slot(struct zram *zram, u32 index)
{
	struct zram_slot *slot = &zram->slots[index];

	if (!zram_slot_allocated(zram, index))
		return;

	zram_release_data(zram, index);
	atomic64_dec(&zram->stats.pages_stored);
	slot->handle = 0;
	/*
	 * Keep only the lock bit and the writeback generation: no size,
	 * flags, idle mark or time.  This also clears ZRAM_MOVING, which
	 * tells a writeback or recompression in flight that the page it
	 * copied is gone.
	 */
	slot->flags &= BIT(ZRAM_SLOT_LOCK) | ZRAM_WB_GEN_MASK;
}

/* ---- page-level data path ---- */

static bool page_same_filled(const void *mem, unsigned long *word)
{
	const unsigned long *p = mem;
	unsigned long first = p[0];
	unsigned int i;

	/* The last word differs most often in real data: look there first. */
	if (p[PAGE_SIZE / sizeof(*p) - 1] != first)
		return false;
	for (i = 1; i < PAGE_SIZE / sizeof(*p) - 1; i++)
		if (p[i] != first)
			return false;
	*word = first;
	return true;
}

/* Raise @max to @val if it is below (a peak counter; any context). */
void zram_stat_max(atomic_long_t *max, long val)
{
	long old = atomic_long_read(max);

	while (val > old && !atomic_long_try_cmpxchg(max, &old, val))
		;
}

void zram_update_used_max(struct zram *zram, unsigned long pages)
{
	zram_stat_max(&zram->stats.max_used_pages, pages);
}

/* Fill @page from slot @index; the slot must be locked. */
int zram_read_slot_locked(struct zram *zram, u32 index, struct page *page)
{
	struct zram_slot *slot = &zram->slots[index];
	struct zcomp_stream *zstrm;
	struct zcomp *comp;
	unsigned int size;
	const void *src;
	void *dst;
	int ret = 0;

	dst = kmap_local_page(page);
	if (!zram_slot_allocated(zram, index)) {
		memset(dst, 0, PAGE_SIZE);
		goto out;
	}
	if (zram_test_flag(zram, index, ZRAM_SAME)) {
		memset_l(dst, slot->handle, PAGE_SIZE / sizeof(unsigned long));
		goto out;
	}

	/* Always the algorithm that compressed this object. */
	comp = zram->comps[zram_get_prio(zram, index)];
	size = zram_get_obj_size(zram, index);
	zstrm = zcomp_stream_get(comp);
	src = zsm_read_begin(zram->pool, slot->handle, zstrm->scratch);
	if (size == PAGE_SIZE)
		memcpy(dst, src, PAGE_SIZE);
	else
		ret = zcomp_decompress(comp, zstrm, src, size, dst);
	zsm_read_end(zram->pool, slot->handle, src);
	zcomp_stream_put(comp);
out:
	kunmap_local(dst);
	flush_dcache_page(page);
	return ret;
}

/*
 * Fill @page from slot @index.  A written-back page is read from the
 * backing device: with @parent, by a bio chained to it (the page is
 * filled when @parent completes, not on return); without, here.
 */
static int zram_read_page(struct zram *zram, struct page *page, u32 index,
			  struct bio *parent)
{
	int ret;

	zram_slot_lock(zram, index);
	if (zram_test_flag(zram, index, ZRAM_WB))
		ret = zram_read_from_bd(zram, index, page, parent);
	else
		ret = zram_read_slot_locked(zram, index, page);
	/* An empty slot keeps no time (see zram_drv.h). */
	if (zram_slot_allocated(zram, index))
		zram_accessed(zram, index);
	zram_slot_unlock(zram, index);
	if (ret)
		pr_err_ratelimited("zram%d: reading page %u failed: %d\n",
				   zram->id, index, ret);
	return ret;
}

static void zram_store_same(struct zram *zram, u32 index, unsigned long word)
{
	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram_set_flag(zram, index, ZRAM_SAME);
	zram->slots[index].handle = word;
	zram_accessed(zram, index);
	zram_slot_unlock(zram, index);

	atomic64_inc(&zram->stats.same_pages);
	atomic64_inc(&zram->stats.pages_stored);
}

/* Slot @index shares @handle, an object of @size bytes (zram_dedup.c). */
static void zram_store_shared(struct zram *zram, u32 index,
			      unsigned long handle, unsigned int size, bool huge)
{
	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram->slots[index].handle = handle;
	zram_set_obj_size(zram, index, size);
	zram_set_flag(zram, index, ZRAM_DEDUP);
	if (huge)
		zram_set_flag(zram, index, ZRAM_HUGE);
	zram_accessed(zram, index);
	zram_slot_unlock(zram, index);

	/* compr_data_size is real memory: the object is counted once. */
	if (huge) {
		atomic64_inc(&zram->stats.huge_pages);
		atomic64_inc(&zram->stats.huge_pages_since);
	}
	atomic64_inc(&zram->stats.pages_stored);
}

/*
 * With use_dedup: the object of the page about to be stored (@comp_len
 * bytes, the stream's output or, @huge, the page itself) is hashed into
 * *@hash; true if an equal one is stored, whose handle is in *@shared.
 */
static bool zram_write_dedup(struct zram *zram, struct zcomp_stream *zstrm,
			     struct page *page, unsigned int comp_len,
			     bool huge, u64 *hash, unsigned long *shared)
{
	const void *obj = huge ? kmap_local_page(page) : zstrm->out;
	bool found;

	*hash = zram_dedup_hash(obj, comp_len);
	found = zram_dedup_find(zram, obj, comp_len, *hash, zstrm->scratch,
				shared);
	if (huge)
		kunmap_local(obj);
	return found;
}

static int zram_write_page(struct zram *zram, struct page *page, u32 index)
{
	unsigned long handle = 0, word, pool_pages, shared;
	unsigned int comp_len, handle_len = 0;
	unsigned long limit = READ_ONCE(zram->limit_pages);
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	struct zcomp_stream *zstrm;
	bool same, huge;
	u64 hash = 0;
	void *mem;
	int ret;

	mem = kmap_local_page(page);
	same = page_same_filled(mem, &word);
	kunmap_local(mem);
	if (same) {
		zram_store_same(zram, index, word);
		return 0;
	}

again:
	zstrm = zcomp_stream_get(comp);
	mem = kmap_local_page(page);
	ret = zcomp_compress(comp, zstrm, mem, &comp_len);
	kunmap_local(mem);
	if (unlikely(ret)) {
		/* Nothing is lost: the page is stored as it is. */
		pr_warn_ratelimited("zram%d: compression failed (%d), page %u stored raw\n",
				    zram->id, ret, index);
		comp_len = PAGE_SIZE;
	}

	huge = comp_len >= zram->huge_class_size;
	if (huge)
		comp_len = PAGE_SIZE;

	if (zram->dedup && zram_write_dedup(zram, zstrm, page, comp_len, huge,
					    &hash, &shared)) {
		zcomp_stream_put(comp);
		if (handle)
			zsm_free(zram->pool, handle);
		zram_store_shared(zram, index, shared, comp_len, huge);
		return 0;
	}

	if (handle && comp_len != handle_len) {
		/* Cannot happen with a deterministic backend; be safe. */
		zsm_free(zram->pool, handle);
		handle = 0;
	}
	if (!handle) {
		ret = zsm_malloc(zram->pool, comp_len,
				 GFP_NOWAIT | __GFP_NOWARN, &handle);
		if (ret) {
			/*
			 * No memory without sleeping: give the stream back,
			 * allocate the slow way, and compress again since
			 * another writer may have used the stream meanwhile.
			 */
			zcomp_stream_put(comp);
			atomic64_inc(&zram->stats.writestall);
			ret = zsm_malloc(zram->pool, comp_len,
					 GFP_NOIO | __GFP_NOWARN, &handle);
			if (ret)
				return ret;
			handle_len = comp_len;
			goto again;
		}
	}

	pool_pages = zsm_get_total_pages(zram->pool);
	zram_update_used_max(zram, pool_pages);
	if (limit && pool_pages > limit) {
		zcomp_stream_put(comp);
		ret = -ENOMEM;
		goto err_free;
	}

	if (huge) {
		mem = kmap_local_page(page);
		zsm_write(zram->pool, handle, mem, PAGE_SIZE);
		kunmap_local(mem);
	} else {
		zsm_write(zram->pool, handle, zstrm->out, comp_len);
	}
	zcomp_stream_put(comp);

	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram->slots[index].handle = handle;
	zram_set_obj_size(zram, index, comp_len);
	if (huge)
		zram_set_flag(zram, index, ZRAM_HUGE);
	if (zram->dedup)
		zram_set_flag(zram, index, ZRAM_DEDUP);
	zram_accessed(zram, index);
	zram_slot_unlock(zram, index);
	if (zram->dedup)
		zram_dedup_insert(zram, index, hash);

	if (huge) {
		atomic64_inc(&zram->stats.huge_pages);
		atomic64_inc(&zram->stats.huge_pages_since);
	}
	atomic64_add(comp_len, &zram->stats.compr_data_size);
	atomic64_inc(&zram->stats.pages_stored);
	return 0;

err_free:
	if (handle)
		zsm_free(zram->pool, handle);
	return ret;
}

/*
 * Read or write @len bytes at byte @off of device page @index, from or
 * to @page at @page_off: the whole page (straight through; a read of
 * a written-back page is chained to @parent when there is one) or a
 * part of it (a read-modify-write through a bounce page, synchronous).
 */
static int zram_rw_in_page(struct zram *zram, struct page *page,
			   unsigned int page_off, unsigned int len,
			   u32 index, unsigned int off, bool write,
			   struct bio *parent)
{
	struct page *bounce;
	void *dst, *src;
	int ret;

	if (len == PAGE_SIZE)
		return write ? zram_write_page(zram, page, index) :
			       zram_read_page(zram, page, index, parent);

	bounce = alloc_page(GFP_NOIO);
	if (!bounce)
		return -ENOMEM;
	ret = zram_read_page(zram, bounce, index, NULL);
	if (ret)
		goto out;

	if (write) {
		src = kmap_local_page(page);
		dst = kmap_local_page(bounce);
		memcpy(dst + off, src + page_off, len);
		kunmap_local(dst);
		kunmap_local(src);
		ret = zram_write_page(zram, bounce, index);
	} else {
		src = kmap_local_page(bounce);
		dst = kmap_local_page(page);
		memcpy(dst + page_off, src + off, len);
		kunmap_local(dst);
		kunmap_local(src);
		flush_dcache_page(page);
	}
out:
	__free_page(bounce);
	return ret;
}

static bool zram_io_valid(struct zram *zram, sector_t sector,
			  unsigned int size)
{
	u64 start = (u64)sector << SECTOR_SHIFT;

	if (!IS_ALIGNED(start, ZRAM_LOGICAL_BLOCK_SIZE) ||
	    !IS_ALIGNED(size, ZRAM_LOGICAL_BLOCK_SIZE))
		return false;
	return start <= zram->disksize && size <= zram->disksize - start;
}

/*
 * Read or write the bytes of @bio that @iter covers (all of a bio or
 * one part of it, see zram_par.c), page by page, in the caller's
 * context.  Stops at the first error and returns it (zram_bio_rw()
 * counts it, once per bio).
 */
int zram_bio_rw_iter(struct zram *zram, struct bio *bio,
		     struct bvec_iter iter, bool write)
{
	struct bvec_iter it;
	struct bio_vec bv;

	__bio_for_each_segment(bv, bio, it, iter) {
		unsigned int done = 0;

		while (done < bv.bv_len) {
			u64 pos = ((u64)it.bi_sector << SECTOR_SHIFT) + done;
			u32 index = pos >> PAGE_SHIFT;
			unsigned int off = offset_in_page(pos);
			unsigned int len = min_t(unsigned int,
						 bv.bv_len - done,
						 PAGE_SIZE - off);
			int ret;

			ret = zram_rw_in_page(zram, bv.bv_page,
					      bv.bv_offset + done, len,
					      index, off, write, bio);
			if (ret)
				return ret;
			done += len;
		}
		cond_resched();
	}
	return 0;
}

/*
 * DISCARD frees the whole pages in the range and leaves partial ones
 * alone (discarded data reads back as anything).  WRITE_ZEROES must
 * read back as zeros, so its partial pages are zeroed in place.
 */
static int zram_bio_discard_or_zero(struct zram *zram, struct bio *bio,
				    bool zeroes)
{
	u64 pos = (u64)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	u64 end = pos + bio->bi_iter.bi_size;
	struct page *zero = ZERO_PAGE(0);

	while (pos < end) {
		u32 index = pos >> PAGE_SHIFT;
		unsigned int off = offset_in_page(pos);
		unsigned int len = min_t(u64, end - pos, PAGE_SIZE - off);

		if (len == PAGE_SIZE) {
			zram_slot_lock(zram, index);
			zram_free_slot(zram, index);
			zram_slot_unlock(zram, index);
			/* Each whole page counts, stored or not (zram ABI). */
			atomic64_inc(&zram->stats.notify_free);
		} else if (zeroes) {
			int ret = zram_rw_in_page(zram, zero, 0, len, index,
						  off, true, NULL);

			if (ret) {
				atomic64_inc(&zram->stats.failed_writes);
				return ret;
			}
		}
		pos += len;
		cond_resched();
	}
	return 0;
}

static void zram_submit_bio(struct bio *bio)
{
	struct zram *zram = bio->bi_bdev->bd_disk->private_data;
	unsigned long start;
	int ret = 0;

	if (bio_op(bio) == REQ_OP_FLUSH) {
		bio_endio(bio);
		return;
	}
	if (!zram_io_valid(zram, bio->bi_iter.bi_sector,
			   bio->bi_iter.bi_size)) {
		atomic64_inc(&zram->stats.invalid_io);
		bio_io_error(bio);
		return;
	}

	start = bio_start_io_acct(bio);
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		if (zram_par_readahead(zram, bio, start))
			return;
		ret = zram_bio_rw(zram, bio, false);
		break;
	case REQ_OP_WRITE:
		ret = zram_bio_rw(zram, bio, true);
		break;
	case REQ_OP_DISCARD:
		ret = zram_bio_discard_or_zero(zram, bio, false);
		break;
	case REQ_OP_WRITE_ZEROES:
		ret = zram_bio_discard_or_zero(zram, bio, true);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	bio_end_io_acct(bio, start);

	/*
	 * Whatever failed (memory, mem_limit, corrupt data), the caller sees
	 * an I/O error, as with the kernel's zram; io_stat has the detail.
	 * Reads of written-back pages chained to @bio may still be in
	 * flight: it completes when the last of them has.
	 */
	if (ret)
		cmpxchg(&bio->bi_status, BLK_STS_OK, BLK_STS_IOERR);
	bio_endio(bio);
}

/*
 * @bio failed (here or in a backing-device read chained to it): it
 * ends with an I/O error, and counts once in failed_reads or
 * failed_writes however many of its pages failed, as with the kernel's
 * zram.  Any context.
 */
void zram_bio_fail(struct zram *zram, struct bio *bio, bool write)
{
	if (cmpxchg(&bio->bi_status, BLK_STS_OK, BLK_STS_IOERR) == BLK_STS_OK)
		atomic64_inc(write ? &zram->stats.failed_writes :
				     &zram->stats.failed_reads);
}

static void zram_slot_free_notify(struct block_device *bdev,
				  unsigned long index)
{
	struct zram *zram = bdev->bd_disk->private_data;

	/* Every notification counts, as with the kernel's zram. */
	atomic64_inc(&zram->stats.notify_free);
	/* Called under the swap device's spinlock: never spin here. */
	if (!zram_slot_trylock(zram, index)) {
		atomic64_inc(&zram->stats.miss_free);
		return;
	}
	zram_free_slot(zram, index);
	zram_slot_unlock(zram, index);
}

/* Is @page the page cache's (not anonymous, nor swap's)? */
static bool zram_page_cache_page(struct page *page)
{
	struct folio *folio = page_folio(page);

	return folio->mapping && !folio_test_anon(folio) &&
	       !folio_test_swapcache(folio);
}

/*
 * Synchronous single-page I/O for kernels that still have ->rw_page
 * (swap then skips the bio path).  An error makes the caller fall back
 * to a bio, so only success completes the page here.
 */
static int __maybe_unused zram_rw_page(struct block_device *bdev,
				       sector_t sector, struct page *page,
				       enum req_op op)
{
	struct zram *zram = bdev->bd_disk->private_data;
	bool write = op_is_write(op);
	unsigned long start;
	u32 index;
	int ret;

	/* A THP goes the bio way, page by page: not an error. */
	if (PageTransHuge(page))
		return -EOPNOTSUPP;
	if (!zram_io_valid(zram, sector, PAGE_SIZE) ||
	    !IS_ALIGNED(sector, ZRAM_SECTORS_PER_PAGE)) {
		atomic64_inc(&zram->stats.invalid_io);
		return -EINVAL;
	}
	index = sector >> ZRAM_SECTORS_PER_PAGE_SHIFT;
	/*
	 * A page-cache read (the device's own or a filesystem's file data;
	 * swap's pages are anonymous, in the swap cache or in no mapping)
	 * goes the bio way: the page starts a bio that readahead then
	 * fills, and zram_par.c may read it on another CPU.  A written-back
	 * page goes the bio way too: there its read is chained, so swap
	 * readahead overlaps its reads.
	 */
	if (!write && zram_page_cache_page(page))
		return -EOPNOTSUPP;
	if (!write) {
		bool wb;

		zram_slot_lock(zram, index);
		wb = zram_test_flag(zram, index, ZRAM_WB);
		zram_slot_unlock(zram, index);
		if (wb)
			return -EOPNOTSUPP;
	}
	start = zram_compat_rw_page_acct_start(bdev, op);
	ret = write ? zram_write_page(zram, page, index) :
		      zram_read_page(zram, page, index, NULL);
	zram_compat_rw_page_acct_end(bdev, op, start);
	/* Not counted: the caller retries through a bio, which counts. */
	if (ret)
		return ret;
	zram_compat_page_endio(page, write);
	return 0;
}

static int zram_open(struct gendisk *disk)
{
	struct zram *zram = disk->private_data;

	/* disk->open_mutex is held: claim cannot change under us. */
	return zram->claim ? -EBUSY : 0;
}
ZRAM_COMPAT_BDOPS_OPEN(zram_open)

static const struct block_device_operations zram_fops = {
	.owner = THIS_MODULE,
	.open = zram_open_bdops,
	.submit_bio = zram_submit_bio,
	.swap_slot_free_notify = zram_slot_free_notify,
	ZRAM_COMPAT_BDOPS_RW_PAGE(zram_rw_page)
};

/* Is @bdev one of our devices?  (They must not back each other.) */
bool zram_is_zram_bdev(struct block_device *bdev)
{
	return bdev->bd_disk->fops == &zram_fops;
}

/* ---- set-up and tear-down ---- */

/* Back to no level and no dictionary. */
void zram_conf_reset(struct zcomp_conf *conf)
{
	vfree(conf->dict);
	memset(conf, 0, sizeof(*conf));
	conf->level = ZCOMP_LEVEL_DEFAULT;
}

/*
 * Choose algorithm @name ("" for none) for slot @prio; its parameters
 * start over.  Only on an uninitialized device.
 */
void zram_set_alg(struct zram *zram, unsigned int prio, const char *name)
{
	strscpy(zram->comp_algs[prio], name, ZRAM_MAX_ALG_NAME);
	zram_conf_reset(&zram->comp_conf[prio]);
}

/*
 * No recompression algorithms and no parameters anywhere; the primary
 * algorithm stays.  Only on an uninitialized device.
 */
static void zram_drop_recomp(struct zram *zram)
{
	unsigned int prio;

	zram_conf_reset(&zram->comp_conf[ZRAM_PRIMARY_COMP]);
	for (prio = 1; prio < ZRAM_MAX_COMPS; prio++)
		zram_set_alg(zram, prio, "");
}

/* Walk step for tear-down: no slot locks (see zram_slot.h, rule 1). */
static int zram_free_slot_unlocked(struct zram *zram, u32 index, void *data)
{
	zram_free_slot(zram, index);
	return 0;
}

static void zram_free_all(struct zram *zram)
{
	unsigned int i;

	if (zram->slots) {
		if (zram->disksize)
			zram_walk_slots(zram, 0, zram_nr_pages(zram) - 1, 0,
					zram_free_slot_unlocked, NULL);
		/* Its grow work looks at the slots. */
		zram_dedup_destroy(zram);
		vfree(zram->slots);
		zram->slots = NULL;
	}
	for (i = 0; i < ZRAM_MAX_COMPS; i++) {
		if (zram->comps[i]) {
			zcomp_destroy(zram->comps[i]);
			zram->comps[i] = NULL;
		}
	}
	if (zram->pool) {
		zsm_destroy_pool(zram->pool);
		zram->pool = NULL;
	}
}

/*
 * Free everything the device stores and make it uninitialized; the
 * tiering policy stops and goes back to off.
 */
void zram_reset_device(struct zram *zram)
{
	/* A tiering pass holds init_lock: end it first (zram_tier.c). */
	zram_tier_stop(zram);
	down_write(&zram->init_lock);
	set_capacity_and_notify(zram->disk, 0);
	/*
	 * Readahead with a worker, and reads of written-back pages, may
	 * still decompress with our streams.
	 */
	zram_par_quiesce(zram);
	zram_bd_quiesce(zram);
	zram_free_all(zram);
	zram->init_done = false;
	zram->disksize = 0;
	WRITE_ONCE(zram->limit_pages, 0);
	zram->huge_class_size = 0;
	/* Written-back slots are gone: the backing device can go too. */
	zram_bd_close(zram);
	spin_lock(&zram->bd.limit_lock);
	zram->bd.limit_enable = false;
	zram->bd.limit = 0;
	spin_unlock(&zram->bd.limit_lock);
	memset(&zram->stats, 0, sizeof(zram->stats));
	zram_tier_reset(zram);
	/*
	 * The primary algorithm survives a reset, as with the kernel's zram
	 * of 6.1; recompression algorithms and all algorithm parameters go
	 * back to none, as with later kernels.
	 */
	zram_drop_recomp(zram);
	up_write(&zram->init_lock);
}

int zram_setup(struct zram *zram, u64 disksize)
{
	unsigned long nr_pages = disksize >> PAGE_SHIFT;
	unsigned int i;
	char name[16];
	int ret;

	snprintf(name, sizeof(name), "zram%d", zram->id);
	zram->slots = __vmalloc(array_size(nr_pages, sizeof(*zram->slots)),
				GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!zram->slots)
		return -ENOMEM;
	zram->pool = zsm_create_pool(name);
	if (!zram->pool) {
		ret = -ENOMEM;
		goto err;
	}
	zram->huge_class_size = zsm_huge_class_size(zram->pool);
	if (zram->use_dedup) {
		ret = zram_dedup_create(zram, nr_pages);
		if (ret)
			goto err;
	}

	for (i = 0; i < ZRAM_MAX_COMPS; i++) {
		struct zcomp *comp;

		if (!zram->comp_algs[i][0])
			continue;
		comp = zcomp_create(zram->comp_algs[i], &zram->comp_conf[i]);
		if (IS_ERR(comp)) {
			ret = PTR_ERR(comp);
			pr_err("zram%d: cannot set up %s: %d\n", zram->id,
			       zram->comp_algs[i], ret);
			goto err;
		}
		zram->comps[i] = comp;
	}
	zram->disksize = disksize;
	return 0;
err:
	zram_free_all(zram);
	return ret;
}

/*
 * Mark the device busy for reset or removal: refused while anybody has
 * it open.  New opens fail with -EBUSY until zram_unclaim().
 */
int zram_claim(struct zram *zram)
{
	struct gendisk *disk = zram->disk;
	int ret = 0;

	mutex_lock(&disk->open_mutex);
	if (disk_openers(disk) || zram->claim)
		ret = -EBUSY;
	else
		zram->claim = true;
	mutex_unlock(&disk->open_mutex);
	return ret;
}

void zram_unclaim(struct zram *zram)
{
	mutex_lock(&zram->disk->open_mutex);
	zram->claim = false;
	mutex_unlock(&zram->disk->open_mutex);
}

/* ---- device creation and removal ---- */

static const struct zram_compat_queue_cfg zram_queue_cfg = {
	.logical_block_size = ZRAM_LOGICAL_BLOCK_SIZE,
	.physical_block_size = PAGE_SIZE,
	.io_min = PAGE_SIZE,
	.io_opt = PAGE_SIZE,
	.discard_granularity = PAGE_SIZE,
	.max_discard_sectors = UINT_MAX,
	.max_write_zeroes_sectors = UINT_MAX,
	.synchronous = true,
	.stable_writes = true,
};

const struct attribute_group *zram_disk_groups[] = {
	&zram_core_attr_group,
	&zram_wb_attr_group,
	&zram_recomp_attr_group,
	&zram_tier_attr_group,
	&zram_dedup_attr_group,
	NULL,
};

/* Create a device; returns its id or a negative errno. */
static int zram_add(void)
{
	struct zram *zram;
	int ret;

	zram = kzalloc(sizeof(*zram), GFP_KERNEL);
	if (!zram)
		return -ENOMEM;
	init_rwsem(&zram->init_lock);
	mutex_init(&zram->move_lock);
	zram->wb_batch_size = ZRAM_WB_BATCH_DEFAULT;
	spin_lock_init(&zram->bd.limit_lock);
	zram_set_alg(zram, ZRAM_PRIMARY_COMP, ZRAM_DEFAULT_COMP);
	zram_drop_recomp(zram);

	ret = idr_alloc(&zram_index_idr, zram, 0, ZRAM_MAX_DEVICES, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	zram->id = ret;
	ret = zram_tier_init(zram);
	if (ret)
		goto err_tier;

	zram->disk = zram_compat_alloc_disk(&zram_queue_cfg, NUMA_NO_NODE);
	if (IS_ERR(zram->disk)) {
		ret = PTR_ERR(zram->disk);
		goto err_tier;
	}
	zram->disk->major = zram_major;
	zram->disk->first_minor = zram->id;
	zram->disk->minors = 1;
	zram->disk->flags |= GENHD_FL_NO_PART;
	zram->disk->fops = &zram_fops;
	zram->disk->private_data = zram;
	snprintf(zram->disk->disk_name, DISK_NAME_LEN, "zram%d", zram->id);
	set_capacity(zram->disk, 0);

	ret = device_add_disk(NULL, zram->disk, zram_disk_groups);
	if (ret)
		goto err_disk;
	zram_debugfs_add(zram);
	pr_info("added device zram%d\n", zram->id);
	return zram->id;

err_disk:
	put_disk(zram->disk);
err_tier:
	zram_tier_destroy(zram);
	idr_remove(&zram_index_idr, zram->id);
err_free:
	kfree(zram);
	return ret;
}

/* Remove a device; with @force (module exit) the open check is skipped. */
static int zram_remove(struct zram *zram, bool force)
{
	int ret = zram_claim(zram);

	if (ret && !force)
		return ret;
	/*
	 * del_gendisk() waits for sysfs writers: a "tiering" write running
	 * a pass ends at its next step.
	 */
	zram_tier_stop(zram);
	zram_debugfs_remove(zram);
	del_gendisk(zram->disk);
	/* No opener and no more I/O: tear down without the slot locks. */
	zram_reset_device(zram);
	zram_tier_destroy(zram);
	put_disk(zram->disk);
	pr_info("removed device zram%d\n", zram->id);
	kfree(zram);
	return 0;
}

/* ---- /sys/class/zram-control ---- */

static ssize_t hot_add_show(ZRAM_COMPAT_CLASS_CONST struct class *class,
			    ZRAM_COMPAT_CLASS_CONST struct class_attribute *attr,
			    char *buf)
{
	int ret;

	mutex_lock(&zram_index_mutex);
	ret = zram_add();
	mutex_unlock(&zram_index_mutex);
	if (ret < 0)
		return ret;
	return sysfs_emit(buf, "%d\n", ret);
}
/* Reading creates a device: keep it from casual readers (mode 0400). */
static struct class_attribute class_attr_hot_add =
	__ATTR(hot_add, 0400, hot_add_show, NULL);

static ssize_t hot_remove_store(ZRAM_COMPAT_CLASS_CONST struct class *class,
				ZRAM_COMPAT_CLASS_CONST struct class_attribute *attr,
				const char *buf, size_t count)
{
	struct zram *zram;
	int ret, id;

	if (zram_input_has_nul(buf, count))
		return -EINVAL;
	ret = kstrtoint(buf, 10, &id);
	if (ret)
		return ret;
	if (id < 0)
		return -EINVAL;

	mutex_lock(&zram_index_mutex);
	zram = idr_find(&zram_index_idr, id);
	if (!zram) {
		ret = -ENODEV;
	} else {
		ret = zram_remove(zram, false);
		if (!ret)
			idr_remove(&zram_index_idr, id);
	}
	mutex_unlock(&zram_index_mutex);
	return ret ? ret : count;
}
static CLASS_ATTR_WO(hot_remove);

static struct attribute *zram_control_class_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zram_control_class);

static struct class zram_control_class = {
	.name = "zram-control",
	.class_groups = zram_control_class_groups,
};

/* ---- module ---- */

static int zram_remove_cb(int id, void *ptr, void *data)
{
	WARN_ON_ONCE(zram_remove(ptr, true));
	return 0;
}

static void zram_destroy_devices(void)
{
	mutex_lock(&zram_index_mutex);
	idr_for_each(&zram_index_idr, zram_remove_cb, NULL);
	idr_destroy(&zram_index_idr);
	mutex_unlock(&zram_index_mutex);
}

static int __init zram_init(void)
{
	unsigned int i;
	int ret;

	/* The access time owns the upper half of a slot's flags word. */
	BUILD_BUG_ON(__NR_ZRAM_SLOT_FLAGS > ZRAM_ACTIME_SHIFT);
	BUILD_BUG_ON(ZRAM_ACTIME_SHIFT + 32 > BITS_PER_LONG);

	if (num_devices > ZRAM_MAX_DEVICES) {
		pr_err("num_devices %u exceeds %u\n", num_devices,
		       ZRAM_MAX_DEVICES);
		return -EINVAL;
	}

	ret = zcomp_init();
	if (ret)
		return ret;
	ret = zram_par_init();
	if (ret)
		goto err_zcomp;
	ret = zram_tier_module_init();
	if (ret)
		goto err_par;
	ret = class_register(&zram_control_class);
	if (ret)
		goto err_tier;
	zram_major = register_blkdev(0, "zram");
	if (zram_major <= 0) {
		ret = zram_major ? zram_major : -EBUSY;
		goto err_class;
	}
	zram_debugfs_init();

	for (i = 0; i < num_devices; i++) {
		mutex_lock(&zram_index_mutex);
		ret = zram_add();
		mutex_unlock(&zram_index_mutex);
		if (ret < 0)
			goto err_devices;
	}
	return 0;

err_devices:
	zram_destroy_devices();
	zram_debugfs_exit();
	unregister_blkdev(zram_major, "zram");
err_class:
	class_unregister(&zram_control_class);
err_tier:
	zram_tier_module_exit();
err_par:
	zram_par_exit();
err_zcomp:
	zcomp_exit();
	return ret;
}

static void __exit zram_exit(void)
{
	/* No new devices from hot_add once the class is gone. */
	class_unregister(&zram_control_class);
	zram_destroy_devices();
	zram_debugfs_exit();
	unregister_blkdev(zram_major, "zram");
	zram_tier_module_exit();
	zram_par_exit();
	zcomp_exit();
}

module_init(zram_init);
module_exit(zram_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Compressed RAM block device (out-of-tree)");
MODULE_VERSION(ZRAM_OOT_VERSION);
