"""torchdiffeq's spiral demo (examples/ode_demo.py setup), trained as the demo does, reporting the
mean absolute error of the full predicted trajectory — the number VALIDATION.md puts beside the
`neural-ode` scenario kind's.

usage: torchdiffeq_spiral.py [--seeds 0,1,2] [--iterations 2000] [--batch-time 10]

Setup (facts of the demo): y0 = [[2, 0]], t = linspace(0, 25, 1000), dy/dt = (y**3) @ A with
A = [[-0.1, 2], [-2, -0.1]]; batches of 20 windows of batch_time samples drawn without
replacement; network Linear(2, 50) -> tanh -> Linear(50, 2) on y**3, weights N(0, 0.1²), biases 0;
RMSprop(lr=1e-3); loss mean |pred - true|; dopri5 with torchdiffeq's default tolerances.
Prints one JSON line per seed.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
from torchdiffeq import odeint

torch.set_num_threads(2)
TRUE_A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])


class Lambda(nn.Module):
    def forward(self, t, y):
        return torch.mm(y ** 3, TRUE_A)


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 50), nn.Tanh(), nn.Linear(50, 2))
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0, std=0.1)
                nn.init.constant_(m.bias, val=0)

    def forward(self, t, y):
        return self.net(y ** 3)


def run(seed, iterations, batch_time, batch_size=20, samples=1000):
    torch.manual_seed(seed)
    np.random.seed(seed)
    true_y0 = torch.tensor([[2.0, 0.0]])
    t = torch.linspace(0.0, 25.0, samples)
    with torch.no_grad():
        true_y = odeint(Lambda(), true_y0, t, method="dopri5")
    func = ODEFunc()
    optimizer = torch.optim.RMSprop(func.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(iterations):
        s = torch.from_numpy(np.random.choice(np.arange(samples - batch_time, dtype=np.int64), batch_size, replace=False))
        batch_y0 = true_y[s]
        batch_t = t[:batch_time]
        batch_y = torch.stack([true_y[s + i] for i in range(batch_time)], dim=0)
        optimizer.zero_grad()
        pred_y = odeint(func, batch_y0, batch_t).to(batch_y0)
        loss = torch.mean(torch.abs(pred_y - batch_y))
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred_y = odeint(func, true_y0, t)
        error = torch.mean(torch.abs(pred_y - true_y)).item()
    return {"peer": "torchdiffeq-demo", "seed": seed, "iterations": iterations, "batch_time": batch_time,
            "batch_size": batch_size, "final_mean_absolute_error": error, "train_seconds": seconds,
            "torch": torch.__version__}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--batch-time", type=int, default=10)
    args = parser.parse_args()
    for seed in map(int, args.seeds.split(",")):
        print(json.dumps(run(seed, args.iterations, args.batch_time)), flush=True)
