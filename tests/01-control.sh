#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Module parameter num_devices, zram-control hot_add/hot_remove, and rmmod
# being refused while a device is busy.
. "$(dirname "$0")/lib.sh"

ctl=/sys/class/zram-control
ndev() { find /sys/block -maxdepth 1 -name 'zram*' | wc -l; }

check_eq "default num_devices makes exactly one device" 1 "$(ndev)"
check "zram0 exists with its block node" test -b /dev/zram0
check_eq "hot_add is read-only, hot_remove write-only" "-r-------- --w-------" \
	"$(stat -c %A $ctl/hot_add) $(stat -c %A $ctl/hot_remove)"

check "reload with num_devices=3" zram_reload num_devices=3
check_eq "num_devices=3 makes three devices" 3 "$(ndev)"
check "zram0..zram2 block nodes exist" test -b /dev/zram0 -a -b /dev/zram1 -a -b /dev/zram2
check_eq "new devices start uninitialized" "0 0 0" \
	"$(zattr 0 initstate) $(zattr 1 initstate) $(zattr 2 initstate)"

id=$(cat $ctl/hot_add)
check_eq "hot_add returns the next free id" 3 "$id"
check "hot_add device zram3 appears" test -d /sys/block/zram3 -a -b /dev/zram3
id2=$(cat $ctl/hot_add)
check_eq "second hot_add returns 4" 4 "$id2"
check "hot-added device is usable" zram_setup 4 16M
check "hot-added device takes I/O" dd if=/dev/urandom of=/dev/zram4 bs=4096 count=16 \
	oflag=direct status=none
zram_reset 4

expect_errno "hot_remove of an absent id: ENODEV" ENODEV $ctl/hot_remove 99
expect_errno "hot_remove garbage: EINVAL" EINVAL $ctl/hot_remove foo
expect_errno "hot_remove negative: EINVAL" EINVAL $ctl/hot_remove -1
check_eq "failed hot_removes removed nothing" 5 "$(ndev)"

exec 3</dev/zram3
expect_errno "hot_remove while open: EBUSY" EBUSY $ctl/hot_remove 3
exec 3<&-
check "device survives a refused hot_remove" test -d /sys/block/zram3

zram_setup 2 32M
mkswap /dev/zram2 >/dev/null 2>&1
if check "swapon zram2" swapon /dev/zram2; then
	at_exit swapoff /dev/zram2
	expect_errno "hot_remove while used as swap: EBUSY" EBUSY $ctl/hot_remove 2
	expect_errno "reset while used as swap: EBUSY" EBUSY "$(zdev 2)/reset" 1
	check "rmmod refused while a device is swap" bash -c '! rmmod zram 2>/dev/null'
	check "module still loaded" test -d /sys/module/zram
	check "swapoff zram2" swapoff /dev/zram2
fi
zram_reset 2

expect_errno "hot_remove an idle device" OK $ctl/hot_remove 3
check "removed device is gone from sysfs" test ! -e /sys/block/zram3
check "removed device node is gone" test ! -e /dev/zram3
expect_errno "second hot_remove of the same id: ENODEV" ENODEV $ctl/hot_remove 3
check_eq "hot_add reuses the freed id" 3 "$(cat $ctl/hot_add)"
expect_errno "hot_remove zram4" OK $ctl/hot_remove 4
expect_errno "hot_remove zram3" OK $ctl/hot_remove 3

exec 3</dev/zram1
check "rmmod refused while a device is open" bash -c '! rmmod zram 2>/dev/null'
check "module still loaded after refused rmmod" test -d /sys/module/zram
exec 3<&-
check "rmmod succeeds once nothing is open" zram_unload
check "module is gone" test ! -d /sys/module/zram
check "reload with defaults" zram_load
check_eq "back to one device" 1 "$(ndev)"

done_testing
