//===- Fused.cpp - linear_activation to linalg ----------------------------===//
//
// A fused layer is the linear's kernel with the activation applied to each
// accumulator vector before its store (LinearKernel.cpp). The activation's
// element body is the unfused op's own (Activations.cpp), and the linear
// part is the unfused linear's kernel, so compiled fused and unfused layers
// are bit-identical.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

namespace {

/// Lowers `soma.linear_activation` through `buildLinear` with its
/// activation.
struct LinearActivationLowering final
    : OpConversionPattern<LinearActivationOp> {
  LinearActivationLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern(context), vectorLanes(vectorLanes) {}

  LogicalResult
  matchAndRewrite(LinearActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    OwningOpRef<Operation *> activation = op.buildActivationDescription();
    rewriter.replaceOp(
        op, buildLinear(rewriter, op.getLoc(), adaptor.getInput(),
                        adaptor.getWeight(), adaptor.getBias(),
                        cast<RankedTensorType>(op.getType()), activation.get(),
                        vectorLanes));
    return success();
  }

  int64_t vectorLanes;
};

} // namespace

void soma::lowering::populateFusedPatterns(RewritePatternSet &patterns,
                                           int64_t vectorLanes) {
  patterns.add<LinearActivationLowering>(patterns.getContext(), vectorLanes);
}
