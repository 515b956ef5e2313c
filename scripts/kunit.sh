#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the KUnit suites (kunit/) in the debug guest kernel.  What
# "make kunit" runs.
#
# Usage: scripts/kunit.sh [-t SECS] [--build-only]
#   -t SECS       host limit for the guest run (default 900, or
#                 $ZRAM_KUNIT_TIMEOUT); a guest still running is killed
#   --build-only  build zram_kunit.ko (W=1) and stop
#   $ZRAM_KUNIT_KDIR  a built debug kernel tree to use instead of step 1
#
# Steps:
#  1. KDIR=$(scripts/build-debug-kernel.sh): builds or reuses the cached
#     debug kernel (KASAN, lockdep, kmemleak, fault injection, KUnit).
#  2. Builds zram_kunit.ko with "make -C KDIR M=build/kunit ZRAM_KUNIT=1
#     W=1 modules" in the shadow directory build/kunit/ (symlinks to the
#     sources and to kunit/).  A compiler or modpost warning is a failure.
#  3. Packs a busybox initramfs holding the module (cached under
#     ${ZRAM_OOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-oot}/, keyed by
#     busybox, the init script and the module).
#  4. Boots it under QEMU (TCG).  Its /init scans kmemleak once and clears
#     the boot-time suspects, insmods the module (the suites run while it
#     loads), rmmods it, scans kmemleak again and powers off.  The kernel
#     console (ttyS0) and the init's own reports (ttyS1) go to log files.
#  5. Judges the console: prints the KTAP lines, counts the test cases
#     (leaf results: each case, or each parameter of a parameterised
#     case).  A skipped case ("# SKIP") is a failed case: the debug
#     kernel has everything every case needs (CPU hotplug and 2 CPUs,
#     shrinkers, the fault-injection shims), so a skip there means a case
#     did not run what it claims to test.  Failures besides failed cases:
#     an expected suite (kunit_test_suites() in kunit/*.c) that did not
#     report or has no "# Totals" line, a suite "not ok" by itself (suite
#     init failed), a crash or hang, insmod/rmmod failing, a kmemleak
#     report, or a BUG, WARNING, KASAN, lockdep, Oops... line on the
#     console.  Each such problem counts as one failure.
#
# The last line is "N passed, N failed, N skipped".  Exit status 0 iff
# nothing failed.  Logs: build/kunit/console.log (full kernel console) and
# build/kunit/runner.log (the init's reports); their paths and the
# offending lines are printed on failure.
set -euo pipefail

prog=kunit
script=$(readlink -f "${BASH_SOURCE[0]}")
script_dir=$(dirname "$script")
tree=$(dirname "$script_dir")

# shellcheck source=lib-common.sh
. "$script_dir/lib-common.sh"

die() { echo "$prog: error: $*" >&2; exit 2; }
note() { echo "$prog: $*" >&2; }

timeout_s=${ZRAM_KUNIT_TIMEOUT:-900}
build_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	-t) [ $# -ge 2 ] || die "-t needs a value"; timeout_s=$2; shift 2 ;;
	--build-only) build_only=1; shift ;;
	-h|--help) sed -n '3,37p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "-t takes a positive number"
for tool in make qemu-system-x86_64 cpio gzip perl flock sha256sum timeout; do
	command -v "$tool" >/dev/null || die "'$tool' not found (scripts/install-deps.sh)"
done
[ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"
if ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
	note "warning: /bin/busybox does not look static"
fi

# Suites the run must report: every kunit_test_suites(&x, ...) in
# kunit/*.c, resolved to x's .name.
expected_suites() {
	perl -0777 -ne '
		my $src = $_;
		$src =~ s{/\*.*?\*/}{}gs;
		$src =~ s{//[^\n]*}{}g;
		while ($src =~ /\bkunit_test_suites?\s*\(([^)]*)\)/g) {
			for my $v (split /,/, $1) {
				$v =~ s/[\s&]//g;
				next unless length $v;
				if ($src =~ /struct\s+kunit_suite\s+\Q$v\E\s*=\s*\{.*?\.name\s*=\s*"([^"]+)"/s) {
					print "$1\n";
				} else {
					print "?$v\n";
				}
			}
		}' "$tree"/kunit/*.c | sort -u
}

shadow=$tree/build/kunit
mkdir -p "$shadow/kunit"
# One run at a time per clone: the shadow build and the logs are shared.
exec 8>"$shadow/.lock"
if ! flock -n 8; then
	note "another kunit run holds $shadow/.lock, waiting"
	flock 8
fi

# 1. Kernel ($ZRAM_KUNIT_KDIR: use that built tree instead)
if [ -n "${ZRAM_KUNIT_KDIR:-}" ]; then
	kdir=$ZRAM_KUNIT_KDIR
else
	kdir=$("$script_dir/build-debug-kernel.sh" | tail -n 1)
fi
if [ -z "$kdir" ] || [ ! -f "$kdir/arch/x86/boot/bzImage" ] ||
	[ ! -f "$kdir/Module.symvers" ]; then
	die "build-debug-kernel.sh gave no usable tree ('$kdir')"
fi
note "kernel tree $kdir"

# 2. Module, in the shadow directory (stale links removed first).  Kbuild
# does not notice a different kernel tree behind the same command lines:
# objects built against another tree or configuration are thrown away.
kernel_id=$(printf '%s\n' "$kdir" |
	cat - "$kdir/.config" "$kdir/Module.symvers" | sha256sum | cut -c1-16)
if [ "$(cat "$shadow/.kernel-id" 2>/dev/null)" != "$kernel_id" ]; then
	find "$shadow" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
	mkdir -p "$shadow/kunit"
	echo "$kernel_id" >"$shadow/.kernel-id"
fi
find "$shadow" -maxdepth 2 -type l -delete
(
	cd "$tree"
	for f in Kbuild *.c *.h; do
		case "$f" in *.mod.c) continue ;; esac
		if [ -e "$f" ]; then ln -sfn "../../$f" "$shadow/$f"; fi
	done
	for f in kunit/*.c kunit/*.h; do
		case "$f" in *.mod.c) continue ;; esac
		if [ -e "$f" ]; then ln -sfn "../../../$f" "$shadow/$f"; fi
	done
)
buildlog=$shadow/build.log
note "building zram_kunit.ko (W=1) in $shadow"
set +e
make -C "$kdir" M="$shadow" ZRAM_KUNIT=1 W=1 -j"$(nproc)" modules \
	>"$buildlog" 2>&1
brc=$?
set -e
if [ "$brc" != 0 ]; then
	grep -E 'error|warning' "$buildlog" | awk 'NR <= 40' >&2 || tail -n 40 "$buildlog" >&2
	note "FAIL: module build failed (exit $brc), full log: $buildlog"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
if grep -qE 'warning:|WARNING:' "$buildlog"; then
	grep -E -A3 'warning:|WARNING:' "$buildlog" | awk 'NR <= 40' >&2
	note "FAIL: the module build has warnings, full log: $buildlog"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
module=$shadow/zram_kunit.ko
[ -f "$module" ] || die "build succeeded but $module is missing"
note "built $module"
[ "$build_only" = 1 ] && exit 0

mapfile -t suites < <(expected_suites)
for s in "${suites[@]}"; do
	case "$s" in
	\?*) die "kunit_test_suites() names ${s#\?}, whose .name was not found" ;;
	esac
done
[ "${#suites[@]}" -gt 0 ] || die "no kunit_test_suites() found in kunit/*.c"
note "expected suites: ${suites[*]}"

# 3. Initramfs.  The init reports on ttyS1 as "KUNIT-RUNNER: ...".
read -r -d '' init_script <<'EOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
say() { echo "KUNIT-RUNNER: $*" >/dev/ttyS1; }
leaks=/sys/kernel/debug/kmemleak
say "booted"
if [ -w $leaks ]; then
	# Forget what boot already leaked (reported suspects turn grey).  A
	# leak is reported by the second scan that finds it unreferenced
	# (the first one only records its checksum).  kmemleak's own scan
	# thread is stopped: only the scans here are judged.
	echo scan=off >$leaks
	echo scan >$leaks
	echo scan >$leaks
	echo clear >$leaks
	say "kmemleak: baseline cleared"
else
	say "kmemleak: not available"
fi
say "insmod begin"
insmod /zram_kunit.ko
say "insmod rc=$?"
# Where the module's code was: leak back traces name it by address only.
for f in /sys/module/zram_kunit/sections/.*text*; do
	[ -r "$f" ] && say "section ${f##*/} $(cat "$f")"
done
rmmod zram_kunit
say "rmmod rc=$?"
if [ -w $leaks ]; then
	# Objects younger than 5 s are never reported; two scans, as above.
	sleep 6
	echo scan >$leaks
	echo scan >$leaks
	cat $leaks >/tmp/leaks
	if [ -s /tmp/leaks ]; then
		say "kmemleak: LEAKS"
		cat /tmp/leaks >/dev/ttyS1
	else
		say "kmemleak: clean"
	fi
fi
say "done"
sync
# No ACPI in the debug kernel: a reset ends QEMU (-no-reboot).
reboot -f
sleep 30
EOF

cache=$(zoot_cache_dir)
key=$({
	sha256sum </bin/busybox
	echo "$init_script"
	sha256sum <"$module"
} | sha256sum | cut -c1-16)
initrd=$cache/kunit-initramfs-$key.cpio.gz
if [ ! -s "$initrd" ]; then
	stage=$(mktemp -d "$cache/kunit-stage.XXXXXX")
	mkdir -p "$stage/bin"
	cp /bin/busybox "$stage/bin/busybox"
	printf '%s\n' "$init_script" >"$stage/init"
	chmod 755 "$stage/init"
	cp "$module" "$stage/zram_kunit.ko"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp.$$"
	mv -f "$initrd.tmp.$$" "$initrd"
	rm -rf "$stage"
	# Older images hold older modules: keep only this one.
	for old in "$cache"/kunit-initramfs-*.cpio.gz; do
		[ "$old" = "$initrd" ] || rm -f -- "$old"
	done
fi

# 4. Boot
console=$shadow/console.log runner=$shadow/runner.log
: >"$console"
: >"$runner"
# shellcheck disable=SC2054 # the commas are QEMU's
qemu_cmd=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2,sockets=2,cores=1,threads=1 -m 1024
	-nographic -no-reboot -monitor none
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 oops=panic"
	-serial "file:$console" -serial "file:$runner")
note "booting the guest (limit ${timeout_s}s); console: $console"
start=$(date +%s)
set +e
timeout -s KILL "$timeout_s" "${qemu_cmd[@]}" </dev/null >"$shadow/qemu.log" 2>&1
qrc=$?
set -e
elapsed=$(($(date +%s) - start))
note "guest ran ${elapsed}s (qemu exit $qrc)"

# 5. Judge.  Lines lose "\r" and the printk time stamp.
clean=$shadow/console.clean
tr -d '\r' <"$console" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' >"$clean"
tr -d '\r' <"$runner" >"$runner.tmp" && mv -f "$runner.tmp" "$runner"

problems=()
problem() { problems+=("$*"); }

# The first zram_kunit.ko frame of every leak back trace, as symbol+offset
# (the guest printed the sections' load addresses after insmod).
symbolize_leaks() {
	objdump -t "$module" | perl -e '
		my (%sec, @syms, %bysec);
		open(my $r, "<", $ARGV[0]) or die;
		while (<$r>) {
			$sec{$1} = hex($2) if /^KUNIT-RUNNER: section (\S+) 0x([0-9a-f]+)/;
		}
		close $r;
		while (<STDIN>) {
			# value flags section size name
			next unless /^([0-9a-f]+)\s.*\s(\.\S*text\S*)\s+[0-9a-f]+\s+(\S+)$/;
			push @{$bysec{$2}}, [hex($1), $3];
		}
		my $frame = sub {
			my $addr = shift;
			for my $s (keys %sec) {
				next unless $bysec{$s};
				my $off = $addr - $sec{$s};
				next if $off < 0 || $off > 0x100000;
				my ($best) = sort { $b->[0] <=> $a->[0] }
					grep { $_->[0] <= $off } @{$bysec{$s}};
				return sprintf("%s+0x%x", $best->[1], $off - $best->[0]) if $best;
			}
			return undef;
		};
		open($r, "<", $ARGV[0]) or die;
		my $want = 0;
		while (<$r>) {
			$want = 1 if /^unreferenced object/;
			next unless $want && /\[<[^>]*>\] (0x[0-9a-f]+)/;
			my $f = $frame->(hex($1));
			if (defined $f) { print "$f\n"; $want = 0; }
		}' "$runner"
}

echo "---- KTAP ($console)"
grep -E '^ *(KTAP version|# Subtest:|1\.\.[0-9]+$|ok [0-9]|not ok [0-9]|# )' \
	"$clean" | grep -v '^# *$' || true
echo "----"

# Counts: leaf results; a case line that follows parameter lines is the
# parameters' summary and is not counted again.
read -r passed failed skipped < <(awk '
	/^        (not )?ok [0-9]+ / {
		params = 1
		if ($0 ~ /# SKIP/) s++; else if ($1 == "not") f++; else p++
		next
	}
	/^    (not )?ok [0-9]+ / {
		if (params) { params = 0; next }
		if ($0 ~ /# SKIP/) s++; else if ($1 == "not") f++; else p++
		next
	}
	END { printf "%d %d %d\n", p, f, s }' "$clean")

# No case may skip in the debug kernel (see the top): each skip is a
# failed case.
if [ "$skipped" -gt 0 ]; then
	note "FAIL: $skipped case(s) skipped; no case may skip in the debug kernel:"
	grep -E '^ +(not )?ok [0-9]+ .*# SKIP' "$clean" | sed 's/^ */kunit:   /' >&2 || true
	failed=$((failed + skipped)) skipped=0
fi

# Per suite: result line and Totals line.
for s in "${suites[@]}"; do
	res=$(grep -E "^(not )?ok [0-9]+ $s( |\$)" "$clean" | tail -n 1 || true)
	if [ -z "$res" ]; then
		problem "suite $s did not report"
		continue
	fi
	# A suite is "not ok" because of its failed cases (counted above) or
	# by itself (its suite_init failed): only the latter is added here.
	case "$res" in
	"not ok"*)
		awk -v s="$s" '
			$0 == "    # Subtest: " s { in_s = 1; next }
			in_s && /^ +not ok [0-9]+ / { bad = 1 }
			/^(not )?ok [0-9]+ / { in_s = 0 }
			END { exit !bad }' "$clean" ||
			problem "suite $s: $res"
		;;
	esac
	if ! awk -v s="$s" '
		$0 == "    # Subtest: " s { in_s = 1; next }
		in_s && /^# Totals: / { found = 1; exit }
		/^(not )?ok [0-9]+ / { in_s = 0 }
		END { exit !found }' "$clean"; then
		problem "suite $s has no '# Totals' line"
	fi
done
# Suites nobody expected (a kunit_test_suites() the grep missed).
# (Not "printf | grep -q" under pipefail: grep -q may exit at the first
# suite before printf has written the rest, and printf's SIGPIPE then
# fails the pipeline; seen once when the host was loaded.)
while read -r s; do
	grep -qxF "$s" < <(printf '%s\n' "${suites[@]}") ||
		problem "unexpected suite $s reported"
done < <(sed -nE 's/^(not )?ok [0-9]+ ([A-Za-z0-9_]+).*/\2/p' "$clean")

# Totals must agree with the leaf counts (else the parse is off).
read -r tp tf ts < <(sed -nE \
	's/^# Totals: pass:([0-9]+) fail:([0-9]+) skip:([0-9]+).*/\1 \2 \3/p' \
	"$clean" | awk '{ p += $1; f += $2; s += $3 } END { printf "%d %d %d\n", p, f, s }')
if [ "$tf" -gt "$failed" ]; then
	problem "KUnit totals report $tf failed case(s), the case lines $failed"
	failed=$tf
fi
if [ $((tp + tf + ts)) != $((passed + failed + skipped)) ]; then
	note "note: totals pass:$tp fail:$tf skip:$ts vs counted $passed/$failed/$skipped"
fi

# Harness: the init's reports, in order.
runner_has() { grep -qxF "KUNIT-RUNNER: $1" "$runner"; }
if ! runner_has "done"; then
	if [ "$qrc" = 137 ]; then
		problem "host timeout after ${elapsed}s: the guest hung"
	else
		problem "guest ended without finishing (qemu exit $qrc): crash or panic"
	fi
fi
if runner_has "done" && ! runner_has "insmod rc=0"; then
	problem "insmod failed: $(grep -F 'insmod rc=' "$runner" || echo 'no status')"
fi
if runner_has "insmod rc=0" && ! runner_has "rmmod rc=0"; then
	problem "rmmod failed: $(grep -F 'rmmod rc=' "$runner" || echo 'no status')"
fi
if runner_has "kmemleak: LEAKS"; then
	problem "kmemleak reports $(grep -c "^unreferenced object" "$runner" || true) leaked object(s) (see $runner)"
fi

# Kernel log lines that fail a run.  The command line mentions oops/panic.
bad_re='BUG:|WARNING:|Oops|general protection|Kernel panic|KASAN:|UBSAN:'
bad_re+='|kernel BUG|possible recursive locking|circular locking dependency'
bad_re+='|inconsistent lock state|lockdep:|suspicious RCU usage|Call Trace:'
bad_re+='|list_add corruption|list_del corruption|refcount_t:|double free'
bad_re+='|use-after-free'
bad_re+='|soft lockup|hard LOCKUP|blocked for more than'
bad=$(grep -Ev 'Kernel command line' "$clean" | grep -nE "$bad_re" || true)
if [ -n "$bad" ]; then
	problem "kernel log shows problems: $(echo "$bad" | awk 'NR <= 1')"
fi

if [ "${#problems[@]}" -gt 0 ] || [ "$failed" -gt 0 ]; then
	if [ "$failed" -gt 0 ]; then
		echo "---- failed cases"
		grep -nE '^ +not ok [0-9]+ ' "$clean" || true
		echo "---- failure messages"
		grep -E '^ +# .*(EXPECTATION|ASSERTION) FAILED' -A4 "$clean" |
			head -n 80 || true
	fi
	for p in "${problems[@]}"; do
		note "FAIL: $p"
	done
	if [ -n "$bad" ]; then
		echo "---- kernel log around the first problem"
		first=$(echo "$bad" | awk 'NR <= 1' | cut -d: -f1)
		grep -Ev 'Kernel command line' "$clean" |
			sed -n "$((first > 20 ? first - 20 : 1)),$((first + 40))p"
	fi
	if ! runner_has "done" && [ -z "$bad" ]; then
		echo "---- end of the console"
		tail -n 60 "$clean"
	fi
	if runner_has "kmemleak: LEAKS"; then
		echo "---- kmemleak: allocation sites in zram_kunit.ko, by count"
		symbolize_leaks | sort | uniq -c | sort -rn | awk 'NR <= 20'
		echo "---- kmemleak: first report"
		sed -n '/kmemleak: LEAKS/,$p' "$runner" | awk 'NR <= 14'
	fi
	note "full console log: $console (runner: $runner)"
fi

failed=$((failed + ${#problems[@]}))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
