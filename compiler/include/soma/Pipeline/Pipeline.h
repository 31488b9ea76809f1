//===- Pipeline.h - Soma's pass pipelines -----------------------*- C++ -*-===//
//
// The two halves of compilation, each built in one place: the soma-level
// passes (what `somac -o model.mlir` shows) and the lowering from soma to
// the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_PIPELINE_PIPELINE_H
#define SOMA_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace soma {

struct PipelineOptions {
  /// 0 to 3, as -O0..-O3.
  unsigned optLevel = 3;
  /// Fuse layers with their activations (off with --no-fuse).
  bool fuse = true;
  /// f32 lanes of the widest vector registers of the target: 16 with
  /// AVX-512, 8 with AVX2 (the linear kernel's register blocking).
  int64_t vectorLanes = 16;
  /// Elements from which an activation writes its output with
  /// non-temporal stores (convert-soma-to-linalg's nontemporal-threshold;
  /// 0: never).
  int64_t nontemporalThreshold = 1 << 20;
};

/// Cleans up and fuses at the soma level.
mlir::LogicalResult buildSomaPipeline(mlir::OpPassManager &pm,
                                      const PipelineOptions &options);

/// Lowers a soma module to the LLVM dialect: soma to linalg, bufferization
/// with results as caller-provided out-parameters, loops, LLVM.
mlir::LogicalResult buildLoweringPipeline(mlir::OpPassManager &pm,
                                          const PipelineOptions &options);

/// Registers every pass the pipelines use, so their textual form parses.
void registerPipelinePasses();

} // namespace soma

#endif // SOMA_PIPELINE_PIPELINE_H
