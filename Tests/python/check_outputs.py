"""Python-side checks of a quickstart run, as a user's xarray session would see it.

usage: check_outputs.py RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG

Checks the CF metadata as xarray decodes it, the values against an independent RK4 in
NumPy, run.json, and that the executed notebook produced its figure. Prints
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

# CF metadata, as xarray decodes it.
check("global Conventions is CF-1.10", ds.attrs.get("Conventions") == "CF-1.10", ds.attrs.get("Conventions"))
for attribute in ["title", "history", "source", "institution"]:
    check(f"global attribute {attribute} present", attribute in ds.attrs and ds.attrs[attribute], ds.attrs)
check("history is timestamped", ds.attrs["history"][:4].isdigit() and "ndyn run" in ds.attrs["history"], ds.attrs["history"])
check("time is a dimension coordinate", "time" in ds.dims and "time" in ds.coords and "time" in ds.indexes, ds)
check("time has 4001 records", ds.sizes["time"] == 4001, ds.sizes)
time = ds["time"]
check("time decoded as float model time", np.issubdtype(time.dtype, np.floating), time.dtype)
check("time attributes", time.attrs.get("axis") == "T" and time.attrs.get("standard_name") == "time"
      and time.attrs.get("units") == "1" and "long_name" in time.attrs, time.attrs)
for name in ["x", "y", "z"]:
    variable = ds[name]
    check(f"{name} is on the time coordinate", variable.dims == ("time",) and "time" in variable.coords, variable.dims)
    check(f"{name} has units and long_name", variable.attrs.get("units") == "1"
          and variable.attrs.get("long_name", "").startswith(f"Lorenz {name}"), variable.attrs)
    check(f"{name} is float64 and finite", variable.dtype == np.float64 and np.isfinite(variable.values).all())
    encoding = variable.encoding
    check(f"{name} is deflated and chunked", encoding.get("zlib") and encoding.get("chunksizes"), encoding)

# Values: an independent fine-step RK4 in NumPy agrees with the adaptive solution at t = 1.
sigma, rho, beta = ds.attrs["lorenz_sigma"], ds.attrs["lorenz_rho"], ds.attrs["lorenz_beta"]
check("solver statistics recorded", ds.attrs.get("solver_method") == "Tsit5"
      and ds.attrs.get("solver_accepted_steps", 0) > 0 and ds.attrs.get("solver_rhs_evaluations", 0) > 0, ds.attrs)


def f(s):
    return np.array([sigma * (s[1] - s[0]), s[0] * (rho - s[2]) - s[1], s[0] * s[1] - beta * s[2]])


state = np.array([1.0, 1.0, 1.0])
dt = 1e-4
for _ in range(10_000):  # t = 1.0
    k1 = f(state); k2 = f(state + 0.5 * dt * k1); k3 = f(state + 0.5 * dt * k2); k4 = f(state + dt * k3)
    state = state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
at_one = ds.sel(time=1.0, method="nearest")
check("record at t=1 is at t=1", abs(float(at_one.time) - 1.0) < 1e-12, float(at_one.time))
difference = np.abs(np.array([at_one.x, at_one.y, at_one.z]) - state).max()
check("state at t=1 matches NumPy RK4 (dt=1e-4) to 1e-6", difference < 1e-6, difference)
late = ds.sel(time=slice(5, None))
check("trajectory stays on the attractor (|x|<25, |y|<35, 0<z<55)",
      (abs(late.x) < 25).all() and (abs(late.y) < 35).all() and ((late.z > 0) & (late.z < 55)).all())

# run.json
record = json.loads((run_dir / "run.json").read_text())
check("run.json says completed", record["status"] == "completed", record["status"])
check("run.json records the seed and scenario", record["seed"] == 42 and record["scenario"]["kind"] == "lorenz")
check("run.json records versions and wall time", "netcdf" in record["versions"] and record["wall_seconds"] >= 0)
machine = record.get("machine", {})
check("run.json records the CPU, the OpenBLAS core and FFTW",
      all(k in machine for k in ("cpu_model", "cpu_vector_units", "openblas_core", "openblas_threads", "fftw_version")),
      sorted(machine))
# On a CPU with AVX2 or AVX-512, the kernels are never OpenBLAS's generic SSE fallback (unless the
# user forced them with OPENBLAS_CORETYPE).
if machine.get("cpu_vector_units") in ("AVX2+FMA", "AVX-512") and machine.get("openblas_core_selection") != "user":
    check("OpenBLAS runs kernels for this CPU, not the generic fallback",
          machine.get("openblas_core_vector_units") not in ("SSE", None),
          f"{machine.get('openblas_core')} ({machine.get('openblas_core_vector_units')}) on {machine.get('cpu_vector_units')}")

# The executed notebook and its figure.
check_notebook(notebook_path, figure_path)
finish("python-checks")
