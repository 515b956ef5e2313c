#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One benchmark round, run inside a guest by bench/run.sh with either our
# zram or Debian's loaded.  For each algorithm it prints one line
#   BENCH alg=A key=value ...
# with (MB/s in MiB per second of device data, IOPS of 4 KiB requests):
#   mem_used     mm_stat mem_used_total after storing the corpus (bytes)
#   compr        mm_stat compr_data_size, same data
#   write        corpus -> /dev/zram0, 1 MiB O_DIRECT writes (MB/s)
#   read         /dev/zram0 -> /dev/null, 1 MiB O_DIRECT reads (MB/s)
#   fread        /dev/zram0 -> a tmpfs file, buffered, cold page cache
#                (MB/s; the second such read, see below)
#   rread rwrite 4 KiB random O_DIRECT reads / writes, 2 jobs (IOPS)
#   cread cwrite the same while another task writes "compact" in a loop
#   swap_s       a memory hog of $HOG_MB MiB (2:1 compressible, verified)
#                in a cgroup limited to $LIMIT_MB MiB, zram0 the only swap:
#                seconds to fill, verify once and exit
#   swap_max     mm_stat mem_used_max after that workload (bytes)
# and writeback (issue #13) to a loop device over a tmpfs file: 256 MiB of the corpus (the corpus, again,
# and its first part), all marked idle, then "writeback idle":
#   wb_s         seconds the writeback took
#   wb_rread     4 KiB random O_DIRECT reads of those 256 MiB, 2 jobs
#                (IOPS; nearly all from the backing device)
#   wb_bpp       backing-device bytes per written-back page (bd_stat
#                bd_count * 4096 / pages written back)
#   pk_s pk_rread pk_bpp   the same with writeback_compressed=1 (ours
#                only: Debian's zram has no such attribute)
#   tk_s tk_rread tk_bpp   the same for the tier path (ours, algorithms
#                other than zstd): recomp_algorithm zstd, the idle pages
#                recompressed, then written back packed; tk_rs the
#                recompression's seconds (not in tk_s)
#   vd_* vpk_*   the same to a virtio disk (/dev/vda, guest-run.sh -D)
#                instead of the loop device: part "vd"
# and deduplication (issue #15), part "dd": a corpus as big as the
# corpus, in which 30% of the pages are copies of its other pages that
# are not same-filled, drawn evenly, the others the corpus's own:
#   dd_frac      % of the non-same-filled pages that are copies (of the
#                30% and of the corpus's own repeats)
#   dd_used      mm_stat mem_used_total after writing it (ours: use_dedup=1)
#   dd_off       the same with use_dedup=0 (ours only)
#   dd_w dd_w0   write MB/s of the plain corpus (hardly a copy in it) with
#                use_dedup=1 and 0 (ours only; stock: dd_w as it is)
#   dd_meta      dedup_stat's metadata bytes after the plain corpus, in %
#                of orig_data_size (ours only)
# BENCH_PARTS ("main wb" by default) selects the parts.
# Every figure is one measurement: bench/run.sh repeats the rounds and
# takes medians.  The data is checked: the corpus must read back, the
# hog verifies its pages; a mismatch fails the round.
set -euo pipefail

corpus=${BENCH_CORPUS:?}
hog=${BENCH_HOG:?}
algs=${BENCH_ALGS:-lz4 zstd}
parts=${BENCH_PARTS:-main wb}
HOG_MB=${BENCH_HOG_MB:-160}
LIMIT_MB=${BENCH_LIMIT_MB:-64}
Z=/sys/block/zram0

cp "$corpus" /tmp/corpus
size=$(stat -c %s /tmp/corpus)
mb=$((size >> 20))

now_ns() { date +%s%N; }

# seconds (3 decimals) since $1 (ns)
since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# MB/s of one dd run of the whole corpus: $@ = dd arguments.
dd_mbps() {
	local t0

	t0=$(now_ns)
	dd "$@" bs=1M count="$mb" status=none
	awk -v m="$mb" -v s="$(since "$t0")" 'BEGIN { printf "%.1f", m / s }'
}

# fio_iops RW KEY [SIZE_MB]: IOPS of 4 KiB O_DIRECT RW over the first
# SIZE_MB (the corpus's size) of zram0.
fio_iops() {
	fio --name=b --filename=/dev/zram0 --rw="$1" --bs=4k --direct=1 \
		--ioengine=psync --numjobs=2 --size="${3:-$mb}M" --runtime=2 \
		--time_based --group_reporting --refill_buffers \
		--buffer_compress_percentage=60 --buffer_compress_chunk=4096 \
		--output-format=json |
		python3 -c 'import json,sys
j = json.load(sys.stdin)["jobs"][0]
print(int(j["'"$2"'"]["iops"]))'
}

setup() {
	echo 1 >$Z/reset
	echo "$1" >$Z/comp_algorithm
	echo 512M >$Z/disksize
}

# The swap workload: prints its time in seconds.
swap_run() {
	local cg=/sys/fs/cgroup/bench-hog t0

	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
	mkdir -p $cg
	echo "${LIMIT_MB}M" >$cg/memory.max
	t0=$(now_ns)
	bash -c "echo \$\$ >$cg/cgroup.procs && exec '$hog' $HOG_MB 1" \
		</dev/null >/tmp/hog.out 2>&1 ||
		{ cat /tmp/hog.out >&2; echo "bench: memhog failed" >&2; exit 1; }
	since "$t0"
	swapoff /dev/zram0
	rmdir $cg
}

# want PART: is PART one of the parts asked for (BENCH_PARTS)?
want() { [[ " $parts " == *" $1 "* ]]; }

# has_alg ALG: does the loaded module offer ALG?
has_alg() {
	tr -d '[]' <$Z/comp_algorithm | tr ' ' '\n' | grep -qxF "$1"
}

# wb_run ALG COMPRESSED [DEV [TIER]]: the writeback figures, "S RREAD BPP",
# to a loop device over a tmpfs file, or to block device DEV ("" for the
# loop device).  With TIER (a secondary algorithm), the path an ALG
# device's cold pages take with automatic tiering: the idle pages are
# recompressed with TIER first (its time is left out of S and printed
# fourth).
WB_MB=256
wb_run() {
	local img=/tmp/wb.img loop='' dev=${3:-} t0 s rr cnt pages rs=''

	echo 1 >$Z/reset
	if [ -z "$dev" ]; then
		truncate -s $((WB_MB + 64))M $img
		modprobe loop 2>/dev/null || true
		loop=$(losetup -f --show $img)
		dev=$loop
	fi
	echo "$dev" >$Z/backing_dev
	if [ "$2" = 1 ]; then
		echo 1 >$Z/writeback_compressed
	elif [ -e $Z/writeback_compressed ]; then
		echo 0 >$Z/writeback_compressed
	fi
	echo "$1" >$Z/comp_algorithm
	[ -z "${4:-}" ] || echo "algo=$4" >$Z/recomp_algorithm
	echo 512M >$Z/disksize
	dd if=/tmp/corpus of=/dev/zram0 bs=1M oflag=direct status=none
	dd if=/tmp/corpus of=/dev/zram0 bs=1M seek=$mb oflag=direct status=none
	dd if=/tmp/corpus of=/dev/zram0 bs=1M seek=$((2 * mb)) \
		count=$((WB_MB - 2 * mb)) oflag=direct status=none
	echo all >$Z/idle
	if [ -n "${4:-}" ]; then
		t0=$(now_ns)
		echo type=idle >$Z/recompress
		rs=$(since "$t0")
		echo all >$Z/idle
	fi
	t0=$(now_ns)
	echo idle >$Z/writeback
	s=$(since "$t0")
	# Ours: bd_stat column 4 counts the pages; the kernel's: a block each.
	read -r cnt _ _ pages _ <$Z/bd_stat
	pages=${pages:-$cnt}
	rr=$(fio_iops randread read $WB_MB)
	cmp <(dd if=/dev/zram0 bs=1M count=$mb iflag=direct status=none) /tmp/corpus
	echo 1 >$Z/reset
	if [ -n "$loop" ]; then
		losetup -d "$loop"
		rm -f $img
	fi
	echo "$s $rr $((cnt * 4096 / pages)) $rs"
}

# dd_setup ALG DEDUP: a fresh device (DEDUP "" on stock).
dd_setup() {
	echo 1 >$Z/reset
	[ -z "$2" ] || echo "$2" >$Z/use_dedup
	echo "$1" >$Z/comp_algorithm
	echo 512M >$Z/disksize
}

# dd_run ALG: the part "dd" figures, "key=value ...".
dd_run() {
	local frac used off w w0 meta orig

	frac=$(python3 - /tmp/corpus /tmp/dcorpus <<'PY'
import sys
src = open(sys.argv[1], "rb").read()
P = 4096
pages = [src[i:i + P] for i in range(0, len(src) - P + 1, P)]
def same(p):
    return p == p[:8] * (P // 8)
# 30% of the positions (a fixed pattern) get a copy of a page drawn
# evenly from the others that are not same-filled, so the copies are
# like the rest (in size once compressed too): saved memory can follow
# the fraction of pages.
copy = [(i * 2654435761) % 100 < 30 for i in range(len(pages))]
orig = [i for i, p in enumerate(pages) if not copy[i] and not same(p)]
out, seen, dup, n = [], set(), 0, 0
for i, p in enumerate(pages):
    if copy[i]:
        p = pages[orig[(i * 40503) % len(orig)]]
    out.append(p)
    if not same(p):
        n += 1
        dup += p in seen
        seen.add(p)
open(sys.argv[2], "wb").write(b"".join(out))
print("%.1f" % (100.0 * dup / n))
PY
)
	if [ -e $Z/use_dedup ]; then
		dd_setup "$1" 1
		dd if=/tmp/dcorpus of=/dev/zram0 bs=1M oflag=direct status=none
		read -r _ _ used _ <$Z/mm_stat
		cmp <(dd if=/dev/zram0 bs=1M count="$mb" iflag=direct status=none) /tmp/dcorpus
		dd_setup "$1" 0
		dd if=/tmp/dcorpus of=/dev/zram0 bs=1M oflag=direct status=none
		read -r _ _ off _ <$Z/mm_stat
		dd_setup "$1" 0
		w0=$(dd_mbps if=/tmp/corpus of=/dev/zram0 oflag=direct)
		dd_setup "$1" 1
		w=$(dd_mbps if=/tmp/corpus of=/dev/zram0 oflag=direct)
		read -r orig _ <$Z/mm_stat
		read -r _ _ meta <$Z/dedup_stat
		cmp <(dd if=/dev/zram0 bs=1M count="$mb" iflag=direct status=none) /tmp/corpus
		echo 1 >$Z/reset
		echo 0 >$Z/use_dedup
		echo "dd_frac=$frac dd_used=$used dd_off=$off dd_w=$w dd_w0=$w0" \
			"dd_meta=$(awk -v m="$meta" -v o="$orig" 'BEGIN { printf "%.3f", 100 * m / o }')"
	else
		dd_setup "$1" ''
		dd if=/tmp/dcorpus of=/dev/zram0 bs=1M oflag=direct status=none
		read -r _ _ used _ <$Z/mm_stat
		dd_setup "$1" ''
		w=$(dd_mbps if=/tmp/corpus of=/dev/zram0 oflag=direct)
		echo 1 >$Z/reset
		echo "dd_frac=$frac dd_used=$used dd_w=$w"
	fi
}

if want vd; then
	modprobe virtio_blk
	for _ in $(seq 50); do
		[ -b /dev/vda ] && break
		sleep 0.1
	done
	[ -b /dev/vda ] || { echo "bench: no /dev/vda (guest-run.sh -D)" >&2; exit 1; }
fi
grep -q memory /sys/fs/cgroup/cgroup.controllers
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
swapoff -a

for alg in $algs; do
	# Debian's 6.12 zram offers no lzo/lzo-rle: skip what a module lacks.
	if ! has_alg "$alg"; then
		echo "BENCH alg=$alg unavailable"
		continue
	fi
	if want wb; then
		read -r a b c < <(wb_run "$alg" 0)
		echo "BENCH alg=$alg wb_s=$a wb_rread=$b wb_bpp=$c"
	fi
	if want vd; then
		read -r a b c < <(wb_run "$alg" 0 /dev/vda)
		echo "BENCH alg=$alg vd_s=$a vd_rread=$b vd_bpp=$c"
	fi
	if want dd; then
		echo "BENCH alg=$alg $(dd_run "$alg")"
	fi
	want main || continue
	setup "$alg"
	w=$(dd_mbps if=/tmp/corpus of=/dev/zram0 oflag=direct)
	read -r _ compr used _ <$Z/mm_stat
	r=$(dd_mbps if=/dev/zram0 of=/dev/null iflag=direct)
	# fread is the second buffered read: under TCG the first one
	# after other programs ran (the previous algorithm's fio and
	# python3) clears its pages several times slower, whichever
	# module (README, "Measured").
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/zram0 of=/tmp/readback bs=1M count="$mb" status=none
	rm -f /tmp/readback
	echo 3 >/proc/sys/vm/drop_caches
	fr=$(dd_mbps if=/dev/zram0 of=/tmp/readback)
	cmp /tmp/corpus /tmp/readback
	rm -f /tmp/readback
	rr=$(fio_iops randread read)
	rw=$(fio_iops randwrite write)
	(while :; do echo 1 >$Z/compact; done) &
	cpid=$!
	cr=$(fio_iops randread read)
	cw=$(fio_iops randwrite write)
	kill $cpid
	wait $cpid 2>/dev/null || true
	setup "$alg"
	sw=$(swap_run)
	read -r _ _ _ _ smax _ <$Z/mm_stat
	echo "BENCH alg=$alg mem_used=$used compr=$compr write=$w read=$r" \
		"fread=$fr rread=$rr rwrite=$rw cread=$cr cwrite=$cw" \
		"swap_s=$sw swap_max=$smax"
done

# Ours only, after every figure both modules have: packed writeback and
# the tier path.  Each run before a figure slows it (a boot's later runs
# are slower: README, "Measured"), so these come last, where they cannot
# handicap ours in the figures compared with the kernel's.
if [ -e $Z/writeback_compressed ]; then
	for alg in $algs; do
		has_alg "$alg" || continue
		if want wb; then
			read -r a b c < <(wb_run "$alg" 1)
			line="pk_s=$a pk_rread=$b pk_bpp=$c"
			# The tier path of a fast algorithm's device: its cold
			# pages recompressed with zstd, then written back packed.
			if [ "$alg" != zstd ]; then
				read -r a b c d < <(wb_run "$alg" 1 "" zstd)
				line+=" tk_s=$a tk_rread=$b tk_bpp=$c tk_rs=$d"
			fi
			echo "BENCH alg=$alg $line"
		fi
		if want vd; then
			read -r a b c < <(wb_run "$alg" 1 /dev/vda)
			echo "BENCH alg=$alg vpk_s=$a vpk_rread=$b vpk_bpp=$c"
		fi
	done
fi
echo 1 >$Z/reset
