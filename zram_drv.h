/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compressed RAM block device: per-device state.
 */
#ifndef _ZRAM_OOT_DRV_H
#define _ZRAM_OOT_DRV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "zcomp.h"

struct dentry;

#define ZRAM_SECTORS_PER_PAGE_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define ZRAM_SECTORS_PER_PAGE		BIT(ZRAM_SECTORS_PER_PAGE_SHIFT)
#define ZRAM_LOGICAL_BLOCK_SIZE		4096U
#define ZRAM_DEFAULT_COMP		"lzo-rle"
#define ZRAM_MAX_ALG_NAME		32
/* Algorithm slots: the primary, then recompression priorities 1..3. */
#define ZRAM_PRIMARY_COMP		0U
#define ZRAM_MAX_COMPS			4U

/*
 * A slot describes one PAGE_SIZE page of the device.
 *
 * ->flags: the low ZRAM_FLAG_SHIFT bits hold the stored object's size in
 * bytes (PAGE_SIZE for a page stored raw); the bits above, up to bit 31,
 * are enum zram_slot_flag; bits ZRAM_ACTIME_SHIFT..63 hold the time the
 * slot was last written or read (boot-time seconds, truncated to u32).
 * ->handle is the zsmalloc handle of the object; for a ZRAM_SAME slot,
 * the machine word that fills the page; for a ZRAM_WB slot, the block
 * of the backing device that holds the page uncompressed (size bits 0).
 * The two ZRAM_PRIO bits name the algorithm slot (0: primary) that
 * compressed the object.
 * A slot with no handle and neither ZRAM_SAME nor ZRAM_WB is empty and
 * reads as zeros; its flags word is 0 apart from the lock bit (no access
 * time, not idle).
 *
 * Slot lock rules:
 *  1. Every read or change of a slot's handle, size or flags happens
 *     under its ZRAM_SLOT_LOCK bit spinlock, except when the device is
 *     being set up or torn down under init_lock held for writing with
 *     no opener.
 *  2. The slot lock is taken before a compression stream and before any
 *     zsmalloc lock; a path holding a stream never waits for a slot lock
 *     (the write path puts its stream before it locks the slot).
 *  3. Nothing under a slot lock sleeps.
 */
#define ZRAM_FLAG_SHIFT		(PAGE_SHIFT + 1)
#define ZRAM_ACTIME_SHIFT	32

enum zram_slot_flag {
	ZRAM_SLOT_LOCK = ZRAM_FLAG_SHIFT,	/* bit spinlock */
	ZRAM_SAME,		/* page filled with one word, no object */
	ZRAM_HUGE,		/* stored raw: did not compress enough */
	ZRAM_IDLE,		/* marked idle, not accessed since */
	ZRAM_WB,		/* written back: ->handle is a backing block */
	ZRAM_PP,		/* being written back or recompressed; freeing
				 * the slot clears it
				 */
	ZRAM_INCOMPRESSIBLE,	/* no algorithm shrinks it: skip recompression */
	ZRAM_PRIO,		/* two bits: algorithm slot of the object */
	ZRAM_PRIO_END = ZRAM_PRIO + 1,
	/*
	 * Writeback generation, bits ZRAM_WB_GEN..ZRAM_ACTIME_SHIFT - 1:
	 * counts the slot's writebacks (wrapping) and survives freeing, so
	 * a reader of a backing block can tell that the slot it read for
	 * was written back anew meanwhile.
	 */
	ZRAM_WB_GEN,
	__NR_ZRAM_SLOT_FLAGS = ZRAM_WB_GEN,
};

#define ZRAM_WB_GEN_MASK	(GENMASK(ZRAM_ACTIME_SHIFT - 1, ZRAM_WB_GEN))

struct zram_slot {
	unsigned long handle;
	unsigned long flags;
};

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
	atomic64_t bd_count;		/* backing blocks in use */
	atomic64_t bd_reads;		/* pages read from the backing device */
	atomic64_t bd_writes;		/* pages written back */
	atomic64_t recomp_tried;	/* pages recompression looked at */
	atomic64_t recomp_kept;		/* pages stored smaller by it */
};

/*
 * The backing device (backing_dev, writeback).  Set and released only on
 * an uninitialized device under init_lock held for writing, so the I/O
 * path reads these fields without locks.  A bit of ->bitmap is set while
 * its block holds a page or is being written; bits are set only by
 * writeback (serialized by zram->pp_lock) and cleared by whoever frees
 * the slot.
 */
struct zram_backing {
	struct zram_bdev dev;		/* .bdev NULL: no backing device */
	char *path;			/* as written to backing_dev */
	unsigned long *bitmap;
	unsigned long nr_blocks;	/* PAGE_SIZE blocks */
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
	unsigned long limit_pages;	/* mem_limit in pages; 0: none */
	/*
	 * Algorithm per slot: [0] the primary (comp_algorithm), [1..3] the
	 * recompression priorities ("" when unset); their parameters
	 * (algorithm_params; a dictionary is vmalloc'ed and owned here) and,
	 * once initialized, their zcomp instances.
	 */
	char comp_algs[ZRAM_MAX_COMPS][ZRAM_MAX_ALG_NAME];
	struct zcomp_conf comp_params[ZRAM_MAX_COMPS];
	struct zcomp *comps[ZRAM_MAX_COMPS];

	struct zram_slot *slots;	/* disksize >> PAGE_SHIFT entries */
	struct zsm_pool *pool;
	size_t huge_class_size;		/* objects this big are stored raw */

	struct dentry *debugfs_dir;	/* <debugfs>/zram/zramN, may be NULL */
	struct zram_backing bd;
	/* One writeback or recompression at a time (they flag slots ZRAM_PP). */
	struct mutex pp_lock;

	/* Set (under disk->open_mutex) while reset or removal runs. */
	bool claim;

	struct zram_stats stats;
};

#endif /* _ZRAM_OOT_DRV_H */
