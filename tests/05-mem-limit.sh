#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mem_limit: writes beyond the limit fail with an I/O error and count in
# failed_writes; everything written before the failure reads back intact;
# lifting the limit makes the device writable again.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
zram_setup 0 64M
echo 2M >"$z/mem_limit"
head -c 8M /dev/urandom >"$SCRATCH/rand"
out=$(dd if="$SCRATCH/rand" of=/dev/zram0 bs=4096 oflag=direct 2>&1)
rc=$?
check "writing 8M of random data under a 2M limit fails" test $rc -ne 0
check "... with EIO (Input/output error, as the kernel's zram)" grep -q "Input/output error" <<<"$out"
done_pages=$(sed -n 's/^\([0-9]*\)+0 records out$/\1/p' <<<"$out")
diag "pages written before the failure: $done_pages"
check "some pages were written before the limit hit" test "${done_pages:-0}" -gt 0
check "... but fewer than 2M worth" test "${done_pages:-0}" -le 512
check "failed_writes counted" test "$(zcol 0 io_stat 2)" -ge 1
check "mem_used_total stays near the limit" \
	test "$(zcol 0 mm_stat 3)" -le $(((2 << 20) + 65536))
check_eq "data written before the failure reads back intact" \
	"$(head -c $((done_pages * PAGE)) "$SCRATCH/rand" | sha256sum)" \
	"$(dd if=/dev/zram0 bs=4096 count="$done_pages" iflag=direct status=none | sha256sum)"
check "compressible data still fits (same-filled pages need no memory)" \
	dd if=/dev/zero of=/dev/zram0 bs=4096 seek=8192 count=256 oflag=direct status=none
echo 0 >"$z/mem_limit"
check "after mem_limit 0 the whole 8M writes" \
	dd if="$SCRATCH/rand" of=/dev/zram0 bs=64K oflag=direct status=none
check "and reads back" bash -c \
	"dd if=/dev/zram0 bs=64K count=128 iflag=direct status=none | cmp - '$SCRATCH/rand'"
zram_reset 0

done_testing
