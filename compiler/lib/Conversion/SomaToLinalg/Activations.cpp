//===- Activations.cpp - Element-wise activations to linalg.generic -------===//
//
// Each activation becomes one all-parallel linalg.generic. Activations with a
// transcendental function compute in f64 and round to f32 once: f32 `exp`
// alone can be 2-3 ULP off, beyond SPEC's budget. Their exp, expm1 and
// log1p are Soma's own (ApproxMath.h), within 2^-44 relative of exact and
// built from arith ops, so the loops vectorize and call no libm; each
// formula below avoids cancellation and overflow, so the f64 result is
// within 2^-40 of exact and its f32 rounding within 0.5 + 2^-16 ULP (at
// most one ULP from the correctly rounded result), and gives the reference
// interpreter's NaN, infinity and signed-zero results. Piecewise-linear
// activations whose f32 result is bit-identical stay in f32.
//
// Every body works on an f32 element and on a vector of them alike.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

using arith::CmpFPredicate;

/// A constant of `like`'s type (f32 or f64, scalar or vector) holding `value`.
static Value constant(ImplicitLocOpBuilder &b, double value, Value like) {
  return constantLike(b, value, like.getType());
}

/// Computes `fn` of the f32 element (or vector) `x` in f64 and rounds once.
static Value inF64(ImplicitLocOpBuilder &b, Value x,
                   llvm::function_ref<Value(Value)> fn) {
  return truncateToF32(b, fn(extendToF64(b, x)));
}

/// exp(-|v|), in (0, 1] but for NaN.
static Value expNegAbs(ImplicitLocOpBuilder &b, Value v) {
  return buildExp(b, arith::NegFOp::create(b, math::AbsFOp::create(b, v)));
}

/// sigmoid(v) in f64 as 1/(1 + t) for v >= 0 and t/(1 + t) below, with
/// t = exp(-|v|): the quotient never overflows, 1 + t lies in [1, 2] where
/// the reciprocal is well conditioned, and the result stays in [0, 1]. NaN
/// takes the second branch, where t is NaN.
static Value sigmoidF64(ImplicitLocOpBuilder &b, Value v) {
  Value t = expNegAbs(b, v);
  Value reciprocal =
      buildReciprocal(b, arith::AddFOp::create(b, constant(b, 1.0, v), t));
  Value nonNegative =
      arith::CmpFOp::create(b, CmpFPredicate::OGE, v, constant(b, 0.0, v));
  return arith::SelectOp::create(b, nonNegative, reciprocal,
                                 arith::MulFOp::create(b, t, reciprocal));
}

//===----------------------------------------------------------------------===//
// Scalar bodies: one overload per op, taking the f32 element (or a vector of
// them)
//===----------------------------------------------------------------------===//

static Value buildScalar(ImplicitLocOpBuilder &b, SigmoidOp, Value x) {
  // In f32 alone (ApproxMath.cpp): about four times faster than the f64
  // form, and within 2 ULP over every input.
  return buildSigmoidF32(b, x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, LogSigmoidOp, Value x) {
  return inF64(b, x, [&](Value v) {
    // min(v, 0) as std::min(v, 0.0) does it: `0 < v ? 0 : v` keeps NaN.
    Value zero = constant(b, 0.0, v);
    Value positive = arith::CmpFOp::create(b, CmpFPredicate::OLT, zero, v);
    Value low = arith::SelectOp::create(b, positive, zero, v);
    return arith::SubFOp::create(b, low, buildLog1p(b, expNegAbs(b, v)));
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSigmoidOp op, Value x) {
  // PyTorch's slope is exactly 1/6; its f32 attribute stands for that.
  float alpha = op.getAlpha().convertToFloat();
  double slope = alpha == 1.0f / 6.0f ? 1.0 / 6.0 : alpha;
  double offset = op.getBeta().convertToFloat();
  return inF64(b, x, [&](Value v) {
    Value scaled = arith::MulFOp::create(b, constant(b, slope, v), v);
    Value line = arith::AddFOp::create(b, scaled, constant(b, offset, v));
    Value lo = constant(b, 0.0, v), hi = constant(b, 1.0, v);
    return clampKeepNaN(b, line, lo, hi);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, SiluOp, Value x) {
  // v·sigmoid(v) rather than v/(1 + exp(-v)): the same special values
  // (-inf·0 is NaN, as -inf/inf is) without a division or an overflow.
  return inF64(b, x, [&](Value v) {
    return arith::MulFOp::create(b, v, sigmoidF64(b, v));
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSwishOp, Value x) {
  // x·clamp(x + 3, 0, 6)/6, the division a product with the f64 nearest to
  // 1/6: the f64 result stays within 2^-51 relative of the exact one, so
  // its f32 rounding is within 0.5 + 2^-27 ULP (an f64 division per
  // element would be most of the cost).
  return inF64(b, x, [&](Value v) {
    Value shifted = arith::AddFOp::create(b, v, constant(b, 3.0, v));
    Value lo = constant(b, 0.0, v), hi = constant(b, 6.0, v);
    Value gated = arith::MulFOp::create(b, v, clampKeepNaN(b, shifted, lo, hi));
    return arith::MulFOp::create(b, gated, constant(b, 1.0 / 6.0, v));
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, TanhOp, Value x) {
  return inF64(b, x, [&](Value v) {
    // tanh(a) = e/(e + 2) with e = expm1(2a) for a = |v|, which keeps the
    // relative accuracy of tiny a (and of subnormal inputs, tanh(a) = a);
    // the sign is put back last, so tanh(-0) = -0. tanh(20) is 1 in f64;
    // clamping there keeps e + 2 finite for the reciprocal. NaN
    // passes the clamp and the arithmetic.
    Value a = math::AbsFOp::create(b, v);
    Value limit = constant(b, 20.0, v);
    Value large = arith::CmpFOp::create(b, CmpFPredicate::OGT, a, limit);
    a = arith::SelectOp::create(b, large, limit, a);
    Value e = buildExpm1(b, arith::AddFOp::create(b, a, a));
    Value denominator = arith::AddFOp::create(b, e, constant(b, 2.0, v));
    Value magnitude =
        arith::MulFOp::create(b, e, buildReciprocal(b, denominator));
    // copysign(magnitude, v) with integer ops (math.copysign has no
    // lowering in every pipeline); magnitude's sign bit is clear.
    Type bitsType = withElementType(v.getType(), b.getI64Type());
    Value sign = arith::AndIOp::create(
        b, arith::BitcastOp::create(b, bitsType, v),
        integerConstantLike(b, std::numeric_limits<int64_t>::min(), bitsType));
    Value bits = arith::OrIOp::create(
        b, arith::BitcastOp::create(b, bitsType, magnitude), sign);
    return arith::BitcastOp::create(b, v.getType(), bits);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, ReluOp, Value x) {
  // PyTorch's clamp_min, `x < 0 ? 0 : x`: NaN and -0 pass through.
  Value zero = constant(b, 0.0, x);
  Value negative = arith::CmpFOp::create(b, CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, negative, zero, x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, LeakyReluOp op, Value x) {
  // The f64 product of two floats is exact, so rounding it to f32 is the
  // f32 product.
  Value slope = constant(b, op.getNegativeSlope().convertToFloat(), x);
  Value positive =
      arith::CmpFOp::create(b, CmpFPredicate::OGT, x, constant(b, 0.0, x));
  return arith::SelectOp::create(b, positive, x,
                                 arith::MulFOp::create(b, x, slope));
}

static Value buildScalar(ImplicitLocOpBuilder &b, ThresholdOp op, Value x) {
  // `x <= threshold ? value : x`: NaN compares false and passes through.
  Value threshold = constant(b, op.getThreshold().convertToFloat(), x);
  Value replace = arith::CmpFOp::create(b, CmpFPredicate::OLE, x, threshold);
  return arith::SelectOp::create(
      b, replace, constant(b, op.getValue().convertToFloat(), x), x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, SoftplusOp op, Value x) {
  double beta = op.getBeta().convertToFloat();
  double threshold = op.getThreshold().convertToFloat();
  return inF64(b, x, [&](Value v) {
    Value scaled = arith::MulFOp::create(b, v, constant(b, beta, v));
    Value linear = arith::CmpFOp::create(b, CmpFPredicate::OGT, scaled,
                                         constant(b, threshold, v));
    // log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)): log1p's argument stays
    // in [0, 1] and nothing overflows. (The interpreter's log1p(exp(z))
    // overflows to +inf for z > 709.78, reachable only with a threshold
    // above that; this form gives the finite value there.) NaN reaches the
    // sum through exp.
    Value zero = constant(b, 0.0, v);
    Value positive = arith::CmpFOp::create(b, CmpFPredicate::OGT, scaled, zero);
    Value high = arith::SelectOp::create(b, positive, scaled, zero);
    Value smooth =
        arith::AddFOp::create(b, high, buildLog1p(b, expNegAbs(b, scaled)));
    if (beta != 1.0)
      smooth = arith::DivFOp::create(b, smooth, constant(b, beta, v));
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

/// Vectors of `lanes` f32 per step of the activation loops: enough
/// independent work to hide the latency of the f64 polynomials.
static constexpr int64_t kVectorsPerStep = 2;

/// `body` applied to every element of `input`, as vector code: the tensor
/// flattened, whole steps of kVectorsPerStep vectors in a loop, then the
/// rest one vector at a time with masked transfers. Every element goes
/// through the same vector body, so its result does not depend on where it
/// lies, and so not on the thread count either.
static Value buildVectorLoop(OpBuilder &rewriter, Location loc, Value input,
                             int64_t lanes,
                             llvm::function_ref<Value(ImplicitLocOpBuilder &,
                                                      Value)>
                                 body) {
  ImplicitLocOpBuilder b(loc, rewriter);
  auto type = cast<RankedTensorType>(input.getType());
  // The destination is made in the input's shape and flattened like it:
  // once bufferized, the loops' buffer is then the allocation itself (the
  // reshapes fold away), which becomes the caller's result buffer.
  Value flat = input;
  Value out = createEmpty(b, loc, tensor::getMixedSizes(b, loc, input));
  SmallVector<ReassociationIndices> groups;
  if (type.getRank() != 1) {
    groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
    int64_t size = type.hasStaticShape() ? type.getNumElements()
                                         : ShapedType::kDynamic;
    auto flatType = RankedTensorType::get({size}, type.getElementType());
    flat = collapseTo(b, loc, input, flatType, groups);
    out = collapseTo(b, loc, out, flatType, groups);
  }
  Value count = tensor::DimOp::create(b, flat, 0);
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  Value padding = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  auto apply = [&](ImplicitLocOpBuilder &lb, Value acc, Value at,
                   bool inBounds) {
    Value x = vector::TransferReadOp::create(lb, vectorType, flat, at, padding,
                                             ArrayRef<bool>{inBounds});
    return vector::TransferWriteOp::create(lb, body(lb, x), acc, at,
                                           ArrayRef<bool>{inBounds})
        .getResult();
  };

  // Constants before the loops, so that equal activations on equal inputs
  // stay equal ops that CSE merges.
  SmallVector<Value> offsets;
  for (int64_t v = 0; v < kVectorsPerStep; ++v)
    offsets.push_back(arith::ConstantIndexOp::create(b, v * lanes));
  Value vectorStep = arith::ConstantIndexOp::create(b, lanes);
  Value step = arith::ConstantIndexOp::create(b, lanes * kVectorsPerStep);
  Value whole = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, count, step), step);
  out = scf::ForOp::create(
            b, arith::ConstantIndexOp::create(b, 0), whole, step,
            ValueRange{out},
            [&](OpBuilder &nested, Location nestedLoc, Value i,
                ValueRange iter) {
              ImplicitLocOpBuilder lb(nestedLoc, nested);
              Value acc = iter[0];
              for (int64_t v = 0; v < kVectorsPerStep; ++v)
                acc = apply(lb, acc, arith::AddIOp::create(lb, i, offsets[v]),
                            /*inBounds=*/true);
              scf::YieldOp::create(lb, acc);
            })
            .getResult(0);
  out = scf::ForOp::create(
            b, whole, count, vectorStep, ValueRange{out},
            [&](OpBuilder &nested, Location nestedLoc, Value i,
                ValueRange iter) {
              ImplicitLocOpBuilder lb(nestedLoc, nested);
              scf::YieldOp::create(
                  lb, apply(lb, iter[0], i, /*inBounds=*/false));
            })
            .getResult(0);
  if (type.getRank() == 1)
    return out;
  return expandTo(b, loc, out, type, groups,
                  tensor::getMixedSizes(b, loc, input));
}

Value soma::lowering::buildActivationLoop(OpBuilder &b, Location loc,
                                          Value input, Operation *activation,
                                          int64_t vectorLanes) {
  auto body = [&](ImplicitLocOpBuilder &eb, Value x) {
    return buildActivationScalar(eb, activation, x);
  };
  auto type = cast<RankedTensorType>(input.getType());
  if (vectorLanes > 0 && type.getRank() > 0)
    return buildVectorLoop(b, loc, input, vectorLanes, body);
  Value init = createEmpty(b, loc, tensor::getMixedSizes(b, loc, input));
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return buildGeneric(b, loc, input, init, {identity, identity}, iterators,
                      [&](ImplicitLocOpBuilder &eb, ValueRange args) {
                        return body(eb, args[0]);
                      });
}

namespace {

/// Lowers an activation through `buildActivationLoop`.
template <typename OpTy>
struct ActivationLowering final : OpConversionPattern<OpTy> {
  ActivationLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern<OpTy>(context), vectorLanes(vectorLanes) {}
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildActivationLoop(rewriter, op.getLoc(),
                                               adaptor.getInput(), op,
                                               vectorLanes));
    return success();
  }

  int64_t vectorLanes;
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

void soma::lowering::populateActivationPatterns(RewritePatternSet &patterns,
                                               int64_t vectorLanes) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ActivationLowering<SigmoidOp>, ActivationLowering<LogSigmoidOp>,
               ActivationLowering<HardSigmoidOp>, ActivationLowering<SiluOp>,
               ActivationLowering<HardSwishOp>, ActivationLowering<TanhOp>,
               ActivationLowering<ReluOp>, ActivationLowering<LeakyReluOp>,
               ActivationLowering<ThresholdOp>, ActivationLowering<SoftplusOp>>(
      context, vectorLanes);
  patterns.add<DropoutLowering>(context);
}
