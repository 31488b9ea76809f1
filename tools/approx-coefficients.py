#!/usr/bin/env python3
"""Computes the polynomial coefficients of Soma's f64 exp/expm1 and log1p/log
(compiler/lib/Conversion/SomaToLinalg/ApproxMath.cpp) and their errors.

Near-minimax fits by Chebyshev interpolation in 50-digit arithmetic
(mpmath; Debian: python3-mpmath), rounded to f64, then the relative error of
the rounded polynomials measured on 4001 points of the reduced range:

- q(r) ≈ (expm1(r) - r)/r² on |r| <= ln2/2·(1 + 2^-20), degree 8, so that
  expm1(r) ≈ r + r²·q(r) and exp(r) ≈ 1 + r + r²·q(r);
- R(ω) ≈ (2·atanh(√ω/2) - √ω)/√ω³ on ω in [0, 4/25], degree 5, so that
  2·atanh(w/2) ≈ w + w·ω·R(ω) with ω = w², for |w/2| <= 1/5. R is the fit
  P(z) of (2·atanh(√z) - 2√z)/√z³ on z in [0, 1/25] with each coefficient
  of z^i divided by 8·4^i (exact in binary).

and the f32 polynomials of the f32 forms (ApproxMath.cpp):

- expTail, a fit of the same q on |r| <= 0.3466·(1 + 2^-10) (the f32
  reduction's range, with a margin) of degree 4, each coefficient rounded
  to f32 (the 1/2 comes out exact), measured in the same way;
- tanhOddTail's P(t) ≈ (tanh(a) - a)/(a·t) with t = a² on
  [0, 0.75²·(1 + 2^-10)], degree 5, measured as the relative error of
  tanh(a) = a + a·t·P(t);
- log1pExpNegAbs's R(w) ≈ (atanh(s) - s)/s³ with w = s² on
  [0, 1/9·(1 + 2^-10)] (s = e/(2 + e) <= 1/3), degree 4, measured as the
  relative error of 2·atanh(s) = 2s·(1 + w·R(w)).

Prints the coefficients, highest degree first, as C hex-float literals.
"""

import struct

import mpmath as mp

mp.mp.dps = 50


def q(r):
    if abs(r) < mp.mpf("1e-20"):
        return mp.mpf(1) / 2 + r / 6
    return (mp.expm1(r) - r) / r**2


def p(z):
    if z < mp.mpf("1e-30"):
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / s**3


def horner(coefficients, x):
    acc = mp.mpf(0)
    for c in coefficients:
        acc = acc * x + mp.mpf(c)
    return acc


def to_f32(x):
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def f32_fits():
    h = mp.mpf("0.3466") * (1 + mp.mpf(2) ** -10)
    points = [r for r in mp.linspace(-h, h, 4001) if r != 0]
    cs = [to_f32(c) for c in mp.chebyfit(q, [-h, h], 5)]
    exp_error = max(abs((1 + r + r * r * horner(cs, r)) / mp.exp(r) - 1)
                    for r in points)
    print("expTail (f32):", ", ".join(c.hex() for c in cs))
    print("  exp relative error 2^%.1f" % mp.log(exp_error, 2))


def tanh_tail(t):
    if t < mp.mpf("1e-30"):
        return -mp.mpf(1) / 3 + 2 * t / 15
    a = mp.sqrt(t)
    return (mp.tanh(a) - a) / (a * t)


def f32_tanh_fit():
    top = mp.mpf(0.75) ** 2 * (1 + mp.mpf(2) ** -10)
    cs = [to_f32(c) for c in mp.chebyfit(tanh_tail, [0, top], 6)]
    error = max(abs((a + a * a * a * horner(cs, a * a)) / mp.tanh(a) - 1)
                for a in mp.linspace(mp.mpf(2) ** -20, mp.sqrt(top), 2001))
    print("tanhOddTail (f32):", ", ".join(c.hex() for c in cs))
    print("  tanh relative error 2^%.1f" % mp.log(error, 2))


def atanh_tail(w):
    if w < mp.mpf("1e-30"):
        return mp.mpf(1) / 3 + w / 5
    s = mp.sqrt(w)
    return (mp.atanh(s) - s) / (s * w)


def f32_atanh_fit():
    top = mp.mpf(1) / 9 * (1 + mp.mpf(2) ** -10)
    cs = [to_f32(c) for c in mp.chebyfit(atanh_tail, [0, top], 5)]
    error = max(abs((1 + w * horner(cs, w)) / (1 + w * atanh_tail(w)) - 1)
                for w in mp.linspace(0, top, 2001))
    print("log1pExpNegAbs R (f32):", ", ".join(c.hex() for c in cs))
    print("  2·atanh relative error 2^%.1f" % mp.log(error, 2))


def main():
    h = mp.log(2) / 2 * (1 + mp.mpf(2) ** -20)
    cq = [float(c) for c in mp.chebyfit(q, [-h, h], 9)]
    points = [r for r in mp.linspace(-h, h, 4001) if r != 0]
    expm1_error = max(abs((r + r * r * horner(cq, r)) / mp.expm1(r) - 1)
                      for r in points)
    exp_error = max(abs((1 + r + r * r * horner(cq, r)) / mp.exp(r) - 1)
                    for r in points)

    limit = mp.mpf(1) / 5
    cp = [float(c) for c in mp.chebyfit(p, [0, limit**2], 6)]
    degree = len(cp) - 1
    cr = [c / 8 / 4 ** (degree - j) for j, c in enumerate(cp)]
    atanh_error = max(
        abs((w + w * w * w * horner(cr, w * w)) / (2 * mp.atanh(w / 2)) - 1)
        for w in mp.linspace(-2 * limit, 2 * limit, 4001) if w != 0)

    print("kExpm1Q:", ", ".join(c.hex() for c in cq))
    print("  expm1 relative error 2^%.1f, exp 2^%.1f"
          % (mp.log(expm1_error, 2), mp.log(exp_error, 2)))
    print("kAtanhR:", ", ".join(c.hex() for c in cr))
    print("  2·atanh relative error 2^%.1f" % mp.log(atanh_error, 2))
    f32_fits()
    f32_tanh_fit()
    f32_atanh_fit()


if __name__ == "__main__":
    main()
