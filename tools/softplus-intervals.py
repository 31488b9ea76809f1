#!/usr/bin/env python3
"""Computes the interval tables of Soma's AVX-512 f32 softplus and
log_sigmoid (compiler/lib/Conversion/SomaToLinalg/SoftplusByIntervals.cpp)
and their errors.

softplus(x) = p + g(a) with g(a) = log(1 + e^a): a = x and p = 0 up to
x = 0.95, a = -x and p = x above (softplus(x) = x + g(-x)), so that a is
at most 0.95 and g(a) at most a quarter of the result wherever p is not 0.
a falls in one of 31 intervals of width 0.64 centered on k·0.64 for k in
[-29, 1], picked by rounding a/0.64 (1/0.64 = 1.5625 is an f32); below
a = -18.5 the 32nd entry holds e^r for the reduced argument of
e^a = 2^n·e^r, |r| <= ln2/2, where g(a) = e^a·(1 - e^a/2 + ...) is e^a
to within 2^-27.7 relative. On each interval,
g(m + r) ≈ c0 + r·(c1 + r·(c2 + ... + r·c6)) with r = a - m exact
(Sterbenz: m lies within a factor 2 of every a of its interval) and:

- m an f32 near the interval's center for which g(m) lies within about
  2^-11 ULP of an f32, c0 (Gal's accurate tables): the constant term adds
  no error of its own; m = 0 on the interval around 0, where r = a keeps
  tiny inputs exact and c0 = ln2 rounded (0.032 ULP off);
- c1..c6 rounded to f32 one at a time, each time refitting the rest by
  least squares of the relative error on 24 Chebyshev nodes (mpmath, 40
  digits; Debian: python3-mpmath), so that the later coefficients absorb
  the earlier ones' rounding.

Prints, per interval, its range, m, how far g(m) is from c0 and the
largest error of the exactly evaluated polynomial (f32 coefficients, 201
points) in ULPs of g; then the C++ tables.
"""


import mpmath as mp

from f32 import bits, from_bits, literal, to_f32, ulp

mp.mp.dps = 40

DEGREE = 6
WIDTH = mp.mpf("0.64")
TOP = mp.mpf("0.95")  # the largest a
LOWEST = -29  # the lowest k; entry k - LOWEST holds interval k
SLACK = mp.mpf(2) ** -12  # rounding a/0.64 may pick a neighbor at an edge






def g(a):
    return mp.log1p(mp.exp(a))


def center(target):
    """The f32 within 1000 ULPs of target whose g is nearest an f32."""
    middle = bits(to_f32(target))
    best = None
    for k in range(-1000, 1001):
        m = from_bits(middle + k)
        v = g(mp.mpf(m))
        distance = abs(v - mp.mpf(to_f32(v))) / ulp(v)
        if best is None or distance < best[0]:
            best = (distance, m, to_f32(v))
    return best


def fit(fn, m, c0, lo, hi):
    """c1..c6 of fn(m + r) ≈ c0 + r·(c1 + ...) on r in [lo, hi], each
    rounded to f32 before the rest are refitted."""
    n = 4 * DEGREE
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n))
             for k in range(n)]
    fixed = []
    for first in range(1, DEGREE + 1):
        rows, rhs = [], []
        for r in nodes:
            exact = fn(m + r)
            known = c0 + sum(c * r**(i + 1) for i, c in enumerate(fixed))
            rows.append([r**i / exact for i in range(first, DEGREE + 1)])
            rhs.append((exact - known) / exact)
        solution = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))[0]
        fixed.append(mp.mpf(to_f32(solution[0])))
    return fixed


def worst_error(fn, m, coefficients, lo, hi):
    worst = mp.mpf(0)
    for i in range(201):
        r = lo + (hi - lo) * i / 200
        value = sum(c * r**k for k, c in enumerate(coefficients))
        exact = fn(m + r)
        worst = max(worst, abs(value - exact) / ulp(exact))
    return worst


def main():
    rows = []
    for k in range(LOWEST, 2):
        lo = (k - mp.mpf(0.5)) * WIDTH - SLACK
        hi = min((k + mp.mpf(0.5)) * WIDTH + SLACK, TOP + SLACK)
        if k == 0:
            m, c0 = 0.0, to_f32(mp.log(2))
            distance = abs(mp.log(2) - mp.mpf(c0)) / ulp(mp.log(2))
        else:
            distance, m, c0 = center(k * WIDTH)
        coefficients = [mp.mpf(c0)] + fit(g, mp.mpf(m), mp.mpf(c0),
                                          lo - m, hi - m)
        worst = worst_error(g, mp.mpf(m), coefficients, lo - m, hi - m)
        print(f"// {k - LOWEST:2}: [{float(lo):.6g}, {float(hi):.6g}) "
              f"m = {m!r}, g(m) - c0 {float(distance):.1e} ULP, "
              f"polynomial {float(worst):.3f} ULP")
        rows.append((m, coefficients))
    # The 32nd entry: e^r on |r| <= ln2/2, with slack for the reduction's
    # rounding.
    half = mp.log(2) / 2 * (1 + mp.mpf(2) ** -10)
    coefficients = [mp.mpf(1)] + fit(mp.exp, mp.mpf(0), mp.mpf(1), -half, half)
    worst = worst_error(mp.exp, mp.mpf(0), coefficients, -half, half)
    print(f"// 31: e^r, |r| <= ln2/2, polynomial {float(worst):.3f} ULP")
    rows.append((0.0, coefficients))

    def table(values, indent):
        literals = [literal(v) for v in values]
        return "\n".join(indent + ", ".join(literals[i:i + 4]) + ","
                         for i in range(0, 32, 4))

    print("constexpr float kSoftplusCenters[32] = {")
    print(table([m for m, _ in rows], "    "))
    print("};")
    print(f"constexpr float kSoftplusCoefficients[{DEGREE + 1}][32] = {{")
    for k in range(DEGREE + 1):
        print("    {")
        print(table([c[k] for _, c in rows], "        "))
        print("    },")
    print("};")


if __name__ == "__main__":
    main()
