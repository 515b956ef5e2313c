/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where kernel-version differences live.
 *
 * Included by every file that meets one (through zram_drv.h for the
 * driver).  Each difference is gated on a HAVE_* macro that Kbuild sets
 * by probing the target kernel's headers (see the probes in Kbuild),
 * never on LINUX_VERSION_CODE.  One convention: every name defined here
 * starts with zram_compat_ or ZRAM_COMPAT_; the rest of the tree uses
 * those names or the kernel API that all supported kernels share.
 */
#ifndef _ZRAM_OOT_COMPAT_H
#define _ZRAM_OOT_COMPAT_H

/*
 * 64-bit only: zsmalloc packs a PFN and a slot index into one word.
 * Not PREEMPT_RT: the slot lock is a bit spinlock held around the
 * stream's local lock and the pool's rwlock, which sleep on RT.
 */
#ifndef CONFIG_64BIT
#error "zram-oot needs a 64-bit kernel"
#endif
#ifdef CONFIG_PREEMPT_RT
#error "zram-oot does not support PREEMPT_RT kernels"
#endif

/* disk_openers() arrived in 6.0: older kernels are not supported. */
#ifndef HAVE_DISK_OPENERS
#error "zram-oot supports Linux 6.1 and newer"
#endif

#include <linux/blkdev.h>
#include <linux/device/class.h>
#include <linux/pagemap.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Class attribute callbacks take const pointers from 6.4 on.  Use
 * ZRAM_COMPAT_CLASS_CONST in their prototypes.
 */
#ifdef HAVE_CONST_CLASS_ATTR
#define ZRAM_COMPAT_CLASS_CONST const
#else
#define ZRAM_COMPAT_CLASS_CONST
#endif

/*
 * block_device_operations.open: (struct gendisk *, blk_mode_t) from 6.5
 * on, (struct block_device *, fmode_t) before.  ZRAM_COMPAT_BDOPS_OPEN
 * wraps a driver function "int fn(struct gendisk *disk)" in whichever
 * prototype the kernel wants, under the name fn##_bdops.
 */
#ifdef HAVE_BDOPS_OPEN_GENDISK
#define ZRAM_COMPAT_BDOPS_OPEN(fn)					\
static int fn##_bdops(struct gendisk *disk, blk_mode_t mode)		\
{									\
	return fn(disk);						\
}
#else
#define ZRAM_COMPAT_BDOPS_OPEN(fn)					\
static int fn##_bdops(struct block_device *bdev, fmode_t mode)		\
{									\
	return fn(bdev->bd_disk);					\
}
#endif

/*
 * Queue set-up.  The driver describes its queue once in a
 * struct zram_compat_queue_cfg; zram_compat_alloc_disk() turns it into queue
 * limits (6.9+, passed to blk_alloc_disk()) or into the old setter
 * calls.
 */
struct zram_compat_queue_cfg {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int io_min;
	unsigned int io_opt;
	unsigned int discard_granularity;
	unsigned int max_discard_sectors;
	unsigned int max_write_zeroes_sectors;
	bool synchronous;	/* completes I/O in the submitter's context */
	bool stable_writes;	/* pages must not change while written */
};

#ifdef HAVE_BLK_ALLOC_DISK_LIM
static inline struct gendisk *
zram_compat_alloc_disk(const struct zram_compat_queue_cfg *cfg, int node)
{
	struct queue_limits lim = {
		.logical_block_size = cfg->logical_block_size,
		.physical_block_size = cfg->physical_block_size,
		.io_min = cfg->io_min,
		.io_opt = cfg->io_opt,
		.discard_granularity = cfg->discard_granularity,
		.max_hw_discard_sectors = cfg->max_discard_sectors,
		.max_write_zeroes_sectors = cfg->max_write_zeroes_sectors,
	};

	if (cfg->synchronous)
		lim.features |= BLK_FEAT_SYNCHRONOUS;
	if (cfg->stable_writes)
		lim.features |= BLK_FEAT_STABLE_WRITES;
	return blk_alloc_disk(&lim, node);
}
#else
static inline struct gendisk *
zram_compat_alloc_disk(const struct zram_compat_queue_cfg *cfg, int node)
{
	struct gendisk *disk = blk_alloc_disk(node);
	struct request_queue *q;

	if (!disk)
		return ERR_PTR(-ENOMEM);
	q = disk->queue;
	blk_queue_logical_block_size(q, cfg->logical_block_size);
	blk_queue_physical_block_size(q, cfg->physical_block_size);
	blk_queue_io_min(q, cfg->io_min);
	blk_queue_io_opt(q, cfg->io_opt);
	q->limits.discard_granularity = cfg->discard_granularity;
	blk_queue_max_discard_sectors(q, cfg->max_discard_sectors);
	blk_queue_max_write_zeroes_sectors(q, cfg->max_write_zeroes_sectors);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, q);
	if (cfg->stable_writes)
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	/* 6.1 has no synchronous-queue flag: swap keys it on ->rw_page. */
	return disk;
}
#endif

/*
 * ->rw_page (gone in 6.3): where it exists, swap does synchronous
 * single-page I/O through it instead of bios.  ZRAM_COMPAT_BDOPS_RW_PAGE(fn)
 * is a block_device_operations initialiser line, empty where the field
 * is gone; zram_compat_page_endio() completes a page it handled
 * successfully.
 */
#ifdef HAVE_BDOPS_RW_PAGE
#define ZRAM_COMPAT_BDOPS_RW_PAGE(fn)	.rw_page = (fn),
static inline void zram_compat_page_endio(struct page *page, bool write)
{
	page_endio(page, write, 0);
}

/* Block-layer accounting (/proc/diskstats) of one ->rw_page call. */
static inline unsigned long
zram_compat_rw_page_acct_start(struct block_device *bdev, enum req_op op)
{
	return bdev_start_io_acct(bdev, PAGE_SIZE >> SECTOR_SHIFT, op,
				  jiffies);
}

static inline void zram_compat_rw_page_acct_end(struct block_device *bdev,
						enum req_op op,
						unsigned long start)
{
	bdev_end_io_acct(bdev, op, start);
}
#else
#define ZRAM_COMPAT_BDOPS_RW_PAGE(fn)
static inline void zram_compat_page_endio(struct page *page, bool write)
{
}

static inline unsigned long
zram_compat_rw_page_acct_start(struct block_device *bdev, enum req_op op)
{
	return 0;
}

static inline void zram_compat_rw_page_acct_end(struct block_device *bdev,
						enum req_op op,
						unsigned long start)
{
}
#endif

/*
 * Backing device: opened for reading and writing, exclusively, with the
 * zram device as holder.  From 6.9 the open returns a struct file whose
 * release drops the claim (bdev_fput() drops it at once); before, a
 * struct block_device released with the mode it was opened with.
 * struct zram_compat_bdev keeps whichever the kernel hands out.
 */
#ifdef HAVE_BDEV_FILE_OPEN
struct zram_compat_bdev {
	struct block_device *bdev;
	struct file *file;
};

static inline int zram_compat_bdev_open(const char *path, void *holder,
					struct zram_compat_bdev *zb)
{
	struct file *file;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
				      holder, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	zb->file = file;
	zb->bdev = file_bdev(file);
	return 0;
}

static inline void zram_compat_bdev_close(struct zram_compat_bdev *zb)
{
	bdev_fput(zb->file);
	zb->file = NULL;
	zb->bdev = NULL;
}
#else
struct zram_compat_bdev {
	struct block_device *bdev;
};

#define ZRAM_COMPAT_BDEV_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

static inline int zram_compat_bdev_open(const char *path, void *holder,
					struct zram_compat_bdev *zb)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, ZRAM_COMPAT_BDEV_MODE, holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	zb->bdev = bdev;
	return 0;
}

static inline void zram_compat_bdev_close(struct zram_compat_bdev *zb)
{
	blkdev_put(zb->bdev, ZRAM_COMPAT_BDEV_MODE);
	zb->bdev = NULL;
}
#endif

/*
 * Shrinkers: allocated and registered in two steps with a private_data
 * pointer from 6.7 on; embedded and registered in one step before.
 * zram_compat_shrinker_create() returns a registered shrinker or NULL;
 * @batch is the shrinker's (0: the kernel's default, 1: scan is called
 * as soon as reclaim asks for anything).
 */
typedef unsigned long (*zram_compat_shrink_fn)(struct shrinker *,
					struct shrink_control *);

#ifdef HAVE_SHRINKER_ALLOC
static inline struct shrinker *
zram_compat_shrinker_create(const char *name, zram_compat_shrink_fn count,
		     zram_compat_shrink_fn scan, long batch, void *private)
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->batch = batch;
	s->seeks = DEFAULT_SEEKS;
	s->private_data = private;
	shrinker_register(s);
	return s;
}

static inline void *zram_compat_shrinker_private(struct shrinker *s)
{
	return s->private_data;
}

static inline void zram_compat_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
struct zram_compat_shrinker {
	struct shrinker shrinker;
	void *private;
};

static inline struct shrinker *
zram_compat_shrinker_create(const char *name, zram_compat_shrink_fn count,
		     zram_compat_shrink_fn scan, long batch, void *private)
{
	struct zram_compat_shrinker *cs = kzalloc(sizeof(*cs), GFP_KERNEL);

	if (!cs)
		return NULL;
	cs->shrinker.count_objects = count;
	cs->shrinker.scan_objects = scan;
	cs->shrinker.seeks = DEFAULT_SEEKS;
	cs->shrinker.batch = batch;
	cs->private = private;
	if (register_shrinker(&cs->shrinker, "%s", name)) {
		kfree(cs);
		return NULL;
	}
	return &cs->shrinker;
}

static inline void *zram_compat_shrinker_private(struct shrinker *s)
{
	return container_of(s, struct zram_compat_shrinker, shrinker)->private;
}

static inline void zram_compat_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
	unregister_shrinker(s);
	kfree(container_of(s, struct zram_compat_shrinker, shrinker));
}
#endif

/*
 * zstd dictionaries: zstd_create_cdict_byreference() and its friends are
 * exported by newer kernels only (6.12 has them, 6.1 does not).
 * ZRAM_COMPAT_HAVE_ZSTD_DICT says whether they exist.  The
 * zram_compat_zstd_* names below call them where they do; where they do
 * not, they always fail, and backend_zstd.c never reaches them: it
 * handles a dictionary in its prefix mode instead.
 */
#include <linux/zstd.h>

#ifdef HAVE_ZSTD_DICT
#define ZRAM_COMPAT_HAVE_ZSTD_DICT	true

#define zram_compat_zstd_mem		zstd_custom_mem
#define zram_compat_zstd_cdict		zstd_cdict
#define zram_compat_zstd_ddict		zstd_ddict
#define zram_compat_zstd_create_cdict	zstd_create_cdict_byreference
#define zram_compat_zstd_free_cdict	zstd_free_cdict
#define zram_compat_zstd_compress_cdict	zstd_compress_using_cdict
#define zram_compat_zstd_create_ddict	zstd_create_ddict_byreference
#define zram_compat_zstd_free_ddict	zstd_free_ddict
#define zram_compat_zstd_decompress_ddict zstd_decompress_using_ddict
#else
#define ZRAM_COMPAT_HAVE_ZSTD_DICT	false

#define zram_compat_zstd_mem	ZSTD_customMem
#define zram_compat_zstd_cdict	ZSTD_CDict
#define zram_compat_zstd_ddict	ZSTD_DDict

static inline zram_compat_zstd_cdict *
zram_compat_zstd_create_cdict(const void *dict, size_t dict_size,
			      zstd_compression_parameters cparams,
			      zram_compat_zstd_mem mem)
{
	return NULL;
}

static inline void zram_compat_zstd_free_cdict(zram_compat_zstd_cdict *cdict)
{
}

static inline size_t
zram_compat_zstd_compress_cdict(zstd_cctx *cctx, void *dst, size_t dst_cap,
				const void *src, size_t src_size,
				const zram_compat_zstd_cdict *cdict)
{
	return -(size_t)ZSTD_error_GENERIC;
}

static inline zram_compat_zstd_ddict *
zram_compat_zstd_create_ddict(const void *dict, size_t dict_size,
			      zram_compat_zstd_mem mem)
{
	return NULL;
}

static inline void zram_compat_zstd_free_ddict(zram_compat_zstd_ddict *ddict)
{
}

static inline size_t
zram_compat_zstd_decompress_ddict(zstd_dctx *dctx, void *dst, size_t dst_cap,
				  const void *src, size_t src_size,
				  const zram_compat_zstd_ddict *ddict)
{
	return -(size_t)ZSTD_error_GENERIC;
}
#endif

/*
 * The source size for which zstd picks its search parameters when it
 * compresses a page without a dictionary (zstd_get_params()'s second
 * argument; the tables are then cut to a page's, see backend_zstd.c).
 * For a page zstd picks matches of 4 bytes or more (level 3), for an
 * unknown size 5 or more: fewer sequences, about 1% larger.  The zstd
 * 1.4 of 6.1 decodes sequences slowly enough that this shows (4 KiB
 * random reads 0.74 of the kernel's zram, which compresses for an
 * unknown size), so there ours does the same; zstd 1.5 decodes both
 * alike, and the page's parameters store denser.
 */
#if ZSTD_VERSION_NUMBER < 10500
#define ZRAM_COMPAT_ZSTD_PAGE_SRC	0
#else
#define ZRAM_COMPAT_ZSTD_PAGE_SRC	PAGE_SIZE
#endif

/*
 * SRCU readers whose read-side section ends in another context (a bio's
 * completion): srcu_down_read()/srcu_up_read() from 6.3 on; before,
 * the same counters without lockdep's per-task tracking.
 */
#include <linux/srcu.h>
#ifdef HAVE_SRCU_DOWN_READ
#define zram_compat_srcu_down_read(ssp)		srcu_down_read(ssp)
#define zram_compat_srcu_up_read(ssp, idx)	srcu_up_read(ssp, idx)
#else
#define zram_compat_srcu_down_read(ssp)		__srcu_read_lock(ssp)
#define zram_compat_srcu_up_read(ssp, idx)	__srcu_read_unlock(ssp, idx)
#endif

#endif /* _ZRAM_OOT_COMPAT_H */
