#!/usr/bin/env bash
# The cluster checks of `make test` (issue #7), on this one machine:
#   1. a single-node Slurm (munged + slurmctld + slurmd, started here, stopped by PID at the end);
#      a 4-member sweep submitted as a real job array with `ndyn sweep sbatch` + `sbatch`,
#      one member preempted with SIGTERM mid-run (it checkpoints, requeues and resumes),
#      then `ndyn sweep gather` and xarray checks of the combined dataset;
#   2. a 2-rank `mpirun` ensemble (the ranks split the members of a sweep);
#   3. 2-rank data-parallel training that matches the 1-rank result (the neural ODE, and the
#      wavelet diffusion model);
#   5. (also on that Slurm) traffic forecasting: the evaluation as a Slurm job array (one task per
#      forecaster and protocol), and 2-rank data-parallel GRAM-ODE training against 1-rank (in 3);
#   4. (run while the Slurm of 1 is up) Meta Flow Matching on the cluster: the data scenario as a Slurm job array (one task per
#      seed), 2-rank data-parallel training against 1-rank, and the evaluation as a Slurm job array
#      (one task per trained model).
# Usage: run-cluster-checks.sh <ndyn> <python with xarray> <work dir>
set -euo pipefail

NDYN=$(realpath "$1")
PYTHON=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")   # not realpath: keep the venv's python
WORK=$(realpath -m "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STATE=$WORK/slurm
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"

log() { printf '[cluster-checks] %s\n' "$*"; }

# --- 1. Slurm job array --------------------------------------------------------------------
log "starting a single-node Slurm in $STATE"
"$HERE/slurm-up.sh" "$STATE" > "$WORK/slurm-env"
trap '"$HERE/slurm-down.sh" "$STATE" || true' EXIT
# shellcheck disable=SC1090
. "$STATE/env"

cat > sweep.json <<'JSON'
{
  "kind": "lorenz",
  "name": "cluster-sweep",
  "seed": 2024,
  "output": "runs",
  "description": "4-member sweep for the Slurm check: rho in {14, 28} x (adaptive Tsit5, fixed-step RK4 with 5 million steps); member 3 runs long enough to be preempted.",
  "parameters": {"t_end": 20, "save_at": 0.05},
  "sweep": {"list": [{"method": "Tsit5"}, {"method": "RK4", "dt": 4e-6}], "grid": {"rho": [14, 28]}},
  "checkpoint": {"every_steps": 400000}
}
JSON
"$NDYN" sweep plan sweep.json
"$NDYN" sweep sbatch sweep.json --partition debug --time 00:20:00 --cpus 1 | tee sbatch.out
SCRIPT=$WORK/runs/cluster-sweep/sweep.sbatch
grep -q -- '--array=0-3' "$SCRIPT"

JOB=$(sbatch --parsable "$SCRIPT")
log "submitted job array $JOB"

# Preempt member 3 (fixed-step RK4, ~10 s) while it runs: SIGTERM to its batch shell, which
# forwards it to ndyn; ndyn writes its checkpoint and exits 75; the script requeues the task.
deadline=$((SECONDS + 300))
preempted=no
while [ $SECONDS -lt $deadline ]; do
  state=$(squeue -h -j "${JOB}_3" -o %T 2>/dev/null || true)
  if [ "$state" = RUNNING ] && [ -f runs/cluster-sweep/0003/checkpoint.nc ]; then
    scancel --batch --signal=TERM "${JOB}_3"
    preempted=yes
    log "sent SIGTERM to member 3 after its first checkpoint"
    break
  fi
  if [ -f runs/cluster-sweep/0003/run.json ] && grep -q '"completed"' runs/cluster-sweep/0003/run.json; then
    break
  fi
  sleep 0.2
done

# Wait until every member has finished (its run.json says completed or failed) and the array
# has left the queue. Member files are the truth here: a squeue that fails under load must not
# end the wait early. Slurm holds a requeued task back for a while (its begin time); on this
# test cluster, let it start at once.
finished() {
  local count=0 m
  for m in 0000 0001 0002 0003; do
    grep -qE '"status": "(completed|failed)"' "runs/cluster-sweep/$m/run.json" 2>/dev/null && count=$((count + 1))
  done
  [ "$count" -eq 4 ]
}
released=no
until finished && [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ]; do
  if [ $SECONDS -ge $deadline ]; then
    squeue -j "$JOB" || true
    scontrol show job "$JOB" || true
    tail -n 5 runs/cluster-sweep/slurm-*.out || true
    log "the job array did not finish in time"
    exit 1
  fi
  if [ "$preempted" = yes ] && [ "$released" = no ] && [ "$(squeue -h -j "${JOB}_3" -o %T 2>/dev/null)" = PENDING ]; then
    scontrol update JobId="${JOB}_3" StartTime=now && released=yes && log "requeued member 3 released to start now"
  fi
  sleep 0.5
done
ls runs/cluster-sweep
"$NDYN" sweep gather runs/cluster-sweep

"$PYTHON" "$HERE/check_cluster.py" slurm "$WORK/runs/cluster-sweep" "$preempted"

# --- 4. (while Slurm is up) Meta Flow Matching: Slurm arrays for data and evaluation, data-parallel training
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# Submits a sweep as a job array and waits until its <count> members have finished.
run_array() {
  local scenario=$1 directory=$2 count=$3 job m done_count
  "$NDYN" sweep sbatch "$scenario" --partition debug --time 00:10:00 --cpus 1 > /dev/null
  job=$(sbatch --parsable "$directory/sweep.sbatch")
  log "submitted job array $job ($scenario)"
  local until=$((SECONDS + 300))
  while :; do
    done_count=0
    for ((m = 0; m < count; m++)); do
      grep -qE '"status": "(completed|failed)"' "$directory/$(printf %04d "$m")/run.json" 2>/dev/null && done_count=$((done_count + 1))
    done
    if [ "$done_count" -eq "$count" ] && [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; then break; fi
    if [ $SECONDS -ge $until ]; then
      squeue -j "$job" || true
      tail -n 5 "$directory"/slurm-*.out || true
      log "the job array $job did not finish in time"
      exit 1
    fi
    sleep 0.5
  done
  "$NDYN" sweep gather "$directory"
}
cat > mfm-data.json <<'JSON'
{"kind": "mfm-data", "name": "mfm-data-seeds", "seed": 3, "output": "runs",
 "description": "Two draws of the miniature letters data, one Slurm array task each.",
 "parameters": {"benchmark": "letters", "points_per_population": 64, "rotations_per_letter": 2},
 "sweep": {"replicas": 2}}
JSON
run_array mfm-data.json "$WORK/runs/mfm-data-seeds" 2
"$PYTHON" "$HERE/check_cluster.py" mfm-data "$WORK/runs/mfm-data-seeds"
cat > mfm-train.json <<JSON
{"kind": "mfm-train", "name": "mfm-data-parallel", "seed": 4,
 "parameters": {"training_data": "$WORK/runs/mfm-data-seeds/0000/output.nc", "model": "mfm", "iterations": 40,
                "populations_per_batch": 4, "points_per_batch": 32, "neighbours": 5, "encoder_width": 16, "encoder_layers": 2,
                "time_dimension": 8, "field_width": 32, "field_depth": 2}}
JSON
"$NDYN" run mfm-train.json --output one-rank --quiet
mpirun --oversubscribe -n 2 "$NDYN" run mfm-train.json --output two-ranks --quiet
"$PYTHON" "$HERE/check_cluster.py" mfm-data-parallel "$WORK/one-rank/mfm-data-parallel" "$WORK/two-ranks/mfm-data-parallel"
cat > mfm-evaluate.json <<JSON
{"kind": "mfm-evaluate", "name": "mfm-evaluate-models", "seed": 0, "output": "runs",
 "description": "The 1-rank and the 2-rank model scored on the same populations, one Slurm array task each.",
 "parameters": {"training_populations": 2},
 "sweep": {"list": [{"model": "$WORK/one-rank/mfm-data-parallel/output.nc"}, {"model": "$WORK/two-ranks/mfm-data-parallel/output.nc"}]}}
JSON
run_array mfm-evaluate.json "$WORK/runs/mfm-evaluate-models" 2
"$PYTHON" "$HERE/check_cluster.py" mfm-evaluate "$WORK/runs/mfm-evaluate-models"
cat > traffic-evaluate.json <<JSON
{"kind": "traffic-evaluate", "name": "traffic-evaluate-array", "seed": 0, "output": "runs",
 "description": "Persistence and the historical average on both protocols (first 24 Los-loop sensors), one Slurm array task each.",
 "parameters": {"series": "$ROOT/Data/traffic/los-loop/los_speed.csv", "graph": "$ROOT/Data/traffic/los-loop/los_adj.csv",
                "locations": "$ROOT/Data/traffic/los-loop/graph_sensor_locations.csv", "sensors": 24, "horizon": 3},
 "sweep": {"grid": {"model": ["persistence", "historical-average"], "protocol": ["standard", "tgcn"]}}}
JSON
run_array traffic-evaluate.json "$WORK/runs/traffic-evaluate-array" 4
"$PYTHON" "$HERE/check_cluster.py" traffic-evaluate "$WORK/runs/traffic-evaluate-array"

"$HERE/slurm-down.sh" "$STATE"
trap - EXIT

# --- 2. MPI ensemble -------------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
MPIRUN=(mpirun --oversubscribe -n 2)
cat > ensemble.json <<'JSON'
{"kind": "lorenz", "name": "mpi-ensemble", "seed": 7, "output": "runs",
 "parameters": {"t_end": 5, "save_at": 0.05},
 "sweep": {"grid": {"rho": [10, 20, 28]}, "replicas": 2}}
JSON
"${MPIRUN[@]}" "$NDYN" run ensemble.json --quiet
"$NDYN" sweep gather runs/mpi-ensemble
"$PYTHON" "$HERE/check_cluster.py" mpi-ensemble "$WORK/runs/mpi-ensemble"

# --- 3. Data-parallel training ----------------------------------------------------------------
cat > train.json <<'JSON'
{"kind": "neural-ode", "name": "data-parallel", "seed": 5,
 "parameters": {"t_end": 5, "samples": 200, "iterations": 150, "batch_size": 10, "batch_time": 5,
                "learning_rate": 0.01, "lr_final": 0.001, "warmup": 5, "rtol": 1e-6, "atol": 1e-8, "eval_every": 10}}
JSON
"$NDYN" run train.json --output one-rank --quiet
"${MPIRUN[@]}" "$NDYN" run train.json --output two-ranks --quiet
"$PYTHON" "$HERE/check_cluster.py" data-parallel "$WORK/one-rank/data-parallel" "$WORK/two-ranks/data-parallel"
cat > wdno-data.json <<'JSON'
{"kind": "wdno-data", "name": "wdno-data", "seed": 1,
 "parameters": {"train_trajectories": 8, "test_trajectories": 1, "duration": 1.6, "intervals": 16, "points": 24,
                "solver_modes": 63, "solver_step": 0.004}}
JSON
"$NDYN" run wdno-data.json --output data --quiet
cat > wdno-train.json <<JSON
{"kind": "wdno-train", "name": "wdno-data-parallel", "seed": 2,
 "parameters": {"training_data": "$WORK/data/wdno-data/output.nc", "iterations": 10, "batch_size": 8,
                "learning_rate": 0.002, "width": 8, "multipliers": [1, 2], "groups": 2}}
JSON
"$NDYN" run wdno-train.json --output one-rank --quiet
"${MPIRUN[@]}" "$NDYN" run wdno-train.json --output two-ranks --quiet
"$PYTHON" "$HERE/check_cluster.py" wdno-data-parallel "$WORK/one-rank/wdno-data-parallel" "$WORK/two-ranks/wdno-data-parallel"
cat > traffic-train.json <<JSON
{"kind": "traffic-train", "name": "traffic-data-parallel", "seed": 6,
 "parameters": {"series": "$ROOT/Data/traffic/los-loop/los_speed.csv", "graph": "$ROOT/Data/traffic/los-loop/los_adj.csv",
                "locations": "$ROOT/Data/traffic/los-loop/graph_sensor_locations.csv", "sensors": 32, "model": "gram-ode",
                "width": 4, "blocks": 1, "attention_width": 8, "epochs": 2, "batch_size": 32, "learning_rate": 0.001}}
JSON
# One full-batch step (the all-reduced gradient), then 2 epochs of 32-window batches (the epoch and
# optimizer bookkeeping; looser: Adam amplifies rounding, see check_cluster.py).
"$NDYN" run traffic-train.json --output one-step --quiet --set parameters.epochs=1 --set parameters.batch_size=2000
"${MPIRUN[@]}" "$NDYN" run traffic-train.json --output two-ranks-one-step --quiet --set parameters.epochs=1 --set parameters.batch_size=2000
"$PYTHON" "$HERE/check_cluster.py" traffic-data-parallel "$WORK/one-step/traffic-data-parallel" "$WORK/two-ranks-one-step/traffic-data-parallel" 1e-4
"$NDYN" run traffic-train.json --output one-rank --quiet
"${MPIRUN[@]}" "$NDYN" run traffic-train.json --output two-ranks --quiet
"$PYTHON" "$HERE/check_cluster.py" traffic-data-parallel "$WORK/one-rank/traffic-data-parallel" "$WORK/two-ranks/traffic-data-parallel" 1e-2
log "all cluster checks passed"
