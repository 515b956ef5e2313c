#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# zram as swap under memory pressure: a memory hog in a cgroup v2 limited to
# 48M (swap unlimited) touches 3x that with verifiable content; pages must
# go to zram and come back intact.
. "$(dirname "$0")/lib.sh"

hog=${ZRAM_TEST_HOG:-}
if [ -z "$hog" ] || [ ! -x "$hog" ]; then
	hog=$SCRATCH/memhog
	gcc -O2 -o "$hog" "$TREE/tests/memhog.c" || hog=''
fi
check "memhog available" test -n "$hog"
LIMIT_MB=48 HOG_MB=144

zram_setup 0 256M
check "mkswap /dev/zram0" mkswap /dev/zram0
check "swapon -p 100 /dev/zram0" swapon -p 100 /dev/zram0
at_exit swapoff /dev/zram0
# shellcheck disable=SC2016 # an awk program
check "zram0 listed in /proc/swaps with priority 100" \
	awk '$1 == "/dev/zram0" && $5 == 100 {f = 1} END {exit !f}' /proc/swaps

cg=/sys/fs/cgroup/zram-hog
mkdir -p $cg
at_exit rmdir $cg
check "memory.max = ${LIMIT_MB}M" bash -c "echo ${LIMIT_MB}M > $cg/memory.max"
check "memory.swap.max = max" bash -c "echo max > $cg/memory.swap.max"

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
check "cgroup memory.swap.current > 0" test "$(cat $cg/memory.swap.current)" -gt 0
check "compressed size < original" test "$(zcol 0 mm_stat 2)" -lt "$(zcol 0 mm_stat 1)"
echo go >&4
wait $pid
check_eq "hog verified its memory again after swap-in and exited 0" 0 $?
exec 4>&-
diag "$(tr '\n' ';' <"$SCRATCH/hog.out")"
check_eq "no OOM kill in the cgroup" 0 "$(awk '$1 == "oom_kill" {print $2}' $cg/memory.events)"
check_eq "no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"
check "swapoff succeeds" swapoff /dev/zram0
check "zram0 gone from /proc/swaps" bash -c '! grep -q "^/dev/zram0 " /proc/swaps'
check "reset after swapoff" zram_reset 0

done_testing
