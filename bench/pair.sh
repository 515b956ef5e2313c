#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One paired benchmark round (bench/run.sh -P), inside a guest booted
# without zram: bench/guest.sh with each module in turn, in the order
# BENCH_ORDER ("stock ours" or "ours stock"), unloading it in between;
# every line it prints becomes "BENCH module=WHO ...".  Both modules run
# in the same boot, so one round's ratio ours/stock is free of the
# boot-to-boot variance of TCG guests on a shared machine.
# BENCH_OURS is the path of our zram.ko for the running kernel,
# BENCH_OURS_PARAMS its module parameters (bench/run.sh -m; may be empty).
set -euo pipefail

ours=${BENCH_OURS:?}
for who in ${BENCH_ORDER:?}; do
	if [ "$who" = stock ]; then
		modprobe zram
	else
		for dep in $(modinfo -F depends "$ours" | tr , ' '); do
			modprobe "$dep"
		done
		# shellcheck disable=SC2086 # one word a parameter
		insmod "$ours" ${BENCH_OURS_PARAMS:-}
	fi
	"$(dirname "$0")/guest.sh" | sed -u "s/^BENCH /BENCH module=$who /"
	rmmod zram
done
