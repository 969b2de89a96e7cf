#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Introspection: /sys/kernel/debug/wsk/{stats,sockets}, the wsk tracepoints
# and wskstat, with the wsk_acceptd sample serving a small connection storm.
#
# - Both files are mode 0400 (or stricter), owned by root, and an
#   unprivileged user cannot read them (with the debugfs root opened up for
#   the check, so that only the files' own modes stand in the way).
# - The listener of wsk_acceptd is listed with its client module and its
#   pending accepts; the listing is read in a loop during the storm and
#   every line is whole.
# - With the wsk events enabled in tracefs, the storm records exactly the
#   expected submit, complete and accept events, carrying the listener's id
#   (as the listing shows it) and the ids of the accepted sockets, whose
#   closes are traced too.
# - No output (files, wskstat, trace) contains a kernel pointer.
# - wskstat's JSON goes to the host, which parses it (tools/vm/report.py);
#   its numbers are JSON numbers (events=0x... too), never strings.
# - wskstat's table lines up its columns however long the values, counts
#   every pending request kind in PENDING (REQUESTS names them), known to it
#   or not, and counts the sockets by state, unknown states too: on the live
#   listener, and on a made-up directory (-d) with long addresses, send,
#   receive and disconnect pendings, a kind "connect", a state "connecting"
#   and a field wskstat has never heard of.
#
# Budget: a few seconds; on the debug kernel (TCG, KASAN) about 20 s.
. /wsk/tests/lib.sh

D=/sys/kernel/debug/wsk
TR=/sys/kernel/tracing
PORT=7100
NREQS=4
if [ "$WSK_KIND" = debug ]; then NCONN=20; else NCONN=1000; fi
P=/sys/module/wsk_acceptd/parameters
KO=$WSK_MODDIR/wsk_acceptd.ko
WSKSTAT=$WSK_BINDIR/wskstat
STORM=$WSK_BINDIR/connect_storm
POINTER='ffff[0-9a-f]{12}'

loaded() { [ -d /sys/module/wsk_acceptd ]; }

# table_rows FILE: each row of wskstat's sockets table, as "ID PENDING
# REQUESTS STATE aligned|misaligned": the cells under the header's PENDING,
# REQUESTS and STATE, and whether every cell starts where its heading starts
# or ends where it ends.
table_rows() {
	awk '
	function cells(s, st, en,	n, i, c, inw) {
		n = inw = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c != " " && !inw) { st[++n] = i; inw = 1 }
			if (c == " " && inw) { en[n] = i - 1; inw = 0 }
		}
		if (inw) en[n] = length(s)
		return n
	}
	/^ID / {
		hn = cells($0, hs, he)
		for (i = 1; i <= hn; i++) col[$i] = i
		in_table = 1
		next
	}
	in_table && (/^by state:/ || $0 == "") { in_table = 0 }
	in_table {
		n = cells($0, rs, re)
		ok = n == hn
		for (i = 1; ok && i <= hn; i++)
			if (rs[i] != hs[i] && re[i] != he[i]) ok = 0
		print $1, $(col["PENDING"] + 0), $(col["REQUESTS"] + 0), $(col["STATE"] + 0),
			ok ? "aligned" : "misaligned"
	}' "$1"
}
# stats_columns FILE: at how many different places the values of the
# counters in wskstat -s's output end, in the left column and in the right
# one ("1 1": lined up).
stats_columns() {
	awk '
	NR > 1 && NF {
		match($0, /^[^ ]+ +[^ ]+/)
		l[RLENGTH] = 1
		if (match($0, /^[^ ]+ +[^ ]+( [(][^)]*[)])? +[^ ]+ +[^ ]+/))
			r[RLENGTH] = 1
	}
	END { for (k in l) nl++; for (k in r) nr++; print nl + 0, nr + 0 }' "$1"
}
# A number in quotes: a JSON string where a number belongs.
QUOTED_NUMBER='": "(-?[0-9]+|0[xX][0-9a-fA-F]+)"'

has_field() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; } # has_field LINE K=V
reader_pid=
debug_mode=
cleanup() {
	[ -n "$reader_pid" ] && kill "$reader_pid" 2>/dev/null
	[ -n "$debug_mode" ] && chmod "$debug_mode" /sys/kernel/debug
	[ -w $TR/events/wsk/enable ] && echo 0 >$TR/events/wsk/enable
	if loaded; then rmmod wsk_acceptd; fi
}
trap cleanup EXIT
trap 'note "terminated"; exit 1' TERM

# A line of the sockets file, every field in order (a torn line fails). The
# request kinds wsk gains come before "event", the last one (wsk/names.h):
# connect, for one.
LINE_RE='^id=[0-9]+ client=[0-9]+ module=[^ ]+ category=(listen|connection) state=[a-z]+'
LINE_RE="$LINE_RE family=inet6? local=[^ ]+ remote=[^ ]+ pending_socket=[0-9]+ pending_bind=[0-9]+"
LINE_RE="$LINE_RE pending_setopt=[0-9]+ pending_close=[0-9]+ pending_accept=[0-9]+ accepted=[0-9]+"
LINE_RE="$LINE_RE held=[0-9]+ kqueue=[0-9]+ backlog=[0-9]+ pending_send=[0-9]+"
LINE_RE="$LINE_RE pending_receive=[0-9]+ pending_disconnect=[0-9]+( pending_[a-z]+=[0-9]+)*"
LINE_RE="$LINE_RE pending_event=[0-9]+"
LINE_RE="$LINE_RE pended=[0-9]+ retained=[0-9]+ events=(0|0x[0-9a-f]+)\$"

s0=$(stat_value sockets)
r0=$(stat_value requests_pending)
note "kernel $(uname -r) ($WSK_KIND); sockets=$s0 requests_pending=$r0"

# 1. Root only. (Few processes: each costs ~0.3 s on the debug kernel.)
stat -c '%n %a %u:%g' $D/stats $D/sockets /sys/kernel/debug >/tmp/modes
while read -r path mode owner; do
	case $path in
	$D/*)
		f=${path#$D/}
		check "$f: mode $mode is 0400 or stricter" [ $((0$mode & 0377)) -eq 0 ]
		expect "$f: owned by root" "$owner" 0:0
		;;
	*) debug_mode=$mode ;;
	esac
done </tmp/modes
# debugfs' root is 0700: open it up for a moment, so that only the files'
# own modes keep the unprivileged user out. What nobody could do:
chmod 755 /sys/kernel/debug
could=$(su nobody -s /bin/sh -c "ls $D >/dev/null && echo reach
	cat $D/stats >/dev/null 2>&1 && echo stats
	cat $D/sockets >/dev/null 2>&1 && echo sockets
	$WSKSTAT >/dev/null 2>&1 && echo wskstat" | tr '\n' ' ')
chmod "$debug_mode" /sys/kernel/debug
debug_mode=
expect "as nobody (debugfs root opened up): $D reachable, files unreadable" "$could" "reach "

note "tracing on, insmod wsk_acceptd"
# 2. Tracing on, then the sample with its listener and pending accepts.
if [ ! -d $TR/events/wsk ]; then
	not_ok "wsk events in tracefs: $TR/events/wsk missing"
	exit 1
fi
ok "wsk events in tracefs ($(ls $TR/events/wsk | grep -c '^wsk_') events)"
echo 0 >$TR/tracing_on
echo 4096 >$TR/buffer_size_kb
echo >$TR/trace
echo 1 >$TR/events/wsk/enable
echo 1 >$TR/tracing_on
note "tracing on"

if ! insmod "$KO" port=$PORT family=4 nreqs=$NREQS; then
	not_ok "insmod wsk_acceptd"
	exit 1
fi
accepts_pending() { [ "$(stat_value requests_pending_accept)" = "$1" ]; }
wait_for 10 accepts_pending $NREQS
note "insmod done"
line=$(grep "module=wsk_acceptd category=listen" $D/sockets)
echo "# $line"
lid=$(echo "$line" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
check "listener listed (id $lid)" [ -n "$lid" ]
for field in state=listening family=inet local=127.0.0.1:$PORT remote=- \
	pending_accept=$NREQS pending_bind=0 backlog=1024; do
	check "listener line has $field" has_field "$line" "$field"
done
echo "# wskstat:"
$WSKSTAT >/tmp/wskstat.out
sed 's/^/#   /' /tmp/wskstat.out
expect "wskstat: the listener's row, PENDING is its $NREQS accepts" \
	"$(table_rows /tmp/wskstat.out | grep "^$lid ")" "$lid $NREQS accept=$NREQS listening aligned"

# 3. The storm, with the listing read in a loop meanwhile.
(
	n=0 bad=0
	while [ ! -e /tmp/introspect.stop ]; do
		cat $D/sockets >/tmp/introspect.read || bad=$((bad + 1))
		bad=$((bad + $(grep -cvE "$LINE_RE" /tmp/introspect.read)))
		n=$((n + 1))
	done
	echo "$n $bad" >/tmp/introspect.reads
) &
reader_pid=$!
echo 1 >$P/reset
note "connect_storm -n $NCONN"
out=$($STORM -a 127.0.0.1 -p $PORT -n $NCONN -c 4 -b 61000 2>&1 | tail -n 1)
note "$out"
accepted_is() { [ "$(cat $P/accepted)" = "$1" ]; }
wait_for 30 accepted_is $NCONN
expect "storm: accepted" "$(cat $P/accepted)" $NCONN
expect "storm: no duplicate, no error" "$(cat $P/duplicates) $(cat $P/errors)" "0 0"
# Every accept resubmitted, every accepted socket closed.
settled() { [ "$(stat_value sockets) $(stat_value requests_pending)" = "$((s0 + 1)) $((r0 + NREQS))" ]; }
wait_for 20 settled
touch /tmp/introspect.stop
wait $reader_pid
reader_pid=
rm -f /tmp/introspect.stop
read -r reads torn </tmp/introspect.reads
note "sockets read $reads times during the storm"
check "sockets read during the storm ($reads reads)" [ "$reads" -gt 0 ]
expect "no torn line in the listing" "$torn" 0

line=$(grep "^id=$lid " $D/sockets)
echo "# $line"
check "listener counts $NCONN accepted" has_field "$line" accepted=$NCONN

note "wskstat"
# 4. wskstat: human layout, JSON to the host, a bounded watch.
$WSKSTAT >/tmp/wskstat.out
check "wskstat" [ $? = 0 ]
check "wskstat shows the listener" grep -qE "^$lid +wsk_acceptd/" /tmp/wskstat.out
table_rows /tmp/wskstat.out >/tmp/wskstat.rows
sed 's/^/# row: /' /tmp/wskstat.rows
check "wskstat: rows in the table" [ -s /tmp/wskstat.rows ]
expect "wskstat: every row's columns line up" "$(grep -vc ' aligned$' /tmp/wskstat.rows)" 0
$WSKSTAT -s >/tmp/wskstat.stats
expect "wskstat -s: the counters' columns line up" "$(stats_columns /tmp/wskstat.stats)" "1 1"
check "wskstat: sockets counted by state" grep -qE '^by state: .*listening 1' /tmp/wskstat.out
$WSKSTAT --json >/tmp/wskstat.json
check "wskstat --json" [ $? = 0 ]
check "wskstat --json has the listener" grep -q "\"id\": $lid, " /tmp/wskstat.json
check "wskstat --json: events as a number" grep -qE '"events": [0-9]+[,}]' /tmp/wskstat.json
expect "wskstat --json: no number in quotes" "$(grep -cE "$QUOTED_NUMBER" /tmp/wskstat.json)" 0
json_record "40-introspect: wskstat --json" cat /tmp/wskstat.json
$WSKSTAT --json --watch 1 --count 2 >/tmp/wskstat.jsonl
expect "wskstat --json --watch 1 --count 2: two lines" "$(wc -l </tmp/wskstat.jsonl)" 2
json_record "40-introspect: wskstat --json --watch: line 2" sed -n 2p /tmp/wskstat.jsonl

# 4b. wskstat on a made-up directory: long values, every request kind, and
# names it does not know (a request kind "connect", a state "connecting", a
# field "frobs").
F=/tmp/wskstat.fake
mkdir -p $F
printf '%s\n' "clients 2" "sockets 3" "sockets_listen 1" "sockets_connection 2" \
	"requests_pending 12" "requests_pending_socket 0" "requests_pending_accept 4" \
	"requests_pending_close 1" "requests_pending_send 3" "requests_pending_receive 1" \
	"requests_pending_disconnect 1" "requests_pending_connect 2" \
	"requests_completed 123456789012" "errors_other 0" >$F/stats
z='pending_socket=0 pending_bind=0 pending_setopt=0'
a6=fdaa:bbbb:cccc:dddd:eeee:ffff:1111
{
	echo "id=1 client=1 module=wsk_acceptd category=listen state=listening family=inet6" \
		"local=[::]:7000 remote=- $z pending_close=0 pending_accept=4 accepted=123456789" \
		"held=0 kqueue=0 backlog=1024 pending_send=0 pending_receive=0" \
		"pending_disconnect=0 pending_event=0 pended=0 retained=0 events=0x200"
	echo "id=2 client=1 module=wsk_acceptd category=connection state=connected" \
		"family=inet6 local=[$a6:2222]:7000 remote=[$a6:3333]:65535 $z pending_close=1" \
		"pending_accept=0 accepted=0 held=0 kqueue=0 backlog=0 pending_send=3" \
		"pending_receive=1 pending_disconnect=1 pending_event=0 pended=0 retained=0" \
		"events=0x2c0"
	echo "id=3 client=2 module=a_client_with_a_long_module_name category=connection" \
		"state=connecting family=inet local=10.0.0.1:40000 remote=10.0.0.2:80 $z" \
		"pending_close=0 pending_accept=0 accepted=0 held=0 kqueue=0 backlog=0" \
		"pending_send=0 pending_receive=0 pending_disconnect=0 pending_event=0" \
		"pending_connect=2 pended=0 retained=0 events=0 frobs=7"
} >$F/sockets
$WSKSTAT -d $F >/tmp/wskstat.fake.out
check "wskstat -d (made up)" [ $? = 0 ]
sed 's/^/#   /' /tmp/wskstat.fake.out
expect "wskstat -d: rows (ID, PENDING, REQUESTS, STATE), lined up" \
	"$(table_rows /tmp/wskstat.fake.out | tr '\n' ';')" \
	"1 4 accept=4 listening aligned;2 6 close=1,send=3,receive=1,disconnect=1 connected aligned;3 2 connect=2 connecting aligned;"
expect "wskstat -d: sockets by state, an unknown one too" \
	"$(grep '^by state:' /tmp/wskstat.fake.out)" "by state: listening 1, connected 1, connecting 1"
check "wskstat -d: pending requests by kind, an unknown one too" grep -qF \
	"12 request(s) pending (accept 4, close 1, send 3, receive 1, disconnect 1, connect 2)" \
	/tmp/wskstat.fake.out
$WSKSTAT -d $F -s >/tmp/wskstat.fake.stats
expect "wskstat -d -s: the counters' columns line up (long name, long value)" \
	"$(stats_columns /tmp/wskstat.fake.stats)" "1 1"
$WSKSTAT -d $F --json >/tmp/wskstat.fake.json
check "wskstat -d --json" [ $? = 0 ]
json_record "40-introspect: wskstat -d --json (made up)" cat /tmp/wskstat.fake.json
expect "wskstat -d --json: no number in quotes" \
	"$(grep -cE "$QUOTED_NUMBER" /tmp/wskstat.fake.json)" 0
for v in '"events": 512}' '"events": 704}' '"pending_connect": 2,' '"state": "connecting",' \
	'"frobs": 7}' '"requests_completed": 123456789012,' '"local": "[::]:7000",'; do
	check "wskstat -d --json has $v" grep -qF "$v" /tmp/wskstat.fake.json
done

note "rmmod"
# 5. Unload; the counters come back; the trace.
rmmod wsk_acceptd
check "rmmod wsk_acceptd" [ $? = 0 ]
expect "sockets back to start" "$(stat_value sockets)" "$s0"
expect "requests_pending back to start" "$(stat_value requests_pending)" "$r0"
echo 0 >$TR/events/wsk/enable
cat $TR/trace >/tmp/trace.txt
note "trace: $(grep -c ': wsk_' /tmp/trace.txt) wsk events"
grep -m 8 ': wsk_' /tmp/trace.txt | sed 's/^/#   /'
if grep -q LOST /tmp/trace.txt; then not_ok "no trace event lost"; else ok "no trace event lost"; fi

# One pass over the trace: the events of the listener and of the sockets it
# delivered (the same ids in the delivered events, the accept completions,
# the close submissions and the close ends), as "name value" lines.
awk -v lid="$lid" -v port="$PORT" '
function field(name,	i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
/ wsk_req_submit: / && field("sock") == lid && field("kind") == "accept" { submits++ }
/ wsk_req_complete: / && field("sock") == lid && field("kind") == "accept" {
	if (field("status") == 0) { completed[field("result")] = 1; completions++ }
	else if (field("status") == -125) cancelled++
}
/ wsk_accept_delivered: / && field("listener") == lid {
	id = field("sock")
	if (field("local") == "127.0.0.1:" port && field("remote") ~ /^127\.0\.0\.1:61[0-9]+$/ &&
	    field("dead") == 0 && id != lid && !(id in delivered))
		good++
	delivered[id] = 1
	n++
}
/ wsk_conn_stage: / && field("listener") == lid {
	if (field("from") == "taken" && field("to") == "ready") readied[field("sock")]++
	else if (field("from") == "ready" && field("to") == "taken") taken[field("sock")]++
	else odd++
}
/ wsk_sock_state: / {
	edge = field("from") ">" field("to")
	if (field("sock") == lid) lstates = lstates (lstates == "" ? "" : ",") edge
	else if (edge == "creating>connected") connected[field("sock")]++
	else if (edge != "connected>dead") stateodd++
}
/ wsk_req_submit: / && field("kind") == "close" { closes[field("sock")] = 1 }
/ wsk_sock_close_start: / && field("sock") == lid && field("category") == "listen" { lstart++ }
/ wsk_sock_close_end: / {
	if (field("sock") == lid) lend = field("cancelled")
	else if (field("cancelled") == 0) closed[field("sock")] = 1
}
END {
	for (id in delivered) {
		if (!(id in completed)) nocomplete++
		if (!(id in closes)) noclose++
		if (!(id in closed)) noend++
		if (readied[id] != 1 || taken[id] != 1) badstage++
		if (connected[id] != 1) badstate++
	}
	print "submits " submits + 0
	print "completions " completions + 0
	print "delivered " n + 0
	print "delivered_good " good + 0
	print "cancelled " cancelled + 0
	print "listener_close " lstart + 0 " " lend
	print "not_completed " nocomplete + 0
	print "not_closed " noclose + 0
	print "close_not_ended " noend + 0
	print "stage_bad " badstage + 0
	print "stage_odd " odd + 0
	print "listener_states " (lstates == "" ? "none" : lstates)
	print "state_bad " badstate + 0
	print "state_odd " stateodd + 0
}' /tmp/trace.txt >/tmp/trace.counts
sed 's/^/# trace: /' /tmp/trace.counts
while read -r k v; do eval "t_$k=\$v"; done </tmp/trace.counts
expect "trace: accept submits on the listener" "$t_submits" $((NREQS + NCONN))
expect "trace: accept completions on the listener" "$t_completions" $NCONN
expect "trace: accepts delivered by the listener" "$t_delivered" $NCONN
expect "trace: delivered: distinct new ids, addresses right" "$t_delivered_good" $NCONN
expect "trace: accepts cancelled by the listener's close" "$t_cancelled" $NREQS
expect "trace: listener close start, end with $NREQS cancelled" "$t_listener_close" \
	"1 $NREQS"
expect "trace: accept completions carry the delivered ids" "$t_not_completed" 0
expect "trace: every accepted socket's close submitted" "$t_not_closed" 0
expect "trace: every accepted socket's close ended" "$t_close_not_ended" 0
expect "trace: each delivered connection went ready once, then taken" "$t_stage_bad" 0
expect "trace: no other stage change on a plain listener" "$t_stage_odd" 0
expect "trace: the listener's states" "$t_listener_states" "creating>open,open>bound,bound>listening"
expect "trace: each delivered connection went creating to connected once" "$t_state_bad" 0
expect "trace: no other state change of its connections" "$t_state_odd" 0

# 6. No kernel pointer anywhere.
files="$D/stats $D/sockets /tmp/wskstat.out /tmp/wskstat.stats /tmp/wskstat.json /tmp/wskstat.jsonl /tmp/trace.txt"
expect "no kernel pointer in the files, wskstat's output, the trace" \
	"$(grep -lE "$POINTER" $files)" ""
echo >$TR/trace
note "done"
