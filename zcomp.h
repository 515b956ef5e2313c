/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU compression streams over pluggable backends.
 *
 * A backend (backend_*.c) wraps one kernel compression library behind
 * struct zcomp_ops.  Its state is split in two:
 *
 *  - struct zcomp_params: immutable, shared by every CPU of one zcomp
 *    instance (level, dictionary, and whatever the backend derives from
 *    them in setup_params(), kept in ->drv_data);
 *  - struct zcomp_ctx: per-CPU run-time state (work memory, library
 *    contexts), created by create_ctx() when a CPU's stream is set up and
 *    freed by destroy_ctx().
 *
 * struct zcomp owns one stream per possible CPU, allocated and freed by
 * a dynamic CPU-hotplug state.  zcomp_stream_get() returns this CPU's
 * stream with preemption disabled (local lock); compression and
 * decompression must therefore not sleep, and the caller must call
 * zcomp_stream_put() before it does.
 */
#ifndef _ZRAM_OOT_ZCOMP_H
#define _ZRAM_OOT_ZCOMP_H

#include <linux/types.h>
#include <linux/local_lock.h>
#include <linux/list.h>

/* Value of zcomp_params.level when the user set none. */
#define ZCOMP_PARAM_NO_LEVEL	INT_MIN

struct zcomp_params {
	s32 level;
	void *dict;			/* owned by the caller */
	size_t dict_sz;
	void *drv_data;			/* owned by the backend */
};

struct zcomp_ctx {
	void *context;			/* owned by the backend */
};

struct zcomp_req {
	const void *src;
	size_t src_len;
	void *dst;
	size_t dst_len;			/* in: room in dst; out: bytes produced */
};

struct zcomp_ops {
	const char *name;
	/* Validate params and derive shared state; may sleep. */
	int (*setup_params)(struct zcomp_params *params);
	void (*release_params)(struct zcomp_params *params);
	/* Per-CPU context; may sleep. */
	int (*create_ctx)(struct zcomp_params *params, struct zcomp_ctx *ctx);
	void (*destroy_ctx)(struct zcomp_ctx *ctx);
	/* Atomic context.  0 on success, negative errno otherwise. */
	int (*compress)(struct zcomp_params *params, struct zcomp_ctx *ctx,
			struct zcomp_req *req);
	int (*decompress)(struct zcomp_params *params, struct zcomp_ctx *ctx,
			  struct zcomp_req *req);
};

struct zcomp_strm {
	local_lock_t lock;
	void *buffer;			/* 2 * PAGE_SIZE: compressed output */
	void *local_copy;		/* PAGE_SIZE: scratch for the caller */
	struct zcomp_ctx ctx;
};

struct zcomp {
	struct zcomp_strm __percpu *stream;
	const struct zcomp_ops *ops;
	struct zcomp_params *params;
	struct hlist_node node;		/* CPU-hotplug instance */
};

/* Module-wide setup of the CPU-hotplug state; call once at init/exit. */
int zcomp_init(void);
void zcomp_exit(void);

/* Backend for @name, or NULL if none. */
const struct zcomp_ops *zcomp_lookup(const char *name);
bool zcomp_available_algorithm(const char *name);
/*
 * Append "alg1 [cur] alg3 ...\n" (every backend, @cur in brackets) to
 * @buf at offset @at; returns the new offset.  @buf is a sysfs page.
 */
ssize_t zcomp_available_show(const char *cur, char *buf, ssize_t at);

/*
 * Create an instance of algorithm @name; @params must outlive it.
 * ERR_PTR(-EINVAL) for an unknown name, other ERR_PTRs on failure.
 */
struct zcomp *zcomp_create(const char *name, struct zcomp_params *params);
void zcomp_destroy(struct zcomp *comp);

struct zcomp_strm *zcomp_stream_get(struct zcomp *comp);
void zcomp_stream_put(struct zcomp *comp);

/*
 * Compress PAGE_SIZE bytes at @src into zstrm->buffer; *@dst_len gets the
 * compressed length.  0 on success, negative errno otherwise.
 */
int zcomp_compress(struct zcomp *comp, struct zcomp_strm *zstrm,
		   const void *src, unsigned int *dst_len);
/*
 * Decompress @src_len bytes at @src into the PAGE_SIZE buffer @dst.
 * Fails with a negative errno unless exactly PAGE_SIZE bytes come out;
 * never writes past @dst + PAGE_SIZE.
 */
int zcomp_decompress(struct zcomp *comp, struct zcomp_strm *zstrm,
		     const void *src, unsigned int src_len, void *dst);

#endif /* _ZRAM_OOT_ZCOMP_H */
