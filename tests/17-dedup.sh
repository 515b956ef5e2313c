#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Deduplication (issue #15): use_dedup and dedup_stat.
# Semantics (ours only; the kernel's zram has neither attribute):
#  - use_dedup: 0 (default) or 1, before disksize (-EBUSY after),
#    -EINVAL otherwise; kept across reset;
#  - dedup_stat: pages sharing an object with another page, bytes of
#    pool memory saved (objects not stored), bytes the index and share
#    counts take; "0 0 0" without use_dedup;
#  - a page shares an object only after a byte-exact comparison;
#    same-filled pages keep their own path; overwrite, discard,
#    write-zeroes and swap-slot free of one copy leave the others, and
#    the object goes with its last page; compr_data_size counts a shared
#    object once, orig_data_size every page;
#  - shared objects are neither written back nor recompressed, by hand
#    or by a tiering pass.
# Counts are exact: every object size is read off compr_data_size.
. "$(dirname "$0")/lib.sh"

if [ "$ZRAM_TEST_STOCK" = 1 ]; then
	skip "dedup" "ours only (use_dedup, dedup_stat)"
	done_testing
fi

z=$(zdev 0)
mount_debugfs
bs=$DEBUGFS/zram/zram0/block_state
modprobe loop 2>/dev/null || true

# ---------------------------------------------------------------- helpers

ud() { expect_errno "$1" "$2" "$z/use_dedup" "$3"; }
dd_stat() { local a; read -ra a <"$z/dedup_stat"; echo "${a[*]:0:2}"; }
dcol() { zcol 0 dedup_stat "$1"; }
mm() { zcol 0 mm_stat "$1"; }

# Pages in $SCRATCH: text-like pages (about 2:1 with lz4), each name
# its own content: A, B, C0..C9 (all different), R (random: stored raw).
for t_p in A:1 B:2 C0:10 C1:11 C2:12 C3:13 C4:14 C5:15 C6:16 C7:17 C8:18 C9:19; do
	zblk text dedup 40 "${t_p#*:}" >"$SCRATCH/${t_p%:*}"
done
head -c 4096 /dev/urandom >"$SCRATCH/R"
# wp NAME FIRST COUNT: write page NAME at pages FIRST..FIRST+COUNT-1.
wp() {
	local i

	for ((i = $2; i < $2 + $3; i++)); do
		dd if="$SCRATCH/$1" of=/dev/zram0 bs=4096 seek="$i" \
			oflag=direct status=none || return 1
	done
}
# rp NAME FIRST COUNT: those pages read back as NAME.
rp() {
	local i

	for ((i = $2; i < $2 + $3; i++)); do
		zblk same /dev/zram0 "$i" 1 "$SCRATCH/$1" 2>/dev/null ||
			return 1
	done
}
# blkop discard|zeroout FIRST COUNT: BLKDISCARD or BLKZEROOUT on pages
# FIRST..; blkdiscard(8) would probe with a whole-device one.
blkop() { zblk "$1" /dev/zram0 "$2" "$3"; }
zeros_at() { dd if=/dev/zram0 bs=4096 skip="$1" count=1 iflag=direct \
	status=none | cmp -s - <(head -c 4096 /dev/zero); }

# ---------------------------------------------------------------- 0. attributes

zram_reset 0
check_eq "use_dedup is 0644" 644 "$(stat -c %a "$z/use_dedup")"
check_eq "dedup_stat is 0444" 444 "$(stat -c %a "$z/dedup_stat")"
check_eq "use_dedup defaults to 0" 0 "$(cat "$z/use_dedup")"
check_eq "dedup_stat reads 0 0 0" "0 0 0" "$(xargs <"$z/dedup_stat")"
for bad in 2 -1 abc "" 1x 0x1 " "; do
	ud "use_dedup '$bad' -> EINVAL" EINVAL "$bad"
done
check_eq "NUL inside a write -> EINVAL" EINVAL \
	"$(write_raw_errno "$z/use_dedup" '1\0x')"
check_eq "refused writes left it 0" 0 "$(cat "$z/use_dedup")"
ud "use_dedup 1" OK 1
check_eq "reads 1" 1 "$(cat "$z/use_dedup")"
check "comp_algorithm lz4" zwrite 0 comp_algorithm lz4
check "disksize 16M" zwrite 0 disksize 16M
ud "use_dedup 0 after disksize -> EBUSY" EBUSY 0
ud "use_dedup 1 after disksize -> EBUSY" EBUSY 1
check_eq "still 1" 1 "$(cat "$z/use_dedup")"
check_eq "nothing stored: 0 0 saved and shared" "0 0" "$(dd_stat)"
check "the empty index takes memory (dedup_stat column 3 > 0)" \
	test "$(dcol 3)" -gt 0
zram_reset 0
check_eq "use_dedup survives reset" 1 "$(cat "$z/use_dedup")"

# ---------------------------------------------------------------- 1. sharing

check "disksize 16M" zwrite 0 disksize 16M
check "page A written at 0..9" wp A 0 10
SA=$(mm 2)
diag "object of A: $SA bytes"
check "A compresses (0 < size < 4096)" test "$SA" -gt 0 -a "$SA" -lt 4096
check_eq "10 pages share one object: shared 10, saved 9 objects" \
	"10 $((9 * SA))" "$(dd_stat)"
check_eq "orig_data_size counts every page" $((10 * PAGE)) "$(mm 1)"
check "A reads back at 0..9" rp A 0 10
check "page B written at 10..14" wp B 10 5
SB=$(($(mm 2) - SA))
check_eq "B: shared 15, saved 9 A + 4 B" "15 $((9 * SA + 4 * SB))" "$(dd_stat)"
c0=$(mm 2)
for i in 0 1 2 3 4; do wp "C$i" $((20 + i)) 1; done
check_eq "5 different pages share nothing" "15 $((9 * SA + 4 * SB))" "$(dd_stat)"
check "they are stored: compr_data_size grew" test "$(mm 2)" -gt "$c0"
check "C0..C4 read back" bash -c "for i in 0 1 2 3 4; do dd if=/dev/zram0 bs=4096 skip=\$((20 + i)) count=1 iflag=direct status=none | cmp -s - $SCRATCH/C\$i || exit 1; done"
same0=$(mm 6)
check "5 zero pages at 30..34" dd if=/dev/zero of=/dev/zram0 bs=4096 \
	seek=30 count=5 oflag=direct status=none
check_eq "same-filled pages keep their own path: same_pages +5" \
	$((same0 + 5)) "$(mm 6)"
check_eq "... and share nothing" "15 $((9 * SA + 4 * SB))" "$(dd_stat)"
huge0=$(mm 8) c1=$(mm 2)
check "random page R written at 40..43" wp R 40 4
check_eq "R is stored raw: huge_pages +4 (one per page)" $((huge0 + 4)) "$(mm 8)"
check_eq "... one raw object: compr_data_size +4096" $((c1 + PAGE)) "$(mm 2)"
check_eq "R: shared 19, saved + 3 pages" \
	"19 $((9 * SA + 4 * SB + 3 * PAGE))" "$(dd_stat)"
check "R reads back at 40..43" rp R 40 4

# Free the copies of A one way after another.
check "overwrite page 0 with C5" wp C5 0 1
check_eq "overwrite: shared 18, saved one A less" \
	"18 $((8 * SA + 4 * SB + 3 * PAGE))" "$(dd_stat)"
check "discard page 1" blkop discard 1 1
check_eq "discard: shared 17" "17 $((7 * SA + 4 * SB + 3 * PAGE))" "$(dd_stat)"
check "write-zeroes on page 2" blkop zeroout 2 1
check_eq "write-zeroes: shared 16" "16 $((6 * SA + 4 * SB + 3 * PAGE))" "$(dd_stat)"
check "page 1 reads zeros" zeros_at 1
check "page 2 reads zeros" zeros_at 2
check "A still reads back at 3..9" rp A 3 7
c2=$(mm 2)
check "discard pages 3..8" blkop discard 3 6
check_eq "A's last page no longer shares: shared 9 (B and R)" \
	"9 $((4 * SB + 3 * PAGE))" "$(dd_stat)"
check_eq "A's object stays (page 9 holds it)" "$c2" "$(mm 2)"
check "page 9 reads A" rp A 9 1
check "discard page 9" blkop discard 9 1
check_eq "A's object goes with its last page" $((c2 - SA)) "$(mm 2)"
check "B reads back at 10..14" rp B 10 5
check "C5 reads back at 0" rp C5 0 1
check "discard everything" blkop discard 0 4096
check_eq "all freed: dedup_stat 0 0" "0 0" "$(dd_stat)"
check_eq "all freed: compr_data_size 0" 0 "$(mm 2)"
check_eq "all freed: huge_pages 0" 0 "$(mm 8)"
zram_reset 0

# ---------------------------------------------------------------- 2. use_dedup 0

ud "use_dedup 0" OK 0
check "disksize 16M" zwrite 0 disksize 16M
check "page A written at 0..9" wp A 0 10
check_eq "without dedup: 10 objects" $((10 * SA)) "$(mm 2)"
check_eq "dedup_stat 0 0 0" "0 0 0" "$(xargs <"$z/dedup_stat")"
zram_reset 0

# ---------------------------------------------------------------- 3. writeback and recompression

truncate -s 16M "$SCRATCH/back.img"
LOOP=$(losetup -f --show "$SCRATCH/back.img")
check "loop device over a 16 MiB file" test -b "$LOOP"
at_exit losetup -d "$LOOP"
at_exit zram_reset 0
ud "use_dedup 1" OK 1
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "recomp_algorithm zstd" zwrite 0 recomp_algorithm "algo=zstd"
check "disksize 16M" zwrite 0 disksize 16M
check "A at 0..3" wp A 0 4
for i in 0 1 2 3; do wp "C$i" $((4 + i)) 1; done
check_eq "shared 4" 4 "$(dcol 1)"
check "echo all > idle" zwrite 0 idle all
check "recompress type=idle" zwrite 0 recompress "type=idle"
check_eq "recompression tried only the 4 unshared pages" 4 \
	"$(awk 'NR == 2 {print $3}' "$z/debug_stat")"
check "echo all > idle" zwrite 0 idle all
check "writeback idle" zwrite 0 writeback idle
check_eq "only the 4 unshared pages were written back" "4 5 6 7" \
	"$(bs_indices '^.w')"
check_eq "bd_count 4" 4 "$(zcol 0 bd_stat 1)"
check "A reads back at 0..3 (from memory)" rp A 0 4
check "C0..C3 read back (from the disk)" bash -c "for i in 0 1 2 3; do dd if=/dev/zram0 bs=4096 skip=\$((4 + i)) count=1 iflag=direct status=none | cmp -s - $SCRATCH/C\$i || exit 1; done"
check "discard pages 0..2" blkop discard 0 3
check_eq "page 3 alone: shared 0" 0 "$(dcol 1)"
check "echo all > idle" zwrite 0 idle all
check "writeback idle" zwrite 0 writeback idle
check_eq "now page 3 goes too" "3 4 5 6 7" "$(bs_indices '^.w')"
check "page 3 reads A (from the disk)" rp A 3 1
zram_reset 0

# Tiering goes through the same writeback: a pass leaves shared pages.
# mem_limit 1M and high=1 (2 pool pages): 9 objects of about 1.6 KB are
# above it, and low=0 lets the pass write back all it may.
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "disksize 16M" zwrite 0 disksize 16M
check "A at 0..3" wp A 0 4
for i in 0 1 2 3 4 5 6 7; do wp "C$i" $((4 + i)) 1; done
check "mem_limit 1M" zwrite 0 mem_limit 1M
diag "pool: $(mm 3) bytes"
check "echo all > idle" zwrite 0 idle all
check "tiering: writeback=idle high=1 low=0 run" \
	zwrite 0 tiering "writeback=idle high=1 low=0 run"
check_eq "the pass wrote back the 8 unshared pages (tiering_stat)" 8 \
	"$(zcol 0 tiering_stat 5)"
check_eq "... pages 4..11, not the shared 0..3" "4 5 6 7 8 9 10 11" \
	"$(bs_indices '^.w')"
check_eq "still shared 4" 4 "$(dcol 1)"
check "A reads back at 0..3" rp A 0 4
zram_reset 0

# ---------------------------------------------------------------- 4. compaction

# 2048 pages: the odd ones hold 512 contents twice each (the first
# copies among the first 1024 pages, interleaved with unique pages in
# the pool), the even ones unique pages.  Discarding the unique pages
# leaves zspages half empty, and compact moves shared objects.
check "disksize 16M" zwrite 0 disksize 16M
# shellcheck disable=SC2046 # one seed a word
zblk text pool 50 $(for ((p = 0; p < 2048; p++)); do
	echo $((p % 2 ? 1000 + (p / 2) % 512 : 5000 + p)); done) >"$SCRATCH/mix"
check "write 2048 pages (512 contents twice, 1024 unique)" \
	dd if="$SCRATCH/mix" of=/dev/zram0 bs=64K oflag=direct status=none
check_eq "shared 1024" 1024 "$(dcol 1)"
# shellcheck disable=SC2046 # one page number a word
check "discard the 1024 unique pages" zblk discard-each /dev/zram0 $(seq 0 2 2047)
check_eq "still shared 1024" 1024 "$(dcol 1)"
used=$(mm 3)
check "compact" zwrite 0 compact 1
diag "compaction: mem_used_total $used -> $(mm 3), pages_compacted $(mm 7)"
check "pages were compacted" test "$(mm 7)" -gt 0
check "the 1024 shared pages read back after compaction" python3 -c '
import os, sys
d = sys.argv[1]
mix = open(d + "/mix", "rb").read()
fd = os.open("/dev/zram0", os.O_RDONLY | os.O_DIRECT)
import mmap
buf = mmap.mmap(-1, 4096)
for p in range(1, 2048, 2):
    os.preadv(fd, [buf], p * 4096)
    if buf[:] != mix[p * 4096:(p + 1) * 4096]:
        sys.exit("page %d differs" % p)
' "$SCRATCH"
zram_reset 0

# ---------------------------------------------------------------- 5. concurrency

# Two writers store the same new 256 pages at once (each in its own
# range), while a third rewrites and discards a range holding the same
# content: every page reads back as its last writer left it, and once
# everything is discarded every counter is back at 0.
check "disksize 16M" zwrite 0 disksize 16M
# shellcheck disable=SC2046 # one seed a word
zblk text race 50 $(seq 7000 7255) >"$SCRATCH/race"
racer() {	# racer SEEK ROUNDS DISCARD
	local n

	for ((n = 0; n < $2; n++)); do
		dd if="$SCRATCH/race" of=/dev/zram0 bs=64K seek="$1" \
			oflag=direct status=none || return 1
		if [ "$3" = 1 ]; then
			blkop discard $(($1 * 16)) 256 || return 1
		fi
	done
	dd if="$SCRATCH/race" of=/dev/zram0 bs=64K seek="$1" oflag=direct \
		status=none
}
R=6
[ "$ZRAM_TEST_DEBUG" = 1 ] && R=3
racer 0 $R 0 & p1=$!
racer 16 $R 0 & p2=$!
racer 32 $R 1 & p3=$!
wait $p1; r1=$?
wait $p2; r2=$?
wait $p3; r3=$?
check_eq "the three writers succeeded" "0 0 0" "$r1 $r2 $r3"
# Alone now: each page of range 0 finds an object of another range.
check "range 0 written again" dd if="$SCRATCH/race" of=/dev/zram0 bs=64K \
	oflag=direct status=none
check "every range reads back as written" bash -c "
for s in 0 1048576 2097152; do
	dd if=/dev/zram0 bs=1M count=1 skip=\$((s / 1048576)) iflag=direct status=none |
		cmp -s - $SCRATCH/race || exit 1
done"
sh0=$(dcol 1)
diag "after the race: dedup_stat $(xargs <"$z/dedup_stat"), mm_stat $(xargs <"$z/mm_stat")"
check "range 0 and at least one other share each content (>= 512)" \
	test "$sh0" -ge 512
check "discard everything" blkop discard 0 4096
check_eq "all freed: dedup_stat 0 0" "0 0" "$(dd_stat)"
check_eq "all freed: compr_data_size 0" 0 "$(mm 2)"
zram_reset 0

# ---------------------------------------------------------------- 6. swap

# A process in a 16 MiB cgroup holds MB MiB whose pages are all the
# same (a 4 KiB pattern): swapped out, they share one object; when it
# exits, the swap slots are freed (the kernel may keep a few cached
# until swapoff) and the sharing ends.
MB=48
[ "$ZRAM_TEST_DEBUG" = 1 ] && MB=32
check "disksize 128M" zwrite 0 disksize 128M
check "mkswap /dev/zram0" mkswap /dev/zram0
check "swapon /dev/zram0" swapon -p 100 /dev/zram0
at_exit swapoff /dev/zram0
mem_cgroup zram-dedup 16
fifo=$SCRATCH/go
mkfifo "$fifo"
exec 4<>"$fifo"
bash -c "echo \$\$ > $CG/cgroup.procs && exec python3 -c '
import sys
pat = bytes(range(256)) * 16
buf = bytearray(pat) * ($MB * 256)
print(\"filled\", flush=True)
sys.stdin.readline()
ok = all(buf[i:i + 4096] == pat for i in range(0, len(buf), 4096))
print(\"verified\" if ok else \"differs\", flush=True)
'" <"$fifo" >"$SCRATCH/py.out" 2>&1 &
pid=$!
filled() { grep -q filled "$SCRATCH/py.out" || ! kill -0 "$pid" 2>/dev/null; }
t_wait=0
until filled || [ "$t_wait" -ge 600 ]; do sleep 0.2; t_wait=$((t_wait + 1)); done
check "$MB MiB of one page filled in the cgroup" grep -q filled "$SCRATCH/py.out"
sw=$(dcol 1)
diag "swapped: dedup_stat $(xargs <"$z/dedup_stat"), mm_stat $(xargs <"$z/mm_stat")"
check "thousands of swapped pages share (at least 4096)" test "$sw" -ge 4096
echo go >&4
wait "$pid"
check_eq "the process read its memory back and exited 0" 0 $?
check "... verified" grep -q verified "$SCRATCH/py.out"
exec 4>&-
diag "after the exit: dedup_stat $(xargs <"$z/dedup_stat")"
check "its swap slots were freed: shared fell below a tenth" \
	test "$(dcol 1)" -lt $((sw / 10))
check "swapoff" swapoff /dev/zram0
check_eq "after swapoff: shared 0" 0 "$(dcol 1)"
zram_reset 0

done_testing
