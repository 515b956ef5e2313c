// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhog: allocate MiB of anonymous memory, fill every page with content
 * derived from its index (half pseudo-random, half a repeated word, so it
 * compresses about 2:1), then verify every page.  Used to push a
 * memory-limited cgroup into swap.
 *
 * Usage: memhog MIB [PASSES]
 * Prints "filled", then "verified N pages" after each pass; if stdin is a
 * pipe/fifo it waits for a line on stdin before the final verification so a
 * caller can inspect swap usage while the memory is still held.
 * Exit 0 on success, 1 on a content mismatch, 2 on bad usage/allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096UL

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void fill(uint64_t *p, size_t idx)
{
	size_t i, n = PG / sizeof(*p);

	for (i = 0; i < n / 2; i++)
		p[i] = mix(idx * n + i);
	for (; i < n; i++)
		p[i] = idx;
}

static long verify(unsigned char *mem, size_t pages)
{
	uint64_t want[PG / sizeof(uint64_t)];
	size_t i;
	long bad = 0;

	for (i = 0; i < pages; i++) {
		fill(want, i);
		if (memcmp(mem + i * PG, want, PG)) {
			if (bad < 5)
				fprintf(stderr, "memhog: page %zu corrupted\n", i);
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	size_t pages, i;
	unsigned char *mem;
	int passes, p;
	struct stat st;
	char line[64];

	if (argc < 2 || atol(argv[1]) <= 0) {
		fprintf(stderr, "usage: memhog MIB [PASSES]\n");
		return 2;
	}
	pages = (size_t)atol(argv[1]) * (1 << 20) / PG;
	passes = argc > 2 ? atoi(argv[2]) : 1;
	mem = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("memhog: mmap");
		return 2;
	}
	for (i = 0; i < pages; i++)
		fill((uint64_t *)(mem + i * PG), i);
	printf("filled %zu pages\n", pages);
	fflush(stdout);
	for (p = 0; p < passes; p++) {
		if (verify(mem, pages))
			return 1;
		printf("verified %zu pages\n", pages);
		fflush(stdout);
	}
	if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode)) {
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
		if (verify(mem, pages))
			return 1;
		printf("verified %zu pages\n", pages);
	}
	return 0;
}
