#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a command inside a throw-away QEMU guest with zram loaded.
#
# Usage: scripts/guest-run.sh {-k KVER | -K KDIR | --debug}
#        [-m PATH/zram.ko | --stock | --no-module] [-R ROOTDIR] [-M MEM_MB]
#        [-s SMP] [-H MB] [-D MB] [-t TIMEOUT_S] [-p "module params"] [-l LOGFILE]
#        [-e VAR=VALUE]... [--tap] [--panic-on-warn] -- CMD [ARGS...]
#        ... --files -- FILE...
#
#   -k KVER     kernel to boot (/boot/vmlinuz-KVER, modules from /lib/modules)
#   -K KDIR     boot a kernel tree built with everything the guest needs
#               built in (KDIR/arch/x86/boot/bzImage; no /lib/modules):
#               debug mode, see below
#   --debug     -K with the debug kernel of scripts/build-debug-kernel.sh
#               (built on first use, then cached)
#   -m KO       our module (default: <tree>/build/KVER/zram.ko; in debug
#               mode <tree>/build/dbg/zram.ko, rebuilt against KDIR first)
#   --stock     Debian's own zram (modprobe zram) instead of ours
#   --no-module load no zram and no compression module before CMD (CMD
#               loads what it tests, e.g. "modprobe zram"; the harness
#               still unloads a zram left loaded)
#   -R ROOTDIR  the guest's root: this host directory over 9p instead of /
#               (a throw-away root with packages installed, say); the
#               tree, this script and the kernel's modules must be in it
#   -M, -s      guest memory in MiB (1024) and CPUs (2)
#   -H MB       also a hot-pluggable DIMM of MB MiB (QEMU pc-dimm, above
#               4 GiB), left offline at boot (memhp_default_state=offline;
#               a kernel without ACPI gets its blocks through memory/probe):
#               CMD onlines its memory blocks, movable or not, and may
#               offline them again (memory hot-remove)
#   -D MB       also a virtio disk of MB MiB, /dev/vda in the guest (a sparse
#               raw file in the run directory, the host's page cache in
#               front of it; gone with the run): a backing device that is
#               not a loop device
#   -t SECS     limit for CMD inside the guest (300, debug mode 1200); the
#               host allows boot and teardown on top and kills a guest that
#               never reports
#   -p PARAMS   module parameters, e.g. "num_devices=3"
#   -l FILE     full console log (kernel + runner + CMD output); printed on
#               failure.  Default: a run directory that is deleted on success.
#   -e VAR=VAL  extra environment for CMD (repeatable)
#   --tap       also report the harness checks (module unload, kernel log) as
#               TAP lines "ok - harness: ..." after CMD's own output
#   --panic-on-warn  boot with panic_on_warn=1 (a WARN kills the guest at once)
#   --files     run each FILE (a test file, no arguments) in turn in this
#               one boot, see "Files mode" below
#
# How it works: the script builds (once, cached under
# ${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}/, keyed by KVER
# and a hash of the init script) a busybox initramfs with the 9p/overlay
# modules.  Its /init mounts the host root read-only over virtio-9p, puts a
# tmpfs upper layer over it with overlayfs and switch_root's into it, running
# this very script with --guest-runner.  The runner loads the compression
# libraries the module depends on and the module, runs CMD with a controlled
# environment (cwd = TREE; ZRAM_TEST_KVER, ZRAM_TEST_STOCK=0/1,
# ZRAM_TEST_DEBUG=0/1 (the debug kernel),
# ZRAM_TEST_MODULE, ZRAM_TEST_PARAMS, TREE), unloads the module, scans the
# kernel log and writes "GUEST-RESULT rc=N" to the third serial port, which
# nothing else writes to.  Ports: ttyS0 console, ttyS1 CMD output (streamed
# to our stdout), ttyS2 verdict.
#
# Kernel command line: quiet loglevel=4 (debug mode: loglevel=5; the
# runner raises it to 5 before CMD) printk.time=1 panic=-1 oops=panic
# softlockup_panic=1 with -no-reboot: an oops or panic ends the guest at
# once and, as no verdict was written, the run fails.  A WARN does not stop
# the guest by default (so CMD finishes and says which case triggered it)
# but the kernel log scan turns it into a failure; --panic-on-warn makes it
# fatal instead.  ZOOT_APPEND in the environment adds to the command line
# (experiments: "kmemleak=off lockdep.prove_locking=0" showed what each
# costs).  The kernel log is scanned twice: by the guest (dmesg,
# the ring buffer, at the end) and by the host over the whole console log
# (every time-stamped line since boot; "harness: console log clean"), so
# a report the ring buffer lost by wrapping or clearing still fails.
#
# Debug mode (-K/--debug): the same runner, with an initramfs without
# modules (cached separately) and no modprobe of the module's dependencies
# (the guest has no /lib/modules/$(uname -r); they are built in).  debugfs
# is mounted; kmemleak scans twice and forgets the boot-time suspects
# before CMD, and after CMD and rmmod scans twice more (the second scan at
# least 5 s after rmmod: kmemleak ignores younger objects and reports an
# object on the second scan that finds it unreferenced).  Any suspect
# then listed in /sys/kernel/debug/kmemleak fails the run and is printed,
# whoever allocated it.  KASAN, lockdep, BUG and WARN reports fail it
# through the kernel log scan as in normal mode.
#
# Files mode (--files): the runner does for each FILE what it does for CMD
# (-t is each file's limit), framed by lines of its own on our stdout:
# "GUEST-FILE begin FILE"; the module loaded, unless a file before left it
# loaded; FILE; the module unloaded ("harness: rmmod zram"); the kernel
# log lines since FILE began scanned ("harness: kernel log clean"; the
# first file's scan covers the boot too); "GUEST-FILE end FILE rc=N
# secs=S" (N: FILE's status, or 70, 71, 72 as below; S: its seconds by
# the guest's clock).  A module that does not load or unload ends the
# run there: the files after it never begin.  Debug mode: the kmemleak
# baseline once at boot, and one kmemleak check after the last file,
# under "GUEST-FILE boot" (a leak is the boot's, not one file's).  The
# host scans each file's part of the console log (from the guest's
# "begin FILE" kernel line to the next; the first from boot, the last up
# to the end of the run) and prints "GUEST-FILE host FILE" and its
# "harness: console log clean" line, then "GUEST-FILE boot" before what
# it says of the whole run.  The host kills a guest in which no
# file began for the time one run is allowed (see -t).  The exit status
# is the first failure's, as below.
#
# Exit status: CMD's status when the guest reported and CMD failed;
# otherwise 0, or 70 module load failed, 71 rmmod failed, 72 kernel log shows
# BUG/WARNING/Oops/KASAN/lockdep/..., 73 kmemleak reports a leak (debug
# mode), 124 CMD timed out (inside the guest), 97 bad usage/setup on the
# host, 98 guest did not report (crash, hang or host timeout).
set -euo pipefail

prog=guest-run
script=$(readlink -f "${BASH_SOURCE[0]}")
script_dir=$(dirname "$script")
tree=$(dirname "$script_dir")

# Kernel log lines that fail a run (extended regex).
BAD_LOG_RE='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|lockdep|possible recursive locking|circular locking|general protection|kernel BUG|Kernel panic|blocked for more than|soft lockup|hard LOCKUP|list_add corruption|list_del corruption|refcount_t:|kmemleak|double free|use-after-free'
# Lines matching BAD_LOG_RE that are not problems (extended regex, case
# insensitive): the command line mentions panic/oops options; debug
# kernels announce lockdep and kmemleak at boot, and kmemleak's scan
# summaries are judged from /sys/kernel/debug/kmemleak instead, after the
# boot-time suspects are cleared.  kmemleak's "Cannot allocate a scan
# area" is kmemleak's own allocation hit by an injected fault
# (tests/12-torture.sh fails a marked task's allocations; its vmalloc()
# then asks kmemleak for a scan area, which falls back to scanning the
# whole object): no problem of the module's, and no lost leak check.
BAD_LOG_IGNORE_RE='command line|RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized|kmemleak: [0-9]+ new suspected memory leaks|kmemleak: Cannot allocate a scan area'

# ---------------------------------------------------------------- guest side

runner_out=/dev/ttyS1
runner_verdict=/dev/ttyS2

guest_say() {
	echo "$prog: $*" >"$runner_out"
	echo "$prog: $*" >/dev/console
}

guest_finish() {
	local rc=$1

	# The host scans the console up to here: what follows is the
	# guest's power-off (init dies after it, and says so).
	echo "$prog: end of the run" >/dev/kmsg 2>/dev/null || true
	sync
	stty -F "$runner_verdict" raw -echo 2>/dev/null || true
	printf 'GUEST-RESULT rc=%d\n' "$rc" >"$runner_verdict"
	sync
	if [ -e /proc/sysrq-trigger ]; then
		echo 1 >/proc/sys/kernel/sysrq
		echo o >/proc/sysrq-trigger
		sleep 5
		echo b >/proc/sysrq-trigger
	else
		# A kernel without MAGIC_SYSRQ or ACPI (the debug guest): a
		# reset, which ends QEMU (-no-reboot).
		/bin/busybox reboot -f
	fi
	sleep 60
	exit "$rc"
}

# The upper-case variables of the guest side (NOMOD, STOCK, PARAMS, MODULE,
# TREE, DEBUG, KVER, EXTRA_ENV) come from the run file the host writes.
# shellcheck disable=SC2153
guest_load_module() {
	local dep deps

	[ "$NOMOD" = 1 ] && return 0
	if [ "$STOCK" = 1 ]; then
		# shellcheck disable=SC2086
		modprobe zram $PARAMS
		return
	fi
	deps=$(modinfo -F depends "$MODULE" 2>/dev/null || true)
	# A kernel tree booted with -K has no /lib/modules: all is built in.
	[ -d "/lib/modules/$(uname -r)" ] || deps=''
	for dep in ${deps//,/ }; do
		modprobe "$dep" || { guest_say "modprobe $dep failed"; return 1; }
	done
	# shellcheck disable=SC2086
	insmod "$MODULE" $PARAMS
}

# The DIMM (-H) of a guest whose kernel has no ACPI to announce it (the
# debug kernel): its memory blocks are added through memory/probe at the
# address the host computed (HOTMEM=ADDRESS:MIB), offline as
# memhp_default_state says, as ACPI adds them at boot elsewhere.  Before
# the kmemleak baseline, as a part of booting.  (The section's memory map
# is in the virtual memmap: the classic sparse one, a kvmalloc reached
# only through an encoded pointer, made a kmemleak report at the end of a
# run whenever a stale copy of the pointer hid it from the baseline;
# scripts/kconfig/base.config.)
guest_hotmem_probe() {
	local probe=/sys/devices/system/memory/probe bs a end

	[ -n "$HOTMEM" ] && [ -w $probe ] || return 0
	grep -qx offline /sys/devices/system/memory/memory*/state && return 0
	bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
	a=${HOTMEM%%:*}
	end=$((a + ${HOTMEM##*:} * 1048576))
	for ((; a < end; a += bs)); do
		printf '0x%x\n' "$a" >$probe ||
			guest_say "memory/probe $(printf '0x%x' "$a") failed"
	done
}

# Sleep until 6 s after the uptime $1: kmemleak reports only objects
# older than 5 s when its scan begins.
guest_wait_age() {
	local now

	now=$(guest_uptime)
	[ "$((now - $1))" -ge 6 ] || sleep "$((6 - (now - $1)))"
}

# Debug mode: kmemleak is scanned on demand only.
kmemleak=/sys/kernel/debug/kmemleak

# guest_kmemleak_scan2 SINCE: two scans, the second beginning 6 s after
# the uptime SINCE at least, so that it suspects every object allocated
# before SINCE.
guest_kmemleak_scan2() {
	echo scan >"$kmemleak"
	guest_wait_age "$1"
	echo scan >"$kmemleak"
}

# Forget what boot leaked: two scans report every unreferenced object
# allocated before the baseline began (the second begins when the last of
# them is older than kmemleak's 5 s); "clear" paints the reported ones
# grey (never reported again).
# kmemleak's own thread (a scan a minute after boot, then every ten
# minutes, 6 s of CPU each in an idle debug guest) is stopped: the scans
# here are the ones judged, and the lanes are CPU-bound.
guest_kmemleak_baseline() {
	if [ ! -w "$kmemleak" ]; then
		guest_say "kmemleak not available in this kernel"
		return 0
	fi
	if ! echo scan=off 2>/dev/null >"$kmemleak"; then
		guest_say "kmemleak disabled in this kernel (kmemleak=off?)"
		return 0
	fi
	guest_kmemleak_scan2 "$(guest_uptime)"
	echo clear >"$kmemleak"
}

# Two scans, the second at least 5 s after the caller's time stamp $1
# (kmemleak's minimum object age), then print any report.  Returns 1 when
# there is one, 2 when kmemleak is not available.
guest_kmemleak_check() {
	[ -w "$kmemleak" ] || return 2
	guest_kmemleak_scan2 "$1"
	cat "$kmemleak" >/tmp/kmemleak.report
	[ -s /tmp/kmemleak.report ] || return 0
	guest_say "kmemleak reports unreferenced objects:"
	guest_symbolize /tmp/kmemleak.report | head -n 300 >"$runner_out"
	return 1
}

# The module is gone when kmemleak reports: name its addresses in a
# backtrace from the symbol table saved before rmmod (guest_save_syms).
guest_save_syms() {
	grep -E '[[:space:]]\[zram\]$' /proc/kallsyms >/tmp/zram.syms 2>/dev/null || true
}

guest_symbolize() {
	python3 - "$1" /tmp/zram.syms <<'PY' 2>/dev/null || cat "$1"
import re, sys
syms = []
try:
    for line in open(sys.argv[2]):
        f = line.split()
        if len(f) >= 3 and int(f[0], 16):
            syms.append((int(f[0], 16), f[2]))
except OSError:
    pass
syms.sort()
def name(m):
    a = int(m.group(1), 16)
    best = None
    for s in syms:
        if s[0] > a:
            break
        best = s
    if best is None or a - best[0] > 0x10000:
        return m.group(0)
    return "%s+0x%x [zram as last loaded]" % (best[1], a - best[0])
for line in open(sys.argv[1]):
    sys.stdout.write(re.sub(r"\b0x(ffffffff[0-9a-f]{8})\b", name, line))
PY
}

# Mount an empty tmpfs on $1 (mode $2) unless TREE or MODULE is below it.
# shellcheck disable=SC2153 # see guest_load_module
guest_fresh_tmpfs() {
	case "$TREE/" in "$1"/*) return 0 ;; esac
	case "$MODULE" in "$1"/*) return 0 ;; esac
	mount -t tmpfs -o mode="$2" tmpfs "$1"
}

# Unload a zram left loaded (swaps and mounts listed when it cannot go).
# shellcheck disable=SC2153 # see guest_load_module
guest_rmmod() {
	[ -d /sys/module/zram ] || return 0
	[ "$DEBUG" = 1 ] && guest_save_syms
	if rmmod zram >"$runner_out" 2>&1; then
		[ "$TAP" = 1 ] && echo "ok - harness: rmmod zram" >"$runner_out"
		return 0
	fi
	[ "$TAP" = 1 ] && echo "not ok - harness: rmmod zram" >"$runner_out"
	guest_say "rmmod zram failed; swaps and mounts:"
	cat /proc/swaps >"$runner_out"
	grep zram /proc/mounts >"$runner_out"
	return 1
}

# guest_cmd CMD [ARGS...]: run it in TREE with the test environment and
# the time limit, its output to the console and the host; its status.
# shellcheck disable=SC2153 # see guest_load_module
guest_cmd() {
	local rc

	cd "$TREE"
	set +e
	env -i PATH="$PATH" HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb \
		TREE="$TREE" ZRAM_TEST_KVER="$KVER" ZRAM_TEST_STOCK="$STOCK" \
		ZRAM_TEST_DEBUG="$DEBUG" \
		ZRAM_TEST_MODULE="$MODULE" ZRAM_TEST_PARAMS="$PARAMS" \
		"${EXTRA_ENV[@]}" \
		timeout -k 10 "$TIMEOUT" "$@" </dev/null 2>&1 |
		tee /dev/console >"$runner_out"
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" = 124 ] && guest_say "command timed out after ${TIMEOUT}s"
	return "$rc"
}

# Seconds since boot, whole.
guest_uptime() {
	local t

	t=$(cut -d' ' -f1 /proc/uptime)
	echo "${t%.*}"
}

# guest_log_check SINCE: scan the kernel log lines stamped SINCE seconds
# after boot or later (every line with 0).  Returns 1 on a bad line.
guest_log_check() {
	dmesg | awk -v since="$1" '
		match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
			keep = substr($0, RSTART + 1, RLENGTH - 2) + 0 >= since
		}
		keep' >/tmp/dmesg.part
	if grep -Eiv "$BAD_LOG_IGNORE_RE" /tmp/dmesg.part | grep -qE "$BAD_LOG_RE"; then
		[ "$TAP" = 1 ] && echo "not ok - harness: kernel log clean" >"$runner_out"
		guest_say "kernel log shows problems:"
		grep -Eiv "$BAD_LOG_IGNORE_RE" /tmp/dmesg.part | grep -E -B3 -A60 "$BAD_LOG_RE" |
			head -n 250 >"$runner_out"
		return 1
	fi
	[ "$TAP" = 1 ] && echo "ok - harness: kernel log clean" >"$runner_out"
	return 0
}

# Debug mode: the kmemleak check after the module's last unload, as a
# TAP line; returns 1 on a report.
guest_kmemleak_tap() {
	local rc=0

	guest_kmemleak_check "$1" || rc=$?
	case $rc in
	0) [ "$TAP" = 1 ] && echo "ok - harness: kmemleak clean" >"$runner_out" ;;
	1)
		[ "$TAP" = 1 ] && echo "not ok - harness: kmemleak clean" >"$runner_out"
		return 1
		;;
	*) [ "$TAP" = 1 ] && echo "ok - harness: kmemleak clean # SKIP no kmemleak" >"$runner_out" ;;
	esac
	return 0
}

# Files mode (FILES=1): each word of CMD is a test file, run one after
# the other in this boot.  For each: "GUEST-FILE begin F", the module
# loaded unless it is (NOMOD: not at all), F run (no arguments, time limit
# TIMEOUT each), the module unloaded, the kernel log since F began
# scanned (since boot for the first file), "GUEST-FILE end F rc=N
# secs=S".  rc is F's status or 70 (load), 71 (rmmod), 72 (kernel log).
# A module that fails to load or unload ends the boot: the files after
# it never begin.  Debug mode: one kmemleak check for the boot, after the
# last file, under "GUEST-FILE boot".  Sets final.
# shellcheck disable=SC2153 # see guest_load_module
guest_run_files() {
	local f rc t0 i=0

	for f in "${CMD[@]}"; do
		t0=$(guest_uptime)
		echo "GUEST-FILE begin $f" >"$runner_out"
		echo "$prog: begin $f" >/dev/kmsg 2>/dev/null || true
		rc=0
		if [ ! -d /sys/module/zram ] && ! guest_load_module >"$runner_out" 2>&1; then
			guest_say "loading the module failed"
			dmesg | tail -n 30 >"$runner_out"
			rc=70
		else
			guest_cmd "$f" || rc=$?
			guest_rmmod || { [ "$rc" = 0 ] && rc=71; }
		fi
		# The first file answers for the boot's lines too.
		guest_log_check "$( [ "$i" = 0 ] && echo 0 || echo "$t0")" ||
			{ [ "$rc" = 0 ] && rc=72; }
		echo "GUEST-FILE end $f rc=$rc secs=$(($(guest_uptime) - t0))" >"$runner_out"
		[ "$final" = 0 ] && final=$rc
		if [ "$rc" = 70 ] || [ -d /sys/module/zram ]; then
			break
		fi
		i=$((i + 1))
	done
	if [ "$DEBUG" = 1 ]; then
		echo "GUEST-FILE boot" >"$runner_out"
		guest_kmemleak_tap "$(guest_uptime)" || { [ "$final" = 0 ] && final=73; }
	fi
}

# shellcheck disable=SC2153 # see guest_load_module
guest_runner() {
	local job=$1 rc=0 final=0

	# shellcheck source=/dev/null
	. "$job"
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

	# Fresh /tmp and /run, unless the tree or the module lives there (a
	# CI clone under /tmp, say): the overlay's tmpfs upper layer already
	# makes them writable, only not empty.
	guest_fresh_tmpfs /tmp 1777
	guest_fresh_tmpfs /run 755
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts 2>/dev/null || true
	mount -t tmpfs tmpfs /dev/shm
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	echo "+memory" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
	hostname zram-guest
	# From here on, warnings reach the console (see loglevel= below).
	echo 5 >/proc/sys/kernel/printk || true
	stty -F "$runner_out" raw -echo 2>/dev/null || true
	guest_hotmem_probe
	if [ "$DEBUG" = 1 ]; then
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
		guest_kmemleak_baseline
	fi

	if [ "$FILES" = 1 ]; then
		guest_run_files
		guest_finish "$final"
	fi

	if ! guest_load_module >"$runner_out" 2>&1; then
		guest_say "loading the module failed"
		dmesg | tail -n 30 >"$runner_out"
		guest_finish 70
	fi

	guest_cmd "${CMD[@]}" || rc=$?
	final=$rc

	guest_rmmod || { [ "$final" = 0 ] && final=71; }
	if [ "$DEBUG" = 1 ]; then
		guest_kmemleak_tap "$(guest_uptime)" || { [ "$final" = 0 ] && final=73; }
	fi
	guest_log_check 0 || { [ "$final" = 0 ] && final=72; }
	guest_finish "$final"
}

if [ "${1:-}" = --guest-runner ]; then
	guest_runner "$2"
	exit 1	# not reached
fi

# ----------------------------------------------------------------- host side

die() { echo "$prog: error: $*" >&2; exit 97; }
usage() { sed -n '3,43p' "$script" | sed 's/^# \{0,1\}//'; exit "${1:-97}"; }

# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

kver='' kdir='' debug=0 module='' stock=0 mem=1024 smp=2 timeout_s='' params=''
hotmem=0 disk=0
logfile='' tap=0 pow=0 nomod=0 rootdir=/ files=0
extra_env=()
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kver=$2; shift 2 ;;
	-K) kdir=$2; debug=1; shift 2 ;;
	--debug) debug=1; shift ;;
	-m) module=$2; shift 2 ;;
	--stock) stock=1; shift ;;
	--no-module) nomod=1; shift ;;
	-R) rootdir=$2; shift 2 ;;
	-M) mem=$2; shift 2 ;;
	-s) smp=$2; shift 2 ;;
	-H) hotmem=$2; shift 2 ;;
	-D) disk=$2; shift 2 ;;
	-t) timeout_s=$2; shift 2 ;;
	-p) params=$2; shift 2 ;;
	-l) logfile=$2; shift 2 ;;
	-e) extra_env+=("$2"); shift 2 ;;
	--tap) tap=1; shift ;;
	--files) files=1; shift ;;
	--panic-on-warn) pow=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given (… -- CMD [ARGS...])"
[[ "$hotmem" =~ ^[0-9]+$ ]] || die "-H takes a size in MiB"
[[ "$disk" =~ ^[0-9]+$ ]] || die "-D takes a size in MiB"
# Where QEMU maps the DIMM: its device-memory region starts at the first
# GiB boundary at or above 4 GiB plus the RAM it put above 4 GiB (on
# i440fx, RAM from 3.5 GiB up goes above 3 GiB).  A guest kernel without
# ACPI (the debug guest) is not told of the DIMM and adds its blocks
# through memory/probe at this address (guest_hotmem_probe).
hotmem_at=''
if [ "$hotmem" -gt 0 ]; then
	high=0
	[ "$mem" -ge 3584 ] && high=$((mem - 3072))
	hotmem_at="$(((4096 + high + 1023) / 1024 * 1024 * 1048576)):$hotmem"
fi

if [ "$debug" = 1 ]; then
	[ -z "$kver" ] || die "-k and -K/--debug exclude each other"
	[ "$stock" = 0 ] || die "--stock needs a Debian kernel (-k)"
	if [ -z "$kdir" ]; then
		kdir=$(zoot_debug_kdir) || die "cannot build the debug kernel"
	fi
	kdir=$(cd "$kdir" 2>/dev/null && pwd) || die "-K: no directory '$kdir'"
	kernel=$kdir/arch/x86/boot/bzImage
	[ -r "$kernel" ] || die "$kernel not readable (not a built kernel tree?)"
	kver=$(zoot_kdir_release "$kdir")
	[ -n "$kver" ] || die "$kdir/include/config/kernel.release missing"
	if [ -z "$module" ]; then
		module=$(zoot_build_shadow "$tree" "$kdir" "$tree/build/dbg") ||
			die "building zram.ko against $kdir failed (log: $tree/build/dbg/build.log)"
	fi
	# KASAN, lockdep and kmemleak under TCG: several times slower.
	: "${timeout_s:=1200}"
else
	[ -n "$kver" ] || die "-k KVER, -K KDIR or --debug is required"
	kernel=/boot/vmlinuz-$kver
	[ -r "$kernel" ] || die "$kernel not readable"
	[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver missing"
	: "${timeout_s:=300}"
fi
[[ "$mem" =~ ^[0-9]+$ && "$smp" =~ ^[0-9]+$ && "$timeout_s" =~ ^[0-9]+$ ]] ||
	die "-M, -s and -t take numbers"
rootdir=$(cd "$rootdir" 2>/dev/null && pwd) || die "-R: no directory '$rootdir'"
[ "$rootdir" = / ] || [ -x "$rootdir$script" ] || die "-R $rootdir does not hold $script"
if [ "$nomod" = 1 ]; then
	if [ "$stock" = 1 ] || [ -n "$module" ]; then die "--no-module excludes --stock and -m"; fi
	module=''
elif [ "$stock" = 0 ]; then
	[ -n "$module" ] || module=$tree/build/$kver/zram.ko
	[ -r "$module" ] || die "module $module not found (build it: make all-kernels)"
	module=$(readlink -f "$module")
	ver=$(modinfo -F vermagic "$module" | awk '{print $1}')
	[ "$ver" = "$kver" ] || die "$module is built for '$ver', not $kver"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps.sh)"
[ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"

cache=$(zoot_cache_dir)

# The initramfs /init.  Parameters arrive on the kernel command line
# (zoot_runner=, zoot_job=) which the kernel hands to init as environment.
read -r -d '' init_script <<'EOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
	echo "init: $*" >/dev/console
	echo "init: $*" >/dev/ttyS1
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	# No sysrq or no ACPI (the debug kernel): a reset, once the
	# serial ports have had time to drain.
	sleep 2
	reboot -f
	sleep 30
}
mkdir -p /proc /sys /dev /lower /upper /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Tell the host that the kernel booted as far as user space.
echo GUEST-BOOTED >/dev/ttyS2
for m in $(cat /modules.list); do
	insmod "/mod/$m.ko" || fail "insmod $m failed"
done
job=$zoot_job runner=$zoot_runner
[ -n "$job" ] || fail "no zoot_job= on the command line"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
	hostroot /lower || fail "9p mount of the host root failed"
mount -t tmpfs -o mode=755 tmpfs /upper
mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w \
	/newroot || fail "overlay mount failed"
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$runner" --guest-runner "$job"
fail "switch_root failed"
EOF

# Modules the initramfs needs, dependencies first; builtins are skipped.
initrd_mods=()
add_mod() {
	local m=$1 f dep

	m=${m//-/_}
	for dep in "${initrd_mods[@]}"; do
		[ "${dep%%=*}" = "$m" ] && return 0
	done
	f=$(modinfo -k "$kver" -F filename "$m" 2>/dev/null) || return 0
	[ "$f" = "(builtin)" ] && return 0
	for dep in $(modinfo -k "$kver" -F depends "$m" | tr , ' '); do
		add_mod "$dep"
	done
	initrd_mods+=("$m=$f")
}
# A -K kernel has them built in (and no /lib/modules to find them in).
if [ "$debug" = 0 ]; then
	for m in virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay; do
		add_mod "$m"
	done
fi

key=$( { echo "$init_script"; printf '%s\n' "${initrd_mods[@]}"; echo rev1; } |
	sha256sum | cut -c1-16)
if [ "$debug" = 1 ]; then
	# Same for every -K kernel: busybox and /init only.
	initrd=$cache/initramfs-nomod-$key.cpio.gz
else
	initrd=$cache/initramfs-$kver-$key.cpio.gz
fi
if [ ! -s "$initrd" ]; then
	stage=$(mktemp -d "$cache/initrd-stage.XXXXXX")
	mkdir -p "$stage/bin" "$stage/mod"
	cp /bin/busybox "$stage/bin/busybox"
	printf '%s\n' "$init_script" >"$stage/init"
	chmod 755 "$stage/init"
	: >"$stage/modules.list"
	for ent in "${initrd_mods[@]}"; do
		name=${ent%%=*} f=${ent#*=}
		case "$f" in
		*.ko.xz) xz -dc "$f" >"$stage/mod/$name.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/mod/$name.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$stage/mod/$name.ko" ;;
		*) cp "$f" "$stage/mod/$name.ko" ;;
		esac
		echo "$name" >>"$stage/modules.list"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp.$$"
	mv -f "$initrd.tmp.$$" "$initrd"
	rm -rf "$stage"
fi

mkdir -p "$cache/runs"
rundir=$(mktemp -d "$cache/runs/run.XXXXXX")
job=$rundir/job.sh
{
	printf 'KVER=%q\nSTOCK=%q\nMODULE=%q\nPARAMS=%q\nTIMEOUT=%q\nTREE=%q\nTAP=%q\n' \
		"$kver" "$stock" "${module:-}" "$params" "$timeout_s" "$tree" "$tap"
	printf 'DEBUG=%q\nNOMOD=%q\nFILES=%q\n' "$debug" "$nomod" "$files"
	printf 'HOTMEM=%q\n' "$hotmem_at"
	printf 'CMD=('; printf '%q ' "$@"; printf ')\n'
	printf 'EXTRA_ENV=('
	[ ${#extra_env[@]} -gt 0 ] && printf '%q ' "${extra_env[@]}"
	printf ')\n'
} >"$job"

console=$rundir/console.log out=$rundir/out.log verdict=$rundir/verdict.log
: >"$console"; : >"$out"; : >"$verdict"
# Time stamps (printk.time=1) tell kernel lines from CMD's output, which
# is copied to the console: the host scans the console for bad lines.
# Normal mode boots quiet (RCU stall reports were seen in boots printing
# every warning to the emulated UART on a loaded host) and the runner raises the
# console to loglevel 5 before loading the module, so that WARN reports
# reach the console whole (warning level, stack traces at the default
# level).  Debug mode prints them from boot on (KASAN, lockdep).
loglevel="quiet loglevel=4 printk.time=1"
[ "$debug" = 1 ] && loglevel="loglevel=5 printk.time=1"
# tsc=reliable: under TCG (irregular timing) the clocksource watchdog
# sometimes finds the TSC skewed against the HPET and switches the guest
# to the HPET for good; every clock read then exits to QEMU's device
# model (a profile of one such benchmark guest had read_hpet at 17% of
# the samples, its 4K random reads about 30% slower than in the boots
# that kept the TSC).  TCG's TSC follows the host's clock on every vCPU
# alike.
append="console=ttyS0 $loglevel panic=-1 oops=panic softlockup_panic=1"
append+=" mitigations=off tsc=reliable rdinit=/init zoot_job=$job"
append+=" zoot_runner=$script"
[ "$pow" = 1 ] && append+=" panic_on_warn=1"
[ "$hotmem" -gt 0 ] && append+=" memhp_default_state=offline"
[ -n "${ZOOT_APPEND:-}" ] && append+=" $ZOOT_APPEND"
host_limit=$((timeout_s + 180))
# Debug mode: slower boot, and kmemleak scans of the whole memory.
[ "$debug" = 1 ] && host_limit=$((timeout_s + 420))
# --files: that long for each file from its start (watch_files) and at
# most that much times the number of files for the boot.
file_limit=$host_limit
[ "$files" = 1 ] && host_limit=$((host_limit * $#))

memopt=$mem
# The debug kernel has no ACPI: it finds its CPUs in SeaBIOS's MP table,
# which lists one processor per package, so its guest gets one socket per
# CPU (with QEMU's default -smp N, one package of N cores, it saw 1 CPU).
smpopt=$smp
[ "$debug" = 1 ] && smpopt="$smp,sockets=$smp,cores=1,threads=1"
[ "$hotmem" -gt 0 ] && memopt="$mem,slots=2,maxmem=$((mem + hotmem))M"
# shellcheck disable=SC2054 # commas inside QEMU's option values
qemu_cmd=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max
	-m "$memopt" -smp "$smpopt" -nodefaults -no-reboot -display none
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-virtfs "local,path=$rootdir,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-serial "file:$console" -serial "file:$out" -serial "file:$verdict")
if [ "$hotmem" -gt 0 ]; then
	qemu_cmd+=(-object "memory-backend-ram,id=hotmem0,size=${hotmem}M"
		-device "pc-dimm,id=dimm0,memdev=hotmem0")
fi
if [ "$disk" -gt 0 ]; then
	truncate -s "${disk}M" "$rundir/disk.img"
	qemu_cmd+=(-drive "file=$rundir/disk.img,if=virtio,format=raw,cache=writeback,discard=unmap")
fi

# watch_files PID: --files; end the guest (SIGTERM to PID, its timeout
# process, which passes it on to QEMU) when no file has begun for
# file_limit seconds, and say so in $rundir/watchdog.
watch_files() {
	local n seen=-1 last

	while kill -0 "$1" 2>/dev/null; do
		n=$(grep -c '^GUEST-FILE begin ' "$out" || true)
		[ "$n" != "$seen" ] && seen=$n last=$(date +%s)
		if [ $(($(date +%s) - last)) -ge "$file_limit" ]; then
			echo "no file began for ${file_limit}s" >"$rundir/watchdog"
			kill -TERM "$1" 2>/dev/null
			return
		fi
		sleep 5
	done
}

# watch_boot QPID: a guest that has not reached user space (GUEST-BOOTED)
# after boot_limit seconds is stopped: seen once under a heavy load, a
# debug kernel stuck for 25 minutes after "tsc: Unable to calibrate
# against PIT", at 0.06 s of its boot.
boot_limit=150
[ "$debug" = 1 ] && boot_limit=400
boot_limit=${ZRAM_OOT_BOOT_LIMIT:-$boot_limit}
watch_boot() {
	local t=0

	while kill -0 "$1" 2>/dev/null; do
		grep -q GUEST-BOOTED "$verdict" && return
		if [ "$t" -ge "$boot_limit" ]; then
			echo "no user space after ${boot_limit}s" >"$rundir/bootwatch"
			kill -TERM "$1" 2>/dev/null
			return
		fi
		sleep 2
		t=$((t + 2))
	done
}

# A kernel that dies or hangs before user space never ran our code: under
# TCG that is the emulator (seen once: an int3 oops in sched_clock_cpu
# while the kernel patched its own text at 1 s; and the hang above).  Such
# a boot is retried once, and said so; anything later counts.
for attempt in 1 2; do
	start=$(date +%s)
	timeout -s KILL "$host_limit" "${qemu_cmd[@]}" </dev/null >"$rundir/qemu.log" 2>&1 &
	qpid=$!
	tail -n +1 -f --pid="$qpid" "$out" 2>/dev/null | tr -d '\r' &
	tpid=$!
	wpid=''
	if [ "$files" = 1 ]; then
		watch_files "$qpid" &
		wpid=$!
	fi
	watch_boot "$qpid" &
	bpid=$!
	set +e
	wait "$qpid"
	qrc=$?
	wait "$tpid"
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid"
	kill "$bpid" 2>/dev/null
	wait "$bpid"
	set -e
	elapsed=$(($(date +%s) - start))
	grep -q GUEST-BOOTED "$verdict" && break
	[ "$attempt" = 2 ] && break
	if [ -s "$rundir/bootwatch" ]; then
		echo "$prog: the kernel hung before user space ($(cat "$rundir/bootwatch")), booting again; its console ends:" >&2
		tr -d '\r' <"$console" | tail -n 3 | sed 's/^/console| /' >&2
		rm -f "$rundir/bootwatch"
		: >"$console"; : >"$out"; : >"$verdict"
		continue
	fi
	echo "$prog: the kernel died before user space (qemu rc=$qrc), booting again; its console:" >&2
	tr -d '\r' <"$console" | grep -E 'Oops|RIP:|panic' | head -n 5 | sed 's/^/console| /' >&2
	: >"$console"; : >"$out"; : >"$verdict"
done

save_log() {
	[ -n "$logfile" ] || return 0
	{
		tr -d '\r' <"$console"
		echo "==== qemu stderr/stdout"
		cat "$rundir/qemu.log"
		echo "==== verdict port"
		tr -d '\r' <"$verdict"
	} >"$logfile"
}

line=$(tr -d '\r' <"$verdict" | grep -E '^GUEST-RESULT rc=[0-9]+$' | tail -n1 || true)
if [ -z "$line" ]; then
	save_log
	if [ -s "$rundir/bootwatch" ]; then
		why="twice $(cat "$rundir/bootwatch"): the kernel hung at boot"
	elif [ -s "$rundir/watchdog" ]; then
		why="host timeout after ${elapsed}s ($(cat "$rundir/watchdog")): guest hung"
	elif [ "$qrc" = 137 ]; then
		why="host timeout after ${elapsed}s (limit ${host_limit}s): guest hung"
	else
		why="guest ended without a verdict after ${elapsed}s (qemu rc=$qrc): crash/panic?"
	fi
	echo "$prog: FAIL: $why" >&2
	echo "$prog: ---- console ($kver) ----" >&2
	tr -d '\r' <"$console" | tail -n 200 | sed 's/^/console| /' >&2
	echo "$prog: ---- qemu ----" >&2
	tail -n 20 "$rundir/qemu.log" >&2
	echo "$prog: run directory kept: $rundir" >&2
	exit 98
fi
rc=${line#GUEST-RESULT rc=}
save_log
# The whole console log, from boot to power-off: the guest's own scan
# reads the ring buffer once at the end, which may have wrapped or been
# cleared by then.  Kernel lines only (time stamp first; CMD's output is
# on the console too), same patterns, up to the runner's "end of the run"
# (after it the guest powers off and init's exit panics).
# console_bad [FILE]: the bad kernel lines of the console log; --files:
# of FILE's part, from the guest's "begin FILE" to the next file's (the
# first file's part starts at boot, the last one's ends with the run).
console_bad() {
	tr -d '\r' <"$console" | sed "/\] $prog: end of the run\$/q" |
		grep -oE '\[ *[0-9]+\.[0-9]+\] .*' |
		awk -v want="${1:-}" -v cur="${1:+$first_file}" -v begin="] $prog: begin " '
			i = index($0, begin) { cur = substr($0, i + length(begin)) }
			cur == want' |
		grep -Eiv "$BAD_LOG_IGNORE_RE" | grep -E "$BAD_LOG_RE" || true
}
# console_check [FILE]: its TAP line; sets rc on a bad line.
console_check() {
	local bad

	bad=$(console_bad "$@")
	if [ -n "$bad" ]; then
		[ "$tap" = 1 ] && echo "not ok - harness: console log clean"
		echo "$prog: the console log shows problems${1:+ while $1 ran}:" >&2
		printf '%s\n' "$bad" | head -n 40 | sed 's/^/console| /' >&2
		[ "$rc" = 0 ] && rc=72
	else
		[ "$tap" = 1 ] && echo "ok - harness: console log clean"
	fi
	return 0
}
if [ "$files" = 1 ]; then
	# Each file that began, under "GUEST-FILE host FILE".
	first_file=$1
	while IFS= read -r f; do
		echo "GUEST-FILE host $f"
		console_check "$f"
	done < <(tr -d '\r' <"$out" | sed -n 's/^GUEST-FILE begin //p')
	echo "GUEST-FILE boot"
else
	console_check
fi
if [ "$rc" != 0 ]; then
	echo "$prog: FAIL: guest reported rc=$rc after ${elapsed}s ($kver)" >&2
	echo "$prog: ---- console ($kver) ----" >&2
	tr -d '\r' <"$console" | tail -n 200 | sed 's/^/console| /' >&2
	if [ -z "$logfile" ]; then
		echo "$prog: run directory kept: $rundir" >&2
	else
		echo "$prog: full console log: $logfile" >&2
	fi
	exit "$rc"
fi
rm -rf "$rundir"
exit 0
