#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Movable pool: the guest has a 256 MiB DIMM, offline at boot (the debug
# kernel has no ACPI: the harness adds its blocks through memory/probe
# before the test begins).  Its memory
# is onlined movable (ZONE_MOVABLE, which only movable pages may use), the
# pool fills much of it, and offlining it again (memory hot-remove) must
# migrate every pool page out: the offline succeeds, mem_used_total does
# not change, the pool counts the migrated pages, and every byte reads
# back.  A pool of unmovable pages never lands in ZONE_MOVABLE at all.
#
# guest-args: -s 4 -H 256
# (4 CPUs: the same guest as 14-parallel, so make check boots it once)
. "$(dirname "$0")/lib.sh"

PAGES=40960		# 160 MiB written, about 2:1 compressible

# Free pages of the Movable zone (summed over nodes).
movable_free() {
	awk '/^Node/ { m = ($4 == "Movable") }
	     m && $1 == "pages" && $2 == "free" { n += $3 }
	     END { print n + 0 }' /proc/zoneinfo
}

blocks=()
for b in /sys/devices/system/memory/memory*; do
	[ "$(cat "$b/state" 2>/dev/null)" = offline ] && blocks+=("$b")
done
diag "offline memory blocks at boot: ${blocks[*]##*/}"
check "the guest has hot-pluggable memory, offline at boot" test ${#blocks[@]} -ge 1
for b in "${blocks[@]}"; do
	echo online_movable >"$b/state" || not_ok "online_movable ${b##*/}"
done
bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
check "its blocks are online in ZONE_MOVABLE (90% of them free)" \
	test "$(movable_free)" -ge $((${#blocks[@]} * bs * 9 / 10 / PAGE))

zram_setup 0 512M lz4
free0=$(movable_free)
want=$(zpattern write /dev/zram0 $PAGES)
free1=$(movable_free)
pool=$(($(zcol 0 mm_stat 3) / PAGE))
diag "pool pages $pool; Movable free pages $free0 -> $free1"
check "the pool holds the data compressed (fewer pages than written)" \
	test "$pool" -gt 0 -a "$pool" -lt $PAGES
check "ZONE_MOVABLE gave the pool at least 80% of its pages" \
	test $((free0 - free1)) -ge $((pool * 8 / 10))

ok_all=1
for b in "${blocks[@]}"; do
	e=$(write_errno "$b/state" offline)
	if [ "$e" != OK ]; then
		diag "offline ${b##*/}: $e"
		ok_all=0
	fi
done
check "offlining the movable memory (hot-remove) succeeds" test $ok_all = 1
for b in "${blocks[@]}"; do
	[ "$(cat "$b/state")" = offline ] || not_ok "${b##*/} is $(cat "$b/state")"
done
check_eq "mem_used_total is what it was: pages moved, none freed or added" \
	"$(($(zcol 0 mm_stat 3) / PAGE))" "$pool"
if [ "$ZRAM_TEST_STOCK" != 1 ]; then
	mount_debugfs
	migrated=$(awk '$1 == "migrated" { print $2 }' \
		"$DEBUGFS/zsmalloc-oot/zram0/classes")
	diag "pool pages migrated: $migrated"
	check "the pool counts the migrated pages (>= the 80% in ZONE_MOVABLE)" \
		test "${migrated:-0}" -ge $((pool * 8 / 10))
fi
check_eq "every byte reads back after the migration" \
	"$(zpattern read /dev/zram0 $PAGES)" "$want"
check "the device still takes writes and reads them back" \
	test "$(zpattern write /dev/zram0 1024)" = "$(zpattern read /dev/zram0 1024)"
zram_reset 0
check_eq "reset gives every pool page back" "$(zcol 0 mm_stat 3)" 0
done_testing
