"""PyTorch (CPU) peer of wavelet-bench's U-Net sections: the same noise-prediction U-Net as
WaveletDiffusion's DiffusionUNet (width 32, multipliers 1, 2, 4, one residual block a level,
GroupNorm with one group, middle self-attention, 9 channels of 64 x 64, float32):

* problem "unet-train-step": one training step (zero_grad, forward, channel-weighted MSE, backward,
  Adam) at batch 16; the median over the timed steps after 2 warm-up steps;
* problem "ddim-sampling": 50 network calls at batch 1 with the DDIM update between them (one
  trajectory's sampling); the median over repeats.

torch.set_num_threads(2); OMP_WAIT_POLICY=PASSIVE (see torch_peers.py).

    python unet_peer.py [--steps 10]
"""
import argparse
import json
import math
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(int(os.environ.get("TORCH_PEER_THREADS", "2")))


class Embedding(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.width = width
        self.first, self.second = nn.Linear(width, 4 * width), nn.Linear(4 * width, 4 * width)

    def forward(self, t):
        half = self.width // 2
        frequencies = torch.exp(-math.log(10000) * torch.arange(half) / half)
        angles = t[:, None] * frequencies[None]
        return self.second(F.silu(self.first(torch.cat([angles.sin(), angles.cos()], dim=1))))


class Block(nn.Module):
    def __init__(self, c_in, c_out, e):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(1, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time = nn.Linear(e, c_out)
        self.norm2, self.conv2 = nn.GroupNorm(1, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(F.silu(e))[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.skip(x)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm, self.qkv, self.out = nn.GroupNorm(1, c), nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3 * c, h * w).chunk(3, dim=1)
        attention = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(c), dim=-1)
        return x + self.out((v @ attention.transpose(1, 2)).reshape(n, c, h, w))


class UNet(nn.Module):
    def __init__(self, channels=9, width=32, multipliers=(1, 2, 4)):
        super().__init__()
        e = 4 * width
        self.embedding = Embedding(width)
        self.input = nn.Conv2d(channels, width, 3, padding=1)
        levels = [width * m for m in multipliers]
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        c = width
        for i, out in enumerate(levels):
            self.down.append(Block(c, out, e))
            c = out
            if i < len(levels) - 1:
                self.downsample.append(nn.Conv2d(out, out, 3, stride=2, padding=1))
        self.middle0, self.attention, self.middle1 = Block(c, c, e), Attention(c), Block(c, c, e)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for i, out in reversed(list(enumerate(levels))):
            self.up.append(Block(c + out, out, e))
            c = out
            if i > 0:
                self.upsample.append(nn.Conv2d(out, out, 3, padding=1))
        self.out_norm, self.out = nn.GroupNorm(1, c), nn.Conv2d(c, channels, 3, padding=1)

    def forward(self, x, t):
        e = self.embedding(t)
        h = self.input(x)
        skips = []
        for i, block in enumerate(self.down):
            h = block(h, e)
            skips.append(h)
            if i < len(self.downsample):
                h = self.downsample[i](h)
        h = self.middle1(self.attention(self.middle0(h, e)), e)
        for i, block in enumerate(self.up):
            h = block(torch.cat([h, skips.pop()], dim=1), e)
            if i < len(self.upsample):
                h = self.upsample[i](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    arguments = parser.parse_args()
    torch.manual_seed(0)
    model = UNet()
    version = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.99))
    weights = torch.tensor([10, 3, 3, 1, 21, 5, 5, 1, 10], dtype=torch.float32)[None, :, None, None]
    x, noise = torch.randn(16, 9, 64, 64), torch.randn(16, 9, 64, 64)
    t = torch.randint(0, 1000, (16,)).float()
    times = []
    for step in range(arguments.steps + 2):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = (((model(x, t) - noise) ** 2) * weights).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step >= 2:
            times.append(time.perf_counter() - start)
    print(json.dumps({"problem": "unet-train-step", "peer": "pytorch", "version": version, "batch": 16,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "median_seconds": statistics.median(times), "steps": len(times)}, sort_keys=True))
    # DDIM sampling of one trajectory: 50 calls at batch 1 (cosine schedule, eta = 0).
    def alpha(s):
        return math.cos((s + 0.008) / 1.008 * math.pi / 2) / math.cos(0.008 / 1.008 * math.pi / 2)
    grid = [0.999 - k * (0.999 - 0.001) / 50 for k in range(51)]
    samples = []
    with torch.no_grad():
        for repeat in range(4):
            start = time.perf_counter()
            y = torch.randn(1, 9, 64, 64)
            for k in range(50):
                a, b = alpha(grid[k]), alpha(grid[k + 1])
                sa, sb = math.sqrt(1 - a * a), math.sqrt(1 - b * b)
                epsilon = model(y, torch.tensor([grid[k] * 1000 - 1]))
                data = ((y - sa * epsilon) / a).clamp(-1, 1)
                y = b * data + sb * epsilon
            if repeat >= 1:
                samples.append(time.perf_counter() - start)
    print(json.dumps({"problem": "ddim-sampling", "peer": "pytorch", "version": version, "network_calls": 50,
                      "median_seconds": statistics.median(samples), "repeats": len(samples)}, sort_keys=True))


if __name__ == "__main__":
    main()
