#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# zram as swap under memory pressure: a memory hog in a cgroup v2 limited to
# 48M (swap unlimited) touches 3x that with verifiable content; pages must
# go to zram and come back intact.
# Then swap slot frees: a second hog swaps out and sleeps, its idle pages
# are written back to a backing device (loop over tmpfs), it is killed.
# Every page zram still stores must hold a swap slot in use (/proc/swaps
# "Used"; the kernel keeps a few freed slots in per-CPU caches), notify_free
# moves by at least the pages freed, and after swapoff nothing is stored,
# in memory or on the backing device: a slot free that leaks would
# otherwise stay invisible, as reset frees everything.
. "$(dirname "$0")/lib.sh"

hog=${ZRAM_TEST_HOG:-}
if [ -z "$hog" ] || [ ! -x "$hog" ]; then
	hog=$SCRATCH/memhog
	gcc -O2 -o "$hog" "$TREE/tests/memhog.c" || hog=''
fi
check "memhog available" test -n "$hog"
LIMIT_MB=48 HOG_MB=144 HOG2_MB=96
# Swapping is 3-4x slower in the debug guest: there half, the same
# multiples of the limit (hog 2 still stores over 16M in zram).
[ "$ZRAM_TEST_DEBUG" = 1 ] && LIMIT_MB=24 HOG_MB=72 HOG2_MB=48

# A backing device for the written-back pages of the second hog.
z=$(zdev 0)
wb=0
zram_reset 0
if [ -e "$z/backing_dev" ]; then
	modprobe loop 2>/dev/null || true
	truncate -s 256M "$SCRATCH/backing"
	loop=$(losetup -f --show "$SCRATCH/backing")
	check "loop device over a 256 MiB tmpfs file" test -b "$loop"
	at_exit losetup -d "$loop"
	at_exit zram_reset 0
	check "backing_dev = $loop" zwrite 0 backing_dev "$loop"
	wb=1
else
	# Only stock kernels built without CONFIG_ZRAM_WRITEBACK.
	skip "backing device for hog 2" "no backing_dev attribute"
fi
check "disksize 256M" zwrite 0 disksize 256M
check "mkswap /dev/zram0" mkswap /dev/zram0
check "swapon -p 100 /dev/zram0" swapon -p 100 /dev/zram0
at_exit swapoff /dev/zram0
# shellcheck disable=SC2016 # an awk program
check "zram0 listed in /proc/swaps with priority 100" \
	awk '$1 == "/dev/zram0" && $5 == 100 {f = 1} END {exit !f}' /proc/swaps

mem_cgroup zram-hog "$LIMIT_MB"
cg=$CG

fifo=$SCRATCH/go
mkfifo "$fifo"
exec 4<>"$fifo"
bash -c "echo \$\$ > $cg/cgroup.procs && exec '$hog' $HOG_MB" <"$fifo" >"$SCRATCH/hog.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	grep -q verified "$SCRATCH/hog.out" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.5
done
check "hog filled and verified ${HOG_MB}M under a ${LIMIT_MB}M limit" \
	grep -q verified "$SCRATCH/hog.out"
used=$(awk '$1 == "/dev/zram0" {print $4}' /proc/swaps)
diag "swap used: ${used}K; mm_stat: $(xargs <"$(zdev 0)/mm_stat")"
check "/proc/swaps shows zram0 in use" test "${used:-0}" -gt 0
check "mm_stat orig_data_size > 0 during the run" test "$(zcol 0 mm_stat 1)" -gt 0
check "cgroup memory.swap.current > 0" test "$(cat "$cg/memory.swap.current")" -gt 0
check "compressed size < original" test "$(zcol 0 mm_stat 2)" -lt "$(zcol 0 mm_stat 1)"
echo go >&4
wait $pid
check_eq "hog verified its memory again after swap-in and exited 0" 0 $?
exec 4>&-
diag "$(tr '\n' ';' <"$SCRATCH/hog.out")"
check_eq "no OOM kill in the cgroup" 0 "$(awk '$1 == "oom_kill" {print $2}' "$cg/memory.events")"
check_eq "no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"

# ---- swap slot frees: a swapped-out process exits
# stored: pages zram holds (orig_data_size); used: pages of the swap
# device's slots in use (/proc/swaps, KiB).
stored() { echo $(($(zcol 0 mm_stat 1) / PAGE)); }
used() { awk '$1 == "/dev/zram0" {print $4 / 4}' /proc/swaps; }
exec 4<>"$fifo"
bash -c "echo \$\$ > $cg/cgroup.procs && exec '$hog' $HOG2_MB" <"$fifo" >"$SCRATCH/hog2.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	grep -q verified "$SCRATCH/hog2.out" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.5
done
check "hog 2 filled and verified ${HOG2_MB}M, sleeps swapped out" \
	grep -q verified "$SCRATCH/hog2.out"
if [ "$wb" = 1 ]; then
	expect_errno "mark every stored page idle" OK "$z/idle" all
	# A read clears the mark: page 0, mkswap's header, stays in memory.
	check "read page 0" dd if=/dev/zram0 of=/dev/null bs=4096 count=1 \
		iflag=direct status=none
	expect_errno "write the idle pages back" OK "$z/writeback" idle
	b0=$(zcol 0 bd_stat 1)
	# Swap may touch a few pages between the idle mark and the writeback
	# (readahead, a late swap-out): they stay in memory, not idle.
	nb=$(($(zcol 0 mm_stat 1) / PAGE - 1))
	check_ge "all but the header and at most 1% of the stored pages are on the backing device" \
		$((nb - nb / 100)) "$b0"
	check_ge "no more than the stored pages but the header are written back" \
		"$b0" "$nb"
else
	b0=0
fi
s0=$(stored) n0=$(zcol 0 io_stat 4) u0=$(used)
diag "before the kill: stored $s0, slots used $u0, written back $b0, notify_free $n0"
check_ge "hog 2 has at least 16M in zram" 4096 "$s0"
check_ge "every stored page holds a swap slot" "$s0" "$u0"
kill -KILL $pid
wait $pid
check_eq "hog 2 killed by SIGKILL" 137 $?
exec 4>&-
# exit_mmap freed the slots before wait returned; the kernel's per-CPU
# caches of freed slots may hold some back, still counted in "Used".
s1=$(stored) n1=$(zcol 0 io_stat 4) u1=$(used) b1=$(zcol 0 bd_stat 1)
diag "after the exit: stored $s1, slots used $u1, written back $b1, notify_free $n1"
check_ge "notify_free moved by at least the pages freed ($((s0 - s1)))" \
	$((s0 - s1)) $((n1 - n0))
check_ge "every page still stored holds a swap slot in use ($u1)" "$s1" "$u1"
check_ge "every page still written back is still stored" "$b1" "$s1"
check_ge "the exit freed most pages (at most 1/4 left)" $((s1 * 4)) "$s0"
check_eq "no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"

check "swapoff succeeds" swapoff /dev/zram0
check "zram0 gone from /proc/swaps" bash -c '! grep -q "^/dev/zram0 " /proc/swaps'
# swapoff releases the cached slots too: nothing of the hogs is left,
# only page 0, mkswap's header (no swap slot, never freed).
check_eq "after swapoff: orig_data_size is one page (swap header), no huge or same page" \
	"$PAGE 0 0" "$(zcol 0 mm_stat 1) $(zcol 0 mm_stat 6) $(zcol 0 mm_stat 8)"
check "... page 0 holds the swap signature" bash -c \
	"dd if=/dev/zram0 bs=4096 count=1 iflag=direct status=none | tail -c 10 | grep -q SWAPSPACE2"
check_ge "notify_free moved by at least every page stored before the kill" \
	"$s0" $(($(zcol 0 io_stat 4) - n0))
if [ "$wb" = 1 ]; then
	check_eq "after swapoff: no block in use on the backing device" 0 \
		"$(zcol 0 bd_stat 1)"
fi
check "reset after swapoff" zram_reset 0

done_testing
