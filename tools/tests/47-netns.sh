#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Network namespaces: a wsk socket does not keep its namespace alive, and when
# the namespace is dismantled its wsk sockets die and their client learns it
# through its events.
#
# The wsk_echo sample listens in a namespace made with `ip netns add` (its
# netns_pid parameter names a process inside it). Two ways the namespace
# goes, as a container's does:
# - peers outside it, over a veth pair: echoes work, then three connections
#   stay open and the namespace is deleted (ip netns delete, its last
#   process killed). The namespace is dismantled at once (wsk's namespace
#   exit runs: netns_exits), which kills the listener and the three
#   connections (sockets_net_killed); the sample is told (its listener's
#   NULL accept event, each connection's NULL indication or abortive
#   disconnect event), closes them, and the wsk sockets are all gone;
# - clients inside it: echoes work, then the namespace is deleted and every
#   process in it killed with its connections open: the namespace is
#   dismantled all the same and the sample told.
# Then the sample unloads at once. Last, a wsk_socket_connect() of the
# wsk_echocli sample waits inside a namespace for a peer that never answers:
# deleting the namespace completes it -ESHUTDOWN, in a second namespace the
# unload cancels it, and in a third, with one SYN retry, TCP gives up
# (-ETIMEDOUT); none leaves a socket. kmemleak (debug kernels)
# runs at the end of the boot. On the stock kernels veth is a module
# (/wsk/kmod).
. /wsk/tests/lib.sh

IP=/usr/sbin/ip	# iproute2's: busybox's ip has no netns
KO=$WSK_MODDIR/wsk_echo.ko
P=/sys/module/wsk_echo/parameters
CLIENT=$WSK_BINDIR/echo_client
NS=wsk-ns
PORT=7777
HELD=3

pv() { read -r V <"$P/$1"; }
pv_is() { pv "$1" && [ "$V" = "$2" ]; }
pv_at_least() { pv "$1" && [ "$V" -ge "$2" ]; }
stat_at_least() { [ "$(stat_value "$1")" -ge "$2" ]; }
sockets_are() { [ "$(stat_value sockets)" = "$1" ]; }
loaded() { [ -d /sys/module/wsk_echo ]; }

pids=
holder=
cleanup() {
	for p in $pids $holder; do kill "$p" 2>/dev/null; done
	$IP netns del $NS 2>/dev/null
	$IP link del wskv0 2>/dev/null
	if loaded; then rmmod wsk_echo; fi
}
trap cleanup EXIT

# start_ns: the namespace, lo up, a process inside it ($holder) whose pid
# the sample gets. With veth: wskv0 10.99.0.1 outside, wskv1 10.99.0.2 in.
start_ns() {
	mkdir -p /run/netns	# the initramfs has no /run
	$IP netns add $NS || return 1
	$IP -n $NS link set lo up || return 1
	if [ "$1" = veth ]; then
		$IP link add wskv0 type veth peer name wskv1 netns $NS &&
			$IP addr add 10.99.0.1/24 dev wskv0 && $IP link set wskv0 up &&
			$IP -n $NS addr add 10.99.0.2/24 dev wskv1 &&
			$IP -n $NS link set wskv1 up || return 1
	fi
	$IP netns exec $NS sleep 1000 &
	holder=$!
	wait_for 10 ns_entered
}
ns_entered() {
	[ "$(readlink /proc/$holder/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ]
}

# stop_ns: delete the namespace and kill every process in it.
stop_ns() {
	$IP netns del $NS
	kill $holder
	wait $holder 2>/dev/null
	holder=
}

# echo_ok NAME ADDR [ip netns exec prefix...]: a short echo_client run.
echo_ok() {
	_n=$1 _a=$2
	shift 2
	"$@" "$CLIENT" -a "$_a" -p $PORT -c 2 -s 1,1000,65536 -n 1 >/tmp/ns.json 2>/tmp/ns.err
	expect "$_n: echo_client exit status" $? 0
}

# hold N ADDR [prefix...]: N idle connections, open until their nc is
# killed. nc reads a FIFO that this script holds open and never writes.
rm -f /tmp/wsk-ns.fifo
mkfifo /tmp/wsk-ns.fifo
exec 3<>/tmp/wsk-ns.fifo
hold() {
	_c=$1 _a=$2
	shift 2
	for _i in $(seq "$_c"); do
		"$@" nc "$_a" $PORT </tmp/wsk-ns.fifo >/dev/null &
		pids="$pids $!"
	done
}

s0=$(stat_value sockets)
if [ "$WSK_KIND" = stock ] && [ -f /wsk/kmod/veth.ko ] && [ ! -d /sys/module/veth ]; then
	check "load veth" insmod /wsk/kmod/veth.ko
fi

# --- peers outside, over veth -----------------------------------------------
if ! start_ns veth; then
	not_ok "veth: ip netns add and a veth pair into it"
	exit 1
fi
ok "veth: ip netns add and a veth pair into it"
check "veth: wsk_echo listens in the namespace" insmod "$KO" netns_pid="$holder" port=$PORT
check "veth: wsk_echo's listener exists" sockets_are "$((s0 + 1))"
echo_ok "veth: echo from outside" 10.99.0.2
echo_ok "veth: echo from inside" 127.0.0.1 $IP netns exec $NS
exits=$(stat_value netns_exits)
killed=$(stat_value sockets_net_killed)
hold $HELD 10.99.0.2
wait_for 20 pv_is active $HELD
expect "veth: $HELD connections open" "$V" $HELD

note "deleting the namespace with $HELD connections open"
stop_ns
wait_for 30 stat_at_least netns_exits "$((exits + 1))"
expect "veth: the namespace is dismantled (no wsk socket keeps it)" \
	"$(stat_value netns_exits)" "$((exits + 1))"
expect "veth: its listener and connections were killed" \
	"$(stat_value sockets_net_killed)" "$((killed + HELD + 1))"
wait_for 20 pv_is listener_dead 1
expect "veth: the sample got its listener's NULL accept event" "$V" 1
pv null_indications
n=$V
pv connections_reset
expect "veth: the sample was told of every connection" "$((n + V >= HELD))" 1
wait_for 20 pv_is active 0
expect "veth: the sample closed every connection" "$V" 0
wait_for 20 sockets_are "$s0"
expect "veth: no wsk socket is left" "$(stat_value sockets)" "$s0"
pv errors
expect "veth: the sample saw no other error" "$V" 0
for p in $pids; do kill "$p" 2>/dev/null; done
pids=
check "veth: wsk_echo unloads" timeout 10 rmmod wsk_echo

# --- clients inside ---------------------------------------------------------
if ! start_ns lo; then
	not_ok "inside: ip netns add"
	exit 1
fi
ok "inside: ip netns add"
check "inside: wsk_echo listens in the namespace" insmod "$KO" netns_pid="$holder" port=$PORT
echo_ok "inside: echo" 127.0.0.1 $IP netns exec $NS
exits=$(stat_value netns_exits)
hold $HELD 127.0.0.1 $IP netns exec $NS
wait_for 20 pv_is active $HELD
expect "inside: $HELD connections open" "$V" $HELD

note "deleting the namespace and killing every process in it"
for p in $pids; do kill "$p" 2>/dev/null; done
pids=
stop_ns
wait_for 30 stat_at_least netns_exits "$((exits + 1))"
expect "inside: the namespace is dismantled" "$(stat_value netns_exits)" "$((exits + 1))"
wait_for 20 pv_is listener_dead 1
expect "inside: the sample got its listener's NULL accept event" "$V" 1
wait_for 20 pv_is active 0
expect "inside: the sample closed every connection" "$V" 0
wait_for 20 sockets_are "$s0"
expect "inside: no wsk socket is left" "$(stat_value sockets)" "$s0"
pv errors
expect "inside: the sample saw no other error" "$V" 0
check "inside: wsk_echo unloads" timeout 10 rmmod wsk_echo

# --- a connect pending when the namespace goes ------------------------------
# wsk_echocli connects from inside the namespace to 10.99.0.3, an address
# with a permanent neighbour entry that nobody answers: the SYNs leave over
# the veth and vanish, so the connect stays pending (state connecting).
# Deleting the namespace must complete it -ESHUTDOWN and free its socket;
# in a second namespace, the unload cancels such a connect (-ECANCELED).
CKO=$WSK_MODDIR/wsk_echocli.ko
C=/sys/module/wsk_echocli/parameters
cli_done() { read -r CR <"$C/result" && [ "$CR" != running ]; }
connecting() { grep -q "module=wsk_echocli category=connection state=connecting" \
	/sys/kernel/debug/wsk/sockets; }
black_hole() {
	start_ns veth &&
		$IP -n $NS neigh add 10.99.0.3 lladdr 02:00:00:00:99:03 dev wskv1 nud permanent
}

if ! black_hole; then
	not_ok "connect: a namespace with an address that never answers"
	exit 1
fi
ok "connect: a namespace with an address that never answers"
exits=$(stat_value netns_exits)
check "connect: insmod wsk_echocli in the namespace" \
	insmod "$CKO" netns_pid="$holder" addr=10.99.0.3 port=$PORT seconds=120
wait_for 10 connecting
check "connect: its socket is connecting" connecting
read -r CR <"$C/result"
expect "connect: still running" "$CR" running
note "deleting the namespace with a connect pending"
stop_ns
wait_for 30 stat_at_least netns_exits "$((exits + 1))"
expect "connect: the namespace is dismantled (the connect does not keep it)" \
	"$(stat_value netns_exits)" "$((exits + 1))"
wait_for 20 cli_done
expect "connect: it completed -ESHUTDOWN" "$CR" \
	"connected=0 bytes=0 mismatches=0 errors=1 first_error=-108"
wait_for 20 sockets_are "$s0"
expect "connect: no wsk socket is left" "$(stat_value sockets)" "$s0"
check "connect: wsk_echocli unloads" timeout 10 rmmod wsk_echocli

if ! black_hole; then
	not_ok "connect: a second such namespace"
	exit 1
fi
check "connect: insmod wsk_echocli again" \
	insmod "$CKO" netns_pid="$holder" addr=10.99.0.3 port=$PORT seconds=120
wait_for 10 connecting
check "connect: its socket is connecting again" connecting
check "connect: rmmod with the connect pending returns" timeout 10 rmmod wsk_echocli
check "connect: the unload cancelled it (-ECANCELED)" \
	eval 'dmesg | tail -n 20 | grep -q "wsk_echocli: connected=0 bytes=0 mismatches=0 errors=1 first_error=-125"'
wait_for 20 sockets_are "$s0"
expect "connect: no wsk socket is left after the unload" "$(stat_value sockets)" "$s0"
stop_ns

# The same black hole with one SYN retry in the namespace (tcp_syn_retries
# is per namespace): the connect times out after about 3 s, -ETIMEDOUT.
if ! black_hole || ! $IP netns exec $NS sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_syn_retries'; then
	not_ok "connect: a black hole with tcp_syn_retries 1"
	exit 1
fi
check "connect: insmod wsk_echocli for a connect that times out" \
	insmod "$CKO" netns_pid="$holder" addr=10.99.0.3 port=$PORT seconds=60
wait_for 30 cli_done
expect "connect: TCP gave up, -ETIMEDOUT" "$CR" \
	"connected=0 bytes=0 mismatches=0 errors=1 first_error=-110"
wait_for 20 sockets_are "$s0"
expect "connect: no wsk socket is left after the timeout" "$(stat_value sockets)" "$s0"
check "connect: wsk_echocli unloads after the timeout" timeout 10 rmmod wsk_echocli
stop_ns
