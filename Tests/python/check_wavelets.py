"""The Spectral module's wavelet transforms against PyWavelets: for every wavelet, mode and case the
Swift suite `WaveletTests` wrote (random signals, 1-, 2- and 3-D, one to three levels), the
coefficients equal `pywt.wavedecn`'s and the reconstruction `pywt.waverecn`'s (cut to the signal's
shape) to 1e-12."""
import json
import sys
from pathlib import Path

import numpy as np
import pywt

from checks import check, finish

path = Path(sys.argv[1])
cases = json.loads(path.read_text())["cases"]
check("the Swift suite wrote the cases", len(cases) >= 100, len(cases))
worst_coefficients = worst_reconstruction = 0.0
for case in cases:
    shape = tuple(case["shape"])
    x = np.array(case["signal"]).reshape(shape)
    axes = tuple(case["axes"])
    ours = [(b["key"], tuple(b["shape"]), np.array(b["values"]).reshape(b["shape"])) for b in case["bands"]]
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pywt.wavedecn(x, case["wavelet"], mode=case["mode"], level=case["levels"], axes=axes)
            reconstruction = pywt.waverecn(theirs, case["wavelet"], mode=case["mode"], axes=axes)
    flat = [("a" * len(axes), theirs[0])]
    for level in theirs[1:]:
        flat += sorted(level.items())
    label = f"{case['wavelet']} {case['mode']} {shape} levels {case['levels']} axes {axes}"
    same_layout = [(k, s) for k, s, _ in ours] == [(k, v.shape) for k, v in flat]
    if not same_layout:
        check(f"layout {label}", False, ([(k, s) for k, s, _ in ours], [(k, v.shape) for k, v in flat]))
        continue
    error = max(float(np.max(np.abs(o - t))) for (_, _, o), (_, t) in zip(ours, flat))
    worst_coefficients = max(worst_coefficients, error)
    cut = reconstruction[tuple(slice(0, n) for n in shape)]
    error_r = float(np.max(np.abs(np.array(case["reconstruction"]).reshape(shape) - cut)))
    worst_reconstruction = max(worst_reconstruction, error_r)
    if error > 1e-12 or error_r > 1e-12:
        check(f"values {label}", False, f"coefficients {error:.2e}, reconstruction {error_r:.2e}")
check("coefficients equal pywt.wavedecn to 1e-12", worst_coefficients <= 1e-12, worst_coefficients)
check("reconstructions equal pywt.waverecn to 1e-12", worst_reconstruction <= 1e-12, worst_reconstruction)
print(f"wavelets: {len(cases)} cases, worst coefficient difference {worst_coefficients:.2e}, "
      f"worst reconstruction difference {worst_reconstruction:.2e}")
finish("wavelet checks")
