// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backing device and writeback.
 *
 * Owns: the backing device (backing_dev: open, claim, release), its
 * block bitmap, the I/O to it, writeback of pages to it (writeback,
 * writeback_limit_enable, writeback_limit, writeback_batch_size,
 * bd_stat) and reads of pages written back.  Writeback runs for
 * "writeback" and, a step at a time, for the tiering passes
 * (zram_writeback_step()).
 *
 * Locks it takes: zram->init_lock (sysfs handlers), zram->move_lock
 * (one writeback at a time, also against recompression), the slot lock
 * (never across I/O: a slot is flagged ZRAM_MOVING instead, see
 * zram_slot.h) and bd.limit_lock (the writeback budget; innermost).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kernfs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zram_slot.h"
#include "zsmalloc.h"

/* ---- blocks of the backing device (see struct zram_backing) ---- */

/*
 * The maps and the read-side SRCU state of a backing device of
 * @nr_blocks blocks (all heap: @bd may be copied field by field).
 */
int zram_bd_maps_alloc(struct zram_backing *bd, unsigned long nr_blocks)
{
	size_t longs = BITS_TO_LONGS(nr_blocks);

	bd->bitmap = kvcalloc(longs, sizeof(long), GFP_KERNEL | __GFP_NOWARN);
	bd->quar = kvcalloc(longs, sizeof(long), GFP_KERNEL | __GFP_NOWARN);
	bd->pend = kvcalloc(longs, sizeof(long), GFP_KERNEL | __GFP_NOWARN);
	bd->live = kvcalloc(nr_blocks, sizeof(*bd->live),
			    GFP_KERNEL | __GFP_NOWARN);
	bd->srcu = kzalloc(sizeof(*bd->srcu), GFP_KERNEL);
	if (!bd->bitmap || !bd->quar || !bd->pend || !bd->live || !bd->srcu)
		goto err;
	if (init_srcu_struct(bd->srcu)) {
		kfree(bd->srcu);
		bd->srcu = NULL;
		goto err;
	}
	bd->nr_blocks = nr_blocks;
	bd->used = 0;
	bd->next = 0;
	bd->pend_any = false;
	return 0;
err:
	zram_bd_maps_free(bd);
	return -ENOMEM;
}

/*
 * Free the maps, after waiting for every read in flight (each holds
 * bd->srcu until it has completed).
 */
void zram_bd_maps_free(struct zram_backing *bd)
{
	if (bd->srcu) {
		synchronize_srcu(bd->srcu);
		cleanup_srcu_struct(bd->srcu);
		kfree(bd->srcu);
		bd->srcu = NULL;
	}
	kvfree(bd->bitmap);
	kvfree(bd->quar);
	kvfree(bd->pend);
	kvfree(bd->live);
	bd->bitmap = NULL;
	bd->quar = NULL;
	bd->pend = NULL;
	bd->live = NULL;
	bd->nr_blocks = 0;
	bd->used = 0;
	bd->next = 0;
	bd->pend_any = false;
}

/* Wait until no read of the backing device is in flight. */
void zram_bd_quiesce(struct zram *zram)
{
	if (zram->bd.srcu)
		synchronize_srcu(zram->bd.srcu);
}

/*
 * Give back block @blk that no reader can have looked up: reserved by a
 * writeback that did not publish it in any slot.
 */
static void zram_bd_release(struct zram *zram, unsigned long blk)
{
	atomic_set(&zram->bd.live[blk], 0);
	clear_bit(blk, zram->bd.bitmap);
	zram->bd.used--;
}

/*
 * @bytes of block @blk's live data are gone (a slot freed or moved, or
 * the settling bias of writeback).  The last byte quarantines the block
 * (returns true): reads that looked it up earlier may still be in
 * flight.  Any context.
 */
bool zram_bd_put(struct zram *zram, unsigned long blk, unsigned int bytes)
{
	if (atomic_sub_return(bytes, &zram->bd.live[blk]))
		return false;
	atomic64_dec(&zram->stats.bd_count);
	set_bit(blk, zram->bd.quar);
	return true;
}

/*
 * An object of @size bytes at byte @pos of the backing device is gone;
 * it may cover two blocks.  Returns how many blocks it left empty.
 */
unsigned int zram_bd_put_obj(struct zram *zram, unsigned long pos,
			     unsigned int size)
{
	unsigned long blk = pos >> PAGE_SHIFT;
	unsigned int head = min_t(unsigned int, size,
				  PAGE_SIZE - offset_in_page(pos));
	unsigned int emptied = zram_bd_put(zram, blk, head);

	if (size > head)
		emptied += zram_bd_put(zram, blk + 1, size - head);
	return emptied;
}

/* Written-back slot @index (locked) lets go of its data on the disk. */
void zram_bd_put_slot(struct zram *zram, u32 index)
{
	unsigned int size = zram_get_obj_size(zram, index);

	atomic64_dec(&zram->stats.bd_pages);
	atomic64_sub(zram_wb_bytes(zram, index), &zram->stats.bd_live);
	if (size)
		zram_bd_put_obj(zram, zram->slots[index].handle, size);
	else
		zram_bd_put(zram, zram->slots[index].handle, PAGE_SIZE);
}

/*
 * The blocks in ->pend are about to be free: when the backing device
 * takes discards, discard them, one request per run of adjacent blocks
 * (an SSD then holds no stale swap data).  Failures are ignored: the
 * blocks are free either way.
 */
static void zram_bd_discard(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;
	unsigned long blk, end;

	if (!bd->dev.bdev || !bdev_max_discard_sectors(bd->dev.bdev))
		return;
	for (blk = find_first_bit(bd->pend, bd->nr_blocks);
	     blk < bd->nr_blocks;
	     blk = find_next_bit(bd->pend, bd->nr_blocks, end)) {
		end = find_next_zero_bit(bd->pend, bd->nr_blocks, blk);
		if (!blkdev_issue_discard(bd->dev.bdev,
					  (sector_t)blk << ZRAM_SECTORS_PER_PAGE_SHIFT,
					  (sector_t)(end - blk) << ZRAM_SECTORS_PER_PAGE_SHIFT,
					  GFP_KERNEL))
			atomic64_add(end - blk, &zram->stats.bd_discarded);
	}
}

/*
 * Make quarantined blocks free again.  Blocks in ->pend were quarantined
 * before grace period ->gp started: once it has ended (waited for with
 * @wait), no read of them is in flight.  Then the blocks in ->quar move
 * to ->pend behind a new grace period.  move_lock held.
 */
static void zram_bd_recycle(struct zram *zram, bool wait)
{
	struct zram_backing *bd = &zram->bd;
	unsigned long blk;
	bool moved = false;

	if (bd->pend_any) {
		if (!poll_state_synchronize_srcu(bd->srcu, bd->gp)) {
			if (!wait)
				return;
			synchronize_srcu(bd->srcu);
		}
		zram_bd_discard(zram);
		for_each_set_bit(blk, bd->pend, bd->nr_blocks) {
			clear_bit(blk, bd->pend);
			clear_bit(blk, bd->bitmap);
			bd->used--;
		}
		bd->pend_any = false;
	}
	for_each_set_bit(blk, bd->quar, bd->nr_blocks) {
		clear_bit(blk, bd->quar);
		set_bit(blk, bd->pend);
		moved = true;
	}
	if (moved) {
		bd->pend_any = true;
		bd->gp = start_poll_synchronize_srcu(bd->srcu);
	}
}

/* A free block, searching from where the last search ended; -ENOSPC. */
static long zram_bd_find(struct zram_backing *bd)
{
	unsigned long blk;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		blk = find_next_zero_bit(bd->bitmap, bd->nr_blocks,
					 pass ? 0 : bd->next);
		while (blk < bd->nr_blocks) {
			if (!test_and_set_bit(blk, bd->bitmap)) {
				bd->next = blk + 1;
				bd->used++;
				return blk;
			}
			blk = find_next_zero_bit(bd->bitmap, bd->nr_blocks,
						 blk + 1);
		}
	}
	return -ENOSPC;
}

/*
 * Reserve a free block of the backing device, leaving at least @keep
 * free (packed writeback keeps ZRAM_BD_CLEAN_RESERVE for cleaning to
 * start with); when there is none, wait for quarantined ones to become
 * free (at most two grace periods: the blocks already pending, then
 * those quarantined since).  Only writeback and cleaning call this
 * (under move_lock), never under a slot lock: the search may cover
 * megabytes of bitmap.
 */
static long zram_bd_alloc(struct zram *zram, unsigned long keep)
{
	struct zram_backing *bd = &zram->bd;
	long blk;
	int tries;

	/* A caller holding a slot lock (a bit spinlock) is caught here. */
	might_sleep();

	for (tries = 0; tries < 3; tries++) {
		if (bd->nr_blocks - bd->used > keep) {
			blk = zram_bd_find(bd);
			if (blk >= 0)
				return blk;
		}
		if (!bd->pend_any && bitmap_empty(bd->quar, bd->nr_blocks))
			break;
		zram_bd_recycle(zram, true);
	}
	return -ENOSPC;
}

/* ---- reads of the backing device ---- */

/*
 * A read of a block registers with bd->srcu from its slot lookup to its
 * completion (srcu_down_read() semantics: released in the completion).
 * For sparse, the read side is a context of its own.
 */
static int zram_bd_hold(struct zram_backing *bd)
{
	int idx = zram_compat_srcu_down_read(bd->srcu);

	__release(bd->srcu);
	return idx;
}

static void zram_bd_unhold(struct zram_backing *bd, int idx)
{
	__acquire(bd->srcu);
	zram_compat_srcu_up_read(bd->srcu, idx);
}

/*
 * Where a written-back slot's data is, taken under its slot lock.  A
 * packed object may run on from its block into the next one (writeback
 * packs it so only when that block is the adjacent one): @nr is 2 then.
 */
struct zram_bd_src {
	unsigned long blk;
	unsigned int off;
	unsigned int size;	/* 0: a whole page, uncompressed */
	unsigned int prio;
	unsigned int nr;	/* blocks it covers */
	u32 index;
};

static void zram_bd_src_init(struct zram *zram, u32 index,
			     struct zram_bd_src *src)
{
	src->blk = zram_wb_block(zram, index);
	src->off = zram_wb_offset(zram, index);
	src->size = zram_get_obj_size(zram, index);
	src->prio = zram_get_prio(zram, index);
	src->nr = src->off + src->size > PAGE_SIZE ? 2 : 1;
	src->index = index;
}

/*
 * May @src's object be unpacked where its read completes (any context)?
 * A raw one is only copied; LZO and LZ4 need no stream.  Others need a
 * CPU's stream, so a worker.
 */
static bool zram_bd_unpacks_anywhere(struct zram *zram,
				     const struct zram_bd_src *src)
{
	return src->size == PAGE_SIZE ||
	       zcomp_decompresses_anywhere(zram->comps[src->prio]);
}

/*
 * Fill @page from @buf, the bounce block(s) that hold @src's compressed
 * object (raw if PAGE_SIZE long), contiguous (zram_bd_bounce()).  Any
 * context if zram_bd_unpacks_anywhere(), else process context.
 */
static int zram_bd_unpack(struct zram *zram, const struct zram_bd_src *src,
			  struct page **buf, struct page *page)
{
	const void *in = page_address(buf[0]) + src->off;
	void *dst;
	int ret = 0;

	dst = kmap_local_page(page);
	if (src->size == PAGE_SIZE)
		memcpy(dst, in, PAGE_SIZE);
	else
		ret = zcomp_decompress_here(zram->comps[src->prio], in,
					    src->size, dst);
	kunmap_local(dst);
	flush_dcache_page(page);
	return ret;
}

/*
 * Bounce pages for @src's blocks (none for a whole uncompressed page):
 * two blocks get an order-1 pair, so the object is contiguous in them.
 */
static int zram_bd_bounce(const struct zram_bd_src *src, struct page *page,
			  struct page **buf)
{
	buf[0] = page;
	buf[1] = NULL;
	if (!src->size)
		return 0;
	buf[0] = alloc_pages(GFP_NOIO, src->nr - 1);
	if (!buf[0])
		return -ENOMEM;
	if (src->nr == 2)
		buf[1] = buf[0] + 1;
	return 0;
}

static void zram_bd_bounce_free(const struct zram_bd_src *src,
				struct page **buf)
{
	if (src->size)
		__free_pages(buf[0], src->nr - 1);
}

struct zram_bd_io {
	struct work_struct work;
	struct block_device *bdev;
	struct page **pages;
	unsigned long blk;
	unsigned int nr;
	int ret;
};

static void zram_bd_io_sync(struct zram_bd_io *io)
{
	struct bio_vec bvec[2];
	struct bio bio;
	unsigned int i;

	bio_init(&bio, io->bdev, bvec, io->nr, REQ_OP_READ);
	bio.bi_iter.bi_sector = (sector_t)io->blk << ZRAM_SECTORS_PER_PAGE_SHIFT;
	for (i = 0; i < io->nr; i++)
		__bio_add_page(&bio, io->pages[i], PAGE_SIZE, 0);
	io->ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
}

static void zram_bd_io_work(struct work_struct *work)
{
	zram_bd_io_sync(container_of(work, struct zram_bd_io, work));
}

/*
 * Read @nr (1 or 2) blocks from @blk into @pages and wait for them.
 * Inside a ->submit_bio (ours), a bio we submit is only queued until
 * that returns, so there the read is issued and waited for by a worker
 * of the device's own WQ_MEM_RECLAIM workqueue.  Only reads that cannot
 * be chained to a bio come here (->rw_page, parts of pages, cleaning).
 * No backing device leads back to one of ours (zram_bd_check_stack()),
 * so no work of the queue waits on that same queue.
 */
static int zram_bd_read_wait(struct zram *zram, struct page **pages,
			     unsigned long blk, unsigned int nr)
{
	struct zram_bd_io io = {
		.bdev = zram->bd.dev.bdev,
		.pages = pages,
		.blk = blk,
		.nr = nr,
	};

	if (!current->bio_list) {
		zram_bd_io_sync(&io);
		return io.ret;
	}
	INIT_WORK_ONSTACK(&io.work, zram_bd_io_work);
	queue_work(zram->bd.wq, &io.work);
	flush_work(&io.work);
	destroy_work_on_stack(&io.work);
	return io.ret;
}

/* Read @src into @page, waiting for it. */
static int zram_bd_read_sync(struct zram *zram, const struct zram_bd_src *src,
			     struct page *page)
{
	struct page *buf[2];
	int ret;

	ret = zram_bd_bounce(src, page, buf);
	if (ret)
		return ret;
	ret = zram_bd_read_wait(zram, buf, src->blk, src->nr);
	if (!ret) {
		atomic64_add(src->nr, &zram->stats.bd_reads);
		if (src->size)
			ret = zram_bd_unpack(zram, src, buf, page);
		else
			flush_dcache_page(page);
	}
	zram_bd_bounce_free(src, buf);
	return ret;
}

/*
 * A read chained to the bio that needs it (@parent completes when it
 * has).  A compressed object is read into bounce pages and unpacked
 * where the read completes if zram_bd_unpacks_anywhere(), else by a
 * worker of the device's workqueue (a CPU's stream may not be taken
 * where completions run).
 */
struct zram_bd_read {
	struct zram *zram;
	struct bio *parent;
	struct page *page;	/* the parent's page to fill */
	struct page *buf[2];	/* bounce pages, or @page itself */
	struct zram_bd_src src;
	struct work_struct work;
	int srcu_idx;
	struct bio bio;		/* last: the bio_set's front pad ends here */
};

static void zram_bd_read_done(struct zram_bd_read *rd, int err)
{
	struct zram *zram = rd->zram;
	struct bio *parent = rd->parent;

	if (err) {
		pr_err_ratelimited("zram%d: reading page %u from the backing device failed: %d\n",
				   zram->id, rd->src.index, err);
		zram_bio_fail(zram, parent, false);
	} else {
		atomic64_inc(&zram->stats.bd_async);
	}
	zram_bd_bounce_free(&rd->src, rd->buf);
	atomic64_dec(&zram->stats.bd_inflight);
	zram_bd_unhold(&zram->bd, rd->srcu_idx);
	bio_put(&rd->bio);
	bio_endio(parent);
}

static void zram_bd_read_unpack(struct work_struct *work)
{
	struct zram_bd_read *rd = container_of(work, struct zram_bd_read,
					       work);

	zram_bd_read_done(rd, zram_bd_unpack(rd->zram, &rd->src, rd->buf,
					      rd->page));
}

static void zram_bd_read_end_io(struct bio *bio)
{
	struct zram_bd_read *rd = container_of(bio, struct zram_bd_read, bio);
	int err = blk_status_to_errno(bio->bi_status);

	if (!err)
		atomic64_add(rd->src.nr, &rd->zram->stats.bd_reads);
	if (err || !rd->src.size) {
		if (!err)
			flush_dcache_page(rd->page);
		zram_bd_read_done(rd, err);
		return;
	}
	if (zram_bd_unpacks_anywhere(rd->zram, &rd->src)) {
		atomic64_inc(&rd->zram->stats.bd_unpack_here);
		zram_bd_read_done(rd, zram_bd_unpack(rd->zram, &rd->src,
						     rd->buf, rd->page));
		return;
	}
	INIT_WORK(&rd->work, zram_bd_read_unpack);
	queue_work(rd->zram->bd.wq, &rd->work);
}

/*
 * Start reading @src into @page for @parent; the read holds the SRCU
 * read side @idx (taken under the slot lock) until it has completed.
 */
static int zram_bd_read_async(struct zram *zram,
			      const struct zram_bd_src *src,
			      struct page *page, struct bio *parent, int idx)
{
	struct zram_bd_read *rd;
	struct page *buf[2];
	struct bio *bio;
	unsigned int i;

	if (zram_bd_bounce(src, page, buf))
		return -ENOMEM;
	bio = bio_alloc_bioset(zram->bd.dev.bdev, src->nr, REQ_OP_READ,
			       GFP_NOIO, zram->bd.bioset);
	if (!bio) {
		zram_bd_bounce_free(src, buf);
		return -ENOMEM;
	}
	rd = container_of(bio, struct zram_bd_read, bio);
	rd->zram = zram;
	rd->parent = parent;
	rd->page = page;
	rd->buf[0] = buf[0];
	rd->buf[1] = buf[1];
	rd->src = *src;
	rd->srcu_idx = idx;
	bio->bi_iter.bi_sector = (sector_t)src->blk << ZRAM_SECTORS_PER_PAGE_SHIFT;
	bio->bi_end_io = zram_bd_read_end_io;
	for (i = 0; i < src->nr; i++)
		__bio_add_page(bio, buf[i], PAGE_SIZE, 0);
	bio_inc_remaining(parent);
	atomic64_inc(&zram->stats.bd_inflight);
	submit_bio(bio);
	return 0;
}

/*
 * Read written-back slot @index into @page: chained to @parent if there
 * is one (the page is filled when @parent completes), else waiting for
 * it.  The slot is looked up and the read registered (bd->srcu) under
 * the slot lock, so the block cannot be recycled before the read has
 * completed, whatever happens to the slot meanwhile (a concurrent write
 * or free: the read returns the data as it was).  Called and returns
 * with the slot locked; the lock is dropped across the I/O.
 */
int zram_read_from_bd(struct zram *zram, u32 index, struct page *page,
		      struct bio *parent)
	__must_hold(&zram->slots[index])
{
	struct zram_bd_src src;
	int idx, ret;

	zram_bd_src_init(zram, index, &src);
	idx = zram_bd_hold(&zram->bd);
	zram_slot_unlock(zram, index);
	if (parent) {
		ret = zram_bd_read_async(zram, &src, page, parent, idx);
		if (!ret)
			goto out;
	} else {
		ret = zram_bd_read_sync(zram, &src, page);
	}
	zram_bd_unhold(&zram->bd, idx);
out:
	zram_slot_lock(zram, index);
	return ret;
}

/* Release the backing device, if any.  init_lock held for writing. */
void zram_bd_close(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	if (!bd->dev.bdev)
		return;
	/* Waits for reads in flight: they use the bio_set and the queue. */
	zram_bd_maps_free(bd);
	bioset_exit(bd->bioset);
	kfree(bd->bioset);
	bd->bioset = NULL;
	zram_compat_bdev_close(&bd->dev);
	destroy_workqueue(bd->wq);
	bd->wq = NULL;
	kfree(bd->path);
	bd->path = NULL;
}

/* How deep zram_bd_check_stack() follows stacked devices. */
#define ZRAM_BD_MAX_DEPTH	8

/* State of zram_bd_check_stack() at one level. */
struct zram_bd_stack {
	struct kernfs_node *slaves;	/* the "slaves" directory looked in */
	unsigned int depth;
};

static int zram_bd_check_slaves(struct kernfs_node *slaves,
				ZRAM_COMPAT_CLASS_CONST struct class *class,
				unsigned int depth);

/*
 * Is block device @dev (of the block class) listed in w->slaves?  Then
 * it must not be ours, and neither may anything under it.
 */
static int zram_bd_check_one(struct device *dev, void *data)
{
	const struct zram_bd_stack *w = data;
	struct kernfs_node *link, *sub;
	int ret = 0;

	link = kernfs_find_and_get(w->slaves, dev_name(dev));
	if (!link)
		return 0;
	if (zram_is_zram_bdev(dev_to_bdev(dev))) {
		ret = -EINVAL;
	} else if (kernfs_type(link) == KERNFS_LINK) {
		/* The link holds a reference on its target, @dev's directory. */
		sub = kernfs_find_and_get(link->symlink.target_kn, "slaves");
		if (sub) {
			ret = zram_bd_check_slaves(sub, dev->class,
						   w->depth + 1);
			kernfs_put(sub);
		}
	}
	kernfs_put(link);
	return ret;
}

/* Check every block device listed in @slaves; see zram_bd_check_stack(). */
static int zram_bd_check_slaves(struct kernfs_node *slaves,
				ZRAM_COMPAT_CLASS_CONST struct class *class,
				unsigned int depth)
{
	struct zram_bd_stack w = { .slaves = slaves, .depth = depth };

	if (depth >= ZRAM_BD_MAX_DEPTH)
		return -EINVAL;
	return class_for_each_device(class, NULL, &w,
				     zram_bd_check_one);
}

/*
 * Refuse (-EINVAL) a backing device that is one of ours or is stacked
 * on one of ours (dm or md over zramN, at any depth up to
 * ZRAM_BD_MAX_DEPTH): a read of a written-back page would then wait,
 * from inside our bio path, on another of our devices' reads.  A stacked
 * device lists what it sits on in its sysfs "slaves" directory (dm and
 * md, through the kernel's holder links); the walk follows those,
 * looking every block device up by name, with a kernfs reference on
 * each directory it reads, so a device going away meanwhile is simply
 * not found.  Not seen: stacks that keep no holder links (a loop device
 * over a file on a filesystem on zramN; such a read goes through the
 * loop device's own worker, not our queue) and stacks assembled after
 * backing_dev was set.
 */
static int zram_bd_check_stack(struct block_device *bdev)
{
	struct device *ddev = disk_to_dev(bdev->bd_disk);
	struct kernfs_node *slaves;
	int ret;

	if (zram_is_zram_bdev(bdev))
		return -EINVAL;
	slaves = kernfs_find_and_get(ddev->kobj.sd, "slaves");
	if (!slaves)
		return 0;
	ret = zram_bd_check_slaves(slaves, ddev->class, 0);
	kernfs_put(slaves);
	return ret;
}

/*
 * Open @path as backing device, exclusively, in place of the current one.
 * On failure the current one stays.  -EINVAL for an empty device, a
 * zoned one (its zones take sequential writes only) and one that is or
 * sits on one of ours (zram_bd_check_stack()).  init_lock held for
 * writing.
 */
static int zram_bd_open(struct zram *zram, const char *path)
{
	struct zram_backing *bd = &zram->bd;
	struct zram_backing new = {};
	int ret;

	new.path = kstrdup(path, GFP_KERNEL);
	if (!new.path)
		return -ENOMEM;
	ret = zram_compat_bdev_open(path, zram, &new.dev);
	if (ret)
		goto err_path;
	if (!(bdev_nr_bytes(new.dev.bdev) >> PAGE_SHIFT) ||
	    bdev_is_zoned(new.dev.bdev)) {
		ret = -EINVAL;
		goto err_dev;
	}
	ret = zram_bd_check_stack(new.dev.bdev);
	if (ret)
		goto err_dev;
	ret = zram_bd_maps_alloc(&new,
				 bdev_nr_bytes(new.dev.bdev) >> PAGE_SHIFT);
	if (ret)
		goto err_dev;
	ret = -ENOMEM;
	/*
	 * Per-CPU and high priority: a read's decompression runs on the CPU
	 * its block's read completed on, ahead of ordinary work.
	 */
	new.wq = alloc_workqueue("zram%d_bd", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0,
				 zram->id);
	if (!new.wq)
		goto err_maps;
	new.bioset = kzalloc(sizeof(*new.bioset), GFP_KERNEL);
	if (!new.bioset)
		goto err_wq;
	/* The rescuer: our reads are allocated inside ->submit_bio. */
	if (bioset_init(new.bioset, ZRAM_BD_READS_RESERVED,
			offsetof(struct zram_bd_read, bio),
			BIOSET_NEED_BVECS | BIOSET_NEED_RESCUER))
		goto err_bioset;

	zram_bd_close(zram);
	bd->dev = new.dev;
	bd->wq = new.wq;
	bd->path = new.path;
	bd->bioset = new.bioset;
	bd->bitmap = new.bitmap;
	bd->quar = new.quar;
	bd->pend = new.pend;
	bd->live = new.live;
	bd->srcu = new.srcu;
	bd->nr_blocks = new.nr_blocks;
	bd->next = 0;
	bd->pend_any = false;
	return 0;

err_bioset:
	kfree(new.bioset);
err_wq:
	destroy_workqueue(new.wq);
err_maps:
	zram_bd_maps_free(&new);
err_dev:
	zram_compat_bdev_close(&new.dev);
err_path:
	kfree(new.path);
	return ret;
}

/* The modes of "writeback" (and of "tiering", zram_tier.c). */
const char * const zram_wb_mode_names[ZRAM_WB_INDEX] = {
	[ZRAM_WB_HUGE] = "huge",
	[ZRAM_WB_IDLE] = "idle",
	[ZRAM_WB_HUGE_IDLE] = "huge_idle",
	[ZRAM_WB_INCOMPRESSIBLE] = "incompressible",
};

/* What a write to "writeback" asked for. */
struct zram_wb_req {
	enum zram_wb_mode mode;
	unsigned int nr_ranges;		/* ZRAM_WB_INDEX: ranges[] in order */
	struct zram_wb_range {
		u32 lo, hi;		/* inclusive */
	} *ranges;
};

/* Parsing state of a page_index list (zram_parse_wb()). */
struct zram_wb_parse {
	struct zram_wb_req *req;
	unsigned long nr_pages;
};

/* Add @lo..@hi to the list if it lies on the device. */
static int zram_wb_add_range(struct zram_wb_parse *p, u32 lo, u32 hi)
{
	struct zram_wb_req *req = p->req;

	if (lo > hi || hi >= p->nr_pages)
		return -EINVAL;
	req->ranges[req->nr_ranges].lo = lo;
	req->ranges[req->nr_ranges].hi = hi;
	req->nr_ranges++;
	return 0;
}

/* "page_index=N" (decimal). */
static int zram_parse_page_index(char *val, void *ctx)
{
	u32 index;

	if (kstrtou32(val, 10, &index))
		return -EINVAL;
	return zram_wb_add_range(ctx, index, index);
}

/* "page_indexes=A-B" (decimal, A <= B, both inclusive). */
static int zram_parse_page_indexes(char *val, void *ctx)
{
	char *dash = strchr(val, '-');
	u32 lo, hi;

	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (kstrtou32(val, 10, &lo) || kstrtou32(dash + 1, 10, &hi))
		return -EINVAL;
	return zram_wb_add_range(ctx, lo, hi);
}

static const struct zram_kv_key zram_wb_keys[] = {
	{ "page_index", zram_parse_page_index },
	{ "page_indexes", zram_parse_page_indexes },
	{ }
};

/*
 * Parse a write to "writeback" (@args, a writable copy) into @req: one
 * mode name, or a list of page_index/page_indexes tokens, all checked
 * against @nr_pages here so that a bad token refuses the write before
 * any page moves.  On success with ZRAM_WB_INDEX, req->ranges is
 * kmalloc'ed: zram_wb_req_free() it.
 */
static int zram_parse_wb(char *args, unsigned long nr_pages,
			 struct zram_wb_req *req)
{
	struct zram_wb_parse p = { .req = req, .nr_pages = nr_pages };
	int ret, i;

	memset(req, 0, sizeof(*req));
	i = sysfs_match_string(zram_wb_mode_names, args);
	if (i >= 0) {
		req->mode = i;
		return 0;
	}
	req->mode = ZRAM_WB_INDEX;
	/* A token takes at least two characters with its separator. */
	req->ranges = kmalloc_array(strlen(args) / 2 + 1,
				    sizeof(*req->ranges), GFP_KERNEL);
	if (!req->ranges)
		return -ENOMEM;
	ret = zram_parse_kv(args, zram_wb_keys, &p);
	if (!ret && !req->nr_ranges)
		ret = -EINVAL;
	if (ret) {
		kfree(req->ranges);
		req->ranges = NULL;
	}
	return ret;
}

static void zram_wb_req_free(struct zram_wb_req *req)
{
	kfree(req->ranges);
	req->ranges = NULL;
}

/* Does the (locked) slot qualify for writeback in @mode? */
static bool zram_wb_wanted(struct zram *zram, u32 index,
			   enum zram_wb_mode mode)
{
	bool huge = zram_test_flag(zram, index, ZRAM_HUGE);
	bool idle = zram_test_flag(zram, index, ZRAM_IDLE);

	if (!zram_slot_may_move(zram, index))
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
 * Batched writeback.  Slots go out in batches of up to
 * writeback_batch_size blocks.  Each qualifying slot's data is copied
 * into a block of the batch (zram_wb_prepare()) and the slot flagged
 * ZRAM_MOVING: uncompressed, a page per block; with writeback_compressed,
 * the object as stored, packed after the previous ones while it fits in
 * the block (an object never crosses a block boundary).  Uncompressed, a
 * slot's object is only copied (to the block's stage page) under its
 * lock: a worker decompresses the batch's objects into their blocks and
 * sends it (zram_wb_send_work()), on the online CPUs in turn, so
 * writeback decompresses at several CPUs' speed.  When the batch
 * is full, or the walk ends, its blocks are written with one bio per run
 * of adjacent blocks, all under one plug, completed asynchronously; once
 * the last bio has ended each slot is looked at again (zram_wb_finish()):
 * a slot freed, rewritten or (idle modes) read while in flight keeps its
 * data in memory, as does a slot whose block failed to write.
 *
 * Cleaning (zram_wb_clean()) uses the same batches: the live objects of
 * mostly empty packed blocks are read back and packed again, densely.
 */
struct zram_wb_blk {
	struct page *page;	/* the block's bytes, as they go out */
	struct page *stage;	/* uncompressed: its object, compressed */
	unsigned long blk;
	unsigned int used;	/* bytes filled */
	unsigned int settled;	/* slots that now point into it */
	int err;		/* of the bio that carried it */
};

struct zram_wb_obj {
	u32 index;
	unsigned int bi;	/* its block in the batch */
	unsigned int off;	/* in that block */
	unsigned int size;	/* 0: a page, uncompressed */
	unsigned int zsize;	/* uncompressed: bytes in the stage page (0: none) */
	unsigned int prio;
	/* Cleaning: the slot's handle and generation when it was read. */
	unsigned long old_handle;
	unsigned long old_gen;
	bool clean;
};

struct zram_wb_bio {
	struct bio bio;
	struct zram_wb_batch *batch;
	unsigned int first, nr;	/* its blocks */
};

/* Objects a batch holds per block, at most (small objects pack densely). */
#define ZRAM_WB_OBJS_PER_BLOCK	32U

struct zram_wb_batch {
	unsigned int max;	/* blocks (and bounce pages) */
	unsigned int nr;	/* blocks in use */
	unsigned int max_objs;
	unsigned int nr_objs;
	struct zram_wb_blk *blks;
	struct zram_wb_obj *objs;
	struct zram_wb_bio *bios;
	struct bio_vec *vecs;
	unsigned int nr_bios;	/* zram_wb_start()'s, for zram_wb_wait() */
	atomic_t pending;	/* bios in flight, plus one while submitting */
	struct completion done;
	/* Uncompressed: decompresses and starts the batch (a worker). */
	struct work_struct send;
	struct zram *zram;
};

static void zram_wb_send_work(struct work_struct *work);

/*
 * Bounce pages and bios of a batch of up to @want blocks (fewer if
 * memory is short); with @stage, a stage page per block too.
 */
static int zram_wb_batch_init(struct zram_wb_batch *b, unsigned int want,
			      bool stage)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	want = clamp(want, 1U, ZRAM_WB_BATCH_MAX);
	b->blks = kvcalloc(want, sizeof(*b->blks), GFP_KERNEL | __GFP_NOWARN);
	b->objs = kvcalloc(want * ZRAM_WB_OBJS_PER_BLOCK, sizeof(*b->objs),
			   GFP_KERNEL | __GFP_NOWARN);
	b->bios = kvcalloc(want, sizeof(*b->bios), GFP_KERNEL | __GFP_NOWARN);
	b->vecs = kvcalloc(want, sizeof(*b->vecs), GFP_KERNEL | __GFP_NOWARN);
	if (!b->blks || !b->objs || !b->bios || !b->vecs)
		goto err;
	for (i = 0; i < want; i++) {
		struct zram_wb_blk *blk = &b->blks[i];

		blk->page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (blk->page && stage) {
			blk->stage = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (!blk->stage) {
				__free_page(blk->page);
				blk->page = NULL;
			}
		}
		if (!blk->page)
			break;
	}
	b->max = i;
	if (!b->max)
		goto err;
	b->max_objs = b->max * ZRAM_WB_OBJS_PER_BLOCK;
	init_completion(&b->done);
	INIT_WORK(&b->send, zram_wb_send_work);
	return 0;
err:
	kvfree(b->blks);
	kvfree(b->objs);
	kvfree(b->bios);
	kvfree(b->vecs);
	return -ENOMEM;
}

static void zram_wb_batch_free(struct zram_wb_batch *b)
{
	unsigned int i;

	flush_work(&b->send);
	for (i = 0; i < b->max; i++) {
		__free_page(b->blks[i].page);
		if (b->blks[i].stage)
			__free_page(b->blks[i].stage);
	}
	kvfree(b->blks);
	kvfree(b->objs);
	kvfree(b->bios);
	kvfree(b->vecs);
}

static void zram_wb_end_io(struct bio *bio)
{
	struct zram_wb_bio *wb = container_of(bio, struct zram_wb_bio, bio);
	struct zram_wb_batch *b = wb->batch;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i;

	/* A block that failed to decompress keeps its error. */
	for (i = wb->first; i < wb->first + wb->nr; i++)
		if (err)
			b->blks[i].err = err;
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

/*
 * Start writing the batch's blocks out: a bio per run of adjacent
 * blocks, under one plug; zram_wb_wait() waits for them (b->done is
 * reinitialized by the caller).
 */
static void zram_wb_start(struct zram *zram, struct zram_wb_batch *b)
{
	struct block_device *bdev = zram->bd.dev.bdev;
	unsigned int i, n;
	struct blk_plug plug;

	/* No stale bytes of earlier batches on the disk. */
	for (i = 0; i < b->nr; i++)
		if (b->blks[i].used < PAGE_SIZE)
			memzero_page(b->blks[i].page, b->blks[i].used,
				     PAGE_SIZE - b->blks[i].used);
	atomic_set(&b->pending, 1);
	b->nr_bios = 0;
	blk_start_plug(&plug);
	i = 0;
	while (i < b->nr) {
		struct zram_wb_bio *wb = &b->bios[b->nr_bios++];

		/* A run of adjacent blocks, at most BIO_MAX_VECS long. */
		for (n = 1; i + n < b->nr && n < BIO_MAX_VECS; n++)
			if (b->blks[i + n].blk != b->blks[i].blk + n)
				break;
		wb->batch = b;
		wb->first = i;
		wb->nr = n;
		bio_init(&wb->bio, bdev, b->vecs + i, n, REQ_OP_WRITE | REQ_SYNC);
		wb->bio.bi_iter.bi_sector =
			(sector_t)b->blks[i].blk << ZRAM_SECTORS_PER_PAGE_SHIFT;
		wb->bio.bi_end_io = zram_wb_end_io;
		for (; n; n--, i++)
			__bio_add_page(&wb->bio, b->blks[i].page, PAGE_SIZE, 0);
		atomic_inc(&b->pending);
		submit_bio(&wb->bio);
	}
	blk_finish_plug(&plug);
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

/* Wait for the writes zram_wb_start() started. */
static void zram_wb_wait(struct zram_wb_batch *b)
{
	unsigned int i;

	wait_for_completion_io(&b->done);
	for (i = 0; i < b->nr_bios; i++)
		bio_uninit(&b->bios[i].bio);
}

/*
 * Is there writeback budget for one more block, with @pending already
 * on their way?  The budget is charged by zram_wb_budget_charge() for
 * each block that ends up holding data; no other writeback runs
 * meanwhile (move_lock).
 */
static bool zram_wb_budget_left(struct zram *zram, unsigned int pending)
{
	struct zram_backing *bd = &zram->bd;
	bool ok;

	spin_lock(&bd->limit_lock);
	ok = !bd->limit_enable ||
	     bd->limit >= (u64)(pending + 1) * ZRAM_4K_PER_PAGE;
	spin_unlock(&bd->limit_lock);
	return ok;
}

/* A block went out: charge it, if the limit is on (never below 0). */
static void zram_wb_budget_charge(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	spin_lock(&bd->limit_lock);
	if (bd->limit_enable)
		bd->limit -= min_t(u64, bd->limit, ZRAM_4K_PER_PAGE);
	spin_unlock(&bd->limit_lock);
}

/*
 * State of one writeback or cleaning over the slots.  Up to
 * ZRAM_WB_NR_BATCHES batches make a pipeline, used in turn: one is
 * filled while the others are written out (in flight), so the backing
 * device's writes overlap reading (and decompressing) the next slots,
 * and the device always has the next batch queued when it finishes
 * one.  Batches are settled oldest first, when the one to fill next is
 * still in flight, and all of them when the walk ends or needs every
 * block back (cleaning).  With writeback_batch_size 1 (one page at a
 * time, as upstream means it), or memory for one batch only, each is
 * written and settled in turn.  Six: uncompressed, a 2-CPU guest
 * wrote back 256 MiB of zstd pages to a loop device 10-13% faster than
 * with three (both CPUs then have a batch to decompress while the
 * device writes others), and no faster with ten or twelve (twelve:
 * 2090-2412 ms against 2061-2362 ms, four runs each in one guest).
 */
#define ZRAM_WB_NR_BATCHES	6U

struct zram_wb_walk {
	enum zram_wb_mode mode;
	/* Writeback: where, how many pages; what was done.  Cleaning: NULL. */
	struct zram_move_step *st;
	bool compressed;		/* objects as stored, packed */
	struct zram_wb_batch bat[ZRAM_WB_NR_BATCHES];
	unsigned int nr_bat;		/* made so far, >= 1 */
	unsigned int want_bat;		/* to make: fewer if memory was short */
	struct zram_wb_batch *batch;	/* the one being filled */
	/* In flight: the nr_fly batches before @batch in bat[], in turn. */
	unsigned int nr_fly;
	unsigned int fly_blocks;	/* their blocks */
	int send_cpu;			/* the last sender's CPU (a hint) */
	long resv;			/* reserved block, or -1 */
	int err;			/* -EIO once a page failed */
	void *scratch;			/* zsm_read_begin()'s, compressed */
	/* Cleaning: blocks whose live bytes are at most this are cleaned. */
	unsigned int clean_max;
	bool cleaned;			/* once per writeback, on -ENOSPC */
	struct page *cbuf[2];		/* the last blocks read */
	long cbuf_blk;			/* the first of them, or -1 */
	unsigned int cbuf_nr;		/* how many */
};

/* Take the reserved block as the batch's next block. */
static struct zram_wb_blk *zram_wb_new_block(struct zram *zram,
					     struct zram_wb_walk *w)
{
	struct zram_wb_blk *blk = &w->batch->blks[w->batch->nr++];

	blk->blk = w->resv;
	blk->used = 0;
	blk->settled = 0;
	blk->err = 0;
	/* The settling bias (see struct zram_backing). */
	atomic_set(&zram->bd.live[blk->blk], 1);
	w->resv = -1;
	return blk;
}

/*
 * Place an object of @size bytes in the batch: after the last object if
 * it fits in the last block; else, written back compressed, from the
 * end of the last block on into the reserved block when that one is
 * the adjacent block (so an object may cover two blocks, never more);
 * else at the start of the reserved block.  Returns 0 with *bi (its
 * first block in the batch) and *off set and the blocks' use updated,
 * -EAGAIN (write the batch out first), -EDQUOT (no budget for another
 * block) or -ENOENT (a new block is needed: reserve one, try again).
 * Under the slot lock.
 */
static int zram_wb_place(struct zram *zram, struct zram_wb_walk *w,
			 unsigned int size, unsigned int *bi, unsigned int *off)
{
	struct zram_wb_batch *b = w->batch;
	struct zram_wb_blk *last = b->nr ? &b->blks[b->nr - 1] : NULL;
	struct zram_wb_blk *blk;

	if (b->nr_objs == b->max_objs)
		return -EAGAIN;
	if (w->compressed && last && last->used + size <= PAGE_SIZE) {
		*bi = b->nr - 1;
		*off = last->used;
		last->used += size;
		return 0;
	}
	if (b->nr == b->max)
		return -EAGAIN;
	if (!zram_wb_budget_left(zram, b->nr + w->fly_blocks))
		return -EDQUOT;
	if (w->resv < 0)
		return -ENOENT;
	blk = zram_wb_new_block(zram, w);
	if (w->compressed && last && last->used < PAGE_SIZE &&
	    blk->blk == last->blk + 1) {
		*bi = b->nr - 2;
		*off = last->used;
		blk->used = size - (PAGE_SIZE - last->used);
		last->used = PAGE_SIZE;
		return 0;
	}
	*bi = b->nr - 1;
	*off = 0;
	blk->used = size;
	return 0;
}

/* Copy an object placed at (@bi, @off) into the batch's block(s). */
static void zram_wb_copy_in(struct zram_wb_batch *b, unsigned int bi,
			    unsigned int off, const void *src,
			    unsigned int size)
{
	unsigned int head = min_t(unsigned int, size, PAGE_SIZE - off);

	memcpy_to_page(b->blks[bi].page, off, src, head);
	if (size > head)
		memcpy_to_page(b->blks[bi + 1].page, 0, src + head, size - head);
}

/*
 * Add slot @index to the batch if it qualifies for the walk's mode: its
 * data is copied into the batch and it is flagged ZRAM_MOVING.  A new
 * block is reserved before the slot lock is taken (the bitmap is never
 * searched under a slot lock): with none reserved, one is, then the
 * slot is looked at again; a reserved block the slot did not take stays
 * in w->resv for the next.  Returns 1 if added, 0 if skipped, -EAGAIN
 * (write the batch out first), -EDQUOT (budget used up) or -ENOSPC (no
 * free block).
 */
static int zram_wb_prepare(struct zram *zram, u32 index,
			   struct zram_wb_walk *w)
{
	unsigned int size, len, bi, off, prio;
	struct zram_wb_batch *b;
	struct zram_wb_obj *obj;
	unsigned long handle;
	const void *src;
	int ret;

again:
	b = w->batch;
	zram_slot_lock(zram, index);
	if (!zram_wb_wanted(zram, index, w->mode)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	size = w->compressed ? zram_get_obj_size(zram, index) : PAGE_SIZE;
	ret = zram_wb_place(zram, w, size, &bi, &off);
	if (ret == -ENOENT) {
		zram_slot_unlock(zram, index);
		w->resv = zram_bd_alloc(zram, w->compressed ?
					ZRAM_BD_CLEAN_RESERVE : 0);
		if (w->resv < 0)
			return w->resv;
		goto again;
	}
	if (ret) {
		zram_slot_unlock(zram, index);
		return ret;
	}
	handle = zram->slots[index].handle;
	len = zram_get_obj_size(zram, index);
	src = zsm_read_begin(zram->pool, handle, w->scratch);
	/*
	 * Uncompressed, the object goes to the block's stage page, to be
	 * decompressed by zram_wb_send_work() off the slot lock; a huge
	 * page is stored raw: it goes to its block at once.
	 */
	if (w->compressed)
		zram_wb_copy_in(b, bi, off, src, len);
	else
		memcpy_to_page(len == PAGE_SIZE ? b->blks[bi].page :
			       b->blks[bi].stage, 0, src, len);
	zsm_read_end(zram->pool, handle, src);
	prio = zram_get_prio(zram, index);
	zram_set_flag(zram, index, ZRAM_MOVING);
	zram_slot_unlock(zram, index);
	obj = &b->objs[b->nr_objs++];
	obj->index = index;
	obj->bi = bi;
	obj->off = off;
	obj->size = w->compressed ? len : 0;
	obj->zsize = w->compressed || len == PAGE_SIZE ? 0 : len;
	obj->prio = prio;
	obj->clean = false;
	return 1;
}

/* After the I/O: point one slot of batch @b at its place on the disk. */
static void zram_wb_finish(struct zram *zram, struct zram_wb_walk *w,
			   struct zram_wb_batch *b,
			   const struct zram_wb_obj *obj)
{
	bool need_idle = w->mode == ZRAM_WB_IDLE ||
			 w->mode == ZRAM_WB_HUGE_IDLE;
	struct zram_wb_blk *blk = &b->blks[obj->bi];
	unsigned int bytes = obj->size ?: PAGE_SIZE;
	unsigned int head = min_t(unsigned int, bytes, PAGE_SIZE - obj->off);
	struct zram_wb_blk *tail = bytes > head ? blk + 1 : NULL;
	int err = blk->err ?: (tail ? tail->err : 0);
	u32 index = obj->index;
	unsigned int emptied;
	bool changed;

	if (err) {
		pr_err_ratelimited("zram%d: writeback of page %u failed: %d\n",
				   zram->id, index, err);
		w->err = -EIO;
	}
	zram_slot_lock(zram, index);
	if (obj->clean) {
		/* Still the object that was read, where it was read? */
		changed = !zram_test_flag(zram, index, ZRAM_WB) ||
			  zram->slots[index].handle != obj->old_handle ||
			  (zram->slots[index].flags & ZRAM_WB_GEN_MASK) !=
			  obj->old_gen;
	} else {
		/* Freed, rewritten, or (idle modes) accessed while in flight? */
		changed = !zram_test_flag(zram, index, ZRAM_MOVING) ||
			  (need_idle && !zram_test_flag(zram, index, ZRAM_IDLE));
		zram_clear_flag(zram, index, ZRAM_MOVING);
	}
	if (err || changed) {
		zram_slot_unlock(zram, index);
		return;
	}
	if (obj->clean) {
		emptied = zram_bd_put_obj(zram, obj->old_handle, bytes);
		atomic64_add(emptied, &zram->stats.bd_cleaned);
	} else {
		zram_release_data(zram, index);
		zram_set_prio(zram, index, obj->prio);
		zram_clear_flag(zram, index, ZRAM_HUGE);
		zram_clear_flag(zram, index, ZRAM_IDLE);
		zram_clear_flag(zram, index, ZRAM_DEDUP);
		zram_set_flag(zram, index, ZRAM_WB);
		atomic64_inc(&zram->stats.bd_pages);
		atomic64_add(bytes, &zram->stats.bd_live);
		w->st->done++;
	}
	zram->slots[index].handle = obj->size ?
		(blk->blk << PAGE_SHIFT) + obj->off : blk->blk;
	zram_set_obj_size(zram, index, obj->size);
	zram_next_wb_gen(zram, index);
	atomic_add(head, &zram->bd.live[blk->blk]);
	if (tail)
		atomic_add(bytes - head, &zram->bd.live[tail->blk]);
	zram_slot_unlock(zram, index);
	blk->settled++;
	if (tail)
		tail->settled++;
}

/* Wait for batch @b's writes, settle each of its slots, empty it. */
static void zram_wb_settle(struct zram *zram, struct zram_wb_walk *w,
			   struct zram_wb_batch *b)
{
	unsigned int i;

	zram_wb_wait(b);
	for (i = 0; i < b->nr_objs; i++)
		zram_wb_finish(zram, w, b, &b->objs[i]);
	for (i = 0; i < b->nr; i++) {
		struct zram_wb_blk *blk = &b->blks[i];

		if (blk->err || !blk->settled) {
			/* No slot points into it: nobody can be reading it. */
			zram_bd_release(zram, blk->blk);
			continue;
		}
		atomic64_inc(&zram->stats.bd_count);
		atomic64_inc(&zram->stats.bd_writes);
		zram_wb_budget_charge(zram);
		/* Drop the bias: the block may be empty already. */
		zram_bd_put(zram, blk->blk, 1);
	}
	b->nr = 0;
	b->nr_objs = 0;
}

/* Settle the oldest batch in flight, if there is one. */
static void zram_wb_land(struct zram *zram, struct zram_wb_walk *w)
{
	unsigned int cur = w->batch - w->bat;
	struct zram_wb_batch *b;

	if (!w->nr_fly)
		return;
	b = &w->bat[(cur + w->nr_bat - w->nr_fly) % w->nr_bat];
	w->fly_blocks -= b->nr;
	zram_wb_settle(zram, w, b);
	w->nr_fly--;
}

/*
 * Uncompressed writeback, a worker of the backing device's workqueue
 * (zram_wb_push() picks the CPUs in turn): decompress the batch's
 * objects from their stage pages into their blocks, then start writing
 * them.  The walk fills the next batch meanwhile, and with several
 * batches queued each CPU decompresses one.  A block whose object fails
 * keeps the error (its slot stays in memory, see zram_wb_finish()).
 */
static void zram_wb_send_work(struct work_struct *work)
{
	struct zram_wb_batch *b = container_of(work, struct zram_wb_batch,
					       send);
	unsigned int i;

	for (i = 0; i < b->nr_objs; i++) {
		struct zram_wb_obj *obj = &b->objs[i];
		struct zram_wb_blk *blk = &b->blks[obj->bi];
		void *src, *dst;
		int ret;

		if (!obj->zsize)
			continue;
		src = kmap_local_page(blk->stage);
		dst = kmap_local_page(blk->page);
		ret = zcomp_decompress_here(b->zram->comps[obj->prio], src,
					    obj->zsize, dst);
		kunmap_local(dst);
		kunmap_local(src);
		if (ret)
			blk->err = ret;
	}
	atomic64_inc(&b->zram->stats.wb_sent);
	zram_wb_start(b->zram, b);
}

/*
 * The pipeline grows as the walk needs it (a writeback of a few pages
 * makes one batch): when the batch to fill next, bat[@next], is one past
 * the last made, make it if it is wanted and memory allows.  The
 * batches in flight are then bat[0..@next - 1], in order, as the ring
 * of the new size has them.  Made with memalloc_noio, like the block
 * layer's own allocations: reclaim must not wait on writes while the
 * walk's are in flight.
 */
static void zram_wb_grow(struct zram_wb_walk *w, unsigned int next)
{
	unsigned int noio;

	if (next != w->nr_bat || w->nr_bat == w->want_bat)
		return;
	noio = memalloc_noio_save();
	if (zram_wb_batch_init(&w->bat[next], w->bat[0].max, !w->compressed))
		w->want_bat = w->nr_bat;
	else
		w->nr_bat++;
	memalloc_noio_restore(noio);
}

/*
 * Send the batch being filled on its way and fill the next one (a new
 * one if the pipeline may still @grow), once that one (the oldest in
 * flight, if all are) is settled.
 */
static void __zram_wb_push(struct zram *zram, struct zram_wb_walk *w,
			   bool grow)
{
	struct zram_wb_batch *b = w->batch;

	if (!b->nr)
		return;
	reinit_completion(&b->done);
	/* Packed, objects go as stored; else a worker decompresses them. */
	if (w->compressed) {
		zram_wb_start(zram, b);
	} else {
		b->zram = zram;
		w->send_cpu = zram_next_online_cpu(w->send_cpu);
		queue_work_on(w->send_cpu, zram->bd.wq, &b->send);
	}
	w->nr_fly++;
	w->fly_blocks += b->nr;
	zram_stat_max(&zram->stats.wb_fly_max, w->fly_blocks);
	if (grow)
		zram_wb_grow(w, b - w->bat + 1);
	w->batch = &w->bat[(b - w->bat + 1) % w->nr_bat];
	if (w->nr_fly == w->nr_bat)
		zram_wb_land(zram, w);
}

static void zram_wb_push(struct zram *zram, struct zram_wb_walk *w)
{
	__zram_wb_push(zram, w, true);
}

/* Write out and settle all the walk holds: every batch ends up empty. */
static void zram_wb_flush(struct zram *zram, struct zram_wb_walk *w)
{
	__zram_wb_push(zram, w, false);
	while (w->nr_fly)
		zram_wb_land(zram, w);
}

/* Is block @blk one that cleaning empties (a little live data)? */
static bool zram_wb_clean_victim(struct zram *zram, struct zram_wb_walk *w,
				 unsigned long blk)
{
	unsigned int live = atomic_read(&zram->bd.live[blk]);

	return live && live <= w->clean_max;
}

/*
 * Read blocks [@blk, @blk + @nr) into the walk's two-page cache unless
 * they are there already.
 */
static int zram_wb_clean_read(struct zram *zram, struct zram_wb_walk *w,
			      unsigned long blk, unsigned int nr)
{
	int ret;

	if (w->cbuf_blk >= 0 && blk >= w->cbuf_blk &&
	    blk + nr <= w->cbuf_blk + w->cbuf_nr)
		return 0;
	w->cbuf_blk = -1;
	ret = zram_bd_read_wait(zram, w->cbuf, blk, nr);
	if (ret)
		return ret;
	atomic64_add(nr, &zram->stats.bd_reads);
	w->cbuf_blk = blk;
	w->cbuf_nr = nr;
	return 0;
}

/*
 * Cleaning step: add slot @index's object to the batch if it lies in a
 * packed block with at most w->clean_max live bytes.  The object's
 * bytes are read from its block(s) (the last ones read are kept); the
 * slot's handle and generation tell zram_wb_finish() whether it is
 * still that object.  Returns 1 if added, 0 if skipped, -EDQUOT,
 * -ENOSPC or a read error.
 */
static int zram_wb_clean_prepare(struct zram *zram, u32 index,
				 struct zram_wb_walk *w)
{
	unsigned int size, off_old, head, nr, bi, off, prio;
	unsigned long src_blk, old_handle, old_gen;
	struct zram_wb_batch *b;
	struct zram_wb_obj *obj;
	void *first;
	int ret;

again:
	/* A flush below moves on to the walk's other batch. */
	b = w->batch;
	zram_slot_lock(zram, index);
	size = zram_get_obj_size(zram, index);
	if (!zram_test_flag(zram, index, ZRAM_WB) || !size) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	src_blk = zram_wb_block(zram, index);
	off_old = zram_wb_offset(zram, index);
	nr = off_old + size > PAGE_SIZE ? 2 : 1;
	if (!zram_wb_clean_victim(zram, w, src_blk) &&
	    (nr == 1 || !zram_wb_clean_victim(zram, w, src_blk + 1))) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	ret = zram_wb_place(zram, w, size, &bi, &off);
	if (ret == -EAGAIN) {
		zram_slot_unlock(zram, index);
		zram_wb_flush(zram, w);
		goto again;
	}
	if (ret == -ENOENT) {
		zram_slot_unlock(zram, index);
		w->resv = zram_bd_alloc(zram, 0);
		if (w->resv == -ENOSPC && (b->nr || w->nr_fly)) {
			/* Settling the batch empties blocks: then there are. */
			zram_wb_flush(zram, w);
			w->resv = zram_bd_alloc(zram, 0);
		}
		/* Recycling may have freed, and so changed, cached blocks. */
		w->cbuf_blk = -1;
		if (w->resv < 0)
			return w->resv;
		goto again;
	}
	if (ret) {
		zram_slot_unlock(zram, index);
		return ret;
	}
	old_handle = zram->slots[index].handle;
	old_gen = zram->slots[index].flags & ZRAM_WB_GEN_MASK;
	prio = zram_get_prio(zram, index);
	zram_slot_unlock(zram, index);

	/*
	 * The blocks cannot be recycled before this walk recycles them
	 * (only writeback and cleaning do, under move_lock); if the data
	 * was freed meanwhile, zram_wb_finish() sees the slot changed.  A
	 * read error leaves the place taken above unused.
	 */
	ret = zram_wb_clean_read(zram, w, src_blk, nr);
	if (ret)
		return ret;
	first = page_address(w->cbuf[src_blk - w->cbuf_blk]);
	head = min_t(unsigned int, size, PAGE_SIZE - off_old);
	memcpy(w->scratch, first + off_old, head);
	if (size > head)
		memcpy(w->scratch + head,
		       page_address(w->cbuf[src_blk - w->cbuf_blk + 1]),
		       size - head);
	zram_wb_copy_in(b, bi, off, w->scratch, size);
	obj = &b->objs[b->nr_objs++];
	obj->index = index;
	obj->bi = bi;
	obj->off = off;
	obj->size = size;
	obj->prio = prio;
	obj->old_handle = old_handle;
	obj->old_gen = old_gen;
	obj->clean = true;
	return 1;
}

static int zram_wb_clean_one(struct zram *zram, u32 index, void *data)
{
	struct zram_wb_walk *w = data;
	int ret = zram_wb_clean_prepare(zram, index, w);

	if (ret == -EDQUOT || ret == -ENOSPC)
		return ret;
	if (ret < 0)
		w->err = -EIO;
	return 0;
}

/*
 * Clean the backing device: the objects of packed blocks at most half
 * full are packed again into fresh blocks, and the old blocks, once
 * empty, are quarantined, then free.  Nothing happens unless at least
 * two blocks qualify.  Under move_lock, with @w's batch empty; leaves it
 * empty.  Returns 0, -EDQUOT, -ENOSPC, -EINTR or -EIO.
 */
static int zram_wb_clean(struct zram *zram, struct zram_wb_walk *w)
{
	struct zram_backing *bd = &zram->bd;
	unsigned long blk, found = 0;
	int ret;

	w->clean_max = PAGE_SIZE / 2;
	/* One such block alone would only move: it takes two. */
	for_each_set_bit(blk, bd->bitmap, bd->nr_blocks) {
		unsigned int live = atomic_read(&bd->live[blk]);

		if (live && live <= w->clean_max && ++found == 2)
			break;
	}
	if (found < 2)
		return 0;
	w->cbuf_blk = -1;
	ret = zram_walk_slots(zram, 0, zram_nr_pages(zram) - 1,
			      ZRAM_WALK_KILLABLE, zram_wb_clean_one, w);
	zram_wb_flush(zram, w);
	w->cbuf_blk = -1;
	return ret ?: w->err;
}

/*
 * Walk step: a page that failed (write or decompression error) stays
 * in memory and the walk goes on, to end with -EIO; a full backing
 * device (-ENOSPC; packed, after one cleaning) or a used-up budget
 * (-EDQUOT) stops it, and so does st->max pages sent (returns 1).
 * st->pos follows the walk.
 */
static int zram_wb_one(struct zram *zram, u32 index, void *data)
{
	struct zram_wb_walk *w = data;
	int ret;

	w->st->pos = index;
	if (w->st->max && w->st->tried >= w->st->max)
		return 1;
	ret = zram_wb_prepare(zram, index, w);

	if (ret == -EAGAIN) {
		zram_wb_push(zram, w);
		ret = zram_wb_prepare(zram, index, w);
	}
	if (ret == -ENOSPC && w->compressed && !w->cleaned) {
		/* Partly empty blocks hold the space: clean, then retry. */
		w->cleaned = true;
		zram_wb_flush(zram, w);
		if (w->resv >= 0) {
			zram_bd_release(zram, w->resv);
			w->resv = -1;
		}
		zram_wb_clean(zram, w);
		ret = zram_wb_prepare(zram, index, w);
	}
	if (ret == -EDQUOT || ret == -ENOSPC)
		return ret;
	if (ret < 0)
		w->err = -EIO;
	else
		w->st->tried += ret;
	/* Uncompressed, a full batch goes at once (as ever). */
	if (!w->compressed && w->batch->nr == w->batch->max)
		zram_wb_push(zram, w);
	return 0;
}

static void zram_wb_walk_free(struct zram_wb_walk *w)
{
	unsigned int i;

	kfree(w->scratch);
	if (w->cbuf[0])
		__free_page(w->cbuf[0]);
	if (w->cbuf[1])
		__free_page(w->cbuf[1]);
	for (i = 0; i < w->nr_bat; i++)
		zram_wb_batch_free(&w->bat[i]);
}

static int zram_wb_walk_init(struct zram *zram, struct zram_wb_walk *w)
{
	w->resv = -1;
	w->cbuf_blk = -1;
	w->compressed = zram->wb_compressed;
	if (zram_wb_batch_init(&w->bat[0], READ_ONCE(zram->wb_batch_size),
			       !w->compressed))
		return -ENOMEM;
	w->nr_bat = 1;
	w->want_bat = w->bat[0].max > 1 ? ZRAM_WB_NR_BATCHES : 1;
	w->batch = &w->bat[0];
	w->scratch = kmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	w->cbuf[0] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	w->cbuf[1] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!w->scratch || !w->cbuf[0] || !w->cbuf[1]) {
		zram_wb_walk_free(w);
		return -ENOMEM;
	}
	return 0;
}

/* Settle what is in flight, give back what is reserved, free the walk. */
static void zram_wb_walk_end(struct zram *zram, struct zram_wb_walk *w)
{
	zram_wb_flush(zram, w);
	if (w->resv >= 0)
		zram_bd_release(zram, w->resv);
	zram_wb_walk_free(w);
}

/*
 * Run @req: write back the pages that qualify; in a mode, those of the
 * slots from st->pos on, up to st->max pages sent (st->pos ends where a
 * next step would start); a list of indexes takes no cap.  Returns 0,
 * -ENOSPC (backing device full), -EDQUOT (budget used up), -EINTR
 * (fatal signal), -ENOMEM (not even one bounce page) or -EIO (a page
 * failed, the others were tried).  init_lock held for reading on an
 * initialized device with a backing device.
 */
static int zram_writeback(struct zram *zram, const struct zram_wb_req *req,
			  struct zram_move_step *st)
{
	struct zram_wb_walk w = { .mode = req->mode, .st = st };
	u32 nr = zram_nr_pages(zram);
	unsigned int i;
	int ret = 0;
	u32 last;

	if (req->mode != ZRAM_WB_INDEX && st->pos >= nr)
		return 0;
	last = zram_move_last(st, nr);
	if (zram_wb_walk_init(zram, &w))
		return -ENOMEM;
	mutex_lock(&zram->move_lock);
	/* Blocks whose readers are surely done become free. */
	zram_bd_recycle(zram, false);
	if (req->mode != ZRAM_WB_INDEX) {
		ret = zram_walk_slots(zram, st->pos, last,
				      ZRAM_WALK_KILLABLE, zram_wb_one, &w);
		/* Stopped at st->max: not an error. */
		if (ret > 0)
			ret = 0;
		else if (!ret)
			st->pos = last + 1;
	} else {
		for (i = 0; i < req->nr_ranges && !ret; i++)
			ret = zram_walk_slots(zram, req->ranges[i].lo,
					      req->ranges[i].hi,
					      ZRAM_WALK_KILLABLE, zram_wb_one,
					      &w);
	}
	/* Whatever stopped the walk, what is in flight is settled. */
	zram_wb_walk_end(zram, &w);
	mutex_unlock(&zram->move_lock);
	return ret ?: w.err;
}

/*
 * One step of a tiering pass (zram_tier.c): write back the pages @mode
 * selects, over the slots and up to the pages @st says, batched and
 * within the writeback budget as "writeback" does.  init_lock held for
 * reading on an initialized device with a backing device.
 */
int zram_writeback_step(struct zram *zram, enum zram_wb_mode mode,
			struct zram_move_step *st)
{
	struct zram_wb_req req = { .mode = mode };

	if (mode >= ZRAM_WB_INDEX)
		return -EINVAL;
	return zram_writeback(zram, &req, st);
}

/*
 * "compact" on a device with a backing device: on one that writes back
 * compressed, clean it; then make every block freed so far free, which
 * discards them (zram_bd_discard()).  init_lock held for reading on an
 * initialized device.
 */
int zram_bd_clean(struct zram *zram)
{
	struct zram_wb_walk w = { .mode = ZRAM_WB_INDEX };
	int ret = 0;

	if (!zram->bd.dev.bdev)
		return 0;
	if (zram_wb_walk_init(zram, &w))
		return -ENOMEM;
	mutex_lock(&zram->move_lock);
	zram_bd_recycle(zram, false);
	if (zram->wb_compressed)
		ret = zram_wb_clean(zram, &w);
	zram_wb_walk_end(zram, &w);
	/* Every block freed so far: free (and discarded) when this returns. */
	zram_bd_recycle(zram, true);
	zram_bd_recycle(zram, true);
	mutex_unlock(&zram->move_lock);
	return ret;
}

/* ---- sysfs ---- */

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

/* "writeback": see zram_parse_wb(); with zram_cmd_store(). */
static int zram_writeback_cmd(struct zram *zram, char *args)
{
	struct zram_move_step st = { };
	struct zram_wb_req req;
	int ret;

	if (!zram->bd.dev.bdev)
		return -ENODEV;
	ret = zram_parse_wb(args, zram_nr_pages(zram), &req);
	if (ret)
		return ret;
	ret = zram_writeback(zram, &req, &st);
	zram_wb_req_free(&req);
	/* Budget used up: -EIO, as the kernel's zram says it. */
	return ret == -EDQUOT ? -EIO : ret;
}

static ssize_t writeback_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	return zram_cmd_store(dev, buf, len, zram_writeback_cmd);
}

/*
 * writeback_limit_enable (0 off, any other number on; reads 0 or 1) and
 * writeback_limit (the budget left, in 4K units): one number each, under
 * bd.limit_lock.
 */
static ssize_t zram_wb_limit_show(struct device *dev, char *buf, bool enable)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	u64 val;

	spin_lock(&bd->limit_lock);
	val = enable ? bd->limit_enable : bd->limit;
	spin_unlock(&bd->limit_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t zram_wb_limit_store(struct device *dev, const char *buf,
				   size_t len, bool enable)
{
	struct zram_backing *bd = &dev_to_zram(dev)->bd;
	u64 val;

	/* Decimal; any number but 0 turns the switch on, as in the kernel. */
	if (kstrtou64(buf, 10, &val))
		return -EINVAL;
	spin_lock(&bd->limit_lock);
	if (enable)
		bd->limit_enable = val != 0;
	else
		bd->limit = val;
	spin_unlock(&bd->limit_lock);
	return len;
}

static ssize_t writeback_limit_enable_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	return zram_wb_limit_show(dev, buf, true);
}

static ssize_t writeback_limit_enable_store(struct device *dev,
					    struct device_attribute *attr,
					    const char *buf, size_t len)
{
	return zram_wb_limit_store(dev, buf, len, true);
}

static ssize_t writeback_limit_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return zram_wb_limit_show(dev, buf, false);
}

static ssize_t writeback_limit_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	return zram_wb_limit_store(dev, buf, len, false);
}

/*
 * writeback_batch_size: how many pages one writeback keeps in flight
 * (upstream's name and default, 32; 1 writes one page at a time).  Any
 * number from 1 on, taken when a writeback starts; above
 * ZRAM_WB_BATCH_MAX it acts as that.
 */
static ssize_t writeback_batch_size_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(dev_to_zram(dev)->wb_batch_size));
}

static ssize_t writeback_batch_size_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || !val)
		return -EINVAL;
	WRITE_ONCE(dev_to_zram(dev)->wb_batch_size, val);
	return len;
}

/*
 * writeback_compressed (upstream's name): 0, pages go out uncompressed,
 * a block each; 1, objects go out as stored, packed several to a
 * block, and are decompressed when read back.  Only before disksize
 * (-EBUSY after); kept across reset, like writeback_batch_size.
 */
static ssize_t writeback_compressed_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_zram(dev)->wb_compressed);
}

static ssize_t writeback_compressed_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);

	return zram_store_setup_flag(zram, buf, len, &zram->wb_compressed);
}

/*
 * bd_stat: the kernel's three columns, then ours (all in 4K units but
 * the fifth):
 *   bd_count    blocks of the backing device holding live data
 *   bd_reads    blocks read from it
 *   bd_writes   blocks written to it
 *   bd_pages    pages whose data is on it
 *   bd_bytes    bytes of that data as stored (compressed if packed)
 *   bd_cleaned  blocks emptied by cleaning
 * Uncompressed, bd_count = bd_pages; packed, bd_count * 4096 / bd_pages
 * is the disk space a written-back page takes.
 */
static ssize_t bd_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->bd_count) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_reads) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_writes) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_pages) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_live),
			  (u64)atomic64_read(&st->bd_cleaned) * ZRAM_4K_PER_PAGE);
}

ZRAM_ATTR_RW(backing_dev);
ZRAM_ATTR_WO(writeback);
ZRAM_ATTR_RW(writeback_limit_enable);
ZRAM_ATTR_RW(writeback_limit);
ZRAM_ATTR_RW(writeback_batch_size);
ZRAM_ATTR_RW(writeback_compressed);
static DEVICE_ATTR_RO(bd_stat);

static struct attribute *zram_wb_attrs[] = {
	&dev_attr_backing_dev.attr,
	&dev_attr_writeback.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_writeback_batch_size.attr,
	&dev_attr_writeback_compressed.attr,
	&dev_attr_bd_stat.attr,
	NULL,
};

const struct attribute_group zram_wb_attr_group = {
	.attrs = zram_wb_attrs,
};
