#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make soak": tests/12-torture.sh at a large scale (tens of minutes, not
# in CI) on every supported Debian kernel and in the debug guest (KASAN,
# lockdep, kmemleak, failslab/fail_page_alloc), then the figures the
# README reports.
#
# Usage: scripts/soak.sh [-S SCALE] [-k KVER]... [--no-debug] [--debug-only]
#   -S SCALE      ZRAM_TORTURE_SCALE (default 10; 1 is the make check size)
#   -k KVER       only this Debian kernel (repeatable)
#   --no-debug    skip the debug guest;  --debug-only: only the debug guest
# Guest time limit: 300 s + 240 s per scale step (x4 in the debug guest).
# Logs: $ZRAM_OOT_CACHE/logs/soak-LABEL.log.  Exit 0 iff every run passed.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(dirname "$script_dir")
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

scale=10 kvers=() debug=1 debian=1
while [ $# -gt 0 ]; do
	case "$1" in
	-S) scale=$2; shift 2 ;;
	-k) kvers+=("$2"); shift 2 ;;
	--no-debug) debug=0; shift ;;
	--debug-only) debian=0; shift ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ "$scale" =~ ^[1-9][0-9]*$ ]] || { echo "soak: -S takes a number > 0" >&2; exit 2; }
[ "$debian" = 0 ] || [ ${#kvers[@]} -gt 0 ] || mapfile -t kvers < <(zoot_kernels)

cd "$tree" || exit 2
logdir=$(zoot_cache_dir)/logs
mkdir -p "$logdir"
hog=$(zoot_build_hog "$tree") || hog=''
limit=$((300 + 240 * scale))

runs=()	# "label args..."
if [ "$debian" = 1 ]; then
	make -s all-kernels KVERS="${kvers[*]}" || exit 1
	for k in "${kvers[@]}"; do runs+=("$k|-k $k -t $limit"); done
fi
[ "$debug" = 1 ] && runs+=("debug|--debug -t $((4 * limit))")

total_fail=0
printf '%s\n' "soak: scale $scale, $(date -u '+%Y-%m-%d %H:%M UTC'), guests: ${#runs[@]}"
summary=()
for r in "${runs[@]}"; do
	label=${r%%|*} args=${r#*|}
	log=$logdir/soak-$label.log
	out=$logdir/soak-$label.out
	echo "== soak [$label] tests/12-torture.sh, ZRAM_TORTURE_SCALE=$scale"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$script_dir/guest-run.sh" $args --tap -l "$log" -e "ZRAM_TORTURE_SCALE=$scale" \
		-e "ZRAM_TEST_HOG=$hog" -- tests/12-torture.sh >"$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	sed "s/^/[$label] /" "$out" | grep -E '^\[[^]]*\] (not ok|# )' || true
	pass=$(grep -c '^ok ' "$out") fail=$(grep -c '^not ok ' "$out")
	splat=$(grep -c '^not ok - harness: \(kernel log clean\|kmemleak clean\)' "$out")
	fig() { awk -v k="$1" '$2 == "FIGURE" && $3 == k {s += $4} END {print s + 0}' "$out"; }
	verified=$(($(fig fio_ios) + $(fig storm_pages) + $(fig verified_pages_backing) + $(fig verified_pages_alloc)))
	faults=$(($(fig faults_alloc) + $(fig faults_backing)))
	[ "$rc" = 0 ] && [ "$fail" = 0 ] || total_fail=$((total_fail + 1))
	summary+=("$(printf '| %s | %d s | %d/%d | %d | %d | %d | %d / %d | %d | %d | %s |' \
		"$label" "$secs" "$pass" "$((pass + fail))" "$(fig fio_ios)" \
		"$verified" "$faults" "$(fig junk_tried)" "$(fig junk_accepted)" \
		"$(fig lifecycles)" "$splat" "rc=$rc")")
done

echo
echo "| guest | time | TAP ok | fio I/Os | operations verified | faults injected | junk writes tried / accepted | load-use-unload cycles | splats | result |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${summary[@]}"
echo "command: scripts/soak.sh -S $scale (make soak SCALE=$scale)"
[ "$total_fail" = 0 ]
