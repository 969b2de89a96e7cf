#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: boots the debug kernel with the modules loaded and runs the demo
# scripts (tools/demo/*.sh). With INTERACTIVE=1 (and a terminal) it then gives
# a shell in the guest; 'exit' powers it off. Ctrl-A X leaves QEMU at any time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

deps_install
tree=$(bash "$WSK_TOP/tools/vm/kernel.sh")
out="$WSK_OUT/run"
bash "$WSK_TOP/tools/vm/guest-programs.sh" "$WSK_OUT/guest-bin"
bash "$WSK_TOP/tools/vm/build.sh" "$tree" "$out"
bash "$WSK_TOP/tools/vm/initramfs.sh" "$out/initrd.gz" "$out/modules" "$WSK_OUT/guest-bin"
mode=run
if [ "${INTERACTIVE:-0}" = 1 ]; then
	[ -t 0 ] || die "INTERACTIVE=1 needs a terminal on standard input"
	mode=shell
fi
bash "$WSK_TOP/tools/vm/boot.sh" "$tree/arch/x86/boot/bzImage" "$out/initrd.gz" "$out" "$mode" \
	debug "${WSK_RUN_TIMEOUT:-3600}"
