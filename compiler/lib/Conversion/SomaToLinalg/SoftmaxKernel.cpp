//===- SoftmaxKernel.cpp - softmax along rows as vector loops -------------===//
//
// softmax and log_softmax along the last dimension, for vector targets: the
// input is seen as rows, and each row goes through passes of vector loops
// (whole vectors, then one masked vector) while it stays in the cache:
//
//   1. the row's maximum m and minimum, by ordered compares in four
//      independent accumulators of each; a NaN is skipped there, but its
//      term makes the sum NaN and so the whole row, as in the interpreter.
//      For every row but
//      the first this pass runs within the previous row's iteration,
//      between its steps 3 and 4: its loads do not wait for step 3's chain
//      of dependent f64 operations, which they then overlap;
//   2. (prefetching the row `prefetch-distance` f32 ahead, or the next one,
//      while this pass computes) t = x - m as an exact sum t_hi + t_lo of
//      two floats (TwoSum), and e = exp(t) in f32 as a head and tail
//      (buildExpF32Split) corrected by t_lo; each lane sums the heads (in
//      f32 with their exact rounding errors set aside for softmax, in f64
//      for log_softmax) and in f32 the rest, the lanes added in f64 in a
//      fixed pairwise order at the end; softmax stores e rounded to f32 in
//      a row of its own (one for all rows, in the cache); log_softmax sums
//      e·2^64, so that terms far below the
//      maximum's stay normal floats. The whole vectors of this pass are
//      software-pipelined (stagedPass): each iteration computes the next
//      vector's x - m and exp's reduction and polynomial while it finishes
//      this one's. A row whose minimum minus m is at least -86.5 (-130.86
//      for log_softmax's scaled terms) takes a copy of this pass without
//      the clamps of t and t_lo and without vscalefps, e's head and tail
//      two fmas (ExpDomain::Normal: the same bits); and there, for
//      softmax, where the row's bounds show that m's exponent is at least
//      every x's (m > 0, |min| below 2^(e_m + 1)) or at most every x's
//      (m <= 0), t_hi and t_lo by Fast2Sum in three operations instead of
//      TwoSum's six (the same exact pair);
//   3. once per row in f64: 1/sum for softmax; for log_softmax log(sum) as
//      log1p of the sum without one maximum's term (exactly 1), which
//      keeps its accuracy where that term dominates and the sum rounds near
//      1 (the interpreter computes it the same way), then c = m + log(sum);
//      each split into an f32 head and tail;
//   4. softmax: y = e·(r_hi + r_lo) rounded once; log_softmax:
//      y = (x - c_hi) - c_lo; written to the output, the only write to it.
//      From `nontemporal-threshold` elements on, the whole vectors between
//      the row's first 64-byte boundary and its end are non-temporal
//      stores (soma-nontemporal-stores), which skip reading each output
//      line from memory before overwriting it: 20% (log_softmax) and 12%
//      (softmax) less time over 16M floats not in the cache.
//
// Unlike the linalg form of Reduction.cpp, no full-size intermediate is
// written: each element is read twice from the input within its row, and
// written once to the output (softmax also writes and reads e in its own
// row).
//
// Accuracy: e is within 2^-27 relative of exact (the polynomial of
// buildExpF32Split; e^(t_lo) = 1 + t_lo for |t_lo| <= 2^-17), so the sum
// too; rounding e to f32 costs 0.5 ULP, the normalization 0.5 more: softmax
// is within about 1.2 ULP of exact, log_softmax within 0.5 ULP plus the
// rounding of x - c_hi where the two are not within a factor two
// (Sterbenz), 1.2 ULP in all. The tests hold both to 2 ULP of the
// interpreter.
//
// Every element of a row goes through the same vector code, and the
// vector reductions have a fixed order, so results do not depend on the
// row's position or on the thread count.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"
#include "soma/Conversion/SomaToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

namespace {

/// Independent running maxima in the first pass over a row.
constexpr int64_t kMaxAccumulators = 4;

/// log_softmax sums its terms exp(t)·2^64 (scaled exactly, undone in f64):
/// where one logit exceeds all others by more than 87, log(sum) is the sum
/// of the others' terms, and the result at the maximum is -log(sum), a
/// subnormal float. Unscaled, each of those terms would be rounded to the
/// subnormal grid in f32, and their sum lose all but its first bits (rows
/// of 257 measured 25 ULP off); scaled, they stay normal down to t = -131.
constexpr int64_t kSumScaleExponent = 64;

/// What a row's bounds tell of the exponents of the two terms of x - m.
/// Fast2Sum, three operations, gives the exact rounding error of a sum
/// when the exponent of its first term is at least the other's (Dekker);
/// TwoSum, six, for any terms.
enum class Difference {
  /// Any magnitudes: TwoSum.
  Any,
  /// m > 0 and |min| below 2^(e_m + 1), with e_m the exponent of m: every
  /// x of the row has an exponent at most m's (Fast2Sum of -m and x).
  MaxExponentLarger,
  /// m <= 0: every x <= m is at least as large in magnitude (Fast2Sum of
  /// x and -m).
  XExponentLarger,
};

/// Builds the passes of one softmax over rows of `rows` (a 2-D tensor) into
/// `out` (of the same shape).
class RowSoftmaxBuilder {
public:
  RowSoftmaxBuilder(ImplicitLocOpBuilder &b, Value rows, int64_t lanes,
                    bool logarithm, int64_t prefetchDistance,
                    int64_t nontemporalThreshold)
      : b(b), rows(rows), logarithm(logarithm),
        prefetchDistance(prefetchDistance),
        nontemporalThreshold(nontemporalThreshold),
        f32Type(VectorType::get({lanes}, b.getF32Type())),
        f64Type(VectorType::get({lanes}, b.getF64Type())),
        maskType(VectorType::get({lanes}, b.getI1Type())) {}

  /// The result tensor, `out` filled row by row.
  Value build(Value out) {
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    Value rowCount = tensor::DimOp::create(b, rows, 0);
    length = tensor::DimOp::create(b, rows, 1);
    if (prefetchDistance > 0) {
      // The row at least prefetchDistance f32 ahead (the next one for
      // long rows), clamped to the last.
      view = bufferView(b, b.getLoc(), rows);
      Value distance = arith::ConstantIndexOp::create(b, prefetchDistance);
      // (Rows of no element divide by 1.)
      rowsAhead = arith::CeilDivUIOp::create(
          b, distance, arith::MaxUIOp::create(b, length, one));
      lastRow = arith::SubIOp::create(b, rowCount, one);
    }
    if (nontemporalThreshold > 0) {
      StreamingOutput output = streamingOutput(
          b, out, arith::MulIOp::create(b, rowCount, length),
          nontemporalThreshold);
      outAddress = output.address;
      streams = output.streams;
    }
    step = arith::ConstantIndexOp::create(b, f32Type.getNumElements());
    whole = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, length, step), step);
    // Each iteration carries the maximum and minimum of its row, found by
    // the one before (step 1 of the header), and softmax's exponentials of
    // its row (step 2), in a row of their own: the output is written once,
    // by step 4, which may then stream it.
    SmallVector<Value> init = {out};
    llvm::append_range(init, boundsIfRow(b, zero, rowCount));
    if (!logarithm)
      init.push_back(createEmpty(b, b.getLoc(),
                                 {tensor::getMixedSize(b, b.getLoc(), rows, 1)}));
    return scf::ForOp::create(
               b, zero, rowCount, one, init,
               [&](OpBuilder &nested, Location loc, Value row,
                   ValueRange iter) {
                 ImplicitLocOpBuilder rb(loc, nested);
                 scf::YieldOp::create(
                     rb, buildRow(rb, row, rowCount, iter[0], iter[1], iter[2],
                                  logarithm ? Value() : iter[3]));
               })
        .getResult(0);
  }

private:
  /// A value carried through the loops of one pass over a row.
  using Carried = SmallVector<Value>;
  /// The body of a pass at column `column`: `mask` is null for whole
  /// vectors, the lanes inside the row for the last one.
  using PassBody = function_ref<Carried(ImplicitLocOpBuilder &, Value column,
                                        Value mask, ValueRange carried)>;

  /// A loop of `body` over the columns [from, to) of a row, by vectors,
  /// masked to the columns before `maskEnd` unless that is null; with
  /// `nontemporal`, marked for soma-nontemporal-stores.
  Carried columnLoop(ImplicitLocOpBuilder &rb, Value from, Value to,
                     Value maskEnd, ValueRange init, PassBody body,
                     bool nontemporal = false) {
    auto forOp = scf::ForOp::create(
        rb, from, to, step, init,
        [&](OpBuilder &nested, Location loc, Value column, ValueRange iter) {
          ImplicitLocOpBuilder lb(loc, nested);
          Value mask;
          if (maskEnd)
            mask = vector::CreateMaskOp::create(
                lb, maskType,
                ValueRange{arith::SubIOp::create(lb, maskEnd, column)});
          scf::YieldOp::create(lb, body(lb, column, mask, iter));
        });
    if (nontemporal)
      forOp->setAttr(kNontemporalStoresAttrName, rb.getUnitAttr());
    return Carried(forOp.getResults().begin(), forOp.getResults().end());
  }

  /// One pass over a row from column `from` (0 if null): whole vectors,
  /// then the masked rest.
  Carried pass(ImplicitLocOpBuilder &rb, ValueRange init, PassBody body,
               Value from = {}) {
    Value zero = from ? from : arith::ConstantIndexOp::create(rb, 0);
    Carried carried = columnLoop(rb, zero, whole, /*maskEnd=*/{}, init, body);
    return columnLoop(rb, whole, length, length, carried, body);
  }

  /// The first stage of a pass's body at `column` (`mask` as for PassBody),
  /// and the second, given the first's values: body = finish(start).
  using StartBody = function_ref<SmallVector<Value>(
      ImplicitLocOpBuilder &, Value column, Value mask)>;
  using FinishBody =
      function_ref<Carried(ImplicitLocOpBuilder &, Value column, Value mask,
                           ValueRange carried, ValueRange started)>;

  /// A pass over a whole row whose body comes in two stages: its whole
  /// vectors software-pipelined as the activation loops' are
  /// (buildPipelinedSteps), then the masked rest in one piece. The same
  /// operations per element as `pass` of finish(start), so the same bits;
  /// a long chain of dependent operations per element (exp's) no longer
  /// leaves the out-of-order window short of independent work.
  Carried stagedPass(ImplicitLocOpBuilder &rb, ValueRange init,
                     StartBody start, FinishBody finish) {
    Carried carried = buildPipelinedSteps(
        rb, arith::ConstantIndexOp::create(rb, 0), whole, step, init,
        [&](ImplicitLocOpBuilder &sb, Value column) {
          return start(sb, column, {});
        },
        [&](ImplicitLocOpBuilder &sb, Value column, ValueRange carried,
            ValueRange started) {
          return finish(sb, column, {}, carried, started);
        });
    return columnLoop(rb, whole, length, length, carried,
                      [&](ImplicitLocOpBuilder &lb, Value column, Value mask,
                          ValueRange iter) {
                        return finish(lb, column, mask, iter,
                                      start(lb, column, mask));
                      });
  }

  /// The vector of `source` (rows, or a row of its own) at `indices`,
  /// `padding` past the row's end.
  Value read(ImplicitLocOpBuilder &lb, Value source, ValueRange indices,
             Value mask, Value padding) {
    return vector::TransferReadOp::create(lb, f32Type, source, indices,
                                          padding, ArrayRef<bool>{!mask});
  }

  Value write(ImplicitLocOpBuilder &lb, Value value, Value dest,
              ValueRange indices, Value mask) {
    return vector::TransferWriteOp::create(lb, value, dest, indices,
                                           ArrayRef<bool>{!mask})
        .getResult();
  }

  Value splat(ImplicitLocOpBuilder &lb, VectorType type, Value scalar) {
    return vector::BroadcastOp::create(lb, type, scalar);
  }

  Value f32Constant(ImplicitLocOpBuilder &lb, float value) {
    return arith::ConstantOp::create(lb, lb.getF32FloatAttr(value));
  }

  /// x - m = hi + lo exactly, hi = x - m rounded: by Knuth's TwoSum for
  /// any magnitudes, or by Fast2Sum in three operations fewer where the
  /// row's bounds show which of the two terms has the larger exponent.
  /// Where hi is -inf (x = -inf, or an overflowing difference, only
  /// outside ExpDomain::Normal) lo would be NaN and is -FLT_MAX instead,
  /// by one ordered compare (a vmaxps): finite, so that e^hi = 0
  /// multiplies it away and -inf absorbs it. NaN in hi stays.
  std::pair<Value, Value> shifted(ImplicitLocOpBuilder &lb, Value x,
                                  Value negMax, ExpDomain domain,
                                  Difference difference) {
    Value hi = arith::AddFOp::create(lb, x, negMax);
    Value lo;
    switch (difference) {
    case Difference::MaxExponentLarger:
      lo = arith::SubFOp::create(lb, x, arith::SubFOp::create(lb, hi, negMax));
      break;
    case Difference::XExponentLarger:
      lo = arith::SubFOp::create(lb, negMax, arith::SubFOp::create(lb, hi, x));
      break;
    case Difference::Any: {
      Value fromMax = arith::SubFOp::create(lb, hi, x);
      Value fromX = arith::SubFOp::create(lb, hi, fromMax);
      lo = arith::AddFOp::create(lb, arith::SubFOp::create(lb, x, fromX),
                                 arith::SubFOp::create(lb, negMax, fromMax));
      break;
    }
    }
    // In the normal domain hi is finite, and so lo.
    if (domain == ExpDomain::Normal)
      return {hi, lo};
    Value lowest = splat(
        lb, f32Type, f32Constant(lb, std::numeric_limits<float>::lowest()));
    Value ordered =
        arith::CmpFOp::create(lb, arith::CmpFPredicate::OGT, lo, lowest);
    return {hi, arith::SelectOp::create(lb, ordered, lo, lowest)};
  }

  /// An f64 scalar as an f32 head and tail, splat to vectors.
  std::pair<Value, Value> splitToF32(ImplicitLocOpBuilder &rb, Value wide) {
    Value hi = truncateToF32(rb, wide);
    Value lo = truncateToF32(
        rb, arith::SubFOp::create(rb, wide, extendToF64(rb, hi)));
    return {splat(rb, f32Type, hi), splat(rb, f32Type, lo)};
  }

  /// The larger of `acc` and `x` by an ordered compare (one vmaxps): a
  /// NaN x leaves `acc`. A NaN in the row is not lost by that: its term
  /// makes the sum NaN, and so every result of the row.
  Value larger(ImplicitLocOpBuilder &lb, Value acc, Value x) {
    Value greater =
        arith::CmpFOp::create(lb, arith::CmpFPredicate::OGT, x, acc);
    return arith::SelectOp::create(lb, greater, x, acc);
  }

  /// The smaller of `acc` and `x` in the same way (one vminps).
  Value smaller(ImplicitLocOpBuilder &lb, Value acc, Value x) {
    Value less = arith::CmpFOp::create(lb, arith::CmpFPredicate::OLT, x, acc);
    return arith::SelectOp::create(lb, less, x, acc);
  }

  /// The row's maximum and minimum, NaN ignored (-inf and +inf for a row of
  /// NaN). Whole groups of kMaxAccumulators vectors first, one accumulator
  /// of each kind each, so that the chains of maxima do not bound the
  /// loop; then the rest of the row.
  SmallVector<Value> rowBounds(ImplicitLocOpBuilder &rb, Value row) {
    const float inf = std::numeric_limits<float>::infinity();
    Value negInf = f32Constant(rb, -inf);
    Value posInf = f32Constant(rb, inf);
    Value groupStep = arith::ConstantIndexOp::create(
        rb, f32Type.getNumElements() * kMaxAccumulators);
    Value grouped = arith::MulIOp::create(
        rb, arith::DivUIOp::create(rb, length, groupStep), groupStep);
    SmallVector<Value> init(kMaxAccumulators, splat(rb, f32Type, negInf));
    init.append(kMaxAccumulators, splat(rb, f32Type, posInf));
    auto groups = scf::ForOp::create(
        rb, arith::ConstantIndexOp::create(rb, 0), grouped, groupStep, init,
        [&](OpBuilder &nested, Location loc, Value column, ValueRange iter) {
          ImplicitLocOpBuilder lb(loc, nested);
          SmallVector<Value> maxima, minima;
          for (int64_t k = 0; k < kMaxAccumulators; ++k) {
            Value at = arith::AddIOp::create(
                lb, column,
                arith::ConstantIndexOp::create(lb,
                                               k * f32Type.getNumElements()));
            Value x = read(lb, rows, {row, at}, {}, negInf);
            maxima.push_back(larger(lb, iter[k], x));
            minima.push_back(smaller(lb, iter[kMaxAccumulators + k], x));
          }
          llvm::append_range(maxima, minima);
          scf::YieldOp::create(lb, maxima);
        });
    Value highs = groups.getResult(0);
    Value lows = groups.getResult(kMaxAccumulators);
    for (int64_t k = 1; k < kMaxAccumulators; ++k) {
      highs = larger(rb, highs, groups.getResult(k));
      lows = smaller(rb, lows, groups.getResult(kMaxAccumulators + k));
    }
    // Lanes past the row read NaN, which both compares skip.
    Value nan = f32Constant(rb, std::numeric_limits<float>::quiet_NaN());
    Carried bounds = pass(
        rb, {highs, lows},
        [&](ImplicitLocOpBuilder &lb, Value column, Value mask,
            ValueRange carried) -> Carried {
          Value x = read(lb, rows, {row, column}, mask, nan);
          return {larger(lb, carried[0], x), smaller(lb, carried[1], x)};
        },
        grouped);
    // No lane holds a NaN (the compares skip them): the reductions may be
    // trees of vmaxps and vminps without NaN checks.
    return {vector::ReductionOp::create(rb, vector::CombiningKind::MAXNUMF,
                                        bounds[0], arith::FastMathFlags::nnan),
            vector::ReductionOp::create(rb, vector::CombiningKind::MINNUMF,
                                        bounds[1], arith::FastMathFlags::nnan)};
  }

  /// The sum of `lanes`' elements in a fixed pairwise order (halves added
  /// until one lane is left): a short dependency chain at the end of each
  /// pass, where the ordered reduction was a chain as long as the vector.
  Value treeSum(ImplicitLocOpBuilder &rb, Value lanes) {
    auto type = cast<VectorType>(lanes.getType());
    for (int64_t half = type.getNumElements() / 2; half >= 1; half /= 2) {
      Value low = vector::ExtractStridedSliceOp::create(
          rb, lanes, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{half},
          ArrayRef<int64_t>{1});
      Value high = vector::ExtractStridedSliceOp::create(
          rb, lanes, ArrayRef<int64_t>{half}, ArrayRef<int64_t>{half},
          ArrayRef<int64_t>{1});
      lanes = arith::AddFOp::create(rb, low, high);
    }
    return vector::ExtractOp::create(rb, lanes, ArrayRef<int64_t>{0});
  }

  /// The biased exponent of the f32 scalar `value`'s magnitude, as an i32
  /// (0 for zero and subnormals).
  Value exponentField(ImplicitLocOpBuilder &rb, Value value) {
    Value bits = arith::BitcastOp::create(rb, rb.getI32Type(), value);
    Value magnitude = arith::AndIOp::create(
        rb, bits,
        arith::ConstantOp::create(rb, rb.getI32IntegerAttr(0x7fffffff)));
    return arith::ShRUIOp::create(
        rb, magnitude, arith::ConstantOp::create(rb, rb.getI32IntegerAttr(23)));
  }

  /// The number of set lanes of `mask`, as an i32: its bits as one
  /// integer and a popcnt, scalar work beside the vector loop's.
  Value countLanes(ImplicitLocOpBuilder &lb, Value mask) {
    int64_t lanes = maskType.getNumElements();
    auto bitsType = VectorType::get({1}, lb.getIntegerType(lanes));
    Value bits = vector::ExtractOp::create(
        lb, vector::BitCastOp::create(lb, bitsType, mask),
        ArrayRef<int64_t>{0});
    Value wide = arith::ExtUIOp::create(lb, lb.getI32Type(), bits);
    return math::CtPopOp::create(lb, wide);
  }

  /// The values of an scf.if of `condition`: a branch, computing only
  /// the chosen side.
  using Side = function_ref<SmallVector<Value>(ImplicitLocOpBuilder &)>;
  SmallVector<Value> branch(ImplicitLocOpBuilder &rb, Value condition,
                            Side whenTrue, Side whenFalse) {
    auto side = [](Side values) {
      return [values](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder ib(loc, nested);
        scf::YieldOp::create(ib, values(ib));
      };
    };
    auto ifOp =
        scf::IfOp::create(rb, condition, side(whenTrue), side(whenFalse));
    return SmallVector<Value>(ifOp.getResults());
  }

  /// The maximum and minimum of row `row` if it is one of the `rowCount`,
  /// else -inf and +inf (no row read).
  SmallVector<Value> boundsIfRow(ImplicitLocOpBuilder &rb, Value row,
                                 Value rowCount) {
    Value exists =
        arith::CmpIOp::create(rb, arith::CmpIPredicate::ult, row, rowCount);
    return branch(
        rb, exists,
        [&](ImplicitLocOpBuilder &ib) { return rowBounds(ib, row); },
        [&](ImplicitLocOpBuilder &ib) -> SmallVector<Value> {
          const float inf = std::numeric_limits<float>::infinity();
          return {f32Constant(ib, -inf), f32Constant(ib, inf)};
        });
  }

  /// Writes `valueAt` (of a column and its mask, null for whole vectors) at
  /// every column of row `row` of `out`: as `pass` does, but when the
  /// output streams, the whole vectors from the row's first vector
  /// boundary on with non-temporal stores (one masked vector before it).
  /// The same value per element either way.
  Value writeRow(ImplicitLocOpBuilder &rb, Value row, Value out,
                 function_ref<Value(ImplicitLocOpBuilder &, Value column,
                                    Value mask)>
                     valueAt) {
    auto body = [&](ImplicitLocOpBuilder &lb, Value column, Value mask,
                    ValueRange carried) -> Carried {
      return {write(lb, valueAt(lb, column, mask), carried[0], {row, column},
                    mask)};
    };
    if (!streams)
      return pass(rb, {out}, body)[0];
    auto index = [&](int64_t value) {
      return arith::ConstantIndexOp::create(rb, value);
    };
    auto wholeVectorsFrom = [&](Value from) {
      Value left = arith::SubIOp::create(rb, length, from);
      return arith::AddIOp::create(
          rb, from,
          arith::MulIOp::create(rb, arith::DivUIOp::create(rb, left, step),
                                step));
    };
    // Below the threshold nothing streams: no head, an empty streaming
    // loop, and the rest as `pass` has it. `out` is this op's own
    // allocation, its rows `length` floats apart.
    Value rowAddress = arith::AddIOp::create(
        rb, outAddress,
        arith::MulIOp::create(rb, arith::MulIOp::create(rb, row, length),
                              index(4)));
    Value head = arith::SelectOp::create(
        rb, streams,
        arith::MinUIOp::create(
            rb, floatsToVectorBoundary(rb, rowAddress, f32Type.getNumElements()),
            length),
        index(0));
    Value streamEnd = arith::SelectOp::create(rb, streams,
                                              wholeVectorsFrom(head), head);
    Carried carried = columnLoop(rb, index(0), head, head, {out}, body);
    carried = columnLoop(rb, head, streamEnd, /*maskEnd=*/{}, carried, body,
                         /*nontemporal=*/true);
    Value wholeEnd = wholeVectorsFrom(streamEnd);
    carried = columnLoop(rb, streamEnd, wholeEnd, /*maskEnd=*/{}, carried,
                         body);
    return columnLoop(rb, wholeEnd, length, length, carried, body)[0];
  }

  /// Step 2 of row `row`, whose maximum is `max` and minimum `min`: the
  /// exponentials' sums per lane (a head and the rest), then softmax's
  /// exponentials, written to `exponentials`, or log_softmax's count of
  /// maxima.
  Carried exponentialSums(ImplicitLocOpBuilder &rb, Value row, Value max,
                          Value min, Value exponentials) {
    Value negMaxScalar = arith::NegFOp::create(rb, max);
    Value negMax = splat(rb, f32Type, negMaxScalar);

    // Lanes past the row add 0. log_softmax sums apart the terms of the maxima
    // (t = 0, e = 1 exactly) and counts them: log(sum) is then log1p of the sum
    // without one of them, which keeps its accuracy where that term dominates
    // (sum near 1, log(sum) then the whole result at the maximum).
    Value zero32 = f32Constant(rb, 0.0f);
    Value zeros32 = splat(rb, f32Type, zero32);
    // Carried: each lane's sum as a head and the f32 sum of the rest, then
    // softmax's exponentials or log_softmax's count.
    // - softmax: an f32 head that starts at 1, the largest term (e <= 1),
    //   so that Fast2Sum gives each addition's rounding error exactly; the
    //   rest sums those errors and the terms' tails. The sum is at least 1
    //   (the maximum's term), and the rest's own rounding stays below
    //   2^-40 of it for rows of up to 2^16.
    // - log_softmax: an f64 head; the rest sums the tails (below 2^-23 of
    //   their heads). Its sum without the maxima may be tiny, and an f32
    //   rest of heads' errors would lose it (rows dominated by more than
    //   87 measured 2 ULP off at the maximum where f64 heads give 1).
    const int64_t scale = logarithm ? kSumScaleExponent : 0;
    Value ones = splat(rb, f32Type, f32Constant(rb, 1.0f));
    Value zeros64 = arith::ConstantOp::create(
        rb, DenseElementsAttr::get(f64Type, rb.getF64FloatAttr(0.0)));
    Carried init = {logarithm ? zeros64 : ones, zeros32,
                    logarithm ? arith::ConstantOp::create(
                                    rb, rb.getI32IntegerAttr(0))
                              : exponentials};
    // The prefetches of a later row go here, one per vector, spread over
    // this pass's computation: issued in a burst by the (load-bound) max
    // pass they measured no faster than none (softmax over 16M floats
    // 1.07 ns per element either way; 0.74 from here).
    Value aheadRow;
    if (prefetchDistance > 0)
      aheadRow = arith::MinUIOp::create(
          rb, arith::AddIOp::create(rb, row, rowsAhead), lastRow);
    // First stage: x - m and exp's reduction and polynomial, for t in
    // `domain`.
    auto startIn = [&](ExpDomain domain, Difference difference) {
      return [&, domain, difference](ImplicitLocOpBuilder &lb, Value column,
                                     Value mask) -> SmallVector<Value> {
        if (aheadRow && !mask)
          memref::PrefetchOp::create(lb, view, ValueRange{aheadRow, column},
                                     /*isWrite=*/false, /*localityHint=*/3,
                                     /*isDataCache=*/true);
        Value x = read(lb, rows, {row, column}, mask, zero32);
        auto [tHi, tLo] = shifted(lb, x, negMax, domain, difference);
        SmallVector<Value> started = {tHi, tLo};
        llvm::append_range(started,
                           buildExpF32SplitStart(lb, tHi, scale, domain));
        return started;
      };
    };
    auto finishIn = [&](ExpDomain domain) {
      return [&, domain](ImplicitLocOpBuilder &lb, Value column, Value mask,
                         ValueRange carried, ValueRange started) -> Carried {
        Value tHi = started[0], tLo = started[1];
        auto [eHi, eLo] =
            buildExpF32SplitFinish(lb, started.drop_front(2), domain);
        // e^(t_hi + t_lo) = e^(t_hi)·(1 + t_lo).
        eLo = LLVM::FMAOp::create(lb, eHi, tLo, eLo);
        Value hiTerm = eHi, loTerm = eLo;
        if (mask) {
          hiTerm = arith::SelectOp::create(lb, mask, hiTerm, zeros32);
          loTerm = arith::SelectOp::create(lb, mask, loTerm, zeros32);
        }
        if (logarithm) {
          Value isMax = arith::CmpFOp::create(lb, arith::CmpFPredicate::OEQ,
                                              tHi, zeros32);
          if (mask)
            isMax = arith::AndIOp::create(lb, isMax, mask);
          // (At t = 0 the tail is 0.)
          hiTerm = arith::SelectOp::create(lb, isMax, zeros32, hiTerm);
          return {
              arith::AddFOp::create(lb, carried[0], extendToF64(lb, hiTerm)),
              arith::AddFOp::create(lb, carried[1], loTerm),
              arith::AddIOp::create(lb, carried[2], countLanes(lb, isMax))};
        }
        Value head = arith::AddFOp::create(lb, carried[0], hiTerm);
        Value lost = arith::AddFOp::create(
            lb, arith::SubFOp::create(lb, carried[0], head), hiTerm);
        Value rest = arith::AddFOp::create(
            lb, carried[1], arith::AddFOp::create(lb, lost, loTerm));
        return {head, rest,
                write(lb, arith::AddFOp::create(lb, eHi, eLo), carried[2],
                      {column}, mask)};
      };
    };
    // A row whose every t lies in ExpDomain::Normal takes the pass without
    // the clamps and vscalefps, the same bits: t_hi = x - max rounded is
    // least at the row's minimum, computed by the same addition. A row of
    // NaN (bounds +inf and -inf) takes it too, and gives NaN either way.
    Value lowest = arith::AddFOp::create(rb, min, negMaxScalar);
    Value normal =
        arith::CmpFOp::create(rb, arith::CmpFPredicate::OGE, lowest,
                              f32Constant(rb, normalExpFloor(scale)));
    auto normalFinish = finishIn(ExpDomain::Normal);
    auto anyFinish = finishIn(ExpDomain::Any);
    auto normalPass = [&](Difference difference) {
      return [&, difference](ImplicitLocOpBuilder &ib) {
        return stagedPass(ib, init, startIn(ExpDomain::Normal, difference),
                          normalFinish);
      };
    };
    auto anyPass = [&](ImplicitLocOpBuilder &ib) {
      return stagedPass(ib, init, startIn(ExpDomain::Any, Difference::Any),
                        anyFinish);
    };
    if (logarithm)
      return branch(rb, normal, normalPass(Difference::Any), anyPass);
    // softmax's normal domain: x - m = t_hi + t_lo by Fast2Sum where the
    // bounds order the terms' exponents (the same t_hi and t_lo as
    // TwoSum's, both exact), three operations fewer per vector, 3-4% less
    // time over rows of 1024 in [-8, 8) (log_softmax's measured the same
    // with them as without). A NaN row (m = -inf) counts as m <= 0, and
    // gives NaN either way.
    Value maxPositive = arith::CmpFOp::create(rb, arith::CmpFPredicate::OGT,
                                              max, f32Constant(rb, 0.0f));
    Value maxExponentLarger = arith::AndIOp::create(
        rb, maxPositive,
        arith::CmpIOp::create(rb, arith::CmpIPredicate::ule,
                              exponentField(rb, min), exponentField(rb, max)));
    // (max is never NaN: the first pass's compares skip NaN.)
    Value maxNotPositive = arith::CmpFOp::create(rb, arith::CmpFPredicate::ULE,
                                                 max, f32Constant(rb, 0.0f));
    auto xFirstOrAny = [&](ImplicitLocOpBuilder &ib) {
      return branch(ib, maxNotPositive, normalPass(Difference::XExponentLarger),
                    normalPass(Difference::Any));
    };
    auto normalPasses = [&](ImplicitLocOpBuilder &ib) {
      return branch(ib, maxExponentLarger,
                    normalPass(Difference::MaxExponentLarger), xFirstOrAny);
    };
    return branch(rb, normal, normalPasses, anyPass);
  }

  /// Steps 2 to 4 of row `row`, whose maximum is `max` and minimum `min`,
  /// into `out`, and step 1 of the next row: {out, the next row's maximum
  /// and minimum}, then for softmax `exponentials`, the row its step 2
  /// writes and step 4 reads.
  SmallVector<Value> buildRow(ImplicitLocOpBuilder &rb, Value row,
                              Value rowCount, Value out, Value max, Value min,
                              Value exponentials) {
    // 2. The exponentials and their sum.
    Carried summed = exponentialSums(rb, row, max, min, exponentials);
    // The sum (times 2^scale) in f64: the heads (less softmax's starts,
    // exactly), plus the rest.
    Value heads = summed[0];
    if (!logarithm)
      heads = arith::SubFOp::create(
          rb, extendToF64(rb, heads),
          arith::ConstantOp::create(
              rb, DenseElementsAttr::get(f64Type, rb.getF64FloatAttr(1.0))));
    Value sum = arith::AddFOp::create(
        rb, treeSum(rb, heads), extendToF64(rb, treeSum(rb, summed[1])));

    // 3. The row's scalars, a chain of dependent f64 operations: softmax's
    // 1/sum, log_softmax's c = max + log(sum), each as a head and tail.
    Value hi, lo;
    std::tie(hi, lo) =
        logarithm ? logSoftmaxShift(rb, max, sum, summed[2])
                  : splitToF32(rb, arith::DivFOp::create(
                                       rb, f64Constant(rb, 1.0), sum));
    // The next row's bounds, whose loads do not wait for them.
    Value nextRow =
        arith::AddIOp::create(rb, row, arith::ConstantIndexOp::create(rb, 1));
    SmallVector<Value> nextBounds = boundsIfRow(rb, nextRow, rowCount);
    // 4. softmax scales the exponentials of step 2; log_softmax shifts the
    // input.
    Value zero32 = f32Constant(rb, 0.0f);
    Value result = writeRow(
        rb, row, out,
        [&](ImplicitLocOpBuilder &lb, Value column, Value mask) -> Value {
          if (logarithm) {
            Value x = read(lb, rows, {row, column}, mask, zero32);
            return arith::SubFOp::create(lb, arith::SubFOp::create(lb, x, hi),
                                         lo);
          }
          Value e = read(lb, summed[2], {column}, mask, zero32);
          return LLVM::FMAOp::create(lb, e, hi,
                                     arith::MulFOp::create(lb, e, lo));
        });
    SmallVector<Value> next = {result};
    llvm::append_range(next, nextBounds);
    if (!logarithm)
      next.push_back(summed[2]);
    return next;
  }

  /// log_softmax's step 3: c = max + log(sum) as a head and tail splat to
  /// vectors, for step 4's y = (x - c_hi) - c_lo. `sum` (times
  /// 2^kSumScaleExponent) is that of the exponentials but the maxima's,
  /// `maxima` (an i32) their count.
  std::pair<Value, Value> logSoftmaxShift(ImplicitLocOpBuilder &rb, Value max,
                                          Value sum, Value maxima) {
    // u = the sum without one maximum's term: log1p(u) below 1 (where
    // buildLog1p works), log(1 + u) above. A NaN or infinite row has no
    // t = 0 (count 0, u = sum - 1 or NaN).
    Value count = arith::UIToFPOp::create(rb, rb.getF64Type(), maxima);
    Value one = f64Constant(rb, 1.0);
    Value unscaled = arith::MulFOp::create(
        rb, sum, f64Constant(rb, std::ldexp(1.0, -kSumScaleExponent)));
    Value u = arith::AddFOp::create(rb, unscaled,
                                    arith::SubFOp::create(rb, count, one));
    // A branch, not a select: once per row, only one of the two is worth
    // its chain of dependent f64 operations.
    Value small = arith::CmpFOp::create(rb, arith::CmpFPredicate::OLT, u, one);
    Value logSum = branch(
        rb, small,
        [&](ImplicitLocOpBuilder &ib) -> SmallVector<Value> {
          return {buildLog1p(ib, u)};
        },
        [&](ImplicitLocOpBuilder &ib) -> SmallVector<Value> {
          return {buildLog(ib, arith::AddFOp::create(ib, u, one))};
        })[0];
    // y = x - (max + log(sum)) = (x - c_hi) - c_lo with c_hi = max +
    // log(sum) rounded to f32 and c_lo = (max - c_hi) + log(sum) in f64 (so
    // that a log(sum) far below max's last bit, the whole result at the
    // maximum, is kept), once per row. Only x - c_hi rounds before the last
    // rounding, and not where the two are within a factor two.
    Value wideMax = extendToF64(rb, max);
    Value cHi = truncateToF32(rb, arith::AddFOp::create(rb, wideMax, logSum));
    Value cLo = truncateToF32(
        rb, arith::AddFOp::create(
                rb, arith::SubFOp::create(rb, wideMax, extendToF64(rb, cHi)),
                logSum));
    return {splat(rb, f32Type, cHi), splat(rb, f32Type, cLo)};
  }

  ImplicitLocOpBuilder &b;
  Value rows;
  bool logarithm;
  int64_t prefetchDistance;
  int64_t nontemporalThreshold;
  VectorType f32Type, f64Type, maskType;
  Value length, step, whole;
  // For the prefetches of the first pass: the rows' buffer, how many rows
  // ahead, and the last row.
  Value view, rowsAhead, lastRow;
  // Where the output streams (nontemporalThreshold > 0): its address, and
  // whether it does (large enough, floats aligned).
  Value outAddress, streams;
};

} // namespace

Value soma::lowering::buildRowSoftmax(OpBuilder &builder, Location loc,
                                      Value input, bool logarithm,
                                      int64_t vectorLanes,
                                      int64_t prefetchDistance,
                                      int64_t nontemporalThreshold) {
  ImplicitLocOpBuilder b(loc, builder);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, input);
  // The destination in the input's shape, reshaped as the input is (so that
  // once bufferized the loops write the allocation itself).
  SmallVector<ReassociationIndices> groups;
  Value rows = collapseToRows(b, loc, input, groups);
  // A streaming output's address is read from its buffer, which must then
  // be this op's own (see buildVectorLoop in Activations.cpp).
  Value destination =
      nontemporalThreshold > 0
          ? bufferization::AllocTensorOp::create(
                b, cast<RankedTensorType>(input.getType()),
                tensor::createDynamicDimValues(b, loc, input))
                .getResult()
          : createEmpty(b, loc, sizes);
  Value out = collapseToRows(b, loc, destination, groups);
  Value result = RowSoftmaxBuilder(b, rows, vectorLanes, logarithm,
                                   prefetchDistance, nontemporalThreshold)
                     .build(out);
  return expandFromRows(b, loc, result,
                        cast<RankedTensorType>(input.getType()), groups, sizes);
}
