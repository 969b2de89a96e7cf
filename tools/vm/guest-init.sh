#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the wsk test guest (busybox sh).
#
# Kernel command line: wsk.mode=check|run|shell|bench  wsk.kind=debug|stock
# Console (ttyS0) carries the kernel log and command output for humans; every
# result goes to the second serial port (ttyS1) as one record per line, which
# the host parses (tools/vm/report.py):
#   T ok|not ok <name> [# reason]    one test result
#   KTAP <suite> [label] / KTAP-END  a KUnit suite's debugfs results between (a
#                                    label names a second run: its case names
#                                    get it appended, e.g. "faults")
#   JSON <name> / JSON-END           a JSON document between, written by a test
#                                    (json_record in tools/tests/lib.sh)
#   LEAK / LEAK-END                  kmemleak report between
#   DONE                             the guest finished its plan
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/wsk/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

mode=check
kind=stock
tests='[0-9]*'
fuzz_args=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	wsk.mode=*) mode=${arg#wsk.mode=} ;;
	wsk.kind=*) kind=${arg#wsk.kind=} ;;
	wsk.tests=*) tests=${arg#wsk.tests=} ;;
	wsk.fuzz_ops=*) fuzz_args="$fuzz_args ops=${arg#wsk.fuzz_ops=}" ;;
	wsk.fuzz_seed=*) fuzz_args="$fuzz_args seed=${arg#wsk.fuzz_seed=}" ;;
	esac
done
export WSK_KIND=$kind WSK_MODDIR=/wsk/modules WSK_BINDIR=/wsk/bin WSK_RESULTS=/dev/ttyS1

res() { echo "$*" >/dev/ttyS1; }
result() { # result <name> <command...>
	name=$1
	shift
	if "$@"; then res "T ok $name"; else res "T not ok $name # exit $?"; fi
}
finish() {
	res DONE
	sync
	reboot -f
}
# ktap_results: every KUnit suite's results in debugfs to the host. They stay
# there until their module is removed.
ktap_results() {
	for d in /sys/kernel/debug/kunit/*/; do
		[ -f "$d/results" ] || continue
		res "KTAP $(basename "$d")"
		cat "$d/results" >/dev/ttyS1
		res "KTAP-END"
	done
}

ip link set lo up
# One loopback TCP connection while the guest is idle. The first connection
# in a boot sets the TCP hash secrets (net_get_random_once()), whose deferred
# work then patches a static branch in inet_ehashfn() with text_poke_bp().
# Under QEMU's multi-threaded TCG the other vCPU can execute a stale
# translation of the int3 that patching leaves in place for a moment, after
# the kernel has stopped expecting it: "Oops: int3" in inet_ehashfn() (seen
# on stock 6.12 under QEMU 7.2, in 2 of 3 boots, on the first connection of
# the accept storm). Doing it here, with nothing else running, keeps that
# patch away from the tests' traffic.
nc -l -p 9 >/dev/null 2>&1 &
warm=$!
sleep 0.2
echo warm | nc -w 1 127.0.0.1 9 >/dev/null 2>&1
kill $warm 2>/dev/null	# gone already, unless the connection failed
wait $warm 2>/dev/null
sleep 0.5	# the deferred static-branch work
echo "wsk guest: kernel $(uname -r), kind $kind, mode $mode"
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

result "load wsk.ko" insmod $WSK_MODDIR/wsk.ko

case "$mode" in
bench)
	# make bench (tools/vm/bench.sh): the benchmark plan, records on ttyS1.
	sh /wsk/bench/run.sh >/dev/ttyS1
	finish
	;;
run|shell)
	for s in /wsk/demo/*.sh; do [ -f "$s" ] && sh "$s"; done
	if [ "$mode" = shell ]; then
		echo "wsk guest shell: 'exit' powers the guest off"
		setsid cttyhack sh -l
	fi
	finish
	;;
esac

# ktap_header: a KTAP version line in the kernel log before a KUnit module
# loads. 6.12 prints one of its own (its suites then follow an empty document
# of ours); 6.1 prints none, and its suites would otherwise run on from the
# boot's empty "1..0" document, which kunit.py would stop at
# (tools/vm/report.py reads the console's KTAP documents one by one).
ktap_header() { echo "KTAP version 1" >/dev/kmsg; }

if [ -f $WSK_MODDIR/wsk_kunit.ko ]; then
	# The suites run while the module loads.
	ktap_header
	result "load wsk_kunit.ko" insmod $WSK_MODDIR/wsk_kunit.ko
	ktap_results
	result "unload wsk_kunit.ko" rmmod wsk_kunit
fi
if [ -f $WSK_MODDIR/wsk_fuzz.ko ]; then
	# The API fuzzer (kunit/fuzz_test.c), alone: a short run, or as long as
	# wsk.fuzz_ops= says (make check WSK_FUZZ_OPS=N [WSK_FUZZ_SEED=S]).
	echo "wsk guest: wsk_fuzz.ko$fuzz_args"
	ktap_header
	result "load wsk_fuzz.ko" insmod $WSK_MODDIR/wsk_fuzz.ko $fuzz_args
	ktap_results
	result "unload wsk_fuzz.ko" rmmod wsk_fuzz
fi

# The integration tests, on the console as one KTAP document (read by the
# kernel's tools/testing/kunit/kunit.py parse, or any TAP reader): one test
# per script, its own KTAP output nested in it with its plan, a script that
# fails a case or exits non-zero failing (a skipped case does not fail it, as
# KTAP has it; report.py does count it as a failure). Each case also goes to
# the host as a T record, "T ok|not ok <script>: <case>[ # SKIP <reason>]".
ntests=0
for t in /wsk/tests/$tests.sh; do [ -f "$t" ] && ntests=$((ntests + 1)); done
[ $ntests = 0 ] || printf 'KTAP version 1\n# wsk integration tests\n1..%d\n' $ntests
n=0
for t in /wsk/tests/$tests.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	n=$((n + 1))
	echo "# integration: $name"
	timeout ${WSK_TEST_TIMEOUT:-300} sh "$t" >/tmp/out 2>&1
	rc=$?
	ktap=$(grep -E '^(not )?ok [0-9]+ ' /tmp/out)
	cases=$(printf '%s' "$ktap" | grep -c .)
	# The script's lines two spaces in, its header (from lib.sh) first,
	# then its name and plan.
	{
		IFS= read -r first || first=
		echo "KTAP version 1"
		echo "# Subtest: $name"
		echo "1..$cases"
		[ "$first" = "KTAP version 1" ] || [ -z "$first" ] || printf '%s\n' "$first"
		cat
	} </tmp/out | sed 's/^/  /'
	printf '%s\n' "$ktap" | grep . |
		sed -E "s/^(not ok|ok) [0-9]+ /T \1 $name: /" >/dev/ttyS1
	if [ $rc != 0 ]; then
		res "T not ok $name # script exited $rc"
		echo "not ok $n $name # exit $rc"
	elif printf '%s\n' "$ktap" | grep -q '^not ok'; then
		echo "not ok $n $name"
	else
		echo "ok $n $name"
	fi
done

result "unload wsk.ko" rmmod wsk

if [ -w $kmemleak ]; then
	# Two scans: an object must look unreferenced twice to be reported.
	echo scan >$kmemleak
	sleep 1
	echo scan >$kmemleak
	res "LEAK"
	cat $kmemleak >/dev/ttyS1
	res "LEAK-END"
fi
finish
