"""The Transport module against POT (Python Optimal Transport): on the random clouds the Swift suite
`POTCasesTests` wrote (uniform and weighted, 1- to 5-D, up to 200 points), our exact costs equal
`ot.emd2` (squared-Euclidean and Euclidean ground costs) and our log-domain Sinkhorn costs equal
`ot.sinkhorn2` (log-domain, run to a tight tolerance) to 1e-9; our RBF-kernel MMDs equal a direct
NumPy evaluation (biased and unbiased, the paper's six bandwidths) to 1e-12."""
import json
import sys
from pathlib import Path

import numpy as np
import ot

from checks import check, finish

cases = json.loads(Path(sys.argv[1]).read_text())["cases"]
check("the Swift suite wrote the cases", len(cases) >= 6, len(cases))
GAMMAS = [2, 1, 0.5, 0.1, 0.01, 0.005]


def mmd(x, y, a, b, unbiased):
    total = 0.0
    for gamma in GAMMAS:
        kxx = np.exp(-gamma * ot.dist(x, x))
        kyy = np.exp(-gamma * ot.dist(y, y))
        kxy = np.exp(-gamma * ot.dist(x, y))
        if unbiased:
            np.fill_diagonal(kxx, 0)
            np.fill_diagonal(kyy, 0)
            xx = a @ kxx @ a / (1 - a @ a)
            yy = b @ kyy @ b / (1 - b @ b)
        else:
            xx, yy = a @ kxx @ a, b @ kyy @ b
        total += xx + yy - 2 * a @ kxy @ b
    return total / len(GAMMAS)


worst = {"emd": 0.0, "sinkhorn": 0.0, "mmd": 0.0}
for number, case in enumerate(cases):
    d = case["dimension"]
    x = np.array(case["source"]).reshape(-1, d)
    y = np.array(case["target"]).reshape(-1, d)
    a, b = np.array(case["a"]), np.array(case["b"])
    label = f"case {number} ({len(x)} x {len(y)} points, d = {d})"
    squared = ot.dist(x, y)
    euclidean = ot.dist(x, y, metric="euclidean")
    theirs = ot.emd2(a, b, squared, numItermax=10_000_000)
    theirs_w1 = ot.emd2(a, b, euclidean, numItermax=10_000_000)
    e = max(abs(theirs - case["emd_sqeuclidean"]), abs(theirs_w1 - case["emd_euclidean"]),
            abs(np.sqrt(theirs) - case["w2"]))
    worst["emd"] = max(worst["emd"], e)
    check(f"exact costs equal ot.emd2, {label}", e <= 1e-9, f"{e:.2e} (ours {case['emd_sqeuclidean']}, POT {theirs})")
    for s in case["sinkhorn_sqeuclidean"]:
        theirs_s = float(ot.sinkhorn2(a, b, squared, s["epsilon"], method="sinkhorn_log", stopThr=1e-14, numItermax=1_000_000))
        e = abs(theirs_s - s["cost"])
        worst["sinkhorn"] = max(worst["sinkhorn"], e)
        check(f"Sinkhorn cost equals ot.sinkhorn2 at eps = {s['epsilon']}, {label}", e <= 1e-9, f"{e:.2e}")
    e = max(abs(mmd(x, y, a, b, False) - case["mmd_biased"]), abs(mmd(x, y, a, b, True) - case["mmd_unbiased"]))
    worst["mmd"] = max(worst["mmd"], e)
    check(f"MMDs equal the NumPy evaluation, {label}", e <= 1e-12, f"{e:.2e}")
print(f"transport: {len(cases)} cases; worst differences: exact {worst['emd']:.1e}, Sinkhorn {worst['sinkhorn']:.1e}, MMD {worst['mmd']:.1e}")
finish("transport checks")
