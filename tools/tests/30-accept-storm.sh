#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Accept storm: the wsk_acceptd sample keeps 16 accept requests pending, each
# resubmitted from its completion routine, while connect_storm opens thousands
# of loopback connections from userspace. Every connection must be accepted
# exactly once: each client binds its own port (connect_storm -b; ephemeral
# ports come round again within 5,000 connections) and the sample records
# each peer port in a bitmap. The wsk counters must come back to where they
# started once the sample is unloaded, and the sample must unload cleanly
# while connections are still arriving.
#
# Budget: a few seconds per storm on the stock kernels. The debug kernel
# (KASAN, lockdep, kmemleak under TCG) manages only about 40-80 connections a
# second, for userspace servers as much as for wsk, so there each storm is
# also bounded by time and passes with fewer connections (at least MIN),
# keeping the whole script near a minute and a half.
. /wsk/tests/lib.sh

PORT=7000
NREQS=16
N4=5000		# IPv4 clients on the dual-stack listener, ports 20000-24999
N6=500		# IPv6 clients on ::1 closing with a reset, ports 30000-30499
# The unload storm uses ports from 40000 on: at most 20000 of them.
if [ "$WSK_KIND" = debug ]; then
	T4=15 MIN4=300 T6=20 MIN6=200
	UNLOAD_N=3000 UNLOAD_T=20 UNLOAD_AT=100
else
	T4=100 MIN4=$N4 T6=60 MIN6=$N6
	UNLOAD_N=20000 UNLOAD_T=30 UNLOAD_AT=300
fi
P=/sys/module/wsk_acceptd/parameters
STORM=$WSK_BINDIR/connect_storm
KO=$WSK_MODDIR/wsk_acceptd.ko

param() { cat "$P/$1"; }
# tcpext NAME: a TcpExt counter of /proc/net/netstat (the guest's only namespace).
tcpext() {
	awk -v k="$1" '/^TcpExt:/ { if (!c) { for (i = 2; i <= NF; i++) if ($i == k) c = i }
		else print $c }' /proc/net/netstat
}
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; } # field NAME "k=v k=v"
accepted_is() { [ "$(param accepted)" = "$1" ]; }
accepted_at_least() { [ "$(param accepted)" -ge "$1" ]; }
stats_are() { [ "$(stat_value sockets)" = "$1" ] && [ "$(stat_value requests_pending)" = "$2" ]; }
loaded() { [ -d /sys/module/wsk_acceptd ]; }

storm_pid=
cleanup() { # leave no sample loaded for the tests that follow
	if [ -n "$storm_pid" ]; then kill "$storm_pid" 2>/dev/null; fi
	if loaded; then rmmod wsk_acceptd; fi
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

# The clients of a storm: RUNNER COUNT SECONDS ARGS... prints connect_storm's
# summary line ("connected=N failed=N ..."). run_kclient opens them from the
# kernel instead, with samples/wsk_kclient (5,000 from ports 25000-29999).
run_connect_storm() {
	_n=$1 _s=$2
	shift 2
	"$STORM" -p $PORT -n "$_n" -c 8 -t "$_s" "$@"
}
run_kclient() {
	insmod "$WSK_MODDIR/wsk_kclient.ko" port=$PORT count="$1" seconds="$2" || return
	cat /sys/module/wsk_kclient/parameters/result
	rmmod wsk_kclient
}

# storm NAME COUNT SECONDS MIN ARGS...: one storm
# against the loaded sample, COUNT connections or as many as SECONDS allow (at
# least MIN, none failed); every connection accepted exactly once. The clients
# come from $STORM_RUNNER if set.
#
# A client that resets right after connect() (-r) can lose a connection
# before the server ever has it: loopback queues each packet on the sending
# CPU, so the RST, sent by the client thread, can overtake the handshake's
# final ACK, sent from softirq on another CPU, and kill the request socket
# before the ACK would have made it a connection (TcpExt EmbryonicRsts).
# Such connections are connected for the client but never exist on the
# server; they are subtracted.
storm() {
	_name=$1 _count=$2 _secs=$3 _min=$4
	shift 4
	echo 1 >"$P/reset"
	_emb=$(tcpext EmbryonicRsts) _ovf=$(tcpext ListenOverflows) _drop=$(tcpext ListenDrops)
	note "$_name: ${STORM_RUNNER:-run_connect_storm} $_count clients, ${_secs}s at most $*"
	_t=$(now_ms)
	_out=$(${STORM_RUNNER:-run_connect_storm} "$_count" "$_secs" "$@" 2>&1)
	echo "$_out" | sed 's/^/#   /'
	_line=$(echo "$_out" | tail -n 1)
	_conn=$(field connected "$_line")
	_failed=$(field failed "$_line")
	if [ -n "$_conn" ] && [ "$_failed" = 0 ] && [ "$_conn" -ge "$_min" ]; then
		ok "$_name: clients connected"
	else
		not_ok "$_name: clients connected: $_line (want $_min..$_count, none failed)"
	fi
	_emb=$(($(tcpext EmbryonicRsts) - _emb))
	_want=$((${_conn:-0} - _emb))
	wait_for 60 accepted_is "$_want"
	note "$_name: $(param accepted) accepted in $(($(now_ms) - _t)) ms" \
		"($(param alloc_failures) close allocation failures;" \
		"TcpExt: $_emb EmbryonicRsts, $(($(tcpext ListenOverflows) - _ovf)) ListenOverflows," \
		"$(($(tcpext ListenDrops) - _drop)) ListenDrops)"
	echo "#   wsk stats: $(tr '\n' ' ' </sys/kernel/debug/wsk/stats)"
	expect "$_name: accepted == connected - embryonic resets" "$(param accepted)" "$_want"
	expect "$_name: no connection accepted twice" "$(param duplicates)" 0
	expect "$_name: no failed completion" "$(param errors)" 0
	# Closes of the accepted sockets are asynchronous: let them finish.
	wait_for 20 stats_are $((s0 + 1)) $((r0 + NREQS))
	expect "$_name: wsk sockets back to the listener alone" "$(stat_value sockets)" $((s0 + 1))
	expect "$_name: $NREQS accept requests pending again" \
		"$(stat_value requests_pending)" $((r0 + NREQS))
}

s0=$(stat_value sockets)
r0=$(stat_value requests_pending)
note "kernel $(uname -r) ($WSK_KIND); wsk stats before: sockets=$s0 requests_pending=$r0"
if [ -z "$s0" ] || [ -z "$r0" ]; then
	not_ok "wsk stats has sockets and requests_pending"
	exit 1
fi

# 1. Dual-stack listener on [::]:7000: IPv4 storm, then IPv6 with resets.
if ! insmod "$KO" port=$PORT nreqs=$NREQS; then
	not_ok "insmod wsk_acceptd"
	exit 1
fi
ok "insmod wsk_acceptd (dual-stack, $NREQS requests)"
expect "listener and $NREQS pending accepts counted" \
	"$(stat_value sockets) $(stat_value requests_pending)" "$((s0 + 1)) $((r0 + NREQS))"

storm "IPv4 storm" $N4 $T4 $MIN4 -a 127.0.0.1 -b 20000
# Every 4th close request "fails" to allocate: the sample then closes through
# the accept request itself and resubmits it from that close's completion.
echo 4 >"$P/fail_every"
storm "IPv6 storm with client resets" $N6 $T6 $MIN6 -6 -a ::1 -b 30000 -r
echo 0 >"$P/fail_every"
check "IPv6 storm: closes without an allocated request" [ "$(param alloc_failures)" -gt 0 ]
# In-kernel clients: on the stock kernels, where 5,000 take seconds. The debug
# kernel runs its in-kernel storm as the KUnit suite wsk_storm.
if [ "$WSK_KIND" = stock ]; then
	STORM_RUNNER=run_kclient
	storm "in-kernel storm" 5000 60 5000 base_port=25000
	STORM_RUNNER=
fi

note "rmmod wsk_acceptd"
check "rmmod wsk_acceptd" rmmod wsk_acceptd
expect "wsk sockets back to start after rmmod" "$(stat_value sockets)" "$s0"
expect "wsk requests_pending back to start after rmmod" "$(stat_value requests_pending)" "$r0"

# 2. Unload while connections are arriving (IPv4 listener on 127.0.0.1).
if ! insmod "$KO" port=$PORT family=4 nreqs=$NREQS; then
	not_ok "insmod wsk_acceptd family=4"
	exit 1
fi
ok "insmod wsk_acceptd family=4"
note "unload during a storm: connect_storm -n $UNLOAD_N -t $UNLOAD_T -k in the background"
"$STORM" -p $PORT -n $UNLOAD_N -c 8 -t $UNLOAD_T -k -b 40000 >/tmp/storm.out 2>&1 &
storm_pid=$!
wait_for 30 accepted_at_least $UNLOAD_AT
note "accepted so far: $(param accepted); rmmod wsk_acceptd"
_t=$(now_ms)
rmmod wsk_acceptd
_rc=$?
note "rmmod returned $_rc in $(($(now_ms) - _t)) ms"
expect "rmmod wsk_acceptd during the storm" "$_rc" 0
check "wsk_acceptd gone" sh -c '! test -d /sys/module/wsk_acceptd'
expect "wsk sockets back to start after rmmod during storm" "$(stat_value sockets)" "$s0"
expect "wsk requests_pending back to start after rmmod during storm" \
	"$(stat_value requests_pending)" "$r0"
wait $storm_pid
storm_pid=
note "storm after unload: $(tail -n 1 /tmp/storm.out)"
# The background storm may end before the unload on a busy machine: a few
# fresh clients after it tell whether the port is really closed.
"$STORM" -p $PORT -n 3 -c 1 -t 10 -k -b 45000 >/tmp/storm-after.out 2>&1
note "clients after unload: $(tail -n 1 /tmp/storm-after.out)"
refused=$(field refused "$(tail -n 1 /tmp/storm-after.out)")
expect "clients refused once the listener was gone" "${refused:-0}" 3
expect "wsk sockets at start after the storm" "$(stat_value sockets)" "$s0"
expect "wsk requests_pending at start after the storm" "$(stat_value requests_pending)" "$r0"
note "done"
