# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest integration tests (busybox sh). A test's standard output
# is KTAP (the kernel's Documentation/dev-tools/ktap.rst, the format of
# kselftest's ktap_helpers.sh): "KTAP version 1" as this file is sourced, then
# one line per case, "ok <n> <name>", "not ok <n> <name>: <reason>" or
# "ok <n> <name> # SKIP <reason>", numbered from 1, and "# ..." diagnostics.
# There is no plan line: the number of cases is not known in advance (the
# format allows that); the guest init (tools/vm/guest-init.sh) nests each
# test's output, with its plan, in one KTAP document for the whole run and
# forwards the results to the host. Environment: WSK_KIND (debug|stock),
# WSK_MODDIR, WSK_BINDIR.

echo "KTAP version 1"
# The case number lives in a file, so that cases reported from a subshell (a
# pipeline's loop) count too.
_ktap_count=/tmp/.ktap-count.$$
echo 0 >"$_ktap_count"
_ktap_result() { # _ktap_result ok|"not ok" DESCRIPTION [DIRECTIVE]
	read -r _ktap_n <"$_ktap_count"
	_ktap_n=$((_ktap_n + 1))
	echo "$_ktap_n" >"$_ktap_count"
	# A "#" would start a directive: the description keeps none.
	echo "$1 $_ktap_n $(printf '%s' "$2" | tr '#\n' '_ ')${3:+ # $3}"
}
ok() { _ktap_result ok "$*"; }
not_ok() { _ktap_result "not ok" "$*"; }
# skip NAME REASON: a case that could not run here. make check counts it as a
# failure, as it does a skipped KUnit case: every case must run on the kernels
# it boots.
skip() { _ktap_result ok "$1" "SKIP $2"; }

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

# jv FIELD, jstr FIELD: J=<a number, a string field of the one-line JSON
# object $JSON> (shell builtins only).
jv() {
	J=${JSON#*\"$1\":}
	J=${J%%[,\}]*}
}
jstr() {
	J=${JSON#*\"$1\":\"}
	J=${J%%\"*}
}

# payload_bytes SIZES ROUNDS CONNS: B=<the bytes a run of echo_client
# echoes>, SIZES comma-separated as its -s takes them.
payload_bytes() {
	B=0
	_ifs=$IFS
	IFS=,
	for _s in $1; do B=$((B + _s)); done
	IFS=$_ifs
	B=$((B * $2 * $3))
}

# run_client NAME EXPECTED_BYTES ARGS...: one run of echo_client ($CLIENT)
# against port $PORT, its JSON to the host, and cases for its exit status,
# mismatches, errors and bytes.
run_client() {
	_name=$1 _want=$2
	shift 2
	note "$_name: echo_client $*"
	"$CLIENT" -p $PORT "$@" >/tmp/echo.json 2>/tmp/echo.err
	_rc=$?
	JSON=
	read -r JSON </tmp/echo.json
	echo "#   $JSON"
	while read -r _l; do echo "#   $_l"; done </tmp/echo.err
	printf 'JSON %s\n%s\nJSON-END\n' "$_name" "$JSON" >"${WSK_RESULTS:-/dev/null}"
	expect "$_name: echo_client exit status" "$_rc" 0
	jv mismatches
	expect "$_name: no mismatch" "$J" 0
	jv errors
	expect "$_name: no error" "$J" 0
	jv bytes
	expect "$_name: every byte echoed" "$J" "$_want"
}
