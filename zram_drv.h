/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compressed RAM block device: per-device state, and the interfaces
 * between the driver's files.
 *
 *   zram_drv.c      device lifecycle (set-up, reset, add, remove), the
 *                   block_device_operations and bio path, zram-control,
 *                   module init
 *   zram_par.c      read and write bios spread over several CPUs
 *   zram_slot.h     slot table layout, slot lock, slot accessors
 *   zram_sysfs.c    the core attributes and the input parsers
 *   zram_wb.c       backing device, writeback, reads of written-back pages
 *   zram_recomp.c   recompression, recomp_algorithm, algorithm_params
 *   zram_tier.c     automatic tiering: tiering, tiering_stat, the
 *                   background passes and their shrinker
 *   zram_dedup.c    deduplication: use_dedup, dedup_stat, the index of
 *                   objects and the share counts
 *   zram_debugfs.c  <debugfs>/zram/zramN/block_state and parallel
 *
 * Device-wide locks, outermost first: zram->init_lock (rwsem: set-up
 * state), zram->tier.pass_lock (mutex: one tiering pass),
 * zram->move_lock (mutex: one writeback or recompression), a
 * slot lock (see zram_slot.h), a compression stream (local lock), the
 * pool's locks (zsmalloc.c); zram->dedup->lock (spinlock: share counts,
 * zram_dedup.c) nests inside slot locks and streams, nothing in it.  zram->tier.lock (spinlock: the tiering
 * policy, also taken by the shrinker in reclaim) is a leaf: nothing
 * nests in it.
 */
#ifndef _ZRAM_OOT_DRV_H
#define _ZRAM_OOT_DRV_H

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "zcomp.h"

struct attribute_group;
struct block_device;
struct dentry;
struct page;
struct shrinker;
struct workqueue_struct;
struct zram_slot;

#define ZRAM_SECTORS_PER_PAGE_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define ZRAM_SECTORS_PER_PAGE		BIT(ZRAM_SECTORS_PER_PAGE_SHIFT)
#define ZRAM_LOGICAL_BLOCK_SIZE		4096U
#define ZRAM_DEFAULT_COMP		"lzo-rle"
#define ZRAM_MAX_ALG_NAME		32
/* Algorithm slots: the primary, then recompression priorities 1..3. */
#define ZRAM_PRIMARY_COMP		0U
#define ZRAM_MAX_COMPS			4U

struct zram_stats {
	atomic64_t compr_data_size;	/* bytes of stored objects */
	atomic64_t pages_stored;	/* slots holding data (incl. same) */
	atomic64_t same_pages;		/* slots filled with one word */
	atomic64_t huge_pages;		/* slots stored raw */
	atomic64_t huge_pages_since;	/* raw stores since set-up */
	atomic64_t failed_reads;
	atomic64_t failed_writes;
	atomic64_t invalid_io;		/* requests refused by the driver */
	atomic64_t notify_free;		/* slots freed by swap or discard */
	atomic64_t miss_free;		/* swap frees skipped: slot busy */
	atomic64_t writestall;		/* writes that had to sleep for memory */
	atomic_long_t max_used_pages;	/* peak pool size, in pages */
	atomic64_t bd_count;		/* backing blocks holding live data */
	atomic64_t bd_reads;		/* blocks read from the backing device */
	atomic64_t bd_writes;		/* blocks written to it */
	atomic64_t bd_pages;		/* slots whose data is on it */
	atomic64_t bd_live;		/* bytes of that data (as stored) */
	atomic64_t bd_async;		/* reads chained to the bio needing them */
	atomic64_t bd_unpack_here;	/* of those, objects unpacked at completion */
	atomic64_t bd_inflight;		/* of those, not completed yet */
	atomic64_t bd_cleaned;		/* blocks emptied by cleaning */
	atomic64_t bd_discarded;	/* freed blocks discarded */
	atomic64_t recomp_tried;	/* pages recompression looked at */
	atomic64_t recomp_kept;		/* pages stored smaller by it */
	atomic64_t par_bios;		/* bios spread over CPUs */
	atomic64_t par_parts;		/* parts queued to other CPUs */
	atomic64_t par_moved;		/* of those, run elsewhere (CPU gone) */
	atomic64_t ra_async;		/* readahead bios read by another CPU */
	atomic64_t wb_sent;		/* writeback batches a worker decompressed */
	atomic_long_t wb_fly_max;	/* most blocks one walk had in flight */
	/* tiering_stat (zram_tier.c) */
	atomic64_t tier_passes;		/* passes run */
	atomic64_t tier_marked;		/* pages they marked idle */
	atomic64_t tier_recomp;		/* pages they tried to recompress */
	atomic64_t tier_recomp_kept;	/* of those, stored smaller */
	atomic64_t tier_written;	/* pages they wrote back */
	atomic64_t tier_skipped;	/* passes with the pool not above high */
};

/*
 * Which pages a writeback takes (the "writeback" modes), and, for
 * ZRAM_WB_HUGE, ZRAM_WB_IDLE and ZRAM_WB_HUGE_IDLE, which pages a
 * recompression looks at.  zram_wb_mode_names[] (zram_wb.c) spells the
 * first four as the attributes do.
 */
enum zram_wb_mode {
	ZRAM_WB_HUGE,
	ZRAM_WB_IDLE,
	ZRAM_WB_HUGE_IDLE,
	ZRAM_WB_INCOMPRESSIBLE,
	ZRAM_WB_INDEX,		/* page_index= / page_indexes= list */
};

/*
 * One bounded step of a background mover (the tiering passes of
 * zram_tier.c) through zram_recompress_step() or zram_writeback_step():
 * the slots from ->pos on are looked at in order until ->max pages have
 * been tried, ->scan slots have been looked at or the end of the device
 * is reached.
 */
struct zram_move_step {
	u32 pos;	/* in: first slot; out: the next one (nr pages: end) */
	u32 scan;	/* in: most slots to look at; 0: no cap */
	u64 max;	/* in: pages to try at most; 0: no cap */
	u64 tried;	/* out: pages recompressed or sent to the disk */
	u64 done;	/* out: of those, stored smaller or written back */
};

/* The last slot a step looks at: ->scan slots from ->pos, within @nr. */
static inline u32 zram_move_last(const struct zram_move_step *st, u32 nr)
{
	if (st->scan && st->scan < nr - st->pos)
		return st->pos + st->scan - 1;
	return nr - 1;
}

/* tiering: see zram_tier.c.  ZRAM_TIER_NONE: no recompress/writeback. */
#define ZRAM_TIER_NONE	(-1)

struct zram_tier_policy {
	unsigned int interval;	/* seconds between passes; 0: off */
	u32 idle_age;		/* seconds; 0: the pass marks nothing */
	int recompress;		/* ZRAM_WB_HUGE/IDLE/HUGE_IDLE or NONE */
	int writeback;		/* an enum zram_wb_mode but INDEX, or NONE */
	unsigned int high;	/* watermarks, percent of mem_limit (RAM) */
	unsigned int low;
	u64 max_pages;		/* pages moved at most per pass; 0: no cap */
};

struct zram_tier {
	spinlock_t lock;		/* ->pol, ->stop, queueing ->work */
	struct zram_tier_policy pol;
	bool stop;			/* reset in progress: no pass, no queueing */
	bool quiet;			/* the last pass wrote nothing back */
	unsigned long last;		/* jiffies at the end of the last pass */
	struct mutex pass_lock;		/* one pass at a time */
	struct delayed_work work;	/* the background pass */
	struct shrinker *shrinker;	/* kicks ->work under memory pressure */
};

/*
 * The backing device (backing_dev, writeback).  Set and released only on
 * an uninitialized device under init_lock held for writing, so the I/O
 * path reads these fields without locks.
 *
 * Blocks (PAGE_SIZE each) and their life:
 *  - a bit of ->bitmap is set while its block is reserved by a
 *    writeback, holds live data, or is quarantined; only writeback and
 *    cleaning (serialized by zram->move_lock) set bits or recycle them;
 *  - ->live[blk] counts the bytes of live data in the block (a whole
 *    page, or the compressed objects packed in it), plus 1 while the
 *    writeback that filled it settles its slots;
 *  - when ->live[blk] drops to 0 the block is quarantined (->quar):
 *    a read that looked the block up before the data was freed may
 *    still be in flight.  Every read of a block holds ->srcu from its
 *    slot lookup to its completion, so a block quarantined before an
 *    SRCU grace period started is free once that period has ended
 *    (->pend holds those blocks, ->gp the period's cookie).
 */
struct zram_backing {
	struct zram_compat_bdev dev;		/* .bdev NULL: no backing device */
	struct workqueue_struct *wq;	/* sync reads from our bio path;
					 * decompression of async reads
					 */
	char *path;			/* as written to backing_dev */
	unsigned long *bitmap;
	unsigned long *quar;		/* freed, maybe still being read */
	unsigned long *pend;		/* freed before grace period ->gp */
	unsigned long gp;
	bool pend_any;
	atomic_t *live;
	struct srcu_struct *srcu;	/* allocated: it cannot move */
	struct bio_set *bioset;		/* of chained reads */
	unsigned long nr_blocks;	/* PAGE_SIZE blocks */
	unsigned long used;		/* bits set in ->bitmap (move_lock) */
	unsigned long next;		/* where the next block search starts */
	spinlock_t limit_lock;		/* the two fields below */
	bool limit_enable;
	u64 limit;			/* budget left, in 4K units */
};

struct zram {
	struct gendisk *disk;
	int id;

	/*
	 * init_lock guards the set-up state below: writers are disksize
	 * set-up and reset; readers are sysfs handlers that touch the
	 * pool or streams.  The I/O path does not take it: I/O can only
	 * reach an initialized device (capacity is 0 otherwise) and reset
	 * is refused while the device is open.
	 */
	struct rw_semaphore init_lock;
	bool init_done;
	u64 disksize;			/* bytes; 0 until set up */
	unsigned long limit_pages;	/* mem_limit in pages, 0: none; no lock */
	/*
	 * Algorithm per slot: [0] the primary (comp_algorithm), [1..3] the
	 * recompression priorities ("" when unset); their parameters
	 * (algorithm_params; a dictionary is vmalloc'ed and owned here) and,
	 * once initialized, their zcomp instances.
	 */
	char comp_algs[ZRAM_MAX_COMPS][ZRAM_MAX_ALG_NAME];
	struct zcomp_conf comp_conf[ZRAM_MAX_COMPS];
	struct zcomp *comps[ZRAM_MAX_COMPS];

	struct zram_slot *slots;	/* disksize >> PAGE_SHIFT entries */
	struct zsm_pool *pool;
	size_t huge_class_size;		/* objects this big are stored raw */

	struct dentry *debugfs_dir;	/* <debugfs>/zram/zramN, may be NULL */
	struct zram_backing bd;
	/*
	 * One writeback or recompression at a time (they flag the slots
	 * they work on ZRAM_MOVING, see zram_slot.h).
	 */
	struct mutex move_lock;
	/* writeback_batch_size: blocks one writeback keeps in flight */
	unsigned int wb_batch_size;
	/* writeback_compressed: objects go out compressed and packed */
	bool wb_compressed;

	/* Automatic tiering (zram_tier.c). */
	struct zram_tier tier;

	/* use_dedup (kept across reset); the index, once set up */
	bool use_dedup;
	struct zram_dedup *dedup;

	/* Set (under disk->open_mutex) while reset or removal runs. */
	bool claim;
	/* Readahead bios a worker has (zram_par.c) */
	atomic_t ra_fly;

	struct zram_stats stats;
};

/* zram_drv.c */
extern const struct attribute_group *zram_disk_groups[];

/*
 * Slot walks: zram_walk_slots() calls @fn for each index in
 * @first..@last (inclusive) in order, rescheduling as it goes, and stops
 * at the first non-zero return of @fn, which it returns; with
 * ZRAM_WALK_KILLABLE it also stops with -EINTR on a fatal signal.
 * Returns 0 when every slot was visited.
 */
#define ZRAM_WALK_KILLABLE	BIT(0)
typedef int (*zram_slot_fn)(struct zram *zram, u32 index, void *data);
int zram_walk_slots(struct zram *zram, u32 first, u32 last,
		    unsigned int flags, zram_slot_fn fn, void *data);

void zram_release_data(struct zram *zram, u32 index);
void zram_free_slot(struct zram *zram, u32 index);
int zram_read_slot_locked(struct zram *zram, u32 index, struct page *page);
int zram_bio_rw_iter(struct zram *zram, struct bio *bio,
		     struct bvec_iter iter, bool write);
void zram_stat_max(atomic_long_t *max, long val);
void zram_update_used_max(struct zram *zram, unsigned long pages);
void zram_conf_reset(struct zcomp_conf *conf);
void zram_set_alg(struct zram *zram, unsigned int prio, const char *name);
int zram_setup(struct zram *zram, u64 disksize);
void zram_reset_device(struct zram *zram);
int zram_claim(struct zram *zram);
void zram_unclaim(struct zram *zram);
bool zram_is_zram_bdev(struct block_device *bdev);

static inline struct zram *dev_to_zram(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static inline unsigned long zram_nr_pages(struct zram *zram)
{
	return zram->disksize >> PAGE_SHIFT;
}

/* zram_sysfs.c: input parsers shared by the attributes */
extern const struct attribute_group zram_core_attr_group;
int zram_parse_size(const char *buf, size_t len, u64 *out);
/*
 * One key of a key=value attribute: ->parse() checks @val and records
 * it in the caller's @ctx; 0 or -EINVAL.  A ->bare key is a token of
 * its own, without "=value" (@val NULL).  See zram_parse_kv().
 */
struct zram_kv_key {
	const char *name;
	int (*parse)(char *val, void *ctx);
	bool bare;
};

int zram_parse_kv(char *args, const struct zram_kv_key *keys, void *ctx);
unsigned long zram_mark_idle(struct zram *zram, u64 age);
ssize_t zram_cmd_store(struct device *dev, const char *buf, size_t len,
		       int (*cmd)(struct zram *zram, char *args));

/*
 * Every writable attribute of ours except "compact" (which, like the
 * kernel's, ignores what is written) is declared with ZRAM_ATTR_WO() or
 * ZRAM_ATTR_RW(): its store sees a write only when it holds no NUL byte.
 * sysfs hands a store @len bytes and a NUL after them; a NUL inside would
 * let the C-string parsers (kstrto*(), sysfs_streq(), next_arg()) read a
 * prefix of the write and accept "4\0junk" as "4": refused with -EINVAL.
 */
static inline bool zram_input_has_nul(const char *buf, size_t len)
{
	return memchr(buf, '\0', len);
}

#define ZRAM_STORE_GUARDED(_name)					\
static ssize_t _name##_store_guarded(struct device *dev,		\
				     struct device_attribute *attr,	\
				     const char *buf, size_t len)	\
{									\
	if (zram_input_has_nul(buf, len))				\
		return -EINVAL;						\
	return _name##_store(dev, attr, buf, len);			\
}

#define ZRAM_ATTR_WO(_name)						\
	ZRAM_STORE_GUARDED(_name)					\
	static struct device_attribute dev_attr_##_name =		\
		__ATTR(_name, 0200, NULL, _name##_store_guarded)

#define ZRAM_ATTR_RW(_name)						\
	ZRAM_STORE_GUARDED(_name)					\
	static struct device_attribute dev_attr_##_name =		\
		__ATTR(_name, 0644, _name##_show, _name##_store_guarded)

/* zram_wb.c */
#define ZRAM_WB_BATCH_DEFAULT	32U
#define ZRAM_WB_BATCH_MAX	256U
/* Chained reads of a backing device that can always be allocated. */
#define ZRAM_BD_READS_RESERVED	16U
/* Blocks packed writeback leaves free for cleaning to start with. */
#define ZRAM_BD_CLEAN_RESERVE	1U
extern const struct attribute_group zram_wb_attr_group;
extern const char * const zram_wb_mode_names[ZRAM_WB_INDEX];
int zram_writeback_step(struct zram *zram, enum zram_wb_mode mode,
			struct zram_move_step *st);
int zram_bd_maps_alloc(struct zram_backing *bd, unsigned long nr_blocks);
void zram_bd_maps_free(struct zram_backing *bd);
bool zram_bd_put(struct zram *zram, unsigned long blk, unsigned int bytes);
unsigned int zram_bd_put_obj(struct zram *zram, unsigned long pos,
			     unsigned int size);
void zram_bd_put_slot(struct zram *zram, u32 index);
int zram_bd_clean(struct zram *zram);
void zram_bd_quiesce(struct zram *zram);
void zram_bd_close(struct zram *zram);
int zram_read_from_bd(struct zram *zram, u32 index, struct page *page,
		      struct bio *parent);

/* zram_recomp.c */
extern const struct attribute_group zram_recomp_attr_group;
bool zram_have_recomp_alg(struct zram *zram);
int zram_recompress_step(struct zram *zram, enum zram_wb_mode mode,
			 struct zram_move_step *st);

/* zram_tier.c */
extern const struct attribute_group zram_tier_attr_group;
int zram_tier_init(struct zram *zram);
void zram_tier_stop(struct zram *zram);
void zram_tier_reset(struct zram *zram);
void zram_tier_destroy(struct zram *zram);
int zram_tier_module_init(void);
void zram_tier_module_exit(void);

/*
 * A 0/1 setting (writeback_compressed, use_dedup) that only an
 * uninitialized device takes: "0" or "1" (-EINVAL otherwise), -EBUSY
 * after disksize.  Returns @len or the errno.
 */
ssize_t zram_store_setup_flag(struct zram *zram, const char *buf, size_t len,
			      bool *flag);

/* zram_dedup.c */
extern const struct attribute_group zram_dedup_attr_group;
int zram_dedup_create(struct zram *zram, unsigned long nr_pages);
void zram_dedup_destroy(struct zram *zram);
u64 zram_dedup_hash(const void *obj, unsigned int size);
bool zram_dedup_find(struct zram *zram, const void *obj, unsigned int size,
		     u64 hash, void *scratch, unsigned long *handle);
void zram_dedup_insert(struct zram *zram, u32 index, u64 hash);
bool zram_dedup_put(struct zram *zram, u32 index, unsigned int size);
bool zram_dedup_shared(struct zram *zram, u32 index);

/* zram_par.c: multi-page bios over several CPUs */
/*
 * The online CPU after @cpu, round the mask: where the next item of work
 * goes.  A hint only: the CPU may go offline before the item runs.
 */
static inline int zram_next_online_cpu(int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

#define ZRAM_PAR_DEFAULT_PAGES	32U
#define ZRAM_PAR_MAX_PARTS	8U
#define ZRAM_RA_DEFAULT_PAGES	16U
unsigned int zram_par_parts(unsigned int pages, unsigned int cpus,
			    unsigned int min_pages);
int zram_bio_rw(struct zram *zram, struct bio *bio, bool write);
void zram_bio_fail(struct zram *zram, struct bio *bio, bool write);
bool zram_par_readahead(struct zram *zram, struct bio *bio,
			unsigned long start);
void zram_par_quiesce(struct zram *zram);
int zram_par_init(void);
void zram_par_exit(void);

/* zram_debugfs.c */
void zram_debugfs_init(void);
void zram_debugfs_exit(void);
void zram_debugfs_add(struct zram *zram);
void zram_debugfs_remove(struct zram *zram);

#endif /* _ZRAM_OOT_DRV_H */
