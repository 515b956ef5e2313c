// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: <debugfs>/zram/zramN/block_state, wb_map, parallel, backing.
 *
 * Owns: the "zram" debugfs directory and one directory per device with
 * block_state, a listing of the stored pages and their flags, wb_map,
 * where the written-back ones are on the backing device,
 * parallel, the counters of zram_par.c, and backing, how reads of the
 * backing device went (zram_wb.c).
 *
 * Locks it takes: zram->init_lock for reading while a listing runs (from
 * ->start to ->stop of the seq_file), and each slot's lock briefly.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "zram_slot.h"

static struct dentry *zram_debugfs_root;

/* Walk step: stop at the first slot that holds data. */
static int zram_slot_stored(struct zram *zram, u32 index, void *data)
{
	bool stored;

	zram_slot_lock(zram, index);
	stored = zram_slot_allocated(zram, index);
	zram_slot_unlock(zram, index);
	if (stored)
		*(unsigned long *)data = index;
	return stored;
}

/*
 * Index of the first slot at or after @index that holds data, or the
 * number of slots if none does.  init_lock is held for reading.
 */
static unsigned long zram_next_stored(struct zram *zram, unsigned long index)
{
	unsigned long found = zram_nr_pages(zram);

	if (index < found)
		zram_walk_slots(zram, index, found - 1, 0, zram_slot_stored,
				&found);
	return found;
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
	if (*pos < 0 || *pos >= zram_nr_pages(zram))
		return NULL;
	index = zram_next_stored(zram, *pos);
	*pos = index;
	if (index >= zram_nr_pages(zram))
		return NULL;
	return &zram->slots[index];
}

static void *zram_block_state_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct zram *zram = m->private;
	unsigned long index = (struct zram_slot *)v - zram->slots;

	index = zram_next_stored(zram, index + 1);
	*pos = index;
	if (index >= zram_nr_pages(zram))
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

/*
 * wb_map: one line per written-back page: index, the byte position of
 * its data on the backing device, and its length there (4096 for a page
 * written uncompressed; an object may run on into the next block).
 */
static int zram_wb_map_show(struct seq_file *m, void *v)
{
	struct zram *zram = m->private;
	unsigned long index = (struct zram_slot *)v - zram->slots;
	unsigned long pos = 0;
	unsigned int len = 0;
	bool wb;

	zram_slot_lock(zram, index);
	wb = zram_test_flag(zram, index, ZRAM_WB);
	if (wb) {
		pos = ((u64)zram_wb_block(zram, index) << PAGE_SHIFT) +
		      zram_wb_offset(zram, index);
		len = zram_wb_bytes(zram, index);
	}
	zram_slot_unlock(zram, index);
	if (!wb)
		return SEQ_SKIP;
	seq_printf(m, "%lu %lu %u\n", index, pos, len);
	return 0;
}

static const struct seq_operations zram_wb_map_sops = {
	.start = zram_block_state_start,
	.next = zram_block_state_next,
	.stop = zram_block_state_stop,
	.show = zram_wb_map_show,
};
DEFINE_SEQ_ATTRIBUTE(zram_wb_map);

/*
 * How zram_par.c spread bios since set-up: "bios N" (bios cut into
 * parts), "parts N" (parts queued to other CPUs), "moved N" (of those,
 * run on another CPU than the one chosen: it went offline meanwhile),
 * "readahead N" (readahead bios read by another CPU's worker),
 * "wb_batches N" (uncompressed writeback batches decompressed and
 * started by a worker, the online CPUs in turn: zram_wb_push()),
 * "wb_fly_max N" (the most blocks one writeback or cleaning had in
 * flight at once: written and not yet settled).
 */
static int zram_parallel_show(struct seq_file *m, void *v)
{
	struct zram_stats *st = &((struct zram *)m->private)->stats;

	seq_printf(m, "bios %lld\nparts %lld\nmoved %lld\nwb_batches %lld\n",
		   (s64)atomic64_read(&st->par_bios),
		   (s64)atomic64_read(&st->par_parts),
		   (s64)atomic64_read(&st->par_moved),
		   (s64)atomic64_read(&st->wb_sent));
	seq_printf(m, "wb_fly_max %ld\nreadahead %lld\n",
		   atomic_long_read(&st->wb_fly_max),
		   (s64)atomic64_read(&st->ra_async));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zram_parallel);

/*
 * Reads of the backing device since set-up: "chained_reads N" (pages
 * read by a bio chained to the request that needed them, completed
 * without error), "inflight N" (such reads not completed yet) and
 * "discarded N" (freed blocks discarded on the backing device) and
 * "completion_unpacks N" (compressed objects of chained reads unpacked
 * where their read completed, not by a worker: raw, LZO or LZ4).  The
 * other reads waited (->rw_page, parts of pages, cleaning): bd_stat's
 * bd_reads counts all block reads.
 */
static int zram_backing_show(struct seq_file *m, void *v)
{
	struct zram_stats *st = &((struct zram *)m->private)->stats;

	seq_printf(m, "chained_reads %lld\ninflight %lld\ndiscarded %lld\ncompletion_unpacks %lld\n",
		   (s64)atomic64_read(&st->bd_async),
		   (s64)atomic64_read(&st->bd_inflight),
		   (s64)atomic64_read(&st->bd_discarded),
		   (s64)atomic64_read(&st->bd_unpack_here));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zram_backing);

/* debugfs failures are ignored: the directory is only for debugging. */
void zram_debugfs_add(struct zram *zram)
{
	if (IS_ERR_OR_NULL(zram_debugfs_root))
		return;
	zram->debugfs_dir = debugfs_create_dir(zram->disk->disk_name,
					       zram_debugfs_root);
	debugfs_create_file("block_state", 0400, zram->debugfs_dir, zram,
			    &zram_block_state_fops);
	debugfs_create_file("parallel", 0400, zram->debugfs_dir, zram,
			    &zram_parallel_fops);
	debugfs_create_file("backing", 0400, zram->debugfs_dir, zram,
			    &zram_backing_fops);
	debugfs_create_file("wb_map", 0400, zram->debugfs_dir, zram,
			    &zram_wb_map_fops);
}

/* Waits for readers of block_state to leave before returning. */
void zram_debugfs_remove(struct zram *zram)
{
	debugfs_remove_recursive(zram->debugfs_dir);
	zram->debugfs_dir = NULL;
}

void zram_debugfs_init(void)
{
	zram_debugfs_root = debugfs_create_dir("zram", NULL);
}

void zram_debugfs_exit(void)
{
	debugfs_remove_recursive(zram_debugfs_root);
	zram_debugfs_root = NULL;
}
