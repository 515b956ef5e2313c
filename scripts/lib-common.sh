# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers shared by the host-side scripts (guest-run.sh, check.sh, demo.sh,
# checkpatch.sh).  Sourced, never executed.

# Cache directory outside the clone (initramfs images, checkpatch, memhog).
zoot_cache_dir() {
	local d=${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}

	mkdir -p "$d"
	(cd "$d" && pwd)
}

# Run scripts/install-deps.sh (as root, or through "sudo -n"); it
# returns at once when everything is installed.
zoot_install_deps() {
	local deps

	deps=$(dirname "${BASH_SOURCE[0]}")/install-deps.sh
	if [ "$(id -u)" = 0 ]; then
		"$deps"
	else
		sudo -n "$deps"
	fi
}

# Supported kernels with headers installed, oldest first (mirrors Makefile).
zoot_kernels() {
	local k

	for k in $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null |
		   grep -E '^6\.(1|12)\.[0-9.+a-z-]*-amd64$' | sort -V); do
		[ -e "/lib/modules/$k/build/Makefile" ] && [ -e "/boot/vmlinuz-$k" ] &&
			echo "$k"
	done
	return 0
}

# zoot_build_tool TREE NAME: compile tests/NAME.c (a static userspace
# helper: memhog, blkop) into the cache once per source hash; prints the
# binary path.  The guests see the host root, so the binary runs there
# unchanged.
zoot_build_tool() {
	local tree=$1 name=$2 cache src sum out

	cache=$(zoot_cache_dir)
	src=$tree/tests/$name.c
	sum=$(sha256sum "$src" | cut -c1-16)
	out=$cache/$name-$sum
	if [ ! -x "$out" ]; then
		gcc -O2 -Wall -Wextra -Werror -static -o "$out.tmp.$$" "$src" ||
			gcc -O2 -Wall -Wextra -Werror -o "$out.tmp.$$" "$src" ||
			return 1
		mv -f "$out.tmp.$$" "$out"
	fi
	echo "$out"
}
zoot_build_hog() { zoot_build_tool "$1" memhog; }

# The debug guest kernel tree (KASAN, lockdep, kmemleak, KUnit), built once
# by build-debug-kernel.sh and cached; prints its path.
zoot_debug_kdir() {
	local kdir

	kdir=$("$(dirname "${BASH_SOURCE[0]}")/build-debug-kernel.sh" | tail -n 1) ||
		return 1
	[ -f "$kdir/arch/x86/boot/bzImage" ] && [ -f "$kdir/Module.symvers" ] ||
		return 1
	echo "$kdir"
}

# Release string of a built kernel tree (what uname -r says in its guest).
zoot_kdir_release() {
	cat "$1/include/config/kernel.release" 2>/dev/null
}

# zoot_build_shadow TREE KDIR DIR: build zram.ko with W=1 against the
# kernel tree KDIR in the shadow directory DIR (symlinks to Kbuild and the
# sources, as "make all-kernels" does), incrementally.  Prints the module
# path; the make output goes to DIR/build.log and, on failure, to stderr.
zoot_build_shadow() {
	local tree=$1 kdir=$2 dir=$3 f

	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	find "$dir" -maxdepth 1 -type l -delete
	for f in "$tree"/Kbuild "$tree"/*.c "$tree"/*.h; do
		case "$f" in *.mod.c) continue ;; esac
		[ -e "$f" ] && ln -sfn "$f" "$dir/${f##*/}"
	done
	if ! (unset MAKEFLAGS MFLAGS MAKELEVEL
	      make -C "$kdir" M="$dir" W=1 -j"$(nproc)" modules) >"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		return 1
	fi
	if grep -qE 'warning:|WARNING:' "$dir/build.log"; then
		grep -E -A3 'warning:|WARNING:' "$dir/build.log" | head -n 40 >&2
		return 1
	fi
	echo "$dir/zram.ko"
}
