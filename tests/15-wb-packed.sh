#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# "A && B || { fail; }" here means: fail unless both succeeded.
# shellcheck disable=SC2015
#
# Writeback at scale (issue #13): reads of written-back pages chained to
# the request that needs them, blocks quarantined while such a read is
# in flight, writeback_compressed with packing, cleaning, failing
# blocks, and reset / hot_remove with a writeback in flight.
#
# The data: "half" pages are 1700 random bytes then zeros, so every
# algorithm stores them in 1700-1800 bytes: exactly two fit in a 4 KiB
# block, three never do, and next-fit packing of N of them in index
# order takes exactly ceil(N / 2) blocks.  "rand" pages do not compress
# (a block each).  On a fresh backing device blocks are taken in order
# from 0, so a batch of B blocks leaves in one write request.
#
# bd_stat columns (ours add three to the kernel's): 1 bd_count (blocks
# holding live data), 2 bd_reads, 3 bd_writes (blocks), 4 bd_pages
# (pages written back), 5 bd_bytes (their bytes as stored), 6
# bd_cleaned (blocks emptied by cleaning); 4K units but column 5.
. "$(dirname "$0")/lib.sh"

if [ "$ZRAM_TEST_STOCK" = 1 ]; then
	skip "packed writeback" "ours only (writeback_compressed, chained reads, bd_stat columns 4-6)"
	done_testing
fi

z=$(zdev 0)
mount_debugfs
dbg=$DEBUGFS/zram/zram0
bs=$dbg/block_state
DISK=64M

modprobe loop 2>/dev/null || true
modprobe dm-mod 2>/dev/null || true
have_dm=1
command -v dmsetup >/dev/null && dmsetup version >/dev/null 2>&1 || have_dm=0

# ---------------------------------------------------------------- helpers

expect() { expect_errno "$@"; }
wb() { expect "$1" "$2" "$z/writeback" "$3"; }
bd() { zcol 0 bd_stat "$1"; }
bd_all() { local a; read -ra a <"$z/bd_stat"; echo "${a[*]}"; }
mm() { zcol 0 mm_stat "$1"; }
chained() { awk '$1 == "chained_reads" {print $2}' "$dbg/backing"; }
inflight() { awk '$1 == "inflight" {print $2}' "$dbg/backing"; }
inflight_is() { [ "$(inflight)" = "$1" ]; }
discarded() { awk '$1 == "discarded" {print $2}' "$dbg/backing"; }
unpacked_here() { awk '$1 == "completion_unpacks" {print $2}' "$dbg/backing"; }
wlist() { bs_indices '^.w'; }

# wbmap CMD [ARGS]: questions to debugfs wb_map ("index pos len" per
# written-back page) and bd_stat.
#   check          the map agrees with bd_stat (pages, bytes, blocks
#                  covered), no two objects overlap, none covers more
#                  than two blocks, raw pages fill whole blocks
#   spans          how many objects run on into a second block
#   reads I...     blocks a read of each page I reads (1 or 2 each)
#   pos I          byte position of page I's data
#   touching A B   the pages with data in blocks A..B
#   bpb            (bytes of data - one block) / blocks used
wbmap() {
	local cmd=$1

	shift
	# In the order of the data's position; busybox sort and awk (a
	# Python start costs 0.9 s in the debug guest, these two 0.2 s).
	sort -n -k2,2 -k3,3 "$dbg/wb_map" | awk -v cmd="$cmd" -v args="$*" \
		-v st="$z/bd_stat" '
	function first(p) { return int(p / 4096) }
	function last(p, l) { return int((p + l - 1) / 4096) }
	function bad(msg) { if (nbad++ < 10) why[nbad] = msg }
	BEGIN { getline line <st; split(line, bd, " ") }
	{
		i = $1; pos[i] = $2; len[i] = $3; bytes += $3
		if (n++ == 0 || i + 0 < lo) lo = i + 0
		if (n == 1 || i + 0 > hi) hi = i + 0
		nb = last($2, $3) - first($2) + 1
		if (nb == 2)
			spans++
		if (nb > 2)
			bad("page " i " covers " nb " blocks")
		for (b = first($2); b <= last($2, $3); b++)
			if (!(b in cov)) { cov[b] = 1; ncov++ }
		if (n > 1 && pend > $2)
			bad("overlap at " $2)
		pend = $2 + $3
	}
	END {
		if (cmd == "check") {
			if (bd[4] != n)
				bad("bd_pages " bd[4] ", map " n + 0)
			if (bd[5] != bytes)
				bad("bd_bytes " bd[5] ", map " bytes + 0)
			if (bd[1] != ncov)
				bad("bd_count " bd[1] ", blocks covered " ncov + 0)
			for (k = 1; k <= nbad && k <= 10; k++)
				print "# wb_map: " why[k]
			exit (nbad > 0)
		}
		na = split(args, a, " ")
		for (k = 1; k <= na && cmd ~ /^(reads|pos)$/; k++)
			if (!(a[k] in pos)) {
				print "wbmap: page " a[k] " is not in wb_map" >"/dev/stderr"
				exit 1
			}
		if (cmd == "spans") {
			print spans + 0
		} else if (cmd == "reads") {
			for (k = 1; k <= na; k++)
				sum += last(pos[a[k]], len[a[k]]) - first(pos[a[k]]) + 1
			print sum + 0
		} else if (cmd == "pos") {
			print pos[a[1]]
		} else if (cmd == "touching") {
			out = ""
			for (i = lo; i <= hi; i++)
				if ((i in pos) && first(pos[i]) <= a[2] + 0 &&
				    last(pos[i], len[i]) >= a[1] + 0)
					out = out (out == "" ? "" : " ") i
			print out
		} else if (cmd == "bpb") {
			q = (bd[5] - 4096) / (bd[1] > 0 ? bd[1] : 1)
			r = int(q)
			print (r > q ? r - 1 : r)
		} else {
			print "wbmap: unknown question " cmd >"/dev/stderr"
			exit 2
		}
	}'
}

# gen KIND COUNT SEED OUT: COUNT "half" (1700 random bytes, then zeros)
# or "rand" pages.
gen() {
	case "$1" in
	half) zblk pages 1700 "$3" "$2" >"$4" ;;
	rand) zblk pages 4096 "$3" "$2" >"$4" ;;
	*) return 2 ;;
	esac
}
# page FILE I OUT: page I of FILE.
page() { dd if="$1" of="$3" bs=4096 skip="$2" count=1 status=none; }
zeros() { head -c $(($1 * 4096)) /dev/zero; }
discard_pages() {	# discard_pages FIRST COUNT (BLKDISCARD)
	discard_list $(seq "$1" $(($1 + $2 - 1)))
}
discard_list() {	# discard_list I...: BLKDISCARD of each page I, one process
	zblk discard-each /dev/zram0 "$@"
}
new_loop() {	# new_loop NAME SIZE: a loop device over a file in $SCRATCH
	local f=$SCRATCH/$1.img

	truncate -s "$2" "$f" && losetup -f --show "$f"
}
dm_make() {	# dm_make NAME TABLE: a dm device, removed at exit
	local d

	dmsetup --noudevsync create "$1" --table "$2" >/dev/null || return 1
	at_exit dmsetup --noudevsync remove "$1"
	d=/dev/mapper/$1
	[ -b "$d" ] || d=/dev/$(dmsetup info -c --noheadings -o blkdevname "$1")
	echo "$d"
}
# img_block_is IMG BLK PAGEFILE: block BLK of IMG equals PAGEFILE.
img_block_is() {
	cmp <(dd if="$1" bs=4096 skip="$2" count=1 status=none) "$3"
}
# poll N CMD...: run CMD every 0.1 s until it succeeds, at most N times.
poll() {
	local n=$1 i

	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# waits_for_readers PID: task PID sleeps in an SRCU grace period wait.
waits_for_readers() {
	[[ "$(cat "/proc/$1/wchan" 2>/dev/null)" =~ synchronize_srcu ]]
}
# wb_in_flight PID: task PID waits for its writeback writes.
wb_in_flight() {
	[[ "$(cat "/proc/$1/wchan" 2>/dev/null)" =~ ^(submit_bio_wait|zram_wb_[a-z_]+(\.[a-z0-9.]+)?)$ ]]
}
# waits_for_init_lock PID: task PID (a reset) sleeps on the device's
# init_lock, i.e. behind a writeback (wchan names the rwsem's slow path
# or, as that is __sched, its caller).
waits_for_init_lock() {
	[[ "$(cat "/proc/$1/wchan" 2>/dev/null)" =~ (rwsem|down_write|zram_reset_device) ]]
}
# waits_for_attrs PID: task PID (a hot_remove) sleeps in the removal of
# the disk's sysfs files, which waits for the writeback's write(2) to
# return, or later on init_lock.
waits_for_attrs() {
	[[ "$(cat "/proc/$1/wchan" 2>/dev/null)" =~ (kernfs|rwsem|down_write|zram_reset_device) ]]
}
# pages_read_back FILE FIRST LIST: each page I of LIST reads (O_DIRECT)
# as page I - FIRST of FILE; with FILE "zero", as zeros.  One process.
pages_read_back() {
	python3 - "$@" <<'PY'
import mmap, os, sys
path, first, idx = sys.argv[1], int(sys.argv[2]), [int(i) for i in sys.argv[3:]]
src = None if path == "zero" else open(path, "rb").read()
buf = mmap.mmap(-1, 4096)
fd = os.open("/dev/zram0", os.O_RDONLY | os.O_DIRECT)
bad = 0
for i in idx:
    os.preadv(fd, [buf], i * 4096)
    want = bytes(4096) if src is None else src[(i - first) * 4096:(i - first + 1) * 4096]
    if bytes(buf) != want:
        print("# page %d differs" % i)
        bad = 1
sys.exit(bad)
PY
}
pages_zero() { pages_read_back zero 0 "$@"; }
read_fails() { ! dd if=/dev/zram0 bs="$1" skip="$2" count=1 iflag=direct status=none >/dev/null 2>&1; }

# setup NAME BACKING [BATCH [COMPRESSED [ALG]]]: zram0 reset, then set
# up over BACKING with writeback_batch_size BATCH (32),
# writeback_compressed COMPRESSED (1) and comp_algorithm ALG (lzo-rle).
setup() {
	zram_reset 0
	expect "$1: backing_dev" OK "$z/backing_dev" "$2"
	expect "$1: writeback_batch_size ${3:-32}" OK "$z/writeback_batch_size" "${3:-32}"
	expect "$1: writeback_compressed ${4:-1}" OK "$z/writeback_compressed" "${4:-1}"
	expect "$1: comp_algorithm ${5:-lzo-rle}" OK "$z/comp_algorithm" "${5:-lzo-rle}"
	check "$1: disksize $DISK" zwrite 0 disksize $DISK
}

NH=64 NR=8
gen half $NH 1 "$SCRATCH/h"
gen rand $NR 2 "$SCRATCH/r"
gen half 16 3 "$SCRATCH/h2"
cat "$SCRATCH/h" "$SCRATCH/r" >"$SCRATCH/hr"
write_hr() { dio_write "$SCRATCH/hr" 0; }

# ---------------------------------------------------------------- 1. attribute
zram_reset 0
check_eq "writeback_compressed defaults to 0" 0 "$(zattr 0 writeback_compressed)"
for v in 2 -1 x "" "1 1" 4294967297; do
	expect "writeback_compressed '$v' -> EINVAL" EINVAL "$z/writeback_compressed" "$v"
done
check_eq "refused writes keep 0" 0 "$(zattr 0 writeback_compressed)"
expect "writeback_compressed 1" OK "$z/writeback_compressed" 1
check_eq "reads 1" 1 "$(zattr 0 writeback_compressed)"
check "disksize" zwrite 0 disksize $DISK
expect "after disksize: writeback_compressed 0 -> EBUSY" EBUSY "$z/writeback_compressed" 0
check_eq "still 1" 1 "$(zattr 0 writeback_compressed)"
zram_reset 0
check_eq "kept across reset" 1 "$(zattr 0 writeback_compressed)"
expect "writeback_compressed 0" OK "$z/writeback_compressed" 0
check_eq "bd_stat has six columns" 6 "$(wc -w <"$z/bd_stat")"

# ---------------------------------------------------------------- 2. packed batches
# B=1: a batch is one block, so no object runs on into another: the 64
# half pages take two to a block (32 blocks), the 8 random ones a block
# each, 40 blocks in 40 write requests.  B=4 and 32: within a batch an
# object runs on from one block into the next, so blocks fill up; a
# batch is B adjacent blocks, one write request, and only its last
# block may be partly empty.  Each batch size with another algorithm:
# a chained read unpacks its object where the read completes when that
# is only a copy (the random pages, raw) or LZO / LZ4 (no stream
# needed), else (zstd) in a worker.
declare -A ALG=([1]=lzo-rle [4]=zstd [32]=lz4)
for B in 1 4 32; do
	L=$(new_loop "p$B" 4M)
	at_exit losetup -d "$L"
	lw() { awk '{print $5}' "/sys/block/${L#/dev/}/stat"; }
	setup "[B=$B]" "$L" $B 1 "${ALG[$B]}"
	check "[B=$B] write $NH half and $NR random pages" write_hr
	cds=$(mm 2)
	expect "[B=$B] echo all > idle" OK "$z/idle" all
	w0=$(lw)
	wb "[B=$B] writeback idle" OK idle
	check_eq "[B=$B] bd_stat: $((NH + NR)) pages, $cds bytes (the pool's), no read" \
		"0 $((NH + NR)) $cds 0" "$(bd 2) $(bd 4) $(bd 5) $(bd 6)"
	check "[B=$B] wb_map agrees with bd_stat" wbmap check
	blocks=$(bd 1)
	check_eq "[B=$B] every block written holds data" "$blocks" "$(bd 3)"
	check_eq "[B=$B] in $(((blocks + B - 1) / B)) write requests" \
		$(((blocks + B - 1) / B)) $(($(lw) - w0))
	if [ $B = 1 ]; then
		check_eq "[B=1] $((NH / 2 + NR)) blocks, no object over two" \
			"$((NH / 2 + NR)) 0" "$blocks $(wbmap spans)"
	else
		check "[B=$B] objects run on into the next block" test "$(wbmap spans)" -gt 0
		# ceil(bytes / 4096) blocks, plus a partly empty one per batch
		check "[B=$B] $blocks blocks for $cds bytes: at most one partly empty per batch" \
			test "$blocks" -le $(((cds + 4095) / 4096 + (blocks + B - 1) / B))
	fi
	check_eq "[B=$B] mm_stat compr_data_size 0: all of it went" 0 "$(mm 2)"
	check_eq "[B=$B] every page written back" "$(seq_list 0 $((NH + NR - 1)))" "$(wlist)"
	page "$SCRATCH/r" 0 "$SCRATCH/r0"
	check "[B=$B] random page 0 is on the disk raw, where wb_map says" cmp \
		<(tail -c +$(($(wbmap pos $NH) + 1)) "$SCRATCH/p$B.img" | head -c 4096) "$SCRATCH/r0"
	c0=$(chained) u0=$(unpacked_here)
	want=$(wbmap reads $(seq 0 $((NH + NR - 1))))
	check "[B=$B] all pages read back (4 KiB direct reads)" same_data 0 $((NH + NR)) "$SCRATCH/hr"
	check_eq "[B=$B] $((NH + NR)) reads chained, $want blocks read" \
		"$((NH + NR)) $want" "$(($(chained) - c0)) $(bd 2)"
	here=$((NH + NR))
	[ "${ALG[$B]}" = zstd ] && here=$NR
	check_eq "[B=$B] ${ALG[$B]}: $here unpacked at completion" \
		$here $(($(unpacked_here) - u0))
	check_eq "[B=$B] the reads left them written back" \
		"$(seq_list 0 $((NH + NR - 1)))" "$(wlist)"
	check_eq "[B=$B] no read in flight" 0 "$(inflight)"
	if [ $B = 32 ]; then
		# One 1 MiB read: 256 pages, 72 of them from the disk, chained.
		c0=$(chained)
		check "[B=32] a 1 MiB read" cmp \
			<(dd if=/dev/zram0 bs=1M count=1 iflag=direct status=none | head -c $(((NH + NR) * 4096))) \
			"$SCRATCH/hr"
		check_eq "[B=32] its 72 written-back pages were chained reads" \
			$((NH + NR)) $(($(chained) - c0))
	fi
	zram_reset 0
done

# The same data uncompressed: a block per page.
L=$(new_loop raw 4M)
at_exit losetup -d "$L"
setup "[raw]" "$L" 32 0
check "[raw] write the same pages" write_hr
expect "[raw] echo all > idle" OK "$z/idle" all
wb "[raw] writeback idle" OK idle
check_eq "[raw] bd_stat: $((NH + NR)) blocks and pages, $(((NH + NR) * 4096)) bytes" \
	"$((NH + NR)) 0 $((NH + NR)) $((NH + NR)) $(((NH + NR) * 4096)) 0" "$(bd_all)"
c0=$(chained)
check "[raw] all read back" same_data 0 $((NH + NR)) "$SCRATCH/hr"
check_eq "[raw] $((NH + NR)) chained reads" $((NH + NR)) $(($(chained) - c0))
# Freed blocks are discarded once no read can be using them; compact
# waits for that.  The loop device punches holes in its file: blocks 0-9
# of the image read zeros, block 10 still holds page 10.
page "$SCRATCH/h" 10 "$SCRATCH/h10"
check "[raw] block 10 of the image holds page 10" img_block_is "$SCRATCH/raw.img" 10 "$SCRATCH/h10"
check "[raw] discard pages 0-9" discard_pages 0 10
d0=$(discarded)
expect "[raw] echo 1 > compact" OK "$z/compact" 1
check_eq "[raw] their 10 blocks discarded" 10 $(($(discarded) - d0))
check "[raw] blocks 0-9 of the image read zeros" cmp \
	<(head -c $((10 * 4096)) "$SCRATCH/raw.img") <(zeros 10)
check "[raw] block 10 still holds page 10" img_block_is "$SCRATCH/raw.img" 10 "$SCRATCH/h10"
check "[raw] pages 10-71 read back" same_data 10 $((NH + NR - 10)) <(tail -c +$((10 * 4096 + 1)) "$SCRATCH/hr")
zram_reset 0

# ---------------------------------------------------------------- 3. neighbours, cleaning
# Batches of one block: page pairs (2k, 2k+1) share block k.
L=$(new_loop clean 4M)
at_exit losetup -d "$L"
setup "[clean]" "$L" 1 1
check "[clean] write $NH half and $NR random pages" write_hr
expect "[clean] echo all > idle" OK "$z/idle" all
wb "[clean] writeback idle" OK idle
check_eq "[clean] 40 blocks, 72 pages" "40 72" "$(bd 1) $(bd 4)"
b0=$(bd 5)
check "[clean] discard page 0 (its neighbour 1 stays)" discard_pages 0 1
b1=$(bd 5)
check_eq "[clean] 40 blocks, 71 pages" "40 71" "$(bd 1) $(bd 4)"
check "[clean] bd_bytes fell by one page's object (1700-1800)" \
	test $((b0 - b1)) -ge 1700 -a $((b0 - b1)) -le 1800
page "$SCRATCH/h" 1 "$SCRATCH/h_1"
check "[clean] page 1 reads back" same_data 1 1 "$SCRATCH/h_1"
check "[clean] page 0 reads zeros" same_data 0 1 <(zeros 1)
page "$SCRATCH/h2" 0 "$SCRATCH/n2"
check "[clean] overwrite page 2 (its neighbour 3 stays)" dio_write "$SCRATCH/n2" 2
check_eq "[clean] page 2 in memory" "...." "$(bs_flags 2)"
page "$SCRATCH/h" 3 "$SCRATCH/h_3"
check "[clean] page 3 reads back" same_data 3 1 "$SCRATCH/h_3"
check "[clean] discard page 1: block 0 empties" discard_pages 1 1
check_eq "[clean] 39 blocks, 69 pages" "39 69" "$(bd 1) $(bd 4)"
# Half of every pair from block 2 on: blocks 1..31 then hold one object
# each (31 half-empty blocks); the 8 random blocks stay full.
discard_list $(seq 4 2 $((NH - 2)))
check_eq "[clean] 39 blocks, 39 pages" "39 39" "$(bd 1) $(bd 4)"
b0=$(bd 5) w0=$(bd 3)
expect "[clean] echo 1 > compact" OK "$z/compact" 1
check_eq "[clean] 31 half blocks cleaned into 16: 24 blocks, 39 pages, bytes kept" \
	"24 39 $b0 31" "$(bd 1) $(bd 4) $(bd 5) $(bd 6)"
check_eq "[clean] 16 blocks written" 16 $(($(bd 3) - w0))
odd=$(seq 3 2 $((NH - 1)) | xargs)
check_eq "[clean] the odd pages 3..63 and the random ones still written back" \
	"$odd $(seq_list $NH $((NH + NR - 1)))" "$(wlist)"
# shellcheck disable=SC2086 # lists of indexes
check "[clean] every odd page reads back" pages_read_back "$SCRATCH/h" 0 $odd
check "[clean] the random pages read back" same_data $NH $NR "$SCRATCH/r"
check "[clean] page 2 reads its new data" same_data 2 1 "$SCRATCH/n2"
# shellcheck disable=SC2046
check "[clean] the even pages 4..62 read zeros" pages_zero $(seq 4 2 62)
expect "[clean] compact again" OK "$z/compact" 1
check_eq "[clean] one half block alone is not moved" "24 31" "$(bd 1) $(bd 6)"
check "[clean] wb_map agrees with bd_stat" wbmap check
check "[clean] discard everything" discard_pages 0 $((NH + NR))
check_eq "[clean] bd_stat: nothing live" "0 0 0" "$(bd 1) $(bd 4) $(bd 5)"
zram_reset 0

# Cleaning objects that run over two blocks, into blocks that they run
# over again: batches of 32, half of the pages freed, then compact.
L=$(new_loop span 4M)
at_exit losetup -d "$L"
setup "[span]" "$L" 32 1
check "[span] write $NH half pages" dio_write "$SCRATCH/h" 0
expect "[span] echo all > idle" OK "$z/idle" all
wb "[span] writeback idle" OK idle
check "[span] objects run over two blocks" test "$(wbmap spans)" -gt 0
check "[span] wb_map agrees with bd_stat" wbmap check
discard_list $(seq 0 2 $((NH - 2)))
c0=$(bd 1)
check "[span] every other page freed: wb_map agrees" wbmap check
expect "[span] echo 1 > compact" OK "$z/compact" 1
check "[span] wb_map agrees after cleaning" wbmap check
check "[span] blocks were emptied" test "$(bd 6)" -gt 0
check "[span] fewer blocks in use ($c0 before)" test "$(bd 1)" -lt "$c0"
check "[span] blocks hold more than half a block each" test "$(wbmap bpb)" -gt 2048
# shellcheck disable=SC2046
check "[span] the odd pages read back" pages_read_back "$SCRATCH/h" 0 $(seq 1 2 $((NH - 1)))
# shellcheck disable=SC2046
check "[span] the even pages read zeros" pages_zero $(seq 0 2 $((NH - 2)))

# Cleaning under concurrent reads and writes: a reader checks the odd
# pages 1..31 over and over, a writer rewrites the odd pages 33..63
# (from h2), while compact, idle and writeback run in turns.  Each side
# must have done at least 3 passes overlapping the turns.
gen half 32 5 "$SCRATCH/n"
python3 - "$SCRATCH" <<'PY' &
import mmap, os, sys
d = sys.argv[1]
h = open(d + "/h", "rb").read()
buf = mmap.mmap(-1, 4096)
fd = os.open("/dev/zram0", os.O_RDONLY | os.O_DIRECT)
passes = bad = 0
while not os.path.exists(d + "/stop") or passes < 3:
    for i in range(1, 32, 2):
        os.preadv(fd, [buf], i * 4096)
        bad += bytes(buf) != h[i * 4096:(i + 1) * 4096]
    passes += 1
    open(d + "/rd.n", "w").write("%d %d\n" % (passes, bad))
PY
rdpid=$!
python3 - "$SCRATCH" <<'PY' &
import mmap, os, sys
d = sys.argv[1]
n = open(d + "/n", "rb").read()
buf = mmap.mmap(-1, 4096)
fd = os.open("/dev/zram0", os.O_WRONLY | os.O_DIRECT)
passes = 0
while not os.path.exists(d + "/stop") or passes < 3:
    for i in range(33, 64, 2):
        buf[:] = n[i * 4096 - 33 * 4096:(i + 1) * 4096 - 33 * 4096]
        os.pwrite(fd, buf, i * 4096)
    passes += 1
    open(d + "/wr.n", "w").write("%d\n" % passes)
PY
wrpid=$!
turns=0 turn_bad=0 cl0=$(bd 6)
for ((t = 0; t < 40; t++)); do
	for a in "compact 1" "idle all" "writeback idle"; do
		[ "$(write_errno "$z/${a%% *}" "${a#* }")" = OK ] || turn_bad=$((turn_bad + 1))
	done
	turns=$((turns + 1))
	rp=$(cut -d' ' -f1 "$SCRATCH/rd.n" 2>/dev/null || echo 0)
	wp=$(cat "$SCRATCH/wr.n" 2>/dev/null || echo 0)
	[ $turns -ge 3 ] && [ "${rp:-0}" -ge 3 ] && [ "${wp:-0}" -ge 3 ] && break
done
touch "$SCRATCH/stop"
wait $rdpid
wait $wrpid
check_eq "[span] $turns turns of compact, idle, writeback: all OK" 0 $turn_bad
check_eq "[span] the reader saw no wrong byte ($(cut -d' ' -f1 "$SCRATCH/rd.n") passes)" 0 \
	"$(cut -d' ' -f2 "$SCRATCH/rd.n")"
check "[span] cleaning emptied blocks meanwhile" test "$(bd 6)" -gt "$cl0"
check "[span] wb_map agrees with bd_stat" wbmap check
# shellcheck disable=SC2046
check "[span] pages 1..31 read back" pages_read_back "$SCRATCH/h" 0 $(seq 1 2 31)
# shellcheck disable=SC2046
check "[span] pages 33..63 read the writer's data" pages_read_back "$SCRATCH/n" 33 $(seq 33 2 63)
zram_reset 0

# ---------------------------------------------------------------- 4. churn
# A backing device of 16 blocks, packed, batches of 4: in each of 6
# rounds the odd pages of two rounds before are freed, 16 new half
# pages are written back, then their even pages are freed.  96 pages go out, 48
# blocks' worth; at most 24 pages are live on the disk at a writeback
# (12 blocks, and one kept for cleaning): every writeback succeeds
# only if freed blocks come back (quarantine) and half-empty ones are
# cleaned when the device is full.
L=$(new_loop churn 64K)
at_exit losetup -d "$L"
setup "[churn]" "$L" 4 1
gen half 96 7 "$SCRATCH/c"
churn_ok=1
for r in 0 1 2 3 4 5; do
	[ $r -lt 2 ] || discard_list $(seq $(((r - 2) * 16 + 1)) 2 $(((r - 2) * 16 + 15)))
	dd if="$SCRATCH/c" of=/dev/zram0 bs=4096 skip=$((r * 16)) seek=$((r * 16)) \
		count=16 oflag=direct status=none
	echo all >"$z/idle"
	e=$(write_errno "$z/writeback" idle)
	[ "$e" = OK ] || { churn_ok=0; diag "round $r: writeback $e; bd_stat $(bd_all)"; }
	discard_list $(seq $((r * 16)) 2 $((r * 16 + 15)))
done
check_eq "[churn] 6 rounds of writeback all OK" 1 $churn_ok
check_eq "[churn] 16 pages written back: the odd ones of rounds 4 and 5" \
	"$(seq 65 2 95 | xargs)" "$(wlist)"
check "[churn] cleaning happened" test "$(bd 6)" -gt 0
check "[churn] wb_map agrees with bd_stat" wbmap check
expect "[churn] compact" OK "$z/compact" 1
check_eq "[churn] compacted: 16 live pages" 16 "$(bd 4)"
check "[churn] wb_map agrees with bd_stat" wbmap check
check "[churn] blocks hold more than half a block each" test "$(wbmap bpb)" -gt 2048
# shellcheck disable=SC2046
check "[churn] every live page reads back" pages_read_back "$SCRATCH/c" 0 $(seq 65 2 95)
# shellcheck disable=SC2046
check "[churn] every freed page reads zeros" pages_zero $(seq 0 2 94) $(seq 1 2 63)
zram_reset 0

# ---------------------------------------------------------------- 5. quarantine
# A read of page 0 waits in a suspended dm device; page 0 is then
# discarded, which frees its block while the read is in flight.  A
# writeback that needs a block (the device is full) must not take that
# one before the read has completed: it waits for the SRCU grace period,
# and the read returns page 0's data, not the new page's.
if [ $have_dm = 0 ]; then
	skip "quarantine of blocks under a read" "no device-mapper"
else
	QI=$SCRATCH/q.img
	truncate -s 16K "$QI"
	QL=$(losetup -f --show "$QI")
	at_exit losetup -d "$QL"
	q=$(dm_make zq "0 32 linear $QL 0")
	setup "[quar]" "$q" 32 0
	head -c $((4 * 4096)) "$SCRATCH/r" >"$SCRATCH/r4"
	check "[quar] write 4 random pages" dio_write "$SCRATCH/r4" 0
	expect "[quar] echo all > idle" OK "$z/idle" all
	wb "[quar] writeback idle: the 4 blocks are full" OK idle
	check_eq "[quar] bd_stat 4 0 4" "4 0 4" "$(bd 1) $(bd 2) $(bd 3)"
	page "$SCRATCH/r" 0 "$SCRATCH/q0"
	page "$SCRATCH/r" 4 "$SCRATCH/q4"
	dmsetup --noudevsync suspend zq
	( dio_read 0 1 >"$SCRATCH/qread" ) &
	rpid=$!
	check "[quar] the read of page 0 is in flight" poll 600 inflight_is 1
	check "[quar] discard page 0 meanwhile" discard_pages 0 1
	check "[quar] write page 4" dio_write "$SCRATCH/q4" 4
	( exec 2>"$SCRATCH/qwb.err"; echo page_index=4 >"$z/writeback" ) &
	wpid=$!
	check "[quar] the writeback waits for the read (SRCU grace period)" \
		poll 600 waits_for_readers $wpid
	check_eq "[quar] ... with the read still in flight" 1 "$(inflight)"
	dmsetup --noudevsync resume zq
	wait $rpid
	wait $wpid
	check_eq "[quar] writeback page_index=4 OK" OK "$(errno_name "$(cat "$SCRATCH/qwb.err")")"
	check "[quar] the read returned page 0 as it was" cmp "$SCRATCH/qread" "$SCRATCH/q0"
	check "[quar] page 4 went to block 0" img_block_is "$QI" 0 "$SCRATCH/q4"
	check "[quar] page 4 reads back" same_data 4 1 "$SCRATCH/q4"
	check_eq "[quar] 4 blocks, 4 pages" "4 4" "$(bd 1) $(bd 4)"
	zram_reset 0

	# -------------------------------------------------------- 6. failures
	# Packed writeback in batches of 4 over a device whose blocks 8-15
	# fail: the pages packed into them stay in memory, the walk goes on
	# and ends with EIO; nothing is lost.  Then reads that fail.
	FI=$SCRATCH/f.img
	truncate -s 4M "$FI"
	FL=$(losetup -f --show "$FI")
	at_exit losetup -d "$FL"
	f=$(dm_make zf "0 64 linear $FL 0
64 64 error
128 $((8192 - 128)) linear $FL 128")
	setup "[fail]" "$f" 4 1
	check "[fail] write $NH half pages" dio_write "$SCRATCH/h" 0
	expect "[fail] echo all > idle" OK "$z/idle" all
	wb "[fail] writeback idle over failing blocks 8-15 -> EIO" EIO idle
	# Batches 3 and 4 (blocks 8-15) failed whole: their pages stayed.
	check "[fail] wb_map agrees with bd_stat" wbmap check
	check_eq "[fail] no written-back page has data in blocks 8-15" "" "$(wbmap touching 8 15)"
	inmem=$(minus "$(seq_list 0 $((NH - 1)))" "$(wlist)")
	check "[fail] the pages of two batches stayed in memory ($(count "$inmem"))" \
		test "$(count "$inmem")" -ge 8
	check "[fail] all $NH pages read back" same_data 0 $NH "$SCRATCH/h"
	expect "[fail] echo all > idle" OK "$z/idle" all
	wb "[fail] writeback idle again: they go to good blocks" OK idle
	check_eq "[fail] all $NH written back" "$(seq_list 0 $((NH - 1)))" "$(wlist)"
	check "[fail] wb_map agrees with bd_stat" wbmap check
	check "[fail] all $NH pages read back" same_data 0 $NH "$SCRATCH/h"
	# Reads that fail: blocks 0-7 turn to errors.
	bad=$(wbmap touching 0 7)
	good=$(minus "$(seq_list 0 $((NH - 1)))" "$bad")
	dmsetup --noudevsync suspend zf
	dmsetup --noudevsync load zf --table "0 64 error
64 $((8192 - 64)) linear $FL 64"
	dmsetup --noudevsync resume zf
	fr0=$(zcol 0 io_stat 1)
	first_bad=${bad%% *}
	check "[fail] a 4 KiB read of page $first_bad (in block 0) fails" read_fails 4K "$first_bad"
	check "[fail] pages 0-15 all have data in blocks 0-7" test \
		"$(wbmap touching 0 7 | tr ' ' '\n' | awk '$1 < 16' | wc -l)" = 16
	check "[fail] a 64 KiB read of pages 0-15 fails" read_fails 64K 0
	check_eq "[fail] failed_reads +2: once per request" 2 $(($(zcol 0 io_stat 1) - fr0))
	# shellcheck disable=SC2086
	check "[fail] the $(count "$good") pages elsewhere still read back" \
		pages_read_back "$SCRATCH/h" 0 $good
	zram_reset 0

	# -------------------------------------------------------- 7. reset, hot_remove
	# A writeback whose writes wait in a suspended dm device: reset of
	# the device waits for it (init_lock), then frees everything.
	RI=$SCRATCH/rr.img
	truncate -s 1M "$RI"
	RL=$(losetup -f --show "$RI")
	at_exit losetup -d "$RL"
	rr=$(dm_make zr "0 2048 linear $RL 0")
	at_exit dmsetup --noudevsync resume zr
	setup "[reset]" "$rr" 4 1
	check "[reset] write $NH half pages" dio_write "$SCRATCH/h" 0
	expect "[reset] echo all > idle" OK "$z/idle" all
	dmsetup --noudevsync suspend zr
	( exec 2>"$SCRATCH/rwb.err"; echo idle >"$z/writeback" ) &
	wpid=$!
	check "[reset] writeback in flight" poll 600 wb_in_flight $wpid
	( exec 2>"$SCRATCH/rst.err"; echo 1 >"$z/reset" ) &
	rpid=$!
	check "[reset] reset waits behind it" poll 600 waits_for_init_lock $rpid
	dmsetup --noudevsync resume zr
	wait $wpid
	wait $rpid
	check_eq "[reset] the writeback ended OK" OK "$(errno_name "$(cat "$SCRATCH/rwb.err")")"
	check_eq "[reset] reset OK" OK "$(errno_name "$(cat "$SCRATCH/rst.err")")"
	check_eq "[reset] device empty: disksize 0, backing_dev none" "0 none" \
		"$(zattr 0 disksize) $(zattr 0 backing_dev)"
	check_eq "[reset] bd_stat all 0" "0 0 0 0 0 0" "$(bd_all)"

	# hot_remove of zram1 while its writeback waits.
	id=$(cat /sys/class/zram-control/hot_add)
	z1=$(zdev "$id")
	expect "[remove] zram$id backing_dev" OK "$z1/backing_dev" "$rr"
	expect "[remove] zram$id writeback_compressed 1" OK "$z1/writeback_compressed" 1
	check "[remove] zram$id disksize" zwrite "$id" disksize 16M
	check "[remove] write 16 pages" dd if="$SCRATCH/h" of="/dev/zram$id" bs=4096 count=16 oflag=direct status=none
	expect "[remove] echo all > idle" OK "$z1/idle" all
	dmsetup --noudevsync suspend zr
	( exec 2>"$SCRATCH/hwb.err"; echo idle >"$z1/writeback" ) &
	wpid=$!
	check "[remove] writeback in flight" poll 600 wb_in_flight $wpid
	( exec 2>"$SCRATCH/hrm.err"; echo "$id" >/sys/class/zram-control/hot_remove ) &
	hpid=$!
	check "[remove] hot_remove waits behind it" poll 600 waits_for_attrs $hpid
	dmsetup --noudevsync resume zr
	wait $wpid
	wait $hpid
	check_eq "[remove] the writeback ended OK" OK "$(errno_name "$(cat "$SCRATCH/hwb.err")")"
	check_eq "[remove] hot_remove OK" OK "$(errno_name "$(cat "$SCRATCH/hrm.err")")"
	check "[remove] zram$id is gone" test ! -e "$z1"
	check_eq "[remove] the backing device is free again" OK "$(zblk excl "$rr")"
fi

done_testing
