// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compressed RAM block device.
 *
 * Each PAGE_SIZE page written to /dev/zramN is compressed by a per-CPU
 * stream (zcomp) and kept in a size-class pool (zsmalloc).  Pages made
 * of one repeated machine word keep only that word; pages that do not
 * compress below the pool's huge threshold are stored raw.  With a
 * backing device, cold or raw pages can be written back to it
 * uncompressed on request (writeback) and are read from it from then on.
 *
 * The user interface is the kernel zram ABI: the same sysfs attribute
 * names, value formats and errors, under /sys/block/zramN/ and
 * /sys/class/zram-control/.
 */

#include <linux/bio.h>
#include <linux/bit_spinlock.h>
#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "zram_drv.h"
#include "zsmalloc.h"

#define ZRAM_MAX_DEVICES	1024U

static DEFINE_IDR(zram_index_idr);
/* Serialises device creation and removal. */
static DEFINE_MUTEX(zram_index_mutex);
static int zram_major;
/* Reads from backing devices issued from inside our ->submit_bio. */
static struct workqueue_struct *zram_bd_wq;
static const struct block_device_operations zram_fops;

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of zram devices created at load (default 1, at most 1024)");

static inline struct zram *dev_to_zram(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

/* ---- slot helpers ---- */

static void zram_slot_lock(struct zram *zram, u32 index)
	__acquires(&zram->slots[index])
{
	bit_spin_lock(ZRAM_SLOT_LOCK, &zram->slots[index].flags);
}

/*
 * The trylock nets out its own context change so that sparse sees the
 * acquisition in the caller, through __cond_lock(), only when it worked.
 */
static bool __zram_slot_trylock(struct zram *zram, u32 index)
{
	if (!bit_spin_trylock(ZRAM_SLOT_LOCK, &zram->slots[index].flags))
		return false;
	__release(&zram->slots[index]);
	return true;
}

#define zram_slot_trylock(zram, index)					\
	__cond_lock(&(zram)->slots[index], __zram_slot_trylock(zram, index))

static void zram_slot_unlock(struct zram *zram, u32 index)
	__releases(&zram->slots[index])
{
	bit_spin_unlock(ZRAM_SLOT_LOCK, &zram->slots[index].flags);
}

static bool zram_test_flag(struct zram *zram, u32 index,
			   enum zram_slot_flag flag)
{
	return zram->slots[index].flags & BIT(flag);
}

static void zram_set_flag(struct zram *zram, u32 index,
			  enum zram_slot_flag flag)
{
	zram->slots[index].flags |= BIT(flag);
}

static void zram_clear_flag(struct zram *zram, u32 index,
			    enum zram_slot_flag flag)
{
	zram->slots[index].flags &= ~BIT(flag);
}

static unsigned int zram_get_obj_size(struct zram *zram, u32 index)
{
	return zram->slots[index].flags & (BIT(ZRAM_FLAG_SHIFT) - 1);
}

static void zram_next_wb_gen(struct zram *zram, u32 index)
{
	unsigned long flags = zram->slots[index].flags;
	unsigned long gen = flags + BIT(ZRAM_WB_GEN);

	zram->slots[index].flags = (flags & ~ZRAM_WB_GEN_MASK) |
				   (gen & ZRAM_WB_GEN_MASK);
}

static unsigned int zram_get_prio(struct zram *zram, u32 index)
{
	return (zram->slots[index].flags >> ZRAM_PRIO) & 3;
}

static void zram_set_prio(struct zram *zram, u32 index, unsigned int prio)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= ~(3UL << ZRAM_PRIO);
	zram->slots[index].flags = flags | (unsigned long)prio << ZRAM_PRIO;
}

static void zram_set_obj_size(struct zram *zram, u32 index, unsigned int size)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= ~(BIT(ZRAM_FLAG_SHIFT) - 1);
	zram->slots[index].flags = flags | size;
}

/* Boot-time seconds, truncated to the 32 bits a slot keeps. */
static u32 zram_now(void)
{
	return (u32)ktime_get_boottime_seconds();
}

static u32 zram_get_actime(struct zram *zram, u32 index)
{
	return zram->slots[index].flags >> ZRAM_ACTIME_SHIFT;
}

static void zram_set_actime(struct zram *zram, u32 index, u32 secs)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= BIT(ZRAM_ACTIME_SHIFT) - 1;
	zram->slots[index].flags = flags | (unsigned long)secs << ZRAM_ACTIME_SHIFT;
}

/* The slot (locked) was just written or read: not idle, new time. */
static void zram_accessed(struct zram *zram, u32 index)
{
	zram_clear_flag(zram, index, ZRAM_IDLE);
	zram_set_actime(zram, index, zram_now());
}

static bool zram_slot_allocated(struct zram *zram, u32 index)
{
	return zram->slots[index].handle ||
	       zram_test_flag(zram, index, ZRAM_SAME) ||
	       zram_test_flag(zram, index, ZRAM_WB);
}

/* Give block @blk of the backing device back (any context). */
static void zram_bd_release(struct zram *zram, unsigned long blk)
{
	clear_bit(blk, zram->bd.bitmap);
}

/*
 * Free the memory (or backing block) behind a stored slot, with its
 * statistics apart from pages_stored.  The slot keeps its handle and
 * flags: the caller rewrites them.
 */
static void zram_release_data(struct zram *zram, u32 index)
{
	struct zram_slot *slot = &zram->slots[index];
	struct zram_stats *st = &zram->stats;

	if (zram_test_flag(zram, index, ZRAM_SAME)) {
		atomic64_dec(&st->same_pages);
	} else if (zram_test_flag(zram, index, ZRAM_WB)) {
		zram_bd_release(zram, slot->handle);
		atomic64_dec(&st->bd_count);
	} else {
		if (zram_test_flag(zram, index, ZRAM_HUGE))
			atomic64_dec(&st->huge_pages);
		atomic64_sub(zram_get_obj_size(zram, index),
			     &st->compr_data_size);
		zsm_free(zram->pool, slot->handle);
	}
}

/*
 * Release whatever slot @index holds and make it empty.  Called with the
 * slot locked (or with the device torn down, see zram_drv.h).
 */
static void zram_free_slot(struct zram *zram, u32 index)
{
	struct zram_slot *slot = &zram->slots[index];

	if (!zram_slot_allocated(zram, index))
		return;

	zram_release_data(zram, index);
	atomic64_dec(&zram->stats.pages_stored);
	slot->handle = 0;
	/*
	 * Keep only the lock bit and the writeback generation: no size,
	 * flags, idle mark or time.  This also clears ZRAM_PP, which tells
	 * a writeback or recompression in flight that the page it copied is
	 * gone.
	 */
	slot->flags &= BIT(ZRAM_SLOT_LOCK) | ZRAM_WB_GEN_MASK;
}

/* ---- backing device I/O ---- */

/*
 * Reserve a free block of the backing device, searching from where the
 * last search ended.  Only writeback calls this (under pp_lock).
 */
static long zram_bd_alloc(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;
	unsigned long blk;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		blk = find_next_zero_bit(bd->bitmap, bd->nr_blocks,
					 pass ? 0 : bd->next);
		while (blk < bd->nr_blocks) {
			if (!test_and_set_bit(blk, bd->bitmap)) {
				bd->next = blk + 1;
				return blk;
			}
			blk = find_next_zero_bit(bd->bitmap, bd->nr_blocks,
						 blk + 1);
		}
	}
	return -ENOSPC;
}

struct zram_bd_io {
	struct work_struct work;
	struct block_device *bdev;
	struct page *page;
	unsigned long blk;
	blk_opf_t opf;
	int ret;
};

static void zram_bd_io_sync(struct zram_bd_io *io)
{
	struct bio_vec bvec;
	struct bio bio;

	bio_init(&bio, io->bdev, &bvec, 1, io->opf);
	bio.bi_iter.bi_sector = (sector_t)io->blk << ZRAM_SECTORS_PER_PAGE_SHIFT;
	__bio_add_page(&bio, io->page, PAGE_SIZE, 0);
	io->ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
}

static void zram_bd_io_work(struct work_struct *work)
{
	zram_bd_io_sync(container_of(work, struct zram_bd_io, work));
}

/*
 * Read or write one page at block @blk of the backing device and wait
 * for it.  Inside a ->submit_bio (ours), a bio we submit is only queued
 * until that returns, so there the I/O is issued and waited for by a
 * worker of a WQ_MEM_RECLAIM workqueue (swap-in must progress under
 * memory pressure).
 */
static int zram_bd_rw(struct zram *zram, struct page *page,
		      unsigned long blk, blk_opf_t opf)
{
	struct zram_bd_io io = {
		.bdev = zram->bd.dev.bdev,
		.page = page,
		.blk = blk,
		.opf = opf,
	};

	if (!current->bio_list) {
		zram_bd_io_sync(&io);
		return io.ret;
	}
	INIT_WORK_ONSTACK(&io.work, zram_bd_io_work);
	queue_work(zram_bd_wq, &io.work);
	flush_work(&io.work);
	destroy_work_on_stack(&io.work);
	return io.ret;
}

/* Release the backing device, if any.  init_lock held for writing. */
static void zram_bd_close(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	if (!bd->dev.bdev)
		return;
	zram_compat_bdev_close(&bd->dev);
	kvfree(bd->bitmap);
	bd->bitmap = NULL;
	kfree(bd->path);
	bd->path = NULL;
	bd->nr_blocks = 0;
	bd->next = 0;
}

/*
 * Open @path as backing device, exclusively, in place of the current one.
 * On failure the current one stays.  init_lock held for writing.
 */
static int zram_bd_open(struct zram *zram, const char *path)
{
	struct zram_backing *bd = &zram->bd;
	struct zram_bdev dev;
	unsigned long nr_blocks, *bitmap;
	char *copy;
	int ret;

	copy = kstrdup(path, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = zram_compat_bdev_open(path, zram, &dev);
	if (ret)
		goto err_copy;
	nr_blocks = bdev_nr_bytes(dev.bdev) >> PAGE_SHIFT;
	/*
	 * Not a zram device: its reads would wait on the same workqueue
	 * from inside it (zram_bd_rw()).
	 */
	if (!nr_blocks || dev.bdev->bd_disk->fops == &zram_fops) {
		ret = -EINVAL;
		goto err_dev;
	}
	bitmap = kvcalloc(BITS_TO_LONGS(nr_blocks), sizeof(long), GFP_KERNEL);
	if (!bitmap) {
		ret = -ENOMEM;
		goto err_dev;
	}
	zram_bd_close(zram);
	bd->dev = dev;
	bd->path = copy;
	bd->bitmap = bitmap;
	bd->nr_blocks = nr_blocks;
	bd->next = 0;
	return 0;

err_dev:
	zram_compat_bdev_close(&dev);
err_copy:
	kfree(copy);
	return ret;
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

static void zram_update_used_max(struct zram *zram, unsigned long pages)
{
	long old = atomic_long_read(&zram->stats.max_used_pages);

	while ((long)pages > old) {
		if (atomic_long_try_cmpxchg(&zram->stats.max_used_pages,
					    &old, pages))
			break;
	}
}

/* Fill @page from slot @index; the slot must be locked. */
static int zram_read_slot_locked(struct zram *zram, u32 index,
				 struct page *page)
{
	struct zram_slot *slot = &zram->slots[index];
	struct zcomp_strm *zstrm;
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
	src = zsm_read_begin(zram->pool, slot->handle, zstrm->local_copy);
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
 * Read a written-back page: the slot lock cannot be held across the
 * I/O, so after it the slot must still be written back to the same block
 * by the same writeback (generation), else the page was freed or
 * rewritten meanwhile and the block perhaps reused by another page:
 * -EAGAIN tells the caller to start over.  Called and returns with the
 * slot locked.
 */
static int zram_read_from_bd(struct zram *zram, u32 index, struct page *page)
	__must_hold(&zram->slots[index])
{
	unsigned long blk = zram->slots[index].handle;
	unsigned long gen = zram->slots[index].flags & ZRAM_WB_GEN_MASK;
	int ret;

	zram_slot_unlock(zram, index);
	ret = zram_bd_rw(zram, page, blk, REQ_OP_READ);
	flush_dcache_page(page);
	zram_slot_lock(zram, index);
	if (!zram_test_flag(zram, index, ZRAM_WB) ||
	    zram->slots[index].handle != blk ||
	    (zram->slots[index].flags & ZRAM_WB_GEN_MASK) != gen)
		return -EAGAIN;
	if (ret)
		return ret;
	atomic64_inc(&zram->stats.bd_reads);
	return 0;
}

static int zram_read_page(struct zram *zram, struct page *page, u32 index)
{
	int ret;

	zram_slot_lock(zram, index);
	while (zram_test_flag(zram, index, ZRAM_WB)) {
		ret = zram_read_from_bd(zram, index, page);
		if (ret != -EAGAIN)
			goto done;
	}
	ret = zram_read_slot_locked(zram, index, page);
done:
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

static int zram_write_page(struct zram *zram, struct page *page, u32 index)
{
	unsigned long handle = 0, word, pool_pages;
	unsigned int comp_len, handle_len = 0;
	unsigned long limit = READ_ONCE(zram->limit_pages);
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	struct zcomp_strm *zstrm;
	bool same, huge;
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
		zsm_write(zram->pool, handle, zstrm->buffer, comp_len);
	}
	zcomp_stream_put(comp);

	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram->slots[index].handle = handle;
	zram_set_obj_size(zram, index, comp_len);
	if (huge)
		zram_set_flag(zram, index, ZRAM_HUGE);
	zram_accessed(zram, index);
	zram_slot_unlock(zram, index);

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
 * to @page at @page_off.  A whole page goes straight through; a part of
 * a page is a read-modify-write through a bounce page.
 */
static int zram_rw_part(struct zram *zram, struct page *page,
			unsigned int page_off, unsigned int len,
			u32 index, unsigned int off, bool write)
{
	struct page *bounce;
	void *dst, *src;
	int ret;

	if (len == PAGE_SIZE)
		return write ? zram_write_page(zram, page, index) :
			       zram_read_page(zram, page, index);

	bounce = alloc_page(GFP_NOIO);
	if (!bounce)
		return -ENOMEM;
	ret = zram_read_page(zram, bounce, index);
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

static int zram_bio_rw(struct zram *zram, struct bio *bio, bool write)
{
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_segment(bv, bio, iter) {
		unsigned int done = 0;

		while (done < bv.bv_len) {
			u64 pos = ((u64)iter.bi_sector << SECTOR_SHIFT) + done;
			u32 index = pos >> PAGE_SHIFT;
			unsigned int off = offset_in_page(pos);
			unsigned int len = min_t(unsigned int,
						 bv.bv_len - done,
						 PAGE_SIZE - off);
			int ret;

			ret = zram_rw_part(zram, bv.bv_page,
					   bv.bv_offset + done, len,
					   index, off, write);
			if (ret) {
				atomic64_inc(write ? &zram->stats.failed_writes :
						     &zram->stats.failed_reads);
				return ret;
			}
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
static int zram_bio_discard(struct zram *zram, struct bio *bio, bool zeroes)
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
			int ret = zram_rw_part(zram, zero, 0, len, index, off,
					       true);

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
		ret = zram_bio_rw(zram, bio, false);
		break;
	case REQ_OP_WRITE:
		ret = zram_bio_rw(zram, bio, true);
		break;
	case REQ_OP_DISCARD:
		ret = zram_bio_discard(zram, bio, false);
		break;
	case REQ_OP_WRITE_ZEROES:
		ret = zram_bio_discard(zram, bio, true);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	bio_end_io_acct(bio, start);

	/*
	 * Whatever failed (memory, mem_limit, corrupt data), the caller sees
	 * an I/O error, as with the kernel's zram; io_stat has the detail.
	 */
	if (ret)
		bio->bi_status = BLK_STS_IOERR;
	bio_endio(bio);
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
	start = zram_compat_rw_page_acct_start(bdev, op);
	ret = write ? zram_write_page(zram, page, index) :
		      zram_read_page(zram, page, index);
	zram_compat_rw_page_acct_end(bdev, op, start);
	/* Not counted: the caller retries through a bio, which counts. */
	if (ret)
		return ret;
	zram_compat_page_endio(page, write, 0);
	return 0;
}

static int zram_open(struct gendisk *disk)
{
	struct zram *zram = disk->private_data;

	/* disk->open_mutex is held: claim cannot change under us. */
	return zram->claim ? -EBUSY : 0;
}
ZRAM_DEFINE_BDOPS_OPEN(zram_open)

static const struct block_device_operations zram_fops = {
	.owner = THIS_MODULE,
	.open = zram_open_bdops,
	.submit_bio = zram_submit_bio,
	.swap_slot_free_notify = zram_slot_free_notify,
	ZRAM_BDOPS_RW_PAGE(zram_rw_page)
};

/* ---- set-up and tear-down ---- */

/* Back to no level and no dictionary. */
static void zram_params_reset(struct zcomp_params *params)
{
	vfree(params->dict);
	memset(params, 0, sizeof(*params));
	params->level = ZCOMP_PARAM_NO_LEVEL;
}

/*
 * Choose algorithm @name ("" for none) for slot @prio; its parameters
 * start over.  Only on an uninitialized device.
 */
static void zram_set_alg(struct zram *zram, unsigned int prio,
			 const char *name)
{
	strscpy(zram->comp_algs[prio], name, ZRAM_MAX_ALG_NAME);
	zram_params_reset(&zram->comp_params[prio]);
}

/*
 * No recompression algorithms and no parameters anywhere; the primary
 * algorithm stays.  Only on an uninitialized device.
 */
static void zram_drop_recomp(struct zram *zram)
{
	unsigned int prio;

	zram_params_reset(&zram->comp_params[ZRAM_PRIMARY_COMP]);
	for (prio = 1; prio < ZRAM_MAX_COMPS; prio++)
		zram_set_alg(zram, prio, "");
}

static void zram_free_all(struct zram *zram)
{
	unsigned long nr_pages = zram->disksize >> PAGE_SHIFT;
	unsigned long i;

	if (zram->slots) {
		for (i = 0; i < nr_pages; i++) {
			zram_free_slot(zram, i);
			if (!(i % 1024))
				cond_resched();
		}
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

/* Free everything the device stores and make it uninitialized. */
static void zram_reset_device(struct zram *zram)
{
	down_write(&zram->init_lock);
	set_capacity_and_notify(zram->disk, 0);
	zram_free_all(zram);
	zram->init_done = false;
	zram->disksize = 0;
	zram->limit_pages = 0;
	zram->huge_class_size = 0;
	/* Written-back slots are gone: the backing device can go too. */
	zram_bd_close(zram);
	spin_lock(&zram->bd.limit_lock);
	zram->bd.limit_enable = false;
	zram->bd.limit = 0;
	spin_unlock(&zram->bd.limit_lock);
	memset(&zram->stats, 0, sizeof(zram->stats));
	/*
	 * The primary algorithm survives a reset, as with the kernel's zram
	 * of 6.1; recompression algorithms and all algorithm parameters go
	 * back to none, as with later kernels.
	 */
	zram_drop_recomp(zram);
	up_write(&zram->init_lock);
}

static int zram_setup(struct zram *zram, u64 disksize)
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

	for (i = 0; i < ZRAM_MAX_COMPS; i++) {
		struct zcomp *comp;

		if (!zram->comp_algs[i][0])
			continue;
		comp = zcomp_create(zram->comp_algs[i], &zram->comp_params[i]);
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

/* ---- input parsing ---- */

/* True if @s holds nothing but white space (a trailing newline, say). */
static bool only_space(const char *s, size_t len)
{
	while (len && isspace(*s)) {
		s++;
		len--;
	}
	return !len;
}

/*
 * Parse "<number>[KMGTPE]" into bytes: a decimal number or a 0x-prefixed
 * hexadecimal one, an optional case-insensitive binary suffix, optional
 * trailing white space.  -EINVAL for anything else or on overflow.
 */
static int zram_parse_size(const char *buf, size_t len, u64 *out)
{
	static const char suffixes[] = "kmgtpe";
	unsigned int shift = 0, base = 10;
	char digits[24];
	const char *p;
	size_t n = 0, skip = 0;
	u64 val;

	if (len > 2 && buf[0] == '0' && tolower(buf[1]) == 'x') {
		base = 16;
		skip = 2;
	}
	n = skip;
	while (n < len && (base == 16 ? isxdigit(buf[n]) : isdigit(buf[n])))
		n++;
	if (n == skip || n - skip >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, buf + skip, n - skip);
	digits[n - skip] = '\0';
	if (kstrtou64(digits, base, &val))
		return -EINVAL;

	if (n < len && buf[n]) {
		p = strchr(suffixes, tolower(buf[n]));
		if (p && *p) {
			shift = 10 * (p - suffixes + 1);
			n++;
		}
	}
	if (!only_space(buf + n, len - n))
		return -EINVAL;
	if (shift && val > (U64_MAX >> shift))
		return -EINVAL;
	*out = val << shift;
	return 0;
}

/* Copy an algorithm name, minus the trailing newline, into @name. */
static int zram_parse_name(const char *buf, size_t len, char *name,
			   size_t size)
{
	while (len && isspace(buf[len - 1]))
		len--;
	if (!len || len >= size)
		return -EINVAL;
	memcpy(name, buf, len);
	name[len] = '\0';
	return 0;
}

/*
 * Parse a write to "idle": "all" gives *age 0 (every stored page), a
 * decimal number of seconds greater than 0 gives that age.  One trailing
 * newline is allowed; anything else is -EINVAL.
 */
static int zram_parse_idle(const char *buf, u64 *age)
{
	u64 val;

	if (sysfs_streq(buf, "all")) {
		*age = 0;
		return 0;
	}
	if (kstrtou64(buf, 10, &val) || !val)
		return -EINVAL;
	*age = val;
	return 0;
}

/*
 * Split the next white-space separated "key=value" token off *@pos (a
 * writable string) and terminate both parts.  Returns 1 with *@key and
 * *@val set, 0 at the end of the string, -EINVAL for a token without
 * '=' or with an empty key or value.
 */
static int zram_next_kv(char **pos, char **key, char **val)
{
	char *tok = skip_spaces(*pos), *end, *eq;

	if (!*tok)
		return 0;
	end = tok;
	while (*end && !isspace(*end))
		end++;
	*pos = *end ? end + 1 : end;
	*end = '\0';
	eq = strchr(tok, '=');
	if (!eq || eq == tok || !eq[1])
		return -EINVAL;
	*eq = '\0';
	*key = tok;
	*val = eq + 1;
	return 1;
}

/* "priority=N" for a recompression slot: 1..ZRAM_MAX_COMPS - 1. */
static int zram_parse_prio(const char *val, unsigned int *prio)
{
	if (kstrtouint(val, 10, prio) || *prio < 1 || *prio >= ZRAM_MAX_COMPS)
		return -EINVAL;
	return 0;
}

/* ---- idle tracking ---- */

/*
 * Mark stored pages idle: all of them for @age 0, else those whose last
 * access lies more than @age whole seconds back (boot-time seconds, so
 * a page accessed less than @age seconds ago is never marked).  Any
 * later access clears the mark.  Called with init_lock held for
 * reading on an initialized device.
 */
static void zram_mark_idle(struct zram *zram, u64 age)
{
	unsigned long nr_pages = zram->disksize >> PAGE_SHIFT;
	u32 now = zram_now();
	unsigned long i;

	for (i = 0; i < nr_pages; i++) {
		zram_slot_lock(zram, i);
		/* A written-back page is out of memory already. */
		if (zram_slot_allocated(zram, i) &&
		    !zram_test_flag(zram, i, ZRAM_WB) &&
		    (!age || (u32)(now - zram_get_actime(zram, i)) > age))
			zram_set_flag(zram, i, ZRAM_IDLE);
		zram_slot_unlock(zram, i);
		if (!(i % 1024))
			cond_resched();
	}
}

/* ---- backing device and writeback ---- */

/* What "writeback" was asked to write. */
enum zram_wb_mode {
	ZRAM_WB_HUGE,
	ZRAM_WB_IDLE,
	ZRAM_WB_HUGE_IDLE,
	ZRAM_WB_INCOMPRESSIBLE,
	ZRAM_WB_INDEX,		/* page_index= / page_indexes= list */
};

static const char * const zram_wb_mode_names[] = {
	[ZRAM_WB_HUGE] = "huge",
	[ZRAM_WB_IDLE] = "idle",
	[ZRAM_WB_HUGE_IDLE] = "huge_idle",
	[ZRAM_WB_INCOMPRESSIBLE] = "incompressible",
};

/*
 * Parse the next token of a page_index list at *@pos: "page_index=N" or
 * "page_indexes=A-B" (A <= B, both inclusive), decimal, each below
 * @nr_pages.  Tokens are separated by white space.  Returns 1 with the
 * range in *@lo..*@hi, 0 at the end, or -EINVAL.
 */
static int zram_wb_next_range(const char **pos, unsigned long nr_pages,
			      u32 *lo, u32 *hi)
{
	const char *p = skip_spaces(*pos);
	char tok[48], *dash;
	size_t n = 0;
	u32 a, b;

	if (!*p)
		return 0;
	while (p[n] && !isspace(p[n]))
		n++;
	if (n >= sizeof(tok))
		return -EINVAL;
	memcpy(tok, p, n);
	tok[n] = '\0';
	*pos = p + n;

	if (str_has_prefix(tok, "page_index=")) {
		if (kstrtou32(tok + strlen("page_index="), 10, &a))
			return -EINVAL;
		b = a;
	} else if (str_has_prefix(tok, "page_indexes=")) {
		dash = strchr(tok, '-');
		if (!dash)
			return -EINVAL;
		*dash = '\0';
		if (kstrtou32(tok + strlen("page_indexes="), 10, &a) ||
		    kstrtou32(dash + 1, 10, &b) || a > b)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (b >= nr_pages)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 1;
}

/*
 * Parse a write to "writeback" into its mode; for ZRAM_WB_INDEX the
 * whole list is checked here (against @nr_pages) so that a bad token
 * refuses the write before any page moves.
 */
static int zram_parse_wb_mode(const char *buf, unsigned long nr_pages,
			      enum zram_wb_mode *mode)
{
	const char *pos = buf;
	int ret, i;
	u32 lo, hi;

	i = sysfs_match_string(zram_wb_mode_names, buf);
	if (i >= 0) {
		*mode = i;
		return 0;
	}
	ret = zram_wb_next_range(&pos, nr_pages, &lo, &hi);
	if (ret <= 0)
		return -EINVAL;
	while ((ret = zram_wb_next_range(&pos, nr_pages, &lo, &hi)) > 0)
		;
	if (ret)
		return ret;
	*mode = ZRAM_WB_INDEX;
	return 0;
}

/*
 * Does the (locked) slot hold an object in the pool that no writeback or
 * recompression is working on?  Empty, same-filled and written-back
 * slots have none.
 */
static bool zram_slot_pp_candidate(struct zram *zram, u32 index)
{
	return zram->slots[index].handle &&
	       !zram_test_flag(zram, index, ZRAM_SAME) &&
	       !zram_test_flag(zram, index, ZRAM_WB) &&
	       !zram_test_flag(zram, index, ZRAM_PP);
}

/* Does the (locked) slot qualify for writeback in @mode? */
static bool zram_wb_wanted(struct zram *zram, u32 index,
			   enum zram_wb_mode mode)
{
	bool huge = zram_test_flag(zram, index, ZRAM_HUGE);
	bool idle = zram_test_flag(zram, index, ZRAM_IDLE);

	if (!zram_slot_pp_candidate(zram, index))
		return false;
	switch (mode) {
	case ZRAM_WB_HUGE:
		return huge;
	case ZRAM_WB_IDLE:
		return idle;
	case ZRAM_WB_HUGE_IDLE:
		return huge && idle;
	case ZRAM_WB_INCOMPRESSIBLE:
		return zram_test_flag(zram, index, ZRAM_INCOMPRESSIBLE);
	case ZRAM_WB_INDEX:
		return true;
	}
	return false;
}

/* 4K units per page, the unit of writeback_limit and bd_stat. */
#define ZRAM_4K_PER_PAGE	(PAGE_SIZE / SZ_4K)

/*
 * Is there writeback budget for one more page?  Checked before a page
 * goes out and charged by zram_wb_budget_charge() once it is out; the
 * two cannot interleave with another writeback (pp_lock).
 */
static bool zram_wb_budget_left(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;
	bool ok;

	spin_lock(&bd->limit_lock);
	ok = !bd->limit_enable || bd->limit >= ZRAM_4K_PER_PAGE;
	spin_unlock(&bd->limit_lock);
	return ok;
}

/* A page went out: charge it, if the limit is on (never below 0). */
static void zram_wb_budget_charge(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	spin_lock(&bd->limit_lock);
	if (bd->limit_enable)
		bd->limit -= min_t(u64, bd->limit, ZRAM_4K_PER_PAGE);
	spin_unlock(&bd->limit_lock);
}

/*
 * Write slot @index out to the backing device if it qualifies for @mode,
 * copying it through @page.  Returns 1 if written back, 0 if skipped
 * (not wanted, or changed while in flight), or an error: -EDQUOT (budget
 * used up), -ENOSPC (no free block), -EIO (the write failed), a
 * decompression error.  A page that did not go out stays in memory,
 * intact.
 */
static int zram_wb_slot(struct zram *zram, u32 index, enum zram_wb_mode mode,
			struct page *page)
{
	bool need_idle = mode == ZRAM_WB_IDLE || mode == ZRAM_WB_HUGE_IDLE;
	struct zram_slot *slot = &zram->slots[index];
	bool changed;
	long blk;
	int ret;

	zram_slot_lock(zram, index);
	if (!zram_wb_wanted(zram, index, mode)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	if (!zram_wb_budget_left(zram)) {
		zram_slot_unlock(zram, index);
		return -EDQUOT;
	}
	blk = zram_bd_alloc(zram);
	if (blk < 0) {
		zram_slot_unlock(zram, index);
		return blk;
	}
	ret = zram_read_slot_locked(zram, index, page);
	if (!ret)
		zram_set_flag(zram, index, ZRAM_PP);
	zram_slot_unlock(zram, index);
	if (ret)
		goto err;

	ret = zram_bd_rw(zram, page, blk, REQ_OP_WRITE | REQ_SYNC);
	if (ret) {
		pr_err_ratelimited("zram%d: writeback of page %u failed: %d\n",
				   zram->id, index, ret);
		ret = -EIO;
	}

	zram_slot_lock(zram, index);
	/* Freed, rewritten, or (idle modes) accessed while in flight? */
	changed = !zram_test_flag(zram, index, ZRAM_PP) ||
		  (need_idle && !zram_test_flag(zram, index, ZRAM_IDLE));
	zram_clear_flag(zram, index, ZRAM_PP);
	if (ret || changed) {
		zram_slot_unlock(zram, index);
		goto err;
	}
	zram_release_data(zram, index);
	slot->handle = blk;
	zram_set_obj_size(zram, index, 0);
	zram_set_prio(zram, index, 0);
	zram_clear_flag(zram, index, ZRAM_HUGE);
	zram_clear_flag(zram, index, ZRAM_IDLE);
	zram_set_flag(zram, index, ZRAM_WB);
	zram_next_wb_gen(zram, index);
	zram_slot_unlock(zram, index);
	zram_wb_budget_charge(zram);
	atomic64_inc(&zram->stats.bd_count);
	atomic64_inc(&zram->stats.bd_writes);
	return 1;

err:
	zram_bd_release(zram, blk);
	return ret;
}

/*
 * Write back the pages in @lo..@hi that qualify for @mode.  Stops with
 * -ENOSPC when the backing device is full, -EDQUOT when the budget is
 * used up and -EINTR on a fatal signal.  A page that failed (write or
 * decompression error) stays in memory; the others are still tried and
 * -EIO is returned at the end.
 */
static int zram_wb_range(struct zram *zram, enum zram_wb_mode mode,
			 u32 lo, u32 hi, struct page *page)
{
	int ret = 0, err;
	u32 index;

	for (index = lo; index <= hi; index++) {
		err = zram_wb_slot(zram, index, mode, page);
		if (err == -EDQUOT || err == -ENOSPC)
			return err;
		if (err < 0)
			ret = -EIO;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return ret;
}

/* ---- recompression ---- */

/* Which pages "recompress" looks at, and with what. */
struct zram_recomp_req {
	bool huge;		/* only huge pages */
	bool idle;		/* only idle pages */
	u32 threshold;		/* only objects of at least this size; 0: any */
	u64 max_pages;		/* pages to try at most; 0: no limit */
	unsigned int prio_lo;	/* algorithm slots prio_lo..prio_hi - 1 */
	unsigned int prio_hi;
};

/* Does the (locked) slot qualify for @req? */
static bool zram_recomp_wanted(struct zram *zram, u32 index,
			       const struct zram_recomp_req *req)
{
	if (!zram_slot_pp_candidate(zram, index) ||
	    zram_test_flag(zram, index, ZRAM_INCOMPRESSIBLE))
		return false;
	if (req->huge && !zram_test_flag(zram, index, ZRAM_HUGE))
		return false;
	if (req->idle && !zram_test_flag(zram, index, ZRAM_IDLE))
		return false;
	if (zram_get_obj_size(zram, index) < req->threshold)
		return false;
	/* Already compressed by the last algorithm it could get? */
	return zram_get_prio(zram, index) + 1 < req->prio_hi;
}

/* Highest algorithm slot in use (0 when only the primary is). */
static unsigned int zram_last_prio(struct zram *zram)
{
	unsigned int prio = ZRAM_MAX_COMPS - 1;

	while (prio && !zram->comps[prio])
		prio--;
	return prio;
}

/*
 * Try to store slot @index smaller with the algorithms of @req above the
 * one that compressed it, in priority order; the first that lands the
 * object in a smaller pool slot wins.  @page and @buf (PAGE_SIZE) are
 * scratch.  Returns 1 if the page was tried, 0 if it did not qualify,
 * or an error (the page stays as it was).  A page that none of the
 * device's algorithms above its own can shrink is flagged
 * ZRAM_INCOMPRESSIBLE and not tried again.
 */
static int zram_recompress_slot(struct zram *zram, u32 index,
				const struct zram_recomp_req *req,
				struct page *page, void *buf)
{
	unsigned int prio, new_prio = 0, old_prio, old_size, new_len = 0;
	struct zram_slot *slot = &zram->slots[index];
	int failed = 0;
	struct zcomp_strm *zstrm;
	unsigned long handle;
	size_t old_slot;
	void *mem;
	int ret;

	zram_slot_lock(zram, index);
	if (!zram_recomp_wanted(zram, index, req)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	old_prio = zram_get_prio(zram, index);
	old_size = zram_get_obj_size(zram, index);
	ret = zram_read_slot_locked(zram, index, page);
	if (!ret)
		zram_set_flag(zram, index, ZRAM_PP);
	zram_slot_unlock(zram, index);
	if (ret)
		return ret;
	atomic64_inc(&zram->stats.recomp_tried);

	old_slot = zsm_slot_size(zram->pool, old_size);
	for (prio = max(req->prio_lo, old_prio + 1); prio < req->prio_hi;
	     prio++) {
		struct zcomp *comp = zram->comps[prio];
		unsigned int len;

		if (!comp)
			continue;
		zstrm = zcomp_stream_get(comp);
		mem = kmap_local_page(page);
		ret = zcomp_compress(comp, zstrm, mem, &len);
		kunmap_local(mem);
		if (ret)
			failed = ret;
		if (!ret && len < zram->huge_class_size &&
		    zsm_slot_size(zram->pool, len) < old_slot) {
			memcpy(buf, zstrm->buffer, len);
			new_len = len;
			new_prio = prio;
		}
		zcomp_stream_put(comp);
		if (new_len)
			break;
	}

	if (!new_len) {
		/* Flag it only if every algorithm it could get had a go. */
		zram_slot_lock(zram, index);
		if (zram_test_flag(zram, index, ZRAM_PP) && !failed &&
		    req->prio_hi > zram_last_prio(zram))
			zram_set_flag(zram, index, ZRAM_INCOMPRESSIBLE);
		zram_clear_flag(zram, index, ZRAM_PP);
		zram_slot_unlock(zram, index);
		if (failed)
			pr_warn_ratelimited("zram%d: recompression of page %u failed: %d\n",
					    zram->id, index, failed);
		return failed ? -EIO : 1;
	}

	ret = zsm_malloc(zram->pool, new_len, GFP_NOIO | __GFP_NOWARN, &handle);
	if (ret) {
		zram_slot_lock(zram, index);
		zram_clear_flag(zram, index, ZRAM_PP);
		zram_slot_unlock(zram, index);
		return ret;
	}
	zsm_write(zram->pool, handle, buf, new_len);
	zram_update_used_max(zram, zsm_get_total_pages(zram->pool));

	zram_slot_lock(zram, index);
	if (!zram_test_flag(zram, index, ZRAM_PP)) {
		/* Freed or rewritten meanwhile: the copy is stale. */
		zram_slot_unlock(zram, index);
		zsm_free(zram->pool, handle);
		return 1;
	}
	zram_clear_flag(zram, index, ZRAM_PP);
	zram_release_data(zram, index);
	slot->handle = handle;
	zram_set_obj_size(zram, index, new_len);
	zram_set_prio(zram, index, new_prio);
	zram_clear_flag(zram, index, ZRAM_HUGE);
	zram_slot_unlock(zram, index);
	atomic64_add(new_len, &zram->stats.compr_data_size);
	atomic64_inc(&zram->stats.recomp_kept);
	return 1;
}

/* Run @req over the whole device; init_lock held for reading. */
static int zram_recompress(struct zram *zram, const struct zram_recomp_req *req)
{
	unsigned long nr_pages = zram->disksize >> PAGE_SHIFT;
	struct page *page;
	u64 tried = 0;
	unsigned long index;
	void *buf;
	int ret = 0, err;

	page = alloc_page(GFP_KERNEL);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!page || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&zram->pp_lock);
	for (index = 0; index < nr_pages; index++) {
		if (req->max_pages && tried >= req->max_pages)
			break;
		err = zram_recompress_slot(zram, index, req, page, buf);
		/* A page that failed was tried; the others still are. */
		if (err == -EIO) {
			ret = err;
			err = 1;
		}
		if (err < 0) {
			ret = err;
			break;
		}
		tried += err;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	mutex_unlock(&zram->pp_lock);
out:
	kfree(buf);
	if (page)
		__free_page(page);
	return ret;
}

/* ---- debugfs: <debugfs>/zram/zramN/block_state ---- */

static struct dentry *zram_debugfs_root;

/*
 * Index of the first slot at or after @index that holds data, or the
 * number of slots if none does.  init_lock is held for reading.
 */
static unsigned long zram_next_stored(struct zram *zram, unsigned long index)
{
	unsigned long nr_pages = zram->disksize >> PAGE_SHIFT;
	bool stored;

	for (; index < nr_pages; index++) {
		zram_slot_lock(zram, index);
		stored = zram_slot_allocated(zram, index);
		zram_slot_unlock(zram, index);
		if (stored)
			break;
		if (!(index % 1024))
			cond_resched();
	}
	return index;
}

/*
 * The seq_file position is a slot index; a record is a pointer to a
 * stored slot.  init_lock is held for reading from ->start to ->stop (the
 * seq_file core calls ->stop after every ->start, even a failed one).
 */
static void *zram_block_state_start(struct seq_file *m, loff_t *pos)
{
	struct zram *zram = m->private;
	unsigned long index;

	down_read(&zram->init_lock);
	if (!zram->init_done)
		return ERR_PTR(-EINVAL);
	if (*pos < 0 || *pos >= zram->disksize >> PAGE_SHIFT)
		return NULL;
	index = zram_next_stored(zram, *pos);
	*pos = index;
	if (index >= zram->disksize >> PAGE_SHIFT)
		return NULL;
	return &zram->slots[index];
}

static void *zram_block_state_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct zram *zram = m->private;
	unsigned long index = (struct zram_slot *)v - zram->slots;

	index = zram_next_stored(zram, index + 1);
	*pos = index;
	if (index >= zram->disksize >> PAGE_SHIFT)
		return NULL;
	return &zram->slots[index];
}

static void zram_block_state_stop(struct seq_file *m, void *v)
{
	struct zram *zram = m->private;

	up_read(&zram->init_lock);
}

/*
 * One line per stored page: index, access time, then s (same-filled),
 * w (written back), h (huge), i (idle), r (compressed by a recompression
 * algorithm), n (incompressible: recompression gave up on it), '.' for
 * each one unset.  The time is kept in whole seconds.
 */
static int zram_block_state_show(struct seq_file *m, void *v)
{
	struct zram *zram = m->private;
	unsigned long index = (struct zram_slot *)v - zram->slots;
	bool stored, same, wb, huge, idle, recomp, incomp;
	u32 actime;

	zram_slot_lock(zram, index);
	stored = zram_slot_allocated(zram, index);
	same = zram_test_flag(zram, index, ZRAM_SAME);
	wb = zram_test_flag(zram, index, ZRAM_WB);
	huge = zram_test_flag(zram, index, ZRAM_HUGE);
	idle = zram_test_flag(zram, index, ZRAM_IDLE);
	recomp = zram_get_prio(zram, index) != ZRAM_PRIMARY_COMP;
	incomp = zram_test_flag(zram, index, ZRAM_INCOMPRESSIBLE);
	actime = zram_get_actime(zram, index);
	zram_slot_unlock(zram, index);
	/* Freed since ->next found it. */
	if (!stored)
		return SEQ_SKIP;

	seq_printf(m, "%12lu %12u.%06u %c%c%c%c%c%c\n", index, actime, 0U,
		   same ? 's' : '.', wb ? 'w' : '.', huge ? 'h' : '.',
		   idle ? 'i' : '.', recomp ? 'r' : '.', incomp ? 'n' : '.');
	return 0;
}

static const struct seq_operations zram_block_state_sops = {
	.start = zram_block_state_start,
	.next = zram_block_state_next,
	.stop = zram_block_state_stop,
	.show = zram_block_state_show,
};
DEFINE_SEQ_ATTRIBUTE(zram_block_state);

/* debugfs failures are ignored: the directory is only for debugging. */
static void zram_debugfs_add(struct zram *zram)
{
	if (IS_ERR_OR_NULL(zram_debugfs_root))
		return;
	zram->debugfs_dir = debugfs_create_dir(zram->disk->disk_name,
					       zram_debugfs_root);
	debugfs_create_file("block_state", 0400, zram->debugfs_dir, zram,
			    &zram_block_state_fops);
}

/* Waits for readers of block_state to leave before returning. */
static void zram_debugfs_remove(struct zram *zram)
{
	debugfs_remove_recursive(zram->debugfs_dir);
	zram->debugfs_dir = NULL;
}

/* ---- sysfs: /sys/block/zramN/ ---- */

static ssize_t disksize_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	u64 val;

	down_read(&zram->init_lock);
	val = zram->disksize;
	up_read(&zram->init_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t disksize_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 disksize;
	int ret;

	down_write(&zram->init_lock);
	/* An initialized device says so whatever was written. */
	if (zram->init_done) {
		ret = -EBUSY;
		goto out;
	}
	ret = zram_parse_size(buf, len, &disksize);
	if (ret)
		goto out;
	/* Page indices are 32-bit; 0 is no size. */
	if (!disksize || disksize > ((u64)U32_MAX << PAGE_SHIFT)) {
		ret = -EINVAL;
		goto out;
	}
	disksize = PAGE_ALIGN(disksize);
	ret = zram_setup(zram, disksize);
	if (ret)
		goto out;
	zram->init_done = true;
	set_capacity_and_notify(zram->disk, disksize >> SECTOR_SHIFT);
out:
	up_write(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t initstate_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	bool val;

	down_read(&zram->init_lock);
	val = zram->init_done;
	up_read(&zram->init_lock);
	return sysfs_emit(buf, "%u\n", val);
}

/*
 * Mark the device busy for reset or removal: refused while anybody has
 * it open.  New opens fail with -EBUSY until zram_unclaim().
 */
static int zram_claim(struct zram *zram)
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

static void zram_unclaim(struct zram *zram)
{
	mutex_lock(&zram->disk->open_mutex);
	zram->claim = false;
	mutex_unlock(&zram->disk->open_mutex);
}

static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned long val;
	int ret;

	if (kstrtoul(buf, 10, &val) || !val)
		return -EINVAL;
	ret = zram_claim(zram);
	if (ret)
		return ret;
	zram_reset_device(zram);
	zram_unclaim(zram);
	return len;
}

static ssize_t comp_algorithm_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	ssize_t ret;

	down_read(&zram->init_lock);
	ret = zcomp_available_show(zram->comp_algs[ZRAM_PRIMARY_COMP], buf, 0);
	up_read(&zram->init_lock);
	return ret;
}

static ssize_t comp_algorithm_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char name[ZRAM_MAX_ALG_NAME];
	int ret;

	ret = zram_parse_name(buf, len, name, sizeof(name));
	if (ret)
		return ret;
	if (!zcomp_available_algorithm(name))
		return -EINVAL;

	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else
		zram_set_alg(zram, ZRAM_PRIMARY_COMP, name);
	up_write(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t max_comp_streams_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", num_online_cpus());
}

/*
 * Streams are per CPU and not tunable; the attribute is kept for tools
 * that write it (zramctl --streams), which get a checked, ignored write.
 */
static ssize_t max_comp_streams_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	unsigned int val;

	if (kstrtouint(buf, 10, &val))
		return -EINVAL;
	return len;
}

static ssize_t mem_limit_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 limit;
	int ret;

	ret = zram_parse_size(buf, len, &limit);
	if (ret)
		return ret;
	if (limit > U64_MAX - PAGE_SIZE)
		return -EINVAL;

	down_write(&zram->init_lock);
	WRITE_ONCE(zram->limit_pages, PAGE_ALIGN(limit) >> PAGE_SHIFT);
	up_write(&zram->init_lock);
	return len;
}

static ssize_t mem_used_max_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned long val;

	if (kstrtoul(buf, 10, &val) || val)
		return -EINVAL;

	down_read(&zram->init_lock);
	if (zram->init_done)
		atomic_long_set(&zram->stats.max_used_pages,
				zsm_get_total_pages(zram->pool));
	up_read(&zram->init_lock);
	return len;
}

static ssize_t compact_store(struct device *dev,
			     struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	int ret = 0;

	down_read(&zram->init_lock);
	if (zram->init_done)
		zsm_compact(zram->pool);
	else
		ret = -EINVAL;
	up_read(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t mm_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_stats *st = &zram->stats;
	unsigned long used = 0, compacted = 0;
	ssize_t ret;

	down_read(&zram->init_lock);
	if (zram->init_done) {
		used = zsm_get_total_pages(zram->pool);
		compacted = zsm_pages_compacted(zram->pool);
	}
	ret = sysfs_emit(buf,
			 "%8llu %8llu %8llu %8llu %8llu %8llu %8lu %8llu %8llu\n",
			 (u64)atomic64_read(&st->pages_stored) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->compr_data_size),
			 (u64)used << PAGE_SHIFT,
			 (u64)zram->limit_pages << PAGE_SHIFT,
			 (u64)atomic_long_read(&st->max_used_pages) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->same_pages),
			 compacted,
			 (u64)atomic64_read(&st->huge_pages),
			 (u64)atomic64_read(&st->huge_pages_since));
	up_read(&zram->init_lock);
	return ret;
}

static ssize_t io_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->failed_reads),
			  (u64)atomic64_read(&st->failed_writes),
			  (u64)atomic64_read(&st->invalid_io),
			  (u64)atomic64_read(&st->notify_free));
}

static ssize_t debug_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	/* Columns 3 and 4 are ours: recompression tries and successes. */
	return sysfs_emit(buf, "version: %d\n%8llu %8llu %8llu %8llu\n", 1,
			  (u64)atomic64_read(&st->writestall),
			  (u64)atomic64_read(&st->miss_free),
			  (u64)atomic64_read(&st->recomp_tried),
			  (u64)atomic64_read(&st->recomp_kept));
}

static ssize_t idle_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 age;
	int ret;

	ret = zram_parse_idle(buf, &age);
	if (ret)
		return ret;

	down_read(&zram->init_lock);
	if (zram->init_done)
		zram_mark_idle(zram, age);
	else
		ret = -EINVAL;
	up_read(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	ssize_t ret;

	down_read(&zram->init_lock);
	ret = sysfs_emit(buf, "%s\n", zram->bd.path ?: "none");
	up_read(&zram->init_lock);
	return ret;
}

/*
 * A block device path (opened exclusively), or "none" to drop the one
 * set.  Only before disksize; a failed write keeps the previous one.
 */
static ssize_t backing_dev_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char *path;
	int ret = 0;

	path = kstrndup(buf, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	strim(path);
	if (!*path || strlen(path) >= PATH_MAX) {
		ret = -EINVAL;
		goto out_free;
	}

	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else if (!strcmp(path, "none"))
		zram_bd_close(zram);
	else
		ret = zram_bd_open(zram, path);
	up_write(&zram->init_lock);
out_free:
	kfree(path);
	return ret ? ret : len;
}

static ssize_t writeback_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned long nr_pages;
	enum zram_wb_mode mode;
	struct page *page = NULL;
	const char *pos = buf;
	u32 lo, hi;
	int ret, err;

	down_read(&zram->init_lock);
	if (!zram->init_done) {
		ret = -EINVAL;
		goto out;
	}
	if (!zram->bd.dev.bdev) {
		ret = -ENODEV;
		goto out;
	}
	nr_pages = zram->disksize >> PAGE_SHIFT;
	ret = zram_parse_wb_mode(buf, nr_pages, &mode);
	if (ret)
		goto out;
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		ret = -ENOMEM;
		goto out;
	}

	mutex_lock(&zram->pp_lock);
	if (mode != ZRAM_WB_INDEX) {
		ret = zram_wb_range(zram, mode, 0, nr_pages - 1, page);
	} else {
		while (zram_wb_next_range(&pos, nr_pages, &lo, &hi) > 0) {
			err = zram_wb_range(zram, mode, lo, hi, page);
			if (err)
				ret = err;
			if (err && err != -EIO)
				break;
		}
	}
	mutex_unlock(&zram->pp_lock);
	__free_page(page);
	/* Budget used up: -EIO, as the kernel's zram says it. */
	if (ret == -EDQUOT)
		ret = -EIO;
out:
	up_read(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t writeback_limit_enable_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	bool val;

	spin_lock(&bd->limit_lock);
	val = bd->limit_enable;
	spin_unlock(&bd->limit_lock);
	return sysfs_emit(buf, "%d\n", val);
}

static ssize_t writeback_limit_enable_store(struct device *dev,
					    struct device_attribute *attr,
					    const char *buf, size_t len)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || val > 1)
		return -EINVAL;
	spin_lock(&bd->limit_lock);
	bd->limit_enable = val;
	spin_unlock(&bd->limit_lock);
	return len;
}

static ssize_t writeback_limit_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	u64 val;

	spin_lock(&bd->limit_lock);
	val = bd->limit;
	spin_unlock(&bd->limit_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t writeback_limit_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	u64 val;

	if (kstrtou64(buf, 10, &val))
		return -EINVAL;
	spin_lock(&bd->limit_lock);
	bd->limit = val;
	spin_unlock(&bd->limit_lock);
	return len;
}

static ssize_t bd_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->bd_count) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_reads) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_writes) * ZRAM_4K_PER_PAGE);
}

static ssize_t recomp_algorithm_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	ssize_t at = 0;
	unsigned int prio;

	down_read(&zram->init_lock);
	for (prio = 1; prio < ZRAM_MAX_COMPS; prio++) {
		if (!zram->comp_algs[prio][0])
			continue;
		at += sysfs_emit_at(buf, at, "#%u: ", prio);
		at = zcomp_available_show(zram->comp_algs[prio], buf, at);
	}
	up_read(&zram->init_lock);
	return at;
}

/* "algo=NAME [priority=N]": a recompression algorithm (priority 1 by default). */
static ssize_t recomp_algorithm_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char *args, *pos, *key, *val, *alg = NULL;
	unsigned int prio = 1;
	int ret;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	pos = args;
	while ((ret = zram_next_kv(&pos, &key, &val)) > 0) {
		if (!strcmp(key, "algo"))
			alg = val;
		else if (!strcmp(key, "priority"))
			ret = zram_parse_prio(val, &prio);
		else
			ret = -EINVAL;
		if (ret < 0)
			break;
	}
	if (!ret && (!alg || strlen(alg) >= ZRAM_MAX_ALG_NAME ||
		     !zcomp_available_algorithm(alg)))
		ret = -EINVAL;
	if (ret)
		goto out;

	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else
		zram_set_alg(zram, prio, alg);
	up_write(&zram->init_lock);
out:
	kfree(args);
	return ret ? ret : len;
}

/* Largest dictionary algorithm_params loads. */
#define ZRAM_MAX_DICT_SIZE	SZ_8M

/*
 * Read the whole regular file at @path into a vmalloc'ed buffer of at
 * most ZRAM_MAX_DICT_SIZE bytes.  Returns its size (> 0) or an errno:
 * -EINVAL for an empty file or one that is not a regular file, -EFBIG
 * for a big one.
 */
static ssize_t zram_load_file(const char *path, void **out)
{
	struct file *file;
	loff_t size, pos = 0;
	ssize_t ret;
	void *data;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = -EINVAL;
	if (!S_ISREG(file_inode(file)->i_mode))
		goto out;
	size = i_size_read(file_inode(file));
	if (!size)
		goto out;
	ret = -EFBIG;
	if (size > ZRAM_MAX_DICT_SIZE)
		goto out;
	ret = -ENOMEM;
	data = vmalloc(size);
	if (!data)
		goto out;
	while (pos < size) {
		ret = kernel_read(file, data + pos, size - pos, &pos);
		if (ret <= 0)
			break;
	}
	if (pos < size) {
		vfree(data);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	*out = data;
	ret = size;
out:
	fput(file);
	return ret;
}

/*
 * Algorithm slot named by "algo=NAME" (any slot with that algorithm,
 * primary first) or "priority=N" (a recompression slot in use), else
 * the primary.  init_lock held.
 */
static int zram_params_prio(struct zram *zram, const char *alg, int prio)
{
	unsigned int i;

	if (alg) {
		for (i = 0; i < ZRAM_MAX_COMPS; i++)
			if (!strcmp(zram->comp_algs[i], alg))
				return i;
		return -EINVAL;
	}
	if (prio < 0)
		return ZRAM_PRIMARY_COMP;
	return zram->comp_algs[prio][0] ? prio : -EINVAL;
}

/*
 * "[algo=NAME | priority=N] [level=L] [dict=PATH]": the parameters of
 * one algorithm slot, replacing what it had, checked by creating the
 * algorithm with them.  Only before disksize.
 */
static ssize_t algorithm_params_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char *args, *pos, *key, *val, *alg = NULL, *path = NULL;
	struct zcomp_params params = { .level = ZCOMP_PARAM_NO_LEVEL };
	unsigned int uprio;
	struct zcomp *comp;
	int prio = -1, ret;
	ssize_t size;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	pos = args;
	while ((ret = zram_next_kv(&pos, &key, &val)) > 0) {
		if (!strcmp(key, "algo")) {
			alg = val;
		} else if (!strcmp(key, "priority")) {
			ret = zram_parse_prio(val, &uprio);
			prio = uprio;
		} else if (!strcmp(key, "level")) {
			if (kstrtos32(val, 10, &params.level) ||
			    params.level == ZCOMP_PARAM_NO_LEVEL)
				ret = -EINVAL;
		} else if (!strcmp(key, "dict")) {
			path = val;
		} else {
			ret = -EINVAL;
		}
		if (ret < 0)
			break;
	}
	if (!ret && alg && prio >= 0)
		ret = -EINVAL;
	if (ret)
		goto out;

	if (path) {
		size = zram_load_file(path, &params.dict);
		if (size < 0) {
			ret = size;
			goto out;
		}
		params.dict_sz = size;
	}

	down_write(&zram->init_lock);
	if (zram->init_done) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = zram_params_prio(zram, alg, prio);
	if (ret < 0)
		goto out_unlock;
	prio = ret;
	comp = zcomp_create(zram->comp_algs[prio], &params);
	if (IS_ERR(comp)) {
		ret = PTR_ERR(comp);
		goto out_unlock;
	}
	zcomp_destroy(comp);
	params.drv_data = NULL;
	zram_params_reset(&zram->comp_params[prio]);
	zram->comp_params[prio] = params;
	params.dict = NULL;
	ret = 0;
out_unlock:
	up_write(&zram->init_lock);
out:
	vfree(params.dict);
	kfree(args);
	return ret ? ret : len;
}

/*
 * "[type=huge|idle|huge_idle] [threshold=BYTES] [max_pages=N]
 *  [algo=NAME | priority=N]" into @req, against the device's algorithms.
 * init_lock held.
 */
static int zram_parse_recompress(struct zram *zram, char *args,
				 struct zram_recomp_req *req)
{
	char *key, *val, *alg = NULL;
	unsigned int prio = 0, i;
	int ret;

	memset(req, 0, sizeof(*req));
	while ((ret = zram_next_kv(&args, &key, &val)) > 0) {
		if (!strcmp(key, "type")) {
			req->huge = !strcmp(val, "huge") ||
				    !strcmp(val, "huge_idle");
			req->idle = !strcmp(val, "idle") ||
				    !strcmp(val, "huge_idle");
			if (!req->huge && !req->idle)
				ret = -EINVAL;
		} else if (!strcmp(key, "threshold")) {
			if (kstrtou32(val, 10, &req->threshold) ||
			    !req->threshold || req->threshold > PAGE_SIZE)
				ret = -EINVAL;
		} else if (!strcmp(key, "max_pages")) {
			if (kstrtou64(val, 10, &req->max_pages) ||
			    !req->max_pages)
				ret = -EINVAL;
		} else if (!strcmp(key, "algo")) {
			alg = val;
		} else if (!strcmp(key, "priority")) {
			ret = zram_parse_prio(val, &prio);
		} else {
			ret = -EINVAL;
		}
		if (ret < 0)
			return ret;
	}
	if (ret < 0 || (alg && prio))
		return -EINVAL;
	if (alg) {
		for (i = 1; i < ZRAM_MAX_COMPS && !prio; i++)
			if (!strcmp(zram->comp_algs[i], alg))
				prio = i;
		if (!prio)
			return -EINVAL;
	}
	if (prio) {
		if (!zram->comps[prio])
			return -EINVAL;
		req->prio_lo = prio;
		req->prio_hi = prio + 1;
	} else {
		req->prio_lo = 1;
		req->prio_hi = zram_last_prio(zram) + 1;
		if (req->prio_hi == 1)
			return -EINVAL;
	}
	return 0;
}

static ssize_t recompress_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_recomp_req req;
	char *args;
	int ret;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	down_read(&zram->init_lock);
	if (!zram->init_done)
		ret = -EINVAL;
	else
		ret = zram_parse_recompress(zram, args, &req);
	if (!ret)
		ret = zram_recompress(zram, &req);
	up_read(&zram->init_lock);
	kfree(args);
	return ret ? ret : len;
}

static DEVICE_ATTR_RW(disksize);
static DEVICE_ATTR_RO(initstate);
static DEVICE_ATTR_WO(reset);
static DEVICE_ATTR_RW(comp_algorithm);
static DEVICE_ATTR_RW(max_comp_streams);
static DEVICE_ATTR_WO(mem_limit);
static DEVICE_ATTR_WO(mem_used_max);
static DEVICE_ATTR_WO(compact);
static DEVICE_ATTR_RO(mm_stat);
static DEVICE_ATTR_RO(io_stat);
static DEVICE_ATTR_RO(debug_stat);
static DEVICE_ATTR_WO(idle);
static DEVICE_ATTR_RW(backing_dev);
static DEVICE_ATTR_WO(writeback);
static DEVICE_ATTR_RW(writeback_limit_enable);
static DEVICE_ATTR_RW(writeback_limit);
static DEVICE_ATTR_RO(bd_stat);
static DEVICE_ATTR_RW(recomp_algorithm);
static DEVICE_ATTR_WO(algorithm_params);
static DEVICE_ATTR_WO(recompress);

static struct attribute *zram_disk_attrs[] = {
	&dev_attr_disksize.attr,
	&dev_attr_initstate.attr,
	&dev_attr_reset.attr,
	&dev_attr_comp_algorithm.attr,
	&dev_attr_max_comp_streams.attr,
	&dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,
	&dev_attr_compact.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_idle.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_writeback.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_bd_stat.attr,
	&dev_attr_recomp_algorithm.attr,
	&dev_attr_algorithm_params.attr,
	&dev_attr_recompress.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zram_disk);

/* ---- device creation and removal ---- */

static const struct zram_queue_cfg zram_queue_cfg = {
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

/* Create a device; returns its id or a negative errno. */
static int zram_add(void)
{
	struct zram *zram;
	int ret;

	zram = kzalloc(sizeof(*zram), GFP_KERNEL);
	if (!zram)
		return -ENOMEM;
	init_rwsem(&zram->init_lock);
	mutex_init(&zram->pp_lock);
	spin_lock_init(&zram->bd.limit_lock);
	zram_set_alg(zram, ZRAM_PRIMARY_COMP, ZRAM_DEFAULT_COMP);
	zram_drop_recomp(zram);

	ret = idr_alloc(&zram_index_idr, zram, 0, ZRAM_MAX_DEVICES, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	zram->id = ret;

	zram->disk = zram_compat_alloc_disk(&zram_queue_cfg, NUMA_NO_NODE);
	if (IS_ERR(zram->disk)) {
		ret = PTR_ERR(zram->disk);
		goto err_idr;
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
err_idr:
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
	zram_debugfs_remove(zram);
	del_gendisk(zram->disk);
	/* No opener and no more I/O: tear down without the slot locks. */
	zram_reset_device(zram);
	put_disk(zram->disk);
	pr_info("removed device zram%d\n", zram->id);
	kfree(zram);
	return 0;
}

/* ---- /sys/class/zram-control ---- */

static ssize_t hot_add_show(ZRAM_CLASS_CONST struct class *class,
			    ZRAM_CLASS_CONST struct class_attribute *attr,
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

static ssize_t hot_remove_store(ZRAM_CLASS_CONST struct class *class,
				ZRAM_CLASS_CONST struct class_attribute *attr,
				const char *buf, size_t count)
{
	struct zram *zram;
	int ret, id;

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
	zram_bd_wq = alloc_workqueue("zram_bd", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!zram_bd_wq) {
		ret = -ENOMEM;
		goto err_zcomp;
	}
	ret = class_register(&zram_control_class);
	if (ret)
		goto err_wq;
	zram_major = register_blkdev(0, "zram");
	if (zram_major <= 0) {
		ret = zram_major ? zram_major : -EBUSY;
		goto err_class;
	}
	zram_debugfs_root = debugfs_create_dir("zram", NULL);

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
	debugfs_remove_recursive(zram_debugfs_root);
	zram_debugfs_root = NULL;
	unregister_blkdev(zram_major, "zram");
err_class:
	class_unregister(&zram_control_class);
err_wq:
	destroy_workqueue(zram_bd_wq);
err_zcomp:
	zcomp_exit();
	return ret;
}

static void __exit zram_exit(void)
{
	/* No new devices from hot_add once the class is gone. */
	class_unregister(&zram_control_class);
	zram_destroy_devices();
	debugfs_remove_recursive(zram_debugfs_root);
	zram_debugfs_root = NULL;
	unregister_blkdev(zram_major, "zram");
	destroy_workqueue(zram_bd_wq);
	zcomp_exit();
}

module_init(zram_init);
module_exit(zram_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Compressed RAM block device (out-of-tree)");
MODULE_VERSION(ZRAM_OOT_VERSION);
