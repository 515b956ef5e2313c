#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Multi-page bios spread over CPUs (zram_par.c), in a 4-CPU guest, and
# readahead read by other CPUs (async_readahead, below).  A read
# or write bio of at least 2 * parallel_pages pages is cut into
# min(online CPUs, pages / parallel_pages, 8) parts, all but the first
# queued to other CPUs: <debugfs>/zram/zram0/parallel counts the bios and
# parts exactly.  Every byte must read back, whatever the split, and
# while CPUs go offline and online under a stream of 1 MiB bios.
#
# guest-args: -s 4 -H 256
# (the DIMM: the same guest as 13-migrate, so make check boots it once)
. "$(dirname "$0")/lib.sh"

PARAM=/sys/module/zram/parameters/parallel_pages
CPUS=$(nproc)

# par FIELD: a counter of <debugfs>/zram/zram0/parallel.
par() { awk -v f="$1" '$1 == f { print $2 }' "$DEBUGFS/zram/zram0/parallel"; }

check_eq "the guest has 4 CPUs online" 4 "$CPUS"
zram_setup 0 256M lz4 || t_abort 1

# Stock zram splits nothing and has none of this: data checks only.
ours=1
[ "$ZRAM_TEST_STOCK" = 1 ] && ours=0
if [ $ours = 1 ]; then
	mount_debugfs
	check_eq "parallel_pages defaults to 32" 32 "$(cat $PARAM)"
	check_eq "the parallel counters start at 0" \
		0/0 "$(par bios)/$(par parts)"
fi

# 32 MiB in 1 MiB bios (256 pages: 8 parts of 32 allowed, 4 CPUs: 4).
want=$(zpattern write /dev/zram0 8192 0 256)
check_eq "1 MiB bios: every byte reads back" \
	"$want" "$(zpattern read /dev/zram0 8192 0 256)"
if [ $ours = 1 ]; then
	check_eq "64 bios (32 written, 32 read) were split" 64 "$(par bios)"
	check_eq "each into 4 parts: 3 per bio queued to other CPUs" \
		192 "$(par parts)"
fi
check_eq "no failed reads or writes" \
	0/0 "$(zcol 0 io_stat 1)/$(zcol 0 io_stat 2)"

if [ $ours = 1 ]; then
	# 64 pages: 2 parts of 32; 63 pages: too small to split.
	zpattern write /dev/zram0 64 0 64 >/dev/null
	zpattern write /dev/zram0 63 64 63 >/dev/null
	check_eq "a 64-page bio makes 2 parts, a 63-page one stays whole" \
		65/193 "$(par bios)/$(par parts)"
	echo 96 >$PARAM
	zpattern write /dev/zram0 256 0 256 >/dev/null
	check_eq "parallel_pages=96: a 256-page bio makes 2 parts" \
		66/194 "$(par bios)/$(par parts)"
	echo 0 >$PARAM
	want=$(zpattern write /dev/zram0 2048 0 256)
	check_eq "parallel_pages=0: nothing is split, data still right" \
		"$want" "$(zpattern read /dev/zram0 2048 0 256)"
	check_eq "  and the counters did not move" \
		66/194 "$(par bios)/$(par parts)"
	expect_errno "parallel_pages refuses a non-number" EINVAL $PARAM abc
	check_eq "  and keeps its value" 0 "$(cat $PARAM)"
	echo 1 >$PARAM
	want=$(zpattern write /dev/zram0 1000 5000 37)
	check_eq "parallel_pages=1: data right with parts of few pages" \
		"$want" "$(zpattern read /dev/zram0 1000 5000 37)"
	echo 32 >$PARAM
fi

# Readahead on another CPU: a buffered read's REQ_RAHEAD bios of at
# least async_readahead pages go to a worker (debugfs "readahead" counts
# them; how many depends on the timing: at most 3 at once with 4 CPUs).
# On 6.1 page-cache reads refuse ->rw_page so that readahead comes as a
# bio at all.  The device's page cache is dropped at every last close.
RA=/sys/module/zram/parameters/async_readahead
# bread FIRST_MIB MIB: zhash of a buffered read of zram0.
bread() {
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/zram0 bs=1M skip="$1" count="$2" status=none | zhash
}
want=$(zpattern write /dev/zram0 2048 0 256)
check_eq "buffered read: every byte reads back" "$want" "$(bread 0 8)"
if [ $ours = 1 ]; then
	check_eq "async_readahead defaults to 16" 16 "$(cat $RA)"
	ra=$(par readahead)
	diag "readahead bios read by a worker: $ra"
	check "readahead bios were read by a worker" test "$ra" -gt 0
	echo 0 >$RA
	check_eq "async_readahead=0: buffered read right" "$want" "$(bread 0 8)"
	check_eq "  and no readahead went to a worker" "$ra" "$(par readahead)"
	echo 100000 >$RA
	check_eq "async_readahead=100000: buffered read right" \
		"$want" "$(bread 0 8)"
	check_eq "  and no readahead went to a worker" "$ra" "$(par readahead)"
	expect_errno "async_readahead refuses a non-number" EINVAL $RA abc
	check_eq "  and keeps its value" 100000 "$(cat $RA)"
	echo 16 >$RA
fi

# CPU hotplug under I/O: CPUs 1-3 go offline and online again, ROUNDS
# times, while a writer and reader of 1 MiB bios runs; the I/O side goes
# on until the hotplug side has ended and it has done at least PASSES
# passes of 8 MiB, so every hotplug round overlaps I/O whatever the
# speeds (in the debug guest all rounds may fall into the first pass).
ROUNDS=8 PASSES=2
hot=()
for c in 1 2 3; do
	[ -w "/sys/devices/system/cpu/cpu$c/online" ] && hot+=("$c")
done
check_eq "CPUs 1-3 can go offline" 3 "${#hot[@]}"
(
	for _ in $(seq $ROUNDS); do
		for c in "${hot[@]}"; do
			echo 0 >"/sys/devices/system/cpu/cpu$c/online" || exit 1
			echo 1 >"/sys/devices/system/cpu/cpu$c/online" || exit 1
		done
	done
) &
hp=$!
at_exit "kill $hp"
bad=0 passes=0 first=0
while [ $passes -lt $PASSES ] || kill -0 $hp 2>/dev/null; do
	w=$(zpattern write /dev/zram0 2048 $first 256)
	got=$(zpattern read /dev/zram0 2048 $first 256)
	[ "$w" = "$got" ] || bad=$((bad + 1))
	# and buffered, with readahead on other CPUs
	[ "$w" = "$(bread $((first / 256)) 8)" ] || bad=$((bad + 1))
	passes=$((passes + 1))
	first=$(((first + 2048) % 61440))
done
wait $hp
hp_rc=$?
check_eq "CPUs 1-3 went offline and online $ROUNDS times" 0 "$hp_rc"
diag "8 MiB passes during and after the hotplug: $passes"
check_eq "every pass read back what it wrote" 0 "$bad"
check_eq "no failed reads or writes" \
	0/0 "$(zcol 0 io_stat 1)/$(zcol 0 io_stat 2)"
if [ $ours = 1 ]; then
	diag "parallel: bios $(par bios) parts $(par parts) moved $(par moved)"
	check "bios were split during the hotplug too" test "$(par bios)" -gt 66
fi
check_eq "all CPUs are back online" 4 "$(nproc)"

# zsizes DEV PAGES: PAGES pages of 64 compressibilities (page i: 100 +
# 60 * (i % 64) random bytes, then zeros), written in 1 MiB O_DIRECT
# bios: every 64 pages of a part go to 64 size classes, so the parts on
# different CPUs allocate in the same classes at the same time, up to
# the end of the write.
zsizes() { zblk pattern sizes "$1" "$2" 0 256 >/dev/null; }

if [ $ours = 1 ]; then
	# Density: the parts of a split bio allocate from one pool at once,
	# and a part that made a zspage while another part of the same
	# class opened one gives it back (zsm_malloc()), so the pool ends
	# as small as when one CPU writes the same pages in the same order.
	# A race leaves a second partly-filled zspage only near the end of
	# the write, so three parallel writes are checked.
	echo 0 >$PARAM
	zram_setup 0 256M lz4 || t_abort 1
	zsizes /dev/zram0 8192
	serial=$(zcol 0 mm_stat 3)
	echo 32 >$PARAM
	for r in 1 2 3; do
		zram_setup 0 256M lz4 || t_abort 1
		zsizes /dev/zram0 8192
		check_eq "1 MiB bios on 4 CPUs take the pool memory of 1 CPU ($r)" \
			"$serial" "$(zcol 0 mm_stat 3)"
		diag "zspages made and given back unused: $(awk \
			'$1 == "alloc_raced" { print $2 }' \
			"$DEBUGFS/zsmalloc-oot/zram0/classes")"
	done

	# Readahead of written-back pages: their backing-device reads are
	# chained to the readahead bio that the worker has.
	modprobe loop 2>/dev/null || true
	truncate -s 64M "$SCRATCH/ra.img"
	loop=$(losetup -f --show "$SCRATCH/ra.img") || t_abort 1
	at_exit losetup -d "$loop"
	echo 1 >/sys/block/zram0/reset
	check "backing_dev takes a loop device" \
		bash -c "echo $loop >/sys/block/zram0/backing_dev"
	echo lz4 >/sys/block/zram0/comp_algorithm
	echo 256M >/sys/block/zram0/disksize
	want=$(zpattern write /dev/zram0 2048 0 256)
	echo all >/sys/block/zram0/idle
	echo idle >/sys/block/zram0/writeback
	check_eq "all 2048 pages written back" 2048 "$(zcol 0 bd_stat 1)"
	ra=$(par readahead)
	check_eq "buffered read of written-back pages right" \
		"$want" "$(bread 0 8)"
	check "  with readahead read by a worker" test "$(par readahead)" -gt "$ra"
	check_eq "  each page read from the backing device once" \
		2048 "$(zcol 0 bd_stat 2)"
	check_eq "  no failed reads" 0 "$(zcol 0 io_stat 1)"
	zram_setup 0 256M lz4 || t_abort 1
	check_eq "reset after it: the backing device is released" \
		"none" "$(cat /sys/block/zram0/backing_dev)"
	losetup -d "$loop"
fi
zram_reset 0
done_testing
