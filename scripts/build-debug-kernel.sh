#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) the debug guest kernel used for KUnit and sanitizer runs:
# Debian's linux-source-6.1, "make allnoconfig" plus the fragments in
# scripts/kconfig/ (base, kunit, debug), full vmlinux + bzImage + modules so
# that out-of-tree "make -C <tree> M=<dir> modules" works against it.
#
# Usage: KDIR=$(scripts/<this script> [--force])
#   The last stdout line is the path of the built kernel tree; everything
#   else goes to stderr. The bzImage is <tree>/arch/x86/boot/bzImage.
#
# Cache: ${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}/
#   debug-kernel-<key>/, key = sha256 of the source package version, the
#   fragments' settings (not their comments) and this script's build
#   settings (16 hex digits). A finished build (stamp file written last)
#   is reused; an interrupted one resumes.
#   Trees built with an older key are deleted after a successful build.
#
# Environment: ZRAM_OOT_JOBS (default: nproc), ZRAM_OOT_VERBOSE=1 (stream
#   the make output to stderr; it always goes to debug-kernel-<key>/build.log).
set -euo pipefail

prog=build-debug-kernel
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

force=0
for arg in "$@"; do
	case "$arg" in
	--force) force=1 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
	*) die "unknown argument '$arg' (try --help)" ;;
	esac
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frag_dir=$script_dir/kconfig
frags=("$frag_dir/base.config" "$frag_dir/kunit.config" "$frag_dir/debug.config")
src_pkg=linux-source-6.1
src_tar=/usr/src/linux-source-6.1.tar.xz
src_top=linux-source-6.1	# top directory inside the tarball
targets=(bzImage modules)
# Bump when a build-relevant setting below changes without changing the key.
settings_rev=1

# Nothing from a calling make or shell may leak into the kernel build.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL KBUILD_OUTPUT KBUILD_EXTMOD \
	O M W C V CROSS_COMPILE LLVM CC HOSTCC LD KCONFIG_CONFIG KCFLAGS
export ARCH=x86_64
export LC_ALL=C

for f in "${frags[@]}"; do
	[ -r "$f" ] || die "missing config fragment $f"
done
[ -r "$src_tar" ] || die "$src_tar not found (apt-get install $src_pkg)"
for tool in make gcc bc bison flex perl tar xz sha256sum flock nice; do
	command -v "$tool" >/dev/null || die "'$tool' not found (scripts/install-deps.sh)"
done
for hdr in /usr/include/libelf.h /usr/include/openssl/opensslv.h; do
	[ -r "$hdr" ] || die "$hdr missing (libelf-dev / libssl-dev)"
done

src_ver=$(dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null) ||
	die "package $src_pkg is not installed"
[ -n "$src_ver" ] || die "package $src_pkg has no version"
gcc_ver=$(gcc --version | head -n1)
case "$(gcc -dumpversion)" in
12*) ;;
*) die "expected gcc 12 (Debian 12 default), found: $gcc_ver" ;;
esac
jobs=${ZRAM_OOT_JOBS:-$(nproc)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "ZRAM_OOT_JOBS must be a positive number"

# Reproducible identity: the build date is the source tarball's date.
src_epoch=$(stat -c %Y "$src_tar")
export KBUILD_BUILD_USER=zram-oot
export KBUILD_BUILD_HOST=debug-guest
export KBUILD_BUILD_VERSION=1
KBUILD_BUILD_TIMESTAMP=$(date -u -d "@$src_epoch")
export KBUILD_BUILD_TIMESTAMP

key=$({
	echo "settings_rev=$settings_rev"
	echo "pkg=$src_pkg $src_ver"
	echo "gcc=$gcc_ver"
	echo "arch=$ARCH targets=${targets[*]}"
	echo "user=$KBUILD_BUILD_USER host=$KBUILD_BUILD_HOST"
	echo "ts=$KBUILD_BUILD_TIMESTAMP"
	# Settings only: a comment edit keeps the cached build.
	for f in "${frags[@]}"; do
		echo "== ${f##*/}"
		grep -E '^CONFIG_|^# CONFIG_[A-Za-z0-9_]+ is not set' "$f"
	done
} | sha256sum | cut -c1-16)

cache=${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}
dir=$cache/debug-kernel-$key
tree=$dir/$src_top
stamp=$dir/.build-complete
log=$dir/build.log

is_complete() {
	[ -f "$stamp" ] && [ -f "$tree/arch/x86/boot/bzImage" ] &&
		[ -f "$tree/Module.symvers" ] && [ -f "$tree/vmlinux" ]
}

if [ "$force" = 0 ] && is_complete; then
	note "reusing $tree"
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/debug-kernel.lock"
if ! flock -n 9; then
	note "another build holds $cache/debug-kernel.lock, waiting"
	flock 9
fi
if [ "$force" = 0 ] && is_complete; then
	note "reusing $tree (built concurrently)"
	echo "$tree"
	exit 0
fi
rm -f "$stamp"

avail_kb=$(df -Pk "$cache" | awk 'NR == 2 { print $4 }')
[ "${avail_kb:-0}" -ge $((6 * 1024 * 1024)) ] ||
	die "less than 6 GiB free in $cache"

start=$(date +%s)
on_fail() {
	local rc=$?

	[ "$rc" = 0 ] && return
	if [ -f "$log" ]; then
		echo "$prog: ---- last lines of $log ----" >&2
		tail -n 40 "$log" >&2
	fi
	echo "$prog: FAILED (exit $rc), full log: $log" >&2
}
trap on_fail EXIT

# 1. Source: extract once; a partial extraction is thrown away.
if [ ! -f "$dir/.extracted" ] || [ "$force" = 1 ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	note "extracting $src_tar ($src_pkg $src_ver) into $dir"
	tar -C "$dir" -xf "$src_tar"
	[ -f "$tree/Makefile" ] || die "tarball has no $src_top/Makefile"
	touch "$dir/.extracted"
fi
: >"$log"
note "key $key, log $log"

# 2. Configuration: allnoconfig + fragments, then insist every requested
# value is in the final .config (merge_config only warns).
note "configuring (allnoconfig + ${frags[*]##*/})"
(cd "$tree" && scripts/kconfig/merge_config.sh -n "${frags[@]}") >>"$log" 2>&1

missing=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" "$tree/.config" || missing+=("$line")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$tree/.config" || missing+=("$line")
		;;
	esac
done < <(cat "${frags[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
	for line in "${missing[@]}"; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		got=$(grep -E "^$sym=|^# $sym is not set" "$tree/.config" || true)
		echo "$prog: requested '$line', got '${got:-<absent>}'" >&2
	done
	die "${#missing[@]} requested option(s) did not stick; fix scripts/kconfig/*.config"
fi
note "all requested options are set ($(grep -c '=y' "$tree/.config") =y symbols)"

# 3. Build: full vmlinux (for Module.symvers), bzImage, modules.
note "building ${targets[*]} with -j$jobs (nice 10); this takes minutes"
if [ "${ZRAM_OOT_VERBOSE:-0}" = 1 ]; then
	nice -n 10 make -C "$tree" -j"$jobs" "${targets[@]}" 2>&1 |
		tee -a "$log" >&2
else
	nice -n 10 make -C "$tree" -j"$jobs" "${targets[@]}" >>"$log" 2>&1
fi

for f in vmlinux arch/x86/boot/bzImage Module.symvers scripts/mod/modpost \
	include/generated/utsrelease.h; do
	[ -e "$tree/$f" ] || die "build finished but $f is missing"
done
release=$(make -s -C "$tree" kernelrelease)

# 4. Stamp last, then drop trees built with another key.
printf 'key=%s\nrelease=%s\npackage=%s %s\nseconds=%s\n' "$key" \
	"$release" "$src_pkg" "$src_ver" "$(($(date +%s) - start))" >"$stamp"
for old in "$cache"/debug-kernel-*; do
	if [ ! -d "$old" ] || [ "$old" = "$dir" ]; then
		continue
	fi
	note "removing stale $old"
	rm -rf -- "$old"
done
trap - EXIT
note "built $release in $(($(date +%s) - start)) s"
echo "$tree"
