//===- Activations.cpp - Element-wise activations to linalg.generic -------===//
//
// Each activation becomes a vector loop (or, without vectors, one
// all-parallel linalg.generic) of its element body. sigmoid, log_sigmoid,
// silu, tanh and softplus (beta 1) compute in f32 alone, carrying heads and
// tails where a rounding would cost accuracy (ApproxMath.cpp), within 2 ULP
// of the correctly rounded result (on AVX-512, tanh, softplus and
// log_sigmoid from polynomials on intervals, TanhByIntervals.cpp and
// SoftplusByIntervals.cpp); hard_sigmoid (slope 1/6) is two fmas
// and two clamps, hard_swish a line, a product and an fma. softplus with
// other betas and the other slopes of hard_sigmoid compute in f64 and
// round to f32 once: their exp, expm1 and log1p are Soma's own
// (ApproxMath.h), within 2^-44 relative of exact and built from arith ops,
// so the loops vectorize and call no libm; each formula below avoids
// cancellation and overflow, so the f64 result is within 2^-40 of exact
// and its f32 rounding within 0.5 + 2^-16 ULP. Every form gives the
// reference interpreter's NaN, infinity and signed-zero results.
// Piecewise-linear activations whose f32 result is bit-identical stay in
// f32.
//
// Every body works on an f32 element and on a vector of them alike.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "soma/Conversion/SomaToLinalg.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>
#include <optional>

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

//===----------------------------------------------------------------------===//
// Scalar bodies: one overload per op, taking the f32 element (or a vector of
// them)
//===----------------------------------------------------------------------===//

static Value buildScalar(ImplicitLocOpBuilder &b, SigmoidOp, Value x) {
  // In f32 alone (ApproxMath.cpp): about four times faster than the f64
  // form, and within 2 ULP over every input.
  return buildSigmoidF32(b, x);
}

/// log_sigmoid in f32 alone: on AVX-512 from 31 polynomials whose
/// coefficients its permute selects (SoftplusByIntervals.cpp), elsewhere
/// from exp and log1p (ApproxMath.cpp).
static Value buildLogSigmoid(ImplicitLocOpBuilder &b, Value x,
                             int64_t targetLanes) {
  if (targetLanes == 16)
    return buildLogSigmoidByIntervalsF32(b, x);
  return buildLogSigmoidF32(b, x);
}

/// c·(x + 3) rounded once, the line of hard_sigmoid and hard_swish: with
/// c = 0x1.555554p-3 = (1 - 2^-24)/6 exactly and 3c an f32, it is one fma
/// x·c + 3c, exactly 0 at x = -3, and 2^-24 below (x + 3)/6 relative.
static Value lineThroughMinusThree(ImplicitLocOpBuilder &b, Value x) {
  float slope = 0x1.555554p-3f;
  return LLVM::FMAOp::create(b, x, constant(b, slope, x),
                             constant(b, 3.0f * slope, x));
}

/// y + y·2^-24 in one fma: takes the line's 2^-24 back out but for 2^-48.
static Value withoutLineBias(ImplicitLocOpBuilder &b, Value y) {
  return LLVM::FMAOp::create(b, y, constant(b, 0x1p-24, y), y);
}

/// PyTorch's hard_sigmoid on its own, in f32 within 1 ULP (exhaustive
/// sweep) in four vector instructions: the line, rounded once, and its
/// bias taken out, rounded once more. x is clamped below at -3 (the line
/// is then exactly 0); from x = 3 on the line rounds to 1 or more and is
/// clamped to 1 (at x = 3, 1 - 2^-24 becomes 1). Both clamps keep NaN;
/// +inf reaches the upper one.
static Value hardSigmoidF32(ImplicitLocOpBuilder &b, Value x) {
  Value low = constant(b, -3.0, x);
  Value below = arith::CmpFOp::create(b, CmpFPredicate::OLT, x, low);
  Value clamped = arith::SelectOp::create(b, below, low, x);
  Value line = withoutLineBias(b, lineThroughMinusThree(b, clamped));
  Value one = constant(b, 1.0, x);
  Value above = arith::CmpFOp::create(b, CmpFPredicate::OLT, one, line);
  return arith::SelectOp::create(b, above, one, line);
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSigmoidOp op, Value x) {
  float alpha = op.getAlpha().convertToFloat();
  float beta = op.getBeta().convertToFloat();
  if (alpha == 1.0f / 6.0f && beta == 0.5f)
    return hardSigmoidF32(b, x);
  // Other slopes (ONNX's 0.2) in f64. PyTorch's slope is exactly 1/6; its
  // f32 attribute stands for that.
  double slope = alpha == 1.0f / 6.0f ? 1.0 / 6.0 : alpha;
  double offset = beta;
  return inF64(b, x, [&](Value v) {
    Value scaled = arith::MulFOp::create(b, constant(b, slope, v), v);
    Value line = arith::AddFOp::create(b, scaled, constant(b, offset, v));
    Value lo = constant(b, 0.0, v), hi = constant(b, 1.0, v);
    return clampKeepNaN(b, line, lo, hi);
  });
}

static Value buildScalar(ImplicitLocOpBuilder &b, SiluOp, Value x) {
  // In f32 alone, from sigmoid's pieces (ApproxMath.cpp).
  return buildSiluF32(b, x);
}

static Value buildScalar(ImplicitLocOpBuilder &b, HardSwishOp, Value x) {
  // x·relu6(x + 3)/6 in three roundings, within 1.5 ULP (exhaustive sweep),
  // in four vector instructions with AVX-512 (five without): t =
  // hard_sigmoid's line for x clamped to [-3, 3] (one vrangeps:
  // soma-symmetric-clamp-to-range), p = x·t, and p's bias taken out. At or
  // below -3, t is exactly 0 and the result x·0: the interpreter's -0 (NaN
  // for -inf).
  // From 3 on t is 1 - 2^-24 and the result x to within 1 ULP (x itself
  // but for 126 inputs; +inf stays). The clamps keep NaN.
  Value clamped =
      clampKeepNaN(b, x, constant(b, -3.0, x), constant(b, 3.0, x));
  Value p = arith::MulFOp::create(b, x, lineThroughMinusThree(b, clamped));
  return withoutLineBias(b, p);
}

/// tanh in f32 alone: on AVX-512 from 29 polynomials whose coefficients
/// its permute selects (TanhByIntervals.cpp), 1.6 times as fast as the
/// exponential form of other targets (ApproxMath.cpp), which lack a
/// 32-entry permute.
static Value buildTanh(ImplicitLocOpBuilder &b, Value x, int64_t targetLanes) {
  if (targetLanes == 16)
    return buildTanhByIntervalsF32(b, x);
  return buildTanhF32(b, x);
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

static Value buildSoftplus(ImplicitLocOpBuilder &b, SoftplusOp op, Value x,
                           int64_t targetLanes) {
  double beta = op.getBeta().convertToFloat();
  double threshold = op.getThreshold().convertToFloat();
  // PyTorch's default beta 1 in f32 alone, as log_sigmoid (on AVX-512
  // SoftplusByIntervals.cpp, elsewhere ApproxMath.cpp); other betas scale
  // x first, which in f32 would round, so they compute in f64.
  if (beta == 1.0 && targetLanes == 16)
    return buildSoftplusByIntervalsF32(b, x, threshold);
  if (beta == 1.0)
    return buildSoftplusF32(b, x, threshold);
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

/// Whether `activation`'s body divides by AVX-512's reciprocal estimate on
/// 16-lane vectors (reciprocalOfSplit, ApproxMath.cpp), which gives bits
/// that differ from the division's of narrower ones.
static bool usesReciprocalEstimate(Operation *activation) {
  return isa<SigmoidOp, SiluOp>(activation);
}

Value soma::lowering::buildActivationScalar(ImplicitLocOpBuilder &b,
                                            Operation *activation, Value x,
                                            int64_t targetLanes) {
  if (targetLanes == 16 && usesReciprocalEstimate(activation))
    return onLanes(b, x, targetLanes, [&](Value wide) {
      return buildActivationScalar(b, activation, wide, /*targetLanes=*/0);
    });
  return llvm::TypeSwitch<Operation *, Value>(activation)
      .Case<TanhOp>([&](TanhOp) { return buildTanh(b, x, targetLanes); })
      .Case<LogSigmoidOp>(
          [&](LogSigmoidOp) { return buildLogSigmoid(b, x, targetLanes); })
      .Case<SoftplusOp>([&](SoftplusOp op) {
        return buildSoftplus(b, op, x, targetLanes);
      })
      .Case<SigmoidOp, HardSigmoidOp, SiluOp, HardSwishOp, ReluOp,
            LeakyReluOp, ThresholdOp>(
          [&](auto op) { return buildScalar(b, op, x); });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Vectors of `lanes` f32 per step of the activation loops: enough
/// independent work to hide the latency of the long f32 and f64 bodies.
/// Four rather than two measured 3-7% faster for softplus and log_sigmoid
/// (4096 to 262144 floats) and 5% for sigmoid at 4096, and the same for
/// the short bodies (hard_sigmoid, hard_swish, tanh) and at 16M floats.
static constexpr int64_t kVectorsPerStep = 4;

/// The vectors per step of `activation`'s loop on `lanes` lanes: eight for
/// silu on AVX-512, whose central steps (the first stage of every vector
/// before the second of any) measured 13-15% faster with eight than with
/// four (4096 and 262144 floats, in [-8, 8) and in [-30, 30)), where
/// sigmoid's measured 3-6% slower; kVectorsPerStep for the others.
static int64_t vectorsPerStep(Operation *activation, int64_t lanes) {
  return isa<SiluOp>(activation) && lanes == 16 ? 2 * kVectorsPerStep
                                                : kVectorsPerStep;
}

/// A prefetch into all cache levels of the line of `view` at `at` plus
/// `distance`, which the caller keeps inside `view`.
static void prefetchAhead(ImplicitLocOpBuilder &b, Value view, Value at,
                          int64_t distance) {
  Value ahead = arith::AddIOp::create(
      b, at, arith::ConstantIndexOp::create(b, distance));
  memref::PrefetchOp::create(b, view, ValueRange{ahead}, /*isWrite=*/false,
                             /*localityHint=*/3, /*isDataCache=*/true);
}

/// An element body in two stages, `finish(start(x))`, for the vector loops
/// to overlap one step's second stage with the next step's first: a long
/// chain of dependent operations per element (sigmoid's) otherwise leaves
/// the out-of-order window short of independent work.
struct StagedBody {
  std::function<SmallVector<Value>(ImplicitLocOpBuilder &, Value)> start;
  std::function<Value(ImplicitLocOpBuilder &, ValueRange)> finish;
};

/// The staged form of `activation`'s body on vectors of `vectorLanes`, if
/// it has one. (softplus and log_sigmoid on AVX-512 are short enough
/// without.)
static std::optional<StagedBody> stagedBody(Operation *activation,
                                            int64_t vectorLanes) {
  if (isa<SigmoidOp>(activation))
    return StagedBody{buildSigmoidF32Start, buildSigmoidF32Finish};
  if (isa<SiluOp>(activation))
    return StagedBody{buildSiluF32Start, buildSiluF32Finish};
  if (vectorLanes == 16)
    return std::nullopt;
  if (isa<LogSigmoidOp>(activation))
    return StagedBody{buildLogSigmoidF32Start, buildLogSigmoidF32Finish};
  if (auto softplus = dyn_cast<SoftplusOp>(activation);
      softplus && softplus.getBeta().convertToFloat() == 1.0f) {
    float threshold = softplus.getThreshold().convertToFloat();
    return StagedBody{buildSoftplusF32Start,
                      [threshold](ImplicitLocOpBuilder &b, ValueRange start) {
                        return buildSoftplusF32Finish(b, start, threshold);
                      }};
  }
  return std::nullopt;
}

/// A cheaper element body that gives the same bits on the lanes it covers,
/// for the vector loops to take when every lane of a step lies there:
/// sigmoid's and silu's for |x| <= 16 (buildSigmoidF32Central), where
/// activations mostly lie, and for |x| <= 64. One branch per step of
/// vectorsPerStep vectors keeps the central steps straight-line code.
struct CentralBody {
  /// The bound on |x| within which `body` applies.
  double range;
  /// The body in two stages, the first of every vector of a step built
  /// before the second of any: one vector's chain of dependent operations
  /// alone leaves the out-of-order window short of work (sigmoid's, vector
  /// after vector, 8% slower in a C loop of the same instructions: 0.142
  /// against 0.131 ns per element).
  StagedBody body;
};

/// The central forms of `activation`'s body on vectors of `vectorLanes`,
/// narrowest range first, if it has them (sigmoid and silu, which also have
/// staged general bodies): on AVX-512's 16 lanes, over inputs in [-8, 8),
/// sigmoid 9-14% faster than with the general form software-pipelined,
/// silu 15-19% with four vectors a step (A/B, 4096 to 16M floats;
/// docs/activations.md). A step tries them in order: the extended form
/// costs one addition more than the central one, which steps in [-16, 16]
/// do not pay.
static SmallVector<CentralBody> centralBodies(Operation *activation,
                                              int64_t vectorLanes) {
  if (vectorLanes != 16)
    return {};
  if (isa<SigmoidOp>(activation))
    return {{kCentralRange,
             {buildSigmoidF32CentralStart, buildSigmoidF32CentralFinish}},
            {kExtendedRange,
             {buildSigmoidF32ExtendedStart, buildSigmoidF32CentralFinish}}};
  if (isa<SiluOp>(activation))
    return {{kCentralRange,
             {buildSiluF32CentralStart, buildSiluF32CentralFinish}},
            {kExtendedRange,
             {buildSiluF32ExtendedStart, buildSiluF32CentralFinish}}};
  return {};
}

/// The first element of the flat `out` whose address is a multiple of the
/// vector size, and whether the loops write `out` from there on with
/// non-temporal stores (streamingOutput). Otherwise the start is 0 and
/// nothing streams.
static std::pair<Value, Value> streamingStart(ImplicitLocOpBuilder &b,
                                              Value out, Value count,
                                              int64_t lanes,
                                              int64_t threshold) {
  auto [address, streams] = streamingOutput(b, out, count, threshold);
  Value head = floatsToVectorBoundary(b, address, lanes);
  return {arith::SelectOp::create(
              b, streams, head, arith::ConstantIndexOp::create(b, 0)),
          streams};
}

/// `body` applied to every element of `input`, as vector code: the tensor
/// flattened, whole steps of `vectorsPerStep` vectors in loops, then the
/// rest one vector at a time with masked transfers. The whole steps
/// prefetch their input `prefetchDistance` f32 ahead (unless that is 0)
/// until that would pass the end; the last `prefetchDistance` elements or
/// fewer have nothing left to prefetch, so an input that fits in cache runs
/// without a prefetch at all. An input of `nontemporalThreshold` elements
/// or more (unless that is 0) streams its output past the caches: one
/// masked vector up to the output's first vector-aligned element, then the
/// prefetching steps in a loop marked `soma.nontemporal_stores`, whose
/// writes soma-nontemporal-stores makes non-temporal once bufferized (they
/// start on vector boundaries). Every element goes through the same vector
/// body, so its result does not depend on where it lies, and so not on the
/// thread count either.
static Value buildVectorLoop(OpBuilder &rewriter, Location loc, Value input,
                             int64_t lanes, int64_t prefetchDistance,
                             int64_t nontemporalThreshold,
                             llvm::function_ref<Value(ImplicitLocOpBuilder &,
                                                      Value)>
                                 body,
                             const StagedBody *staged,
                             ArrayRef<CentralBody> centrals,
                             int64_t vectorsPerStep) {
  ImplicitLocOpBuilder b(loc, rewriter);
  auto type = cast<RankedTensorType>(input.getType());
  // The destination is made in the input's shape and flattened like it:
  // once bufferized, the loops' buffer is then the allocation itself (the
  // reshapes fold away), which becomes the caller's result buffer.
  //
  // With streaming, the loop reads the address of that buffer
  // (streamingStart), so the destination must be this loop's own: a
  // bufferization.alloc_tensor, which CSE does not merge, where two equal
  // tensor.empty of two activations would be one value whose buffer is
  // either's.
  Value flat = input;
  Value out =
      nontemporalThreshold > 0
          ? bufferization::AllocTensorOp::create(
                b, type, tensor::createDynamicDimValues(b, loc, input))
                .getResult()
          : createEmpty(b, loc, tensor::getMixedSizes(b, loc, input));
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
  auto identity = AffineMapAttr::get(b.getDimIdentityMap());
  auto apply = [&](ImplicitLocOpBuilder &lb, Value acc, Value at,
                   bool inBounds, Value mask = Value()) {
    ArrayAttr inBoundsAttr = lb.getBoolArrayAttr({inBounds});
    Value x = vector::TransferReadOp::create(lb, vectorType, flat, at,
                                             identity, padding, mask,
                                             inBoundsAttr);
    return vector::TransferWriteOp::create(lb, body(lb, x), acc, at,
                                           identity, mask, inBoundsAttr)
        .getResult();
  };

  // Constants before the loops, so that equal activations on equal inputs
  // stay equal ops that CSE merges.
  SmallVector<Value> offsets;
  for (int64_t v = 0; v < vectorsPerStep; ++v)
    offsets.push_back(arith::ConstantIndexOp::create(b, v * lanes));
  Value vectorStep = arith::ConstantIndexOp::create(b, lanes);
  Value step = arith::ConstantIndexOp::create(b, lanes * vectorsPerStep);
  Value zero = arith::ConstantIndexOp::create(b, 0);
  // The end of the whole steps from `from` that stop `reserve` (an index,
  // or none) before the end, none if the room is too small.
  auto stepsEnd = [&](Value from, Value reserve) {
    Value room = arith::SubIOp::create(b, count, from);
    if (reserve)
      room = arith::SubIOp::create(
          b, arith::MaxUIOp::create(b, room, reserve), reserve);
    return arith::AddIOp::create(
        b, from,
        arith::MulIOp::create(b, arith::DivUIOp::create(b, room, step), step));
  };
  // The vector `v` of the step at `first`, read after a prefetch ahead of
  // it (when there is a `view` to prefetch from), and its index.
  auto readStepVector = [&](ImplicitLocOpBuilder &lb, Value first, int64_t v,
                            Value view) -> std::pair<Value, Value> {
    Value at = arith::AddIOp::create(lb, first, offsets[v]);
    if (view)
      prefetchAhead(lb, view, at, prefetchDistance);
    return {at, vector::TransferReadOp::create(lb, vectorType, flat, at,
                                               padding, ArrayRef<bool>{true})};
  };
  // The same steps with a staged body, software-pipelined
  // (buildPipelinedSteps): the first stage of each of a step's vectors, then
  // the second stages and the writes.
  auto pipelinedSteps = [&](Value from, Value to, Value view,
                            bool nontemporal) {
    auto startStep = [&](ImplicitLocOpBuilder &sb, Value first) {
      SmallVector<Value> stages;
      for (int64_t v = 0; v < vectorsPerStep; ++v)
        llvm::append_range(stages,
                           staged->start(sb, readStepVector(sb, first, v,
                                                            view).second));
      return stages;
    };
    auto finishStep = [&](ImplicitLocOpBuilder &sb, Value first,
                          ValueRange carried, ValueRange stages) {
      Value acc = carried.front();
      int64_t width = stages.size() / vectorsPerStep;
      for (int64_t v = 0; v < vectorsPerStep; ++v) {
        Value y = staged->finish(sb, stages.slice(v * width, width));
        acc = vector::TransferWriteOp::create(
                  sb, y, acc, ValueRange{arith::AddIOp::create(sb, first,
                                                               offsets[v])},
                  ArrayRef<bool>{true})
                  .getResult();
      }
      return SmallVector<Value>{acc};
    };
    scf::ForOp loop;
    out = buildPipelinedSteps(b, from, to, step, ValueRange{out}, startStep,
                              finishStep, &loop)
              .front();
    if (nontemporal && loop)
      loop->setAttr(soma::kNontemporalStoresAttrName, b.getUnitAttr());
  };
  // Either form in two stages, the first of every vector of a group
  // before the second of any: the results of `xs`. The general form by
  // groups of kVectorsPerStep: its first stage has more values to keep
  // (silu's eight per vector), which for eight vectors at once spilled
  // (silu in [-30, 30) 0.19-0.32 ns per element from run to run, 0.21 by
  // groups of four).
  auto stagedValues = [&](ImplicitLocOpBuilder &bb, const StagedBody &stages,
                          size_t group, ArrayRef<Value> xs) {
    SmallVector<Value> ys;
    for (size_t first = 0; first < xs.size(); first += group) {
      SmallVector<SmallVector<Value>> starts;
      for (Value x : xs.slice(first, std::min(group, xs.size() - first)))
        starts.push_back(stages.start(bb, x));
      for (ArrayRef<Value> start : starts)
        ys.push_back(stages.finish(bb, start));
    }
    return ys;
  };
  // The results of a step's vectors `xs` by the first of `forms` whose
  // range holds every lane, by the general body if none does: a branch per
  // form tried.
  std::function<SmallVector<Value>(ImplicitLocOpBuilder &, ArrayRef<Value>,
                                   ArrayRef<CentralBody>)>
      byRange = [&](ImplicitLocOpBuilder &lb, ArrayRef<Value> xs,
                    ArrayRef<CentralBody> forms) -> SmallVector<Value> {
    if (forms.empty())
      return stagedValues(lb, *staged, kVectorsPerStep, xs);
    Value exceeded;
    for (Value x : xs) {
      Value lanes = buildRangeExceeded(lb, x, forms.front().range);
      exceeded = exceeded ? arith::OrIOp::create(lb, exceeded, lanes) : lanes;
    }
    Value anyExceeded = vector::ReductionOp::create(
        lb, vector::CombiningKind::OR, exceeded);
    auto side = [&](bool inRange) {
      return [&, inRange](OpBuilder &builder, Location branchLoc) {
        ImplicitLocOpBuilder bb(branchLoc, builder);
        scf::YieldOp::create(
            bb, inRange ? stagedValues(bb, forms.front().body, xs.size(), xs)
                        : byRange(bb, xs, forms.drop_front()));
      };
    };
    return scf::IfOp::create(lb, anyExceeded, side(false), side(true))
        ->getResults();
  };
  // A step whose lanes all lie in a central body's range takes the first
  // such, any other the general body.
  auto centralStep = [&](ImplicitLocOpBuilder &lb, Value acc, Value i,
                         Value view) {
    SmallVector<Value> ats, xs;
    for (int64_t v = 0; v < vectorsPerStep; ++v) {
      auto [at, x] = readStepVector(lb, i, v, view);
      ats.push_back(at);
      xs.push_back(x);
    }
    SmallVector<Value> ys = byRange(lb, xs, centrals);
    for (int64_t v = 0; v < vectorsPerStep; ++v)
      acc = vector::TransferWriteOp::create(lb, ys[v], acc, ats[v],
                                            ArrayRef<bool>{true})
                .getResult();
    return acc;
  };
  auto wholeSteps = [&](Value from, Value to, Value view,
                        bool nontemporal = false) {
    if (staged && centrals.empty())
      return pipelinedSteps(from, to, view, nontemporal);
    auto loop = scf::ForOp::create(
        b, from, to, step, ValueRange{out},
        [&](OpBuilder &nested, Location nestedLoc, Value i, ValueRange iter) {
          ImplicitLocOpBuilder lb(nestedLoc, nested);
          Value acc = iter[0];
          if (!centrals.empty()) {
            scf::YieldOp::create(lb, centralStep(lb, acc, i, view));
            return;
          }
          for (int64_t v = 0; v < vectorsPerStep; ++v) {
            Value at = arith::AddIOp::create(lb, i, offsets[v]);
            if (view)
              prefetchAhead(lb, view, at, prefetchDistance);
            acc = apply(lb, acc, at, /*inBounds=*/true);
          }
          scf::YieldOp::create(lb, acc);
        });
    if (nontemporal)
      loop->setAttr(soma::kNontemporalStoresAttrName, b.getUnitAttr());
    out = loop.getResult(0);
  };

  Value start = zero, streams;
  if (nontemporalThreshold > 0) {
    std::tie(start, streams) =
        streamingStart(b, out, count, lanes, nontemporalThreshold);
    // The elements before the aligned start, at most one vector's worth.
    out = scf::ForOp::create(
              b, zero, start, vectorStep, ValueRange{out},
              [&](OpBuilder &nested, Location nestedLoc, Value i,
                  ValueRange iter) {
                ImplicitLocOpBuilder lb(nestedLoc, nested);
                Value mask = vector::CreateMaskOp::create(
                    lb, VectorType::get({lanes}, lb.getI1Type()),
                    ValueRange{arith::SubIOp::create(lb, start, i)});
                scf::YieldOp::create(
                    lb, apply(lb, iter[0], i, /*inBounds=*/true, mask));
              })
              .getResult(0);
  }
  Value prefetched = start;
  Value view = prefetchDistance > 0 ? bufferView(b, loc, flat) : Value();
  if (prefetchDistance > 0)
    prefetched = stepsEnd(
        start, arith::ConstantIndexOp::create(b, prefetchDistance));
  if (streams) {
    // The prefetched steps stream, or (below the threshold) the same range
    // runs as before; the other loop is empty. Without prefetching, every
    // whole step may stream.
    Value streamEnd = prefetchDistance > 0 ? prefetched : stepsEnd(start, {});
    Value streamTo = arith::SelectOp::create(b, streams, streamEnd, start);
    wholeSteps(start, streamTo, view, /*nontemporal=*/true);
    start = streamTo;
  }
  if (prefetchDistance > 0)
    wholeSteps(start, prefetched, view);
  else
    prefetched = start;
  Value whole = stepsEnd(prefetched, {});
  wholeSteps(prefetched, whole, Value());
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

/// Whether `activation` is piecewise linear: its loop keeps up with memory
/// on the hardware prefetcher alone, and software prefetches only cost it
/// (hard_sigmoid and hard_swish over 262144 floats, in L2: 1-5% slower
/// with them; over 128M floats, past the L3: the same time either way).
/// The others need them there (sigmoid over 128M floats: 53 ms with, 76 ms
/// without; tanh 48 and 66).
static bool isPiecewiseLinear(Operation *activation) {
  return isa<HardSigmoidOp, HardSwishOp, ReluOp, LeakyReluOp, ThresholdOp>(
      activation);
}

Value soma::lowering::buildActivationLoop(OpBuilder &b, Location loc,
                                          Value input, Operation *activation,
                                          int64_t vectorLanes,
                                          int64_t prefetchDistance,
                                          int64_t nontemporalThreshold) {
  if (isPiecewiseLinear(activation))
    prefetchDistance = 0;
  auto body = [&](ImplicitLocOpBuilder &eb, Value x) {
    return buildActivationScalar(eb, activation, x, vectorLanes);
  };
  auto type = cast<RankedTensorType>(input.getType());
  if (vectorLanes > 0 && type.getRank() > 0) {
    // With central bodies, each step branches to one of them or to the
    // general one, all in stages within the step; the software pipelining
    // across steps is for bodies without them.
    SmallVector<CentralBody> centrals = centralBodies(activation, vectorLanes);
    std::optional<StagedBody> staged = stagedBody(activation, vectorLanes);
    assert((centrals.empty() || staged) &&
           "central bodies need a staged general one");
    return buildVectorLoop(b, loc, input, vectorLanes, prefetchDistance,
                           nontemporalThreshold, body,
                           staged ? &*staged : nullptr, centrals,
                           vectorsPerStep(activation, vectorLanes));
  }
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
  ActivationLowering(MLIRContext *context, int64_t vectorLanes,
                     int64_t prefetchDistance, int64_t nontemporalThreshold)
      : OpConversionPattern<OpTy>(context), vectorLanes(vectorLanes),
        prefetchDistance(prefetchDistance),
        nontemporalThreshold(nontemporalThreshold) {}
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildActivationLoop(rewriter, op.getLoc(),
                                               adaptor.getInput(), op,
                                               vectorLanes, prefetchDistance,
                                               nontemporalThreshold));
    return success();
  }

  int64_t vectorLanes, prefetchDistance, nontemporalThreshold;
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
                                               int64_t vectorLanes,
                                               int64_t prefetchDistance,
                                               int64_t nontemporalThreshold) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ActivationLowering<SigmoidOp>, ActivationLowering<LogSigmoidOp>,
               ActivationLowering<HardSigmoidOp>, ActivationLowering<SiluOp>,
               ActivationLowering<HardSwishOp>, ActivationLowering<TanhOp>,
               ActivationLowering<ReluOp>, ActivationLowering<LeakyReluOp>,
               ActivationLowering<ThresholdOp>, ActivationLowering<SoftplusOp>>(
      context, vectorLanes, prefetchDistance, nontemporalThreshold);
  patterns.add<DropoutLowering>(context);
}
