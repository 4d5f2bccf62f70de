#!/bin/sh
# Build and run every peer once, then verify.  Output in results/.
set -e
cd "$(dirname "$0")"
mkdir -p results
make
./sundials_peer "$@" > results/sundials.jsonl
./sundials_peer --analytic-jacobian --problems hires,robertson,vanderpol "$@" > results/sundials_analyticJ.jsonl
.venv/bin/python python_peers.py "$@" > results/python.jsonl 2> results/python.stderr
.venv/bin/python verify_results.py results/sundials.jsonl results/sundials_analyticJ.jsonl results/python.jsonl
