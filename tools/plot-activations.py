#!/usr/bin/python3
"""Draws docs/activations.png: the sigmoid-family activations on [-6, 6] and,
beneath, each op's error in fractional ULPs across the whole f32 range.

    tools/plot-activations.py ERRORS.csv [-o docs/activations.png]

ERRORS.csv is what `soma-accuracy --csv=ERRORS.csv` writes: per op, the
largest error against the exact value in each of 512 bins, one per binade
of each sign, in value order (see test/Accuracy/soma-accuracy.cpp). The
exhaustive sweep is `soma-accuracy --stride=1 --csv=...`; a sample
(--stride=4099) draws the same picture in seconds. Needs matplotlib
(Debian: python3-matplotlib, installed by tools/setup.sh).
"""

import argparse
import csv
import math
import os
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


CURVES = {
    "sigmoid": sigmoid,
    "log_sigmoid": lambda x: min(x, 0) - math.log1p(math.exp(-abs(x))),
    "hard_sigmoid": lambda x: min(max(x / 6 + 0.5, 0), 1),
    "silu": lambda x: x * sigmoid(x),
    "hard_swish": lambda x: x * min(max(x + 3, 0), 6) / 6,
    "tanh": math.tanh,
    "softplus": lambda x: math.log1p(math.exp(x)),
}


def read_errors(path):
    errors = defaultdict(dict)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            errors[row["op"]][int(row["bin"])] = float(row["max_ulp_exact"])
    return errors


def bin_label(b):
    """The f32 binade that bin b stands for, as a signed power of two."""
    if b in (0, 511):
        return "NaN"
    if b in (1, 510):
        return "±inf"
    if b in (255, 256):
        return "±0"
    exponent = (b - 256 if b >= 256 else 255 - b) - 127
    return ("-" if b < 256 else "") + "2^%d" % max(exponent, -126)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("-o", "--output", default=os.path.join(
        os.path.dirname(__file__), "..", "docs", "activations.png"))
    args = parser.parse_args()
    errors = read_errors(args.csv)

    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 8), gridspec_kw={"height_ratios": [1, 1]})
    xs = [i / 50 - 6 for i in range(601)]
    for name, fn in CURVES.items():
        top.plot(xs, [fn(x) for x in xs], label=name, linewidth=1.2)
    top.set_xlim(-6, 6)
    top.set_ylim(-2, 6)
    top.grid(alpha=0.3)
    top.legend(ncol=4, fontsize=8, loc="upper left")
    top.set_title("Soma's sigmoid-family activations")

    for name in CURVES:
        if name not in errors:
            continue
        bins = sorted(errors[name])
        bottom.step(bins, [errors[name][b] for b in bins], where="mid",
                    label=name, linewidth=1)
    ticks = [2, 128, 192, 255, 256, 319, 383, 509]
    bottom.set_xticks(ticks)
    bottom.set_xticklabels([bin_label(t) for t in ticks], fontsize=8)
    bottom.set_xlim(0, 511)
    bottom.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    # Room above the largest error, and at least up to 1 ULP.
    worst = max((max(e.values()) for e in errors.values() if e), default=0)
    bottom.set_ylim(0, max(1.0, 1.15 * worst))
    bottom.set_xlabel("f32 input, by binade (negative to positive)")
    bottom.set_ylabel("max error vs exact (ULP)")
    bottom.grid(alpha=0.3)
    bottom.legend(ncol=4, fontsize=8, loc="upper left")
    bottom.set_title("Largest error per binade over the measured inputs "
                     "(0.5 = correctly rounded)")
    figure.tight_layout()
    figure.savefig(args.output, dpi=72)


if __name__ == "__main__":
    main()
