#!/usr/bin/env python3
"""Python peers for the NeuralDynamics integrator benchmark.

Peers:
  diffrax  (JAX on CPU, float64): Tsit5 and Dopri5 with PIDController for the
           non-stiff problems; Kvaerno5 for the stiff ones (run in a child
           process with a wall-clock cap, skipped with a note if it exceeds it).
  scipy    solve_ivp: RK45 and DOP853 for the non-stiff problems; BDF and Radau
           with an analytic Jacobian for the stiff ones.

Every line on stdout is one JSON object (schema in README.md).  Notes, compile
times and skips go to stderr.

Usage:
  python_peers.py [--problems lorenz,hires] [--peers diffrax,scipy] [--quick]
                  [--kvaerno-cap SECONDS]
"""
import os

# Single-threaded numerics for a fair comparison with the single-threaded
# SUNDIALS and Swift peers (must be set before numpy / jax are imported).
os.environ.setdefault("XLA_FLAGS",
                      "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ALL_PROBLEMS = ["lorenz", "pleiades", "hires", "robertson", "vanderpol", "decay", "decay-1e6"]
NONSTIFF = {"lorenz", "pleiades", "decay", "decay-1e6"}
# the linear decay problem at two sizes (exact solution, abbreviated "final")
DECAY_SIZES = {"decay": 100_000, "decay-1e6": 1_000_000}
DECAY_N = DECAY_SIZES["decay"]
MAX_STEPS = 10_000_000  # scipy has no step cap; this is for diffrax

# ---------------------------------------------------------------------------
# Problem definitions (exactly as in README.md / sundials_peer.c)
# ---------------------------------------------------------------------------

PLEIADES_Y0 = np.array([3, 3, -1, -3, 2, -2, 2,
                        3, -3, 2, 0, 0, -4, 4,
                        0, 0, 0, 0, 0, 1.75, -1.5,
                        0, 0, 0, -1.25, 1, 0, 0], dtype=float)
PLEIADES_M = np.arange(1, 8, dtype=float)


def decay_lambda(name):
    n = DECAY_SIZES[name]
    return 1.0 + np.arange(n, dtype=float) / n


PROBLEMS = {
    "lorenz": dict(y0=np.array([1.0, 0.0, 0.0]), t_end=100.0, accuracy_t=10.0,
                   rtol=1e-8, atol=1e-8),
    "pleiades": dict(y0=PLEIADES_Y0, t_end=3.0, rtol=1e-8, atol=1e-8),
    "hires": dict(y0=np.array([1.0, 0, 0, 0, 0, 0, 0, 0.0057]), t_end=321.8122,
                  rtol=1e-8, atol=1e-10),
    "robertson": dict(y0=np.array([1.0, 0.0, 0.0]), t_end=1e11, rtol=1e-8,
                      atol=[1e-10, 1e-14, 1e-10]),
    "vanderpol": dict(y0=np.array([2.0, 0.0]), t_end=2000.0, rtol=1e-8, atol=1e-10),
    "decay": dict(y0=np.ones(DECAY_SIZES["decay"]), t_end=1.0, rtol=1e-6, atol=1e-9),
    "decay-1e6": dict(y0=np.ones(DECAY_SIZES["decay-1e6"]), t_end=1.0, rtol=1e-6, atol=1e-9),
}

MU = 1000.0


def make_rhs(xp, name):
    """Right-hand side f(y) written against numpy or jax.numpy (`xp`)."""
    if name == "lorenz":
        def f(y):
            return xp.stack([10.0 * (y[1] - y[0]),
                             y[0] * (28.0 - y[2]) - y[1],
                             y[0] * y[1] - (8.0 / 3.0) * y[2]])
    elif name == "pleiades":
        m = xp.asarray(PLEIADES_M)
        eye = xp.eye(7)

        def f(y):
            x, yy, vx, vy = y[0:7], y[7:14], y[14:21], y[21:28]
            dx = x[None, :] - x[:, None]          # dx[i, j] = x_j - x_i
            dy = yy[None, :] - yy[:, None]
            r2 = dx * dx + dy * dy + eye          # avoid 0 on the diagonal
            r3 = r2 * xp.sqrt(r2)
            ax = xp.sum(m[None, :] * dx / r3, axis=1)
            ay = xp.sum(m[None, :] * dy / r3, axis=1)
            return xp.concatenate([vx, vy, ax, ay])
    elif name == "hires":
        def f(y):
            y1, y2, y3, y4, y5, y6, y7, y8 = (y[i] for i in range(8))
            r = 280.0 * y6 * y8
            return xp.stack([
                -1.71 * y1 + 0.43 * y2 + 8.32 * y3 + 0.0007,
                1.71 * y1 - 8.75 * y2,
                -10.03 * y3 + 0.43 * y4 + 0.035 * y5,
                8.32 * y2 + 1.71 * y3 - 1.12 * y4,
                -1.745 * y5 + 0.43 * y6 + 0.43 * y7,
                -r + 0.69 * y4 + 1.71 * y5 - 0.43 * y6 + 0.69 * y7,
                r - 1.81 * y7,
                -r + 1.81 * y7])
    elif name == "robertson":
        def f(y):
            a = 0.04 * y[0]
            b = 1.0e4 * y[1] * y[2]
            c = 3.0e7 * y[1] * y[1]
            return xp.stack([-a + b, a - b - c, c])
    elif name == "vanderpol":
        def f(y):
            return xp.stack([y[1], MU * (1.0 - y[0] * y[0]) * y[1] - y[0]])
    elif name in DECAY_SIZES:
        lam = xp.asarray(decay_lambda(name))

        def f(y):
            return -lam * y
    else:
        raise KeyError(name)
    return f


def make_jac_np(name):
    """Analytic Jacobians (numpy) for the stiff problems (scipy BDF/Radau)."""
    if name == "hires":
        def jac(t, y):
            J = np.zeros((8, 8))
            J[0, 0], J[0, 1], J[0, 2] = -1.71, 0.43, 8.32
            J[1, 0], J[1, 1] = 1.71, -8.75
            J[2, 2], J[2, 3], J[2, 4] = -10.03, 0.43, 0.035
            J[3, 1], J[3, 2], J[3, 3] = 8.32, 1.71, -1.12
            J[4, 4], J[4, 5], J[4, 6] = -1.745, 0.43, 0.43
            J[5, 3], J[5, 4], J[5, 5] = 0.69, 1.71, -280.0 * y[7] - 0.43
            J[5, 6], J[5, 7] = 0.69, -280.0 * y[5]
            J[6, 5], J[6, 6], J[6, 7] = 280.0 * y[7], -1.81, 280.0 * y[5]
            J[7, 5], J[7, 6], J[7, 7] = -280.0 * y[7], 1.81, -280.0 * y[5]
            return J
    elif name == "robertson":
        def jac(t, y):
            return np.array([
                [-0.04, 1.0e4 * y[2], 1.0e4 * y[1]],
                [0.04, -1.0e4 * y[2] - 6.0e7 * y[1], -1.0e4 * y[1]],
                [0.0, 6.0e7 * y[1], 0.0]])
    elif name == "vanderpol":
        def jac(t, y):
            return np.array([[0.0, 1.0],
                             [-2.0 * MU * y[0] * y[1] - 1.0, MU * (1.0 - y[0] * y[0])]])
    else:
        raise KeyError(name)
    return jac


# ---------------------------------------------------------------------------
# References and helpers
# ---------------------------------------------------------------------------

def load_references():
    path = os.path.join(HERE, "references.json")
    if not os.path.exists(path):
        return {}
    with open(path) as fh:
        return json.load(fh)


def reference_state(refs, name):
    """Reference state at t_end (lorenz: at the accuracy time t = 10)."""
    if name in DECAY_SIZES:
        return np.exp(-decay_lambda(name) * PROBLEMS[name]["t_end"])
    r = refs.get(name)
    if r is None:
        return None
    return np.array([float(v) for v in r["reference"]])


def max_abs_error(y, ref):
    if ref is None:
        return None
    return float(np.max(np.abs(np.asarray(y) - ref)))


def time_repeated(fn, quick):
    """Median wall time of fn() over >= 5 repetitions and >= 0.3 s total
    (1 repetition with --quick).  Returns (median, reps, last_result)."""
    min_reps, min_total = (1, 0.0) if quick else (5, 0.3)
    times, total, result = [], 0.0, None
    while len(times) < min_reps or total < min_total:
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    return statistics.median(times), len(times), result


def final_for_output(name, y):
    y = np.asarray(y, dtype=float)
    if name in DECAY_SIZES:
        return [float(v) for v in np.concatenate([y[:3], y[-3:]])]
    return [float(v) for v in y]


def emit(record, name):
    if name in DECAY_SIZES:
        # keep the schema keys in order, then the decay-only extras
        record["final_note"] = "first 3 and last 3 of %d components" % DECAY_SIZES[name]
        if record.get("steps"):
            record["seconds_per_step"] = record["median_seconds"] / record["steps"]
    print(json.dumps(record), flush=True)


def note(msg):
    print("[python_peers] " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# scipy peer
# ---------------------------------------------------------------------------

# function evaluations per step attempt of scipy's explicit RK classes
# (FSAL: n_stages - 1 new stages + the evaluation at the new point) and the
# fixed start-up cost (f(t0, y0) plus one call in select_initial_step).
_SCIPY_RK_EVALS_PER_ATTEMPT = {"RK45": 6, "DOP853": 12}
_SCIPY_RK_STARTUP_EVALS = 2


def run_scipy(name, refs, quick):
    import scipy
    from scipy.integrate import solve_ivp

    p = PROBLEMS[name]
    f = make_rhs(np, name)

    def fun(t, y):
        return f(y)

    stiff = name not in NONSTIFF
    methods = ["BDF", "Radau"] if stiff else ["RK45", "DOP853"]
    atol = np.asarray(p["atol"]) if isinstance(p["atol"], list) else p["atol"]
    for method in methods:
        kw = dict(method=method, rtol=p["rtol"], atol=atol)
        if stiff:
            kw["jac"] = make_jac_np(name)

        def solve(t_end):
            sol = solve_ivp(fun, (0.0, t_end), p["y0"], **kw)
            if not sol.success:
                raise RuntimeError("scipy %s failed on %s: %s" % (method, name, sol.message))
            return sol

        ref = reference_state(refs, name)
        if "accuracy_t" in p:
            err = max_abs_error(solve(p["accuracy_t"]).y[:, -1], ref)
        med, reps, sol = time_repeated(lambda: solve(p["t_end"]), quick)
        if "accuracy_t" not in p:
            err = max_abs_error(sol.y[:, -1], ref)
        steps = len(sol.t) - 1
        rejected = None
        if method in _SCIPY_RK_EVALS_PER_ATTEMPT:
            attempts, rem = divmod(sol.nfev - _SCIPY_RK_STARTUP_EVALS,
                                   _SCIPY_RK_EVALS_PER_ATTEMPT[method])
            if rem == 0 and attempts >= steps:
                rejected = attempts - steps
        emit({
            "peer": "scipy", "problem": name,
            "method": method + ("-analyticJ" if stiff else ""),
            "rtol": p["rtol"], "atol": p["atol"],
            "final": final_for_output(name, sol.y[:, -1]), "error": err,
            "steps": steps, "rejected": rejected,
            "rhs_evaluations": int(sol.nfev),
            "jacobian_evaluations": int(sol.njev) if stiff else None,
            "median_seconds": med, "repetitions": reps,
            "version": "scipy " + scipy.__version__ + " / numpy " + np.__version__,
        }, name)


# ---------------------------------------------------------------------------
# diffrax peer
# ---------------------------------------------------------------------------

def _jax_setup():
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    return jax


def run_diffrax_one(name, solver_name, refs, quick):
    """Run one (problem, solver) pair in this process and emit its line."""
    jax = _jax_setup()
    import jax.numpy as jnp
    import diffrax

    p = PROBLEMS[name]
    f = make_rhs(jnp, name)
    solver = {"Tsit5": diffrax.Tsit5, "Dopri5": diffrax.Dopri5,
              "Kvaerno5": diffrax.Kvaerno5}[solver_name]()
    atol = jnp.asarray(p["atol"]) if isinstance(p["atol"], list) else p["atol"]
    controller = diffrax.PIDController(rtol=p["rtol"], atol=atol)

    # RHS-evaluation counter (explicit solvers only, separate untimed run).
    counter = [0]

    def _bump():
        counter[0] += 1

    def make_solve(count):
        def vf(t, y, args):
            if count:
                jax.debug.callback(_bump)
            return f(y)
        term = diffrax.ODETerm(vf)

        @jax.jit
        def solve(y0, t1):
            sol = diffrax.diffeqsolve(
                term, solver, t0=0.0, t1=t1, dt0=None, y0=y0,
                stepsize_controller=controller, saveat=diffrax.SaveAt(t1=True),
                max_steps=MAX_STEPS if name in NONSTIFF else 1_000_000,
                throw=True)
            return sol.ys[-1], sol.stats
        return solve

    solve = make_solve(False)
    y0 = jnp.asarray(p["y0"])
    t1 = jnp.asarray(p["t_end"], dtype=jnp.float64)

    t0 = time.perf_counter()
    yf, stats = solve(y0, t1)
    yf.block_until_ready()
    first = time.perf_counter() - t0

    def run():
        out = solve(y0, t1)
        out[0].block_until_ready()
        return out

    med, reps, (yf, stats) = time_repeated(run, quick)
    note("diffrax %s/%s: first call (compile + run) %.2f s, median run %.4g s"
         % (name, solver_name, first, med))

    ref = reference_state(refs, name)
    if "accuracy_t" in p:
        ya, _ = solve(y0, jnp.asarray(p["accuracy_t"], dtype=jnp.float64))
        err = max_abs_error(np.asarray(ya), ref)
    else:
        err = max_abs_error(np.asarray(yf), ref)

    nfe = None
    if solver_name != "Kvaerno5":
        counting = make_solve(True)
        counter[0] = 0
        out = counting(y0, t1)
        out[0].block_until_ready()
        jax.effects_barrier()
        nfe = counter[0]

    emit({
        "peer": "diffrax", "problem": name, "method": solver_name + "-PID",
        "rtol": p["rtol"], "atol": p["atol"],
        "final": final_for_output(name, yf), "error": err,
        "steps": int(stats["num_accepted_steps"]),
        "rejected": int(stats["num_rejected_steps"]),
        "rhs_evaluations": nfe, "jacobian_evaluations": None,
        "median_seconds": med, "repetitions": reps,
        "version": "diffrax %s / jax %s" % (diffrax.__version__, jax.__version__),
    }, name)


def run_diffrax(name, refs, quick, kvaerno_cap):
    if name in NONSTIFF:
        for solver_name in ("Tsit5", "Dopri5"):
            run_diffrax_one(name, solver_name, refs, quick)
        return
    # Stiff: Kvaerno5 in a child process so that a runaway compile or solve can
    # be capped by wall-clock time.
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name + ":Kvaerno5"]
    if quick:
        cmd.append("--quick")
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=kvaerno_cap)
    except subprocess.TimeoutExpired:
        note("diffrax %s/Kvaerno5 skipped: exceeded the %g s cap" % (name, kvaerno_cap))
        return
    sys.stderr.write(res.stderr)
    if res.returncode != 0:
        note("diffrax %s/Kvaerno5 failed (exit %d); skipped" % (name, res.returncode))
        return
    sys.stdout.write(res.stdout)
    sys.stdout.flush()


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", default=",".join(ALL_PROBLEMS))
    ap.add_argument("--peers", default="diffrax,scipy")
    ap.add_argument("--quick", action="store_true", help="1 repetition (smoke run)")
    ap.add_argument("--kvaerno-cap", type=float, default=300.0,
                    help="wall-clock cap in seconds for each diffrax Kvaerno5 run")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    refs = load_references()
    if args.child:
        name, solver_name = args.child.split(":")
        run_diffrax_one(name, solver_name, refs, args.quick)
        return

    problems = [s for s in args.problems.split(",") if s]
    for s in problems:
        if s not in PROBLEMS:
            ap.error("unknown problem %r (known: %s)" % (s, ", ".join(ALL_PROBLEMS)))
    peers = [s for s in args.peers.split(",") if s]
    for name in problems:
        if "diffrax" in peers:
            run_diffrax(name, refs, args.quick, args.kvaerno_cap)
        if "scipy" in peers:
            run_scipy(name, refs, args.quick)


if __name__ == "__main__":
    main()
