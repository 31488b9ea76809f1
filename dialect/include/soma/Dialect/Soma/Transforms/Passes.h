//===- Passes.h - Transformations of soma IR --------------------*- C++ -*-===//
//
// Declares the soma-to-soma passes of Passes.td, their registration, and the
// pattern sets behind them for drivers that assemble their own.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_H
#define SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace soma {

#define GEN_PASS_DECL
#include "soma/Dialect/Soma/Transforms/Passes.h.inc"

/// Registers every soma transformation pass with the global pass registry
/// (`registerSomaTransformsPasses()`), for soma-opt and pipeline parsing.
#define GEN_PASS_REGISTRATION
#include "soma/Dialect/Soma/Transforms/Passes.h.inc"

/// Adds the patterns of `soma-fuse-linear-activation`: a biased matmul
/// followed by an activation becomes a `soma.linear`, and a `soma.linear`
/// followed by an activation a `soma.linear_activation`; a batch_norm of a
/// `soma.conv2d` with constant parameters folds into it, and a
/// `soma.conv2d` followed by an activation becomes a
/// `soma.conv2d_activation`.
void populateFuseLinearActivationPatterns(mlir::RewritePatternSet &patterns);

} // namespace soma

#endif // SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_H
