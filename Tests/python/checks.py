"""Shared pieces of the Python-side checks: recording results, the executed-notebook checks, and
the closing "N passed, M failed" line (which CI reads)."""
import json
import sys

results = []


def check(name, condition, detail=""):
    """Records one check and prints ok/FAIL with the detail on failure."""
    results.append(bool(condition))
    print(("ok    " if condition else "FAIL  ") + name + ("" if condition else f": {detail}"))


def check_notebook(notebook_path, figure_path):
    """The executed notebook ran without errors, showed the dataset and wrote its PNG figure."""
    notebook = json.loads(notebook_path.read_text())
    outputs = [o for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    check("notebook ran without errors", not errors, errors)
    check("notebook shows the xarray dataset",
          any("xarray.Dataset" in "".join(o.get("data", {}).get("text/plain", [])) for o in outputs))
    figure = figure_path.read_bytes() if figure_path.exists() else b""
    check("notebook wrote its PNG figure", figure.startswith(b"\x89PNG") and len(figure) > 20_000, len(figure))


def finish(label):
    """Prints '<label>: N passed, M failed' and exits non-zero on any failure."""
    passed = sum(results)
    failed = len(results) - passed
    print(f"{label}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
