#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-programs.sh OUTDIR: builds every tools/guest/*.c into a static binary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
mkdir -p "$out"
for c in "$WSK_TOP"/tools/guest/*.c; do
	[ -f "$c" ] || continue
	bin="$out/$(basename "$c" .c)"
	if [ ! "$bin" -nt "$c" ]; then
		gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$c" ||
			die "building $c failed"
	fi
done
