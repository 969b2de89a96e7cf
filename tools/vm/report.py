#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest boot from its two logs.

report.py LABEL LOGDIR [--suites S1,S2,...] [--kmemleak] [--cases FILE]
report.py --follow LABEL LOGDIR PID
report.py --results CASES OUT PASSED FAILED [KEY=VALUE...]
report.py --self-test

Reads LOGDIR/results.log (records written by tools/vm/guest-init.sh and the
tests) and LOGDIR/console.log (the kernel log). Prints one line per failing case
with its log, and finally "RESULT <passed> <failed>" for tools/vm/check.sh to
add up. With --cases, appends every case to FILE, one JSON object a line:
{"kernel": LABEL, "name": NAME, "result": "pass" or "fail", "reason": WHY}
(reason only on a failure).

--follow: while a guest runs, reads LOGDIR/results.log as it grows and prints
one progress line on stderr as each integration test, KUnit suite or guest
step ends; stops at the guest's DONE or once process PID is gone.

--results: the run's results file for CI: OUT (JSON) gets the cases of CASES
(the --cases lines of every boot plus the host's own), their counts, which
must be PASSED and FAILED (tools/vm/check.sh's), and the KEY=VALUE pairs.
Exits 1 if the counts differ.

--self-test: runs the parser, the follower and --results on made-up logs and
checks what they give; exits 1 on any difference.

Each JSON record (a document between "JSON <name>" and "JSON-END", sent by a
test) is one case, "<LABEL>: <name>: valid JSON", that passes when Python's
json module parses the document.

A KTAP block is "KTAP <suite>" or "KTAP <suite> <label>": the label marks a
second run of a suite (tools/tests/65-faults.sh sends "KTAP wsk_fuzz faults"),
whose cases are named "<suite>.<case> [<label>]" and which does not stand in
for the suite's own run in the --suites check.

A boot counts as one more case, "<LABEL>: kernel clean", that fails on any
kernel report in the console log (WARN, BUG, Oops, KASAN, UBSAN, lockdep, RCU,
hung task, soft lockup, panic), a kmemleak report, a missing KUnit suite, or a
guest that never reached DONE (timeout or crash).
"""
import json
import os
import re
import signal
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
CASE_RE = re.compile(r"^(\s*)(not ok|ok) (\d+) (\S+)(.*)$")


def parse_ktap(suite, lines):
    """Return [(name, ok, log_lines)] for the cases of one suite's results file.

    Cases sit one indentation level below the suite's own result line;
    parameterised cases nest their parameters deeper, and count once.
    """
    cases = []
    oks = [(m, i) for i, l in enumerate(lines) if (m := CASE_RE.match(l))]
    names = [m.group(4) for m, _ in oks]
    suite_lines = [(m, i) for m, i in oks if m.group(4) == suite]
    suite_indent = len(suite_lines[-1][0].group(1)) if suite_lines else -1
    case_oks = [(m, i) for m, i in oks if m.group(4) != suite]
    if not case_oks:
        return cases, suite_lines
    levels = sorted({len(m.group(1)) for m, _ in case_oks if len(m.group(1)) > suite_indent})
    level = levels[0] if levels else 0
    start = 0
    for m, i in case_oks:
        if len(m.group(1)) != level:
            continue
        skip = "# SKIP" in m.group(5)
        cases.append((m.group(4), m.group(2) == "ok" and not skip,
                      lines[start:i + 1], skip))
        start = i + 1
    del names
    return cases, suite_lines


def judge(label, logdir, suites, want_kmemleak):
    """Return [(name, ok, why, log_lines)] for one boot, names without LABEL."""
    results = open(f"{logdir}/results.log", errors="replace").read().splitlines()
    console = open(f"{logdir}/console.log", errors="replace").read().splitlines()

    cases = []

    def case(name, ok, why="", log=()):
        cases.append((name, ok, why, list(log)))

    seen_suites = set()
    done = False
    leak = []
    i = 0
    while i < len(results):
        line = results[i].rstrip("\r")
        if line.startswith("T "):
            m = re.match(r"T (not ok|ok) (.*?)(?: # (.*))?$", line)
            if m and m.group(1) == "ok":
                case(m.group(2), True)
            else:
                case(m.group(2) if m else line, False, (m.group(3) if m else "") or "")
        elif line.startswith("KTAP "):
            suite, _, run = line[5:].strip().partition(" ")
            run = run.strip()
            tag = f" [{run}]" if run else ""
            if not run:
                seen_suites.add(suite)
            body = []
            i += 1
            while i < len(results) and results[i].rstrip("\r") != "KTAP-END":
                body.append(results[i].rstrip("\r"))
                i += 1
            kcases, suite_lines = parse_ktap(suite, body)
            if not kcases:
                case(f"{suite}{tag}", False, "suite ran no case", body)
            for name, ok, log, skip in kcases:
                case(f"{suite}.{name}{tag}", ok, "" if ok else "skipped" if skip else "failed",
                     [] if ok else log)
            if suite_lines and suite_lines[-1][0].group(2) != "ok" and \
                    all(ok for _, ok, _, _ in kcases) and kcases:
                case(f"{suite}{tag}", False, "suite failed (init or exit)", body)
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

    for s in suites:
        if s not in seen_suites:
            case(s, False, "KUnit suite missing from the results")

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
    cases = judge(label, logdir, suites, want_kmemleak)
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


class Follower:
    """Turns results.log records, as they come, into progress lines."""

    def __init__(self, label, out):
        self.label, self.out = label, out
        self.buf = ""
        self.block = None       # ("KTAP", suite, run, lines) or ("JSON"|"LEAK", ...)
        self.test = None        # [name, passed, failed, ended]
        self.t0 = self.last = time.monotonic()

    def say(self, msg):
        self.out(f"[{time.strftime('%H:%M:%S')}] {self.label}: {msg} "
                 f"({time.monotonic() - self.last:.0f} s)")
        self.last = time.monotonic()

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
                    suite, _, run = name.partition(" ")
                    kcases, _ = parse_ktap(suite, lines)
                    ok = sum(1 for c in kcases if c[1])
                    self.flush_test()
                    self.say(f"KUnit {name}: {ok} passed, {len(kcases) - ok} failed")
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
            m = re.match(r"T (not ok|ok) (.*?)(?: # (.*))?$", line)
            if m:
                self.count(m.group(2), m.group(1) == "ok", True)
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


def follow(label, logdir, pid):
    # Stopped by check.sh once the boot is over: quietly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    path = f"{logdir}/results.log"
    fl = Follower(label, lambda m: print(m, file=sys.stderr, flush=True))
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

SELF_RESULTS = """T ok load wsk.ko
T ok load wsk_kunit.ko
KTAP wsk_demo
KTAP version 1
1..1
    KTAP version 1
    # Subtest: wsk_demo
    1..2
    ok 1 wsk_demo_one
    not ok 2 wsk_demo_two
not ok 1 wsk_demo
KTAP-END
T ok unload wsk_kunit.ko
JSON 10-a: doc
{"x": 1}
JSON-END
T ok 10-a: first
T not ok 10-a: second: got 'x', expected 'y'
T ok 20-b: only
JSON 20-b: broken
{"x":
JSON-END
T not ok 20-b # script exited 1
T ok unload wsk.ko
DONE
"""
SELF_CASES = [
    ("load wsk.ko", True), ("load wsk_kunit.ko", True),
    ("wsk_demo.wsk_demo_one", True), ("wsk_demo.wsk_demo_two", False),
    ("unload wsk_kunit.ko", True), ("10-a: doc: valid JSON", True),
    ("10-a: first", True), ("10-a: second: got 'x', expected 'y'", False),
    ("20-b: only", True), ("20-b: broken: valid JSON", False), ("20-b", False),
    ("unload wsk.ko", True), ("wsk_missing", False), ("kernel clean", True),
]
SELF_PROGRESS = [
    "k: KUnit wsk_demo: 1 passed, 1 failed",
    "k: 10-a: 2 passed, 1 failed",
    "k: 20-b: 1 passed, 2 failed",
    "k: guest done",
]


def self_test():
    bad = []
    with tempfile.TemporaryDirectory() as d:
        with open(f"{d}/results.log", "w") as f:
            f.write(SELF_RESULTS)
        with open(f"{d}/console.log", "w") as f:
            f.write("[    0.0] Linux version\n")
        got = [(n, ok) for n, ok, _, _ in judge("k", d, ["wsk_demo", "wsk_missing"], True)]
        if got != SELF_CASES:
            bad.append(f"cases: got {got}")
        with open(f"{d}/console.log", "a") as f:
            f.write("[    1.0] WARNING: CPU: 0 PID: 1 at x\n")
        kc = [c for c in judge("k", d, [], False) if c[0] == "kernel clean"]
        if kc[0][1]:
            bad.append("a WARNING in the console leaves the kernel clean")

        lines = []
        fl = Follower("k", lines.append)
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
        follow(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1:2] == ["--results"]:
        sys.exit(results(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                         sys.argv[6:]))
    elif sys.argv[1:2] == ["--self-test"]:
        sys.exit(self_test())
    else:
        main(sys.argv)
