//===- Windows.h - Window geometry of ONNX Conv and pooling -----*- C++ -*-===//
//
// Internal to the ONNX importer. ONNX gives a window's kernel, strides,
// dilations and pads per spatial dimension ([x1_begin, x2_begin, ...,
// x1_end, x2_end]) or through auto_pad; the soma ops are 2-D and take
// [top, left, bottom, right] padding. 1-D windows run as 2-D ones over a
// height of 1.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_IMPORT_ONNX_WINDOWS_H
#define SOMA_LIB_IMPORT_ONNX_WINDOWS_H

#include "NodeContext.h"

#include <array>

namespace soma::onnx_import {

/// The geometry of a 2-D window op.
struct Window2d {
  llvm::SmallVector<int64_t, 2> kernel, stride, dilation;
  /// [top, left, bottom, right].
  std::array<int64_t, 4> pads = {0, 0, 0, 0};
  /// auto_pad: NOTSET, SAME_UPPER, SAME_LOWER or VALID.
  std::string autoPad;

  /// Padding in the soma form: [top, left, bottom, right], or 2 entries
  /// when symmetric and either `alwaysFour` is unset or there is no padding
  /// (the 2-entry form of pools has PyTorch's half-window limit).
  llvm::SmallVector<int64_t, 4> padding(bool alwaysFour) const;
};

/// Checks that `input` is a 1-D (rank 3) or 2-D (rank 4) window input and
/// reports the number of spatial dimensions.
mlir::FailureOr<unsigned> spatialRank(NodeContext &node, mlir::Value input);

/// Reads kernel_shape (or `kernelFromWeight`), strides, dilations, pads and
/// auto_pad for an input of `inputShape` ([N, C, spatial...]), lifted to 2-D.
/// SAME_UPPER and SAME_LOWER are resolved to pads when `resolveSame`.
mlir::FailureOr<Window2d>
readWindow(NodeContext &node, llvm::ArrayRef<int64_t> inputShape,
           std::optional<llvm::ArrayRef<int64_t>> kernelFromWeight,
           bool resolveSame);

/// [N, C, L] as [N, C, 1, L]; other values unchanged.
mlir::FailureOr<mlir::Value> liftTo2d(NodeContext &node, mlir::Value value,
                                      unsigned spatialRank);

/// The inverse of liftTo2d for a result [N, C, 1, L].
mlir::FailureOr<mlir::Value> lowerFrom2d(NodeContext &node, mlir::Value value,
                                         unsigned spatialRank);

} // namespace soma::onnx_import

#endif // SOMA_LIB_IMPORT_ONNX_WINDOWS_H
