//===- TanhByIntervals.cpp - tanh from 29 polynomials, AVX-512 ------------===//
//
// tanh in f32 on AVX-512 targets: |x| (clamped to 9.2) falls in one of 29
// intervals, [0, 0.078125) and then quarter binades up to [8, 10), picked
// by the top bits of its float representation; on each, a degree-6
// polynomial in r = |x| - m, centered on an m whose tanh is within about
// 2^-11 ULP of the f32 constant term (Gal's accurate tables;
// tools/tanh-intervals.py fits and measures the tables). Each coefficient
// is a gather from a 32-entry table, which soma-gather-to-permute makes
// AVX-512's two-register permute (vpermi2ps) of the table held in two
// registers: 8 table lookups, 6 fmas and a few integer ops, no division. Every
// rounding but the last is of a term at most about 0.1 of the result, so the
// result is within 1 ULP of exact (0.994 in the exhaustive sweep, against 1.06
// for the exponential form that AVX2 targets keep, ApproxMath.cpp).
//
// The permute exists for 16-lane vectors only; narrower vectors and
// scalars of an AVX-512 compilation are widened to 16 lanes and back, so
// that every tanh of the compilation (a fused epilogue of 4 or 8 lanes
// too) gives the same bits.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace soma::lowering;

namespace {

// Printed by tools/tanh-intervals.py: per interval its center m and the
// coefficients c0..c6 of tanh(m + r) ≈ c0 + r·(c1 + r·(c2 + ... + r·c6)).
// Entries 29-31 repeat the last interval.
constexpr float kTanhCenters[32] = {
    0x0p+0f,        0x1.5ff334p-4f, 0x1.9ffde6p-4f, 0x1.e00434p-4f,
    0x1.1ff20ep-3f, 0x1.6006ap-3f,  0x1.a01724p-3f, 0x1.e01738p-3f,
    0x1.1ff652p-2f, 0x1.600068p-2f, 0x1.9fefaap-2f, 0x1.e0167ep-2f,
    0x1.1ff3a2p-1f, 0x1.5ffc7cp-1f, 0x1.9fef8ap-1f, 0x1.dff95ap-1f,
    0x1.20155cp+0f, 0x1.5fef1ep+0f, 0x1.a01248p+0f, 0x1.dfe98p+0f,
    0x1.1ff226p+1f, 0x1.5ff05ep+1f, 0x1.9feb98p+1f, 0x1.e01726p+1f,
    0x1.2004d2p+2f, 0x1.5fe8bep+2f, 0x1.9fef28p+2f, 0x1.e0177p+2f,
    0x1.134aacp+3f, 0x1.134aacp+3f, 0x1.134aacp+3f, 0x1.134aacp+3f,
};
constexpr float kTanhCoefficients[7][32] = {
    {
        0x0p+0f,        0x1.5f161ep-4f, 0x1.9e9142p-4f, 0x1.ddd4b8p-4f,
        0x1.1e1024p-3f, 0x1.5c9976p-3f, 0x1.9a7552p-3f, 0x1.d77c5ap-3f,
        0x1.189aa6p-2f, 0x1.52c322p-2f, 0x1.8a79f8p-2f, 0x1.bfc09cp-2f,
        0x1.04ff48p-1f, 0x1.31559cp-1f, 0x1.577ff2p-1f, 0x1.77d528p-1f,
        0x1.9e6b72p-1f, 0x1.c27104p-1f, 0x1.d9cc3cp-1f, 0x1.e87494p-1f,
        0x1.f4bd6ep-1f, 0x1.fbd406p-1f, 0x1.fe75fcp-1f, 0x1.ff6f4cp-1f,
        0x1.ffdfacp-1f, 0x1.fffb9cp-1f, 0x1.ffff68p-1f, 0x1.ffffecp-1f,
        0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f,
    },
    {
        0x1p+0f,         0x1.fc3d04p-1f,  0x1.fac14cp-1f,  0x1.f9083cp-1f,
        0x1.f602cp-1f,   0x1.f12a74p-1f,  0x1.eb6f2p-1f,   0x1.e4dd2ap-1f,
        0x1.d98daap-1f,  0x1.c7f704p-1f,  0x1.b4048ap-1f,  0x1.9e1bbap-1f,
        0x1.7af43cp-1f,  0x1.49e972p-1f,  0x1.198bf2p-1f,  0x1.d83dd4p-2f,
        0x1.61204ep-2f,  0x1.cedcf8p-3f,  0x1.26374ep-3f,  0x1.700d5ap-4f,
        0x1.645bfp-5f,   0x1.09e80ap-6f,  0x1.896c66p-8f,  0x1.213f1cp-9f,
        0x1.02983ep-11f, 0x1.18ff4p-14f,  0x1.300052p-17f, 0x1.46bfb2p-20f,
        0x1.1cb486p-23f, 0x1.1cb486p-23f, 0x1.1cb486p-23f, 0x1.1cb486p-23f,
    },
    {
        -0x1.764008p-28f, -0x1.5c818ep-4f,  -0x1.9a51d2p-4f,  -0x1.d753c8p-4f,
        -0x1.187b64p-3f,  -0x1.527fdep-3f,  -0x1.89f89p-3f,   -0x1.be7f3cp-3f,
        -0x1.038884p-2f,  -0x1.2dafd6p-2f,  -0x1.4fef5ep-2f,  -0x1.6a24fep-2f,
        -0x1.8259eep-2f,  -0x1.897d76p-2f,  -0x1.79c73ap-2f,  -0x1.5aa5e4p-2f,
        -0x1.1dd33ap-2f,  -0x1.973662p-3f,  -0x1.104374p-3f,  -0x1.5f2088p-4f,
        -0x1.5c85a2p-5f,  -0x1.07bd6p-6f,   -0x1.883da6p-8f,  -0x1.20ed5ep-9f,
        -0x1.028768p-11f, -0x1.18fc6ap-14f, -0x1.2fff9cp-17f, -0x1.2b2714p-19f,
        -0x1.19b3f6p-21f, -0x1.19b3f6p-21f, -0x1.19b3f6p-21f, -0x1.19b3f6p-21f,
    },
    {
        -0x1.55551ep-2f, -0x1.4b5b68p-2f, -0x1.477446p-2f, -0x1.42f134p-2f,
        -0x1.3b15ccp-2f, -0x1.2ea296p-2f, -0x1.2024a6p-2f, -0x1.0fd8c6p-2f,
        -0x1.e92a82p-3f, -0x1.9857f6p-3f, -0x1.42882cp-3f, -0x1.d6e2ep-4f,
        -0x1.bd84acp-5f, 0x1.d70024p-7f,  0x1.0702cap-4f,  0x1.842b7p-4f,
        0x1.c691bep-4f,  0x1.97eebcp-4f,  0x1.33c164p-4f,  0x1.a89804p-5f,
        0x1.bc253cp-6f,  0x1.59e736p-7f,  0x1.03e95ap-8f,  0x1.805eccp-10f,
        0x1.584dcep-12f, 0x1.765e24p-15f, 0x1.950ce4p-18f, 0x1.d5742ep-21f,
        0x1.07b67ap-23f, 0x1.07b67ap-23f, 0x1.07b67ap-23f, 0x1.07b67ap-23f,
    },
    {
        -0x1.752e98p-15f, 0x1.7b6a22p-5f,   0x1.c706aep-5f,  0x1.0ff634p-4f,
        0x1.6daaa6p-4f,   0x1.afb6fcp-4f,   0x1.eb2f7ap-4f,  0x1.130eb8p-3f,
        0x1.331c72p-3f,   0x1.500418p-3f,   0x1.5c45e4p-3f,  0x1.587faep-3f,
        0x1.3a4f92p-3f,   0x1.e99228p-4f,   0x1.474e54p-4f,  0x1.629ba6p-5f,
        0x1.a5627ep-9f,   -0x1.5da1ep-6f,   -0x1.9d246ep-6f, -0x1.55f4b6p-6f,
        -0x1.940fb8p-7f,  -0x1.4e8abcp-8f,  -0x1.00c62ap-9f, -0x1.7eab8p-11f,
        -0x1.581cccp-13f, -0x1.7679a6p-16f, -0x1.95312p-19f, 0x1.5b6bbcp-17f,
        0x1.7dab38p-19f,  0x1.7dab38p-19f,  0x1.7dab38p-19f, 0x1.7dab38p-19f,
    },
    {
        0x1.1351e8p-3f,   0x1.e066aap-4f,   0x1.edec3ep-4f,   0x1.eddd4ap-4f,
        0x1.cbbdb8p-4f,   0x1.a25d64p-4f,   0x1.765c4ap-4f,   0x1.40f056p-4f,
        0x1.e3f4bap-5f,   0x1.05c1dp-5f,    0x1.8665a2p-8f,   -0x1.1a0b8ap-6f,
        -0x1.6440d8p-5f,  -0x1.f8901ap-5f,  -0x1.00c56ap-4f,  -0x1.b2c13cp-5f,
        -0x1.0614d6p-5f,  -0x1.37b382p-7f,  0x1.727b4p-10f,   0x1.2dc086p-8f,
        0x1.04db68p-8f,   0x1.f5ef74p-10f,  0x1.93ed7cp-11f,  0x1.3201cep-12f,
        0x1.1ca882p-14f,  0x1.366b22p-17f,  0x1.4fff72p-20f,  -0x1.4dd0dp-24f,
        -0x1.392d54p-24f, -0x1.392d54p-24f, -0x1.392d54p-24f, -0x1.392d54p-24f,
    },
    {
        -0x1.9b955ep-7f,  0x1.ab4d0cp+6f,   0x1.be0c54p+6f,   0x1.7e2834p+6f,
        -0x1.ce1eaep+0f,  -0x1.baf9ap-5f,   0x1.93b9b4p+0f,   -0x1.7a36d4p+0f,
        -0x1.6214ep-4f,   -0x1.7fc554p-8f,  -0x1.6ad43cp-4f,  -0x1.8a440cp-4f,
        -0x1.1a9f8cp-5f,  -0x1.a2cc7ap-7f,  0x1.43557p-8f,    0x1.f3904p-7f,
        0x1.2f1186p-6f,   0x1.673a8p-7f,    0x1.0f0a4p-8f,    0x1.449f8ap-11f,
        -0x1.7b3d14p-11f, -0x1.1d2812p-11f, -0x1.ff7328p-13f, -0x1.90a874p-14f,
        -0x1.76094p-16f,  -0x1.990cdcp-19f, -0x1.bb892p-22f,  -0x1.e2644cp-16f,
        -0x1.6778ecp-18f, -0x1.6778ecp-18f, -0x1.6778ecp-18f, -0x1.6778ecp-18f,
    },
};

constexpr int kLanes = 16;

/// tanh of a vector<16xf32>.
Value tanhOf16Lanes(ImplicitLocOpBuilder &b, Value x) {
  auto floatType = cast<VectorType>(x.getType());
  auto intType = floatType.clone(b.getI32Type());
  auto floats = [&](float value) { return constantLike(b, value, floatType); };
  auto ints = [&](int32_t value) {
    return integerConstantLike(b, value, intType);
  };
  // a = |x| clamped to 9.2, past which tanh rounds to 1 (from 9.011); NaN
  // passes the clamp.
  Value a = math::AbsFOp::create(b, x);
  Value limit = floats(9.2f);
  a = arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, a, limit), limit,
      a);
  // The interval: 4 per binade from the exponent and the top two mantissa
  // bits, counted from 2^-4 (whose bits >> 21 are 123·4), and everything
  // below 0.078125 in the first.
  Value aBits = arith::BitcastOp::create(b, intType, a);
  Value index = arith::SubIOp::create(
      b, arith::ShRUIOp::create(b, aBits, ints(21)), ints(123 * 4));
  index = arith::MaxSIOp::create(b, index, ints(0));
  // Table lookups: lane i gets table[index[i]], as a gather from a constant
  // tensor, which soma-gather-to-permute turns into AVX-512's permute of
  // the table's two halves once bufferized. The gather needs the index in
  // bounds, which only a NaN's is not: its bits past the exponent give a
  // garbage index, masked into range (r is NaN anyway).
  index = arith::AndIOp::create(b, index, ints(31));
  Value c0 = arith::ConstantIndexOp::create(b, 0);
  Value allLanes = arith::ConstantOp::create(
      b, DenseElementsAttr::get(floatType.clone(b.getI1Type()), true));
  Value passThrough = floats(0.0f);
  auto lookup = [&](ArrayRef<float> table) {
    auto tableType = RankedTensorType::get({32}, b.getF32Type());
    Value constant =
        arith::ConstantOp::create(b, DenseElementsAttr::get(tableType, table));
    return vector::GatherOp::create(b, floatType, constant, ValueRange{c0},
                                    index, allLanes, passThrough)
        .getResult();
  };
  // r = a - m is exact: m lies in a's interval, within a factor 2 of it.
  Value r = arith::SubFOp::create(b, a, lookup(kTanhCenters));
  Value y = lookup(kTanhCoefficients[6]);
  for (int k = 5; k >= 0; --k)
    y = LLVM::FMAOp::create(b, floatType, y, r, lookup(kTanhCoefficients[k]));
  // x's sign put back: tanh(-0) = -0.
  Value sign = arith::AndIOp::create(b, arith::BitcastOp::create(b, intType, x),
                                     ints(std::numeric_limits<int32_t>::min()));
  return arith::BitcastOp::create(
      b, floatType,
      arith::OrIOp::create(b, arith::BitcastOp::create(b, intType, y), sign));
}

} // namespace

Value soma::lowering::buildTanhByIntervalsF32(ImplicitLocOpBuilder &b,
                                              Value x) {
  return onLanes(b, x, kLanes,
                 [&](Value wide) { return tanhOf16Lanes(b, wide); });
}
