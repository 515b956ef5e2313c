#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Backing-device writeback: backing_dev, writeback, bd_stat,
# writeback_limit(_enable), and what writeback does to mm_stat, io_stat and
# the debugfs block_state.
# Semantics (our contract, mostly as the kernel's zram with
# CONFIG_ZRAM_WRITEBACK):
#  - backing_dev takes a block device before disksize and claims it
#    exclusively; "none" (or reset) releases it;
#  - writeback "idle", "huge", "huge_idle", "incompressible",
#    "page_index=N", "page_indexes=A-B" (several index tokens per write)
#    moves stored pages to the backing device; same-filled pages and pages
#    already written back are skipped; the data stays readable (from the
#    backing device: bd_stat bd_reads) and a read leaves it written back;
#  - bd_stat "bd_count bd_reads bd_writes" in 4K units since disksize;
#  - writeback_limit is a budget in 4K units consumed only when
#    writeback_limit_enable is 1; an exhausted budget fails with EIO;
#  - a full backing device fails with ENOSPC, an I/O error of the backing
#    device with EIO (io_stat failed_reads counts failed reads).
# Every expected value is exact; no sleep decides a result.  The backing
# devices are loop devices over files in $SCRATCH, and device-mapper
# (linear, then error) for the I/O-error cases.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
mount_debugfs
dbg=$DEBUGFS
bs=$dbg/zram/zram0/block_state
DISK=64M
NR_PAGES=$((64 << 20 >> 12))

# ---------------------------------------------------------------- helpers

# expect "desc" ERRNO FILE VALUE: lib.sh's expect_errno (its t_errno knows
# the errnos of backing_dev too, ENOTBLK and EISDIR).
expect() { expect_errno "$@"; }
# wb "desc" ERRNO VALUE: write VALUE to zram0's writeback.
wb() { expect "$1" "$2" "$z/writeback" "$3"; }

mm() { zcol 0 mm_stat "$1"; }
bd() { zcol 0 bd_stat "$1"; }
# The kernel's three columns (ours add more at the end: tests/15).
bd_all() { local a b c; read -r a b c _ <"$z/bd_stat"; echo "$a $b $c"; }
mm_all() { local a; read -ra a <"$z/mm_stat"; echo "${a[*]}"; }

# Exclusive open (O_EXCL on a block device = a holder claim): OK or ERRNO.
excl_open() { zblk excl "$1"; }

# gen_text COUNT SEED OUT: COUNT pages of compressible text, each page
# different (seed and page number in every line).
gen_text() { text_pages writeback "$@"; }

zeros() { head -c $(($1 * PAGE)) /dev/zero; }
# discard_pages FIRST COUNT: BLKDISCARD on zram0 (blkdiscard(8) would probe
# the device for signatures first, reading pages through the page cache).
discard_pages() { zblk discard /dev/zram0 "$1" "$2"; }

wlist() { bs_indices '^.w'; }

# New loop device over a file of SIZE in $SCRATCH; prints its path.
new_loop() {
	local f=$SCRATCH/$1.img

	truncate -s "$2" "$f" && losetup -f --show "$f"
}

modprobe loop 2>/dev/null || true
modprobe dm-mod 2>/dev/null || true

# ---------------------------------------------------------------- 0. files

zram_reset 0
check "debugfs holds zram/zram0/block_state" test -f "$bs"
check_eq "backing_dev is 0644" 644 "$(stat -c %a "$z/backing_dev")"
check_eq "writeback is 0200" 200 "$(stat -c %a "$z/writeback")"
check_eq "bd_stat is 0444" 444 "$(stat -c %a "$z/bd_stat")"
check_eq "writeback_limit is 0644" 644 "$(stat -c %a "$z/writeback_limit")"
check_eq "writeback_limit_enable is 0644" 644 \
	"$(stat -c %a "$z/writeback_limit_enable")"

# ---------------------------------------------------------------- 1. backing_dev

LOOP=$(new_loop big 16M)
check "loop device over a 16 MiB file" test -b "$LOOP"
at_exit losetup -d "$LOOP"
at_exit zram_reset 0
check_eq "backing_dev reads none when unset" none "$(zattr 0 backing_dev)"
expect "backing_dev = $LOOP" OK "$z/backing_dev" "$LOOP"
check_eq "backing_dev reads the path back" "$LOOP" "$(zattr 0 backing_dev)"
expect "backing_dev /nonexistent -> ENOENT" ENOENT "$z/backing_dev" /nonexistent
expect "backing_dev regular file -> ENOTBLK" ENOTBLK "$z/backing_dev" "$SCRATCH/big.img"
stock_differs "the kernel opens it O_RDWR first: EISDIR"
expect "backing_dev directory -> ENOTBLK" ENOTBLK "$z/backing_dev" "$SCRATCH"
stock_differs "the kernel tries to open '' (ENOENT, 6.12 EISDIR)"
expect "backing_dev '' -> EINVAL" EINVAL "$z/backing_dev" ""
check_eq "failed writes keep the previous value" "$LOOP" "$(zattr 0 backing_dev)"
check_eq "the loop device is claimed (O_EXCL open)" EBUSY "$(excl_open "$LOOP")"

id=$(cat /sys/class/zram-control/hot_add)
check "hot_add zram$id" test -d "/sys/block/zram$id"
at_exit "echo $id >/sys/class/zram-control/hot_remove"
expect "zram$id backing_dev = same loop -> EBUSY" EBUSY \
	"/sys/block/zram$id/backing_dev" "$LOOP"
check_eq "zram$id backing_dev still none" none "$(zattr "$id" backing_dev)"

stock_differs "the kernel has no 'none' (ENOENT)"
expect "backing_dev none" OK "$z/backing_dev" none
stock_differs "the kernel has no 'none'"
check_eq "backing_dev reads none again" none "$(zattr 0 backing_dev)"
stock_differs "the kernel has no 'none': still claimed"
check_eq "'none' releases the loop device" OK "$(excl_open "$LOOP")"
stock_differs "6.12: still claimed by zram0 itself"
expect "backing_dev = $LOOP again" OK "$z/backing_dev" "$LOOP"
check_eq "reads it back" "$LOOP" "$(zattr 0 backing_dev)"

check "disksize $DISK" zwrite 0 disksize $DISK
expect "backing_dev after disksize -> EBUSY" EBUSY "$z/backing_dev" "$LOOP"
expect "backing_dev none after disksize -> EBUSY" EBUSY "$z/backing_dev" none
check_eq "still $LOOP" "$LOOP" "$(zattr 0 backing_dev)"
check_eq "bd_stat starts 0 0 0" "0 0 0" "$(bd_all)"
check_eq "zram$id still cannot claim it" EBUSY \
	"$(write_errno "/sys/block/zram$id/backing_dev" "$LOOP")"

zram_reset 0
check_eq "reset: backing_dev none" none "$(zattr 0 backing_dev)"
expect "after zram0 reset, zram$id can claim $LOOP" OK \
	"/sys/block/zram$id/backing_dev" "$LOOP"
check_eq "zram$id reads it" "$LOOP" "$(zattr "$id" backing_dev)"
expect "... and zram0 cannot -> EBUSY" EBUSY "$z/backing_dev" "$LOOP"
zram_reset "$id"
check_eq "zram$id reset releases it" OK "$(excl_open "$LOOP")"
stock_differs "the kernel lets a zram device back another"
check "zram$id disksize 1M" zwrite "$id" disksize 1M
expect "a zram device as backing_dev -> EINVAL" EINVAL "$z/backing_dev" "/dev/zram$id"
check_eq "... still none" none "$(zattr 0 backing_dev)"
zram_reset "$id"
expect "hot_remove zram$id" OK /sys/class/zram-control/hot_remove "$id"

# ---------------------------------------------------------------- 2. errors

zram_reset 0
wb "writeback, uninitialized, no backing_dev -> EINVAL" EINVAL idle
expect "backing_dev = $LOOP" OK "$z/backing_dev" "$LOOP"
wb "writeback, uninitialized -> EINVAL" EINVAL idle
zram_reset 0
check "disksize $DISK without backing_dev" zwrite 0 disksize $DISK
for m in idle huge huge_idle page_index=1; do
	wb "writeback $m without backing_dev -> ENODEV" ENODEV "$m"
done
zram_reset 0
expect "backing_dev = $LOOP" OK "$z/backing_dev" "$LOOP"
check "disksize $DISK" zwrite 0 disksize $DISK

T=16 Z=4 R=6
gen_text $T 1 "$SCRATCH/text"
gen_pages zero $Z "$SCRATCH/zero"
gen_pages random $R "$SCRATCH/rand"
gen_pages word 1 "$SCRATCH/word"
check "write $T text pages at 0" dio_write "$SCRATCH/text" 0
check "write $Z zero pages at $T" dio_write "$SCRATCH/zero" $T
check "write $R random pages at $((T + Z))" dio_write "$SCRATCH/rand" $((T + Z))
WORD=$((T + Z + R))
check "write a word-filled page at $WORD" dio_write "$SCRATCH/word" $WORD
check_eq "$R huge pages" $R "$(mm 8)"
check_eq "$((T + Z + R + 1)) pages stored" $(((T + Z + R + 1) * PAGE)) "$(mm 1)"

mm0=$(mm_all) bd0=$(bd_all)
for v in bogus "" "idle huge" "page_index=" "page_index=-1" "page_index=x" \
	"page_index=$NR_PAGES" "page_index=1x" "page_indexes=5-2" \
	"page_indexes=5" "page_indexes=5-" "page_indexes=-5" \
	"page_indexes=2-$NR_PAGES" "page_index=9000 page_index=x"; do
	wb "writeback '$v' -> EINVAL" EINVAL "$v"
done
check_eq "bd_stat unchanged by rejected writes" "$bd0" "$(bd_all)"
check_eq "mm_stat unchanged by rejected writes" "$mm0" "$(mm_all)"
stock_differs "6.1 has no incompressible mode"
wb "writeback incompressible (nothing flagged): OK" OK incompressible
wb "writeback page_index=$((NR_PAGES - 1)) (empty page): OK" OK \
	"page_index=$((NR_PAGES - 1))"
check_eq "bd_stat unchanged by writes with nothing to do" "$bd0" "$(bd_all)"
check_eq "mm_stat unchanged by writes with nothing to do" "$mm0" "$(mm_all)"

# ---------------------------------------------------------------- 3. idle

expect "echo all > idle" OK "$z/idle" all
check "read text pages 0-3 (clears their idle mark)" bash -c \
	"dd if=/dev/zram0 of=/dev/null bs=4096 count=4 iflag=direct status=none"
W3="$(seq_list 4 $((T - 1))) $(seq_list $((T + Z)) $((T + Z + R - 1)))"
n3=$(count "$W3")
col1=$(mm 1) col2=$(mm 2) col3=$(mm 3)
wb "echo idle > writeback" OK idle
check_eq "bd_stat: $n3 blocks in use, 0 read, $n3 written" "$n3 0 $n3" "$(bd_all)"
check_eq "block_state 'w' exactly on the idle non-same pages" "$W3" "$(wlist)"
bad=$(awk '$3 ~ /^.w/ && substr($3, 1, 4) != ".w.." {print $1}' "$bs" | xargs)
check_eq "written-back pages show .w.. (not huge, not idle)" "" "$bad"
check_eq "pages 0 and 3 (read) show no flag" "........" "$(bs_flags 0)$(bs_flags 3)"
check_eq "orig_data_size unchanged" "$col1" "$(mm 1)"
check "compr_data_size dropped ($col2 -> $(mm 2))" test "$(mm 2)" -lt "$col2"
check "mem_used_total dropped ($col3 -> $(mm 3))" test "$(mm 3)" -lt "$col3"
check_eq "huge_pages 0 (all $R were idle)" 0 "$(mm 8)"
check_eq "same_pages unchanged ($Z zero + 1 word)" $((Z + 1)) "$(mm 6)"

# ---------------------------------------------------------------- 4. read back

cat "$SCRATCH/text" "$SCRATCH/zero" "$SCRATCH/rand" "$SCRATCH/word" >"$SCRATCH/all3"
check "all $((WORD + 1)) pages read back identical" same_data 0 $((WORD + 1)) "$SCRATCH/all3"
check_eq "bd_reads == $n3 written-back pages read" "$n3 $n3 $n3" "$(bd_all)"
check "written-back pages read again identical" same_data 4 $((T - 4)) \
	<(tail -c +$((4 * PAGE + 1)) "$SCRATCH/text")
check "... random ones too" same_data $((T + Z)) $R "$SCRATCH/rand"
check_eq "bd_reads grows again: still written back" "$n3 $((2 * n3)) $n3" "$(bd_all)"
check "one O_DIRECT read of all $((WORD + 1)) pages (mixed bio) identical" bash -c \
	"dd if=/dev/zram0 bs=$(((WORD + 1) * PAGE)) count=1 iflag=direct status=none |
	 cmp - '$SCRATCH/all3'"
check_eq "bd_reads +$n3" "$n3 $((3 * n3)) $n3" "$(bd_all)"
blockdev --flushbufs /dev/zram0
check "buffered read (readahead) identical" bash -c \
	"dd if=/dev/zram0 bs=4096 count=$((WORD + 1)) status=none | cmp - '$SCRATCH/all3'"
check_eq "bd_reads +$n3" "$n3 $((4 * n3)) $n3" "$(bd_all)"
blockdev --flushbufs /dev/zram0
check_eq "block_state 'w' unchanged by reads" "$W3" "$(wlist)"
check_eq "orig_data_size unchanged by reads" "$col1" "$(mm 1)"
expect "echo all > idle" OK "$z/idle" all
stock_differs "the kernel keeps the idle mark of written-back pages"
check_eq "no written-back page is marked idle" "" "$(bs_indices '^.w.i')"

# ---------------------------------------------------------------- 5. huge

H=40
gen_pages random 6 "$SCRATCH/rand2"
check "write 6 random pages at $H" dio_write "$SCRATCH/rand2" $H
check_eq "6 huge pages" 6 "$(mm 8)"
expect "echo all > idle" OK "$z/idle" all
check "read pages $((H + 3))-$((H + 5)) (not idle)" bash -c \
	"dd if=/dev/zram0 of=/dev/null bs=4096 skip=$((H + 3)) count=3 iflag=direct status=none"
base=$(bd 1) wbase=$(wlist)
wb "echo huge_idle > writeback" OK huge_idle
check_eq "huge_idle: bd_count +3" $((base + 3)) "$(bd 1)"
check_eq "huge_idle: exactly the idle huge pages went" \
	"$(union "$wbase" "$(seq_list $H $((H + 2)))")" "$(wlist)"
check_eq "huge_pages 3" 3 "$(mm 8)"
wb "echo huge > writeback" OK huge
check_eq "huge: bd_count +6 in all" $((base + 6)) "$(bd 1)"
check_eq "huge: bd_writes == bd_count" "$(bd 1)" "$(bd 3)"
check_eq "huge_pages 0" 0 "$(mm 8)"
W5=$(union "$wbase" "$(seq_list $H $((H + 5)))")
check_eq "huge: exactly the huge pages went (not idle text)" "$W5" "$(wlist)"
r=$(bd 2)
check "huge pages read back identical" same_data $H 6 "$SCRATCH/rand2"
check_eq "bd_reads +6" $((r + 6)) "$(bd 2)"

# ---------------------------------------------------------------- 6. overwrite, discard

gen_text 1 2 "$SCRATCH/new4"
base=$(bd 1) col1=$(mm 1) r=$(bd 2)
check "overwrite written-back page 4" dio_write "$SCRATCH/new4" 4
check_eq "bd_count -1" $((base - 1)) "$(bd 1)"
check_eq "orig_data_size unchanged by the overwrite" "$col1" "$(mm 1)"
check "discard written-back page 5" discard_pages 5 1
check_eq "bd_count -2" $((base - 2)) "$(bd 1)"
check_eq "orig_data_size -4096" $((col1 - PAGE)) "$(mm 1)"
check "page 4 reads the new data" same_data 4 1 "$SCRATCH/new4"
check "page 5 reads zeros" same_data 5 1 <(zeros 1)
check_eq "neither read touched the backing device" "$r" "$(bd 2)"
check_eq "page 4 in RAM: no flag" "...." "$(bs_flags 4)"
check_eq "page 5 gone from block_state" "" "$(bs_flags 5)"
W6=$(minus "$W5" "4 5")
check_eq "the other written-back pages unchanged" "$W6" "$(wlist)"

# ---------------------------------------------------------------- 7. page_index

P=60
gen_text 4 3 "$SCRATCH/text7"
check "write 4 text pages at $P" dio_write "$SCRATCH/text7" $P
check "write a zero page at $((P + 4))" dio_write <(zeros 1) $((P + 4))
check "write a random page at $((P + 5))" dio_write <(head -c "$PAGE" /dev/urandom) $((P + 5))
base=$(bd 1) wbase=$(wlist)
wb "page_index=$P" OK "page_index=$P"
check_eq "bd_count +1" $((base + 1)) "$(bd 1)"
check_eq "exactly page $P went" "$(union "$wbase" $P)" "$(wlist)"
stock_differs "no page_indexes in the kernel's zram"
wb "page_indexes=$((P + 1))-$((P + 3))" OK "page_indexes=$((P + 1))-$((P + 3))"
stock_differs "no page_indexes in the kernel's zram"
check_eq "bd_count +4" $((base + 4)) "$(bd 1)"
wb "page_index=$((P + 4)) (zero page): OK" OK "page_index=$((P + 4))"
wb "page_index=$P (already written back): OK" OK "page_index=$P"
wb "page_index=100 (never written): OK" OK "page_index=100"
stock_differs "no page_indexes in the kernel's zram"
check_eq "... none of them wrote anything" $((base + 4)) "$(bd 1)"
stock_differs "the kernel takes one token only"
wb "'page_index=$((P + 5)) page_indexes=4-4' in one write" OK \
	"page_index=$((P + 5)) page_indexes=4-4"
stock_differs "no page_indexes in the kernel's zram"
check_eq "bd_count +6" $((base + 6)) "$(bd 1)"
W7=$(union "$wbase" "$(seq_list $P $((P + 3)))" $((P + 5)) 4)
stock_differs "no page_indexes in the kernel's zram"
check_eq "exactly the indexed non-same pages went" "$W7" "$(wlist)"
check_eq "the zero page stays same-filled" "s..." "$(bs_flags $((P + 4)))"
check "indexed pages read back identical" same_data $P 4 "$SCRATCH/text7"
check "page 4 reads back identical" same_data 4 1 "$SCRATCH/new4"

# ---------------------------------------------------------------- 8. limit

check_eq "writeback_limit_enable defaults to 0" 0 "$(zattr 0 writeback_limit_enable)"
check_eq "writeback_limit defaults to 0" 0 "$(zattr 0 writeback_limit)"
# Decimal numbers only (kstrtoull base 10, as the kernel's zram).
for v in -1 x "" 0x1 " 1" 1x 18446744073709551616; do
	expect "writeback_limit_enable '$v' -> EINVAL" EINVAL \
		"$z/writeback_limit_enable" "$v"
done
for v in x -1 "" 0x10 " 5" 5x 18446744073709551616; do
	expect "writeback_limit '$v' -> EINVAL" EINVAL "$z/writeback_limit" "$v"
done
check_eq "enable still 0" 0 "$(zattr 0 writeback_limit_enable)"
check_eq "limit still 0" 0 "$(zattr 0 writeback_limit)"
# Any other number turns it on, as with the kernel's zram.
for v in 2 +5 010 18446744073709551615; do
	expect "writeback_limit_enable '$v': OK" OK "$z/writeback_limit_enable" "$v"
	check_eq "... reads 1" 1 "$(zattr 0 writeback_limit_enable)"
	expect "writeback_limit_enable 0" OK "$z/writeback_limit_enable" 0
done
expect "writeback_limit '010' (decimal 10)" OK "$z/writeback_limit" 010
check_eq "... reads 10" 10 "$(zattr 0 writeback_limit)"
expect "writeback_limit '+7'" OK "$z/writeback_limit" +7
check_eq "... reads 7" 7 "$(zattr 0 writeback_limit)"
expect "writeback_limit 0" OK "$z/writeback_limit" 0
check_eq "enable 0 again" 0 "$(zattr 0 writeback_limit_enable)"
L=80
gen_text 8 4 "$SCRATCH/text8"
check "write 8 text pages at $L" dio_write "$SCRATCH/text8" $L
# Stored pages neither same-filled nor written back.
cand=$(awk '$3 !~ /^s/ && $3 !~ /^.w/ {print $1}' "$bs" | xargs)
stock_differs "no page_indexes in the kernel's zram: other pages in RAM"
check_eq "idle candidates: text pages 0-3 and $L-$((L + 7))" \
	"0 1 2 3 $(seq_list $L $((L + 7)))" "$cand"
nc=$(count "$cand")
expect "echo all > idle" OK "$z/idle" all
expect "writeback_limit_enable 1" OK "$z/writeback_limit_enable" 1
expect "writeback_limit 3" OK "$z/writeback_limit" 3
check_eq "writeback_limit reads 3" 3 "$(zattr 0 writeback_limit)"
w=$(bd 3) base=$(bd 1)
wb "idle writeback, $nc candidates, budget 3 -> EIO" EIO idle
check_eq "exactly 3 written" $((w + 3)) "$(bd 3)"
check_eq "bd_count +3" $((base + 3)) "$(bd 1)"
check_eq "writeback_limit reads 0" 0 "$(zattr 0 writeback_limit)"
check_eq "3 of the candidates written back" 3 "$(count "$(minus "$cand" "$(minus "$cand" "$(wlist)")")")"
wb "again with budget 0 -> EIO" EIO idle
check_eq "nothing written" $((w + 3)) "$(bd 3)"
expect "writeback_limit 100" OK "$z/writeback_limit" 100
wb "idle writeback, budget 100" OK idle
check_eq "the other $((nc - 3)) went" $((w + nc)) "$(bd 3)"
check_eq "writeback_limit reads $((100 - nc + 3))" $((100 - nc + 3)) \
	"$(zattr 0 writeback_limit)"
check_eq "every candidate written back" "" "$(minus "$cand" "$(wlist)")"
expect "writeback_limit_enable 0" OK "$z/writeback_limit_enable" 0
check_eq "writeback_limit_enable reads 0" 0 "$(zattr 0 writeback_limit_enable)"
check "write 2 text pages at 90" dio_write <(head -c $((2 * PAGE)) "$SCRATCH/text7") 90
expect "echo all > idle" OK "$z/idle" all
wb "idle writeback with the limit disabled" OK idle
check_eq "2 more written" $((w + nc + 2)) "$(bd 3)"
check_eq "budget not consumed" $((100 - nc + 3)) "$(zattr 0 writeback_limit)"
check "limit pages read back identical" same_data $L 8 "$SCRATCH/text8"

# ---------------------------------------------------------------- 8b. races

# Writes to the same pages while idle writebacks run: the last write wins,
# and afterwards every block in use belongs to a written-back page.
RP=200 RN=64
gen_text $RN 8 "$SCRATCH/race_a"
gen_text $RN 9 "$SCRATCH/race_b"
gen_text $RN 10 "$SCRATCH/race_z"
check "write $RN text pages at $RP" dio_write "$SCRATCH/race_a" $RP
(
	for i in $(seq 1 15); do
		[ $((i % 2)) = 0 ] && f=race_a || f=race_b
		dio_write "$SCRATCH/$f" $RP || exit 1
	done
	dio_write "$SCRATCH/race_z" $RP
) &
writer=$!
bad=''
for i in $(seq 1 15); do
	e=$(write_errno "$z/idle" all)$(write_errno "$z/writeback" idle)
	[ "$e" = OKOK ] || bad="$bad $i:$e"
done
wait $writer
check_eq "concurrent writer finished" 0 $?
check_eq "15 x (idle all, writeback idle) all OK" "" "$bad"
check "pages read back as the last write" same_data $RP $RN "$SCRATCH/race_z"
check_eq "bd_count == pages showing 'w'" "$(count "$(wlist)")" "$(bd 1)"
expect "echo all > idle" OK "$z/idle" all
wb "idle writeback after the race" OK idle
check "pages still read back as the last write" same_data $RP $RN "$SCRATCH/race_z"
stock_differs "seen on stock 6.1/6.12: the last 10 pages stay in RAM"
check_eq "all of them written back" "" "$(minus "$(seq_list $RP $((RP + RN - 1)))" "$(wlist)")"
stock_differs "seen on stock 6.1/6.12: 10 blocks more than 'w' pages"
check_eq "bd_count == pages showing 'w'" "$(count "$(wlist)")" "$(bd 1)"

# ---------------------------------------------------------------- 9. full

zram_reset 0
SMALL=$(new_loop small 32K)
check "loop device over a 32 KiB file (8 blocks)" test -b "$SMALL"
at_exit losetup -d "$SMALL"
expect "backing_dev = $SMALL" OK "$z/backing_dev" "$SMALL"
check "disksize $DISK" zwrite 0 disksize $DISK
check_eq "bd_stat 0 0 0 after reset and disksize" "0 0 0" "$(bd_all)"
gen_text 20 5 "$SCRATCH/text9"
check "write 20 text pages" dio_write "$SCRATCH/text9" 0
expect "echo all > idle" OK "$z/idle" all
wb "idle writeback of 20 pages to 8 blocks -> ENOSPC" ENOSPC idle
stock_differs "the kernel never uses block 0: 7 blocks"
check_eq "bd_stat: 8 in use, 8 written" "8 0 8" "$(bd_all)"
stock_differs "the kernel never uses block 0: 7 blocks"
check_eq "8 pages show 'w'" 8 "$(count "$(wlist)")"
check_eq "orig_data_size: all 20 pages" $((20 * PAGE)) "$(mm 1)"
check "all 20 pages read back identical" same_data 0 20 "$SCRATCH/text9"
w9=$(wlist)
first=${w9%% *}
check "discard written-back page $first" \
	discard_pages "$first" 1
stock_differs "the kernel never uses block 0: 7 blocks"
check_eq "bd_count 7" 7 "$(bd 1)"
expect "echo all > idle" OK "$z/idle" all
wb "idle writeback again -> ENOSPC" ENOSPC idle
stock_differs "the kernel never uses block 0: 7 blocks"
check_eq "the freed block was reused: 8 in use, 9 written" "8 9" "$(bd 1) $(bd 3)"
check "pages still identical" bash -c \
	"dd if=/dev/zram0 bs=4096 skip=$((first + 1)) count=$((19 - first)) iflag=direct status=none |
	 cmp - <(tail -c +$(((first + 1) * PAGE + 1)) '$SCRATCH/text9')"

# ---------------------------------------------------------------- 11. reset releases

check_eq "claimed before reset" EBUSY "$(excl_open "$SMALL")"
zram_reset 0
check_eq "reset: backing_dev none" none "$(zattr 0 backing_dev)"
check_eq "reset: bd_stat 0 0 0" "0 0 0" "$(bd_all)"
check_eq "reset released $SMALL" OK "$(excl_open "$SMALL")"
check "losetup -d $SMALL" losetup -d "$SMALL"

# ---------------------------------------------------------------- 10. I/O errors

S=$((16 << 20 >> 9))
dm=''
if ! command -v dmsetup >/dev/null; then
	skip "I/O errors through device-mapper" "no dmsetup"
elif ! out=$(dmsetup --noudevsync create zwb --table "0 $S linear $LOOP 0" 2>&1); then
	skip "I/O errors through device-mapper" "dmsetup create failed: $out"
else
	at_exit dmsetup --noudevsync remove zwb
	at_exit zram_reset 0
	dm=/dev/mapper/zwb
	[ -b "$dm" ] || dm=/dev/$(dmsetup info -c --noheadings -o blkdevname zwb)
fi
if [ -n "$dm" ]; then
	check "dm device $dm" test -b "$dm"
	expect "backing_dev = $dm" OK "$z/backing_dev" "$dm"
	check "disksize $DISK" zwrite 0 disksize $DISK
	gen_text 10 6 "$SCRATCH/text10"
	gen_text 4 7 "$SCRATCH/ram10"
	check "write 10 text pages at 0" dio_write "$SCRATCH/text10" 0
	expect "echo all > idle" OK "$z/idle" all
	wb "idle writeback through dm-linear" OK idle
	check_eq "bd_stat 10 0 10" "10 0 10" "$(bd_all)"
	check "write 4 text pages at 20 (stay in RAM)" dio_write "$SCRATCH/ram10" 20
	check "switch $dm to the error target" bash -c \
		"dmsetup --noudevsync suspend zwb &&
		 dmsetup --noudevsync load zwb --table '0 $S error' &&
		 dmsetup --noudevsync resume zwb"
	f0=$(zcol 0 io_stat 1)
	out=$(dio_read 0 1 2>&1 >/dev/null)
	check "reading written-back page 0 fails" test $? -ne 0
	check_eq "... with EIO" EIO "$(errno_name "$out")"
	stock_differs "the kernel reads asynchronously, uncounted"
	check_eq "failed_reads +1" $((f0 + 1)) "$(zcol 0 io_stat 1)"
	out=$(dio_read 7 1 2>&1 >/dev/null)
	check "reading written-back page 7 fails" test $? -ne 0
	stock_differs "the kernel reads asynchronously, uncounted"
	check_eq "failed_reads +2" $((f0 + 2)) "$(zcol 0 io_stat 1)"
	check "pages in RAM read fine" same_data 20 4 "$SCRATCH/ram10"
	expect "echo all > idle" OK "$z/idle" all
	wb "idle writeback to the error target -> EIO" EIO idle
	check_eq "bd_count 10, bd_writes 10" "10 10" "$(bd 1) $(bd 3)"
	check_eq "the 4 pages stay in RAM" "$(seq_list 0 9)" "$(wlist)"
	check "... and read back identical" same_data 20 4 "$SCRATCH/ram10"
	stock_differs "6.1 has no page_indexes"
	wb "page_indexes=20-23 to the error target -> EIO" EIO page_indexes=20-23
	check "... still identical" same_data 20 4 "$SCRATCH/ram10"
	check "back to dm-linear" bash -c \
		"dmsetup --noudevsync suspend zwb &&
		 dmsetup --noudevsync load zwb --table '0 $S linear $LOOP 0' &&
		 dmsetup --noudevsync resume zwb"
	check "written-back pages readable again" same_data 0 10 "$SCRATCH/text10"
	zram_reset 0
	check_eq "reset: bd_stat 0 0 0" "0 0 0" "$(bd_all)"
	check "dmsetup remove zwb after reset" dmsetup --noudevsync remove zwb
fi

# ---------------------------------------------------------------- helpers 12-14

# dm_make NAME TABLE: create a dm device (removed at exit); prints its path.
dm_make() {
	local d

	dmsetup --noudevsync create "$1" --table "$2" >/dev/null || return 1
	at_exit dmsetup --noudevsync remove "$1"
	d=/dev/mapper/$1
	[ -b "$d" ] || d=/dev/$(dmsetup info -c --noheadings -o blkdevname "$1")
	echo "$d"
}
# wb_waits WCHAN: is that where a writeback waits for its writes?  The
# kernel's zram (and ours before batches) in submit_bio_wait(), ours in
# the batch code of zram_wb.c (its waits for completions are __sched, so
# wchan names their caller).
wb_waits() { [[ "$1" =~ ^(submit_bio_wait|zram_wb_[a-z_]+(\.[a-z0-9.]+)?)$ ]]; }
# wait_blocked PID: wait (at most 60 s) until task PID sleeps where a
# writeback waits for its writes, i.e. one is in flight.  0 once seen.
wait_blocked() {
	local i

	for i in $(seq 600); do
		wb_waits "$(cat "/proc/$1/wchan" 2>/dev/null)" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
still_blocked() {
	wb_waits "$(cat "/proc/$1/wchan" 2>/dev/null)"
}
# wait_gone PID: wait (at most 20 s) for task PID to end; 0 if it did.
wait_gone() {
	local i

	for i in $(seq 200); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# img_holds IMG PAGEFILE: some 4 KiB block of IMG equals PAGEFILE.
img_holds() {
	python3 -c '
import sys
img = open(sys.argv[1], "rb").read()
pg = open(sys.argv[2], "rb").read()
sys.exit(0 if any(img[i:i + 4096] == pg for i in range(0, len(img), 4096)) else 1)' "$1" "$2"
}

have_dm=1
command -v dmsetup >/dev/null && dmsetup version >/dev/null 2>&1 || have_dm=0

# ---------------------------------------------------------------- 12. stacks

# A backing device that is, or sits on, one of our devices is refused
# (EINVAL): its reads would run our read path from inside our read path.
# Stacks that lead to other devices are fine, at any depth.
zram_reset 0
if [ $have_dm = 0 ]; then
	skip "stacked backing devices" "no device-mapper"
else
	sid=$(cat /sys/class/zram-control/hot_add)
	at_exit "echo $sid >/sys/class/zram-control/hot_remove"
	check "zram$sid disksize 1M" zwrite "$sid" disksize 1M
	at_exit zram_reset "$sid"
	s1=$(dm_make zst1 "0 2048 linear /dev/zram$sid 0")
	check "dm-linear zst1 over zram$sid" test -b "$s1"
	stock_differs "the kernel takes any block device"
	expect "backing_dev = dm over zram$sid -> EINVAL" EINVAL "$z/backing_dev" "$s1"
	check_eq "... zst1 not claimed" OK "$(excl_open "$s1")"
	# zst1 is claimed by zst2 from here on.
	s2=$(dm_make zst2 "0 2048 linear $s1 0")
	check "dm-linear zst2 over zst1" test -b "$s2"
	stock_differs "the kernel takes any block device"
	expect "backing_dev = dm over dm over zram$sid -> EINVAL" EINVAL \
		"$z/backing_dev" "$s2"
	stock_differs "the kernel takes any block device"
	check_eq "... backing_dev still none" none "$(zattr 0 backing_dev)"
	check_eq "... zst2 not claimed" OK "$(excl_open "$s2")"
	zram_reset 0
	check "dmsetup remove zst2" dmsetup --noudevsync remove zst2
	check "dmsetup remove zst1" dmsetup --noudevsync remove zst1

	# Allowed: dm over dm over a loop device.
	s3=$(dm_make zst3 "0 2048 linear $LOOP 0")
	s4=$(dm_make zst4 "0 2048 linear $s3 0")
	expect "backing_dev = dm over dm over loop" OK "$z/backing_dev" "$s4"
	check "disksize $DISK" zwrite 0 disksize $DISK
	gen_text 8 13 "$SCRATCH/text12"
	check "write 8 text pages" dio_write "$SCRATCH/text12" 0
	expect "echo all > idle" OK "$z/idle" all
	wb "idle writeback through two dm levels" OK idle
	check_eq "bd_stat 8 0 8" "8 0 8" "$(bd_all)"
	check "read back identical (O_DIRECT)" same_data 0 8 "$SCRATCH/text12"
	blockdev --flushbufs /dev/zram0
	check "read back identical (buffered, from inside submit_bio)" bash -c \
		"dd if=/dev/zram0 bs=4096 count=8 status=none | cmp - '$SCRATCH/text12'"
	check_eq "bd_reads 16" "8 16 8" "$(bd_all)"
	zram_reset 0
	check "dmsetup remove zst4" dmsetup --noudevsync remove zst4
	check "dmsetup remove zst3" dmsetup --noudevsync remove zst3

	# Allowed, and two of our devices deep: zram0 backed by a loop device
	# over a file on ext4 on zram$sid, which has its own backing device.
	# A read of zram0 then runs zram$sid's reads of written-back pages.
	zram_reset "$sid"
	L2=$(new_loop l2 16M)
	at_exit losetup -d "$L2"
	expect "zram$sid backing_dev = $L2" OK "/sys/block/zram$sid/backing_dev" "$L2"
	check "zram$sid disksize 32M" zwrite "$sid" disksize 32M
	mnt=$SCRATCH/mnt12
	mkdir -p "$mnt"
	if check "mkfs.ext4 + mount zram$sid" bash -c \
		"mkfs.ext4 -q -F /dev/zram$sid && mount /dev/zram$sid '$mnt'"; then
		at_exit umount "$mnt"
		truncate -s 8M "$mnt/bd.img"
		L3=$(losetup -f --show "$mnt/bd.img")
		at_exit losetup -d "$L3"
		expect "zram0 backing_dev = loop over a file on zram$sid" OK \
			"$z/backing_dev" "$L3"
		check "disksize $DISK" zwrite 0 disksize $DISK
		check "write 8 text pages" dio_write "$SCRATCH/text12" 0
		expect "echo all > idle" OK "$z/idle" all
		wb "zram0 idle writeback (to ext4 on zram$sid)" OK idle
		check_eq "zram0 bd_stat 8 0 8" "8 0 8" "$(bd_all)"
		check "sync + drop caches" bash -c \
			"sync && echo 3 >/proc/sys/vm/drop_caches"
		expect "zram$sid: echo all > idle" OK "/sys/block/zram$sid/idle" all
		expect "zram$sid idle writeback" OK "/sys/block/zram$sid/writeback" idle
		check "zram$sid wrote pages back" test "$(zcol "$sid" bd_stat 3)" -gt 0
		blockdev --flushbufs /dev/zram0
		check "zram0 reads back identical (buffered: both queues)" bash -c \
			"dd if=/dev/zram0 bs=4096 count=8 status=none | cmp - '$SCRATCH/text12'"
		check "zram0 reads back identical (O_DIRECT)" same_data 0 8 "$SCRATCH/text12"
		check "zram$sid read written-back pages" test "$(zcol "$sid" bd_stat 2)" -gt 0
		zram_reset 0
		check "losetup -d (file on zram$sid)" losetup -d "$L3"
		check "umount zram$sid" umount "$mnt"
	fi
	zram_reset "$sid"
	check "losetup -d $L2" losetup -d "$L2"
	expect "hot_remove zram$sid" OK /sys/class/zram-control/hot_remove "$sid"
fi

# ---------------------------------------------------------------- 13. zoned

zram_reset 0
if ! modprobe null_blk nr_devices=1 zoned=1 2>/dev/null || [ ! -b /dev/nullb0 ]; then
	skip "zoned backing device refused" "no null_blk with zoned=1"
else
	at_exit rmmod null_blk
	check_eq "nullb0 is zoned" host-managed "$(cat /sys/block/nullb0/queue/zoned)"
	stock_differs "the kernel takes a zoned device"
	expect "backing_dev = zoned nullb0 -> EINVAL" EINVAL "$z/backing_dev" /dev/nullb0
	stock_differs "the kernel takes a zoned device"
	check_eq "... still none" none "$(zattr 0 backing_dev)"
	check_eq "... nullb0 not claimed" OK "$(excl_open /dev/nullb0)"
	zram_reset 0
	check "rmmod null_blk" rmmod null_blk
fi

# ---------------------------------------------------------------- 14. overlaps

# A write, a discard and a read each land while a writeback of that page
# is certainly in flight: the backing device is a dm device that is
# suspended, so the writeback's write waits in submit_bio_wait() (seen in
# /proc/PID/wchan) until it is resumed.  Each overlap is counted only if
# the writeback was still waiting after the competing access finished.
# Also: mem_limit (and mm_stat) do not wait for a writeback holding
# init_lock.
zram_reset 0
if [ $have_dm = 0 ]; then
	skip "overlapping writebacks" "no device-mapper"
else
	OVI=$SCRATCH/ov.img
	truncate -s 16K "$OVI"
	OVL=$(losetup -f --show "$OVI")
	at_exit losetup -d "$OVL"
	ov=$(dm_make zov "0 32 linear $OVL 0")
	expect "backing_dev = $ov (4 blocks)" OK "$z/backing_dev" "$ov"
	check "disksize 1M" zwrite 0 disksize 1M
	gen_text 3 14 "$SCRATCH/ov_a"
	gen_text 1 15 "$SCRATCH/ov_b"
	for i in 0 1 2; do
		dd if="$SCRATCH/ov_a" of="$SCRATCH/ov_a$i" bs=4096 skip=$i count=1 status=none
	done
	check "write 3 text pages" dio_write "$SCRATCH/ov_a" 0
	expect "echo all > idle" OK "$z/idle" all
	overlaps=0

	# start_wb VALUE: suspend zov, then "echo VALUE > writeback" in a
	# background subshell ($wpid, which does the write(2) itself: echo
	# is a builtin); end_wb resumes zov and prints that write's errno.
	start_wb() {
		dmsetup --noudevsync suspend zov
		(
			exec 2>"$SCRATCH/wb.err"
			echo "$1" >"$z/writeback"
		) &
		wpid=$!
	}
	end_wb() {
		dmsetup --noudevsync resume zov
		wait "$wpid"
		errno_name "$(cat "$SCRATCH/wb.err")"
	}
	# in_flight: prints $wpid once its write waits in submit_bio_wait().
	in_flight() { wait_blocked "$wpid" && echo "$wpid"; }

	# a. overwrite, and mem_limit meanwhile
	start_wb page_index=0
	t=$(in_flight)
	check "a: writeback of page 0 in flight" test -n "$t"
	check "a: overwrite page 0 during it" dio_write "$SCRATCH/ov_b" 0
	( echo 8M >"$z/mem_limit" ) &
	mpid=$!
	# Read mm_stat only if mem_limit returned: a reader would queue
	# behind a waiting writer of init_lock until the writeback ends.
	if check "a: mem_limit write returns during the writeback" wait_gone "$mpid"; then
		check_eq "a: mm_stat reads it during the writeback" $((8 << 20)) "$(mm 4)"
	fi
	if [ -n "$t" ] && still_blocked "$t"; then
		overlaps=$((overlaps + 1))
	fi
	check_eq "a: writeback page_index=0 OK" OK "$(end_wb)"
	wait "$mpid"
	check "a: page 0 reads the new data" same_data 0 1 "$SCRATCH/ov_b"
	check_eq "a: page 0 stayed in memory" "...." "$(bs_flags 0)"
	check "a: the old page did reach the backing device" img_holds "$OVI" "$SCRATCH/ov_a0"
	check_eq "a: bd_stat 0 0 0" "0 0 0" "$(bd_all)"

	# b. discard
	start_wb page_index=1
	t=$(in_flight)
	check "b: writeback of page 1 in flight" test -n "$t"
	check "b: discard page 1 during it" discard_pages 1 1
	if [ -n "$t" ] && still_blocked "$t"; then
		overlaps=$((overlaps + 1))
	fi
	check_eq "b: writeback page_index=1 OK" OK "$(end_wb)"
	check "b: page 1 reads zeros" same_data 1 1 <(zeros 1)
	check_eq "b: page 1 gone from block_state" "" "$(bs_flags 1)"
	check "b: the page did reach the backing device" img_holds "$OVI" "$SCRATCH/ov_a1"
	check_eq "b: bd_stat 0 0 0" "0 0 0" "$(bd_all)"

	# c. read during an idle writeback (page 2 is the only idle page)
	start_wb idle
	t=$(in_flight)
	check "c: idle writeback of page 2 in flight" test -n "$t"
	check "c: read page 2 during it" same_data 2 1 "$SCRATCH/ov_a2"
	if [ -n "$t" ] && still_blocked "$t"; then
		overlaps=$((overlaps + 1))
	fi
	check_eq "c: writeback idle OK" OK "$(end_wb)"
	check_eq "c: page 2 stayed in memory, not idle" "...." "$(bs_flags 2)"
	check "c: the page did reach the backing device" img_holds "$OVI" "$SCRATCH/ov_a2"
	check_eq "c: bd_stat 0 0 0" "0 0 0" "$(bd_all)"
	check "c: pages 0 and 2 read back" eval \
		"same_data 0 1 '$SCRATCH/ov_b' && same_data 2 1 '$SCRATCH/ov_a2'"

	check_eq "3 accesses overlapped an in-flight writeback" 3 "$overlaps"

	# No block stayed reserved: all 4 take pages.
	gen_text 2 16 "$SCRATCH/ov_c"
	check "write 2 more pages at 3" dio_write "$SCRATCH/ov_c" 3
	expect "echo all > idle" OK "$z/idle" all
	wb "idle writeback of 4 pages to 4 blocks" OK idle
	check_eq "bd_stat 4 0 4" "4 0 4" "$(bd_all)"
	check_eq "pages 0 2 3 4 written back" "0 2 3 4" "$(wlist)"
	check "... and read back" eval \
		"same_data 0 1 '$SCRATCH/ov_b' && same_data 3 2 '$SCRATCH/ov_c'"
	zram_reset 0
	check "dmsetup remove zov" dmsetup --noudevsync remove zov
fi

# ---------------------------------------------------------------- 9. batches
# writeback_batch_size B: batches of B pages, one bio per run of
# adjacent blocks, up to six batches in flight (one at a time for B =
# 1).  On a fresh loop device blocks are taken in order from 0, so N
# pages leave in exactly ceil(N / B) write requests (the loop device's
# /sys/block/loopX/stat, field 5).

zram_reset 0
stock_differs "writeback_batch_size is new in 6.19"
check_eq "writeback_batch_size defaults to 32" 32 \
	"$(zattr 0 writeback_batch_size 2>/dev/null)"
if [ -e "$z/writeback_batch_size" ]; then
	for v in 0 -1 x 4294967296 "" "1 2"; do
		expect "writeback_batch_size '$v' -> EINVAL" EINVAL \
			"$z/writeback_batch_size" "$v"
	done
	check_eq "refused writes keep 32" 32 "$(zattr 0 writeback_batch_size)"
	NBT=90 NBR=30
	# Uncompressed, a worker decompresses and sends each batch:
	# <debugfs>/zram/zram0/parallel "wb_batches" counts them.
	par_file=$dbg/zram/zram0/parallel
	wbp() { awk '$1 == "wb_batches" { print $2 }' "$par_file"; }
	gen_text $NBT 9 "$SCRATCH/bt"
	head -c $((NBR * PAGE)) /dev/urandom >"$SCRATCH/br"
	for B in 1 4 32; do
		BL=$(new_loop "batch$B" 4M)
		check "[B=$B] loop device $BL" test -b "$BL"
		at_exit losetup -d "$BL"
		lw() { awk '{print $5}' "/sys/block/${BL#/dev/}/stat"; }
		zram_reset 0
		expect "[B=$B] backing_dev" OK "$z/backing_dev" "$BL"
		expect "[B=$B] writeback_batch_size $B" OK "$z/writeback_batch_size" $B
		check "[B=$B] disksize" zwrite 0 disksize $DISK
		check "[B=$B] write $NBT text and $NBR random pages" bash -c \
			"dd if='$SCRATCH/bt' of=/dev/zram0 bs=4096 oflag=direct status=none &&
			 dd if='$SCRATCH/br' of=/dev/zram0 bs=4096 seek=$NBT oflag=direct status=none"
		w0=$(lw)
		wb "[B=$B] writeback huge" OK huge
		check_eq "[B=$B] bd_stat $NBR 0 $NBR" "$NBR 0 $NBR" "$(bd_all)"
		check_eq "[B=$B] in $(((NBR + B - 1) / B)) write requests" \
			$(((NBR + B - 1) / B)) $(($(lw) - w0))
		expect "[B=$B] echo all > idle" OK "$z/idle" all
		w0=$(lw)
		[ -r "$par_file" ] && p0=$(wbp)
		wb "[B=$B] writeback idle" OK idle
		check_eq "[B=$B] bd_stat $((NBT + NBR)) 0 $((NBT + NBR))" \
			"$((NBT + NBR)) 0 $((NBT + NBR))" "$(bd_all)"
		check_eq "[B=$B] in $(((NBT + B - 1) / B)) write requests" \
			$(((NBT + B - 1) / B)) $(($(lw) - w0))
		if [ -r "$par_file" ]; then
			q=$(((NBT + B - 1) / B))
			check_eq "[B=$B] $q batches decompressed by workers" \
				"$q" $(($(wbp) - p0))
			# Six batches in a pipeline, B blocks each; B = 1:
			# one page at a time.
			q=$((6 * B < NBT ? 6 * B : NBT))
			[ "$B" = 1 ] && q=1
			check_eq "[B=$B] wb_fly_max $q (the most blocks in flight)" "$q" \
				"$(awk '$1 == "wb_fly_max" { print $2 }' "$par_file")"
		fi
		check_eq "[B=$B] every page written back" "$(seq_list 0 $((NBT + NBR - 1)))" \
			"$(wlist)"
		check "[B=$B] text pages read back" same_data 0 $NBT "$SCRATCH/bt"
		check "[B=$B] random pages read back" same_data $NBT $NBR "$SCRATCH/br"
		zram_reset 0
	done

	# A backing device whose blocks 8-15 fail: with B=4, the two
	# batches that land there fail whole and their 8 pages stay in
	# memory; the walk goes on past them and ends with EIO.
	BL=$(new_loop batchdm 4M)
	at_exit losetup -d "$BL"
	if command -v dmsetup >/dev/null &&
		dmsetup --noudevsync create zwbb --table "0 64 linear $BL 0
64 64 error
128 $((8192 - 128)) linear $BL 128" 2>/dev/null; then
		at_exit dmsetup --noudevsync remove zwbb
		at_exit zram_reset 0
		dmb=/dev/mapper/zwbb
		[ -b "$dmb" ] || dmb=/dev/$(dmsetup info -c --noheadings -o blkdevname zwbb)
		expect "[dm] backing_dev = $dmb" OK "$z/backing_dev" "$dmb"
		expect "[dm] writeback_batch_size 4" OK "$z/writeback_batch_size" 4
		check "[dm] disksize" zwrite 0 disksize $DISK
		check "[dm] write $NBT text pages" dio_write "$SCRATCH/bt" 0
		expect "[dm] echo all > idle" OK "$z/idle" all
		wb "[dm] writeback idle over failing blocks 8-15 -> EIO" EIO idle
		check_eq "[dm] bd_stat $((NBT - 8)) 0 $((NBT - 8)): only the failed batches stayed" \
			"$((NBT - 8)) 0 $((NBT - 8))" "$(bd_all)"
		check_eq "[dm] pages 8-15 in memory, the others written back" \
			"$(minus "$(seq_list 0 $((NBT - 1)))" "$(seq_list 8 15)")" "$(wlist)"
		check "[dm] all $NBT pages read back" same_data 0 $NBT "$SCRATCH/bt"
		# The read took the idle mark off the 8 in memory.
		expect "[dm] echo all > idle" OK "$z/idle" all
		wb "[dm] writeback idle again: the 8 go to good blocks" OK idle
		check_eq "[dm] bd_stat $NBT $((NBT - 8)) $NBT (82 read back before)" \
			"$NBT $((NBT - 8)) $NBT" "$(bd_all)"
		check "[dm] all $NBT pages read back" same_data 0 $NBT "$SCRATCH/bt"
		zram_reset 0
	else
		skip "writeback batches over failing blocks" "no dm-error device"
	fi
fi

check_eq "$LOOP free at the end" OK "$(excl_open "$LOOP")"

done_testing
