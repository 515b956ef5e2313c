// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU compression streams over pluggable backends.
 *
 * Every zcomp instance is one instance of a single, module-wide, dynamic
 * multi-instance CPU-hotplug state.  The state's prepare callback gives a
 * CPU its stream of the instance (output buffer, scratch page, backend
 * work state) before the CPU runs anything; the teardown callback frees it
 * after the CPU is dead.  Adding the instance sets up every CPU already
 * online; removing it frees them all.
 *
 * A stream is only touched by the CPU that owns it, with preemption off
 * (stream->lock is a local lock), so the hot paths take no shared lock
 * and allocate nothing.  The instance's configuration and the backend's
 * shared state are never written once the instance is set up.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/topology.h>

#include "zcomp.h"
#include "backend.h"

/*
 * Every backend, in the order comp_algorithm lists them; NULL where the
 * kernel lacks the library (backend.h).  zcomp_needs[] says what each
 * name needs, for the message refusing a missing one.
 */
static const struct zcomp_backend *const zcomp_backends[] = {
	ZCOMP_BE_LZO,
	ZCOMP_BE_LZORLE,
	ZCOMP_BE_LZ4,
	ZCOMP_BE_LZ4HC,
	ZCOMP_BE_ZSTD,
	ZCOMP_BE_DEFLATE,
};

static const char *const zcomp_needs[][2] = {
	{ "lzo", ZCOMP_NEEDS_LZO },
	{ "lzo-rle", ZCOMP_NEEDS_LZO },
	{ "lz4", ZCOMP_NEEDS_LZ4 },
	{ "lz4hc", ZCOMP_NEEDS_LZ4HC },
	{ "zstd", ZCOMP_NEEDS_ZSTD },
	{ "deflate", ZCOMP_NEEDS_DEFLATE },
};

int zcomp_be_check_conf(const struct zcomp_conf *conf, s32 min, s32 max)
{
	if (conf->dict || conf->dict_len)
		return -EINVAL;
	if (min <= max && conf->level != ZCOMP_LEVEL_DEFAULT &&
	    (conf->level < min || conf->level > max))
		return -EINVAL;
	return 0;
}

int zcomp_be_alloc_work(size_t size, void **work)
{
	*work = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	return *work ? 0 : -ENOMEM;
}

void zcomp_be_free_work(void *work)
{
	kvfree(work);
}

/* Number returned by cpuhp_setup_state_multi(); 0 while not set up. */
static enum cpuhp_state zcomp_cpuhp_state;

/* Backend called @name, or NULL. */
static const struct zcomp_backend *zcomp_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zcomp_backends); i++)
		if (zcomp_backends[i] && !strcmp(name, zcomp_backends[i]->name))
			return zcomp_backends[i];
	return NULL;
}

bool zcomp_available_algorithm(const char *name)
{
	unsigned int i;

	if (zcomp_lookup(name))
		return true;
	/* A known name whose library this kernel lacks: say so. */
	for (i = 0; i < ARRAY_SIZE(zcomp_needs); i++)
		if (!strcmp(name, zcomp_needs[i][0]))
			pr_warn_ratelimited("algorithm %s is not built: it needs %s\n",
					    name, zcomp_needs[i][1]);
	return false;
}

ssize_t zcomp_available_show(const char *cur, char *buf, ssize_t at)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zcomp_backends); i++) {
		const char *name;

		if (!zcomp_backends[i])
			continue;
		name = zcomp_backends[i]->name;
		if (cur && !strcmp(name, cur))
			at += sysfs_emit_at(buf, at, "%s[%s]", sep, name);
		else
			at += sysfs_emit_at(buf, at, "%s%s", sep, name);
		sep = " ";
	}
	at += sysfs_emit_at(buf, at, "\n");
	return at;
}

/* Free whatever part of @zstrm exists; safe on a zeroed stream. */
static void zcomp_stream_release(struct zcomp *comp,
				 struct zcomp_stream *zstrm)
{
	if (zstrm->work)
		comp->backend->free_work(zstrm->work);
	zstrm->work = NULL;
	kvfree(zstrm->out);
	zstrm->out = NULL;
	kvfree(zstrm->scratch);
	zstrm->scratch = NULL;
}

/* CPUHP prepare callback: runs in process context before @cpu starts. */
static int zcomp_cpu_up_prepare(unsigned int cpu, struct hlist_node *node)
{
	struct zcomp *comp = hlist_entry(node, struct zcomp, node);
	struct zcomp_stream *zstrm = per_cpu_ptr(comp->stream, cpu);
	int nid = cpu_to_node(cpu);
	void *work = NULL;
	int ret;

	local_lock_init(&zstrm->lock);
	zstrm->out = kvmalloc_node(ZCOMP_OUT_SIZE,
				   GFP_KERNEL | __GFP_NOWARN, nid);
	zstrm->scratch = kvmalloc_node(PAGE_SIZE,
				       GFP_KERNEL | __GFP_NOWARN, nid);
	if (!zstrm->out || !zstrm->scratch) {
		ret = -ENOMEM;
		goto err;
	}
	ret = comp->backend->alloc_work(comp, &work);
	if (ret)
		goto err;
	zstrm->work = work;
	return 0;
err:
	zcomp_stream_release(comp, zstrm);
	return ret;
}

/* CPUHP teardown callback: @cpu is dead, or the instance goes away. */
static int zcomp_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct zcomp *comp = hlist_entry(node, struct zcomp, node);

	zcomp_stream_release(comp, per_cpu_ptr(comp->stream, cpu));
	return 0;
}

static void zcomp_release_shared(struct zcomp *comp)
{
	if (comp->backend->release)
		comp->backend->release(comp->shared);
	comp->shared = NULL;
}

struct zcomp *zcomp_create(const char *name, const struct zcomp_conf *conf)
{
	const struct zcomp_backend *backend = zcomp_lookup(name);
	struct zcomp *comp;
	int ret;

	if (!backend)
		return ERR_PTR(-EINVAL);
	if (WARN_ON_ONCE(!zcomp_cpuhp_state))
		return ERR_PTR(-ENODEV);

	comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	if (!comp)
		return ERR_PTR(-ENOMEM);
	comp->backend = backend;
	comp->conf = conf;

	ret = backend->prepare(conf, &comp->shared);
	if (ret)
		goto err_free;

	comp->stream = alloc_percpu(struct zcomp_stream);
	if (!comp->stream) {
		ret = -ENOMEM;
		goto err_shared;
	}

	/* Sets up every online CPU; undoes the ones done if one fails. */
	ret = cpuhp_state_add_instance(zcomp_cpuhp_state, &comp->node);
	if (ret)
		goto err_stream;
	return comp;

err_stream:
	free_percpu(comp->stream);
err_shared:
	zcomp_release_shared(comp);
err_free:
	kfree(comp);
	return ERR_PTR(ret);
}

int zcomp_check(const char *name, const struct zcomp_conf *conf)
{
	const struct zcomp_backend *backend = zcomp_lookup(name);
	void *shared = NULL;
	int ret;

	if (!backend)
		return -EINVAL;
	ret = backend->prepare(conf, &shared);
	if (!ret && backend->release)
		backend->release(shared);
	return ret;
}

void zcomp_destroy(struct zcomp *comp)
{
	if (IS_ERR_OR_NULL(comp))
		return;
	cpuhp_state_remove_instance(zcomp_cpuhp_state, &comp->node);
	free_percpu(comp->stream);
	zcomp_release_shared(comp);
	kfree(comp);
}

struct zcomp_stream *zcomp_stream_get(struct zcomp *comp)
{
	local_lock(&comp->stream->lock);
	return this_cpu_ptr(comp->stream);
}

void zcomp_stream_put(struct zcomp *comp)
{
	local_unlock(&comp->stream->lock);
}

int zcomp_compress(struct zcomp *comp, struct zcomp_stream *zstrm,
		   const void *src, unsigned int *dst_len)
{
	int ret;

	ret = comp->backend->compress(comp, zstrm->work, src, PAGE_SIZE,
				      zstrm->out, ZCOMP_OUT_SIZE);
	if (ret < 0)
		return ret;
	if (WARN_ON_ONCE(!ret || ret > ZCOMP_OUT_SIZE))
		return -EINVAL;
	*dst_len = ret;
	return 0;
}

/* A backend's decompress result: 0 for exactly a page. */
static int zcomp_whole_page(int ret)
{
	if (ret < 0)
		return ret;
	/* A short page is as corrupt as a bad bit stream. */
	return ret == PAGE_SIZE ? 0 : -EINVAL;
}

int zcomp_decompress(struct zcomp *comp, struct zcomp_stream *zstrm,
		     const void *src, unsigned int src_len, void *dst)
{
	return zcomp_whole_page(comp->backend->decompress(comp, zstrm->work,
							  src, src_len, dst,
							  PAGE_SIZE));
}

bool zcomp_decompresses_anywhere(const struct zcomp *comp)
{
	return comp->backend->decompress_anywhere;
}

int zcomp_decompress_anywhere(struct zcomp *comp, const void *src,
			      unsigned int src_len, void *dst)
{
	if (!zcomp_decompresses_anywhere(comp))
		return -EINVAL;
	return zcomp_whole_page(comp->backend->decompress(comp, NULL, src,
							  src_len, dst,
							  PAGE_SIZE));
}

int zcomp_decompress_here(struct zcomp *comp, const void *src,
			  unsigned int src_len, void *dst)
{
	struct zcomp_stream *zstrm;
	int ret;

	if (zcomp_decompresses_anywhere(comp))
		return zcomp_decompress_anywhere(comp, src, src_len, dst);
	zstrm = zcomp_stream_get(comp);
	ret = zcomp_decompress(comp, zstrm, src, src_len, dst);
	zcomp_stream_put(comp);
	return ret;
}

int zcomp_init(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN,
				      "block/zram-oot:prepare",
				      zcomp_cpu_up_prepare, zcomp_cpu_dead);
	if (ret < 0)
		return ret;
	zcomp_cpuhp_state = ret;
	return 0;
}

void zcomp_exit(void)
{
	if (zcomp_cpuhp_state)
		cpuhp_remove_multi_state(zcomp_cpuhp_state);
	zcomp_cpuhp_state = 0;
}
