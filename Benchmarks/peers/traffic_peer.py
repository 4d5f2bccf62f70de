"""Peers of traffic-bench (Benchmarks/TrafficBenchmarks): one training epoch of GRAM-ODE on
Los-loop in PyTorch, and DTW between all pairs of sensors' mean training days with dtaidistance's
C implementation. One JSON line per case on stdout.

  python traffic_peer.py [--only epoch|dtw] [--data Data/traffic/los-loop] [--epochs N]
                         [--width 16] [--blocks 2] [--edge-ode true] [--dry-run]

GRAM-ODE here is written from the paper's description and this suite's stated choices (README of
Scenarios/traffic), the same model as traffic-train's default: two branches (road graph, DTW graph),
each `blocks` blocks of causal TCN (kernel 2, dilations 1, 2, 4; widths [in, w, w/2, w]) -> multi-ODE
-> TCN -> layer norm over (time, channel); the multi-ODE holds the global node ODE (one Euler step
over t in [0, 1]), the local ODEs on four attention-compressed tokens (three Euler steps each,
clipped to within |c| of the global result) and, with --edge-ode, the edge ODE on the dynamic
edges (B, N, N, T); gated cross-products of the parts; an attention head across sensors with one
head per horizon. Smooth-L1 on de-normalised forecasts (masked where the truth is 0), AdamW 2e-4,
weight decay 0.01, batch 64, windows shuffled each epoch. The same parameter count as ours (the
line reports it); the weights are PyTorch's own draws, so the losses agree in size, not in value.
Threads: torch.set_num_threads(2); OMP_WAIT_POLICY=PASSIVE unless set.

The DTW case uses squared local cost (dtaidistance's `dtw.distance`: the root of the summed
squared differences), without a window and with window = 7 (a Sakoe-Chiba band of 6 steps),
through `dtw.distance_matrix_fast(..., parallel=True)`.
"""
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402

args = sys.argv[1:]


def option(name, default):
    return args[args.index(name) + 1] if name in args else default


only = option("--only", None)
data = option("--data", "Data/traffic/los-loop")


def emit(line):
    print(json.dumps(line, sort_keys=True), flush=True)


speed = np.loadtxt(os.path.join(data, "los_speed.csv"), delimiter=",", skiprows=1)   # (2016, 207)
steps, sensors = speed.shape
train_end = int(steps * 0.6)                 # 1209: the standard protocol's training segment
day = 288


def mean_days(values):
    """Each sensor's mean reading per 5-minute slot of the day (zeros, i.e. missing, left out)."""
    out = np.zeros((values.shape[1], day))
    for slot in range(day):
        rows = values[slot::day]
        kept = np.where(rows != 0, rows, np.nan)
        out[:, slot] = np.nan_to_num(np.nanmean(kept, axis=0))
    return out


if only in (None, "dtw"):
    from dtaidistance import dtw

    profiles = mean_days(speed[:train_end])
    for band in (None, 6):
        window = None if band is None else band + 1
        run = lambda: dtw.distance_matrix_fast(profiles, window=window, parallel=True)  # noqa: E731
        run()
        times, started = [], time.perf_counter()
        while len(times) < 5 or time.perf_counter() - started < 2:
            t0 = time.perf_counter()
            matrix = run()
            times.append(time.perf_counter() - t0)
        upper = matrix[np.triu_indices(len(profiles), 1)]
        emit({"problem": "dtw-all-pairs", "peer": "dtaidistance", "series": len(profiles), "length": day, "band": band,
              "median_seconds": sorted(times)[len(times) // 2], "repeats": len(times), "distance_sum": float(2 * upper.sum()),
              "version": __import__("dtaidistance").__version__})

if only in (None, "epoch"):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(2)
    torch.manual_seed(1)
    width = int(option("--width", 16))
    blocks = int(option("--blocks", 2))
    edge_ode = option("--edge-ode", "false") == "true"
    T, H, key_width = 12, 12, 32

    def propagation(adjacency):
        """0.4 (I + D^-1/2 A D^-1/2), degrees clamped below at 1e-4."""
        d = np.maximum(adjacency.sum(axis=1), 1e-4) ** -0.5
        return torch.tensor(0.4 * (np.eye(len(adjacency)) + d[:, None] * adjacency * d[None, :]), dtype=torch.float32)

    road = np.loadtxt(os.path.join(data, "los_adj.csv"), delimiter=",")
    profiles = mean_days(speed[:train_end])
    from dtaidistance import dtw

    raw = dtw.distance_matrix_fast(profiles, window=7, parallel=True)
    raw = np.minimum(raw, raw.T)
    np.fill_diagonal(raw, 0)
    z = (raw - raw.mean()) / raw.std()
    semantic = np.exp(-z**2 / 0.1**2)
    semantic[semantic < 0.6] = 0
    graphs = {"spatial": propagation(road), "semantic": propagation(semantic)}

    class TCN(nn.Module):
        def __init__(self, widths):
            super().__init__()
            self.current = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
            self.delayed = nn.ModuleList(nn.Linear(a, b, bias=False) for a, b in zip(widths[:-1], widths[1:]))
            self.residual = nn.Linear(widths[0], widths[-1]) if widths[0] != widths[-1] else None

        def forward(self, x):                                   # [B, N, T, C]
            y = x
            for level, (current, delayed) in enumerate(zip(self.current, self.delayed)):
                d = 1 << level
                shifted = F.pad(y[:, :, : y.shape[2] - d], (0, 0, d, 0)) if d < y.shape[2] else torch.zeros_like(y)
                y = F.relu(current(y) + delayed(shifted))
            return F.relu(y + (self.residual(x) if self.residual is not None else x))

    class SensorAttention(nn.Module):
        def __init__(self, inputs, heads, key, value):
            super().__init__()
            self.heads, self.key_width, self.value_width = heads, key, value
            self.q, self.k, self.v = nn.Linear(inputs, heads * key), nn.Linear(inputs, heads * key), nn.Linear(inputs, heads * value)

        def forward(self, x):                                   # [B, N, D]
            b, n, _ = x.shape
            split = lambda y, w: y.view(b, n, self.heads, w).transpose(1, 2)  # noqa: E731
            q, k, v = split(self.q(x), self.key_width), split(self.k(x), self.key_width), split(self.v(x), self.value_width)
            weights = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(self.key_width), dim=3)
            return (weights @ v).transpose(1, 2).reshape(b, n, self.heads * self.value_width)

    def node_parameters(module, prefix, n, c):
        setattr(module, prefix + "_alpha", nn.Parameter(torch.full((n,), 0.8)))
        setattr(module, prefix + "_w", nn.Parameter(torch.eye(c)))
        setattr(module, prefix + "_d", nn.Parameter(torch.ones(c)))

    def node_field(x, x0, graph, w3, w4, alpha, w, d):
        """sigma(alpha)/2 (A + M) x - x + gate(x) - x + x W - x + x0 on [B, N, T, C]."""
        a = torch.einsum("ij,bjtc->bitc", graph, x) * (torch.sigmoid(alpha) * 0.5).view(1, -1, 1, 1)
        by_channel = x.permute(0, 3, 1, 2)                      # [B, C, N, T]
        s = torch.sigmoid((by_channel @ w3).transpose(2, 3) @ (by_channel @ w4))
        gate = (s @ by_channel.transpose(2, 3)).permute(0, 3, 2, 1)
        dc = d.clamp(0, 1)
        v = (w * dc) @ w.t()
        W = 1.6 * v - 0.6 * v @ v.t() @ v
        return a + gate + x @ W + x0 - 3 * x

    class Block(nn.Module):
        def __init__(self, inputs):
            super().__init__()
            n, c = sensors, width
            self.tcn_in, self.tcn_out = TCN([inputs, c, max(1, c // 2), c]), TCN([c, c, max(1, c // 2), c])
            self.tokens = SensorAttention(T * c, 1, key_width, (T // 3) * c)
            self.local_map, self.global_map, self.input_map = nn.Linear(c, c), nn.Linear(c, c), nn.Linear(c, c)
            self.edge_map = nn.Linear(n, c) if edge_ode else None
            self.graph_correction = nn.Parameter(torch.randn(n, n))
            self.time_w3, self.time_w4 = nn.Parameter(torch.randn(T, T)), nn.Parameter(torch.randn(T, T))
            self.token_w3, self.token_w4 = nn.Parameter(torch.randn(1, 1)), nn.Parameter(torch.randn(1, 1))
            self.clip, self.mix = nn.Parameter(torch.randn(1)), nn.Parameter(torch.randn(2))
            node_parameters(self, "global", n, c)
            if edge_ode:
                self.edge_alpha = nn.Parameter(torch.full((n,), 0.8))
            for k in range(T // 3):
                node_parameters(self, f"local{k}", n, c)

        def multi_ode(self, x, base):
            x0 = x.detach()
            graph = base + self.graph_correction
            glob = x + node_field(x, x0, graph, self.time_w3, self.time_w4, self.global_alpha, self.global_w, self.global_d)
            parts = [self.global_map(glob)]
            b, n, t, c = x.shape
            compressed = self.tokens(x.reshape(b, n, t * c)).view(b, n, t // 3, c)
            states = []
            for k in range(t // 3):
                y = compressed[:, :, k:k + 1]
                y0 = y.detach()
                for _ in range(3):
                    y = y + node_field(y, y0, graph, self.token_w3, self.token_w4, getattr(self, f"local{k}_alpha"),
                                       getattr(self, f"local{k}_w"), getattr(self, f"local{k}_d"))
                    states.append(y)
            local = torch.cat(states, dim=2)
            radius = self.clip.abs()
            low, high = glob - radius, glob + radius
            parts.append(self.local_map(low + F.relu(local - low) - F.relu(local - high)))
            if edge_ode:
                m = x.mean(dim=3)                               # [B, N, T]
                e0 = m[:, :, None, :] + m[:, None, :, :]        # [B, N, N, T]
                constant = e0.detach()
                mixed = torch.einsum("ij,bjkt->bikt", graph, e0) * (torch.sigmoid(self.edge_alpha) * 0.5).view(1, -1, 1, 1)
                s = torch.sigmoid((e0 @ self.time_w3).transpose(2, 3) @ (e0 @ self.time_w4))
                edges = e0 + (mixed + e0 @ s + constant - 2 * e0)
                parts.append(self.edge_map(edges.permute(0, 1, 3, 2)))
            if len(parts) == 1:
                z = parts[0]
            else:
                terms = [parts[i] * torch.sigmoid(parts[j]) for i in range(len(parts)) for j in range(len(parts)) if i != j]
                z = sum(terms) / len(terms)
            return F.relu(torch.sigmoid(self.input_map(x)) * self.mix[0] + z * self.mix[1])

        def forward(self, x, base):
            y = self.tcn_out(self.multi_ode(self.tcn_in(x), base))
            return F.layer_norm(y, y.shape[2:])

    class GRAMODE(nn.Module):
        def __init__(self):
            super().__init__()
            self.names = ["spatial", "semantic"]
            self.branches = nn.ModuleList(nn.ModuleList(Block(1 if k == 0 else width) for k in range(blocks)) for _ in self.names)
            self.head = SensorAttention(T * width * len(self.names), H, key_width, 1)

        def forward(self, history):                             # [B, N, T] -> [B, N, H]
            b, n, t = history.shape
            outputs = []
            for name, branch in zip(self.names, self.branches):
                h = history.unsqueeze(3)
                for block in branch:
                    h = block(h, graphs[name])
                outputs.append(h)
            return self.head(torch.cat(outputs, dim=3).reshape(b, n, -1))

    model = GRAMODE()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.01)
    mean, deviation = speed[:train_end].mean(), speed[:train_end].std()
    scaled = torch.tensor((speed - mean) / deviation, dtype=torch.float32).t().contiguous()   # [N, steps]
    truth_all = torch.tensor(speed, dtype=torch.float32).t().contiguous()
    starts = np.arange(0, train_end - 2 * T + 1)                # 1,186 training windows
    generator = np.random.default_rng(1)

    def epoch():
        order = generator.permutation(starts)
        total, batches = 0.0, 0
        for first in range(0, len(order), 64):
            chunk = order[first:first + 64]
            history = torch.stack([scaled[:, s:s + T] for s in chunk])
            truth = torch.stack([truth_all[:, s + T:s + 2 * T] for s in chunk])
            mask = (truth != 0).float()
            forecast = model(history) * deviation + mean
            loss = (F.smooth_l1_loss(forecast, truth, reduction="none", beta=1.0) * mask).sum() / mask.sum().clamp(min=1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        return total / batches

    if "--dry-run" in args:                                     # the model's size and one batch's loss, no training
        history = torch.stack([scaled[:, s:s + T] for s in starts[:8]])
        print(json.dumps({"parameters": sum(p.numel() for p in model.parameters()), "forecast_shape": list(model(history).shape)}))
        sys.exit(0)
    timed = int(option("--epochs", 2))
    losses, times = [epoch()], []
    for _ in range(timed):
        t0 = time.perf_counter()
        losses.append(epoch())
        times.append(time.perf_counter() - t0)
    median = sorted(times)[len(times) // 2]
    emit({"problem": "gram-ode-epoch", "peer": "pytorch", "sensors": sensors, "width": width, "blocks": blocks,
          "branches": "spatial,semantic", "edge_ode": edge_ode, "local_odes": True,
          "parameters": sum(p.numel() for p in model.parameters()), "training_windows": len(starts), "batch_size": 64,
          "median_seconds": median, "epochs_timed": len(times), "windows_per_second": len(starts) / median,
          "losses": losses, "torch": torch.__version__, "threads": torch.get_num_threads()})
