#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest boot from its two logs.

report.py LABEL LOGDIR --kunit KUNIT_PY [--suites S1,S2,...] [--kmemleak] [--cases FILE]
report.py --follow LABEL LOGDIR PID [--kunit KUNIT_PY]
report.py --results CASES OUT PASSED FAILED [KEY=VALUE...]
report.py --self-test --kunit KUNIT_PY

KUNIT_PY is the kernel's own KTAP reader, tools/testing/kunit/kunit.py of a
kernel tree (tools/vm/check.sh passes the 6.12 debug kernel's).

Reads LOGDIR/results.log (records written by tools/vm/guest-init.sh and the
tests) and LOGDIR/console.log (the kernel log, and the guest's own output).
Prints one line per failing case with its log, and finally "RESULT <passed>
<failed>" for tools/vm/check.sh to add up. With --cases, appends every case to
FILE, one JSON object a line:
{"kernel": LABEL, "name": NAME, "result": "pass" or "fail", "reason": WHY}
(reason only on a failure).

KUnit results come from the console, read by `kunit.py parse --json`: the
console's KTAP documents (each from a line "KTAP version N" or "TAP version N"
at the start of a line to the next one; the kernel's lines, which carry the
printk time, apart from the guest's) go one by one to LOGDIR/ktap-<n>.log,
kunit.py reads each into LOGDIR/ktap-<n>.json (its account of the run in
LOGDIR/ktap-<n>.txt), and every suite of its JSON is a KUnit run: case
"<suite>.<case>" passes when kunit.py says PASS (a parameterised case counts
once, passing when every parameter passes). kunit.py's JSON has no status
for a suite itself, so a suite whose init or exit fails with every case
passed is not seen. The guest writes "KTAP version 1" to the kernel log before
it loads a KUnit module, for kernels (6.1) that print no header of their own.
A suite's second run (tools/tests/65-faults.sh loads wsk_fuzz.ko again) takes
its label from the results channel's record of it, "KTAP <suite> <label>"
(the debugfs results, in the same order): its cases are "<suite>.<case>
[<label>]", and it does not stand in for the suite's own run in the --suites
check. Without kunit.py, a boot with KUnit results fails its case "KUnit
results read by kunit.py" rather than count nothing.

The guest's own KTAP document, the integration tests (tools/tests/lib.sh), is
read by kunit.py too: case "integration KTAP read by kunit.py" passes when its
results are the T records', case for case.

--follow: while a guest runs, reads LOGDIR/results.log as it grows and prints
one progress line on stderr as each integration test, KUnit suite or guest
step ends (a suite's counts by kunit.py, from its debugfs results); stops at
the guest's DONE or once process PID is gone.

--results: the run's results file for CI: OUT (JSON) gets the cases of CASES
(the --cases lines of every boot plus the host's own), their counts, which
must be PASSED and FAILED (tools/vm/check.sh's), and the KEY=VALUE pairs.
Exits 1 if the counts differ.

--self-test: runs the judge (through kunit.py), the follower and --results on
made-up logs and checks what they give; exits 1 on any difference, or when
kunit.py is not there.

A T record is "T ok|not ok <name>[ # <reason>]"; "T ok <name> # SKIP <why>"
(a skipped integration case) is a failure, as a skipped KUnit case is.

Each JSON record (a document between "JSON <name>" and "JSON-END", sent by a
test) is one case, "<LABEL>: <name>: valid JSON", that passes when Python's
json module parses the document.

A boot counts as one more case, "<LABEL>: kernel clean", that fails on any
kernel report in the console log (WARN, BUG, Oops, KASAN, UBSAN, lockdep, RCU,
hung task, soft lockup, panic), a kmemleak report, a missing KUnit suite, or a
guest that never reached DONE (timeout or crash).
"""
import json
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

REPORTS = [
    r"WARNING:", r"BUG:", r"Oops", r"KASAN", r"UBSAN", r"Kernel panic",
    r"possible (circular|recursive) locking", r"inconsistent lock state",
    r"suspicious RCU usage", r"DEBUG_LOCKS_WARN_ON", r"ODEBUG:",
    r"INFO: task .* blocked", r"soft lockup", r"hard LOCKUP",
    r"list_(add|del) corruption", r"sleeping function called from invalid context",
    r"kmemleak: .*(new suspected|Cannot)", r"general protection fault",
    r"unreferenced object", r"Call Trace:", r"RIP: ",
]
REPORT_RE = re.compile("|".join(REPORTS))
PRINTK_RE = re.compile(r"^\[\s*\d+\.\d+\] ")
HEADER_RE = re.compile(r"^K?TAP version \d+$")
T_RE = re.compile(r"T (not ok|ok) (.*?)(?: # (.*))?$")


class NoKunit(Exception):
    pass


def ktap_documents(lines):
    """Split console lines into KTAP documents: [(kernel, lines)].

    A document starts at a version line at the start of a line (after the
    printk time, for the kernel's) and runs to the next one of the same
    source: the kernel's lines (those with the printk time) and the guest's
    are two streams, which the serial console interleaves.
    """
    docs, cur = [], {True: None, False: None}
    for line in lines:
        line = line.rstrip("\r")
        kernel = bool(PRINTK_RE.match(line))
        if HEADER_RE.match(PRINTK_RE.sub("", line, 1) if kernel else line):
            cur[kernel] = []
            docs.append((kernel, cur[kernel]))
        if cur[kernel] is not None:
            cur[kernel].append(line)
    return docs


def kunit_parse(kunit_py, lines, base):
    """kunit.py parse --json on LINES (saved as BASE.log): its JSON, and its
    account of the run (also in BASE.txt) as lines."""
    if not kunit_py or not os.path.isfile(kunit_py):
        raise NoKunit(f"kunit.py not found ({kunit_py or 'no --kunit given'})")
    base = os.path.abspath(base)    # kunit.py changes to its kernel tree
    with open(base + ".log", "w") as f:
        f.write("\n".join(lines) + "\n")
    if os.path.exists(base + ".json"):
        os.unlink(base + ".json")
    try:
        p = subprocess.run([sys.executable, kunit_py, "parse", f"--json={base}.json",
                            base + ".log"], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as e:
        raise NoKunit(f"{kunit_py} parse: {e}") from e
    with open(base + ".txt", "w") as f:
        f.write(p.stdout + p.stderr)
    # Exit status 1 means failed tests: the JSON says which.
    try:
        with open(base + ".json") as f:
            return json.load(f), (p.stdout + p.stderr).splitlines()
    except (OSError, ValueError) as e:
        raise NoKunit(f"{kunit_py} parse wrote no JSON (exit {p.returncode}): "
                      f"{e}; {(p.stderr or p.stdout).strip()[-300:]}") from e


def leaves(group):
    """The statuses of every test case under a kunit.py JSON group."""
    out = [c["status"] for c in group["test_cases"]]
    for g in group["sub_groups"]:
        out += leaves(g)
    return out


def json_suites(doc):
    """[(suite, [(case, status)])] of one kunit.py JSON document.

    Its groups are suites; a group in a suite is a parameterised case, which
    counts once: PASS when every parameter passes. A test case at the top
    is a suite kunit.py found no case of (crashed, or no plan kept).
    """
    suites = []
    for g in doc["sub_groups"]:
        cases = [(c["name"], c["status"]) for c in g["test_cases"]]
        for p in g["sub_groups"]:
            st = leaves(p)
            cases.append((p["name"], "PASS" if st and all(x == "PASS" for x in st)
                          else "SKIP" if st and all(x == "SKIP" for x in st) else "FAIL"))
        suites.append((g["name"], cases))
    for c in doc["test_cases"]:
        suites.append((c["name"], []))
    return suites


def case_log(account, name):
    """kunit.py's account of a case, up to its result line."""
    for i, l in enumerate(account):
        if re.search(r"\[(FAILED|SKIPPED|CRASHED)\] " + re.escape(name) + r"$", l):
            return account[max(0, i - 30):i + 1]
    return account[-30:]


def judge(label, logdir, suites, want_kmemleak, kunit_py):
    """Return [(name, ok, why, log_lines)] for one boot, names without LABEL."""
    results = open(f"{logdir}/results.log", errors="replace").read().splitlines()
    console = open(f"{logdir}/console.log", errors="replace").read().splitlines()

    cases = []

    def case(name, ok, why="", log=()):
        cases.append((name, ok, why, list(log)))

    runs = {}           # suite -> the labels of its debugfs records, in order
    tests = []          # the integration tests' T records: (name, kunit.py status)
    done = False
    leak = []
    i = 0
    while i < len(results):
        line = results[i].rstrip("\r")
        if line.startswith("T "):
            m = T_RE.match(line)
            if not m:
                case(line, False, "not a T record")
            elif m.group(1) == "ok" and (m.group(3) or "").startswith("SKIP"):
                case(m.group(2), False, f"skipped: {m.group(3)[4:].strip()}")
            elif m.group(1) == "ok":
                case(m.group(2), True)
            else:
                case(m.group(2), False, m.group(3) or "")
            if m and TEST_RE.match(m.group(2)) and ": " in m.group(2):
                st = "FAIL" if m.group(1) != "ok" else \
                    "SKIP" if (m.group(3) or "").startswith("SKIP") else "PASS"
                tests.append((m.group(2), st))
        elif line.startswith("KTAP "):
            suite, _, run = line[5:].strip().partition(" ")
            runs.setdefault(suite, []).append(run.strip())
            while i < len(results) and results[i].rstrip("\r") != "KTAP-END":
                i += 1
        elif line.startswith("JSON "):
            name = f"{line[5:].strip()}: valid JSON"
            body = []
            i += 1
            while i < len(results) and results[i].rstrip("\r") != "JSON-END":
                body.append(results[i].rstrip("\r"))
                i += 1
            try:
                json.loads("\n".join(body))
                case(name, True)
            except ValueError as e:
                case(name, False, f"does not parse: {e}", body[:40])
        elif line == "LEAK":
            i += 1
            while i < len(results) and results[i].rstrip("\r") != "LEAK-END":
                leak.append(results[i].rstrip("\r"))
                i += 1
        elif line == "DONE":
            done = True
        i += 1

    # The console's KTAP, read by kunit.py: the kernel's documents (KUnit),
    # then the guest's (the integration tests).
    docs = ktap_documents(console)
    seen = {}
    try:
        for n, lines in enumerate(d for k, d in docs if k):
            doc, account = kunit_parse(kunit_py, lines, f"{logdir}/ktap-{n}")
            for suite, kcases in json_suites(doc):
                k = seen.get(suite, 0)
                seen[suite] = k + 1
                labels = runs.get(suite, [])
                run = labels[k] if k < len(labels) else "" if k == 0 else f"run {k + 1}"
                tag = f" [{run}]" if run else ""
                if not kcases:
                    case(f"{suite}{tag}", False, "suite ran no case (kunit.py)", account[-30:])
                for name, st in kcases:
                    ok = st == "PASS"
                    why = "" if ok else {"SKIP": "skipped", "ERROR": "crashed"}.get(st, "failed")
                    case(f"{suite}.{name}{tag}", ok, why, [] if ok else case_log(account, name))
        guest = [l for k, d in docs if not k for l in d]
        if guest or tests:
            doc, account = kunit_parse(kunit_py, guest, f"{logdir}/ktap-integration")
            got = sorted((f"{s}: {c}", st) for s, cs in json_suites(doc) for c, st in cs)
            if got == sorted(tests):
                case("integration KTAP read by kunit.py", True)
            else:
                diff = [f"kunit.py only: {x}" for x in sorted(set(got) - set(tests))] + \
                       [f"results channel only: {x}" for x in sorted(set(tests) - set(got))]
                case("integration KTAP read by kunit.py", False,
                     f"kunit.py read {len(got)} cases, the results channel has {len(tests)}",
                     diff[:40] or account[-30:])
        for s in suites:
            if s not in seen:
                case(s, False, "KUnit suite missing from kunit.py's results")
        for suite, labels in runs.items():
            for run in labels[seen.get(suite, 0):]:
                case(f"{suite}{f' [{run}]' if run else ''}", False,
                     "in debugfs, not in the console's KTAP")
    except NoKunit as e:
        case("KUnit results read by kunit.py", False, str(e))

    reports = [l for l in console if REPORT_RE.search(l)]
    why = []
    if reports:
        why.append("kernel reports in the console log")
    if want_kmemleak and any(l.strip() for l in leak):
        why.append("kmemleak found leaks")
    if not done:
        why.append("the guest did not finish (crash, panic or timeout)")
    if why:
        tail = [l for l in console if REPORT_RE.search(l)][:40] or console[-40:]
        case("kernel clean", False, "; ".join(why), tail + leak[:60])
    else:
        case("kernel clean", True)
    return cases


def case_record(kernel, name, ok, why=""):
    rec = {"kernel": kernel, "name": name, "result": "pass" if ok else "fail"}
    if not ok:
        rec["reason"] = why or "failed"
    return rec


def main(argv):
    label, logdir = argv[1], argv[2]
    suites = []
    want_kmemleak = "--kmemleak" in argv
    if "--suites" in argv:
        arg = argv[argv.index("--suites") + 1]
        suites = [s for s in arg.split(",") if s]
    kunit_py = argv[argv.index("--kunit") + 1] if "--kunit" in argv else None
    cases = judge(label, logdir, suites, want_kmemleak, kunit_py)
    if "--cases" in argv:
        with open(argv[argv.index("--cases") + 1], "a") as f:
            for name, ok, why, _ in cases:
                f.write(json.dumps(case_record(label, name, ok, why)) + "\n")
    passed = sum(1 for c in cases if c[1])
    failed = len(cases) - passed
    for name, ok, why, log in cases:
        if ok:
            continue
        print(f"FAIL {label}: {name}: {why}")
        for l in log[-60:]:
            print(f"    {l}")
    print(f"RESULT {passed} {failed}")


# ---------------------------------------------------------------------------
# --follow: progress lines while the guest runs

TEST_RE = re.compile(r"^(\d\d-[\w.-]+)(?::| #|$)")
# A KUnit debugfs record: the suite's plan and case results (one indent), and
# the suite's result (none).
RECORD_PLAN_RE = re.compile(r"^    1\.\.(\d+)$")
RECORD_CASE_RE = re.compile(r"^    (?:not )?ok \d+ ")
RECORD_SUITE_OK_RE = re.compile(r"^ok 1 (?:- )?\S+$")


class Follower:
    """Turns results.log records, as they come, into progress lines."""

    def __init__(self, label, out, kunit_py=None, tmp=None):
        self.label, self.out = label, out
        self.kunit_py, self.tmp = kunit_py, tmp
        self.buf = ""
        self.block = None       # ("KTAP", suite, run, lines) or ("JSON"|"LEAK", ...)
        self.test = None        # [name, passed, failed, ended]
        self.t0 = self.last = time.monotonic()

    def say(self, msg):
        self.out(f"[{time.strftime('%H:%M:%S')}] {self.label}: {msg} "
                 f"({time.monotonic() - self.last:.0f} s)")
        self.last = time.monotonic()

    def kunit_counts(self, lines):
        """A suite's counts from its debugfs results, by kunit.py."""
        try:
            with tempfile.TemporaryDirectory(dir=self.tmp) as d:
                doc, _ = kunit_parse(self.kunit_py, lines, f"{d}/suite")
        except NoKunit as e:
            return f"ended ({e})"
        st = [x for _, cs in json_suites(doc) for _, x in cs]
        ok = st.count("PASS")
        # 6.1 keeps 512 bytes of a case's log, its result line included: a case
        # that logs more is missing from the record, and kunit.py counts it
        # failed. The plan and the suite's own line, which debugfs writes
        # itself, are whole: with the suite ok, every case passed.
        plan = [int(m.group(1)) for m in map(RECORD_PLAN_RE.match, lines) if m]
        seen = sum(1 for l in lines if RECORD_CASE_RE.match(l))
        if plan and seen < plan[0] and any(RECORD_SUITE_OK_RE.match(l) for l in lines):
            return f"{plan[0]} passed, 0 failed ({plan[0] - seen} not in the record)"
        return f"{ok} passed, {len(st) - ok} failed"

    def flush_test(self):
        if self.test and self.test[3]:
            name, p, f, _ = self.test
            self.say(f"{name}: {p} passed, {f} failed")
            self.test = None

    def feed(self, data):
        """Handle the complete lines of DATA; returns True at DONE."""
        self.buf += data
        *lines, self.buf = self.buf.split("\n")
        done = False
        for line in lines:
            done = self.line(line.rstrip("\r")) or done
        return done

    def count(self, name, ok, ends):
        m = TEST_RE.match(name)
        if not m:
            self.flush_test()
            if not ok:
                self.say(f"{name}: FAILED")
            return
        if self.test and self.test[0] != m.group(1):
            self.test[3] = True
            self.flush_test()
        if not self.test:
            self.test = [m.group(1), 0, 0, False]
        self.test[1 if ok else 2] += 1
        # The guest writes a test's T lines once the test has ended.
        self.test[3] = self.test[3] or ends

    def line(self, line):
        if self.block:
            if line == self.block[0] + "-END":
                kind, name, lines = self.block
                self.block = None
                if kind == "KTAP":
                    self.flush_test()
                    self.say(f"KUnit {name}: {self.kunit_counts(lines)}")
                elif kind == "JSON":
                    try:
                        json.loads("\n".join(lines))
                        ok = True
                    except ValueError:
                        ok = False
                    self.count(name, ok, False)
            else:
                self.block[2].append(line)
            return False
        if line.startswith("T "):
            m = T_RE.match(line)
            if m:
                self.count(m.group(2), m.group(1) == "ok" and
                           not (m.group(3) or "").startswith("SKIP"), True)
        elif line.startswith(("KTAP ", "JSON ")):
            self.block = (line[:4], line[5:].strip(), [])
        elif line == "LEAK":
            self.block = ("LEAK", "", [])
        elif line == "DONE":
            if self.test:
                self.test[3] = True
            self.flush_test()
            self.last = self.t0
            self.say("guest done")
            return True
        return False

    def idle(self):
        """No new data for a while: a test whose results are in has ended."""
        self.flush_test()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def follow(label, logdir, pid, kunit_py):
    # Stopped by check.sh once the boot is over: quietly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    path = f"{logdir}/results.log"
    fl = Follower(label, lambda m: print(m, file=sys.stderr, flush=True), kunit_py, logdir)
    pos = 0
    quiet = 0
    while alive(pid):
        try:
            with open(path, errors="replace") as f:
                f.seek(0, os.SEEK_END)
                if f.tell() < pos:      # truncated: a new boot
                    pos = 0
                f.seek(pos)
                data = f.read()
                pos = f.tell()
        except FileNotFoundError:
            data = ""
        if data:
            quiet = 0
            if fl.feed(data):
                return
        else:
            quiet += 1
            if quiet == 2:
                fl.idle()
        time.sleep(0.5)


# ---------------------------------------------------------------------------
# --results: the run's results file

def results(cases_path, out_path, passed, failed, pairs, warn=True):
    cases = []
    if os.path.exists(cases_path):
        with open(cases_path) as f:
            cases = [json.loads(l) for l in f if l.strip()]
    n_pass = sum(1 for c in cases if c["result"] == "pass")
    n_fail = len(cases) - n_pass
    doc = {"format": "wsk-check-results/1"}
    for pair in pairs:
        k, _, v = pair.partition("=")
        doc[k] = int(v) if re.fullmatch(r"-?\d+", v) else \
            {"true": True, "false": False}.get(v, v)
    doc.update({"passed": n_pass, "failed": n_fail,
                "kernels": sorted({c["kernel"] for c in cases} - {"host"}),
                "cases": cases})
    with open(out_path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(out_path + ".tmp", out_path)
    if (n_pass, n_fail) != (passed, failed):
        if warn:
                print(f"report.py: {out_path}: {n_pass} passed, {n_fail} failed, but the run "
                  f"counted {passed} and {failed}", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------
# --self-test

SELF_SUITE = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: wsk_demo
    1..3
    ok 1 wsk_demo_one
    # wsk_demo_two: EXPECTATION FAILED at kunit/demo.c:10
    not ok 2 wsk_demo_two
        KTAP version 1
        # Subtest: wsk_demo_param
        ok 1 a
        ok 2 b
    # wsk_demo_param: pass:2 fail:0 skip:0 total:2
    ok 3 wsk_demo_param
# wsk_demo: pass:2 fail:1 skip:0 total:3
not ok 1 wsk_demo
"""
SELF_RESULTS = """T ok load wsk.ko
T ok load wsk_kunit.ko
KTAP wsk_demo
""" + SELF_SUITE + """KTAP-END
T ok unload wsk_kunit.ko
JSON 10-a: doc
{"x": 1}
JSON-END
T ok 10-a: first
T not ok 10-a: second: got 'x', expected 'y'
KTAP wsk_demo again
KTAP version 1
1..1
    KTAP version 1
    # Subtest: wsk_demo
    1..1
    ok 1 wsk_demo_one
ok 1 wsk_demo
KTAP-END
T ok 20-b: only
T ok 20-b: skipped one # SKIP no x
JSON 20-b: broken
{"x":
JSON-END
T not ok 20-b # script exited 1
T ok unload wsk.ko
DONE
"""
# The console: the kernel's boot-time KTAP (no suite), a KUnit module run as
# 6.1 prints it (no header of its own: the guest's "KTAP version 1" in the
# kernel log before it), the guest's integration tests with a second run as
# 6.12 prints it (a header of its own) in the middle.
SELF_CONSOLE = "\n".join(
    ["[    0.000000] Linux version 6.12", "[    0.400000] KTAP version 1",
     "[    0.400000] 1..0", "[    5.000000] KTAP version 1",
     "[    5.001000] wsk_kunit: loading out-of-tree module taints kernel."] +
    [f"[    5.{i + 100:06d}] {l}" for i, l in enumerate(SELF_SUITE.splitlines()[2:])] +
    ["wsk guest: kernel 6.12", "KTAP version 1", "# wsk integration tests", "1..2",
     "# integration: 10-a", "  KTAP version 1", "  # Subtest: 10-a", "  1..2",
     "  ok 1 first", "  # [3 ms] a note", "  not ok 2 second: got 'x', expected 'y'",
     "  some output", "[    9.000000] KTAP version 1", "[    9.000000] 1..1",
     "[    9.000000]     KTAP version 1", "[    9.000000]     # Subtest: wsk_demo",
     "[    9.000000]     1..1", "[    9.000000]     ok 1 wsk_demo_one",
     "[    9.000000] ok 1 wsk_demo", "not ok 1 10-a", "# integration: 20-b",
     "  KTAP version 1", "  # Subtest: 20-b", "  1..2", "  ok 1 only",
     "  ok 2 skipped one # SKIP no x", "not ok 2 20-b # exit 1",
     "[   10.000000] reboot: Restarting system"]) + "\n"
SELF_CASES = [
    ("load wsk.ko", True), ("load wsk_kunit.ko", True),
    ("unload wsk_kunit.ko", True), ("10-a: doc: valid JSON", True),
    ("10-a: first", True), ("10-a: second: got 'x', expected 'y'", False),
    ("20-b: only", True), ("20-b: skipped one", False),
    ("20-b: broken: valid JSON", False), ("20-b", False), ("unload wsk.ko", True),
    ("wsk_demo.wsk_demo_one", True), ("wsk_demo.wsk_demo_two", False),
    ("wsk_demo.wsk_demo_param", True), ("wsk_demo.wsk_demo_one [again]", True),
    ("integration KTAP read by kunit.py", True),
    ("wsk_missing", False), ("kernel clean", True),
]
SELF_PROGRESS = [
    "k: KUnit wsk_demo: 2 passed, 1 failed",
    "k: 10-a: 2 passed, 1 failed",
    "k: KUnit wsk_demo again: 1 passed, 0 failed",
    "k: 20-b: 1 passed, 3 failed",
    "k: guest done",
]


def self_test(kunit_py):
    bad = []
    if not kunit_py or not os.path.isfile(kunit_py):
        bad.append(f"kunit.py not found ({kunit_py or 'no --kunit given'}): "
                   "the judge cannot be checked")
    with tempfile.TemporaryDirectory() as d:
        with open(f"{d}/results.log", "w") as f:
            f.write(SELF_RESULTS)
        with open(f"{d}/console.log", "w") as f:
            f.write(SELF_CONSOLE)
        cases = judge("k", d, ["wsk_demo", "wsk_missing"], True, kunit_py)
        got = [(n, ok) for n, ok, _, _ in cases]
        if got != SELF_CASES:
            bad.append(f"cases: got {got}")
        whys = {n: why for n, _, why, _ in cases}
        if whys.get("20-b: skipped one") != "skipped: no x":
            bad.append(f"a skipped case's reason: got {whys.get('20-b: skipped one')!r}")
        logs = {n: log for n, _, _, log in cases}
        if not any("EXPECTATION FAILED" in l for l in logs.get("wsk_demo.wsk_demo_two", [])):
            bad.append(f"a failed KUnit case's log: got {logs.get('wsk_demo.wsk_demo_two')}")
        kc = [c for c in judge("k", d, [], False, None) if not c[1]]
        if [c[0] for c in kc] != ["10-a: second: got 'x', expected 'y'", "20-b: skipped one",
                                  "20-b: broken: valid JSON", "20-b",
                                  "KUnit results read by kunit.py"]:
            bad.append(f"without kunit.py: got {[c[0] for c in kc]}")
        with open(f"{d}/results.log", "w") as f:
            f.write(SELF_RESULTS.replace("T ok 20-b: only\n", ""))
        kc = [c for c in judge("k", d, [], False, kunit_py)
              if c[0] == "integration KTAP read by kunit.py"]
        if not kc or kc[0][1]:
            bad.append("integration KTAP that the T records do not match passes")
        with open(f"{d}/results.log", "w") as f:
            f.write(SELF_RESULTS)
        with open(f"{d}/console.log", "a") as f:
            f.write("[    1.0] WARNING: CPU: 0 PID: 1 at x\n")
        kc = [c for c in judge("k", d, [], False, kunit_py) if c[0] == "kernel clean"]
        if kc[0][1]:
            bad.append("a WARNING in the console leaves the kernel clean")

        lines = []
        fl = Follower("k", lines.append, kunit_py, d)
        # In pieces, as the file grows; the last test ends with DONE.
        for piece in (SELF_RESULTS[:57], SELF_RESULTS[57:200], SELF_RESULTS[200:]):
            fl.feed(piece)
        got = [re.sub(r"^\[[0-9:]+\] | \(\d+ s\)$", "", l) for l in lines]
        if got != SELF_PROGRESS:
            bad.append(f"progress: got {got}")
        lines.clear()
        fl = Follower("k", lines.append)
        fl.feed("T ok 10-a: x\nT ok 10-a: y\n")
        fl.idle()
        if [re.sub(r"^\[[0-9:]+\] | \(\d+ s\)$", "", l) for l in lines] != \
                ["k: 10-a: 2 passed, 0 failed"]:
            bad.append(f"progress on idle: got {lines}")
        # A 6.1 record whose second case's log, result line included, is cut.
        cut = ["KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: wsk_cut",
               "    1..2", "    ok 1 wsk_cut_one", "    # wsk_cut_two: x = 1, x = 2, x = 3",
               "ok 1 wsk_cut"]
        got = Follower("k", print, kunit_py, d).kunit_counts(cut)
        if kunit_py and os.path.isfile(kunit_py) and \
                got != "2 passed, 0 failed (1 not in the record)":
            bad.append(f"progress of a cut record: got {got}")

        cases = f"{d}/cases.jsonl"
        with open(cases, "w") as f:
            f.write(json.dumps(case_record("host", "lint", True)) + "\n")
            f.write(json.dumps(case_record("k", "10-a: first", False, "why")) + "\n")
        if results(cases, f"{d}/r.json", 1, 1, ["started=x", "duration_s=5", "full=false"]) != 0:
            bad.append("results: counts that match refused")
        doc = json.load(open(f"{d}/r.json"))
        want = {"format": "wsk-check-results/1", "started": "x", "duration_s": 5,
                "full": False, "passed": 1, "failed": 1, "kernels": ["k"],
                "cases": [{"kernel": "host", "name": "lint", "result": "pass"},
                          {"kernel": "k", "name": "10-a: first", "result": "fail",
                           "reason": "why"}]}
        if doc != want:
            bad.append(f"results file: got {doc}")
        if results(cases, f"{d}/r.json", 2, 1, [], warn=False) == 0:
            bad.append("results: counts that differ accepted")
    for b in bad:
        print(f"report.py --self-test: {b}", file=sys.stderr)
    print(f"report.py --self-test: {'FAIL' if bad else 'ok'}")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--follow"]:
        follow(sys.argv[2], sys.argv[3], int(sys.argv[4]),
               sys.argv[sys.argv.index("--kunit") + 1] if "--kunit" in sys.argv else None)
    elif sys.argv[1:2] == ["--results"]:
        sys.exit(results(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                         sys.argv[6:]))
    elif sys.argv[1:2] == ["--self-test"]:
        sys.exit(self_test(sys.argv[sys.argv.index("--kunit") + 1]
                           if "--kunit" in sys.argv else None))
    else:
        main(sys.argv)
