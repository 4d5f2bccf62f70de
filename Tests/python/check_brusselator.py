"""Python-side checks of a brusselator-2d run, as a user's xarray session would see it.

usage: check_brusselator.py RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG
"""
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from checks import check, check_notebook, finish

run_dir, notebook_path, figure_path = map(Path, sys.argv[1:4])
ds = xr.open_dataset(run_dir / "output.nc")
record = json.loads((run_dir / "run.json").read_text())
parameters = record["scenario"]["parameters"]
n = parameters["grid"]

check("global Conventions is CF-1.10", ds.attrs.get("Conventions") == "CF-1.10", ds.attrs.get("Conventions"))
check("u and v are (time, y, x)", ds["u"].dims == ("time", "y", "x") and ds["v"].dims == ("time", "y", "x"))
check("the grid is N x N on [0, 1]", ds.sizes["x"] == n and ds.sizes["y"] == n
      and abs(float(ds.x[-1]) - 1) < 1e-12 and float(ds.x[0]) == 0)
check("time has axis T", ds["time"].attrs.get("axis") == "T")
check("records every save_every up to t_end",
      np.allclose(np.diff(ds.time.values), parameters["save_every"]) and abs(float(ds.time[-1]) - parameters["t_end"]) < 1e-9,
      ds.time.values)
# The initial state written is the analytic one: u = 22 (y(1-y))^1.5, v = 27 (x(1-x))^1.5.
x = ds.x.values
check("u(t=0) is 22 (y(1-y))^1.5", np.allclose(ds.u.isel(time=0).values, (22 * (x * (1 - x)) ** 1.5)[:, None] * np.ones(n)))
check("v(t=0) is 27 (x(1-x))^1.5", np.allclose(ds.v.isel(time=0).values, (27 * (x * (1 - x)) ** 1.5)[None, :] * np.ones((n, 1))))
check("concentrations stay finite and non-negative (to the tolerance)",
      bool(np.isfinite(ds.u).all() and np.isfinite(ds.v).all() and float(ds.u.min()) > -1e-5 and float(ds.v.min()) > -1e-5),
      (float(ds.u.min()), float(ds.v.min())))
stats = record["statistics"]
check("run.json records the stiff solve", stats["unknowns"] == 2 * n * n and stats["accepted_steps"] > 0
      and stats["final_time"] == parameters["t_end"], stats)
check_notebook(notebook_path, figure_path)
finish("brusselator python-checks")
