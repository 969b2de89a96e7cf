#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fault injection, on the debug kernels (the stock ones have none: there this
# prints nothing). Allocations are made to fail with failslab and
# fail_page_alloc (debugfs), restricted to wsk as far as the kernel can:
#
# - 6.12 has the stack-trace filter: require-start/require-end are wsk.ko's
#   text, so only allocations made with a wsk function on the stack fail
#   (wsk's own, and the kernel's on wsk's behalf: kernel_accept(), sends, the
#   skbs of its resets, and the callbacks' of its clients);
# - 6.1 has no stack-trace filter on x86-64 (FAULT_INJECTION_STACKTRACE_FILTER
#   depends on !X86_64 there): failslab's cache-filter with wsk's own slab
#   cache, checked not to be merged with another cache (6.1's per-cache
#   failslab attribute is read-only: boot.sh marks wsk_listener and wsk_conn
#   with slub_debug=A,wsk_listener,wsk_conn, and the test checks that they
#   are marked); fail_page_alloc cannot be restricted to wsk at all, so it
#   fails only allocations that cannot sleep (ignore-gfp-wait=Y: no process's
#   fork or page fault), with a low probability and a small times.
#
# Under injection:
# (a) an accept storm against wsk_acceptd (connect_storm, each client its
#     own port): no connection accepted twice, no failed completion;
# (b) wsk_echo with echo_client: no mismatch, every byte echoed, no error in
#     the sample;
# (c) the API fuzzer, wsk_fuzz.ko, loaded again: its KTAP goes to the host as
#     "KTAP wsk_fuzz faults" (report.py names its cases "... [faults]");
# (d) on 6.12: kernel_accept() fails with -ENOMEM exactly once (failslab on
#     sock_inode_cache, times=1, probability=100) while wsk_acceptd has its
#     accepts pending and one client connects: the pending accept still gets
#     that connection (wsk tries again 20 ms later) and the stats counter
#     accept_errors goes up by exactly one. The stack-trace filter keeps the
#     failure off the client's own socket(). 6.1 has no way to fail that
#     cache for wsk alone (no stack filter, a read-only failslab attribute,
#     and wsk's work runs on shared kworkers): there the KUnit case
#     wsk_hostile_kernel_accept_enomem makes kernel_accept() fail at a test
#     point, on both kernels.
#
# Every case: no crash (the harness fails the boot on any kernel report); the
# samples' counters of failed and duplicate completions stay 0 (every request
# completed exactly once); wsk's sockets and requests_pending come back to
# where they started once the sample is unloaded; and a JSON record says how
# many allocations were made to fail (times is set high, what is left of it
# read back) and how many requests completed (requests_completed). Injection
# is turned off at the end of each case, whatever happens (trap). kmemleak
# runs at the end of the boot.
#
# Budget: about a minute and a half on the debug kernels under TCG.
. /wsk/tests/lib.sh

[ "$WSK_KIND" = debug ] || exit 0

D=/sys/kernel/debug
FS=$D/failslab
FP=$D/fail_page_alloc
SLAB=/sys/kernel/slab
TIMES=1000000		# as good as unlimited: what is left tells how many failed
STORM=$WSK_BINDIR/connect_storm
CLIENT=$WSK_BINDIR/echo_client
FUZZ_OPS=${WSK_FUZZ_FAULT_OPS:-600}
PA=/sys/module/wsk_acceptd/parameters
PE=/sys/module/wsk_echo/parameters

if [ ! -d $FS ] || [ ! -d $FP ]; then
	not_ok "failslab and fail_page_alloc in debugfs"
	exit 1
fi

# --------------------------------------------------------------------------
# Injection on and off

# The range of wsk.ko's text, for the stack-trace filter: its base and size
# from /proc/modules. 6.12 allocates a module's text, data and rodata apart
# and /proc/modules gives the text's base with the size of all three, so the
# end is cut to the page after the one holding wsk's last text symbol (in
# /proc/kallsyms), and before any symbol of another module: allocations
# made from other modules' code must not fail. Sets WSK_START and WSK_END.
wsk_range() {
	echo 0 >/proc/sys/kernel/kptr_restrict
	# shellcheck disable=SC2046
	set -- $(grep '^wsk ' /proc/modules)
	WSK_START=$6
	_last=$(awk '$4 == "[wsk]" && ($2 == "t" || $2 == "T") && $1 > m { m = $1 } END { print m }' \
		/proc/kallsyms)
	_end=$(($6 + $2))
	[ -n "$_last" ] && [ $(((0x$_last | 4095) + 4097)) -lt $_end ] &&
		_end=$(((0x$_last | 4095) + 4097))
	_end=$(printf '%016x' $_end)
	_next=$(awk -v s="${6#0x}" -v e="$_end" \
		'$4 ~ /^\[/ && $4 != "[wsk]" && $1 > s && $1 < e && (m == "" || $1 < m) { m = $1 }
		 END { print m }' /proc/kallsyms)
	WSK_END=0x${_next:-$_end}
}

# The text of tcp_send_fin(), which the stack-trace filter rejects: when its
# skb cannot be allocated, it gives up the FIN for good (the socket is in
# FIN_WAIT1 or LAST_ACK with no FIN queued; a user socket's close() is no
# better off), and the peer waits for an EOF that never comes. Nothing wsk
# does can send it again, so failing it tests the kernel, not wsk. Sets
# FIN_START and FIN_END.
fin_range() {
	# shellcheck disable=SC2046
	set -- $(awk '$3 == "tcp_send_fin" { print $1 }' /proc/kallsyms)
	FIN_START=0x$1
	# Addresses are 16 hex digits: compared as strings, as in wsk_range.
	_next=$(awk -v s="$1" '$1 > s && (m == "" || $1 < m) { m = $1 } END { print m }' \
		/proc/kallsyms)
	FIN_END=0x$_next
}

if [ -e $FS/require-start ]; then
	FILTER=stack
	wsk_range
	fin_range
	note "stack-trace filter: wsk.ko at $WSK_START-$WSK_END, not tcp_send_fin at $FIN_START-$FIN_END"
else
	FILTER=cache
	note "no stack-trace filter: failslab on wsk's own cache, non-sleeping page allocations"
fi

# wsk's caches must be wsk's alone for the cache filter to mean wsk. A
# merged cache is an alias: a symlink to the merged one, and its failslab
# attribute refuses to be set.
WSK_CACHES="wsk_listener wsk_conn"
WSK_CACHE_MERGED=no
for _c in $WSK_CACHES; do
	if [ -L $SLAB/$_c ]; then
		WSK_CACHE_MERGED="yes ($_c: $(readlink $SLAB/$_c))"
	fi
done
note "wsk's slab caches merged with another: $WSK_CACHE_MERGED"

# inject DIR PROBABILITY: start failing allocations in DIR (failslab or
# fail_page_alloc), restricted as the kernel allows; TIMES failures at most.
inject() {
	_d=$1
	echo 0 >$_d/probability
	echo 0 >$_d/verbose
	echo N >$_d/ignore-gfp-wait
	echo N >$_d/task-filter
	echo 0 >$_d/space
	echo 1 >$_d/interval
	echo $TIMES >$_d/times
	[ -e $_d/ignore-gfp-highmem ] && echo N >$_d/ignore-gfp-highmem
	[ -e $_d/min-order ] && echo 0 >$_d/min-order
	if [ $FILTER = stack ]; then
		echo 32 >$_d/stacktrace-depth
		echo "$WSK_START" >$_d/require-start
		echo "$WSK_END" >$_d/require-end
		echo "$FIN_START" >$_d/reject-start
		echo "$FIN_END" >$_d/reject-end
	elif [ "$_d" = $FS ] && [ "$WSK_CACHE_MERGED" = no ]; then
		echo Y >$FS/cache-filter
		# Marked at boot (slub_debug=A,...); 6.12 could mark them here.
		for _c in $WSK_CACHES; do
			read -r _m <$SLAB/$_c/failslab
			[ "$_m" = 1 ] || not_ok "$_c marked for failslab (slub_debug=A,$_c)"
		done
	elif [ "$_d" = $FS ]; then
		# Merged: the cache filter would fail the other users of the cache as
		# much as wsk. No better restriction than a few failures anywhere.
		echo 30 >$_d/times
	else
		# Nothing restricts page allocations to wsk here: only those that
		# cannot sleep, rarely, and few.
		echo Y >$_d/ignore-gfp-wait
		echo 30 >$_d/times
	fi
	cat $_d/times >/tmp/times.${_d##*/}
	echo "$2" >$_d/probability
}

# failed DIR: the allocations made to fail since inject (what is left of times).
failed() {
	read -r _left <$1/times
	read -r _set </tmp/times.${1##*/}
	echo $((_set - _left))
}

# off: every injection off, the filters back to their defaults (times stays,
# for failed).
off() {
	for _d in $FS $FP; do
		echo 0 >$_d/probability
		[ -e $_d/cache-filter ] && echo N >$_d/cache-filter
		echo N >$_d/task-filter
		if [ -e $_d/require-start ]; then
			echo 0 >$_d/require-start
			echo 18446744073709551615 >$_d/require-end
		fi
	done
	# 6.1's attribute is read-only (wsk's caches stay marked; the filter is off).
	if [ "${FILTER:-}" = stack ]; then
		for _c in $WSK_CACHES sock_inode_cache; do
			echo 0 >$SLAB/$_c/failslab
		done
	fi
	return 0
}

# on PROB_SLAB PROB_PAGE: both injections, probabilities in percent.
on() {
	inject $FS "$1"
	inject $FP "$2"
}

cleanup() {
	off
	for _m in wsk_acceptd wsk_echo wsk_fuzz; do
		[ -d /sys/module/$_m ] && rmmod $_m
	done
	return 0
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM
off

# --------------------------------------------------------------------------
# Shared checks

s0=$(stat_value sockets)
r0=$(stat_value requests_pending)
if [ -z "$s0" ] || [ -z "$r0" ]; then
	not_ok "wsk stats has sockets and requests_pending"
	exit 1
fi
note "kernel $(uname -r); wsk stats before: sockets=$s0 requests_pending=$r0"

stats_back() { [ "$(stat_value sockets)" = "$s0" ] && [ "$(stat_value requests_pending)" = "$r0" ]; }
param() { cat "$1/$2"; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; } # field NAME "k=v k=v"
jv() { # jv NAME JSON: a number of a one-line JSON object
	_j=${2#*\"$1\":}
	echo "${_j%%[,\}]*}"
}

# begin: the counters a case reports against.
begin() {
	c0=$(stat_value requests_completed)
	e0=$(stat_value accept_errors)
	j0=$(stat_value connections_rejected)
}

# record NAME EXTRA_JSON: the case's JSON record (after off).
record() {
	_fs=$(failed $FS)
	_fp=$(failed $FP)
	note "$1: $_fs slab and $_fp page allocations failed;" \
		"$(($(stat_value requests_completed) - c0)) requests completed"
	json_record "faults $1" printf \
		'{"case":"%s","filter":"%s","wsk_cache_merged":"%s","slab_failed":%s,"page_failed":%s,"requests_completed":%s,"accept_errors":%s,"connections_rejected":%s%s}\n' \
		"$1" "$FILTER" "$WSK_CACHE_MERGED" "$_fs" "$_fp" \
		$(($(stat_value requests_completed) - c0)) $(($(stat_value accept_errors) - e0)) \
		$(($(stat_value connections_rejected) - j0)) "$2"
}

# unloaded NAME MODULE: unload the sample; the counters are back to the start.
unloaded() {
	check "$1: rmmod $2" rmmod "$2"
	wait_for 20 stats_back
	expect "$1: wsk sockets back to the start" "$(stat_value sockets)" "$s0"
	expect "$1: wsk requests_pending back to the start" "$(stat_value requests_pending)" "$r0"
}

# --------------------------------------------------------------------------
# (a) An accept storm

name="accept storm"
if insmod $WSK_MODDIR/wsk_acceptd.ko port=7100 nreqs=16; then
	ok "$name: insmod wsk_acceptd"
	begin
	on 10 10
	out=$("$STORM" -p 7100 -a 127.0.0.1 -n 2000 -c 8 -t 15 -b 20000 -k 2>&1)
	off
	line=$(echo "$out" | tail -n 1)
	note "$name: $line"
	conn=$(field connected "$line")
	# Each connection is accepted once, or reset by wsk when it cannot have
	# a socket (connections_rejected).
	took() { echo $(($(param $PA accepted) + $(stat_value connections_rejected) - j0)); }
	settled() { [ "$(took)" -ge "${conn:-0}" ]; }
	wait_for 30 settled
	note "$name: accepted $(param $PA accepted), rejected $(($(stat_value connections_rejected) - j0))," \
		"accept_errors $(($(stat_value accept_errors) - e0)), alloc_failures $(param $PA alloc_failures)"
	check "$name: clients connected" [ "${conn:-0}" -gt 0 ]
	expect "$name: every connection accepted or rejected" "$(took)" "${conn:-0}"
	expect "$name: no connection accepted twice" "$(param $PA duplicates)" 0
	expect "$name: no failed completion" "$(param $PA errors)" 0
	record "$name" ",\"connected\":${conn:-0},\"accepted\":$(param $PA accepted),\"duplicates\":$(param $PA duplicates),\"errors\":$(param $PA errors)"
	unloaded "$name" wsk_acceptd
else
	not_ok "$name: insmod wsk_acceptd"
fi

# --------------------------------------------------------------------------
# (b) Echo

name="echo"
if insmod $WSK_MODDIR/wsk_echo.ko port=7800; then
	ok "$name: insmod wsk_echo"
	begin
	on 5 5
	# 4 connections, 2 rounds of 1 + 1000 + 65536 bytes: 532296 bytes.
	"$CLIENT" -p 7800 -c 4 -s 1,1000,65536 -n 2 -t 30 >/tmp/echo.json 2>/tmp/echo.err
	rc=$?
	off
	read -r JSON </tmp/echo.json
	echo "#   $JSON"
	while read -r l; do echo "#   $l"; done </tmp/echo.err
	rejected=$(($(stat_value connections_rejected) - j0))
	stalls=$(grep -c stalled /tmp/echo.err)
	expect "$name: no mismatch" "$(jv mismatches "$JSON")" 0
	# A connection wsk cannot give a socket is reset (documented): that is the
	# only error a client may see. A stall (no progress for 30 s) never is.
	expect "$name: no connection stalled" "$stalls" 0
	check "$name: client errors ($(jv errors "$JSON")) only for the $rejected connections reset" \
		[ "$(jv errors "$JSON")" -le "$rejected" ]
	expect "$name: no error in the sample" "$(param $PE errors)" 0
	note "$name: sample alloc_failures $(param $PE alloc_failures), echoed $(param $PE bytes_echoed)"
	record "$name" ",\"client\":$JSON,\"stalls\":$stalls,\"sample_errors\":$(param $PE errors),\"sample_alloc_failures\":$(param $PE alloc_failures)"
	unloaded "$name" wsk_echo
else
	not_ok "$name: insmod wsk_echo"
fi

# --------------------------------------------------------------------------
# (c) The API fuzzer

name="fuzzer"
begin
echo "KTAP version 1" >/dev/kmsg	# as guest-init.sh's ktap_header, for 6.1
on 5 5
_t=$(now_ms)
insmod $WSK_MODDIR/wsk_fuzz.ko ops=$FUZZ_OPS
rc=$?
off
note "$name: $FUZZ_OPS operations in $(($(now_ms) - _t)) ms"
expect "$name: insmod wsk_fuzz.ko ops=$FUZZ_OPS" "$rc" 0
if [ -f $D/kunit/wsk_fuzz/results ]; then
	printf 'KTAP wsk_fuzz faults\n' >"$WSK_RESULTS"
	cat $D/kunit/wsk_fuzz/results >"$WSK_RESULTS"
	printf 'KTAP-END\n' >"$WSK_RESULTS"
	grep -E '^ *(not )?ok [0-9]+ wsk_fuzz' $D/kunit/wsk_fuzz/results | sed 's/^/#   /'
else
	not_ok "$name: its KUnit results in debugfs"
fi
record "$name" ",\"ops\":$FUZZ_OPS"
[ -d /sys/module/wsk_fuzz ] && check "$name: rmmod wsk_fuzz" rmmod wsk_fuzz
wait_for 20 stats_back
expect "$name: wsk sockets back to the start" "$(stat_value sockets)" "$s0"
expect "$name: wsk requests_pending back to the start" "$(stat_value requests_pending)" "$r0"

# --------------------------------------------------------------------------
# (d) kernel_accept() fails once

name="kernel_accept -ENOMEM once"
if [ $FILTER != stack ]; then
	note "$name: 6.12 only (see the header); wsk_hostile_kernel_accept_enomem covers wsk's side"
elif insmod $WSK_MODDIR/wsk_acceptd.ko port=7300 family=4 nreqs=4; then
	ok "$name: insmod wsk_acceptd"
	pending_ready() { [ "$(stat_value requests_pending)" = $((r0 + 4)) ]; }
	wait_for 10 pending_ready
	begin
	a0=$(param $PA accepted)
	echo 0 >$FS/probability
	echo 0 >$FS/verbose
	echo N >$FS/ignore-gfp-wait
	echo 0 >$FS/space
	echo 1 >$FS/interval
	echo 1 >$FS/times
	echo Y >$FS/cache-filter
	echo 1 >$SLAB/sock_inode_cache/failslab
	echo 32 >$FS/stacktrace-depth
	echo "$WSK_START" >$FS/require-start
	echo "$WSK_END" >$FS/require-end
	echo 1 >/tmp/times.failslab
	cat $FP/times >/tmp/times.fail_page_alloc
	echo 100 >$FS/probability
	out=$("$STORM" -p 7300 -a 127.0.0.1 -n 1 -c 1 -t 10 2>&1)
	accepted_one() { [ "$(param $PA accepted)" = $((a0 + 1)) ]; }
	wait_for 10 accepted_one
	read -r left <$FS/times
	off
	note "$name: $(echo "$out" | tail -n 1)"
	expect "$name: the one allocation failed" "$left" 0
	expect "$name: accept_errors went up by one" "$(($(stat_value accept_errors) - e0))" 1
	expect "$name: the pending accept got the connection" "$(param $PA accepted)" $((a0 + 1))
	expect "$name: no failed completion" "$(param $PA errors)" 0
	record "$name" ",\"accepted\":$(($(param $PA accepted) - a0))"
	unloaded "$name" wsk_acceptd
else
	not_ok "$name: insmod wsk_acceptd"
fi
note "done"
