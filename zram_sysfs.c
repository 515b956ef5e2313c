// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs: the core attributes under /sys/block/zramN/, and the parsers
 * every attribute's input goes through.
 *
 * Owns: disksize, initstate, reset, comp_algorithm, max_comp_streams,
 * mem_limit, mem_used_max, compact, mm_stat, io_stat, debug_stat, idle
 * (and idle marking, which zram_tier.c's passes use too); the size
 * parser (disksize, mem_limit) and the key=value tokenizer (writeback,
 * recompress, recomp_algorithm, algorithm_params, tiering).  zram_wb.c,
 * zram_recomp.c and zram_tier.c own their attributes.
 *
 * Locks it takes: zram->init_lock (for writing to set up or change the
 * set-up state, for reading to look at the pool), slot locks (idle).
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zram_slot.h"
#include "zsmalloc.h"

/* ---- input parsing ---- */

/* True if @s holds nothing but white space (a trailing newline, say). */
static bool only_space(const char *s, size_t len)
{
	while (len && isspace(*s)) {
		s++;
		len--;
	}
	return !len;
}

/*
 * Parse "<number>[KMGTPE]" into bytes, with the kernel's memparse()
 * reading of the number: decimal, 0x-prefixed hexadecimal or 0-prefixed
 * octal; an optional case-insensitive binary suffix, optional trailing
 * white space.  -EINVAL for anything else (memparse() would ignore
 * trailing garbage) or on overflow.
 */
int zram_parse_size(const char *buf, size_t len, u64 *out)
{
	static const char suffixes[] = "kmgtpe";
	unsigned int shift = 0, base = 10;
	char digits[24];
	const char *p;
	size_t n = 0, skip = 0;
	u64 val;

	if (len > 2 && buf[0] == '0' && tolower(buf[1]) == 'x') {
		base = 16;
		skip = 2;
	} else if (len > 1 && buf[0] == '0' && isdigit(buf[1])) {
		base = 8;
		skip = 1;
	}
	n = skip;
	while (n < len && (base == 16 ? isxdigit(buf[n]) : isdigit(buf[n])))
		n++;
	if (n == skip || n - skip >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, buf + skip, n - skip);
	digits[n - skip] = '\0';
	if (kstrtou64(digits, base, &val))
		return -EINVAL;

	if (n < len && buf[n]) {
		p = strchr(suffixes, tolower(buf[n]));
		if (p && *p) {
			shift = 10 * (p - suffixes + 1);
			n++;
		}
	}
	if (!only_space(buf + n, len - n))
		return -EINVAL;
	if (shift && val > (U64_MAX >> shift))
		return -EINVAL;
	*out = val << shift;
	return 0;
}

/* Copy an algorithm name, minus the trailing newline, into @name. */
static int zram_parse_name(const char *buf, size_t len, char *name,
			   size_t size)
{
	while (len && isspace(buf[len - 1]))
		len--;
	if (!len || len >= size)
		return -EINVAL;
	memcpy(name, buf, len);
	name[len] = '\0';
	return 0;
}

/*
 * Parse a write to "idle", as the kernel's zram does: "all", or a number
 * of seconds (decimal, 0x hexadecimal or 0 octal, one trailing newline)
 * marks the pages not accessed for more than that long.  "all" and 0
 * both give *age 0: every stored page.  Anything else is -EINVAL.
 */
static int zram_parse_idle(const char *buf, u64 *age)
{
	u64 val;

	if (sysfs_streq(buf, "all")) {
		*age = 0;
		return 0;
	}
	if (kstrtou64(buf, 0, &val))
		return -EINVAL;
	*age = val;
	return 0;
}

/*
 * Split the next white-space separated "key=value" token off *@pos (a
 * writable string) and terminate both parts.  Returns 1 with *@key and
 * *@val set (*@val NULL for a bare token, one without '='), 0 at the
 * end of the string, -EINVAL for a token with an empty key or value.
 */
static int zram_next_kv(char **pos, char **key, char **val)
{
	char *tok = skip_spaces(*pos), *end, *eq;

	if (!*tok)
		return 0;
	end = tok;
	while (*end && !isspace(*end))
		end++;
	*pos = *end ? end + 1 : end;
	*end = '\0';
	*key = tok;
	*val = NULL;
	eq = strchr(tok, '=');
	if (!eq)
		return 1;
	if (eq == tok || !eq[1])
		return -EINVAL;
	*eq = '\0';
	*val = eq + 1;
	return 1;
}

/*
 * The one parser of key=value attributes (writeback, recompress,
 * recomp_algorithm, algorithm_params, tiering): every white-space
 * separated token of @args (a writable string) must be "key=value" with
 * a key of the NULL-terminated table @keys, or the bare name of a key
 * flagged ->bare, whose ->parse() checks the value (NULL for a bare
 * key) and records it in @ctx.  Returns 0, or -EINVAL for a malformed
 * token, an unknown key, a bare key with a value or a key without one,
 * or the first error of a ->parse().
 */
int zram_parse_kv(char *args, const struct zram_kv_key *keys, void *ctx)
{
	const struct zram_kv_key *k;
	char *key, *val;
	int ret;

	while ((ret = zram_next_kv(&args, &key, &val)) > 0) {
		for (k = keys; k->name && strcmp(k->name, key); k++)
			;
		if (!k->name || k->bare != !val)
			return -EINVAL;
		ret = k->parse(val, ctx);
		if (ret)
			return ret;
	}
	return ret;
}

/*
 * The store side of a command attribute (writeback, recompress): @cmd
 * runs on a writable copy of the input, with init_lock held for reading
 * on an initialized device (-EINVAL otherwise), and its result is the
 * write's.
 */
ssize_t zram_cmd_store(struct device *dev, const char *buf, size_t len,
		       int (*cmd)(struct zram *zram, char *args))
{
	struct zram *zram = dev_to_zram(dev);
	char *args;
	int ret;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	down_read(&zram->init_lock);
	ret = zram->init_done ? cmd(zram, args) : -EINVAL;
	up_read(&zram->init_lock);
	kfree(args);
	return ret ?: len;
}

/* ---- idle tracking ---- */

struct zram_idle_walk {
	u32 now;
	u64 age;
	unsigned long marked;	/* pages not marked before */
};

static int zram_mark_idle_one(struct zram *zram, u32 index, void *data)
{
	struct zram_idle_walk *w = data;

	zram_slot_lock(zram, index);
	/* A written-back page is out of memory already. */
	if (zram_slot_allocated(zram, index) &&
	    !zram_test_flag(zram, index, ZRAM_WB) &&
	    !zram_test_flag(zram, index, ZRAM_IDLE) &&
	    (!w->age || (u32)(w->now - zram_get_actime(zram, index)) > w->age)) {
		zram_set_flag(zram, index, ZRAM_IDLE);
		w->marked++;
	}
	zram_slot_unlock(zram, index);
	return 0;
}

/*
 * Mark stored pages idle: all of them for @age 0, else those whose last
 * access lies more than @age whole seconds back (boot-time seconds, so
 * a page accessed less than @age seconds ago is never marked).  Any
 * later access clears the mark.  Returns how many pages it marked that
 * were not marked already.  Called with init_lock held for reading on
 * an initialized device.
 */
unsigned long zram_mark_idle(struct zram *zram, u64 age)
{
	struct zram_idle_walk w = { .now = zram_now(), .age = age };

	zram_walk_slots(zram, 0, zram_nr_pages(zram) - 1, 0,
			zram_mark_idle_one, &w);
	return w.marked;
}

/* ---- attributes ---- */

static ssize_t disksize_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	u64 val;

	down_read(&zram->init_lock);
	val = zram->disksize;
	up_read(&zram->init_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t disksize_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 disksize;
	int ret;

	down_write(&zram->init_lock);
	/* An initialized device says so whatever was written. */
	if (zram->init_done) {
		ret = -EBUSY;
		goto out;
	}
	ret = zram_parse_size(buf, len, &disksize);
	if (ret)
		goto out;
	/* Page indices are 32-bit; 0 is no size. */
	if (!disksize || disksize > ((u64)U32_MAX << PAGE_SHIFT)) {
		ret = -EINVAL;
		goto out;
	}
	disksize = PAGE_ALIGN(disksize);
	ret = zram_setup(zram, disksize);
	if (ret)
		goto out;
	zram->init_done = true;
	set_capacity_and_notify(zram->disk, disksize >> SECTOR_SHIFT);
out:
	up_write(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t initstate_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	bool val;

	down_read(&zram->init_lock);
	val = zram->init_done;
	up_read(&zram->init_lock);
	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u16 val;
	int ret;

	/* As the kernel's zram: a 16-bit decimal number, not 0. */
	ret = kstrtou16(buf, 10, &val);
	if (ret)
		return ret;
	if (!val)
		return -EINVAL;
	ret = zram_claim(zram);
	if (ret)
		return ret;
	zram_reset_device(zram);
	zram_unclaim(zram);
	return len;
}

static ssize_t comp_algorithm_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	ssize_t ret;

	down_read(&zram->init_lock);
	ret = zcomp_available_show(zram->comp_algs[ZRAM_PRIMARY_COMP], buf, 0);
	up_read(&zram->init_lock);
	return ret;
}

static ssize_t comp_algorithm_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char name[ZRAM_MAX_ALG_NAME];
	int ret;

	ret = zram_parse_name(buf, len, name, sizeof(name));
	if (ret)
		return ret;
	if (!zcomp_available_algorithm(name))
		return -EINVAL;

	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else
		zram_set_alg(zram, ZRAM_PRIMARY_COMP, name);
	up_write(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t max_comp_streams_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", num_online_cpus());
}

/*
 * Streams are per CPU and not tunable; the attribute is kept for tools
 * that write it (zramctl --streams).  As with the kernel's zram (6.1 and
 * 6.12), any write is accepted and ignored.
 */
static ssize_t max_comp_streams_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	return len;
}

static ssize_t mem_limit_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 limit;
	int ret;

	ret = zram_parse_size(buf, len, &limit);
	if (ret)
		return ret;

	/*
	 * No lock: the write path reads it once per page (READ_ONCE), and
	 * a write here must not wait behind a writeback or recompression
	 * holding init_lock (nor make every reader of disksize or mm_stat
	 * queue behind it).
	 */
	WRITE_ONCE(zram->limit_pages, (limit >> PAGE_SHIFT) +
		   !!(limit & ~PAGE_MASK));
	return len;
}

static ssize_t mem_used_max_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned long val;

	if (kstrtoul(buf, 10, &val) || val)
		return -EINVAL;

	down_read(&zram->init_lock);
	if (zram->init_done)
		atomic_long_set(&zram->stats.max_used_pages,
				zsm_get_total_pages(zram->pool));
	up_read(&zram->init_lock);
	return len;
}

static ssize_t compact_store(struct device *dev,
			     struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	int ret = 0;

	down_read(&zram->init_lock);
	if (zram->init_done) {
		zsm_compact(zram->pool);
		/*
		 * Packed blocks on the backing device too (zram_wb.c).  Like
		 * the pool's compaction, it reports nothing here: bd_stat
		 * says what it did.
		 */
		zram_bd_clean(zram);
	} else {
		ret = -EINVAL;
	}
	up_read(&zram->init_lock);
	return ret ? ret : len;
}

static ssize_t mm_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_stats *st = &zram->stats;
	unsigned long used = 0, compacted = 0;
	ssize_t ret;

	down_read(&zram->init_lock);
	if (zram->init_done) {
		used = zsm_get_total_pages(zram->pool);
		compacted = zsm_pages_compacted(zram->pool);
	}
	ret = sysfs_emit(buf,
			 "%8llu %8llu %8llu %8llu %8llu %8llu %8lu %8llu %8llu\n",
			 (u64)atomic64_read(&st->pages_stored) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->compr_data_size),
			 (u64)used << PAGE_SHIFT,
			 (u64)READ_ONCE(zram->limit_pages) << PAGE_SHIFT,
			 (u64)atomic_long_read(&st->max_used_pages) << PAGE_SHIFT,
			 (u64)atomic64_read(&st->same_pages),
			 compacted,
			 (u64)atomic64_read(&st->huge_pages),
			 (u64)atomic64_read(&st->huge_pages_since));
	up_read(&zram->init_lock);
	return ret;
}

static ssize_t io_stat_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu\n",
			  (u64)atomic64_read(&st->failed_reads),
			  (u64)atomic64_read(&st->failed_writes),
			  (u64)atomic64_read(&st->invalid_io),
			  (u64)atomic64_read(&st->notify_free));
}

static ssize_t debug_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct zram_stats *st = &dev_to_zram(dev)->stats;

	/* Columns 3 and 4 are ours: recompression tries and successes. */
	return sysfs_emit(buf, "version: %d\n%8llu %8llu %8llu %8llu\n", 1,
			  (u64)atomic64_read(&st->writestall),
			  (u64)atomic64_read(&st->miss_free),
			  (u64)atomic64_read(&st->recomp_tried),
			  (u64)atomic64_read(&st->recomp_kept));
}

static ssize_t idle_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 age;
	int ret;

	ret = zram_parse_idle(buf, &age);
	if (ret)
		return ret;

	down_read(&zram->init_lock);
	if (zram->init_done)
		zram_mark_idle(zram, age);
	else
		ret = -EINVAL;
	up_read(&zram->init_lock);
	return ret ? ret : len;
}

ZRAM_ATTR_RW(disksize);
static DEVICE_ATTR_RO(initstate);
ZRAM_ATTR_WO(reset);
ZRAM_ATTR_RW(comp_algorithm);
ZRAM_ATTR_RW(max_comp_streams);
ZRAM_ATTR_WO(mem_limit);
ZRAM_ATTR_WO(mem_used_max);
static DEVICE_ATTR_WO(compact);
static DEVICE_ATTR_RO(mm_stat);
static DEVICE_ATTR_RO(io_stat);
static DEVICE_ATTR_RO(debug_stat);
ZRAM_ATTR_WO(idle);

static struct attribute *zram_core_attrs[] = {
	&dev_attr_disksize.attr,
	&dev_attr_initstate.attr,
	&dev_attr_reset.attr,
	&dev_attr_comp_algorithm.attr,
	&dev_attr_max_comp_streams.attr,
	&dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,
	&dev_attr_compact.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_idle.attr,
	NULL,
};

const struct attribute_group zram_core_attr_group = {
	.attrs = zram_core_attrs,
};

ssize_t zram_store_setup_flag(struct zram *zram, const char *buf, size_t len,
			      bool *flag)
{
	unsigned int val;
	int ret = 0;

	if (kstrtouint(buf, 10, &val) || val > 1)
		return -EINVAL;
	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else
		*flag = val;
	up_write(&zram->init_lock);
	return ret ?: len;
}
