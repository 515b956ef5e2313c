#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The installed package, in a guest booted by scripts/pkg-test.sh with
# guest-run.sh --no-module -R ROOT, where ROOT is a throw-away root with
# zram-oot-dkms installed: nothing is loaded when this starts.  Not one
# of the numbered tests (those run with our module insmod'ed).
#
# Usage: tests/pkg-install.sh installed   the package is installed
#        tests/pkg-install.sh removed     it was removed (apt-get remove,
#                                         on the host: dkms remove runs
#                                         depmod for every kernel, minutes
#                                         over 9p under TCG)
# Environment: ZRAM_PKG_VERSION (the version the package must report).
. "$(dirname "$0")/lib.sh"

mode=${1:-installed}

ver=${ZRAM_PKG_VERSION:?}
kver=$(uname -r)
mods=/lib/modules/$kver
algs="lzo lzo-rle lz4 lz4hc zstd deflate"

# 4 MiB of mixed data: random, zero, text, code.
{
	head -c 1048576 /dev/urandom
	head -c 1048576 /dev/zero
	yes "$TREE/README.md: text that compresses" | head -c 1048576
	head -c 1048576 /usr/bin/bash
} >"$SCRATCH/data"

# The compression modules ours depends on, none loaded yet.
deps=$(modinfo -F depends zram 2>/dev/null)
check_eq "nothing loaded before modprobe (zram, $deps)" "" \
	"$(for m in zram ${deps//,/ }; do [ -d "/sys/module/$m" ] && echo "$m"; done)"
if [ "$mode" = installed ]; then
# (6.12's modules are .ko.xz, and DKMS compresses ours to match.)
ours=$(modinfo -n zram 2>&1)
case "$ours" in
"$mods/updates/dkms/zram.ko"|"$mods/updates/dkms/zram.ko.xz")
	ok "modinfo -n zram is ours: $ours" ;;
*) not_ok "modinfo -n zram is ours under updates/dkms/"; diag "got: $ours" ;;
esac
check "modprobe zram" modprobe zram
check_eq "/sys/module/zram/version" "$ver" "$(cat /sys/module/zram/version 2>&1)"
check_eq "modinfo -F version zram" "$ver" "$(modinfo -F version zram 2>&1)"
for m in ${deps//,/ }; do
	check "modprobe loaded dependency $m" test -d "/sys/module/$m"
done

# Every algorithm: select, size, write, read back exactly.
for a in $algs; do
	if zram_setup 0 16M "$a" &&
	   dd if="$SCRATCH/data" of=/dev/zram0 bs=1M oflag=direct status=none &&
	   dd if=/dev/zram0 of="$SCRATCH/back" bs=1M count=4 iflag=direct status=none &&
	   cmp -s "$SCRATCH/data" "$SCRATCH/back" &&
	   grep -q "\[$a\]" /sys/block/zram0/comp_algorithm; then
		ok "$a: 4 MiB written and read back byte-exact"
	else
		not_ok "$a: 4 MiB written and read back byte-exact"
	fi
done
zram_reset 0
check "modprobe -r zram" modprobe -r zram

# A kernel without LZ4HC, simulated: ZRAM_PKG_NOLZ4HC is our zram.ko built
# by scripts/pkg-test.sh with CONFIG_LZ4HC_COMPRESS unset for Kbuild and C.
if [ -n "${ZRAM_PKG_NOLZ4HC:-}" ]; then
	for m in $(modinfo -F depends "$ZRAM_PKG_NOLZ4HC" | tr , ' '); do
		modprobe "$m"
	done
	check "insmod zram.ko built without CONFIG_LZ4HC_COMPRESS" insmod "$ZRAM_PKG_NOLZ4HC"
	check_eq "without LZ4HC: comp_algorithm lists the other five" \
		"lzo [lzo-rle] lz4 zstd deflate" "$(cat /sys/block/zram0/comp_algorithm)"
	expect_errno "without LZ4HC: comp_algorithm lz4hc is EINVAL" EINVAL \
		/sys/block/zram0/comp_algorithm lz4hc
	expect_errno "without LZ4HC: recomp_algorithm algo=lz4hc is EINVAL" EINVAL \
		/sys/block/zram0/recomp_algorithm algo=lz4hc
	check_eq "without LZ4HC: the kernel log says why" \
		"zram: algorithm lz4hc is not built: it needs CONFIG_LZ4HC_COMPRESS, CONFIG_LZ4_COMPRESS and CONFIG_LZ4_DECOMPRESS" \
		"$(dmesg | sed -n 's/^\[[ 0-9.]*\] //; /lz4hc is not built/p' | head -n 1)"
	if zram_setup 0 16M lz4 &&
	   dd if="$SCRATCH/data" of=/dev/zram0 bs=1M oflag=direct status=none &&
	   dd if=/dev/zram0 of="$SCRATCH/back" bs=1M count=4 iflag=direct status=none &&
	   cmp -s "$SCRATCH/data" "$SCRATCH/back"; then
		ok "without LZ4HC: lz4 still reads back byte-exact"
	else
		not_ok "without LZ4HC: lz4 still reads back byte-exact"
	fi
	zram_reset 0
	check "rmmod zram (without LZ4HC)" rmmod zram
fi

# systemd's zram-generator, as its units run it: systemd-modules-load
# (modules-load.d/20-zram-generator.conf) loads zram, the generator writes
# the units, systemd-zram-setup@zram0 runs --setup-device, the .swap unit
# runs swapon.
gen=/lib/systemd/system-generators/zram-generator
# The guest's root is the host's file system; a /.dockerenv there (CI runs
# in a container) makes systemd-detect-virt, hence the generator, think
# this VM is a container, and the generator then does nothing.
rm -f /.dockerenv /run/.containerenv
printf '[zram0]\nzram-size = 64\ncompression-algorithm = zstd\n' \
	>/etc/systemd/zram-generator.conf
mkdir -p "$SCRATCH/gen"
check "zram-generator writes the units" "$gen" "$SCRATCH/gen"
check_eq "generator made dev-zram0.swap for /dev/zram0" "What=/dev/zram0" \
	"$(grep -s '^What=' "$SCRATCH/gen/dev-zram0.swap")"
check "modprobe zram (modules-load.d)" modprobe zram
check "zram-generator --setup-device zram0" "$gen" --setup-device zram0
check "swapon /dev/zram0 (the .swap unit)" swapon /dev/zram0
check_eq "swap on /dev/zram0 (zram-generator)" /dev/zram0 \
	"$(swapon --show=NAME --noheadings | grep zram0)"
check_eq "zram-generator chose zstd" zstd \
	"$(sed -n 's/.*\[\([^]]*\)\].*/\1/p' /sys/block/zram0/comp_algorithm)"
check_eq "zram-generator set 64 MiB" $((64 << 20)) "$(cat /sys/block/zram0/disksize)"
check_eq "zram-generator's swap is on our module" "$ver" "$(cat /sys/module/zram/version 2>&1)"
swapoff /dev/zram0
check "zram-generator --reset-device zram0" "$gen" --reset-device zram0
check "modprobe -r zram" modprobe -r zram
rm -f /etc/systemd/zram-generator.conf

# zram-tools: zramswap start loads zram itself, zramswap stop unloads it.
printf 'ALGO=lz4\nSIZE=64\nPRIORITY=100\n' >/etc/default/zramswap
check "zramswap start" zramswap start
check_eq "swap on /dev/zram0 (zramswap)" /dev/zram0 \
	"$(swapon --show=NAME --noheadings | grep zram0)"
check_eq "zramswap chose lz4" lz4 \
	"$(sed -n 's/.*\[\([^]]*\)\].*/\1/p' /sys/block/zram0/comp_algorithm)"
check_eq "zramswap's swap is on our module" "$ver" "$(cat /sys/module/zram/version 2>&1)"
check "zramswap stop" zramswap stop
check "zramswap stop unloaded zram" test ! -d /sys/module/zram

fi

if [ "$mode" = removed ]; then
# After apt-get remove: the in-kernel zram is what modprobe loads again.
check "nothing of ours left under updates/" \
	test -z "$(find "$mods/updates" -name 'zram.ko*' 2>/dev/null)"
in_kernel=$(modinfo -n zram 2>&1)
case "$in_kernel" in
"$mods"/kernel/drivers/block/zram/zram.ko*) ok "modinfo -n zram is the in-kernel module ($in_kernel)" ;;
*) not_ok "modinfo -n zram is the in-kernel module"; diag "got: $in_kernel" ;;
esac
check "modprobe zram (in-kernel)" modprobe zram
check "in-kernel zram has no version file" test ! -e /sys/module/zram/version
if zram_setup 0 16M && dd if="$SCRATCH/data" of=/dev/zram0 bs=1M oflag=direct status=none &&
   dd if=/dev/zram0 of="$SCRATCH/back" bs=1M count=4 iflag=direct status=none &&
   cmp -s "$SCRATCH/data" "$SCRATCH/back"; then
	ok "in-kernel zram: 4 MiB read back byte-exact"
else
	not_ok "in-kernel zram: 4 MiB read back byte-exact"
fi
zram_reset 0
check "modprobe -r zram (in-kernel)" modprobe -r zram
fi

done_testing
