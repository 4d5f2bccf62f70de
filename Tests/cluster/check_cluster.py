"""xarray-side checks of the cluster runs (see run-cluster-checks.sh).

  check_cluster.py slurm <sweep dir> <preempted: yes|no>
  check_cluster.py mpi-ensemble <sweep dir>
  check_cluster.py data-parallel <one-rank run dir> <two-rank run dir>
  check_cluster.py wdno-data-parallel <one-rank run dir> <two-rank run dir>
  check_cluster.py mfm-data <sweep dir>
  check_cluster.py mfm-data-parallel <one-rank run dir> <two-rank run dir>
  check_cluster.py mfm-evaluate <sweep dir>
"""
import json
import pathlib
import sys

import numpy as np
import xarray as xr

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python"))
from checks import check, finish  # noqa: E402


def records(sweep):
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(sweep.glob("[0-9]*/run.json"))}


def check_gathered(sweep, members, swept):
    data = xr.open_dataset(sweep / "sweep.nc")
    check("gathered dataset has a member dimension of the sweep's size", data.sizes.get("member") == members, dict(data.sizes))
    for name in swept + ["seed", "replica"]:
        check(f"'{name}' is a coordinate over member", name in data.coords and data[name].dims == ("member",), list(data.coords))
    check("time is one shared coordinate", data["time"].dims == ("time",), data["time"].dims)
    for name in ["x", "y", "z"]:
        check(f"{name} is (member, time) and finite", data[name].dims == ("member", "time") and bool(np.isfinite(data[name]).all()))
    for m in range(members):
        own = xr.open_dataset(sweep / f"{m:04d}" / "output.nc")
        check(f"member {m}'s row equals its own output.nc", np.array_equal(data["x"].isel(member=m).values, own["x"].values))
    return data


def slurm(sweep, preempted):
    runs = records(sweep)
    check("all 4 members wrote run.json", sorted(runs) == ["0000", "0001", "0002", "0003"], sorted(runs))
    check("every member completed", all(r["status"] == "completed" for r in runs.values()),
          {k: r["status"] for k, r in runs.items()})
    tasks = sorted(r.get("process", {}).get("slurm_array_task_id", "") for r in runs.values())
    check("each member ran as its own Slurm array task", tasks == ["0", "1", "2", "3"], tasks)
    logs = sorted(p.name for p in sweep.glob("slurm-*_*.out"))
    check("one Slurm log per member", len(logs) == 4, logs)
    data = check_gathered(sweep, 4, ["method", "dt", "rho"])
    check("rho coordinate holds the grid", list(data["rho"].values) == [14.0, 28.0, 14.0, 28.0], data["rho"].values)
    if preempted == "yes":
        log = next(sweep.glob("slurm-*_3.out")).read_text()
        check("the preempted member checkpointed and was requeued", "requeueing it to resume" in log, log[-2000:])
        check("the requeued member resumed from its checkpoint", "resuming" in log, log[-2000:])
        restarts = runs["0003"].get("process", {}).get("slurm_restart_count", "0")
        check("Slurm counts a restart of member 3", int(restarts) >= 1, restarts)
    else:
        print("note: member 3 finished before it could be preempted; the requeue path was not exercised")


def mpi_ensemble(sweep):
    runs = records(sweep)
    check("all 6 members completed", len(runs) == 6 and all(r["status"] == "completed" for r in runs.values()),
          {k: r["status"] for k, r in runs.items()})
    ranks = {k: r.get("process", {}).get("mpi_rank") for k, r in runs.items()}
    check("rank r ran members r, r+2, r+4", ranks == {f"{m:04d}": m % 2 for m in range(6)}, ranks)
    sizes = {r.get("process", {}).get("mpi_size") for r in runs.values()}
    check("the ranks knew the world size", sizes == {2}, sizes)
    check_gathered(sweep, 6, ["rho"])


def data_parallel(one, two):
    a, b = xr.open_dataset(one / "output.nc"), xr.open_dataset(two / "output.nc")
    record = json.loads((two / "run.json").read_text())
    check("the 2-rank training recorded 2 MPI ranks", record.get("process", {}).get("mpi_size") == 2, record.get("process"))
    check("only rank 0 wrote the run", not any(two.parent.glob("**/output.nc.partial-*")))
    for name in ["loss", "gradient_norm", "trajectory_error", "pred_y"]:
        x, y = a[name].values, b[name].values
        scale = max(1.0, float(np.max(np.abs(x))))
        difference = float(np.max(np.abs(x - y)))
        check(f"{name}: 2 ranks match 1 rank to 1e-6 (max difference {difference:.2e})", x.shape == y.shape and difference <= 1e-6 * scale,
              difference)
    check("the learning rates are identical", np.array_equal(a["learning_rate"].values, b["learning_rate"].values))
    check("training reduced the loss", float(a["loss"][-20:].mean()) < 0.5 * float(a["loss"][:20].mean()))


def wdno_data_parallel(one, two):
    a, b = xr.open_dataset(one / "output.nc"), xr.open_dataset(two / "output.nc")
    record = json.loads((two / "run.json").read_text())
    check("the 2-rank wdno training recorded 2 MPI ranks", record.get("process", {}).get("mpi_size") == 2, record.get("process"))
    check("the wdno training ran data-parallel on both ranks", record.get("statistics", {}).get("ranks") == 2, record.get("statistics"))
    check("only rank 0 wrote the model", not any(two.parent.glob("**/output.nc.partial-*")))
    # Float32 gradients summed in another order: the curves agree to single-precision rounding.
    for name in ["loss", "gradient_norm"]:
        x, y = a[name].values, b[name].values
        difference = float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-12)))
        check(f"wdno {name}: 2 ranks match 1 rank to 1e-3 relative (max {difference:.2e})", x.shape == y.shape and difference <= 1e-3,
              difference)
    weights = [v for v in a.data_vars if v.startswith("parameter.ema.")]
    worst = max(float(np.max(np.abs(a[v].values - b[v].values))) for v in weights)
    check(f"wdno averaged weights agree to 1e-4 (max difference {worst:.2e})", bool(weights) and worst <= 1e-4, worst)


def array_members(sweep, count):
    runs = records(sweep)
    check(f"all {count} members of {sweep.name} completed", len(runs) == count and all(r["status"] == "completed" for r in runs.values()),
          {k: r["status"] for k, r in runs.items()})
    tasks = sorted(r.get("process", {}).get("slurm_array_task_id", "") for r in runs.values())
    check(f"each member of {sweep.name} ran as its own Slurm array task", tasks == [str(m) for m in range(count)], tasks)
    return runs


def mfm_data(sweep):
    runs = array_members(sweep, 2)
    seeds = sorted({r["seed"] for r in runs.values()})
    check("the two data members drew different seeds", len(seeds) == 2, seeds)
    data = xr.open_dataset(sweep / "sweep.nc")
    check("the gathered populations are (member, population, point, coordinate)",
          data["source"].dims == ("member", "population", "point", "coordinate"), data["source"].dims)
    check("both members hold the same split", np.array_equal(data["split"].isel(member=0).values, data["split"].isel(member=1).values))
    check("the members' populations differ (another noise draw)",
          not np.array_equal(data["source"].isel(member=0).values, data["source"].isel(member=1).values))


def mfm_data_parallel(one, two):
    a, b = xr.open_dataset(one / "output.nc"), xr.open_dataset(two / "output.nc")
    record = json.loads((two / "run.json").read_text())
    check("the mfm training ran data-parallel on 2 ranks", record.get("statistics", {}).get("ranks") == 2, record.get("statistics"))
    check("only rank 0 wrote the model", not any(two.parent.glob("**/output.nc.partial-*")))
    x, y = a["loss"].values, b["loss"].values
    difference = float(np.max(np.abs(x - y) / np.abs(x)))
    check(f"mfm loss: 2 ranks match 1 rank to 1e-4 relative (max {difference:.2e})", x.shape == y.shape and difference <= 1e-4, difference)
    weights = [v for v in a.data_vars if v.startswith("parameter.")]
    worst = max(float(np.max(np.abs(a[v].values - b[v].values))) for v in weights)
    check(f"mfm weights agree to 1e-5 (max difference {worst:.2e})", bool(weights) and worst <= 1e-5, worst)


def mfm_evaluate(sweep):
    array_members(sweep, 2)
    data = xr.open_dataset(sweep / "sweep.nc")
    for name in ["w1", "w2", "mmd"]:
        x, y = data[name].isel(member=0).values, data[name].isel(member=1).values
        difference = float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-12)))
        check(f"{name} of the 1-rank and 2-rank models agree to 1e-2 relative (max {difference:.2e})",
              bool(np.isfinite(x).all()) and difference <= 1e-2, difference)


def traffic_evaluate(sweep):
    runs = array_members(sweep, 4)
    data = xr.open_dataset(sweep / "sweep.nc")
    mae = data["mae"].values
    check("every member scored finite errors", bool(np.isfinite(mae).all()), mae)
    models = [r["scenario"]["parameters"]["model"] for _, r in sorted(runs.items())]
    check("the array covered both forecasters", sorted(set(models)) == ["historical-average", "persistence"], models)
    check("the forecasters' errors differ", float(np.max(np.abs(mae[0] - mae[1]))) > 1e-6 or float(np.max(np.abs(mae[0] - mae[2]))) > 1e-6, mae)


def traffic_data_parallel(one, two, tolerance):
    """`tolerance` 1e-4 for one full-batch step (the all-reduced gradient is the 1-rank gradient to
    rounding); looser over many Adam steps, because Adam turns rounding-level gradients of weights
    whose true gradient is zero (an attention key's bias: softmax ignores a shift common to all
    keys) into steps of the full learning rate, and the runs then drift apart chaotically (already
    within the first epoch of small batches: 7e-4 relative in its mean loss on an AMD EPYC, OpenBLAS
    core Zen)."""
    a, b = xr.open_dataset(one / "output.nc"), xr.open_dataset(two / "output.nc")
    record = json.loads((two / "run.json").read_text())
    check("the traffic training ran data-parallel on 2 ranks", record.get("statistics", {}).get("ranks") == 2, record.get("statistics"))
    check("only rank 0 wrote the model", not any(two.parent.glob("**/output.nc.partial-*")))
    x, y = a["training_loss"].values, b["training_loss"].values
    first = abs(x[0] - y[0]) / abs(x[0])
    check(f"traffic first-epoch loss: 2 ranks match 1 rank to {tolerance:g} relative ({first:.2e})", x.shape == y.shape and first <= tolerance, (x, y))
    for name in ["training_loss", "validation_mape"]:
        x, y = a[name].values, b[name].values
        difference = float(np.max(np.abs(x - y) / np.abs(x)))
        check(f"traffic {name}: 2 ranks match 1 rank to {tolerance:g} relative (max {difference:.2e})", x.shape == y.shape and difference <= tolerance, difference)
    weights = [v for v in a.data_vars if v.startswith("parameter.")]
    worst = max(float(np.max(np.abs(a[v].values - b[v].values))) for v in weights)
    check(f"traffic weights agree to {10 * tolerance:g} (max difference {worst:.2e})", bool(weights) and worst <= 10 * tolerance, worst)


mode = sys.argv[1]
if mode == "slurm":
    slurm(pathlib.Path(sys.argv[2]), sys.argv[3])
elif mode == "mpi-ensemble":
    mpi_ensemble(pathlib.Path(sys.argv[2]))
elif mode == "data-parallel":
    data_parallel(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
elif mode == "wdno-data-parallel":
    wdno_data_parallel(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
elif mode == "mfm-data":
    mfm_data(pathlib.Path(sys.argv[2]))
elif mode == "mfm-data-parallel":
    mfm_data_parallel(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
elif mode == "mfm-evaluate":
    mfm_evaluate(pathlib.Path(sys.argv[2]))
elif mode == "traffic-evaluate":
    traffic_evaluate(pathlib.Path(sys.argv[2]))
elif mode == "traffic-data-parallel":
    traffic_data_parallel(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), float(sys.argv[4]))
else:
    sys.exit(f"unknown mode {mode}")
finish(f"cluster checks ({mode})")
