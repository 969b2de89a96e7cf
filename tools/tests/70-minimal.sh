#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The smallest client, samples/wsk_minimal: it counts each connection to
# 127.0.0.1:7070 and greets it; busybox nc reads the greeting and then the end
# of the stream, not a reset, one connection after another (a close before
# the peer's FIN would reset it, on loopback even before the peer's
# connect() returns); the module unloads cleanly.
#
# On the stock kernels the host also built, as a user of an installed wsk
# would (tools/vm/pkg-check.sh), wsk.ko with DKMS and wsk_minimal.ko out of
# tree against the SDK that make install-dev installed, both in
# $WSK_MODDIR/sdk/ with the version they must report in VERSION: wsk.ko is
# swapped for the DKMS-built one, which must report that version and serve
# the SDK-built client the same way; then the tree's wsk.ko is back.
. /wsk/tests/lib.sh

PORT=7070
P=/sys/module/wsk_minimal/parameters
SDK=$WSK_MODDIR/sdk

greeted() { # greeted LABEL KO
	check "$1: load" insmod "$2" port=$PORT
	for i in 1 2 3 4 5; do
		out=$(timeout 20 nc 127.0.0.1 $PORT </dev/null 2>&1)
		expect "$1: connection $i greeted, then its end of stream" "$out" "hello from wsk"
	done
	expect "$1: connections counted" "$(cat $P/accepted)" 5
	check "$1: unload" rmmod wsk_minimal
}

greeted "wsk_minimal" "$WSK_MODDIR/wsk_minimal.ko"
[ "$WSK_KIND" = stock ] || exit 0

check "sdk: DKMS-built wsk.ko and SDK-built wsk_minimal.ko present" \
	test -f "$SDK/wsk.ko" -a -f "$SDK/wsk_minimal.ko" -a -f "$SDK/VERSION"
check "sdk: unload the tree's wsk.ko" rmmod wsk
check "sdk: load the DKMS-built wsk.ko" insmod "$SDK/wsk.ko"
expect "sdk: DKMS-built wsk.ko reports its version" \
	"$(cat /sys/module/wsk/version 2>&1)" "$(cat "$SDK/VERSION" 2>&1)"
greeted "sdk: wsk_minimal built against the SDK" "$SDK/wsk_minimal.ko"
check "sdk: unload the DKMS-built wsk.ko" rmmod wsk
check "sdk: reload the tree's wsk.ko" insmod "$WSK_MODDIR/wsk.ko"
