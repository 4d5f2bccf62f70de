"""Python-side checks of a wdno-data run (the Burgers control trajectories), as a user's xarray
session would see them: CF layout, the split, the draws' distributions, and the physics — the
initial rows are the two Gaussian bumps, and between the recorded times the energy budget
d/dt ∫u²/2 = −ν∫u_x² + ∫u f holds to the discretisation error.

usage: check_wdno_data.py RUN_DIR
"""
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from checks import check, finish

run_dir = Path(sys.argv[1])
ds = xr.open_dataset(run_dir / "output.nc")
record = json.loads((run_dir / "run.json").read_text())
p = record["scenario"]["parameters"]
train, test = p["train_trajectories"], p["test_trajectories"]

check("global Conventions is CF-1.10", ds.attrs.get("Conventions") == "CF-1.10", ds.attrs.get("Conventions"))
check("u is (trajectory, time, x) 81 x 120", ds["u"].dims == ("trajectory", "time", "x") and ds.u.shape == (train + test, 81, 120), ds.u.shape)
check("f is (trajectory, control_time, x) 80 x 120", ds["f"].dims == ("trajectory", "control_time", "x") and ds.f.shape == (train + test, 80, 120))
check("times 0, 0.1, ..., 8", np.allclose(ds.time.values, np.arange(81) * 0.1))
check("control intervals have bounds", ds["control_time"].attrs.get("bounds") == "control_time_bounds"
      and np.allclose(ds.control_time_bounds.values[:, 1] - ds.control_time_bounds.values[:, 0], 0.1))
check("x_m = (m + 1)/121", np.allclose(ds.x.values, (np.arange(120) + 1) / 121))
check("split: the first train_trajectories are training", list(ds.is_test.values) == [0] * train + [1] * test, ds.is_test.values)
check("u and f are finite and of moderate size", bool(np.isfinite(ds.u).all() and np.isfinite(ds.f).all()
      and float(abs(ds.u).max()) < 10 and float(abs(ds.f).max()) < 30), (float(abs(ds.u).max()), float(abs(ds.f).max())))
# u0 = a1 g(x; c1 in [0.2, 0.4]) + a2 g(x; c2 in [0.6, 0.8]): a clear positive bump peaks on the left, a
# clear negative one on the right (a bump whose amplitude drew near 0 can be swamped by the other).
u0 = ds.u.isel(time=0).values
x = ds.x.values
peaks, troughs = x[np.argmax(u0, axis=1)], x[np.argmin(u0, axis=1)]
clear_peak, clear_trough = u0.max(axis=1) > 0.3, u0.min(axis=1) < -0.3
check("initial rows: clear positive bumps peak in [0.15, 0.45], clear negative ones in [0.55, 0.85], |u0| <= 2",
      bool(np.all((peaks[clear_peak] > 0.15) & (peaks[clear_peak] < 0.45))
           and np.all((troughs[clear_trough] > 0.55) & (troughs[clear_trough] < 0.85))
           and np.abs(u0).max() <= 2 + 1e-6 and clear_peak.any() and clear_trough.any()))
# Energy budget on the recorded grid: E(t) = ∫u²/2; dE/dt = −ν∫u_x² + ∫u f (trapezoid in time).
nu, dx = p.get("viscosity", 0.01), 1 / 121
u = ds.u.values.astype(np.float64)
f = ds.f.values.astype(np.float64)
padded = np.pad(u, ((0, 0), (0, 0), (1, 1)))
energy = 0.5 * (u ** 2).sum(axis=2) * dx
dissipation = nu * ((np.diff(padded, axis=2) / dx) ** 2).sum(axis=2) * dx
work = np.einsum("ntx,ntx->nt", u[:, :-1] + u[:, 1:], f) * 0.5 * dx
predicted = -0.5 * (dissipation[:, :-1] + dissipation[:, 1:]) * 0.1 + work * 0.1
actual = np.diff(energy, axis=1)
scale = np.abs(actual).mean() + np.abs(predicted).mean()
residual = np.abs(actual - predicted).mean() / scale
check("energy budget dE = (-nu int u_x^2 + int u f) dt holds to the grid's accuracy (mean relative residual < 0.15)",
      residual < 0.15, residual)
print(f"wdno-data: {train + test} trajectories, max |u| {float(abs(ds.u).max()):.3f}, energy-budget residual {residual:.3f}")
finish("wdno-data python-checks")
