#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What "make check" runs.
#
# Usage: scripts/check.sh [--stock] [-k KVER]... [-t TEST]... [-j unused]
#   --stock   test Debian's own zram.ko (no build, no style check)
#   -k KVER   only this kernel (repeatable; default: every supported kernel)
#   -t TEST   only tests/TEST.sh (name with or without .sh; repeatable)
#
# Steps: make all-kernels, make style (checkpatch over *.c *.h, one test
# case), then every tests/*.sh in a fresh guest (scripts/guest-run.sh) on
# every kernel, sequentially.  Each TAP line is printed prefixed with the
# kernel; a guest that crashes, hangs or fails to unload counts as a failure
# of that file.  The last line is "N passed, N failed, N skipped" (TODO
# cases of --stock runs, known stock differences, count as skipped).
# Exit 0 iff nothing failed.  Guest console logs: $ZRAM_OOT_CACHE/logs/.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(dirname "$script_dir")
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

stock=0 kvers=() tests=()
while [ $# -gt 0 ]; do
	case "$1" in
	--stock) stock=1; shift ;;
	-k) kvers+=("$2"); shift 2 ;;
	-t) tests+=("${2%.sh}"); shift 2 ;;
	-h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "check: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ ${#kvers[@]} -gt 0 ] || mapfile -t kvers < <(zoot_kernels)
[ ${#kvers[@]} -gt 0 ] || { echo "check: no supported kernel installed" >&2; exit 2; }
if [ ${#tests[@]} -eq 0 ]; then
	for f in "$tree"/tests/[0-9]*.sh; do
		t=$(basename "$f"); tests+=("${t%.sh}")
	done
fi

pass=0 fail=0 skipped=0
cache=$(zoot_cache_dir)
logdir=$cache/logs
mkdir -p "$logdir"

# count LINE: classify one TAP line.
count() {
	case "$1" in
	*"# SKIP"*|*"# TODO"*) skipped=$((skipped + 1)) ;;
	"not ok"*) fail=$((fail + 1)) ;;
	"ok"*) pass=$((pass + 1)) ;;
	esac
}

cd "$tree" || exit 2
if [ "$stock" = 0 ]; then
	echo "== build: make all-kernels"
	if make -s all-kernels KVERS="${kvers[*]}"; then
		echo "ok - build: make all-kernels (${kvers[*]})"; count "ok"
	else
		echo "not ok - build: make all-kernels"; count "not ok"
		echo "$pass passed, $fail failed, $skipped skipped"
		exit 1
	fi
	echo "== style: make style"
	if make -s style; then
		echo "ok - style: checkpatch clean"; count "ok"
	else
		echo "not ok - style: checkpatch clean"; count "not ok"
	fi
fi

hog=$(zoot_build_hog "$tree") || { echo "check: cannot build tests/memhog.c" >&2; hog=''; }

for k in "${kvers[@]}"; do
	for t in "${tests[@]}"; do
		f=tests/$t.sh
		if [ ! -f "$f" ]; then
			echo "[$k] not ok - $t: no such test"; count "not ok"; continue
		fi
		log=$logdir/$k-$t.log
		args=(-k "$k" --tap -l "$log" -e "ZRAM_TEST_HOG=$hog")
		[ "$stock" = 1 ] && args+=(--stock)
		echo "== [$k] $t"
		start=$(date +%s)
		file_fail=0 seen=0
		while IFS= read -r line; do
			case "$line" in
			ok*|"not ok"*)
				echo "[$k] $t: $line"
				count "$line"
				seen=$((seen + 1))
				case "$line" in
				*"# TODO"*|*"# SKIP"*) ;;
				"not ok"*) file_fail=1 ;;
				esac ;;
			*) echo "[$k] $t| $line" ;;
			esac
		done < <("$script_dir/guest-run.sh" "${args[@]}" -- "$f" 2>&1)
		# The verdict line in the log decides, not a pipe's status.
		if ! grep -q '^GUEST-RESULT rc=0$' "$log" 2>/dev/null && [ "$file_fail" = 0 ]; then
			echo "[$k] not ok - $t: guest run failed (crash, hang, rmmod or kernel log; see $log)"
			count "not ok"
		fi
		[ "$seen" -gt 0 ] || { echo "[$k] not ok - $t: no test output"; count "not ok"; }
		echo "== [$k] $t: $(($(date +%s) - start))s"
	done
done

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
