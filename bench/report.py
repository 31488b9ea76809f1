#!/usr/bin/env python3
"""Joins soma-bench's and torch_peer.py's results into one table.

  report.py RESULTS_DIR

RESULTS_DIR holds, per round R, soma.R.json (Google Benchmark's JSON),
torch.R.json, torch-avx512.R.json and torch-onednn.R.json (torch_peer.py
--json; the last with --onednn, linear layers only) and, when peer-bench was
built, peer.R.json (Google Benchmark's JSON, cases named "<peer>/<soma-bench
name>": oneDNN, XNNPACK, OpenBLAS, SLEEF called natively from C++). Each round gives
one median per benchmark and side; the table shows the median over rounds,
so a round disturbed by another process on the machine does not decide it.
Ratios are peer time / Soma time (above 1, Soma is faster), taken within
each round and then the median over rounds: the speed of this shared VM
drifts over minutes, and a round's sides run within a minute of each other.
"""
import glob
import json
import os
import re
import statistics
import sys

SIDES = [("soma", "Soma"), ("torch", "PyTorch"),
         ("torch-avx512", "PyTorch avx512"), ("torch-onednn", "PyTorch oneDNN"),
         ("onednn", "oneDNN"), ("xnnpack", "XNNPACK"), ("openblas", "OpenBLAS"),
         ("sleef", "SLEEF")]
# The native peers: all in peer.R.json, told apart by their name's prefix.
NATIVE = ["onednn", "xnnpack", "openblas", "sleef"]
PEERS = [side for side, _ in SIDES[1:]]
TIME_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load_soma(path, errors=None):
    """{name: seconds per call}, the median over repetitions.

    A failed case stops the report, unless `errors` (a dict) collects it:
    a native peer that fails its accuracy check only loses its cell."""
    with open(path) as f:
        data = json.load(f)
    out, single = {}, {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            if errors is None:
                sys.exit(f"report.py: {b['run_name']}: "
                         f"{b.get('error_message')}")
            errors[b["run_name"]] = b.get("error_message")
            continue
        name = re.sub(r"/(min_time|repeats):[^/]*|/real_time$", "",
                      b["run_name"])
        seconds = b["real_time"] * TIME_UNIT[b["time_unit"]]
        if b.get("aggregate_name") == "median":
            out[name] = seconds
        elif b.get("run_type") == "iteration":
            # With --benchmark_repetitions=1 there are no aggregates.
            single.setdefault(name, seconds)
    return {**single, **out}


def load_torch(path):
    with open(path) as f:
        data = json.load(f)
    return {r["name"]: r["median_s"] for r in data["results"]}, data


def units(name):
    """(label, metric(seconds)) for a benchmark name, shared by every side."""
    args = dict(re.findall(r"(\w+):(\d+)", name))
    if name.startswith("sigmoid/"):
        n = int(args["batch"]) * 1024
        return (f"sigmoid, {n} floats", "ns/element",
                lambda s: f"{s / n * 1e9:.3f}")
    if name.startswith("classifier/"):
        return (f"classifier 6->2, batch {args['batch']}", "us/call",
                lambda s: f"{s * 1e6:.3f}")
    m, k, n = (int(args[d]) for d in "MKN")
    flops = 2 * m * k * n
    return (f"linear+sigmoid ({m},{k},{n})", "GFLOP/s (us/call)",
            lambda s: f"{flops / s * 1e-9:.2f} ({_us(s)})")


def _us(seconds):
    """Microseconds to 4 significant digits, never in exponent form."""
    us = seconds * 1e6
    return f"{us:.4g}" if us < 1000 else f"{us:.0f}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results_dir = sys.argv[1]
    rounds = {side: [] for side, _ in SIDES}
    meta = {}
    errors = {}
    for path in sorted(glob.glob(os.path.join(results_dir, "peer.*.json"))):
        per_side = {side: {} for side in NATIVE}
        for name, seconds in load_soma(path, errors).items():
            side, _, rest = name.partition("/")
            if side in per_side:
                per_side[side][rest] = seconds
        for side in NATIVE:
            rounds[side].append(per_side[side])
    for side, _ in SIDES:
        if side in NATIVE:
            continue
        for path in sorted(glob.glob(os.path.join(results_dir,
                                                  f"{side}.*.json"))):
            if side == "soma":
                rounds[side].append(load_soma(path))
            else:
                values, meta[side] = load_torch(path)
                rounds[side].append(values)
    if not rounds["soma"]:
        sys.exit(f"report.py: no soma.*.json in {results_dir}")

    def median(side, name):
        values = [r[name] for r in rounds[side] if name in r]
        return statistics.median(values) if values else None

    header = ["benchmark", "metric"] + [label for _, label in SIDES] + [
        f"{label}/Soma" for _, label in SIDES[1:]] + ["Soma spread"]
    rows = []
    for name in rounds["soma"][0]:
        label, metric, fmt = units(name)
        soma = median("soma", name)
        row = [label, metric]
        for side, _ in SIDES:
            t = median(side, name)
            row.append(fmt(t) if t else "-")
        for side in PEERS:
            ratios = [peer[name] / own[name]
                      for own, peer in zip(rounds["soma"], rounds[side])
                      if name in own and name in peer]
            row.append(f"{statistics.median(ratios):.3g}x" if ratios else "-")
        # How far the rounds of Soma's own median disagree: a large spread
        # means the machine was busy and the ratios are soft.
        values = [r[name] for r in rounds["soma"] if name in r]
        row.append(f"{(max(values) - min(values)) / soma * 100:.0f}%"
                   if len(values) > 1 else "-")
        rows.append(row)

    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    def line(cells):
        return "| " + " | ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":"
                         for i, w in enumerate(widths)) + "|")
    for r in rows:
        print(line(r))
    print()
    print(f"Medians of {len(rounds['soma'])} interleaved round(s); each "
          "round's value is the median of many timed repetitions, 1 thread, "
          "pinned to one CPU. Ratios: median of the per-round ratios.")
    if "torch" in meta:
        print(f"PyTorch {meta['torch']['torch']}, "
              f"{meta['torch']['threads']} thread; ratios are peer time "
              "/ Soma time (>1: Soma faster).")
        print("PyTorch's addmm BLAS: "
              + (", ".join(meta["torch"].get("blas", [])) or "none found"))
    if any(rounds[side] for side in NATIVE):
        print("Native peers (peer-bench, C++, 1 thread): oneDNN matmul + bias "
              "+ logistic post-op, weights prepacked / eltwise logistic; "
              "XNNPACK fully-connected then sigmoid operator / sigmoid; "
              "OpenBLAS sgemm then a bias + expf-sigmoid loop "
              "(OPENBLAS_CORETYPE=SkylakeX); SLEEF: 1/(1+Sleef_expf16_u10(-x)).")
    else:
        print("Native peers: no peer.*.json (peer-bench not built).")
    for name, message in sorted(errors.items()):
        print(f"peer-bench {name}: {message}")


if __name__ == "__main__":
    main()
