// SPDX-License-Identifier: GPL-2.0-only
/*
 * Automatic tiering: cold pages recompressed and written back by the
 * driver itself.
 *
 * Owns: the tiering policy (struct zram_tier in struct zram), the
 * "tiering" and "tiering_stat" attributes, the passes (one on request
 * with the "run" token, or one every "interval" seconds from a delayed
 * work on the module's workqueue) and a per-device shrinker that starts
 * the next pass at once under memory pressure.
 *
 * A pass, on an initialized device:
 *  1. with idle_age N > 0, marks idle the pages not accessed for more
 *     than N whole seconds of boot time (at least N seconds), with the
 *     code of "echo N > idle" (zram_mark_idle()).  With idle_age 0 it
 *     marks nothing: the marks stand as "idle" writes and earlier
 *     passes left them, so an idle page is one not accessed since it
 *     was last marked;
 *  2. recompresses the pages "recompress" selects, with the secondary
 *     algorithms in priority order (zram_recompress_step());
 *  3. if the pool (mem_used_total, pages) is above the high watermark,
 *     writes back the pages "writeback" selects (zram_writeback_step(),
 *     batched and within writeback_limit as "writeback" is) and
 *     compacts the pool after each step, until the pool is at or below
 *     the low watermark or the selected pages, the writeback budget or
 *     the backing device run out.  Not above high: the pass counts as
 *     skipped.
 * Steps 2 and 3 move ZRAM_TIER_STEP pages at a time, and together try
 * at most max_pages pages.  The watermarks are percentages of mem_limit,
 * or of the machine's RAM (totalram_pages()) when mem_limit is 0.
 *
 * Locks:
 *  - tier.lock (spinlock) guards tier.pol and tier.stop; the work is
 *    queued only under it, and only while tier.stop is false.  Nothing
 *    under it sleeps or allocates (the shrinker takes it);
 *  - tier.pass_lock (mutex): one pass at a time.  A pass holds
 *    init_lock for reading throughout, then pass_lock, and move_lock
 *    only for one step: a "writeback" or "recompress" written during a
 *    pass waits for the step in progress at most, then runs between two
 *    steps; a "run" waits for the pass in progress to end, then runs its
 *    own;
 *  - reset calls zram_tier_stop() before it takes init_lock for
 *    writing: tier.stop ends a pass at its next step and blocks
 *    queueing, and the work is cancelled (waited for); under init_lock
 *    for writing, zram_tier_reset() clears the policy and tier.stop
 *    (reset clears the counters with the other statistics).  Removal
 *    and module unload reset the device, then zram_tier_destroy()
 *    frees the shrinker, the last thing that could queue the work;
 *  - the shrinker never sleeps: it looks at the pool only if it gets
 *    init_lock with a trylock, and it only queues the work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zram_drv.h"
#include "zsmalloc.h"

/*
 * A step tries at most ZRAM_TIER_STEP pages and looks at most at
 * ZRAM_TIER_SCAN slots (64 MiB of the device): the longest a pass holds
 * move_lock, and the longest a reset waits for it.
 */
#define ZRAM_TIER_STEP		256U
#define ZRAM_TIER_SCAN		16384U
#define ZRAM_TIER_PCT_MAX	100U
/* A week: timers of any HZ fire on time that far ahead. */
#define ZRAM_TIER_INTERVAL_MAX	604800U

static struct workqueue_struct *zram_tier_wq;

static const struct zram_tier_policy zram_tier_defaults = {
	.recompress = ZRAM_TIER_NONE,
	.writeback = ZRAM_TIER_NONE,
	.high = 80,
	.low = 60,
};

/* ---- watermarks ---- */

/*
 * The policy's watermarks, in pool pages: percentages of mem_limit, or
 * of the machine's RAM when there is none.
 */
static void zram_tier_marks(struct zram *zram,
			    const struct zram_tier_policy *pol,
			    unsigned long *high, unsigned long *low)
{
	unsigned long total = READ_ONCE(zram->limit_pages) ?: totalram_pages();

	*high = mult_frac(total, pol->high, ZRAM_TIER_PCT_MAX);
	*low = mult_frac(total, pol->low, ZRAM_TIER_PCT_MAX);
}

/* ---- the work ---- */

/*
 * Queue the pass to run in @delay jiffies, unless a reset stops passes:
 * @now moves a pending pass up (or back) to then, else a pending one
 * stays as it is.  tier.lock held.
 */
static void zram_tier_queue(struct zram_tier *tier, unsigned long delay,
			    bool now)
{
	lockdep_assert_held(&tier->lock);
	if (tier->stop)
		return;
	if (now)
		mod_delayed_work(zram_tier_wq, &tier->work, delay);
	else
		queue_delayed_work(zram_tier_wq, &tier->work, delay);
}

static bool zram_tier_stopping(struct zram_tier *tier)
{
	return READ_ONCE(tier->stop);
}

/* Step 2 of a pass; *@left pages may still be tried. */
static int zram_tier_recompress(struct zram *zram,
				const struct zram_tier_policy *pol, u64 *left)
{
	struct zram_move_step st = { .scan = ZRAM_TIER_SCAN };
	u64 kept = 0;
	int ret = 0, err = 0;

	if (pol->recompress == ZRAM_TIER_NONE)
		return 0;
	while (st.pos < zram_nr_pages(zram) && *left &&
	       !zram_tier_stopping(&zram->tier)) {
		st.max = min_t(u64, *left, ZRAM_TIER_STEP);
		st.tried = 0;
		st.done = 0;
		ret = zram_recompress_step(zram, pol->recompress, &st);
		atomic64_add(st.tried, &zram->stats.tier_recomp);
		atomic64_add(st.done, &zram->stats.tier_recomp_kept);
		*left -= st.tried;
		kept += st.done;
		/* A page that failed stays as it was; the others go on. */
		if (ret == -EIO)
			err = ret;
		else if (ret)
			break;
	}
	/* The old objects are freed: give their zspages back. */
	if (kept)
		zsm_compact(zram->pool);
	/* -EINVAL: no recompression algorithm (the step does nothing). */
	if (ret == -EINVAL)
		ret = 0;
	return ret && ret != -EIO ? ret : err;
}

/* Step 3 of a pass; *@left pages may still be tried. */
static int zram_tier_writeback(struct zram *zram,
			       const struct zram_tier_policy *pol, u64 *left)
{
	struct zram_move_step st = { .scan = ZRAM_TIER_SCAN };
	unsigned long high, low, used;
	int ret = 0, err = 0;

	/* backing_dev may have been dropped since the policy was set. */
	if (pol->writeback == ZRAM_TIER_NONE || !zram->bd.dev.bdev)
		return 0;
	zram_tier_marks(zram, pol, &high, &low);
	used = zsm_get_total_pages(zram->pool);
	if (used <= high) {
		atomic64_inc(&zram->stats.tier_skipped);
		return 0;
	}
	while (st.pos < zram_nr_pages(zram) && *left && used > low &&
	       !zram_tier_stopping(&zram->tier)) {
		/*
		 * A page written back frees at most a page's worth of
		 * objects: fewer than used - low pages cannot bring the
		 * pool to low on their own, so a step tries no more than
		 * that, and the pass does not write back much beyond low
		 * (exactly down to low when every page is stored raw).
		 */
		st.max = min3(*left, (u64)ZRAM_TIER_STEP, (u64)(used - low));
		st.tried = 0;
		st.done = 0;
		ret = zram_writeback_step(zram, pol->writeback, &st);
		atomic64_add(st.done, &zram->stats.tier_written);
		*left -= st.tried;
		/*
		 * Writing back frees objects, not pages: compact, so the
		 * pool's real size decides whether to go on.
		 */
		zsm_compact(zram->pool);
		used = zsm_get_total_pages(zram->pool);
		if (ret == -EIO)
			err = ret;
		else if (ret)
			break;
	}
	/* A full backing device or a used-up budget ends it: no error. */
	if (ret == -ENOSPC || ret == -EDQUOT || ret == -EIO)
		ret = 0;
	return ret ?: err;
}

/*
 * One pass (see the top of this file).  Returns 0, -EINTR (a fatal
 * signal), -ENOMEM, or -EIO (a page failed to recompress or to write,
 * the others were tried).  init_lock held for reading on an
 * initialized device.
 */
static int zram_tier_pass(struct zram *zram)
{
	struct zram_tier *tier = &zram->tier;
	struct zram_tier_policy pol;
	u64 left, written = 0;
	int ret, err;

	if (mutex_lock_killable(&tier->pass_lock))
		return -EINTR;
	if (zram_tier_stopping(tier)) {
		mutex_unlock(&tier->pass_lock);
		return 0;
	}
	spin_lock(&tier->lock);
	pol = tier->pol;
	spin_unlock(&tier->lock);
	atomic64_inc(&zram->stats.tier_passes);
	left = pol.max_pages ?: U64_MAX;

	if (pol.idle_age)
		atomic64_add(zram_mark_idle(zram, pol.idle_age),
			     &zram->stats.tier_marked);
	/*
	 * Recompression that failed (a page, or memory for a new object:
	 * likely when the pool is above high) does not hold up writeback,
	 * which frees memory; only a fatal signal ends the pass.
	 */
	err = zram_tier_recompress(zram, &pol, &left);
	if (err == -EINTR) {
		ret = err;
	} else {
		written = atomic64_read(&zram->stats.tier_written);
		ret = zram_tier_writeback(zram, &pol, &left);
		ret = ret ?: err;
		written = atomic64_read(&zram->stats.tier_written) - written;
	}
	/*
	 * A pass that wrote nothing back (the pool not above high, nothing
	 * selected, the backing device full or the budget used up) keeps
	 * the shrinker from starting the next one before interval.
	 */
	spin_lock(&tier->lock);
	tier->quiet = !written;
	tier->last = jiffies;
	spin_unlock(&tier->lock);
	mutex_unlock(&tier->pass_lock);
	return ret;
}

static void zram_tier_work(struct work_struct *work)
{
	struct zram_tier *tier = container_of(to_delayed_work(work),
					      struct zram_tier, work);
	struct zram *zram = container_of(tier, struct zram, tier);
	int ret = 0;

	/* Before disksize, a pass has nothing to do: wait for the next. */
	down_read(&zram->init_lock);
	if (zram->init_done)
		ret = zram_tier_pass(zram);
	up_read(&zram->init_lock);
	if (ret && ret != -EIO)
		pr_warn_ratelimited("zram%d: tiering pass failed: %d\n",
				    zram->id, ret);

	spin_lock(&tier->lock);
	if (tier->pol.interval)
		zram_tier_queue(tier, (unsigned long)tier->pol.interval * HZ,
				false);
	spin_unlock(&tier->lock);
}

/* ---- shrinker ---- */

/*
 * With a running policy (interval set) that writes back and a pool above
 * the high watermark: the pool pages above the low one, what a pass
 * would write back.  Else 0, and the shrinker is not called to scan.
 */
static unsigned long zram_tier_count(struct shrinker *shrinker,
				     struct shrink_control *sc)
{
	struct zram *zram = zram_compat_shrinker_private(shrinker);
	struct zram_tier_policy pol;
	unsigned long used = 0, high, low;

	spin_lock(&zram->tier.lock);
	pol = zram->tier.pol;
	spin_unlock(&zram->tier.lock);
	if (!pol.interval || pol.writeback == ZRAM_TIER_NONE)
		return 0;
	/* Reclaim may run under a set-up or reset: never wait for it. */
	if (!down_read_trylock(&zram->init_lock))
		return 0;
	if (zram->init_done)
		used = zsm_get_total_pages(zram->pool);
	up_read(&zram->init_lock);
	zram_tier_marks(zram, &pol, &high, &low);
	return used > high ? used - low : 0;
}

/* Memory is short: the next pass starts now.  Frees nothing itself. */
static unsigned long zram_tier_scan(struct shrinker *shrinker,
				    struct shrink_control *sc)
{
	struct zram *zram = zram_compat_shrinker_private(shrinker);
	struct zram_tier *tier = &zram->tier;

	unsigned long quiet_end;

	spin_lock(&tier->lock);
	quiet_end = tier->last + (unsigned long)tier->pol.interval * HZ;
	if (tier->pol.interval && tier->pol.writeback != ZRAM_TIER_NONE &&
	    !(tier->quiet && time_before(jiffies, quiet_end)))
		zram_tier_queue(tier, 0, true);
	spin_unlock(&tier->lock);
	return SHRINK_STOP;
}

/* ---- life cycle ---- */

/* A new device's policy (the defaults: off), work and shrinker. */
int zram_tier_init(struct zram *zram)
{
	struct zram_tier *tier = &zram->tier;
	char name[24];

	spin_lock_init(&tier->lock);
	mutex_init(&tier->pass_lock);
	INIT_DELAYED_WORK(&tier->work, zram_tier_work);
	tier->pol = zram_tier_defaults;
	snprintf(name, sizeof(name), "zram%d-tier", zram->id);
	/* Batch 1: a kick costs nothing, so none is deferred. */
	tier->shrinker = zram_compat_shrinker_create(name, zram_tier_count,
						     zram_tier_scan, 1, zram);
	return tier->shrinker ? 0 : -ENOMEM;
}

/*
 * Reset, first step (no lock held): a pass in progress ends at its
 * next step, the work is cancelled and waited for, and nothing queues
 * it again until zram_tier_reset().
 */
void zram_tier_stop(struct zram *zram)
{
	struct zram_tier *tier = &zram->tier;

	spin_lock(&tier->lock);
	tier->stop = true;
	spin_unlock(&tier->lock);
	cancel_delayed_work_sync(&tier->work);
}

/*
 * Reset, second step (init_lock held for writing, so no pass runs):
 * the policy goes back to the defaults (off), passes may run again.
 */
void zram_tier_reset(struct zram *zram)
{
	struct zram_tier *tier = &zram->tier;

	spin_lock(&tier->lock);
	tier->pol = zram_tier_defaults;
	tier->stop = false;
	spin_unlock(&tier->lock);
}

/*
 * Device removal, after the reset (the policy is off, no sysfs write
 * can come): the shrinker goes, and with it the last way to queue the
 * work.
 */
void zram_tier_destroy(struct zram *zram)
{
	if (zram->tier.shrinker)
		zram_compat_shrinker_destroy(zram->tier.shrinker);
	zram->tier.shrinker = NULL;
	zram_tier_stop(zram);
}

/*
 * One workqueue for every device's passes.  WQ_MEM_RECLAIM: a pass
 * frees memory by writing back, so it must run under memory pressure.
 */
int zram_tier_module_init(void)
{
	zram_tier_wq = alloc_workqueue("zram_tier",
				       WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	return zram_tier_wq ? 0 : -ENOMEM;
}

void zram_tier_module_exit(void)
{
	destroy_workqueue(zram_tier_wq);
}

/* ---- sysfs ---- */

static const char *zram_tier_mode_name(int mode)
{
	return mode == ZRAM_TIER_NONE ? "none" : zram_wb_mode_names[mode];
}

/* "none" or a writeback mode name. */
static int zram_tier_parse_mode(const char *val, int *mode)
{
	int i;

	if (!strcmp(val, "none")) {
		*mode = ZRAM_TIER_NONE;
		return 0;
	}
	i = match_string(zram_wb_mode_names, ARRAY_SIZE(zram_wb_mode_names),
			 val);
	if (i < 0)
		return -EINVAL;
	*mode = i;
	return 0;
}

/* Parsing state of "tiering": the policy the write leads to. */
struct zram_tier_parse {
	struct zram_tier_policy pol;
	bool run;
};

static int zram_tier_parse_interval(char *val, void *ctx)
{
	struct zram_tier_parse *p = ctx;

	if (kstrtouint(val, 10, &p->pol.interval) ||
	    p->pol.interval > ZRAM_TIER_INTERVAL_MAX)
		return -EINVAL;
	return 0;
}

static int zram_tier_parse_idle_age(char *val, void *ctx)
{
	struct zram_tier_parse *p = ctx;

	return kstrtou32(val, 10, &p->pol.idle_age) ? -EINVAL : 0;
}

/* Recompression takes none, idle, huge and huge_idle. */
static int zram_tier_parse_recompress(char *val, void *ctx)
{
	struct zram_tier_parse *p = ctx;

	if (zram_tier_parse_mode(val, &p->pol.recompress) ||
	    p->pol.recompress == ZRAM_WB_INCOMPRESSIBLE)
		return -EINVAL;
	return 0;
}

static int zram_tier_parse_writeback(char *val, void *ctx)
{
	struct zram_tier_parse *p = ctx;

	return zram_tier_parse_mode(val, &p->pol.writeback);
}

static int zram_tier_parse_pct(char *val, unsigned int *pct)
{
	if (kstrtouint(val, 10, pct) || *pct > ZRAM_TIER_PCT_MAX)
		return -EINVAL;
	return 0;
}

static int zram_tier_parse_high(char *val, void *ctx)
{
	return zram_tier_parse_pct(val, &((struct zram_tier_parse *)ctx)->pol.high);
}

static int zram_tier_parse_low(char *val, void *ctx)
{
	return zram_tier_parse_pct(val, &((struct zram_tier_parse *)ctx)->pol.low);
}

static int zram_tier_parse_max_pages(char *val, void *ctx)
{
	struct zram_tier_parse *p = ctx;

	return kstrtou64(val, 10, &p->pol.max_pages) ? -EINVAL : 0;
}

static int zram_tier_parse_run(char *val, void *ctx)
{
	((struct zram_tier_parse *)ctx)->run = true;
	return 0;
}

static const struct zram_kv_key zram_tier_keys[] = {
	{ "interval", zram_tier_parse_interval },
	{ "idle_age", zram_tier_parse_idle_age },
	{ "recompress", zram_tier_parse_recompress },
	{ "writeback", zram_tier_parse_writeback },
	{ "high", zram_tier_parse_high },
	{ "low", zram_tier_parse_low },
	{ "max_pages", zram_tier_parse_max_pages },
	{ "run", zram_tier_parse_run, true },
	{ }
};

/*
 * Parse @args (a writable copy of a write to "tiering") over p->pol, the
 * policy in force, and check the policy it leads to against the device:
 * -EINVAL for no token, a bad token, low >= high, a recompression mode
 * without a recompression algorithm, or "run" before disksize; -ENODEV
 * for a writeback mode without a backing device.  init_lock held.
 */
static int zram_tier_parse(struct zram *zram, char *args,
			   struct zram_tier_parse *p)
{
	int ret;

	if (!*skip_spaces(args))
		return -EINVAL;
	ret = zram_parse_kv(args, zram_tier_keys, p);
	if (ret)
		return ret;
	if (p->pol.low >= p->pol.high)
		return -EINVAL;
	if (p->pol.recompress != ZRAM_TIER_NONE && !zram_have_recomp_alg(zram))
		return -EINVAL;
	if (p->run && !zram->init_done)
		return -EINVAL;
	if (p->pol.writeback != ZRAM_TIER_NONE && !zram->bd.dev.bdev)
		return -ENODEV;
	return 0;
}

static ssize_t tiering_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram_tier *tier = &dev_to_zram(dev)->tier;
	struct zram_tier_policy pol;
	ssize_t at;

	spin_lock(&tier->lock);
	pol = tier->pol;
	spin_unlock(&tier->lock);
	at = sysfs_emit(buf, "interval=%u idle_age=%u recompress=%s writeback=%s",
			pol.interval, pol.idle_age,
			zram_tier_mode_name(pol.recompress),
			zram_tier_mode_name(pol.writeback));
	return at + sysfs_emit_at(buf, at, " high=%u low=%u max_pages=%llu\n",
				  pol.high, pol.low, pol.max_pages);
}

/*
 * Keys given change the policy, the others stay; all or nothing: the
 * write is parsed and checked, and the policy replaced, under tier.lock
 * (nothing there sleeps), so a refused write changes nothing and two
 * writes do not mix.  A new interval re-arms the work from now (0
 * cancels it).  With "run", one pass then runs in the writer's context
 * and its result is the write's.
 */
static ssize_t tiering_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_tier *tier = &zram->tier;
	struct zram_tier_parse p = { };
	unsigned int old_interval;
	char *args;
	int ret;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	down_read(&zram->init_lock);
	spin_lock(&tier->lock);
	old_interval = tier->pol.interval;
	p.pol = tier->pol;
	ret = zram_tier_parse(zram, args, &p);
	if (!ret) {
		tier->pol = p.pol;
		if (!p.pol.interval)
			cancel_delayed_work(&tier->work);
		else if (p.pol.interval != old_interval)
			zram_tier_queue(tier,
					(unsigned long)p.pol.interval * HZ,
					true);
	}
	spin_unlock(&tier->lock);
	if (!ret && p.run)
		ret = zram_tier_pass(zram);
	up_read(&zram->init_lock);
	kfree(args);
	return ret ?: len;
}

static ssize_t tiering_stat_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->tier_passes),
			  (u64)atomic64_read(&st->tier_marked),
			  (u64)atomic64_read(&st->tier_recomp),
			  (u64)atomic64_read(&st->tier_recomp_kept),
			  (u64)atomic64_read(&st->tier_written),
			  (u64)atomic64_read(&st->tier_skipped));
}

ZRAM_ATTR_RW(tiering);
static DEVICE_ATTR_RO(tiering_stat);

static struct attribute *zram_tier_attrs[] = {
	&dev_attr_tiering.attr,
	&dev_attr_tiering_stat.attr,
	NULL,
};

const struct attribute_group zram_tier_attr_group = {
	.attrs = zram_tier_attrs,
};
