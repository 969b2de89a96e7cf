#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh KERNEL INITRD LOGDIR MODE KIND [TIMEOUT]
# Boots one guest under QEMU: console (kernel log) to LOGDIR/console.log, the
# results channel to LOGDIR/results.log. MODE is check, run, shell or bench
# (shell and run put the console on this terminal; check and bench write both
# to files). TCG by default; WSK_KVM=1 opts in to KVM. WSK_VM_ICOUNT=1 (TCG
# only) makes guest time count executed instructions, for make bench's
# deterministic mode. Exits 124 when the guest outlives TIMEOUT seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 logdir=$3 mode=$4 kind=$5 timeout=${6:-600}
mkdir -p "$logdir"
: >"$logdir/console.log"
: >"$logdir/results.log"

# One guest at a time on this machine (it has two cores; a second guest
# would only slow both down and make their timeouts fire).
mkdir -p "$WSK_CACHE"
exec 8>"$WSK_CACHE/qemu.lock"
flock 8

accel=tcg
[ "${WSK_KVM:-0}" = 1 ] && accel=kvm
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1"
append="$append hung_task_panic=1 wsk.mode=$mode wsk.kind=$kind"
# wsk's slab caches marked for failslab's cache filter from their creation on
# (tools/tests/65-faults.sh): 6.1 cannot mark them later (read-only attribute).
[ "$kind" = debug ] && append="$append kasan.fault=panic slub_debug=A,wsk_listener,wsk_conn"
# Development runs of a part of the suite (Documentation/testing.rst).
[ -n "${WSK_KUNIT_FILTER:-}" ] && append="$append kunit.filter_glob=$WSK_KUNIT_FILTER"
[ -n "${WSK_TESTS:-}" ] && append="$append wsk.tests=$WSK_TESTS"
# The API fuzzer's long run (Documentation/testing.rst), with room for it:
# WSK_FUZZ_SECS_PER_KOP seconds per 1000 operations on the debug kernels.
if [ -n "${WSK_FUZZ_OPS:-}" ]; then
	append="$append wsk.fuzz_ops=$WSK_FUZZ_OPS"
	if [ "$kind" = debug ] && [ -z "${WSK_DEBUG_TIMEOUT:-}" ]; then
		timeout=$((timeout + WSK_FUZZ_OPS * ${WSK_FUZZ_SECS_PER_KOP:-20} / 1000))
	fi
fi
# The short run of make check has a fixed seed, so that the test thread's
# sequence is the same in every run; a long run picks a new one (printed).
if [ -n "${WSK_FUZZ_SEED:-}" ]; then
	append="$append wsk.fuzz_seed=$WSK_FUZZ_SEED"
elif [ -z "${WSK_FUZZ_OPS:-}" ]; then
	append="$append wsk.fuzz_seed=17867887877997378241"
fi

args=(-machine pc -accel "$accel" -smp 2 -m "${WSK_VM_MEM:-2048}" -no-reboot
      -kernel "$kernel" -initrd "$initrd" -append "$append"
      -display none -monitor none -nic none)
# QEMU's instruction counting: the guest clock advances 1 ns per executed
# instruction (shift=0) and jumps to the next timer when every vCPU idles
# (sleep=off), so guest time is work done, whatever else the host runs. It
# is TCG only, and makes TCG single-threaded: the 2 vCPUs run in turn on one
# host thread, so a guest interval counts the instructions of both
# (Documentation/performance.rst).
# Without CMPXCHG16B: under -icount, QEMU 7.2 left garbage in the flags after
# the guest's "cmpxchg16b %gs:" (the SLUB fast path), which crashed 3 of 5
# bench boots (TF set in kernel mode, a corrupted slab list); without it the
# kernel takes its fallbacks (Documentation/performance.rst).
if [ "${WSK_VM_ICOUNT:-0}" = 1 ]; then
	[ "$accel" = tcg ] || die "WSK_VM_ICOUNT=1 needs TCG (unset WSK_KVM)"
	# shellcheck disable=SC2054 # QEMU option values, one argument each
	args+=(-icount shift=0,sleep=off -cpu qemu64,-cx16)
fi
if [ "$mode" = check ] || [ "$mode" = bench ]; then
	args+=(-serial "file:$logdir/console.log" -serial "file:$logdir/results.log")
	exec timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null
else
	args+=(-serial mon:stdio -serial "file:$logdir/results.log")
	exec timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" |
		tee "$logdir/console.log"
fi
