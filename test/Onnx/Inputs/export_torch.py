#!/usr/bin/env python3
"""Exports small PyTorch models to ONNX for Soma's PyTorch lit test.

  export_torch.py export NAME DIR
      Writes DIR/NAME.onnx (dynamic batch), an input DIR/NAME-x.npy whose
      batch differs from the one exported with, and PyTorch's output for it,
      DIR/NAME-torch.npy, which it also prints.
  export_torch.py compare EXPECTED.npy ACTUAL.npy TOLERANCE
      Prints the largest absolute difference; fails above TOLERANCE.
  export_torch.py call LIBRARY FUNCTION X.npy OUT.npy
      Calls FUNCTION of a library somac built, through ctypes, on X.npy.
"""

import ctypes
import sys

import numpy as np


def linear_sigmoid(torch):
    """nn.Sequential(nn.Linear(1, 1), nn.Sigmoid()) with fixed weights."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[0].bias.fill_(-1.0)
    example = torch.zeros(2, 1)
    x = torch.tensor([[-3.0], [-0.5], [0.0], [0.25], [1.0], [4.0]])
    return model, example, x


def conv_decoder(torch):
    """ConvTranspose2d + BatchNorm2d + ReLU + Conv2d + Sigmoid, in eval
    mode with non-trivial running statistics."""
    torch.manual_seed(7)
    model = torch.nn.Sequential(
        torch.nn.ConvTranspose2d(4, 3, kernel_size=3, stride=2, padding=1,
                                 output_padding=1),
        torch.nn.BatchNorm2d(3),
        torch.nn.ReLU(),
        torch.nn.Conv2d(3, 1, kernel_size=3, padding=1),
        torch.nn.Sigmoid())
    with torch.no_grad():
        model[1].running_mean.copy_(torch.tensor([0.1, -0.2, 0.05]))
        model[1].running_var.copy_(torch.tensor([0.5, 1.5, 2.0]))
        model[1].weight.copy_(torch.tensor([1.2, 0.8, -0.5]))
        model[1].bias.copy_(torch.tensor([0.1, 0.0, 0.3]))
    model.eval()
    example = torch.zeros(2, 4, 5, 5)
    x = torch.randn(3, 4, 5, 5)
    return model, example, x


def export(name, directory):
    import torch
    model, example, x = globals()[name](torch)
    path = "%s/%s.onnx" % (directory, name)
    torch.onnx.export(model, example, path, input_names=["x"],
                      output_names=["y"], opset_version=13,
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    with torch.no_grad():
        y = model(x).numpy()
    np.save("%s/%s-x.npy" % (directory, name), x.numpy())
    np.save("%s/%s-torch.npy" % (directory, name), y)
    np.set_printoptions(precision=9)
    print("torch output, shape %s:" % (list(y.shape),))
    print(y)


def compare(expected_path, actual_path, tolerance):
    expected, actual = np.load(expected_path), np.load(actual_path)
    if expected.shape != actual.shape:
        sys.exit("expected shape %s, got %s" % (expected.shape, actual.shape))
    difference = float(np.max(np.abs(expected - actual)))
    print("max abs difference %.3g" % difference)
    if not difference <= float(tolerance):
        sys.exit("expected a difference of at most %s" % tolerance)


def call(library, function, x_path, out_path):
    """Calls `int32_t FUNCTION(const float *x, float *y, int64_t batch)`,
    the output's shape read from soma_model_info()."""
    import json
    lib = ctypes.CDLL(library)
    lib.soma_model_info.restype = ctypes.c_char_p
    info = json.loads(lib.soma_model_info())
    entry = next(e for e in info["functions"] if e["name"] == function)
    x = np.ascontiguousarray(np.load(x_path), dtype=np.float32)
    shape = [x.shape[0] if d == -1 else d for d in entry["outputs"][0]["shape"]]
    y = np.zeros(shape, dtype=np.float32)
    pointer = ctypes.POINTER(ctypes.c_float)
    status = getattr(lib, function)(x.ctypes.data_as(pointer),
                                    y.ctypes.data_as(pointer),
                                    ctypes.c_int64(x.shape[0]))
    if status != 0:
        sys.exit("%s returned %d" % (function, status))
    np.save(out_path, y)


if __name__ == "__main__":
    commands = {"export": (export, 2), "compare": (compare, 3),
                "call": (call, 4)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or \
            len(sys.argv) != 2 + commands[sys.argv[1]][1]:
        sys.exit(__doc__)
    commands[sys.argv[1]][0](*sys.argv[2:])
