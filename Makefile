# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree zram.  Everyday targets:
#   make                  build zram.ko for KVER (default: running kernel
#                         if its headers exist, else the newest supported)
#   make all-kernels      build for every supported kernel into build/KVER/
#   make check            build for every kernel, run the guest tests
#   make check-debug      KUnit + the guest tests under KASAN/lockdep/kmemleak
#   make demo             build, boot a guest, use zram as swap, print stats
#   make style            checkpatch on every source file
#   make sparse           sparse (C=2) build
#   make W1               warning check with W=1
#   make bench            ours vs Debian's zram.ko, same kernel and guest
#   make soak             torture at scale (SCALE=10) on every kernel + debug

SUPPORTED_RE := ^6\.(1|12)\.[0-9.+a-z-]*-amd64$$
KVERS ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -E '$(SUPPORTED_RE)' | \
	   while read k; do [ -e /lib/modules/$$k/build/Makefile ] && echo $$k; done | sort -V)
KVER ?= $(shell k=$$(uname -r); [ -e /lib/modules/$$k/build/Makefile ] && echo $$k || \
	  echo $(lastword $(KVERS)))
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)
CHECKPATCH ?= $(PWD)/scripts/checkpatch.sh

SRCS := $(filter-out %.mod.c,$(wildcard *.c *.h))

.PHONY: module all-kernels clean check demo style sparse W1 deps bench soak

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# Each kernel builds in its own shadow directory build/KVER/ (symlinks to
# the sources), so builds are incremental and never clean each other.
all-kernels:
	@set -e; for k in $(KVERS); do \
		echo "== building for $$k"; \
		d=build/$$k; mkdir -p $$d; \
		for f in Kbuild $(SRCS); do ln -sfn ../../$$f $$d/$$f; done; \
		$(MAKE) -C /lib/modules/$$k/build M=$(PWD)/$$d W=1 modules; \
	done

W1:
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 modules

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 modules

style:
	$(CHECKPATCH) $(SRCS)

deps:
	scripts/install-deps.sh

check:
	scripts/check.sh

# KUnit and the integration tests in the debug (KASAN/lockdep/kmemleak) guest.
.PHONY: check-debug
check-debug:
	scripts/check.sh --debug-only

demo:
	scripts/demo.sh

bench:
	bench/run.sh

# tests/12-torture.sh at scale $(SCALE) on every kernel and the debug guest
# (tens of minutes; not part of make check).
SCALE ?= 10
soak:
	scripts/soak.sh -S $(SCALE)

# KUnit suites (kunit/) in the debug guest kernel: builds or reuses that
# kernel, builds zram_kunit.ko in build/kunit/, boots it, judges the KTAP.
.PHONY: kunit
kunit:
	scripts/kunit.sh

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf build
