#!/usr/bin/env bash
# slurm-down.sh STATE_DIR
#
# Stop the test cluster started by slurm-up.sh STATE_DIR.  Only the processes
# recorded in STATE_DIR/pids are signalled, by PID (never by name), and only
# while /proc/PID/comm still names the recorded daemon, so a recycled PID is
# never hit.  Order: jobs still in the cluster are cancelled first (so their
# slurmstepd/job processes do not outlive slurmd), then slurmd, slurmctld,
# munged each get SIGTERM, and SIGKILL after SLURM_DOWN_TIMEOUT (default 15)
# seconds.  The state directory itself is left in place (logs stay readable).
# Safe to run twice, or on a STATE_DIR whose daemons already died.
set -uo pipefail

log() { printf '[slurm-down] %s\n' "$*" >&2; }

[[ $# -eq 1 ]] || { log "usage: $0 STATE_DIR"; exit 2; }
STATE_DIR=${1%/}
PIDS=$STATE_DIR/pids
TIMEOUT=${SLURM_DOWN_TIMEOUT:-15}

if [[ ! -f $PIDS ]]; then
    log "no $PIDS: nothing to stop"
    exit 0
fi

# Is PID still the daemon NAME we started?
# A zombie (exited, not yet reaped by its new parent) counts as gone.
is_ours() { # is_ours NAME PID
    local stat
    [[ $2 =~ ^[0-9]+$ ]] && kill -0 "$2" 2>/dev/null &&
        [[ $(cat "/proc/$2/comm" 2>/dev/null) == "$1" ]] || return 1
    stat=$(cat "/proc/$2/stat" 2>/dev/null) || return 1
    stat=${stat##*) }          # fields after "(comm) "; the first is the state
    [[ ${stat%% *} != Z ]]
}

# Read "name pid" lines; stop in reverse start order.
names=() pids=()
while read -r name pid; do
    [[ -n ${pid:-} ]] || continue
    names+=("$name") pids+=("$pid")
done <"$PIDS"

# Cancel leftover jobs while slurmctld/slurmd are still there to do it.  The
# client calls are bounded by timeout(1): with a wedged munged or slurmctld
# they would otherwise block for minutes.
ctld_alive=0
for i in "${!names[@]}"; do
    [[ ${names[i]} == slurmctld ]] && is_ours slurmctld "${pids[i]}" && ctld_alive=1
done
if ((ctld_alive)) && [[ -f $STATE_DIR/etc/slurm.conf ]]; then
    export SLURM_CONF=$STATE_DIR/etc/slurm.conf
    if [[ -n $(timeout 10 squeue -h -o %i 2>/dev/null) ]]; then
        log "cancelling jobs still in the queue"
        timeout 10 scancel --partition=debug 2>/dev/null || true
        for _ in $(seq 1 $((TIMEOUT * 2))); do
            [[ -z $(timeout 5 squeue -h -t RUNNING,COMPLETING,PENDING -o %i 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
fi

status=0
for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    name=${names[i]} pid=${pids[i]}
    if ! is_ours "$name" "$pid"; then
        log "$name (pid $pid) is not running"
        continue
    fi
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 $((TIMEOUT * 10))); do
        is_ours "$name" "$pid" || break
        sleep 0.1
    done
    if is_ours "$name" "$pid"; then
        log "$name (pid $pid) ignored SIGTERM for ${TIMEOUT} s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        sleep 0.5
        if is_ours "$name" "$pid"; then
            log "$name (pid $pid) survived SIGKILL"
            status=1
            continue
        fi
    fi
    log "stopped $name (pid $pid)"
done

# The short socket/spool directory slurm-up.sh uses when STATE_DIR is deep.
if ((status == 0)) && [[ -f $STATE_DIR/run/short-dir ]]; then
    d=$(cat "$STATE_DIR/run/short-dir")
    [[ $d == /tmp/slurm-?????? ]] && rm -rf "$d"
    rm -f "$STATE_DIR/run/short-dir"
fi

((status == 0)) && mv -f "$PIDS" "$PIDS.stopped"
exit "$status"
