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
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace soma {
#define GEN_PASS_DEF_CONVERTSOMATOLINALGPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;
using namespace soma;

void soma::populateSomaToLinalgConversionPatterns(RewritePatternSet &patterns) {
  lowering::populateActivationPatterns(patterns);
  lowering::populateArithmeticPatterns(patterns);
  lowering::populateContractionPatterns(patterns);
  lowering::populateReductionPatterns(patterns);
  lowering::populateLayoutPatterns(patterns);
  lowering::populateConvolutionPatterns(patterns);
  lowering::populatePoolingPatterns(patterns);
  lowering::populateFusedPatterns(patterns);
}

namespace {

struct ConvertSomaToLinalgPass final
    : soma::impl::ConvertSomaToLinalgPassBase<ConvertSomaToLinalgPass> {
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

    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<SomaDialect>();
    // What the patterns produce: tensor computations in linalg, views and
    // padding in tensor, scalars in arith and math.
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    // Anything else (func.func, func.return, other dialects' ops) is left as
    // it is: the conversion is partial.

    RewritePatternSet patterns(context);
    populateSomaToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
