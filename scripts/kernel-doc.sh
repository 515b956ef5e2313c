#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kernel-doc check of the given files.
#
# Usage: scripts/kernel-doc.sh FILE...
# Extracts scripts/kernel-doc from /usr/src/linux-source-6.1.tar.xz into
# the cache once, then runs "kernel-doc -none" on each file: nothing is
# generated, only the comments are checked against the code (a missing
# or misnamed parameter or member, a malformed comment).  Exit 1 if any
# file draws a warning or an error, 2 on a usage or set-up problem.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

[ $# -gt 0 ] || { echo "kernel-doc: no files given" >&2; exit 2; }
tarball=/usr/src/linux-source-6.1.tar.xz
dir=$(zoot_cache_dir)/kernel-doc
if [ ! -f "$dir/scripts/kernel-doc" ]; then
	[ -r "$tarball" ] || { echo "kernel-doc: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 2; }
	tmp=$(mktemp -d "$dir.XXXXXX")
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
		'*/scripts/kernel-doc'
	rm -rf "$dir"
	mv "$tmp" "$dir"
fi

bad=0
for f in "$@"; do
	[ -r "$f" ] || { echo "kernel-doc: $f: cannot read" >&2; bad=1; continue; }
	# kernel-doc reports on stderr; any report at all fails the file.
	if ! out=$(perl "$dir/scripts/kernel-doc" -none "$f" 2>&1) || [ -n "$out" ]; then
		bad=1
		printf '%s\n' "${out:-$f: kernel-doc failed}"
	fi
done
if [ "$bad" = 0 ]; then
	echo "kernel-doc: $# files, no warnings"
fi
exit "$bad"
