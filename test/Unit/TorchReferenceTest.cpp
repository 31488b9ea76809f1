//===- TorchReferenceTest.cpp - The interpreter against PyTorch's kernels -===//
//
// Every case of TorchReference.inc runs one soma op through the reference
// interpreter and compares the result with what PyTorch's float32 CPU kernel
// gives for the same inputs (torch/generate_reference.py makes the data; see
// its docstring to regenerate). The interpreter is the oracle of every other
// numerical test, so it is checked here against an independent
// implementation of the semantics SPEC section 3 promises.
//
// Tolerances. PyTorch's float32 kernels are not correctly rounded: sigmoid is
// about 2.5 ULP off, tanh and the exp-based activations a few ULP, hard
// sigmoid/swish round two or three times, and sums accumulate in f32. The
// interpreter evaluates each op in double and rounds once, so it is within
// 0.5 ULP (plus a vanishing double-rounding chance) of the exact value. Hence:
//
//  * Exact ops (layout, relu, leaky_relu, threshold, dropout, max_pool2d) and
//    add/sub/mul/div: 0 ULP. They copy, select, or perform one IEEE operation
//    on f32 operands, which both sides round correctly.
//  * Other element-wise activations: at most 4 ULP, PyTorch's few ULP plus
//    the interpreter's half.
//  * Sums of K products (matmul, linear, conv2d, conv_transpose2d,
//    reduce_sum, avg_pool2d): |error| <= K * 2^-23 * sum |a_i * b_i|, stored
//    per element. Any summation order in f32 is within gamma_K = K u / (1 -
//    K u) (u = 2^-24) of sum |a_i b_i|, and the interpreter adds at most
//    u * sum |a_i b_i|; K * 2^-23 = 2 K u covers both. batch_norm, softmax and
//    log_softmax get analogous first-order bounds, derived in the generator.
//    These stay tens of ULP for ordinary inputs, so a wrong index or a missed
//    term (an error of the order of the terms themselves) still fails. An
//    element within 4 ULP also passes, for results near zero.
//  * Always exact: NaN-ness (not the NaN's sign or payload), infinities, and
//    the sign of a zero result for the element-wise cases, where PyTorch's
//    kernels define it.
//
// Where PyTorch's float32 kernel is itself outside these bounds (sigmoid(-89)
// is 0 because exp(89) overflows f32, x * 6 overflows inside hard_swish at
// FLT_MAX, ...), the generator expects its float64 kernel's value rounded to
// f32 instead and lists each such element in the header of the data file.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>

using namespace mlir;
using soma::HostTensor;

namespace {

/// A tensor of the data file: its shape and its elements as f32 bit patterns.
struct TorchTensorData {
  llvm::ArrayRef<int64_t> shape;
  llvm::ArrayRef<uint32_t> bits;
};

/// One op on one set of inputs, with PyTorch's result.
struct TorchCase {
  const char *name;
  const char *op;
  /// A module whose `@main` takes the inputs and returns the op's result.
  const char *module;
  /// Accepted distance in ULPs (+0 and -0 count as equal).
  unsigned maxUlp;
  /// Whether a zero result must have PyTorch's sign.
  bool checkZeroSign;
  /// Whether result element i is computed from the (broadcast) input
  /// elements at index i, so that a mismatch can show those inputs.
  bool elementwise;
  llvm::ArrayRef<TorchTensorData> inputs;
  TorchTensorData expected;
  /// Per-element absolute error bound (f32 bit patterns); empty where the
  /// ULP distance alone decides.
  llvm::ArrayRef<uint32_t> bound;
};

#include "TorchReference.inc"

float toFloat(uint32_t bits) { return llvm::bit_cast<float>(bits); }

HostTensor toHostTensor(const TorchTensorData &data) {
  std::vector<float> values;
  values.reserve(data.bits.size());
  for (uint32_t bits : data.bits)
    values.push_back(toFloat(bits));
  return HostTensor(data.shape, std::move(values));
}

/// Maps a float to an integer such that adjacent floats differ by one and
/// +0 and -0 coincide: the difference of two such integers counts ULPs,
/// across zero and through the subnormals.
int64_t orderedInt(float x) {
  uint32_t bits = llvm::bit_cast<uint32_t>(x);
  int64_t magnitude = bits & 0x7fffffffu;
  return (bits >> 31) ? -magnitude : magnitude;
}

uint64_t ulpDistance(float a, float b) {
  return static_cast<uint64_t>(std::llabs(orderedInt(a) - orderedInt(b)));
}

bool withinTolerance(float actual, float expected, float bound,
                     const TorchCase &c) {
  if (std::isnan(actual) || std::isnan(expected))
    return std::isnan(actual) && std::isnan(expected);
  if (std::isinf(actual) || std::isinf(expected))
    return actual == expected;
  if (c.checkZeroSign && actual == 0 && expected == 0)
    return std::signbit(actual) == std::signbit(expected);
  if (ulpDistance(actual, expected) <= c.maxUlp)
    return true;
  return std::fabs(static_cast<double>(actual) - expected) <= bound;
}

std::string describe(float x) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.9g (0x%08x)", x, llvm::bit_cast<uint32_t>(x));
  return text;
}

/// The row-major multi-index of element `linear` of `shape`.
llvm::SmallVector<int64_t> multiIndex(int64_t linear,
                                      llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = linear % shape[d];
    linear /= shape[d];
  }
  return index;
}

/// The element of `input` that NumPy broadcasting pairs with the result
/// element at `index`.
float broadcastElement(const TorchTensorData &input,
                       llvm::ArrayRef<int64_t> index) {
  int64_t offset = 0;
  size_t lead = index.size() - input.shape.size();
  for (size_t d = 0; d < input.shape.size(); ++d)
    offset = offset * input.shape[d] +
             (input.shape[d] == 1 ? 0 : index[lead + d]);
  return toFloat(input.bits[offset]);
}

/// Explains a mismatch at result element `i`.
std::string explain(const TorchCase &c, int64_t i, float actual,
                     float expected, float bound) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::SmallVector<int64_t> index = multiIndex(i, c.expected.shape);
  os << c.op << " element [";
  llvm::interleaveComma(index, os);
  os << "]";
  if (c.elementwise) {
    os << " of";
    for (const TorchTensorData &input : c.inputs)
      os << " " << describe(broadcastElement(input, index));
  }
  os << ": PyTorch " << describe(expected) << ", interpreter "
     << describe(actual) << ", ";
  if (std::isnan(actual) || std::isnan(expected))
    os << "NaN against a number";
  else if (std::isinf(actual) || std::isinf(expected))
    os << "infinity against a different value";
  else if (actual == 0 && expected == 0)
    os << "zeros of opposite sign";
  else
    os << ulpDistance(actual, expected) << " ULP apart";
  os << " (allowed " << c.maxUlp << " ULP";
  if (!c.bound.empty())
    os << " or |error| <= " << llvm::format("%.3g", bound);
  os << ")";
  return text;
}

/// Names the case instead of dumping its bytes when GoogleTest prints it.
void PrintTo(const TorchCase &c, std::ostream *os) { *os << c.name; }

class TorchReferenceTest : public ::testing::TestWithParam<TorchCase> {};

TEST_P(TorchReferenceTest, MatchesPyTorch) {
  const TorchCase &c = GetParam();
  MLIRContext context;
  context.loadDialect<soma::SomaDialect, arith::ArithDialect,
                      func::FuncDialect>();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics += diag.str() + "\n";
    return success();
  });

  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(c.module, &context);
  ASSERT_TRUE(module) << diagnostics << c.module;
  auto main = module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(main) << c.module;

  llvm::SmallVector<HostTensor> inputs;
  for (const TorchTensorData &input : c.inputs)
    inputs.push_back(toHostTensor(input));
  FailureOr<llvm::SmallVector<HostTensor>> results =
      soma::interpret(main, inputs);
  ASSERT_TRUE(succeeded(results)) << diagnostics << c.module;
  ASSERT_EQ(results->size(), 1u);
  const HostTensor &actual = (*results)[0];
  ASSERT_EQ(llvm::ArrayRef<int64_t>(actual.shape), c.expected.shape);
  ASSERT_EQ(actual.data.size(), c.expected.bits.size());

  // Report the first few mismatches in full and count the rest: one wrong
  // formula would otherwise print every element.
  constexpr int maxReported = 8;
  int mismatches = 0;
  for (size_t i = 0; i < actual.data.size(); ++i) {
    float expected = toFloat(c.expected.bits[i]);
    float bound = c.bound.empty() ? 0.0f : toFloat(c.bound[i]);
    if (withinTolerance(actual.data[i], expected, bound, c))
      continue;
    if (mismatches++ < maxReported)
      ADD_FAILURE() << explain(c, static_cast<int64_t>(i), actual.data[i],
                               expected, bound);
  }
  EXPECT_EQ(mismatches, 0) << "mismatching elements of "
                           << actual.data.size() << "\n"
                           << c.module;
}

INSTANTIATE_TEST_SUITE_P(
    PyTorch, TorchReferenceTest, ::testing::ValuesIn(torchCases),
    [](const ::testing::TestParamInfo<TorchCase> &info) {
      return std::string(info.param.name);
    });

} // namespace
