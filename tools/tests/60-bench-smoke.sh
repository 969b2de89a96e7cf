#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Smoke test of the benchmark servers of bench/ (make bench times them; this
# only checks that they work): (a) bench_raw.ko, and bench_wsk.ko in each of
# its modes, (b) request, (c) event, (d) inspect and (e) condition. Each is
# loaded, driven through its debugfs control as bench/run.sh drives it, and
# unloaded:
#
# - drain: "listen", N connections opened and held by `loadgen hold` (the
#   server accepts nothing yet; the conditional listener of (d) inspects
#   them as they arrive, and all must be inspected before the start),
#   "start", and every one of them reset by the server;
# - steady: "listen" and "start", then `loadgen steady` with C connections
#   in flight until N have been accepted and reset.
#
# After each run the server's counters must show every connection accepted
# and closed, with no error (and for (d) inspected, none aborted; for (e)
# every condition called); after "stop", wsk's sockets and pending requests
# are back where they started. Requests: 4, fewer than the connections, so
# that (b) and (e) resubmit from their completions.
#
# Budget: a few seconds on the stock kernels, about 20 on the debug kernel
# (TCG with KASAN: about 35 connections a second, and every process the
# script starts costs a few hundred milliseconds there, so it reads its
# counters with shell builtins and starts little besides insmod, rmmod and
# loadgen).
. /wsk/tests/lib.sh

if [ "$WSK_KIND" = debug ]; then
	N=5 C=2
else
	N=100 C=8
fi
NREQ=4
PORT=7600
DBG=/sys/kernel/debug
LG=$WSK_BINDIR/loadgen
T=/tmp/bench-smoke
mkdir -p $T

hold_pid=
cleanup() {
	[ -n "$hold_pid" ] && kill "$hold_pid" 2>/dev/null
	[ -d /sys/module/bench_raw ] && rmmod bench_raw
	[ -d /sys/module/bench_wsk ] && rmmod bench_wsk
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

for f in "$WSK_MODDIR/bench_raw.ko" "$WSK_MODDIR/bench_wsk.ko" "$LG"; do
	if [ ! -f "$f" ]; then
		not_ok "$f is in the initramfs"
		exit 1
	fi
done

# getkv FILE KEY: $kv = KEY's value in the "name value" lines of FILE
getkv() {
	kv=
	while read -r _k _v; do
		[ "$_k" = "$2" ] && kv=$_v
	done <"$1"
	:
}
closed_is() { getkv "$DBG/$1/stats" closed && [ "$kv" = "$2" ]; }
inspected_is() { getkv "$DBG/$1/stats" inspected && [ "$kv" = "$2" ]; }
# $wsk = "sockets requests_pending" of wsk's own stats
wsk_now() {
	_s= _r=
	while read -r _k _v; do
		case $_k in
		sockets) _s=$_v ;;
		requests_pending) _r=$_v ;;
		esac
	done </sys/kernel/debug/wsk/stats
	wsk="$_s $_r"
}
wsk_back() { wsk_now && [ "$wsk" = "$wsk0" ]; }

# counters NAME SERVER DIR: the server's counters after N connections
counters() {
	wait_for 20 closed_is "$3" $N
	_a= _c= _e= _i= _ab= _co=
	while read -r _k _v; do
		case $_k in
		accepted) _a=$_v ;;
		closed) _c=$_v ;;
		errors) _e=$_v ;;
		inspected) _i=$_v ;;
		aborted) _ab=$_v ;;
		conditions) _co=$_v ;;
		esac
	done <"$DBG/$3/stats"
	case $2 in
	d)
		expect "$1: accepted closed errors inspected aborted" \
			"$_a $_c $_e $_i $_ab" "$N $N 0 $N 0"
		;;
	e)
		expect "$1: accepted closed errors conditions" "$_a $_c $_e $_co" "$N $N 0 $N"
		;;
	*)
		expect "$1: accepted closed errors" "$_a $_c $_e" "$N $N 0"
		;;
	esac
}

# stop NAME SERVER DIR
stop() {
	if echo stop >"$DBG/$3/ctl"; then ok "$1: stop"; else not_ok "$1: stop"; fi
	if [ "$2" != a ]; then
		wait_for 10 wsk_back
		expect "$1: wsk sockets and pending requests back" "$wsk" "$wsk0"
	fi
}

# drain SERVER DIR: N connections queued before "start"
drain() {
	nm="($1) drain of $N"
	PORT=$((PORT + 1))
	rm -f $T/ready
	if ! echo "listen $PORT 128 $NREQ" >"$DBG/$2/ctl"; then
		not_ok "$nm: listen"
		return
	fi
	"$LG" hold -p $PORT -n $N -r $T/ready -t 60 >$T/hold.out 2>&1 &
	hold_pid=$!
	if wait_for 60 test -f $T/ready; then
		ok "$nm: $N connections established"
	else
		not_ok "$nm: $N connections established (loadgen: see its output below)"
	fi
	if [ "$1" = d ]; then
		wait_for 20 inspected_is "$2" $N
		expect "$nm: $N inspected before the start" "$kv" $N
	fi
	if echo start >"$DBG/$2/ctl"; then ok "$nm: start"; else not_ok "$nm: start"; fi
	wait $hold_pid
	_rc=$?
	hold_pid=
	getkv $T/hold.out reset
	expect "$nm: every connection reset by the server" "$_rc $kv" "0 $N"
	[ "$_rc" = 0 ] || sed 's/^/#   loadgen: /' $T/hold.out
	counters "$nm" "$1" "$2"
	stop "$nm" "$1" "$2"
}

# steady SERVER DIR: C connections in flight until N are done
steady() {
	nm="($1) steady, $C in flight"
	PORT=$((PORT + 1))
	if ! echo "listen $PORT 128 $NREQ" >"$DBG/$2/ctl" || ! echo start >"$DBG/$2/ctl"; then
		not_ok "$nm: listen and start"
		echo stop >"$DBG/$2/ctl" 2>/dev/null
		return
	fi
	"$LG" steady -p $PORT -c $C -n $N -t 60 >$T/steady.out 2>&1
	_rc=$?
	getkv $T/steady.out failed
	expect "$nm: every connection reset by the server" "$_rc $kv" "0 0"
	[ "$_rc" = 0 ] || sed 's/^/#   loadgen: /' $T/steady.out
	counters "$nm" "$1" "$2"
	stop "$nm" "$1" "$2"
}

wsk_now
wsk0=$wsk
note "kernel $(uname -r) ($WSK_KIND); N=$N C=$C; wsk sockets, requests_pending: $wsk0"

for srv in a b c d e; do
	case $srv in
	a) mod=bench_raw mode= ;;
	b) mod=bench_wsk mode=request ;;
	c) mod=bench_wsk mode=event ;;
	d) mod=bench_wsk mode=inspect ;;
	e) mod=bench_wsk mode=condition ;;
	esac
	note "server ($srv) $mod $mode"
	if [ $srv = a ]; then
		check "(a) insmod bench_raw" insmod "$WSK_MODDIR/bench_raw.ko"
	else
		check "($srv) insmod bench_wsk mode=$mode" insmod "$WSK_MODDIR/bench_wsk.ko" mode=$mode
	fi
	[ -d /sys/module/$mod ] || continue
	drain $srv $mod
	steady $srv $mod
	if [ $srv = e ]; then
		# bench/run.sh switches the mode of the loaded module between runs.
		echo event >/sys/module/bench_wsk/parameters/mode
		echo "listen $((PORT + 1)) 128 $NREQ" >$DBG/bench_wsk/ctl
		getkv $DBG/bench_wsk/stats mode
		expect "mode switched at run time (read at listen)" "$kv" event
		echo stop >$DBG/bench_wsk/ctl
		if echo bogus 2>/dev/null >/sys/module/bench_wsk/parameters/mode; then
			not_ok "an unknown mode is refused"
		else
			ok "an unknown mode is refused"
		fi
	fi
	check "($srv) rmmod $mod" rmmod $mod
done
wsk_now
expect "wsk sockets and pending requests back after the bench servers" "$wsk" "$wsk0"
note "done"
