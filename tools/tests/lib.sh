# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest integration tests (busybox sh). Each test case prints
# "ok - <name>" or "not ok - <name>: <reason>"; the guest init forwards those
# lines to the host. Environment: WSK_KIND (debug|stock), WSK_MODDIR, WSK_BINDIR.

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check <name> <command...>: one case that passes when the command succeeds.
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name: '$*' failed"; fi
}

stat_value() { # stat_value <counter>: a value from /sys/kernel/debug/wsk/stats
	sed -n "s/^$1 //p" /sys/kernel/debug/wsk/stats
}

# json_record NAME COMMAND...: sends COMMAND's output to the host as one JSON
# record (lines "JSON NAME", the document, "JSON-END" on the results channel
# $WSK_RESULTS), which tools/vm/report.py parses with a JSON parser: one case
# "NAME: valid JSON". Returns COMMAND's exit status.
json_record() {
	_jname=$1
	shift
	_jout=$("$@")
	_jrc=$?
	printf 'JSON %s\n%s\nJSON-END\n' "$_jname" "$_jout" >"${WSK_RESULTS:-/dev/null}"
	return $_jrc
}
