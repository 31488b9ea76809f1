#!/usr/bin/env python3
"""Computes the interval tables of Soma's AVX-512 f32 tanh
(compiler/lib/Conversion/SomaToLinalg/TanhByIntervals.cpp) and their errors.

|x| clamped to 9.2 falls in one of 29 intervals, picked by the top bits of
its float representation: [0, 0.078125), then quarter binades from
0.078125 = 1.25·2^-4 up to [8, 10) (fitted up to the clamp). On each,
tanh(m + r) ≈ c0 + r·(c1 + r·(c2 + ... + r·c6)) with r = |x| - m exact
(Sterbenz: m is inside the interval) and:

- m an f32 near the interval's middle for which tanh(m) lies within about
  2^-11 ULP of an f32, c0 (Gal's accurate tables): c0 is tanh(m) to far
  better than its rounding, so the constant term adds no error of its own;
  m = 0 and c0 = 0 on the first interval, where r = |x| keeps tiny
  results exact;
- c1..c6 a near-minimax fit (Chebyshev interpolation, 40 digits, mpmath;
  Debian: python3-mpmath) of (tanh(m + r) - c0)/r, each rounded to f32.

Prints, per interval, the range, m, how far tanh(m) is from c0 and the
largest error of the exactly evaluated polynomial (f32 coefficients, 401
points) in ULPs of tanh; then the C++ tables, entries 29-31 repeating the
last interval (|x| <= 9.2 never indexes them).
"""


import mpmath as mp

from f32 import bits, from_bits, literal, to_f32, ulp

mp.mp.dps = 40

DEGREE = 6
CLAMP = mp.mpf("9.2")
INTERVALS = 29






def chebyshev_fit(fn, a, b, degree):
    """Monomial coefficients (lowest first) of fn's interpolant at the
    degree + 1 Chebyshev nodes of [a, b]."""
    n = degree + 1
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n))
             for k in range(n)]
    system = mp.matrix([[x**i for i in range(n)] for x in nodes])
    solution = mp.lu_solve(system, mp.matrix([fn(x) for x in nodes]))
    return [solution[i] for i in range(n)]


def intervals():
    yield mp.mpf(0), mp.mpf("0.078125")
    for binade in range(-4, 4):
        for quarter in range(4):
            if binade == -4 and quarter == 0:
                continue
            lo = mp.mpf(2) ** binade * (1 + mp.mpf(quarter) / 4)
            yield lo, min(lo + mp.mpf(2) ** binade / 4, CLAMP)


def center(lo, hi):
    """The f32 within 3000 ULPs of the middle whose tanh is nearest an f32."""
    middle = bits(to_f32((lo + hi) / 2))
    best = None
    for k in range(-3000, 3001):
        m = from_bits(middle + k)
        t = mp.tanh(mp.mpf(m))
        distance = abs(t - mp.mpf(to_f32(t))) / ulp(t)
        if best is None or distance < best[0]:
            best = (distance, m, to_f32(t))
    return best


def main():
    rows = []
    for j, (lo, hi) in enumerate(intervals()):
        if j == INTERVALS:
            break
        if j == INTERVALS - 1:
            hi = CLAMP * (1 + mp.mpf(2) ** -20)
        if j == 0:
            distance, m, c0 = mp.mpf(0), 0.0, 0.0
            tail = lambda r: mp.tanh(r) / r if r else mp.mpf(1)
        else:
            distance, m, c0 = center(lo, hi)
            tail = lambda r, m=mp.mpf(m), c0=mp.mpf(c0): (
                (mp.tanh(m + r) - c0) / r if r else 1 - mp.tanh(m) ** 2)
        a, b = lo - mp.mpf(m), hi - mp.mpf(m)
        coefficients = [to_f32(c) for c in chebyshev_fit(tail, a, b, DEGREE - 1)]
        worst = mp.mpf(0)
        for i in range(401):
            r = a + (b - a) * i / 400
            if r + mp.mpf(m) == 0:
                continue
            value = mp.mpf(c0) + r * sum(
                mp.mpf(c) * r**k for k, c in enumerate(coefficients))
            exact = mp.tanh(mp.mpf(m) + r)
            worst = max(worst, abs(value - exact) / ulp(exact))
        print(f"// {j:2}: [{float(lo):.6g}, {float(hi):.6g}) m = {m!r}, "
              f"tanh(m) - c0 {float(distance):.1e} ULP, "
              f"polynomial {float(worst):.3f} ULP")
        rows.append((m, [c0] + coefficients))
    while len(rows) < 32:
        rows.append(rows[-1])

    def table(values):
        literals = [literal(v) for v in values]
        return "\n".join("    " + ", ".join(literals[i:i + 4]) + ","
                         for i in range(0, 32, 4))

    print("constexpr float kTanhCenters[32] = {")
    print(table([m for m, _ in rows]))
    print("};")
    print(f"constexpr float kTanhCoefficients[{DEGREE + 1}][32] = {{")
    for k in range(DEGREE + 1):
        print("  {")
        print(table([c[k] for _, c in rows]))
        print("  },")
    print("};")


if __name__ == "__main__":
    main()
