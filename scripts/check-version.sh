#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The version has one source, PACKAGE_VERSION in dkms.conf (Kbuild turns it
# into MODULE_VERSION).  Check that debian/changelog's top entry and, when
# "git describe" finds a vX.Y.Z tag, that tag agree (equal on HEAD, not
# newer below it).
#
# Usage: scripts/check-version.sh   (exit 0 and one line when they agree)
set -euo pipefail

tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' "$tree/dkms.conf")
[ -n "$ver" ] || { echo "check-version: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$tree/debian/changelog")
bad=0
if [ "$deb" != "$ver" ]; then
	echo "check-version: debian/changelog has '$deb', dkms.conf '$ver'" >&2
	bad=1
fi
# The nearest vX.Y.Z tag: on HEAD it must equal the version, below HEAD
# it must not be newer (the version is bumped after a release, not before).
tag=$(git -C "$tree" describe --tags --abbrev=0 --match 'v[0-9]*.[0-9]*.[0-9]*' 2>/dev/null || true)
if [ -n "$tag" ]; then
	if git -C "$tree" describe --tags --exact-match --match "$tag" >/dev/null 2>&1; then
		[ "${tag#v}" = "$ver" ] || {
			echo "check-version: HEAD is tagged '$tag', dkms.conf says '$ver'" >&2
			bad=1
		}
	elif [ "$(printf '%s\n' "${tag#v}" "$ver" | sort -V | tail -n1)" != "$ver" ]; then
		echo "check-version: last tag '$tag' is newer than dkms.conf's '$ver'" >&2
		bad=1
	fi
fi
[ "$bad" = 0 ] && echo "check-version: $ver (dkms.conf, debian/changelog${tag:+, $tag})"
exit "$bad"
