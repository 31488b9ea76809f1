#!/usr/bin/env python3
"""Writes and prints NumPy .npy files for Soma's lit tests, without NumPy.

  npy.py write OUT --shape 2,3 --values 1,2,3,4,5,6
      A float32 array in C order. An empty --shape is a 0-d array; values
      may be any Python float literal, including nan, inf, -inf and -0
      (write --values=-1,2 when the first value starts with a minus).
      --descr '<f8' (or '<i4', '>f4', ...) stores the values in that dtype,
      --fortran sets 'fortran_order': True and --version picks 1, 2 or 3:
      all for testing how readers reject or accept such files.
  npy.py raw OUT --header TEXT [--magic HEX] [--version 1] [--data-bytes N]
      A file with an arbitrary header dict and N zero bytes of data.
  npy.py truncate IN OUT N
      The first N bytes of IN.
  npy.py print FILE
      "shape [2, 3]" then the values with %.9g, one row per line.
"""

import argparse
import math
import struct
import sys

MAGIC = b"\x93NUMPY"
ALIGN = 64
STRUCT_CODES = {"f4": "f", "f8": "d", "f2": "e", "i4": "i", "i8": "q", "i1": "b",
                "u1": "B"}


def header_bytes(text, version=1, magic=MAGIC):
    """The magic, version, length and `text` padded as NumPy pads it."""
    length_format = "<H" if version == 1 else "<I"
    prefix_size = len(magic) + 2 + struct.calcsize(length_format)
    text += " " * (ALIGN - (prefix_size + len(text) + 1) % ALIGN) + "\n"
    encoded = text.encode("utf-8" if version == 3 else "latin1")
    return (magic + bytes([version, 0]) +
            struct.pack(length_format, len(encoded)) + encoded)


def parse_shape(text):
    return tuple(int(d) for d in text.split(",") if d.strip() != "")


def shape_literal(shape):
    if len(shape) == 1:
        return "(%d,)" % shape[0]
    return "(" + ", ".join(str(d) for d in shape) + ")"


def command_write(args):
    shape = parse_shape(args.shape)
    values = [float(v) for v in args.values.split(",") if v.strip() != ""]
    count = math.prod(shape)
    if len(values) != count:
        sys.exit("npy.py: shape %s needs %d values, got %d" %
                 (list(shape), count, len(values)))
    order = args.descr[0]
    code = STRUCT_CODES[args.descr[1:]]
    if code in "iqbB":
        values = [int(v) for v in values]
    data = struct.pack(order.replace("|", "<") + code * count, *values)
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        args.descr, "True" if args.fortran else "False", shape_literal(shape))
    with open(args.out, "wb") as f:
        f.write(header_bytes(header, args.version) + data)


def command_raw(args):
    magic = bytes.fromhex(args.magic) if args.magic is not None else MAGIC
    with open(args.out, "wb") as f:
        f.write(header_bytes(args.header, args.version, magic) +
                bytes(args.data_bytes))


def command_truncate(args):
    with open(args.input, "rb") as f:
        data = f.read()
    with open(args.out, "wb") as f:
        f.write(data[:args.size])


def read_float32(path):
    """The shape and values of a '<f4' C-order .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != MAGIC:
        sys.exit("npy.py: %s: not a .npy file" % path)
    version = data[6]
    length_format = "<H" if version == 1 else "<I"
    start = 8 + struct.calcsize(length_format)
    (length,) = struct.unpack_from(length_format, data, 8)
    header = eval(data[start:start + length].decode("utf-8"),
                  {"__builtins__": {}}, {"True": True, "False": False})
    if header["descr"] != "<f4" or header["fortran_order"]:
        sys.exit("npy.py: %s: not a C-order '<f4' array" % path)
    shape = header["shape"]
    payload = data[start + length:]
    count = math.prod(shape)
    if len(payload) != 4 * count:
        sys.exit("npy.py: %s: %d data bytes for shape %s" %
                 (path, len(payload), list(shape)))
    return shape, struct.unpack("<%df" % count, payload)


def format_value(value):
    return "nan" if math.isnan(value) else "%.9g" % value


def command_print(args):
    shape, values = read_float32(args.file)
    print("shape [%s]" % ", ".join(str(d) for d in shape))
    row = shape[-1] if shape else 1
    for start in range(0, len(values), max(row, 1)):
        print(" ".join(format_value(v) for v in values[start:start + row]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    write = commands.add_parser("write")
    write.add_argument("out")
    write.add_argument("--shape", required=True)
    write.add_argument("--values", required=True)
    write.add_argument("--descr", default="<f4")
    write.add_argument("--fortran", action="store_true")
    write.add_argument("--version", type=int, default=1, choices=[1, 2, 3])
    write.set_defaults(run=command_write)

    raw = commands.add_parser("raw")
    raw.add_argument("out")
    raw.add_argument("--header", required=True)
    raw.add_argument("--magic")
    raw.add_argument("--version", type=int, default=1)
    raw.add_argument("--data-bytes", type=int, default=0)
    raw.set_defaults(run=command_raw)

    truncate = commands.add_parser("truncate")
    truncate.add_argument("input")
    truncate.add_argument("out")
    truncate.add_argument("size", type=int)
    truncate.set_defaults(run=command_truncate)

    show = commands.add_parser("print")
    show.add_argument("file")
    show.set_defaults(run=command_print)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
