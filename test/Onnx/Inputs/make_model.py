#!/usr/bin/env python3
"""Writes the small ONNX models of Soma's ONNX lit tests.

  make_model.py NAME OUT.onnx
      NAME is one of the model functions below; each builds its graph with
      the onnx package's helpers, so the tests keep no binary files.
  make_model.py reference conv_pool X.npy OUT.npy
      What conv_pool computes on X.npy, evaluated with NumPy: a reference
      independent of Soma for the asymmetric padding and ceil_mode.
  make_model.py input conv_pool OUT.npy
      A random input of conv_pool, for a batch of 3.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT


def model(nodes, inputs, outputs, initializers=(), opset=13, name="model"):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    result = helper.make_model(graph,
                               opset_imports=[helper.make_opsetid("", opset)])
    result.ir_version = 8
    return result


def tensor(name, values, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(values, dtype=dtype), name)


def value(name, shape, dtype=FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def gemm_sigmoid(opset=13):
    """y = sigmoid(x W^T + b) for a dynamic batch of 3 features."""
    return model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["z"], name="fc",
                          transB=1),
         helper.make_node("Sigmoid", ["z"], ["y"], name="act")],
        [value("x", ["batch", 3])], [value("y", ["batch", 2])],
        [tensor("w", [[1, 0, -1], [0.5, 0.5, 0.5]]), tensor("b", [0, -1])],
        opset=opset, name="gemm_sigmoid")


def conv_pool_weights():
    weights = np.arange(72, dtype=np.float32).reshape(4, 2, 3, 3) / 72 - 0.5
    bias = np.array([0.1, -0.1, 0.2, 0], dtype=np.float32)
    return weights, bias


def conv_pool():
    """A convolution with 72 weights (a dense_resource blob) and
    asymmetric pads, ReLU, max pooling in ceil mode, and Flatten."""
    weights, bias = conv_pool_weights()
    return model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                          pads=[1, 0, 2, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("MaxPool", ["r"], ["p"], name="pool",
                          kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
         helper.make_node("Flatten", ["p"], ["y"], name="flatten")],
        [value("x", ["N", 2, 5, 6])], [value("y", ["N", 36])],
        [tensor("w", weights), tensor("b", bias)], name="conv_pool")


def conv_pool_reference(x):
    """conv_pool in float64 NumPy: pads top 1, left 0, bottom 2, right 1;
    a 2x2 max pool of stride 2 whose ceil_mode adds a last column."""
    weights, bias = conv_pool_weights()
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 2), (0, 1)))
    n, _, height, width = padded.shape
    conv = np.zeros((n, 4, height - 2, width - 2))
    for kh in range(3):
        for kw in range(3):
            window = padded[:, :, kh:kh + height - 2, kw:kw + width - 2]
            conv += np.einsum("nchw,oc->nohw", window, weights[:, :, kh, kw])
    relu = np.maximum(conv + bias[None, :, None, None], 0)  # [n, 4, 6, 5]
    ceil = np.pad(relu, ((0, 0), (0, 0), (0, 0), (0, 1)),
                  constant_values=-np.inf)
    pooled = ceil.reshape(n, 4, 3, 2, 3, 2).max(axis=(3, 5))
    return pooled.reshape(n, 36).astype(np.float32)


def shape_reshape():
    """x.view(x.size(0), -1) as exporters write it: Shape, Gather,
    Unsqueeze and Concat fold into the target shape, the batch kept."""
    return model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Gather", ["s", "zero"], ["n"], name="gather",
                          axis=0),
         helper.make_node("Unsqueeze", ["n", "axes"], ["n1"],
                          name="unsqueeze"),
         helper.make_node("Concat", ["n1", "minus_one"], ["target"],
                          name="concat", axis=0),
         helper.make_node("Reshape", ["x", "target"], ["y"], name="view")],
        [value("x", ["batch", 2, 3])], [value("y", ["batch", 6])],
        [tensor("zero", 0, np.int64), tensor("axes", [0], np.int64),
         tensor("minus_one", [-1], np.int64)],
        name="shape_reshape")


def missing_initializer():
    return model(
        [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1)],
        [value("x", ["batch", 3])], [value("y", ["batch", 2])])


def opset18():
    return gemm_sigmoid(opset=18)


def shape_mismatch():
    return model(
        [helper.make_node("Add", ["x", "b"], ["y"], name="add_bias")],
        [value("x", [2, 3])], [value("y", [2, 3])], [tensor("b", [1, 2, 3, 4])])


def output_mismatch():
    return model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [value("x", [2, 3])], [value("y", [3, 2])])


def unsupported_op():
    return model(
        [helper.make_node("Relu", ["x"], ["r"], name="relu"),
         helper.make_node("Erf", ["r"], ["y"], name="erf1")],
        [value("x", [2, 3])], [value("y", [2, 3])])


def dynamic_dim():
    return model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [value("x", [2, "width"])], [value("y", [2, "width"])])


def integer_shape_input():
    return model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
        [value("x", [2, 3]), value("shape", [2], TensorProto.INT64)],
        [value("y", [3, 2])])


def runtime_shape():
    """A Reshape whose target shape is computed at run time."""
    return model(
        [helper.make_node("Relu", ["s"], ["target"], name="relu"),
         helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape")],
        [value("x", [2, 3]), value("s", [2])], [value("y", [3, 2])])


def dropout_mask():
    return model(
        [helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop")],
        [value("x", [2, 3])],
        [value("y", [2, 3]), value("mask", [2, 3], TensorProto.BOOL)])


if __name__ == "__main__":
    if sys.argv[1:3] == ["reference", "conv_pool"] and len(sys.argv) == 5:
        np.save(sys.argv[4], conv_pool_reference(np.load(sys.argv[3])))
    elif sys.argv[1:3] == ["input", "conv_pool"] and len(sys.argv) == 4:
        generator = np.random.default_rng(11)
        np.save(sys.argv[3],
                generator.standard_normal((3, 2, 5, 6)).astype(np.float32))
    elif len(sys.argv) == 3 and sys.argv[1] in globals():
        onnx.save(globals()[sys.argv[1]](), sys.argv[2])
    else:
        sys.exit(__doc__)
