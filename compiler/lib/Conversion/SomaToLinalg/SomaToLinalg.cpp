//===- SomaToLinalg.cpp - The convert-soma-to-linalg pass -----------------===//
//
// Gathers the pattern families of this directory and applies them as a
// partial conversion: every soma op must go, everything else stays.
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/SomaToLinalg.h"
#include "soma/Conversion/Passes.h"

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

namespace soma {
#define GEN_PASS_DEF_CONVERTSOMATOLINALGPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;
using namespace soma;

void soma::populateSomaToLinalgConversionPatterns(RewritePatternSet &patterns,
                                                  int64_t vectorLanes,
                                                  int64_t prefetchDistance,
                                                  int64_t nontemporalThreshold) {
  lowering::populateActivationPatterns(patterns, vectorLanes,
                                       prefetchDistance, nontemporalThreshold);
  lowering::populateArithmeticPatterns(patterns);
  lowering::populateContractionPatterns(patterns, vectorLanes);
  lowering::populateReductionPatterns(patterns, vectorLanes, prefetchDistance,
                                      nontemporalThreshold);
  lowering::populateLayoutPatterns(patterns);
  lowering::populateConvolutionPatterns(patterns, vectorLanes);
  lowering::populatePoolingPatterns(patterns);
  lowering::populateFusedPatterns(patterns, vectorLanes);
}

namespace {

struct ConvertSomaToLinalgPass final
    : soma::impl::ConvertSomaToLinalgPassBase<ConvertSomaToLinalgPass> {
  using ConvertSomaToLinalgPassBase::ConvertSomaToLinalgPassBase;

  void runOnOperation() override {
    // Say why an op cannot be lowered, rather than leave the conversion to
    // report a bare failed legalization.
    WalkResult shapes = getOperation()->walk([](Operation *op) {
      if (!lowering::needsStaticButBatch(op) || lowering::isStaticButBatch(op))
        return WalkResult::advance();
      op->emitOpError("cannot be lowered to linalg: expected tensors whose "
                      "dimensions are static but for the leading (batch) one");
      return WalkResult::interrupt();
    });
    if (shapes.wasInterrupted())
      return signalPassFailure();
    if (vectorLanes != 0 && vectorLanes != 4 && vectorLanes != 8 &&
        vectorLanes != 16) {
      getOperation()->emitError()
          << "convert-soma-to-linalg: vector-lanes must be 0, 4, 8 or 16, not "
          << static_cast<int64_t>(vectorLanes);
      return signalPassFailure();
    }
    for (auto [name, value] :
         {std::pair<StringRef, int64_t>{"prefetch-distance", prefetchDistance},
          {"nontemporal-threshold", nontemporalThreshold}}) {
      if (value >= 0)
        continue;
      getOperation()->emitError() << "convert-soma-to-linalg: " << name
                                  << " must not be negative, not " << value;
      return signalPassFailure();
    }

    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<SomaDialect>();
    // What the patterns produce: tensor computations in linalg, views and
    // padding in tensor, scalars in arith and math, the linear kernel's
    // loops and vectors in scf and vector.
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, vector::VectorDialect>();
    // The activations' math (ApproxMath.cpp) fuses multiply-adds with LLVM's
    // fma intrinsic, and scales AVX-512 vectors by powers of two with
    // x86vector's scalef.
    target.addLegalOp<LLVM::FMAOp, x86vector::MaskScaleFOp>();
    // The activation loops and softmax rows prefetch their input from its
    // buffer; streaming activation loops write a destination of their own.
    target.addLegalOp<bufferization::ToBufferOp, memref::PrefetchOp,
                      bufferization::AllocTensorOp>();
    // Streaming activation loops read their output's address.
    target.addLegalOp<memref::ExtractAlignedPointerAsIndexOp,
                      memref::ExtractStridedMetadataOp>();
    // Anything else (func.func, func.return, other dialects' ops) is left as
    // it is: the conversion is partial.

    RewritePatternSet patterns(context);
    populateSomaToLinalgConversionPatterns(patterns, vectorLanes,
                                           prefetchDistance,
                                           nontemporalThreshold);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
