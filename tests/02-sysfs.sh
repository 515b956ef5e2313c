#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Per-device sysfs attributes: disksize, initstate, reset, comp_algorithm,
# max_comp_streams, mem_limit, mem_used_max, compact, mm_stat, io_stat,
# debug_stat.  Every bad write must return a clear errno and change nothing.
#
# debug-guest: no (value formats and errnos, checked on both Debian
# kernels; in the debug guest 12-torture's fuzzer writes every writable
# attribute under KASAN, lockdep and kmemleak instead)
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
ncols() { awk '{print NF}' "$z/$1"; }

# --- fresh device
check_eq "initstate of a fresh device is 0" 0 "$(zattr 0 initstate)"
check_eq "disksize of a fresh device is 0" 0 "$(zattr 0 disksize)"
check_eq "mm_stat has exactly 9 columns" 9 "$(ncols mm_stat)"
check_eq "mm_stat of a fresh device is all zeros" "0 0 0 0 0 0 0 0 0" \
	"$(xargs <"$z/mm_stat")"
check_eq "io_stat has exactly 4 columns" 4 "$(ncols io_stat)"
check "debug_stat exists and is readable" cat "$z/debug_stat"
check_eq "initstate is read-only" EACCES "$(write_errno "$z/initstate" 1)"

# --- comp_algorithm
algs=$(zattr 0 comp_algorithm)
check "comp_algorithm brackets exactly one algorithm" \
	test "$(grep -o '\[[a-z0-9-]*\]' <<<"$algs" | wc -l)" = 1
stock_differs "lists only the compressors its build/crypto API offers"
check_eq "comp_algorithm lists our six algorithms" "deflate lz4 lz4hc lzo lzo-rle zstd" \
	"$(tr -d '[]' <<<"$algs" | xargs -n1 | sort | xargs)"
for a in lzo lzo-rle lz4 lz4hc zstd deflate; do
	grep -qw -- "$a" "$z/comp_algorithm" || stock_differs "no $a"
	if expect_errno "comp_algorithm accepts $a before init" OK "$z/comp_algorithm" "$a"; then
		grep -q "\[$a\]" "$z/comp_algorithm" || stock_differs "no $a"
		check "comp_algorithm shows [$a] after selecting it" grep -q "\[$a\]" "$z/comp_algorithm"
	fi
done
first=$(zram_algorithms | head -n1)
echo "$first" >"$z/comp_algorithm"
expect_errno "unknown algorithm: EINVAL" EINVAL "$z/comp_algorithm" nosuchalg
check "failed write left the algorithm unchanged" grep -q "\[$first\]" "$z/comp_algorithm"

# --- disksize
expect_errno "disksize 0: EINVAL" EINVAL "$z/disksize" 0
expect_errno "disksize garbage: EINVAL" EINVAL "$z/disksize" foo
expect_errno "disksize negative: EINVAL" EINVAL "$z/disksize" -5
check_eq "bad disksize writes left it at 0" "0 0" "$(zattr 0 disksize) $(zattr 0 initstate)"
for pair in 1048576:1048576 64K:65536 3m:3145728 2M:2097152 1G:1073741824 12345:16384; do
	in=${pair%%:*} want=${pair#*:}
	zram_reset 0
	if expect_errno "disksize accepts $in" OK "$z/disksize" "$in"; then
		check_eq "disksize $in reads back as $want bytes" "$want" "$(zattr 0 disksize)"
	fi
done
check_eq "initstate is 1 once disksize is set" 1 "$(zattr 0 initstate)"
check_eq "block device size matches disksize" 16384 "$(blockdev --getsize64 /dev/zram0)"
expect_errno "disksize on an initialized device: EBUSY" EBUSY "$z/disksize" 1G
check_eq "refused disksize left it unchanged" 16384 "$(zattr 0 disksize)"
expect_errno "comp_algorithm after init: EBUSY" EBUSY "$z/comp_algorithm" lz4hc
check "comp_algorithm survives reset and EBUSY (still [$first], as in the kernel)" \
	grep -q "\[$first\]" "$z/comp_algorithm"

# --- reset
zram_reset 0
second=$(zram_algorithms | sed -n 2p)
echo "$second" >"$z/comp_algorithm"
zwrite 0 disksize 64M
check "comp_algorithm after init shows the chosen one bracketed" \
	grep -q "\[$second\]" "$z/comp_algorithm"
dd if=/dev/urandom of=/dev/zram0 bs=64K count=32 oflag=direct status=none
check "data written makes mm_stat non-zero" test "$(zcol 0 mm_stat 1)" -gt 0
expect_errno "reset 0: EINVAL" EINVAL "$z/reset" 0
expect_errno "reset garbage: EINVAL" EINVAL "$z/reset" foo
check_eq "refused reset kept the device" 67108864 "$(zattr 0 disksize)"
exec 3</dev/zram0
expect_errno "reset while open: EBUSY" EBUSY "$z/reset" 1
exec 3<&-
check_eq "refused reset kept the data" 2097152 "$(zcol 0 mm_stat 1)"
expect_errno "reset 1 on an idle device" OK "$z/reset" 1
check_eq "reset brings disksize back to 0" 0 "$(zattr 0 disksize)"
check_eq "reset brings initstate back to 0" 0 "$(zattr 0 initstate)"
check_eq "reset frees everything: mm_stat all zeros" "0 0 0 0 0 0 0 0 0" \
	"$(xargs <"$z/mm_stat")"
check_eq "reset zeroes io_stat" "0 0 0 0" "$(xargs <"$z/io_stat")"
check_eq "block device size is 0 after reset" 0 "$(blockdev --getsize64 /dev/zram0)"
expect_errno "reset of an uninitialized device is fine" OK "$z/reset" 1

# --- max_comp_streams, mem_limit, mem_used_max, compact
zwrite 0 disksize 64M
check "max_comp_streams reads a number" grep -qE '^[0-9]+$' "$z/max_comp_streams"
expect_errno "max_comp_streams accepts a write" OK "$z/max_comp_streams" 4
check "max_comp_streams still reads a number" grep -qE '^[0-9]+$' "$z/max_comp_streams"

check_eq "mem_limit is write-only" "--w-------" "$(stat -c %A "$z/mem_limit")"
expect_errno "mem_limit 2M" OK "$z/mem_limit" 2M
check_eq "mm_stat mem_limit column shows 2M" 2097152 "$(zcol 0 mm_stat 4)"
expect_errno "mem_limit garbage: EINVAL" EINVAL "$z/mem_limit" foo
check_eq "bad mem_limit left the limit unchanged" 2097152 "$(zcol 0 mm_stat 4)"
expect_errno "mem_limit in bytes" OK "$z/mem_limit" 8388608
check_eq "mem_limit bytes reads back in mm_stat" 8388608 "$(zcol 0 mm_stat 4)"
expect_errno "mem_limit 0 (unlimited)" OK "$z/mem_limit" 0
check_eq "mem_limit 0 shows as 0" 0 "$(zcol 0 mm_stat 4)"

dd if=/dev/urandom of=/dev/zram0 bs=64K count=16 oflag=direct status=none
check "mem_used_max is non-zero after writes" test "$(zcol 0 mm_stat 5)" -gt 0
expect_errno "mem_used_max 1: EINVAL" EINVAL "$z/mem_used_max" 1
expect_errno "mem_used_max garbage: EINVAL" EINVAL "$z/mem_used_max" foo
expect_errno "mem_used_max 0 resets it" OK "$z/mem_used_max" 0
check "mem_used_max after reset equals current usage" \
	test "$(zcol 0 mm_stat 5)" -le "$(zcol 0 mm_stat 3)"

expect_errno "compact on an initialized device" OK "$z/compact" 1
check "mm_stat pages_compacted is a number" grep -qE '^ *([0-9]+ +){6}[0-9]+' "$z/mm_stat"
check_eq "mm_stat still has 9 columns" 9 "$(ncols mm_stat)"
check_eq "io_stat still has 4 columns" 4 "$(ncols io_stat)"
check "debug_stat readable on an initialized device" cat "$z/debug_stat"
check_eq "stat has at least 11 columns" 1 "$(awk '{print (NF >= 11)}' "$z/stat")"
zram_reset 0

# --- edge inputs: the kernel's zram (6.1 and 6.12) decides what is taken
# and what it means; we refuse only what it refuses, or trailing garbage
# that its memparse() would silently drop.
# disksize, mem_limit: memparse() numbers (0x hex, 0 octal) + K..E
for pair in 0x10K:16384 0100K:65536 010:4096 "5 :4096" "0X1m:1048576"; do
	in=${pair%%:*} want=${pair#*:}
	zram_reset 0
	if expect_errno "disksize '$in' OK" OK "$z/disksize" "$in"; then
		check_eq "disksize '$in' reads $want" "$want" "$(zattr 0 disksize)"
	fi
done
zram_reset 0
for in in +5 " 5" -1 18446744073709551616; do
	expect_errno "disksize '$in': EINVAL" EINVAL "$z/disksize" "$in"
done
stock_differs "memparse() drops trailing garbage"
expect_errno "disksize '5x': EINVAL" EINVAL "$z/disksize" 5x
stock_differs "the kernel fails the allocation: ENOMEM"
expect_errno "disksize 16E-1: EINVAL" EINVAL "$z/disksize" 18446744073709551615
check_eq "refused disksizes left it at 0" 0 "$(zattr 0 disksize)"
zwrite 0 disksize 1M
for pair in 0x10K:16384 0100K:65536 010:4096 1:4096 "5 :4096" \
	18446744073709551615:0 0:0; do
	in=${pair%%:*} want=${pair#*:}
	if expect_errno "mem_limit '$in' OK" OK "$z/mem_limit" "$in"; then
		check_eq "mem_limit '$in' shows $want" "$want" "$(zcol 0 mm_stat 4)"
	fi
done
for in in +5 " 5" -1 foo; do
	expect_errno "mem_limit '$in': EINVAL" EINVAL "$z/mem_limit" "$in"
done
stock_differs "memparse() drops trailing garbage"
expect_errno "mem_limit '5x': EINVAL" EINVAL "$z/mem_limit" 5x
check_eq "refused mem_limits left it at 0" 0 "$(zcol 0 mm_stat 4)"
# mem_used_max: exactly 0 (decimal)
for in in 00 +0; do
	expect_errno "mem_used_max '$in' OK" OK "$z/mem_used_max" "$in"
done
for in in 1 0x0 -0x1 " 0" 0x; do
	expect_errno "mem_used_max '$in': EINVAL" EINVAL "$z/mem_used_max" "$in"
done
# max_comp_streams: any write is taken and ignored
for in in 0 -1 0x10 x 18446744073709551616; do
	expect_errno "max_comp_streams '$in' OK (ignored)" OK "$z/max_comp_streams" "$in"
done
check "max_comp_streams still reads a number" grep -qE '^[0-9]+$' "$z/max_comp_streams"
# compact: any write on an initialized device
expect_errno "compact 'x' OK" OK "$z/compact" x
# reset: a 16-bit decimal number other than 0
for in in 0 0x1 -1 " 1" 1x; do
	expect_errno "reset '$in': EINVAL" EINVAL "$z/reset" "$in"
done
for in in 65536 18446744073709551615; do
	expect_errno "reset '$in': ERANGE" ERANGE "$z/reset" "$in"
done
check_eq "refused resets kept the device" 1 "$(zattr 0 initstate)"
for in in +1 010 2 65535; do
	zwrite 0 disksize 1M
	expect_errno "reset '$in' OK" OK "$z/reset" "$in"
	check_eq "reset '$in' reset it" 0 "$(zattr 0 initstate)"
	zram_reset 0
done
# compact and idle before disksize: EINVAL
expect_errno "compact before disksize: EINVAL" EINVAL "$z/compact" 1
expect_errno "idle before disksize: EINVAL" EINVAL "$z/idle" all
# idle: "all" or a kstrtoull(base 0) number of seconds; 0 is every page
zwrite 0 disksize 1M
dd if=/dev/urandom of=/dev/zram0 bs=4096 count=2 oflag=direct status=none
for in in all 0 0x10 010 +5 18446744073709551615; do
	expect_errno "idle '$in' OK" OK "$z/idle" "$in"
done
for in in -1 " 5" 5x all5 ALL 18446744073709551616; do
	expect_errno "idle '$in': EINVAL" EINVAL "$z/idle" "$in"
done
# hot_remove: a decimal int
for in in 0x10 -1 " 5" 5x; do
	expect_errno "hot_remove '$in': EINVAL" EINVAL /sys/class/zram-control/hot_remove "$in"
done
expect_errno "hot_remove 2^64: ERANGE" ERANGE /sys/class/zram-control/hot_remove \
	18446744073709551616
for in in 999 +999 0999; do
	expect_errno "hot_remove '$in': ENODEV" ENODEV /sys/class/zram-control/hot_remove "$in"
done
id=$(cat /sys/class/zram-control/hot_add)
expect_errno "hot_remove '+$id' OK" OK /sys/class/zram-control/hot_remove "+$id"
check "zram$id gone" test ! -e "/sys/block/zram$id"
zram_reset 0

# --- an embedded NUL: the parsers read C strings, so "4\0junk" would be
# taken as "4"; every store except compact refuses such a write whole.
# (The kernel's zram takes the prefix: stock_differs.)
nul_refused() {	# nul_refused ATTR-FILE FORMAT STATE-CMD...
	local f=$1 in=$2 before

	shift 2
	before=$("$@")
	stock_differs "parses up to the NUL"
	check_eq "$(basename "$f") '$in': EINVAL" EINVAL "$(write_raw_errno "$f" "$in")"
	stock_differs "took the prefix"
	check_eq "$(basename "$f") '$in' changed nothing" "$before" "$("$@")"
}
four_pages() {	# a fresh 1M zram0 holding 4 random pages
	zram_reset 0
	zwrite 0 disksize 1M
	dd if=/dev/urandom of=/dev/zram0 bs=4096 count=4 oflag=direct status=none
}
nul_refused "$z/disksize" '1M\0junk' zattr 0 disksize
nul_refused "$z/comp_algorithm" 'lz4\0' cat "$z/comp_algorithm"
four_pages
nul_refused "$z/reset" '1\0' zattr 0 initstate
nul_refused "$z/mem_limit" '1M\0' zcol 0 mm_stat 4
nul_refused "$z/mem_used_max" '0\0x' zcol 0 mm_stat 5
nul_refused "$z/max_comp_streams" '2\0' zattr 0 max_comp_streams
mount_debugfs
idle_pages() { awk '$3 ~ /i/' "$DEBUGFS/zram/zram0/block_state" | wc -l; }
check_eq "no page is idle yet" 0 "$(idle_pages)"
nul_refused "$z/idle" '0\0junk' idle_pages
nul_refused "$z/idle" 'all\0' idle_pages
id=$(cat /sys/class/zram-control/hot_add)
nul_refused /sys/class/zram-control/hot_remove "$id\\0" ls /sys/block/
echo "$id" >/sys/class/zram-control/hot_remove 2>/dev/null
# (Against the kernel's zram, zram0 was reset above: set it up again.)
four_pages
check_eq "a NUL in compact's input is ignored like the rest" OK \
	"$(write_raw_errno "$z/compact" '1\0x')"
check_eq "a NUL-free raw write still works (idle all)" OK \
	"$(write_raw_errno "$z/idle" 'all')"
check_eq "... and marked the 4 pages idle" 4 "$(idle_pages)"
zram_reset 0

done_testing
