#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-compare.py [--mode MODE] [--all-metrics] OUTDIR...: run-to-run spread.

Reads the summary.csv that bench-report.py wrote in each OUTDIR (one per
`make bench` run: $WSK_OUT/bench) and prints, for every figure present in
all of them, the median of each run and the spread between the runs,
(max - min) / min of those medians in percent. Figures of MODE only (icount,
the deterministic mode, by default; "all" for both). Memory figures that are
not timings (object sizes, Slab changes) are left out unless --all-metrics.
"""
import argparse
import csv
import os
import sys

# the timing figures; the rest are byte counts that do not depend on the mode
TIMINGS = {"accepts_per_s", "us_per_accept", "drain_ms", "setup_ms", "ns_accept", "ns_close",
           "ns_inode", "conn_per_s", "lat_p50_us", "lat_p99_us", "cycle_p50_us",
           "establish_ms", "idle_all_ms", "busy_us_per_accept"}


def load(path):
    figs = {}
    with open(os.path.join(path, "summary.csv"), newline="") as f:
        for r in csv.DictReader(f):
            key = (r["mode"], r["scenario"], int(r["param"]), r["server"], r["metric"])
            figs[key] = (float(r["median"]), int(r["reps"]))
    return figs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", default="icount")
    ap.add_argument("--all-metrics", action="store_true")
    ap.add_argument("outdirs", nargs="+")
    args = ap.parse_args()
    runs = [load(d) for d in args.outdirs]
    keys = set(runs[0])
    for r in runs[1:]:
        keys &= set(r)
    keys = sorted(k for k in keys if (args.mode == "all" or k[0] == args.mode) and
                  (args.all_metrics or k[4] in TIMINGS))
    if not keys:
        sys.exit("no figure common to all runs")
    head = "%-7s %-8s %-6s %-3s %-14s" % ("mode", "scenario", "param", "srv", "metric")
    head += "".join(" %10s" % ("run %d" % (i + 1)) for i in range(len(runs)))
    print(head + "  spread")
    worst = 0.0
    for k in keys:
        meds = [r[k][0] for r in runs]
        lo, hi = min(meds), max(meds)
        spread = (hi - lo) / abs(lo) * 100 if lo else 0.0
        worst = max(worst, spread)
        print("%-7s %-8s %-6d %-3s %-14s" % k + "".join(" %10.2f" % m for m in meds) +
              "  %5.1f%%" % spread)
    print("spread = (max - min) / min of the runs' medians; largest %.1f%% over %d figures"
          % (worst, len(keys)))


if __name__ == "__main__":
    main()
