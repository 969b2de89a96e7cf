#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py OUTDIR: the tables and the plot of `make bench`.

Reads the records of bench/run.sh (R, E, I lines) of each boot, OUTDIR/MODE/
results.log for the modes icount (deterministic: guest time counts
instructions) and wall (wall-clock), or OUTDIR/results.log of a single boot,
and writes results.csv (one row per measurement), summary.csv (median, min,
max, spread and ratio to server (a) of the same mode per figure), table.txt
(printed too) and bench.png (gnuplot). Every row and every table names the
mode its figures came from; icount times are microseconds-equivalent
("us-eq": 1,000 guest instructions). Takes no part in pass or fail: the
targets are reported, not asserted.
"""
import csv
import os
import re
import statistics
import subprocess
import sys

NAMES = {
    "a": "(a) raw kernel_accept loop",
    "a2": "(a2) raw loop, closes from a second work item",
    "b": "(b) wsk, pending wsk_accept requests",
    "c": "(c) wsk accept_event",
    "d": "(d) wsk conditional accept, inspect_event ACCEPT, then accept_event",
    "e": "(e) wsk, pending wsk_accept_conditional requests, condition ACCEPT",
    "f": "(f) userspace accept4 loop",
    "g": "(g) userspace io_uring multishot",
}
# the plot's legend: short, seven of them share each panel
SHORT = {
    "a": "(a) raw loop", "b": "(b) wsk requests", "c": "(c) wsk accept_event",
    "d": "(d) wsk inspect + event", "e": "(e) wsk condition", "f": "(f) accept4",
    "g": "(g) io_uring",
}
LINETYPE = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7}
# metric, unit, higher is better
FIGURES = {
    "drain": [("accepts_per_s", "accepts/s", True), ("us_per_accept", "us/accept", False),
              ("slab_per_queued_conn_b", "slab B/queued conn", False),
              ("idle_all_ms", "ms all vCPUs idle in the drain", False),
              ("busy_us_per_accept", "us/accept without that idle time", False)],
    "steady": [("conn_per_s", "conn/s", True), ("lat_p50_us", "p50 us", False),
               ("lat_p99_us", "p99 us", False), ("cycle_p50_us", "cycle p50 us", False)],
    "pending": [("us_per_accept", "us/accept", False), ("accepts_per_s", "accepts/s", True),
                ("setup_ms", "submit ms", False)],
    "profile": [("accepts_per_s", "accepts/s (a profiled; a2)", True),
                ("us_per_accept", "us/accept (a profiled; a2)", False),
                ("ns_accept", "ns in kernel_accept + record", False),
                ("ns_close", "ns in sock_no_linger + sock_release", False),
                ("ns_inode", "ns per sock_create_lite + sock_release", False)],
    "memory": [("provider_bytes_per_pending_accept", "provider B/pending accept", False),
               ("slab_delta_kb", "Slab kB change for all of them", False),
               ("sizeof_wsk_req", "B of struct wsk_req (caller's memory)", False),
               ("sizeof_slot", "B per request slot of bench_wsk (caller's)", False)],
}
MODES = {"icount": "deterministic (-icount: guest time counts instructions, vCPUs in turn)",
         "wall": "wall-clock (2 vCPUs in parallel, real time)"}
PARAM = {"drain": "queued", "steady": "conc", "pending": "pending reqs",
         "profile": "queued", "memory": "pending reqs"}


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def unit_of(unit, mode):
    """Units of the icount mode are equivalents: "us" -> "us-eq"."""
    if mode != "icount":
        return unit
    return re.sub(r"(?<![\w-])(accepts/s|conn/s|us|ms|ns)(?![\w-])", r"\1-eq", unit)


def read_log(path, mode, rows, errors, info):
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip().replace("\r", "")
            parts = line.split()
            if (len(parts) == 7 and parts[0] == "R" and num(parts[6]) is not None and
                    parts[4] != "0"):  # rep 0 is the warm-up
                rows.append(dict(mode=mode, scenario=parts[1], param=int(parts[2]),
                                 server=parts[3], rep=int(parts[4]), metric=parts[5],
                                 value=float(parts[6])))
            elif parts and parts[0] == "E":
                errors.append("%s: %s" % (mode, line[2:]))
            elif len(parts) >= 2 and parts[0] == "I":
                info.setdefault(mode, {})[parts[1]] = " ".join(parts[2:])


def main():
    out = sys.argv[1]
    rows, errors, info = [], [], {}
    logs = [(m, os.path.join(out, m, "results.log")) for m in MODES]
    logs = [(m, p) for m, p in logs if os.path.exists(p)]
    if not logs:
        # one boot's records alone: its mode is in its "I mode" line
        path = os.path.join(out, "results.log")
        mode = "wall"
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.split()
                if parts[:2] == ["I", "mode"] and len(parts) == 3:
                    mode = parts[2]
        logs = [(mode, path)]
    for mode, path in logs:
        read_log(path, mode, rows, errors, info)

    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, ["mode", "scenario", "param", "server", "rep", "metric",
                               "value"])
        w.writeheader()
        w.writerows(rows)

    groups = {}
    for r in rows:
        groups.setdefault((r["mode"], r["scenario"], r["param"], r["server"], r["metric"]),
                          []).append(r["value"])
    summary = {}
    for key, vals in groups.items():
        med = statistics.median(vals)
        summary[key] = dict(n=len(vals), median=med, min=min(vals), max=max(vals),
                            spread=(max(vals) - min(vals)) / med * 100 if med else 0.0)
    # Server (b) of the drain of 10000 is the pending run with 64 requests.
    for (mode, scen, param, srv, metric), s in list(summary.items()):
        if (scen, param, srv) == ("drain", 10000, "b"):
            summary.setdefault((mode, "pending", 64, "b", metric), dict(s))
    # ratios to (a) in the same mode only: the modes measure different things
    for (mode, scen, param, srv, metric), s in summary.items():
        base = summary.get((mode, scen, param, "a", metric))
        if scen in ("pending", "profile"):
            base = summary.get((mode, "drain", 10000, "a", metric))
        s["ratio"] = s["median"] / base["median"] if base and base["median"] else None

    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "scenario", "param", "server", "metric", "reps", "median", "min",
                    "max", "spread_pct", "ratio_to_a"])
        for key in sorted(summary):
            s = summary[key]
            w.writerow(list(key) + [s["n"], "%.3f" % s["median"], "%.3f" % s["min"],
                                    "%.3f" % s["max"], "%.1f" % s["spread"],
                                    "" if s["ratio"] is None else "%.3f" % s["ratio"]])

    lines = []
    for mode in MODES:
        if mode in info:
            lines.append("guest, %s mode: " % mode +
                         ", ".join("%s %s" % kv for kv in sorted(info[mode].items())))
    for mode in MODES:
        for scen, figs in FIGURES.items():
            params = sorted({k[2] for k in summary if k[:2] == (mode, scen)})
            servers = sorted({k[3] for k in summary if k[:2] == (mode, scen)})
            if not params:
                continue
            lines.append("")
            lines.append("== %s, %s mode: %s ==" % (scen, mode, MODES[mode]))
            for metric, unit, _ in figs:
                if not any((mode, scen, p, s, metric) in summary
                           for p in params for s in servers):
                    continue
                lines.append("%-13s %-6s %-10s %-23s %-9s %s" % (
                    PARAM[scen], "server", "median", "[min - max]", "spread",
                    unit_of(unit, mode) + " (ratio to a)"))
                for p in params:
                    for s in servers:
                        v = summary.get((mode, scen, p, s, metric))
                        if not v:
                            continue
                        ratio = "" if v["ratio"] is None else "x%.2f" % v["ratio"]
                        lines.append("%-13s %-6s %-10.1f %-23s %-9s %s" % (
                            p, s, v["median"], "[%.1f - %.1f]" % (v["min"], v["max"]),
                            "%.0f%%" % v["spread"], ratio))
                lines.append("")
    if errors:
        lines.append("failed runs (%d):" % len(errors))
        lines += ["  " + e for e in errors]
    lines.append("servers: " + "; ".join("%s %s" % kv for kv in NAMES.items()))
    lines.append("median of reps [min - max]; spread = (max - min) / median; "
                 "ratios are medians over (a)'s median in the same mode (pending: over "
                 "(a)'s drain of 10000); -eq units: icount mode, 1 us-eq = 1,000 guest "
                 "instructions")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    plot(out, summary)


def dat(out, name, summary, mode, scen, metric, servers):
    """One gnuplot data block per server: x median min max."""
    blocks, titles = [], []
    for s in servers:
        pts = sorted((k[2], v) for k, v in summary.items()
                     if k[:2] == (mode, scen) and k[3] == s and k[4] == metric)
        if not pts:
            continue
        blocks.append("\n".join("%d %g %g %g" % (x, v["median"], v["min"], v["max"])
                                for x, v in pts))
        titles.append((SHORT.get(s, s), LINETYPE.get(s, 8)))
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write("\n\n\n".join(blocks) + "\n")
    return path, titles


def plot(out, summary):
    panels = [
        ("drain", "accepts_per_s", "Drain: accepts/s vs queued connections", "accepts/s", "abcdefg"),
        ("steady", "conn_per_s", "Steady state: connections/s vs concurrency", "conn/s", "abcdefg"),
        ("steady", "lat_p50_us", "Steady state: p50 latency, connect() to accept (us)", "us",
         "abcdefg"),
        ("pending", "us_per_accept", "wsk: per-accept cost vs pending requests (drain of 10000)",
         "us/accept", "b"),
    ]
    script = ["set terminal pngcairo size 1400,1100 font ',10'",
              "set output '%s'" % os.path.join(out, "bench.png"),
              "set termoption noenhanced", "set multiplot layout 2,2", "set logscale x",
              "set grid", "set key outside below center horizontal font ',9'",
              "set yrange [0:*]",
              ]
    any_data = False
    for i, (scen, metric, title, ylabel, servers) in enumerate(panels):
        # the panel shows the mode that ran the scenario (icount if both did)
        mode = next((m for m in MODES if any(k[:2] == (m, scen) for k in summary)), "wall")
        path, titles = dat(out, "plot%d.dat" % i, summary, mode, scen, metric, servers)
        script.append("set title '%s [%s mode]'" % (title, mode))
        script.append("set xlabel '%s'" % PARAM[scen])
        script.append("set ylabel '%s'" % unit_of(ylabel, mode))
        if not titles:
            script.append("unset key; plot 0 notitle lc rgb 'white'; set key")
            continue
        any_data = True
        script.append("plot " + ", ".join(
            "'%s' index %d using 1:2:3:4 with yerrorlines lt %d lw 2 title '%s'" % (
                path, j, lt, t) for j, (t, lt) in enumerate(titles)))
    script.append("unset multiplot")
    if not any_data:
        return
    gp = os.path.join(out, "bench.gp")
    with open(gp, "w") as f:
        f.write("\n".join(script) + "\n")
    try:
        with open(os.path.join(out, "gnuplot.log"), "w") as log:
            subprocess.run(["gnuplot", gp], check=True, stderr=log)
        print("plot: %s" % os.path.join(out, "bench.png"))
    except (OSError, subprocess.CalledProcessError) as e:
        print("plot: gnuplot failed: %s" % e)


if __name__ == "__main__":
    main()
