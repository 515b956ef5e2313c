#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark body, run inside a guest by bench/run.sh with either our zram
# or Debian's loaded.  For each algorithm it sets up /dev/zram0, stores the
# corpus, and prints one line:
#   BENCH alg=A orig=B compr=B mem_used=B write_mbps=X read_mbps=X
#         randread_iops=N randwrite_iops=N cread_iops=N cwrite_iops=N
# Throughput figures are medians of $BENCH_REPS runs.  cread/cwrite: the
# same 4K random reads and writes while another task writes "compact" in
# a loop (the random writes keep fragmenting the pool, so every pass has
# objects to move).
set -euo pipefail

corpus=${BENCH_CORPUS:?}
algs=${BENCH_ALGS:-lzo-rle lz4 zstd}
reps=${BENCH_REPS:-3}
Z=/sys/block/zram0

cp "$corpus" /tmp/corpus
size=$(stat -c %s /tmp/corpus)
mb=$((size >> 20))

now_ns() { date +%s%N; }

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# MB/s of one dd run: $1 = dd arguments.
dd_mbps() {
	local t0 t1

	t0=$(now_ns)
	# shellcheck disable=SC2086
	dd $1 bs=1M status=none
	t1=$(now_ns)
	echo "$mb $t0 $t1" | awk '{printf "%.1f\n", $1 * 1e9 / ($3 - $2)}'
}

fio_iops() {
	fio --name=b --filename=/dev/zram0 --rw="$1" --bs=4k --direct=1 \
		--ioengine=psync --numjobs=2 --size="${mb}M" --runtime=4 \
		--time_based --group_reporting --refill_buffers \
		--buffer_compress_percentage=60 --buffer_compress_chunk=4096 \
		--output-format=json |
		python3 -c 'import json,sys
j = json.load(sys.stdin)["jobs"][0]
print(int(j["'"$2"'"]["iops"]))'
}

setup() {
	echo 1 >$Z/reset
	echo "$1" >$Z/comp_algorithm
	echo 512M >$Z/disksize
}

for alg in $algs; do
	# Debian's 6.12 zram offers no lzo/lzo-rle: skip what a module lacks.
	if ! tr -d '[]' <$Z/comp_algorithm | tr ' ' '\n' | grep -qxF "$alg"; then
		echo "BENCH alg=$alg unavailable"
		continue
	fi
	w=() r=()
	for _ in $(seq "$reps"); do
		setup "$alg"
		w+=("$(dd_mbps "if=/tmp/corpus of=/dev/zram0 oflag=direct")")
		r+=("$(dd_mbps "if=/dev/zram0 of=/dev/null iflag=direct count=$mb")")
	done
	cmp -n "$size" /tmp/corpus /dev/zram0
	read -r orig compr used _ </$Z/mm_stat
	rr=$(fio_iops randread read)
	rw=$(fio_iops randwrite write)
	(while :; do echo 1 >$Z/compact; done) &
	cpid=$!
	cr=$(fio_iops randread read)
	cw=$(fio_iops randwrite write)
	kill $cpid
	wait $cpid 2>/dev/null || true
	echo "BENCH alg=$alg orig=$orig compr=$compr mem_used=$used" \
		"write_mbps=$(printf '%s\n' "${w[@]}" | median)" \
		"read_mbps=$(printf '%s\n' "${r[@]}" | median)" \
		"randread_iops=$rr randwrite_iops=$rw cread_iops=$cr cwrite_iops=$cw"
done
echo 1 >$Z/reset
