"""The TrafficODE module's dynamic time warping against dtaidistance (its C implementation), on the
random series the Swift suite `DynamicTimeWarpingTests` wrote: our absolute-cost DTW equals
`dtw.distance(..., inner_dist='euclidean')` and our squared-cost DTW equals `dtw.distance(...)`
(the square root of the summed squared differences), with and without a Sakoe-Chiba band (our band b
is dtaidistance's window b + 1), to 1e-12 relative."""
import json
import sys
from pathlib import Path

import numpy as np
from dtaidistance import dtw

from checks import check, finish

record = json.loads(Path(sys.argv[1]).read_text())
series = [np.array(s, dtype=np.double) for s in record["series"]]
n = len(series)
check("the Swift suite wrote the series and cases", n >= 5 and len(record["cases"]) == 4, (n, len(record["cases"])))
check("dtaidistance's C library is available", dtw.try_import_c(), "dtw.try_import_c() is False")
for case in record["cases"]:
    kwargs = {"use_c": True}
    if case["cost"] == "absolute":
        kwargs["inner_dist"] = "euclidean"
    if "band" in case:
        kwargs["window"] = case["band"] + 1
    ours = np.array(case["distances"]).reshape(n, n)
    worst = 0.0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            theirs = dtw.distance(series[i], series[j], **kwargs)
            worst = max(worst, abs(theirs - ours[i, j]) / max(1.0, abs(theirs)))
    label = f"{case['cost']} cost, band {case.get('band', 'none')}"
    check(f"DTW equals dtaidistance, {label}", worst <= 1e-12, f"worst relative difference {worst:.2e}")
    print(f"  {label}: worst relative difference {worst:.1e} over {n * (n - 1)} pairs")
finish("traffic")
