"""Prints the traffic table of VALIDATION.md from the members of Scenarios/traffic/traffic-evaluate-sweep.json
and the training runs' records.

usage: traffic_table.py [RUNS]      (RUNS: the folder the scenarios wrote into, default runs/)

Run after, from the repository's top directory:
  for m in gram-ode graph-ode gru; do .build/release/ndyn run Scenarios/traffic/traffic-train-$m.json; done
  .build/release/ndyn run Scenarios/traffic/traffic-evaluate-sweep.json
"""
import json
import pathlib
import sys

runs = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "runs")
members = sorted((runs / "traffic-evaluate-sweep").glob("[0-9]*/run.json"))
if not members:
    sys.exit(f"no members under {runs / 'traffic-evaluate-sweep'}: run Scenarios/traffic/traffic-evaluate-sweep.json first")

records = [json.loads(p.read_text()) for p in members]
names = {"persistence": "persistence", "historical-average": "historical average"}


def label(model):
    if model in names:
        return names[model]
    return pathlib.Path(model).parent.name.replace("traffic-train-", "")


def cell(s, metric, suffix):
    value = s.get(f"{metric}{suffix}")
    if value is None:
        return "–"
    return f"{value:.2f} %" if metric == "mape" else f"{value:.3f}"


print("Standard protocol (60/20/20, 381 test windows): MAE / RMSE / MAPE")
print()
print("| model | 15 min | 30 min | 60 min | all 12 horizons |")
print("|---|---|---|---|---|")
for r in records:
    p, s = r["scenario"]["parameters"], r.get("statistics", {})
    if p.get("protocol", "standard") != "standard":
        continue
    if r["status"] != "completed":
        print(f"| {label(p['model'])} | {r['status']} | | | |")
        continue
    row = [" / ".join(cell(s, m, suffix) for m in ("mae", "rmse", "mape")) for suffix in ("_15min", "_30min", "_60min", "")]
    print(f"| {label(p['model'])} | " + " | ".join(row) + " |")
print()
print("T-GCN's protocol (80/20; metrics pooled through each horizon): RMSE / MAE")
print()
print("| model | 15 min | 30 min | 60 min |")
print("|---|---|---|---|")
for r in records:
    p, s = r["scenario"]["parameters"], r.get("statistics", {})
    if p.get("protocol") != "tgcn" or r["status"] != "completed":
        continue
    row = [" / ".join(cell(s, m, suffix) for m in ("rmse", "mae")) for suffix in ("_15min", "_30min", "_60min")]
    print(f"| {label(p['model'])} | " + " | ".join(row) + " |")
print()
print("Training runs")
print()
print("| model | weights | epochs (best) | seconds per epoch | first → last epoch loss | best validation MAPE |")
print("|---|---:|---|---:|---|---:|")
for model in ("gram-ode", "graph-ode", "gru"):
    path = runs / f"traffic-train-{model}" / "run.json"
    if not path.exists():
        continue
    s = json.loads(path.read_text()).get("statistics", {})
    print(f"| {model} | {s.get('parameter_count')} | {s.get('epochs')} ({s.get('best_epoch')}) | {s.get('seconds_per_epoch', float('nan')):.0f} | "
          f"{s.get('initial_loss', float('nan')):.3f} → {s.get('final_loss', float('nan')):.3f} | {s.get('best_validation_mape', float('nan')):.2f} % |")
