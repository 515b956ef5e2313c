#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything the build, the guests and the tests need on a fresh
# Debian 12 machine: both target kernels with their headers, QEMU, busybox,
# the userspace tools run inside guests, the style/static checkers, and
# what the package test needs (debhelper, dh-dkms, lintian).  zram-generator
# and zram-tools are only downloaded: the package test installs them into
# its throw-away root (on a host they would set up zram swap at boot).
# Idempotent: a second run only re-checks.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "install-deps: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

stamp=/var/lib/zram-oot-deps.stamp
want_rev=5

# Enable bookworm-backports on the mirror the machine already uses.
bp=/etc/apt/sources.list.d/zram-oot-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$(grep -rhoE '^(deb |URIs: )\s*[a-z]+://[^ ]+/debian/?(\s|$)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		awk '{print $2}' | head -n1 || true)
	[ -n "$mirror" ] || { echo "install-deps: no Debian mirror found" >&2; exit 1; }
	echo "deb ${mirror%/} bookworm-backports main" >"$bp"
	rm -f "$stamp"
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_rev" ]; then
	exit 0
fi

# A machine that does not boot Debian's kernel images (a container, a VM
# started with a kernel of its own: the running kernel has no
# /boot/vmlinuz) needs no initramfs for the two kernels installed here:
# the guests boot them with an initramfs of scripts/guest-run.sh.  Making
# one per kernel (and again for the initramfs-tools trigger) took about
# 210 s of a 300 s install on a fresh machine.  INITRD=No is the kernel
# hook's own switch (/etc/kernel/postinst.d/initramfs-tools); with no
# initrd.img in /boot the trigger then has nothing to update.  A machine
# booted from /boot keeps the default.
if [ ! -e "/boot/vmlinuz-$(uname -r)" ]; then
	export INITRD=No
fi

apt-get update -qq

base_pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
	xz-utils zstd gzip rsync
	qemu-system-x86 busybox-static
	util-linux e2fsprogs fio python3 sparse dkms
	dmsetup
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	debhelper dh-dkms fakeroot lintian shellcheck
)
apt-get install -y -qq --no-install-recommends "${base_pkgs[@]}"
apt-get install -y -qq --no-install-recommends --download-only \
	systemd-zram-generator zram-tools

# 6.12 from backports: pick the newest unsigned image ABI available.
bp_img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9.+~a-z-]*-amd64-unsigned$' |
	awk '{print $1}' | grep -Ev -- '-(rt|cloud)-amd64' | sort -V | tail -n1 || true)
[ -n "$bp_img" ] || { echo "install-deps: no 6.12 image in backports" >&2; exit 1; }
abi=${bp_img#linux-image-}
abi=${abi%-unsigned}
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	"$bp_img" "linux-headers-$abi"

echo "$want_rev" >"$stamp"
