#!/usr/bin/env python3
"""Plain-PyTorch baseline for Spike.Bench: the same workloads, names and JSON shape.

Usage: python3 bench/torch_baseline.py [--threads N] [--list] [filter ...]
A filter is a workload name, a group name (gemm, bandwidth, conv, neuron, train, scaling, sparse) or part of a name.
JSON on stdout, one line per workload on stderr. Needs torch (Debian: python3-torch with libopenblas0-pthread).
"""
import argparse
import ctypes
import ctypes.util
import glob
import json
import math
import os
import platform
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- harness

def measure(run, work, unit, min_runs=5, min_seconds=1.0, warmup=2):
    """Untimed warm-up calls (two), then >= min_runs timed calls and more until min_seconds have passed (<= 100)."""
    for _ in range(warmup):
        run()
    times = []
    cpu0 = time.process_time()
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < min_seconds and len(times) < 100):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    n = len(times)
    cpu = (time.process_time() - cpu0) / n
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / n
    s = sorted(times)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    rate = {"GFLOP/s": work / median / 1e9, "GB/s": work / median / 1e9, "M/s": work / median / 1e6}.get(unit, median)
    return dict(runs=n, median_s=median, min_s=s[0], max_s=s[-1], rate=round(rate, 6), unit=unit, work=work,
                cpu_s_per_run=cpu, metrics={"page_faults_per_run": faults})


def openblas():
    """The OpenBLAS library torch loaded (for its core name and thread count), or None."""
    for path in glob.glob("/proc/self/maps") and open("/proc/self/maps").read().split("\n"):
        if "libopenblas" in path:
            try:
                return ctypes.CDLL(path.split()[-1])
            except OSError:
                return None
    return None


def machine(threads):
    lib = openblas()
    core = None
    if lib is not None:
        lib.openblas_get_corename.restype = ctypes.c_char_p
        core = lib.openblas_get_corename().decode()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    return {
        "framework": "torch",
        "torch": torch.__version__,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "threads": threads,
        "os": platform.platform(),
        "python": platform.python_version(),
        "blas": f"OpenBLAS {core}" if core else torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0],
        "cpu_capability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "",
        "mkldnn": torch.backends.mkldnn.is_available(),
        "load_average": list(os.getloadavg()),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
    }


# ---------------------------------------------------------------- gemm and bandwidth

def gemm():
    for n in (256, 512, 1024, 2048):
        def setup(n=n):
            g = torch.Generator().manual_seed(1)
            a, b, c = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g), torch.empty(n, n)
            return (lambda: torch.mm(a, b, out=c)), 2.0 * n ** 3
        yield f"sgemm_{n}", "gemm", "GFLOP/s", setup


def bandwidth():
    def copy_setup():
        n = 1 << 26
        src, dst = torch.ones(n), torch.empty(n)
        return (lambda: dst.copy_(src)), 2.0 * 4 * n
    yield "copy_256MiB", "bandwidth", "GB/s", copy_setup
    for n, size in ((1_000_000, "1e6"), (10_000_000, "1e7")):
        for name, arrays, op in (("add", 3, lambda x, y: x + y), ("mul", 3, lambda x, y: x * y),
                                 ("exp", 2, lambda x, y: torch.exp(x)), ("sum", 1, lambda x, y: x.sum())):
            def setup(n=n, arrays=arrays, op=op):
                x, y = torch.rand(n), torch.rand(n)
                return (lambda: op(x, y)), 4.0 * arrays * n
            yield f"{name}_{size}", "bandwidth", "GB/s", setup


# ---------------------------------------------------------------- convolution

def conv():
    for name, n, cin, hw, bias, input_grad in (("l1", 64, 1, 28, True, False), ("l2", 256, 128, 14, False, True)):
        cout, k = 128, 3
        flops = 2.0 * n * cout * hw * hw * cin * k * k

        def inputs(n=n, cin=cin, hw=hw, bias=bias):
            g = torch.Generator().manual_seed(1)
            return (torch.rand(n, cin, hw, hw, generator=g), torch.randn(cout, cin, k, k, generator=g) / math.sqrt(cin * k * k),
                    torch.zeros(cout) if bias else None)

        def fwd(inputs=inputs, flops=flops):
            x, w, b = inputs()
            return (lambda: F.conv2d(x, w, b, padding=1)), flops

        def fwd_bwd(inputs=inputs, flops=flops, input_grad=input_grad, n=n, hw=hw):
            x, w, b = inputs()
            x.requires_grad_(input_grad)
            w.requires_grad_(True)
            if b is not None:
                b.requires_grad_(True)
            gy = torch.randn(n, cout, hw, hw)

            def run():
                x.grad = w.grad = None
                if b is not None:
                    b.grad = None
                F.conv2d(x, w, b, padding=1).backward(gy)
            return run, (3 if input_grad else 2) * flops
        yield f"conv2d_en5_{name}_fwd", "conv", "GFLOP/s", fwd
        yield f"conv2d_en5_{name}_fwd_bwd", "conv", "GFLOP/s", fwd_bwd


# ---------------------------------------------------------------- neurons: the best plain-PyTorch forms

ALPHA = 2.0  # ATan surrogate: g'(x) = α/2 / (1 + (π/2·α·x)²)


def atan_grad(x):
    return (ALPHA / 2) / (1 + (math.pi / 2 * ALPHA * x).square())


class ATanSpike(torch.autograd.Function):
    """S = Θ(x) forward, α/2 / (1 + (π/2·α·x)²) backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * atan_grad(x)


def charge(kind, v, x, k):
    """H = f(V, X): IF v + x; LIF/PLIF (decay input, Vr = 0) v + (x − v)·k."""
    return v + x if kind == "if" else v + (x - v) * k


def neuron_autograd_loop(kind, x_seq, k):
    """One step at a time with autograd recording every op (SpikingJelly's step-by-step form in plain ops)."""
    v = torch.zeros_like(x_seq[0])
    out = []
    for t in range(x_seq.shape[0]):
        h = charge(kind, v, x_seq[t], k)
        s = ATanSpike.apply(h - 1.0)
        v = h * (1 - s)  # hard reset to Vr = 0
        out.append(s)
    return torch.stack(out)


class NeuronBptt(torch.autograd.Function):
    """Multi-step neuron with a hand-written backward through time in torch ops: saves only H [T, N] (and x for PLIF's
    parameter gradient); V[t−1] is recomputed from H[t−1]. Vth = 1, hard reset to Vr = 0."""

    @staticmethod
    def forward(ctx, x_seq, k, kind):
        v = torch.zeros_like(x_seq[0])
        h_seq = torch.empty_like(x_seq)
        s_seq = torch.empty_like(x_seq)
        kf = float(k) if kind != "if" else 1.0
        for t in range(x_seq.shape[0]):
            h = h_seq[t]
            if kind == "if":
                torch.add(v, x_seq[t], out=h)
            else:
                torch.add(v, torch.sub(x_seq[t], v), alpha=kf, out=h)
            spike = h >= 1.0
            s_seq[t] = spike
            v = h.masked_fill(spike, 0.0)
        ctx.kind, ctx.kf = kind, kf
        ctx.save_for_backward(h_seq, x_seq if kind == "plif" else None)
        return s_seq

    @staticmethod
    def backward(ctx, gs):
        h_seq, x_seq = ctx.saved_tensors
        kind, kf = ctx.kind, ctx.kf
        T = h_seq.shape[0]
        gx = torch.empty_like(h_seq)
        gv = torch.zeros_like(h_seq[0])
        gk = torch.zeros(())
        for t in range(T - 1, -1, -1):
            h = h_seq[t]
            spike = h >= 1.0
            # hard reset: ∂V/∂H = 1 − S, ∂V/∂S = Vr − H = −H
            gh = gv.masked_fill(spike, 0.0) + (gs[t] - gv * h) * atan_grad(h - 1.0)
            if kind == "if":
                gx[t] = gh
                gv = gh
            else:
                torch.mul(gh, kf, out=gx[t])
                gv = gh * (1 - kf)
                if kind == "plif":
                    v_prev = h_seq[t - 1].masked_fill(h_seq[t - 1] >= 1.0, 0.0) if t > 0 else torch.zeros_like(h)
                    gk += (gh * (x_seq[t] - v_prev)).sum()
        return gx, (gk if kind == "plif" else None), None


def neuron_inputs(kind, T, n):
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(T, n, generator=g) * (1.0 if kind == "if" else 2.0)).requires_grad_(True)
    gy = torch.randn(T, n, generator=g)
    w = torch.tensor(-math.log(2.0 - 1.0), requires_grad=True)  # PLIF: 1/τ = sigmoid(w), τ₀ = 2
    return x, gy, w


def neuron_k(kind, w):
    return None if kind == "if" else (0.5 if kind == "lif" else torch.sigmoid(w))


def neuron_run(kind, variant, x, gy, w):
    def run():
        x.grad = w.grad = None
        k = neuron_k(kind, w)
        if variant == "loop":
            s = neuron_autograd_loop(kind, x, k)
        else:
            s = NeuronBptt.apply(x, k if kind == "plif" else torch.tensor(k if k is not None else 1.0), kind)
        s.backward(gy)
    return run


def saved_bytes(kind, variant, T, n):
    """Bytes the autograd graph saves for backward (distinct storages), per neuron-step."""
    x, gy, w = neuron_inputs(kind, T, n)
    seen = {}
    x_storage = x.storage().data_ptr()

    def pack(t):
        if isinstance(t, torch.Tensor) and t.numel() > 1 and t.storage().data_ptr() != x_storage:
            seen[t.storage().data_ptr()] = t.storage().nbytes()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        k = neuron_k(kind, w)
        if variant == "loop":
            neuron_autograd_loop(kind, x, k)
        else:
            NeuronBptt.apply(x, k if kind == "plif" else torch.tensor(k if k is not None else 1.0), kind)
    return sum(seen.values()) / (T * n)


def neurons():
    for kind in ("if", "lif", "plif"):
        for T in (8, 32, 128):
            for n in (10_000, 100_000, 1_000_000):
                def setup(kind=kind, T=T, n=n):
                    x, gy, w = neuron_inputs(kind, T, n)
                    # The best plain-PyTorch form is measured: the hand-written BPTT and the autograd loop, and the
                    # faster one is this workload's figure (picked by a short trial of each, then measured in full).
                    # A loop call that already takes twice the BPTT median is not timed further (on a loaded machine
                    # one can take a minute).
                    r_bptt = measure(neuron_run(kind, "bptt", x, gy, w), 1, "s", min_runs=2, min_seconds=0, warmup=1)
                    t0 = time.perf_counter()
                    neuron_run(kind, "loop", x, gy, w)()
                    loop_first = time.perf_counter() - t0
                    r_loop = (measure(neuron_run(kind, "loop", x, gy, w), 1, "s", min_runs=2, min_seconds=0, warmup=0)
                              if loop_first < 2 * r_bptt["median_s"] else {"median_s": loop_first})
                    best = "bptt" if r_bptt["median_s"] <= r_loop["median_s"] else "loop"
                    extra = {"bptt_median_s": r_bptt["median_s"], "loop_median_s": r_loop["median_s"], "best": best}
                    if kind == "lif" and T == 32 and n == 1_000_000:
                        extra["saved_bytes_per_neuron_step"] = saved_bytes(kind, best, T, n)
                        extra["saved_bytes_per_neuron_step_loop"] = saved_bytes(kind, "loop", T, n)
                    return neuron_run(kind, best, x, gy, w), 24.0 * T * n, extra
                yield f"{kind}_fwd_bwd_T{T}_N1e{int(math.log10(n))}", "neuron", "GB/s", setup


# ---------------------------------------------------------------- tutorial training steps

class IFNodeSingle(nn.Module):
    """SpikingJelly IFNode (single step, Vth = 1, hard reset to 0, ATan) in plain ops."""

    def __init__(self):
        super().__init__()
        self.v = 0.0

    def forward(self, x):
        h = self.v + x
        s = ATanSpike.apply(h - 1.0)
        self.v = h * (1 - s)
        return s

    def reset(self):
        self.v = 0.0


class LIFNodeSingle(IFNodeSingle):
    """SpikingJelly LIFNode (τ = 2, decay input, Vr = 0, ATan), single step."""

    def forward(self, x):
        h = self.v + (x - self.v) / 2.0
        s = ATanSpike.apply(h - 1.0)
        self.v = h * (1 - s)
        return s


class IFNodeMulti(nn.Module):
    """Multi-step IF: x_seq [T, N, ...] through the hand-written BPTT function."""

    def forward(self, x_seq):
        shape = x_seq.shape
        return NeuronBptt.apply(x_seq.reshape(shape[0], -1), torch.tensor(1.0), "if").reshape(shape)


def reset(net):
    for m in net.modules():
        if hasattr(m, "reset"):
            m.reset()


def batch(b):
    g = torch.Generator().manual_seed(0)
    images = torch.rand(b, 1, 28, 28, generator=g) * 0.57
    labels = torch.tensor([i * 7 % 10 for i in range(b)])
    return images, F.one_hot(labels, 10).float()


def en4(b, T):
    """Tutorial EN4 loop: per step Poisson-encode, Flatten → Linear(784, 10) → LIF; MSE of the rate; Adam."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10, bias=False), LIFNodeSingle())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    images, target = batch(b)

    def run():
        opt.zero_grad()
        counter = 0
        for t in range(T):
            encoded = (torch.rand_like(images) <= images).float()
            counter = counter + net(encoded)
        F.mse_loss(counter / T, target).backward()
        opt.step()
        reset(net)
    return run


def en5(b, T, multi):
    """Tutorial EN5 network; single step (PythonNet: a loop over t) or multi step (layers over T·N, fused IF)."""
    torch.manual_seed(0)
    c = 128
    static = nn.Sequential(nn.Conv2d(1, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
    if_node = IFNodeMulti if multi else IFNodeSingle
    conv = nn.Sequential(if_node(), nn.MaxPool2d(2, 2), nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                         if_node(), nn.MaxPool2d(2, 2))
    fc = nn.Sequential(nn.Flatten(), nn.Linear(c * 7 * 7, c * 4 * 4, bias=False), if_node(),
                       nn.Linear(c * 4 * 4, 10, bias=False), if_node())
    net = nn.ModuleList([static, conv, fc])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    images, target = batch(b)

    def seq_to_ann(layer, x):
        return layer(x.flatten(0, 1)).unflatten(0, (T, b))

    def run():
        opt.zero_grad()
        y0 = static(images)
        if multi:
            x = y0.unsqueeze(0).expand(T, *y0.shape)
            x = conv[0](x)
            x = seq_to_ann(nn.Sequential(conv[1], conv[2], conv[3]), x)
            x = conv[4](x)
            x = seq_to_ann(conv[5], x).flatten(2)
            x = fc[2](seq_to_ann(fc[1], x))
            rate = fc[4](seq_to_ann(fc[3], x)).mean(0)
        else:
            counter = fc(conv(y0))
            for t in range(1, T):
                counter = counter + fc(conv(y0))
            rate = counter / T
        F.mse_loss(rate, target).backward()
        opt.step()
        reset(net)
    return run


def train():
    def step(f):
        return lambda: (f(), 1)
    yield "en4_train_step", "train", "s", step(lambda: en4(64, 100))
    yield "en5_single_train_step", "train", "s", step(lambda: en5(64, 4, False))
    yield "en5_multi_train_step", "train", "s", step(lambda: en5(64, 4, True))
    for b in (32, 128):
        yield f"en4_train_step_b{b}", "scaling", "s", step(lambda b=b: en4(b, 100))
    for T in (50, 200):
        yield f"en4_train_step_T{T}", "scaling", "s", step(lambda T=T: en4(64, T))
    for b in (16, 32):
        yield f"en5_multi_train_step_b{b}", "scaling", "s", step(lambda b=b: en5(b, 4, True))


# ---------------------------------------------------------------- main

def workloads():
    yield from gemm()
    yield from bandwidth()
    yield from conv()
    yield from neurons()
    yield from train()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--list", action="store_true")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    lib = openblas()
    if lib is not None:
        lib.openblas_set_num_threads(args.threads)
    everything = list(workloads())
    names, groups = {w[0].lower() for w in everything}, {w[1] for w in everything}

    def matches(w, f):
        f = f.lower()
        return w[0].lower() == f if f in names else w[1] == f if f in groups else f in w[0].lower()
    selected = [w for w in everything if not args.filters or any(matches(w, f) for f in args.filters)]
    if args.list:
        for name, group, _, _ in selected:
            print(f"{group:<10} {name}")
        return 0
    info = machine(args.threads)
    results = []
    for name, group, unit, setup in selected:
        made = setup()
        run, work = made[0], made[1]
        extra = made[2] if len(made) > 2 else {}
        r = measure(run, work, unit)
        r["metrics"].update(extra)
        r = {"name": name, "group": group, **r}
        ms = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in r["metrics"].items())
        print(f"{name:<30} {r['rate']:>10.4g} {unit:<8} median {r['median_s'] * 1e3:10.3f} ms ({r['runs']} runs, "
              f"cpu {r['cpu_s_per_run'] * 1e3:.1f} ms/run, {ms})", file=sys.stderr, flush=True)
        results.append(r)
    info["load_average_end"] = list(os.getloadavg())
    json.dump({"machine": info, "results": results}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
