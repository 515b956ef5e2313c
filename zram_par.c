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
 * Owns: the module's "zram_par" workqueue and the parallel_pages module
 * parameter.  Locks it takes: none of its own (the parts take slot
 * locks and streams like any single-page I/O).
 */
#include <linux/bio.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "zram_drv.h"

static unsigned int parallel_pages = ZRAM_PAR_DEFAULT_PAGES;
module_param(parallel_pages, uint, 0644);
MODULE_PARM_DESC(parallel_pages, "Smallest share, in pages, of a read or write bio handed to another CPU (default 32; 0: never split)");

static struct workqueue_struct *zram_par_wq;

struct zram_par_part {
	struct work_struct work;
	struct zram *zram;
	zram_par_fn fn;
	void *ctx;
	unsigned int lo, hi;		/* this part's units */
	int cpu;			/* where it was queued */
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
	part->ret = part->fn(part->ctx, part->lo, part->hi);
}

/**
 * zram_par_run() - run @fn over units [0, @nr), spread over CPUs
 * @zram: whose par_moved counts parts that ran elsewhere
 * @nr: units of work
 * @min: smallest part in units (0: never split)
 * @fn: called as fn(@ctx, lo, hi) once per part; the parts are disjoint
 *	and cover [0, @nr) in order
 * @ctx: passed to @fn
 * @ret: the first error of any part (each runs to its own end or error)
 *
 * The caller runs the first part; the others are queued on other online
 * CPUs' workers and waited for.  @fn runs in process context and may
 * take a CPU's stream, not sleep on the caller's locks.
 *
 * Return: the number of parts (1: @fn ran once, here).
 */
unsigned int zram_par_run(struct zram *zram, unsigned int nr,
			  unsigned int min, zram_par_fn fn, void *ctx,
			  int *ret)
{
	struct zram_par_part *parts;
	unsigned int n, i, done = 0;
	int cpu;

	n = zram_par_parts(nr, num_online_cpus(), min);
	parts = n > 1 ? kmalloc_array(n, sizeof(*parts),
				      GFP_NOIO | __GFP_NOWARN) : NULL;
	if (!parts) {
		*ret = fn(ctx, 0, nr);
		return 1;
	}
	cpu = raw_smp_processor_id();
	for (i = 0; i < n; i++) {
		struct zram_par_part *part = &parts[i];

		part->zram = zram;
		part->fn = fn;
		part->ctx = ctx;
		part->lo = done;
		part->hi = (u64)nr * (i + 1) / n;
		done = part->hi;
		if (!i)
			continue;
		/* A hint: the CPU may be gone by the time the item runs. */
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		part->cpu = cpu;
		INIT_WORK(&part->work, zram_par_work);
		queue_work_on(cpu, zram_par_wq, &part->work);
	}
	*ret = fn(ctx, parts[0].lo, parts[0].hi);
	for (i = 1; i < n; i++) {
		flush_work(&parts[i].work);
		if (!*ret)
			*ret = parts[i].ret;
	}
	kfree(parts);
	return n;
}

struct zram_par_bio {
	struct zram *zram;
	struct bio *bio;
	bool write;
};

/* Pages [@lo, @hi) of the bio (it starts and ends on a page boundary). */
static int zram_par_bio_part(void *ctx, unsigned int lo, unsigned int hi)
{
	struct zram_par_bio *pb = ctx;
	struct bvec_iter iter = pb->bio->bi_iter;

	bio_advance_iter(pb->bio, &iter, (u64)lo << PAGE_SHIFT);
	iter.bi_size = (hi - lo) << PAGE_SHIFT;
	return zram_bio_rw_iter(pb->zram, pb->bio, iter, pb->write);
}

/* Read or write all of @bio, spread over CPUs when it is big enough. */
static int zram_par_rw(struct zram *zram, struct bio *bio, bool write)
{
	struct zram_par_bio pb = { .zram = zram, .bio = bio, .write = write };
	unsigned int n;
	int ret;

	n = zram_par_run(zram, bio->bi_iter.bi_size >> PAGE_SHIFT,
			 READ_ONCE(parallel_pages), zram_par_bio_part, &pb,
			 &ret);
	if (n > 1) {
		atomic64_inc(&zram->stats.par_bios);
		atomic64_add(n - 1, &zram->stats.par_parts);
	}
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
