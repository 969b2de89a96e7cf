#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make lint`: checkpatch.pl --strict from the debug kernel tree on every C
# file and header of the project (the guest programs in tools/guest/ too),
# kernel-doc -Wall on the module and its headers, sparse (C=2) over the
# module build, then coccicheck (MODE=report) over the same sources.
# Any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${WSK_TREE:-}
if [ -z "$tree" ]; then
	deps_install
	tree=$(bash "$WSK_TOP/tools/vm/kernel.sh")
fi
cd "$WSK_TOP"
mkdir -p "$WSK_OUT"
# wsk/names.h holds the X-macro name tables, which checkpatch cannot parse:
# it is checked with the findings that idiom causes (a macro of macro calls,
# an argument an expansion leaves out, "[value] = name", the semicolon
# TRACE_DEFINE_ENUM() needs) turned off.
tables=wsk/names.h
files=$(tree_files | grep -E '\.[ch]$' | grep -v -e "^$tables\$" || true)
# A file list gone empty (a broken tree_files) must not read as a clean tree.
if [ -z "$files" ] || [ ! -f "$tables" ]; then
	echo "lint: no C files found in $WSK_TOP (or $tables missing)"
	exit 1
fi
rc=0

checkpatch() { # checkpatch IGNORES FILES...
	_ign=$1
	shift
	perl "$tree/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		--max-line-length=100 --ignore "SPDX_LICENSE_TAG,FILE_PATH_CHANGES$_ign" -f "$@"
}
if ! { checkpatch "" $files &&
	checkpatch ",COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_ARG_UNUSED,BRACKET_SPACE,TRAILING_SEMICOLON" $tables; } \
	>"$WSK_OUT/checkpatch.log" 2>&1; then
	grep -E 'ERROR|WARNING|CHECK' "$WSK_OUT/checkpatch.log"
	echo "checkpatch: findings above"
	rc=1
else
	echo "checkpatch --strict: clean ($(echo $files $tables | wc -w) files)"
fi

# kernel-doc on the public headers and the module: every comment it would
# publish is well formed (-Wall: undocumented parameters and returns too).
kdoc=$(echo $files | tr ' ' '\n' | grep -E '^(include|wsk)/' || true)
if "$tree/scripts/kernel-doc" -Wall -none $kdoc >"$WSK_OUT/kernel-doc.log" 2>&1 &&
	! grep -q . "$WSK_OUT/kernel-doc.log"; then
	echo "kernel-doc -Wall: clean ($(echo $kdoc | wc -w) files)"
else
	cat "$WSK_OUT/kernel-doc.log"
	echo "kernel-doc: findings above"
	rc=1
fi

out="$WSK_OUT/sparse"
rm -rf "$out"
mkdir -p "$out/src"
copy_sources "$out/src"
make -s -C "$tree" M="$out/src" C=2 CHECK="sparse -Wno-declaration-after-statement" modules \
	>"$out/sparse.log" 2>&1 || { cat "$out/sparse.log"; echo "sparse: build failed"; rc=1; }
# The bench modules: their own build (as tools/vm/lib.sh's bench_build), with wsk's symbols.
tree_files bench | tar -cf - -T - | tar -C "$out/src" -xf -
make -s -C "$tree" M="$out/src/bench" C=2 CHECK="sparse -Wno-declaration-after-statement" \
	WSK_BENCH_WSK=1 KBUILD_EXTRA_SYMBOLS="$out/src/Module.symvers" modules \
	>>"$out/sparse.log" 2>&1 || { cat "$out/sparse.log"; echo "sparse: bench build failed"; rc=1; }
if grep -E "^$out/src/.*: (warning|error):" "$out/sparse.log"; then
	echo "sparse: findings above"
	rc=1
else
	echo "sparse: clean"
fi

# coccicheck: the tree's Coccinelle semantic patches (scripts/coccinelle/,
# Debian's coccinelle for spatch) in report mode over the same copy (wsk/,
# kunit/, samples/, bench/), one patch at a time (COCCI=): the two with OCaml
# script rules (badzero, check_bq27xxx_data) are left out, as Debian's
# coccinelle runs those only with an OCaml compiler installed, which
# coccicheck otherwise stops at. About 6 minutes on two cores. A finding is
# a line "FILE:LINE:...: MESSAGE"; those tools/vm/coccicheck.ignore lists
# ("FILE: MESSAGE", with the reason above each) are left out.
ign="$WSK_TOP/tools/vm/coccicheck.ignore"
cocci_run() {
	local f
	for f in $(cd "$tree" && find scripts/coccinelle -name '*.cocci' | sort); do
		if grep -q ':ocaml' "$tree/$f"; then
			echo "coccicheck: $f left out (OCaml rules)"
			continue
		fi
		make -s -C "$tree" M="$out/src" coccicheck MODE=report COCCI="$tree/$f" ||
			{ echo "coccicheck: $f failed"; return 1; }
	done
}
if ! command -v spatch >/dev/null; then
	echo "coccicheck: spatch missing (apt-get install coccinelle)"
	rc=1
elif ! cocci_run >"$out/coccicheck.log" 2>&1; then
	cat "$out/coccicheck.log"
	echo "coccicheck: failed to run"
	rc=1
else
	norm() { sed -E 's/^([^:]+):[0-9]+(:[0-9-]+)*: */\1: /'; }
	grep -E "^$out/src/[^:]+:[0-9]+" "$out/coccicheck.log" | sed "s|^$out/src/||" \
		>"$out/coccicheck.findings" || true
	norm <"$out/coccicheck.findings" | sort -u |
		grep -v -x -F -f <(grep -v -e '^#' -e '^$' "$ign") >"$out/coccicheck.new" || true
	if [ -s "$out/coccicheck.new" ]; then
		while IFS= read -r l; do
			grep -q -x -F -- "$(printf '%s\n' "$l" | norm)" "$out/coccicheck.new" &&
				printf '%s\n' "$l"
		done <"$out/coccicheck.findings"
		echo "coccicheck: findings above"
		rc=1
	else
		echo "coccicheck: clean ($(wc -l <"$out/coccicheck.findings") findings, all in" \
			"tools/vm/coccicheck.ignore)"
	fi
fi
exit $rc
