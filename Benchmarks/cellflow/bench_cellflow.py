"""Times the cell-flow simulation at the paper's scale (100,000 cells, 1000 s, 2046 segments) on
1 and 2 threads with the release ndyn and prints one JSON line per run for report.py.

usage: bench_cellflow.py <ndyn> <scenario.json> [threads, default 1,2]
"""
import json
import pathlib
import subprocess
import sys
import tempfile

ndyn, scenario = sys.argv[1], pathlib.Path(sys.argv[2])
base = json.loads(scenario.read_text())
for threads in [int(t) for t in (sys.argv[3] if len(sys.argv) > 3 else "1,2").split(",")]:
    with tempfile.TemporaryDirectory() as work:
        doc = dict(base, output=work, name=f"{base['name']}-t{threads}")
        doc["parameters"] = dict(base["parameters"], threads=threads)
        path = pathlib.Path(work) / "s.json"
        path.write_text(json.dumps(doc))
        subprocess.run([ndyn, "run", str(path), "--quiet"], check=True)
        stats = json.loads((pathlib.Path(work) / doc["name"] / "run.json").read_text())["statistics"]
        print(json.dumps({
            "problem": "cell-flow", "peer": "neuraldynamics", "method": f"{threads} thread" + ("s" if threads > 1 else ""),
            "threads": threads, "cells": stats["cells"], "simulated_seconds": stats["simulated_seconds"],
            "segments": stats["arterial_segments"] + stats["venous_segments"],
            "wall_seconds": stats["simulation_seconds"], "cell_seconds_per_second": stats["cell_seconds_per_second"],
            "decay_events": stats["decay_events"], "bound_at_end": stats["bound_at_end"],
        }), flush=True)
