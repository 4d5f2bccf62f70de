"""Every notebook cell has an id (nbformat 4.5+), so executing the notebooks raises no
MissingIDFieldWarning. Usage: check_notebook_ids.py NOTEBOOK..."""
import json
import sys

bad = [f"{path}: cell {i}" for path in sys.argv[1:]
       for i, cell in enumerate(json.load(open(path))["cells"]) if "id" not in cell]
for line in bad:
    print("cell without an id:", line)
print(f"notebook-ids: {len(sys.argv) - 1 - len({b.split(':')[0] for b in bad})} passed, {len({b.split(':')[0] for b in bad})} failed")
sys.exit(1 if bad else 0)
