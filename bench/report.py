#!/usr/bin/env python3
"""Joins the results of one bench/run.sh run into markdown tables.

  report.py RESULTS_DIR

RESULTS_DIR holds busy.log (how busy the CPUs were as each step started)
and, per thread count T and round R:
  soma.tT.rR.json           soma-bench (Google Benchmark JSON): Soma's cases
                            and the machine's limits (machine/...)
  peer-LIB.tT.rR.json       peer-bench, one library (onednn, xnnpack,
                            openblas, sleef); cases named "LIB/<case>"
  torch.tT.rR.json, torch-avx512.tT.rR.json, torch-onednn.tT.rR.json
                            bench/torch_peer.py --json (default kernels,
                            ATEN_CPU_CAPABILITY=avx512, the fused layers
                            through oneDNN); torch.tT.rR.fc.json and
                            torch-avx512.tT.rR.fc.json the first two's
                            fused layers, run apart (bench/run.sh)
Each round gives one median per case and side; the tables show the median
over rounds, so a round disturbed by another process does not decide it.
Ratios are speed ratios, peer time / Soma time (above 1: Soma is faster),
taken within each round, then the median over rounds: the speed of this
shared VM drifts over minutes, and a round's sides run within minutes of
each other.
"""
import glob
import json
import os
import re
import statistics
import sys

PEERS = [("onednn", "oneDNN"), ("xnnpack", "XNNPACK"),
         ("openblas", "OpenBLAS"), ("sleef", "SLEEF"),
         ("torch", "PyTorch"), ("torch-avx512", "PyTorch avx512"),
         ("torch-onednn", "PyTorch oneDNN")]
FC_PEERS = ["onednn", "xnnpack", "openblas", "torch", "torch-avx512",
            "torch-onednn"]
ACT_PEERS = ["xnnpack", "onednn", "sleef", "torch", "torch-avx512"]
LABEL = dict(PEERS, soma="Soma")
TIME_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
FILE = re.compile(r"^(soma|peer-[a-z]+|torch(?:-[a-z0-9]+)?)\.t(\d+)\.r(\d+)"
                  r"(?:\.fc)?\.json$")


def load_gbench(path, errors):
    """({name: seconds per call}, {name: counters}) from Google Benchmark's
    JSON, the median over repetitions; failed cases go to `errors`."""
    with open(path) as f:
        data = json.load(f)
    times, counters, single = {}, {}, {}
    for b in data["benchmarks"]:
        name = re.sub(r"/(min_time|repeats):[^/]*|/real_time$", "",
                      b["run_name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message")
            continue
        seconds = b["real_time"] * TIME_UNIT[b["time_unit"]]
        if b.get("aggregate_name") == "fastest":
            # The machine's limits: the fastest repetition.
            name = "fastest:" + name
            times[name] = seconds
            counters[name] = b
        elif b.get("aggregate_name") == "median":
            times[name] = seconds
            counters[name] = b
        elif b.get("run_type") == "iteration":
            # With --benchmark_repetitions=1 there are no aggregates.
            single.setdefault(name, seconds)
            counters.setdefault(name, b)
    return {**single, **times}, counters


def load_torch(path, side, errors):
    """({name: seconds per call}, the file's data); failed cases go to
    `errors` as "<side>/<name>"."""
    with open(path) as f:
        data = json.load(f)
    times = {}
    for r in data["results"]:
        if "error" in r:
            errors[f"{side}/{r['name']}"] = r["error"]
        else:
            times[r["name"]] = r["median_s"]
    return times, data


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Run:
    def __init__(self, results_dir):
        # rounds[r][side][name] = seconds
        self.rounds = {}
        self.counters = {}
        self.errors = {}
        self.meta = {}
        for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
            m = FILE.match(os.path.basename(path))
            if not m:
                continue
            kind, r = m.group(1), int(m.group(3))
            per_side = self.rounds.setdefault(r, {})
            if kind == "soma":
                times, counters = load_gbench(path, self.errors)
                per_side.setdefault("soma", {}).update(times)
                self.counters.update(counters)
            elif kind.startswith("peer-"):
                times, _ = load_gbench(path, self.errors)
                for name, seconds in times.items():
                    side, _, rest = name.partition("/")
                    per_side.setdefault(side, {})[rest] = seconds
            else:
                times, self.meta[kind] = load_torch(path, kind,
                                                    self.errors)
                per_side.setdefault(kind, {}).update(times)
        if not any("soma" in s for s in self.rounds.values()):
            sys.exit(f"report.py: no soma.*.json in {results_dir}")

    def time(self, side, name):
        """Median over rounds of the side's time for the case."""
        return med([s.get(side, {}).get(name) for s in self.rounds.values()])

    def values(self, side, name):
        return [s[side][name] for s in self.rounds.values()
                if name in s.get(side, {})]

    def ratio(self, side, name):
        """Median over rounds of peer time / Soma time."""
        return med([s[side][name] / s["soma"][name]
                    for s in self.rounds.values()
                    if name in s.get(side, {}) and name in s.get("soma", {})])

    def best_ratio(self, sides, name):
        """Median over rounds of (fastest peer's time) / Soma time."""
        ratios = []
        for s in self.rounds.values():
            peers = [s[p][name] for p in sides if name in s.get(p, {})]
            if peers and name in s.get("soma", {}):
                ratios.append(min(peers) / s["soma"][name])
        return med(ratios)

    def spread(self, name):
        values = self.values("soma", name)
        if len(values) < 2:
            return "-"
        return f"{(max(values) - min(values)) / statistics.median(values) * 100:.0f}%"

    def act_wide_bound(self):
        """The bound of the wide inputs, as soma-bench reports it."""
        for name, counters in self.counters.items():
            if name.startswith("act_wide/") and "input_bound" in counters:
                return f"{counters['input_bound']:g}"
        return "?"

    def names(self, prefix):
        seen = []
        for s in self.rounds.values():
            for name in s.get("soma", {}):
                if name.startswith(prefix) and name not in seen:
                    seen.append(name)
        return seen


def args_of(name):
    return {k: int(v) for k, v in re.findall(r"(\w+):(\d+)", name)}


def table(header, rows, left=1):
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    def line(cells):
        return "| " + " | ".join(
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    out = [line(header),
           "|" + "|".join("-" * (w + 2) if i < left else "-" * (w + 1) + ":"
                          for i, w in enumerate(widths)) + "|"]
    out += [line(r) for r in rows]
    print("\n".join(out))


def fmt_ratio(r):
    return f"{r:.3g}x" if r is not None else "-"


def machine(run):
    """{threads: (peak GFLOP/s, memcpy GB/s, stream GB/s, memcpy s/elem)}:
    the limits the machine reached, i.e. the fastest repetition of the
    fastest round (the median where no "fastest" statistic was recorded)."""
    def best(name):
        values = run.values("soma", "fastest:" + name) or run.values(
            "soma", name)
        return min(values) if values else None
    out = {}
    for t in (1, 2):
        fma = f"machine/fma/threads:{t}"
        s = best(fma)
        peak = run.counters[fma]["flop"] / s * 1e-9 if s else None
        bw = {}
        for kind in ("memcpy", "stream"):
            name = next((n for n in run.names(f"machine/{kind}/")
                         if n.endswith(f"/threads:{t}")), None)
            s = best(name) if name else None
            bw[kind] = (run.counters[name]["bytes"] / s * 1e-9, s / args_of(
                name)["n"]) if s else (None, None)
        out[t] = (peak, bw["memcpy"][0], bw["stream"][0], bw["memcpy"][1])
    return out


def print_machine(run, lim):
    bits = next((int(run.counters[n].get("vector_bits", 0))
                 for n in run.counters if n.startswith("machine/fma")), 0)
    n = next((args_of(x)["n"] for x in run.names("machine/memcpy/")), 0)
    def cell(v, unit):
        return f"{v:.1f} {unit}" if v else "-"
    print("### Machine limits (measured in this run)\n")
    print("The fastest repetition of the run: the FMA peak and memcpy speed "
          "the other tables are judged against.\n")
    table(["measurement", "1 thread", "2 threads"], [
        [f"FP32 FMA peak ({bits}-bit FMAs, 12 chains per thread)",
         cell(lim[1][0], "GFLOP/s"), cell(lim[2][0], "GFLOP/s")],
        [f"memcpy, {n} floats (read + write)", cell(lim[1][1], "GB/s"),
         cell(lim[2][1], "GB/s")],
        [f"stream y = x + 1, {n} floats (read + write)",
         cell(lim[1][2], "GB/s"), cell(lim[2][2], "GB/s")],
    ])
    print()


def print_fc(run, lim):
    names = run.names("fc_")
    if not names:
        return
    def key(name):
        a = args_of(name)
        return (a["threads"], a["M"] * a["K"] * a["N"], a["M"],
                not name.startswith("fc_sigmoid"))
    sides = [p for p in FC_PEERS
             if any(p in s for s in run.rounds.values())]
    header = (["layer (M,K,N)", "act", "thr", "Soma µs", "Soma GFLOP/s",
               "Soma % peak"] + [LABEL[p] for p in sides]
              + ["Soma vs best peer", "Soma spread"])
    rows = []
    for name in sorted(names, key=key):
        a = args_of(name)
        flops = 2 * a["M"] * a["K"] * a["N"]
        peak = lim[a["threads"]][0]
        soma = run.time("soma", name)
        def perf(t):
            g = flops / t * 1e-9
            pct = f" ({g / peak * 100:.0f}%)" if peak else ""
            return f"{g:.2f}{pct}"
        row = [f"({a['M']},{a['K']},{a['N']})",
               name.split("/")[0][3:], a["threads"], f"{soma * 1e6:.4g}"
               if soma * 1e6 < 1000 else f"{soma * 1e6:.0f}",
               f"{flops / soma * 1e-9:.2f}",
               f"{flops / soma * 1e-9 / peak * 100:.1f}%" if peak else "-"]
        for p in sides:
            t = run.time(p, name)
            row.append(f"{perf(t)} {fmt_ratio(run.ratio(p, name))}"
                       if t else "-")
        row.append(fmt_ratio(run.best_ratio(sides, name)))
        row.append(run.spread(name))
        rows.append(row)
    print("### Fused layer Y = act(X·Wᵀ + b)\n")
    print("Soma: median time per call, GFLOP/s (2·M·K·N flops per call) and "
          "% of the measured FMA peak of as many cores as threads. Peer "
          "columns: GFLOP/s (% of peak) and the speed ratio peer time / "
          "Soma time (above 1: Soma is faster). \"Soma vs best peer\": the "
          "fastest peer's time / Soma's time.\n")
    table(header, rows, left=2)
    print()


def print_act(run, lim, family="act/"):
    """The activations' table of one family of inputs: "act/" (uniform in
    [-8, 8), with memcpy's share at the largest size) or "act_wide/"."""
    names = run.names(family)
    if not names:
        return
    wide = family == "act_wide/"
    order = []
    for n in names:
        op = n.split("/")[1]
        if op not in order:
            order.append(op)
    def key(name):
        a = args_of(name)
        return (a["threads"], order.index(name.split("/")[1]), a["n"])
    sides = [p for p in ACT_PEERS
             if any(p in s for s in run.rounds.values())]
    header = (["activation", "elements", "thr", "Soma"]
              + [LABEL[p] for p in sides]
              + ["fastest peer", "Soma vs fastest", "Soma spread"])
    rows = []
    big = max(args_of(n)["n"] for n in names)
    for name in sorted(names, key=key):
        a = args_of(name)
        copy = lim[a["threads"]][3] if a["n"] == big and not wide else None
        def cell(t, side=None):
            if side and f"{side}/{name}" in run.errors:
                return "wrong"
            if not t:
                return "-"
            ns = t / a["n"] * 1e9
            if copy:
                return f"{ns:.3f} ({copy / (t / a['n']) * 100:.0f}%)"
            return f"{ns:.3f}"
        # A side whose results failed the check in any round is out.
        valid = [p for p in sides if f"{p}/{name}" not in run.errors]
        times = {p: run.time(p, name) for p in valid}
        present = {p: t for p, t in times.items() if t}
        fastest = min(present, key=present.get) if present else None
        rows.append([name.split("/")[1], a["n"], a["threads"],
                     cell(run.time("soma", name))]
                    + [cell(times.get(p), p) for p in sides]
                    + [LABEL[fastest] if fastest else "-",
                       fmt_ratio(run.best_ratio(valid, name)),
                       run.spread(name)])
    wrong = ("\"wrong\": the peer's results failed the check against "
             "double precision (the error lines below), so it was not timed. "
             if any(c == "wrong" for row in rows for c in row) else "")
    if wide:
        bound = run.act_wide_bound()
        print("### Element-wise activations on wide inputs, ns per element\n")
        print(f"The same cases on inputs uniform in [-{bound}, {bound}), one "
              f"thread: most results saturate or are tiny, and nearly every "
              f"group of vectors holds an input outside the range of "
              f"sigmoid's and silu's central forms (docs/activations.md). "
              f"{wrong}\"-\": the peer has no such op.\n")
    else:
        print("### Element-wise activations, ns per element\n")
        print(f"Rows of 1024 floats (softmax and log_softmax along each "
              f"row), inputs uniform in [-8, 8). At {big} elements each cell "
              f"also shows the op's speed as % of memcpy's at the same thread "
              f"count (the time memcpy takes per float / the op's). \"Soma "
              f"vs fastest\": the fastest peer's time / Soma's time (above 1: "
              f"Soma is faster). {wrong}\"-\": the peer has no such op.\n")
    table(header, rows, left=1)
    print()


def print_small(run):
    names = run.names("classifier/")
    if not names:
        return
    sides = [p for p in ("torch", "torch-avx512")
             if any(p in s for s in run.rounds.values())]
    rows = []
    for name in names:
        a = args_of(name)
        rows.append([f"classifier 6->2, batch {a['batch']}",
                     f"{run.time('soma', name) * 1e6:.3f}"]
                    + [f"{run.time(p, name) * 1e6:.3f}"
                       if run.time(p, name) else "-" for p in sides]
                    + [fmt_ratio(run.ratio(p, name)) for p in sides])
    print("### Small model, µs per call, 1 thread\n")
    table(["model", "Soma"] + [LABEL[p] for p in sides]
          + [f"{LABEL[p]}/Soma" for p in sides], rows)
    print()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = Run(sys.argv[1])
    lim = machine(run)
    print_machine(run, lim)
    print_fc(run, lim)
    print_act(run, lim)
    print_act(run, lim, "act_wide/")
    print_small(run)
    print(f"Medians of {len(run.rounds)} interleaved round(s); each round's "
          "value is the median of many timed repetitions; 1-thread cases "
          "pinned to one CPU, 2-thread cases to two. Ratios: median of the "
          "per-round ratios. \"Soma spread\": (max - min) / median of Soma's "
          "round medians.")
    torch = run.meta.get("torch")
    if torch:
        print(f"PyTorch {torch['torch']}; its addmm BLAS: "
              + (", ".join(torch.get("blas", [])) or "none found") + ".")
    busy_log = os.path.join(sys.argv[1], "busy.log")
    if os.path.exists(busy_log):
        with open(busy_log) as f:
            steps = [(int(b), step) for b, step in
                     (line.split() for line in f if line.strip())]
        if steps:
            worst = max(steps)
            print(f"Other load as the {len(steps)} steps started (share of "
                  f"all CPUs busy over 0.5 s): median "
                  f"{statistics.median(b for b, _ in steps):.0f}%, max "
                  f"{worst[0]}% ({worst[1]}).")
    for name, message in sorted(run.errors.items()):
        print(f"error: {name}: {message}")


if __name__ == "__main__":
    main()
