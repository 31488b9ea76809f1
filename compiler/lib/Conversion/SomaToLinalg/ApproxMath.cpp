//===- ApproxMath.cpp - Elementary functions as arith ops -----------------===//
//
// f64 elementary functions built from arith ops and fused multiply-adds
// (LLVM's fma intrinsic), for scalars and vectors alike. Each is a range
// reduction, a polynomial and a reconstruction:
//
// - exp and expm1: Cody–Waite reduction x = n·ln2 + r, |r| <= ln2/2 (plus a
//   hair), with n = round(x/ln2) found by the "shifter" trick: adding
//   0x1.8p52 rounds to an integer, which is then read from the low bits of
//   the sum, so no fptosi (which AVX2 lacks for i64) is needed. ln2 is split
//   into fdlibm's ln2_hi (21 trailing zero bits, so n·ln2_hi is exact for
//   |n| < 2^21 and x - n·ln2_hi exact by Sterbenz) and ln2_lo. Then
//   expm1(r) = r + r²·q(r) with q a degree-8 near-minimax (Chebyshev)
//   polynomial; its relative error over the reduced range is 2^-48.3 for
//   expm1(r) and 2^-49.6 for 1 + expm1(r) = exp(r). 2^n is assembled in the
//   exponent field with integer shifts and adds.
// - log1p and log: log(m) = 2·atanh(s), s = (m - 1)/(m + 1), after the
//   argument is brought to |s| <= 1/5, with 2·atanh(s) = 2s + s³·P(s²), P a
//   degree-5 near-minimax polynomial of relative error 2^-47.2 on
//   |s| <= 1/5 (evaluated in w = 2s). log splits off the binary exponent
//   with integer ops.
// - 1/d: one f64 division, correctly rounded. It measured faster here
//   (sigmoid 1.17 against 1.37 ns per element) than an f32 quotient of
//   (float)d refined by a Newton step in f64.
//
// Coefficient errors above are for the exact evaluation of the polynomials
// with their f64 coefficients (tools/approx-coefficients.py computes both);
// evaluating them in f64 by Horner's rule with fused multiply-adds adds a
// few units of 2^-53, since every polynomial here is dominated by its
// leading terms. Every builder is thus within 2^-45 relative of the exact
// value (log1p and log, with one more correctly rounded quotient, within
// 2^-44); SPEC's activations combine at most four such results and a few
// correctly rounded f64 operations, and each has a relative condition
// number at most about 1 where it is evaluated (the formulas in
// Activations.cpp and Reduction.cpp avoid cancellation), so their f64
// results are within 2^-40 relative of exact.
// Rounding such a value to f32 errs by at most 0.5 ULP plus 2^-40·2^24 =
// 2^-16 ULP: within one ULP of the correctly rounded f32 result, and equal
// to it unless the exact value lies within 2^-16 ULP of a midpoint between
// two floats. docs/numerics.md repeats this argument.
//
// sigmoid, log_sigmoid, silu, tanh and softplus also have f32 forms (the
// end of this file): an f32 exp kept as a head and its exact tail
// (Fast2Sum), one f32 division with an fma residual (for sigmoid and silu
// on AVX-512, the 14-bit reciprocal estimate with a residual of second
// order),
// products split exactly with an fma, and one final rounding (tanh keeps
// two more where they cost little: its polynomial below |x| = 0.75 and its
// quotient above); the exhaustive sweep measures each within 1.25 ULP of
// exact (docs/activations.md). On AVX-512 vectors 2^n is applied with
// vscalefps, elsewhere as two powers of two built in the exponent field;
// both round once, to the same bits. sigmoid and silu also have central
// forms for |x| <= 16, the same bits from fewer instructions (2^-n built
// in the exponent field, applied to the quotient exactly), which the
// vector loops take
// when a whole step lies there.
//
// No op here carries fast-math flags but the division marked for the
// reciprocal estimate (arcp and ninf, which allow nothing else: no
// contraction, no reassociation): every fused multiply-add is an explicit
// fma, so a vectorized loop body and its scalar remainder compute every
// element identically.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

#include <cmath>
#include <limits>

using namespace mlir;

using arith::CmpFPredicate;

namespace soma::lowering {

namespace {

/// Builds the IR of one f64 function on values shaped like `like`.
struct Builder {
  ImplicitLocOpBuilder &b;
  Type f64Type, i64Type;

  /// Builds on values of `like`'s type (f64 or f32, scalar or vector); the
  /// integer type is the float's width.
  Builder(ImplicitLocOpBuilder &b, Value like)
      : b(b), f64Type(like.getType()),
        i64Type(withElementType(
            like.getType(),
            b.getIntegerType(
                getElementTypeOrSelf(like).getIntOrFloatBitWidth()))) {}

  Value c(double value) { return constantLike(b, value, f64Type); }
  Value ci(int64_t value) { return integerConstantLike(b, value, i64Type); }

  Value add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  /// x·y + z rounded once, as LLVM's fma intrinsic. Not math.fma: the
  /// pipeline turns math.fma into a call of libm's `fma`
  /// (convert-math-to-libm), which keeps the loops from vectorizing.
  Value fma(Value x, Value y, Value z) {
    return LLVM::FMAOp::create(b, x.getType(), x, y, z);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
  Value cmp(CmpFPredicate predicate, Value x, Value y) {
    return arith::CmpFOp::create(b, predicate, x, y);
  }

  Value toBits(Value x) { return arith::BitcastOp::create(b, i64Type, x); }
  Value fromBits(Value x) { return arith::BitcastOp::create(b, f64Type, x); }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value shl(Value x, int64_t n) { return arith::ShLIOp::create(b, x, ci(n)); }
  Value ashr(Value x, int64_t n) { return arith::ShRSIOp::create(b, x, ci(n)); }

  /// Σ coefficients[i]·x^(N-1-i) by Horner's rule, highest first.
  Value horner(ArrayRef<double> coefficients, Value x) {
    Value acc = c(coefficients.front());
    for (double coefficient : coefficients.drop_front())
      acc = fma(acc, x, c(coefficient));
    return acc;
  }

  /// The polynomial `horner` takes, as Horner's rule in x² over the pairs
  /// c_2j + c_2j+1·x (one level of Estrin's scheme), given x² = `square`:
  /// the same number of fmas, but the pairs are independent of each other,
  /// so the chain of dependent steps is about half as long. That chain is
  /// what bounds the element-wise loops here, not the number of
  /// operations: each vector's instructions wait on it, and the out-of-order
  /// window holds only a few vectors (on the Zen 5 measured,
  /// docs/activations.md).
  Value hornerOfPairs(ArrayRef<double> coefficients, Value x, Value square) {
    // Lowest power first: c_0 + c_1·x, c_2 + c_3·x, ...; an odd highest
    // coefficient stays a constant.
    SmallVector<double> lowestFirst(llvm::reverse(coefficients));
    SmallVector<Value> pairs;
    for (size_t i = 0; i < lowestFirst.size(); i += 2)
      pairs.push_back(i + 1 < lowestFirst.size()
                          ? fma(c(lowestFirst[i + 1]), x, c(lowestFirst[i]))
                          : c(lowestFirst[i]));
    Value acc = pairs.back();
    for (Value pair : llvm::reverse(ArrayRef(pairs).drop_back()))
      acc = fma(acc, square, pair);
    return acc;
  }

  /// P's coefficients, highest first, for 2^k·P(2^k·y) = Q(y): Q's
  /// coefficients are P's times powers of two, so every step of either
  /// rule above on y is that on x = 2^k·y times a power of two, exactly
  /// (the same bits, scaled).
  static SmallVector<double> scaledCoefficients(ArrayRef<double> coefficients,
                                                int k) {
    SmallVector<double> scaled;
    int n = static_cast<int>(coefficients.size());
    for (auto [i, coefficient] : llvm::enumerate(coefficients))
      scaled.push_back(std::ldexp(coefficient, k * (n - static_cast<int>(i))));
    return scaled;
  }

  /// 2^k·P(2^k·y) for P as `horner` takes it, with y = x/2^k.
  Value hornerOfScaled(ArrayRef<double> coefficients, Value y, int k) {
    return horner(scaledCoefficients(coefficients, k), y);
  }

  /// 2^n for the i64 (vector) n in [-1022, 1023], from its exponent field.
  Value powerOfTwo(Value n) { return fromBits(shl(addi(n, ci(1023)), 52)); }
};

// n = round(x/ln2): with |x| < 2^51·ln2, x/ln2 + 0x1.8p52 lies in
// [2^52, 2^53), where the f64 spacing is 1, so the sum is rounded to an
// integer n + 0x1.8p52 whose low mantissa bits hold n in two's complement.
constexpr double kShifter = 0x1.8p52;
constexpr int64_t kShifterBits = 0x4338000000000000;
constexpr double kInvLn2 = 0x1.71547652b82fep+0;
// fdlibm's split of ln2: kLn2Hi has 21 trailing zero bits.
constexpr double kLn2Hi = 0x1.62e42fee00000p-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kLn2 = 0x1.62e42fefa39efp-1;

// q(r) ≈ (expm1(r) - r)/r² on |r| <= ln2/2·(1 + 2^-20), highest degree
// first; |r + r²·q(r) - expm1(r)| <= 2^-48.3·|expm1(r)|.
constexpr double kExpm1Q[] = {
    0x1.2880393a358c4p-22, 0x1.72c720d005e4bp-19, 0x1.a019c9ab133b1p-16,
    0x1.a019adabe6699p-13, 0x1.6c16c1738ed23p-10, 0x1.1111111c45d9fp-7,
    0x1.5555555554cb8p-5,  0x1.5555555553b7dp-3,  0x1.0000000000000p-1};

// R(ω) ≈ (2·atanh(√ω/2) - √ω)/√ω³ on ω in [0, 4/25], highest degree first:
// with w = 2s, 2·atanh(s) = w + w·ω·R(ω), ω = w², and
// |w + w·ω·R(ω) - 2·atanh(s)| <= 2^-47.2·|2·atanh(s)| for |s| <= 1/5.
// (R(ω) = P(ω/4)/8 for the fit P(z) of (2·atanh(√z) - 2√z)/√z³, so the
// coefficients are P's scaled by powers of two.) Working with w rather
// than s keeps w = u exactly for subnormal u in log1p.
constexpr double kAtanhR[] = {0x1.5e22f89ba6976p-16, 0x1.72c06fcd63c4ap-14,
                              0x1.c72516f25190bp-12, 0x1.24923eb6c2d81p-9,
                              0x1.999999a2c6e50p-7,  0x1.5555555554ae3p-4};

/// The reduction of exp and expm1: x = n·ln2 + r for x in [-746, 710].
struct Reduced {
  Value n; // i64
  Value r; // f64, |r| <= ln2/2·(1 + 2^-20)
};

Reduced reduce(Builder &f, Value x) {
  Value shifted = f.fma(x, f.c(kInvLn2), f.c(kShifter));
  Value nAsDouble = f.sub(shifted, f.c(kShifter));
  Value n = f.subi(f.toBits(shifted), f.ci(kShifterBits));
  Value r = f.fma(nAsDouble, f.c(-kLn2Hi), x);
  r = f.fma(nAsDouble, f.c(-kLn2Lo), r);
  return {n, r};
}

/// expm1(r) for the reduced r.
Value expm1Reduced(Builder &f, Value r) {
  return f.fma(f.mul(r, r), f.horner(kExpm1Q, r), r);
}

/// 2·atanh(w/2) for |w| <= 2/5.
Value twoAtanhHalf(Builder &f, Value w) {
  Value omega = f.mul(w, w);
  return f.fma(f.mul(w, omega), f.horner(kAtanhR, omega), w);
}

} // namespace

Value buildExp(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // Past the clamp, exp(x) is below half the smallest subnormal or above
  // the largest double, so the scaling below rounds it to 0 or +inf; NaN
  // passes the clamp.
  Value clamped = clampKeepNaN(b, x, f.c(-746.0), f.c(710.0));
  Reduced reduced = reduce(f, clamped);
  Value p = f.add(f.c(1.0), expm1Reduced(f, reduced.r));
  // 2^n in two factors, both normal for n in [-1077, 1025], so that results
  // below 2^-1022 round once, gradually, and n = 1024 overflows to +inf. A
  // multiplication (rather than an integer add into p's exponent) keeps NaN.
  Value half = f.ashr(reduced.n, 1);
  Value rest = f.subi(reduced.n, half);
  Value scaled = f.mul(p, f.powerOfTwo(half));
  return f.mul(scaled, f.powerOfTwo(rest));
}

Value buildExpm1(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // expm1(-40) rounds to -1; n <= 1023 keeps 2^n finite.
  Value clamped = clampKeepNaN(b, x, f.c(-40.0), f.c(709.0));
  Reduced reduced = reduce(f, clamped);
  // expm1(x) = 2^n·expm1(r) + (2^n - 1): 2^n - 1 is exact for n in
  // [-53, 53], and the two terms never cancel by more than a factor 1.5.
  Value scale = f.powerOfTwo(reduced.n);
  Value scaleMinusOne = f.sub(scale, f.c(1.0));
  return f.fma(scale, expm1Reduced(f, reduced.r), scaleMinusOne);
}

Value buildLog1p(ImplicitLocOpBuilder &b, Value u) {
  Builder f(b, u);
  // log(1 + u) = 2·atanh(u/(u + 2)) for u < 1/2, where the quotient is at
  // most 1/5; above, log(1 + u) = ln2 + log((1 + u)/2) =
  // ln2 + 2·atanh((u - 1)/(u + 3)), the quotient in [-1/7, 0] and u - 1
  // exact. The numerator u is exact, so tiny u keep their relative
  // accuracy.
  Value high = f.cmp(CmpFPredicate::OGE, u, f.c(0.5));
  Value numerator = f.select(high, f.sub(u, f.c(1.0)), u);
  Value denominator = f.add(u, f.select(high, f.c(3.0), f.c(2.0)));
  Value twoS =
      f.mul(f.add(numerator, numerator), buildReciprocal(b, denominator));
  return f.add(f.select(high, f.c(kLn2), f.c(0.0)), twoAtanhHalf(f, twoS));
}

Value buildLog(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // x = 2^k·m with m in [√½, √2): subtracting the bits of √½ makes the
  // exponent field of the difference k (musl's trick), and m has x's
  // mantissa with k taken out of the exponent. m - 1 is exact (Sterbenz).
  Value bits = f.toBits(x);
  Value k = f.ashr(f.subi(bits, f.ci(0x3fe6a09e667f3bcd)), 52);
  Value m = f.fromBits(f.subi(bits, f.shl(k, 52)));
  // k as a double by the shifter trick run backwards (no sitofp).
  Value kAsDouble =
      f.sub(f.fromBits(f.addi(k, f.ci(kShifterBits))), f.c(kShifter));
  Value mMinusOne = f.sub(m, f.c(1.0));
  Value twoS = f.mul(f.add(mMinusOne, mMinusOne),
                     buildReciprocal(b, f.add(m, f.c(1.0))));
  // k·ln2_hi is exact; the small terms are summed first.
  Value tail = f.fma(kAsDouble, f.c(kLn2Lo), twoAtanhHalf(f, twoS));
  Value log = f.fma(kAsDouble, f.c(kLn2Hi), tail);
  // The bit manipulation sends +inf and NaN to finite values: pass them.
  Value finite = f.cmp(CmpFPredicate::OLT, x,
                       f.c(std::numeric_limits<double>::infinity()));
  return f.select(finite, log, x);
}

Value buildReciprocal(ImplicitLocOpBuilder &b, Value d) {
  return arith::DivFOp::create(b, constantLike(b, 1.0, d.getType()), d);
}

/// 2^k for i32 k (or a vector of them) in [-126, 127], a normal f32 built
/// in the exponent field.
static Value powerOfTwo(Builder &f, Value k) {
  return f.fromBits(f.shl(f.addi(k, f.ci(127)), 23));
}

/// m·2^n for f32 m and n in [-173, 64] (scalars or vectors alike; n both
/// as a float and as an i32), rounded once unless m·2^(n/2) underflows
/// already, which m below 2^8 in magnitude rules out; a larger m is fine
/// where n >= 0 and m·2^n is finite (silu's x·q past x = 20). Vectors of
/// 16 lanes, made only for AVX-512 targets, take one vscalefps
/// (x86vector's mask.scalef, all lanes); others two products with normal
/// powers of two, the first exact. Both give the correctly rounded m·2^n,
/// so the same bits.
static Value scaleByPowerOfTwo(Builder &f, Value m, Value n, Value ni) {
  auto vectorType = dyn_cast<VectorType>(m.getType());
  if (vectorType && vectorType.getNumElements() == 16) {
    Value allLanes = arith::ConstantOp::create(f.b, f.b.getI16IntegerAttr(-1));
    // _MM_FROUND_CUR_DIRECTION: round to nearest, as every other op here.
    Value currentRounding =
        arith::ConstantOp::create(f.b, f.b.getI32IntegerAttr(4));
    // The op's operands reach llvm.x86.avx512.mask.scalef.ps.512 in their
    // order, whose signature is (a, b, src, k, rounding): the first is
    // scaled by the second.
    return x86vector::MaskScaleFOp::create(f.b, m.getType(), m, n, m, allLanes,
                                           currentRounding);
  }
  Value n1 = f.ashr(ni, 1), n2 = f.subi(ni, n1);
  return f.mul(f.mul(m, powerOfTwo(f, n1)), powerOfTwo(f, n2));
}

namespace {

/// z = n·ln2 + r for f32 z in [-173, 19] or NaN: n an integer (as a float
/// and as an i32), |r| <= 0.35 (ApproxMath.h).
ExpReductionF32 reduceF32(Builder &f, Value z) {
  // n = round(z·log2(e)) by the shifter 1.5·2^23: the sum's low bits hold n.
  Value shifter = f.c(0x1.8p23);
  Value shifted = f.fma(z, f.c(0x1.715476p0), shifter);
  Value n = f.sub(shifted, shifter);
  // r = z - n·ln2 in two steps (Cody and Waite): ln2's high part has 13
  // significant bits, so for |n| <= 250 the first fma's result is exact;
  // the low part leaves an error below 2^-39·|n| < 2^-31.
  Value r = f.fma(n, f.c(-0x1.62ep-1), z);
  r = f.fma(n, f.c(-0x1.0bfbe8p-15), r);
  Value ni = f.subi(f.toBits(shifted), f.toBits(shifter));
  return {n, ni, r};
}

} // namespace

ExpReductionF32 buildExpReductionF32(ImplicitLocOpBuilder &b, Value z) {
  Builder f(b, z);
  return reduceF32(f, z);
}

Value buildScaleByPowerOfTwoF32(ImplicitLocOpBuilder &b, Value m, Value n,
                                Value ni) {
  Builder f(b, m);
  return scaleByPowerOfTwo(f, m, n, ni);
}

namespace {

/// z = k·x = -negN·ln2 + r as reduceF32 gives it, but with n negated (as a
/// float and as an i32) at no cost, for scaling by 2^-n, and r divided by
/// |k|. k is -1 or 2, so z and r/|k| are exact scalings (the same bits);
/// x goes into the first fma itself, with log2(e)·k (exact too), which
/// keeps the compiler from moving k into a clamp of x.
struct NegatedReduction {
  Value negN, negNi, rOverK;
};

NegatedReduction reduceF32Negated(Builder &f, Value x, double k) {
  Value shifter = f.c(0x1.8p23);
  Value shifted = f.fma(x, f.c(0x1.715476p0 * k), shifter);
  Value negN = f.sub(shifter, shifted);
  Value negNi = f.subi(f.toBits(shifter), f.toBits(shifted));
  double size = std::abs(k);
  Value signedX = k < 0 ? arith::NegFOp::create(f.b, x).getResult() : x;
  Value r = f.fma(negN, f.c(0x1.62ep-1 / size), signedX);
  return {negN, negNi, f.fma(negN, f.c(0x1.0bfbe8p-15 / size), r)};
}

/// P(t) with tanh(a) = a + a·t·P(t), t = a², for a in [0, 0.75]: a
/// degree-5 near-minimax fit (tools/approx-coefficients.py) with f32
/// coefficients, within 2^-26.3 of tanh relative.
Value tanhOddTail(Builder &f, Value t) {
  return f.horner({0x1.f4474cp-10, -0x1.03edf2p-7, 0x1.6222a6p-6,
                   -0x1.b9d774p-5, 0x1.111042p-3, -0x1.555554p-2},
                  t);
}

/// P(r) as above for e^r = 1 + r + r²·P(r), where the error that counts is
/// that relative to e^r, larger than e^r - 1 by up to 1/0.35: one degree
/// less, within 2^-26.5 relative of e^r (Taylor's degree 5: 2^-27.0).
constexpr double kExpTail[] = {0x1.6d1184p-10, 0x1.120be8p-7, 0x1.555518p-5,
                               0x1.5554dcp-3, 0.5};

/// p = e^r - 1 = r + r²·P(r) for the reduced r, accurate relative to e^r,
/// with P in pairs (hornerOfPairs: in sigmoid's loop 4% faster than
/// Horner's rule, and as accurate).
Value expOfReducedLessOne(Builder &f, Value r) {
  Value square = f.mul(r, r);
  return f.fma(square, f.hornerOfPairs(kExpTail, r, square), r);
}

/// p/2 for p as above, from h = r/2: h + h²·2·P(2h), whose coefficients are
/// P's times powers of two, so every step is expOfReducedLessOne's halved,
/// exactly (the same bits, scaled).
Value halfExpOfReducedLessOne(Builder &f, Value h) {
  Value square = f.mul(h, h);
  return f.fma(square,
               f.hornerOfPairs(Builder::scaledCoefficients(kExpTail, 1), h,
                               square),
               h);
}

/// 1 + p = hi + lo for |p| < 1: hi rounded, lo its rounding error, exact
/// by Fast2Sum.
std::pair<Value, Value> onePlus(Builder &f, Value p) {
  Value hi = f.add(f.c(1.0), p);
  return {hi, f.add(f.sub(f.c(1.0), hi), p)};
}


/// 1/(dHi + dLo) = q·(1 + residual) for dLo below dHi's last bit and dHi
/// in [0.7, 2^30], with q an approximation of 1/dHi and the residual its
/// correction, about 2^-24 for the correctly rounded f32 1/dHi, 2^-14 for
/// AVX-512's estimate.
struct SplitReciprocal {
  Value q, residual;
};

/// With `mayEstimate`, q on vectors of 16 lanes (made only for AVX-512
/// targets) is vrcp14ps's estimate, within 2^-14 relative: a division
/// marked `arcp` and `ninf` (dHi is finite), which LLVM lowers to the
/// estimate alone, without a Newton step, under the "reciprocal-estimates"
/// setting that soma::optimizeModule gives every function (sigmoid and
/// silu measured 2-5% faster with it than with vdivps). Otherwise q is the
/// correctly rounded quotient. Either way ε = 1 - q·(dHi + dLo)
/// comes from two fmas: exactly for the rounded q (whose ε is below 2^-24,
/// so ε² below 2^-48 is left out), within 2^-38 of ε for the estimate, and
/// 1/(dHi + dLo) = q/(1 - ε) = q·(1 + ε + ε² + ...): the residual is ε
/// for both, leaving out ε² < 2^-28 for the estimate, a sixteenth of the
/// last bit the callers round to (adding it in one more fma left the
/// exhaustive sweep's largest errors the same, 1.046 ULP for sigmoid and
/// 1.189 for silu with e^r by Horner's rule, and cost 3% of sigmoid's
/// time). The
/// estimate suits callers that round q·(1 + residual) at once (sigmoid,
/// silu); a caller that keeps q·dividend as a head and tail would need
/// them renormalized, since the residual is then no longer below the
/// head's last bit. What is left out is far below the last bit the callers
/// round to, but it differs between the two forms, so an AVX-512
/// compilation widens every body that uses the estimate to 16 lanes
/// (buildActivationScalar) to keep its bits the same everywhere.
SplitReciprocal reciprocalOfSplit(Builder &f, Value dHi, Value dLo,
                                  bool mayEstimate) {
  auto vectorType = dyn_cast<VectorType>(dHi.getType());
  bool estimate =
      mayEstimate && vectorType && vectorType.getNumElements() == 16;
  auto flags = estimate
                   ? arith::FastMathFlags::arcp | arith::FastMathFlags::ninf
                   : arith::FastMathFlags::none;
  Value q = arith::DivFOp::create(f.b, f.c(1.0), dHi, flags);
  Value negQ = arith::NegFOp::create(f.b, q);
  return {q, f.fma(negQ, dLo, f.fma(negQ, dHi, f.c(1.0)))};
}

/// a + b = sum + error exactly for a, b of one sign: the larger first
/// (Fast2Sum). NaN in b gives NaN.
std::pair<Value, Value> orderedTwoSum(Builder &f, Value a, Value b) {
  Value aLarger = f.cmp(CmpFPredicate::OGT, a, b);
  Value larger = f.select(aLarger, a, b);
  Value smaller = f.select(aLarger, b, a);
  Value sum = f.add(larger, smaller);
  return {sum, f.add(f.sub(larger, sum), smaller)};
}

/// a·b as the rounded product and its exact error (an fma), for products
/// that do not underflow.
std::pair<Value, Value> twoProduct(Builder &f, Value a, Value b) {
  Value product = f.mul(a, b);
  return {product, f.fma(a, b, arith::NegFOp::create(f.b, product))};
}

} // namespace

namespace {

/// sigmoid(x) = 1/(1 + e^-x) with e^-x = m·2^n, multiplied through by 2^-n:
/// 2^-n/(m + 2^-n) = 2^-n/(d + dLo), d + dLo = m + 2^-n but for the
/// rounding of p = m - 1 (and, below x = -16.6, one more of the same
/// size). One form for both signs, and nothing overflows for x in
/// [-120, 20] (or NaN), where n is in [-29, 173].
struct SigmoidDenominator {
  Value d, dLo;
  Value negN, negNi; // -n as a float and as an i32
};

/// 2^-n/(m + 2^-n) = q·(1 + residual)·2^-n from the denominator.
struct SigmoidParts {
  Value q, residual;
  Value negN, negNi;
};

SigmoidDenominator sigmoidDenominator(Builder &f, Value x) {
  // e^-x = m·2^n, m = e^r.
  auto [negN, negNi, r] = reduceF32Negated(f, x, -1.0);
  // m + 2^-n = (1 + 2^-n) + p with p = e^r - 1, summed as d = c + p with
  // c = 1 + 2^-n, and its tail dLo = ((1 - d) + 2^-n) + p, in which 1 - d
  // is exact (d is in [0.7, 2^24) here, or x is above 16.6). For
  // |n| <= 23, c is exact and so is (1 - d) + 2^-n = c - d (a multiple of
  // 2^-23 below 0.5 in magnitude); adding p then gives d's rounding error
  // exactly (Fast2Sum: c >= 1 > |p|). For n >= 24 (x below -16.6), c rounds
  // to 1, and (1 - d) + 2^-n rounds by at most 2^-26 against d >= 0.7 (the
  // exhaustive sweep's largest sigmoid error, 1.046 ULP at x = -37.8, lies
  // in this range and is the same as with that sum's error carried as a
  // third term); for n <= -24 (x above 16.6) the result rounds to 1. So the
  // residual 1 - q·(d + dLo) is that of the denominator as computed, and
  // the rounding of p (at most 2^-26, against d >= 0.7) the largest error
  // left before the last rounding. p is never added to 1 on its own: one
  // rounding fewer than forming m first.
  Value p = expOfReducedLessOne(f, r);
  Value scale = scaleByPowerOfTwo(f, f.c(1.0), negN, negNi);
  Value d = f.add(f.add(f.c(1.0), scale), p);
  Value dLo = f.add(f.add(f.sub(f.c(1.0), d), scale), p);
  return {d, dLo, negN, negNi};
}

SigmoidParts sigmoidParts(Builder &f, const SigmoidDenominator &denominator) {
  auto [q, residual] =
      reciprocalOfSplit(f, denominator.d, denominator.dLo,
                        /*mayEstimate=*/true);
  return {q, residual, denominator.negN, denominator.negNi};
}

} // namespace

SmallVector<Value> buildSigmoidF32Start(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // x clamped to [-105, 20]: sigmoid rounds to 0 below -103.98 and to 1
  // above 16.7; NaN passes the clamp.
  SigmoidDenominator denominator =
      sigmoidDenominator(f, clampKeepNaN(b, x, f.c(-105.0), f.c(20.0)));
  return {denominator.d, denominator.dLo, denominator.negN, denominator.negNi};
}

Value buildSigmoidF32Finish(ImplicitLocOpBuilder &b, ValueRange start) {
  Builder f(b, start[0]);
  SigmoidParts parts = sigmoidParts(f, {start[0], start[1], start[2], start[3]});
  // q + q·residual rounded once, then scaled by 2^-n: exactly unless the
  // result is subnormal (x below -87.3), where that is the one rounding to
  // the subnormal grid.
  return scaleByPowerOfTwo(f, f.fma(parts.q, parts.residual, parts.q),
                           parts.negN, parts.negNi);
}

Value buildSigmoidF32(ImplicitLocOpBuilder &b, Value x) {
  return buildSigmoidF32Finish(b, buildSigmoidF32Start(b, x));
}

namespace {

/// sigmoid's parts (SigmoidDenominator, sigmoidParts) for |x| <= 16, with
/// 2^-n as a float: there |n| <= 23, so 2^-n is normal and 1 + 2^-n exact,
/// and none of the general form's guards is needed. The same reduction as
/// the general form's (no clamp changes x here), so the same n and r;
/// then 2^-n built in the exponent field from -n as an i32 (in place of
/// vscalefps, which takes two of the add pipes' slots on Zen 5), and the
/// tail as (1 + 2^-n - d) + p, which equals the general
/// ((1 - d) + 2^-n) + p here, both exact. Returns d, its tail and 2^-n.
///
/// With `extended`, for |x| <= 64: |n| <= 93, so 2^-n is still normal,
/// but 1 + 2^-n rounds from |n| = 24 on, and the tail is the general
/// form's own ((1 - d) + 2^-n) + p, one addition more. The general form
/// clamps x to [-105, 20], which changes nothing below 20; above it,
/// sigmoid rounds to 1 and silu to x whether x is clamped or not. Every
/// f32 in [-64, 64] gives the general form's bits, sigmoid's and silu's,
/// in an exhaustive comparison of the two (a C copy of both; sigmoid's
/// already to 87, but silu's x·q·residual·2^-n, which the general form
/// keeps normal, turns subnormal below about -77).
SmallVector<Value> centralSigmoidDenominator(Builder &f, Value x,
                                             bool extended) {
  auto [negN, negNi, r] = reduceF32Negated(f, x, -1.0);
  Value scale = powerOfTwo(f, negNi);
  Value p = expOfReducedLessOne(f, r);
  Value c = f.add(f.c(1.0), scale);
  Value d = f.add(c, p);
  Value dLo = extended ? f.add(f.add(f.sub(f.c(1.0), d), scale), p)
                       : f.add(f.sub(c, d), p);
  return {d, dLo, scale};
}

} // namespace

SmallVector<Value> buildSigmoidF32CentralStart(ImplicitLocOpBuilder &b,
                                               Value x) {
  Builder f(b, x);
  return centralSigmoidDenominator(f, x, /*extended=*/false);
}

SmallVector<Value> buildSigmoidF32ExtendedStart(ImplicitLocOpBuilder &b,
                                                Value x) {
  Builder f(b, x);
  return centralSigmoidDenominator(f, x, /*extended=*/true);
}

Value buildSigmoidF32CentralFinish(ImplicitLocOpBuilder &b,
                                   ValueRange start) {
  Builder f(b, start[0]);
  Value d = start[0], dLo = start[1], scale = start[2];
  auto [q, residual] = reciprocalOfSplit(f, d, dLo, /*mayEstimate=*/true);
  // (q + q·residual)·2^-n rounded once, as the general form's scaling of
  // the rounded q + q·residual: q·2^-n is exact, and so is the scaling of
  // the sum, whose result is normal (above 2^-25 for |x| <= 16, 2^-93
  // for |x| <= 64).
  Value scaledQ = f.mul(q, scale);
  return f.fma(scaledQ, residual, scaledQ);
}

Value buildRangeExceeded(ImplicitLocOpBuilder &b, Value x, double bound) {
  Builder f(b, x);
  // |x| > bound as integers: the bits of a float without its sign (shifted
  // out) order as its magnitude does, and NaN's lie above every finite
  // float's and infinity's, so NaN is outside too. Two integer operations,
  // which any of the four vector pipes takes, in place of an absolute
  // value and a float compare: sigmoid 1.5-2.3% and silu 3.6-3.9% faster
  // over 4096 and 262144 floats in [-8, 8), both 10-11% in [-30, 30),
  // where every step checks two ranges (A/B, medians of 7 rounds).
  Value magnitudeBits = f.shl(f.toBits(x), 1);
  Value limit = f.shl(f.toBits(f.c(bound)), 1);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, magnitudeBits,
                               limit);
}

SmallVector<Value> buildSiluF32Start(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // silu(x) = x·q·(1 + residual)·2^-n with sigmoid's parts: x·q + x·q·
  // residual in one fma, which rounds the exact x·q plus a term about
  // 2^-24 of it (whose own roundings are about 2^-48 of the result), then
  // scaled by 2^-n: exactly unless the result is subnormal (x below about
  // -92), where that is the one rounding to the subnormal grid.
  //
  // The parts take x clamped to [-120, 20], the fma's x·q x clamped below
  // only. Past 20, q is 2^-29 exactly and 2^-n is 2^29, so x·q·2^-n is x
  // itself (+inf too; the fma cannot overflow), and the residual's term,
  // taken with the clamped x, is far below x·q's last bit. Below -120 the
  // result is x·0: the -0 that the clamped product rounds to, and NaN for
  // -inf, as x·sigmoid(x) gives. NaN passes the clamps and stays NaN.
  Value low = f.c(-120.0);
  Value belowRange = f.cmp(CmpFPredicate::OLT, x, low);
  Value atLeastLow = f.select(belowRange, low, x);
  Value twenty = f.c(20.0);
  Value clamped = f.select(f.cmp(CmpFPredicate::OLT, twenty, atLeastLow),
                           twenty, atLeastLow);
  SigmoidDenominator denominator = sigmoidDenominator(f, clamped);
  return {denominator.d,
          denominator.dLo,
          denominator.negN,
          denominator.negNi,
          clamped,
          atLeastLow,
          x,
          belowRange};
}

Value buildSiluF32Finish(ImplicitLocOpBuilder &b, ValueRange start) {
  Builder f(b, start[0]);
  Value clamped = start[4], atLeastLow = start[5], x = start[6],
        belowRange = start[7];
  SigmoidParts parts =
      sigmoidParts(f, {start[0], start[1], start[2], start[3]});
  Value correction = f.mul(clamped, f.mul(parts.q, parts.residual));
  Value product = f.fma(atLeastLow, parts.q, correction);
  Value result = scaleByPowerOfTwo(f, product, parts.negN, parts.negNi);
  return f.select(belowRange, f.mul(x, f.c(0.0)), result);
}

Value buildSiluF32(ImplicitLocOpBuilder &b, Value x) {
  return buildSiluF32Finish(b, buildSiluF32Start(b, x));
}

SmallVector<Value> buildSiluF32CentralStart(ImplicitLocOpBuilder &b,
                                            Value x) {
  Builder f(b, x);
  SmallVector<Value> start =
      centralSigmoidDenominator(f, x, /*extended=*/false);
  start.push_back(x);
  return start;
}

SmallVector<Value> buildSiluF32ExtendedStart(ImplicitLocOpBuilder &b,
                                             Value x) {
  Builder f(b, x);
  SmallVector<Value> start = centralSigmoidDenominator(f, x, /*extended=*/true);
  start.push_back(x);
  return start;
}

Value buildSiluF32CentralFinish(ImplicitLocOpBuilder &b, ValueRange start) {
  Builder f(b, start[0]);
  Value d = start[0], dLo = start[1], scale = start[2], x = start[3];
  auto [q, residual] = reciprocalOfSplit(f, d, dLo, /*mayEstimate=*/true);
  // buildSiluF32Finish's x·q·residual + x·q with q·2^-n in place of q:
  // each product is 2^-n times the general form's, exactly, and so is the
  // fma's result. Below |x| = 0.35 (where x·q·residual may be subnormal)
  // 2^-n is 1; above, |x|·q·2^-n >= 2^-25 for |x| <= 16, and every
  // product stays far above the subnormal range. For |x| <= 64, where
  // q·2^-n·residual comes within a few powers of two of it, the
  // exhaustive comparison of centralSigmoidDenominator shows the same
  // bits.
  Value scaledQ = f.mul(q, scale);
  Value correction = f.mul(x, f.mul(scaledQ, residual));
  return f.fma(x, scaledQ, correction);
}

Value buildTanhF32(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  // tanh(a) for a = |x| in two forms, both computed and one selected:
  // a + a·a²·P(a²) below 0.75, and 1 - 2/(1 + e^2a) from there on, where
  // the quotient is below 0.18 and its error counts at most 0.73 times
  // against the result. From a = 9.02 on tanh rounds to 1; clamping at 9.2
  // keeps 2^n normal. NaN passes the clamp and the polynomial.
  Value a = math::AbsFOp::create(b, x);
  Value limit = f.c(9.2);
  a = f.select(f.cmp(CmpFPredicate::OGT, a, limit), limit, a);
  // The polynomial: its tail a·t·P is at most 0.18 of the result, so its
  // roundings move the result by about 2^-26; one rounding at the end.
  Value t = f.mul(a, a);
  Value nearZero = f.fma(f.mul(a, t), tanhOddTail(f, t), a);
  // 1/(1 + e^2a) with e^2a = m·2^n, multiplied through by 2^-n:
  // 2^-n/((1 + 2^-n) + p), p = m - 1, as in sigmoid but with the
  // denominator rounded twice and the quotient once (n is 2 to 27 here).
  // The reduction gives r/2, and p = e^r - 1 comes as p/2 (exact
  // halvings), which the fma forming the denominator doubles back; -2/d
  // is -2 times the rounded 1/d, and one fma scales it and adds 1.
  auto [negN, negNi, halfR] = reduceF32Negated(f, a, 2.0);
  Value scale = scaleByPowerOfTwo(f, f.c(1.0), negN, negNi);
  Value d = f.fma(halfExpOfReducedLessOne(f, halfR), f.c(2.0),
                  f.add(f.c(1.0), scale));
  Value farFromZero =
      f.fma(arith::DivFOp::create(b, f.c(-2.0), d), scale, f.c(1.0));
  Value magnitude = f.select(f.cmp(CmpFPredicate::OLT, a, f.c(0.75)),
                             nearZero, farFromZero);
  // The sign of x, put back last: tanh(-0) = -0, and NaN stays NaN.
  Value sign = arith::AndIOp::create(
      b, f.toBits(x), f.ci(std::numeric_limits<int32_t>::min()));
  return f.fromBits(arith::OrIOp::create(b, f.toBits(magnitude), sign));
}

double normalExpFloor(int64_t scaleExponent) {
  // n = round(t·log2(e)) + scaleExponent stays at or above -125 for t
  // down to -86.5 - ln2·scaleExponent (-86.5·log2(e) = -124.8), so that
  // 2^n and e^t·2^scaleExponent >= 0.7·2^n are normal.
  return -86.5 - kLn2 * scaleExponent;
}

SmallVector<Value> buildExpF32SplitStart(ImplicitLocOpBuilder &b, Value t,
                                         int64_t scaleExponent,
                                         ExpDomain domain) {
  Builder f(b, t);
  // Below the floor exp(t)·2^scaleExponent rounds to 0 (t = -103.97 without
  // scaling); reduceF32 works down to -173. In the normal domain t is
  // above both.
  if (domain == ExpDomain::Any) {
    Value floor = f.c(-105.0 - kLn2 * scaleExponent);
    t = f.select(f.cmp(CmpFPredicate::OLT, t, floor), floor, t);
  }
  auto [n, ni, r] = reduceF32(f, t);
  if (scaleExponent != 0) {
    n = f.add(n, f.c(static_cast<double>(scaleExponent)));
    ni = f.addi(ni, f.ci(scaleExponent));
  }
  return {expOfReducedLessOne(f, r), n, ni};
}

std::pair<Value, Value> buildExpF32SplitFinish(ImplicitLocOpBuilder &b,
                                               ValueRange start,
                                               ExpDomain domain) {
  Builder f(b, start[0]);
  Value p = start[0], n = start[1], ni = start[2];
  if (domain == ExpDomain::Normal) {
    // 2^n and e^r·2^n are normal: the head 2^n + 2^n·p rounded once, which
    // is the rounded 1 + p scaled exactly, and the tail the fma's rounding
    // error, 2^n·p + (2^n - head) (the difference exact, Sterbenz: the
    // head is within a factor 1.5 of 2^n) rounded once, as the Any
    // domain's scaling of the tail rounds it (lo·2^n may be subnormal).
    Value scale = powerOfTwo(f, ni);
    Value hi = f.fma(scale, p, scale);
    return {hi, f.fma(scale, p, f.sub(scale, hi))};
  }
  // e^r = hi + lo, each part scaled.
  auto [hi, lo] = onePlus(f, p);
  return {scaleByPowerOfTwo(f, hi, n, ni), scaleByPowerOfTwo(f, lo, n, ni)};
}

std::pair<Value, Value> buildExpF32Split(ImplicitLocOpBuilder &b, Value t,
                                         int64_t scaleExponent) {
  return buildExpF32SplitFinish(b,
                                buildExpF32SplitStart(b, t, scaleExponent));
}

/// e = exp(-|x|) = eHi + eLo as in sigmoid (subnormal from -87.3 on, 0
/// below -104): the first stage of softplus and log_sigmoid.
static std::pair<Value, Value> expNegAbs(Builder &f, Value x) {
  return buildExpF32Split(
      f.b, arith::NegFOp::create(f.b, math::AbsFOp::create(f.b, x)));
}

/// log1p(eHi + eLo) = hi + lo for e = exp(-|x|) as expNegAbs gives it
/// (NaN gives NaN), within about 2^-26 relative: the second stage's shared
/// part.
static std::pair<Value, Value> log1pOfSplit(Builder &f, Value eHi,
                                            Value eLo) {
  // log(1 + e) = 2·atanh(s) with s = e/(2 + e) in [0, 1/3], taken as
  // 2s = e/(1 + e/2) = e·q·(1 + residual) as in sigmoid, q = 1/(1 + e/2)
  // rounded. The halved denominator (Fast2Sum: 1 >= e/2; the fma adds
  // e's tail) makes q twice the 1/(2 + e) of the form 2·(e/(2 + e)): the
  // same bits, doubled, without doubling anything after. For subnormal e,
  // q is 1 to within 2^-127 and e·q rounds to e itself, so the result gets
  // no second rounding there.
  Value halfHi = f.mul(eHi, f.c(0.5));
  Value dHi = f.add(f.c(1.0), halfHi);
  Value dLo = f.fma(eLo, f.c(0.5), f.add(f.sub(f.c(1.0), dHi), halfHi));
  // (With the estimate, sHi and sLo below would need renormalizing: that
  // measured 6% slower than the division.)
  auto [q, residual] =
      reciprocalOfSplit(f, dHi, dLo, /*mayEstimate=*/false);
  auto [sHi, sError] = twoProduct(f, eHi, q);
  Value sLo = f.fma(sHi, residual, f.fma(eLo, q, sError));
  // 2·atanh(s) = 2s + 2s·w·R(w), w = s² <= 1/9, R a degree-4 near-minimax
  // fit of (atanh(s) - s)/s³ (tools/approx-coefficients.py): within 2^-29.9
  // of 2·atanh(s) relative; the tail is below 4% of 2s. Here in v = (2s)²
  // = 4w: 2s·v·R(v/4)/4, whose coefficients are R's times powers of two,
  // so every step is the w form's scaled, exactly.
  Value v = f.mul(sHi, sHi);
  Value r = f.hornerOfScaled({0x1.dbc0b6p-4, 0x1.bc8718p-4, 0x1.24c954p-3,
                              0x1.9998d4p-3, 0x1.555556p-2},
                             v, -2);
  return {sHi, f.fma(f.mul(sHi, v), r, sLo)};
}

/// m + (hi + lo) for m >= 0 and hi > 0, rounded once: the larger of m and
/// hi first (Fast2Sum), so that the error of their sum is exact. NaN in
/// hi gives NaN.
static Value addToSplit(Builder &f, Value m, Value hi, Value lo) {
  auto [sum, error] = orderedTwoSum(f, m, hi);
  return f.add(sum, f.add(error, lo));
}

Value buildSoftplusF32(ImplicitLocOpBuilder &b, Value x, float threshold) {
  return buildSoftplusF32Finish(b, buildSoftplusF32Start(b, x), threshold);
}

SmallVector<Value> buildSoftplusF32Start(ImplicitLocOpBuilder &b, Value x) {
  Builder f(b, x);
  auto [eHi, eLo] = expNegAbs(f, x);
  return {eHi, eLo, x};
}

Value buildSoftplusF32Finish(ImplicitLocOpBuilder &b, ValueRange start,
                             float threshold) {
  // softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow, no
  // cancellation (both terms are non-negative).
  Builder f(b, start[0]);
  Value x = start[2];
  auto [hi, lo] = log1pOfSplit(f, start[0], start[1]);
  Value zero = f.c(0.0);
  Value positive = f.select(f.cmp(CmpFPredicate::OGT, x, zero), x, zero);
  Value smooth = addToSplit(f, positive, hi, lo);
  // Past the threshold (also +inf) x itself; NaN compares false.
  return f.select(f.cmp(CmpFPredicate::OGT, x, f.c(threshold)), x, smooth);
}

Value buildLogSigmoidF32(ImplicitLocOpBuilder &b, Value x) {
  return buildLogSigmoidF32Finish(b, buildLogSigmoidF32Start(b, x));
}

SmallVector<Value> buildLogSigmoidF32Start(ImplicitLocOpBuilder &b, Value x) {
  return buildSoftplusF32Start(b, x);
}

Value buildLogSigmoidF32Finish(ImplicitLocOpBuilder &b, ValueRange start) {
  // log_sigmoid(x) = 0 - (max(-x, 0) + log1p(exp(-|x|))), x itself far
  // below 0. Where the sum rounds to 0 (x > 103.97) that gives +0, as
  // PyTorch's f32 kernel and, from x = 745.2 on, the interpreter do (which
  // gives -0 between the two).
  Builder f(b, start[0]);
  Value x = start[2];
  auto [hi, lo] = log1pOfSplit(f, start[0], start[1]);
  Value zero = f.c(0.0);
  Value negative = f.select(f.cmp(CmpFPredicate::OLT, x, zero),
                            arith::NegFOp::create(b, x), zero);
  Value result = f.sub(zero, addToSplit(f, negative, hi, lo));
  // Below -2^64 the result is x itself (log1p(e) <= ln2 is far below its
  // ULP), also for -inf, where the sum's error term would be NaN.
  return f.select(f.cmp(CmpFPredicate::OLT, x, f.c(-0x1p64)), x, result);
}

} // namespace soma::lowering
