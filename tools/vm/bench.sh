#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the accept benchmarks (Documentation/performance.rst).
#
# Builds wsk.ko and the bench modules (bench/, in their own out-of-tree build)
# against the stock Debian 6.12 headers, the static guest programs of
# bench/guest/, boots the stock 6.12 kernel under QEMU once, and runs every
# scenario there (bench/run.sh). Results go to .out/bench/: results.log (raw
# records), results.csv (one row per measurement), summary.csv, table.txt
# and bench.png. Settings (defaults in brackets):
#   WSK_BENCH_REPS [5]            repetitions of every figure
#   WSK_BENCH_SCENARIOS [drain steady pending profile memory]
#   WSK_BENCH_SERVERS [a b c d e f g]   a raw kernel_accept loop; wsk with b accept
#                                 requests, c accept_event, d inspect_event + accept_event,
#                                 e wsk_accept_conditional(); f accept4; g io_uring
#   WSK_BENCH_DRAIN_N [1000 10000 50000]   queued connections per drain
#   WSK_BENCH_BIG_SERVERS [a b]   the servers that also drain more than 10000
#   WSK_BENCH_CONCS [1 16 256]    steady-state concurrency
#   WSK_BENCH_STEADY_N [1000]     connections per steady-state run
#   WSK_BENCH_PENDING [1 4096 65536]   pending wsk accepts, draining 10000
#                                 (64 is server (b) of the drain of 10000)
#   WSK_BENCH_TIMEOUT [1500]      seconds for the whole guest run
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$WSK_OUT/bench"
t0=$SECONDS

deps_install
WSK_DEB_PACKAGES="gnuplot-nox liburing-dev" deps_install
read -r vmlinuz headers rel < <(stock_kernel linux-image-6.12-amd64)
mkdir -p "$out"
rm -f "$out"/results.* "$out"/summary.csv "$out"/table.txt "$out"/bench.png

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

# The harness's initramfs, plus a second archive with the guest plan and its
# settings (the kernel unpacks concatenated archives in order).
bash "$WSK_TOP/tools/vm/initramfs.sh" "$out/initrd.gz" "$out/modules" "$out/bin"
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
mkdir -p "$extra/wsk/bench"
cp "$WSK_TOP/bench/run.sh" "$extra/wsk/bench/run.sh"
cat >"$extra/wsk/bench/config" <<CONF
REPS="${WSK_BENCH_REPS:-5}"
SCENARIOS="${WSK_BENCH_SCENARIOS:-drain steady pending profile memory}"
SERVERS="${WSK_BENCH_SERVERS:-a b c d e f g}"
DRAIN_N="${WSK_BENCH_DRAIN_N:-1000 10000 50000}"
BIG_N=10000
BIG_SERVERS="${WSK_BENCH_BIG_SERVERS:-a b}"
CONCS="${WSK_BENCH_CONCS:-1 16 256}"
STEADY_N="${WSK_BENCH_STEADY_N:-1000}"
PENDING="${WSK_BENCH_PENDING:-1 4096 65536}"
PENDING_N=10000
CONF
(cd "$extra" && find . | cpio -o -H newc --quiet | gzip -1) >>"$out/initrd.gz"

timeout=${WSK_BENCH_TIMEOUT:-1500}
# Timing on 2 shared cores: say when something else is busy.
load=$(cut -d' ' -f1 /proc/loadavg)
others=$(pgrep -c qemu-system || true)
echo "load average $load at start, $others other QEMU process(es)" >"$out/host-load"
[ "$others" -gt 0 ] && log "bench: warning: $others other QEMU process(es) running: timings will be low and noisy"
log "bench: host load average $load"
log "bench: booting the stock $rel kernel (TCG, 2 CPUs, timeout ${timeout}s; log in $out)"
WSK_VM_MEM=${WSK_VM_MEM:-3072} bash "$WSK_TOP/tools/vm/boot.sh" "$vmlinuz" "$out/initrd.gz" \
	"$out" bench stock "$timeout" &
qpid=$!
trap 'kill $qpid 2>/dev/null || true; rm -rf "$extra"' EXIT
seen=0
show() {
	local n
	n=$(wc -l <"$out/results.log" 2>/dev/null) || die "$out/results.log vanished (make clean?)"
	[ "$n" -gt "$seen" ] || return 0
	sed -n "$((seen + 1)),${n}p" "$out/results.log" | tr -d '\r' |
		sed -n 's/^P /  /p; s/^E /  FAILED: /p' >&2
	seen=$n
}
samples=0 busy=0
while kill -0 $qpid 2>/dev/null; do
	sleep 2
	show
	# other QEMU guests (make check of other work trees) share the 2 cores
	samples=$((samples + 1))
	[ "$(pgrep -c qemu-system || true)" -gt 1 ] && busy=$((busy + 1))
done
contention="another QEMU ran during $((busy * 100 / (samples > 0 ? samples : 1)))% of the run"
echo "$contention" >>"$out/host-load"
log "bench: $contention"
rc=0
wait $qpid || rc=$?
show
bad=0
[ $rc = 124 ] && log "bench: the guest timed out after ${timeout}s"
if ! tr -d '\r' <"$out/results.log" | grep -qx DONE; then
	log "bench: the guest did not finish (console: $out/console.log)"
	bad=1
fi
if grep -E 'BUG:|WARNING:|Oops:|Kernel panic|RCU stall|soft lockup|blocked for more than' \
	"$out/console.log" >&2; then
	log "bench: kernel reports in $out/console.log"
	bad=1
fi

python3 "$WSK_TOP/tools/vm/bench-report.py" "$out"
if grep -q '^E ' "$out/results.log"; then
	log "bench: some runs failed (the E lines of $out/results.log)"
	bad=1
fi
log "bench: done in $((SECONDS - t0)) s; results in $out"
exit $bad
