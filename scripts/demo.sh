#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make demo": build zram.ko, boot a guest, use zram as swap the way a user
# would, push a memory-limited cgroup into it, and show the statistics;
# then (ours only) automatic tiering: a swap device whose cold pages move
# from lz4 to zstd to a backing disk by themselves.
#
# Usage: scripts/demo.sh [-k KVER] [--stock] [--no-deps]
#   KVER defaults to the running kernel if supported, else the 6.12 one.
#   --stock shows Debian's zram instead (no build).  Exit 0 iff all went well.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(dirname "$script_dir")
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

kver='' stock=0 deps=1
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kver=$2; shift 2 ;;
	--stock) stock=1; shift ;;
	--no-deps) deps=0; shift ;;
	-h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

if [ "$deps" = 1 ]; then
	zoot_install_deps
fi
if [ -z "$kver" ]; then
	kernels=$(zoot_kernels)
	if grep -qxF "$(uname -r)" <<<"$kernels"; then
		kver=$(uname -r)
	else
		kver=$(grep -E '^6\.12\.' <<<"$kernels" | tail -n1)
		[ -n "$kver" ] || kver=$(tail -n1 <<<"$kernels")
	fi
fi
[ -n "$kver" ] || { echo "demo: no supported kernel installed" >&2; exit 2; }

args=(-k "$kver" -M 768 -t 400)
if [ "$stock" = 1 ]; then
	args+=(--stock)
else
	echo "== building zram.ko for $kver"
	make -s -C "$tree" KVERS="$kver" all-kernels >/dev/null
	args+=(-m "$tree/build/$kver/zram.ko")
fi
hog=$(zoot_build_hog "$tree")
args+=(-e "ZRAM_DEMO_HOG=$hog" -e "ZRAM_DEMO_TIER=$((1 - stock))")

echo "== booting $kver under QEMU (TCG; takes a minute)"
# shellcheck disable=SC2016 # the script runs in the guest
exec "$script_dir/guest-run.sh" "${args[@]}" -- bash -c '
set -euo pipefail
step() { printf "\n\$ %s\n" "$*"; "$@"; }
dev=$(zramctl --find --size 512M --algorithm zstd)
echo "\$ zramctl --find --size 512M --algorithm zstd"; echo "$dev"
step mkswap "$dev"
step swapon -p 100 "$dev"
cg=/sys/fs/cgroup/demo
mkfifo /tmp/go
exec 4<>/tmp/go
# hog MB: a memory hog of MB MiB in the cgroup (64 MiB), waiting on
# /tmp/go once it has filled and verified its memory; its pid in $pid.
hog() {
	mkdir $cg
	echo 64M >$cg/memory.max
	echo max >$cg/memory.swap.max
	bash -c "echo \$\$ >$cg/cgroup.procs; exec $ZRAM_DEMO_HOG $1" </tmp/go >/tmp/hog.out 2>&1 &
	pid=$!
	until grep -q verified /tmp/hog.out; do
		kill -0 $pid 2>/dev/null || { cat /tmp/hog.out; exit 1; }
		sleep 1
	done
	cat /tmp/hog.out
}
echo; echo "== memory hog: 256 MiB of verifiable data in a cgroup limited to 64 MiB"
hog 256
step zramctl
step cat /proc/swaps
n=${dev#/dev/zram}
echo; echo "\$ cat /sys/block/zram$n/mm_stat"
echo "orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages huge_pages_since"
cat /sys/block/zram$n/mm_stat
read -r orig compr _ < /sys/block/zram$n/mm_stat
[ "$orig" -gt 0 ] || { echo "demo: nothing reached zram"; exit 1; }
echo "compression ratio: $(awk -v o=$orig -v c=$compr "BEGIN {printf \"%.2f\", o / c}")"
echo go >&4
wait $pid
tail -n1 /tmp/hog.out
rmdir $cg
step swapoff "$dev"
step zramctl --reset "$dev"
[ "$ZRAM_DEMO_TIER" = 1 ] || { echo; echo "demo: OK"; exit 0; }

echo; echo "== automatic tiering: cold swap pages go from lz4 to zstd to a disk by themselves"
n=$(cat /sys/class/zram-control/hot_add)
z=/sys/block/zram$n
echo "\$ cat /sys/class/zram-control/hot_add"; echo "$n"
show() {
	echo "tiering_stat (passes marked recompressed smaller written_back skipped):"
	echo "  $(cat $z/tiering_stat)"
	echo "bd_stat (bd_count bd_reads bd_writes, 4K units; bd_pages bd_bytes bd_cleaned):"
	echo "  $(cat $z/bd_stat)"
	echo "mm_stat: $(cat $z/mm_stat)"
}
modprobe loop 2>/dev/null || true
truncate -s 256M /tmp/back.img
loop=$(losetup -f --show /tmp/back.img)
step sh -c "echo $loop > $z/backing_dev"
step sh -c "echo lz4 > $z/comp_algorithm"
step sh -c "echo algo=zstd > $z/recomp_algorithm"
step sh -c "echo 512M > $z/disksize"
pol="interval=2 idle_age=4 recompress=idle writeback=idle high=5 low=3"
step sh -c "echo \"$pol\" > $z/tiering"
step cat $z/tiering
mkswap /dev/zram$n >/dev/null
step swapon -p 100 /dev/zram$n
echo; echo "== memory hog: 192 MiB in a cgroup limited to 64 MiB, then it sleeps"
hog 192
echo; echo "-- as the hog went to sleep:"
show
# The hog sleeps: its swapped pages turn idle after idle_age, a pass
# recompresses them with zstd and, the pool being above high (5% of
# RAM), writes them back until it is at low (3%).
for i in $(seq 60); do
	read -r _ _ _ _ written _ <$z/tiering_stat
	[ "$written" -gt 0 ] && break
	sleep 1
done
sleep 5
echo; echo "-- $((i + 5)) s later, with nothing run by hand:"
show
read -r _ _ recomp _ written _ <$z/tiering_stat
[ "$recomp" -gt 0 ] && [ "$written" -gt 0 ] ||
	{ echo "demo: tiering moved nothing"; exit 1; }
echo go >&4
wait $pid
tail -n1 /tmp/hog.out
rmdir $cg
step swapoff /dev/zram$n
echo 1 >$z/reset
echo $n >/sys/class/zram-control/hot_remove
losetup -d $loop
echo; echo "demo: OK"
'
