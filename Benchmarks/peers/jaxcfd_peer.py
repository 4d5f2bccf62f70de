"""JAX-CFD's pseudo-spectral 2-D Navier-Stokes (the peer of our ns2d-dns solver), timed per step.

Same problem as Benchmarks/FluidsBenchmarks: Kolmogorov flow on [0, 2pi)^2 with nu = 0.001,
forcing sin(4y), drag 0.1 (jax_cfd.spectral.equations.ForcedNavierStokes2D, 2/3 smoothing), a
random filtered initial velocity (max 7, peak wavenumber 4), dt = 0.5 (2pi/N)/7, float64,
stepped by crank_nicolson_rk4 (JAX-CFD's spectral stepper), jit-compiled over K steps. XLA's
CPU backend uses the machine's cores (2 here). One JSON line per grid on stdout.

usage: jaxcfd_peer.py [N ...]      (default 256 1024)
"""
import json
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jax_cfd  # noqa: E402
from jax_cfd.base import finite_differences, funcutils, grids, initial_conditions  # noqa: E402
from jax_cfd.spectral import equations, time_stepping  # noqa: E402
import numpy as np  # noqa: E402

sizes = [int(a) for a in sys.argv[1:]] or [256, 1024]
for n in sizes:
    grid = grids.Grid((n, n), domain=((0, 2 * np.pi), (0, 2 * np.pi)))
    dt = 0.5 * (2 * np.pi / n) / 7
    equation = equations.ForcedNavierStokes2D(viscosity=1e-3, grid=grid, smooth=True)
    velocity = initial_conditions.filtered_velocity_field(jax.random.PRNGKey(0), grid, maximum_velocity=7, peak_wavenumber=4)
    vorticity = finite_differences.curl_2d(velocity).data
    state = jnp.fft.rfftn(vorticity)
    steps = 20 if n <= 256 else 3
    run = jax.jit(funcutils.repeated(time_stepping.crank_nicolson_rk4(equation, dt), steps))
    state = run(state).block_until_ready()  # compile and warm up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        state = run(state).block_until_ready()
        times.append((time.perf_counter() - start) / steps)
    max_vorticity = float(jnp.max(jnp.abs(jnp.fft.irfftn(state))))
    print(json.dumps({
        "problem": "ns2d-spectral", "peer": "jax-cfd", "method": "crank_nicolson_rk4", "grid": n, "threads": 2,
        "dt": dt, "median_seconds_per_step": float(np.median(times)), "dtype": str(state.dtype),
        "max_abs_vorticity": max_vorticity, "jax_version": jax.__version__,
        "jax_cfd_version": getattr(jax_cfd, "__version__", "unknown"),
    }), flush=True)
