#!/usr/bin/env python3
"""PyTorch's side of soma-bench: the same cases, timed the same way.

Run with Debian's interpreter (/usr/bin/python3, torch 1.13), pinned by the
caller to as many CPUs as --threads (bench/run.sh uses taskset). Set
ATEN_CPU_CAPABILITY=avx512 to make Debian's build use its AVX-512 kernels;
without it, it stays on AVX2.

The cases come from the build's model directory (build/bench/models:
cases.json, written by bench/CMakeLists.txt), and the fused layers' weights
from the very models soma-bench compiled (their dense_resource blobs), so
PyTorch computes on identical values:

- fc_<act>: torch.addmm(b, x, Wᵀ, out=y) then torch.sigmoid(y, out=y) or
  torch.relu_(y): sigmoid/relu(addmm) into one preallocated result, the
  least work PyTorch's eager API allows for this layer.
- act/<op>: the op's out= variant into a preallocated tensor (softmax and
  log_softmax along the rows of 1024), as Soma writes into the caller's
  buffer; act_wide/<op> the same on the wide inputs (one thread).
- classifier: nn.Sequential(nn.Linear(6, 2), nn.Sigmoid()) (1 thread only).

With --onednn, only the fused layers run, through
torch.utils.mkldnn.to_mkldnn(nn.Linear): PyTorch's opt-in oneDNN inner
product, then the in-place activation.

Each case is warmed up, then timed as samples of `inner` calls each (inner
chosen so one sample lasts about a millisecond, so that the clock's
resolution and overhead do not count); the result is the median time per
call over the samples. Names match soma-bench's, so bench/report.py can join
the sides.

  torch_peer.py --models DIR [--threads T] [--json OUT] [--filter REGEX]
                [--time-per-benchmark S] [--onednn]
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
import generate  # noqa: E402  (reads the weights of Soma's fc models)

# The classifier of examples/two_class_classifier/model.mlir.
CLASSIFIER_WEIGHT = [[0.25, -0.5, 0.75, 0.1, -0.2, 0.3],
                     [-0.4, 0.6, -0.1, 0.2, 0.5, -0.3]]
CLASSIFIER_BIAS = [0.1, -0.2]

NN = torch._C._nn
# op -> f(x, y): y = op(x), written into y.
ACTIVATIONS = {
    "sigmoid": lambda x, y: torch.sigmoid(x, out=y),
    "log_sigmoid": lambda x, y: NN.log_sigmoid(x, out=y),
    "hard_sigmoid": lambda x, y: NN.hardsigmoid(x, out=y),
    "silu": lambda x, y: NN.silu(x, out=y),
    "hard_swish": lambda x, y: NN.hardswish(x, out=y),
    "tanh": lambda x, y: torch.tanh(x, out=y),
    "softplus": lambda x, y: NN.softplus(x, 1, 20, out=y),
    "softmax": lambda x, y: torch._softmax(x, -1, False, out=y),
    "log_softmax": lambda x, y: torch._log_softmax(x, -1, False, out=y),
}
FC_ACTIVATIONS = {"sigmoid": lambda y: torch.sigmoid(y, out=y),
                  "relu": torch.relu_}


def uniform(shape, lo, hi, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * (hi - lo) + lo


def fc_weights(models, act, m, k, n, cache={}):
    """W [N, K] and b [N] of the fc model soma-bench compiled."""
    if (k, n) not in cache:
        w, b = generate.read_weights(
            os.path.join(models, f"fc_{act}_{m}_{k}_{n}.mlir"))
        cache[k, n] = (torch.frombuffer(bytearray(w), dtype=torch.float32)
                       .reshape(n, k).clone(),
                       torch.frombuffer(bytearray(b), dtype=torch.float32)
                       .clone())
    return cache[k, n]


def cases(models, threads, onednn):
    """(name, make) in soma-bench's naming; make() -> (fn, units) or
    (fn, units, check), built only when the case runs (the 16M-element
    cases take 128 MiB each); check() after timing: None if the last
    call's results are right, else what is wrong."""
    with open(os.path.join(models, "cases.json")) as f:
        spec = json.load(f)
    out = []
    for act, m, k, n in spec["fc"]:
        def make(act=act, m=m, k=k, n=n):
            w, b = fc_weights(models, act, m, k, n)
            x = uniform((m, k), -1.0, 1.0, 42)
            activation = FC_ACTIVATIONS[act]
            if onednn:
                dense = torch.nn.Linear(k, n)
                dense.weight.copy_(w)
                dense.bias.copy_(b)
                # The weight becomes a oneDNN tensor once; input and result
                # stay ordinary dense tensors, converted inside each call.
                layer_onednn = torch.utils.mkldnn.to_mkldnn(dense.eval())

                def layer():
                    return activation(layer_onednn(x))
                # Each call's result is a new tensor: the check calls once
                # more.
                result = layer
            else:
                # Wᵀ as a view of the [N, K] weight, as F.linear passes it:
                # the transpose costs nothing per call.
                wt = w.t()
                y = torch.empty((m, n))

                def layer():
                    torch.addmm(b, x, wt, out=y)
                    activation(y)

                def result():
                    return y
            return (layer, 2 * m * k * n,
                    lambda: check_fc(act, x, w, b, result()))
        out.append((f"fc_{act}/M:{m}/K:{k}/N:{n}/threads:{threads}", make))
    if onednn:
        return out
    def activation(op, count, bound):
        def make():
            x = uniform((count // 1024, 1024), -bound, bound, 42)
            y = torch.empty_like(x)
            f = ACTIVATIONS[op]
            return (lambda: f(x, y)), count, (lambda: check(op, x, y))
        return make
    for op in spec["act"]:
        for count in spec["act_sizes"]:
            out.append((f"act/{op}/n:{count}/threads:{threads}",
                        activation(op, count, 8.0)))
    if threads == 1:
        bound = float(spec.get("act_wide_bound", 0))
        for op in spec["act"]:
            for count in spec.get("act_wide_sizes", []):
                out.append((f"act_wide/{op}/n:{count}/threads:1",
                            activation(op, count, bound)))
        for batch in (1, 64):
            def make(batch=batch):
                model = torch.nn.Sequential(torch.nn.Linear(6, 2),
                                            torch.nn.Sigmoid())
                model[0].weight.copy_(torch.tensor(CLASSIFIER_WEIGHT))
                model[0].bias.copy_(torch.tensor(CLASSIFIER_BIAS))
                model.eval()
                x = uniform((batch, 6), -1.0, 1.0, 42)
                return (lambda: model(x)), batch
            out.append((f"classifier/batch:{batch}/threads:1", make))
    return out


def mismatch(what, got, want, index):
    """None if got is within soma-bench's tolerance (1e-4 relative + 1e-6
    absolute) of want everywhere, else the first element that is not, its
    flat index in the result given by index(row, column)."""
    bad = ((got - want).abs() > 1e-4 * want.abs() + 1e-6).nonzero()
    if len(bad) == 0:
        return None
    r, c = bad[0].tolist()
    return (f"{what} mismatch at {index(r, c)}: got {got[r, c].item():.9g}, "
            f"want {want[r, c].item():.9g}")


def check(op, x, y):
    """None if y = op(x) on the first, middle and last rows, against the op
    in double precision, else what is wrong: a timed call must have done
    the whole job."""
    rows = sorted({0, x.shape[0] // 2, x.shape[0] - 1})
    want = torch.empty((len(rows), x.shape[1]), dtype=torch.float64)
    ACTIVATIONS[op](x[rows].double(), want)
    return mismatch(op, y[rows].double(), want,
                    lambda r, c: rows[r] * x.shape[1] + c)


def check_fc(act, x, w, b, y):
    """As check, for y = act(x·Wᵀ + b): the elements soma-bench's checkFc
    looks at (rows 0, M/2, M - 1 by columns 0, N/3, N - 1)."""
    m, n = y.shape
    rows = sorted({0, m // 2, m - 1})
    cols = sorted({0, n // 3, n - 1})
    acc = x[rows].double() @ w[cols].double().t() + b[cols].double()
    want = torch.sigmoid(acc) if act == "sigmoid" else torch.relu(acc)
    return mismatch("fc", y[rows][:, cols].double(), want,
                    lambda r, c: rows[r] * n + cols[c])


def measure(fn, budget_s, min_samples=7, max_samples=2001):
    """(median, min) seconds per call of fn(), and the sample count."""
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
    parser.add_argument("--models", required=True,
                        help="the build's bench/models directory")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--filter", default="", help="regex on names")
    parser.add_argument("--onednn", action="store_true",
                        help="fused layers only, through oneDNN")
    parser.add_argument("--time-per-benchmark", type=float, default=0.15,
                        help="seconds of timed samples per case")
    parser.add_argument("--min-samples", type=int, default=7)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    results = []
    with torch.no_grad():
        for name, make in cases(args.models, args.threads, args.onednn):
            if not re.search(args.filter, name):
                continue
            fn, units, *checks = make()
            median, best, samples = measure(fn, args.time_per_benchmark,
                                            args.min_samples)
            del fn
            error = checks[0]() if checks else None
            if error:
                results.append({"name": name, "error": error})
                print(f"{name:44s} error: {error}", flush=True)
                continue
            results.append({"name": name, "median_s": median, "min_s": best,
                            "samples": samples, "units": units})
            if name.startswith("fc"):
                metric = f"{units / median * 1e-9:8.2f} GFLOP/s"
            elif name.startswith("act"):
                metric = f"{median / units * 1e9:8.3f} ns/element"
            else:
                metric = f"{median * 1e6:8.3f} us/call"
            print(f"{name:44s} {median * 1e6:12.3f} us  {metric}", flush=True)

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
