"""Peers of transport-bench (Benchmarks/TransportBenchmarks): POT's exact and entropic optimal
transport, and the Meta Flow Matching / flow matching training step in PyTorch (FM through
torchcfm's ConditionalFlowMatcher), on the same cases. One JSON line per case on stdout.

  python transport_peer.py [--only exact|sinkhorn|flow] [--points N]

The clouds come from the same 64-bit LCG as transport-bench, so both sides solve the same problems
(the exact W2 and the entropic cost must agree; report.py checks it). The flow step is the same
model, not the same weights: a GraphConv encoder (3 layers of width 64, ReLU between, mean-pooled,
unit length) on the k = 20 nearest-neighbour graphs of 10 populations x 256 points, built inside
the step as the reference code does, and a 3 x 128 SiLU field on [x, sinusoidal e(t) (32), embedding];
the same parameter count, the same loss and Adam. Threads: torch.set_num_threads(2).
"""
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402

args = sys.argv[1:]
only = args[args.index("--only") + 1] if "--only" in args else None
points = int(args[args.index("--points") + 1]) if "--points" in args else 2000


def emit(line):
    print(json.dumps(line, sort_keys=True), flush=True)


def lcg(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield (state >> 11) / 2.0**53


def clouds(n):
    s, t = lcg(1), lcg(2)
    source = np.array([next(s) for _ in range(2 * n)]).reshape(n, 2)
    target = np.array([[next(t) + 0.5, next(t)] for _ in range(n)])
    return source, target


def median(minimum, seconds, body):
    body()
    times, started = [], time.perf_counter()
    while len(times) < minimum or time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], len(times)


if only in (None, "exact", "sinkhorn"):
    import ot

if only in (None, "exact"):
    a, b = clouds(points)
    w = np.full(points, 1.0 / points)
    result = {}

    def exact():
        # The cost matrix is part of the work on both sides.
        result["w2"] = math.sqrt(ot.emd2(w, w, ot.dist(a, b), numItermax=10**8))

    seconds, repeats = median(5, 2, exact)
    emit({"problem": "exact-w2", "peer": "pot", "points": points, "dimension": 2, "w2": result["w2"], "median_seconds": seconds,
          "repeats": repeats, "method": f"ot.emd2 (network simplex), POT {ot.__version__}"})

if only in (None, "sinkhorn"):
    a, b = clouds(points)
    cost = ot.dist(a, b)
    cost /= cost.max()
    w = np.full(points, 1.0 / points)
    # POT's stabilised variant ('sinkhorn_stabilized') took 467 s at n = 1000 here; it is left out.
    for method in ["sinkhorn", "sinkhorn_log"]:
        result = {}

        def entropic():
            value, log = ot.sinkhorn2(w, w, cost, 0.01, method=method, stopThr=1e-9, numItermax=100000, log=True)
            result.update(cost=float(value), iterations=int(log["niter"]), error=float(log["err"][-1]))

        seconds, repeats = median(3, 2, entropic)
        emit({"problem": "sinkhorn", "peer": "pot", "points": points, "epsilon": 0.01, "tolerance": 1e-9, "cost": result["cost"],
              "iterations": result["iterations"], "marginal_error": result["error"], "median_seconds": seconds, "repeats": repeats,
              "method": f"ot.sinkhorn2(method='{method}'), POT {ot.__version__}"})

if only in (None, "flow"):
    import torch
    import torchcfm
    from torchcfm.conditional_flow_matching import ConditionalFlowMatcher

    torch.set_num_threads(2)
    torch.manual_seed(0)
    rng = lcg(3)
    sources, targets = [], []
    for _ in range(24):
        cx, cy, angle = 4 * next(rng) - 2, 4 * next(rng) - 2, 2 * math.pi * next(rng)
        s, t = [], []
        for _ in range(500):
            theta, radius = 2 * math.pi * next(rng), 1 + 0.2 * next(rng)
            x, y = cx + radius * math.cos(theta), cy + radius * math.sin(theta)
            s.append([x, y])
            t.append([math.cos(angle) * x - math.sin(angle) * y, math.sin(angle) * x + math.cos(angle) * y])
        sources.append(s)
        targets.append(t)
    sources, targets = torch.tensor(sources, dtype=torch.float32), torch.tensor(targets, dtype=torch.float32)

    def time_embedding(t, dimension=32, max_period=10000.0):
        half = dimension // 2
        frequencies = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
        angles = t[:, None] * frequencies[None, :]
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)

    class GraphConv(torch.nn.Module):
        """y_i = (sum over edges j -> i of w_e x_j) W + x_i W_root + b (Morris et al. 2019)."""

        def __init__(self, inputs, outputs):
            super().__init__()
            self.neighbours = torch.nn.Linear(inputs, outputs, bias=True)
            self.root = torch.nn.Linear(inputs, outputs, bias=False)

        def forward(self, x, sources, targets, weights):
            messages = torch.zeros_like(x).index_add_(0, targets, x[sources] * weights[:, None])
            return self.neighbours(messages) + self.root(x)

    def knn_graph(x, populations, per, k):
        """Edges j -> i from each point's k nearest others, weight 1/k, per population (disjoint union)."""
        clouds_ = x.reshape(populations, per, -1)
        distances = torch.cdist(clouds_, clouds_)
        distances.diagonal(dim1=1, dim2=2).fill_(float("inf"))
        nearest = distances.topk(k, dim=2, largest=False).indices  # [P, per, k]
        offsets = (torch.arange(populations) * per)[:, None, None]
        sources_ = (nearest + offsets).reshape(-1)
        targets_ = (torch.arange(per)[None, :, None].expand(populations, per, k) + offsets).reshape(-1)
        return sources_, targets_, torch.full((sources_.numel(),), 1.0 / k)

    class PopulationFlow(torch.nn.Module):
        def __init__(self, embedding):
            super().__init__()
            self.embedding = embedding
            self.encoder = torch.nn.ModuleList([GraphConv(2 if l == 0 else 64, 64) for l in range(3)]) if embedding else None
            widths = [2 + 32 + (64 if embedding else 0), 128, 128, 128, 2]
            layers = []
            for i in range(len(widths) - 1):
                layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
                if i < len(widths) - 2:
                    layers.append(torch.nn.SiLU())
            self.field = torch.nn.Sequential(*layers)

        def encode(self, x0, populations, per):
            graph = knn_graph(x0, populations, per, 20)
            h = x0
            for l, layer in enumerate(self.encoder):
                h = layer(h, *graph)
                if l < len(self.encoder) - 1:
                    h = torch.relu(h)
            pooled = h.reshape(populations, per, -1).mean(dim=1)
            return pooled / torch.sqrt((pooled**2).sum(dim=1, keepdim=True) + 1e-12)

        def forward(self, xt, t, condition):
            inputs = [xt, time_embedding(t)] + ([condition] if condition is not None else [])
            return self.field(torch.cat(inputs, dim=1))

    generator = np.random.default_rng(4)
    matcher = ConditionalFlowMatcher(sigma=0.0)
    for name in ["mfm", "fm"]:
        model = PopulationFlow(name == "mfm")
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            chosen = generator.choice(24, 10, replace=False)
            index = torch.from_numpy(np.stack([generator.choice(500, 256, replace=False) for _ in chosen]))
            chosen = torch.from_numpy(chosen)
            x0 = sources[chosen[:, None], index].reshape(-1, 2)
            x1 = targets[chosen[:, None], index].reshape(-1, 2)
            optimiser.zero_grad()
            if name == "fm":
                # torchcfm: t ~ U(0, 1), x_t = t x1 + (1 - t) x0, u_t = x1 - x0 (sigma = 0).
                t, xt, ut = matcher.sample_location_and_conditional_flow(x0, x1)
                condition = None
            else:
                t = torch.rand(x0.shape[0])
                xt = (1 - t[:, None]) * x0 + t[:, None] * x1
                ut = x1 - x0
                condition = model.encode(x0, 10, 256).repeat_interleave(256, dim=0)
            loss = ((model(xt, t, condition) - ut) ** 2).sum() / x0.shape[0]
            loss.backward()
            optimiser.step()

        seconds, repeats = median(20, 2, step)
        emit({"problem": "flow-train-step", "model": name, "peer": "pytorch" if name == "mfm" else "torchcfm", "populations": 10, "points": 256,
              "neighbours": 20, "parameters": sum(p.numel() for p in model.parameters()), "median_seconds": seconds,
              "steps_per_second": 1 / seconds, "repeats": repeats,
              "versions": f"torch {torch.__version__}" + (f", torchcfm {torchcfm.__version__}" if name == "fm" else "")})
