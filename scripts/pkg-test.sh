#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The package test ("make check" runs it through check.sh): builds the
# package, installs it into a throw-away root and boots guests on that
# root.  Prints TAP lines ("ok - ...", "not ok - ..."), exit 0 iff none
# failed.
#
# Usage: scripts/pkg-test.sh [-k KVER]...   (default: every supported kernel)
#
# 1. Host: the version check; "make install" staging into a temporary
#    INSTALL_MOD_PATH and "make uninstall"; a plain make against an
#    unsupported kernel (the 6.1 headers told VERSION=5 PATCHLEVEL=10)
#    stops with the one-line reason; "make deb" (lintian clean).
# 2. The throw-away root: an overlayfs whose lower layer is / and whose
#    upper layer is a directory under $ZRAM_OOT_CACHE (pkgroot.*), with
#    /proc, /sys, /dev bound into it.  "apt-get install ./the.deb
#    systemd-zram-generator zram-tools" runs there (chroot), which builds
#    with DKMS for every supported kernel at host speed; the headers hook
#    (AUTOINSTALL) must rebuild it for a kernel; dkms must refuse a fake
#    unsupported kernel (5.10.0-99) with the one-line reason and no
#    compiler run.  Nothing of the host's /lib/modules, /var/lib/dkms or
#    dpkg database changes: writes land in the upper layer, removed at
#    exit (also on failure or interrupt).
# 3. Per kernel, a guest (guest-run.sh --no-module -R ROOT) boots with
#    that root and runs "tests/pkg-install.sh installed": modprobe,
#    version, algorithms, a module built without LZ4HC, zram-generator,
#    zramswap.  Then apt-get remove in the root (on the host) and guests
#    running "tests/pkg-install.sh removed": the in-kernel zram again.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(dirname "$script_dir")
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

kvers=()
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kvers+=("$2"); shift 2 ;;
	*) echo "pkg-test: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ ${#kvers[@]} -gt 0 ] || mapfile -t kvers < <(zoot_kernels)
[ "$(id -u)" = 0 ] || { echo "not ok - pkg: needs root (overlayfs, chroot)"; exit 1; }

failed=0
tap_ok() { echo "ok - pkg: $*"; }
tap_not_ok() { echo "not ok - pkg: $*"; failed=1; }
# tap_run DESC CMD...: ok iff CMD exits 0; its output is shown on failure.
tap_run() {
	local desc=$1 out

	shift
	if out=$("$@" 2>&1); then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		printf '%s\n' "$out" | tail -n 25 | sed 's/^/#   /'
	fi
}

cd "$tree" || exit 2
ver=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' dkms.conf)
cache=$(zoot_cache_dir)
tmp=$(mktemp -d "$cache/pkgtest.XXXXXX")
root=''
cleanup() {
	local m

	if [ -n "$root" ]; then
		for m in dev/pts dev sys proc; do
			mountpoint -q "$root/m/$m" && umount "$root/m/$m"
		done
		# Lazily, so that a busy root is detached now, with what is
		# still mounted below it; never delete through a mount.
		mountpoint -q "$root/m" && umount -l "$root/m"
		if mountpoint -q "$root/m"; then
			echo "pkg-test: $root/m still mounted, left in place" >&2
		else
			rm -rf "$root"
		fi
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- host
tap_run "version: dkms.conf = debian/changelog (= tag)" scripts/check-version.sh

k=${kvers[0]}
if make -s install KVER="$k" INSTALL_MOD_PATH="$tmp/stage" >"$tmp/install.log" 2>&1 &&
   [ "$(modinfo -F version "$tmp/stage/lib/modules/$k/updates/zram.ko")" = "$ver" ] &&
   [ "$(modinfo -F vermagic "$tmp/stage/lib/modules/$k/updates/zram.ko" | cut -d' ' -f1)" = "$k" ]; then
	tap_ok "make install INSTALL_MOD_PATH stages lib/modules/$k/updates/zram.ko ($ver)"
else
	tap_not_ok "make install INSTALL_MOD_PATH stages lib/modules/$k/updates/zram.ko"
	tail -n 20 "$tmp/install.log" | sed 's/^/#   /'
fi
make -s uninstall KVER="$k" INSTALL_MOD_PATH="$tmp/stage" >/dev/null 2>&1
tap_run "make uninstall INSTALL_MOD_PATH removes it" \
	test ! -e "$tmp/stage/lib/modules/$k/updates/zram.ko"

# A kernel tree that says 5.10: Kbuild's one line, no compiler run.
out=$(make -C "/lib/modules/$k/build" M="$tree" VERSION=5 PATCHLEVEL=10 modules 2>&1)
reason='zram-oot: Linux 5.10 is not supported (6.1 and 6.12 are)'
if grep -qF "$reason" <<<"$out" && ! grep -qE ' CC \[M\]|error:' <<<"$out"; then
	tap_ok "plain make against Linux 5.10: '$reason'"
else
	tap_not_ok "plain make against Linux 5.10 stops with one line"
	printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
fi

if make -s deb >"$tmp/deb.log" 2>&1 && [ -s "build/deb/zram-oot-dkms_${ver}_all.deb" ]; then
	tap_ok "make deb: build/deb/zram-oot-dkms_${ver}_all.deb, lintian clean"
else
	tap_not_ok "make deb"
	tail -n 30 "$tmp/deb.log" | sed 's/^/#   /'
	exit 1
fi
deb=$tree/build/deb/zram-oot-dkms_${ver}_all.deb

# A kernel configured without LZ4HC, simulated per kernel: Kbuild sees
# CONFIG_LZ4HC_COMPRESS empty, C sees it undefined (a header included after
# the kernel's autoconf.h).  Built before the root is mounted, so the
# root's lower layer holds it.
printf '#undef CONFIG_LZ4HC_COMPRESS\n#undef CONFIG_LZ4HC_COMPRESS_MODULE\n' >"$tmp/nolz4hc.h"
declare -A nolz4hc
for k in "${kvers[@]}"; do
	d=$tree/build/nolz4hc/$k
	mkdir -p "$d"
	cp "$tmp/nolz4hc.h" "$tree/build/nolz4hc/nolz4hc.h"
	for f in Kbuild *.c *.h; do
		case "$f" in *.mod.c) continue ;; esac
		ln -sfn "$tree/$f" "$d/$f"
	done
	if make -C "/lib/modules/$k/build" M="$d" CONFIG_LZ4HC_COMPRESS= \
		KCFLAGS="-include $tree/build/nolz4hc/nolz4hc.h" modules >"$d/build.log" 2>&1 &&
	   [ ! -e "$d/backend_lz4hc.o" ] &&
	   ! modinfo -F depends "$d/zram.ko" | grep -q lz4hc; then
		tap_ok "$k: builds without CONFIG_LZ4HC_COMPRESS (no backend_lz4hc.o, no lz4hc_compress dependency)"
		nolz4hc[$k]=$d/zram.ko
	else
		tap_not_ok "$k: builds without CONFIG_LZ4HC_COMPRESS"
		tail -n 20 "$d/build.log" | sed 's/^/#   /'
		nolz4hc[$k]=''
	fi
done
unexpected=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep '^./usr/src/' |
	grep -vE "^./usr/src/(zram-oot-$ver/((Kbuild|dkms.conf)|[a-z0-9_]+\.[ch])?)?$" || true)
if [ -z "$unexpected" ]; then
	tap_ok "package ships only Kbuild, dkms.conf, *.c, *.h in /usr/src/zram-oot-$ver"
else
	tap_not_ok "package ships only build files in /usr/src"
	printf '#   %s\n' "$unexpected"
fi

# ---------------------------------------------------------------- root
root=$(mktemp -d "$cache/pkgroot.XXXXXX")
mkdir -p "$root/u" "$root/w" "$root/m"
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$root/u,workdir=$root/w" "$root/m"; then
	tap_not_ok "overlayfs throw-away root over /"
	exit 1
fi
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/m/$m" || { tap_not_ok "bind /$m"; exit 1; }
done
cp "$deb" "$root/m/tmp/"
in_root() { chroot "$root/m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

start=$(date +%s)
# zram-generator and zram-tools too (install-deps.sh downloads them into
# apt's cache); no service starts in the root.
printf '#!/bin/sh\nexit 101\n' >"$root/m/usr/sbin/policy-rc.d"
chmod 755 "$root/m/usr/sbin/policy-rc.d"
if in_root apt-get install -y --no-install-recommends "/tmp/${deb##*/}" \
	systemd-zram-generator zram-tools >"$tmp/apt.log" 2>&1; then
	tap_ok "apt-get install ./${deb##*/} zram-tools systemd-zram-generator in the throw-away root ($(($(date +%s) - start))s)"
else
	tap_not_ok "apt-get install ./${deb##*/} in the throw-away root"
	tail -n 40 "$tmp/apt.log" | sed 's/^/#   /'
	exit 1
fi
for k in "${kvers[@]}"; do
	st=$(in_root dkms status -m zram-oot -v "$ver" -k "$k" 2>/dev/null)
	f=$(ls "$root/m/lib/modules/$k/updates/dkms/"zram.ko* 2>/dev/null)
	if [[ "$st" == *": installed"* ]] && [ -n "$f" ] &&
	   [ "$(modinfo -F version "$f" 2>&1)" = "$ver" ]; then
		tap_ok "dkms built and installed for $k: ${f#"$root/m"}"
	else
		tap_not_ok "dkms built and installed for $k"
		printf '#   %s\n' "$st"
	fi
done

# AUTOINSTALL: what linux-headers-KVER's postinst runs when a kernel's
# headers arrive (/etc/kernel/header_postinst.d/dkms) builds and installs
# ours for it.  Shown on the newest kernel, its module removed first.
k=${kvers[-1]}
in_root dkms remove -m zram-oot -v "$ver" -k "$k" >"$tmp/autoinst.log" 2>&1
if [ -z "$(ls "$root/m/lib/modules/$k/updates/dkms/"zram.ko* 2>/dev/null)" ] &&
   in_root /etc/kernel/header_postinst.d/dkms "$k" >>"$tmp/autoinst.log" 2>&1 &&
   in_root dkms status -m zram-oot -v "$ver" -k "$k" 2>/dev/null | grep -q ': installed$' &&
   [ -n "$(ls "$root/m/lib/modules/$k/updates/dkms/"zram.ko* 2>/dev/null)" ]; then
	tap_ok "AUTOINSTALL: header_postinst.d/dkms $k reinstalls it"
else
	tap_not_ok "AUTOINSTALL: header_postinst.d/dkms $k reinstalls it"
	tail -n 20 "$tmp/autoinst.log" | sed 's/^/#   /'
fi

# An unsupported kernel: refused up front with the reason, nothing compiled.
fake=5.10.0-99-amd64
mkdir -p "$root/m/lib/modules/$fake/build/include"
out=$(in_root dkms build -m zram-oot -v "$ver" -k "$fake" 2>&1)
rc=$?
reason="zram-oot: Linux $fake is not supported (6.1 and 6.12 are)"
if [ "$rc" = 77 ] && [ "$(grep -cF "$reason" <<<"$out")" = 1 ] &&
   ! grep -qE 'make|CC \[M\]|error:' <<<"$out"; then
	tap_ok "dkms build for $fake: skipped (77), '$reason'"
else
	tap_not_ok "dkms build for $fake refused with the reason (rc=$rc)"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi
rm -rf "$root/m/lib/modules/$fake"

bind_off() {
	local m

	for m in dev/pts dev sys proc; do
		umount "$root/m/$m"
	done
}
bind_off

# ---------------------------------------------------------------- guests
# run_guests MODE: tests/pkg-install.sh MODE in a guest on every kernel.
run_guests() {
	local mode=$1 k log seen file_fail line

	for k in "${kvers[@]}"; do
		log=$cache/logs/pkg-$mode-$k.log
		mkdir -p "$cache/logs"
		seen=0 file_fail=0
		while IFS= read -r line; do
			case "$line" in
			ok*|"not ok"*)
				echo "[$k] pkg-$mode: $line"
				seen=$((seen + 1))
				case "$line" in "not ok"*) file_fail=1; failed=1 ;; esac ;;
			*) echo "[$k] pkg-$mode| $line" ;;
			esac
		done < <("$script_dir/guest-run.sh" -k "$k" --no-module -R "$root/m" \
			-e "ZRAM_PKG_VERSION=$ver" -e "ZRAM_PKG_NOLZ4HC=${nolz4hc[$k]}" --tap -l "$log" -- \
			tests/pkg-install.sh "$mode" 2>&1)
		if ! grep -q '^GUEST-RESULT rc=0$' "$log" 2>/dev/null && [ "$file_fail" = 0 ]; then
			tap_not_ok "[$k] $mode: guest run failed (see $log)"
		fi
		[ "$seen" -gt 0 ] || tap_not_ok "[$k] pkg-$mode: no test output"
	done
}
run_guests installed

# Removal, in the root on the host: the package's prerm runs dkms remove,
# which runs depmod for every kernel (minutes over 9p in a TCG guest).
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/m/$m" || { tap_not_ok "bind /$m"; exit 1; }
done
if in_root apt-get remove -y zram-oot-dkms >"$tmp/remove.log" 2>&1 &&
   [ -z "$(in_root dkms status -m zram-oot 2>/dev/null)" ] &&
   [ -z "$(find "$root/m/lib/modules" -path '*/updates/*' -name 'zram.ko*')" ]; then
	tap_ok "apt-get remove zram-oot-dkms: dkms status empty, no zram.ko under updates/"
else
	tap_not_ok "apt-get remove zram-oot-dkms"
	tail -n 30 "$tmp/remove.log" | sed 's/^/#   /'
fi
bind_off
run_guests removed
exit "$failed"
