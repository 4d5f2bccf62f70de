"""PyWavelets peer of wavelet-bench: wavedecn + waverecn (bior2.4, periodization, one level) on the
same cases, timed the same way (repeats until 20 and 0.5 s, median). One JSON line per case."""
import json
import time

import numpy as np
import pywt

cases = [("burgers-trajectory", (81, 120)), ("array-3d", (32, 64, 64))]
for name, shape in cases:
    x = np.random.default_rng(42).random(shape) - 0.5
    back = pywt.waverecn(pywt.wavedecn(x, "bior2.4", mode="periodization", level=1), "bior2.4", mode="periodization")
    times = []
    started = time.perf_counter()
    while len(times) < 20 or time.perf_counter() - started < 0.5:
        t0 = time.perf_counter()
        coefficients = pywt.wavedecn(x, "bior2.4", mode="periodization", level=1)
        back = pywt.waverecn(coefficients, "bior2.4", mode="periodization")
        times.append(time.perf_counter() - t0)
    cut = back[tuple(slice(0, n) for n in shape)]
    print(json.dumps({"problem": "dwt-roundtrip", "case": name, "shape": list(shape), "peer": "pywavelets",
                      "version": pywt.__version__, "median_seconds": sorted(times)[len(times) // 2], "repeats": len(times),
                      "reconstruction_error": float(np.abs(cut - x).max())}, sort_keys=True))
