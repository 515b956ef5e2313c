#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Recompression and per-algorithm parameters: recomp_algorithm,
# algorithm_params, recompress, debug_stat columns 3-4 (recomp_tried,
# recomp_kept), and recompression next to writeback.
# Semantics (our contract, close to the kernel's CONFIG_ZRAM_MULTI_COMP):
#  - recomp_algorithm "algo=NAME [priority=N]" (1..3) before disksize;
#    reads one "#N: <list with [NAME]>" line per priority set; reset
#    clears them, the primary comp_algorithm survives;
#  - algorithm_params "[algo=NAME | priority=N] [level=L] [dict=PATH]"
#    replaces one slot's parameters (the primary by default) before
#    disksize; zstd dictionaries on every kernel (6.1 through the
#    driver's prefix mode);
#  - recompress "[type=huge|idle|huge_idle] [threshold=B] [max_pages=N]
#    [algo=NAME | priority=N]" tries in-RAM, non-same pages not flagged
#    incompressible with the algorithms above the one that compressed
#    them; keeps a new form only when it takes a smaller pool slot; flags
#    a page nothing can shrink incompressible;
#  - every rejected write leaves recomp_algorithm, mm_stat and debug_stat
#    as they were.
# Every count asserted is exact; only compression ratios are bounds.
# The data comes from files of the host root (licenses, copyright files,
# /usr/bin/bash) plus fixed-seed random pages, so runs are repeatable.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
if [ "$ZRAM_TEST_STOCK" = 1 ] && [ ! -e "$z/recomp_algorithm" ]; then
	skip "recompression and algorithm_params" \
		"stock zram has no recomp_algorithm (CONFIG_ZRAM_MULTI_COMP off)"
	done_testing
fi

mount_debugfs
dbg=$DEBUGFS
bs=$dbg/zram/zram0/block_state
DISK=64M
at_exit zram_reset 0

# ---------------------------------------------------------------- helpers

mm() { zcol 0 mm_stat "$1"; }
mm_all() { xargs <"$z/mm_stat"; }
# dstat COL: column COL of debug_stat's second line (builtins only).
dstat() {
	local -a t_dcols

	{ read -r _ && read -r -a t_dcols; } <"$z/debug_stat"
	echo "${t_dcols[$1 - 1]:-}"
}
tried() { dstat 3; }
kept() { dstat 4; }
rc_stat() { echo "$(tried) $(kept)"; }
# snap: everything a rejected write must leave alone (recomp_algorithm,
# comp_algorithm, mm_stat, debug_stat after its version line) into $SNAP.
# No forks here nor in wr(): under TCG a process costs ~0.1-0.5 s and
# these run for every rejected write.
snap() {
	local ra='' ca='' mm='' ds=''

	IFS= read -r -d '' ra <"$z/recomp_algorithm"
	IFS= read -r -d '' ca <"$z/comp_algorithm"
	IFS= read -r -d '' mm <"$z/mm_stat"
	IFS= read -r -d '' ds <"$z/debug_stat"
	SNAP="$ra|$ca|$mm|${ds#*$'\n'}"
}
# wr FILE VALUE: one write(2) of "VALUE\n" (like echo); the errno name or
# OK in $ERR.
wr() {
	local msg=''

	{ echo "$2" >"$1"; } 2>"$SCRATCH/wr.err"
	IFS= read -r -d '' msg <"$SCRATCH/wr.err"
	case "$msg" in
	'') ERR=OK ;;
	*"Invalid argument"*) ERR=EINVAL ;;
	*"Device or resource busy"*) ERR=EBUSY ;;
	*"No such file or directory"*) ERR=ENOENT ;;
	*"Operation not supported"*) ERR=EOPNOTSUPP ;;
	*"File too large"*) ERR=EFBIG ;;
	*) ERR="UNKNOWN($msg)" ;;
	esac
}
expect() { wr "$3" "$4"; check_eq "$1" "$2" "$ERR"; }

# reject "desc" ERRNO FILE VALUE: the write fails with ERRNO and snap()
# gives the same before and after.
reject() {
	local before

	snap
	before=$SNAP
	wr "$3" "$4"
	snap
	if [ "$ERR" = "$2" ] && [ "$before" = "$SNAP" ]; then
		ok "$1: $2, state unchanged"
		return 0
	fi
	not_ok "$1: $2, state unchanged"
	diag "errno expected $2, got $ERR"
	[ "$before" = "$SNAP" ] || { diag "before: $before"; diag " after: $SNAP"; }
	return 1
}
ra() { reject "recomp_algorithm '$2'" "$1" "$z/recomp_algorithm" "$2"; }
ap() { reject "algorithm_params '$2'" "$1" "$z/algorithm_params" "$2"; }
rc() { reject "recompress '$2'" "$1" "$z/recompress" "$2"; }
rcd() { reject "recompress '$3' ($1)" "$2" "$z/recompress" "$3"; }
# recompress "desc" VALUE: a recompress write that must succeed.
recompress() { expect "recompress '$2': $1" OK "$z/recompress" "$2"; }

# The comp_algorithm list with NAME (only) in brackets.
alg_list() {
	tr -d '[]' <"$z/comp_algorithm" |
		awk -v n="$1" '{for (i = 1; i <= NF; i++) if ($i == n) $i = "[" n "]"; print}'
}
recomp_line() { echo "#$1: $(alg_list "$2")"; }

pages_of() { echo $(($(stat -c %s "$1") / PAGE)); }
# Pad FILE with zeros to whole pages.
pad() { truncate -s $((($(stat -c %s "$1") + PAGE - 1) / PAGE * PAGE)) "$1"; }
# Pages of FILE that are one repeated 8-byte word (same-filled in zram).
same_pages_of() { zblk same-pages "$1"; }
# gen_rand COUNT SEED OUT: random pages (incompressible; SEED unused).
gen_rand() { head -c $(($1 * 4096)) /dev/urandom >"$3"; }
# gen_hex COUNT SEED OUT: random hex digits: no LZ4 matches (huge pages
# under lz4) but 4 bits of entropy a byte (zstd's entropy coder halves
# them).  SEED unused.
gen_hex() {
	head -c $(($1 * 2048)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$3"
}
# gen_text COUNT SEED OUT: compressible text, every page different.
gen_text() { text_pages recompression "$@"; }
bs_huge() { bs_indices '^..h'; }
# setup PRIMARY [RECOMP_SPEC...]: reset, primary, recompression algorithms
# (each "algo=X priority=N"), disksize.
setup() {
	local prim=$1 s

	shift
	zram_reset 0 && echo "$prim" >"$z/comp_algorithm" || return 1
	for s in "$@"; do
		echo "$s" >"$z/recomp_algorithm" || return 1
	done
	echo "$DISK" >"$z/disksize"
}

# ---------------------------------------------------------------- corpus

diag "corpus at $(cut -d" " -f1 /proc/uptime) s"
# Text files of the host root, in a fixed order: copyright files of 2 to
# 32 KiB, split alternately into part A (dictionary training,
# $SCRATCH/a/) and part B (data, at most ~1 MiB, $SCRATCH/partB).
test_input texts "$SCRATCH"
PART_A=("$SCRATCH"/a/*)
check "host root has copyright files (A ${#PART_A[@]}, B $(stat -c %s "$SCRATCH/partB") bytes)" \
	test "${#PART_A[@]}" -ge 50 -a "$(stat -c %s "$SCRATCH/partB")" -ge 65536
pad "$SCRATCH/partB"
NB=$(pages_of "$SCRATCH/partB")
SB=$(same_pages_of "$SCRATCH/partB")

# The mixed corpus: licenses, 512 KiB of part A, 1 MiB of /usr/bin/bash,
# 32 zero pages, R random pages, H hex pages, in this order.
R=24 H=16
c=$SCRATCH/corpus
for f in /usr/share/common-licenses/*; do
	[ -f "$f" ] && cat "$f"
done >"$c"
pad "$c"
cat "${PART_A[@]}" | head -c $((512 << 10)) >>"$c"
head -c $((1 << 20)) /usr/bin/bash >>"$c"
pad "$c"
head -c $((32 * PAGE)) /dev/zero >>"$c"
RAND0=$(pages_of "$c")
gen_rand $R 11 "$SCRATCH/rand"
cat "$SCRATCH/rand" >>"$c"
HEX0=$(pages_of "$c")
gen_hex $H 12 "$SCRATCH/hex"
cat "$SCRATCH/hex" >>"$c"
NC=$(pages_of "$c")
SC=$(same_pages_of "$c")
diag "corpus: $NC pages, $SC same-filled, random $RAND0.., hex $HEX0..; part B: $NB pages, $SB same-filled"
check "corpus of a few MiB" test "$NC" -ge 400 -a "$NC" -le 1024

# ---------------------------------------------------------------- 1. files, errors
diag "section 1 at $(cut -d" " -f1 /proc/uptime) s"

zram_reset 0
check_eq "recomp_algorithm is 0644" 644 "$(stat -c %a "$z/recomp_algorithm")"
check_eq "algorithm_params is 0200" 200 "$(stat -c %a "$z/algorithm_params")"
check_eq "recompress is 0200" 200 "$(stat -c %a "$z/recompress")"
check_eq "debug_stat line 2 has 4 columns" 4 "$(sed -n 2p "$z/debug_stat" | wc -w)"

expect "comp_algorithm lz4" OK "$z/comp_algorithm" lz4
check_eq "recomp_algorithm reads empty when unset" "" "$(cat "$z/recomp_algorithm")"
rcd "uninitialized, no recompression algorithm" EINVAL ""
expect "recomp_algorithm 'algo=zstd' (priority 1 by default)" OK \
	"$z/recomp_algorithm" "algo=zstd"
check_eq "reads '$(recomp_line 1 zstd)'" "$(recomp_line 1 zstd)" \
	"$(cat "$z/recomp_algorithm")"
rcd "uninitialized device" EINVAL "type=idle"
rcd "uninitialized device" EINVAL ""

for v in "algo=nosuch" "algo=zstd priority=0" "algo=zstd priority=4" \
	"algo=zstd priority=x" "algo=zstd priority=-1" "priority=2" \
	"algo=zstd foo=1" "zstd" "algo=" "algo=zstd priority=" \
	"priority=0 algo=lz4hc" "algo=lz4hc priority=2 bogus" "" \
	"algo=lz4hc algo=nosuch"; do
	ra EINVAL "$v"
done
# Every algo= given must name an algorithm (found by 12-torture's fuzzer).
stock_differs "the kernel takes the last of several algo= and checks only it"
ra EINVAL "algo=nosuch algo=lz4hc"
check_eq "priority 1 still zstd" "$(recomp_line 1 zstd)" "$(cat "$z/recomp_algorithm")"
expect "recomp_algorithm 'priority=3 algo=deflate' (any order)" OK \
	"$z/recomp_algorithm" "priority=3 algo=deflate"
expect "recomp_algorithm 'algo=lz4hc priority=1' replaces zstd" OK \
	"$z/recomp_algorithm" "algo=lz4hc priority=1"
check_eq "reads #1 lz4hc, #3 deflate" \
	"$(recomp_line 1 lz4hc)"$'\n'"$(recomp_line 3 deflate)" \
	"$(cat "$z/recomp_algorithm")"

# algorithm_params: which slot, which keys
expect "algorithm_params 'level=1' (primary lz4)" OK "$z/algorithm_params" "level=1"
expect "algorithm_params 'priority=3 level=9'" OK "$z/algorithm_params" \
	"priority=3 level=9"
expect "algorithm_params 'algo=lz4hc level=4'" OK "$z/algorithm_params" \
	"algo=lz4hc level=4"
expect "algorithm_params 'algo=lz4' (back to defaults)" OK "$z/algorithm_params" "algo=lz4"
for v in "algo=zstd level=1" "algo=nosuch level=1" "priority=2 level=1" \
	"algo=lz4hc priority=1 level=1" "algo=lz4 priority=1" "foo=1" \
	"level=x" "level=" "level" "priority=4 level=1" "priority=0 level=1"; do
	ap EINVAL "$v"
done
echo "not a dictionary, but not empty either" >"$SCRATCH/notdict"
: >"$SCRATCH/empty"
ap EINVAL "algo=lz4 dict=$SCRATCH/notdict"
ap EINVAL "algo=deflate dict=$SCRATCH/notdict"
ap ENOENT "algo=lz4 dict=$SCRATCH/missing"
ap EINVAL "algo=lz4 dict=$SCRATCH"
ap EINVAL "algo=lz4 dict=$SCRATCH/empty"

zram_reset 0
check_eq "reset clears recomp_algorithm" "" "$(cat "$z/recomp_algorithm")"
check_eq "comp_algorithm survives reset" "$(alg_list lz4)" "$(cat "$z/comp_algorithm")"
ap EINVAL "priority=1 level=1"
ap EINVAL "algo=lz4hc level=1"
expect "comp_algorithm zstd" OK "$z/comp_algorithm" zstd
ap EINVAL "algo=zstd level=99"
ap EINVAL "level=23"
expect "algorithm_params 'algo=zstd level=22' (zstd's maximum)" OK \
	"$z/algorithm_params" "algo=zstd level=22"
ap ENOENT "dict=$SCRATCH/missing"
ap EINVAL "dict=$SCRATCH"
ap EINVAL "dict=$SCRATCH/empty"
# Files that are not a dictionary are refused at once, before any open:
# a FIFO would block the writer (60 s limit: a hang fails the case), a
# device's open has side effects.  The file is read through the kernel's
# read-file hooks, capped at 8 MiB.
ap_t() {
	local before msg=''

	snap
	before=$SNAP
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 60 bash -c 'echo "$1" >"$2"' _ "$2" "$z/algorithm_params" \
		2>"$SCRATCH/wr.err"
	case $? in
	124) ERR=HANG ;;
	*)
		IFS= read -r -d '' msg <"$SCRATCH/wr.err"
		case "$msg" in
		'') ERR=OK ;;
		*"Invalid argument"*) ERR=EINVAL ;;
		*"No such file or directory"*) ERR=ENOENT ;;
		*"File too large"*) ERR=EFBIG ;;
		*) ERR="UNKNOWN($msg)" ;;
		esac ;;
	esac
	snap
	check_eq "algorithm_params '$2': $1 within 60 s, state unchanged" \
		"$1 $before" "$ERR $SNAP"
}
mkfifo "$SCRATCH/fifo"
truncate -s $(((8 << 20) + 1)) "$SCRATCH/big"
ap_t EINVAL "dict=$SCRATCH/fifo"
ap_t EINVAL "algo=zstd level=3 dict=$SCRATCH/fifo"
ap_t EINVAL "dict=/dev/null"
ap_t EINVAL "dict=/dev/zero"
ap_t EINVAL "dict=$SCRATCH"
ap_t EINVAL "dict=$SCRATCH/empty"
ap_t EFBIG "dict=$SCRATCH/big"
ap_t ENOENT "dict=$SCRATCH/missing"
ap_t ENOENT "dict=$SCRATCH/missing/x"

# recompress on an initialized device
check "disksize without a recompression algorithm" zwrite 0 disksize $DISK
rcd "no recompression algorithm" EINVAL ""
rcd "no recompression algorithm" EINVAL "type=huge"
check "set up: lz4, #1 zstd, #2 deflate" setup lz4 "algo=zstd" "algo=deflate priority=2"
gen_text 8 1 "$SCRATCH/t8"
check "write 8 text pages" dio_write "$SCRATCH/t8" 0
ra EBUSY "algo=lz4hc priority=3"
ra EBUSY "algo=lz4hc priority=1"
ap EBUSY "level=1"
ap EBUSY "priority=1 level=1"
ap EBUSY "algo=zstd level=1"
for v in "foo=1" "type=bogus" "type=" "type=all" "huge" "threshold=0" \
	"threshold=4097" "threshold=x" "threshold=-1" "threshold=12k" \
	"max_pages=0" "max_pages=x" "max_pages=-1" "algo=lz4" "algo=nosuch" \
	"algo=lz4hc" "priority=3" "priority=0" "priority=4" "priority=x" \
	"algo=zstd priority=1" "type=idle priority=2 algo=deflate" \
	"type=huge threshold=0 max_pages=1"; do
	rc EINVAL "$v"
done
check_eq "nothing tried by the rejected writes" "0 0" "$(rc_stat)"
recompress "threshold=4096, nothing huge" "threshold=4096"
check_eq "... tries nothing" "0 0" "$(rc_stat)"
recompress "type=idle, nothing idle" "type=idle"
check_eq "... tries nothing" "0 0" "$(rc_stat)"
check "8 text pages intact" same_data 0 8 "$SCRATCH/t8"

# ---------------------------------------------------------------- 2. mixed corpus
diag "section 2 at $(cut -d" " -f1 /proc/uptime) s"

check "set up: lz4, #1 zstd" setup lz4 "algo=zstd"
check_eq "disksize resets recomp_tried/kept" "0 0" "$(rc_stat)"
check "write the corpus ($NC pages)" dio_write "$c" 0
NS=$((NC - SC))
check_eq "orig_data_size == corpus" $((NC * PAGE)) "$(mm 1)"
check_eq "same_pages == $SC" "$SC" "$(mm 6)"
huge0=$(bs_huge)
check_eq "huge_pages == block_state 'h' count" "$(count "$huge0")" "$(mm 8)"
check_eq "random and hex pages are huge under lz4" "" \
	"$(minus "$(seq_list "$RAND0" $((NC - 1)))" "$huge0")"
m1=$(mm 1) m2=$(mm 2) m3=$(mm 3) m6=$(mm 6) m8=$(mm 8)
expect "echo all > idle" OK "$z/idle" all
recompress "the idle pages" "type=idle"
t=$(tried) k=$(kept)
check_eq "recomp_tried == non-same pages ($NS)" "$NS" "$t"
check "recomp_kept ($k) > 0 and <= tried" test "$k" -gt 0 -a "$k" -le "$t"
check_eq "orig_data_size unchanged" "$m1" "$(mm 1)"
check "compr_data_size dropped >= 10% ($m2 -> $(mm 2))" \
	test $(($(mm 2) * 10)) -le $((m2 * 9))
diag "mem_used_total $m3 -> $(mm 3) (not asserted: pool fragmentation)"
check_eq "same_pages unchanged" "$m6" "$(mm 6)"
huge1=$(bs_huge)
check_eq "huge_pages == block_state 'h' count" "$(count "$huge1")" "$(mm 8)"
check_eq "random pages still huge (tried, not kept)" \
	"$(seq_list "$RAND0" $((HEX0 - 1)))" \
	"$(minus "$huge1" "$(seq_list 0 $((RAND0 - 1))) $(seq_list "$HEX0" "$NC")")"
check_eq "no hex page huge any more (zstd kept them)" "" \
	"$(minus "$huge1" "$(seq_list 0 $((HEX0 - 1)))")"
check "huge_pages dropped by >= $H ($m8 -> $(mm 8))" test "$(mm 8)" -le $((m8 - H))
check "the corpus reads back identical" same_data 0 "$NC" "$c"
check "random pages identical" same_data "$RAND0" $R "$SCRATCH/rand"
check "hex pages identical (zstd now)" same_data "$HEX0" $H "$SCRATCH/hex"
check_eq "block_state 'r' (recompressed) on exactly $k pages" "$k" \
	"$(count "$(bs_indices '^....r')")"
check_eq "block_state 'n' (incompressible) on the tried, not kept pages" \
	$((t - k)) "$(count "$(bs_indices '^.....n')")"
check_eq "every random page is flagged incompressible" "" \
	"$(minus "$(seq_list "$RAND0" $((HEX0 - 1)))" "$(bs_indices '^.....n')")"
mm1=$(mm_all)
expect "echo all > idle again" OK "$z/idle" all
recompress "again: all at priority 1 or incompressible" "type=idle"
check_eq "recomp_tried/kept unchanged" "$t $k" "$(rc_stat)"
recompress "all pages, no type" ""
check_eq "recomp_tried/kept unchanged" "$t $k" "$(rc_stat)"
recompress "priority=1" "priority=1"
recompress "algo=zstd" "algo=zstd"
check_eq "recomp_tried/kept unchanged" "$t $k" "$(rc_stat)"
check_eq "mm_stat unchanged by runs with nothing to do" "$mm1" "$(mm_all)"
zram_reset 0
check_eq "reset zeroes recomp_tried/kept" "0 0" "$(rc_stat)"

# ---------------------------------------------------------------- 3. threshold
diag "section 3 at $(cut -d" " -f1 /proc/uptime) s"

K=8 M=24
gen_text $M 3 "$SCRATCH/t3"
check "set up: lz4, #1 zstd" setup lz4 "algo=zstd"
check "write $K random pages at 0" dio_write <(head -c $((K * PAGE)) "$SCRATCH/rand") 0
check "write $M text pages at 100" dio_write "$SCRATCH/t3" 100
check_eq "$K huge pages" $K "$(mm 8)"
recompress "huge objects only" "threshold=4096"
check_eq "tried exactly $K, kept 0" "$K 0" "$(rc_stat)"
check_eq "still $K huge pages" $K "$(mm 8)"
recompress "any object" "threshold=1"
check_eq "tried the other $M" $((K + M)) "$(tried)"
recompress "threshold=1 again" "threshold=1"
recompress "all again" ""
check_eq "nothing left to try" $((K + M)) "$(tried)"
check "random pages intact" same_data 0 $K <(head -c $((K * PAGE)) "$SCRATCH/rand")
check "text pages intact" same_data 100 $M "$SCRATCH/t3"

# ---------------------------------------------------------------- 4. max_pages
diag "section 4 at $(cut -d" " -f1 /proc/uptime) s"

check "set up: lz4, #1 zstd" setup lz4 "algo=zstd"
check "write $M text pages at 10" dio_write "$SCRATCH/t3" 10
n=0
for i in 1 2 3 4; do
	recompress "run $i" "max_pages=5"
	n=$((n + 5))
	check_eq "recomp_tried $n" $n "$(tried)"
done
recompress "$((M - n)) left" "max_pages=10"
check_eq "recomp_tried $M" $M "$(tried)"
recompress "none left" "max_pages=10"
check_eq "recomp_tried still $M" $M "$(tried)"
check "text pages intact" same_data 10 $M "$SCRATCH/t3"

# ---------------------------------------------------------------- 5. huge, huge_idle
diag "section 5 at $(cut -d" " -f1 /proc/uptime) s"

check "set up: lz4, #1 zstd" setup lz4 "algo=zstd"
check "write $K random pages at 0" dio_write <(head -c $((K * PAGE)) "$SCRATCH/rand") 0
check "write $H hex pages at 20" dio_write "$SCRATCH/hex" 20
check "write $M text pages at 40" dio_write "$SCRATCH/t3" 40
check_eq "$((K + H)) huge pages" $((K + H)) "$(mm 8)"
expect "echo all > idle" OK "$z/idle" all
check "read random pages 0-1 and hex pages 20-21 (not idle now)" bash -c \
	"dd if=/dev/zram0 of=/dev/null bs=4096 count=2 iflag=direct status=none &&
	 dd if=/dev/zram0 of=/dev/null bs=4096 skip=20 count=2 iflag=direct status=none"
check_eq "block_state: exactly those 4 pages are not idle" "0 1 20 21" \
	"$(bs_indices '^...[^i]')"
recompress "huge and idle" "type=huge_idle"
check_eq "tried $((K + H - 4)) (idle huge), kept $((H - 2)) (idle hex)" \
	"$((K + H - 4)) $((H - 2))" "$(rc_stat)"
check_eq "huge_pages $((K + 2))" $((K + 2)) "$(mm 8)"
check_eq "huge now: the random pages and hex 20-21" \
	"$(seq_list 0 $((K - 1))) 20 21" "$(bs_huge)"
recompress "huge" "type=huge"
check_eq "tried +4 (the non-idle huge pages), kept +2" \
	"$((K + H)) $H" "$(rc_stat)"
check_eq "huge_pages $K" $K "$(mm 8)"
recompress "huge again" "type=huge"
check_eq "nothing more" "$((K + H)) $H" "$(rc_stat)"
recompress "everything" ""
check_eq "only the $M text pages were left" $((K + H + M)) "$(tried)"
check "random pages intact" same_data 0 $K <(head -c $((K * PAGE)) "$SCRATCH/rand")
check "hex pages intact" same_data 20 $H "$SCRATCH/hex"
check "text pages intact" same_data 40 $M "$SCRATCH/t3"

# ---------------------------------------------------------------- 6. zstd level
diag "section 6 at $(cut -d" " -f1 /proc/uptime) s"

# col2 of part B with primary zstd and the given algorithm_params (none
# when empty); the data must read back.
col2_with() {
	zram_reset 0 && echo zstd >"$z/comp_algorithm" || return 1
	if [ -n "$1" ]; then
		echo "$1" >"$z/algorithm_params" || return 1
	fi
	echo $DISK >"$z/disksize" && dio_write "$SCRATCH/partB" 0 &&
		same_data 0 "$NB" "$SCRATCH/partB" >/dev/null 2>&1 && mm 2
}
dflt=$(col2_with "")
check "part B, zstd default level: compr_data_size $dflt" test -n "$dflt"
check_eq "orig_data_size == part B" $((NB * PAGE)) "$(mm 1)"
l1=$(col2_with "algo=zstd level=1")
check "level=1: compr_data_size $l1, data intact" test -n "$l1"
l19=$(col2_with "algo=zstd level=19")
check "level=19: compr_data_size $l19, data intact" test -n "$l19"
check "level 19 ($l19) < level 1 ($l1)" test -n "$l19" -a -n "$l1" -a "${l19:-0}" -lt "${l1:-0}"
check "level 19 ($l19) < default ($dflt)" test -n "$l19" -a -n "$dflt" -a "${l19:-0}" -lt "${dflt:-0}"
# The parameters: replaced whole, reset by another algorithm and by reset.
zram_reset 0
expect "algorithm_params 'level=19'" OK "$z/algorithm_params" "level=19"
ap EINVAL "level=99"
check "disksize" zwrite 0 disksize $DISK
check "write part B" dio_write "$SCRATCH/partB" 0
check_eq "a rejected write keeps level 19" "$l19" "$(mm 2)"
zram_reset 0
check "disksize after reset" zwrite 0 disksize $DISK
check "write part B" dio_write "$SCRATCH/partB" 0
check_eq "reset clears the level: default size" "$dflt" "$(mm 2)"
zram_reset 0
expect "algorithm_params 'level=19'" OK "$z/algorithm_params" "level=19"
expect "algorithm_params 'algo=zstd' (replaces: no level)" OK \
	"$z/algorithm_params" "algo=zstd"
check "disksize" zwrite 0 disksize $DISK
check "write part B" dio_write "$SCRATCH/partB" 0
check_eq "the whole set was replaced: default size" "$dflt" "$(mm 2)"
zram_reset 0
expect "algorithm_params 'level=19'" OK "$z/algorithm_params" "level=19"
expect "comp_algorithm lz4" OK "$z/comp_algorithm" lz4
expect "comp_algorithm zstd" OK "$z/comp_algorithm" zstd
check "disksize" zwrite 0 disksize $DISK
check "write part B" dio_write "$SCRATCH/partB" 0
check_eq "another algorithm reset the level: default size" "$dflt" "$(mm 2)"
# A recompression slot's level.
zram_reset 0
expect "comp_algorithm zstd" OK "$z/comp_algorithm" zstd
expect "recomp_algorithm 'algo=deflate priority=2'" OK "$z/recomp_algorithm" \
	"algo=deflate priority=2"
ap EINVAL "priority=1 level=9"
expect "algorithm_params 'priority=2 level=9'" OK "$z/algorithm_params" \
	"priority=2 level=9"
expect "algorithm_params 'algo=deflate level=9'" OK "$z/algorithm_params" \
	"algo=deflate level=9"
check "disksize" zwrite 0 disksize $DISK
check "write part B" dio_write "$SCRATCH/partB" 0
recompress "with deflate level 9" "priority=2"
check_eq "tried every non-same page of part B" $((NB - SB)) "$(tried)"
recompress "again" "algo=deflate"
check_eq "none tried again" $((NB - SB)) "$(tried)"
check "part B intact" same_data 0 "$NB" "$SCRATCH/partB"

# ---------------------------------------------------------------- 7. dictionary
diag "section 7 at $(cut -d" " -f1 /proc/uptime) s"

dict=$SCRATCH/dict
check "zstd --train a 16 KiB dictionary on part A" \
	zstd -q --train -o "$dict" --maxdict=16384 "${PART_A[@]}"
zram_reset 0
expect "comp_algorithm zstd" OK "$z/comp_algorithm" zstd
# 6.1 lacks the zstd dictionary API: there the driver's prefix mode runs.
{
	nodict=$dflt
	got=$(col2_with "algo=zstd dict=$dict")
	check "part B with the dictionary: compr_data_size $got, data intact" \
		test -n "$got"
	check "dictionary shrinks part B ($nodict -> $got)" \
		test -n "$got" -a "${got:-0}" -lt "$nodict"
	zram_reset 0
	check "disksize after reset" zwrite 0 disksize $DISK
	check "write part B" dio_write "$SCRATCH/partB" 0
	check_eq "reset dropped the dictionary" "$nodict" "$(mm 2)"
	# The dictionary in a recompression slot.
	zram_reset 0
	expect "comp_algorithm lz4" OK "$z/comp_algorithm" lz4
	ap EINVAL "algo=lz4 dict=$dict"
	expect "recomp_algorithm 'algo=zstd'" OK "$z/recomp_algorithm" algo=zstd
	# Prefix mode (6.1) bounds the per-page work: 64 KiB at most.
	{ cat "$SCRATCH/partB"; yes "dictionary filler"; } 2>/dev/null |
		head -c $((64 * 1024 + 1)) >"$SCRATCH/bigdict"
	case "$(uname -r)" in
	6.1.*) ap EFBIG "priority=1 dict=$SCRATCH/bigdict" ;;
	*) expect "a 64 KiB + 1 dictionary is fine with the zstd API" OK \
		"$z/algorithm_params" "priority=1 dict=$SCRATCH/bigdict" ;;
	esac
	expect "algorithm_params 'priority=1 dict=...'" OK "$z/algorithm_params" \
		"priority=1 dict=$dict"
	check "disksize" zwrite 0 disksize $DISK
	check "write part B" dio_write "$SCRATCH/partB" 0
	b2=$(mm 2)
	recompress "into zstd with the dictionary" ""
	check_eq "tried every non-same page" $((NB - SB)) "$(tried)"
	check "kept most of them ($(kept))" test "$(kept)" -ge $(((NB - SB) / 2))
	check "compr_data_size dropped ($b2 -> $(mm 2))" test "$(mm 2)" -lt "$b2"
	check "part B intact" same_data 0 "$NB" "$SCRATCH/partB"
}
zram_reset 0
expect "comp_algorithm lz4" OK "$z/comp_algorithm" lz4
ap EINVAL "algo=lz4 dict=$dict"

# ---------------------------------------------------------------- 8. writeback
diag "section 8 at $(cut -d" " -f1 /proc/uptime) s"

modprobe loop 2>/dev/null || true
truncate -s 16M "$SCRATCH/bd.img"
LOOP=$(losetup -f --show "$SCRATCH/bd.img")
check "loop device over a 16 MiB file" test -b "$LOOP"
at_exit losetup -d "$LOOP"
at_exit zram_reset 0
zram_reset 0
expect "backing_dev $LOOP" OK "$z/backing_dev" "$LOOP"
expect "comp_algorithm lz4" OK "$z/comp_algorithm" lz4
expect "recomp_algorithm 'algo=zstd'" OK "$z/recomp_algorithm" algo=zstd
check "disksize" zwrite 0 disksize $DISK
T=16 Z=2
check "write $K random pages at 0" dio_write <(head -c $((K * PAGE)) "$SCRATCH/rand") 0
check "write $T text pages at 20" dio_write <(head -c $((T * PAGE)) "$SCRATCH/t3") 20
check "write $Z zero pages at 40" dio_write <(head -c $((Z * PAGE)) /dev/zero) 40
expect "writeback incompressible: none flagged yet" OK "$z/writeback" incompressible
check_eq "bd_count 0" 0 "$(zcol 0 bd_stat 1)"
recompress "huge" "type=huge"
check_eq "tried the $K random pages, kept 0" "$K 0" "$(rc_stat)"
expect "writeback incompressible" OK "$z/writeback" incompressible
check_eq "bd_count == $K random pages" $K "$(zcol 0 bd_stat 1)"
check_eq "exactly the random pages written back" "$(seq_list 0 $((K - 1)))" \
	"$(bs_indices '^.w')"
check_eq "... and they stay flagged incompressible" "$(seq_list 0 $((K - 1)))" \
	"$(bs_indices '^.w...n')"
expect "echo all > idle" OK "$z/idle" all
expect "writeback idle" OK "$z/writeback" idle
check_eq "bd_count == $((K + T)) (all non-same pages)" $((K + T)) "$(zcol 0 bd_stat 1)"
m=$(mm_all)
recompress "idle" "type=idle"
check_eq "nothing tried: all written back" "$K 0" "$(rc_stat)"
recompress "everything" ""
check_eq "nothing tried" "$K 0" "$(rc_stat)"
check_eq "mm_stat unchanged" "$m" "$(mm_all)"
check "random pages read back" same_data 0 $K <(head -c $((K * PAGE)) "$SCRATCH/rand")
check "text pages read back" same_data 20 $T <(head -c $((T * PAGE)) "$SCRATCH/t3")
check "zero pages read back" same_data 40 $Z <(head -c $((Z * PAGE)) /dev/zero)
zram_reset 0
check "losetup -d $LOOP" losetup -d "$LOOP"

# ---------------------------------------------------------------- 9. zstd dictionary costs
diag "section 9 at $(cut -d" " -f1 /proc/uptime) s"

# KiB of free memory that "echo $DISK > disksize" takes with primary
# zstd and algorithm_params $1 (page cache dropped before each reading).
# Free is MemFree plus the pages on the per-CPU free lists (zoneinfo's
# "count:"), which MemFree leaves out: on 6.12 those lists grow to
# thousands of pages, so a reading of MemFree alone moved by up to 6 MiB
# as they filled or drained.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk -v kib=$((PAGE / 1024)) '$1 == "count:" { pcp += $2 }
	     FILENAME == "/proc/meminfo" && $1 == "MemFree:" { free = $2 }
	     END { print free + pcp * kib }' /proc/zoneinfo /proc/meminfo
}
disksize_cost() {
	local m0 m1

	zram_reset 0 && echo zstd >"$z/comp_algorithm" &&
		echo "$1" >"$z/algorithm_params" || return 1
	m0=$(memfree)
	echo $DISK >"$z/disksize" || return 1
	m1=$(memfree)
	echo $((m0 - m1))
}
NCPU=$(nproc)
# Raw-content dictionaries: part B, then filler, cut to size.
{ cat "$SCRATCH/partB"; yes "dictionary filler"; } 2>/dev/null |
	head -c $((1 << 20)) >"$SCRATCH/dict1m"
for n in 4096 4097 32768 32769 65536; do
	head -c $n "$SCRATCH/dict1m" >"$SCRATCH/dict$n"
done
zram_reset 0
expect "comp_algorithm zstd" OK "$z/comp_algorithm" zstd
case "$(uname -r)" in
6.1.*)
	# Prefix mode: the dictionary is compressed again for every page
	# with preemption off, so its size is limited by level: 64 KiB to
	# level 6, 32 KiB to 10, 4 KiB at 11, none above.
	ap EFBIG "level=19 dict=$SCRATCH/dict1m"
	ap EFBIG "level=7 dict=$SCRATCH/dict65536"
	ap EFBIG "level=10 dict=$SCRATCH/dict32769"
	ap EFBIG "level=11 dict=$SCRATCH/dict4097"
	ap EFBIG "level=12 dict=$SCRATCH/dict4096"
	ap EFBIG "level=22 dict=$SCRATCH/dict4096"
	expect "algorithm_params 'level=6 dict=<64 KiB>'" OK "$z/algorithm_params" \
		"level=6 dict=$SCRATCH/dict65536"
	expect "algorithm_params 'level=11 dict=<4 KiB>'" OK "$z/algorithm_params" \
		"level=11 dict=$SCRATCH/dict4096"
	expect "algorithm_params 'level=10 dict=<32 KiB>'" OK "$z/algorithm_params" \
		"level=10 dict=$SCRATCH/dict32768"
	check "disksize" zwrite 0 disksize $DISK
	check "write part B at level 10 with a 32 KiB dictionary" \
		dio_write "$SCRATCH/partB" 0
	check "part B intact" same_data 0 "$NB" "$SCRATCH/partB"
	;;
*)
	# The zstd API: the same settings are all accepted.
	for v in "level=7 dict=$SCRATCH/dict65536" \
		"level=10 dict=$SCRATCH/dict32769" \
		"level=11 dict=$SCRATCH/dict4097" \
		"level=22 dict=$SCRATCH/dict4096"; do
		expect "algorithm_params '${v%% *} dict=<$(stat -c %s "${v#*dict=}") bytes>'" \
			OK "$z/algorithm_params" "$v"
	done
	# zstd digests the dictionary once per instance (level 19, 1 MiB
	# plus a page: 2^22-entry hash and chain tables, 32 MiB); each CPU
	# then needs a context for one page (~0.4 MiB), not one sized for
	# the dictionary too (34 MiB each before: 102 MiB with 2 CPUs).
	# With 2 CPUs the dictionary measured 34832 to 34928 KiB (8 tries,
	# 6.12; counting MemFree alone, disksize with it cost 33448 to 38144
	# KiB, with the lists 36364 to 36512), so the bound leaves 4 MiB,
	# far below what one more CPU-sized copy would add.
	c0=$(disksize_cost "level=19")
	c1=$(disksize_cost "level=19 dict=$SCRATCH/dict1m")
	lim=$(((32 + 4 + NCPU) * 1024))
	check "level=19, 1 MiB dictionary: disksize costs $c1 KiB, $c0 without; the dictionary adds <= $lim KiB ($NCPU CPUs)" \
		test -n "$c0" -a -n "$c1" -a "$((${c1:-0} - ${c0:-0}))" -le "$lim"
	check "write part B at level 19 with the dictionary" \
		dio_write "$SCRATCH/partB" 0
	check "part B intact" same_data 0 "$NB" "$SCRATCH/partB"
	check "the dictionary shrinks part B at level 19 ($l19 -> $(mm 2))" \
		test "$(mm 2)" -lt "$l19"
	;;
esac
zram_reset 0

done_testing
