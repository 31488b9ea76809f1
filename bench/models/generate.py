#!/usr/bin/env python3
"""Writes the linear+sigmoid benchmark models, Y = sigmoid(X·Wᵀ + b).

The weights are pseudo-random but deterministic, so every build compiles the
same model and bench/torch_peer.py can rebuild the identical tensors from
`weights(k, n)`. They are generated at build time rather than committed: the
1024x1024 layer alone is 4 MiB of floats. They are stored as a
`dense_resource` blob in hex, which keeps the file at twice the raw size and
spares the parser a million decimal literals.

  generate.py OUT_DIR K N [K N ...]    writes OUT_DIR/linear_KxN.mlir
"""
import math
import os
import struct
import sys


def _uniform(seed, count, bound):
    """`count` floats in [-bound, bound) from a 64-bit xorshift* stream.

    Plain Python on purpose: the build must not depend on NumPy, and the peer
    must reproduce the exact values without it.
    """
    state = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF
    out = []
    for _ in range(count):
        state ^= state >> 12
        state ^= (state << 25) & 0xFFFFFFFFFFFFFFFF
        state ^= state >> 27
        r = (state * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF
        # The top 24 bits give a float exactly representable in f32.
        out.append(((r >> 40) / float(1 << 24) * 2.0 - 1.0) * bound)
    return out


def weights(k, n):
    """(W as n rows of k floats, b as n floats), PyTorch's Linear init range."""
    bound = 1.0 / math.sqrt(k)
    flat = _uniform(k * 1000003 + n, n * k + n, bound)
    w = [flat[i * k:(i + 1) * k] for i in range(n)]
    return w, flat[n * k:]


def _blob(values):
    # A builtin dense_resource blob: a little-endian u32 alignment, then data.
    return "0x" + struct.pack("<I", 4).hex() + struct.pack(
        "<%df" % len(values), *values).hex().upper()


def model(k, n):
    w, b = weights(k, n)
    flat_w = [v for row in w for v in row]
    x_t, w_t, b_t, y_t = (f"tensor<?x{k}xf32>", f"tensor<{n}x{k}xf32>",
                          f"tensor<{n}xf32>", f"tensor<?x{n}xf32>")
    return f"""\
// Y = sigmoid(X * W^T + b) with K = {k}, N = {n}; the batch M is dynamic.
// Written by bench/models/generate.py; weights uniform in +-1/sqrt(K).
func.func @linear(%x: {x_t}) -> {y_t} {{
  %w = arith.constant dense_resource<w> : {w_t}
  %b = arith.constant dense_resource<b> : {b_t}
  %z = soma.linear %x, %w, %b : ({x_t}, {w_t}, {b_t}) -> {y_t}
  %y = soma.sigmoid %z : {y_t}
  return %y : {y_t}
}}

{{-#
  dialect_resources: {{
    builtin: {{
      w: "{_blob(flat_w)}",
      b: "{_blob(b)}"
    }}
  }}
#-}}
"""


def main(argv):
    if len(argv) < 4 or len(argv) % 2:
        sys.exit(__doc__)
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for k, n in zip(argv[2::2], argv[3::2]):
        path = os.path.join(out_dir, f"linear_{k}x{n}.mlir")
        # Write then rename, so an interrupted build never leaves half a model
        # that looks up to date.
        with open(path + ".tmp", "w") as f:
            f.write(model(int(k), int(n)))
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main(sys.argv)
