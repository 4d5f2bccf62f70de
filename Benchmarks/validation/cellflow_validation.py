"""Regenerates the CellFlow numbers of VALIDATION.md: Kirchhoff and CG-vs-dense on the default
network, and branch split frequencies against flow fractions from a 100,000-cell run.

usage: cellflow_validation.py <ndyn>     (run from the repository's top directory; needs xarray)
"""
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr

ndyn = sys.argv[1]
with tempfile.TemporaryDirectory() as work:
    work = pathlib.Path(work)
    (work / "vn.json").write_text(json.dumps({"kind": "vessel-network", "name": "vn", "seed": 1, "output": str(work)}))
    subprocess.run([ndyn, "run", str(work / "vn.json"), "--quiet"], check=True)
    stats = json.loads((work / "vn" / "run.json").read_text())["statistics"]
    print(f"vessel-network (seed 1, {stats['segments']} segments): Kirchhoff residual {stats['kirchhoff_residual']:.2e} "
          f"of the inlet flow, CG iterations {stats['cg_iterations']}, max |Q_cg - Q_dense| / Q_in {stats['cg_vs_dense_max_flow_difference']:.2e}")

    cells = {"kind": "cell-flow", "name": "cf", "seed": 1, "output": str(work),
             "parameters": {"cells": 100000, "duration": 300, "trajectory_cells": 0}}
    (work / "cf.json").write_text(json.dumps(cells))
    subprocess.run([ndyn, "run", str(work / "cf.json"), "--quiet"], check=True)
    ds = xr.open_dataset(work / "cf" / "output.nc")
    entries = ds["artery_segment_entries"].values.astype(float)
    probability = ds["branch_probability"].values
    leaves = ds.sizes["artery_outlet"]
    z = []
    for k in range(1, leaves):
        left, right = entries[2 * k - 1], entries[2 * k]
        n = left + right
        if n < 1000:
            continue
        p = probability[k]
        z.append((left / n - p) / np.sqrt(p * (1 - p) / n))
    z = np.array(z)
    print(f"branch choices (100,000 cells, 300 s): {len(z)} bifurcations with >= 1000 passages; "
          f"z-scores mean {z.mean():+.3f}, sd {z.std():.3f}, max |z| {np.abs(z).max():.2f}, "
          f"share with |z| <= 3: {np.mean(np.abs(z) <= 3):.4f}")
    last = ds.isel(time=-1)
    organs = ds.attrs["organ_names"].split()
    tissue = last["cells_in_organ"].isel(compartment=slice(1, 3)).sum("compartment").values
    print("cells in tissue (C1 + C2) at 300 s: " + ", ".join(f"{o} {int(t)}" for o, t in zip(organs, tissue)))
