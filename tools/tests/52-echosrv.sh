#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The request-driven echo server: samples/wsk_echosrv (two receives pending
# per connection, each receive's buffer sent back, the send's completion
# receiving again, 0 bytes: a graceful disconnect, errors: a close), and its
# wsk client samples/wsk_echocli, which connects with wsk_socket_connect().
#
# - userspace clients on its dual-stack [::] listener: busybox nc over IPv4
#   and IPv6 gets its line back and then EOF; echo_client, many concurrent
#   connections with payloads of 1 byte to 1 MiB, gets every byte back in
#   order, also while reading its echo late (the server stops receiving
#   while its sends wait: TCP's window pushes back);
# - wsk on both ends: wsk_echocli opens connections over IPv4 and IPv6,
#   sends, checks the echo byte for byte, disconnects, sees the server's FIN
#   and closes; a connect to a port nobody listens on fails -ECONNREFUSED
#   and leaves no socket;
# - hostile peers (tools/guest/hostile.c): urgent data in the middle of the
#   stream and in bursts, resets after data and in the middle of the echo,
#   a reset behind a zero window, a half-close, a zero window that opens
#   later: each without a violation, and each time every connection is
#   closed and freed afterwards with no error counted by the sample;
# - the unload with connections busy: idle ones and one whose peer neither
#   reads nor closes (its send waits behind a zero window for ever) must not
#   hold rmmod up, and the wsk sockets return to where they started.
#
# Budget: about 10 s on the stock kernels, 40 s on the debug ones (smaller
# payloads there: KASAN and lockdep under TCG move about 1 MB/s).
. /wsk/tests/lib.sh

PORT=7790
NOPORT=7791
D=/sys/kernel/debug/wsk
P=/sys/module/wsk_echosrv/parameters
C=/sys/module/wsk_echocli/parameters
KO=$WSK_MODDIR/wsk_echosrv.ko
CKO=$WSK_MODDIR/wsk_echocli.ko
CLIENT=$WSK_BINDIR/echo_client
H=$WSK_BINDIR/hostile
if [ "$WSK_KIND" = debug ]; then
	C4=4 S4=1,1000,65536,262144 C6=2 S6=1,4096,65536
	CT=1 ST=1048576 DT=2000
	CLI_N=2 CLI_S=262144
	URG_S=20000 RST_S=65536 ZW_S=1048576 BOUND=60
else
	C4=16 S4=1,1000,65536,1048576 C6=8 S6=1,4096,65536,1048576
	CT=2 ST=4194304 DT=500
	CLI_N=8 CLI_S=1048576
	URG_S=200000 RST_S=262144 ZW_S=4194304 BOUND=20
fi

# Builtins only: V=<sample parameter>, S=<wsk sockets>, R=<requests_pending>,
# E=<sockets of wsk_echosrv listed>; lib.sh has jv, payload_bytes and
# run_client.
pv() { read -r V <"$P/$1"; }
wsk_now() {
	S= R= E=0
	while read -r _k _v; do
		case "$_k" in
		sockets) S=$_v ;;
		requests_pending) R=$_v ;;
		esac
	done <$D/stats
	while read -r _l; do
		case "$_l" in *" module=wsk_echosrv "*) E=$((E + 1)) ;; esac
	done <$D/sockets
}
loaded() { [ -d "/sys/module/$1" ]; }
active_is() { pv active && [ "$V" = "$1" ]; }
settled() { active_is 0 && wsk_now && [ "$S $E $R" = "$((s0 + 1)) 1 $r0" ]; }
cli_done() { read -r CR <"$C/result" && [ "$CR" != running ]; }

# The zero-window cases bound the TCP buffers so that a few MB fill the
# path (cat, not read: a sysctl file read at an offset is empty).
RMEM=$(cat /proc/sys/net/ipv4/tcp_rmem)
WMEM=$(cat /proc/sys/net/ipv4/tcp_wmem)
buffers() {
	echo "$1" >/proc/sys/net/ipv4/tcp_rmem
	echo "$2" >/proc/sys/net/ipv4/tcp_wmem
}
TIGHT="4096 16384 65536"

pids=
cleanup() { # leave the buffers and the modules as the next test expects them
	for _p in $pids; do kill "$_p" 2>/dev/null; done
	buffers "$RMEM" "$WMEM"
	if loaded wsk_echocli; then rmmod wsk_echocli; fi
	if loaded wsk_echosrv; then rmmod wsk_echosrv; fi
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

# server_settled NAME: every connection closed and freed, nothing pending,
# no error in the sample.
server_settled() {
	wait_for 20 settled
	pv active
	expect "$1: every connection closed and freed" "$V" 0
	wsk_now
	expect "$1: wsk sockets back to the listener, nothing pending" "$S $E $R" \
		"$((s0 + 1)) 1 $r0"
	pv errors
	expect "$1: no error in the sample" "$V" 0
}

# run_echo NAME EXPECTED_BYTES ARGS...: lib.sh's run_client, then the
# server settled.
run_echo() {
	run_client "$@"
	server_settled "$1"
}

# run_cli NAME EXPECTED_RESULT ARGS...: load wsk_echocli, wait for its result.
run_cli() {
	_name=$1 _want=$2
	shift 2
	note "$_name: insmod wsk_echocli $*"
	if ! insmod "$CKO" "$@"; then
		not_ok "$_name: insmod wsk_echocli"
		return
	fi
	wait_for 120 cli_done
	expect "$_name: wsk_echocli's result" "$CR" "$_want"
	check "$_name: rmmod wsk_echocli" rmmod wsk_echocli
}

# scenario NAME FAMILY [ARGS...]: one hostile run, then the server settled.
scenario() {
	_sc=$1 _fam=$2
	shift 2
	_lbl="hostile $_sc (IPv$_fam)"
	_a=
	[ "$_fam" = 6 ] && _a=-6
	note "$_lbl: hostile $_a -p $PORT -t $BOUND $* $_sc"
	"$H" $_a -p $PORT -t $BOUND "$@" "$_sc" >/tmp/echosrv.json 2>/tmp/echosrv.err
	_rc=$?
	read -r JSON </tmp/echosrv.json
	echo "#   $JSON"
	while read -r _l; do echo "#   $_l"; done </tmp/echosrv.err
	printf 'JSON %s\n%s\nJSON-END\n' "$_lbl" "$JSON" >"${WSK_RESULTS:-/dev/null}"
	expect "$_lbl: no violation (exit status)" "$_rc" 0
	server_settled "$_lbl"
}

wsk_now
s0=$S r0=$R
note "kernel $(uname -r) ($WSK_KIND); wsk sockets=$s0, requests_pending=$r0"
if [ -z "$s0" ]; then
	not_ok "wsk stats has sockets"
	exit 1
fi

if ! insmod "$KO" port=$PORT; then
	not_ok "insmod wsk_echosrv"
	exit 1
fi
ok "insmod wsk_echosrv ([::], dual-stack)"
wsk_now
expect "its listener is listed" "$S $E" "$((s0 + 1)) 1"

# --- userspace clients -------------------------------------------------------
out=$(echo hello | timeout 20 nc 127.0.0.1 $PORT)
expect "nc 127.0.0.1: hello echoed, then end of stream" "$out" hello
out=$(echo hello6 | timeout 20 nc ::1 $PORT)
expect "nc ::1: hello echoed, then end of stream" "$out" hello6
conns=2 bytes=13

payload_bytes $S4 1 $C4
run_echo "IPv4 echo" $B -c $C4 -s $S4
conns=$((conns + C4)) bytes=$((bytes + B))
payload_bytes $S6 1 $C6
run_echo "IPv6 echo" $B -6 -c $C6 -s $S6
conns=$((conns + C6)) bytes=$((bytes + B))
payload_bytes $ST 1 $CT
run_echo "late reader" $B -c $CT -s $ST -D $DT
conns=$((conns + CT)) bytes=$((bytes + B))

# --- wsk on both ends --------------------------------------------------------
run_cli "wsk_echocli IPv4" \
	"connected=$CLI_N bytes=$((CLI_N * CLI_S)) mismatches=0 errors=0 first_error=0" \
	addr=127.0.0.1 port=$PORT count=$CLI_N size=$CLI_S
run_cli "wsk_echocli IPv6" \
	"connected=1 bytes=$CLI_S mismatches=0 errors=0 first_error=0" \
	addr=::1 port=$PORT size=$CLI_S
conns=$((conns + CLI_N + 1)) bytes=$((bytes + (CLI_N + 1) * CLI_S))
server_settled "wsk_echocli"
run_cli "wsk_echocli, nobody listening" \
	"connected=0 bytes=0 mismatches=0 errors=1 first_error=-111" \
	addr=127.0.0.1 port=$NOPORT
wsk_now
expect "the refused connect left no socket" "$S $R" "$((s0 + 1)) $r0"

pv connections
expect "connections accepted" "$V" "$conns"
pv bytes_echoed
expect "bytes echoed" "$V" "$bytes"

# --- hostile peers -----------------------------------------------------------
scenario urg-middle 4 -s $URG_S
scenario urg-burst 6 -s $URG_S
scenario rst-data 4 -n 4 -s $RST_S
scenario rst-echo 6 -n 4 -s $RST_S
scenario half-close 6 -s $RST_S
buffers "$TIGHT" "$TIGHT"
scenario rst-zerowin 4 -s $ZW_S -w 500
scenario zero-window 6 -s $ZW_S -w 1000

# --- unload while busy -------------------------------------------------------
# Three idle connections (nc reads a FIFO nobody writes) and one peer that
# sends 4 MiB with a 4 KiB receive buffer and never reads (hostile's
# zero-window waits -w ms before reading): the server's send waits behind
# the closed window, its receives stop, and rmmod must still return.
rm -f /tmp/echosrv.fifo
mkfifo /tmp/echosrv.fifo
exec 3<>/tmp/echosrv.fifo
for _i in 1 2 3; do
	nc 127.0.0.1 $PORT </tmp/echosrv.fifo >/dev/null &
	pids="$pids $!"
done
"$H" -p $PORT -t 600 -s $ZW_S -w 600000 zero-window >/dev/null 2>&1 &
pids="$pids $!"
wait_for 20 active_is 4
expect "four connections open before the unload" "$V" 4
note "rmmod wsk_echosrv with four connections busy"
t=$(now_ms)
check "rmmod wsk_echosrv with connections busy returns" timeout 20 rmmod wsk_echosrv
note "rmmod took $(($(now_ms) - t)) ms"
for _p in $pids; do kill "$_p" 2>/dev/null; done
pids=
exec 3>&-
buffers "$RMEM" "$WMEM"
wait_for 10 eval 'wsk_now; [ "$S $R" = "$s0 $r0" ]'
expect "wsk sockets and requests_pending back to where they started" "$S $R" "$s0 $r0"
