#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The wsk tracepoints while the wsk_echo sample serves one nc client: with
# the wsk events on in tracefs, one echo records
# - the accept event's call and return on the echo listener (the listener's
#   id is the one /sys/kernel/debug/wsk/sockets shows),
# - wsk_accept_delivered from that listener to the new connection's id,
# - the receive event's call on that connection, and a send submitted and
#   completed (status 0, every byte) on it, with matching request tags,
# - the connection's close start and end.
# Cheap on every kernel: one module load and one nc.
. /wsk/tests/lib.sh

PORT=7779
TR=/sys/kernel/tracing
D=/sys/kernel/debug/wsk
KO=$WSK_MODDIR/wsk_echo.ko

cleanup() {
	echo 0 >$TR/tracing_on 2>/dev/null
	echo 0 >$TR/events/wsk/enable 2>/dev/null
	rmmod wsk_echo 2>/dev/null
}
trap cleanup EXIT

if [ ! -d $TR/events/wsk ]; then
	not_ok "echo trace: $TR/events/wsk present"
	exit 1
fi
echo 0 >$TR/tracing_on
echo >$TR/trace
echo 1 >$TR/events/wsk/enable
echo 1 >$TR/tracing_on

if ! insmod "$KO" port=$PORT; then
	not_ok "echo trace: insmod wsk_echo"
	exit 1
fi
lid=$(grep ' module=wsk_echo category=listen ' $D/sockets | sed 's/^id=\([0-9]*\) .*/\1/')
check "echo trace: the echo listener is listed" [ -n "$lid" ]

out=$(echo hello | timeout 20 nc 127.0.0.1 $PORT)
expect "echo trace: nc gets hello back" "$out" hello
sleep 1
rmmod wsk_echo
echo 0 >$TR/tracing_on
grep ': wsk_' $TR/trace >/tmp/echo-trace.txt
note "echo trace: $(wc -l </tmp/echo-trace.txt) wsk events"

has() { grep -q -- "$1" /tmp/echo-trace.txt; }
check "echo trace: accept event called on the listener" has "wsk_event_call: sock=$lid event=accept"
check "echo trace: accept event returned 0" has "wsk_event_return: sock=$lid event=accept ret=0"

cid=$(sed -n "s/.*wsk_accept_delivered: listener=$lid sock=\([0-9]*\) .*/\1/p" /tmp/echo-trace.txt |
      head -n 1)
check "echo trace: accept delivered from the listener" [ -n "$cid" ]
cid=${cid:-none}
check "echo trace: receive event on the connection" \
	has "wsk_event_call: sock=$cid event=receive"

tag=$(sed -n "s/.*wsk_req_submit: sock=$cid req=\([0-9a-f]*\) kind=send.*/\1/p" \
	/tmp/echo-trace.txt | head -n 1)
check "echo trace: a send submitted on the connection" [ -n "$tag" ]
tag=${tag:-none}
check "echo trace: that send completed with every byte (hello and its newline)" \
	has "wsk_req_complete: sock=$cid req=$tag kind=send status=0 result=6"
check "echo trace: the connection's close started" has "wsk_sock_close_start: sock=$cid "
check "echo trace: the connection's close ended" has "wsk_sock_close_end: sock=$cid "
if grep -q LOST $TR/trace; then not_ok "echo trace: no event lost"; else ok "echo trace: no event lost"; fi
