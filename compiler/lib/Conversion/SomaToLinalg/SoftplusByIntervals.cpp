//===- SoftplusByIntervals.cpp - softplus from 31 polynomials, AVX-512 ----===//
//
// softplus and log_sigmoid in f32 on AVX-512 targets, without exp, log or
// division: softplus(x) = p + g(a) with g(a) = log(1 + e^a), where a = x
// and p = 0 up to x = 0.95, and a = -x and p = x above it (softplus(x) =
// x + g(-x) exactly), so that g(a) is at most a quarter of the result
// wherever it is added to a non-zero p, and its rounding counts at most an
// eighth of an ULP. a then falls in one of 31 intervals of width 0.64
// centered on k·0.64, k in [-29, 1], picked by rounding a·1.5625; on each,
// a degree-6 polynomial in r = a - m, centered on an m whose g is within
// about 2^-11 ULP of an f32 (Gal's accurate tables; r is exact by Sterbenz,
// and m = 0 around 0 keeps tiny inputs exact). Below a = -18.5,
// g(a) = e^a to within 2^-27.7 relative, and the 32nd entry of the tables
// is e^r on |r| <= ln2/2 for sigmoid's reduction e^a = 2^n·e^r
// (buildExpReductionF32, ApproxMath.cpp): those lanes take
// r for their argument and are scaled by 2^n (vscalefps) after, which
// rounds subnormal results once more, underflowing gradually to 0 at
// -103.97. tools/softplus-intervals.py fits and measures the tables.
//
// Each coefficient is a gather from a 32-entry table, which
// soma-gather-to-permute makes AVX-512's two-register permute (vpermi2ps):
// 8 permutes, 7 fmas (6 of them the polynomial's) and 10 other vector
// instructions per 16 elements, against 45 for the exponential-and-
// logarithm form that AVX2 targets keep (ApproxMath.cpp). The exponential's
// lanes cost 10 more, so a vector takes them only when one of its lanes is
// below -18.5 (|x| above about 18.5), one branch per vector: 0.185 ns per
// element in cache with inputs in [-8, 8), 0.283 with inputs in [-30, 30),
// where every vector takes them (0.41 and 0.5 for the other form, on the
// same Zen 5 core). Either way a lane's bits are the same. Rounding the
// polynomial's terms costs little next to its last rounding, and the
// exhaustive sweep measures softplus and log_sigmoid within 0.901 ULP of
// exact (1.059 for the other form).
//
// As for tanh, narrower vectors and scalars of an AVX-512 compilation are
// widened to 16 lanes, so every softplus of the compilation gives the same
// bits.
//
//===----------------------------------------------------------------------===//

#include "ApproxMath.h"
#include "Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace soma::lowering;

using arith::CmpFPredicate;

namespace {

// Printed by tools/softplus-intervals.py: per entry its center m and the
// coefficients c0..c6 of g(m + r) ≈ c0 + r·(c1 + r·(c2 + ... + r·c6)),
// entry k + 29 for the interval around k·0.64; entry 31 is e^r.
constexpr float kSoftplusCenters[32] = {
    -0x1.28f60cp+4f, -0x1.1ebc9p+4f, -0x1.14799p+4f, -0x1.0a4506p+4f,
    -0x1.fffee2p+3f, -0x1.eb8246p+3f, -0x1.d7079cp+3f, -0x1.c29328p+3f,
    -0x1.ae1052p+3f, -0x1.99931p+3f, -0x1.851d1ap+3f, -0x1.70a1fp+3f,
    -0x1.5c2a96p+3f, -0x1.47abf4p+3f, -0x1.333578p+3f, -0x1.1ebff8p+3f,
    -0x1.0a4484p+3f, -0x1.eb8cb6p+2f, -0x1.c28b28p+2f, -0x1.9993cep+2f,
    -0x1.709e06p+2f, -0x1.47a702p+2f, -0x1.1eb9fcp+2f, -0x1.eb7ebap+1f,
    -0x1.9999d8p+1f, -0x1.47b3dap+1f, -0x1.eb822ap+0f, -0x1.47b272p+0f,
    -0x1.47acaap-1f, 0x0p+0f, 0x1.47acaap-1f, 0x0p+0f,
};
constexpr float kSoftplusCoefficients[7][32] = {
    {
        0x1.2ae446p-27f, 0x1.1b25cap-26f, 0x1.0cdb52p-25f, 0x1.fcc65ap-25f,
        0x1.e3669ap-24f, 0x1.ca7a18p-23f, 0x1.b2bc2p-22f, 0x1.9be8eap-21f,
        0x1.86f80cp-20f, 0x1.72d706p-19f, 0x1.5f6f14p-18f, 0x1.4d412ep-17f,
        0x1.3bde36p-16f, 0x1.2ba74ep-15f, 0x1.1bfc94p-14f, 0x1.0d1a48p-13f,
        0x1.fe5abap-13f, 0x1.e41464p-12f, 0x1.cb4262p-11f, 0x1.b35c12p-10f,
        0x1.9c84f2p-9f, 0x1.86a5aap-8f, 0x1.713f4ep-7f, 0x1.5c7ccp-6f,
        0x1.474b9ap-5f, 0x1.30f224p-4f, 0x1.18315ap-3f, 0x1.f665a4p-3f,
        0x1.b1aa0cp-2f, 0x1.62e43p-1f, 0x1.1040d8p+0f, 0x1p+0f,
    },
    {
        0x1.2ae446p-27f, 0x1.1b25cap-26f, 0x1.0cdb52p-25f, 0x1.fcc65ap-25f,
        0x1.e36698p-24f, 0x1.ca7a16p-23f, 0x1.b2bc1ap-22f, 0x1.9be8ep-21f,
        0x1.86f7fap-20f, 0x1.72d6e4p-19f, 0x1.5f6ed8p-18f, 0x1.4d40c2p-17f,
        0x1.3bdd74p-16f, 0x1.2ba5fp-15f, 0x1.1bfa1ep-14f, 0x1.0d15dcp-13f,
        0x1.fe4ad6p-13f, 0x1.e3f7cap-12f, 0x1.cb0ee8p-11f, 0x1.b2ff94p-10f,
        0x1.9bdefp-9f, 0x1.857c34p-8f, 0x1.6f2cb6p-7f, 0x1.58ceaap-6f,
        0x1.40d7e2p-5f, 0x1.25defp-4f, 0x1.05deecp-3f, 0x1.bd8508p-3f,
        0x1.6188f4p-2f, 0x1p-1f, 0x1.4f3b86p-1f, 0x1p+0f,
    },
    {
        0x1.2ae444p-28f, 0x1.1b25c8p-27f, 0x1.0cdb5p-26f, 0x1.fcc656p-26f,
        0x1.e3669p-25f, 0x1.ca7a0ep-24f, 0x1.b2bc0ap-23f, 0x1.9be8c8p-22f,
        0x1.86f7d2p-21f, 0x1.72d69cp-20f, 0x1.5f6e5ep-19f, 0x1.4d3fe8p-18f,
        0x1.3bdbeep-17f, 0x1.2ba332p-16f, 0x1.1bf53p-15f, 0x1.0d0d02p-14f,
        0x1.fe2b0cp-14f, 0x1.e3be96p-13f, 0x1.caa8p-12f, 0x1.b246cap-11f,
        0x1.9a939cp-10f, 0x1.832ba2p-9f, 0x1.6b0f74p-8f, 0x1.518cfap-7f,
        0x1.3446fep-6f, 0x1.10c972p-5f, 0x1.c8c5c8p-5f, 0x1.5c9a12p-4f,
        0x1.cef46ap-4f, 0x1.ffffd8p-4f, 0x1.cef46cp-4f, 0x1.fffff8p-2f,
    },
    {
        0x1.8e84f2p-30f, 0x1.7986eep-29f, 0x1.6678e2p-28f, 0x1.532dd4p-27f,
        0x1.4243fp-26f, 0x1.31a592p-25f, 0x1.21d248p-24f, 0x1.129a74p-23f,
        0x1.04a444p-22f, 0x1.ee7268p-22f, 0x1.d490d4p-21f, 0x1.bc51c4p-20f,
        0x1.a51fap-19f, 0x1.8f7b8ep-18f, 0x1.7a8e76p-17f, 0x1.66a468p-16f,
        0x1.53f116p-15f, 0x1.423272p-14f, 0x1.313b7cp-13f, 0x1.208d8ep-12f,
        0x1.0ffec6p-11f, 0x1.fe159ep-11f, 0x1.d93a3ap-10f, 0x1.af1feep-9f,
        0x1.7ad86ep-8f, 0x1.3786d2p-7f, 0x1.c548d4p-7f, 0x1.069232p-6f,
        0x1.7e1058p-7f, -0x1.f954d6p-33f, -0x1.7e107p-7f, 0x1.55548ep-3f,
    },
    {
        0x1.8e88f2p-32f, 0x1.798a5ap-31f, 0x1.667bbcp-30f, 0x1.532f6cp-29f,
        0x1.4248b8p-28f, 0x1.31a6b4p-27f, 0x1.21d6fcp-26f, 0x1.129d5cp-25f,
        0x1.04a644p-24f, 0x1.ee7b7cp-24f, 0x1.d4917cp-23f, 0x1.bc4f84p-22f,
        0x1.a5179cp-21f, 0x1.8f6da6p-20f, 0x1.7a787ep-19f, 0x1.667c8ap-18f,
        0x1.539c7ep-17f, 0x1.419f46p-16f, 0x1.302bd2p-15f, 0x1.1ea2b8p-14f,
        0x1.0c9374p-13f, 0x1.f1e9e8p-13f, 0x1.c3e3bap-12f, 0x1.8a6f0cp-11f,
        0x1.3e3e78p-10f, 0x1.b4b3f6p-10f, 0x1.92fe74p-10f, -0x1.3d978p-13f,
        -0x1.b7e1a6p-9f, -0x1.5521e4p-8f, -0x1.b7ea42p-9f, 0x1.555b9ap-5f,
    },
    {
        0x1.40050cp-34f, 0x1.2f321p-33f, 0x1.1ff1eap-32f, 0x1.108d72p-31f,
        0x1.02b55cp-30f, 0x1.eb579p-30f, 0x1.d14cdap-29f, 0x1.b91fe6p-28f,
        0x1.a2d48cp-27f, 0x1.8ccd8p-26f, 0x1.78546ep-25f, 0x1.64e8b4p-24f,
        0x1.526d9cp-23f, 0x1.40f048p-22f, 0x1.2fb8d2p-21f, 0x1.1f4724p-20f,
        0x1.10705ap-19f, 0x1.01335ep-18f, 0x1.e53288p-18f, 0x1.c6852ep-17f,
        0x1.a453b6p-16f, 0x1.7ca49ap-15f, 0x1.49254ep-14f, 0x1.0374b4p-13f,
        0x1.49de6cp-13f, 0x1.87d73ap-14f, -0x1.f0f836p-13f, -0x1.b33c8ap-11f,
        -0x1.019de6p-10f, 0x1.600046p-29f, 0x1.01a8c6p-10f, 0x1.123beep-7f,
    },
    {
        0x1.a70dfap-37f, 0x1.9145b4p-36f, 0x1.7d6052p-35f, 0x1.6a2a7p-34f,
        0x1.5494cep-33f, 0x1.469e16p-32f, 0x1.31d3eap-31f, 0x1.2367f6p-30f,
        0x1.153246p-29f, 0x1.03c5fp-28f, 0x1.f2c6e4p-28f, 0x1.d9bc2p-27f,
        0x1.c31fa8p-26f, 0x1.ab20a4p-25f, 0x1.90a652p-24f, 0x1.77b7f2p-23f,
        0x1.69dbacp-22f, 0x1.4fd4b6p-21f, 0x1.3d0606p-20f, 0x1.26fd9ep-19f,
        0x1.089784p-18f, 0x1.cb188ap-18f, 0x1.626b6ep-17f, 0x1.9d161p-17f,
        0x1.a20274p-20f, -0x1.5f56bp-15f, -0x1.111af2p-13f, -0x1.2ecbb4p-13f,
        0x1.cd1e72p-14f, 0x1.56b87ap-12f, 0x1.d58bdap-14f, 0x1.684fccp-10f,
    },
};

constexpr int kLanes = 16;

/// The entry's constants: 1/0.64 picks the interval; 1.5·2^23 rounds to
/// an integer when added (the shifter trick), and with 29 added to it
/// leaves k + 29 in the low bits of the sum.
constexpr float kInverseWidth = 1.5625f;
constexpr float kShifter = 0x1.8p23f;
constexpr int kLowestInterval = -29;
constexpr int kExpEntry = 31;
/// Below this a, g(a) is e^a for the last bit.
constexpr float kExpBelow = -18.5f;
/// p = x from here on.
constexpr float kReflectAbove = 0.95f;

/// Shorthands for ops on vector<16xf32> and its i32 twin.
struct Lanes {
  ImplicitLocOpBuilder &b;
  VectorType floatType, intType;

  Value floats(float value) { return constantLike(b, value, floatType); }
  Value ints(int32_t value) { return integerConstantLike(b, value, intType); }
  Value fma(Value x, Value y, Value z) {
    return LLVM::FMAOp::create(b, floatType, x, y, z);
  }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, condition, x, y);
  }
  Value below(Value x, float bound) {
    return arith::CmpFOp::create(b, CmpFPredicate::OLT, x, floats(bound));
  }
};

/// table[entry[i]] in lane i, as a gather from the constant 32-entry
/// table, which soma-gather-to-permute turns into AVX-512's permute of the
/// table's two halves once bufferized.
Value lookUp(Lanes &f, ArrayRef<float> table, Value entry) {
  ImplicitLocOpBuilder &b = f.b;
  auto tableType = RankedTensorType::get({32}, b.getF32Type());
  Value constant =
      arith::ConstantOp::create(b, DenseElementsAttr::get(tableType, table));
  Value allLanes = arith::ConstantOp::create(
      b, DenseElementsAttr::get(f.floatType.clone(b.getI1Type()), true));
  return vector::GatherOp::create(
             b, f.floatType, constant,
             ValueRange{arith::ConstantIndexOp::create(b, 0)}, entry,
             allLanes, f.floats(0.0f))
      .getResult();
}

/// g(a) from the polynomial of each lane's entry at its argument.
Value polynomialOfEntry(Lanes &f, Value entry, Value argument) {
  Value y = lookUp(f, kSoftplusCoefficients[6], entry);
  for (int k = 5; k >= 0; --k)
    y = f.fma(y, argument, lookUp(f, kSoftplusCoefficients[k], entry));
  return y;
}

/// g(a) for lanes none of which is below kExpBelow: the interval's
/// polynomial at r = a - m.
Value gOnIntervals(Lanes &f, Value a, Value entry) {
  ImplicitLocOpBuilder &b = f.b;
  Value r = arith::SubFOp::create(b, a, lookUp(f, kSoftplusCenters, entry));
  return polynomialOfEntry(f, entry, r);
}

/// g(a) for lanes of which some are below kExpBelow (`useExp`): those take
/// e^a = 2^n·e^r, a clamped at -105 (where 2^n·e^r rounds to 0), the
/// others their interval's polynomial as in gOnIntervals, with n = 0: the
/// same bits.
Value gWithExp(Lanes &f, Value a, Value entry, Value useExp) {
  ImplicitLocOpBuilder &b = f.b;
  Value clamped = f.select(f.below(a, -105.0f), f.floats(-105.0f), a);
  auto [n, ni, r] =
      buildExpReductionF32(b, f.select(useExp, clamped, f.floats(0.0f)));
  entry = f.select(useExp, f.ints(kExpEntry), entry);
  Value centered =
      arith::SubFOp::create(b, a, lookUp(f, kSoftplusCenters, entry));
  Value argument = f.select(useExp, r, centered);
  // ·2^n: exact but for subnormal results (n = 0 leaves y as it is).
  return buildScaleByPowerOfTwoF32(b, polynomialOfEntry(f, entry, argument),
                                   n, ni);
}

/// softplus of a vector<16xf32>: p + g(a) rounded once.
Value softplusOf16Lanes(ImplicitLocOpBuilder &b, Value x) {
  auto floatType = cast<VectorType>(x.getType());
  Lanes f{b, floatType, floatType.clone(b.getI32Type())};
  // a and p; NaN compares false and stays in a.
  Value reflect = arith::CmpFOp::create(b, CmpFPredicate::OGT, x,
                                        f.floats(kReflectAbove));
  Value a = f.select(reflect, arith::NegFOp::create(b, x), x);
  Value p = f.select(reflect, x, f.floats(0.0f));
  // The entry: k - kLowestInterval for k = round(a/0.64) (garbage for
  // NaN, masked into range: its r is NaN anyway).
  Value picked = f.fma(a, f.floats(kInverseWidth),
                       f.floats(kShifter - kLowestInterval));
  Value entry = arith::AndIOp::create(
      b, arith::BitcastOp::create(b, f.intType, picked), f.ints(31));
  // The exponential only when some lane needs it (one branch per vector:
  // activations rarely reach below -18.5, and the interval-only path has
  // 10 fewer instructions).
  Value useExp = f.below(a, kExpBelow);
  Value anyExp =
      vector::ReductionOp::create(b, vector::CombiningKind::OR, useExp);
  auto branch = scf::IfOp::create(
      b, anyExp,
      [&](OpBuilder &builder, Location loc) {
        ImplicitLocOpBuilder nested(loc, builder);
        Lanes lanes{nested, f.floatType, f.intType};
        scf::YieldOp::create(nested, gWithExp(lanes, a, entry, useExp));
      },
      [&](OpBuilder &builder, Location loc) {
        ImplicitLocOpBuilder nested(loc, builder);
        Lanes lanes{nested, f.floatType, f.intType};
        scf::YieldOp::create(nested, gOnIntervals(lanes, a, entry));
      });
  // p + g(a): for +inf, +inf + 0; NaN stays NaN.
  return arith::AddFOp::create(b, p, branch.getResult(0));
}

} // namespace

Value soma::lowering::buildSoftplusByIntervalsF32(ImplicitLocOpBuilder &b,
                                                  Value x, float threshold) {
  return onLanes(b, x, kLanes, [&](Value wide) -> Value {
    Value result = softplusOf16Lanes(b, wide);
    // Past the threshold x itself (PyTorch's linear region). From 16 on the
    // sum rounds to x anyway (g(-x) < 2^-23 is below half of x's last
    // bit), so a threshold there needs no select.
    if (threshold >= 16.0f)
      return result;
    Value floatThreshold = constantLike(b, threshold, wide.getType());
    Value linear = arith::CmpFOp::create(b, CmpFPredicate::OGT, wide,
                                         floatThreshold);
    return arith::SelectOp::create(b, linear, wide, result);
  });
}

Value soma::lowering::buildLogSigmoidByIntervalsF32(ImplicitLocOpBuilder &b,
                                                    Value x) {
  // log_sigmoid(x) = -softplus(-x), as 0 - softplus(-x): +0 where the
  // softplus rounds to 0 (x above 103.97), as PyTorch's f32 kernel gives.
  return onLanes(b, x, kLanes, [&](Value wide) -> Value {
    Value softplus = softplusOf16Lanes(b, arith::NegFOp::create(b, wide));
    return arith::SubFOp::create(
        b, constantLike(b, 0.0, wide.getType()), softplus);
  });
}
