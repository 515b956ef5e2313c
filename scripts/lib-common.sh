# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers shared by the host-side scripts (guest-run.sh, check.sh, demo.sh,
# checkpatch.sh).  Sourced, never executed.

# Cache directory outside the clone (initramfs images, checkpatch, memhog).
zoot_cache_dir() {
	local d=${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}

	mkdir -p "$d"
	(cd "$d" && pwd)
}

# Supported kernels with headers installed, oldest first (mirrors Makefile).
zoot_kernels() {
	local k

	for k in $(ls -1 /lib/modules 2>/dev/null |
		   grep -E '^6\.(1|12)\.[0-9.+a-z-]*-amd64$' | sort -V); do
		[ -e "/lib/modules/$k/build/Makefile" ] && [ -e "/boot/vmlinuz-$k" ] &&
			echo "$k"
	done
	return 0
}

# Compile tests/memhog.c (userspace) into the cache once per source hash;
# prints the binary path.  The guests see the host root, so the binary runs
# there unchanged.
zoot_build_hog() {
	local tree=$1 cache src sum out

	cache=$(zoot_cache_dir)
	src=$tree/tests/memhog.c
	sum=$(sha256sum "$src" | cut -c1-16)
	out=$cache/memhog-$sum
	if [ ! -x "$out" ]; then
		gcc -O2 -Wall -Wextra -Werror -static -o "$out.tmp.$$" "$src" ||
			gcc -O2 -Wall -Wextra -Werror -o "$out.tmp.$$" "$src" ||
			return 1
		mv -f "$out.tmp.$$" "$out"
	fi
	echo "$out"
}
