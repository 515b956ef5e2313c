#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Idle tracking: /sys/block/zram0/idle and <debugfs>/zram/zram0/block_state.
# Semantics (as the kernel's zram with CONFIG_ZRAM_MEMORY_TRACKING):
#  - block_state has one line per stored page: index, last access time in
#    boot-time seconds (the clock of /proc/uptime), flags s/w/h/i or '.';
#  - "all" marks every stored page idle, a number N marks those not
#    accessed for more than N seconds; any read or write of a page clears
#    its mark; both files refuse an uninitialized device with EINVAL.
# Stock 6.12 differs: same-filled pages are
# never marked idle.
# No sleep decides a result: the age case waits, bounded, until the clock
# has moved 5 s past the newest access time block_state shows.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
mount_debugfs
dbg=$DEBUGFS
bs=$dbg/zram/zram0/block_state

uptime_s() { cut -d. -f1 /proc/uptime; }
dio_touch() {	# dio_touch SKIP_PAGES COUNT: read them (to /dev/null)
	dd if=/dev/zram0 of=/dev/null bs=4096 skip="$1" count="$2" \
		iflag=direct status=none
}
stored_pages() { echo $(($(zcol 0 mm_stat 1) / PAGE)); }
bs_time() { awk -v i="$1" '$1 == i {split($2, t, "."); print t[1]}' "$bs"; }

check "debugfs holds zram/zram0/block_state" test -f "$bs"
check_eq "idle is write-only for root" 200 "$(stat -c %a "$z/idle")"
check_eq "block_state is read-only for root" 400 "$(stat -c %a "$bs")"

# ---- uninitialized device
zram_reset 0
expect_errno "idle 'all' on an uninitialized device" EINVAL "$z/idle" all
expect_errno "idle 60 on an uninitialized device" EINVAL "$z/idle" 60
out=$(cat "$bs" 2>&1)
check "block_state read fails on an uninitialized device" test $? -ne 0
check_eq "... with EINVAL" EINVAL "$(errno_name "$out")"

# ---- stored pages and their flags
zram_setup 0 64M
yes "zram idle tracking, compressible text line" | head -c $((16 * PAGE)) >"$SCRATCH/text"
gen_pages zero 1 "$SCRATCH/zero"
gen_pages random 1 "$SCRATCH/rand"
t0=$(uptime_s)
check "write 16 text pages at 8" dio_write "$SCRATCH/text" 8
check "write a zero page at 40" dio_write "$SCRATCH/zero" 40
check "write a random page at 41" dio_write "$SCRATCH/rand" 41
t1=$(uptime_s)
all="$(seq_list 8 23) 40 41"
check_eq "18 pages stored" 18 "$(stored_pages)"
check_eq "block_state lists exactly the stored pages" "$all" "$(bs_indices)"
check_eq "block_state line count == stored pages" "$(stored_pages)" "$(wc -l <"$bs")"
check_eq "zero page: same" "s..." "$(bs_flags 40)"
check_eq "random page: huge" "..h." "$(bs_flags 41)"
check_eq "text page: no flag" "...." "$(bs_flags 8)"
stock_differs "6.1's zram prints 4 flags"
check "line format: %12u %12u.%06u and 6 flags" bash -c \
	"grep -Evq '^ {0,11}[0-9]{1,12} {1,12}[0-9]{1,12}\.[0-9]{6} [s.][w.][h.][i.][r.][n.]\$' '$bs'; test \$? = 1"
bad=''
for i in $all; do
	t=$(bs_time "$i")
	[ "$t" -ge "$t0" ] && [ "$t" -le "$t1" ] || bad="$bad $i:$t"
done
check_eq "access times lie within the writes [$t0, $t1]" "" "$bad"
check_eq "nothing idle yet" "" "$(bs_indices i)"

# ---- idle all, then reads clear the mark of exactly the pages read
expect_errno "echo all > idle" OK "$z/idle" all
stock_differs "6.12's zram leaves same-filled pages alone"
check_eq "all stored pages idle" "$all" "$(bs_indices i)"
stock_differs "6.12's zram leaves same-filled pages alone"
check_eq "zero page: same, idle" "s..i" "$(bs_flags 40)"
check_eq "random page: huge, idle" "..hi" "$(bs_flags 41)"
check_eq "block_state line count unchanged" 18 "$(wc -l <"$bs")"
check "read pages 10-11" dio_touch 10 2
check "read page 40" dio_touch 40 1
check_eq "exactly the pages read lost the idle mark" \
	"$(minus "$all" "10 11 40")" "$(bs_indices i)"
check_eq "zero page read: same, not idle" "s..." "$(bs_flags 40)"
gen_pages zero 1 "$SCRATCH/zero2"
check "overwrite idle page 12" dio_write "$SCRATCH/zero2" 12
check_eq "a write clears the mark too" \
	"$(minus "$all" "10 11 12 40")" "$(bs_indices i)"
check_eq "page 12 now same-filled" "s..." "$(bs_flags 12)"

# ---- rejected values change nothing
before=$(cat "$bs")
for v in -1 abc "all x" alll "" " 5" 5s 18446744073709551616; do
	expect_errno "idle '$v' -> EINVAL" EINVAL "$z/idle" "$v"
done
check_eq "block_state unchanged by rejected writes" "$before" "$(cat "$bs")"
# Like the kernel, any kstrtoull(base 0) number: 0x10 is 16 s, 0 is "idle
# for 0 s", i.e. every stored page, as "all".
expect_errno "idle '0x10' taken (16 s)" OK "$z/idle" 0x10
expect_errno "idle '0' taken" OK "$z/idle" 0
stock_differs "6.12's zram leaves same-filled pages alone"
check_eq "idle '0' marked every stored page idle" "$all" "$(bs_indices i)"

# ---- by age: pages last accessed 5 s before "echo 3" go idle, those just
# read or written do not (they have 3 s to reach the echo, plenty even for
# a busy TCG guest)
check "write 8 text pages at 100" dio_write <(head -c $((8 * PAGE)) "$SCRATCH/text") 100
all="$all $(seq_list 100 107)"
newest=$(awk '{split($2, t, "."); if (t[1] > m) m = t[1]} END {print m + 0}' "$bs")
deadline=$(($(uptime_s) + 15))
while [ "$(uptime_s)" -lt $((newest + 5)) ] && [ "$(uptime_s)" -lt "$deadline" ]; do
	sleep 0.2
done
check "clock is 5 s past the newest access ($newest)" \
	test "$(uptime_s)" -ge $((newest + 5))
check "read pages 100-101" dio_touch 100 2
check "overwrite page 102" dio_write <(head -c "$PAGE" "$SCRATCH/rand") 102
expect_errno "echo 3 > idle" OK "$z/idle" 3
stock_differs "6.12's zram leaves same-filled pages alone"
check_eq "all but the pages just accessed are idle" \
	"$(minus "$all" "100 101 102")" "$(bs_indices i)" ||
	{ diag "uptime $(cat /proc/uptime), block_state:"; sed 's/^/#   /' "$bs"; }
bad=''
for i in 100 101 102; do
	t=$(bs_time "$i")
	[ "$t" -ge $((newest + 5)) ] || bad="$bad $i:$t"
done
check_eq "their access times are the new ones" "" "$bad"
check_eq "page 102 now huge" "..h." "$(bs_flags 102)"
check_eq "line count == stored pages" "$(stored_pages)" "$(wc -l <"$bs")"
expect_errno "echo 86400 > idle: nothing that old" OK "$z/idle" 86400
stock_differs "6.12's zram leaves same-filled pages alone"
check_eq "... marks nothing new" "$(minus "$all" "100 101 102")" "$(bs_indices i)"

# ---- freed pages leave block_state; a new page there starts fresh
check "discard idle page 41" blkdiscard -o $((41 * PAGE)) -l "$PAGE" /dev/zram0
all=$(minus "$all" 41)
check_eq "page 41 gone from block_state" "$all" "$(bs_indices)"
check "write page 41 again" dio_write "$SCRATCH/rand" 41
check_eq "page 41 back, not idle" "..h." "$(bs_flags 41)"
check_eq "line count == stored pages" "$(stored_pages)" "$(wc -l <"$bs")"

# ---- reset and hot_add/hot_remove
zram_reset 0
expect_errno "idle after reset -> EINVAL" EINVAL "$z/idle" all
# The file stays (it belongs to the device) and refuses the read: a
# missing file must not pass for a refused read.
check "block_state still there after reset" test -f "$bs"
out=$(cat "$bs" 2>&1)
check "block_state read fails after reset" test $? -ne 0
check_eq "... with EINVAL" EINVAL "$(errno_name "$out")"
id=$(cat /sys/class/zram-control/hot_add)
check "hot_add gives zram$id a block_state" test -f "$dbg/zram/zram$id/block_state"
echo "$id" >/sys/class/zram-control/hot_remove
check "hot_remove takes its debugfs directory away" test ! -e "$dbg/zram/zram$id"

done_testing
