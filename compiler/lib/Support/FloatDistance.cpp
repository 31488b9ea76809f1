//===- FloatDistance.cpp - How far apart two f32 results are --------------===//

#include "soma/Support/FloatDistance.h"

#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

using namespace soma;

/// Maps f32 bit patterns onto integers in the order of the values they
/// stand for, with -0 just below +0.
static int64_t orderedBits(float value) {
  int32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits < 0 ? -int64_t(bits & 0x7fffffff) - 1 : int64_t(bits);
}

double soma::ulpDistance(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b)
               ? 0
               : std::numeric_limits<double>::infinity();
  return static_cast<double>(std::llabs(orderedBits(a) - orderedBits(b)));
}

FloatDistance soma::measureDistance(llvm::ArrayRef<float> expected,
                                    llvm::ArrayRef<float> actual) {
  assert(expected.size() == actual.size() && "sizes differ");
  FloatDistance distance;
  for (size_t i = 0; i < expected.size(); ++i) {
    double ulps = ulpDistance(expected[i], actual[i]);
    distance.maxUlp = std::max(distance.maxUlp, ulps);
    if (ulps != 0)
      distance.maxAbsolute =
          std::max(distance.maxAbsolute,
                   std::fabs(double(expected[i]) - double(actual[i])));
  }
  return distance;
}
