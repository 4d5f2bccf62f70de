"""Python-side checks of an ns2d-dns reference and a tsm-rollout run.

usage: check_tsm.py REFERENCE_RUN_DIR ROLLOUT_RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG [TRAIN_RUN_DIR LEARNED_ROLLOUT_RUN_DIR]
"""
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from checks import check, check_notebook, finish

reference_dir, rollout_dir, notebook_path, figure_path = map(Path, sys.argv[1:5])
ref = xr.open_dataset(reference_dir / "output.nc")
roll = xr.open_dataset(rollout_dir / "output.nc")

check("DNS vorticity is (time, y, x) with CF axes", ref["vorticity"].dims == ("time", "y", "x")
      and ref["x"].attrs.get("axis") == "X" and ref["y"].attrs.get("axis") == "Y")
for m in (16, 32):
    check(f"{m}x{m} cell averages present", ref[f"vorticity_{m}"].shape[1:] == (m, m))
    # Cell averages of the DNS field: their mean equals the DNS field's mean (zero), per record.
    check(f"{m}x{m} averages have zero mean", float(np.abs(ref[f"vorticity_{m}"].mean(["x_{0}".format(m), "y_{0}".format(m)])).max()) < 1e-10)
# 16² averages are the block means of the 32² ones.
fine = ref["vorticity_32"].values
blocks = fine.reshape(fine.shape[0], 16, 2, 16, 2).mean(axis=(2, 4))
check("16² averages are block means of the 32² averages", np.allclose(blocks, ref["vorticity_16"].values, atol=1e-12))
check("energy stays finite and positive", bool((ref["energy"] > 0).all()) and bool(np.isfinite(ref["energy"]).all()))
check("rho is (run, time)", roll["rho"].dims == ("run", "time"))
check("rollouts start on the reference (rho(0) = 1: all compared as face velocities on the model grid)",
      bool((np.abs(roll["rho"].isel(time=0) - 1) < 1e-9).all()), roll["rho"].isel(time=0).values)
durations = roll["high_correlation_duration"].values
check("the finer grid stays correlated at least as long", durations[1] >= durations[0], durations)
check("rollout vorticity is (run, time, y, x) on the model grid",
      roll["vorticity"].dims == ("run", "time", "y", "x") and roll["vorticity"].shape[2:] == (16, 16))
# The reference's vorticity is JAX-CFD's curl of its 16² face velocities, at the cell corners.
u, v = ref["u_16"].values, ref["v_16"].values
spacing = 2 * np.pi / 16
curl = (np.roll(v, -1, axis=-1) - v) / spacing - (np.roll(u, -1, axis=-2) - u) / spacing
target = roll["reference_vorticity"].values
check("reference_vorticity is the curl of the reference's 16² face velocities",
      curl.shape == target.shape and np.allclose(target, curl, rtol=1e-5, atol=1e-5 * np.abs(curl).max()))
# rho is the correlation of the stored fields, at every record.
last = len(roll["time"]) - 1
a, b = roll["vorticity"].isel(run=0, time=last).values.ravel(), target[last].ravel()
check("rho is the correlation of the stored vorticity with reference_vorticity",
      abs(np.corrcoef(a, b)[0, 1] - float(roll["rho"][0, last])) < 1e-5, (np.corrcoef(a, b)[0, 1], float(roll["rho"][0, last])))
if len(sys.argv) > 6:
    train_dir, learned_dir = map(Path, sys.argv[5:7])
    train = xr.open_dataset(train_dir / "output.nc")
    learned = xr.open_dataset(learned_dir / "output.nc")
    check("training curve finite", bool(np.isfinite(train["loss"]).all()) and train.sizes["iteration"] == 30)
    check("trained weights stored with the model configuration",
          any(name.startswith("parameter.") for name in train.variables) and int(train.attrs["tsm_grid"]) == 16)
    check("held-out loss went down", train.attrs["final_validation_loss"] < train.attrs["initial_validation_loss"],
          (train.attrs["initial_validation_loss"], train.attrs["final_validation_loss"]))
    check("learned rollout starts on the reference", float(learned["rho"][0, 0]) > 0.9, float(learned["rho"][0, 0]))
    check("learned rollout stays finite", bool(np.isfinite(learned["vorticity"]).all()))
check_notebook(notebook_path, figure_path)
finish("tsm python-checks")
