/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU compression streams over pluggable backends.
 *
 * Three things make up a zcomp instance (struct zcomp):
 *
 *  - a configuration (struct zcomp_conf): what the user asked for, a
 *    level and optionally a dictionary.  The caller owns it; it must
 *    outlive every instance created from it, and zcomp never writes it;
 *  - the backend's shared state: whatever the backend derives from the
 *    configuration once (zstd: its parameters and digested dictionaries),
 *    kept in the instance and only read after zcomp_create();
 *  - one stream (struct zcomp_stream) per CPU: output buffer, scratch
 *    page and the backend's work state for that CPU, set up and torn
 *    down with the CPU by a dynamic CPU-hotplug state.
 *
 * Using a stream
 * --------------
 * zcomp_stream_get() returns the calling CPU's stream with its local
 * lock held (preemption off); zcomp_compress() and zcomp_decompress()
 * then run without sleeping, and zcomp_stream_put() releases it.  The
 * compressed bytes in the stream's @out, and whatever the caller put in
 * its @scratch, are valid only until zcomp_stream_put(): copy them out
 * first.  Only process context may hold a stream (the local lock does
 * not keep interrupts or softirqs off this CPU's stream).
 *
 * Parallel compression
 * --------------------
 * A stream belongs to its CPU, and nothing is shared between CPUs but
 * the read-only configuration and shared state.  So pages can be
 * compressed on several CPUs at once, each with that CPU's stream: to
 * spread the pages of one multi-page request, queue one work item per
 * CPU used (e.g. queue_work_on(n, ...)); the item running on CPU n
 * calls zcomp_stream_get(), which returns CPU n's stream, compresses
 * its pages one at a time, stores each result before the next
 * compression overwrites @out, and calls zcomp_stream_put().  The
 * submitter waits for its items, or does a single page itself on its
 * own CPU's stream (the fast path: no work item at all).  Never hold a
 * stream pointer across zcomp_stream_put(), nor pass one to another
 * CPU; get the stream where the work runs.
 */
#ifndef _ZRAM_OOT_ZCOMP_H
#define _ZRAM_OOT_ZCOMP_H

#include <linux/limits.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/types.h>

/* zcomp_conf.level when the user set none: each backend's own default. */
#define ZCOMP_LEVEL_DEFAULT	INT_MIN

/* Size of zcomp_stream.out: the worst case of every backend fits. */
#define ZCOMP_OUT_SIZE		(2 * PAGE_SIZE)

/**
 * struct zcomp_conf - the user's settings for one algorithm
 * @level: compression level, or %ZCOMP_LEVEL_DEFAULT; its meaning and
 *	range are the backend's (zcomp_create() fails for a bad one)
 * @dict: dictionary bytes, or NULL; only zstd takes one
 * @dict_len: size of @dict in bytes; 0 exactly when @dict is NULL
 *
 * Owned by the caller, who allocates and frees @dict.  It must stay
 * unchanged for as long as any instance created from it exists:
 * backends refer to @dict rather than copy it.
 */
struct zcomp_conf {
	s32 level;
	const void *dict;
	size_t dict_len;
};

/**
 * struct zcomp_stream - one CPU's compression stream of an instance
 * @lock: taken by zcomp_stream_get(), released by zcomp_stream_put()
 * @out: %ZCOMP_OUT_SIZE bytes, where zcomp_compress() puts its output
 * @scratch: PAGE_SIZE bytes for the caller's own use while it holds the
 *	stream (the driver's local copy of an object being read)
 * @work: the backend's work state for this CPU (from its alloc_work())
 *
 * All three buffers exist exactly while the CPU is online.
 */
struct zcomp_stream {
	local_lock_t lock;
	void *out;
	void *scratch;
	void *work;
};

struct zcomp_backend;

/**
 * struct zcomp - an instance of one algorithm
 * @stream: one stream per possible CPU (set up for online CPUs only)
 * @backend: the algorithm's backend
 * @conf: the configuration the instance was created from
 * @shared: the backend's shared state derived from @conf, read-only
 * @node: this instance in the CPU-hotplug state's list
 */
struct zcomp {
	struct zcomp_stream __percpu *stream;
	const struct zcomp_backend *backend;
	const struct zcomp_conf *conf;
	void *shared;
	struct hlist_node node;
};

/**
 * zcomp_init() - set up the module-wide CPU-hotplug state
 *
 * Call once at module init, before any zcomp_create().
 *
 * Return: 0, or a negative errno.
 */
int zcomp_init(void);

/**
 * zcomp_exit() - remove the CPU-hotplug state zcomp_init() set up
 *
 * Call once at module exit, after every instance is destroyed.
 */
void zcomp_exit(void);

/**
 * zcomp_available_algorithm() - whether an algorithm exists
 * @name: the algorithm's exact name
 *
 * Return: true when a backend is called @name.
 */
bool zcomp_available_algorithm(const char *name);

/**
 * zcomp_available_show() - list the algorithms for sysfs
 * @cur: the algorithm to put in brackets, or NULL
 * @buf: a sysfs page buffer
 * @at: offset in @buf to append at
 *
 * Appends every algorithm's name, space-separated, @cur as "[name]",
 * and a newline.
 *
 * Return: the new end offset in @buf.
 */
ssize_t zcomp_available_show(const char *cur, char *buf, ssize_t at);

/**
 * zcomp_create() - create an instance of an algorithm
 * @name: the algorithm's name
 * @conf: its settings; must outlive the instance, unchanged
 *
 * Checks @conf with the backend, derives the backend's shared state and
 * sets up a stream on every online CPU.  May sleep.
 *
 * Return: the instance, ERR_PTR(-EINVAL) for an unknown @name or a
 * setting the backend refuses, another ERR_PTR() on failure.
 */
struct zcomp *zcomp_create(const char *name, const struct zcomp_conf *conf);

/**
 * zcomp_check() - whether zcomp_create() would take a configuration
 * @name: the algorithm's name
 * @conf: its settings
 *
 * Runs the backend's checks and derivations of @conf, as zcomp_create()
 * does, and frees the result: no per-CPU streams are set up.  zstd still
 * digests a dictionary here (that is how it checks one), so this costs
 * the shared part of an instance, for a moment.  May sleep.
 *
 * Return: 0, -EINVAL for an unknown @name or a setting the backend
 * refuses, another negative errno (-EFBIG, -ENOMEM) on failure.
 */
int zcomp_check(const char *name, const struct zcomp_conf *conf);

/**
 * zcomp_destroy() - free an instance and all its streams
 * @comp: the instance; NULL or an ERR_PTR() are ignored
 *
 * May sleep.  No stream of @comp may be held.
 */
void zcomp_destroy(struct zcomp *comp);

/**
 * zcomp_stream_get() - take this CPU's stream of an instance
 * @comp: the instance
 *
 * Disables preemption (local lock) until zcomp_stream_put().
 *
 * Return: the calling CPU's stream.
 */
struct zcomp_stream *zcomp_stream_get(struct zcomp *comp);

/**
 * zcomp_stream_put() - release the stream zcomp_stream_get() returned
 * @comp: the instance
 */
void zcomp_stream_put(struct zcomp *comp);

/**
 * zcomp_compress() - compress one page into the stream's output buffer
 * @comp: the instance
 * @zstrm: this CPU's stream of @comp, held
 * @src: PAGE_SIZE bytes to compress
 * @dst_len: set to the compressed length, in bytes
 *
 * The result is in @zstrm->out (at most %ZCOMP_OUT_SIZE bytes) until the
 * next compression on the stream or zcomp_stream_put().
 *
 * Return: 0, or a negative errno.
 */
int zcomp_compress(struct zcomp *comp, struct zcomp_stream *zstrm,
		   const void *src, unsigned int *dst_len);

/**
 * zcomp_decompress() - decompress one page
 * @comp: the instance that compressed it
 * @zstrm: this CPU's stream of @comp, held
 * @src: the compressed bytes
 * @src_len: their number
 * @dst: a PAGE_SIZE buffer for the page
 *
 * Never writes past @dst + PAGE_SIZE.
 *
 * Return: 0 when exactly PAGE_SIZE bytes came out, a negative errno
 * otherwise (corrupt, truncated, short or long input).
 */
int zcomp_decompress(struct zcomp *comp, struct zcomp_stream *zstrm,
		     const void *src, unsigned int src_len, void *dst);

/**
 * zcomp_decompresses_anywhere() - may @comp decompress without a stream?
 * @comp: the instance
 *
 * Return: true when its algorithm's decompressor needs no work memory
 * and runs in any context (LZO, LZO-RLE, LZ4, LZ4HC).
 */
bool zcomp_decompresses_anywhere(const struct zcomp *comp);

/**
 * zcomp_decompress_anywhere() - decompress one page without a stream
 * @comp: an instance zcomp_decompresses_anywhere() accepts
 * @src: the compressed bytes
 * @src_len: their number
 * @dst: a PAGE_SIZE buffer for the page
 *
 * Any context, hard interrupts included (a bio's completion).
 *
 * Return: as zcomp_decompress(); -EINVAL for an instance that needs a
 * stream.
 */
int zcomp_decompress_anywhere(struct zcomp *comp, const void *src,
			      unsigned int src_len, void *dst);

/**
 * zcomp_decompress_here() - decompress one page, taking what it needs
 * @comp: the instance that compressed it
 * @src: the compressed bytes
 * @src_len: their number
 * @dst: a PAGE_SIZE buffer for the page
 *
 * Without a stream, in any context, where zcomp_decompresses_anywhere();
 * else with this CPU's stream, taken and given back here, so then in
 * process context and not while the caller holds a stream of @comp.
 *
 * Return: as zcomp_decompress().
 */
int zcomp_decompress_here(struct zcomp *comp, const void *src,
			  unsigned int src_len, void *dst);

#endif /* _ZRAM_OOT_ZCOMP_H */
