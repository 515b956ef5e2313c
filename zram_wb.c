// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backing device and writeback.
 *
 * Owns: the backing device (backing_dev: open, claim, release), its
 * block bitmap, the I/O to it, writeback of pages to it (writeback,
 * writeback_limit_enable, writeback_limit, writeback_batch_size,
 * bd_stat) and reads of pages written back.
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
#include <linux/kernfs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zram_slot.h"

/* Give block @blk of the backing device back (any context). */
void zram_bd_release(struct zram *zram, unsigned long blk)
{
	clear_bit(blk, zram->bd.bitmap);
}

/*
 * Reserve a free block of the backing device, searching from where the
 * last search ended.  Only writeback calls this (under move_lock), and
 * never under a slot lock: the search may cover megabytes of bitmap.
 */
static long zram_bd_alloc(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;
	unsigned long blk;
	int pass;

	/* A caller holding a slot lock (a bit spinlock) is caught here. */
	might_sleep();

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
 * worker of the device's own WQ_MEM_RECLAIM workqueue (swap-in must
 * progress under memory pressure).  One queue per device: a read that
 * waits on it never waits behind another device's reads, and since no
 * backing device leads back to one of ours (zram_bd_check_stack()), no
 * work of a queue waits on that same queue.
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
	queue_work(zram->bd.wq, &io.work);
	flush_work(&io.work);
	destroy_work_on_stack(&io.work);
	return io.ret;
}

/* Release the backing device, if any.  init_lock held for writing. */
void zram_bd_close(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	if (!bd->dev.bdev)
		return;
	zram_compat_bdev_close(&bd->dev);
	destroy_workqueue(bd->wq);
	bd->wq = NULL;
	kvfree(bd->bitmap);
	bd->bitmap = NULL;
	kfree(bd->path);
	bd->path = NULL;
	bd->nr_blocks = 0;
	bd->next = 0;
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
	struct workqueue_struct *wq;
	struct zram_compat_bdev dev;
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
	if (!nr_blocks || bdev_is_zoned(dev.bdev)) {
		ret = -EINVAL;
		goto err_dev;
	}
	ret = zram_bd_check_stack(dev.bdev);
	if (ret)
		goto err_dev;
	ret = -ENOMEM;
	bitmap = kvcalloc(BITS_TO_LONGS(nr_blocks), sizeof(long), GFP_KERNEL);
	if (!bitmap)
		goto err_dev;
	wq = alloc_workqueue("zram%d_bd", WQ_MEM_RECLAIM | WQ_UNBOUND, 0,
			     zram->id);
	if (!wq)
		goto err_bitmap;
	zram_bd_close(zram);
	bd->dev = dev;
	bd->wq = wq;
	bd->path = copy;
	bd->bitmap = bitmap;
	bd->nr_blocks = nr_blocks;
	bd->next = 0;
	return 0;

err_bitmap:
	kvfree(bitmap);
err_dev:
	zram_compat_bdev_close(&dev);
err_copy:
	kfree(copy);
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
int zram_read_from_bd(struct zram *zram, u32 index, struct page *page)
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
 * Batched writeback.  Pages go out writeback_batch_size at a time: each
 * qualifying slot is copied into a page of the batch, flagged
 * ZRAM_MOVING and given a free block (zram_wb_prepare()); when the batch
 * is full, or the walk ends, its pages are written with one bio per run
 * of adjacent blocks, all submitted under one plug and completed
 * asynchronously, and once the last bio has ended each slot is looked
 * at again (zram_wb_finish()): a slot freed, rewritten or (idle modes)
 * read while its page was in flight keeps its data in memory and its
 * block goes back, as does the block of a page whose write failed.
 */
struct zram_wb_ent {
	u32 index;
	unsigned long blk;
	struct page *page;	/* the slot's bytes, as they went out */
	int err;		/* of the bio that carried it */
};

struct zram_wb_bio {
	struct bio bio;
	struct zram_wb_batch *batch;
	unsigned int first, nr;	/* its entries */
};

struct zram_wb_batch {
	unsigned int max;	/* entries (and bounce pages) */
	unsigned int nr;	/* entries filled */
	struct zram_wb_ent *ents;
	struct zram_wb_bio *bios;
	struct bio_vec *vecs;
	atomic_t pending;	/* bios in flight, plus one while submitting */
	struct completion done;
};

/* Bounce pages and bios of a batch of up to @want pages (fewer if memory is short). */
static int zram_wb_batch_init(struct zram_wb_batch *b, unsigned int want)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	want = clamp(want, 1U, ZRAM_WB_BATCH_MAX);
	b->ents = kvcalloc(want, sizeof(*b->ents), GFP_KERNEL);
	b->bios = kvcalloc(want, sizeof(*b->bios), GFP_KERNEL);
	b->vecs = kvcalloc(want, sizeof(*b->vecs), GFP_KERNEL);
	if (!b->ents || !b->bios || !b->vecs)
		goto err;
	for (i = 0; i < want; i++) {
		b->ents[i].page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!b->ents[i].page)
			break;
	}
	b->max = i;
	if (!b->max)
		goto err;
	init_completion(&b->done);
	return 0;
err:
	kvfree(b->ents);
	kvfree(b->bios);
	kvfree(b->vecs);
	return -ENOMEM;
}

static void zram_wb_batch_free(struct zram_wb_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->max; i++)
		__free_page(b->ents[i].page);
	kvfree(b->ents);
	kvfree(b->bios);
	kvfree(b->vecs);
}

static void zram_wb_end_io(struct bio *bio)
{
	struct zram_wb_bio *wb = container_of(bio, struct zram_wb_bio, bio);
	struct zram_wb_batch *b = wb->batch;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i;

	for (i = wb->first; i < wb->first + wb->nr; i++)
		b->ents[i].err = err;
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

/* Write the batch's pages out and wait for all of them. */
static void zram_wb_submit(struct zram *zram, struct zram_wb_batch *b)
{
	struct block_device *bdev = zram->bd.dev.bdev;
	unsigned int i = 0, n, nbios = 0;
	struct blk_plug plug;

	reinit_completion(&b->done);
	atomic_set(&b->pending, 1);
	blk_start_plug(&plug);
	while (i < b->nr) {
		struct zram_wb_bio *wb = &b->bios[nbios++];

		/* A run of adjacent blocks, at most BIO_MAX_VECS long. */
		for (n = 1; i + n < b->nr && n < BIO_MAX_VECS; n++)
			if (b->ents[i + n].blk != b->ents[i].blk + n)
				break;
		wb->batch = b;
		wb->first = i;
		wb->nr = n;
		bio_init(&wb->bio, bdev, b->vecs + i, n, REQ_OP_WRITE | REQ_SYNC);
		wb->bio.bi_iter.bi_sector =
			(sector_t)b->ents[i].blk << ZRAM_SECTORS_PER_PAGE_SHIFT;
		wb->bio.bi_end_io = zram_wb_end_io;
		for (; n; n--, i++)
			__bio_add_page(&wb->bio, b->ents[i].page, PAGE_SIZE, 0);
		atomic_inc(&b->pending);
		submit_bio(&wb->bio);
	}
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&b->pending))
		wait_for_completion_io(&b->done);
	for (i = 0; i < nbios; i++)
		bio_uninit(&b->bios[i].bio);
}

/*
 * Is there writeback budget for one more page, with @pending pages
 * already on their way?  The budget is charged by zram_wb_charge() for
 * each page that ends up written back; no other writeback runs
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

/* A page went out: charge it, if the limit is on (never below 0). */
static void zram_wb_budget_charge(struct zram *zram)
{
	struct zram_backing *bd = &zram->bd;

	spin_lock(&bd->limit_lock);
	if (bd->limit_enable)
		bd->limit -= min_t(u64, bd->limit, ZRAM_4K_PER_PAGE);
	spin_unlock(&bd->limit_lock);
}

/* State of one writeback over the slots (zram_wb_one()). */
struct zram_wb_walk {
	enum zram_wb_mode mode;
	struct zram_wb_batch batch;
	long resv;			/* reserved block, or -1 */
	int err;			/* -EIO once a page failed */
};

/*
 * Add slot @index to the batch if it qualifies for the walk's mode: its
 * bytes are copied to the next page of the batch and it is flagged
 * ZRAM_MOVING, with a block of its own.  The block is reserved before
 * the slot lock is taken (the bitmap is never searched under a slot
 * lock): with none reserved, one is, then the slot is looked at again;
 * a reserved block the slot did not take stays in w->resv for the next.
 * Returns 1 if added, 0 if skipped, or -EDQUOT (budget used up),
 * -ENOSPC (no free block), a decompression error.
 */
static int zram_wb_prepare(struct zram *zram, u32 index,
			   struct zram_wb_walk *w)
{
	struct zram_wb_batch *b = &w->batch;
	struct zram_wb_ent *ent = &b->ents[b->nr];
	int ret;

again:
	zram_slot_lock(zram, index);
	if (!zram_wb_wanted(zram, index, w->mode)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	if (!zram_wb_budget_left(zram, b->nr)) {
		zram_slot_unlock(zram, index);
		return -EDQUOT;
	}
	if (w->resv < 0) {
		zram_slot_unlock(zram, index);
		w->resv = zram_bd_alloc(zram);
		if (w->resv < 0)
			return w->resv;
		goto again;
	}
	ret = zram_read_slot_locked(zram, index, ent->page);
	if (!ret)
		zram_set_flag(zram, index, ZRAM_MOVING);
	zram_slot_unlock(zram, index);
	if (ret)
		return ret;
	ent->index = index;
	ent->blk = w->resv;
	ent->err = 0;
	w->resv = -1;
	b->nr++;
	return 1;
}

/* After the I/O: turn one slot of the batch into a written-back one. */
static void zram_wb_finish(struct zram *zram, struct zram_wb_walk *w,
			   const struct zram_wb_ent *ent)
{
	bool need_idle = w->mode == ZRAM_WB_IDLE ||
			 w->mode == ZRAM_WB_HUGE_IDLE;
	u32 index = ent->index;
	bool changed;

	if (ent->err) {
		pr_err_ratelimited("zram%d: writeback of page %u failed: %d\n",
				   zram->id, index, ent->err);
		w->err = -EIO;
	}
	zram_slot_lock(zram, index);
	/* Freed, rewritten, or (idle modes) accessed while in flight? */
	changed = !zram_test_flag(zram, index, ZRAM_MOVING) ||
		  (need_idle && !zram_test_flag(zram, index, ZRAM_IDLE));
	zram_clear_flag(zram, index, ZRAM_MOVING);
	if (ent->err || changed) {
		zram_slot_unlock(zram, index);
		zram_bd_release(zram, ent->blk);
		return;
	}
	zram_release_data(zram, index);
	zram->slots[index].handle = ent->blk;
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
}

/* Write out what the batch holds, settle each slot, empty the batch. */
static void zram_wb_flush(struct zram *zram, struct zram_wb_walk *w)
{
	unsigned int i;

	if (!w->batch.nr)
		return;
	zram_wb_submit(zram, &w->batch);
	for (i = 0; i < w->batch.nr; i++)
		zram_wb_finish(zram, w, &w->batch.ents[i]);
	w->batch.nr = 0;
}

/*
 * Walk step: a page that failed (write or decompression error) stays
 * in memory and the walk goes on, to end with -EIO; a full backing
 * device (-ENOSPC) or a used-up budget (-EDQUOT) stops it.
 */
static int zram_wb_one(struct zram *zram, u32 index, void *data)
{
	struct zram_wb_walk *w = data;
	int ret = zram_wb_prepare(zram, index, w);

	if (ret == -EDQUOT || ret == -ENOSPC)
		return ret;
	if (ret < 0)
		w->err = -EIO;
	if (w->batch.nr == w->batch.max)
		zram_wb_flush(zram, w);
	return 0;
}

/*
 * Run @req: write back the pages that qualify.  Returns 0, -ENOSPC
 * (backing device full), -EDQUOT (budget used up), -EINTR (fatal
 * signal), -ENOMEM (not even one bounce page) or -EIO (a page failed,
 * the others were tried).  init_lock held for reading on an
 * initialized device with a backing device.
 */
static int zram_writeback(struct zram *zram, const struct zram_wb_req *req)
{
	struct zram_wb_walk w = { .mode = req->mode, .resv = -1 };
	unsigned int i;
	int ret = 0;

	if (zram_wb_batch_init(&w.batch, READ_ONCE(zram->wb_batch_size)))
		return -ENOMEM;
	mutex_lock(&zram->move_lock);
	if (req->mode != ZRAM_WB_INDEX) {
		ret = zram_walk_slots(zram, 0, zram_nr_pages(zram) - 1,
				      ZRAM_WALK_KILLABLE, zram_wb_one, &w);
	} else {
		for (i = 0; i < req->nr_ranges && !ret; i++)
			ret = zram_walk_slots(zram, req->ranges[i].lo,
					      req->ranges[i].hi,
					      ZRAM_WALK_KILLABLE, zram_wb_one,
					      &w);
	}
	/* Whatever stopped the walk, what is in flight is settled. */
	zram_wb_flush(zram, &w);
	if (w.resv >= 0)
		zram_bd_release(zram, w.resv);
	mutex_unlock(&zram->move_lock);
	zram_wb_batch_free(&w.batch);
	return ret ?: w.err;
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
	struct zram_wb_req req;
	int ret;

	if (!zram->bd.dev.bdev)
		return -ENODEV;
	ret = zram_parse_wb(args, zram_nr_pages(zram), &req);
	if (ret)
		return ret;
	ret = zram_writeback(zram, &req);
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

static ssize_t bd_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->bd_count) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_reads) * ZRAM_4K_PER_PAGE,
			  (u64)atomic64_read(&st->bd_writes) * ZRAM_4K_PER_PAGE);
}

ZRAM_ATTR_RW(backing_dev);
ZRAM_ATTR_WO(writeback);
ZRAM_ATTR_RW(writeback_limit_enable);
ZRAM_ATTR_RW(writeback_limit);
ZRAM_ATTR_RW(writeback_batch_size);
static DEVICE_ATTR_RO(bd_stat);

static struct attribute *zram_wb_attrs[] = {
	&dev_attr_backing_dev.attr,
	&dev_attr_writeback.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_writeback_batch_size.attr,
	&dev_attr_bd_stat.attr,
	NULL,
};

const struct attribute_group zram_wb_attr_group = {
	.attrs = zram_wb_attrs,
};
