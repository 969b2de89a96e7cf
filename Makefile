# SPDX-License-Identifier: GPL-2.0
#
# wsk: out-of-tree build of the project's modules, plus the test harness.
#
#   make                  build every module against KDIR
#   make KDIR=<tree>      ... against another kernel tree or headers
#   make check            the whole test suite in QEMU (debug kernel, Debian 6.1, 6.12)
#   make check WSK_FUZZ_OPS=100000 [WSK_FUZZ_SEED=S]
#                         ... with a long run of the API fuzzer (wsk_fuzz.ko)
#   make run              boot the debug kernel with the modules and run the demo
#   make lint             checkpatch --strict, kernel-doc -Wall, sparse and coccicheck
#   make clean
#   make modules_install  build and install wsk.ko alone (INSTALL_MOD_PATH, as kbuild's)
#   make modules_install_all   ... every module: the samples, and the KUnit ones
#                         where the kernel has KUnit
#   make install-dev      install the client SDK (header, Module.symvers of KDIR's
#                         kernel, wsk.mk) under $(DESTDIR)$(WSK_SDK)
#   make dkms-install     wsk.ko through DKMS: source in /usr/src/wsk-<version>,
#                         built and installed for the running kernel (or DKMS_KERNEL)
#   make dkms-uninstall   ... removed from DKMS, every kernel, and its source
#   make dkms-source [DKMS_SRC=dir]   only the DKMS source tree
#   make version          the version modinfo shows (wsk/version.mk)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(CURDIR)
wsk-top := $(CURDIR)
include wsk/version.mk
# Where make install-dev puts the client SDK (README.md, "Writing a client").
WSK_SDK ?= /usr/lib/wsk

.PHONY: all modules clean modules_install modules_install_all install-dev check run lint \
	kdir-check bench version dkms-source dkms-install dkms-uninstall

all: modules

kdir-check:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "  build against a tree or headers:  make KDIR=/path/to/linux-headers" >&2; \
		echo "  or test in QEMU (installs what it needs): make check  /  make run" >&2; \
		exit 1; \
	fi

# WSK_MODULES=wsk: wsk.ko alone (the top-level Kbuild).
modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) $(if $(WSK_MODULES),WSK_MODULES=$(WSK_MODULES)) modules

# kbuild's modules_install installs what the last build listed in modules.order:
# build wsk.ko alone first, so that nothing else is installed.
modules_install: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) WSK_MODULES=wsk modules
	$(MAKE) -C $(KDIR) M=$(PWD) WSK_MODULES=wsk modules_install

modules_install_all: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install

# The SDK: include/wsk/ and wsk.mk once, Module.symvers per kernel release,
# under $(WSK_SDK)/<release>/ (wsk's exports carry CRCs of that kernel's types).
# The release is UTS_RELEASE, the KERNELRELEASE of client builds (Debian's 6.1
# headers say otherwise in include/config/kernel.release).
install-dev: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) WSK_MODULES=wsk modules
	@set -e; rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' \
		$(KDIR)/include/generated/utsrelease.h); \
	test -n "$$rel"; \
	sdk='$(DESTDIR)$(WSK_SDK)'; \
	install -d "$$sdk/include/wsk" "$$sdk/$$rel"; \
	install -m 644 include/wsk/*.h "$$sdk/include/wsk/"; \
	install -m 644 Module.symvers "$$sdk/$$rel/Module.symvers"; \
	sed -e 's|@WSK_SDK@|$(WSK_SDK)|g' -e 's|@WSK_VERSION@|$(WSK_VERSION)|g' wsk.mk.in \
		>"$$sdk/wsk.mk"; \
	echo '$(WSK_VERSION)' >"$$sdk/VERSION"; \
	echo "wsk $(WSK_VERSION) SDK for $$rel installed in $$sdk"

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(PWD) $(if $(WSK_MODULES),WSK_MODULES=$(WSK_MODULES)) clean; fi
	rm -rf .out

check:
	bash tools/vm/check.sh

run:
	bash tools/vm/run.sh

lint:
	bash tools/vm/lint.sh

bench: ; bash tools/vm/bench.sh

version: ; @echo $(WSK_VERSION)

# DKMS (README.md, "Installing with DKMS"). The source tree: what building
# wsk.ko needs, dkms.conf with the version filled in, and VERSION, as DKMS's
# copies have no .git to describe.
DKMS_SRC ?= /usr/src/wsk-$(WSK_VERSION)
dkms-source:
	rm -rf '$(DKMS_SRC)'
	install -d '$(DKMS_SRC)/wsk' '$(DKMS_SRC)/include/wsk'
	install -m 644 Makefile Kbuild COPYING '$(DKMS_SRC)/'
	install -m 644 wsk/Kbuild wsk/*.mk $$(ls wsk/*.[ch] | grep -v '\.mod\.c$$') '$(DKMS_SRC)/wsk/'
	install -m 644 include/wsk/*.h '$(DKMS_SRC)/include/wsk/'
	sed 's|@VERSION@|$(WSK_VERSION)|' dkms.conf >'$(DKMS_SRC)/dkms.conf'
	echo '$(WSK_VERSION)' >'$(DKMS_SRC)/VERSION'

dkms-install:
	@command -v dkms >/dev/null || { echo "error: no dkms (apt-get install dkms)" >&2; exit 1; }
	-dkms remove -m wsk -v $(WSK_VERSION) --all 2>/dev/null
	$(MAKE) dkms-source DKMS_SRC=/usr/src/wsk-$(WSK_VERSION)
	dkms add -m wsk -v $(WSK_VERSION)
	dkms install -m wsk -v $(WSK_VERSION) $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))

dkms-uninstall:
	dkms remove -m wsk -v $(WSK_VERSION) --all
	rm -rf /usr/src/wsk-$(WSK_VERSION)
