"""Python-side checks of a cell-flow run, as a user's xarray session would see it.

usage: check_cell_flow.py RUN_DIR EXECUTED_NOTEBOOK FIGURE_PNG
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
cells = record["scenario"]["parameters"]["cells"]

check("global Conventions is CF-1.10", ds.attrs.get("Conventions") == "CF-1.10", ds.attrs.get("Conventions"))
check("time is in seconds with axis T", ds["time"].attrs.get("units") == "s" and ds["time"].attrs.get("axis") == "T")
check("cells_in_organ is (time, organ, compartment)", ds["cells_in_organ"].dims == ("time", "organ", "compartment"))
total = ds["cells_in_organ"].sum(["organ", "compartment"]) + ds["cells_in_place"].sum("place")
check("every cell is counted once at every time", bool((total == cells).all()), np.unique(total.values))
check("all cells start in the injection state", int(ds["cells_in_place"].isel(time=0, place=0)) == cells)
tissue = ds["cells_in_organ"].isel(time=-1, compartment=slice(1, 3)).sum()
check("cells reach tissue compartments", int(tissue) > 0, int(tissue))
# Kirchhoff from the written network, independently of the Swift check.
flow = ds["artery_segment_flow"].values
net = np.zeros(ds.sizes["artery_node"])
np.add.at(net, ds["artery_segment_from"].values, flow)
np.add.at(net, ds["artery_segment_to"].values, -flow)
outlets = set(ds["artery_outlet_node"].values.tolist())
inlet = int(ds.attrs["artery_inlet_node"])
interior = [n for n in range(len(net)) if n not in outlets and n != inlet]
check("Kirchhoff holds at every interior node (xarray side)", np.max(np.abs(net[interior])) < 1e-10 * flow[0], np.max(np.abs(net[interior])))
# Poiseuille: flow = ΔP / R on every segment.
p = ds["artery_node_pressure"].values
dp = p[ds["artery_segment_from"].values] - p[ds["artery_segment_to"].values]
check("every segment obeys Q = ΔP / R", np.allclose(flow, dp / ds["artery_segment_resistance"].values, rtol=1e-9))
decay = ds["decay_weight"].values
check("decay weight is exp(-ln2 t / T½)", np.allclose(decay, np.exp(-np.log(2) * ds["time"].values / 6586.2)))
if int(ds.attrs["event_count"]) > 0:
    check("decay events fall inside the run", float(ds["event_time"].max()) <= float(ds["time"].max()))
moving = (run_dir / "moving_sources.txt").read_text().splitlines()
check("moving-source file has x y z t state lines", len(moving) > 10 and len(moving[2].split()) == 5, moving[:3])
check_notebook(notebook_path, figure_path)
finish("cell-flow python-checks")
