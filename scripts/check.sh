#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What "make check" runs.
#
# Usage: scripts/check.sh [--stock] [-k KVER]... [-t TEST]...
#                        [--no-kunit] [--no-debug] [--debug-only] [--no-deps]
#   --stock       test Debian's own zram.ko (no build, no style check, no
#                 KUnit, no debug guest)
#   -k KVER       only this Debian kernel (repeatable; default: every
#                 supported kernel)
#   -t TEST       only tests/TEST.sh (name with or without .sh; repeatable;
#                 applies to the debug guest too); "-t pkg" is the package
#                 test (scripts/pkg-test.sh)
#   --no-kunit    skip the KUnit suites (scripts/kunit.sh)
#   --no-debug    skip the integration tests in the debug guest
#   --debug-only  only KUnit and the debug guest ("make check-debug")
#   --no-deps     do not run scripts/install-deps.sh first (as root, or
#                 through "sudo -n"; it returns at once when all is installed)
#   -j N          guests at once (default 2, or $ZRAM_CHECK_JOBS).  On the
#                 2-core machine each guest then runs about 1.9x slower,
#                 so two lanes save only 10-16% of the wall time; each
#                 boot's lines are printed together when it ends, in the
#                 order the boots started
#
# Guests: the test files share guest boots (scripts/guest-run.sh --files),
# one after the other, each with the module freshly loaded and unloaded
# after it.  Files whose header asks for more of the guest ("# guest-args:
# -H 256", tests/13-migrate.sh) get a boot of their own (one for each such
# line); the others are spread over the N lanes, longest first by
# tests/durations, each lane one boot a kernel.  Each file's lines are
# printed together, with its time ("== [LABEL] FILE: Ns", by the guest's
# clock), then the boot's own lines and time.
#
# Steps: make all-kernels and, at the same time, make style (checkpatch
# over *.c *.h, one test case); tests/memhog.c and tests/inputs.py's
# data made on the host for every guest.  Then every tests/*.sh in guests
# (scripts/guest-run.sh) on every Debian kernel, -j N at a time, with the
# package test as one more lane's work (scripts/pkg-test.sh: make deb,
# install into a throw-away root, guests on every Debian kernel booted
# with it, one at a time; not with --stock).  Then the debug kernel
# (scripts/build-debug-kernel.sh: KASAN, lockdep, kmemleak; built once and
# cached, about 11 min on 2 cores; not beside the guests: they leave the
# two cores idle 0.1% of the time), and in the same lanes the KUnit
# suites (scripts/kunit.sh, one guest; each KUnit case counts as one
# test) and the tests/*.sh again in the debug guest (guest-run.sh -K;
# not those whose header says "# debug-guest: no", unless named by -t),
# where a KASAN, lockdep, BUG or WARN line in the kernel log while a file
# ran fails the file, and a kmemleak report after a boot's last file
# fails the boot ("[debug] boot(A+B): ...").
# Each TAP line is printed prefixed with the kernel ([kunit], [debug] for
# the debug kernel) and the file; a file that fails to unload the module,
# or in which the guest crashes or hangs, counts as failed, and so does
# each file of its boot that then never ran.  A W=1 warning of "make
# all-kernels" is a failed case.  Against our module, a "# SKIP" line
# counts as a failure unless tests/skips.allow lists it (--stock runs
# may skip; KUnit skips fail in scripts/kunit.sh).  The last line is "N
# passed, N failed, N skipped" (TODO cases of --stock runs, known stock
# differences, and the allowed skips count as skipped).  Exit 0 iff
# nothing failed.  Phase times: "== time: PHASE Ns"; guest console logs,
# one a boot: $ZRAM_OOT_CACHE/logs/KVER-A+B.log (debug guest:
# dbg-A+B.log, A and B the boot's files).
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(dirname "$script_dir")
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

stock=0 kvers=() tests=() kunit=1 debug=1 debian=1 deps=1
jobs=${ZRAM_CHECK_JOBS:-2}
while [ $# -gt 0 ]; do
	case "$1" in
	--stock) stock=1; kunit=0; debug=0; shift ;;
	-k) [ $# -ge 2 ] || { echo "check: -k needs a value" >&2; exit 2; }
	    kvers+=("$2"); shift 2 ;;
	-t) [ $# -ge 2 ] || { echo "check: -t needs a value" >&2; exit 2; }
	    tests+=("${2%.sh}"); shift 2 ;;
	--no-kunit) kunit=0; shift ;;
	--no-debug) debug=0; shift ;;
	--debug-only) debian=0; shift ;;
	--no-deps) deps=0; shift ;;
	-j) [ $# -ge 2 ] || { echo "check: -j needs a value" >&2; exit 2; }
	    jobs=$2; shift 2 ;;
	-h|--help) sed -n '3,61p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "check: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "check: -j takes a number > 0" >&2; exit 2; }
if [ "$deps" = 1 ]; then
	zoot_install_deps || { echo "check: scripts/install-deps.sh failed" >&2; exit 2; }
fi
if [ "$debian" = 0 ]; then
	[ "$stock" = 0 ] || { echo "check: --stock and --debug-only exclude each other" >&2; exit 2; }
	[ ${#kvers[@]} -eq 0 ] || { echo "check: -k and --debug-only exclude each other" >&2; exit 2; }
else
	[ ${#kvers[@]} -gt 0 ] || mapfile -t kvers < <(zoot_kernels)
	[ ${#kvers[@]} -gt 0 ] || { echo "check: no supported kernel installed" >&2; exit 2; }
fi
pkg=0
named=${#tests[@]}
if [ ${#tests[@]} -eq 0 ]; then
	for f in "$tree"/tests/[0-9]*.sh; do
		t=$(basename "$f"); tests+=("${t%.sh}")
	done
	[ "$stock" = 0 ] && [ "$debian" = 1 ] && pkg=1
else
	# "-t pkg" selects the package test, not a tests/pkg.sh.
	for i in "${!tests[@]}"; do
		[ "${tests[$i]}" = pkg ] && { pkg=1; unset "tests[$i]"; }
	done
	tests=("${tests[@]}")
	# Our package on Debian kernels only.
	[ "$stock" = 0 ] && [ "$debian" = 1 ] || pkg=0
fi

pass=0 fail=0 skipped=0
cache=$(zoot_cache_dir)
logdir=$cache/logs
mkdir -p "$logdir"

# skip_allowed LABEL TEST LINE: a "# SKIP" line of tests/TEST.sh (or of
# the harness in its run) in the guest LABEL (a kernel release, or debug)
# that tests/skips.allow lists for runs against our module.  Runs against
# stock zram (--stock) may skip anything.
skip_allowed() {
	local label=$1 t=$2 line=$3 name re

	[ "$stock" = 1 ] && return 0
	[ -r "$tree/tests/skips.allow" ] || return 1
	while IFS=$'\t' read -r name re; do
		case "$name" in ''|'#'*) continue ;; esac
		[ "$name" = "$t" ] || [ "$name" = "$label:$t" ] || continue
		[ -n "$re" ] &&
			[[ "${line#*# SKIP }" =~ $re ]] && return 0
	done <"$tree/tests/skips.allow"
	return 1
}

# count LINE: classify one TAP line.  Failed lines are kept, prefixed
# with $ctx (the guest and test file), for the list before the summary.
ctx='' failures=()
count() {
	case "$1" in
	*"# SKIP"*|*"# TODO"*) skipped=$((skipped + 1)) ;;
	"not ok"*) fail=$((fail + 1)); failures+=("$ctx$1") ;;
	"ok"*) pass=$((pass + 1)) ;;
	esac
}

# phase NAME: print how long the previous phase took, start timing NAME.
phase_name='' phase_start=0 t_all=$(date +%s)
phase() {
	local now

	now=$(date +%s)
	[ -n "$phase_name" ] &&
		echo "== time: $phase_name $((now - phase_start))s"
	phase_name=$1 phase_start=$now
}

# tap_line LABEL TEST LINE: print and count one TAP line of tests/TEST.sh
# (or of its boot: TEST "boot(A+B)") in the guest LABEL, into the
# buffer text[TEST]; sets file_fail[TEST] when it fails.
tap_line() {
	local label=$1 t=$2 line=$3

	ctx="[$label] $t: "
	text[$t]+="[$label] $t: $line"$'\n'
	case "$line" in
	*"# SKIP"*)
		if skip_allowed "$label" "$t" "$line"; then
			count "$line"
		else
			text[$t]+="[$label] not ok - $t: unexpected skip (not in tests/skips.allow): $line"$'\n'
			count "not ok"
			file_fail[$t]=1
		fi ;;
	*"# TODO"*) count "$line" ;;
	"not ok"*) count "$line"; file_fail[$t]=1 ;;
	*) count "$line" ;;
	esac
	ctx=''
}

# not_ok LABEL TEST WHY: a failure the harness found, into text[TEST].
not_ok() {
	text[$2]+="[$1] not ok - $2: $3"$'\n'
	ctx="[$1] $2: "
	count "not ok - $3"
	ctx='' file_fail[$2]=1
}

# run_boot LABEL LOG GUEST-RUN-ARGS... -- TEST...: the files tests/TEST.sh
# one after the other in one guest (guest-run.sh --files, which marks
# where each begins and ends).  Each file's TAP lines are printed together
# as "[LABEL] TEST: ...", with its time (the guest's clock); the lines of
# the boot itself (the kmemleak check of a debug boot, the host's
# messages) as "[LABEL] boot(A+B): ...".  A file counts as failed when a
# line of it failed, its exit status is not 0 (a time-out, say), it said
# nothing, or the guest died or hung while it ran or before it began.
run_boot() {
	local label=$1 log=$2 t f line cur boot start args=() names=() files=()
	local -A text=() file_fail=() seen=() began=() ended=() secs=()

	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for t in "$@"; do
		if [ -f "tests/$t.sh" ]; then
			names+=("$t") files+=("tests/$t.sh")
		else
			echo "[$label] not ok - $t: no such test"; count "not ok"
		fi
	done
	[ ${#names[@]} -gt 0 ] || return 0
	boot="boot($(IFS=+; echo "${names[*]}"))"
	echo "== [$label] $boot: one guest, log $log"
	start=$(date +%s) cur=$boot
	while IFS= read -r line; do
		case "$line" in
		"GUEST-FILE begin tests/"*.sh|"GUEST-FILE host tests/"*.sh)
			f=${line##*/} cur=${f%.sh} began[$cur]=1; continue ;;
		"GUEST-FILE end tests/"*.sh" rc="*" secs="*)
			f=${line#GUEST-FILE end tests/} f=${f%%.sh *}
			ended[$f]=${line##* rc=} ended[$f]=${ended[$f]%% *}
			secs[$f]=${line##*secs=} cur=$boot; continue ;;
		"GUEST-FILE boot") cur=$boot; continue ;;
		ok*|"not ok"*)
			seen[$cur]=1
			tap_line "$label" "$cur" "$line" ;;
		*) text[$cur]+="[$label] $cur| $line"$'\n' ;;
		esac
	done < <("$script_dir/guest-run.sh" "${args[@]}" --tap --files -l "$log" -- "${files[@]}" 2>&1)
	for t in "${names[@]}"; do
		if [ -z "${began[$t]:-}" ]; then
			not_ok "$label" "$t" "not run: the guest ended before it began (see $log)"
		elif [ -z "${ended[$t]:-}" ]; then
			not_ok "$label" "$t" "guest crashed or hung while it ran (see $log)"
		elif [ "${ended[$t]}" != 0 ] && [ -z "${file_fail[$t]:-}" ]; then
			not_ok "$label" "$t" "exit status ${ended[$t]} (time-out, rmmod or kernel log; see $log)"
		fi
		[ -n "${seen[$t]:-}" ] || [ -z "${began[$t]:-}" ] ||
			not_ok "$label" "$t" "no test output"
		echo "== [$label] $t"
		printf '%s' "${text[$t]:-}"
		[ -n "${secs[$t]:-}" ] && echo "== [$label] $t: ${secs[$t]}s"
	done
	# The verdict line in the log decides for the boot, not a pipe's status.
	if ! grep -q '^GUEST-RESULT rc=0$' "$log" 2>/dev/null && [ ${#file_fail[@]} = 0 ]; then
		not_ok "$label" "$boot" "guest run failed (crash, hang or kmemleak; see $log)"
	fi
	printf '%s' "${text[$boot]:-}"
	echo "== [$label] $boot: $(($(date +%s) - start))s (boot and teardown included)"
}

cd "$tree" || exit 2
if [ "$stock" = 0 ] && [ "$debian" = 1 ]; then
	# make style (checkpatch, kernel-doc, shellcheck: one core) runs
	# beside make all-kernels (one compiler at a time); its output is
	# printed after the build's.
	phase "build and style"
	mkdir -p "$tree/build"
	slog=$tree/build/style.log
	make -s style >"$slog" 2>&1 &
	spid=$!
	echo "== build: make all-kernels"
	# W=1: a compiler or modpost warning is a failed case of its own.
	blog=$tree/build/all-kernels.log
	if make -s all-kernels KVERS="${kvers[*]}" >"$blog" 2>&1; then
		cat "$blog"
		echo "ok - build: make all-kernels (${kvers[*]})"; count "ok"
	else
		cat "$blog"
		echo "not ok - build: make all-kernels"; count "not ok"
		wait "$spid"
		echo "$pass passed, $fail failed, $skipped skipped"
		exit 1
	fi
	if grep -qiE 'warning:' "$blog"; then
		echo "not ok - build: W=1 warnings (compiler or modpost; $blog)"
		grep -iE -A3 'warning:' "$blog" | head -n 40 | sed 's/^/# /'
		count "not ok"
	else
		echo "ok - build: no W=1 warnings"; count "ok"
	fi
	echo "== style: make style"
	wait "$spid"
	src=$?
	cat "$slog"
	if [ "$src" = 0 ]; then
		echo "ok - style: checkpatch clean"; count "ok"
	else
		echo "not ok - style: checkpatch clean"; count "not ok"
	fi
fi

hog=$(zoot_build_hog "$tree") || { echo "check: cannot build tests/memhog.c" >&2; hog=''; }
blkop=$(zoot_build_tool "$tree" blkop) || { echo "check: cannot build tests/blkop.c" >&2; blkop=''; }

# The tests' data from files of the host root (tests/inputs.py), made
# once here for every guest of this run, as one tar file per kind: in a
# guest each file of the host root costs 9p round trips (tests/lib.sh
# test_input makes them there when this fails).  Left-overs of runs that
# were killed go after a day.
find "$cache" -maxdepth 1 -name 'inputs.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null
inputs=$cache/inputs.$$
trap 'rm -rf "$inputs"' EXIT
for k in mixed texts; do
	python3 tests/inputs.py "$k" "$inputs/$k" &&
		tar -cf "$inputs/$k.tar" -C "$inputs/$k" . &&
		rm -rf "${inputs:?}/$k" ||
		echo "check: tests/inputs.py $k failed; the guests make it" >&2
done

# guest_args TEST: what tests/TEST.sh asks of its guest in one line of its
# header, "# guest-args: -H 256" (guest-run.sh options -H, -M and -s only).
guest_args() {
	local f=tests/$1.sh ga

	ga=$(sed -n 's/^# guest-args: //p' "$f" 2>/dev/null | head -n 1)
	if [[ -n "$ga" && ! "$ga" =~ ^(-[HMs]\ [0-9]+\ ?)+$ ]]; then
		echo "check: $f: bad '# guest-args: $ga'" >&2
		ga=''
	fi
	echo "$ga"
}

# est KIND TEST: seconds tests/TEST.sh took in the last measured make
# check (tests/durations; KIND debian or debug), 60 when it is not listed.
est() {
	local s

	s=$(awk -v t="$2" -v c="$([ "$1" = debug ] && echo 3 || echo 2)" \
		'$1 == t { print $c; exit }' tests/durations 2>/dev/null)
	[[ "$s" =~ ^[0-9]+$ ]] && echo "$s" || echo 60
}

# plan_boots KIND [+ITEM]... LABEL... -- TEST...: queue every tests/TEST.sh
# for run_queue on each guest LABEL (a kernel release, or debug), in few
# boots and lanes balanced.  The files of a LABEL with the same guest-args
# share a boot of their own; the others go, longest first (est KIND), to
# the lane ($jobs of them) with the least work so far, and share that
# lane's boot of their LABEL.  A +ITEM (pkg, kunit) is a lane's work of
# its own (run_ITEM; est KIND ITEM).  Boots and items are queued longest
# first, a boot's files in name order.  For LABEL number i (0, 1, ...)
# the array gargs_i holds the guest-run arguments and logs_i the prefix
# of the console logs.
plan_boots() {
	local kind=$1 li t ga u lane key l e
	local labels=() units=() load=() order=() keys=() tf=()
	local -A uest=() uli=() uga=() ufiles=() bfiles=() best=() bli=() bga=()

	shift
	while [[ "$1" = +* ]]; do
		u=${1#+}
		units+=("$u") uest[$u]=$(est "$kind" "$u") uga[$u]=item
		shift
	done
	while [ "$1" != -- ]; do labels+=("$1"); shift; done
	shift
	for ((li = 0; li < ${#labels[@]}; li++)); do
		for t in "$@"; do
			ga=$(guest_args "$t")
			e=$(est "$kind" "$t")
			if [ -n "$ga" ]; then
				u="$li:${ga// /_}"
			else
				u="$li:$t"
			fi
			[ -n "${uest[$u]:-}" ] || units+=("$u")
			uest[$u]=$((${uest[$u]:-0} + e)) uli[$u]=$li uga[$u]=$ga
			ufiles[$u]+=" $t"
		done
	done
	for ((l = 0; l < jobs; l++)); do load[l]=0; done
	mapfile -t order < <(for u in "${units[@]}"; do echo "${uest[$u]} $u"; done |
		sort -k1,1nr -s | cut -d' ' -f2)
	for u in "${order[@]}"; do
		lane=0
		for ((l = 1; l < jobs; l++)); do
			[ "${load[l]}" -lt "${load[lane]}" ] && lane=$l
		done
		load[lane]=$((load[lane] + uest[$u]))
		if [ "${uga[$u]}" = item ]; then
			keys+=("$u") best[$u]=${uest[$u]}
			continue
		elif [ -n "${uga[$u]}" ]; then
			key=$u
		else
			key="${uli[$u]}:lane$lane"
		fi
		[ -n "${best[$key]:-}" ] || keys+=("$key")
		bfiles[$key]+="${ufiles[$u]}" best[$key]=$((${best[$key]:-0} + uest[$u]))
		bli[$key]=${uli[$u]} bga[$key]=${uga[$u]}
	done
	mapfile -t order < <(for key in "${keys[@]}"; do echo "${best[$key]} $key"; done |
		sort -k1,1nr -s | cut -d' ' -f2)
	for key in "${order[@]}"; do
		if [ "${uga[$key]:-}" = item ]; then
			queue+=("run_$key")
			continue
		fi
		li=${bli[$key]}
		local -n garg="gargs_$li" glog="logs_$li"
		# shellcheck disable=SC2206 # one word a file
		tf=(${bfiles[$key]})
		mapfile -t tf < <(printf '%s\n' "${tf[@]}" | sort)
		# shellcheck disable=SC2086 # word splitting of the options wanted
		queue+=("run_boot $(printf '%q ' "${labels[$li]}" \
			"$glog$(IFS=+; echo "${tf[*]}").log" "${garg[@]}" ${bga[$key]} -- "${tf[@]}")")
		unset -n garg glog
	done
}

# run_queue: every queued command (run_boot ..., run_pkg, run_kunit), $jobs
# at a time, each in a subshell
# whose output and counts go to files; printed and counted in queue order.
# shellcheck disable=SC2030,SC2031 # the subshells' counts come back by file
run_queue() {
	local qdir i next=0 head=0 running=0 n=${#queue[@]} p f s fl

	qdir=$(mktemp -d "${TMPDIR:-/tmp}/zram-check.XXXXXX")
	while [ "$head" -lt "$n" ]; do
		while [ "$running" -lt "$jobs" ] && [ "$next" -lt "$n" ]; do
			i=$next
			(
				pass=0 fail=0 skipped=0 failures=()
				eval "${queue[$i]}" >"$qdir/$i.out" 2>&1
				printf '%s\n' "${failures[@]}" >"$qdir/$i.fail"
				echo "$pass $fail $skipped" >"$qdir/$i.tmp"
				mv "$qdir/$i.tmp" "$qdir/$i.cnt"
			) &
			next=$((next + 1)) running=$((running + 1))
		done
		wait -n
		# Print and count every finished file at the head of the queue.
		while [ "$head" -lt "$n" ] && [ -e "$qdir/$head.cnt" ]; do
			cat "$qdir/$head.out"
			read -r p f s <"$qdir/$head.cnt"
			pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
			while IFS= read -r fl; do
				[ -n "$fl" ] && failures+=("$fl")
			done <"$qdir/$head.fail"
			head=$((head + 1))
		done
		# Lanes in use: started files that have not ended.
		running=0
		for ((i = head; i < next; i++)); do
			[ -e "$qdir/$i.cnt" ] || running=$((running + 1))
		done
	done
	wait
	rm -rf "$qdir"
	queue=()
}

# run_pkg: the package test (scripts/pkg-test.sh: make deb, apt-get
# install into a throw-away root, guests), a lane of its own: it runs one
# guest at a time, and its host work (dkms builds, apt, depmod) leaves a
# core for the other lane.
run_pkg() {
	local start pargs=() pfail=$fail prc='' line k

	start=$(date +%s)
	echo "== [pkg] scripts/pkg-test.sh"
	for k in "${kvers[@]}"; do pargs+=(-k "$k"); done
	while IFS= read -r line; do
		case "$line" in
		"pkg-test.sh exit status "*) prc=${line##* }; continue ;;
		ok*|"not ok"*) count "$line" ;;
		"["*"] pkg-"*": ok"*|"["*"] pkg-"*": not ok"*) count "${line#*: }" ;;
		esac
		echo "$line"
	done < <("$script_dir/pkg-test.sh" "${pargs[@]}" 2>&1; echo "pkg-test.sh exit status $?")
	if [ "$prc" != 0 ] && [ "$fail" = "$pfail" ]; then
		echo "not ok - pkg: scripts/pkg-test.sh exit status $prc with no failure counted"
		count "not ok"
	fi
	echo "== [pkg] scripts/pkg-test.sh: $(($(date +%s) - start))s"
}

# run_kunit: the KUnit suites (scripts/kunit.sh, one guest), a lane of its
# own beside the debug guests.  kunit.sh ends with its own "N passed, N
# failed, N skipped" line, counted into ours; its exit status must agree.
run_kunit() {
	local start kline='' krc='' line kp kf ks

	start=$(date +%s)
	echo "== [kunit] scripts/kunit.sh"
	while IFS= read -r line; do
		case "$line" in
		"kunit.sh exit status "*) krc=${line##* }; continue ;;
		esac
		echo "[kunit] $line"
		case "$line" in
		"not ok"*|*" not ok "*) failures+=("[kunit] $line") ;;
		esac
		if [[ "$line" =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
			kline=$line
		fi
	done < <(ZRAM_KUNIT_KDIR=$kdir "$script_dir/kunit.sh" 2>&1; echo "kunit.sh exit status $?")
	if [ -z "$kline" ]; then
		echo "[kunit] not ok - kunit: no result line (exit status $krc)"
		count "not ok"
	else
		read -r kp _ kf _ ks _ <<<"$kline"
		pass=$((pass + kp)) fail=$((fail + kf)) skipped=$((skipped + ks))
		if [ "$kf" = 0 ] && [ "$krc" != 0 ]; then
			echo "[kunit] not ok - kunit: exit status $krc with no failure counted"
			count "not ok"
		fi
	fi
	echo "== [kunit] scripts/kunit.sh: $(($(date +%s) - start))s"
}

if [ "$debian" = 1 ]; then
	if [ "$pkg" = 1 ]; then
		phase "tests on ${kvers[*]} and the package test"
	else
		phase "tests on ${kvers[*]}"
	fi
	for ki in "${!kvers[@]}"; do
		k=${kvers[$ki]}
		declare -a "gargs_$ki=()"
		declare -n ga="gargs_$ki"
		ga=(-k "$k" -e "ZRAM_TEST_HOG=$hog" -e "ZRAM_TEST_BLKOP=$blkop"
			-e "ZRAM_TEST_INPUTS=$inputs")
		[ "$stock" = 1 ] && ga+=(--stock)
		unset -n ga
		declare "logs_$ki=$logdir/$k-"
	done
	items=()
	[ "$pkg" = 1 ] && items+=(+pkg)
	plan_boots debian "${items[@]}" "${kvers[@]}" -- "${tests[@]}"
	run_queue
fi

# The debug kernel: built (or reused) once for KUnit and the debug guest.
kdir=''
if [ "$kunit" = 1 ] || [ "$debug" = 1 ]; then
	phase "debug kernel (build or reuse)"
	echo "== debug kernel: scripts/build-debug-kernel.sh"
	if kdir=$(zoot_debug_kdir); then
		echo "ok - build: debug kernel $(zoot_kdir_release "$kdir")"; count "ok"
	else
		echo "not ok - build: debug kernel (scripts/build-debug-kernel.sh)"
		count "not ok"
		kdir=''
	fi
fi

# KUnit (run_kunit) and the integration tests in the debug guest, module
# built against it, in the same lanes.
if [ -n "$kdir" ]; then
	items=() dtests=()
	[ "$kunit" = 1 ] && items+=(+kunit)
	if [ "$debug" = 1 ]; then
		phase "debug module build"
		echo "== [debug] build: zram.ko against $kdir (build/dbg, W=1)"
		if dbg_mod=$(zoot_build_shadow "$tree" "$kdir" "$tree/build/dbg"); then
			echo "[debug] ok - build: zram.ko W=1 clean"; count "ok"
			# shellcheck disable=SC2034 # read by plan_boots
			gargs_0=(-K "$kdir" -m "$dbg_mod" -e "ZRAM_TEST_HOG=$hog"
				 -e "ZRAM_TEST_BLKOP=$blkop" -e "ZRAM_TEST_INPUTS=$inputs")
			# shellcheck disable=SC2034
			logs_0=$logdir/dbg-
			# A file whose header says "# debug-guest: no" checks
			# formats and tools the Debian guests check, through
			# no kernel path of its own: not here, unless named.
			for t in "${tests[@]}"; do
				if [ "$named" = 0 ] &&
					grep -q '^# debug-guest: no' "tests/$t.sh" 2>/dev/null; then
					echo "[debug] $t: not in the debug guest (its header)"
					continue
				fi
				dtests+=("$t")
			done
		else
			echo "[debug] not ok - build: zram.ko against the debug kernel"
			count "not ok"
		fi
	fi
	if [ ${#items[@]} -gt 0 ] || [ ${#dtests[@]} -gt 0 ]; then
		case "$kunit${#dtests[@]}" in
		10) phase "kunit" ;;
		1*) phase "kunit and tests in the debug guest" ;;
		*) phase "tests in the debug guest" ;;
		esac
		plan_boots debug "${items[@]}" debug -- "${dtests[@]}"
		run_queue
	fi
fi
phase ''
echo "== time: total $(($(date +%s) - t_all))s"

# What failed, again, so that the end of a long log says it.
if [ ${#failures[@]} -gt 0 ]; then
	echo "== failed:"
	printf '%s\n' "${failures[@]}" | head -n 50
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
