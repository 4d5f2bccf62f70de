"""Python-side checks of the quick wdno-simulate and wdno-control runs, as a user's xarray session
would see them, and of the notebook that plots them.

usage: check_wavelet_diffusion.py SIMULATE_RUN_DIR CONTROL_RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG [FNO_SIMULATE_RUN_DIR]
"""
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from checks import check, check_notebook, finish

sim_dir, ctl_dir, notebook_path, figure_path = map(Path, sys.argv[1:5])
sim = xr.open_dataset(sim_dir / "output.nc")
ctl = xr.open_dataset(ctl_dir / "output.nc")
stats = json.loads((sim_dir / "run.json").read_text())["statistics"]
cstats = json.loads((ctl_dir / "run.json").read_text())["statistics"]

check("u_predicted and u_true are (trajectory, time, x)", sim.u_predicted.dims == ("trajectory", "time", "x")
      and sim.u_predicted.shape == sim.u_true.shape)
mse = ((sim.u_predicted.astype(float) - sim.u_true.astype(float)).isel(time=slice(1, None)) ** 2).mean(dim=["time", "x"])
check("the recorded MSE is the mean over t >= dt of the stored fields", np.allclose(mse.values, sim.mse.values, rtol=1e-5),
      (mse.values, sim.mse.values))
check("run.json's MSE is the mean over trajectories", abs(stats["mse"] - float(sim.mse.mean())) <= 1e-9 * max(1, stats["mse"]))
check("the persistence baseline is u(t) = u0", np.allclose(
    ((sim.u_true.isel(time=0) - sim.u_true.isel(time=slice(1, None))).astype(float) ** 2).mean(dim=["time", "x"]).values,
    sim.mse_persistence.values, rtol=1e-5))
check("control: J = J_actual + 2e-5 energy", abs(cstats["j"] - (cstats["j_actual"] + 2e-5 * cstats["energy"])) <= 1e-9 * max(1, cstats["j"]))
check("control: J_actual is the re-simulated final state against the target",
      np.allclose(((ctl.u_final - ctl.u_target) ** 2).mean(dim="x").values, ctl.j_actual.values, rtol=1e-9))
check("control: the data's own control reaches the target at the quick data's resolution", float(ctl.j_actual_data.max()) < 1e-8,
      float(ctl.j_actual_data.max()))
if len(sys.argv) > 5:
    fno_dir = Path(sys.argv[5])
    fno = xr.open_dataset(fno_dir / "output.nc")
    fstats = json.loads((fno_dir / "run.json").read_text())["statistics"]
    fmse = ((fno.u_predicted.astype(float) - fno.u_true.astype(float)).isel(time=slice(1, None)) ** 2).mean(dim=["time", "x"])
    check("FNO: the recorded MSE is the mean over t >= dt of the stored fields", np.allclose(fmse.values, fno.mse.values, rtol=1e-5),
          (fmse.values, fno.mse.values))
    check("FNO: one network evaluation per batch, recorded as an FNO run", fstats["model"] == "fno" and fstats["network_evaluations"] >= 1, fstats)
    check("FNO: the first row is the given u0", np.array_equal(fno.u_predicted.isel(time=0).values, fno.u_true.isel(time=0).values))
    notebook_text = notebook_path.read_text()
    check("the notebook found the FNO baseline", "baselines found: ['FNO']" in notebook_text)
check_notebook(notebook_path, figure_path)
finish("wavelet-diffusion python-checks")
