"""PyTorch (CPU) and torchdiffeq peers of Benchmarks/LearningBenchmarks (learning-bench).

Prints one JSON line per result, in learning-bench's format:

* peer "pytorch", problem "mlp-train-step": an MLP in -> W -> W -> out (64 -> W -> W -> 64,
  ReLU), batch 256, float32, MSE loss, Adam(lr 1e-3); the median time of one complete training
  step (zero_grad, forward, backward, optimizer step) after 3 untimed warm-up steps; the
  optimizer step alone is also timed and reported as median_update_seconds.
* peer "torchdiffeq", problem "spiral-train": torchdiffeq's ode_demo.py setup (dy/dt = A y^3,
  1000 samples on [0, 25], 20 windows of 10 samples, Linear(2,50)-tanh-Linear(50,2) on y^3,
  mean |pred - true| loss, RMSprop(lr 1e-3), dopri5 at odeint's default rtol 1e-7 / atol 1e-9),
  trained with odeint (backprop through the solver) and odeint_adjoint. The initial weights and
  the windows come from the same 64-bit LCG as learning-bench, so both sides train the same
  model on the same data; the median time of one iteration is reported, with the loss reached.

torch.set_num_threads(2) (this machine has 2 cores; TORCH_PEER_THREADS=1 for a single-threaded
comparison, with OPENBLAS_NUM_THREADS=1 on our side); float32 throughout, as the demo.
OMP_WAIT_POLICY defaults to PASSIVE (set before torch is imported; an OMP_WAIT_POLICY in the
environment wins): with libgomp's default spin-waiting, an idle OpenMP worker keeps spinning after
each parallel region, and on a 2-core machine with any other load this starved the main thread
(one tiny ODEFunc evaluation took 4.7 ms instead of 0.1 ms, the spiral iteration over 1 s).

    python torch_peers.py [--only mlp|spiral] [--widths 64,256,1024] [--iterations 100] [--quick]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402  (after OMP_WAIT_POLICY)
import torch.nn as nn  # noqa: E402
import torchdiffeq  # noqa: E402
from torchdiffeq import odeint, odeint_adjoint  # noqa: E402

torch.set_num_threads(int(os.environ.get("TORCH_PEER_THREADS", "2")))
torch.set_default_dtype(torch.float32)

MASK64 = (1 << 64) - 1
VERSION = (f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
           f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")


class SharedLCG:
    """The 64-bit LCG of learning-bench (Knuth's MMIX constants), bit for bit."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK64
        return self.state

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def index(self, bound):
        return (self.next() >> 32) % bound


def median_time(body, minimum_seconds, minimum_repetitions):
    times = []
    while sum(times) < minimum_seconds or len(times) < minimum_repetitions:
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times)


def emit(fields):
    print(json.dumps(fields), flush=True)


# ---------------------------------------------------------------- MLP training steps

def mlp_train_step(width, quick, batch=256, inputs=64, outputs=64):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(inputs, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                          nn.Linear(width, outputs))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, inputs)
    y = torch.randn(batch, outputs)
    last = {}
    update_seconds = []

    def step():
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        start = time.perf_counter()
        optimizer.step()
        update_seconds.append(time.perf_counter() - start)
        last["loss"] = loss.item()

    for _ in range(3):
        step()
    update_seconds.clear()
    seconds, repetitions = median_time(step, 0 if quick else 1.0, 3 if quick else 10)
    weights = inputs * width + width * width + width * outputs
    flops = 6.0 * batch * weights
    emit({"peer": "pytorch", "problem": "mlp-train-step", "method": "MLP-relu-Adam", "dtype": "float32",
          "width": width, "layers": f"{inputs}-{width}-{width}-{outputs}", "batch": batch,
          "parameters": sum(p.numel() for p in model.parameters()),
          "median_seconds": seconds, "steps_per_second": 1 / seconds,
          "median_update_seconds": statistics.median(update_seconds), "gflops": flops / seconds / 1e9,
          "final_loss": last["loss"], "repetitions": repetitions,
          "version": VERSION})


# ---------------------------------------------------------------- spiral (ode_demo.py setup)

SAMPLES, BATCH_TIME, BATCH_SIZE, HIDDEN = 1000, 10, 20, 50
RTOL, ATOL = 1e-7, 1e-9
TRUE_A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])


class TrueField(nn.Module):
    def forward(self, t, y):
        return torch.mm(y ** 3, TRUE_A)


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 2))
        # Shared initial weights: U(-sqrt(3)*0.1, sqrt(3)*0.1) (std 0.1) in [out, in] order; biases 0.
        rng = SharedLCG(20240601)
        bound = 0.1 * math.sqrt(3.0)
        with torch.no_grad():
            for layer in (self.net[0], self.net[2]):
                out_features, in_features = layer.weight.shape
                values = [(2 * rng.uniform() - 1) * bound for _ in range(out_features * in_features)]
                layer.weight.copy_(torch.tensor(values, dtype=torch.float64).reshape(out_features, in_features))
                layer.bias.zero_()
        self.nfe = 0

    def forward(self, t, y):
        self.nfe += 1
        return self.net(y ** 3)


def spiral_training(name, solve, iterations):
    t = torch.linspace(0.0, 25.0, SAMPLES)
    with torch.no_grad():
        true_y = odeint(TrueField(), torch.tensor([[2.0, 0.0]]), t, method="dopri5")  # (1000, 1, 2)
    func = ODEFunc()
    optimizer = torch.optim.RMSprop(func.parameters(), lr=1e-3)
    rng = SharedLCG(7)
    batch_t = t[:BATCH_TIME]
    seconds, losses = [], []
    for _ in range(iterations):
        s = torch.tensor([rng.index(SAMPLES - BATCH_TIME) for _ in range(BATCH_SIZE)])
        batch_y0 = true_y[s]                                                    # (M, 1, D)
        batch_y = torch.stack([true_y[s + i] for i in range(BATCH_TIME)], dim=0)  # (T, M, 1, D)
        start = time.perf_counter()
        optimizer.zero_grad()
        pred_y = solve(func, batch_y0, batch_t, method="dopri5", rtol=RTOL, atol=ATOL)
        loss = torch.mean(torch.abs(pred_y - batch_y))
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - start)
        losses.append(loss.item())
    last_ten = losses[-10:]
    emit({"peer": "torchdiffeq", "problem": "spiral-train", "method": name, "solver": "dopri5",
          "dtype": "float32", "rtol": RTOL, "atol": ATOL, "batch": BATCH_SIZE, "batch_time": BATCH_TIME,
          "iterations": iterations, "median_seconds": statistics.median(seconds), "total_seconds": sum(seconds),
          "first_loss": losses[0], "final_loss": sum(last_ten) / len(last_ten),
          "evaluations_per_iteration": func.nfe / iterations, "repetitions": iterations,
          "version": f"{VERSION}, torchdiffeq {torchdiffeq.__version__}"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["mlp", "spiral"])
    parser.add_argument("--widths", default="64,256,1024")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.only in (None, "mlp"):
        for width in (int(w) for w in args.widths.split(",")):
            mlp_train_step(width, args.quick)
    if args.only in (None, "spiral"):
        iterations = min(args.iterations, 5) if args.quick else args.iterations
        spiral_training("backprop", odeint, iterations)       # the demo's default (adjoint=False)
        spiral_training("adjoint", odeint_adjoint, iterations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
