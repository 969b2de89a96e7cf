#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest boot from its two logs.

report.py LABEL LOGDIR [--suites S1,S2,...] [--kmemleak]

Reads LOGDIR/results.log (records written by tools/vm/guest-init.sh and the
tests) and LOGDIR/console.log (the kernel log). Prints one line per failing case
with its log, and finally "RESULT <passed> <failed>" for tools/vm/check.sh to
add up.

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
import re
import sys

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


def main():
    label, logdir = sys.argv[1], sys.argv[2]
    suites = []
    want_kmemleak = "--kmemleak" in sys.argv
    if "--suites" in sys.argv:
        arg = sys.argv[sys.argv.index("--suites") + 1]
        suites = [s for s in arg.split(",") if s]

    results = open(f"{logdir}/results.log", errors="replace").read().splitlines()
    console = open(f"{logdir}/console.log", errors="replace").read().splitlines()

    passed = failed = 0
    failures = []

    def fail(name, why, log=()):
        nonlocal failed
        failed += 1
        failures.append((name, why, list(log)))

    seen_suites = set()
    done = False
    leak = []
    i = 0
    while i < len(results):
        line = results[i].rstrip("\r")
        if line.startswith("T "):
            m = re.match(r"T (not ok|ok) (.*?)(?: # (.*))?$", line)
            if m and m.group(1) == "ok":
                passed += 1
            else:
                fail(f"{label}: {m.group(2) if m else line}", m.group(3) if m else "")
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
            cases, suite_lines = parse_ktap(suite, body)
            if not cases:
                fail(f"{label}: {suite}{tag}", "suite ran no case", body)
            for name, ok, log, skip in cases:
                if ok:
                    passed += 1
                else:
                    fail(f"{label}: {suite}.{name}{tag}", "skipped" if skip else "failed",
                         log)
            if suite_lines and suite_lines[-1][0].group(2) != "ok" and \
                    all(ok for _, ok, _, _ in cases) and cases:
                fail(f"{label}: {suite}{tag}", "suite failed (init or exit)", body)
        elif line.startswith("JSON "):
            name = f"{label}: {line[5:].strip()}: valid JSON"
            body = []
            i += 1
            while i < len(results) and results[i].rstrip("\r") != "JSON-END":
                body.append(results[i].rstrip("\r"))
                i += 1
            try:
                json.loads("\n".join(body))
                passed += 1
            except ValueError as e:
                fail(name, f"does not parse: {e}", body[:40])
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
            fail(f"{label}: {s}", "KUnit suite missing from the results")

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
        fail(f"{label}: kernel clean", "; ".join(why), tail + leak[:60])
    else:
        passed += 1

    for name, why, log in failures:
        print(f"FAIL {name}: {why}")
        for l in log[-60:]:
            print(f"    {l}")
    print(f"RESULT {passed} {failed}")


if __name__ == "__main__":
    main()
