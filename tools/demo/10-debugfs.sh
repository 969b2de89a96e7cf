#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Demo: wsk.ko is loaded; show what it exposes.
echo "--- wsk.ko loaded: /sys/module/wsk/initstate = $(cat /sys/module/wsk/initstate)"
echo "--- /sys/kernel/debug/wsk/:"
ls -l /sys/kernel/debug/wsk/
for f in /sys/kernel/debug/wsk/*; do
	echo "--- $f"
	cat "$f"
done
