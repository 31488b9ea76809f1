#!/usr/bin/env python3
"""PyTorch's side of soma-bench: the same operations, timed the same way.

Run with Debian's interpreter (/usr/bin/python3, torch 1.13) on one thread,
pinned by the caller (bench/run.sh uses taskset). Set
ATEN_CPU_CAPABILITY=avx512 to make Debian's build use its AVX-512 kernels;
without it, it stays on AVX2.

With --onednn, only the linear layers run, through
torch.utils.mkldnn.to_mkldnn(nn.Linear): PyTorch's opt-in oneDNN inner
product. Debian's PyTorch does its plain addmm with the BLAS that
libblas.so.3 resolves to, which is netlib's reference BLAS unless OpenBLAS
or BLIS is installed: this column shows what the same PyTorch reaches with
an optimized GEMM on this machine.

Each benchmark is warmed up, then timed as many samples of `inner` calls
each (inner chosen so one sample lasts about a millisecond, so that the
clock's resolution and overhead do not count); the result is the median
time per call over the samples. Names match soma-bench's, so bench/report.py
can join the two.

  torch_peer.py [--json OUT] [--filter REGEX] [--time-per-benchmark S]
                [--onednn]
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.utils.mkldnn

# Importing generate.py must not leave a __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "models"))
import generate  # noqa: E402  (the weights of Soma's linear models)

# The classifier of examples/two_class_classifier/model.mlir.
CLASSIFIER_WEIGHT = [[0.25, -0.5, 0.75, 0.1, -0.2, 0.3],
                     [-0.4, 0.6, -0.1, 0.2, 0.5, -0.3]]
CLASSIFIER_BIAS = [0.1, -0.2]

LINEAR_SHAPES = [(1, 8, 2), (16, 6, 2), (1, 1024, 1024), (64, 1024, 1024),
                 (256, 512, 512)]


def uniform(shape, lo, hi, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * (hi - lo) + lo


def benchmarks(onednn):
    """(name, callable, units) in soma-bench's order and naming.

    units is the work of one call: elements for sigmoid, rows for the
    classifier, flops for the linear layers (only for the printed summary;
    bench/report.py derives every metric from the time per call).
    """
    out = []
    if onednn:
        return linear_benchmarks_onednn()

    # Written into a preallocated tensor, as Soma writes into the caller's
    # buffer: both sides then read 4 MiB and write 4 MiB per call.
    for batch in (4, 1024):
        x = uniform((batch, 1024), -8.0, 8.0, 42)
        y = torch.empty_like(x)
        out.append((f"sigmoid/batch:{batch}",
                    lambda x=x, y=y: torch.sigmoid(x, out=y), batch * 1024))

    model = torch.nn.Sequential(torch.nn.Linear(6, 2), torch.nn.Sigmoid())
    model[0].weight.copy_(torch.tensor(CLASSIFIER_WEIGHT))
    model[0].bias.copy_(torch.tensor(CLASSIFIER_BIAS))
    model.eval()
    for batch in (1, 64):
        x = uniform((batch, 6), -1.0, 1.0, 42)
        out.append((f"classifier/batch:{batch}",
                    lambda x=x, model=model: model(x), batch))

    weights = {}
    for m, k, n in LINEAR_SHAPES:
        if (k, n) not in weights:
            w, b = generate.weights(k, n)
            # W^T as a view of the [N, K] weight, as F.linear passes it: the
            # transpose costs nothing per call.
            weights[k, n] = (torch.tensor(w).t(), torch.tensor(b))
        wt, b = weights[k, n]
        x = uniform((m, k), -1.0, 1.0, 42)
        y = torch.empty((m, n))
        # addmm then an in-place sigmoid into one preallocated result: the
        # least work PyTorch's eager API allows for this layer.
        def layer(x=x, wt=wt, b=b, y=y):
            torch.addmm(b, x, wt, out=y)
            torch.sigmoid(y, out=y)
        out.append((f"linear/M:{m}/K:{k}/N:{n}", layer, 2 * m * k * n))
    return out


def linear_benchmarks_onednn():
    out = []
    for m, k, n in LINEAR_SHAPES:
        w, b = generate.weights(k, n)
        dense = torch.nn.Linear(k, n)
        dense.weight.copy_(torch.tensor(w))
        dense.bias.copy_(torch.tensor(b))
        # The weight becomes a oneDNN tensor once; input and result stay
        # ordinary dense tensors, converted inside each call.
        onednn = torch.utils.mkldnn.to_mkldnn(dense.eval())
        x = uniform((m, k), -1.0, 1.0, 42)
        def layer(x=x, onednn=onednn):
            y = onednn(x)
            torch.sigmoid(y, out=y)
        out.append((f"linear/M:{m}/K:{k}/N:{n}", layer, 2 * m * k * n))
    return out


def measure(fn, budget_s, min_samples=21, max_samples=2001):
    """Median seconds per call of fn()."""
    # Warm-up: first-call allocations, lazy kernel dispatch, caches.
    end = time.perf_counter_ns() + int(0.05 * budget_s * 1e9)
    calls = 0
    while calls < 3 or time.perf_counter_ns() < end:
        fn()
        calls += 1
    t0 = time.perf_counter_ns()
    fn()
    one = max(time.perf_counter_ns() - t0, 1)
    inner = max(1, int(1e6 // one))  # about 1 ms per sample
    samples = []
    deadline = time.perf_counter_ns() + int(budget_s * 1e9)
    while len(samples) < min_samples or (
            len(samples) < max_samples and time.perf_counter_ns() < deadline):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter_ns() - t0) / inner)
    return statistics.median(samples) * 1e-9, min(samples) * 1e-9, len(samples)


def loaded_blas():
    """The BLAS libraries mapped into this process: what addmm really calls."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if re.search(r"blas|blis|mkl_", os.path.basename(path)):
                found.add(os.path.realpath(path))
    return sorted(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--filter", default="", help="regex on names")
    parser.add_argument("--onednn", action="store_true",
                        help="linear layers only, through oneDNN")
    parser.add_argument("--time-per-benchmark", type=float, default=1.0,
                        help="seconds of timed samples per benchmark")
    args = parser.parse_args()

    torch.set_num_threads(1)
    results = []
    with torch.no_grad():
        for name, fn, units in benchmarks(args.onednn):
            if not re.search(args.filter, name):
                continue
            median, best, samples = measure(fn, args.time_per_benchmark)
            results.append({"name": name, "median_s": median, "min_s": best,
                            "samples": samples, "units": units})
            if name.startswith("linear"):
                metric = f"{units / median * 1e-9:8.2f} GFLOP/s"
            elif name.startswith("sigmoid"):
                metric = f"{median / units * 1e9:8.3f} ns/element"
            else:
                metric = f"{median * 1e6:8.3f} us/call"
            print(f"{name:28s} {median * 1e6:12.3f} us  {metric}", flush=True)

    info = {
        "torch": torch.__version__,
        "aten_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", ""),
        "threads": torch.get_num_threads(),
        "onednn": args.onednn,
        "blas": loaded_blas(),
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
