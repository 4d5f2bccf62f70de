#!/usr/bin/env bash
# slurm-up.sh STATE_DIR
#
# Bring up a throw-away, single-node Slurm cluster (munged + slurmctld +
# slurmd) on this machine, for tests.  Meant for CI on a clean Debian 12
# machine or container, run as root, with or without systemd.
#
#  * Installs the Debian packages slurm-wlm and munge if they are missing.
#  * Keeps every config, key, socket, log, pid and spool file under STATE_DIR
#    (an absolute path; created if needed).  /etc/slurm and /etc/munge are not
#    touched, so clients must use SLURM_CONF: the script prints
#        export SLURM_CONF=STATE_DIR/etc/slurm.conf
#    on stdout (all progress messages go to stderr) and writes the same line
#    to STATE_DIR/env.  Typical use:
#        eval "$(./slurm-up.sh /tmp/slurm)"     # or: . /tmp/slurm/env
#  * Starts the daemons in the foreground (-F / -D) in the background with
#    nohup setsid, so the PIDs recorded in STATE_DIR/pids ("name pid" per
#    line, in start order) are the daemons' real PIDs.  Stop them with
#    slurm-down.sh.
#  * Waits until sinfo reports the node idle (timeout SLURM_UP_TIMEOUT, 60 s);
#    on failure prints the daemon logs, stops what it started and exits 1.
#
# Environment knobs (all optional):
#   SLURMCTLD_PORT / SLURMD_PORT  fixed ports; the script fails if one is in
#                                 use.  Unset: the first free ports counting
#                                 up from 6817 / 6818 are used.
#   SLURM_NODE_NAME               node name (default: hostname -s)
#   SLURM_CPUS                    CPUs of the node (default: nproc)
#   SLURM_REAL_MEMORY             RealMemory in MB (default: 4000)
#   SLURM_UP_TIMEOUT              seconds to wait for an idle node (default 60)
set -euo pipefail

log() { printf '[slurm-up] %s\n' "$*" >&2; }
die() { printf '[slurm-up] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 STATE_DIR   (an absolute path)"
STATE_DIR=$1
[[ $STATE_DIR == /* ]] || die "STATE_DIR must be an absolute path, got '$STATE_DIR'"
STATE_DIR=${STATE_DIR%/}
[[ $(id -u) -eq 0 ]] || die "must run as root (daemons run as root, apt-get may be needed)"

NODE=${SLURM_NODE_NAME:-$(hostname -s)}
CPUS=${SLURM_CPUS:-$(nproc)}
REAL_MEMORY=${SLURM_REAL_MEMORY:-4000}
UP_TIMEOUT=${SLURM_UP_TIMEOUT:-60}
[[ -n $NODE ]] || die "could not determine a node name (hostname -s is empty); set SLURM_NODE_NAME"

t_start=$SECONDS

# --------------------------------------------------------------------------
# 1. Packages.  Only touch apt when something is missing.
# --------------------------------------------------------------------------
pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for p in munge slurmctld slurmd slurm-client; do
    pkg_installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing slurm-wlm munge (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    # The packages' maintainer scripts try to start munge/slurmd/slurmctld
    # through invoke-rc.d.  We start our own daemons with our own config, so
    # forbid that with a policy-rc.d (exit 101) for the duration of the
    # install, unless the machine already has one (Docker-style images do).
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
        own_policy=1
    fi
    rc=0
    {
        apt-get update -qq &&
            apt-get install -y -qq --no-install-recommends slurm-wlm munge
    } >&2 || rc=$?
    ((own_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get failed (exit $rc)"
    log "install took $((SECONDS - t_start)) s"
fi
for b in munged munge unmunge slurmctld slurmd sinfo scontrol; do
    command -v "$b" >/dev/null || die "'$b' not found on PATH after install"
done

# --------------------------------------------------------------------------
# 2. State directory.  Refuse to start over a cluster that is still running.
# --------------------------------------------------------------------------
# True while PID exists and has not exited (a zombie, i.e. an exited process
# its parent has not reaped yet, counts as exited).
is_running() { # is_running PID
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }   # the state letter follows "(comm) "
    [[ ${stat%% *} != Z ]]
}

PIDS=$STATE_DIR/pids
if [[ -f $PIDS ]]; then
    while read -r name pid; do
        [[ -n ${pid:-} ]] || continue
        if is_running "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]; then
            die "$name (pid $pid) from a previous run is still alive; run slurm-down.sh $STATE_DIR first"
        fi
    done <"$PIDS"
fi

# Only the sub-directories this script owns are wiped, never STATE_DIR itself
# (plus a short socket directory a previous, not cleanly stopped run left).
if [[ -f $STATE_DIR/run/short-dir ]]; then
    old=$(cat "$STATE_DIR/run/short-dir")
    [[ $old == /tmp/slurm-?????? ]] && rm -rf "$old"
fi
mkdir -p "$STATE_DIR"
chmod 0755 "$STATE_DIR"
for d in etc munge log run ctld slurmd; do
    rm -rf "${STATE_DIR:?}/$d"
done
rm -f "$PIDS" "$STATE_DIR/env"
# munge/ must be searchable by everybody (munged warns otherwise and non-root
# clients could not reach the socket); the key inside is 0400 root.
install -d -m 0755 "$STATE_DIR/etc" "$STATE_DIR/log" "$STATE_DIR/run" "$STATE_DIR/munge"
install -d -m 0700 "$STATE_DIR/ctld"

CONF=$STATE_DIR/etc/slurm.conf
MUNGE_KEY=$STATE_DIR/munge/munge.key
MUNGE_SOCKET=$STATE_DIR/munge/munge.socket
SPOOL=$STATE_DIR/slurmd
# Unix socket paths must fit in sun_path (107 bytes + NUL).  Two sockets live
# under STATE_DIR: munged's, and the one slurmd/slurmstepd create per job step
# in SlurmdSpoolDir, named NODE_JOBID.STEPID (STEPID can be 10 digits, e.g.
# 4294967291 for the batch step).  If the step socket is too long, every job
# fails to launch and is left "launch failed requeued held" (so sbatch --wait
# never returns).  For a deep STATE_DIR both therefore go to a short directory
# under /tmp, which slurm-down.sh removes (its name is kept in run/short-dir).
if ((${#SPOOL} + ${#NODE} + 24 > 107 || ${#MUNGE_SOCKET} > 100)); then
    short=$(mktemp -d /tmp/slurm-XXXXXX)
    chmod 0755 "$short"
    MUNGE_SOCKET=$short/munge.socket
    SPOOL=$short/slurmd
    echo "$short" >"$STATE_DIR/run/short-dir"
    log "STATE_DIR is too long for unix sockets; munge socket and slurmd spool go to $short"
fi
install -d -m 0700 "$SPOOL"

# --------------------------------------------------------------------------
# 3. Ports.  A port counts as taken when something LISTENs on it (read from
#    /proc/net/tcp{,6}, so no extra tools are needed).
# --------------------------------------------------------------------------
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p="$hex" 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); if (a[n] == p) found = 1 }
                     END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
pick_port() { # pick_port VALUE_FROM_ENV DEFAULT AVOID NAME
    local want=$1 p=$2 avoid=$3 name=$4
    if [[ -n $want ]]; then
        [[ $want =~ ^[0-9]+$ ]] || die "$name='$want' is not a port number"
        port_in_use "$want" && die "$name=$want is already in use"
        [[ $want != "$avoid" ]] || die "SLURMCTLD_PORT and SLURMD_PORT must differ"
        echo "$want"
        return
    fi
    while port_in_use "$p" || [[ $p == "$avoid" ]]; do
        p=$((p + 1))
        ((p < 65000)) || die "no free port found for $name"
    done
    echo "$p"
}
CTLD_PORT=$(pick_port "${SLURMCTLD_PORT:-}" 6817 0 SLURMCTLD_PORT)
SLURMD_PORT=$(pick_port "${SLURMD_PORT:-}" 6818 "$CTLD_PORT" SLURMD_PORT)

# --------------------------------------------------------------------------
# 4. Config files.
# --------------------------------------------------------------------------
# Munge key: 1024 random bytes, owned by root (munged runs as root here) and
# readable by nobody else, as munged insists.
head -c 1024 /dev/urandom >"$MUNGE_KEY"
chmod 0400 "$MUNGE_KEY"

# Node and controller are both reached at 127.0.0.1 so no name resolution of
# the host name is needed.  Plugins are the ones that need no cgroups, no
# database and no systemd.  SlurmdParameters=config_overrides makes slurmd
# trust the CPUs/RealMemory written here instead of draining the node when the
# hardware it detects differs (common in containers and VMs).
cat >"$CONF" <<EOF
# Generated by slurm-up.sh for a throw-away single-node test cluster.
ClusterName=testcluster
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root

AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET

StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$STATE_DIR/run/slurmctld.pid
SlurmdPidFile=$STATE_DIR/run/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MailProg=/bin/true
# Seconds between SIGTERM and SIGKILL when a job is cancelled or times out.
KillWait=10

NodeName=$NODE NodeHostname=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MEMORY State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
# cgroup.conf (read from next to slurm.conf) is needed even though nothing
# here uses cgroups: slurmd 22.05 always initialises a cgroup plugin, and with
# the default CgroupPlugin=autodetect it dies at start-up when /sys/fs/cgroup
# has no cgroups ("can't stat /sys/fs/cgroup/systemd/ ... Unable to initialize
# cgroup plugin") or only a cgroup2 mount ("fatal: Hybrid mode is not
# supported").  With cgroup/v1 named explicitly slurmd started and ran jobs
# in all those layouts (tested: v1 hybrid, empty tmpfs, cgroup2 only), as no
# cgroup-based proctrack/task/jobacct plugin asks it to create cgroups.
cat >"$STATE_DIR/etc/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF

export SLURM_CONF=$CONF
echo "export SLURM_CONF=$CONF" >"$STATE_DIR/env"

# --------------------------------------------------------------------------
# 5. Daemons.  Every client call below runs under timeout(1): a client talking
#    to a wedged munged/slurmctld can otherwise block for minutes.
# --------------------------------------------------------------------------
started=()   # "name pid" of what this run started, for clean-up on failure

stop_started() {
    local entry name pid i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        read -r name pid <<<"${started[i]}"
        kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 2
    for entry in "${started[@]}"; do
        read -r name pid <<<"$entry"
        kill -KILL "$pid" 2>/dev/null || true
    done
}

fail() {
    local f
    printf '[slurm-up] ERROR: %s\n' "$*" >&2
    # The daemons run in the foreground, so NAME.out (their stdout/stderr)
    # holds everything they logged, including errors from before the log
    # file was opened.
    for f in "$STATE_DIR"/log/*.out; do
        [[ -f $f ]] || continue
        printf '\n===== %s (last 60 lines) =====\n' "$f" >&2
        tail -n 60 "$f" >&2
    done
    stop_started
    exit 1
}

# Each daemon runs in the foreground under nohup + setsid, in the background.
# nohup and setsid exec (setsid forks only when the caller leads a process
# group, which a background job of a non-interactive script never does), so $!
# is the daemon's own PID.  setsid gives it its own session/process group: a
# Ctrl-C or a kill of the caller's process group (make, CI step, timeout)
# does not take the cluster down behind slurm-down.sh's back.  Output goes to
# files, so "$(slurm-up.sh ...)" does not hang on an inherited stdout.
start_daemon() { # start_daemon NAME CMD...; the daemon must stay in the foreground
    local name=$1
    shift
    nohup setsid "$@" >>"$STATE_DIR/log/$name.out" 2>&1 </dev/null &
    local pid=$!
    started+=("$name $pid")
    echo "$name $pid" >>"$PIDS"
    log "started $name (pid $pid)"
}

alive_or_fail() { # alive_or_fail NAME PID
    is_running "$2" ||
        fail "$1 (pid $2) exited during start-up; see $STATE_DIR/log/$1.out"
}

# munged: foreground (-F; it then logs to stderr, i.e. log/munged.out, and
# ignores --log-file), everything pointed into STATE_DIR.  --force lets it
# start even if a parent directory of STATE_DIR is group/world-writable, which
# munged otherwise refuses.
start_daemon munged munged -F --force \
    --key-file="$MUNGE_KEY" --socket="$MUNGE_SOCKET" \
    --pid-file="$STATE_DIR/run/munged.pid" \
    --seed-file="$STATE_DIR/munge/munge.seed"
MUNGED_PID=${started[-1]#* }
deadline=$((SECONDS + 15))
until timeout 5 munge -n --socket="$MUNGE_SOCKET" 2>/dev/null |
    timeout 5 unmunge --socket="$MUNGE_SOCKET" >/dev/null 2>&1; do
    alive_or_fail munged "$MUNGED_PID"
    ((SECONDS < deadline)) || fail "munged did not answer on $MUNGE_SOCKET within 15 s"
    sleep 0.2
done

# slurmctld: -D foreground, -i ignore unreadable state (the state dir is new).
start_daemon slurmctld slurmctld -D -i -f "$CONF"
CTLD_PID=${started[-1]#* }
deadline=$((SECONDS + UP_TIMEOUT))
until timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; do
    alive_or_fail slurmctld "$CTLD_PID"
    ((SECONDS < deadline)) || fail "slurmctld did not answer within ${UP_TIMEOUT} s"
    sleep 0.5
done

# slurmd: -D foreground, -N pins the node name so it need not match hostname.
start_daemon slurmd slurmd -D -N "$NODE" -f "$CONF"
SLURMD_PID=${started[-1]#* }

state=
until [[ $state == idle ]]; do
    alive_or_fail slurmctld "$CTLD_PID"
    alive_or_fail slurmd "$SLURMD_PID"
    alive_or_fail munged "$MUNGED_PID"
    ((SECONDS < deadline)) ||
        fail "node $NODE not idle within ${UP_TIMEOUT} s (last state: '${state:-none}')"
    sleep 0.5
    state=$(timeout 5 sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n1 || true)
    # A node that comes up DOWN/DRAINED with a reason is not going to recover.
    if [[ $state == down* || $state == drain* ]]; then
        reason=$(timeout 5 sinfo -h -n "$NODE" -o %E 2>/dev/null || true)
        [[ $reason == "Not responding" || -z $reason ]] ||
            fail "node $NODE is $state: $reason"
    fi
done

log "node $NODE idle: ${CPUS} CPUs, ports ctld=$CTLD_PORT slurmd=$SLURMD_PORT, up in $((SECONDS - t_start)) s"
log "pids: $(tr '\n' ' ' <"$PIDS")"
echo "export SLURM_CONF=$CONF"
