#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Data integrity for every compression algorithm: a mixed corpus (binaries,
# text, zero pages, repeated-byte and repeated-word pages, random pages)
# written with O_DIRECT and buffered I/O, read back and compared; then
# odd-shaped I/O (unaligned buffers, sub-block buffered writes) via dio.py.
. "$(dirname "$0")/lib.sh"

corpus=$SCRATCH/corpus
test_input mixed "$SCRATCH"
size=$(stat -c %s "$corpus")
check "corpus built (${size} bytes)" test "$size" -gt $((8 << 20))

for alg in $(zram_algorithms); do
	if ! check "[$alg] set up a 64M device" zram_setup 0 64M "$alg"; then
		continue
	fi
	check_eq "[$alg] logical block size is 4096" 4096 "$(zattr 0 queue/logical_block_size)"
	check "[$alg] O_DIRECT write of the corpus" \
		dd if="$corpus" of=/dev/zram0 bs=64K oflag=direct status=none
	check "[$alg] O_DIRECT read back matches" bash -c \
		"dd if=/dev/zram0 bs=64K count=$(((size + 65535) / 65536)) iflag=direct status=none | cmp -n $size - '$corpus'"
	orig=$(zcol 0 mm_stat 1) compr=$(zcol 0 mm_stat 2)
	check_eq "[$alg] orig_data_size counts every written page" "$size" "$orig"
	check "[$alg] compr_data_size ($compr) < orig_data_size" test "$compr" -lt "$orig"
	# buffered, at a 32M offset, through the page cache
	check "[$alg] buffered write at +32M" \
		dd if="$corpus" of=/dev/zram0 bs=1M seek=32 conv=fsync status=none
	sync
	echo 3 >/proc/sys/vm/drop_caches
	check "[$alg] buffered read back at +32M matches" bash -c \
		"dd if=/dev/zram0 bs=1M skip=32 count=$(((size + 1048575) / 1048576)) status=none | cmp -n $size - '$corpus'"
	check "[$alg] first copy still intact" bash -c \
		"dd if=/dev/zram0 bs=64K count=$(((size + 65535) / 65536)) iflag=direct status=none | cmp -n $size - '$corpus'"
	check_eq "[$alg] no failed reads/writes" "0 0" "$(zcol 0 io_stat 1) $(zcol 0 io_stat 2)"
	zram_reset 0
	if check "[$alg] fresh 16M device for odd-shaped I/O" zram_setup 0 16M "$alg"; then
		check "[$alg] buffered sub-block writes at odd offsets" \
			python3 "$TREE/tests/dio.py" /dev/zram0 "$RANDOM" subblock
		check "[$alg] misaligned O_DIRECT refused with EINVAL" \
			python3 "$TREE/tests/dio.py" /dev/zram0 "$RANDOM" misaligned
		zram_setup 0 16M "$alg"
		stock_differs "bio segments straddling pages read/write wrong data"
		check "[$alg] O_DIRECT from buffers not page-aligned in memory" \
			python3 "$TREE/tests/dio.py" /dev/zram0 "$RANDOM" unaligned
	fi
	zram_reset 0
done

done_testing
