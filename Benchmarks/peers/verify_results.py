#!/usr/bin/env python3
"""Check peer output (JSON lines) for correctness and print a markdown table.

Checks, per line:
  * all schema keys present;
  * the reported error is recomputed from "final" and references.json (not
    for lorenz, whose error comes from the separate [0, 10] solve, nor decay and
    decay-1e6, whose "final" is abbreviated) and must match;
  * error / max(rtol, atol) below a per-problem bound (global error of a
    locally controlled method is normally 1-1000x the tolerance; lorenz is
    chaotic, errors at t = 10 are amplified by ~e^(0.9*10));
Across peers: the final states of the non-chaotic problems must agree to
within the sum of the two peers' errors plus a small slack.

Usage: verify_results.py results.jsonl [more.jsonl ...]   (exit 1 on failure)
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["peer", "problem", "method", "rtol", "atol", "final", "error", "steps", "rejected",
        "rhs_evaluations", "jacobian_evaluations", "median_seconds", "repetitions", "version"]
# bound on error / tolerance
RATIO_BOUND = {"lorenz": 1e5, "pleiades": 5e3, "hires": 1e3, "robertson": 1e3,
               "vanderpol": 1e3, "decay": 1e3, "decay-1e6": 1e3}
ORDER = ["lorenz", "pleiades", "hires", "robertson", "vanderpol", "decay", "decay-1e6"]
# exact solution known in closed form; "final" holds only the first 3 and last 3 components
DECAY = ("decay", "decay-1e6")


def main(paths):
    refs = json.load(open(os.path.join(HERE, "references.json")))
    rows = []
    for path in paths:
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    failures = []
    for r in rows:
        tag = "%s/%s/%s" % (r.get("peer"), r.get("problem"), r.get("method"))
        missing = [k for k in KEYS if k not in r]
        if missing:
            failures.append("%s: missing keys %s" % (tag, missing))
            continue
        name = r["problem"]
        tol = max(r["rtol"], float(np.max(r["atol"])))
        if name != "lorenz" and name not in DECAY:
            err = float(np.max(np.abs(np.array(r["final"]) -
                                      np.array(refs[name]["reference"]))))
            if abs(err - r["error"]) > 1e-6 * err + 1e-300:
                failures.append("%s: reported error %g != recomputed %g" % (tag, r["error"], err))
        if r["error"] is None or not r["error"] / tol < RATIO_BOUND[name]:
            failures.append("%s: error %s too large for tol %g" % (tag, r["error"], tol))
        if r["steps"] <= 0:
            failures.append("%s: no steps" % tag)

    # cross-peer agreement of the final state (non-chaotic problems)
    agreement = {}
    for name in ORDER:
        if name == "lorenz":
            continue
        rs = [r for r in rows if r["problem"] == name]
        worst = 0.0
        for i in range(len(rs)):
            for j in range(i + 1, len(rs)):
                d = float(np.max(np.abs(np.array(rs[i]["final"]) - np.array(rs[j]["final"]))))
                allowed = 2.0 * (rs[i]["error"] + rs[j]["error"]) + 1e-12
                worst = max(worst, d)
                if d > allowed:
                    failures.append("%s: %s/%s vs %s/%s differ by %g (allowed %g)" % (
                        name, rs[i]["peer"], rs[i]["method"], rs[j]["peer"],
                        rs[j]["method"], d, allowed))
        agreement[name] = (len(rs), worst)

    # table
    print("| problem | peer | method | steps | rejected | rhs evals | jac evals | error "
          "| median time [s] | reps |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    key = {p: i for i, p in enumerate(ORDER)}
    for r in sorted(rows, key=lambda r: (key.get(r["problem"], 99), r["peer"])):
        def fmt(v):
            return "–" if v is None else str(v)
        t = r["median_seconds"]
        extra = ""
        if r["problem"] in DECAY and "seconds_per_step" in r:
            extra = " (%.3g s/step)" % r["seconds_per_step"]
        print("| %s | %s | %s | %d | %s | %s | %s | %.2e | %.3g%s | %d |" % (
            r["problem"], r["peer"], r["method"], r["steps"], fmt(r["rejected"]),
            fmt(r["rhs_evaluations"]), fmt(r["jacobian_evaluations"]), r["error"], t, extra,
            r["repetitions"]))
    print()
    print("Cross-peer agreement of final states (max-abs pairwise difference):")
    for name, (n, worst) in agreement.items():
        print("  %-10s %2d runs, worst pair %.2e" % (name, n, worst))
    if failures:
        print("\nFAILURES:")
        for f in failures:
            print("  " + f)
        return 1
    print("\nall checks passed (%d result lines)" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
