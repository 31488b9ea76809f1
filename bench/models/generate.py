#!/usr/bin/env python3
"""Writes the benchmark models soma-bench compiles.

  generate.py OUT_DIR SPEC [SPEC ...]

SPEC is one of
  fc:ACT:M:K:N   OUT_DIR/fc_ACT_M_K_N.mlir: Y = ACT(X·Wᵀ + b), X [M, K],
                 W [N, K], b [N], the batch dynamic (X [?, K]); ACT is
                 sigmoid or relu.
  act:OP         OUT_DIR/act_OP.mlir: Y = OP(X) over X [?, 1024] (softmax and
                 log_softmax along the rows of 1024); OP is a soma activation.

The weights are pseudo-random but deterministic (a fixed seed per (K, N), so
every M of a weight shape has the same W and b), and every build compiles the
same model. They are generated at build time rather than committed: the
4096x1024 layer alone is 16 MiB of floats. They are stored as
`dense_resource` blobs in hex, which keeps the file at twice the raw size and
spares the parser millions of decimal literals; bench/torch_peer.py reads the
same blobs back (`read_weights`) to run PyTorch on identical values.
"""
import math
import os
import struct
import sys

ACTIVATIONS = ["sigmoid", "log_sigmoid", "hard_sigmoid", "silu", "hard_swish",
               "tanh", "softplus", "softmax", "log_softmax"]
FC_ACTIVATIONS = ["sigmoid", "relu"]


def _uniform(seed, count, bound):
    """`count` floats in [-bound, bound) from a 64-bit xorshift* stream.

    Plain Python on purpose: the build must not depend on NumPy.
    """
    state = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF
    out = [0.0] * count
    mask = 0xFFFFFFFFFFFFFFFF
    scale = 2.0 * bound / float(1 << 24)
    for i in range(count):
        state ^= state >> 12
        state ^= (state << 25) & mask
        state ^= state >> 27
        # The top 24 bits give a float exactly representable in f32.
        out[i] = (((state * 0x2545F4914F6CDD1D) & mask) >> 40) * scale - bound
    return out


_WEIGHTS = {}


def weights(k, n):
    """(W flat, n rows of k floats, b as n floats): PyTorch's Linear init
    range ±1/√K."""
    if (k, n) not in _WEIGHTS:
        bound = 1.0 / math.sqrt(k)
        flat = _uniform(k * 1000003 + n, n * k + n, bound)
        _WEIGHTS[k, n] = (flat[:n * k], flat[n * k:])
    return _WEIGHTS[k, n]


def _blob(values):
    # A builtin dense_resource blob: a little-endian u32 alignment, then data.
    return "0x" + struct.pack("<I", 4).hex() + struct.pack(
        "<%df" % len(values), *values).hex().upper()


def read_weights(path):
    """The (W, b) blobs of an fc model file as bytes of little-endian f32."""
    blobs = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            for name in ("w", "b"):
                if line.startswith(f'{name}: "0x'):
                    hex_text = line.split('"')[1][2:]
                    blobs[name] = bytes.fromhex(hex_text[8:])
    return blobs["w"], blobs["b"]


def fc_model(act, m, k, n):
    if act not in FC_ACTIVATIONS:
        sys.exit(f"generate.py: fc activation {act!r} is not one of "
                 f"{FC_ACTIVATIONS}")
    w, b = weights(k, n)
    # The batch (M rows) is dynamic, as in a deployed model: the library
    # splits it between threads.
    x_t, w_t, b_t, y_t = (f"tensor<?x{k}xf32>", f"tensor<{n}x{k}xf32>",
                          f"tensor<{n}xf32>", f"tensor<?x{n}xf32>")
    return f"""\
// Y = {act}(X * W^T + b) with K = {k}, N = {n}; the benchmark runs M = {m}.
// Written by bench/models/generate.py; weights uniform in +-1/sqrt(K).
func.func @fc(%x: {x_t}) -> {y_t} {{
  %w = arith.constant dense_resource<w> : {w_t}
  %b = arith.constant dense_resource<b> : {b_t}
  %z = soma.linear %x, %w, %b : ({x_t}, {w_t}, {b_t}) -> {y_t}
  %y = soma.{act} %z : {y_t}
  return %y : {y_t}
}}

{{-#
  dialect_resources: {{
    builtin: {{
      w: "{_blob(w)}",
      b: "{_blob(b)}"
    }}
  }}
#-}}
"""


def act_model(op):
    if op not in ACTIVATIONS:
        sys.exit(f"generate.py: activation {op!r} is not one of {ACTIVATIONS}")
    t = "tensor<?x1024xf32>"
    attrs = " {dim = -1 : i64}" if op.endswith("softmax") else ""
    return f"""\
// Y = {op}(X) over rows of 1024 floats{" (along each row)" if attrs else ""}; the batch is dynamic.
// Written by bench/models/generate.py.
func.func @act(%x: {t}) -> {t} {{
  %y = soma.{op} %x{attrs} : {t}
  return %y : {t}
}}
"""


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for spec in argv[2:]:
        kind, *args = spec.split(":")
        if kind == "fc" and len(args) == 4:
            act, m, k, n = args[0], *map(int, args[1:])
            name, text = f"fc_{act}_{m}_{k}_{n}", fc_model(act, m, k, n)
        elif kind == "act" and len(args) == 1:
            name, text = f"act_{args[0]}", act_model(args[0])
        else:
            sys.exit(f"generate.py: bad spec {spec!r}\n\n{__doc__}")
        path = os.path.join(out_dir, name + ".mlir")
        # Write then rename, so an interrupted build never leaves half a model
        # that looks up to date.
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main(sys.argv)
