#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Automatic tiering (issue #14): tiering and tiering_stat.
# Semantics (ours only; the kernel's zram has neither attribute):
#  - tiering takes the tokens interval=SEC, idle_age=SEC,
#    recompress=none|idle|huge|huge_idle,
#    writeback=none|idle|huge|huge_idle|incompressible, high=PCT, low=PCT,
#    max_pages=N and the bare token run; a write is all or nothing:
#    -EINVAL for a bad token, low >= high, a recompression mode without
#    recomp_algorithm, run before disksize; -ENODEV for a writeback mode
#    without backing_dev.  Reading it prints every key on one line, in
#    the order above, and writing that line back restores it.  The
#    policy may be set before disksize; reset clears it and the counters;
#  - tiering_stat: passes, pages marked idle, pages recompressed (tried),
#    of those stored smaller, pages written back, passes skipped (pool
#    not above high);
#  - a pass marks idle the pages older than idle_age (0: marks nothing,
#    the marks of "idle" writes stand), recompresses what "recompress"
#    selects, and with the pool (mem_used_total) above high% of mem_limit
#    writes back what "writeback" selects until the pool is at or below
#    low%: with pages stored raw (one pool page each) exactly down to
#    low; max_pages and writeback_limit cap it;
#  - interval=1 runs passes by itself; reset, hot_remove and rmmod stop
#    a pass.
# Counts are exact; one sleep (idle by age needs time to pass), and
# polls with a deadline for the background passes.
. "$(dirname "$0")/lib.sh"

if [ "$ZRAM_TEST_STOCK" = 1 ]; then
	skip "tiering" "ours only (tiering, tiering_stat)"
	done_testing
fi

z=$(zdev 0)
mount_debugfs
bs=$DEBUGFS/zram/zram0/block_state
DEF="interval=0 idle_age=0 recompress=none writeback=none high=80 low=60 max_pages=0"
modprobe loop 2>/dev/null || true

# ---------------------------------------------------------------- helpers

tw() { expect_errno "$1" "$2" "$z/tiering" "$3"; }
pol() { cat "$z/tiering"; }
tstat() { xargs <"$z/tiering_stat"; }
tcol() { zcol 0 tiering_stat "$1"; }
mm() { zcol 0 mm_stat "$1"; }
pool_pages() { echo $(($(mm 3) / PAGE)); }
# debug_stat columns 3 and 4: pages recompression tried and stored smaller.
dstat() { awk -v c="$1" 'NR == 2 {print $c}' "$z/debug_stat"; }

# gen_words COUNT SEED OUT: COUNT pages of words drawn (fixed seed) from
# 64: lz4 keeps about half a page of each, zstd far less.
gen_words() {
	python3 - "$@" <<'PY'
import random, sys
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
words = ["%s%d" % (w, i) for i, w in enumerate(
    ["tier", "zram", "page", "cold", "warm", "disk", "pool", "zstd"] * 8)]
with open(out, "wb") as f:
    for p in range(n):
        r = random.Random(seed * 1000003 + p)
        text = ""
        while len(text) < 4096:
            text += r.choice(words) + " "
        f.write(text[:4096].encode())
PY
}

# wpages DEV KIND FIRST COUNT: write COUNT pages of KIND (words, random)
# at page FIRST of DEV (O_DIRECT); a copy stays in $SCRATCH for same().
wpages() {
	local f=$SCRATCH/${1##*/}-$2-$3

	case "$2" in
	words) gen_words "$4" "$3" "$f" ;;
	random) gen_pages random "$4" "$f" ;;
	esac
	dd if="$f" of="$1" bs=4096 seek="$3" oflag=direct status=none
}
# same DEV KIND FIRST COUNT: those pages read back as written.
same() {
	dd if="$1" bs=4096 skip="$3" count="$4" iflag=direct status=none |
		cmp - "$SCRATCH/${1##*/}-$2-$3"
}
rd() { dd if=/dev/zram0 bs=4096 skip="$1" count="$2" iflag=direct status=none >/dev/null; }

# New loop device over a file of SIZE in $SCRATCH; prints its path.
new_loop() {
	truncate -s "$2" "$SCRATCH/$1.img" && losetup -f --show "$SCRATCH/$1.img"
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
tcol_ge() { [ "$(tcol "$1")" -ge "$2" ]; }

LOOP=$(new_loop back 64M)
check "loop device over a 64 MiB tmpfs file" test -b "$LOOP"
at_exit losetup -d "$LOOP"
at_exit zram_reset 0

# ---------------------------------------------------------------- 0. files

zram_reset 0
check_eq "tiering is 0644" 644 "$(stat -c %a "$z/tiering")"
check_eq "tiering_stat is 0444" 444 "$(stat -c %a "$z/tiering_stat")"
check_eq "tiering reads the defaults" "$DEF" "$(pol)"
check_eq "tiering_stat starts at 0" "0 0 0 0 0 0" "$(tstat)"

# ---------------------------------------------------------------- 1. keys

# Uninitialized, no recomp_algorithm, no backing_dev.
tw "interval=5" OK "interval=5"
tw "idle_age=120" OK "idle_age=120"
tw "high=90 low=70 (one write)" OK "high=90 low=70"
tw "max_pages=1000" OK "max_pages=1000"
tw "recompress=none writeback=none" OK "recompress=none writeback=none"
tw "interval=604800 (a week, the most)" OK "interval=604800"
tw "interval=0" OK "interval=0"
P1="interval=0 idle_age=120 recompress=none writeback=none high=90 low=70 max_pages=1000"
check_eq "every key reads back, in order" "$P1" "$(pol)"

for bad in "" "bogus=1" "interval" "interval=" "=5" "INTERVAL=5" \
	"interval=-1" "interval=abc" "interval=4294967296" "interval=0x10" \
	"interval=604801" \
	"idle_age=1.5" "high=101" "low=90" "high=70" "high=50 low=60" \
	"max_pages=-3" "max_pages=1k" "recompress=incompressible" \
	"recompress=bogus" "writeback=bogus" "writeback=page_index=3" \
	"run" "run=1" "interval=7 bogus=1" "interval=7 low=99" \
	"recompress=idle" "recompress=huge_idle interval=7"; do
	tw "'$bad' -> EINVAL" EINVAL "$bad"
done
tw "writeback=idle without backing_dev -> ENODEV" ENODEV "writeback=idle"
tw "interval=7 writeback=huge without backing_dev -> ENODEV" ENODEV \
	"interval=7 writeback=huge"
check_eq "NUL inside a write -> EINVAL" EINVAL \
	"$(write_raw_errno "$z/tiering" 'interval=7\0x')"
check_eq "refused writes changed nothing" "$P1" "$(pol)"
check_eq "... and ran no pass" "0 0 0 0 0 0" "$(tstat)"

# (GNU cat refuses a file as its own output: a pipe in between)
check "cat tiering > tiering" bash -c "cat $z/tiering | cat > $z/tiering"
check_eq "... leaves it as it was" "$P1" "$(pol)"
tw "back to the defaults" OK "idle_age=0 high=80 low=60 max_pages=0"
check_eq "defaults again" "$DEF" "$(pol)"
tw "the saved line written back" OK "$P1"
check_eq "... restores it" "$P1" "$(pol)"
zram_reset 0
check_eq "reset clears the policy" "$DEF" "$(pol)"

# ---------------------------------------------------------------- 2. recompression

# lz4, zstd to recompress, a backing device; policy set before disksize.
check "comp_algorithm lz4" zwrite 0 comp_algorithm lz4
check "recomp_algorithm algo=zstd" zwrite 0 recomp_algorithm "algo=zstd"
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
for m in idle huge huge_idle; do
	tw "recompress=$m with recomp_algorithm" OK "recompress=$m"
done
for m in idle huge huge_idle incompressible; do
	tw "writeback=$m with backing_dev" OK "writeback=$m"
done
tw "recompress=idle writeback=none, before disksize" OK \
	"recompress=idle writeback=none"
check "disksize 64M" zwrite 0 disksize 64M
check_eq "disksize keeps the policy" \
	"interval=0 idle_age=0 recompress=idle writeback=none high=80 low=60 max_pages=0" \
	"$(pol)"

# Pages 0-63 words, 64-95 random (stored raw); all marked idle, then
# 0-15 read (not idle any more).  idle_age=0: the pass marks nothing and
# recompresses the 80 idle pages; zstd stores every words page smaller
# and no random one (they are flagged incompressible).
wpages /dev/zram0 words 0 64
wpages /dev/zram0 random 64 32
check "echo all > idle" zwrite 0 idle all
rd 0 16
t0=$(dstat 3) k0=$(dstat 4)
tw "run: recompress the idle pages" OK "run"
check_eq "tiering_stat: 1 pass, 0 marked, 80 tried, 48 smaller" \
	"1 0 80 48 0 0" "$(tstat)"
check_eq "debug_stat agrees (tried)" 80 $(($(dstat 3) - t0))
check_eq "debug_stat agrees (smaller)" 48 $(($(dstat 4) - k0))
check_eq "recompressed: pages 16-63" "$(seq_list 16 63)" "$(bs_indices '^....r')"
check_eq "incompressible: pages 64-95" "$(seq_list 64 95)" "$(bs_indices '^.....n')"
check "pages 0-63 read back" same /dev/zram0 words 0 64
check "pages 64-95 read back" same /dev/zram0 random 64 32

# The incompressible pages go to the disk: with mem_limit at the pool's
# size, high=1 low=0 writes back every one of them.
check "mem_limit = mem_used_total" zwrite 0 mem_limit "$(mm 3)"
tw "writeback=incompressible high=1 low=0 recompress=none run" OK \
	"writeback=incompressible high=1 low=0 recompress=none run"
check_eq "tiering_stat: 2 passes, 32 written" "2 0 80 48 32 0" "$(tstat)"
check_eq "written back: pages 64-95" "$(seq_list 64 95)" "$(bs_indices '^.w')"
check_eq "bd_stat bd_pages 32" 32 "$(zcol 0 bd_stat 4)"
check "pages 64-95 read back from the disk" same /dev/zram0 random 64 32
check "pages 0-63 still read back" same /dev/zram0 words 0 64
zram_reset 0
check_eq "reset: counters 0" "0 0 0 0 0 0" "$(tstat)"
check_eq "reset: policy off" "$DEF" "$(pol)"

# ---------------------------------------------------------------- 3. watermarks

# 64 random pages stored raw: one pool page each, so writing one back
# frees exactly one pool page.  mem_limit 100 pages: high=50 low=40
# writes back 24 pages, in index order.
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "disksize 64M" zwrite 0 disksize 64M
wpages /dev/zram0 random 0 64
check_eq "the pool holds 64 pages" 64 "$(pool_pages)"
check "mem_limit 100 pages" zwrite 0 mem_limit $((100 * PAGE))
tw "writeback=huge high=50 low=40 run" OK "writeback=huge high=50 low=40 run"
check_eq "tiering_stat: 1 pass, 24 written" "1 0 0 0 24 0" "$(tstat)"
check_eq "the pool ends at low: 40 pages" 40 "$(pool_pages)"
check_eq "written back: pages 0-23" "$(seq_list 0 23)" "$(bs_indices '^.w')"
tw "run again: not above high" OK "run"
check_eq "tiering_stat: 2 passes, 1 skipped" "2 0 0 0 24 1" "$(tstat)"

# max_pages caps a pass; 0 takes the cap off again.
wpages /dev/zram0 random 64 20
check_eq "the pool holds 60 pages" 60 "$(pool_pages)"
tw "max_pages=5 run" OK "max_pages=5 run"
check_eq "5 more written" "3 0 0 0 29 1" "$(tstat)"
check_eq "written back: pages 0-28" "$(seq_list 0 28)" "$(bs_indices '^.w')"
tw "max_pages=0 run" OK "max_pages=0 run"
check_eq "down to low: 15 more" "4 0 0 0 44 1" "$(tstat)"
check_eq "the pool is at 40 pages" 40 "$(pool_pages)"

# Idle marks as "idle" left them (idle_age=0): pages 44-83 in memory,
# all marked, 44-53 read since: 54-83 go.
check "echo all > idle" zwrite 0 idle all
rd 44 10
tw "writeback=idle high=1 low=0 run" OK "writeback=idle high=1 low=0 run"
check_eq "30 idle pages written" "5 0 0 0 74 1" "$(tstat)"
check_eq "written back: 0-43 and 54-83" "$(seq_list 0 43) $(seq_list 54 83)" \
	"$(bs_indices '^.w')"

# writeback_limit: a budget of 5 pages, then the pass stops (no error).
check "writeback_limit 5" zwrite 0 writeback_limit 5
check "writeback_limit_enable 1" zwrite 0 writeback_limit_enable 1
tw "writeback=huge run (budget 5)" OK "writeback=huge run"
check_eq "5 written, budget used up" "6 0 0 0 79 1" "$(tstat)"
check_eq "writeback_limit reads 0" 0 "$(zattr 0 writeback_limit)"
check "pages 0-63 read back" same /dev/zram0 random 0 64
check "pages 64-83 read back" same /dev/zram0 random 64 20
zram_reset 0

# ---------------------------------------------------------------- 4. idle by age

check "disksize 16M" zwrite 0 disksize 16M
wpages /dev/zram0 random 0 16
tw "idle_age=3600 run: pages too young" OK "idle_age=3600 run"
check_eq "nothing marked" "1 0 0 0 0 0" "$(tstat)"
check_eq "no idle page" "" "$(bs_indices '^...i')"
sleep 7
rd 0 4
tw "idle_age=5 run, 7 s later, pages 0-3 just read" OK "idle_age=5 run"
check_eq "12 marked" "2 12 0 0 0 0" "$(tstat)"
check_eq "idle: pages 4-15" "$(seq_list 4 15)" "$(bs_indices '^...i')"
tw "run again: marks nothing new" OK "run"
check_eq "still 12 marked" "3 12 0 0 0 0" "$(tstat)"
zram_reset 0

# ---------------------------------------------------------------- 5. background passes

# interval=1: the same 24 pages go without a "run".
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "disksize 64M" zwrite 0 disksize 64M
wpages /dev/zram0 random 0 64
check "mem_limit 100 pages" zwrite 0 mem_limit $((100 * PAGE))
tw "writeback=huge high=50 low=40 interval=1" OK \
	"writeback=huge high=50 low=40 interval=1"
check "a background pass writes 24 pages (20 s at most)" \
	wait_for 20 tcol_ge 5 24
check "... then skips (pool at low)" wait_for 20 tcol_ge 6 1
check_eq "exactly 24 written" 24 "$(tcol 5)"
check_eq "the pool is at 40 pages" 40 "$(pool_pages)"
check "pages 0-63 read back" same /dev/zram0 random 0 64
tw "interval=0 stops them" OK "interval=0"
sleep 1	# a pass in progress ends
n=$(tcol 1)
sleep 2
check_eq "no pass since" "$n" "$(tcol 1)"
tw "interval=1 again" OK "interval=1"
check "passes again" wait_for 20 tcol_ge 1 $((n + 1))
check "reset with passes running" zram_reset 0
check_eq "reset: policy off" "$DEF" "$(pol)"
sleep 2
check_eq "reset: counters 0, no pass since" "0 0 0 0 0 0" "$(tstat)"

# ---------------------------------------------------------------- 6. reset, hot_remove, rmmod during a pass

# 8192 raw pages, mem_limit 64M and high=1 low=0: a pass writes all of
# them, in steps of 256.  With writeback_batch_size 1 that takes a second
# or more; a reset or hot_remove once the pass has started must end it
# at its next step, so far fewer pages reach the backing device.
#
# cut_run ID LOOPDEV DESC CMD...: a "run" on zram ID, CMD once its pass
# has started; checks that CMD succeeds and that the pass wrote fewer
# than 4096 of the 8192 pages to LOOPDEV.
wsect() { local s; read -ra s <"/sys/block/${1##*/}/stat"; echo "${s[6]}"; }
cut_run() {
	local zi=/sys/block/zram$1 loop=$2 desc=$3 w0 runpid n p end

	shift 3
	w0=$(wsect "$loop")
	(echo run >"$zi/tiering") 2>"$SCRATCH/run.err" &
	runpid=$!
	# Polled with a builtin, no sleep: CMD comes within a step's time.
	end=$((SECONDS + 20)) p=0
	while [ "$p" = 0 ] && [ "$SECONDS" -lt "$end" ]; do
		read -r p _ <"$zi/tiering_stat"
	done
	check_eq "$desc: the pass started" 1 "$p"
	check "$desc during the pass" "$@"
	wait "$runpid"
	diag "the run returned $? ($(cat "$SCRATCH/run.err"))"
	n=$((($(wsect "$loop") - w0) / 8))
	diag "$desc: $n pages written back before the pass ended"
	check "$desc: the pass ended early (fewer than 4096 of 8192 pages written)" \
		test "$n" -lt 4096
}
check "writeback_batch_size 1" zwrite 0 writeback_batch_size 1
check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "disksize 32M" zwrite 0 disksize 32M
wpages /dev/zram0 random 0 8192
check "mem_limit 64M" zwrite 0 mem_limit 64M
tw "writeback=huge high=1 low=0" OK "writeback=huge high=1 low=0"
cut_run 0 "$LOOP" "reset" zram_reset 0
check "writeback_batch_size 32" zwrite 0 writeback_batch_size 32
check_eq "reset: not initialized" 0 "$(zattr 0 initstate)"
check_eq "reset: policy off" "$DEF" "$(pol)"
check_eq "reset: counters 0" "0 0 0 0 0 0" "$(tstat)"

LOOP2=$(new_loop back2 64M)
check "second loop device" test -b "$LOOP2"
at_exit losetup -d "$LOOP2"
id=$(cat /sys/class/zram-control/hot_add)
check "hot_add zram$id" test -d "/sys/block/zram$id"
zi=/sys/block/zram$id
check "zram$id writeback_batch_size 1" zwrite "$id" writeback_batch_size 1
check "zram$id backing_dev" zwrite "$id" backing_dev "$LOOP2"
check "zram$id disksize 32M" zwrite "$id" disksize 32M
wpages "/dev/zram$id" random 0 8192
check "zram$id mem_limit 64M" zwrite "$id" mem_limit 64M
# hot_remove during a "run" (sysfs removal waits for the writer).
check "zram$id policy: writeback=huge high=1 low=0" \
	zwrite "$id" tiering "writeback=huge high=1 low=0"
hot_rm() { echo "$1" >/sys/class/zram-control/hot_remove; }
cut_run "$id" "$LOOP2" "hot_remove zram$id" hot_rm "$id"
check "zram$id is gone" test ! -e "$zi"
id=$(cat /sys/class/zram-control/hot_add)
check "hot_add zram$id again" test -d "/sys/block/zram$id"
zi=/sys/block/zram$id
check "zram$id backing_dev" zwrite "$id" backing_dev "$LOOP2"
check "zram$id disksize 32M" zwrite "$id" disksize 32M
wpages "/dev/zram$id" random 0 8192
check "zram$id mem_limit 64M" zwrite "$id" mem_limit 64M
check "zram$id policy: interval=1 writeback=huge high=1 low=0" \
	zwrite "$id" tiering "interval=1 writeback=huge high=1 low=0"
zi_passed() { [ "$(awk '{print $1}' "$zi/tiering_stat")" -ge 1 ]; }
check "zram$id: a background pass starts" wait_for 20 zi_passed
diag "zram$id tiering_stat at hot_remove: $(xargs <"$zi/tiering_stat")"
expect_errno "hot_remove zram$id during its pass" OK \
	/sys/class/zram-control/hot_remove "$id"
check "zram$id is gone" test ! -e "$zi"
check "its backing device is released" losetup -d "$LOOP2"

check "backing_dev $LOOP" zwrite 0 backing_dev "$LOOP"
check "disksize 32M" zwrite 0 disksize 32M
wpages /dev/zram0 random 0 8192
check "mem_limit 64M" zwrite 0 mem_limit 64M
tw "interval=1 writeback=huge high=1 low=0" OK \
	"interval=1 writeback=huge high=1 low=0"
check "a background pass starts" wait_for 20 tcol_ge 1 1
check "rmmod during a pass" zram_unload
check "the backing device is released" losetup -d "$LOOP"
# shellcheck disable=SC2086 # the harness's parameters, split
check "insmod again" zram_load ${ZRAM_TEST_PARAMS:-}
check_eq "a new device: policy off" "$DEF" "$(pol)"

# ---------------------------------------------------------------- 7. swap

# A hog in a cgroup swaps to zram0; interval=1 moves its cold pages
# (idle for 2 s) from lz4 to zstd and, with the pool above 30% of
# mem_limit, to the backing device, while it runs and verifies its data.
# mem_limit stays above what the pool would reach without tiering: a
# failed swap write would be a kernel error line.
hog=${ZRAM_TEST_HOG:-}
if [ -z "$hog" ] || [ ! -x "$hog" ]; then
	hog=$SCRATCH/memhog
	gcc -O2 -o "$hog" "$TREE/tests/memhog.c" || hog=''
fi
check "memhog available" test -n "$hog"
LIMIT_MB=48 HOG_MB=144 MEM_LIMIT=96M
# The debug guest swaps about 5x slower: a hog of 32M (it took over 300 s
# with 96M in a loaded CI lane, 184 s with 48M); its 16M swapped out,
# about 8M in the pool at 2:1, stay above high (30% of 20M).
[ "$ZRAM_TEST_DEBUG" = 1 ] && LIMIT_MB=16 HOG_MB=32 MEM_LIMIT=20M
zram_reset 0
truncate -s 256M "$SCRATCH/swapback.img"
SLOOP=$(losetup -f --show "$SCRATCH/swapback.img")
check "loop device over a 256 MiB tmpfs file" test -b "$SLOOP"
at_exit losetup -d "$SLOOP"
at_exit zram_reset 0
check "comp_algorithm lz4" zwrite 0 comp_algorithm lz4
check "recomp_algorithm algo=zstd" zwrite 0 recomp_algorithm "algo=zstd"
check "backing_dev $SLOOP" zwrite 0 backing_dev "$SLOOP"
check "disksize 256M" zwrite 0 disksize 256M
check "mem_limit $MEM_LIMIT" zwrite 0 mem_limit "$MEM_LIMIT"
tw "interval=1 idle_age=1 recompress=idle writeback=idle high=30 low=20" OK \
	"interval=1 idle_age=1 recompress=idle writeback=idle high=30 low=20"
check "mkswap /dev/zram0" mkswap /dev/zram0
check "swapon /dev/zram0" swapon -p 100 /dev/zram0
at_exit swapoff /dev/zram0
mem_cgroup zram-tier "$LIMIT_MB"
cg=$CG
fifo=$SCRATCH/go
mkfifo "$fifo"
exec 4<>"$fifo"
bash -c "echo \$\$ > $cg/cgroup.procs && exec '$hog' $HOG_MB" \
	<"$fifo" >"$SCRATCH/hog.out" 2>&1 &
pid=$!
hog_verified() { grep -q verified "$SCRATCH/hog.out" || ! kill -0 "$pid" 2>/dev/null; }
wait_for 600 hog_verified
check "hog filled and verified ${HOG_MB}M under ${LIMIT_MB}M" \
	grep -q verified "$SCRATCH/hog.out"
check "pages reach the backing device by themselves (60 s at most)" \
	wait_for 60 tcol_ge 5 1
diag "tiering_stat: $(tstat); bd_stat: $(xargs <"$z/bd_stat"); mm_stat: $(xargs <"$z/mm_stat")"
check "passes recompressed pages" tcol_ge 3 1
check_eq "bd_stat bd_pages counts at least those written" ok \
	"$([ "$(zcol 0 bd_stat 4)" -ge 1 ] && echo ok)"
echo go >&4
wait $pid
check_eq "the hog verified its memory again and exited 0" 0 $?
exec 4>&-
diag "$(tr '\n' ';' <"$SCRATCH/hog.out")"
check "mem_used_max stayed below mem_limit" \
	test "$(mm 5)" -le "$(mm 4)"
check_eq "no OOM kill in the cgroup" 0 \
	"$(awk '$1 == "oom_kill" {print $2}' "$cg/memory.events")"
check_eq "no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"
check "swapoff" swapoff /dev/zram0
zram_reset 0

done_testing
