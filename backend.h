/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compression backends known to zcomp.c.
 *
 * Each backend_*.c file defines one (backend_lzo.c: two) struct
 * zcomp_backend.  They are private to the zcomp layer; users go through
 * zcomp.h.
 */
#ifndef _ZRAM_OOT_BACKEND_H
#define _ZRAM_OOT_BACKEND_H

#include "zcomp.h"

/**
 * struct zcomp_backend - one compression library behind zcomp
 * @name: the algorithm's name, as comp_algorithm lists it
 * @prepare: check @conf (-EINVAL for a level or a dictionary the backend
 *	does not take) and derive the shared state from it, stored in
 *	*@shared (left NULL when there is none).  May sleep.  On failure
 *	nothing is left allocated
 * @release: free the shared state @prepare made; NULL when @prepare
 *	never makes any
 * @alloc_work: allocate one CPU's work state for instance @comp (whose
 *	@conf and @shared are set) into *@work.  May sleep.  On failure
 *	nothing is left allocated
 * @free_work: free a work state made by @alloc_work
 * @compress: compress @src_len bytes at @src into @dst, which has room
 *	for @dst_cap bytes, using the instance's shared state and this
 *	CPU's @work.  Atomic context.  Returns the number of bytes written
 *	(> 0), or a negative errno (the output would not fit, or the
 *	library failed); never writes past @dst + @dst_cap
 * @decompress: decompress @src_len bytes at @src into @dst, room
 *	@dst_cap bytes.  Atomic context.  Returns the number of bytes
 *	written, or -EINVAL for input that is not one complete, valid
 *	stream that fits; never writes past @dst + @dst_cap nor reads past
 *	@src + @src_len
 * @decompress_anywhere: @decompress uses neither @work nor the shared
 *	state and may run in any context, interrupts included (the LZO
 *	and LZ4 decompressors): zcomp_decompress_anywhere() calls it
 *	without a stream
 *
 * The callbacks for one instance never run concurrently with @prepare
 * or @release; @compress and @decompress run concurrently on different
 * CPUs, each with its own @work, and treat the shared state as
 * read-only.
 */
struct zcomp_backend {
	const char *name;
	int (*prepare)(const struct zcomp_conf *conf, void **shared);
	void (*release)(void *shared);
	int (*alloc_work)(const struct zcomp *comp, void **work);
	void (*free_work)(void *work);
	int (*compress)(const struct zcomp *comp, void *work,
			const void *src, size_t src_len,
			void *dst, size_t dst_cap);
	int (*decompress)(const struct zcomp *comp, void *work,
			  const void *src, size_t src_len,
			  void *dst, size_t dst_cap);
	bool decompress_anywhere;
};

extern const struct zcomp_backend zcomp_lzo_backend;
extern const struct zcomp_backend zcomp_lzorle_backend;
extern const struct zcomp_backend zcomp_lz4_backend;
extern const struct zcomp_backend zcomp_lz4hc_backend;
extern const struct zcomp_backend zcomp_zstd_backend;
extern const struct zcomp_backend zcomp_deflate_backend;

/*
 * A backend is built only when the kernel has its library (Kbuild, same
 * conditions): ZCOMP_BE_<NAME> is its table or NULL, and
 * ZCOMP_NEEDS_<NAME> names the options it needs, for the message that
 * refuses a write naming it.  LZ4HC shares LZ4's decompressor.
 */
#define ZCOMP_HAVE_LZO		(IS_ENABLED(CONFIG_LZO_COMPRESS) && \
				 IS_ENABLED(CONFIG_LZO_DECOMPRESS))
#define ZCOMP_HAVE_LZ4		(IS_ENABLED(CONFIG_LZ4_COMPRESS) && \
				 IS_ENABLED(CONFIG_LZ4_DECOMPRESS))
#define ZCOMP_HAVE_LZ4HC	(ZCOMP_HAVE_LZ4 && \
				 IS_ENABLED(CONFIG_LZ4HC_COMPRESS))
#define ZCOMP_HAVE_ZSTD		(IS_ENABLED(CONFIG_ZSTD_COMPRESS) && \
				 IS_ENABLED(CONFIG_ZSTD_DECOMPRESS))
#define ZCOMP_HAVE_DEFLATE	(IS_ENABLED(CONFIG_ZLIB_DEFLATE) && \
				 IS_ENABLED(CONFIG_ZLIB_INFLATE))

#define ZCOMP_NEEDS_LZO		"CONFIG_LZO_COMPRESS and CONFIG_LZO_DECOMPRESS"
#define ZCOMP_NEEDS_LZ4		"CONFIG_LZ4_COMPRESS and CONFIG_LZ4_DECOMPRESS"
#define ZCOMP_NEEDS_LZ4HC	"CONFIG_LZ4HC_COMPRESS, " ZCOMP_NEEDS_LZ4
#define ZCOMP_NEEDS_ZSTD	"CONFIG_ZSTD_COMPRESS and CONFIG_ZSTD_DECOMPRESS"
#define ZCOMP_NEEDS_DEFLATE	"CONFIG_ZLIB_DEFLATE and CONFIG_ZLIB_INFLATE"

#define ZCOMP_BE_LZO		(ZCOMP_HAVE_LZO ? &zcomp_lzo_backend : NULL)
#define ZCOMP_BE_LZORLE		(ZCOMP_HAVE_LZO ? &zcomp_lzorle_backend : NULL)
#define ZCOMP_BE_LZ4		(ZCOMP_HAVE_LZ4 ? &zcomp_lz4_backend : NULL)
#define ZCOMP_BE_LZ4HC		(ZCOMP_HAVE_LZ4HC ? &zcomp_lz4hc_backend : NULL)
#define ZCOMP_BE_ZSTD		(ZCOMP_HAVE_ZSTD ? &zcomp_zstd_backend : NULL)
#define ZCOMP_BE_DEFLATE	(ZCOMP_HAVE_DEFLATE ? &zcomp_deflate_backend : NULL)

/**
 * zcomp_level_or() - the configured level, or a backend's default
 * @conf: the instance's configuration
 * @dflt: the level to use when the user set none
 *
 * Return: @conf->level, or @dflt when it is %ZCOMP_LEVEL_DEFAULT.
 */
static inline s32 zcomp_level_or(const struct zcomp_conf *conf, s32 dflt)
{
	return conf->level == ZCOMP_LEVEL_DEFAULT ? dflt : conf->level;
}

/**
 * zcomp_be_check_conf() - @prepare for backends without a dictionary
 * @conf: the configuration to check
 * @min: lowest level accepted
 * @max: highest level accepted; @min > @max accepts (and ignores) any
 *
 * Return: 0 when @conf has no dictionary and its level is unset or in
 * range, -EINVAL otherwise.
 */
int zcomp_be_check_conf(const struct zcomp_conf *conf, s32 min, s32 max);

/**
 * zcomp_be_alloc_work() - @alloc_work for plain library work memory
 * @size: bytes of work memory the library wants
 * @work: where to store the allocation
 *
 * Return: 0, or -ENOMEM.
 */
int zcomp_be_alloc_work(size_t size, void **work);

/**
 * zcomp_be_free_work() - @free_work for zcomp_be_alloc_work()'s memory
 * @work: the work memory
 */
void zcomp_be_free_work(void *work);

/**
 * zcomp_be_lz4_decompress() - @decompress of both LZ4 backends
 * @comp: the instance (unused: LZ4 decoding needs no state)
 * @work: the CPU's work state (unused)
 * @src: the compressed stream
 * @src_len: its length in bytes
 * @dst: where the output goes
 * @dst_cap: room at @dst
 *
 * LZ4 and LZ4HC write the same format, so one decompressor serves both.
 *
 * Return: bytes written, or -EINVAL for a corrupt stream.
 */
int zcomp_be_lz4_decompress(const struct zcomp *comp, void *work,
			    const void *src, size_t src_len,
			    void *dst, size_t dst_cap);

#endif /* _ZRAM_OOT_BACKEND_H */
