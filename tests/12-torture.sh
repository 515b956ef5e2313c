#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# "A && B || { fail; }" here means: fail unless both succeeded.
# shellcheck disable=SC2015
#
# Torture: everything at once, verified (issue #11, "Prove").
#  1. concurrent verified load: fio (verify=crc32c, verify_fatal) on zram0
#     and zram1 at once, each device cut into regions one job owns:
#     direct random writes 4K..64K (half of each 4K compressible; over
#     data written before the load) with interleaved verify reads, buffered
#     writes 512 B..8K (the logical block size is 4096, so O_DIRECT below
#     4K is refused by the block layer: sub-4K sizes go through the page
#     cache and reach zram as read-modify-write of whole pages), random
#     trim+write, unverified random reads over the whole device; beside
#     it, write-zeroes (BLKZEROOUT) of a region of its own, verified; and
#     loops of compact, idle all, writeback, recompress, mem_used_max
#     resets, reads of every attribute, hot_add/hot_remove of a third
#     device, reset and hot_remove of the busy devices (asserted EBUSY),
#     writeback_batch_size changes, and CPU 1 offline/online; zram1 with
#     packed writeback, deduplication (a loop writing copies, checked
#     against a shadow file) and tiering passes (every second and per
#     round: idle by age, recompression, writeback);
#  2. swap storm: memhogs in a cgroup whose memory.max is a quarter of
#     their total, on a zram0 with packed writeback, deduplication (the
#     hogs' pages are copies of each other's) and tiering passes; every
#     idle page written back; then the limit is lifted, swapoff brings
#     every page back, and each hog verifies all its pages;
#  3. backing device faults (dm-flakey under the backing device):
#     writeback while writes fail, reads while reads fail; every failure
#     is an I/O error, failed_reads counts them exactly, nothing is lost;
#  4. allocation faults (failslab, fail_page_alloc; only where
#     /sys/kernel/debug/failslab exists, i.e. the debug kernel: Debian's
#     kernels have no CONFIG_FAULT_INJECTION, so there this block prints
#     a diag line and no case): writes, reads, writeback and recompress
#     of a task marked make-it-fail, packed and with deduplication
#     (every fourth generation of pages are copies); EIOs equal
#     failed_writes / failed_reads, every page reads back as last
#     written successfully;
#  5. hostile input: tests/fuzz-attrs.py;
#  6. lifecycle: unload, load, configure, use (swap + ext4), rmmod refused
#     while swapped on or mounted, unload; repeated.
# Amounts scale with ZRAM_TORTURE_SCALE (default 1, about a minute on a
# Debian kernel under TCG; scripts/soak.sh runs large scales).  Every
# loop is bounded by an iteration count as well as by its load's end.
. "$(dirname "$0")/lib.sh"

if [ "$ZRAM_TEST_STOCK" = 1 ]; then
	# It needs recompression (6.12's zram is built without it) and holds
	# every accepted write to our stricter grammar: ours only.
	skip "torture" "against the kernel's zram"
	done_testing
fi

S=${ZRAM_TORTURE_SCALE:-1}
[[ "$S" =~ ^[1-9][0-9]*$ ]] || S=1
CTL=/sys/class/zram-control
mount_debugfs
diag "scale $S, $(nproc) CPUs online, kernel $(uname -r)"
# Figures for the README / soak summary, printed as "# FIGURE name value".
figure() { diag "FIGURE $1 $2"; }

modprobe loop 2>/dev/null || true
modprobe dm-mod 2>/dev/null || true
modprobe dm-flakey 2>/dev/null || true

new_loop() {	# new_loop NAME SIZE: loop device over a file in $SCRATCH
	truncate -s "$2" "$SCRATCH/$1.img" && losetup -f --show "$SCRATCH/$1.img"
}

# Ensure we hold exactly the devices the test needs: zram0 and zram1.
# The zram devices there are, "zram0 zram1 ...".
zram_devs() { (cd /sys/block && for d in zram*; do [ -e "$d" ] && echo "$d"; done | sort -V | xargs); }
for d in $(zram_devs); do
	id=${d#zram}
	[ "$id" -gt 1 ] && echo "$id" >"$CTL/hot_remove"
done
[ -d /sys/block/zram1 ] || cat $CTL/hot_add >/dev/null
check "zram0 and zram1 exist" test -d /sys/block/zram0 -a -d /sys/block/zram1
# packed DEV 0|1: writeback_compressed and use_dedup of an uninitialized
# device (both are kept across reset, so every phase sets them).
packed() { zwrite "$1" writeback_compressed "$2" && zwrite "$1" use_dedup "$2"; }
# zram_state DEV: its writeback, dedup and tiering counters, for a diag.
zram_state() {
	echo "zram$1 bd_stat $(xargs <"$(zdev "$1")/bd_stat"), dedup_stat $(xargs <"$(zdev "$1")/dedup_stat"), tiering_stat $(xargs <"$(zdev "$1")/tiering_stat")"
}
# shellcheck disable=SC2016 # expanded when the exit handler runs
at_exit 'swapoff -a; for d in 0 1; do zram_reset $d; packed $d 0; done'

# ================================================================ 1. load

# Each device: 32*S MiB cut in four regions of 8*S MiB, one per writer
# (direct, buffered, trim+write, write-zeroes); the reader reads 0..24*S.
R=$((8 * S))
LOOP0=$(new_loop back0 $((4 * R))M)
at_exit "losetup -d $LOOP0"
LOOP1P=$(new_loop back1p $((4 * R))M)
at_exit "losetup -d $LOOP1P"
zram_reset 0
zram_reset 1
packed 0 0
zwrite 0 backing_dev "$LOOP0"
zwrite 0 recomp_algorithm "algo=zstd"
# zram1 has what came after the rest: packed writeback, deduplication and
# automatic tiering (a pass every second, and one per attribute round:
# idle by age, recompression, writeback above 2% of a mem_limit the size
# of the device, which the pool cannot reach).
TIER="interval=1 idle_age=1 recompress=idle writeback=idle high=2 low=1 max_pages=256"
zwrite 1 backing_dev "$LOOP1P"
packed 1 1
zwrite 1 comp_algorithm zstd
zwrite 1 recomp_algorithm "algo=deflate"
check "zram0 $((4 * R))M (lzo-rle, backing $LOOP0, recomp zstd)" zwrite 0 disksize $((4 * R))M
check "zram1 $((4 * R))M (zstd, recomp deflate, packed backing $LOOP1P, dedup, tiering)" \
	bash -c "echo $((4 * R))M >/sys/block/zram1/disksize && echo $((4 * R))M >/sys/block/zram1/mem_limit &&
		echo '$TIER' >/sys/block/zram1/tiering"

LOOPS=$S
RUNTIME=$((4 * S))
cat >"$SCRATCH/load.fio" <<EOF
[global]
ioengine=psync
verify=crc32c
verify_fatal=1
do_verify=1
group_reporting=0
randrepeat=0
buffer_compress_percentage=50
buffer_compress_chunk=4096
EOF
for d in 0 1; do
	cat >>"$SCRATCH/load.fio" <<EOF
[z${d}-direct]
filename=/dev/zram$d
direct=1
rw=randwrite
bsrange=4k-64k
blockalign=4k
offset=0
size=$((3 * S))m
loops=1
verify_backlog=64
[z${d}-buffered]
filename=/dev/zram$d
direct=0
rw=randwrite
bsrange=512-8k
blockalign=512
offset=${R}m
size=${S}m
loops=$LOOPS
fsync=16
[z${d}-trimwrite]
filename=/dev/zram$d
direct=1
rw=randtrimwrite
bsrange=4k-32k
blockalign=4k
offset=$((2 * R))m
size=$((2 * S))m
loops=$LOOPS
[z${d}-reader]
filename=/dev/zram$d
direct=1
rw=randread
bsrange=4k-64k
blockalign=4k
offset=0
size=$((3 * R))m
do_verify=0
verify=null
time_based=1
runtime=$RUNTIME
EOF
done

STOP=$SCRATCH/stop
rm -f "$STOP"
# A side loop: "loop NAME MAX CMD": runs CMD (a function) until $STOP
# exists or MAX rounds; counts rounds in NAME.n, failures in NAME.bad
# (one line each, the first ones kept in NAME.why).
side() {
	local name=$1 max=$2 i=0 bad=0

	shift 2
	while [ ! -e "$STOP" ] && [ "$i" -lt "$max" ]; do
		i=$((i + 1))
		"$@" >>"$SCRATCH/$name.why" 2>&1 || bad=$((bad + 1))
	done
	echo "$i" >"$SCRATCH/$name.n"
	echo "$bad" >"$SCRATCH/$name.bad"
}

# Every readable attribute (mode bits), read in one cat per device.
mapfile -t READABLE < <(cd /sys/block/zram0 && stat -L -c '0%a %n %F' -- * |
	while read -r m f t; do
		[ "$t" = "regular file" ] && [ $((m & 0444)) != 0 ] && echo "$f"
	done)
check_ge "zram0's readable attributes found (${#READABLE[@]}: ${READABLE[*]:0:3} ...)" \
	20 "${#READABLE[@]}"
# timed NAME CMD...: run CMD, log its time in ms to $SCRATCH/times.
timed() {
	local name=$1 a b rc

	shift
	a=${EPOCHREALTIME/./}
	"$@" >/dev/null
	rc=$?
	b=${EPOCHREALTIME/./}
	echo "$name $(((b - a) / 1000))" >>"$SCRATCH/times"
	return "$rc"
}
attr_round() {
	local d f rc=0 files

	for d in 0 1; do
		files=()
		for f in "${READABLE[@]}"; do files+=("/sys/block/zram$d/$f"); done
		timed "read attrs" cat "${files[@]}" "$DEBUGFS/zram/zram$d/block_state" ||
			{ echo "read zram$d"; rc=1; }
		timed compact zwrite "$d" compact 1 || { echo "compact zram$d"; rc=1; }
		timed mem_used_max zwrite "$d" mem_used_max 0 || { echo "mem_used_max zram$d"; rc=1; }
		timed idle zwrite "$d" idle all || { echo "idle zram$d"; rc=1; }
		timed recompress zwrite "$d" recompress "type=idle max_pages=32" ||
			{ echo "recompress zram$d"; rc=1; }
	done
	# A full backing device says ENOSPC: that is a refusal, not an error.
	timed_wb 0 "$(direct_range)" || rc=1
	# zram1: packed, whatever its pages are (shared ones stay): a range
	# of the direct region (prefilled, so there are pages there from
	# the start), then what is idle (fio touches most pages between the
	# "idle all" above and this: the idle ones may all be shared).
	timed_wb 1 "$(direct_range)" || rc=1
	timed_wb 1 idle || rc=1
	timed tiering zwrite 1 tiering run || { echo "tiering run zram1"; rc=1; }
	for d in 0 1; do
		zwrite "$d" writeback_batch_size "${BATCHES[RANDOM % 3]}" ||
			{ echo "writeback_batch_size zram$d"; rc=1; }
	done
	return "$rc"
}
BATCHES=(1 4 32)
# direct_range: 64 pages at random in the direct region, as writeback's
# "page_indexes=FIRST-LAST".
direct_range() {
	local lo=$(((RANDOM % (3 * S * 4)) * 64))

	echo "page_indexes=$lo-$((lo + 63))"
}
# timed_wb DEV ARGS: a writeback, refused only for want of space.
timed_wb() {
	local a e

	a=${EPOCHREALTIME/./}
	e=$(write_errno /sys/block/zram"$1"/writeback "$2")
	echo "writeback $(((${EPOCHREALTIME/./} - a) / 1000))" >>"$SCRATCH/times"
	case $e in
	OK|ENOSPC) ;;
	*) echo "writeback zram$1 $2: $e"; return 1 ;;
	esac
}

hot_round() {
	local id

	id=$(cat "$CTL"/hot_add) || { echo "hot_add failed"; return 1; }
	echo 4M >/sys/block/zram"$id"/disksize || { echo "disksize zram$id"; return 1; }
	head -c 1M /dev/urandom >"$SCRATCH/hot.in"
	dd if="$SCRATCH/hot.in" of=/dev/zram"$id" bs=64k oflag=direct status=none &&
		cmp <(dd if=/dev/zram"$id" bs=64k count=16 iflag=direct status=none) \
			"$SCRATCH/hot.in" || { echo "zram$id data"; return 1; }
	echo "$id" >"$CTL"/hot_remove || { echo "hot_remove zram$id"; return 1; }
	[ ! -e /sys/block/zram"$id" ] || { echo "zram$id still there"; return 1; }
}

# The busy devices: held open here (fio's jobs open and close them).
busy_round() {
	local d e rc=0

	for d in 0 1; do
		e=$(write_errno /sys/block/zram"$d"/reset 1)
		[ "$e" = EBUSY ] || { echo "reset zram$d while open: $e"; rc=1; }
		e=$(write_errno "$CTL"/hot_remove "$d")
		[ "$e" = EBUSY ] || { echo "hot_remove zram$d while open: $e"; rc=1; }
	done
	return "$rc"
}
busy_loop() {
	exec 5</dev/zram0 6</dev/zram1
	side busy "$@" busy_round
}

cpu_round() {
	local c=/sys/devices/system/cpu/cpu1/online

	timed cpu_off eval "echo 0 >$c" || { echo "cpu1 offline failed"; return 1; }
	[ "$(cat "$c")" = 0 ] || { echo "cpu1 not offline"; return 1; }
	echo 1 >"$c" || { echo "cpu1 online failed"; return 1; }
	[ "$(cat "$c")" = 1 ] || { echo "cpu1 not online"; return 1; }
}

# Write-zeroes on zram0/1 in the fourth region (no fio job there; on
# zram1 its first half): a pattern, its readback, BLKZEROOUT, zeros
# readback.
ZERO_BASE=$((3 * R * 256))	# in pages
DUP_BASE=$((ZERO_BASE + R * 128)) DUP_PAGES=$((R * 128))
zero_round() {
	local d=$((RANDOM % 2)) pg n=$((1 + RANDOM % 16))

	pg=$((ZERO_BASE + RANDOM % ((2 - d) * R * 128 - 16)))

	head -c $((n * 4096)) /dev/urandom >"$SCRATCH/z$d.in"
	dd if="$SCRATCH/z$d.in" of=/dev/zram"$d" bs=4096 seek="$pg" oflag=direct status=none &&
		zblk same /dev/zram"$d" "$pg" "$n" "$SCRATCH/z$d.in" ||
			{ echo "zram$d pattern at $pg+$n"; return 1; }
	blkdiscard -z -o $((pg * 4096)) -l $((n * 4096)) /dev/zram"$d" ||
		{ echo "blkdiscard -z zram$d"; return 1; }
	cmp <(dd if=/dev/zram"$d" bs=4096 skip="$pg" count="$n" iflag=direct status=none) \
		<(head -c $((n * 4096)) /dev/zero) || { echo "zram$d not zero at $pg+$n"; return 1; }
}

# Copies on zram1 (deduplication) in the second half of the fourth
# region: runs of pages each one of four (half random, half zeros: they
# compress), written over whatever was there, read back; dup.shadow
# holds what the area must read back as at the end.  The most pages
# dedup_stat saw sharing goes to dup.max.
head -c $((DUP_PAGES * 4096)) /dev/zero >"$SCRATCH/dup.shadow"
for i in 0 1 2 3; do
	{ head -c 2048 /dev/urandom; head -c 2048 /dev/zero; } >"$SCRATCH/dup$i"
done
echo 0 >"$SCRATCH/dup.max"
dup_round() {
	local pg=$((RANDOM % (DUP_PAGES - 16))) n=$((1 + RANDOM % 16)) i shared

	for i in $(seq "$n"); do cat "$SCRATCH/dup$((RANDOM % 4))"; done >"$SCRATCH/dup.in"
	dd if="$SCRATCH/dup.in" of=/dev/zram1 bs=4096 seek=$((DUP_BASE + pg)) oflag=direct status=none &&
		zblk same /dev/zram1 $((DUP_BASE + pg)) "$n" "$SCRATCH/dup.in" ||
			{ echo "zram1 copies at $pg+$n"; return 1; }
	dd if="$SCRATCH/dup.in" of="$SCRATCH/dup.shadow" bs=4096 seek="$pg" conv=notrunc status=none
	shared=$(zcol 1 dedup_stat 1)
	[ "$shared" -le "$(cat "$SCRATCH/dup.max")" ] || echo "$shared" >"$SCRATCH/dup.max"
}

cpu1=/sys/devices/system/cpu/cpu1/online
[ -w $cpu1 ] && HOTPLUG=1 || HOTPLUG=0
# The direct regions hold data before the load (half-compressible, no
# two pages alike), so that a writeback of a range of them during the
# load has pages to write whenever it comes.
check "prefill the direct regions of zram0 and zram1 ($((3 * S)) MiB each)" \
	fio --output="$SCRATCH/prefill.out" --ioengine=psync --direct=1 --rw=write \
	--bs=64k --size=$((3 * S))m --buffer_compress_percentage=50 \
	--buffer_compress_chunk=4096 --refill_buffers=1 \
	--name=p0 --filename=/dev/zram0 --name=p1 --filename=/dev/zram1
t0=$EPOCHSECONDS
fio --output="$SCRATCH/fio.out" "$SCRATCH/load.fio" &
fpid=$!
side attrs $((400 * S)) attr_round &
p1=$!
side hot $((200 * S)) hot_round &
p2=$!
busy_loop $((1000 * S)) &
p3=$!
side zero $((1000 * S)) zero_round &
p4=$!
side dup $((1000 * S)) dup_round &
p5=$!
pids="$p1 $p2 $p3 $p4 $p5"
if [ "$HOTPLUG" = 1 ]; then
	side cpu $((200 * S)) cpu_round &
	pids="$pids $!"
fi
wait $fpid
frc=$?
touch "$STOP"
# shellcheck disable=SC2086
wait $pids
t1=$EPOCHSECONDS
check_eq "fio with verify=crc32c on zram0 and zram1 exits 0" 0 "$frc"
[ "$frc" = 0 ] || sed -n '1,40p' "$SCRATCH/fio.out" | sed 's/^/#   /'
verr=$(grep -c 'verify:\|bad magic\|crc32c: verify failed' "$SCRATCH/fio.out")
check_eq "fio reports no verify error" 0 "$verr"
issued=$(awk -F'[=,]' '/issued rwts: total=/ {r += $3; w += $4; t += $5} END {print r + w + t}' "$SCRATCH/fio.out")
diag "fio: $issued I/Os issued (reads incl. verify, writes, trims) in $((t1 - t0)) s"
figure fio_ios "$issued"
for n in attrs hot busy zero dup cpu; do
	[ "$n" = cpu ] && [ "$HOTPLUG" = 0 ] && continue
	r=$(cat "$SCRATCH/$n.n" 2>/dev/null) b=$(cat "$SCRATCH/$n.bad" 2>/dev/null)
	check_ge "side loop $n ran during the load" 1 "${r:-0}"
	check_eq "side loop $n: every round as expected ($r rounds)" 0 "${b:-x}"
	[ "${b:-0}" = 0 ] || head -n 10 "$SCRATCH/$n.why" | sed 's/^/#   /'
	figure "rounds_$n" "${r:-0}"
done
[ "$HOTPLUG" = 1 ] || diag "cpu1 cannot go offline here: no CPU hotplug rounds"
diag "side operations, slowest ms: $(sort -k2 -n -r "$SCRATCH/times" 2>/dev/null | awk '!s[$1]++' | xargs)"
check_eq "cpu1 online after the load" 1 "$(cat $cpu1 2>/dev/null || echo 1)"
check_eq "zram0, zram1: no failed reads/writes" "0 0 0 0" \
	"$(zcol 0 io_stat 1) $(zcol 0 io_stat 2) $(zcol 1 io_stat 1) $(zcol 1 io_stat 2)"
diag "zram0 bd_stat $(xargs <"$(zdev 0)/bd_stat"), debug_stat $(tail -n1 "$(zdev 0)/debug_stat" | xargs)"
check "pages were written back during the load" test "$(zcol 0 bd_stat 3)" -gt 0
diag "$(zram_state 1)"
check "zram1: blocks were written packed during the load" test "$(zcol 1 bd_stat 3)" -gt 0
check "zram1: tiering passes ran during the load" test "$(zcol 1 tiering_stat 1)" -gt 0
check "zram1: pages shared an object during the load" test "$(cat "$SCRATCH/dup.max")" -gt 0
check "zram1: the copies' area reads back as written" \
	zblk same /dev/zram1 $DUP_BASE $DUP_PAGES "$SCRATCH/dup.shadow"
figure wb_packed_blocks "$(zcol 1 bd_stat 3)"
figure tier_passes "$(zcol 1 tiering_stat 1)"
check_eq "no third device left over" "zram0 zram1" "$(zram_devs)"
# A final read of the whole fio-verified regions: no I/O error.
# shellcheck disable=SC2016 # bash -c expands it
check "both devices read end to end after the load" \
	bash -c 'for d in 0 1; do dd if=/dev/zram$d of=/dev/null bs=1M iflag=direct status=none || exit 1; done'

# ================================================================ 2. swap storm

diag "load: $((EPOCHSECONDS - t0)) s"; t0=$EPOCHSECONDS

hog=${ZRAM_TEST_HOG:-}
if [ -z "$hog" ] || [ ! -x "$hog" ]; then
	hog=$SCRATCH/memhog
	gcc -O2 -o "$hog" "$TREE/tests/memhog.c" || hog=''
fi
check "memhog available" test -n "$hog"
# The debug guest: the same storm with hogs 8 MiB smaller (12 MiB at
# scale 1; at 20 MiB it took 131 s there; the paths are the same).  The
# cgroup holds three quarters of one hog: the pressure is 4x either way.
hog_base=12
[ "$ZRAM_TEST_DEBUG" = 1 ] && hog_base=4
NHOG=3 HOG_MB=$((hog_base + 8 * S))
[ "$HOG_MB" -gt 160 ] && HOG_MB=160
LIMIT_MB=$((HOG_MB * 3 / 4))
# Swap over packed writeback, deduplication (the hogs' pages are the
# same at the same index: copies) and tiering passes every second
# (recompression of idle pages, writeback above 2% of mem_limit).
zram_reset 0
packed 0 1
zwrite 0 backing_dev "$LOOP0"
zwrite 0 recomp_algorithm "algo=zstd"
zwrite 0 disksize $((NHOG * HOG_MB * 2))M
check "zram0: mem_limit and tiering for the storm" bash -c \
	"echo $((NHOG * HOG_MB * 2))M >/sys/block/zram0/mem_limit &&
	 echo '${TIER/max_pages=256/max_pages=0}' >/sys/block/zram0/tiering"
check "zram0 swap: mkswap + swapon" bash -c 'mkswap /dev/zram0 >/dev/null && swapon -p 100 /dev/zram0'
# No transparent huge pages for the hogs (Debian's kernels default to
# "always").  Once (6.12, CI) the cgroup OOM-killed a hog right after
# swapon: 12 of its 14 MiB were huge pages, 4 KiB had reached swap, no
# swap write had failed.  Cgroup reclaim gives up after 16 passes that
# free nothing, and with three hogs on two CPUs moving 2 MiB folios in a
# 15 MiB cgroup, most likely the others' reclaim had them all isolated.
# The storm is about zram under 4 KiB swap traffic, not that heuristic.
thp=/sys/kernel/mm/transparent_hugepage/enabled
if [ -w $thp ]; then
	read -r thp_was <$thp
	thp_was=${thp_was#*[} thp_was=${thp_was%%]*}
	echo never >$thp && at_exit "echo $thp_was >$thp"
fi
cg=/sys/fs/cgroup/zram-torture
mkdir -p $cg
at_exit "rmdir $cg"
echo ${LIMIT_MB}M >$cg/memory.max
echo max >$cg/memory.swap.max
hpids=()
for i in $(seq $NHOG); do
	mkfifo "$SCRATCH/go$i"
	exec {fd}<>"$SCRATCH/go$i"
	eval "HOGFD$i=$fd"
	bash -c "echo \$\$ > $cg/cgroup.procs && exec '$hog' $HOG_MB" \
		<"$SCRATCH/go$i" >"$SCRATCH/hog$i.out" 2>&1 &
	hpids+=($!)
done
if [ "$HOTPLUG" = 1 ]; then
	rm -f "$STOP"
	side cpu2 $((200 * S)) cpu_round &
	cpid=$!
fi
# Until every hog has verified its pages, or one died before (an OOM kill:
# the others would then wait on their fifos for good).
for _ in $(seq 1200); do
	n=0 dead=0
	for i in $(seq $NHOG); do
		if grep -q verified "$SCRATCH/hog$i.out"; then
			n=$((n + 1))
		elif ! kill -0 "${hpids[$((i - 1))]}" 2>/dev/null; then
			dead=$i
		fi
	done
	[ "$n" = $NHOG ] && break
	[ "$dead" = 0 ] || { diag "hog $dead ended before it verified"; break; }
	# Compaction, and cleaning of the backing device's part-empty blocks.
	zwrite 0 compact 1
	sleep 0.5
done
check_eq "$NHOG hogs of ${HOG_MB}M filled and verified under ${LIMIT_MB}M (4x)" $NHOG "$n"
used=$(awk '$1 == "/dev/zram0" {print $4}' /proc/swaps)
diag "swap used ${used}K; zram0 mm_stat $(xargs <"$(zdev 0)/mm_stat")"
check "zram0 holds swapped pages" test "${used:-0}" -gt $((LIMIT_MB * 1024))
# Written back now, whatever the passes did: swapoff reads them back.
zwrite 0 idle all
check "zram0: writeback idle of the swapped pages (OK or ENOSPC)" timed_wb 0 idle
diag "$(zram_state 0)"
check "zram0: swapped pages on the backing device" test "$(zcol 0 bd_stat 4)" -gt 0
figure storm_wb_pages "$(zcol 0 bd_stat 4)"
figure storm_shared "$(zcol 0 dedup_stat 1)"
figure storm_cleaned "$(zcol 0 bd_stat 6)"
check "memory.max lifted" bash -c "echo max > $cg/memory.max"
check "swapoff brings every page back" swapoff /dev/zram0
if [ "$HOTPLUG" = 1 ]; then
	touch "$STOP"
	wait "$cpid"
	check_eq "CPU hotplug rounds during the storm as expected ($(cat "$SCRATCH/cpu2.n"))" 0 "$(cat "$SCRATCH/cpu2.bad")"
	figure rounds_cpu_storm "$(cat "$SCRATCH/cpu2.n")"
fi
hrc=0
for i in $(seq $NHOG); do
	eval "echo go >&\$HOGFD$i"
	wait "${hpids[$((i - 1))]}" || hrc=$((hrc + 1))
done
check_eq "every hog verified all its pages after swapoff" 0 "$hrc"
[ "$hrc" = 0 ] || cat "$SCRATCH"/hog*.out | head -n 20 | sed 's/^/#   /'
check_eq "no OOM kill" 0 "$(awk '$1 == "oom_kill" {print $2}' $cg/memory.events)"
figure storm_pages $((NHOG * HOG_MB * 256 * 2))
check_eq "zram0: no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"
zram_reset 0
packed 0 0

# ================================================================ 3./4. faults

diag "swap storm: $((EPOCHSECONDS - t0)) s"; t0=$EPOCHSECONDS

# The helper: one process doing page-sized direct I/O on zram1 and
# attribute writes, keeping the generation each page last had written
# successfully (so it knows what every page must read back as).  With
# "fail 1", each operation (not the helper's pipe I/O) runs with
# /proc/self/make-it-fail set: only that task's allocations fail.
# Commands on stdin, one result line each (counts).
cat >"$SCRATCH/io-helper.py" <<'PY'
import errno, hashlib, mmap, os, sys, time
dev, npages = sys.argv[1], int(sys.argv[2])
buf = mmap.mmap(-1, 4096)
gen = [-1] * npages          # -1: never written, reads zeros
mif = None
failing = False
def content(page, g):
    seed = hashlib.sha256(b"%d/%d" % (page, g)).digest()
    if g % 4 == 1:
        # Copies (deduplication): eight contents, by page % 8
        seed = hashlib.sha256(b"copy/%d/%d" % (g, page % 8)).digest()
        return (seed * 32 + bytes(3072))[:4096]
    if g % 3 == 0:
        return (seed * 128)[:4096]                  # compresses
    return b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(128))
def mark(on):
    if failing:
        os.pwrite(mif, b"1" if on else b"0", 0)
def marked(fn, *a):
    mark(1)
    try:
        return fn(*a)
    finally:
        mark(0)
def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno))
def tally(res, key):
    res[key] = res.get(key, 0) + 1
def attr(path, val):
    a = os.open(path, os.O_WRONLY)
    try:
        marked(os.write, a, val.encode())
    finally:
        os.close(a)
def read_one(p, res):
    """Read page p, tally OK, BAD (not what was last written) or the errno."""
    try:
        marked(os.preadv, fd, [buf], p * 4096)
        want = bytes(4096) if gen[p] < 0 else content(p, gen[p])
        tally(res, "OK" if buf[:] == want else "BAD")
    except OSError as e:
        tally(res, ename(e))
fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
for line in sys.stdin:
    w = line.split()
    res = {}
    if w[0] == "fail":
        failing = w[1] == "1"
        if failing and mif is None:
            mif = os.open("/proc/self/make-it-fail", os.O_WRONLY)
        res["OK"] = 1
    elif w[0] == "write":                  # write FIRST LAST STEP GEN
        for p in range(int(w[1]), int(w[2]) + 1, int(w[3])):
            try:
                g = int(w[4])
                buf[:] = content(p, g)
                marked(os.pwritev, fd, [buf], p * 4096)
                gen[p] = g
                tally(res, "OK")
            except OSError as e:
                tally(res, ename(e))
    elif w[0] == "read":                   # read FIRST LAST STEP
        for p in range(int(w[1]), int(w[2]) + 1, int(w[3])):
            read_one(p, res)
    elif w[0] == "readfor":                # readfor FIRST LAST SECONDS
        # Whole passes until SECONDS have gone by (a flakey device is up
        # for its first second after a table load, then down for one).
        end = time.time() + float(w[3])
        while True:
            for p in range(int(w[1]), int(w[2]) + 1):
                read_one(p, res)
            if time.time() > end:
                break
    elif w[0] == "attr":                   # attr PATH VALUE...
        try:
            attr(w[1], " ".join(w[2:]) + "\n")
            tally(res, "OK")
        except OSError as e:
            tally(res, ename(e))
    elif w[0] == "wbpages":                # wbpages PATH FIRST LAST SECONDS
        # Spread over SECONDS (the flakey device changes every second).
        first, last, secs = int(w[2]), int(w[3]), float(w[4])
        end = time.time() + secs
        for p in range(first, last + 1):
            if time.time() > end:
                break
            time.sleep(secs / (last - first + 1))
            try:
                attr(w[1], "page_index=%d" % p)
                tally(res, "OK")
            except OSError as e:
                tally(res, ename(e))
    print(" ".join("%s=%d" % kv for kv in sorted(res.items())) or "none", flush=True)
PY

NP=2048	# zram1: 8M
hstart() { coproc HELPER { python3 "$SCRATCH/io-helper.py" /dev/zram1 $NP; }; }
hx() {
	local r='helper-died'

	[ -n "${HELPER[1]:-}" ] && echo "$*" >&"${HELPER[1]}" && read -r r <&"${HELPER[0]}"
	echo "$r"
}
hstop() { [ -n "${HELPER[1]:-}" ] && eval "exec ${HELPER[1]}>&-"; wait "${HELPER_PID:-}" 2>/dev/null; }
# cnt KEY "RESULT": the count of KEY in a helper result line.
cnt() { local v; v=$(tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"); echo "${v:-0}"; }
others() { tr ' ' '\n' <<<"$1" | grep -Ev "^(OK|EIO)=" | xargs; }
# fault_setup BACKING [PACKED]: zram1 8M over BACKING; with PACKED 1,
# packed writeback and deduplication.
fault_setup() {
	zram_reset 1
	packed 1 "${2:-0}" &&
		zwrite 1 backing_dev "$1" &&
		zwrite 1 recomp_algorithm "algo=zstd" &&
		zwrite 1 disksize 8M
}
dmtable() { dmsetup --noudevsync suspend ztorture && \
	dmsetup --noudevsync load ztorture --table "$1" && dmsetup --noudevsync resume ztorture; }

LOOP1=$(new_loop back1 32M)
at_exit "losetup -d $LOOP1"
sectors=$((32 * 2048))
FLAKEY=''
if dmsetup --noudevsync create ztorture --table "0 $sectors linear $LOOP1 0" >/dev/null 2>&1; then
	at_exit "dmsetup --noudevsync remove ztorture"
	dmsetup mknodes ztorture 2>/dev/null
	FLAKEY=/dev/mapper/ztorture
	[ -b "$FLAKEY" ] || FLAKEY=/dev/$(dmsetup info -c --noheadings -o blkdevname ztorture)
fi
if [ -b "$FLAKEY" ] && dmsetup targets | grep -q '^flakey' && fault_setup "$FLAKEY"; then
	hstart
	r=$(hx write 0 $((NP - 1)) 1 0)
	check_eq "zram1 over dm ($FLAKEY): $NP pages written" "OK=$NP" "$r"
	hx attr /sys/block/zram1/idle all >/dev/null
	# Writes to the backing device fail 1 s in 2.
	dmtable "0 $sectors flakey $LOOP1 0 1 1 1 error_writes"
	r=$(hx wbpages /sys/block/zram1/writeback 0 $((NP - 1)) $((3 + S)))
	wb_ok=$(cnt OK "$r") wb_eio=$(cnt EIO "$r")
	diag "flakey writes, writeback one page at a time: $r; bd_stat $(xargs </sys/block/zram1/bd_stat)"
	check "writeback failed with EIO while the backing device failed writes" test "$wb_eio" -gt 0
	check "writeback succeeded while it did not" test "$wb_ok" -gt 0
	check_eq "writeback: no error but EIO" "" "$(others "$r")"
	check_eq "bd_stat counts the pages written back" "$wb_ok" "$(zcol 1 bd_stat 1)"
	# Reads from the backing device fail 1 s in 2.
	dmtable "0 $sectors flakey $LOOP1 0 1 1"
	fr0=$(zcol 1 io_stat 1)
	last=$((wb_ok + wb_eio + 16))
	[ "$last" -lt "$NP" ] || last=$((NP - 1))
	# Passes over the written-back pages for 2.5 s or more: at least one
	# whole down second of the device falls among them.
	r=$(hx readfor 0 $last $((2 + S)).5)
	rd_ok=$(cnt OK "$r") rd_eio=$(cnt EIO "$r") rd_other=$(others "$r")
	diag "flakey reads: $rd_ok OK, $rd_eio EIO, other: '$rd_other'"
	check "reads failed with EIO while the backing device failed reads" test "$rd_eio" -gt 0
	check_eq "no read returned wrong data or another error" "" "$rd_other"
	check_eq "failed_reads = the EIOs seen" "$rd_eio" $(($(zcol 1 io_stat 1) - fr0))
	dmtable "0 $sectors linear $LOOP1 0"
	check_eq "backing device healthy again: every page reads back as written" \
		"OK=$NP" "$(hx read 0 $((NP - 1)) 1)"
	hstop
	figure faults_backing $((wb_eio + rd_eio))
	figure verified_pages_backing $((2 * NP + rd_ok))
	zram_reset 1
else
	not_ok "dm-flakey over a loop device as zram1's backing device"
fi

FI=$DEBUGFS/failslab
if [ -d "$FI" ] && [ -d "$DEBUGFS/fail_page_alloc" ]; then
	for a in failslab fail_page_alloc; do
		echo 0 >"$DEBUGFS/$a/probability"
		echo 1 >"$DEBUGFS/$a/interval"
		echo 100000 >"$DEBUGFS/$a/times"
		echo 0 >"$DEBUGFS/$a/space"
		echo 0 >"$DEBUGFS/$a/verbose"
		echo Y >"$DEBUGFS/$a/task-filter"
		echo N >"$DEBUGFS/$a/ignore-gfp-wait"
	done
	echo N >"$DEBUGFS/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$DEBUGFS/fail_page_alloc/min-order"
	at_exit "echo 0 >$DEBUGFS/failslab/probability; echo 0 >$DEBUGFS/fail_page_alloc/probability"
	# A backing device of its own: LOOP1 is still held by the dm device.
	LOOP3=$(new_loop back3 32M)
	at_exit "losetup -d $LOOP3"
	check "zram1 8M over $LOOP3 (packed, dedup) for allocation faults" fault_setup "$LOOP3" 1
	hstart
	check_eq "baseline: $((NP / 2)) pages written" "OK=$((NP / 2))" "$(hx write 0 $((NP / 2 - 1)) 1 0)"
	fw0=$(zcol 1 io_stat 2) fr0=$(zcol 1 io_stat 1)
	echo 20 >"$FI/probability"
	echo 20 >"$DEBUGFS/fail_page_alloc/probability"
	w_ok=0 w_eio=0 r_ok=0 r_eio=0 r_bad=0 c_ok=0 c_err=0 other=''
	hx fail 1 >/dev/null
	for round in $(seq $((2 * S))); do
		# Overwrite every other old page, fill new ones.
		r=$(hx write $((round & 1)) $((NP - 1)) 2 "$round")
		w_ok=$((w_ok + $(cnt OK "$r"))) w_eio=$((w_eio + $(cnt EIO "$r")))
		other="$other $(others "$r")"
		for cmd in "idle all" "writeback idle" "writeback huge" "recompress type=idle" \
			"recompress" "compact 1" "writeback page_indexes=0-$((NP - 1))"; do
			# shellcheck disable=SC2086
			r=$(hx attr /sys/block/zram1/$cmd)
			c_ok=$((c_ok + $(cnt OK "$r")))
			c_err=$((c_err + 1 - $(cnt OK "$r")))
		done
		r=$(hx read 0 $((NP - 1)) 3)
		r_ok=$((r_ok + $(cnt OK "$r"))) r_eio=$((r_eio + $(cnt EIO "$r")))
		r_bad=$((r_bad + $(cnt BAD "$r")))
		other="$other $(tr ' ' '\n' <<<"$r" | grep -Ev '^(OK|EIO|BAD)=' | xargs)"
	done
	hx fail 0 >/dev/null
	echo 0 >"$FI/probability"
	echo 0 >"$DEBUGFS/fail_page_alloc/probability"
	injected=$((200000 - $(cat "$FI/times") - $(cat "$DEBUGFS/fail_page_alloc/times")))
	diag "injected $injected allocation failures: writes $w_ok OK $w_eio EIO;" \
		"reads $r_ok OK $r_eio EIO $r_bad wrong; commands $c_ok OK $c_err refused;" \
		"other errors (the task's own allocations outside zram): '$(xargs <<<"$other")'"
	check "allocation failures were injected" test "$injected" -gt 0
	check "some writes failed with EIO" test "$w_eio" -gt 0
	check_eq "failed_writes = the write EIOs seen" "$w_eio" $(($(zcol 1 io_stat 2) - fw0))
	check_eq "failed_reads = the read EIOs seen" "$r_eio" $(($(zcol 1 io_stat 1) - fr0))
	check_eq "no read returned wrong data" 0 "$r_bad"
	check_eq "after the faults: every page reads back as last written" \
		"OK=$NP" "$(hx read 0 $((NP - 1)) 1)"
	hstop
	figure faults_alloc "$injected"
	figure verified_pages_alloc $((NP + r_ok))
	zram_reset 1
	packed 1 0
else
	diag "no /sys/kernel/debug/failslab: this kernel has no CONFIG_FAULT_INJECTION_DEBUG_FS (Debian's); allocation faults run in the debug kernel only"
fi
diag "fail_make_request: not in any of our kernels (debug.config has no FAIL_MAKE_REQUEST); backing-device faults use dm-flakey"

# ================================================================ 5. hostile input

diag "faults: $((EPOCHSECONDS - t0)) s"; t0=$EPOCHSECONDS

LOOP2=$(new_loop back2 8M)
at_exit "losetup -d $LOOP2"
# Half as many in the debug guest, where each write costs 4x (random
# seeds: make check's runs between them try more than one run does).
FUZZ=$((400 * S))
[ "$ZRAM_TEST_DEBUG" = 1 ] && FUZZ=$((200 * S))
seed=$RANDOM
diag "fuzzer seed $seed (fuzz-attrs.py --seed $seed replays its inputs)"
python3 "$TREE/tests/fuzz-attrs.py" --writes $FUZZ --seed "$seed" \
	--backing "$LOOP2" >"$SCRATCH/fuzz.out" 2>&1
frc=$?
grep '^#' "$SCRATCH/fuzz.out"
fz() { awk -v k="$1" '$1 == "STAT" && $2 == k {print $3}' "$SCRATCH/fuzz.out"; }
check_eq "fuzzer ran to the end" 0 "$frc"
[ "$frc" = 0 ] || tail -n 20 "$SCRATCH/fuzz.out" | sed 's/^/#   /'
check_ge "fuzzer tried $FUZZ writes" $FUZZ "$(fz tried)"
check_eq "every refused write changed nothing" 0 "$(fz refused_changed)"
check_eq "data intact after every batch" 0 "$(fz data_bad)"
check_eq "no write accepted in a state that forbids it" 0 "$(fz wrong_state)"
check_eq "every writable attribute has a valid-form rule" 0 "$(fz unknown_attrs)"
check_eq "every accepted write is a valid form" 0 "$(fz junk_accepted)"
diag "fuzzer: $(fz tried) tried, $(fz accepted) accepted ($(fz valid) valid forms," \
	"$(fz junk_accepted) junk, $(fz trigger_junk) to compact or max_comp_streams, which ignore their input)," \
	"$(fz batches) batches, $(fz rebuilds) rebuilds, $(fz devices_created) devices created"
figure junk_tried "$(fz tried)"
figure junk_accepted "$(fz junk_accepted)"
check_eq "fuzzer left zram0 and zram1 only" "zram0 zram1" "$(zram_devs)"

# ================================================================ 6. lifecycle

diag "fuzzer: $((EPOCHSECONDS - t0)) s"; t0=$EPOCHSECONDS

NLIFE=$((5 * S))
[ "$S" = 1 ] && NLIFE=2
# One in the debug guest at scale 1 (21 s a cycle there).
[ "$S" = 1 ] && [ "$ZRAM_TEST_DEBUG" = 1 ] && NLIFE=1
[ "$NLIFE" -gt 200 ] && NLIFE=200
mkdir -p "$SCRATCH/mnt"
head -c 2M /dev/urandom >"$SCRATCH/life.in"
life_bad=0 life_why=''
lifecycle_round() {
	local out

	zram_unload || { life_why="rmmod (idle)"; return 1; }
	zram_load num_devices=2 || { life_why="insmod"; return 1; }
	echo zstd >/sys/block/zram1/comp_algorithm &&
		echo 32M >/sys/block/zram0/disksize &&
		echo 32M >/sys/block/zram1/disksize || { life_why="configure"; return 1; }
	dd if="$SCRATCH/life.in" of=/dev/zram0 bs=64k seek=256 oflag=direct status=none &&
		cmp <(dd if=/dev/zram0 bs=64k skip=256 count=32 iflag=direct status=none) \
			"$SCRATCH/life.in" || { life_why="zram0 data"; return 1; }
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || { life_why="swapon"; return 1; }
	mkfs.ext4 -q -F /dev/zram1 && mount /dev/zram1 "$SCRATCH/mnt" &&
		cp "$SCRATCH/life.in" "$SCRATCH/mnt/f" && sync || { life_why="ext4"; return 1; }
	out=$(rmmod zram 2>&1) && { life_why="rmmod succeeded while swapped on and mounted"; return 1; }
	[ -d /sys/module/zram ] || { life_why="module gone while in use: $out"; return 1; }
	swapoff /dev/zram0 || { life_why="swapoff"; return 1; }
	out=$(rmmod zram 2>&1) && { life_why="rmmod succeeded while mounted"; return 1; }
	[ -d /sys/module/zram ] || { life_why="module gone while mounted: $out"; return 1; }
	umount "$SCRATCH/mnt" && mount -o ro /dev/zram1 "$SCRATCH/mnt" &&
		cmp "$SCRATCH/mnt/f" "$SCRATCH/life.in" && umount "$SCRATCH/mnt" ||
		{ life_why="ext4 file after remount"; return 1; }
	rmmod zram || { life_why="rmmod after swapoff/umount"; return 1; }
}
swapoff -a 2>/dev/null
for n in $(seq $NLIFE); do
	lifecycle_round || { life_bad=$((life_bad + 1)); diag "lifecycle round $n: $life_why"; break; }
done
grep -q " $SCRATCH/mnt " /proc/mounts && umount "$SCRATCH/mnt"
swapoff -a 2>/dev/null
# shellcheck disable=SC2086
[ -d /sys/module/zram ] || zram_load $ZRAM_TEST_PARAMS
check_eq "$NLIFE x load, configure, use, rmmod refused while in use, unload" 0 "$life_bad"
figure lifecycles $((n - life_bad))
diag "lifecycle: $((EPOCHSECONDS - t0)) s"
check "module loaded again for the harness" test -d /sys/module/zram

done_testing
