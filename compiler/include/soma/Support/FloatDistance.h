//===- FloatDistance.h - How far apart two f32 results are ------*- C++ -*-===//

#ifndef SOMA_SUPPORT_FLOATDISTANCE_H
#define SOMA_SUPPORT_FLOATDISTANCE_H

#include "llvm/ADT/ArrayRef.h"

namespace soma {

/// The number of f32 values from `a` to `b` (0 when equal, +0 and -0 being
/// one apart; 0 when both are NaN; infinite when only one is).
double ulpDistance(float a, float b);

struct FloatDistance {
  double maxAbsolute = 0;
  double maxUlp = 0;
};

/// The largest absolute and ULP distance between matching elements; the
/// arrays must have one size.
FloatDistance measureDistance(llvm::ArrayRef<float> expected,
                              llvm::ArrayRef<float> actual);

} // namespace soma

#endif // SOMA_SUPPORT_FLOATDISTANCE_H
