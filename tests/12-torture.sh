#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Torture: everything at once, verified (issue #11, "Prove").
#  1. concurrent verified load: fio (verify=crc32c, verify_fatal) on zram0
#     and zram1 at once, each device cut into regions one job owns:
#     direct random writes 4K..64K with interleaved verify reads, buffered
#     writes 512 B..8K (the logical block size is 4096, so O_DIRECT below
#     4K is refused by the block layer: sub-4K sizes go through the page
#     cache and reach zram as read-modify-write of whole pages), random
#     trim+write, unverified random reads over the whole device; beside
#     it, write-zeroes (BLKZEROOUT) of a region of its own, verified; and
#     loops of compact, idle all, writeback, recompress, mem_used_max
#     resets, reads of every attribute, hot_add/hot_remove of a third
#     device, reset and hot_remove of the busy devices (asserted EBUSY),
#     and CPU 1 offline/online;
#  2. swap storm: memhogs in a cgroup whose memory.max is a quarter of
#     their total; then the limit is lifted, swapoff brings every page
#     back, and each hog verifies all its pages;
#  3. backing device faults (dm-flakey under the backing device):
#     writeback while writes fail, reads while reads fail; every failure
#     is an I/O error, failed_reads counts them exactly, nothing is lost;
#  4. allocation faults (failslab, fail_page_alloc; only where
#     /sys/kernel/debug/failslab exists, i.e. the debug kernel: Debian's
#     kernels have no CONFIG_FAULT_INJECTION, so there this block prints
#     a diag line and no case): writes, reads, writeback and recompress
#     of a task marked make-it-fail; EIOs equal failed_writes /
#     failed_reads, every page reads back as last written successfully;
#  5. hostile input: tests/fuzz-attrs.py;
#  6. lifecycle: unload, load, configure, use (swap + ext4), rmmod refused
#     while swapped on or mounted, unload; repeated.
# Amounts scale with ZRAM_TORTURE_SCALE (default 1, about a minute on a
# Debian kernel under TCG; scripts/soak.sh runs large scales).  Every
# loop is bounded by an iteration count as well as by its load's end.
. "$(dirname "$0")/lib.sh"

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
errno_of_write() {	# errno_of_write FILE VALUE
	local out
	out=$( { printf '%s\n' "$2" >"$1"; } 2>&1)
	errno_name "$out"
}

# Ensure we hold exactly the devices the test needs: zram0 and zram1.
for id in $(ls /sys/block | sed -n 's/^zram//p'); do
	[ "$id" -gt 1 ] && echo "$id" >$CTL/hot_remove
done
[ -d /sys/block/zram1 ] || cat $CTL/hot_add >/dev/null
check "zram0 and zram1 exist" test -d /sys/block/zram0 -a -d /sys/block/zram1
at_exit 'swapoff -a; for d in 0 1; do echo 1 >/sys/block/zram$d/reset; done'

# ================================================================ 1. load

# Each device: 32*S MiB cut in four regions of 8*S MiB, one per writer
# (direct, buffered, trim+write, write-zeroes); the reader reads 0..24*S.
R=$((8 * S))
LOOP0=$(new_loop back0 $((4 * R))M)
at_exit "losetup -d $LOOP0"
zram_reset 0
zram_reset 1
zwrite 0 backing_dev "$LOOP0"
zwrite 0 recomp_algorithm "algo=zstd"
zwrite 1 comp_algorithm zstd
zwrite 1 recomp_algorithm "algo=deflate"
check "zram0 $((4 * R))M (lzo-rle, backing $LOOP0, recomp zstd)" zwrite 0 disksize $((4 * R))M
check "zram1 $((4 * R))M (zstd, recomp deflate)" zwrite 1 disksize $((4 * R))M

LOOPS=$S
RUNTIME=$((6 * S))
cat >"$SCRATCH/load.fio" <<EOF
[global]
ioengine=psync
verify=crc32c
verify_fatal=1
do_verify=1
group_reporting=0
randrepeat=0
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
size=$((6 * S))m
loops=1
verify_backlog=64
[z${d}-buffered]
filename=/dev/zram$d
direct=0
rw=randwrite
bsrange=512-8k
blockalign=512
offset=${R}m
size=$((1 + S))m
loops=$LOOPS
fsync=16
[z${d}-trimwrite]
filename=/dev/zram$d
direct=1
rw=randtrimwrite
bsrange=4k-32k
blockalign=4k
offset=$((2 * R))m
size=$((2 + S))m
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

ATTR_OPS=0
attr_round() {
	local d f rc=0

	for d in 0 1; do
		for f in /sys/block/zram$d/*; do
			[ -f "$f" ] && [ -r "$f" ] && [ "$(stat -c %a "$f")" != 200 ] &&
				cat "$f" >/dev/null
		done
		cat "$DEBUGFS/zram/zram$d/block_state" >/dev/null
		echo 1 >/sys/block/zram$d/compact || { echo "compact zram$d"; rc=1; }
		echo 0 >/sys/block/zram$d/mem_used_max || { echo "mem_used_max zram$d"; rc=1; }
		echo all >/sys/block/zram$d/idle || { echo "idle zram$d"; rc=1; }
		echo "type=idle max_pages=32" >/sys/block/zram$d/recompress ||
			{ echo "recompress zram$d"; rc=1; }
	done
	# A full backing device says ENOSPC: that is a refusal, not an error.
	lo=$(((RANDOM % (R * 4 - 1)) * 64))
	e=$(errno_of_write /sys/block/zram0/writeback "page_indexes=$lo-$((lo + 63))")
	case $e in
	OK|ENOSPC) ;;
	*) echo "writeback page_indexes=$lo-$((lo + 63)): $e"; rc=1 ;;
	esac
	return $rc
}

hot_round() {
	local id

	id=$(cat $CTL/hot_add) || { echo "hot_add failed"; return 1; }
	echo 4M >/sys/block/zram$id/disksize || { echo "disksize zram$id"; return 1; }
	head -c 1M /dev/urandom >"$SCRATCH/hot.in"
	dd if="$SCRATCH/hot.in" of=/dev/zram$id bs=64k oflag=direct status=none &&
		cmp <(dd if=/dev/zram$id bs=64k count=16 iflag=direct status=none) \
			"$SCRATCH/hot.in" || { echo "zram$id data"; return 1; }
	echo "$id" >$CTL/hot_remove || { echo "hot_remove zram$id"; return 1; }
	[ ! -e /sys/block/zram$id ] || { echo "zram$id still there"; return 1; }
}

# The busy devices: held open here (fio's jobs open and close them).
busy_round() {
	local d e rc=0

	for d in 0 1; do
		e=$(errno_of_write /sys/block/zram$d/reset 1)
		[ "$e" = EBUSY ] || { echo "reset zram$d while open: $e"; rc=1; }
		e=$(errno_of_write $CTL/hot_remove $d)
		[ "$e" = EBUSY ] || { echo "hot_remove zram$d while open: $e"; rc=1; }
	done
	return $rc
}
busy_loop() {
	exec 5</dev/zram0 6</dev/zram1
	side busy "$@" busy_round
}

cpu_round() {
	local c=/sys/devices/system/cpu/cpu1/online

	echo 0 >$c || { echo "cpu1 offline failed"; return 1; }
	[ "$(cat $c)" = 0 ] || { echo "cpu1 not offline"; return 1; }
	echo 1 >$c || { echo "cpu1 online failed"; return 1; }
	[ "$(cat $c)" = 1 ] || { echo "cpu1 not online"; return 1; }
}

# Write-zeroes on zram0/1 in the fourth region (no fio job there): a pattern, its
# readback, BLKZEROOUT, zeros readback.
ZERO_BASE=$((3 * R * 256))	# in pages
zero_round() {
	local d=$((RANDOM % 2)) pg=$((ZERO_BASE + RANDOM % (R * 256 - 16))) n=$((1 + RANDOM % 16))

	head -c $((n * 4096)) /dev/urandom >"$SCRATCH/z$d.in"
	dd if="$SCRATCH/z$d.in" of=/dev/zram$d bs=4096 seek=$pg oflag=direct status=none &&
		cmp <(dd if=/dev/zram$d bs=4096 skip=$pg count=$n iflag=direct status=none) \
			"$SCRATCH/z$d.in" || { echo "zram$d pattern at $pg+$n"; return 1; }
	blkdiscard -z -o $((pg * 4096)) -l $((n * 4096)) /dev/zram$d ||
		{ echo "blkdiscard -z zram$d"; return 1; }
	cmp <(dd if=/dev/zram$d bs=4096 skip=$pg count=$n iflag=direct status=none) \
		<(head -c $((n * 4096)) /dev/zero) || { echo "zram$d not zero at $pg+$n"; return 1; }
}

cpu1=/sys/devices/system/cpu/cpu1/online
[ -w $cpu1 ] && HOTPLUG=1 || HOTPLUG=0
t0=$(date +%s)
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
pids="$p1 $p2 $p3 $p4"
if [ "$HOTPLUG" = 1 ]; then
	side cpu $((200 * S)) cpu_round &
	pids="$pids $!"
fi
wait $fpid
frc=$?
touch "$STOP"
# shellcheck disable=SC2086
wait $pids
t1=$(date +%s)
check_eq "fio with verify=crc32c on zram0 and zram1 exits 0" 0 "$frc"
[ "$frc" = 0 ] || sed -n '1,40p' "$SCRATCH/fio.out" | sed 's/^/#   /'
verr=$(grep -c 'verify:\|bad magic\|crc32c: verify failed' "$SCRATCH/fio.out")
check_eq "fio reports no verify error" 0 "$verr"
issued=$(awk -F'[=,]' '/issued rwts: total=/ {r += $3; w += $4; t += $5} END {print r + w + t}' "$SCRATCH/fio.out")
diag "fio: $issued I/Os issued (reads incl. verify, writes, trims) in $((t1 - t0)) s"
figure fio_ios "$issued"
for n in attrs hot busy zero cpu; do
	[ "$n" = cpu ] && [ "$HOTPLUG" = 0 ] && continue
	r=$(cat "$SCRATCH/$n.n" 2>/dev/null) b=$(cat "$SCRATCH/$n.bad" 2>/dev/null)
	check_ge "side loop $n ran during the load" 1 "${r:-0}"
	check_eq "side loop $n: every round as expected ($r rounds)" 0 "${b:-x}"
	[ "${b:-0}" = 0 ] || head -n 10 "$SCRATCH/$n.why" | sed 's/^/#   /'
	figure "rounds_$n" "${r:-0}"
done
[ "$HOTPLUG" = 1 ] || diag "cpu1 cannot go offline here: no CPU hotplug rounds"
check_eq "cpu1 online after the load" 1 "$(cat $cpu1 2>/dev/null || echo 1)"
check_eq "zram0, zram1: no failed reads/writes" "0 0 0 0" \
	"$(zcol 0 io_stat 1) $(zcol 0 io_stat 2) $(zcol 1 io_stat 1) $(zcol 1 io_stat 2)"
diag "zram0 bd_stat $(xargs <"$(zdev 0)/bd_stat"), debug_stat $(tail -n1 "$(zdev 0)/debug_stat" | xargs)"
check "pages were written back during the load" test "$(zcol 0 bd_stat 3)" -gt 0
check "pages were recompressed during the load" test "$(tail -n1 "$(zdev 0)/debug_stat" | awk '{print $3}')" -gt 0
check_eq "no third device left over" "zram0 zram1" "$(ls /sys/block | grep zram | xargs)"
# A final read of the whole fio-verified regions: no I/O error.
check "both devices read end to end after the load" \
	bash -c 'for d in 0 1; do dd if=/dev/zram$d of=/dev/null bs=1M iflag=direct status=none || exit 1; done'

# ================================================================ 2. swap storm

diag "load: $(($(date +%s) - t0)) s"; t0=$(date +%s)

hog=${ZRAM_TEST_HOG:-}
if [ -z "$hog" ] || [ ! -x "$hog" ]; then
	hog=$SCRATCH/memhog
	gcc -O2 -o "$hog" "$TREE/tests/memhog.c" || hog=''
fi
check "memhog available" test -n "$hog"
NHOG=3 HOG_MB=$((12 + 8 * S)) LIMIT_MB=$(((12 + 8 * S) * 3 / 4))
[ "$HOG_MB" -gt 160 ] && HOG_MB=160 && LIMIT_MB=120
zram_reset 0
zwrite 0 disksize $((NHOG * HOG_MB * 2))M
check "zram0 swap: mkswap + swapon" bash -c 'mkswap /dev/zram0 >/dev/null && swapon -p 100 /dev/zram0'
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
for _ in $(seq 1200); do
	n=0
	for i in $(seq $NHOG); do grep -q verified "$SCRATCH/hog$i.out" && n=$((n + 1)); done
	[ "$n" = $NHOG ] && break
	alive=0
	for p in "${hpids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ "$alive" = 0 ] && break
	sleep 0.5
done
check_eq "$NHOG hogs of ${HOG_MB}M filled and verified under ${LIMIT_MB}M (4x)" $NHOG "$n"
used=$(awk '$1 == "/dev/zram0" {print $4}' /proc/swaps)
diag "swap used ${used}K; zram0 mm_stat $(xargs <"$(zdev 0)/mm_stat")"
check "zram0 holds swapped pages" test "${used:-0}" -gt $((LIMIT_MB * 1024))
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

# ================================================================ 3./4. faults

diag "swap storm: $(($(date +%s) - t0)) s"; t0=$(date +%s)

# The helper: one process doing page-sized direct I/O and attribute
# writes, optionally marked make-it-fail (only its own kernel
# allocations can fail).  Commands on stdin, one result line each.
cat >"$SCRATCH/io-helper.py" <<'PY'
import errno, hashlib, mmap, os, sys
dev = sys.argv[1]
buf = mmap.mmap(-1, 4096)
mif = os.open("/proc/self/make-it-fail", os.O_WRONLY)
failing = False
def content(page, gen):
    seed = hashlib.sha256(b"%d/%d" % (page, gen)).digest()
    if gen % 3 == 0:
        return (seed * 128)[:4096]                  # compresses
    return b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(128))
def mark(on):
    # Only the operation itself runs marked: not our pipe I/O.
    if failing:
        os.pwrite(mif, b"1" if on else b"0", 0)
def op(w, fd):
    if w[0] == "write":
        buf[:] = content(int(w[1]), int(w[2]))
        mark(1)
        try:
            os.pwritev(fd, [buf], int(w[1]) * 4096)
        finally:
            mark(0)
        return "OK"
    if w[0] == "read":
        page, gen = int(w[1]), int(w[2])
        mark(1)
        try:
            os.preadv(fd, [buf], page * 4096)
        finally:
            mark(0)
        want = bytes(4096) if gen < 0 else content(page, gen)
        return "OK" if buf[:] == want else "BAD"
    if w[0] == "attr":
        a = os.open(w[1], os.O_WRONLY)
        mark(1)
        try:
            os.write(a, " ".join(w[2:]).encode())
        finally:
            mark(0)
            os.close(a)
        return "OK"
    return "USAGE"
def main():
    global failing
    fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
    for line in sys.stdin:
        w = line.split()
        if w[0] == "fail":
            failing = w[1] == "1"
            r = "OK"
        else:
            try:
                r = op(w, fd)
            except OSError as e:
                r = errno.errorcode.get(e.errno, str(e.errno))
        print(r, flush=True)
main()
PY

# Helper session over a coprocess: hx CMD... prints the result.
hstart() { coproc HELPER { python3 "$SCRATCH/io-helper.py" /dev/zram1; }; }
hx() { echo "$*" >&"${HELPER[1]}"; local r; read -r r <&"${HELPER[0]}"; echo "$r"; }
hstop() { eval "exec ${HELPER[1]}>&-"; wait "$HELPER_PID" 2>/dev/null; }

# gen[page]: generation last written successfully (-1: never, reads zero).
declare -a gen
NP=2048	# zram1 8M
fault_setup() {
	local i

	zram_reset 1
	zwrite 1 backing_dev "$1"
	zwrite 1 recomp_algorithm "algo=zstd"
	zwrite 1 disksize 8M
	for ((i = 0; i < NP; i++)); do gen[i]=-1; done
}
# verify_all: every page as last written; prints the number of bad pages.
verify_all() {
	local i bad=0 r

	hstart
	for ((i = 0; i < NP; i++)); do
		r=$(hx read $i "${gen[i]}")
		[ "$r" = OK ] || bad=$((bad + 1))
	done
	hstop
	echo $bad
}

LOOP1=$(new_loop back1 32M)
at_exit "losetup -d $LOOP1"
sectors=$((32 * 2048))
FLAKEY=''
if dmsetup create ztorture --table "0 $sectors linear $LOOP1 0" 2>/dev/null; then
	FLAKEY=/dev/mapper/ztorture
	at_exit "dmsetup remove ztorture"
fi
if [ -n "$FLAKEY" ] && dmsetup targets | grep -q '^flakey'; then
	fault_setup "$FLAKEY"
	hstart
	for ((i = 0; i < NP; i++)); do
		[ "$(hx write $i 0)" = OK ] && gen[i]=0
	done
	hx attr /sys/block/zram1/idle all >/dev/null
	# Writes to the backing device fail 1 s in 2.
	dmsetup suspend ztorture
	dmsetup load ztorture --table "0 $sectors flakey $LOOP1 0 1 1 1 error_writes"
	dmsetup resume ztorture
	wb_ok=0 wb_eio=0 wb_other=0
	t_end=$(($(date +%s) + 3 + S))
	for ((i = 0; i < NP && $(date +%s) < t_end; i++)); do
		case $(hx attr /sys/block/zram1/writeback page_index=$i) in
		OK) wb_ok=$((wb_ok + 1)) ;;
		EIO) wb_eio=$((wb_eio + 1)) ;;
		*) wb_other=$((wb_other + 1)) ;;
		esac
	done
	hstop
	diag "flakey writes: writeback $wb_ok OK, $wb_eio EIO, $wb_other other; bd_stat $(xargs </sys/block/zram1/bd_stat)"
	check "writeback failed with EIO while the backing device failed writes" test "$wb_eio" -gt 0
	check "writeback succeeded while it did not" test "$wb_ok" -gt 0
	check_eq "writeback: no error but EIO" 0 "$wb_other"
	check_eq "bd_stat counts the pages written back" "$wb_ok" "$(zcol 1 bd_stat 1)"
	# Reads from the backing device fail 1 s in 2.
	dmsetup suspend ztorture
	dmsetup load ztorture --table "0 $sectors flakey $LOOP1 0 1 1"
	dmsetup resume ztorture
	fr0=$(zcol 1 io_stat 1)
	rd_ok=0 rd_eio=0 rd_bad=0
	hstart
	t_end=$(($(date +%s) + 3 + S))
	for ((i = 0; i < NP && $(date +%s) < t_end; i++)); do
		case $(hx read $i "${gen[i]}") in
		OK) rd_ok=$((rd_ok + 1)) ;;
		EIO) rd_eio=$((rd_eio + 1)) ;;
		*) rd_bad=$((rd_bad + 1)) ;;
		esac
	done
	hstop
	diag "flakey reads: $rd_ok OK, $rd_eio EIO, $rd_bad other/wrong"
	check "reads failed with EIO while the backing device failed reads" test "$rd_eio" -gt 0
	check_eq "no read returned wrong data or another error" 0 "$rd_bad"
	check_eq "failed_reads = the EIOs seen" "$rd_eio" $(($(zcol 1 io_stat 1) - fr0))
	dmsetup suspend ztorture
	dmsetup load ztorture --table "0 $sectors linear $LOOP1 0"
	dmsetup resume ztorture
	check_eq "backing device healthy again: every page reads back as written" 0 "$(verify_all)"
	figure faults_backing $((wb_eio + rd_eio))
	figure verified_pages_backing $((NP + rd_ok))
	zram_reset 1
else
	not_ok "dm-flakey over a loop device (dmsetup create/targets failed)"
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
	fault_setup "$LOOP1"
	hstart
	for ((i = 0; i < NP / 2; i++)); do
		[ "$(hx write $i 0)" = OK ] && gen[i]=0
	done
	check_eq "baseline: $((NP / 2)) pages written" $((NP / 2)) "$(printf '%s\n' "${gen[@]}" | grep -c '^0$')"
	fw0=$(zcol 1 io_stat 2) fr0=$(zcol 1 io_stat 1)
	echo 20 >"$FI/probability"
	echo 20 >"$DEBUGFS/fail_page_alloc/probability"
	w_ok=0 w_eio=0 w_other=0 r_ok=0 r_eio=0 r_bad=0 r_other=0 c_ok=0 c_err=0
	hx fail 1 >/dev/null
	for round in $(seq $((2 * S))); do
		# Overwrite half the old pages and fill new ones.
		for ((i = 0; i < NP; i += 2)); do
			g=$((round * 2 + (i & 3)))
			case $(hx write $i $g) in
			OK) gen[i]=$g w_ok=$((w_ok + 1)) ;;
			EIO) w_eio=$((w_eio + 1)) ;;
			*) w_other=$((w_other + 1)) ;;
			esac
		done
		for cmd in "idle all" "writeback idle" "writeback huge" \
			"recompress type=idle" "recompress" "compact 1" \
			"writeback page_indexes=0-$((NP - 1))"; do
			set -- $cmd
			case $(hx attr "/sys/block/zram1/$1" "$2") in
			OK) c_ok=$((c_ok + 1)) ;;
			*) c_err=$((c_err + 1)) ;;
			esac
		done
		for ((i = 1; i < NP; i += 3)); do
			case $(hx read $i "${gen[i]}") in
			OK) r_ok=$((r_ok + 1)) ;;
			EIO) r_eio=$((r_eio + 1)) ;;
			BAD) r_bad=$((r_bad + 1)) ;;
			*) r_other=$((r_other + 1)) ;;
			esac
		done
	done
	hx fail 0 >/dev/null
	hstop
	echo 0 >"$FI/probability"
	echo 0 >"$DEBUGFS/fail_page_alloc/probability"
	injected=$((200000 - $(cat "$FI/times") - $(cat "$DEBUGFS/fail_page_alloc/times")))
	diag "injected $injected allocation failures: writes $w_ok OK $w_eio EIO $w_other other;" \
		"reads $r_ok OK $r_eio EIO $r_bad wrong $r_other other; commands $c_ok OK $c_err refused"
	check "allocation failures were injected" test "$injected" -gt 0
	check "some writes failed with EIO" test "$w_eio" -gt 0
	check_eq "failed_writes = the write EIOs seen" "$w_eio" $(($(zcol 1 io_stat 2) - fw0))
	check_eq "failed_reads = the read EIOs seen" "$r_eio" $(($(zcol 1 io_stat 1) - fr0))
	check_eq "no read returned wrong data" 0 "$r_bad"
	diag "other errors (the task's own allocations outside zram): writes $w_other, reads $r_other"
	check_eq "after the faults: every page reads back as last written" 0 "$(verify_all)"
	figure faults_alloc "$injected"
	figure verified_pages_alloc $((NP + r_ok))
	zram_reset 1
else
	diag "no /sys/kernel/debug/failslab: this kernel has no CONFIG_FAULT_INJECTION_DEBUG_FS (Debian's); allocation faults run in the debug kernel only"
	diag "fail_make_request: not in any of our kernels; backing-device faults use dm-flakey"
fi

# ================================================================ 5. hostile input

diag "faults: $(($(date +%s) - t0)) s"; t0=$(date +%s)

LOOP2=$(new_loop back2 8M)
at_exit "losetup -d $LOOP2"
python3 "$TREE/tests/fuzz-attrs.py" --writes $((600 * S)) --seed "$RANDOM" \
	--backing "$LOOP2" >"$SCRATCH/fuzz.out" 2>&1
frc=$?
grep '^#' "$SCRATCH/fuzz.out"
fz() { awk -v k="$1" '$1 == "STAT" && $2 == k {print $3}' "$SCRATCH/fuzz.out"; }
check_eq "fuzzer ran to the end" 0 "$frc"
[ "$frc" = 0 ] || tail -n 20 "$SCRATCH/fuzz.out" | sed 's/^/#   /'
check_ge "fuzzer tried $((600 * S)) writes" $((600 * S)) "$(fz tried)"
check_eq "every refused write changed nothing" 0 "$(fz refused_changed)"
check_eq "data intact after every batch" 0 "$(fz data_bad)"
check_eq "no write accepted in a state that forbids it" 0 "$(fz wrong_state)"
check_eq "every writable attribute has a valid-form rule" 0 "$(fz unknown_attrs)"
check_eq "every accepted write is a valid form" 0 "$(fz junk_accepted)"
diag "fuzzer: $(fz tried) tried, $(fz accepted) accepted ($(fz valid) valid forms," \
	"$(fz junk_accepted) junk, $(fz trigger_junk) to compact, which ignores its input)," \
	"$(fz batches) batches, $(fz rebuilds) rebuilds, $(fz devices_created) devices created"
figure junk_tried "$(fz tried)"
figure junk_accepted "$(fz junk_accepted)"
check_eq "fuzzer left zram0 and zram1 only" "zram0 zram1" "$(ls /sys/block | grep zram | xargs)"

# ================================================================ 6. lifecycle

diag "fuzzer: $(($(date +%s) - t0)) s"; t0=$(date +%s)

NLIFE=$((3 * S))
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
diag "lifecycle: $(($(date +%s) - t0)) s"
check "module loaded again for the harness" test -d /sys/module/zram

done_testing
