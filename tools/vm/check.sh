#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: lint, then the modules built and tested in four kernels under
# QEMU: the 6.12 and 6.1 debug kernels (KUnit suites and integration tests,
# kmemleak) and the stock Debian 6.1 and 6.12 kernels (integration tests). The bench
# modules of bench/ are built for each kernel too and smoke-tested there (not
# timed). Before the guests, the installs (make modules_install, install-dev,
# DKMS) are checked on the host. While each guest runs, a line on the
# terminal as each of its tests ends (tools/vm/report.py --follow). Every case
# goes to $WSK_OUT/results.json (Documentation/testing.rst, "Results file").
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
version=$(wsk_version 2>/dev/null)	# of the tree as the run starts
cases=$WSK_OUT/results.cases.jsonl
add() { passed=$((passed + $1)); failed=$((failed + $2)); }
# record KERNEL NAME RESULT: one case in $cases, as report.py --cases writes them.
record() {
	python3 -c 'import json, sys
k, n, r = sys.argv[1:]
rec = {"kernel": k, "name": n, "result": r}
if r == "fail":
    rec["reason"] = "failed"
print(json.dumps(rec))' "$@" >>"$cases"
}
# host_case RESULT NAME: a case of the host's; "LABEL: NAME" is NAME of kernel
# LABEL (its module build), anything else is the host's own.
host_case() {
	case $2 in
	debug-*": "* | stock-*": "*) record "${2%%: *}" "${2#*: }" "$1" ;;
	*) record host "$2" "$1" ;;
	esac
}
case_ok() { passed=$((passed + 1)); host_case pass "$1"; log "ok: $1"; }
case_fail() { failed=$((failed + 1)); host_case fail "$1"; log "FAIL: $1"; }
# The run's results file, then the last line. A partial run (a variable of
# Documentation/testing.rst's development list set) says so in "full".
summary() {
	local full=true
	[ "${WSK_LINT:-1}" = 0 ] || [ "${WSK_PKG:-1}" = 0 ] || [ -n "${WSK_KERNELS:-}" ] ||
		[ -n "${WSK_KUNIT_FILTER:-}" ] || [ -n "${WSK_TESTS:-}" ] && full=false
	if ! python3 "$WSK_TOP/tools/vm/report.py" --results "$cases" "$WSK_OUT/results.json" \
		"$passed" "$failed" started="$started" \
		finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)" duration_s=$((SECONDS - t0)) \
		version="$version" full=$full; then
		log "FAIL: $WSK_OUT/results.json does not match the counts"
		failed=$((failed + 1))
	fi
	rm -f "$cases"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

t0=$SECONDS
mkdir -p "$WSK_OUT"
rm -f "$WSK_OUT/results.json"
: >"$cases"
deps_install
tree=$(bash "$WSK_TOP/tools/vm/kernel.sh") || die "debug kernel unavailable"
# The kernel's own KTAP reader, which report.py reads every guest's console
# with: the 6.12 debug tree's. Without it nothing counts KUnit results, so a
# run fails here, loudly, rather than count none.
kunit_py=$tree/tools/testing/kunit/kunit.py
if [ -f "$kunit_py" ]; then
	case_ok "kunit.py found"
else
	log "$kunit_py missing: no KUnit or KTAP results can be read"
	case_fail "kunit.py found"
fi
# The results file's own reader (report.py's judge through kunit.py, progress
# lines and results file on made-up logs).
if python3 "$WSK_TOP/tools/vm/report.py" --self-test --kunit "$kunit_py" \
	>"$WSK_OUT/report-self-test.log" 2>&1; then
	case_ok "tools/vm/report.py --self-test"
else
	cat "$WSK_OUT/report-self-test.log"
	case_fail "tools/vm/report.py --self-test"
fi
bash "$WSK_TOP/tools/vm/guest-programs.sh" "$WSK_OUT/guest-bin" || { case_fail "guest programs build"; summary; }
# The bench load generator, for the bench servers' smoke test (60-bench-smoke).
lg="$WSK_OUT/guest-bin/loadgen"
if [ ! "$lg" -nt "$WSK_TOP/bench/guest/loadgen.c" ] ||
	[ ! "$lg" -nt "$WSK_TOP/bench/guest/bench_util.h" ]; then
	gcc -static -O2 -Wall -Wextra -Werror -o "$lg" "$WSK_TOP/bench/guest/loadgen.c" ||
		{ case_fail "guest programs build (bench/guest/loadgen.c)"; summary; }
fi

if [ "${WSK_LINT:-1}" = 0 ]; then
	log "lint skipped (WSK_LINT=0): not a full check"
elif WSK_TREE=$tree bash "$WSK_TOP/tools/vm/lint.sh" >"$WSK_OUT/lint.log" 2>&1; then
	case_ok "lint (checkpatch --strict, kernel-doc -Wall, sparse, coccicheck)"
else
	cat "$WSK_OUT/lint.log"
	case_fail "lint (checkpatch --strict, kernel-doc -Wall, sparse, coccicheck)"
fi

# The installs, on the host against the two stock kernels' headers
# (tools/vm/pkg-check.sh): modules_install, install-dev and wsk_minimal built
# against that SDK, dkms add/build/install. Its DKMS-built wsk.ko and
# SDK-built wsk_minimal.ko go to the stock guests (tools/tests/70-minimal.sh).
if [ "${WSK_PKG:-1}" = 0 ]; then
	rm -rf "$WSK_OUT/pkg"
	log "packaging checks skipped (WSK_PKG=0): not a full check"
else
	pkg_args=()
	for meta in linux-image-amd64 linux-image-6.12-amd64; do
		read -r _ headers rel < <(stock_kernel "$meta")
		pkg_args+=("$rel" "$headers")
	done
	log "packaging: modules_install, install-dev, wsk_minimal against the SDK, dkms (host)"
	s=$SECONDS
	bash "$WSK_TOP/tools/vm/pkg-check.sh" "$WSK_OUT/pkg" "${pkg_args[@]}" >"$WSK_OUT/pkg.tap"
	rc=$?
	# KTAP: "ok N NAME" / "not ok N NAME".
	while read -r line; do
		case $line in
		"ok "[0-9]*) line=${line#ok }; case_ok "packaging: ${line#* }" ;;
		"not ok "[0-9]*) line=${line#not ok }; case_fail "packaging: ${line#* }" ;;
		esac
	done <"$WSK_OUT/pkg.tap"
	[ $rc = 0 ] || case_fail "packaging: tools/vm/pkg-check.sh exited $rc"
	log "packaging took $((SECONDS - s)) s"
fi

# Suites the KUnit module must report: every kunit_suite defined in kunit/.
suites=$(grep -h -A4 'struct kunit_suite [a-z_0-9]* = {' "$WSK_TOP"/kunit/*.c |
	sed -n 's/.*\.name *= *"\([^"]*\)".*/\1/p' | paste -sd, -)

# run_kernel LABEL KIND VMLINUZ KDIR TIMEOUT [report args...]
run_kernel() {
	local label=$1 kind=$2 vmlinuz=$3 kdir=$4 timeout=$5 out="$WSK_OUT/$1"
	shift 5
	log "$label: building modules against $kdir"
	if ! bash "$WSK_TOP/tools/vm/build.sh" "$kdir" "$out"; then
		case_fail "$label: module build"
		return
	fi
	case_ok "$label: module build"
	# The DKMS-built wsk.ko and SDK-built wsk_minimal.ko of tools/vm/pkg-check.sh.
	if [ "$kind" = stock ] && [ -d "$WSK_OUT/pkg/guest-${label#stock-}" ]; then
		mkdir -p "$out/modules/sdk"
		cp "$WSK_OUT/pkg/guest-${label#stock-}"/* "$out/modules/sdk/"
	fi
	# The bench servers (bench/, their own build), smoke-tested by 60-bench-smoke.
	if bench_build "$kdir" "$out" "$out/src/Module.symvers"; then
		case_ok "$label: bench module build"
	else
		case_fail "$label: bench module build"
	fi
	bash "$WSK_TOP/tools/vm/initramfs.sh" "$out/initrd.gz" "$out/modules" "$WSK_OUT/guest-bin" \
		"$([ "$kind" = stock ] && echo "${label#stock-}")"
	log "$label: booting (TCG, timeout ${timeout}s; console in $out/console.log)"
	local s=$SECONDS follower
	# A line as each test ends, from the results channel as it grows; the
	# follower stops at the guest's DONE, or when this script is gone.
	: >"$out/results.log"
	python3 "$WSK_TOP/tools/vm/report.py" --follow "$label" "$out" $$ --kunit "$kunit_py" &
	follower=$!
	bash "$WSK_TOP/tools/vm/boot.sh" "$vmlinuz" "$out/initrd.gz" "$out" check "$kind" "$timeout"
	local rc=$?
	for _ in 1 2 3 4 5 6; do kill -0 $follower 2>/dev/null || break; sleep 0.5; done
	kill $follower 2>/dev/null
	wait $follower 2>/dev/null
	[ $rc = 124 ] && log "$label: TIMEOUT after ${timeout}s"
	python3 "$WSK_TOP/tools/vm/report.py" "$label" "$out" --kunit "$kunit_py" "$@" \
		--cases "$cases" >"$out/report.txt"
	grep -v '^RESULT' "$out/report.txt"
	local r
	r=$(sed -n 's/^RESULT //p' "$out/report.txt")
	add ${r% *} ${r#* }
	log "$label: ${r% *} passed, ${r#* } failed in $((SECONDS - s)) s"
}

# WSK_KERNELS picks the kernels (development runs; Documentation/testing.rst).
kernels=${WSK_KERNELS:-debug-6.12 debug-6.1 stock-6.1 stock-6.12}
suites_arg=(--suites "$suites")
[ -n "${WSK_KUNIT_FILTER:-}" ] && suites_arg=() && log "KUnit filter $WSK_KUNIT_FILTER: not a full check"
for k in $kernels; do
	case $k in
	debug-6.12)
		run_kernel debug-6.12 debug "$tree/arch/x86/boot/bzImage" "$tree" \
			"${WSK_DEBUG_TIMEOUT:-1200}" "${suites_arg[@]}" --kmemleak ;;
	debug-6.1)
		# Built on first use (about 10 minutes), cached like the 6.12 one.
		if ! tree61=$(bash "$WSK_TOP/tools/vm/kernel.sh" 6.1); then
			case_fail "debug-6.1: debug kernel build"
			continue
		fi
		run_kernel debug-6.1 debug "$tree61/arch/x86/boot/bzImage" "$tree61" \
			"${WSK_DEBUG_TIMEOUT:-1200}" "${suites_arg[@]}" --kmemleak ;;
	stock-6.1|stock-6.12)
		meta=linux-image-amd64
		[ "$k" = stock-6.12 ] && meta=linux-image-6.12-amd64
		read -r vmlinuz headers rel < <(stock_kernel "$meta")
		run_kernel "stock-$rel" stock "$vmlinuz" "$headers" "${WSK_STOCK_TIMEOUT:-600}" ;;
	*)
		case_fail "unknown kernel $k in WSK_KERNELS" ;;
	esac
done
log "make check took $((SECONDS - t0)) s"
summary
