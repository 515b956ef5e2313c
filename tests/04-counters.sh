#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Exact mm_stat/io_stat accounting, discard, and I/O beyond the device end.
# Semantics (as the kernel's zram reports them, verified on stock 6.1/6.12):
#  - same-filled pages (all one machine word) are counted in same_pages AND in
#    orig_data_size, and use no compressed memory;
#  - incompressible pages are stored whole: huge_pages, huge_pages_since, and
#    PAGE_SIZE each in compr_data_size;
#  - overwriting/discarding a page drops its counters; huge_pages_since never
#    goes down; notify_free counts discarded pages;
#  - max_comp_streams reads the online CPU count (streams are per CPU);
#  - compact on a fragmented pool frees pages: pages_compacted grows by what
#    mem_used_total loses;
#  - (ours) a zspage holds only the pages its objects reach into.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
mm() { zcol 0 mm_stat "$1"; }

zram_setup 0 64M
N=10 B=6 W=4 K=7
gen_pages zero $N "$SCRATCH/zero"
gen_pages byte $B "$SCRATCH/byte"
gen_pages word $W "$SCRATCH/word"
gen_pages random $K "$SCRATCH/rand"
check "write $N zero pages" dio_write "$SCRATCH/zero" 0
check "write $B repeated-byte pages" dio_write "$SCRATCH/byte" $N
check "write $W repeated-word pages" dio_write "$SCRATCH/word" $((N + B))
check "write $K random pages" dio_write "$SCRATCH/rand" 100
S=$((N + B + W))
check_eq "same_pages == zero+byte+word pages" $S "$(mm 6)"
check_eq "orig_data_size counts same and random pages" $(((S + K) * PAGE)) "$(mm 1)"
check_eq "huge_pages == random pages" $K "$(mm 8)"
check_eq "huge_pages_since == random pages" $K "$(mm 9)"
check_eq "compr_data_size == one page per huge page" $((K * PAGE)) "$(mm 2)"
check "mem_used_total > 0" test "$(mm 3)" -gt 0
check_eq "pages_compacted starts at 0" 0 "$(mm 7)"
check_eq "io_stat all zero so far" "0 0 0 0" "$(xargs <"$z/io_stat")"
check "random pages read back" same_data 100 $K "$SCRATCH/rand"
check "same-filled pages read back" bash -c \
	"dd if=/dev/zram0 bs=4096 count=$S iflag=direct status=none |
	 cmp - <(cat '$SCRATCH/zero' '$SCRATCH/byte' '$SCRATCH/word')"
check "never-written pages read as zeros" bash -c \
	"dd if=/dev/zram0 bs=4096 skip=200 count=8 iflag=direct status=none |
	 cmp - <(head -c 32768 /dev/zero)"
check_eq "reads do not change orig_data_size" $(((S + K) * PAGE)) "$(mm 1)"

gen_pages zero $K "$SCRATCH/zk"
check "overwrite the random pages with zeros" dio_write "$SCRATCH/zk" 100
check_eq "huge_pages drops to 0" 0 "$(mm 8)"
check_eq "huge_pages_since stays $K" $K "$(mm 9)"
check_eq "same_pages grows by $K" $((S + K)) "$(mm 6)"
check_eq "compr_data_size back to 0" 0 "$(mm 2)"
check_eq "orig_data_size unchanged by overwrite" $(((S + K) * PAGE)) "$(mm 1)"

# discard
check "blkdiscard the $N zero pages" blkdiscard -o 0 -l $((N * PAGE)) /dev/zram0
check_eq "discard drops orig_data_size exactly" $(((S + K - N) * PAGE)) "$(mm 1)"
check_eq "discard drops same_pages exactly" $((S + K - N)) "$(mm 6)"
check_eq "notify_free counts the discarded pages" $N "$(zcol 0 io_stat 4)"
check "write 5 random pages at 300" dio_write <(head -c $((5 * PAGE)) /dev/urandom) 300
check_eq "5 new huge pages" 5 "$(mm 8)"
check "blkdiscard them" blkdiscard -o $((300 * PAGE)) -l $((5 * PAGE)) /dev/zram0
check_eq "huge_pages back to 0 after discard" 0 "$(mm 8)"
check_eq "compr_data_size back to 0 after discard" 0 "$(mm 2)"
check_eq "notify_free grew by 5" $((N + 5)) "$(zcol 0 io_stat 4)"
check "discarded range reads as zeros" bash -c \
	"dd if=/dev/zram0 bs=4096 skip=300 count=5 iflag=direct status=none |
	 cmp - <(head -c $((5 * PAGE)) /dev/zero)"
check "byte pages after the discarded range intact" same_data $N $B "$SCRATCH/byte"

# beyond the end (the block layer refuses these before the driver sees them,
# so invalid_io is not asserted)
pages=$((64 << 20 >> 12))
check "last page is writable" dd if="$SCRATCH/byte" of=/dev/zram0 bs=4096 \
	seek=$((pages - 1)) count=1 oflag=direct status=none
out=$(dd if="$SCRATCH/byte" of=/dev/zram0 bs=4096 seek=$pages count=1 oflag=direct 2>&1)
check "O_DIRECT write past the end fails" test $? -ne 0
check "... with ENOSPC" grep -q "No space left on device" <<<"$out"
check_eq "read past the end returns no data" 0 \
	"$(dd if=/dev/zram0 bs=4096 skip=$pages count=1 iflag=direct status=none | wc -c)"
check_eq "no failed reads/writes recorded" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"

zram_reset 0
check_eq "reset clears everything" "0 0 0 0 0 0 0 0 0" "$(xargs <"$z/mm_stat")"

# ---- max_comp_streams: one stream per online CPU, whatever is written
cpus=$(getconf _NPROCESSORS_ONLN)
check_eq "max_comp_streams == online CPUs ($cpus)" "$cpus" "$(zattr 0 max_comp_streams)"
expect_errno "max_comp_streams accepts a write of $((cpus + 2))" OK \
	"$z/max_comp_streams" $((cpus + 2))
check_eq "max_comp_streams still == online CPUs" "$cpus" "$(zattr 0 max_comp_streams)"

# ---- compact on a fragmented pool
# F pages that each compress to about 1 KiB (1 KiB of random bytes, then
# zeros): one size class, several objects per zspage.  Freeing every
# other page leaves every zspage half full; compaction must move objects
# into fewer zspages and give the emptied ones back: pages_compacted grows,
# and mem_used_total falls by exactly the pages compaction freed.
F=1024
zram_setup 0 64M
# frag: the pages; even: what reads back after the odd ones are discarded.
python3 - "$F" "$SCRATCH/frag" "$SCRATCH/even" <<'PY'
import random, sys
n, out, even = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = random.Random(4)
with open(out, "wb") as f, open(even, "wb") as e:
    for i in range(n):
        page = r.randbytes(1024) + bytes(3072)
        f.write(page)
        e.write(page if i % 2 == 0 else bytes(4096))
PY
check "write $F pages of about 1 KiB compressed" dio_write "$SCRATCH/frag" 0
check_eq "none huge, none same-filled" "0 0" "$(mm 8) $(mm 6)"
# discard_odd: BLKDISCARD every odd page of the first F (one process).
# shellcheck disable=SC2046 # one page number a word
discard_odd() { zblk discard-each /dev/zram0 $(seq 1 2 $((F - 1))); }
used0=$(mm 3)
check "discard every other page" discard_odd
check_eq "orig_data_size: half the pages left" $((F * PAGE / 2)) "$(mm 1)"
used1=$(mm 3) pc1=$(mm 7)
diag "mem_used_total: $used0 after writing, $used1 after discarding half"
expect_errno "compact" OK "$z/compact" 1
used2=$(mm 3) pc2=$(mm 7)
diag "after compact: mem_used_total $used2, pages_compacted $pc1 -> $pc2"
check_ge "compact freed at least 1/4 of the pool's pages" \
	$((used1 / PAGE / 4)) $((pc2 - pc1))
check_eq "mem_used_total fell by exactly pages_compacted's growth" \
	$(((pc2 - pc1) * PAGE)) $((used1 - used2))
check "the kept pages read back intact, the discarded ones as zeros" \
	same_data 0 $F "$SCRATCH/even"
expect_errno "compact again" OK "$z/compact" 1
check_eq "nothing left to compact" "$pc2" "$(mm 7)"
zram_reset 0

# ---- pages on demand: a zspage holds the pages its objects reach into
# Eight pages of the kind above (1 KiB of random bytes, then zeros: one
# size class of several pages per zspage), written one at a time.  After
# the k-th, the class's one zspage holds exactly ceil(k * slot / 4096)
# pages, not its ppz, and mem_used_total is those pages: one page for the
# first object.  Slot size and ppz come from <debugfs>/zsmalloc-oot (ours
# only: the kernel's zsmalloc allocates a zspage's pages all at once).
if [ "$ZRAM_TEST_STOCK" != 1 ]; then
mount_debugfs
zram_setup 0 64M
python3 - "$SCRATCH/kib" <<'PY'
import random, sys
r = random.Random(9)
with open(sys.argv[1], "wb") as f:
    for i in range(8):
        f.write(r.randbytes(1024) + bytes(3072))
PY
# busy_class: "slot ppz pages" of the one class holding objects.
busy_class() {
	awk '$1 ~ /^[0-9]+$/ && $6 > 0 { print $3, $4, $9 }' \
		"$DEBUGFS/zsmalloc-oot/zram0/classes"
}
bad=''
for k in 1 2 3 4 5 6 7 8; do
	dd if="$SCRATCH/kib" of=/dev/zram0 bs=4096 skip=$((k - 1)) \
		seek=$((k - 1)) count=1 oflag=direct status=none || bad+=" write$k"
	read -r slot ppz pages _ <<<"$(busy_class)"
	want=$(((k * slot + PAGE - 1) / PAGE))
	[ "$pages" = "$want" ] && [ "$(mm 3)" = $((want * PAGE)) ] ||
		bad+=" k=$k:slot=$slot,pages=$pages,want=$want,used=$(mm 3)"
	[ "$k" = 1 ] && ppz1=$ppz
done
diag "slot $slot bytes, $ppz1 pages per zspage"
check "the class has zspages of several pages" test "${ppz1:-0}" -gt 1
check_eq "after each write: pages = ceil(k * slot / 4096), mem_used_total too" \
	"" "$bad"
check "the eight pages read back" same_data 0 8 "$SCRATCH/kib"
zram_reset 0
fi

done_testing
