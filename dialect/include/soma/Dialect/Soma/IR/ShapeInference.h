//===- ShapeInference.h - Result shapes of soma ops -------------*- C++ -*-===//
//
// The shape rules of the soma ops, as plain functions of operand shapes and
// attribute values. The ops' type inference and verifiers call them with the
// static shapes of the IR (where a dimension may be ShapedType::kDynamic);
// the reference interpreter calls them again with the concrete shapes of a
// call. One set of rules, so compile time and run time never disagree.
//
// Every function reports a violated rule through `emitError`, which must
// return a diagnostic already prefixed with the op's name; the functions add
// what was expected and what was found.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_IR_SHAPEINFERENCE_H
#define SOMA_DIALECT_SOMA_IR_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <array>
#include <optional>

namespace soma::shape {

using Shape = llvm::SmallVector<int64_t, 4>;
using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Maps a possibly negative dimension index into [0, rank).
mlir::FailureOr<int64_t> normalizeDim(int64_t dim, int64_t rank,
                                      llvm::StringRef attrName,
                                      EmitErrorFn emitError);

/// NumPy broadcasting of two shapes.
mlir::FailureOr<Shape> broadcast(llvm::ArrayRef<int64_t> lhs,
                                 llvm::ArrayRef<int64_t> rhs,
                                 EmitErrorFn emitError);

/// `torch.matmul`: 1-D promotion and broadcast batch dimensions.
mlir::FailureOr<Shape> matmul(llvm::ArrayRef<int64_t> lhs,
                              llvm::ArrayRef<int64_t> rhs,
                              EmitErrorFn emitError);

/// `F.linear`: input [..., K], weight [N, K], bias [N] -> [..., N].
mlir::FailureOr<Shape> linear(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> weight,
                              std::optional<llvm::ArrayRef<int64_t>> bias,
                              EmitErrorFn emitError);

/// `torch.sum` over `dims` (empty: all dimensions).
mlir::FailureOr<Shape> reduceSum(llvm::ArrayRef<int64_t> input,
                                 llvm::ArrayRef<int64_t> dims, bool keepdim,
                                 EmitErrorFn emitError);

/// Batch norm: every parameter is a [C] vector, C being input dimension 1.
mlir::FailureOr<Shape>
batchNorm(llvm::ArrayRef<int64_t> input,
          llvm::ArrayRef<std::pair<llvm::StringRef, llvm::ArrayRef<int64_t>>>
              namedParams,
          EmitErrorFn emitError);

/// `reshape` to `shape`, where one entry may be -1.
mlir::FailureOr<Shape> reshape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> shape,
                               EmitErrorFn emitError);

/// `torch.flatten(input, startDim, endDim)`.
mlir::FailureOr<Shape> flatten(llvm::ArrayRef<int64_t> input, int64_t startDim,
                               int64_t endDim, EmitErrorFn emitError);

/// `permute(perm)`.
mlir::FailureOr<Shape> transpose(llvm::ArrayRef<int64_t> input,
                                 llvm::ArrayRef<int64_t> perm,
                                 EmitErrorFn emitError);

/// The window attributes shared by convolutions and pooling. `stride` and
/// `dilation` have 2 entries; `padding` 2 ([rows, columns], both sides) or 4
/// ([top, left, bottom, right]).
struct Window {
  llvm::ArrayRef<int64_t> stride;
  llvm::ArrayRef<int64_t> padding;
  llvm::ArrayRef<int64_t> dilation;
};

/// A verified `padding` attribute of 2 or 4 entries as [top, left, bottom,
/// right]: entry `i` pads the start of spatial dimension `i`, entry `2 + i`
/// its end.
std::array<int64_t, 4> spatialPads(llvm::ArrayRef<int64_t> padding);

/// `nn.Conv2d`: input NCHW, weight [O, C / groups, KH, KW], bias [O].
mlir::FailureOr<Shape> conv2d(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> weight,
                              std::optional<llvm::ArrayRef<int64_t>> bias,
                              const Window &window, int64_t groups,
                              EmitErrorFn emitError);

/// `nn.ConvTranspose2d`: input NCHW, weight [C, O / groups, KH, KW], bias [O].
mlir::FailureOr<Shape>
convTranspose2d(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> weight,
                std::optional<llvm::ArrayRef<int64_t>> bias,
                const Window &window, llvm::ArrayRef<int64_t> outputPadding,
                int64_t groups, EmitErrorFn emitError);

/// Max or average pooling of an NCHW input; `ceilMode` rounds the output
/// size up as PyTorch does.
mlir::FailureOr<Shape> pool2d(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> kernelSize,
                              const Window &window, bool ceilMode,
                              EmitErrorFn emitError);

/// A shape as diagnostics print it: `[?, 3, 4]`, '?' for a dynamic size.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Number of elements of a static shape.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace soma::shape

#endif // SOMA_DIALECT_SOMA_IR_SHAPEINFERENCE_H
