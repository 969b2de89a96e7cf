#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-programs.sh OUTDIR: builds every tools/guest/*.c into a static binary
# (tools/guest/guest.h holds what they share).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
mkdir -p "$out"
for c in "$WSK_TOP"/tools/guest/*.c; do
	[ -f "$c" ] || continue
	bin="$out/$(basename "$c" .c)"
	# Built again when it or the shared header is newer than the binary.
	if [ ! "$bin" -nt "$c" ] || [ ! "$bin" -nt "$WSK_TOP/tools/guest/guest.h" ]; then
		gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$c" ||
			die "building $c failed"
	fi
done
