#!/usr/bin/python3
"""Generates test/Unit/TorchReference.inc: soma ops against PyTorch's CPU kernels.

Every op of SPEC section 3 gets a few small cases. For each case this script
writes the MLIR text of a one-op `func.func @main` (generic op form, weights as
function arguments), the input tensors, the output PyTorch's float32 CPU kernel
computes for them, and how closely the reference interpreter must agree
(TorchReferenceTest.cpp states and justifies the tolerances):

* exact ops (layout, relu, leaky_relu, threshold, dropout, max_pool2d and the
  IEEE arithmetic add/sub/mul/div): 0 ULP;
* transcendental and piecewise-linear activations: 4 ULP;
* sums of products (matmul, linear, conv2d, conv_transpose2d, reduce_sum,
  avg_pool2d, batch_norm) and softmax/log_softmax: a per-element absolute
  bound, computed here from the inputs (see the `*Bound` functions).

Each case is also run through PyTorch's float64 kernel on the same inputs and
with the same f32 attribute values; rounded to f32, that is the correctly
rounded result for all practical purposes. Where the float32 kernel is further
from it than the case's tolerance, or disagrees on NaN, infinity or the sign
of zero, the float32 value is a float-precision artifact of PyTorch's kernel
(an intermediate that overflows or underflows in f32, say) rather than the
op's semantics: the rounded float64 value becomes the expected one, and the
substitution is listed in the generated file's header.

Values are stored as f32 bit patterns so that NaN, -0 and subnormals survive.
Everything is deterministic (a fixed seed, one torch thread).

To regenerate, from the repository root, with Debian's python3-torch and
python3-numpy installed:

    /usr/bin/python3 test/Unit/torch/generate_reference.py

It overwrites test/Unit/TorchReference.inc (or the path given as argument).
"""

import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
F32 = np.float32
FLT_MAX = float(np.finfo(np.float32).max)
FLT_MIN = float(np.finfo(np.float32).tiny)
EPS = 2.0 ** -23  # one ULP of 1.0 in f32

# The tolerances, in ULPs, of the two element-wise classes.
EXACT_ULP = 0
ACTIVATION_ULP = 4
# Contraction-like cases also accept this many ULPs where their absolute
# bound is smaller (results near zero or subnormal).
BOUNDED_ULP = 4

torch.manual_seed(SEED)
torch.set_num_threads(1)
RNG = np.random.default_rng(SEED)


# ---------------------------------------------------------------------------
# f32 helpers
# ---------------------------------------------------------------------------

def f32(values):
    return np.asarray(values, dtype=np.float32)


def f32Bits(values):
    return f32(values).reshape(-1).view(np.uint32)


def orderedInt(x):
    """Maps f32 values to integers whose difference counts ULPs (+0 == -0)."""
    b = f32Bits(x).astype(np.int64)
    magnitude = b & 0x7FFFFFFF
    return np.where(b >> 31 == 1, -magnitude, magnitude)


def ulpDistance(a, b):
    return np.abs(orderedInt(a) - orderedInt(b))


def formatF32(value):
    """An MLIR float literal that parses (via double) back to exactly value."""
    v = F32(value)
    text = np.format_float_scientific(v, unique=True, exp_digits=2)
    mantissa, exponent = text.split("e")
    if mantissa.endswith("."):
        mantissa += "0"
    text = mantissa + "e" + exponent
    assert F32(float(text)) == v, (value, text)
    return text


def f32Attr(value):
    return formatF32(value) + " : f32"


def i64Attr(value):
    return "%d : i64" % value


def arrayAttr(values):
    if not values:
        return "array<i64>"
    return "array<i64: %s>" % ", ".join(str(v) for v in values)


def boolAttr(value):
    return "true" if value else "false"


def tensorType(shape, dynamic=False):
    dims = ["?" if dynamic and i == 0 else str(d) for i, d in enumerate(shape)]
    return "tensor<%sf32>" % "".join(d + "x" for d in dims)


def randn(*shape, scale=1.0):
    return f32(RNG.standard_normal(shape) * scale)


def uniform(low, high, *shape):
    return f32(RNG.uniform(low, high, shape))


def logUniform(lowExp, highExp, n):
    """n values of random sign whose magnitudes spread over 10^[lowExp, highExp]."""
    signs = RNG.choice([-1.0, 1.0], n)
    return f32(signs * 10.0 ** RNG.uniform(lowExp, highExp, n))


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

class Case:
    """One op on one set of inputs, with everything the test needs."""

    def __init__(self, name, op, inputs, compute, attrs=None, dynamic=None,
                 maxUlp=ACTIVATION_ULP, bound=None, checkZeroSign=True,
                 elementwise=False):
        self.name = name
        self.op = op
        self.inputs = [f32(x) for x in inputs]
        self.compute = compute  # list of torch tensors -> torch tensor
        self.attrs = attrs or {}
        # Which inputs have a dynamic leading dimension (the batch).
        self.dynamic = dynamic or [False] * len(inputs)
        self.maxUlp = maxUlp
        self.bound = bound  # (inputs as float64 tensors, result64) -> bound
        self.checkZeroSign = checkZeroSign
        # Whether output element i comes from the (broadcast) input elements
        # at the same index, so that the test can show them with a mismatch.
        self.elementwise = elementwise
        self.notes = []
        self.expected = None
        self.boundValues = None

    def run(self):
        args32 = [torch.from_numpy(x.copy()) for x in self.inputs]
        args64 = [a.double() for a in args32]
        with torch.no_grad():
            t32 = self.compute(args32)
            t64 = self.compute(args64)
        assert t32.dtype == torch.float32 and t64.dtype == torch.float64
        t32 = t32.contiguous().numpy()
        r64 = t64.contiguous().numpy()
        with np.errstate(over="ignore"):  # beyond FLT_MAX rounds to infinity
            rounded = r64.astype(np.float32)
        assert t32.shape == rounded.shape
        if self.bound is not None:
            b = self.bound(args64, t64).contiguous().numpy()
            self.boundValues = np.broadcast_to(b, t32.shape).astype(np.float32)
        self.expected = t32.copy()
        flatE = self.expected.reshape(-1)
        flat32 = t32.reshape(-1)
        flatR = rounded.reshape(-1)
        flat64 = r64.reshape(-1)
        flatB = None if self.boundValues is None else self.boundValues.reshape(-1)
        for i in range(flat32.size):
            if not self.agrees(flat32[i], flatR[i], flat64[i],
                               None if flatB is None else flatB[i]):
                flatE[i] = flatR[i]
                self.notes.append((i, flat32[i], flatR[i]))

    def agrees(self, a, rounded, exact, bound):
        """Whether PyTorch's f32 value a is within this case's tolerance."""
        if math.isnan(a) or math.isnan(rounded):
            return math.isnan(a) and math.isnan(rounded)
        if math.isinf(a) or math.isinf(rounded):
            return a == rounded
        if self.checkZeroSign and a == 0 and rounded == 0:
            return math.copysign(1, a) == math.copysign(1, rounded)
        if ulpDistance(a, rounded)[0] <= self.maxUlp:
            return True
        # The bound covers both sides' errors; measured against the unrounded
        # float64 value, the f32 kernel may use all of it but the interpreter's
        # own final rounding.
        if bound is None:
            return False
        return abs(float(a) - exact) <= float(bound) - abs(exact) * 2.0 ** -24

    def inputSummary(self, i):
        """The input element at i for element-wise cases (for the notes)."""
        if len(self.inputs) == 1 and self.inputs[0].size == self.expected.size:
            return "x = %r (0x%08x)" % (float(self.inputs[0].reshape(-1)[i]),
                                        f32Bits(self.inputs[0])[i])
        return "element %d" % i

    def module(self):
        argTypes = [tensorType(x.shape, d) for x, d in zip(self.inputs, self.dynamic)]
        resultType = tensorType(self.expected.shape, any(self.dynamic))
        args = ", ".join("%%arg%d: %s" % (i, t) for i, t in enumerate(argTypes))
        operands = ", ".join("%%arg%d" % i for i in range(len(argTypes)))
        attrs = ""
        if self.attrs:
            attrs = " {%s}" % ", ".join("%s = %s" % kv for kv in self.attrs.items())
        return ("func.func @main(%s) -> %s {\n"
                "  %%0 = \"%s\"(%s)%s : (%s) -> %s\n"
                "  func.return %%0 : %s\n"
                "}\n") % (args, resultType, self.op, operands, attrs,
                          ", ".join(argTypes), resultType, resultType)


CASES = []


def add(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))


# ---------------------------------------------------------------------------
# Error bounds
# ---------------------------------------------------------------------------
# A sum of K products computed in f32 in any order (with or without FMA) is
# within gamma_K * S of the exact value, gamma_K = K u / (1 - K u) with
# u = 2^-24 and S the sum of the absolute values of the products. The
# interpreter adds at most 0.5 ULP of the result (<= u * S). K * 2^-23 * S
# covers both for every K >= 1 and the small K used here.

def dotBound(absoluteSum, k):
    return absoluteSum * (k * EPS)


def softmaxBound(args, result, dim):
    """Relative (|x_i - max| + 2K + 8) * 2^-23 of the result.

    exp(x_i - max) inherits the rounding of the subtraction as a relative
    error of |x_i - max| * u, plus a few ULP of exp itself; the denominator
    sums K such terms (at most (2K + 4) u relative, the terms with a large
    |x - max| being exponentially small), and the division adds one rounding.
    """
    x = args[0]
    k = x.shape[dim]
    m = x.amax(dim=dim, keepdim=True)
    spread = (x - m).abs().nan_to_num(nan=0.0, posinf=0.0, neginf=0.0)
    return result.abs().nan_to_num(nan=0.0, posinf=0.0) * (spread + 2 * k + 8) * EPS


def logSoftmaxBound(args, result, dim):
    """(|x_i - max| + |log sum| + |result| + 2K + 8) * 2^-23, absolute.

    The three magnitudes are those of the three rounded steps (x_i - max, the
    logarithm and the final subtraction); the sum's relative error of at most
    (2K + 4) u becomes an absolute error of the logarithm.
    """
    x = args[0]
    k = x.shape[dim]
    m = x.amax(dim=dim, keepdim=True)
    shifted = x - m
    logSum = torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))
    clean = lambda t: t.abs().nan_to_num(nan=0.0, posinf=0.0, neginf=0.0)
    return (clean(shifted) + clean(logSum) + clean(result) + 2 * k + 8) * EPS


# ---------------------------------------------------------------------------
# Element-wise activations
# ---------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan,
           1e-45, -1e-45, 1e-40, -1e-40, FLT_MIN, -FLT_MIN, 1e-8, -1e-8,
           0.5, -0.5, 1.0, -1.0, 2.0, -2.0,
           88.7, -88.7, 89.0, -89.0, 104.0, -104.0, -100.0, 100.0,
           -1000.0, 1000.0, 19.9, 20.0, 20.5, 25.0, 1e4, -20.5, -1e4,
           1e30, -1e30, FLT_MAX, -FLT_MAX]


def activationValues():
    """64 values of moderate size and 64 spread over magnitudes 1e-6..1e3."""
    return np.concatenate([randn(64, scale=4.0), logUniform(-6, 3, 64)]).reshape(4, 32)


def activation(name, op, fn, attrs=None, extra=(), maxUlp=ACTIVATION_ULP):
    add(name, op, [activationValues()], lambda a: fn(a[0]), attrs, maxUlp=maxUlp,
        elementwise=True)
    special = f32(SPECIAL + list(extra))
    add(name + "_special", op, [special], lambda a: fn(a[0]), attrs, maxUlp=maxUlp,
        elementwise=True)


def onnxHardSigmoid(alpha, beta):
    """max(0, min(1, alpha x + beta)), with the f32 attribute values.

    PyTorch has no such op, so this composes torch's mul, add and clamp. In
    f32, alpha x + beta cancels near x = -beta / alpha, where the float64
    evaluation supplies the expected value (see the module docstring).
    """
    a, b = float(F32(alpha)), float(F32(beta))
    return lambda x: torch.clamp(x * a + b, 0.0, 1.0)


def makeActivations():
    nearThree = [-3.0, -3.0001, -2.9999, -2.99, -2.5, 2.99, 2.9999, 3.0, 3.0001, -1e-7, 1e-7]
    activation("sigmoid", "soma.sigmoid", torch.sigmoid)
    activation("log_sigmoid", "soma.log_sigmoid", F.logsigmoid,
               extra=[-50.0, -87.0, -88.0, 15.0, 17.0, 30.0])
    activation("hard_sigmoid", "soma.hard_sigmoid", F.hardsigmoid, extra=nearThree)
    activation("hard_sigmoid_onnx", "soma.hard_sigmoid", onnxHardSigmoid(0.2, 0.5),
               {"alpha": f32Attr(0.2), "beta": f32Attr(0.5)},
               extra=[-2.5, -2.5001, -2.4999, -2.49, 2.49, 2.4999, 2.5, 2.5001])
    activation("silu", "soma.silu", F.silu, extra=[-17.0, -30.0, -87.0])
    activation("hard_swish", "soma.hard_swish", F.hardswish, extra=nearThree)
    activation("tanh", "soma.tanh", torch.tanh, extra=[1e-4, -1e-4, 8.0, 9.0, 10.0, -9.5])
    activation("relu", "soma.relu", torch.relu, maxUlp=EXACT_ULP)
    # The slopes are the f32 attribute values, for the float64 kernel too.
    activation("leaky_relu", "soma.leaky_relu", lambda x: F.leaky_relu(x, float(F32(0.01))),
               maxUlp=EXACT_ULP)
    slope = float(F32(0.2))
    activation("leaky_relu_0p2", "soma.leaky_relu", lambda x: F.leaky_relu(x, slope),
               {"negative_slope": f32Attr(0.2)}, maxUlp=EXACT_ULP)
    activation("threshold", "soma.threshold", lambda x: F.threshold(x, 0.5, -2.0),
               {"threshold": f32Attr(0.5), "value": f32Attr(-2.0)},
               extra=[0.49999997, 0.50000006], maxUlp=EXACT_ULP)
    activation("threshold_neg", "soma.threshold", lambda x: F.threshold(x, -1.0, 0.0),
               {"threshold": f32Attr(-1.0), "value": f32Attr(0.0)},
               extra=[-1.0000001, -0.99999994], maxUlp=EXACT_ULP)
    activation("softplus", "soma.softplus", F.softplus,
               extra=[19.99, 20.0001, 21.0, -20.0, -88.0, -87.0, 15.0])
    activation("softplus_beta2", "soma.softplus", lambda x: F.softplus(x, 2.0, 5.0),
               {"beta": f32Attr(2.0), "threshold": f32Attr(5.0)},
               extra=[2.4, 2.49, 2.5, 2.5000002, 2.51, 3.0, 10.0, -44.0, -52.0])
    activation("dropout", "soma.dropout", lambda x: F.dropout(x, 0.5, training=False),
               maxUlp=EXACT_ULP)
    activation("dropout_p0p2", "soma.dropout", lambda x: F.dropout(x, 0.2, training=False),
               {"p": f32Attr(0.2)}, maxUlp=EXACT_ULP)


# ---------------------------------------------------------------------------
# Broadcasting arithmetic
# ---------------------------------------------------------------------------

ARITH_SPECIAL = [0.0, -0.0, 1.0, -1.0, 3.0, -0.1, 1e-45, -1e-45, 1e-40,
                 FLT_MIN, FLT_MAX, -FLT_MAX, 1e30, math.inf, -math.inf, math.nan]


def makeArithmetic():
    ops = [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]
    shapes = [
        ("same", (2, 3), (2, 3), False),
        ("row", (2, 3), (3,), False),
        ("column", (3, 1), (3, 4), False),
        ("outer", (2, 1, 4), (3, 1), False),
        ("scalar_lhs", (1,), (2, 3), False),
        ("rank0", (), (2, 2), False),
        ("batch", (5, 3), (3,), True),
    ]
    for opName, fn in ops:
        for suffix, sa, sb, dynamic in shapes:
            a = randn(*sa, scale=3.0)
            b = randn(*sb, scale=3.0)
            if opName == "div":
                # Keep the divisor away from 0 for the ordinary cases.
                b = f32(np.where(np.abs(b) < 0.25, 0.25 + np.abs(b), b))
            add("%s_%s" % (opName, suffix), "soma." + opName, [a, b],
                lambda t, fn=fn: fn(t[0], t[1]), maxUlp=EXACT_ULP,
                dynamic=[dynamic, False], elementwise=True)
        # Every pair of special values: [n, 1] against [1, n].
        s = f32(ARITH_SPECIAL)
        add("%s_special" % opName, "soma." + opName,
            [s.reshape(-1, 1), s.reshape(1, -1)],
            lambda t, fn=fn: fn(t[0], t[1]), maxUlp=EXACT_ULP, elementwise=True)


# ---------------------------------------------------------------------------
# Linear algebra
# ---------------------------------------------------------------------------

def matmulBound(args, result):
    k = args[0].shape[-1]
    return dotBound(torch.matmul(args[0].abs(), args[1].abs()), k)


def makeLinearAlgebra():
    shapes = [
        ("2d", (3, 5), (5, 4)),
        ("vec_mat", (5,), (5, 3)),
        ("mat_vec", (4, 5), (5,)),
        ("vec_vec", (6,), (6,)),
        ("batched", (2, 3, 4), (2, 4, 5)),
        ("batched_broadcast", (2, 1, 3, 4), (3, 4, 2)),
        ("batched_rhs_2d", (2, 3, 4), (4, 3)),
        ("vec_batched", (4,), (2, 4, 3)),
        ("long_k", (2, 64), (64, 3)),
    ]
    for suffix, sa, sb in shapes:
        add("matmul_" + suffix, "soma.matmul", [randn(*sa), randn(*sb)],
            lambda t: torch.matmul(t[0], t[1]), maxUlp=BOUNDED_ULP,
            bound=matmulBound, checkZeroSign=False)

    def linearBound(args, result):
        s = F.linear(args[0].abs(), args[1].abs(),
                     args[2].abs() if len(args) > 2 else None)
        return dotBound(s, args[1].shape[1] + (1 if len(args) > 2 else 0))

    def linear(t):
        return F.linear(t[0], t[1], t[2] if len(t) > 2 else None)

    for suffix, sx, n, bias, dynamic in [
            ("bias", (3, 6), 4, True, False),
            ("no_bias", (3, 6), 4, False, False),
            ("3d", (2, 3, 5), 4, True, False),
            ("3d_no_bias", (2, 3, 5), 2, False, False),
            ("batch", (4, 7), 3, True, True),
            ("long_k", (2, 96), 3, True, False)]:
        k = sx[-1]
        inputs = [randn(*sx), randn(n, k, scale=1.0 / math.sqrt(k))]
        if bias:
            inputs.append(randn(n))
        add("linear_" + suffix, "soma.linear", inputs, linear, maxUlp=BOUNDED_ULP,
            bound=linearBound, checkZeroSign=False,
            dynamic=[dynamic] + [False] * (len(inputs) - 1))


# ---------------------------------------------------------------------------
# Reductions, softmax, batch norm
# ---------------------------------------------------------------------------

def makeReductions():
    x = randn(2, 3, 4, scale=2.0)
    for suffix, dims, keepdim in [
            ("dim1", [1], False), ("dims02", [0, 2], False), ("neg", [-1], False),
            ("neg_keepdim", [-1, -3], True), ("keepdim", [1], True),
            ("all", None, False), ("all_keepdim", [], True)]:
        attrs = {}
        if dims is not None:
            attrs["dims"] = arrayAttr(dims)
        if keepdim:
            attrs["keepdim"] = boolAttr(True)
        reduceDims = list(range(3)) if not dims else dims
        k = int(np.prod([x.shape[d] for d in reduceDims]))

        def compute(t, reduceDims=reduceDims, keepdim=keepdim):
            return torch.sum(t[0], dim=reduceDims, keepdim=keepdim)

        def bound(args, result, reduceDims=reduceDims, keepdim=keepdim, k=k):
            return dotBound(torch.sum(args[0].abs(), dim=reduceDims, keepdim=keepdim), k)

        add("reduce_sum_" + suffix, "soma.reduce_sum", [x], compute, attrs,
            maxUlp=BOUNDED_ULP, bound=bound, checkZeroSign=False)
    y = randn(4, 50)
    add("reduce_sum_long", "soma.reduce_sum", [y],
        lambda t: torch.sum(t[0], dim=[1]), {"dims": arrayAttr([1])},
        maxUlp=BOUNDED_ULP, bound=lambda a, r: dotBound(a[0].abs().sum(dim=1), 50),
        checkZeroSign=False)

    for opName, fn, boundFn in [("softmax", torch.softmax, softmaxBound),
                                ("log_softmax", torch.log_softmax, logSoftmaxBound)]:
        for suffix, shape, dim, dynamic in [
                ("last", (3, 7), -1, False), ("dim0", (4, 5), 0, False),
                ("dim1_3d", (2, 5, 3), 1, False), ("last_3d", (2, 3, 6), -1, False),
                ("batch", (3, 8), -1, True)]:
            attrs = {} if dim == -1 else {"dim": i64Attr(dim)}
            add("%s_%s" % (opName, suffix), "soma." + opName, [randn(*shape, scale=3.0)],
                lambda t, fn=fn, dim=dim: fn(t[0], dim), attrs,
                maxUlp=BOUNDED_ULP, bound=lambda a, r, b=boundFn, dim=dim: b(a, r, dim),
                dynamic=[dynamic], checkZeroSign=False)
        inf = math.inf
        special = f32([[1.0, -inf, 2.0, -inf], [1e30, 1e30, 1e30, 0.0],
                       [-1e30, 0.0, 1e30, -inf], [-inf, -inf, -inf, -inf],
                       [-inf, 5.0, -inf, -inf], [80.0, 89.0, 100.0, -100.0],
                       [-1000.0, -1000.5, -999.0, -1000.0], [0.0, -0.0, 1e-45, -1e-40]])
        add("%s_special" % opName, "soma." + opName, [special],
            lambda t, fn=fn: fn(t[0], -1), maxUlp=BOUNDED_ULP,
            bound=lambda a, r, b=boundFn: b(a, r, -1), checkZeroSign=False)

    for suffix, shape, dynamic in [("4d", (2, 3, 4, 4), False), ("2d", (5, 3), False),
                                   ("3d", (2, 4, 5), False), ("batch", (3, 2, 3, 3), True)]:
        c = shape[1]
        inputs = [randn(*shape, scale=2.0) + 0.5, randn(c), uniform(0.1, 3.0, c),
                  randn(c), randn(c)]
        add("batch_norm_" + suffix, "soma.batch_norm", inputs, batchNorm(1e-5),
            maxUlp=BOUNDED_ULP, bound=batchNormBound(1e-5), checkZeroSign=False,
            dynamic=[dynamic] + [False] * 4)
    # A variance far below epsilon, so that epsilon matters.
    inputs = [randn(2, 3, 3, 3), randn(3), uniform(0.0, 1e-3, 3), randn(3), randn(3)]
    add("batch_norm_epsilon", "soma.batch_norm", inputs, batchNorm(1e-3),
        {"epsilon": f32Attr(1e-3)}, maxUlp=BOUNDED_ULP, bound=batchNormBound(1e-3),
        checkZeroSign=False)


def batchNorm(epsilon):
    eps = float(F32(epsilon))
    return lambda t: F.batch_norm(t[0], t[1], t[2], t[3], t[4], training=False, eps=eps)


def batchNormBound(epsilon):
    """8 * 2^-23 * (|x a| + |mean a| + |bias|), a = weight / sqrt(var + eps).

    PyTorch evaluates x * a + (bias - mean * a) with a itself rounded a few
    times (sqrt, division, product); eight roundings of the three terms' size
    cover that and the interpreter's final rounding.
    """
    eps = float(F32(epsilon))

    def bound(args, result):
        x, mean, var, weight, bias = args
        shape = [1, -1] + [1] * (x.dim() - 2)
        scale = (weight / torch.sqrt(var + eps)).reshape(shape)
        return 8 * EPS * ((x * scale).abs() + (mean.reshape(shape) * scale).abs()
                          + bias.abs().reshape(shape))
    return bound


# ---------------------------------------------------------------------------
# Shape manipulation
# ---------------------------------------------------------------------------

def makeLayout():
    x = randn(2, 3, 4)
    x.reshape(-1)[5] = -0.0
    x.reshape(-1)[7] = math.nan
    for suffix, shape in [("infer", [4, -1]), ("infer_mid", [2, -1, 2]),
                          ("flat", [-1]), ("explicit", [3, 2, 4])]:
        add("reshape_" + suffix, "soma.reshape", [x],
            lambda t, shape=shape: t[0].reshape(shape), {"shape": arrayAttr(shape)},
            maxUlp=EXACT_ULP)
    y = randn(2, 3, 4, 5)
    for suffix, start, end in [("default", None, None), ("all", 0, -1), ("middle", 1, 2),
                               ("negative", -3, -2), ("single", 2, 2)]:
        attrs = {}
        if start is not None:
            attrs["start_dim"] = i64Attr(start)
        if end is not None:
            attrs["end_dim"] = i64Attr(end)
        add("flatten_" + suffix, "soma.flatten", [y],
            lambda t, s=(1 if start is None else start), e=(-1 if end is None else end):
                torch.flatten(t[0], s, e), attrs, maxUlp=EXACT_ULP)
    for suffix, inp, perm in [("2d", randn(3, 5), [1, 0]), ("nchw_nhwc", y, [0, 2, 3, 1]),
                              ("cycle", x, [2, 0, 1]), ("identity", x, [0, 1, 2])]:
        add("transpose_" + suffix, "soma.transpose", [inp],
            lambda t, perm=perm: t[0].permute(perm), {"perm": arrayAttr(perm)},
            maxUlp=EXACT_ULP)


# ---------------------------------------------------------------------------
# Convolution and pooling
# ---------------------------------------------------------------------------

def convAttrs(stride, padding, dilation, groups, outputPadding=None):
    attrs = {}
    if stride is not None:
        attrs["stride"] = arrayAttr(stride)
    if padding is not None:
        attrs["padding"] = arrayAttr(padding)
    if outputPadding is not None:
        attrs["output_padding"] = arrayAttr(outputPadding)
    if dilation is not None:
        attrs["dilation"] = arrayAttr(dilation)
    if groups is not None:
        attrs["groups"] = i64Attr(groups)
    return attrs


def makeConvolutions():
    # (suffix, x shape, w shape, bias, stride, padding, dilation, groups, dynamic)
    conv = [
        ("basic", (1, 2, 5, 5), (3, 2, 3, 3), True, None, None, None, None, False),
        ("no_bias", (2, 3, 4, 4), (2, 3, 2, 2), False, None, None, None, None, False),
        ("stride_padding", (1, 2, 7, 7), (4, 2, 3, 3), False, [2, 2], [1, 1], None, None, False),
        ("asymmetric", (1, 3, 6, 7), (2, 3, 2, 3), True, [2, 1], [1, 0], None, None, False),
        ("dilation", (1, 2, 7, 6), (3, 2, 3, 2), True, [1, 2], [2, 1], [2, 2], None, False),
        ("groups", (2, 4, 5, 5), (6, 2, 3, 3), True, None, [1, 1], None, 2, False),
        ("depthwise", (1, 3, 6, 6), (3, 1, 3, 3), True, [2, 2], [1, 1], None, 3, False),
        ("pointwise", (2, 8, 3, 3), (5, 8, 1, 1), True, None, None, None, None, False),
        ("everything", (2, 4, 9, 8), (4, 2, 3, 3), True, [2, 3], [2, 1], [2, 1], 2, False),
        ("batch", (3, 2, 5, 5), (2, 2, 3, 3), True, None, [1, 1], None, None, True),
    ]
    for suffix, sx, sw, bias, stride, padding, dilation, groups, dynamic in conv:
        inputs = [randn(*sx), randn(*sw, scale=0.5)]
        if bias:
            inputs.append(randn(sw[0]))
        kw = dict(stride=stride or 1, padding=padding or 0, dilation=dilation or 1,
                  groups=groups or 1)
        k = sw[1] * sw[2] * sw[3] + (1 if bias else 0)

        def compute(t, kw=kw):
            return F.conv2d(t[0], t[1], t[2] if len(t) > 2 else None, **kw)

        def bound(a, r, kw=kw, k=k):
            return dotBound(F.conv2d(a[0].abs(), a[1].abs(),
                                     a[2].abs() if len(a) > 2 else None, **kw), k)

        add("conv2d_" + suffix, "soma.conv2d", inputs, compute,
            convAttrs(stride, padding, dilation, groups), maxUlp=BOUNDED_ULP,
            bound=bound, checkZeroSign=False,
            dynamic=[dynamic] + [False] * (len(inputs) - 1))

    # (suffix, x, w (IOHW), bias, stride, padding, output_padding, dilation, groups)
    transposed = [
        ("basic", (1, 2, 3, 3), (2, 3, 3, 3), True, None, None, None, None, None),
        ("no_bias", (2, 3, 3, 2), (3, 2, 2, 2), False, None, None, None, None, None),
        ("stride", (1, 2, 3, 3), (2, 2, 3, 3), True, [2, 2], None, None, None, None),
        ("output_padding", (1, 2, 4, 3), (2, 3, 3, 3), True, [2, 2], [1, 1], [1, 1], None, None),
        ("asymmetric", (1, 3, 3, 4), (3, 2, 3, 4), False, [2, 3], [0, 1], [1, 2], None, None),
        ("dilation", (1, 2, 3, 3), (2, 2, 3, 3), True, [2, 1], [1, 1], None, [2, 3], None),
        ("groups", (1, 4, 3, 3), (4, 2, 3, 3), True, [2, 2], [1, 1], [1, 0], None, 2),
        ("everything", (2, 6, 3, 4), (6, 1, 3, 2), True, [3, 2], [2, 1], [1, 1], [2, 2], 3),
    ]
    for suffix, sx, sw, bias, stride, padding, outPad, dilation, groups in transposed:
        inputs = [randn(*sx), randn(*sw, scale=0.5)]
        g = groups or 1
        if bias:
            inputs.append(randn(sw[1] * g))
        kw = dict(stride=stride or 1, padding=padding or 0, output_padding=outPad or 0,
                  dilation=dilation or 1, groups=g)
        # An output element sums at most (C_in / groups) * KH * KW products.
        k = (sx[1] // g) * sw[2] * sw[3] + (1 if bias else 0)

        def compute(t, kw=kw):
            return F.conv_transpose2d(t[0], t[1], t[2] if len(t) > 2 else None, **kw)

        def bound(a, r, kw=kw, k=k):
            return dotBound(F.conv_transpose2d(a[0].abs(), a[1].abs(),
                                               a[2].abs() if len(a) > 2 else None, **kw), k)

        add("conv_transpose2d_" + suffix, "soma.conv_transpose2d", inputs, compute,
            convAttrs(stride, padding, dilation, groups, outPad), maxUlp=BOUNDED_ULP,
            bound=bound, checkZeroSign=False)

    def poolAttrs(kernel, stride, padding):
        attrs = {"kernel_size": arrayAttr(kernel)}
        if stride is not None:
            attrs["stride"] = arrayAttr(stride)
        if padding is not None:
            attrs["padding"] = arrayAttr(padding)
        return attrs

    x = randn(2, 3, 6, 6)
    negative = -f32(np.abs(randn(1, 2, 5, 5))) - 1.0
    withNan = randn(1, 1, 4, 4)
    withNan[0, 0, 1, 2] = math.nan
    withNan[0, 0, 3, 0] = math.inf
    withNan[0, 0, 0, 0] = -math.inf
    # (suffix, x, kernel, stride, padding)
    pools = [
        ("default_stride", x, [2, 2], None, None),
        ("stride_padding", x, [3, 3], [2, 2], [1, 1]),
        ("rect", x, [3, 2], [1, 2], [1, 0]),
        ("negative_padding", negative, [3, 3], [2, 2], [1, 1]),
        ("special", withNan, [2, 2], [1, 1], None),
    ]
    for suffix, inp, kernel, stride, padding in pools:
        kw = dict(kernel_size=kernel, stride=stride or kernel, padding=padding or 0)
        add("max_pool2d_" + suffix, "soma.max_pool2d", [inp],
            lambda t, kw=kw: F.max_pool2d(t[0], **kw),
            poolAttrs(kernel, stride, padding), maxUlp=EXACT_ULP)

    avg = [
        ("default_stride", x, [2, 2], None, None, True),
        ("include_pad", x, [3, 3], [2, 2], [1, 1], True),
        ("exclude_pad", x, [3, 3], [2, 2], [1, 1], False),
        ("rect_exclude_pad", x, [2, 3], [1, 2], [1, 1], False),
        ("rect_include_pad", x, [2, 3], [1, 2], [1, 1], True),
    ]
    for suffix, inp, kernel, stride, padding, includePad in avg:
        kw = dict(kernel_size=kernel, stride=stride or kernel, padding=padding or 0,
                  count_include_pad=includePad)
        attrs = poolAttrs(kernel, stride, padding)
        if not includePad:
            attrs["count_include_pad"] = boolAttr(False)
        # K summed terms and one division.
        k = kernel[0] * kernel[1] + 1
        add("avg_pool2d_" + suffix, "soma.avg_pool2d", [inp],
            lambda t, kw=kw: F.avg_pool2d(t[0], **kw), attrs, maxUlp=BOUNDED_ULP,
            bound=lambda a, r, kw=kw, k=k: dotBound(F.avg_pool2d(a[0].abs(), **kw), k),
            checkZeroSign=False)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def cIdentifier(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def hexWords(bits, perLine=6):
    words = ["0x%08xu" % int(b) for b in bits]
    lines = []
    for i in range(0, len(words), perLine):
        lines.append("    " + ", ".join(words[i:i + perLine]) + ",")
    return "\n".join(lines)


def emitArray(out, ctype, name, values, formatter):
    out.append("static const %s %s[] = {\n%s\n};" % (ctype, name, formatter(values)))


def debianTorchVersion():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def render():
    out = []
    out.append("// Generated by test/Unit/torch/generate_reference.py with torch %s"
               % torch.__version__)
    out.append("// (Debian python3-torch %s, numpy %s) on this machine, seed %d."
               % (debianTorchVersion(), np.__version__, SEED))
    out.append("// Do not edit: change the script and regenerate.")
    out.append("//")
    out.append("// Data for TorchReferenceTest.cpp: %d cases. f32 values are IEEE bit" % len(CASES))
    out.append("// patterns so that NaN, -0 and subnormals survive.")
    notes = [(c, n) for c in CASES for n in c.notes]
    if notes:
        out.append("//")
        out.append("// Where PyTorch's float32 kernel is outside the case's tolerance of its")
        out.append("// own float64 kernel (rounded to f32), the latter is expected instead:")
        for c, (i, a, r) in notes:
            out.append("//   %s, %s: f32 kernel %r (0x%08x), f64 kernel %r (0x%08x)"
                       % (c.name, c.inputSummary(i), float(a), f32Bits(a)[0],
                          float(r), f32Bits(r)[0]))
    out.append("")
    table = []
    for index, case in enumerate(CASES):
        prefix = "torchCase%d" % index
        out.append("// %s" % case.name)
        inputRefs = []
        for j, x in enumerate(case.inputs):
            shapeRef = "{}"
            if x.ndim:
                shapeRef = "%sIn%dShape" % (prefix, j)
                emitArray(out, "int64_t", shapeRef, list(x.shape),
                          lambda v: "    " + ", ".join(str(d) for d in v))
            emitArray(out, "uint32_t", "%sIn%d" % (prefix, j), f32Bits(x), hexWords)
            inputRefs.append("{%s, %sIn%d}" % (shapeRef, prefix, j))
        out.append("static const TorchTensorData %sInputs[] = {\n    %s};"
                   % (prefix, ",\n    ".join(inputRefs)))
        e = case.expected
        outShape = "{}"
        if e.ndim:
            outShape = prefix + "OutShape"
            emitArray(out, "int64_t", outShape, list(e.shape),
                      lambda v: "    " + ", ".join(str(d) for d in v))
        emitArray(out, "uint32_t", prefix + "Out", f32Bits(e), hexWords)
        boundRef = "{}"
        if case.boundValues is not None:
            boundRef = prefix + "Bound"
            emitArray(out, "uint32_t", boundRef, f32Bits(case.boundValues), hexWords)
        out.append("")
        module = case.module()
        assert ")mlir\"" not in module
        flag = lambda value: "true" if value else "false"
        table.append(
            "    {\"%s\", \"%s\",\n     R\"mlir(%s)mlir\",\n"
            "     %d, %s, %s, %sInputs, {%s, %sOut}, %s},"
            % (cIdentifier(case.name), case.op, module, case.maxUlp,
               flag(case.checkZeroSign), flag(case.elementwise), prefix,
               outShape, prefix, boundRef))
    out.append("static const TorchCase torchCases[] = {")
    out.extend(table)
    out.append("};")
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "TorchReference.inc")
    makeActivations()
    makeArithmetic()
    makeLinearAlgebra()
    makeReductions()
    makeLayout()
    makeConvolutions()
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for case in CASES:
        case.run()
    text = render()
    with open(target, "w") as f:
        f.write(text)
    substituted = sum(len(c.notes) for c in CASES)
    print("%d cases, %d substituted elements, %d bytes -> %s"
          % (len(CASES), substituted, len(text), os.path.normpath(target)))


if __name__ == "__main__":
    main()
