//===- KernelTestSupport.h - Shared pieces of the kernel tests --*- C++ -*-===//
//
// The activations the linear and convolution kernel tests fuse, their
// inputs, and the bound both hold a fused layer to: the compiled z' sums K
// products in f32 with FMAs from the bias, so |z' - z| <= delta = 2 K u
// sum(|a_i b_i|) + ulp(z), u = 2^-24 (the standard dot-product bound,
// doubled, plus z's rounding). Every activation but threshold has
// |f'| <= 1.5 (hard_swish's steepest slope), so |f(z') - f(z)| <= 1.5
// delta, plus two ULP for f's own rounding on both sides. threshold is a
// step: within delta of it either branch is right.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_TEST_INTEGRATION_KERNELTESTSUPPORT_H
#define SOMA_TEST_INTEGRATION_KERNELTESTSUPPORT_H

#include "soma/Dialect/Soma/IR/SomaOps.h"
#include "soma/Driver/CompiledModel.h"
#include "soma/Driver/Compiler.h"
#include "soma/Interpreter/Interpreter.h"
#include "soma/Support/FloatDistance.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <random>
#include <utility>
#include <vector>

namespace soma::testing {

/// An activation with non-default parameters where it has some.
struct ActivationCase {
  ActivationKind kind;
  llvm::SmallVector<std::pair<const char *, float>, 2> parameters;
};

/// The ten activations; threshold's are kThreshold and kValue.
inline constexpr float kThreshold = 0.5f, kValue = -2.0f;
inline llvm::SmallVector<ActivationCase> activationCases() {
  return {{ActivationKind::Sigmoid, {}},
          {ActivationKind::LogSigmoid, {}},
          {ActivationKind::HardSigmoid, {{"alpha", 0.2f}, {"beta", 0.5f}}},
          {ActivationKind::Silu, {}},
          {ActivationKind::HardSwish, {}},
          {ActivationKind::Tanh, {}},
          {ActivationKind::Relu, {}},
          {ActivationKind::LeakyRelu, {{"negative_slope", 0.2f}}},
          {ActivationKind::Threshold,
           {{"threshold", kThreshold}, {"value", kValue}}},
          {ActivationKind::Softplus, {{"beta", 2.0f}, {"threshold", 5.0f}}}};
}

/// `count` floats uniform in [-1, 1) from `seed`.
inline std::vector<float> uniform(int64_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = distribution(generator);
  return values;
}

/// delta above for a sum of `terms` products whose magnitudes add up to
/// `magnitude`, rounded by the interpreter to `z`.
inline double layerBound(int64_t terms, double magnitude, float z) {
  return 2.0 * terms * std::ldexp(1.0, -24) * magnitude +
         (std::nextafter(std::fabs(z), INFINITY) - std::fabs(z));
}

/// Whether `got` is the activation `want` = f(z) within the bound above
/// (`isThreshold`: f is threshold with kThreshold and kValue).
inline bool withinLayerBound(float z, double delta, float want, float got,
                             bool isThreshold) {
  if (isThreshold)
    return (got == kValue && z - delta <= kThreshold) ||
           (z + delta > kThreshold && std::fabs(got - z) <= delta);
  double ulp = std::nextafter(std::fabs(want), INFINITY) - std::fabs(want);
  return ulpDistance(want, got) <= 2 ||
         std::fabs(double(got) - double(want)) <= 1.5 * delta + 2 * ulp;
}

/// Expects each element i of `got` to be f(z[i]) within the bound above,
/// for a layer of sums of `terms` products whose magnitudes add up to
/// `magnitude[i]`; f is the stand-alone op `activation` describes (null:
/// the layer alone, f(z) = z). `where` names the layer in the message of
/// the first element outside the bound.
template <typename Magnitudes>
void expectLayerWithinBound(mlir::Operation *activation,
                            llvm::ArrayRef<float> z,
                            const Magnitudes &magnitude, int64_t terms,
                            llvm::ArrayRef<float> got,
                            const std::string &where) {
  std::function<double(double)> f = [](double v) { return v; };
  if (activation)
    f = activationFunction(activation);
  bool isThreshold =
      activation && activation->getName().stripDialect() == "threshold";
  for (size_t i = 0; i < z.size(); ++i) {
    double delta = layerBound(terms, magnitude[i], z[i]);
    float want = static_cast<float>(f(z[i]));
    if (!withinLayerBound(z[i], delta, want, got[i], isThreshold)) {
      ADD_FAILURE() << where << ": element " << i << " is " << got[i]
                    << ", the interpreter says " << want << " (z = " << z[i]
                    << ", bound on z " << delta << ")";
      return;
    }
  }
}

/// `main` of `module` compiled with `options` for `cpu`, run on `inputs`.
inline llvm::Expected<llvm::SmallVector<HostTensor>>
compileAndRun(mlir::ModuleOp module, const char *cpu,
              llvm::ArrayRef<HostTensor> inputs,
              CompileOptions options = CompileOptions()) {
  options.targetCpu = cpu;
  mlir::FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(module, options);
  if (mlir::failed(compiled))
    return llvm::createStringError("the model did not compile for %s", cpu);
  return (*compiled)->run("main", inputs);
}

/// Compiles `fused` (with fusion) and `unfused` (without) for the host and
/// for x86-64-v3, runs their `main` on `inputs` and expects every result
/// of the two bit for bit the same.
inline void expectFusedMatchesUnfused(mlir::ModuleOp fused,
                                      mlir::ModuleOp unfused,
                                      llvm::ArrayRef<HostTensor> inputs) {
  CompileOptions fuseOff;
  fuseOff.pipeline.fuse = false;
  for (const char *cpu : {"native", "x86-64-v3"}) {
    llvm::Expected<llvm::SmallVector<HostTensor>> x =
        compileAndRun(fused, cpu, inputs);
    ASSERT_TRUE(bool(x)) << llvm::toString(x.takeError());
    llvm::Expected<llvm::SmallVector<HostTensor>> y =
        compileAndRun(unfused, cpu, inputs, fuseOff);
    ASSERT_TRUE(bool(y)) << llvm::toString(y.takeError());
    for (size_t r = 0; r < x->size(); ++r)
      EXPECT_EQ(0, std::memcmp((*x)[r].data.data(), (*y)[r].data.data(),
                               (*x)[r].data.size() * sizeof(float)))
          << cpu << ", result " << r << " differs fused and unfused";
  }
}

} // namespace soma::testing

#endif // SOMA_TEST_INTEGRATION_KERNELTESTSUPPORT_H
