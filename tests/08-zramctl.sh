#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# util-linux zramctl, exactly as users run it.
#
# debug-guest: no (what zramctl reads and writes goes through the paths
# of 01-control and 02-sysfs; this checks the tool's view of them)
. "$(dirname "$0")/lib.sh"

alg=zstd
dev=$(zramctl --find --size 64M --algorithm $alg --streams 2 2>&1)
check "zramctl --find --size 64M --algorithm zstd --streams 2" \
	grep -qE '^/dev/zram[0-9]+$' <<<"$dev"
n=${dev#/dev/zram}
check_eq "disksize is 64M" 67108864 "$(zattr "$n" disksize 2>/dev/null)"
check "comp_algorithm is [zstd]" grep -q '\[zstd\]' "$(zdev "$n")/comp_algorithm"
list=$(zramctl --noheadings --raw --output NAME,ALGORITHM,DISKSIZE 2>&1)
diag "$list"
check "zramctl lists it with zstd and 64M" grep -qx "$dev zstd 64M" <<<"$list"
check "write data to it" dd if=/dev/urandom of="$dev" bs=64K count=32 oflag=direct status=none
check "zramctl DATA column is non-zero" bash -c \
	"zramctl --noheadings --raw --bytes --output DATA $dev | grep -qv '^0$'"
check "zramctl --output-all works" zramctl --output-all
dev2=$(zramctl --find --size 32M --algorithm lz4 2>&1)
check "a second --find gives another device" test "$dev2" != "$dev" -a -b "$dev2"
check "zramctl --reset both" zramctl --reset "$dev" "$dev2"
for d in "$dev" "$dev2"; do
	m=${d#/dev/zram}
	check "$d reset (gone or back to disksize 0)" \
		bash -c "[ ! -e /sys/block/zram$m ] || [ \$(cat /sys/block/zram$m/disksize) = 0 ]"
done
# configure an existing device by name
[ -e /sys/block/zram0 ] || cat /sys/class/zram-control/hot_add >/dev/null
check "zramctl /dev/zram0 --size 16M --algorithm lz4" \
	zramctl /dev/zram0 --size 16M --algorithm lz4
check_eq "zram0 disksize 16M" 16777216 "$(zattr 0 disksize)"
check "zramctl --reset /dev/zram0" zramctl --reset /dev/zram0
# leave exactly zram0 behind so rmmod has nothing to trip over
[ -e /sys/block/zram0 ] || cat /sys/class/zram-control/hot_add >/dev/null

done_testing
