#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the accept benchmarks (Documentation/performance.rst).
#
# Builds wsk.ko and the bench modules (bench/, in their own out-of-tree build)
# against the stock Debian 6.12 headers, the static guest programs of
# bench/guest/, and boots the stock 6.12 kernel under QEMU twice, each boot
# running its scenarios (bench/run.sh):
#   icount  the deterministic mode: QEMU's -icount (tools/vm/boot.sh), guest
#           time counts the instructions both vCPUs execute, in turn; for the
#           cost figures (times in "us-eq", microseconds-equivalent)
#   wall    the wall-clock mode: the vCPUs run in parallel on the host's
#           cores; for what needs that parallelism (steady state, latency)
# Results go to .out/bench/: MODE/results.log (raw records) and
# MODE/console.log of each boot, then results.csv (one row per measurement),
# summary.csv, table.txt and bench.png, every figure labelled with its mode.
# Settings (defaults in brackets):
#   WSK_BENCH_REPS [3 icount, 5 wall]   repetitions of every figure
#   WSK_BENCH_SCENARIOS [drain steady pending profile memory]
#   WSK_BENCH_ICOUNT_SCENARIOS [drain pending profile memory]   those of the
#                                 scenarios that run in the deterministic boot;
#                                 the others run in the wall-clock boot
#   WSK_BENCH_SERVERS [a b c d e f g]   a raw kernel_accept loop; wsk with b accept
#                                 requests, c accept_event, d inspect_event + accept_event,
#                                 e wsk_accept_conditional(); f accept4; g io_uring
#   WSK_BENCH_DRAIN_N [1000 10000]   queued connections per drain (50000 adds
#                                 the largest queue, for BIG_SERVERS only)
#   WSK_BENCH_BIG_SERVERS [a b]   the servers that also drain more than 10000
#   WSK_BENCH_CONCS [1 16 256]    steady-state concurrency
#   WSK_BENCH_STEADY_N [1000]     connections per steady-state run
#   WSK_BENCH_PENDING [1 4096 65536]   pending wsk accepts, draining 10000
#                                 (64 is server (b) of the drain of 10000)
#   WSK_BENCH_TIMEOUT [1500]      seconds for each guest run
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$WSK_OUT/bench"
t0=$SECONDS

deps_install
WSK_DEB_PACKAGES="gnuplot-nox liburing-dev" deps_install
read -r vmlinuz headers rel < <(stock_kernel linux-image-6.12-amd64)
mkdir -p "$out"
rm -rf "$out"/results.* "$out"/summary.csv "$out"/table.txt "$out"/bench.png \
	"${out:?}/icount" "${out:?}/wall"

# wsk.ko (and the project's other modules) as make check builds them.
have_wsk=1
log "bench: building wsk against $rel"
if ! bash "$WSK_TOP/tools/vm/build.sh" "$headers" "$out/build" >"$out/build-wsk.log" 2>&1; then
	cat "$out/build-wsk.log" >&2
	log "bench: wsk.ko does not build: servers (b)-(e) are skipped"
	have_wsk=0
fi
rm -rf "${out:?}/modules" "${out:?}/bench-src" "${out:?}/bin"
mkdir -p "$out/modules" "$out/bin"
[ $have_wsk = 1 ] && cp "$out/build/modules/wsk.ko" "$out/modules/"

# The bench modules: their own build, next to a copy of include/ (as make
# check builds them).
log "bench: building the bench modules"
symvers=
[ $have_wsk = 1 ] && symvers="$out/build/src/Module.symvers"
bench_build "$headers" "$out" "$symvers" || die "bench module build failed"

log "bench: building the guest programs"
for c in "$WSK_TOP"/bench/guest/*.c; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$out/bin/$(basename "$c" .c)" "$c" -luring ||
		die "building $c failed"
done

# The harness's initramfs, shared by both boots; each boot appends a second
# archive with the guest plan and its settings (the kernel unpacks
# concatenated archives in order).
bash "$WSK_TOP/tools/vm/initramfs.sh" "$out/initrd-base.gz" "$out/modules" "$out/bin"
extra=$(mktemp -d)
qpid=
trap 'if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; fi; rm -rf "$extra"' EXIT

scenarios=${WSK_BENCH_SCENARIOS:-drain steady pending profile memory}
icount_scenarios=${WSK_BENCH_ICOUNT_SCENARIOS-drain pending profile memory}
plan_icount='' plan_wall=''
for s in $scenarios; do
	case " $icount_scenarios " in
	*" $s "*) plan_icount="$plan_icount $s" ;;
	*) plan_wall="$plan_wall $s" ;;
	esac
done

timeout=${WSK_BENCH_TIMEOUT:-1500}
bad=0

# boot_mode MODE SCENARIOS REPS: one boot running SCENARIOS in MODE (icount
# or wall), its records in $out/MODE/.
boot_mode() {
	local mode=$1 plan=$2 reps=$3 dir="$out/$1" load others samples=0 busy=0 rc=0
	local contention icount=0 what="wall-clock: 2 vCPUs in parallel"
	[ "$mode" = icount ] && icount=1 what="deterministic: -icount, vCPUs in turn"
	rm -rf "${dir:?}" "${extra:?}"/*
	mkdir -p "$dir" "$extra/wsk/bench"
	cp "$WSK_TOP/bench/run.sh" "$extra/wsk/bench/run.sh"
	cat >"$extra/wsk/bench/config" <<CONF
MODE="$mode"
REPS="$reps"
SCENARIOS="$plan"
SERVERS="${WSK_BENCH_SERVERS:-a b c d e f g}"
DRAIN_N="${WSK_BENCH_DRAIN_N:-1000 10000}"
BIG_N=10000
BIG_SERVERS="${WSK_BENCH_BIG_SERVERS:-a b}"
CONCS="${WSK_BENCH_CONCS:-1 16 256}"
STEADY_N="${WSK_BENCH_STEADY_N:-1000}"
PENDING="${WSK_BENCH_PENDING:-1 4096 65536}"
PENDING_N=10000
CONF
	cp "$out/initrd-base.gz" "$dir/initrd.gz"
	(cd "$extra" && find . | cpio -o -H newc --quiet | gzip -1) >>"$dir/initrd.gz"

	# The host's load changes wall-clock figures, not deterministic ones:
	# either way, say what else was busy.
	load=$(cut -d' ' -f1 /proc/loadavg)
	others=$(pgrep -c qemu-system || true)
	echo "load average $load at start, $others other QEMU process(es)" >"$dir/host-load"
	[ "$others" -gt 0 ] && [ $icount = 0 ] &&
		log "bench: warning: $others other QEMU process(es) running: wall-clock timings will be low and noisy"
	log "bench: $mode boot ($what):$plan, $reps reps; host load average $load"
	log "bench: booting the stock $rel kernel (TCG, 2 CPUs, timeout ${timeout}s; log in $dir)"
	WSK_VM_ICOUNT=$icount WSK_VM_MEM=${WSK_VM_MEM:-3072} \
		bash "$WSK_TOP/tools/vm/boot.sh" "$vmlinuz" "$dir/initrd.gz" "$dir" bench stock \
		"$timeout" &
	qpid=$!
	seen=0
	while kill -0 $qpid 2>/dev/null; do
		sleep 2
		show "$dir"
		# other QEMU guests (make check of other work trees) share the 2 cores
		samples=$((samples + 1))
		[ "$(pgrep -c qemu-system || true)" -gt 1 ] && busy=$((busy + 1))
	done
	contention="another QEMU ran during $((busy * 100 / (samples > 0 ? samples : 1)))% of the $mode boot"
	echo "$contention" >>"$dir/host-load"
	log "bench: $contention"
	wait $qpid || rc=$?
	qpid=
	show "$dir"
	[ $rc = 124 ] && log "bench: the $mode guest timed out after ${timeout}s"
	if ! tr -d '\r' <"$dir/results.log" | grep -qx DONE; then
		log "bench: the $mode guest did not finish (console: $dir/console.log)"
		bad=1
	fi
	if grep -E 'BUG:|WARNING:|Oops:|Kernel panic|RCU stall|soft lockup|blocked for more than' \
		"$dir/console.log" >&2; then
		log "bench: kernel reports in $dir/console.log"
		bad=1
	fi
	if grep -q '^E ' "$dir/results.log"; then
		log "bench: some runs failed (the E lines of $dir/results.log)"
		bad=1
	fi
}
# show DIR: the guest's progress and failures so far
seen=0
show() {
	local n
	n=$(wc -l <"$1/results.log" 2>/dev/null) || die "$1/results.log vanished (make clean?)"
	[ "$n" -gt "$seen" ] || return 0
	sed -n "$((seen + 1)),${n}p" "$1/results.log" | tr -d '\r' |
		sed -n 's/^P /  /p; s/^E /  FAILED: /p' >&2
	seen=$n
}

[ -n "$plan_icount" ] && boot_mode icount "$plan_icount" "${WSK_BENCH_REPS:-3}"
[ -n "$plan_wall" ] && boot_mode wall "$plan_wall" "${WSK_BENCH_REPS:-5}"

python3 "$WSK_TOP/tools/vm/bench-report.py" "$out"
log "bench: done in $((SECONDS - t0)) s; results in $out"
exit $bad
