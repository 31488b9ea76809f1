//===- Reduction.cpp - Sums, softmax and batch norm to linalg -------------===//
//
// reduce_sum is one reduction generic accumulating in f32 from zero.
//
// softmax and log_softmax along the last dimension, with vectors, are the
// row loops of SoftmaxKernel.cpp. Otherwise they follow the interpreter in
// f64 from the shift on: `x - max` is exact there, whereas in f32 it rounds
// and the exponential magnifies the error. Their exp and log are Soma's own (ApproxMath.h): the
// sum of exponentials is at least 1 (the maximum's term), so its log is in
// buildLog's domain and its reciprocal in (0, 1]. The generics are: the
// maximum; for softmax the exponentials (element-wise, into an f64 tensor)
// and their sum, for log_softmax the sum with the exponential inside; one
// value per row, 1 / sum or log(sum); the normalization, e * (1 / sum) or
// (x - max) - log(sum), rounded to f32 once. The reciprocal and the product
// round twice where e / sum rounds once: 2^-52 relative, far inside the
// 2^-40 of docs/numerics.md.
//
// The sum's addition carries `reassoc` so that LLVM vectorizes it (kept in
// order, it leaves the loop scalar). A sum of n non-negative terms errs by
// at most about (n - 1) * 2^-53 relative in any order (2^-41 for rows of up
// to 4096), and the vectorized order, partial sums then a tree, is the more
// accurate one. The order LLVM picks depends only on the row's length and
// the target, not on the rows around it: a row is one inner loop run by one
// thread (the batch is split between threads at whole rows), so results do
// not depend on the thread count. Nothing else carries a fast-math flag: a
// vector body and its scalar remainder give every element the same bits.
// The maximum is exact in any order; `arith.maximumf` lets a NaN win, as
// the interpreter does.
//
// batch_norm is one element-wise generic in f64 with its [C] parameters
// broadcast along dimension 1.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

/// The map from `rank` loops to the loops not marked in `reduced`.
static AffineMap keptDimsMap(MLIRContext *context, ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> exprs;
  for (auto [d, isReduced] : llvm::enumerate(reduced))
    if (!isReduced)
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(reduced.size(), 0, exprs, context);
}

/// Sizes of `value` but for the dimensions marked in `reduced`.
static SmallVector<OpFoldResult>
keptSizes(OpBuilder &b, Location loc, Value value, ArrayRef<bool> reduced) {
  SmallVector<OpFoldResult> sizes;
  for (auto [d, isReduced] : llvm::enumerate(reduced))
    if (!isReduced)
      sizes.push_back(dimSize(b, loc, value, d));
  return sizes;
}

static SmallVector<utils::IteratorType> iteratorsFor(ArrayRef<bool> reduced) {
  return llvm::map_to_vector(reduced, [](bool isReduced) {
    return isReduced ? utils::IteratorType::reduction
                     : utils::IteratorType::parallel;
  });
}

/// The reassociation that re-inserts the reduced dimensions as units: each
/// kept dimension takes the reduced ones after it, and the first group also
/// the leading ones. Empty when everything is reduced (from a scalar).
static SmallVector<ReassociationIndices> keepdimGroups(ArrayRef<bool> reduced) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [d, isReduced] : llvm::enumerate(reduced)) {
    pending.push_back(d);
    if (!isReduced) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!groups.empty())
    llvm::append_range(groups.back(), pending);
  return groups;
}

namespace {

/// Lowers `soma.reduce_sum`; `keepdim` re-inserts the unit dimensions with
/// `tensor.expand_shape`.
struct ReduceSumLowering final : OpConversionPattern<ReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<bool> reduced(rank, op.getDims().empty());
    for (int64_t dim : op.getDims())
      if (rank > 0)
        reduced[dim < 0 ? dim + rank : dim] = true;

    SmallVector<OpFoldResult> sizes = keptSizes(rewriter, loc, input, reduced);
    Value init =
        createFilled(rewriter, loc, sizes, rewriter.getF32FloatAttr(0));
    Value sum = buildGeneric(
        rewriter, loc, input, init,
        {rewriter.getMultiDimIdentityMap(rank),
         keptDimsMap(rewriter.getContext(), reduced)},
        iteratorsFor(reduced), [](ImplicitLocOpBuilder &b, ValueRange args) {
          return arith::AddFOp::create(b, args[1], args[0]).getResult();
        });
    if (!op.getKeepdim() || rank == 0) {
      rewriter.replaceOp(op, sum);
      return success();
    }

    SmallVector<OpFoldResult> shape;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(reduced[d] ? rewriter.getIndexAttr(1)
                                 : dimSize(rewriter, loc, input, d));
    rewriter.replaceOp(op, expandTo(rewriter, loc, sum,
                                    cast<RankedTensorType>(op.getType()),
                                    keepdimGroups(reduced), shape));
    return success();
  }
};

/// Lowers `soma.softmax` (`Logarithm` false) and `soma.log_softmax`.
template <typename OpTy, bool Logarithm>
struct SoftmaxLowering final : OpConversionPattern<OpTy> {
  SoftmaxLowering(MLIRContext *context, int64_t vectorLanes,
                  int64_t prefetchDistance, int64_t nontemporalThreshold)
      : OpConversionPattern<OpTy>(context), vectorLanes(vectorLanes),
        prefetchDistance(prefetchDistance),
        nontemporalThreshold(nontemporalThreshold) {}
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    // The I64Attr accessor returns the value as unsigned.
    int64_t dim = static_cast<int64_t>(op.getDim());
    if (type.getRank() > 0) {
      if (dim < 0)
        dim += type.getRank();
      // Along the last dimension, with vectors: the row kernel.
      if (vectorLanes > 0 && dim == type.getRank() - 1)
        rewriter.replaceOp(op,
                           buildRowSoftmax(rewriter, loc, input, Logarithm,
                                           vectorLanes, prefetchDistance,
                                           nontemporalThreshold));
      else
        rewriter.replaceOp(op, buildSoftmax(rewriter, loc, input, dim));
      return success();
    }
    // A scalar is a one-element vector.
    auto vectorType = RankedTensorType::get({1}, type.getElementType());
    Value vector = expandTo(rewriter, loc, input, vectorType, {});
    Value result = buildSoftmax(rewriter, loc, vector, 0);
    rewriter.replaceOp(op, collapseTo(rewriter, loc, result, type, {}));
    return success();
  }

private:
  int64_t vectorLanes, prefetchDistance, nontemporalThreshold;

  static Value buildSoftmax(OpBuilder &b, Location loc, Value input,
                            int64_t dim) {
    MLIRContext *context = b.getContext();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<bool> reduced(rank, false);
    reduced[dim] = true;
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(context, reduced);
    SmallVector<OpFoldResult> sizes = keptSizes(b, loc, input, reduced);

    // The maximum; `arith.maximumf` lets a NaN win, as the interpreter does.
    Value maxInit = createFilled(
        b, loc, sizes,
        b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
    Value max = buildGeneric(
        b, loc, input, maxInit, {identity, kept}, iteratorsFor(reduced),
        [](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
          return arith::MaximumFOp::create(b, args[1], args[0]);
        });

    auto shifted = [](ImplicitLocOpBuilder &b, Value x, Value max) -> Value {
      Value wideX = extendToF64(b, x), wideMax = extendToF64(b, max);
      return arith::SubFOp::create(b, wideX, wideMax);
    };
    // `reassoc` lets LLVM vectorize the sum of exponentials (see the file
    // comment); nothing else carries a fast-math flag.
    auto accumulate = [](ImplicitLocOpBuilder &b, Value sum,
                         Value term) -> Value {
      return arith::AddFOp::create(b, sum, term, arith::FastMathFlags::reassoc);
    };
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    SmallVector<OpFoldResult> allSizes = tensor::getMixedSizes(b, loc, input);
    Value sumInit = createFilled(b, loc, sizes, b.getF64FloatAttr(0));

    // softmax: the exponentials once, in an element-wise generic, kept in
    // f64 for the sum and the normalization.
    Value exps;
    Value sum;
    if (!Logarithm) {
      exps = buildGeneric(b, loc, {input, max},
                          createEmpty(b, loc, allSizes, b.getF64Type()),
                          {identity, kept, identity}, parallel,
                          [&](ImplicitLocOpBuilder &b, ValueRange args) {
                            return buildExp(b, shifted(b, args[0], args[1]));
                          });
      sum = buildGeneric(b, loc, exps, sumInit, {identity, kept},
                         iteratorsFor(reduced),
                         [&](ImplicitLocOpBuilder &b, ValueRange args) {
                           return accumulate(b, args[1], args[0]);
                         });
    } else {
      // log_softmax needs each exponential only for the sum.
      sum = buildGeneric(
          b, loc, {input, max}, sumInit, {identity, kept, kept},
          iteratorsFor(reduced), [&](ImplicitLocOpBuilder &b, ValueRange args) {
            return accumulate(b, args[2],
                              buildExp(b, shifted(b, args[0], args[1])));
          });
    }

    // Once per row: 1 / sum for softmax, log(sum) for log_softmax.
    int64_t keptRank = rank - 1;
    AffineMap keptIdentity = b.getMultiDimIdentityMap(keptRank);
    Value perRow = buildGeneric(
        b, loc, sum, createEmpty(b, loc, sizes, b.getF64Type()),
        {keptIdentity, keptIdentity},
        SmallVector<utils::IteratorType>(keptRank,
                                         utils::IteratorType::parallel),
        [&](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
          if (Logarithm)
            return buildLog(b, args[0]);
          return arith::DivFOp::create(b, f64Constant(b, 1.0), args[0]);
        });

    Value init = createEmpty(b, loc, allSizes);
    if (!Logarithm)
      return buildGeneric(
          b, loc, {exps, perRow}, init, {identity, kept, identity}, parallel,
          [&](ImplicitLocOpBuilder &b, ValueRange args) {
            return truncateToF32(b, arith::MulFOp::create(b, args[0], args[1]));
          });
    return buildGeneric(
        b, loc, {input, max, perRow}, init, {identity, kept, kept, identity},
        parallel, [&](ImplicitLocOpBuilder &b, ValueRange args) {
          Value s = shifted(b, args[0], args[1]);
          return truncateToF32(b, arith::SubFOp::create(b, s, args[2]));
        });
  }
};

/// Lowers `soma.batch_norm` to
/// `(x - mean) / sqrt(variance + epsilon) * weight + bias` in f64.
struct BatchNormLowering final : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel =
        AffineMap::get(rank, 0, getAffineDimExpr(1, rewriter.getContext()));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    double epsilon = op.getEpsilon().convertToFloat();
    Value init =
        createEmpty(rewriter, loc, tensor::getMixedSizes(rewriter, loc, input));
    Value result = buildGeneric(
        rewriter, loc,
        {input, adaptor.getMean(), adaptor.getVariance(), adaptor.getWeight(),
         adaptor.getBias()},
        init, {identity, channel, channel, channel, channel, identity},
        iterators, [&](ImplicitLocOpBuilder &b, ValueRange args) {
          SmallVector<Value> wide = llvm::map_to_vector(
              args.drop_back(), [&](Value v) { return extendToF64(b, v); });
          Value x = wide[0], mean = wide[1], variance = wide[2],
                weight = wide[3], bias = wide[4];
          Value centered = arith::SubFOp::create(b, x, mean);
          Value shiftedVariance =
              arith::AddFOp::create(b, variance, f64Constant(b, epsilon));
          Value deviation = math::SqrtOp::create(b, shiftedVariance);
          Value normalized = arith::DivFOp::create(b, centered, deviation);
          Value scaled = arith::MulFOp::create(b, normalized, weight);
          return truncateToF32(b, arith::AddFOp::create(b, scaled, bias));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void soma::lowering::populateReductionPatterns(RewritePatternSet &patterns,
                                              int64_t vectorLanes,
                                              int64_t prefetchDistance,
                                              int64_t nontemporalThreshold) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ReduceSumLowering, BatchNormLowering>(context);
  patterns.add<SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(
      context, vectorLanes, prefetchDistance, nontemporalThreshold);
}
