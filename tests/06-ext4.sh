#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ext4 on zram: mkfs, mount, copy a tree, remount, compare checksums;
# reset/hot_remove refused while mounted; fstrim reaches the device.
. "$(dirname "$0")/lib.sh"

z=$(zdev 0)
mnt=$SCRATCH/mnt
src=$SCRATCH/src
mkdir -p "$mnt" "$src"
# A source tree with binaries, text and a few odd sizes, on tmpfs.
cp -a /usr/share/common-licenses "$src/licenses"
mkdir -p "$src/bin"
for f in bash ls cp tar python3 gzip; do cp -L "$(type -P $f)" "$src/bin/"; done
cp -a "$TREE"/tests "$src/tests"
head -c 3M /dev/urandom >"$src/random.bin"
head -c 5M /dev/zero >"$src/zeros.bin"
printf 'x' >"$src/one-byte"
(cd "$src" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$SCRATCH/sums"

zram_setup 0 128M "$(zram_algorithms | grep -x zstd || zram_algorithms | head -n1)"
check "mkfs.ext4 on zram0" mkfs.ext4 -q -F /dev/zram0
check "mount" mount -o discard /dev/zram0 "$mnt"
at_exit umount "$mnt"
check "copy the tree" cp -a "$src/." "$mnt/"
check "sync" sync
expect_errno "reset while mounted: EBUSY" EBUSY "$z/reset" 1
expect_errno "hot_remove while mounted: EBUSY" EBUSY /sys/class/zram-control/hot_remove 0
check "umount" umount "$mnt"
echo 3 >/proc/sys/vm/drop_caches
check "fsck is clean" fsck.ext4 -f -n /dev/zram0
check "mount again" mount /dev/zram0 "$mnt"
check "every file matches its checksum" bash -c "cd '$mnt' && sha256sum --quiet -c '$SCRATCH/sums'"
used=$(zcol 0 mm_stat 1)
check "rm the random file" rm "$mnt/random.bin"
sync
check "fstrim releases freed blocks" fstrim "$mnt"
check "orig_data_size dropped after fstrim" test "$(zcol 0 mm_stat 1)" -lt "$used"
check "notify_free counted the trim" test "$(zcol 0 io_stat 4)" -gt 0
check "final umount" umount "$mnt"
check "reset after umount" zram_reset 0

done_testing
