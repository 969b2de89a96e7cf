#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KDIR OUTDIR: builds the project's modules against KDIR in a private
# copy of the sources (OUTDIR/src), so builds for several kernels never mix
# objects, and collects the .ko files in OUTDIR/modules. Warnings are errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1 out=$(realpath -m "$2")
rm -rf "$out/src" "$out/modules"
mkdir -p "$out/src" "$out/modules"
copy_sources "$out/src"
if ! make -s -C "$kdir" M="$out/src" W=1 KCFLAGS=-Werror modules >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	die "module build against $kdir failed"
fi
find "$out/src" -name '*.ko' -exec cp {} "$out/modules/" \;
