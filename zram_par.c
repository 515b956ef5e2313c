// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multi-page reads and writes spread over several CPUs.
 *
 * One CPU compresses a page at a time, so a 1 MiB write or read bio done
 * by its submitter alone runs at one CPU's codec speed while the others
 * idle.  A READ or WRITE bio of at least 2 * parallel_pages pages is cut
 * into up to min(online CPUs, ZRAM_PAR_MAX_PARTS) parts of whole device
 * pages, each at least parallel_pages long: the submitter queues one
 * work item per extra part on another online CPU's worker, does the
 * first part itself, and waits for the others.  Each part uses the
 * stream of the CPU it runs on (see "Parallel compression" in zcomp.h).
 * Smaller bios, single-page (swap) I/O and ->rw_page never leave the
 * submitter's CPU.
 *
 * Parts cover disjoint device pages, so no two of them touch the same
 * slot; the slot locks order them against other bios as before.  A CPU
 * may go offline between the choice and the run: the workqueue then
 * runs the item on another CPU (counted as "moved" in debugfs), which
 * is only slower.  The workqueue is WQ_MEM_RECLAIM: swap-out waits on
 * these items, so they must progress without new workers.
 *
 * Readahead off the reader's CPU
 * ------------------------------
 * A buffered reader starts the next readahead window (a REQ_RAHEAD bio
 * of up to read_ahead_kb) as it begins to copy out the current one.
 * Read in the reader's context, the window's decompression and the
 * reader's copying take turns on one CPU while the others may idle.  A
 * REQ_RAHEAD read of at least async_readahead pages is instead handed
 * whole to another online CPU's worker and the submitter returns at
 * once: the reader copies the pages it has while the next ones are
 * decompressed elsewhere, and waits (on the page lock) only for a page
 * not read yet.  Readahead is advisory and nobody waits on its bio but
 * through its pages, so only such reads go; a device has at most one
 * fewer in flight than there are online CPUs (zram->ra_fly), beyond
 * that they are read where they come.  Swap readahead is single pages
 * and stays.  A reader holds the device open until its readahead has
 * completed (the last close waits for the locked pages), so no reset
 * can meet one; zram_par_quiesce() waits for them all the same.
 *
 * Owns: the module's "zram_par" workqueue and the parallel_pages and
 * async_readahead module parameters.  Locks it takes: none of its own
 * (the parts take slot locks and streams like any single-page I/O).
 */
#include <linux/bio.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "zram_drv.h"

static unsigned int parallel_pages = ZRAM_PAR_DEFAULT_PAGES;
module_param(parallel_pages, uint, 0644);
MODULE_PARM_DESC(parallel_pages, "Smallest share, in pages, of a read or write bio handed to another CPU (default 32; 0: never split)");

static unsigned int async_readahead = ZRAM_RA_DEFAULT_PAGES;
module_param(async_readahead, uint, 0644);
MODULE_PARM_DESC(async_readahead, "Smallest readahead bio, in pages, read by another CPU while the reader goes on (default 16; 0: never)");

static struct workqueue_struct *zram_par_wq;

struct zram_par_part {
	struct work_struct work;
	struct zram *zram;
	struct bio *bio;
	struct bvec_iter iter;		/* this part's bytes of @bio */
	int cpu;			/* where it was queued */
	bool write;
	int ret;
};

/**
 * zram_par_parts() - into how many parts a bio is cut
 * @pages: pages in the bio
 * @cpus: online CPUs
 * @min_pages: smallest part (parallel_pages); 0 disables splitting
 *
 * Return: 1..ZRAM_PAR_MAX_PARTS, and never more than @cpus nor than
 * @pages / @min_pages.
 */
unsigned int zram_par_parts(unsigned int pages, unsigned int cpus,
			    unsigned int min_pages)
{
	if (!min_pages || pages < 2 * min_pages || cpus < 2)
		return 1;
	/* Every term is at least 2 here. */
	return min3(pages / min_pages, cpus, ZRAM_PAR_MAX_PARTS);
}

static void zram_par_work(struct work_struct *work)
{
	struct zram_par_part *part = container_of(work, struct zram_par_part,
						  work);

	if (raw_smp_processor_id() != part->cpu)
		atomic64_inc(&part->zram->stats.par_moved);
	part->ret = zram_bio_rw_iter(part->zram, part->bio, part->iter,
				     part->write);
}

/*
 * Read or write all of @bio, spread over CPUs when it is big enough.
 * Returns the first error of any part (every part runs to its own end
 * or first error).
 */
static int zram_par_rw(struct zram *zram, struct bio *bio, bool write)
{
	unsigned int pages = bio->bi_iter.bi_size >> PAGE_SHIFT;
	struct zram_par_part *parts;
	unsigned int n, i, done = 0;
	int cpu, ret;

	n = zram_par_parts(pages, num_online_cpus(),
			   READ_ONCE(parallel_pages));
	if (n == 1)
		return zram_bio_rw_iter(zram, bio, bio->bi_iter, write);
	parts = kmalloc_array(n, sizeof(*parts), GFP_NOIO | __GFP_NOWARN);
	if (!parts)
		return zram_bio_rw_iter(zram, bio, bio->bi_iter, write);

	cpu = raw_smp_processor_id();
	for (i = 0; i < n; i++) {
		struct zram_par_part *part = &parts[i];
		/* Whole pages: the bio starts and ends on a page boundary. */
		unsigned int end = (u64)pages * (i + 1) / n;

		part->zram = zram;
		part->bio = bio;
		part->write = write;
		part->iter = bio->bi_iter;
		bio_advance_iter(bio, &part->iter, done << PAGE_SHIFT);
		part->iter.bi_size = (end - done) << PAGE_SHIFT;
		done = end;
		if (!i)
			continue;
		cpu = zram_next_online_cpu(cpu);
		part->cpu = cpu;
		INIT_WORK(&part->work, zram_par_work);
		queue_work_on(cpu, zram_par_wq, &part->work);
	}
	atomic64_inc(&zram->stats.par_bios);
	atomic64_add(n - 1, &zram->stats.par_parts);

	ret = zram_bio_rw_iter(zram, bio, parts[0].iter, write);
	for (i = 1; i < n; i++) {
		flush_work(&parts[i].work);
		if (!ret)
			ret = parts[i].ret;
	}
	kfree(parts);
	return ret;
}

/*
 * The bio path's READ and WRITE: a failed bio counts once in
 * failed_reads or failed_writes, as with the kernel's zram, however
 * many of its parts failed.
 */
int zram_bio_rw(struct zram *zram, struct bio *bio, bool write)
{
	int ret = zram_par_rw(zram, bio, write);

	if (ret)
		zram_bio_fail(zram, bio, write);
	return ret;
}

/* A readahead bio on its way to another CPU (see the top). */
struct zram_par_ra {
	struct work_struct work;
	struct zram *zram;
	struct bio *bio;
	unsigned long start;		/* its I/O accounting */
};

/* One readahead bio fewer in flight; the last wakes zram_par_quiesce(). */
static void zram_par_ra_put(struct zram *zram)
{
	if (atomic_dec_and_test(&zram->ra_fly))
		wake_up_var(&zram->ra_fly);
}

static void zram_par_ra_work(struct work_struct *work)
{
	struct zram_par_ra *ra = container_of(work, struct zram_par_ra, work);
	struct zram *zram = ra->zram;
	struct bio *bio = ra->bio;

	if (zram_bio_rw_iter(zram, bio, bio->bi_iter, false))
		zram_bio_fail(zram, bio, false);
	bio_end_io_acct(bio, ra->start);
	kfree(ra);
	bio_endio(bio);
	zram_par_ra_put(zram);
}

/*
 * Hand read @bio, whose I/O accounting began at @start, to another CPU
 * if it is readahead worth it (see the top).  Returns true if it went:
 * the worker completes it.
 */
bool zram_par_readahead(struct zram *zram, struct bio *bio,
			unsigned long start)
{
	unsigned int min_pages = READ_ONCE(async_readahead);
	unsigned int cpus = num_online_cpus();
	struct zram_par_ra *ra;

	if (!(bio->bi_opf & REQ_RAHEAD) || !min_pages || cpus < 2 ||
	    bio->bi_iter.bi_size < min_pages << PAGE_SHIFT)
		return false;
	if (atomic_inc_return(&zram->ra_fly) >= cpus)
		goto busy;
	ra = kmalloc(sizeof(*ra), GFP_NOIO | __GFP_NORETRY | __GFP_NOWARN);
	if (!ra)
		goto busy;
	ra->zram = zram;
	ra->bio = bio;
	ra->start = start;
	INIT_WORK(&ra->work, zram_par_ra_work);
	atomic64_inc(&zram->stats.ra_async);
	queue_work_on(zram_next_online_cpu(raw_smp_processor_id()),
		      zram_par_wq, &ra->work);
	return true;
busy:
	zram_par_ra_put(zram);
	return false;
}

/* Wait until none of @zram's readahead bios is with a worker. */
void zram_par_quiesce(struct zram *zram)
{
	wait_var_event(&zram->ra_fly, !atomic_read(&zram->ra_fly));
}

int zram_par_init(void)
{
	zram_par_wq = alloc_workqueue("zram_par", WQ_HIGHPRI | WQ_MEM_RECLAIM,
				     0);
	return zram_par_wq ? 0 : -ENOMEM;
}

void zram_par_exit(void)
{
	destroy_workqueue(zram_par_wq);
}
