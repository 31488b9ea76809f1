//===- Layout.cpp - reshape, flatten and transpose to tensor/linalg -------===//
//
// reshape and flatten keep the row-major order of the elements, so they are
// `tensor.collapse_shape` and `tensor.expand_shape`: one of them when the
// dimensions regroup, a collapse to 1-D then an expansion otherwise. Both
// are views after bufferization. transpose is `linalg.transpose`.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

/// True when `reassociation` groups the dimensions of `fine` into those of
/// `coarse` exactly: a static coarse size is the product of its static
/// group, a dynamic one has exactly one dynamic dimension in its group. A
/// dynamic size then follows from the element count.
static bool groupsExactly(ArrayRef<int64_t> fine, ArrayRef<int64_t> coarse,
                          ArrayRef<ReassociationIndices> reassociation) {
  for (auto [group, indices] : llvm::enumerate(reassociation)) {
    int64_t product = 1, numDynamic = 0;
    for (int64_t i : indices) {
      if (ShapedType::isDynamic(fine[i]))
        ++numDynamic;
      else
        product *= fine[i];
    }
    bool ok = ShapedType::isDynamic(coarse[group])
                  ? numDynamic == 1
                  : numDynamic == 0 && product == coarse[group];
    if (!ok)
      return false;
  }
  return true;
}

/// Reshapes `input` to `resultType`, keeping the element order.
static Value reshapeTo(OpBuilder &b, Location loc, Value input,
                       RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  int64_t inRank = inputType.getRank(), outRank = resultType.getRank();
  if (inRank == 0)
    return expandTo(b, loc, input, resultType, {});
  if (outRank == 0)
    return collapseTo(b, loc, input, resultType, {});

  // One collapse or one expansion when the dimensions regroup.
  if (inRank != outRank) {
    if (std::optional<SmallVector<ReassociationIndices>> groups =
            getReassociationIndicesForReshape(inputType, resultType)) {
      if (inRank > outRank &&
          groupsExactly(inputType.getShape(), resultType.getShape(), *groups))
        return collapseTo(b, loc, input, resultType, *groups);
      if (inRank < outRank &&
          groupsExactly(resultType.getShape(), inputType.getShape(), *groups))
        return expandTo(b, loc, input, resultType, *groups);
    }
  }

  // Otherwise through 1-D; a dynamic input may have a static result, whose
  // element count the 1-D form then takes.
  auto flatType = RankedTensorType::get({inputType.hasStaticShape()
                                             ? inputType.getNumElements()
                                             : ShapedType::kDynamic},
                                        inputType.getElementType());
  Value flat = input;
  if (inRank != 1)
    flat =
        collapseTo(b, loc, input, flatType, mergeDims(inRank, 0, inRank - 1));
  if (resultType.hasStaticShape() && !flatType.hasStaticShape())
    flat = tensor::CastOp::create(
        b, loc,
        RankedTensorType::get({resultType.getNumElements()},
                              inputType.getElementType()),
        flat);
  if (outRank == 1)
    return flat;
  return expandTo(b, loc, flat, resultType, mergeDims(outRank, 0, outRank - 1));
}

namespace {

/// Lowers `soma.reshape` and `soma.flatten`, whose result type already says
/// everything.
template <typename OpTy>
struct ReshapeLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (llvm::count_if(cast<RankedTensorType>(op.getType()).getShape(),
                       ShapedType::isDynamic) > 1)
      return rewriter.notifyMatchFailure(
          op, "expected at most one dynamic result dimension");
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// Lowers `soma.transpose` to `linalg.transpose`.
struct TransposeLowering final : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> perm = op.getPerm();
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : perm)
      sizes.push_back(dimSize(rewriter, loc, input, p));
    Value init = createEmpty(rewriter, loc, sizes);
    rewriter.replaceOp(
        op, linalg::TransposeOp::create(rewriter, loc, input, init, perm)
                .getResult());
    return success();
  }
};

} // namespace

void soma::lowering::populateLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering<ReshapeOp>, ReshapeLowering<FlattenOp>,
               TransposeLowering>(patterns.getContext());
}
