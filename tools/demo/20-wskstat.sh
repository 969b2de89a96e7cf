#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Demo: wskstat and the wsk tracepoints, with the wsk_acceptd sample serving
# a short connection storm (see Documentation/introspection.rst).
D=/sys/kernel/debug/wsk
TR=/sys/kernel/tracing
PORT=7000

echo "--- insmod wsk_acceptd port=$PORT nreqs=16 (dual-stack listener, 16 pending accepts)"
insmod /wsk/modules/wsk_acceptd.ko port=$PORT nreqs=16 || exit 0
if [ -d $TR/events/wsk ]; then
	echo "--- tracing the wsk events: $(ls $TR/events/wsk | grep '^wsk_' | tr '\n' ' ')"
	echo >$TR/trace
	echo 1 >$TR/events/wsk/enable
fi
echo "--- wskstat"
wskstat

echo "--- 210 connections (IPv4 and IPv6 clients) while wskstat --watch 1 --count 3 -s"
connect_storm -a 127.0.0.1 -p $PORT -n 150 -c 4 -b 20000 >/tmp/storm4.out 2>&1 &
storm4=$!
connect_storm -6 -a ::1 -p $PORT -n 60 -c 2 -b 30000 >/tmp/storm6.out 2>&1 &
storm6=$!
wskstat --watch 1 --count 3 -s
echo "--- during the storm: wskstat -S, then $D/sockets (the sample closes each connection)"
wskstat -S
cat $D/sockets
wait $storm4 $storm6
echo "connect_storm: $(tail -n 1 /tmp/storm4.out)"
echo "connect_storm -6: $(tail -n 1 /tmp/storm6.out)"
sleep 1

echo "--- wskstat after the storm"
wskstat
echo "--- wskstat --json -S"
wskstat --json -S
if [ -d $TR/events/wsk ]; then
	echo 0 >$TR/events/wsk/enable
	echo "--- the first wsk events of the trace ($(grep -c ': wsk_' $TR/trace) in all)"
	grep ': wsk_' $TR/trace | head -n 24
	echo >$TR/trace
fi
echo "--- rmmod wsk_acceptd"
rmmod wsk_acceptd
cat $D/stats | grep -E '^(sockets|requests_pending|accepts_completed|requests_cancelled) '
