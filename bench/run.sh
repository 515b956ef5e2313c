#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: our zram against Debian's own zram.ko, on the same kernel,
# in the same kind of guest, on the same corpus.  Prints, per kernel and
# algorithm, each module's figures and the ratio ours/stock:
#   density  = stock mem_used_total / ours   (> 1: we use less memory)
#   speed    = ours / stock                  (> 1: we are faster)
# Usage: bench/run.sh [-k KVER]... [-a "alg ..."] [-r REPS]
# Timings come from a TCG guest: compare ratios, not absolute numbers.
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib-common.sh
. "$tree/scripts/lib-common.sh"

kvers=() algs="lzo-rle lz4 zstd" reps=3
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kvers+=("$2"); shift 2 ;;
	-a) algs=$2; shift 2 ;;
	-r) reps=$2; shift 2 ;;
	*) echo "usage: $0 [-k KVER]... [-a ALGS] [-r REPS]" >&2; exit 2 ;;
	esac
done
[ ${#kvers[@]} -gt 0 ] || mapfile -t kvers < <(zoot_kernels)

# A fixed 96 MiB corpus: executables, text, zero pages and incompressible
# data in the proportions of a typical anonymous-memory mix.  Built once
# from files of this machine and cached.
cache=$(zoot_cache_dir)
corpus=$cache/bench-corpus.bin
if [ ! -s "$corpus" ]; then
	(
	# head closes the pipes early on purpose.
	set +o pipefail
		find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f |
			sort | xargs cat 2>/dev/null | head -c $((40 << 20))
		find /usr/share/doc /usr/share/common-licenses -type f \
			! -name '*.gz' | sort | xargs cat 2>/dev/null | head -c $((24 << 20))
		head -c $((16 << 20)) /dev/zero
		openssl enc -aes-128-ctr -pass pass:zram -nosalt -pbkdf2 \
			</dev/zero 2>/dev/null | head -c $((16 << 20))
	) >"$corpus.tmp"
	mv "$corpus.tmp" "$corpus"
fi

make -s -C "$tree" all-kernels >/dev/null

declare -A res
for k in "${kvers[@]}"; do
	for who in stock ours; do
		flag=()
		[ "$who" = stock ] && flag=(--stock)
		log=$(mktemp)
		"$tree/scripts/guest-run.sh" -k "$k" "${flag[@]}" -M 2048 -t 900 \
			-e BENCH_CORPUS="$corpus" -e BENCH_ALGS="$algs" \
			-e BENCH_REPS="$reps" -- "$tree/bench/guest.sh" >"$log" 2>&1 || {
			cat "$log"; echo "bench: $who on $k failed" >&2; exit 1; }
		while read -r _ line; do
			alg=$(sed -n 's/.*alg=\([^ ]*\).*/\1/p' <<<"$line")
			res[$k/$who/$alg]=$line
		done < <(grep '^BENCH ' "$log")
		rm -f "$log"
	done
done

field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"${res[$1]:-}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

fmt='%-22s %-8s %-6s %10s %10s %9s %9s %10s %10s %10s %10s\n'
# shellcheck disable=SC2059 # the format is this one variable
printf "$fmt" kernel alg module \
	mem_used compr write_MBs read_MBs rread_iops rwrite_iops \
	cread_iops cwrite_iops
for k in "${kvers[@]}"; do
	for alg in $algs; do
		for who in stock ours; do
			# shellcheck disable=SC2059
			printf "$fmt" "$k" "$alg" "$who" \
				"$(field "$k/$who/$alg" mem_used)" "$(field "$k/$who/$alg" compr)" \
				"$(field "$k/$who/$alg" write_mbps)" "$(field "$k/$who/$alg" read_mbps)" \
				"$(field "$k/$who/$alg" randread_iops)" "$(field "$k/$who/$alg" randwrite_iops)" \
				"$(field "$k/$who/$alg" cread_iops)" "$(field "$k/$who/$alg" cwrite_iops)"
		done
		s=$k/stock/$alg o=$k/ours/$alg
		# shellcheck disable=SC2059
		printf "$fmt" "$k" "$alg" ratio \
			"$(ratio "$(field "$s" mem_used)" "$(field "$o" mem_used)")" \
			"$(ratio "$(field "$s" compr)" "$(field "$o" compr)")" \
			"$(ratio "$(field "$o" write_mbps)" "$(field "$s" write_mbps)")" \
			"$(ratio "$(field "$o" read_mbps)" "$(field "$s" read_mbps)")" \
			"$(ratio "$(field "$o" randread_iops)" "$(field "$s" randread_iops)")" \
			"$(ratio "$(field "$o" randwrite_iops)" "$(field "$s" randwrite_iops)")" \
			"$(ratio "$(field "$o" cread_iops)" "$(field "$s" cread_iops)")" \
			"$(ratio "$(field "$o" cwrite_iops)" "$(field "$s" cwrite_iops)")"
	done
done
echo "ratio row: memory columns = stock/ours (>1: ours denser); speed columns = ours/stock (>1: ours faster)"
