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

# now_ms: milliseconds since boot; note MESSAGE: a timestamped comment line
# (ms since the sourcing script started).
now_ms() {
	read -r _up _idle </proc/uptime
	_cs=${_up#*.}
	echo $((${_up%.*} * 1000 + ${_cs#0} * 10))
}
T0=$(now_ms)
note() { echo "# [$(($(now_ms) - T0)) ms] $*"; }

# expect NAME ACTUAL EXPECTED: one case comparing two values.
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', expected '$3'"; fi
}

# wait_for SECONDS COMMAND...: poll every 100 ms until COMMAND succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	until "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		usleep 100000
	done
}
