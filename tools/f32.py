"""f32 helpers shared by the interval-table scripts (tanh-intervals.py,
softplus-intervals.py): rounding to f32, its bits, its ULP (of the binade,
in mpmath) and its C++ hexadecimal literal."""

import struct

import mpmath as mp


def to_f32(x):
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def bits(x):
    return struct.unpack("I", struct.pack("f", x))[0]


def from_bits(b):
    return struct.unpack("f", struct.pack("I", b))[0]


def ulp(v):
    return mp.mpf(2) ** (mp.floor(mp.log(abs(v), 2)) - 23)


def literal(v):
    """v as a C++ hexadecimal float literal: 0x1.8p-1f."""
    mantissa, exponent = float(v).hex().split("p")
    return mantissa.rstrip("0").rstrip(".") + "p" + exponent + "f"
