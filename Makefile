# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree zram.  Everyday targets:
#   make                  build zram.ko for KVER (default: running kernel
#                         if its headers exist, else the newest supported)
#   make all-kernels      build for every supported kernel into build/KVER/
#   make check            build for every kernel, run the guest tests
#   make check-debug      KUnit + the guest tests under KASAN/lockdep/kmemleak
#   make demo             build, boot a guest, use zram as swap, print stats
#   make style            checkpatch, kernel-doc, shellcheck
#   make sparse           sparse (C=2) build
#   make W1               warning check with W=1
#   make bench            ours vs Debian's zram.ko, same kernel and guest
#   make install          zram.ko into /lib/modules/KVER/updates/ + depmod
#                         (INSTALL_MOD_PATH=DIR stages under DIR instead)
#   make uninstall        remove it again (the in-kernel zram comes back)
#   make deb              build/deb/zram-oot-dkms_VERSION_all.deb (DKMS)
#   make soak             torture at scale (SCALE=10) on every kernel + debug
#                         (tens of minutes; make check runs scale 1)

SUPPORTED_RE := ^6\.(1|12)\.[0-9.+a-z-]*-amd64$$
KVERS ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -E '$(SUPPORTED_RE)' | \
	   while read k; do [ -e /lib/modules/$$k/build/Makefile ] && echo $$k; done | sort -V)
KVER ?= $(shell k=$$(uname -r); [ -e /lib/modules/$$k/build/Makefile ] && echo $$k || \
	  echo $(lastword $(KVERS)))
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)
CHECKPATCH ?= $(PWD)/scripts/checkpatch.sh

SRCS := $(filter-out %.mod.c,$(wildcard *.c *.h))
KUNIT_SRCS := $(wildcard kunit/*.c kunit/*.h)
# Headers whose interfaces are documented in kernel-doc.
DOC_HDRS := zcomp.h zsmalloc.h backend.h
SHELL_SRCS := $(wildcard scripts/*.sh tests/*.sh bench/*.sh) .ci/run
# The one version (dkms.conf; Kbuild and debian/changelog follow it).
ZRAM_OOT_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$$/\1/p' dkms.conf)
INSTALL_MOD_PATH ?=
INSTALL_MOD_DIR := $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates

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

# checkpatch on every C file (kunit/ too), kernel-doc on the layer
# interfaces, shellcheck on every script.
style:
	$(CHECKPATCH) $(SRCS) $(KUNIT_SRCS)
	scripts/kernel-doc.sh $(DOC_HDRS)
	shellcheck -x $(SHELL_SRCS)
	scripts/check-version.sh

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

# Without DKMS: like the kernel's modules_install, into updates/ (which
# depmod ranks above the kernel's own kernel/drivers/block/zram/zram.ko),
# then depmod.  With INSTALL_MOD_PATH, depmod -b runs when that root holds
# the kernel's modules (an image root); a bare staging directory (a
# package's) gets no depmod files: the target runs depmod when installing.
.PHONY: install uninstall deb
ZRAM_DEPMOD = if [ -z "$(INSTALL_MOD_PATH)" ]; then depmod -a $(KVER); \
	elif [ -e "$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/modules.order" ]; then \
		depmod -b "$(INSTALL_MOD_PATH)" -a $(KVER); \
	else echo "zram-oot: staged only (no modules of $(KVER) under" \
		"$(INSTALL_MOD_PATH)): run depmod -a $(KVER) on the target"; fi

install: module
	install -D -m 644 zram.ko $(INSTALL_MOD_DIR)/zram.ko
	@$(ZRAM_DEPMOD)

uninstall:
	rm -f $(INSTALL_MOD_DIR)/zram.ko
	@$(ZRAM_DEPMOD)

# The DKMS package, from a copy of the build files (the tree stays clean,
# dpkg-buildpackage's output lands in build/deb/), then lintian.
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/src/zram-oot-$(ZRAM_OOT_VERSION)
deb:
	scripts/check-version.sh
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	cp -a Kbuild dkms.conf README.md debian $(SRCS) $(DEB_SRC)/
	cd $(DEB_SRC) && dpkg-buildpackage --build=source,all -us -uc
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo \
	   $(DEB_DIR)/src/*.dsc $(DEB_DIR)/src/*.tar.* $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@echo "package: $$(ls $(DEB_DIR)/*.deb)"

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf build
