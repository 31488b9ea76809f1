//===- SomaFolds.cpp - Folders and canonicalizations of soma ops ----------===//

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace soma;

/// Dropout is the identity at inference.
OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }

/// A reshape to the type it already has is the identity, as long as at most
/// one dimension is dynamic (two dynamic dimensions could trade sizes).
OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getType().getNumDynamicDims() <= 1)
    return getInput();
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x): only the last shape matters.
struct FoldReshapeOfReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    // A static result spells its sizes out: inferred from a dynamic `x`,
    // the last shape's -1 would lose what the first reshape pinned down.
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(producer.getInput());
      if (op.getType().hasStaticShape())
        op.setShape(op.getType().getShape());
    });
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FoldReshapeOfReshape>(context);
}

/// Flattening a range of one dimension (an already-flat tensor) is the
/// identity.
OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

/// The identity permutation.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (p != static_cast<int64_t>(i))
      return {};
  return getInput();
}
