#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make bench` (busybox sh, run by /init in wsk.mode=bench
# with stdout on the results channel /dev/ttyS1). Every scenario runs here, in
# one boot, with the servers interleaved (a b c d e f g, then b c d e f g a,
# ...: the order rotates each repetition) and a fresh port per run. Servers
# (b)-(e) are bench_wsk.ko, its mode parameter set before each "listen".
# Output, one record per line:
#   P <text>                                    progress
#   R <scenario> <param> <server> <rep> <metric> <value>   one measurement
#   E <scenario> <param> <server> <rep> <text>  a run that failed
#   I <key> <value>                             facts about the guest
# Settings come from /wsk/bench/config (written by tools/vm/bench.sh), MODE
# among them: icount when QEMU counts instructions (guest time is work done,
# the deterministic mode), wall when the vCPUs run in parallel in real time.
B=/wsk/bench
T=/tmp/bench
DBG=/sys/kernel/debug
export PATH=/bin:/sbin:/wsk/bin
MODE=wall REPS=5 DRAIN_N="1000 10000 50000" BIG_N=10000 BIG_SERVERS="a b" CONCS="1 16 256"
STEADY_N=1000 PENDING="1 4096 65536" PENDING_N=10000 SERVERS="a b c d e f g"
SCENARIOS="drain steady pending profile memory"
[ -f $B/config ] && . $B/config
mkdir -p $T
port=20000

progress() {
	_up=$(cut -d. -f1 /proc/uptime)
	echo "P [guest ${_up}s] $*"
	echo "bench: $*" >/dev/console
}
# rec <metric> <value> for the current run
rec() { echo "R $scen $param $srv $rep $1 $2"; }
err() {
	echo "E $scen $param $srv $rep $*"
	echo "bench: FAILED $scen $param $srv rep $rep: $*" >/dev/console
}
# emit "name value" lines of file $1 whose name is in $2 as records
emit() {
	while read -r k v; do
		case " $2 " in *" $k "*) rec "$k" "$v" ;; esac
	done <"$1"
}
# wait_file FILE SECONDS
wait_file() {
	i=0
	while [ ! -f "$1" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 20)) ] && return 1
		sleep 0.05
	done
}
stat_of() { sed -n "s/^$2 //p" "$1"; }
slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

kdir() {
	case $1 in
	a | a2) echo $DBG/bench_raw ;;
	b | c | d | e) echo $DBG/bench_wsk ;;
	esac
}
# the mode of bench_wsk.ko for servers (b)-(e)
wmode() {
	case $1 in
	b) echo request ;;
	c) echo event ;;
	d) echo inspect ;;
	e) echo condition ;;
	esac
}
uprog() {
	case $1 in
	f) echo accept_server ;;
	g) echo uring_server ;;
	esac
}

# srv_listen SERVER PORT COUNT NREQ WAIT(0|1) ADDRS(0|1): a listener, nothing accepted yet
# for kernel servers and for userspace ones started with WAIT=1
srv_listen() {
	case $1 in
	a | a2)
		echo "listen $2 65535 $4" >"$(kdir "$1")/ctl" || return 1
		;;
	b | c | d | e)
		wmode "$1" >/sys/module/bench_wsk/parameters/mode || return 1
		echo "listen $2 65535 $4" >"$(kdir "$1")/ctl" || return 1
		;;
	f | g)
		rm -f $T/srv.ready $T/srv.recs
		args="-p $2 -n $3 -r $T/srv.ready -o $T/srv.recs -t 120"
		[ "$5" = 1 ] && args="$args -w"
		[ "$6" = 1 ] && args="$args -a"
		# shellcheck disable=SC2086
		$(uprog "$1") $args >$T/srv.stats 2>$T/srv.err &
		srv_pid=$!
		wait_file $T/srv.ready 20 || return 1
		;;
	esac
}
srv_start() {
	case $1 in
	a | a2 | b | c | d | e) echo start >"$(kdir "$1")/ctl" ;;
	f | g) kill -USR1 "$srv_pid" ;;
	esac
}
# srv_collect SERVER COUNT: stats to $T/srv.stats, records to $T/srv.recs, listener closed
srv_collect() {
	case $1 in
	a | a2 | b | c | d | e)
		d=$(kdir "$1")
		i=0
		while [ "$(stat_of "$d/stats" closed)" != "$2" ] && [ $i -lt 300 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		cat "$d/stats" >$T/srv.stats
		cat "$d/records" >$T/srv.recs
		echo stop >"$d/ctl"
		[ "$(stat_of $T/srv.stats closed)" = "$2" ]
		;;
	f | g)
		wait "$srv_pid"
		rc=$?
		srv_pid=
		[ $rc = 0 ] || cat $T/srv.err >/dev/console
		return $rc
		;;
	esac
}
srv_abort() {
	case $1 in
	a | a2 | b | c | d | e) echo stop >"$(kdir "$1")/ctl" 2>/dev/null ;;
	f | g) [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" ;;
	esac
	srv_pid=
}

# In the deterministic mode an interval in which both vCPUs are idle still
# counts, up to the next timer. idle_trace_start/idle_trace_stop record the
# power:cpu_idle events of a drain (trace clock "mono", that of ktime_get())
# and give, as records, the time both CPUs were idle between the server's
# t_ready and t_last_close (idle_all_ms) and the per-accept cost without it
# (busy_us_per_accept).
TR=/sys/kernel/tracing
idle_trace_start() {
	[ -d $TR/events/power/cpu_idle ] || return 0
	echo 0 >$TR/events/power/cpu_idle/enable
	echo mono >$TR/trace_clock
	echo 8192 >$TR/buffer_size_kb
	: >$TR/trace
	echo 1 >$TR/events/power/cpu_idle/enable
}
idle_trace_stop() {
	[ -d $TR/events/power/cpu_idle ] || return 0
	echo 0 >$TR/events/power/cpu_idle/enable
	t0=$(stat_of $T/srv.stats t_ready)
	t1=$(stat_of $T/srv.stats t_last_close)
	upa=$(stat_of $T/drain.out us_per_accept)
	[ -n "$t0" ] && [ -n "$t1" ] && [ -n "$upa" ] || return 0
	# one line per event: "... [00C] ... SECONDS: cpu_idle: state=S cpu_id=C"
	awk -v t0="$t0" -v t1="$t1" -v upa="$upa" -v ncpu="$(grep -c ^processor /proc/cpuinfo)" '
	/cpu_idle:/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "cpu_idle:") t = substr($(i - 1), 1, length($(i - 1)) - 1) * 1e9
			if ($i ~ /^state=/) st = substr($i, 7)
			if ($i ~ /^cpu_id=/) c = substr($i, 8) + 0
		}
		if (both && t > t0) { a = (tb > t0 ? tb : t0); b = (t < t1 ? t : t1); if (b > a) all += b - a }
		idle[c] = (st != "4294967295")
		n = 0
		for (k = 0; k < ncpu; k++) n += idle[k]
		both = (n == ncpu)
		if (both) tb = t
	}
	END {
		if (both && t1 > tb) { a = (tb > t0 ? tb : t0); all += t1 - a }
		printf "idle_all_ms %.3f\n", all / 1e6
		if (t1 > t0) printf "busy_us_per_accept %.3f\n", upa * (1 - all / (t1 - t0))
	}' $TR/trace >$T/idle.out
	emit $T/idle.out "idle_all_ms busy_us_per_accept"
}

# drain SERVER N NREQ: N connections queued, then the server started
run_drain() {
	port=$((port + 1))
	rm -f $T/hold.ready
	srv_listen "$1" $port "$2" "$3" 1 0 || { err "listen failed"; srv_abort "$1"; return; }
	s0=$(slab_kb)
	loadgen hold -p $port -n "$2" -r $T/hold.ready -t 180 >$T/hold.out 2>&1 &
	hold_pid=$!
	if ! wait_file $T/hold.ready 170; then
		err "connections not established: $(tail -n 1 $T/hold.out)"
		srv_abort "$1"
		wait $hold_pid
		return
	fi
	s1=$(slab_kb)
	idle_trace_start
	srv_start "$1"
	wait $hold_pid || err "client: $(tail -n 1 $T/hold.out)"
	if ! srv_collect "$1" "$2"; then
		err "server did not close all $2 connections"
		srv_abort "$1"
		return
	fi
	loadgen drainstat $T/srv.stats $T/srv.recs >$T/drain.out
	emit $T/drain.out "accepts_per_s us_per_accept drain_ms setup_ms errors"
	idle_trace_stop
	emit $T/hold.out "establish_ms"
	# (d) inspected the connections as they arrived; none may have died
	[ "$1" = d ] && emit $T/srv.stats "inspected aborted"
	rec slab_per_queued_conn_b $(((s1 - s0) * 1024 / $2))
}

# steady SERVER CONC N
run_steady() {
	port=$((port + 1))
	srv_listen "$1" $port "$3" 64 0 1 || { err "listen failed"; srv_abort "$1"; return; }
	case $1 in a | a2 | b | c | d | e) srv_start "$1" ;; esac
	if ! loadgen steady -p $port -c "$2" -n "$3" -o $T/cli.recs -t 120 >$T/steady.out 2>&1; then
		err "client: $(tail -n 1 $T/steady.out)"
		srv_abort "$1"
		return
	fi
	if ! srv_collect "$1" "$3"; then
		err "server did not close all $3 connections"
		srv_abort "$1"
		return
	fi
	emit $T/steady.out "conn_per_s cycle_p50_us cycle_p99_us"
	loadgen match $T/cli.recs $T/srv.recs >$T/match.out 2>&1 || err "match: $(cat $T/match.out)"
	emit $T/match.out "lat_p50_us lat_p99_us unmatched"
}

# memory per pending accept: Slab before and after NREQ accepts are submitted
run_pending_mem() {
	port=$((port + 1))
	srv_listen b $port 1 "$1" 0 0 || { err "listen failed"; srv_abort b; return; }
	sync
	s0=$(slab_kb)
	srv_start b
	sleep 1
	s1=$(slab_kb)
	echo stop >$DBG/bench_wsk/ctl
	rec slab_delta_kb $((s1 - s0))
	emit $DBG/bench_wsk/stats "sizeof_wsk_req sizeof_slot"
	rec provider_bytes_per_pending_accept $(((s1 - s0) * 1024 / $1))
}

# Where (a)'s time goes: a drain with kernel_accept() and the close timed
# apart, then sock_create_lite() + sock_release() alone (the struct socket
# and sockfs inode every kernel_accept() creates), then a drain by (a2).
run_profile() {
	echo 1 >/sys/module/bench_raw/parameters/profile
	echo profile-reset >$DBG/bench_raw/ctl
	run_drain a 10000 64
	echo 0 >/sys/module/bench_raw/parameters/profile
	emit $T/srv.stats "ns_accept ns_close"
	echo "inode 20000" >$DBG/bench_raw/ctl
	emit $DBG/bench_raw/stats "ns_inode"
	# (a2): (a) with its closes on a second work item, as wsk closes
	srv=a2
	echo 1 >/sys/module/bench_raw/parameters/async_close
	run_drain a2 10000 64
	echo 0 >/sys/module/bench_raw/parameters/async_close
}

# slab object sizes (bytes) of the caches an accepted socket uses
slab_sizes() {
	for c in TCP request_sock_TCP sock_inode_cache wsk_conn wsk_listener filp dentry; do
		f=/sys/kernel/slab/$c/object_size
		[ -f $f ] && echo "I slab_object_size_$c $(cat $f)"
	done
}

# ---------------------------------------------------------------------------
echo 65535 >/proc/sys/net/core/somaxconn
echo 65535 >/proc/sys/net/ipv4/tcp_max_syn_backlog
echo "1024 65000" >/proc/sys/net/ipv4/ip_local_port_range
# shellcheck disable=SC3045 # busybox sh has it
ulimit -n 70000

have=
for s in $SERVERS; do
	case $s in
	a) insmod /wsk/modules/bench_raw.ko && have="$have a" ;;
	b | c | d | e)
		[ -d /sys/module/bench_wsk ] ||
			{ [ -f /wsk/modules/bench_wsk.ko ] && insmod /wsk/modules/bench_wsk.ko; }
		[ -d /sys/module/bench_wsk ] && have="$have $s"
		;;
	f | g) command -v "$(uprog "$s")" >/dev/null && have="$have $s" ;;
	esac
done
SERVERS=$have
echo "I mode $MODE"
echo "I kernel $(uname -r)"
echo "I cpus $(grep -c ^processor /proc/cpuinfo)"
echo "I clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "I servers$SERVERS"
echo "I reps $REPS"
slab_sizes
progress "$MODE mode; servers:$SERVERS; scenarios: $SCENARIOS; $REPS reps"

# rotate "LIST" N: LIST rotated left by N, so that no server always runs first
rotate() {
	_out=$1
	_k=$(($2 % $(echo $1 | wc -w)))
	while [ $_k -gt 0 ]; do
		# shellcheck disable=SC2086
		set -- $_out
		_first=$1
		shift
		_out="$* $_first"
		_k=$((_k - 1))
	done
	echo $_out
}

# Warm-up (rep 0, not reported): every server drains once, so that slab
# caches, workqueue workers and page tables exist before the first figure.
rep=0 scen=drain param=2000
progress "warm-up"
for srv in $SERVERS; do run_drain $srv 2000 64; done

rep=1
while [ $rep -le "$REPS" ]; do
	order=$(rotate "$SERVERS" $((rep - 1)))
	for scen in $SCENARIOS; do
		case $scen in
		drain)
			for param in $DRAIN_N; do
				progress "rep $rep/$REPS: drain $param"
				for srv in $order; do
					# the largest drains only for the servers that matter there
					[ "$param" -gt "$BIG_N" ] &&
						case " $BIG_SERVERS " in *" $srv "*) ;; *) continue ;; esac
					run_drain $srv "$param" 64
				done
			done
			;;
		steady)
			for param in $CONCS; do
				progress "rep $rep/$REPS: steady c=$param"
				for srv in $order; do run_steady $srv "$param" "$STEADY_N"; done
			done
			;;
		pending)
			case "$SERVERS" in *b*) ;; *) continue ;; esac
			srv=b
			for param in $PENDING; do
				progress "rep $rep/$REPS: wsk pending=$param"
				run_drain b "$PENDING_N" "$param"
			done
			;;
		profile)
			case "$SERVERS" in *a*) ;; *) continue ;; esac
			srv=a param=10000
			progress "rep $rep/$REPS: profile of (a)"
			run_profile
			;;
		memory)
			case "$SERVERS" in *b*) ;; *) continue ;; esac
			srv=b param=65536
			progress "rep $rep/$REPS: wsk memory per pending accept"
			run_pending_mem 65536
			;;
		esac
	done
	rep=$((rep + 1))
done
[ -d /sys/module/bench_raw ] && rmmod bench_raw
[ -d /sys/module/bench_wsk ] && rmmod bench_wsk
progress "done"
