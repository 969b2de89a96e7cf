#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Echo: the wsk_echo sample serves connections through accept_event, and
# echoes every receive indication back with wsk_send(), closing each
# connection when the peer disconnects. Userspace clients check it:
#
# - busybox nc gets its line, and a larger stream, back byte for byte, and
#   then an end of stream (the sample answers the peer's FIN with its own);
# - echo_client, many concurrent connections with random payloads of 1 byte
#   to 1 MiB, sent and read concurrently, over IPv4 and IPv6 (and IPv4 on the
#   dual-stack IPv6 listener): every byte comes back, in order;
# - a client that reads its echo late makes the sample pause its
#   indications with 1 MiB in flight and resume them later (the throttled
#   and inflight_peak counters); so do send allocations that fail (made to
#   fail with the sample's fail_every parameter);
# - every connection is closed and freed once its client is done, and the
#   sample unloads cleanly while connections are busy;
# - the wsk sockets (stats and the debugfs listing) come back to where they
#   started.
#
# Budget: a few seconds on the stock kernels. The debug kernel (KASAN,
# lockdep, kmemleak under TCG) moves about 1 MB/s and each process it starts
# costs a good part of a second, so there the clients are fewer and
# smaller, counters are read with shell builtins, and the script takes
# about 20 s.
. /wsk/tests/lib.sh

PORT=7777
D=/sys/kernel/debug/wsk
P=/sys/module/wsk_echo/parameters
KO=$WSK_MODDIR/wsk_echo.ko
CLIENT=$WSK_BINDIR/echo_client
if [ "$WSK_KIND" = debug ]; then
	NC_LINES=2000					# about 9 KB
	C4=4 S4=1,1000,65536,262144 N4=1		# IPv4: 4 connections, 320 KiB each
	C6=2 S6=1,1000,65536 N6=1			# IPv6, and IPv4 on [::]
	CT=1 ST=4194304 DT=3000				# a client reading late
	CF=2 SF=1,1000,65536 NF=2			# failing allocations
	CU=2 SU=65536 BU=50000				# busy during the unload
else
	NC_LINES=30000					# about 170 KB
	C4=16 S4=1,1000,65536,1048576 N4=4		# 16 connections, 4 MiB each
	C6=16 S6=1,1000,65536,1048576 N6=2
	CT=2 ST=8388608 DT=500
	CF=4 SF=1,1000,65536,1048576 NF=4
	CU=8 SU=65536,1048576 BU=1000000
fi

# Builtins only (no process): V=<sample parameter>, S=<wsk stats sockets>,
# L=<lines of the sockets listing>, E=<those of wsk_echo>; lib.sh has jv,
# payload_bytes and run_client.
pv() { read -r V <"$P/$1"; }
sockets_now() {
	S= L=0 E=0
	while read -r _k _v; do
		if [ "$_k" = sockets ]; then S=$_v; fi
	done <$D/stats
	while read -r _l; do
		L=$((L + 1))
		case "$_l" in *" module=wsk_echo "*) E=$((E + 1)) ;; esac
	done <$D/sockets
}
loaded() { [ -d /sys/module/wsk_echo ]; }
active_is() { pv active && [ "$V" = "$1" ]; }
active_at_least() { pv active && [ "$V" -ge "$1" ]; }
bytes_at_least() { pv bytes_echoed && [ "$V" -ge "$1" ]; }
sockets_are() { sockets_now && [ "$S $L" = "$1" ]; }

client_pid=
cleanup() { # leave no sample loaded for the tests that follow
	if [ -n "$client_pid" ]; then kill "$client_pid" 2>/dev/null; fi
	if loaded; then rmmod wsk_echo; fi
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

# all_closed NAME: once the clients are done, the sample closes and frees
# every connection (the listener is all that is left).
all_closed() {
	wait_for 20 active_is 0
	expect "$1: every connection closed and freed" "$V" 0
	wait_for 10 sockets_are "$((s0 + 1)) $((l0 + 1))"
	expect "$1: the listener is the sample's only wsk socket" \
		"$S $L $E" "$((s0 + 1)) $((l0 + 1)) 1"
}

sockets_now
s0=$S l0=$L
note "kernel $(uname -r) ($WSK_KIND); wsk sockets=$s0, $l0 listed"
if [ -z "$s0" ]; then
	not_ok "wsk stats has sockets"
	exit 1
fi

# 1. IPv4 listener on 0.0.0.0.
if ! insmod "$KO" port=$PORT; then
	not_ok "insmod wsk_echo"
	exit 1
fi
ok "insmod wsk_echo (IPv4)"
sockets_now
expect "the listener is listed" "$S $E" "$((s0 + 1)) 1"

note "busybox nc"
out=$(echo hello | timeout 20 nc 127.0.0.1 $PORT)
expect "nc: hello echoed, then end of stream" "$out" hello
seq 1 $NC_LINES >/tmp/nc.in
timeout 60 nc 127.0.0.1 $PORT </tmp/nc.in >/tmp/nc.out
check "nc: $NC_LINES lines echoed, then end of stream" cmp /tmp/nc.in /tmp/nc.out
nc_bytes=$(wc -c </tmp/nc.in)
conns=2 bytes=$((6 + nc_bytes))

payload_bytes $S4 $N4 $C4
run_client "IPv4 echo" $B -c $C4 -s $S4 -n $N4
conns=$((conns + C4)) bytes=$((bytes + B))
all_closed "IPv4 echo"

# The client sends at full speed but reads only after DT ms: the sample
# must pause with at most 1 MiB of echo in flight, then resume.
payload_bytes $ST 1 $CT
run_client "late reader" $B -c $CT -s $ST -D $DT
conns=$((conns + CT)) bytes=$((bytes + B))
pv throttled
throttled=$V
pv inflight_peak
peak=$V
pv alloc_failures
note "throttled $throttled times, in flight at most $peak bytes, $V allocation failures"
check "late reader: indications paused with too much in flight" [ "$throttled" -gt 0 ]
check "late reader: at most 1 MiB in flight per connection" [ "$peak" -le 1048576 ]
all_closed "late reader"

# Every 3rd send allocation fails: the sample takes what it could copy and
# pauses, and a send completion resumes it, or its retry work when nothing
# is in flight. Every byte must still come back.
echo 3 >$P/fail_every
payload_bytes $SF $NF $CF
run_client "failing allocations" $B -c $CF -s $SF -n $NF
conns=$((conns + CF)) bytes=$((bytes + B))
echo 0 >$P/fail_every
pv alloc_failures
check "failing allocations: some failed ($V)" [ "$V" -gt 0 ]
all_closed "failing allocations"

pv connections
expect "IPv4: connections accepted" "$V" "$conns"
pv bytes_echoed
expect "IPv4: bytes echoed" "$V" "$bytes"
pv errors
expect "IPv4: no error in the sample" "$V" 0
note "rmmod wsk_echo"
check "rmmod wsk_echo" rmmod wsk_echo
sockets_now
expect "wsk sockets back to start after rmmod" "$S $L" "$s0 $l0"

# 2. IPv6 listener on [::], dual-stack.
if ! insmod "$KO" port=$PORT family=6; then
	not_ok "insmod wsk_echo family=6"
	exit 1
fi
ok "insmod wsk_echo family=6"
out=$(echo hello | timeout 20 nc ::1 $PORT)
expect "nc ::1: hello echoed" "$out" hello
payload_bytes $S6 $N6 $C6
run_client "IPv6 echo" $B -6 -c $C6 -s $S6 -n $N6
read -r v6only </proc/sys/net/ipv6/bindv6only
if [ "$v6only" = 0 ]; then
	payload_bytes $S6 1 $C6
	run_client "IPv4 on the dual-stack listener" $B -c $C6 -s $S6
fi
all_closed "IPv6 echo"
pv errors
expect "IPv6: no error in the sample" "$V" 0

# 3. Unload while the connections are busy: they are reset, the sample's
# sends are cancelled, and nothing may leak or stay behind.
note "unload with $CU busy connections"
"$CLIENT" -6 -p $PORT -c $CU -s $SU -n 1000000 -k -t 20 >/tmp/busy.json 2>/tmp/busy.err &
client_pid=$!
wait_for 30 active_at_least $CU
pv bytes_echoed
wait_for 30 bytes_at_least $((V + BU))
pv active
note "busy: $V connections echoing; rmmod wsk_echo"
_t=$(now_ms)
rmmod wsk_echo
_rc=$?
note "rmmod returned $_rc in $(($(now_ms) - _t)) ms"
expect "rmmod wsk_echo with busy connections" "$_rc" 0
check "wsk_echo gone" [ ! -d /sys/module/wsk_echo ]
sockets_now
expect "wsk sockets back to start after rmmod under load" "$S $L" "$s0 $l0"
wait $client_pid
_rc=$?
client_pid=
read -r JSON </tmp/busy.json
echo "#   busy client: $JSON"
expect "busy client: no mismatch before the unload" "$_rc" 0
jv errors
check "busy client: its connections were reset" [ "$J" -gt 0 ]
note "done"
