//===- SymmetricClampToRange.cpp - The soma-symmetric-clamp-to-range pass -===//
//
// Turns a 16-lane clamp to [-a, a] into AVX-512DQ's vrangeps (Passes.td
// says when and why).
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace soma {
#define GEN_PASS_DEF_SYMMETRICCLAMPTORANGEPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;

namespace {

constexpr int64_t kLanes = 16;

/// vrangeps's immediate: bits 1:0 = 2, the operand of smaller magnitude;
/// bits 3:2 = 0, the sign control that gives it the first operand's sign
/// (measured: range(-5, 3) is -3 with 0 there, +3 with 1).
constexpr int32_t kSmallerMagnitudeSignOfFirst = 2;
/// The "current direction" rounding operand (no embedded rounding).
constexpr int32_t kCurrentRounding = 4;

/// The splat f32 of a constant vector, if it is one.
std::optional<APFloat> splatValue(Value value) {
  SplatElementsAttr splat;
  if (!matchPattern(value, m_Constant(&splat)) ||
      !splat.getElementType().isF32())
    return std::nullopt;
  return splat.getSplatValue<APFloat>();
}

/// Whether `select`'s condition is the ordered compare `lhs < rhs` (false
/// on NaN).
bool selectsOnLess(arith::SelectOp select, Value lhs, Value rhs) {
  auto less = select.getCondition().getDefiningOp<arith::CmpFOp>();
  return less && less.getPredicate() == arith::CmpFPredicate::OLT &&
         less.getLhs() == lhs && less.getRhs() == rhs;
}

/// `(a < low) ? a : low` over `low = (x < -a) ? -a : x`, a > 0 finite, on
/// vector<16xf32> -> vrangeps(x, a).
struct SymmetricClampToRange final : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::SelectOp upper,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(upper.getType());
    if (!type || type.getShape() != ArrayRef<int64_t>{kLanes} ||
        !type.getElementType().isF32())
      return rewriter.notifyMatchFailure(upper, "not 16 f32 lanes");
    // Upper half: select(a < low, a, low).
    Value a = upper.getTrueValue(), low = upper.getFalseValue();
    if (!selectsOnLess(upper, a, low))
      return rewriter.notifyMatchFailure(upper, "not min(low, a) keeping NaN");
    // Lower half: select(x < -a, -a, x).
    auto lower = low.getDefiningOp<arith::SelectOp>();
    if (!lower)
      return rewriter.notifyMatchFailure(upper, "no lower clamp");
    Value minusA = lower.getTrueValue(), x = lower.getFalseValue();
    if (!selectsOnLess(lower, x, minusA))
      return rewriter.notifyMatchFailure(upper, "not max(x, -a) keeping NaN");
    std::optional<APFloat> bound = splatValue(a), negBound = splatValue(minusA);
    if (!bound || !negBound || !bound->isFinite() || !bound->isNonZero() ||
        bound->isNegative() || *negBound != -*bound)
      return rewriter.notifyMatchFailure(upper, "not a symmetric interval");
    // vrangeps returns the other operand for a quiet NaN x (a NaN only for
    // a signaling one), where the clamp keeps the NaN. That is the same
    // only where x's NaN reaches the result anyway: the clamp feeding one
    // fma, whose result is multiplied by x itself (hard_swish's x·t).
    if (!upper->hasOneUse())
      return rewriter.notifyMatchFailure(upper, "used more than once");
    auto fma = dyn_cast<LLVM::FMAOp>(*upper->user_begin());
    if (!fma || !fma->hasOneUse())
      return rewriter.notifyMatchFailure(upper, "not into one fma");
    auto product = dyn_cast<arith::MulFOp>(*fma->user_begin());
    if (!product || (product.getLhs() != x && product.getRhs() != x))
      return rewriter.notifyMatchFailure(upper, "not multiplied by x");

    Location loc = upper.getLoc();
    auto i32 = rewriter.getI32Type();
    Value imm = LLVM::ConstantOp::create(rewriter, loc, i32,
                                         kSmallerMagnitudeSignOfFirst);
    Value all = LLVM::ConstantOp::create(rewriter, loc, rewriter.getI16Type(),
                                         -1);
    Value rounding =
        LLVM::ConstantOp::create(rewriter, loc, i32, kCurrentRounding);
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        upper, type,
        rewriter.getStringAttr("llvm.x86.avx512.mask.range.ps.512"),
        ValueRange{x, a, imm, x, all, rounding});
    return success();
  }
};

struct SymmetricClampToRangePass final
    : soma::impl::SymmetricClampToRangePassBase<SymmetricClampToRangePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SymmetricClampToRange>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
