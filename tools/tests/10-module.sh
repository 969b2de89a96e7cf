#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wsk.ko is loaded by the guest init: its debugfs is there, root-only, and the
# module reloads cleanly.
. /wsk/tests/lib.sh

check "wsk module is live" grep -qx live /sys/module/wsk/initstate
check "debugfs directory exists" test -d /sys/kernel/debug/wsk
check "stats file is root-only" sh -c \
	'[ "$(stat -c %a /sys/kernel/debug/wsk/stats)" = 400 ]'
check "unload" rmmod wsk
check "debugfs directory removed on unload" test ! -e /sys/kernel/debug/wsk
check "reload" insmod "$WSK_MODDIR/wsk.ko"
check "debugfs directory back" test -f /sys/kernel/debug/wsk/stats
# Block and storage drivers may serve their I/O through wsk: its workqueue has
# a rescuer thread (WQ_MEM_RECLAIM), named kworker/R-wsk (6.12) or wsk (6.1).
rescuer() {
	for c in /proc/[0-9]*/comm; do
		read -r n <"$c" 2>/dev/null || continue
		case "$n" in kworker/R-wsk*|wsk|wsk+*) return 0 ;; esac
	done
	return 1
}
check "workqueue has a rescuer (WQ_MEM_RECLAIM)" rescuer
# wsk's own memory per accepted connection: its slab object is at most 384
# bytes on the stock kernels (debug kernels add lockdep and debug-object
# state to every lock and work item). A merged cache is an alias of another
# of about the same size; object_size is then the larger of the two.
if [ "$WSK_KIND" = stock ]; then
	size=$(cat /sys/kernel/slab/wsk_conn/object_size 2>/dev/null || echo none)
	note "wsk_conn object_size=$size listener=$(cat /sys/kernel/slab/wsk_listener/object_size 2>/dev/null)"
	check "a connection object is at most 384 bytes ($size)" test "$size" -le 384
fi
