#!/bin/bash
# Many-core scaling of the DNS step and the cell walk with the portable static bundle.
# usage: run.sh OUTDIR "grids" "threads" cells duration
set -u
OUTDIR=$1; GRIDS=$2; THREADS=$3; CELLS=$4; DURATION=$5
tar -xJf .device/bundle.tar.xz -C /tmp
B=/tmp/devbundle; export LD_LIBRARY_PATH=$B/lib
nproc > $OUTDIR/machine.txt; lscpu >> $OUTDIR/machine.txt 2>&1
$B/bin/ndyn info --system >> $OUTDIR/machine.txt 2>&1
OPENBLAS_VERBOSE=2 $B/bin/ndyn --version >> $OUTDIR/machine.txt 2>&1
cat $OUTDIR/machine.txt | grep -E "Model name|OpenBLAS|CPU:|Core|^[0-9]+$"
for t in ${THREADS//,/ }; do
  mkdir -p /tmp/cf
  cat > /tmp/cf/s$t.json <<JSON
{"kind": "cell-flow", "name": "cf$t", "seed": 1, "output": "/tmp/cf/runs",
 "parameters": {"cells": $CELLS, "duration": $DURATION, "generations": 9, "trajectory_cells": 0, "threads": $t}}
JSON
  $B/bin/ndyn run /tmp/cf/s$t.json --quiet
  echo "threads $t $(grep -o '"simulation_seconds": [0-9.e+-]*' /tmp/cf/runs/cf$t/run.json)" | tee -a $OUTDIR/cellflow.txt
done
$B/bin/fluids-bench $GRIDS --threads $THREADS | tee $OUTDIR/fluids.jsonl
