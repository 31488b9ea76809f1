//===- Windows.cpp - Window geometry of ONNX Conv and pooling -------------===//
//
// Reads the window attributes of a node, checks their sizes, resolves
// auto_pad SAME_UPPER / SAME_LOWER / VALID to explicit pads (output size
// ceil(in / stride); an odd total puts the extra element at the end for
// SAME_UPPER, at the start for SAME_LOWER), and lifts 1-D windows to 2-D.
//
//===----------------------------------------------------------------------===//

#include "Windows.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace soma::onnx_import;

SmallVector<int64_t, 4> Window2d::padding(bool alwaysFour) const {
  bool symmetric = pads[0] == pads[2] && pads[1] == pads[3];
  if (symmetric && (!alwaysFour || (pads[0] == 0 && pads[1] == 0)))
    return {pads[0], pads[1]};
  return {pads[0], pads[1], pads[2], pads[3]};
}

FailureOr<unsigned> soma::onnx_import::spatialRank(NodeContext &node,
                                                   Value input) {
  int64_t rank = shapeOf(input).size();
  if (rank != 3 && rank != 4)
    return node.emitError() << "expected a 1-D or 2-D window (an input of "
                               "rank 3 or 4), got rank "
                            << rank;
  return static_cast<unsigned>(rank - 2);
}

/// Attribute `name` with `size` entries, or `size` copies of `fill`.
static FailureOr<SmallVector<int64_t>> readInts(NodeContext &node,
                                                StringRef name, size_t size,
                                                int64_t fill, int64_t min) {
  SmallVector<int64_t> values(size, fill);
  if (std::optional<SmallVector<int64_t>> given = node.getInts(name)) {
    if (given->size() != size)
      return node.emitError() << "expected '" << name << "' to have " << size
                              << " entries, got " << given->size();
    values = *given;
  }
  if (node.hasFailed())
    return failure();
  for (int64_t value : values)
    if (value < min)
      return node.emitError() << "expected entries of '" << name
                              << "' of at least " << min << ", got " << value;
  return values;
}

FailureOr<Window2d>
soma::onnx_import::readWindow(NodeContext &node, ArrayRef<int64_t> inputShape,
                              std::optional<ArrayRef<int64_t>> kernelFromWeight,
                              bool resolveSame) {
  size_t rank = inputShape.size() - 2;
  ArrayRef<int64_t> spatial = inputShape.drop_front(2);
  if (!node.hasAttr("kernel_shape") && !kernelFromWeight)
    return node.emitError() << "expected attribute 'kernel_shape'";
  FailureOr<SmallVector<int64_t>> kernel =
      kernelFromWeight && !node.hasAttr("kernel_shape")
          ? SmallVector<int64_t>(*kernelFromWeight)
          : readInts(node, "kernel_shape", rank, 0, 1);
  if (failed(kernel))
    return failure();
  if (kernelFromWeight && !llvm::equal(*kernel, *kernelFromWeight))
    return node.emitError()
           << "expected 'kernel_shape' " << formatShape(*kernel)
           << " to match the weight's kernel "
           << formatShape(*kernelFromWeight);
  FailureOr<SmallVector<int64_t>> stride =
      readInts(node, "strides", rank, 1, 1);
  FailureOr<SmallVector<int64_t>> dilation =
      readInts(node, "dilations", rank, 1, 1);
  FailureOr<SmallVector<int64_t>> pads = readInts(node, "pads", 2 * rank, 0, 0);
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  if (failed(stride) || failed(dilation) || failed(pads) || node.hasFailed())
    return failure();
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return node.emitError() << "expected 'auto_pad' NOTSET, SAME_UPPER, "
                               "SAME_LOWER or VALID, got '"
                            << autoPad << "'";
  if (autoPad != "NOTSET" && node.hasAttr("pads"))
    return node.emitError() << "expected no 'pads' with auto_pad " << autoPad;

  SmallVector<int64_t> begin(pads->begin(), pads->begin() + rank);
  SmallVector<int64_t> end(pads->begin() + rank, pads->end());
  if (autoPad == "VALID")
    begin.assign(rank, 0), end.assign(rank, 0);
  if (resolveSame && autoPad.rfind("SAME", 0) == 0) {
    for (size_t i = 0; i < rank; ++i) {
      if (ShapedType::isDynamic(spatial[i]))
        return node.emitError() << "expected static spatial dimensions for "
                                   "auto_pad "
                                << autoPad;
      // out = ceil(in / stride); the windows then span
      // (out - 1) * stride + dilation * (kernel - 1) + 1.
      int64_t out = spatial[i] == 0 ? 0 : (spatial[i] - 1) / (*stride)[i] + 1;
      std::optional<int64_t> span =
          llvm::checkedMulAdd<int64_t>((*dilation)[i], (*kernel)[i] - 1, 1);
      if (span)
        span = llvm::checkedMulAdd<int64_t>(out - 1, (*stride)[i], *span);
      if (!span)
        return node.emitError() << "expected the window of spatial dimension "
                                << i << " to fit in 64 bits";
      int64_t total = std::max<int64_t>(*span - spatial[i], 0);
      int64_t small = total / 2;
      begin[i] = autoPad == "SAME_UPPER" ? small : total - small;
      end[i] = total - begin[i];
    }
  }

  // Lift 1-D to 2-D over a height of 1.
  Window2d window;
  window.autoPad = autoPad;
  if (rank == 1) {
    window.kernel = {1, (*kernel)[0]};
    window.stride = {1, (*stride)[0]};
    window.dilation = {1, (*dilation)[0]};
    window.pads = {0, begin[0], 0, end[0]};
  } else {
    window.kernel.assign(kernel->begin(), kernel->end());
    window.stride.assign(stride->begin(), stride->end());
    window.dilation.assign(dilation->begin(), dilation->end());
    window.pads = {begin[0], begin[1], end[0], end[1]};
  }
  return window;
}

FailureOr<Value> soma::onnx_import::liftTo2d(NodeContext &node, Value value,
                                             unsigned spatialRank) {
  if (spatialRank != 1)
    return value;
  SmallVector<int64_t> shape(shapeOf(value));
  shape.insert(shape.begin() + 2, 1);
  return node.reshape(value, shape);
}

FailureOr<Value> soma::onnx_import::lowerFrom2d(NodeContext &node, Value value,
                                                unsigned spatialRank) {
  if (spatialRank != 1)
    return value;
  SmallVector<int64_t> shape(shapeOf(value));
  shape.erase(shape.begin() + 2);
  return node.reshape(value, shape);
}
