//===- ApproxMath.h - exp, expm1, log1p and log as arith ops ----*- C++ -*-===//
//
// Builders of f64 elementary functions as plain arith ops and fused
// multiply-adds (llvm.intr.fma: the LLVM dialect must be loaded), so
// that the activation loops that use them contain no libm call, vectorize,
// and give each element the same bits in a vector body as in a scalar
// remainder. Every builder takes and returns f64 or a vector of f64 and
// is accurate to a relative error below 2^-40 (ApproxMath.cpp states each
// bound and why it suffices).
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H
#define SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

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

/// 1 / d for d in [2^-126, 2^127) (where (float)d is a normal f32),
/// without an f64 division: the f32 quotient 1 / (float)d, widened and
/// refined by one Newton step in f64, has a relative error below 2^-45.
mlir::Value buildReciprocal(mlir::ImplicitLocOpBuilder &b, mlir::Value d);

} // namespace soma::lowering

#endif // SOMA_LIB_CONVERSION_SOMATOLINALG_APPROXMATH_H
