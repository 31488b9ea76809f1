//===- ElementwiseKernels.cpp - Activations and broadcasting arithmetic ---===//
//
// Each activation is its defining formula evaluated in double precision, in
// the form PyTorch's CPU kernels use where that form decides special values
// (which of NaN, an infinity or a signed zero comes out). Rounding the double
// result to f32 once gives the correctly rounded f32 result but for
// double-rounding ties, which the 29 extra bits make vanishingly rare.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "soma/Interpreter/Interpreter.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace soma;

static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// `min(x, 0) - log1p(exp(-|x|))`: no overflow, and x itself for x << 0.
static double logSigmoid(double x) {
  return std::min(x, 0.0) - std::log1p(std::exp(-std::abs(x)));
}

/// Clamps to [lo, hi] but lets NaN through, as PyTorch's clamp does.
static double clampKeepNaN(double x, double lo, double hi) {
  if (std::isnan(x))
    return x;
  return std::min(std::max(x, lo), hi);
}

/// The f32 attribute value; PyTorch's hard-sigmoid slope is exactly 1/6,
/// which f32 cannot hold, so the default stands for the exact value.
static double hardSigmoidAlpha(HardSigmoidOp op) {
  float alpha = op.getAlpha().convertToFloat();
  return alpha == 1.0f / 6.0f ? 1.0 / 6.0 : alpha;
}

/// The scalar function an activation applies to every element.
static std::function<double(double)> scalarFunction(Operation *op) {
  using Fn = std::function<double(double)>;
  return llvm::TypeSwitch<Operation *, Fn>(op)
      .Case([](SigmoidOp) { return sigmoid; })
      .Case([](LogSigmoidOp) { return logSigmoid; })
      .Case([](HardSigmoidOp op) -> Fn {
        double alpha = hardSigmoidAlpha(op);
        double beta = op.getBeta().convertToFloat();
        return [=](double x) { return clampKeepNaN(alpha * x + beta, 0, 1); };
      })
      .Case([](SiluOp) -> Fn {
        return [](double x) { return x / (1.0 + std::exp(-x)); };
      })
      .Case([](HardSwishOp) -> Fn {
        return [](double x) { return x * clampKeepNaN(x + 3.0, 0, 6) / 6.0; };
      })
      .Case([](TanhOp) -> Fn { return [](double x) { return std::tanh(x); }; })
      .Case([](ReluOp) -> Fn {
        // PyTorch's clamp_min: NaN and -0 pass through unchanged.
        return [](double x) { return x < 0 ? 0.0 : x; };
      })
      .Case([](LeakyReluOp op) -> Fn {
        double slope = op.getNegativeSlope().convertToFloat();
        return [=](double x) { return x > 0 ? x : x * slope; };
      })
      .Case([](ThresholdOp op) -> Fn {
        double threshold = op.getThreshold().convertToFloat();
        double value = op.getValue().convertToFloat();
        // `x <= threshold`, not `x > threshold`: NaN passes through.
        return [=](double x) { return x <= threshold ? value : x; };
      })
      .Case([](SoftplusOp op) -> Fn {
        double beta = op.getBeta().convertToFloat();
        double threshold = op.getThreshold().convertToFloat();
        return [=](double x) {
          return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta;
        };
      })
      .Case([](DropoutOp) -> Fn { return [](double x) { return x; }; })
      .Default([](Operation *) -> Fn { return nullptr; });
}

std::function<double(double)> soma::activationFunction(Operation *op) {
  return scalarFunction(op);
}

HostTensor interp::runActivation(Operation *op, const HostTensor &input) {
  std::function<double(double)> fn = scalarFunction(op);
  assert(fn && "not an activation");
  HostTensor result(input.shape);
  for (int64_t i = 0; i < input.numElements(); ++i)
    result.data[i] = static_cast<float>(fn(input.data[i]));
  return result;
}

HostTensor interp::runBroadcast(Operation *op, const HostTensor &lhs,
                                const HostTensor &rhs,
                                ArrayRef<int64_t> resultShape) {
  std::function<double(double, double)> fn =
      llvm::TypeSwitch<Operation *, std::function<double(double, double)>>(op)
          .Case([](AddOp) { return std::plus<double>(); })
          .Case([](SubOp) { return std::minus<double>(); })
          .Case([](MulOp) { return std::multiplies<double>(); })
          .Case([](DivOp) { return std::divides<double>(); });
  HostTensor result(resultShape);
  SmallVector<int64_t, 4> lhsStrides =
      interp::broadcastStrides(lhs.shape, resultShape);
  SmallVector<int64_t, 4> rhsStrides =
      interp::broadcastStrides(rhs.shape, resultShape);
  SmallVector<int64_t, 4> index(resultShape.size(), 0);
  for (int64_t linear = 0; linear < result.numElements(); ++linear) {
    int64_t a = 0, b = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      a += index[d] * lhsStrides[d];
      b += index[d] * rhsStrides[d];
    }
    result.data[linear] = static_cast<float>(fn(lhs.data[a], rhs.data[b]));
    interp::nextIndex(index, resultShape);
  }
  return result;
}
