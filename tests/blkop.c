// SPDX-License-Identifier: GPL-2.0-only
/*
 * blkop: the block-device requests the tests make and the pages they
 * write, in one small static process: a Python start costs about 0.9 s in the debug guest (KASAN,
 * kmemleak, lockdep under TCG) and 0.25 s in a Debian guest, this 65 ms
 * and 10 ms (measured).
 *
 * Usage: blkop discard DEV FIRST COUNT   one BLKDISCARD of pages FIRST..
 *        blkop zeroout DEV FIRST COUNT   one BLKZEROOUT of pages FIRST..
 *        blkop discard-each DEV PAGE...  one BLKDISCARD of each PAGE
 *        blkop excl DEV                  open(O_RDWR | O_EXCL): prints OK
 *                                        or the errno's name (EBUSY, ...)
 *        blkop pattern write|read|sizes DEV PAGES [FIRST [CHUNK]]
 *                write (or read) PAGES pages from page FIRST (0) on,
 *                CHUNK pages (64) per O_DIRECT request; prints the hash
 *                of all the bytes.  Page p holds 2 KiB of pseudo-random
 *                bytes seeded by p, then 2 KiB of zeros: about 2:1
 *                compressible, and different in every page.  "sizes"
 *                writes pages of 64 compressibilities instead: page p
 *                starts with 100 + 60 * (p % 64) pseudo-random bytes.
 *        blkop hash              the hash of stdin, the same function
 *        blkop text PREFIX WORDS SEED...
 *                to stdout, one 4096-byte page of text for each SEED:
 *                words PREFIX0..PREFIX<WORDS - 1> picked by a generator
 *                seeded by SEED, a space after each (about 2:1 with
 *                lz4); equal seeds give equal pages.
 *        blkop pages NRAND SEED COUNT
 *                to stdout, COUNT pages: page i holds NRAND pseudo-random
 *                bytes (generator seeded by SEED * 100003 + i), then zeros
 *        blkop same-pages FILE   how many of FILE's whole pages are one
 *                                repeated 8-byte word (same-filled)
 *        blkop same DEV FIRST COUNT FILE
 *                exit 0 when COUNT pages of DEV from page FIRST, read with
 *                O_DIRECT a page per request, equal FILE (COUNT pages
 *                long), else 1 and the first differing byte on stderr
 *                (what dd bs=4096 | cmp tells, in one process, not two)
 * The hash is 64-bit FNV-1a, in 16 hex digits: it compares data written
 * with data read, nothing adversarial.
 * A page is 4096 bytes.  Exit 0 when every request succeeded, 1 when one
 * failed (the reason on stderr; the requests before it were made), 2 on
 * bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PG 4096ULL
#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static int bad_usage(void)
{
	fputs("usage: blkop discard|zeroout DEV FIRST COUNT\n"
	      "       blkop discard-each DEV PAGE...\n"
	      "       blkop excl DEV\n"
	      "       blkop pattern write|read|sizes DEV PAGES [FIRST [CHUNK]]\n"
	      "       blkop hash\n"
	      "       blkop text PREFIX WORDS SEED...\n"
	      "       blkop pages NRAND SEED COUNT\n"
	      "       blkop same-pages FILE\n"
	      "       blkop same DEV FIRST COUNT FILE\n", stderr);
	return 2;
}

/* A page number or count: decimal digits only, small enough for bytes. */
static int page_arg(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT64_MAX / PG)
		return -1;
	*out = v;
	return 0;
}

static int range(int fd, unsigned long req, const char *name,
		 uint64_t first, uint64_t count)
{
	uint64_t r[2] = { first * PG, count * PG };

	if (ioctl(fd, req, r) == 0)
		return 0;
	fprintf(stderr, "blkop: %s of pages %llu+%llu: %s\n", name,
		(unsigned long long)first, (unsigned long long)count,
		strerror(errno));
	return 1;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Page p's content: nrand bytes of splitmix64, from a state that is p
 * times another odd constant (p times the increment would make page
 * p + 1 page p shifted by a word), then zeros.
 */
static void fill_page(unsigned char *page, uint64_t p, size_t nrand)
{
	uint64_t x = p * 0xd1b54a32d192ed03ULL, z;
	size_t i;

	for (i = 0; i < nrand; i += 8) {
		z = splitmix(&x);
		memcpy(page + i, &z, nrand - i < 8 ? nrand - i : 8);
	}
	memset(page + nrand, 0, PG - nrand);
}

static int pattern(int argc, char **argv)
{
	uint64_t n, first = 0, chunk = 64, base, k, i, h = FNV_BASIS;
	int wr, sizes, fd;
	unsigned char *buf;
	ssize_t done;

	if (argc < 5 || argc > 7)
		return bad_usage();
	sizes = !strcmp(argv[2], "sizes");
	wr = sizes || !strcmp(argv[2], "write");
	if ((!wr && strcmp(argv[2], "read")) || page_arg(argv[4], &n) ||
	    (argc > 5 && page_arg(argv[5], &first)) ||
	    (argc > 6 && page_arg(argv[6], &chunk)) || !chunk || chunk > 4096)
		return bad_usage();
	if (posix_memalign((void **)&buf, PG, chunk * PG)) {
		fputs("blkop: out of memory\n", stderr);
		return 1;
	}
	fd = open(argv[3], (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "blkop: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	for (base = first; base < first + n; base += k) {
		k = first + n - base < chunk ? first + n - base : chunk;
		if (wr)
			for (i = 0; i < k; i++)
				fill_page(buf + i * PG, base + i, sizes ?
					  100 + 60 * ((base + i) % 64) : PG / 2);
		done = wr ? pwrite(fd, buf, k * PG, base * PG) :
			    pread(fd, buf, k * PG, base * PG);
		if (done != (ssize_t)(k * PG)) {
			fprintf(stderr, "blkop: %s of pages %llu+%llu: %s\n",
				wr ? "write" : "read", (unsigned long long)base,
				(unsigned long long)k,
				done < 0 ? strerror(errno) : "short");
			close(fd);
			return 1;
		}
		h = fnv(h, buf, k * PG);
	}
	close(fd);
	free(buf);
	printf("%016llx\n", (unsigned long long)h);
	return 0;
}

static int hash_stdin(void)
{
	unsigned char buf[65536];
	uint64_t h = FNV_BASIS;
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		h = fnv(h, buf, n);
	if (n < 0) {
		fprintf(stderr, "blkop: stdin: %s\n", strerror(errno));
		return 1;
	}
	printf("%016llx\n", (unsigned long long)h);
	return 0;
}

static int text(int argc, char **argv)
{
	char page[PG + 64];
	uint64_t words, seed, x;
	size_t len;
	int i;

	if (argc < 4 || page_arg(argv[3], &words) || !words ||
	    strlen(argv[2]) > 32)
		return bad_usage();
	for (i = 4; i < argc; i++)
		if (page_arg(argv[i], &seed))
			return bad_usage();
	for (i = 4; i < argc; i++) {
		page_arg(argv[i], &seed);
		x = seed * 0xd1b54a32d192ed03ULL;
		for (len = 0; len < PG; )
			len += sprintf(page + len, "%s%llu ", argv[2],
				       (unsigned long long)(splitmix(&x) % words));
		if (fwrite(page, 1, PG, stdout) != PG)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

static int pages(char **argv)
{
	unsigned char page[PG];
	uint64_t nrand, seed, count, i;

	if (page_arg(argv[2], &nrand) || nrand > PG ||
	    page_arg(argv[3], &seed) || seed > UINT64_MAX / 200000 ||
	    page_arg(argv[4], &count))
		return bad_usage();
	for (i = 0; i < count; i++) {
		fill_page(page, seed * 100003 + i, nrand);
		if (fwrite(page, 1, PG, stdout) != PG)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

static int same_pages(const char *path)
{
	unsigned char page[PG];
	unsigned long long n = 0;
	size_t i;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "blkop: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fread(page, 1, PG, f) == PG) {
		for (i = 8; i < PG && !memcmp(page + i, page, 8); i += 8)
			;
		n += i == PG;
	}
	fclose(f);
	printf("%llu\n", n);
	return 0;
}

/*
 * Does a stretch of the device read back as FILE?  One page per O_DIRECT
 * request, as the dd bs=4096 it replaces: a single-page bio each.
 */
static int same(char **argv)
{
	uint64_t first, n, p;
	unsigned char file[PG], *dev;
	int fd, rc = 1;
	ssize_t got;
	size_t fgot, i;
	FILE *f;

	if (page_arg(argv[3], &first) || page_arg(argv[4], &n))
		return bad_usage();
	if (posix_memalign((void **)&dev, PG, PG)) {
		fputs("blkop: out of memory\n", stderr);
		return 1;
	}
	f = fopen(argv[5], "rb");
	fd = open(argv[2], O_RDONLY | O_DIRECT);
	if (!f || fd < 0) {
		fprintf(stderr, "blkop: %s: %s\n", f ? argv[2] : argv[5],
			strerror(errno));
		goto out;
	}
	for (p = 0; p < n; p++) {
		got = pread(fd, dev, PG, (first + p) * PG);
		if (got != (ssize_t)PG) {
			fprintf(stderr, "blkop: read of page %llu: %s\n",
				(unsigned long long)(first + p),
				got < 0 ? strerror(errno) : "short");
			goto out;
		}
		fgot = fread(file, 1, PG, f);
		for (i = 0; i < fgot && dev[i] == file[i]; i++)
			;
		if (i < PG) {
			fprintf(stderr, "blkop: %s pages %llu+%llu differ from %s at byte %llu%s\n",
				argv[2], (unsigned long long)first,
				(unsigned long long)n, argv[5],
				(unsigned long long)(p * PG + i),
				i == fgot ? " (end of the file)" : "");
			goto out;
		}
	}
	if (fgetc(f) != EOF) {
		fprintf(stderr, "blkop: %s is longer than %llu pages\n",
			argv[5], (unsigned long long)n);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (f)
		fclose(f);
	free(dev);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t first, count;
	const char *name;
	int fd, i, rc = 0;

	if (argc == 2 && !strcmp(argv[1], "hash"))
		return hash_stdin();
	if (argc > 1 && !strcmp(argv[1], "pattern"))
		return pattern(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "text"))
		return text(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "pages"))
		return pages(argv);
	if (argc == 3 && !strcmp(argv[1], "same-pages"))
		return same_pages(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "same"))
		return same(argv);
	if (argc < 3)
		return bad_usage();
	if (!strcmp(argv[1], "excl")) {
		if (argc != 3)
			return bad_usage();
		fd = open(argv[2], O_RDWR | O_EXCL);
		if (fd < 0) {
			name = strerrorname_np(errno);
			printf("%s\n", name ? name : "EUNKNOWN");
			return 0;
		}
		close(fd);
		puts("OK");
		return 0;
	}
	if (!strcmp(argv[1], "discard-each")) {
		for (i = 3; i < argc; i++)
			if (page_arg(argv[i], &first))
				return bad_usage();
	} else if (!strcmp(argv[1], "discard") || !strcmp(argv[1], "zeroout")) {
		if (argc != 5 || page_arg(argv[3], &first) ||
		    page_arg(argv[4], &count))
			return bad_usage();
	} else {
		return bad_usage();
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "blkop: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "discard"))
		rc = range(fd, BLKDISCARD, "BLKDISCARD", first, count);
	else if (!strcmp(argv[1], "zeroout"))
		rc = range(fd, BLKZEROOUT, "BLKZEROOUT", first, count);
	else
		for (i = 3; i < argc && !rc; i++) {
			page_arg(argv[i], &first);
			rc = range(fd, BLKDISCARD, "BLKDISCARD", first, 1);
		}
	close(fd);
	return rc;
}
