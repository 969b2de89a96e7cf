#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Demo: the wsk_echo sample, an echo server on wsk's accept and receive
# events, serving busybox nc and echo_client (samples/wsk_echo/wsk_echo.c).
D=/sys/kernel/debug/wsk
P=/sys/module/wsk_echo/parameters
PORT=7777

counters() {
	for c in connections active bytes_echoed errors throttled inflight_peak; do
		printf '%s=%s ' $c "$(cat $P/$c)"
	done
	echo
}

echo "--- insmod wsk_echo port=$PORT (accept, receive and disconnect events on 0.0.0.0:$PORT)"
insmod /wsk/modules/wsk_echo.ko port=$PORT || exit 0
echo "--- echo 'hello from userspace' | nc 127.0.0.1 $PORT"
echo 'hello from userspace' | timeout 20 nc 127.0.0.1 $PORT
echo "--- echo_client: 4 connections at once, each sending random payloads of 1, 1000, 65536"
echo "    and 262144 bytes three times over, and checking every byte of the echo"
echo_client -p $PORT -c 4 -s 1,1000,65536,262144 -n 3 &
client=$!
usleep 500000
echo "--- meanwhile, wskstat -S (the listener and the connections)"
wskstat -S
wait $client
echo "--- echo_client exit status $?; the sample's counters:"
counters
echo "--- rmmod wsk_echo"
rmmod wsk_echo
grep -E '^(sockets|requests_pending|events_delivered) ' $D/stats
