# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers for the integration tests.  The tests run INSIDE a guest booted by
# scripts/guest-run.sh, as root, with zram already loaded.  make check runs
# several files one after the other in one boot (guest-run.sh --files):
# each file starts with the module freshly loaded and the harness unloads
# it after the file, so a file must leave no swap, mount or open device on
# zram behind (the rest of its boot would not run).  Output is TAP-like:
#   ok N - description
#   not ok N - description
#   ok N - description # SKIP reason
#   not ok N - description # TODO stock: reason   (known stock difference)
# followed by the plan "1..N".  A file exits non-zero iff a case failed.
#
# Environment from the harness: ZRAM_TEST_KVER, ZRAM_TEST_STOCK (0/1),
# ZRAM_TEST_DEBUG (1 in the debug guest: KASAN, lockdep, kmemleak),
# ZRAM_TEST_MODULE (path of our zram.ko, empty for stock), ZRAM_TEST_PARAMS,
# TREE, optionally ZRAM_TEST_HOG (memhog binary built on the host),
# ZRAM_TEST_BLKOP (tests/blkop.c, likewise) and ZRAM_TEST_INPUTS
# (tests/inputs.py's data, made on the host).

set -u
# The C locale: a GNU tool or bash started under C.UTF-8 first opens a
# dozen locale files (over 9p in the guests): 110 ms more per process in
# the debug guest, 35 ms in a Debian guest, measured.  Python still runs
# in UTF-8 mode (PEP 540); the tests' text is ASCII.
export LC_ALL=C
# Python without its site module: the tests' Python imports only the
# standard library, and site (dist-packages' .pth files, sitecustomize)
# is half of a start: python3 -c pass 1130 ms in the debug guest, 630 ms
# with -S, measured.  Exported for "bash -c"; "exec python3" and
# "command -v" do not see it ("type -P" finds the binary).
python3() { command python3 -S "$@"; }
export -f python3

T_NUM=0
T_FAILED=0
T_TODO=''
PAGE=4096
ZRAM_TEST_STOCK=${ZRAM_TEST_STOCK:-0}
ZRAM_TEST_DEBUG=${ZRAM_TEST_DEBUG:-0}
TREE=${TREE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# The tests' own plumbing (text tools, dd, cmp) runs as busybox applets
# when the guest has busybox: under TCG a dynamically linked GNU tool
# takes 60-80 ms to start in a Debian guest and about 300 ms in the debug
# guest, an applet of the static busybox 15 and 80 ms, and a test file
# starts hundreds of them.  Only tools whose use here behaves the same
# in both (checked by running every file with and without); the tools
# under test (zramctl, mkswap, swapon, losetup, dmsetup, fio, mount,
# mkfs) stay the system's.  ZRAM_TEST_BUSYBOX=0 turns it off.
# (Not head: busybox's takes no "-c 1M"; not sha256sum: no --quiet.)
T_APPLETS="awk basename cat cmp cut dd dirname echo grep mkdir mkfifo
	mktemp nproc od rm sed seq sleep sort stat sync tail tee touch tr
	truncate uname uniq wc xargs yes"
if [ "${ZRAM_TEST_BUSYBOX:-1}" = 1 ] && [ -x /bin/busybox ]; then
	T_BB=/tmp/.zram-test-busybox
	if [ ! -e "$T_BB/.done" ]; then
		/bin/busybox mkdir -p "$T_BB"
		for t_a in $T_APPLETS; do
			/bin/busybox ln -sf /bin/busybox "$T_BB/$t_a"
		done
		: >"$T_BB/.done"
	fi
	PATH=$T_BB:$PATH
	hash -r
fi
SCRATCH=$(mktemp -d /tmp/zram-test.XXXXXX)

# zblk ARGS: tests/blkop.c's block requests and test pages (discard,
# zeroout, excl, pattern, hash, text, pages, same-pages; see there), a
# static binary instead of a Python start.  The harness builds it on the host; run by hand, the file builds
# it on first use.
zblk() {
	local b=${ZRAM_TEST_BLKOP:-}

	if [ -z "$b" ] || [ ! -x "$b" ]; then
		b=$SCRATCH/blkop
		[ -x "$b" ] || gcc -O2 -o "$b" "$TREE/tests/blkop.c" || return 2
	fi
	"$b" "$@"
}

# Direct I/O on zram0, a page at a time in units of 4 KiB.
# dio_write FILE SEEK_PAGES: FILE onto zram0 from page SEEK_PAGES.
dio_write() {
	dd if="$1" of=/dev/zram0 bs=4096 seek="$2" iflag=fullblock \
		oflag=direct status=none
}
# dio_read SKIP_PAGES COUNT: COUNT pages of zram0 to stdout.
dio_read() {
	dd if=/dev/zram0 bs=4096 skip="$1" count="$2" iflag=direct status=none
}
# same_data SKIP COUNT FILE: pages SKIP.. of zram0 equal FILE.
same_data() { zblk same /dev/zram0 "$1" "$2" "$3"; }

# Lists of page indexes as the tests keep them: one line, ascending, one
# space apart ("3 4 7").  Bash builtins only, but for one awk over
# block_state (which can have a line per page of the disk): in the debug
# guest every process costs 140-290 ms.  $bs is the path of the device's
# debugfs block_state, set by the files that ask it.
# bs_indices [REGEX]: indexes of the lines whose flags match the awk
# REGEX (every line without one).
# shellcheck disable=SC2154 # $bs: set by the test file
bs_indices() {
	awk -v re="${1:-.}" '$3 ~ re {printf "%s%s", n++ ? " " : "", $1}
		END {print ""}' "$bs"
}
# bs_flags I: page I's first four flags (s w h i; 6.12 prints more).
# shellcheck disable=SC2154
bs_flags() { awk -v i="$1" '$1 == i {print substr($3, 1, 4)}' "$bs"; }
# seq_list A B: A..B (empty when A > B).
seq_list() {
	local -a l=()

	[ "$1" -le "$2" ] && eval "l=({$(($1))..$(($2))})"
	echo "${l[*]}"
}
# union LIST...: the indexes of every LIST, each once.
union() {
	local -a s=()
	local l i

	for l in "$@"; do
		for i in $l; do s[i]=1; done
	done
	echo "${!s[*]}"
}
# minus A B: the indexes of list A not in list B.
minus() {
	local -a s=()
	local i

	for i in $1; do s[i]=1; done
	for i in $2; do unset "s[$i]"; done
	echo "${!s[*]}"
}
# count LIST: how many indexes.
count() {
	local -a l

	read -ra l <<<"$1"
	echo "${#l[@]}"
}

# test_input KIND DIR: tests/inputs.py KIND's files into DIR, from
# $ZRAM_TEST_INPUTS/KIND.tar when the harness made them on the host (one
# file over 9p instead of hundreds), else made here.
test_input() {
	if [ -r "${ZRAM_TEST_INPUTS:-/nonexistent}/$1.tar" ]; then
		tar -xf "$ZRAM_TEST_INPUTS/$1.tar" -C "$2"
	else
		python3 "$TREE/tests/inputs.py" "$1" "$2"
	fi
}

# ---------------------------------------------------------------- reporting

diag() { printf '# %s\n' "$*"; }

# Every case that took ZRAM_TEST_SLOW seconds or more since the one before
# is followed by "# time: N s" (where the time of a file goes).
T_LAST=${EPOCHREALTIME/./}
T_START=$T_LAST
# t_forks: processes created in the guest since boot (/proc/stat), read
# with builtins only.
t_forks() {
	local k v

	while read -r k v _; do
		[ "$k" = processes ] && { echo "$v"; return; }
	done </proc/stat
}
T_FORKS=$(t_forks)
t_time() {
	local now=${EPOCHREALTIME/./} ms

	ms=$(((now - T_LAST) / 1000))
	T_LAST=$now
	[ "$ms" -ge $((${ZRAM_TEST_SLOW:-5} * 1000)) ] &&
		printf '# time: %d.%d s\n' $((ms / 1000)) $((ms % 1000 / 100))
	return 0
}

# Mark the NEXT case as a known difference of the stock module: when running
# against stock, its failure is reported as TODO (not counted as a failure).
stock_differs() { [ "$ZRAM_TEST_STOCK" = 1 ] && T_TODO=$*; return 0; }

ok() {
	T_NUM=$((T_NUM + 1))
	if [ -n "$T_TODO" ]; then
		echo "ok $T_NUM - $* # TODO stock: $T_TODO (passed anyway)"
	else
		echo "ok $T_NUM - $*"
	fi
	T_TODO=''
	t_time
}

not_ok() {
	T_NUM=$((T_NUM + 1))
	if [ -n "$T_TODO" ]; then
		echo "not ok $T_NUM - $* # TODO stock: $T_TODO"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	T_TODO=''
	t_time
}

skip() {
	local desc=$1

	shift
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $desc # SKIP $*"
	T_TODO=''
	t_time
}

# check "desc" cmd [args...]: passes when cmd exits 0.
check() {
	local desc=$1 out rc

	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "command: $* -> rc=$rc"
		[ -n "$out" ] && printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
	fi
	return "$rc"
}

# check_eq "desc" expected actual
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "expected: '$2'"
	diag "  actual: '$3'"
	return 1
}

# check_ge "desc" minimum actual (integers)
check_ge() {
	if [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "expected >= $2, actual: '$3'"
	return 1
}

# t_errno TEXT: T_ERRNO = the errno name of a strerror() TEXT, OK for none.
# In this shell, no subshell: the helpers below run hundreds of times a
# file, and a fork costs 45 ms in the debug guest.
t_errno() {
	case "$1" in
	*"Invalid argument"*) T_ERRNO=EINVAL ;;
	*"Device or resource busy"*) T_ERRNO=EBUSY ;;
	*"No such device or address"*) T_ERRNO=ENXIO ;;
	*"No such device"*) T_ERRNO=ENODEV ;;
	*"No such file or directory"*) T_ERRNO=ENOENT ;;
	*"Cannot allocate memory"*) T_ERRNO=ENOMEM ;;
	*"Permission denied"*) T_ERRNO=EACCES ;;
	*"Operation not permitted"*) T_ERRNO=EPERM ;;
	*"Numerical result out of range"*) T_ERRNO=ERANGE ;;
	*"Input/output error"*) T_ERRNO=EIO ;;
	*"No space left on device"*) T_ERRNO=ENOSPC ;;
	*"File exists"*) T_ERRNO=EEXIST ;;
	*"Operation not supported"*) T_ERRNO=EOPNOTSUPP ;;
	*"Read-only file system"*) T_ERRNO=EROFS ;;
	*"Bad address"*) T_ERRNO=EFAULT ;;
	*"Block device required"*) T_ERRNO=ENOTBLK ;;
	*"Is a directory"*) T_ERRNO=EISDIR ;;
	'') T_ERRNO=OK ;;
	*) T_ERRNO="UNKNOWN($1)" ;;
	esac
}

# errno_name TEXT: prints t_errno's name.
errno_name() {
	t_errno "$1"
	echo "$T_ERRNO"
}

# t_write FILE VALUE: one write(2) of "VALUE\n" (like echo), in this
# shell; T_ERRNO = the errno name or OK.  The message goes through a file
# of this (sub)shell's own ($BASHPID: background loops write at once).
t_write() {
	local f="$SCRATCH/.err.$BASHPID" msg=''

	{ echo "$2" >"$1"; } 2>"$f"
	IFS= read -r -d '' msg <"$f"
	t_errno "${msg%$'\n'}"
}

# write_errno FILE VALUE: prints t_write's errno name.
write_errno() {
	t_write "$1" "$2"
	echo "$T_ERRNO"
}

# write_raw_errno FILE FORMAT: one write(2) of printf's %b expansion of
# FORMAT (so '1\\0x' writes the bytes 1, NUL, x; no newline added); prints
# the errno name or OK.
write_raw_errno() {
	local out

	out=$(printf '%b' "$2" | dd of="$1" bs=4096 count=1 status=none 2>&1)
	errno_name "$out"
}

# expect_errno "desc" ERRNO FILE VALUE  (ERRNO may be OK for success)
expect_errno() {
	t_write "$3" "$4"
	check_eq "$1" "$2" "$T_ERRNO"
}

# ---------------------------------------------------------------- zram

zdev() { echo "/sys/block/zram$1"; }

# mount_debugfs: make sure debugfs is mounted at $DEBUGFS (unmounted at
# exit if this mounted it).  Not in a subshell: it registers at_exit.
DEBUGFS=/sys/kernel/debug
mount_debugfs() {
	grep -q " $DEBUGFS debugfs " /proc/mounts && return 0
	mount -t debugfs debugfs "$DEBUGFS" || return 1
	at_exit umount "$DEBUGFS"
}
# zattr N ATTR: the attribute's text (builtins only, as cat would print
# it: sysfs text ends in a newline).
zattr() {
	local l

	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s\n' "$l"
	done <"/sys/block/zram$1/$2"
}
# zcol N FILE COL: column COL (1-based) of each line of mm_stat/io_stat/...
# (awk's '{print $COL}' with builtins only).
zcol() {
	local -a t_cols

	while read -r -a t_cols || [ ${#t_cols[@]} -gt 0 ]; do
		echo "${t_cols[$3 - 1]:-}"
	done <"/sys/block/zram$1/$2"
}
zwrite() { echo "$3" >"/sys/block/zram$1/$2"; }

zram_load() {
	local dep

	if [ "$ZRAM_TEST_STOCK" = 1 ]; then
		# shellcheck disable=SC2068
		modprobe zram $@
	else
		# A debug guest kernel has no /lib/modules: all is built in.
		[ -d "/lib/modules/$(uname -r)" ] &&
			for dep in $(modinfo -F depends "$ZRAM_TEST_MODULE" | tr , ' '); do
				modprobe "$dep" || return 1
			done
		# shellcheck disable=SC2068
		insmod "$ZRAM_TEST_MODULE" $@
	fi
	udevadm settle 2>/dev/null || true
}

zram_unload() {
	[ -d /sys/module/zram ] || return 0
	rmmod zram
}

# zram_reload [params...]: reload the module with other parameters.
zram_reload() {
	zram_unload && zram_load "$@"
}

# zram_setup N SIZE [ALG]: reset device N, pick ALG, set disksize.
zram_setup() {
	echo 1 >"/sys/block/zram$1/reset" || return 1
	if [ -n "${3:-}" ]; then
		echo "$3" >"/sys/block/zram$1/comp_algorithm" || return 1
	fi
	echo "$2" >"/sys/block/zram$1/disksize"
}

zram_reset() { echo 1 >"/sys/block/zram$1/reset"; }

# Algorithms of OUR contract; on stock only those it lists.  The debug
# guest, where every step costs several times more, loops over lz4 and
# zstd only: the driver code around the algorithm is the same for all,
# and the KUnit suites run every backend under KASAN in that kernel.
zram_algorithms() {
	local all="lzo lzo-rle lz4 lz4hc zstd deflate" a

	[ "$ZRAM_TEST_DEBUG" = 1 ] && all="lz4 zstd"
	if [ "$ZRAM_TEST_STOCK" = 1 ]; then
		for a in $all; do
			grep -qw -- "$a" "/sys/block/zram${1:-0}/comp_algorithm" &&
				echo "$a"
		done
	else
		tr ' ' '\n' <<<"$all"
	fi
}

# Fill a file with COUNT pages of a given kind: zero, byte, word, random.
gen_pages() {
	local kind=$1 count=$2 out=$3

	case "$kind" in
	zero) head -c $((count * PAGE)) /dev/zero >"$out" ;;
	byte) head -c $((count * PAGE)) /dev/zero | tr '\0' '\245' >"$out" ;;
	word)
		python3 -c 'import sys; sys.stdout.buffer.write(
			b"\x12\x34\x56\x78\x9a\xbc\xde\xf0" * (512 * int(sys.argv[1])))' \
			"$count" >"$out" ;;
	random) head -c $((count * PAGE)) /dev/urandom >"$out" ;;
	*) return 1 ;;
	esac
}

# text_pages TAG COUNT SEED OUT: COUNT pages of compressible text, each
# page different (TAG, SEED and the page number in every line).
text_pages() {
	awk -v tag="$1" -v n="$2" -v seed="$3" 'BEGIN {
		for (p = 0; p < n; p++) {
			line = "zram " tag " test, seed " seed ", page " p ", lorem ipsum\n"
			s = line
			while (length(s) < 4096)
				s = s line
			printf "%s", substr(s, 1, 4096)
		}
	}' >"$4"
}

# zpattern MODE DEV PAGES [FIRST [CHUNK]]: write (or, MODE read, read)
# PAGES pages of DEV from page FIRST (0) on, CHUNK pages (64) per
# O_DIRECT request, so no page cache sits in between; prints a hash of
# all the bytes (zhash's).  Page p holds 2 KiB of pseudo-random bytes
# seeded by p, then 2 KiB of zeros: about 2:1 compressible, and
# different in every page (tests/blkop.c).
zpattern() { zblk pattern "$@"; }
# zhash: the same hash of stdin.
zhash() { zblk hash; }

# mem_cgroup NAME LIMIT_MB: a cgroup v2 /sys/fs/cgroup/NAME, its path in
# $CG, with memory.max LIMIT_MB MiB and unlimited swap (two cases);
# removed at exit.
mem_cgroup() {
	CG=/sys/fs/cgroup/$1
	mkdir -p "$CG"
	at_exit rmdir "$CG"
	check "memory.max = ${2}M" bash -c "echo ${2}M > $CG/memory.max"
	check "memory.swap.max = max" bash -c "echo max > $CG/memory.swap.max"
}

# ---------------------------------------------------------------- teardown

# Tests register cleanup with "at_exit cmd"; run in reverse order.
T_CLEANUP=()
at_exit() { T_CLEANUP=("$*" "${T_CLEANUP[@]}"); }

t_finish() {
	local c

	for c in "${T_CLEANUP[@]}"; do
		eval "$c" >/dev/null 2>&1 || true
	done
	rm -rf "$SCRATCH"
	# What the file cost: processes started (each fork and exec costs
	# 50 ms in a Debian guest under TCG, 180 ms in the debug guest).
	diag "processes: $(($(t_forks) - T_FORKS)) in $(((${EPOCHREALTIME/./} - T_START) / 1000000)) s"
	echo "1..$T_NUM"
	[ "$T_FAILED" = 0 ]
}

# done_testing: call at the end of every test file.
done_testing() {
	trap - EXIT
	t_finish
	exit $?
}

# A file that stops before done_testing (set -e, a crash of bash, exit in
# the middle) reports that as a failure of its own.
t_abort() {
	local rc=$1

	not_ok "test file ended early (exit status $rc) after case $T_NUM"
	t_finish
	exit 1
}
trap 't_abort $?' EXIT
