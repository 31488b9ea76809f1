//===- Pipeline.cpp - Soma's pass pipelines -------------------------------===//
//
// The pipelines are spelled in MLIR's textual pipeline syntax: the same text
// a reader can paste into soma-opt or mlir-opt to reproduce any step.
//
//===----------------------------------------------------------------------===//

#include "soma/Pipeline/Pipeline.h"

#include "soma/Conversion/Passes.h"
#include "soma/Dialect/Soma/Transforms/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void soma::registerPipelinePasses() {
  static bool registered = [] {
    mlir::registerAllPasses();
    soma::registerSomaConversionPasses();
    soma::registerSomaTransformsPasses();
    return true;
  }();
  (void)registered;
}

LogicalResult soma::buildSomaPipeline(OpPassManager &pm,
                                      const PipelineOptions &options) {
  registerPipelinePasses();
  std::string pipeline = "canonicalize,cse";
  // Fusion sees canonical IR (dropout gone, reshape chains collapsed); the
  // canonicalization after it folds the weight views it creates.
  if (options.fuse)
    pipeline += ",func.func(soma-fuse-linear-activation),canonicalize,cse";
  return parsePassPipeline(pipeline, pm);
}

LogicalResult soma::buildLoweringPipeline(OpPassManager &pm,
                                          const PipelineOptions &options) {
  registerPipelinePasses();
  std::string pipeline =
      // soma -> linalg/tensor/math (and the linear kernel's scf/vector) on
      // tensors.
      "func.func(convert-soma-to-linalg{vector-lanes=" +
      std::to_string(options.vectorLanes) +
      " nontemporal-threshold=" +
      std::to_string(options.nontemporalThreshold) +
      "}),canonicalize,cse,"
      // Convolutions walk output rows innermost (a loop LLVM vectorizes).
      "func.func(soma-convolution-loop-order),"
      // Tensors -> buffers. Results become out-parameters the C entry
      // points fill; weights become 64-byte aligned read-only globals.
      "eliminate-empty-tensors,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map "
      "buffer-alignment=64},"
      // Loops that carried a tensor now yield their buffer unchanged;
      // folding those iter_args leaves the allocation itself returned, which
      // the next pass turns into the caller's buffer instead of a copy.
      "canonicalize,"
      "buffer-results-to-out-params{hoist-static-allocs=true "
      "hoist-dynamic-allocs=true modify-public-functions=true},"
      // Buffers of a static size made inside a loop (a convolution's
      // patches, image by image) are made once, before it.
      "canonicalize,func.func(buffer-loop-hoisting),"
      "buffer-deallocation-pipeline,"
      // Large activation outputs are written past the caches; tanh's table
      // lookups become AVX-512 permutes and symmetric clamps vrangeps (only
      // AVX-512 code has 16-lane vectors).
      "func.func(soma-nontemporal-stores,soma-gather-to-permute,"
      "soma-symmetric-clamp-to-range),"
      // The linear kernel's panel loops run on the thread pool.
      "soma-parallel-loops-to-runtime,scf-forall-to-for,"
      // Buffers -> loops -> LLVM. expand-strided-metadata must precede
      // lower-affine; math ops become LLVM intrinsics (on whole vectors:
      // convert-math-to-libm would split a vector absf into scalars), those
      // without one libm calls (element by element on vectors, hence
      // before the vector lowering); vector transfers become (masked) loads
      // and stores.
      "func.func(convert-linalg-to-loops),convert-vector-to-scf,"
      "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
      "convert-math-to-llvm,convert-math-to-libm,"
      "convert-vector-to-llvm{enable-x86vector=true},"
      "convert-arith-to-llvm,convert-index-to-llvm,"
      // Buffers come from the runtime's tracked allocator (an allocation
      // failure becomes a status, not a crash).
      "finalize-memref-to-llvm{use-generic-functions=true},"
      "convert-func-to-llvm,convert-cf-to-llvm,"
      "convert-ub-to-llvm,reconcile-unrealized-casts";
  return parsePassPipeline(pipeline, pm);
}
