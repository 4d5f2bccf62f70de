"""Python-side checks of a neural-ode (spiral) run, as a user's xarray session would see it.

usage: check_neural_ode.py RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG

Checks the CF metadata and shapes as xarray decodes them, that training reduced the loss and the
trajectory error, the true trajectory against an independent RK4 in NumPy, run.json and the
checkpoint, and that the executed notebook produced its figure. Prints
"python-checks: N passed, M failed" and exits non-zero on any failure.
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
samples, iterations = parameters["samples"], parameters["iterations"]

# CF metadata and shapes.
check("global Conventions is CF-1.10", ds.attrs.get("Conventions") == "CF-1.10", ds.attrs.get("Conventions"))
for attribute in ["title", "history", "source", "institution", "references"]:
    check(f"global attribute {attribute} present", attribute in ds.attrs and ds.attrs[attribute], ds.attrs)
check("history is timestamped", ds.attrs["history"][:4].isdigit() and "ndyn run" in ds.attrs["history"], ds.attrs["history"])
for dim in ["iteration", "eval_iteration", "time", "component"]:
    check(f"{dim} is a dimension coordinate", dim in ds.dims and dim in ds.indexes, ds)
check("iteration is unlimited", ds.encoding.get("unlimited_dims") == {"iteration"}, ds.encoding.get("unlimited_dims"))
check(f"{iterations} iterations and {samples} times", ds.sizes["iteration"] == iterations and ds.sizes["time"] == samples,
      ds.sizes)
check("components are 1 and 2", list(ds["component"].values) == [1, 2], ds["component"].values)
check("time attributes", ds["time"].attrs.get("axis") == "T" and ds["time"].attrs.get("standard_name") == "time"
      and ds["time"].attrs.get("units") == "1", ds["time"].attrs)
for name in ["loss", "gradient_norm", "learning_rate", "trajectory_error", "true_y", "pred_y"]:
    variable = ds[name]
    check(f"{name} has units and long_name", "units" in variable.attrs and variable.attrs.get("long_name"), variable.attrs)
    check(f"{name} is float64 and finite", variable.dtype == np.float64 and np.isfinite(variable.values).all())
for name in ["true_y", "pred_y"]:
    check(f"{name} is (time, component)", ds[name].dims == ("time", "component") and ds[name].shape == (samples, 2),
          ds[name].dims)
check("time spans 0 ... t_end uniformly", np.allclose(ds["time"], np.linspace(0, parameters["t_end"], samples), rtol=0, atol=1e-12))

# Training did something.
loss = ds["loss"].values
window = max(1, iterations // 5)
check("loss decreased (mean of the last fifth < 0.6 x mean of the first fifth)",
      loss[-window:].mean() < 0.6 * loss[:window].mean(), (loss[:window].mean(), loss[-window:].mean()))
errors = ds["trajectory_error"]
check("trajectory error evaluated at 0 and at the last iteration",
      int(errors["eval_iteration"][0]) == 0 and int(errors["eval_iteration"][-1]) == iterations, errors["eval_iteration"].values)
final = ds.attrs["final_mean_absolute_error"]
recomputed = float(np.abs(ds["pred_y"] - ds["true_y"]).mean())
check("final_mean_absolute_error is mean |pred_y - true_y|", abs(final - recomputed) < 1e-12, (final, recomputed))
check("final error agrees with run.json and trajectory_error", final == record["statistics"]["final_mean_absolute_error"]
      and final == float(errors[-1]), (final, record["statistics"]["final_mean_absolute_error"]))
check("trained model beats the initial one", final < float(errors[0]), errors.values)

# The true trajectory: an independent fine-step RK4 in NumPy of dy/dt = (y^3) A (row vector times A).
A = np.array(ds.attrs["spiral_matrix"]).reshape(2, 2)
y = np.array(ds.attrs["initial_state"], dtype=float)
dt = float(ds["time"][1]) / 200
f = lambda s: (s ** 3) @ A
for _ in range(200 * 20):  # up to time[20]
    k1 = f(y); k2 = f(y + 0.5 * dt * k1); k3 = f(y + 0.5 * dt * k2); k4 = f(y + dt * k3)
    y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
difference = np.abs(ds["true_y"].isel(time=20).values - y).max()
check("true_y at time[20] matches NumPy RK4 to 1e-8", difference < 1e-8, difference)

# run.json and the checkpoint.
check("run.json says completed", record["status"] == "completed", record["status"])
check("run.json records the kind and seed", record["scenario"]["kind"] == "neural-ode" and record["seed"] == 0)
checkpoint = xr.open_dataset(run_dir / "checkpoint.nc")
check("checkpoint holds the trained parameters and Adam state",
      {"parameter.weight0", "parameter.bias0", "parameter.weight1", "parameter.bias1"} <= set(checkpoint.data_vars)
      and checkpoint.attrs.get("optimizer_kind") == "adam" and int(checkpoint.attrs.get("optimizer_step")) == iterations,
      list(checkpoint.data_vars))

# The executed notebook and its figure.
check_notebook(notebook_path, figure_path)
finish("neural-ode-checks")
