//===- Fused.cpp - linear_activation to linalg ----------------------------===//
//
// For now a fused layer lowers to exactly what its two unfused ops lower to:
// the linear's transposed-B `linalg.matmul` from the bias (through a
// `soma.linear` that the contraction pattern converts in turn), then the
// activation's element-wise `linalg.generic` with the activation's own
// scalar body. Compiled fused and unfused layers are thus bit-identical.
// A register-blocked kernel applying the activation to each accumulator
// tile is to replace this one pattern.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

namespace {

/// Lowers `soma.linear_activation` to the linear's contraction followed by
/// the activation's generic.
struct LinearActivationLowering final
    : OpConversionPattern<LinearActivationOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value linear = LinearOp::create(rewriter, loc, adaptor.getInput(),
                                    adaptor.getWeight(), adaptor.getBias());

    OwningOpRef<Operation *> activation = op.buildActivationDescription();
    auto type = cast<RankedTensorType>(linear.getType());
    Value init = createEmpty(rewriter, loc,
                             tensor::getMixedSizes(rewriter, loc, linear));
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    Value result = buildGeneric(
        rewriter, loc, linear, init, {identity, identity}, iterators,
        [&](ImplicitLocOpBuilder &b, ValueRange args) {
          return buildActivationScalar(b, activation.get(), args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void soma::lowering::populateFusedPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearActivationLowering>(patterns.getContext());
}
