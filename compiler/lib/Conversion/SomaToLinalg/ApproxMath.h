//===- ApproxMath.h - Elementary functions as arith ops ---------*- C++ -*-===//
//
// Builders of elementary functions and activations as plain arith ops and
// fused multiply-adds (llvm.intr.fma: the LLVM dialect must be loaded; on
// 16-lane vectors also x86vector's scalef), so that the activation loops
// that use them contain no libm call and give each element the same bits
// in a vector body as in a scalar remainder. The f64 builders (exp, expm1,
// log1p, log, 1/d) take and return f64 or vectors of f64 and are accurate
// to a relative error below 2^-40; the f32 ones (sigmoid, silu, tanh,
// softplus, log_sigmoid, exp as head and tail) carry heads and tails where
// a rounding would cost accuracy. ApproxMath.cpp states each bound and why
// it suffices.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H
#define SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/SmallVector.h"

namespace soma::lowering {

/// exp(x) for every f64 x: overflows to +inf above 709.78, underflows
/// gradually through the subnormals to +0 below -745.13; NaN gives NaN.
mlir::Value buildExp(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// exp(x) - 1 with a small relative error also for tiny |x| (where
/// `exp(x) - 1` cancels): -1 below -40; for x > 709 it saturates at
/// expm1(709), so callers that can reach that range clamp first. NaN gives
/// NaN.
mlir::Value buildExpm1(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// log(1 + u) for u in [0, 1], with a small relative error also for tiny u
/// (and subnormal u, where it returns u). NaN gives NaN.
mlir::Value buildLog1p(mlir::ImplicitLocOpBuilder &b, mlir::Value u);

/// log(x) for every positive normal f64 x (softmax takes it of a sum >= 1);
/// +inf gives +inf and NaN gives NaN.
mlir::Value buildLog(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// 1 / d, correctly rounded: one f64 division. (An f32 quotient refined by a
/// Newton step in f64 measured slower here: the divider is not what limits
/// these loops.)
mlir::Value buildReciprocal(mlir::ImplicitLocOpBuilder &b, mlir::Value d);

/// exp(t)·2^scaleExponent = hi + lo for f32 (or a vector of f32) t <= 0,
/// in f32 alone as sigmoid computes it: hi rounded once (without scaling
/// subnormal from -87.3 on, 0 below -104), lo the part of e^r's head
/// rounding that hi lost, scaled; within 2^-27 relative of exact. A
/// `scaleExponent` up to 64 keeps small terms normal (0 below
/// -104 - 0.69·scaleExponent). NaN gives NaN.
std::pair<mlir::Value, mlir::Value>
buildExpF32Split(mlir::ImplicitLocOpBuilder &b, mlir::Value t,
                 int64_t scaleExponent = 0);

/// Where a caller of buildExpF32SplitStart and Finish knows t to lie.
enum class ExpDomain {
  /// Any t <= 0, or NaN: t clamped at the floor, each part scaled by
  /// vscalefps (two products on narrower vectors).
  Any,
  /// t >= normalExpFloor(scaleExponent), or NaN, where
  /// exp(t)·2^scaleExponent and its 2^n are normal: no clamp, 2^n built in
  /// the exponent field, the head 2^n + 2^n·(e^r - 1) rounded by one fma
  /// and the tail its rounding error by another. The same bits as Any
  /// there (both round the same exact values once).
  Normal,
};

/// The least t of ExpDomain::Normal for buildExpF32SplitStart's
/// `scaleExponent`: -86.5 - ln2·scaleExponent.
double normalExpFloor(int64_t scaleExponent);

/// buildExpF32Split in two stages, as buildSigmoidF32Start and Finish:
/// Start the reduction and the polynomial, Finish the head, tail and
/// scaling; Finish(Start(t)) is buildExpF32Split(t), op for op.
llvm::SmallVector<mlir::Value>
buildExpF32SplitStart(mlir::ImplicitLocOpBuilder &b, mlir::Value t,
                      int64_t scaleExponent = 0,
                      ExpDomain domain = ExpDomain::Any);
std::pair<mlir::Value, mlir::Value>
buildExpF32SplitFinish(mlir::ImplicitLocOpBuilder &b, mlir::ValueRange start,
                       ExpDomain domain = ExpDomain::Any);

/// z = n·ln2 + r for f32 (or a vector of f32) z in [-173, 19] or NaN, as
/// sigmoid and exp reduce it: n an integer as a float and as an i32,
/// |r| <= 0.35 (ln2 in two parts, Cody and Waite).
struct ExpReductionF32 {
  mlir::Value n, ni, r;
};
ExpReductionF32 buildExpReductionF32(mlir::ImplicitLocOpBuilder &b,
                                     mlir::Value z);

/// m·2^n for f32 m (or a vector of f32) and n in [-173, 64] as a float and
/// as an i32, the correctly rounded result (one vscalefps on 16-lane
/// vectors, two products elsewhere), for m below 2^8 in magnitude.
mlir::Value buildScaleByPowerOfTwoF32(mlir::ImplicitLocOpBuilder &b,
                                      mlir::Value m, mlir::Value n,
                                      mlir::Value ni);

/// sigmoid(x) for f32 (or a vector of f32) x, computed in f32 alone: with
/// e^-x = m·2^n, 2^-n/(m + 2^-n), the denominator as a head and its exact
/// tail, one f32 division and an fma residual (on 16-lane vectors, for
/// AVX-512, the reciprocal estimate and a residual of second order, bits
/// that differ from the division's: callers widen to 16 lanes). Within 2
/// ULP of the correctly rounded result for every f32 input (the exhaustive
/// sweep of soma-accuracy measures it); underflows gradually to 0 at
/// -103.98; NaN gives NaN.
mlir::Value buildSigmoidF32(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// buildSigmoidF32 in two stages, for loops that overlap one step's second
/// stage with the next step's first: Start builds everything up to the
/// division (the denominator as a head and tail, and the exponent),
/// Finish the rest from those values; Finish(Start(x)) is
/// buildSigmoidF32(x), op for op.
llvm::SmallVector<mlir::Value> buildSigmoidF32Start(mlir::ImplicitLocOpBuilder &b,
                                                    mlir::Value x);
mlir::Value buildSigmoidF32Finish(mlir::ImplicitLocOpBuilder &b,
                                  mlir::ValueRange start);

/// silu(x) = x·sigmoid(x) for f32 (or a vector of f32) x, in f32 alone
/// from the same parts as buildSigmoidF32 (before its scaling by 2^-n),
/// the product with x rounded once. Within 2 ULP of the correctly
/// rounded result for every f32 input; underflows gradually to -0 near
/// -108.7; silu(-inf) is NaN.
mlir::Value buildSiluF32(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// buildSiluF32 in two stages, as buildSigmoidF32Start and Finish.
llvm::SmallVector<mlir::Value> buildSiluF32Start(mlir::ImplicitLocOpBuilder &b,
                                                 mlir::Value x);
mlir::Value buildSiluF32Finish(mlir::ImplicitLocOpBuilder &b,
                               mlir::ValueRange start);

/// The bounds on |x| within which buildSigmoidF32Central and
/// buildSiluF32Central apply: kCentralRange for their central form,
/// kExtendedRange for their extended one.
constexpr double kCentralRange = 16.0;
constexpr double kExtendedRange = 64.0;

/// buildSigmoidF32(x) and buildSiluF32(x), the same bits, for |x| <= 16
/// only (kCentralRange), where 2^-n needs no clamp, no vscalefps and no
/// tail of its own (silu 6 instructions fewer, sigmoid 5, and a shorter
/// chain of dependent ones): for vector loops that take it when a whole
/// step's lanes lie there (buildRangeExceeded). Outside, the
/// results are garbage. In two stages, as buildSigmoidF32Start and Finish:
/// the denominator first, then the division and the scaling.
llvm::SmallVector<mlir::Value>
buildSigmoidF32CentralStart(mlir::ImplicitLocOpBuilder &b, mlir::Value x);
mlir::Value buildSigmoidF32CentralFinish(mlir::ImplicitLocOpBuilder &b,
                                         mlir::ValueRange start);
llvm::SmallVector<mlir::Value>
buildSiluF32CentralStart(mlir::ImplicitLocOpBuilder &b, mlir::Value x);
mlir::Value buildSiluF32CentralFinish(mlir::ImplicitLocOpBuilder &b,
                                      mlir::ValueRange start);

/// The central forms' first stage for |x| <= 64 (kExtendedRange), the
/// same bits as the general forms' there too, with one addition more
/// (the denominator's tail as the general form has it); their second
/// stage is the central one's. For steps whose lanes do not all lie in
/// [-16, 16] but all in [-64, 64]: inputs uniform in [-30, 30) measured
/// 13% (sigmoid) and 16% (silu) faster than with the general form in a C
/// copy of the loop, where the extended form for every step cost 6-7% on
/// inputs in [-8, 8).
llvm::SmallVector<mlir::Value>
buildSigmoidF32ExtendedStart(mlir::ImplicitLocOpBuilder &b, mlir::Value x);
llvm::SmallVector<mlir::Value>
buildSiluF32ExtendedStart(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// Per lane, whether x lies outside [-bound, bound] or is NaN.
mlir::Value buildRangeExceeded(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                               double bound);

/// tanh(x) for f32 (or a vector of f32) x, in f32 alone: an odd polynomial
/// below |x| = 0.75, 1 - 2/(1 + e^2|x|) from there on (the quotient as in
/// buildSigmoidF32, without its tails), x's sign put back. Within 2 ULP of
/// the correctly rounded result for every f32 input; tanh(±inf) = ±1,
/// tanh(-0) = -0, NaN gives NaN.
mlir::Value buildTanhF32(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// tanh(x) for f32 (or a vector of up to 16 f32) x on AVX-512 targets: a
/// degree-6 polynomial on each of 29 intervals of |x|, whose coefficients
/// are gathered from tables of 32 (TanhByIntervals.cpp; the gathers become
/// AVX-512 permutes in soma-gather-to-permute). Within 1 ULP of exact for
/// every f32 input; tanh(±inf) = ±1, tanh(-0) = -0, NaN gives NaN.
/// Narrower vectors and scalars are widened to 16 lanes.
mlir::Value buildTanhByIntervalsF32(mlir::ImplicitLocOpBuilder &b,
                                    mlir::Value x);

/// softplus(x) with beta 1, x itself above `threshold`, for f32 (or a
/// vector of f32) x, in f32 alone: max(x, 0) + log1p(exp(-|x|)) with the
/// logarithm as 2·atanh(s), s = e/(2 + e) with e = exp(-|x|), and every
/// part a head and tail. Within 2
/// ULP of the correctly rounded result for every f32 input.
mlir::Value buildSoftplusF32(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                             float threshold);

/// log_sigmoid(x) = -softplus(-x) in the same way (no threshold): x itself
/// far below 0, -0 far above it; NaN gives NaN.
mlir::Value buildLogSigmoidF32(mlir::ImplicitLocOpBuilder &b, mlir::Value x);

/// buildSoftplusF32 and buildLogSigmoidF32 in two stages, as
/// buildSigmoidF32Start and Finish: exp(-|x|) as a head and tail first.
llvm::SmallVector<mlir::Value>
buildSoftplusF32Start(mlir::ImplicitLocOpBuilder &b, mlir::Value x);
mlir::Value buildSoftplusF32Finish(mlir::ImplicitLocOpBuilder &b,
                                   mlir::ValueRange start, float threshold);
llvm::SmallVector<mlir::Value>
buildLogSigmoidF32Start(mlir::ImplicitLocOpBuilder &b, mlir::Value x);
mlir::Value buildLogSigmoidF32Finish(mlir::ImplicitLocOpBuilder &b,
                                     mlir::ValueRange start);

/// softplus(x) with beta 1, x itself above `threshold`, and log_sigmoid(x)
/// for f32 (or a vector of up to 16 f32) x on AVX-512 targets: softplus(x)
/// = p + log(1 + e^a) with a = x, p = 0 up to 0.95 and a = -x, p = x above,
/// the logarithm a degree-6 polynomial on each of 31 intervals of a and
/// e^a below a = -18.5, the coefficients gathered from tables of 32
/// (SoftplusByIntervals.cpp; the gathers become AVX-512 permutes in
/// soma-gather-to-permute). Within 1 ULP of exact for every f32 input;
/// log_sigmoid is 0 - softplus(-x). Narrower vectors and scalars are
/// widened to 16 lanes. The result comes out of an scf.if (one branch per
/// vector), so the SCF dialect must be loaded too.
mlir::Value buildSoftplusByIntervalsF32(mlir::ImplicitLocOpBuilder &b,
                                        mlir::Value x, float threshold);
mlir::Value buildLogSigmoidByIntervalsF32(mlir::ImplicitLocOpBuilder &b,
                                          mlir::Value x);

} // namespace soma::lowering

#endif // SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H
