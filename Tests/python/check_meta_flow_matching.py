"""The Meta Flow Matching outputs from the Python side: the mfm-data file has the paper's letters split,
the mfm-evaluate file opens with xarray in the documented layout, its recorded W1, W2 and MMD equal
POT's exact optimal transport (`ot.emd2`) and a NumPy MMD recomputed from the stored populations, the
identity baseline is the source scored against the target, and the notebook ran and drew its figure.
Usage: check_meta_flow_matching.py DATA_RUN EVALUATE_RUN NOTEBOOK FIGURE"""
import json
import sys
from pathlib import Path

import numpy as np
import ot
import xarray as xr

from checks import check, check_notebook, finish

data_dir, evaluate_dir, notebook_path, figure_path = (Path(a) for a in sys.argv[1:5])
data = xr.open_dataset(data_dir / "output.nc")
check("mfm-data: source and target over (population, point, coordinate)",
      data.source.dims == ("population", "point", "coordinate") and data.target.dims == data.source.dims, data.source.dims)
names = data.attrs["label_names"].split(",")
split = data.split.values
check("mfm-data: X validates and Y tests, every other letter trains",
      {names[l] for l in data.label.values[split == 1]} == {"X"} and {names[l] for l in data.label.values[split == 2]} == {"Y"}
      and len({names[l] for l in data.label.values[split == 0]}) == 24)
noise = (data.source - data.target).values
check("mfm-data: the source is the target plus N(0, 0.5^2)", abs(noise.std() - 0.5) < 0.02, noise.std())

ev = xr.open_dataset(evaluate_dir / "output.nc")
stats = json.loads((evaluate_dir / "run.json").read_text())["statistics"]
GAMMAS = [2, 1, 0.5, 0.1, 0.01, 0.005]


def mmd(x, y):
    return np.mean([np.exp(-g * ot.dist(x, x)).mean() + np.exp(-g * ot.dist(y, y)).mean() - 2 * np.exp(-g * ot.dist(x, y)).mean() for g in GAMMAS])


worst = 0.0
for i in range(ev.sizes["population"]):
    x, y, s = ev.predicted.values[i], ev.target.values[i], ev.source.values[i]
    n = len(x)
    a = np.full(n, 1 / n)
    w1 = ot.emd2(a, a, ot.dist(x, y, metric="euclidean"), numItermax=10_000_000)
    w2 = np.sqrt(ot.emd2(a, a, ot.dist(x, y), numItermax=10_000_000))
    identity_w2 = np.sqrt(ot.emd2(a, a, ot.dist(s, y), numItermax=10_000_000))
    worst = max(worst, abs(w1 - float(ev.w1[i])), abs(w2 - float(ev.w2[i])), abs(mmd(x, y) - float(ev.mmd[i])),
                abs(identity_w2 - float(ev.identity_w2[i])))
check("mfm-evaluate: W1, W2, MMD and the identity baseline equal POT and NumPy to 1e-9", worst <= 1e-9, worst)
check("mfm-evaluate: the sources are the data file's populations",
      np.array_equal(ev.source.values, data.source.values[ev.data_index.values]))
test = ev.split.values == 2
check("mfm-evaluate: run.json's test W2 is the mean over the test populations",
      abs(stats["test_w2"] - float(ev.w2.values[test].mean())) <= 1e-12, (stats["test_w2"], float(ev.w2.values[test].mean())))
check_notebook(notebook_path, figure_path)
finish("meta-flow-matching python-checks")
