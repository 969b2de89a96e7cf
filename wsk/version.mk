# SPDX-License-Identifier: GPL-2.0
# WSK_VERSION, the version modinfo shows (MODULE_VERSION) and the installs
# carry, for the source tree at $(wsk-top):
# - a git checkout: `git describe --tags --always --dirty`, its leading "v"
#   dropped (tag v0.1.0 gives 0.1.0, later commits 0.1.0-3-gabc1234);
# - anything else (a release tarball, a DKMS or harness copy): the first line
#   of $(wsk-top)/VERSION; the copies this project makes write the described
#   version there;
# - neither: "unknown".
# Included by wsk/Kbuild and the top-level Makefile.
WSK_VERSION := $(shell cd '$(wsk-top)' 2>/dev/null && \
	{ [ -e .git ] && git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' | grep .; } || \
	head -n 1 VERSION 2>/dev/null | grep . || echo unknown)
