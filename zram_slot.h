/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The slot table: one struct zram_slot per PAGE_SIZE page of a device,
 * its layout, its lock and its accessors.
 *
 * Owns: the meaning of every bit of a slot.  Every file that touches a
 * slot does it through these helpers, under the slot lock.
 *
 * ->flags: the low ZRAM_FLAG_SHIFT bits hold the stored object's size in
 * bytes (PAGE_SIZE for a page stored raw); the bits above, up to bit 31,
 * are enum zram_slot_flag; bits ZRAM_ACTIME_SHIFT..63 hold the time the
 * slot was last written or read (boot-time seconds, truncated to u32).
 * ->handle is the zsmalloc handle of the object; for a ZRAM_SAME slot,
 * the machine word that fills the page; for a ZRAM_WB slot, either the
 * block of the backing device that holds the page uncompressed (size
 * bits 0), or, written back compressed (writeback_compressed), the byte
 * position on the backing device of the object, whose size the size
 * bits keep (PAGE_SIZE: stored raw) and whose algorithm the prio bits
 * name; such an object lies in one block or runs on into the next,
 * adjacent one, never further (see zram_wb_block() and friends).
 * The two ZRAM_PRIO bits name the algorithm slot (0: primary) that
 * compressed the object.
 * A slot with no handle and neither ZRAM_SAME nor ZRAM_WB is empty and
 * reads as zeros; its flags word is 0 apart from the lock bit and the
 * writeback generation (no access time, not idle).
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
 *  4. A slot is "moving" (ZRAM_MOVING) while writeback or recompression
 *     works on a copy of its data with the lock dropped.  Whoever frees
 *     the slot clears the flag; the mover re-takes the lock, and keeps
 *     its result only if the flag is still set.  Movers are serialised
 *     by zram->move_lock.
 */
#ifndef _ZRAM_OOT_SLOT_H
#define _ZRAM_OOT_SLOT_H

#include <linux/bit_spinlock.h>
#include <linux/bits.h>
#include <linux/timekeeping.h>

#include "zram_drv.h"

#define ZRAM_FLAG_SHIFT		(PAGE_SHIFT + 1)
#define ZRAM_ACTIME_SHIFT	32

enum zram_slot_flag {
	ZRAM_SLOT_LOCK = ZRAM_FLAG_SHIFT,	/* bit spinlock */
	ZRAM_SAME,		/* page filled with one word, no object */
	ZRAM_HUGE,		/* stored raw: did not compress enough */
	ZRAM_IDLE,		/* marked idle, not accessed since */
	ZRAM_WB,		/* written back: ->handle is a backing block */
	ZRAM_MOVING,		/* being written back or recompressed; freeing
				 * the slot clears it (rule 4)
				 */
	ZRAM_INCOMPRESSIBLE,	/* no algorithm shrinks it: skip recompression */
	ZRAM_PRIO,		/* two bits: algorithm slot of the object */
	ZRAM_PRIO_END = ZRAM_PRIO + 1,
	ZRAM_DEDUP,		/* the object may be shared (zram_dedup.c):
				 * freeing it asks zram_dedup_put()
				 */
	/*
	 * Writeback generation, bits ZRAM_WB_GEN..ZRAM_ACTIME_SHIFT - 1
	 * (9 bits with 4 KiB pages):
	 * counts the slot's writebacks and cleanings (wrapping) and
	 * survives freeing, so cleaning, which reads an object with the
	 * slot unlocked, can tell that the slot was freed and written back
	 * anew meanwhile (reads need no such check: a block stays
	 * quarantined while one is in flight, see struct zram_backing).
	 */
	ZRAM_WB_GEN,
	__NR_ZRAM_SLOT_FLAGS = ZRAM_WB_GEN,
};

#define ZRAM_WB_GEN_MASK	(GENMASK(ZRAM_ACTIME_SHIFT - 1, ZRAM_WB_GEN))

struct zram_slot {
	unsigned long handle;
	unsigned long flags;
};

static inline void zram_slot_lock(struct zram *zram, u32 index)
	__acquires(&zram->slots[index])
{
	bit_spin_lock(ZRAM_SLOT_LOCK, &zram->slots[index].flags);
}

/*
 * The trylock nets out its own context change so that sparse sees the
 * acquisition in the caller, through __cond_lock(), only when it worked.
 */
static inline bool __zram_slot_trylock(struct zram *zram, u32 index)
{
	if (!bit_spin_trylock(ZRAM_SLOT_LOCK, &zram->slots[index].flags))
		return false;
	__release(&zram->slots[index]);
	return true;
}

#define zram_slot_trylock(zram, index)					\
	__cond_lock(&(zram)->slots[index], __zram_slot_trylock(zram, index))

static inline void zram_slot_unlock(struct zram *zram, u32 index)
	__releases(&zram->slots[index])
{
	bit_spin_unlock(ZRAM_SLOT_LOCK, &zram->slots[index].flags);
}

static inline bool zram_test_flag(struct zram *zram, u32 index,
				  enum zram_slot_flag flag)
{
	return zram->slots[index].flags & BIT(flag);
}

static inline void zram_set_flag(struct zram *zram, u32 index,
				 enum zram_slot_flag flag)
{
	zram->slots[index].flags |= BIT(flag);
}

static inline void zram_clear_flag(struct zram *zram, u32 index,
				   enum zram_slot_flag flag)
{
	zram->slots[index].flags &= ~BIT(flag);
}

static inline unsigned int zram_get_obj_size(struct zram *zram, u32 index)
{
	return zram->slots[index].flags & (BIT(ZRAM_FLAG_SHIFT) - 1);
}

static inline void zram_next_wb_gen(struct zram *zram, u32 index)
{
	unsigned long flags = zram->slots[index].flags;
	unsigned long gen = flags + BIT(ZRAM_WB_GEN);

	zram->slots[index].flags = (flags & ~ZRAM_WB_GEN_MASK) |
				   (gen & ZRAM_WB_GEN_MASK);
}

static inline unsigned int zram_get_prio(struct zram *zram, u32 index)
{
	return (zram->slots[index].flags >> ZRAM_PRIO) & 3;
}

static inline void zram_set_prio(struct zram *zram, u32 index, unsigned int prio)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= ~(3UL << ZRAM_PRIO);
	zram->slots[index].flags = flags | (unsigned long)prio << ZRAM_PRIO;
}

static inline void zram_set_obj_size(struct zram *zram, u32 index, unsigned int size)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= ~(BIT(ZRAM_FLAG_SHIFT) - 1);
	zram->slots[index].flags = flags | size;
}

/* Boot-time seconds, truncated to the 32 bits a slot keeps. */
static inline u32 zram_now(void)
{
	return (u32)ktime_get_boottime_seconds();
}

static inline u32 zram_get_actime(struct zram *zram, u32 index)
{
	return zram->slots[index].flags >> ZRAM_ACTIME_SHIFT;
}

static inline void zram_set_actime(struct zram *zram, u32 index, u32 secs)
{
	unsigned long flags = zram->slots[index].flags;

	flags &= BIT(ZRAM_ACTIME_SHIFT) - 1;
	zram->slots[index].flags = flags | (unsigned long)secs << ZRAM_ACTIME_SHIFT;
}

/* The slot (locked) was just written or read: not idle, new time. */
static inline void zram_accessed(struct zram *zram, u32 index)
{
	zram_clear_flag(zram, index, ZRAM_IDLE);
	zram_set_actime(zram, index, zram_now());
}

/*
 * A written-back slot's data (the slot locked): its block, the offset
 * in it and its length on the backing device.
 */
static inline unsigned long zram_wb_block(struct zram *zram, u32 index)
{
	unsigned long h = zram->slots[index].handle;

	return zram_get_obj_size(zram, index) ? h >> PAGE_SHIFT : h;
}

static inline unsigned int zram_wb_offset(struct zram *zram, u32 index)
{
	return zram_get_obj_size(zram, index) ?
	       offset_in_page(zram->slots[index].handle) : 0;
}

static inline unsigned int zram_wb_bytes(struct zram *zram, u32 index)
{
	return zram_get_obj_size(zram, index) ?: PAGE_SIZE;
}

static inline bool zram_slot_allocated(struct zram *zram, u32 index)
{
	return zram->slots[index].handle ||
	       zram_test_flag(zram, index, ZRAM_SAME) ||
	       zram_test_flag(zram, index, ZRAM_WB);
}

/*
 * Does the (locked) slot hold an object in the pool that no writeback or
 * recompression is working on and that no other page shares?  Empty,
 * same-filled and written-back slots have none.
 */
static inline bool zram_slot_may_move(struct zram *zram, u32 index)
{
	return zram->slots[index].handle &&
	       !zram_test_flag(zram, index, ZRAM_SAME) &&
	       !zram_test_flag(zram, index, ZRAM_WB) &&
	       !zram_test_flag(zram, index, ZRAM_MOVING) &&
	       !(zram_test_flag(zram, index, ZRAM_DEDUP) &&
		 zram_dedup_shared(zram, index));
}

#endif /* _ZRAM_OOT_SLOT_H */
