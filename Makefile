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
#   make lint             checkpatch --strict and sparse on the project's C files
#   make clean / make modules_install
#   make version          the version modinfo shows (wsk/version.mk)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(CURDIR)
wsk-top := $(CURDIR)
include wsk/version.mk

.PHONY: all modules clean modules_install check run lint kdir-check bench version

all: modules

kdir-check:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "  build against a tree or headers:  make KDIR=/path/to/linux-headers" >&2; \
		echo "  or test in QEMU (installs what it needs): make check  /  make run" >&2; \
		exit 1; \
	fi

modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) modules

modules_install: kdir-check
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	rm -rf .out

check:
	bash tools/vm/check.sh

run:
	bash tools/vm/run.sh

lint:
	bash tools/vm/lint.sh

bench: ; bash tools/vm/bench.sh

version: ; @echo $(WSK_VERSION)
