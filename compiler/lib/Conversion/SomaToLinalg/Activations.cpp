//===- Activations.cpp - Element-wise activations to linalg.generic -------===//
//
// Each activation becomes one all-parallel linalg.generic. Activations with a
// transcendental function compute in f64 in the reference interpreter's
// formula and round to f32 once: f32 `exp` alone can be 2-3 ULP off, beyond
// SPEC's budget, while the f64 form is correctly rounded but for rare
// double-rounding ties, and gives the interpreter's NaN, infinity and
// signed-zero results. Piecewise-linear activations whose f32 result is
// bit-identical stay in f32.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

using arith::CmpFPredicate;

/// Computes `fn` of the f32 element `x` in f64 and rounds once.
static Value inF64(ImplicitLocOpBuilder &b, Value x,
                   llvm::function_ref<Value(Value)> fn) {
  return truncateToF32(b, fn(extendToF64(b, x)));
}

static Value negExp(ImplicitLocOpBuilder &b, Value x) {
  return math::ExpOp::create(b, arith::NegFOp::create(b, x));
}

//===----------------------------------------------------------------------===//
// Scalar bodies: one overload per op, taking the f32 element
//===----------------------------------------------------------------------===//

static Value buildScalar(ImplicitLocOpBuilder &b, SigmoidOp, Value x) {
  return inF64(b, x, [&](Value v) {
    Value one = f64Constant(b, 1.0);
    return arith::DivFOp::create(b, one,
                                 arith::AddFOp::create(b, one, negExp(b, v)));
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, LogSigmoidOp, Value x) {
  return inF64(b, x, [&](Value v) {
    // min(v, 0) as std::min(v, 0.0) does it: `0 < v ? 0 : v` keeps NaN.
    Value zero = f64Constant(b, 0.0);
    Value positive = arith::CmpFOp::create(b, CmpFPredicate::OLT, zero, v);
    Value low = arith::SelectOp::create(b, positive, zero, v);
    Value tail = buildLog1p(b, negExp(b, math::AbsFOp::create(b, v)));
    return arith::SubFOp::create(b, low, tail);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSigmoidOp op, Value x) {
  // PyTorch's slope is exactly 1/6; its f32 attribute stands for that.
  float alpha = op.getAlpha().convertToFloat();
  double slope = alpha == 1.0f / 6.0f ? 1.0 / 6.0 : alpha;
  double offset = op.getBeta().convertToFloat();
  return inF64(b, x, [&](Value v) {
    Value scaled = arith::MulFOp::create(b, f64Constant(b, slope), v);
    Value line = arith::AddFOp::create(b, scaled, f64Constant(b, offset));
    Value lo = f64Constant(b, 0.0), hi = f64Constant(b, 1.0);
    return clampKeepNaN(b, line, lo, hi);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, SiluOp, Value x) {
  return inF64(b, x, [&](Value v) {
    Value one = f64Constant(b, 1.0);
    return arith::DivFOp::create(b, v,
                                 arith::AddFOp::create(b, one, negExp(b, v)));
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSwishOp, Value x) {
  return inF64(b, x, [&](Value v) {
    Value shifted = arith::AddFOp::create(b, v, f64Constant(b, 3.0));
    Value lo = f64Constant(b, 0.0), hi = f64Constant(b, 6.0);
    Value gated = arith::MulFOp::create(b, v, clampKeepNaN(b, shifted, lo, hi));
    return arith::DivFOp::create(b, gated, hi);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, TanhOp, Value x) {
  return inF64(b, x, [&](Value v) { return math::TanhOp::create(b, v); });
}

static Value buildScalar(ImplicitLocOpBuilder &b, ReluOp, Value x) {
  // PyTorch's clamp_min, `x < 0 ? 0 : x`: NaN and -0 pass through.
  Value zero = f32Constant(b, 0.0);
  Value negative = arith::CmpFOp::create(b, CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, negative, zero, x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, LeakyReluOp op, Value x) {
  // The f64 product of two floats is exact, so rounding it to f32 is the
  // f32 product.
  Value slope = f32Constant(b, op.getNegativeSlope().convertToFloat());
  Value positive =
      arith::CmpFOp::create(b, CmpFPredicate::OGT, x, f32Constant(b, 0.0));
  return arith::SelectOp::create(b, positive, x,
                                 arith::MulFOp::create(b, x, slope));
}

static Value buildScalar(ImplicitLocOpBuilder &b, ThresholdOp op, Value x) {
  // `x <= threshold ? value : x`: NaN compares false and passes through.
  Value threshold = f32Constant(b, op.getThreshold().convertToFloat());
  Value replace = arith::CmpFOp::create(b, CmpFPredicate::OLE, x, threshold);
  return arith::SelectOp::create(
      b, replace, f32Constant(b, op.getValue().convertToFloat()), x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, SoftplusOp op, Value x) {
  double beta = op.getBeta().convertToFloat();
  double threshold = op.getThreshold().convertToFloat();
  return inF64(b, x, [&](Value v) {
    Value scaled = arith::MulFOp::create(b, v, f64Constant(b, beta));
    Value linear = arith::CmpFOp::create(b, CmpFPredicate::OGT, scaled,
                                         f64Constant(b, threshold));
    Value log1p = buildLog1p(b, math::ExpOp::create(b, scaled));
    Value smooth = arith::DivFOp::create(b, log1p, f64Constant(b, beta));
    return arith::SelectOp::create(b, linear, v, smooth);
  });
}

Value soma::lowering::buildActivationScalar(ImplicitLocOpBuilder &b,
                                            Operation *activation, Value x) {
  return llvm::TypeSwitch<Operation *, Value>(activation)
      .Case<SigmoidOp, LogSigmoidOp, HardSigmoidOp, SiluOp, HardSwishOp,
            TanhOp, ReluOp, LeakyReluOp, ThresholdOp, SoftplusOp>(
          [&](auto op) { return buildScalar(b, op, x); });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// Lowers an activation to a linalg.generic applying its scalar body.
template <typename OpTy>
struct ActivationLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Value init =
        createEmpty(rewriter, loc, tensor::getMixedSizes(rewriter, loc, input));
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    Value result =
        buildGeneric(rewriter, loc, input, init, {identity, identity},
                     iterators, [&](ImplicitLocOpBuilder &b, ValueRange args) {
                       return buildScalar(b, op, args[0]);
                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Dropout is the identity at inference.
struct DropoutLowering final : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

void soma::lowering::populateActivationPatterns(RewritePatternSet &patterns) {
  patterns.add<ActivationLowering<SigmoidOp>, ActivationLowering<LogSigmoidOp>,
               ActivationLowering<HardSigmoidOp>, ActivationLowering<SiluOp>,
               ActivationLowering<HardSwishOp>, ActivationLowering<TanhOp>,
               ActivationLowering<ReluOp>, ActivationLowering<LeakyReluOp>,
               ActivationLowering<ThresholdOp>, ActivationLowering<SoftplusOp>,
               DropoutLowering>(patterns.getContext());
}
