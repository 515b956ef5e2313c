// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recompression and algorithm settings.
 *
 * Owns: the recompression algorithms (recomp_algorithm), the parameters
 * of every algorithm slot (algorithm_params: level, dictionary file),
 * and recompression of stored pages with them (recompress).
 *
 * Recompression runs for "recompress" and, a step at a time, for the
 * tiering passes (zram_recompress_step()).
 *
 * Locks it takes: zram->init_lock (for writing to change settings on an
 * uninitialized device, for reading to recompress), zram->move_lock
 * (one recompression at a time, also against writeback), the slot lock
 * (never across compression: a slot is flagged ZRAM_MOVING instead, see
 * zram_slot.h) and the compression streams.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kernel_read_file.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include "zram_slot.h"
#include "zsmalloc.h"

/*
 * "algo=NAME" and "priority=N" (a recompression slot, 1..ZRAM_MAX_COMPS
 * - 1), which several attributes take.  Their parsing state starts with
 * a struct zram_alg_sel, which these ->parse() functions fill.
 */
struct zram_alg_sel {
	char *alg;		/* NULL: not given */
	unsigned int prio;	/* 0: not given */
};

static int zram_parse_algo(char *val, void *ctx)
{
	struct zram_alg_sel *sel = ctx;

	sel->alg = val;
	return 0;
}

static int zram_parse_priority(char *val, void *ctx)
{
	struct zram_alg_sel *sel = ctx;

	if (kstrtouint(val, 10, &sel->prio) || sel->prio < 1 ||
	    sel->prio >= ZRAM_MAX_COMPS)
		return -EINVAL;
	return 0;
}

/*
 * The algorithm slot named by @alg (the first slot from @first on that
 * has that algorithm) or else by @prio (a slot with an algorithm).
 * -EINVAL if there is none.  init_lock held.
 */
static int zram_alg_slot(struct zram *zram, const char *alg,
			 unsigned int prio, unsigned int first)
{
	unsigned int i;

	if (alg) {
		for (i = first; i < ZRAM_MAX_COMPS; i++)
			if (!strcmp(zram->comp_algs[i], alg))
				return i;
		return -EINVAL;
	}
	return prio < ZRAM_MAX_COMPS && zram->comp_algs[prio][0] ? prio :
								  -EINVAL;
}

/* Which pages "recompress" looks at, and with what. */
struct zram_recomp_req {
	bool huge;		/* only huge pages */
	bool idle;		/* only idle pages */
	u32 threshold;		/* only objects of at least this size; 0: any */
	u64 max_pages;		/* pages to try at most; 0: no limit */
	unsigned int prio_lo;	/* algorithm slots prio_lo..prio_hi - 1 */
	unsigned int prio_hi;
};

/* Does the (locked) slot qualify for @req? */
static bool zram_recomp_wanted(struct zram *zram, u32 index,
			       const struct zram_recomp_req *req)
{
	if (!zram_slot_may_move(zram, index) ||
	    zram_test_flag(zram, index, ZRAM_INCOMPRESSIBLE))
		return false;
	if (req->huge && !zram_test_flag(zram, index, ZRAM_HUGE))
		return false;
	if (req->idle && !zram_test_flag(zram, index, ZRAM_IDLE))
		return false;
	if (zram_get_obj_size(zram, index) < req->threshold)
		return false;
	/* Already compressed by the last algorithm it could get? */
	return zram_get_prio(zram, index) + 1 < req->prio_hi;
}

/* Highest algorithm slot in use (0 when only the primary is). */
static unsigned int zram_last_prio(struct zram *zram)
{
	unsigned int prio = ZRAM_MAX_COMPS - 1;

	while (prio && !zram->comps[prio])
		prio--;
	return prio;
}

/*
 * Try to store slot @index smaller with the algorithms of @req above the
 * one that compressed it, in priority order; the first that lands the
 * object in a smaller pool slot wins.  @page and @buf (PAGE_SIZE) are
 * scratch.  Returns 2 if the page was stored smaller, 1 if it was tried
 * and stays as it was, 0 if it did not qualify, or an error (the page
 * stays as it was).  A page that none of the
 * device's algorithms above its own can shrink is flagged
 * ZRAM_INCOMPRESSIBLE and not tried again.
 */
static int zram_recompress_slot(struct zram *zram, u32 index,
				const struct zram_recomp_req *req,
				struct page *page, void *buf)
{
	unsigned int prio, new_prio = 0, old_prio, old_size, new_len = 0;
	struct zram_slot *slot = &zram->slots[index];
	int failed = 0;
	struct zcomp_stream *zstrm;
	unsigned long handle;
	size_t old_slot;
	void *mem;
	int ret;

	zram_slot_lock(zram, index);
	if (!zram_recomp_wanted(zram, index, req)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	old_prio = zram_get_prio(zram, index);
	old_size = zram_get_obj_size(zram, index);
	ret = zram_read_slot_locked(zram, index, page);
	if (!ret)
		zram_set_flag(zram, index, ZRAM_MOVING);
	zram_slot_unlock(zram, index);
	if (ret)
		return ret;
	atomic64_inc(&zram->stats.recomp_tried);

	old_slot = zsm_slot_size(zram->pool, old_size);
	for (prio = max(req->prio_lo, old_prio + 1); prio < req->prio_hi;
	     prio++) {
		struct zcomp *comp = zram->comps[prio];
		unsigned int len;

		if (!comp)
			continue;
		zstrm = zcomp_stream_get(comp);
		mem = kmap_local_page(page);
		ret = zcomp_compress(comp, zstrm, mem, &len);
		kunmap_local(mem);
		if (ret)
			failed = ret;
		if (!ret && len < zram->huge_class_size &&
		    zsm_slot_size(zram->pool, len) < old_slot) {
			memcpy(buf, zstrm->out, len);
			new_len = len;
			new_prio = prio;
		}
		zcomp_stream_put(comp);
		if (new_len)
			break;
	}

	if (!new_len) {
		/* Flag it only if every algorithm it could get had a go. */
		zram_slot_lock(zram, index);
		if (zram_test_flag(zram, index, ZRAM_MOVING) && !failed &&
		    req->prio_hi > zram_last_prio(zram))
			zram_set_flag(zram, index, ZRAM_INCOMPRESSIBLE);
		zram_clear_flag(zram, index, ZRAM_MOVING);
		zram_slot_unlock(zram, index);
		if (failed)
			pr_warn_ratelimited("zram%d: recompression of page %u failed: %d\n",
					    zram->id, index, failed);
		return failed ? -EIO : 1;
	}

	ret = zsm_malloc(zram->pool, new_len, GFP_NOIO | __GFP_NOWARN, &handle);
	if (ret) {
		zram_slot_lock(zram, index);
		zram_clear_flag(zram, index, ZRAM_MOVING);
		zram_slot_unlock(zram, index);
		return ret;
	}
	zsm_write(zram->pool, handle, buf, new_len);
	zram_update_used_max(zram, zsm_get_total_pages(zram->pool));

	zram_slot_lock(zram, index);
	if (!zram_test_flag(zram, index, ZRAM_MOVING)) {
		/* Freed or rewritten meanwhile: the copy is stale. */
		zram_slot_unlock(zram, index);
		zsm_free(zram->pool, handle);
		return 1;
	}
	zram_clear_flag(zram, index, ZRAM_MOVING);
	zram_release_data(zram, index);
	slot->handle = handle;
	zram_set_obj_size(zram, index, new_len);
	zram_set_prio(zram, index, new_prio);
	zram_clear_flag(zram, index, ZRAM_HUGE);
	/* Not the primary algorithm's: never shared, out of the index. */
	zram_clear_flag(zram, index, ZRAM_DEDUP);
	zram_slot_unlock(zram, index);
	atomic64_add(new_len, &zram->stats.compr_data_size);
	atomic64_inc(&zram->stats.recomp_kept);
	return 2;
}

/* State of one recompression over the slots (zram_recomp_one()). */
struct zram_recomp_walk {
	const struct zram_recomp_req *req;
	struct zram_move_step *st;	/* where, how many; what was done */
	struct page *page;		/* scratch: the page decompressed */
	void *buf;			/* scratch: the new object */
	int err;			/* -EIO once a page failed */
};

/*
 * Walk step: stops at st->max pages tried (returns 1) or on an error
 * other than a failed page, which counts as tried and lets the walk go
 * on.  st->pos follows the walk.
 */
static int zram_recomp_one(struct zram *zram, u32 index, void *data)
{
	struct zram_recomp_walk *w = data;
	struct zram_move_step *st = w->st;
	int ret;

	st->pos = index;
	if (st->max && st->tried >= st->max)
		return 1;
	ret = zram_recompress_slot(zram, index, w->req, w->page, w->buf);
	if (ret == -EIO) {
		w->err = ret;
		ret = 1;
	}
	if (ret < 0)
		return ret;
	st->tried += !!ret;
	st->done += ret == 2;
	return 0;
}

/*
 * Run @req over the slots from st->pos on, up to st->max pages tried;
 * st->pos ends where a next step would start.  init_lock held for
 * reading.
 */
static int zram_recompress(struct zram *zram, const struct zram_recomp_req *req,
			   struct zram_move_step *st)
{
	struct zram_recomp_walk w = { .req = req, .st = st };
	u32 nr = zram_nr_pages(zram);
	int ret = -ENOMEM;
	u32 last;

	if (st->pos >= nr)
		return 0;
	last = zram_move_last(st, nr);
	w.page = alloc_page(GFP_KERNEL);
	w.buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (w.page && w.buf) {
		mutex_lock(&zram->move_lock);
		ret = zram_walk_slots(zram, st->pos, last,
				      ZRAM_WALK_KILLABLE, zram_recomp_one, &w);
		mutex_unlock(&zram->move_lock);
		/* Stopped at st->max: not an error. */
		if (ret > 0)
			ret = 0;
		else if (!ret)
			st->pos = last + 1;
		/* A fatal signal or an allocation failure wins over -EIO. */
		ret = ret ?: w.err;
	}
	kfree(w.buf);
	if (w.page)
		__free_page(w.page);
	return ret;
}

/* ---- sysfs ---- */

static ssize_t recomp_algorithm_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	ssize_t at = 0;
	unsigned int prio;

	down_read(&zram->init_lock);
	for (prio = 1; prio < ZRAM_MAX_COMPS; prio++) {
		if (!zram->comp_algs[prio][0])
			continue;
		at += sysfs_emit_at(buf, at, "#%u: ", prio);
		at = zcomp_available_show(zram->comp_algs[prio], buf, at);
	}
	up_read(&zram->init_lock);
	return at;
}

/*
 * recomp_algorithm's "algo": every name given must be an algorithm, so
 * that "algo=bad algo=lz4" is refused rather than taken as its last one.
 */
static int zram_parse_avail_algo(char *val, void *ctx)
{
	if (strlen(val) >= ZRAM_MAX_ALG_NAME || !zcomp_available_algorithm(val))
		return -EINVAL;
	return zram_parse_algo(val, ctx);
}

static const struct zram_kv_key zram_alg_sel_keys[] = {
	{ "algo", zram_parse_avail_algo },
	{ "priority", zram_parse_priority },
	{ }
};

/* "algo=NAME [priority=N]": a recompression algorithm (priority 1 by default). */
static ssize_t recomp_algorithm_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_alg_sel sel = { };
	char *args;
	int ret;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	ret = zram_parse_kv(args, zram_alg_sel_keys, &sel);
	if (!ret && !sel.alg)
		ret = -EINVAL;
	if (ret)
		goto out;

	down_write(&zram->init_lock);
	if (zram->init_done)
		ret = -EBUSY;
	else
		zram_set_alg(zram, sel.prio ?: 1, sel.alg);
	up_write(&zram->init_lock);
out:
	kfree(args);
	return ret ? ret : len;
}

/*
 * Largest dictionary file algorithm_params reads.  A backend may accept
 * less (zstd's prefix mode on kernels without the zstd dictionary API
 * refuses more than 64 KiB).
 */
#define ZRAM_DICT_FILE_MAX	SZ_8M

/*
 * Read the whole regular file at @path into a vmalloc'ed buffer of at
 * most ZRAM_DICT_FILE_MAX bytes.  Returns its size (> 0) or an errno:
 * -ENOENT and the like from the lookup, -EINVAL for an empty file or one
 * that is not a regular file (checked before opening: a FIFO would block
 * the open, a device's open has side effects), -EFBIG for a big one.
 * The inode looked at is the one opened (dentry_open()), and
 * kernel_read_file() runs the kernel's read-file security hooks (IMA
 * appraisal, LoadPin, IPE) and refuses a file open for writing
 * (-ETXTBSY).
 */
static ssize_t zram_load_file(const char *path, const void **out)
{
	struct path p;
	struct file *file;
	void *data = NULL;
	ssize_t ret;

	ret = kern_path(path, LOOKUP_FOLLOW, &p);
	if (ret)
		return ret;
	if (!d_is_reg(p.dentry)) {
		ret = -EINVAL;
		goto out_path;
	}
	file = dentry_open(&p, O_RDONLY | O_NONBLOCK | O_LARGEFILE,
			   current_cred());
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_path;
	}
	/*
	 * READING_POLICY, as the kernel's zram reads its dictionaries: a
	 * security module's rules for that driver apply to ours (and IPE
	 * warns about READING_UNKNOWN).
	 */
	ret = kernel_read_file(file, 0, &data, ZRAM_DICT_FILE_MAX, NULL,
			       READING_POLICY);
	fput(file);
	if (ret > 0)
		*out = data;
	else if (!ret)
		ret = -EINVAL;
out_path:
	path_put(&p);
	return ret;
}

/* Parsing state of "algorithm_params". */
struct zram_params_parse {
	struct zram_alg_sel sel;	/* first: see struct zram_alg_sel */
	struct zcomp_conf conf;
	char *path;			/* dict=PATH */
};

static int zram_parse_params_level(char *val, void *ctx)
{
	struct zram_params_parse *p = ctx;

	if (kstrtos32(val, 10, &p->conf.level) ||
	    p->conf.level == ZCOMP_LEVEL_DEFAULT)
		return -EINVAL;
	return 0;
}

static int zram_parse_params_dict(char *val, void *ctx)
{
	((struct zram_params_parse *)ctx)->path = val;
	return 0;
}

static const struct zram_kv_key zram_params_keys[] = {
	{ "algo", zram_parse_algo },
	{ "priority", zram_parse_priority },
	{ "level", zram_parse_params_level },
	{ "dict", zram_parse_params_dict },
	{ }
};

/*
 * "[algo=NAME | priority=N] [level=L] [dict=PATH]": the parameters of
 * one algorithm slot (the primary when neither names one), replacing
 * what it had, checked with zcomp_check() (which builds the shared
 * state, a zstd dictionary's digest, but no per-CPU context).  Only
 * before disksize.
 */
static ssize_t algorithm_params_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_params_parse p = {
		.conf = { .level = ZCOMP_LEVEL_DEFAULT },
	};
	ssize_t size;
	char *args;
	int ret, slot;

	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	ret = zram_parse_kv(args, zram_params_keys, &p);
	if (!ret && p.sel.alg && p.sel.prio)
		ret = -EINVAL;
	if (ret)
		goto out;

	if (p.path) {
		size = zram_load_file(p.path, &p.conf.dict);
		if (size < 0) {
			ret = size;
			goto out;
		}
		p.conf.dict_len = size;
	}

	down_write(&zram->init_lock);
	if (zram->init_done) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = zram_alg_slot(zram, p.sel.alg, p.sel.prio, ZRAM_PRIMARY_COMP);
	if (ret < 0)
		goto out_unlock;
	slot = ret;
	ret = zcomp_check(zram->comp_algs[slot], &p.conf);
	if (ret)
		goto out_unlock;
	zram_conf_reset(&zram->comp_conf[slot]);
	zram->comp_conf[slot] = p.conf;
	p.conf.dict = NULL;
out_unlock:
	up_write(&zram->init_lock);
out:
	vfree(p.conf.dict);
	kfree(args);
	return ret ? ret : len;
}

/* Parsing state of "recompress". */
struct zram_recomp_parse {
	struct zram_alg_sel sel;	/* first: see struct zram_alg_sel */
	struct zram_recomp_req *req;
};

static int zram_parse_recomp_type(char *val, void *ctx)
{
	struct zram_recomp_req *req = ((struct zram_recomp_parse *)ctx)->req;

	req->huge = !strcmp(val, "huge") || !strcmp(val, "huge_idle");
	req->idle = !strcmp(val, "idle") || !strcmp(val, "huge_idle");
	return req->huge || req->idle ? 0 : -EINVAL;
}

static int zram_parse_recomp_threshold(char *val, void *ctx)
{
	struct zram_recomp_req *req = ((struct zram_recomp_parse *)ctx)->req;

	if (kstrtou32(val, 10, &req->threshold) || !req->threshold ||
	    req->threshold > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static int zram_parse_recomp_max_pages(char *val, void *ctx)
{
	struct zram_recomp_req *req = ((struct zram_recomp_parse *)ctx)->req;

	if (kstrtou64(val, 10, &req->max_pages) || !req->max_pages)
		return -EINVAL;
	return 0;
}

static const struct zram_kv_key zram_recomp_keys[] = {
	{ "algo", zram_parse_algo },
	{ "priority", zram_parse_priority },
	{ "type", zram_parse_recomp_type },
	{ "threshold", zram_parse_recomp_threshold },
	{ "max_pages", zram_parse_recomp_max_pages },
	{ }
};

/*
 * "[type=huge|idle|huge_idle] [threshold=BYTES] [max_pages=N]
 *  [algo=NAME | priority=N]" into @req, against the device's algorithms.
 * init_lock held.
 */
static int zram_parse_recompress(struct zram *zram, char *args,
				 struct zram_recomp_req *req)
{
	struct zram_recomp_parse p = { .req = req };
	int ret;

	memset(req, 0, sizeof(*req));
	ret = zram_parse_kv(args, zram_recomp_keys, &p);
	if (ret || (p.sel.alg && p.sel.prio))
		return -EINVAL;
	if (p.sel.alg || p.sel.prio) {
		/* A recompression slot, never the primary. */
		ret = zram_alg_slot(zram, p.sel.alg, p.sel.prio, 1);
		if (ret < 0)
			return ret;
		req->prio_lo = ret;
		req->prio_hi = ret + 1;
	} else {
		req->prio_lo = 1;
		req->prio_hi = zram_last_prio(zram) + 1;
		if (req->prio_hi == 1)
			return -EINVAL;
	}
	return 0;
}

/* "recompress": see zram_parse_recompress(); with zram_cmd_store(). */
static int zram_recompress_cmd(struct zram *zram, char *args)
{
	struct zram_move_step st = { };
	struct zram_recomp_req req;
	int ret;

	ret = zram_parse_recompress(zram, args, &req);
	if (ret)
		return ret;
	st.max = req.max_pages;
	return zram_recompress(zram, &req, &st);
}

/* Has the device a recompression algorithm?  init_lock held. */
bool zram_have_recomp_alg(struct zram *zram)
{
	unsigned int prio;

	for (prio = 1; prio < ZRAM_MAX_COMPS; prio++)
		if (zram->comp_algs[prio][0])
			return true;
	return false;
}

/*
 * One step of a tiering pass (zram_tier.c): recompress the pages @mode
 * selects (ZRAM_WB_HUGE, ZRAM_WB_IDLE or ZRAM_WB_HUGE_IDLE) with every
 * recompression algorithm in priority order, as "recompress type=..."
 * does, over the slots and up to the pages @st says.  -EINVAL without a
 * recompression algorithm.  init_lock held for reading on an
 * initialized device.
 */
int zram_recompress_step(struct zram *zram, enum zram_wb_mode mode,
			 struct zram_move_step *st)
{
	struct zram_recomp_req req = {
		.huge = mode == ZRAM_WB_HUGE || mode == ZRAM_WB_HUGE_IDLE,
		.idle = mode == ZRAM_WB_IDLE || mode == ZRAM_WB_HUGE_IDLE,
		.prio_lo = 1,
		.prio_hi = zram_last_prio(zram) + 1,
	};

	if (req.prio_hi == 1 || !(req.huge || req.idle))
		return -EINVAL;
	return zram_recompress(zram, &req, st);
}

static ssize_t recompress_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	return zram_cmd_store(dev, buf, len, zram_recompress_cmd);
}

ZRAM_ATTR_RW(recomp_algorithm);
ZRAM_ATTR_WO(algorithm_params);
ZRAM_ATTR_WO(recompress);

static struct attribute *zram_recomp_attrs[] = {
	&dev_attr_recomp_algorithm.attr,
	&dev_attr_algorithm_params.attr,
	&dev_attr_recompress.attr,
	NULL,
};

const struct attribute_group zram_recomp_attr_group = {
	.attrs = zram_recomp_attrs,
};
