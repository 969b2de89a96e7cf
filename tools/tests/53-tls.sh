#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kernel TLS on wsk connections, against userspace peers: wsk_echosrv with
# tls_key puts TCP_ULP "tls", TLS_TX and TLS_RX on every connection it
# accepts, through wsk_control(), before its first receive; tools/guest/
# tls_peer sets the same TLS 1.2 AES-GCM-128 secrets on its socket, as the
# kernel's tls selftest does on both ends.
#
# - the echo over IPv4 and IPv6, several records each way, byte for byte,
#   then the peer's FIN and the server's: only a peer that encrypts and
#   decrypts gets its bytes back;
# - hostile peers: one that sends in clear (no record decrypts) and one
#   under another key: the server resets each connection (its receive
#   completes with TLS's error, counted once per connection), never echoes,
#   and every connection is closed and freed;
# - rmmod afterwards, the wsk sockets back where they started.
#
# The stock kernels have TLS as modules (tls, gcm and what they use, from
# /wsk/kmod); the debug kernels have it built in. Budget: about 5 s on the
# stock kernels, 30 s on the debug ones.
. /wsk/tests/lib.sh

PORT=7795
KEY=00112233445566778899aabbccddeeff0102030405060708090a0b0c
P=/sys/module/wsk_echosrv/parameters
KO=$WSK_MODDIR/wsk_echosrv.ko
PEER=$WSK_BINDIR/tls_peer
KMOD=/wsk/kmod
if [ "$WSK_KIND" = debug ]; then N=100000; else N=1048576; fi

pv() { read -r V <"$P/$1"; }
loaded() { [ -d "/sys/module/$(echo "$1" | tr - _)" ]; }
active_is() { pv active && [ "$V" = "$1" ]; }
sockets_now() { S=$(stat_value sockets); }

# kmod_load NAME: a module of the stock kernel with its dependencies, if
# the kernel has it as a module (6.12 has ctr built in).
kmod_load() {
	[ -f "$KMOD/$1.ko" ] || return 0
	for _m in $(sed -n "s/^$1: *//p" "$KMOD/modules.dep") $1; do
		loaded "$_m" || insmod "$KMOD/$_m.ko" || return 1
	done
}

cleanup() { if loaded wsk_echosrv; then rmmod wsk_echosrv; fi; }
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

if [ "$WSK_KIND" = stock ]; then
	for m in tls ctr gcm ghash-generic; do
		check "load $m" kmod_load $m
	done
fi
sockets_now
s0=$S
check "insmod wsk_echosrv tls_key=..." insmod "$KO" port=$PORT tls_key=$KEY

# peer NAME EXPECTED ARGS...: one tls_peer run, its line compared.
peer() {
	_name=$1 _want=$2
	shift 2
	note "$_name: tls_peer -p $PORT $*"
	_out=$("$PEER" -p $PORT -k $KEY -t 30 "$@")
	expect "$_name" "$_out" "$_want"
}

peer "echo over IPv4, $N bytes" "bytes=$N result=ok reason=eof" -n $N
peer "echo over IPv6, $N bytes" "bytes=$N result=ok reason=eof" -6 -n $N
peer "echo of 1 byte" "bytes=1 result=ok reason=eof" -n 1
wait_for 20 active_is 0
pv errors
expect "no error in the sample after the echoes" "$V" 0

peer "a peer in clear is reset, nothing echoed" \
	"bytes=0 result=ok reason=Connection reset by peer" -m clear -n 4096
peer "a peer under another key is reset, nothing echoed" \
	"bytes=0 result=ok reason=Connection reset by peer" -m badkey -n 4096
wait_for 20 active_is 0
pv active
expect "every connection closed and freed" "$V" 0
pv errors
expect "one error counted per hostile connection" "$V" 2
pv connections
expect "connections accepted" "$V" 5

check "rmmod wsk_echosrv" rmmod wsk_echosrv
sockets_now
expect "wsk sockets back where they started" "$S" "$s0"
