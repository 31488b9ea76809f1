//===- ConvolutionLoopOrder.cpp - The soma-convolution-loop-order pass ----===//
//
// Puts the loops over a convolution's output rows and columns innermost
// (Passes.td says when and why).
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace soma {
#define GEN_PASS_DEF_CONVOLUTIONLOOPORDERPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;

namespace {

/// The loop order of `conv` with the two dimensions that index its output's
/// last two (spatial) dimensions last, the others in their order; empty
/// when those are not plain loop dimensions.
SmallVector<unsigned> spatialLoopsLast(linalg::LinalgOp conv) {
  AffineMap output = conv.getMatchingIndexingMap(conv.getDpsInitOperand(0));
  if (output.getNumResults() < 2)
    return {};
  SmallVector<unsigned> spatial;
  for (AffineExpr expr : output.getResults().take_back(2)) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return {};
    spatial.push_back(dim.getPosition());
  }
  SmallVector<unsigned> order;
  for (unsigned loop = 0; loop < conv.getNumLoops(); ++loop)
    if (!llvm::is_contained(spatial, loop))
      order.push_back(loop);
  llvm::append_range(order, spatial);
  return order;
}

/// linalg.conv_2d_nchw_fchw and conv_2d_ngchw_gfchw as a generic whose
/// output rows and columns are its innermost loops.
template <typename ConvOp>
struct SpatialLoopsInnermost final : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    SmallVector<unsigned> order = spatialLoopsLast(conv);
    if (order.empty())
      return rewriter.notifyMatchFailure(conv, "output not indexed by loops");
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, conv);
    if (failed(generic))
      return failure();
    // The order is a permutation of the loops, so this cannot fail.
    (void)linalg::interchangeGenericOp(rewriter, *generic, order);
    return success();
  }
};

struct ConvolutionLoopOrderPass final
    : soma::impl::ConvolutionLoopOrderPassBase<ConvolutionLoopOrderPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SpatialLoopsInnermost<linalg::Conv2DNchwFchwOp>,
                 SpatialLoopsInnermost<linalg::Conv2DNgchwGfchwOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
