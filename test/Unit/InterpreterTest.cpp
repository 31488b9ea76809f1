//===- InterpreterTest.cpp - The reference interpreter on known values ----===//
//
// Each test runs a small model whose result is worked out by hand in the
// comments, so the oracle itself is checked against arithmetic rather than
// against another implementation. Comparisons are exact unless a comment
// says why not: the interpreter rounds a double result once, so for these
// inputs the f32 result is the correctly rounded value.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir;
using soma::HostTensor;

namespace {

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    context.loadDialect<soma::SomaDialect, arith::ArithDialect,
                        func::FuncDialect>();
    // Diagnostics become test output instead of stderr noise.
    context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      diagnostics += diag.str() + "\n";
    });
  }

  /// Parses `source` and runs its function `@main` on `inputs`.
  FailureOr<SmallVector<HostTensor>> run(StringRef source,
                                         ArrayRef<HostTensor> inputs) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return failure();
    auto main = module->lookupSymbol<func::FuncOp>("main");
    if (!main)
      return failure();
    return soma::interpret(main, inputs);
  }

  /// Runs a model with one result and returns it; fails the test otherwise.
  HostTensor runOne(StringRef source, ArrayRef<HostTensor> inputs) {
    FailureOr<SmallVector<HostTensor>> results = run(source, inputs);
    EXPECT_TRUE(succeeded(results)) << diagnostics;
    if (failed(results) || results->size() != 1)
      return HostTensor();
    return (*results)[0];
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::string diagnostics;
};

void expectTensor(const HostTensor &actual, ArrayRef<int64_t> shape,
                  ArrayRef<float> values) {
  ASSERT_EQ(ArrayRef<int64_t>(actual.shape), shape);
  ASSERT_EQ(actual.data.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(actual.data[i], values[i]) << "element " << i;
}

/// Exact IEEE identity, NaN and the sign of zero included.
void expectBitwise(float actual, float expected) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << actual;
    return;
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(std::signbit(actual), std::signbit(expected)) << actual;
}

constexpr float inf = std::numeric_limits<float>::infinity();
constexpr float nan = std::numeric_limits<float>::quiet_NaN();
constexpr float minSubnormal = std::numeric_limits<float>::denorm_min();

//===----------------------------------------------------------------------===//
// Layers on hand-computed values
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, LinearWithBias) {
  // [1 2 3] . [1 0 -1] + 0.5 = -1.5 ; [1 2 3] . [2 2 2] - 1 = 11
  // [4 5 6] . [1 0 -1] + 0.5 = -1.5 ; [4 5 6] . [2 2 2] - 1 = 29
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
      %w = arith.constant dense<[[1.0, 0.0, -1.0], [2.0, 2.0, 2.0]]> : tensor<2x3xf32>
      %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
      %y = soma.linear %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
      return %y : tensor<?x2xf32>
    })mlir",
                        {HostTensor({2, 3}, {1, 2, 3, 4, 5, 6})});
  expectTensor(y, {2, 2}, {-1.5f, 11, -1.5f, 29});
}

TEST_F(InterpreterTest, DynamicBatchZeroOneMany) {
  const char *model = R"mlir(
    func.func @main(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
      %w = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
      %y = soma.linear %x, %w : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x1xf32>
      return %y : tensor<?x1xf32>
    })mlir";
  expectTensor(runOne(model, {HostTensor({0, 2}, {})}), {0, 1}, {});
  expectTensor(runOne(model, {HostTensor({1, 2}, {1, 2})}), {1, 1}, {3});
  std::vector<float> many(2 * 100, 1.0f);
  HostTensor y = runOne(model, {HostTensor({100, 2}, many)});
  expectTensor(y, {100, 1}, std::vector<float>(100, 2.0f));
}

TEST_F(InterpreterTest, LogisticRegressionSeed) {
  // sigmoid(2 * 0 + 0) = 0.5 and sigmoid(2 * 1 - 2) = 0.5.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
      %w = arith.constant dense<[[2.0]]> : tensor<1x1xf32>
      %b = arith.constant dense<[-2.0]> : tensor<1xf32>
      %z = soma.linear %x, %w, %b : (tensor<?x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
      %y = soma.sigmoid %z : tensor<?x1xf32>
      return %y : tensor<?x1xf32>
    })mlir",
                        {HostTensor({2, 1}, {1, 1})});
  expectTensor(y, {2, 1}, {0.5f, 0.5f});
}

TEST_F(InterpreterTest, MatmulPromotesVectorsAndBroadcastsBatches) {
  // [2,2,3] x [3]: each row dotted with [1, 1, 1] = its sum.
  HostTensor y = runOne(R"mlir(
    func.func @main(%a: tensor<2x2x3xf32>, %b: tensor<3xf32>) -> tensor<2x2xf32> {
      %y = soma.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3xf32>) -> tensor<2x2xf32>
      return %y : tensor<2x2xf32>
    })mlir",
                        {HostTensor({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                11, 12}),
                         HostTensor({3}, {1, 1, 1})});
  expectTensor(y, {2, 2}, {6, 15, 24, 33});

  // [2,1,2] x [2,2] (rhs broadcast over the batch): identity and swap.
  HostTensor z = runOne(R"mlir(
    func.func @main(%a: tensor<2x1x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x1x2xf32> {
      %y = soma.matmul %a, %b : (tensor<2x1x2xf32>, tensor<2x2xf32>) -> tensor<2x1x2xf32>
      return %y : tensor<2x1x2xf32>
    })mlir",
                        {HostTensor({2, 1, 2}, {1, 2, 3, 4}),
                         HostTensor({2, 2}, {0, 1, 1, 0})});
  expectTensor(z, {2, 1, 2}, {2, 1, 4, 3});
}

TEST_F(InterpreterTest, SumTimesWeightsSeed) {
  // sigmoid(sum(x * w) + b) with x * w = [0.5, -1, 1.5], sum 1, b = -1.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<3xf32>) -> tensor<f32> {
      %w = arith.constant dense<[0.5, -0.5, 0.5]> : tensor<3xf32>
      %b = arith.constant dense<-1.0> : tensor<f32>
      %p = soma.mul %x, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %s = soma.reduce_sum %p : (tensor<3xf32>) -> tensor<f32>
      %z = soma.add %s, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %y = soma.sigmoid %z : tensor<f32>
      return %y : tensor<f32>
    })mlir",
                        {HostTensor({3}, {1, 2, 3})});
  expectTensor(y, {}, {0.5f});
}

TEST_F(InterpreterTest, BroadcastArithmetic) {
  // [[1,2],[3,4]] op [10, 20]
  const char *source = R"mlir(
    func.func @main(%a: tensor<2x2xf32>, %b: tensor<2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
      %0 = soma.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      %1 = soma.sub %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      %2 = soma.mul %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      %3 = soma.div %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({2, 2}, {1, 2, 3, 4}), HostTensor({2}, {10, 20})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  expectTensor((*r)[0], {2, 2}, {11, 22, 13, 24});
  expectTensor((*r)[1], {2, 2}, {-9, -18, -7, -16});
  expectTensor((*r)[2], {2, 2}, {10, 40, 30, 80});
  expectTensor((*r)[3], {2, 2}, {0.1f, 0.1f, 0.3f, 0.2f});
}

TEST_F(InterpreterTest, ReduceSumKeepdimAndNegativeDims) {
  // [[1,2,3],[4,5,6]] summed over dim -1 -> [[6],[15]]; over all -> 21.
  const char *source = R"mlir(
    func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<f32>, tensor<3xf32>) {
      %0 = soma.reduce_sum %x {dims = array<i64: -1>, keepdim = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
      %1 = soma.reduce_sum %x : (tensor<2x3xf32>) -> tensor<f32>
      %2 = soma.reduce_sum %x {dims = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
      return %0, %1, %2 : tensor<2x1xf32>, tensor<f32>, tensor<3xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  expectTensor((*r)[0], {2, 1}, {6, 15});
  expectTensor((*r)[1], {}, {21});
  expectTensor((*r)[2], {3}, {5, 7, 9});
}

TEST_F(InterpreterTest, SoftmaxAndLogSoftmax) {
  // softmax([0, ln 3]) = [1/4, 3/4]; log_softmax = [-ln 4, ln 3 - ln 4].
  float ln3 = std::log(3.0f);
  const char *source = R"mlir(
    func.func @main(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
      %0 = soma.softmax %x : tensor<1x2xf32>
      %1 = soma.log_softmax %x {dim = 1 : i64} : tensor<1x2xf32>
      return %0, %1 : tensor<1x2xf32>, tensor<1x2xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({1, 2}, {0, ln3})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  // ln3 is itself rounded to f32, so allow the 1e-7 that moves the result.
  EXPECT_NEAR((*r)[0].data[0], 0.25f, 1e-7);
  EXPECT_NEAR((*r)[0].data[1], 0.75f, 1e-7);
  EXPECT_NEAR((*r)[1].data[0], -std::log(4.0), 1e-6);
  EXPECT_NEAR((*r)[1].data[1], std::log(0.75), 1e-6);
}

TEST_F(InterpreterTest, ShapeOps) {
  // x = [[[0,1,2],[3,4,5]]] (1x2x3).
  const char *source = R"mlir(
    func.func @main(%x: tensor<1x2x3xf32>) -> (tensor<3x2xf32>, tensor<1x6xf32>, tensor<1x3x2xf32>) {
      %0 = soma.reshape %x {shape = array<i64: -1, 2>} : (tensor<1x2x3xf32>) -> tensor<3x2xf32>
      %1 = soma.flatten %x : (tensor<1x2x3xf32>) -> tensor<1x6xf32>
      %2 = soma.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x2x3xf32>) -> tensor<1x3x2xf32>
      return %0, %1, %2 : tensor<3x2xf32>, tensor<1x6xf32>, tensor<1x3x2xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({1, 2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  expectTensor((*r)[0], {3, 2}, {0, 1, 2, 3, 4, 5});
  expectTensor((*r)[1], {1, 6}, {0, 1, 2, 3, 4, 5});
  expectTensor((*r)[2], {1, 3, 2}, {0, 3, 1, 4, 2, 5});
}

TEST_F(InterpreterTest, Conv2dPaddingStrideBias) {
  // 3x3 input 1..9, 2x2 kernel of ones, padding 1, stride 2, bias 0.5:
  // windows at (-1,-1), (-1,1), (1,-1), (1,1) sum to 1, 2+3, 4+7, 5+6+8+9.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
      %w = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
      %b = arith.constant dense<0.5> : tensor<1xf32>
      %y = soma.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
      return %y : tensor<1x1x2x2xf32>
    })mlir",
                        {HostTensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  expectTensor(y, {1, 1, 2, 2}, {1.5f, 5.5f, 11.5f, 28.5f});
}

TEST_F(InterpreterTest, Conv2dGroupsAndDilation) {
  // Two channels, groups 2, each a 1x1 kernel (x2 and x3); then a dilated
  // 2x2 kernel of ones with dilation 2 over a 3x3 input takes the corners.
  const char *source = R"mlir(
    func.func @main(%x: tensor<1x2x1x1xf32>, %z: tensor<1x1x3x3xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x1x1x1xf32>) {
      %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
      %0 = soma.conv2d %x, %w {groups = 2 : i64} : (tensor<1x2x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x1x1xf32>
      %k = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
      %1 = soma.conv2d %z, %k {dilation = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
      return %0, %1 : tensor<1x2x1x1xf32>, tensor<1x1x1x1xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({1, 2, 1, 1}, {5, 7}),
                   HostTensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  expectTensor((*r)[0], {1, 2, 1, 1}, {10, 21});
  expectTensor((*r)[1], {1, 1, 1, 1}, {1 + 3 + 7 + 9});
}

TEST_F(InterpreterTest, ConvTranspose2dStride) {
  // Each input element stamps the 2x2 kernel [[1,2],[3,4]] times itself
  // into its own 2x2 block of the 4x4 output (stride 2, no overlap).
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
      %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
      %y = soma.conv_transpose2d %x, %w {stride = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
      return %y : tensor<1x1x4x4xf32>
    })mlir",
                        {HostTensor({1, 1, 2, 2}, {1, 10, 100, 1000})});
  expectTensor(y, {1, 1, 4, 4},
               {1, 2, 10, 20, 3, 4, 30, 40, 100, 200, 1000, 2000, 300, 400,
                3000, 4000});
}

TEST_F(InterpreterTest, BatchNorm) {
  // (x - 1) / sqrt(4 + 0) * 2 + 3 with epsilon 0: x = 5 -> 7.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
      %m = arith.constant dense<1.0> : tensor<1xf32>
      %v = arith.constant dense<4.0> : tensor<1xf32>
      %g = arith.constant dense<2.0> : tensor<1xf32>
      %b = arith.constant dense<3.0> : tensor<1xf32>
      %y = soma.batch_norm %x, %m, %v, %g, %b {epsilon = 0.0 : f32} : (tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
      return %y : tensor<1x1x1x1xf32>
    })mlir",
                        {HostTensor({1, 1, 1, 1}, {5})});
  expectTensor(y, {1, 1, 1, 1}, {7});
}

TEST_F(InterpreterTest, PoolingWithPadding) {
  // 2x2 input [[1,2],[3,4]], 2x2 windows, stride 1, padding 1 -> 3x3.
  // avg with padded zeros counted divides by 4; without, by the real count.
  const char *source = R"mlir(
    func.func @main(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
      %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
      %1 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
      %2 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
      return %0, %1, %2 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
    })mlir";
  FailureOr<SmallVector<HostTensor>> r =
      run(source, {HostTensor({1, 1, 2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(succeeded(r)) << diagnostics;
  expectTensor((*r)[0], {1, 1, 3, 3}, {1, 2, 2, 3, 4, 4, 3, 4, 4});
  expectTensor((*r)[1], {1, 1, 3, 3},
               {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
  expectTensor((*r)[2], {1, 1, 3, 3}, {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
}

TEST_F(InterpreterTest, MaxPoolStrideDefaultsToKernel) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x2x4xf32>) -> tensor<1x1x1x2xf32> {
      %y = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x2x4xf32>) -> tensor<1x1x1x2xf32>
      return %y : tensor<1x1x1x2xf32>
    })mlir",
                        {HostTensor({1, 1, 2, 4}, {1, 5, 2, 0, 3, 4, 7, 6})});
  expectTensor(y, {1, 1, 1, 2}, {5, 7});
}

TEST_F(InterpreterTest, DenseResourceWeights) {
  // The blob holds the f32 values [1, 2] after a 4-byte alignment header.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
      %w = arith.constant dense_resource<w> : tensor<1x2xf32>
      %y = soma.linear %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
      return %y : tensor<1x1xf32>
    }
    {-#
      dialect_resources: {
        builtin: {
          w: "0x040000000000803F00000040"
        }
      }
    #-})mlir",
                        {HostTensor({1, 2}, {3, 4})});
  expectTensor(y, {1, 1}, {11});
}

//===----------------------------------------------------------------------===//
// Special values
//===----------------------------------------------------------------------===//

class ActivationTest : public InterpreterTest {
protected:
  /// Runs one activation, written in custom form, on a row of inputs.
  std::vector<float> apply(StringRef opAndAttrs, std::vector<float> x) {
    std::string source =
        ("func.func @main(%x: tensor<" + std::to_string(x.size()) +
         "xf32>) -> tensor<" + std::to_string(x.size()) +
         "xf32> {\n  %y = " + opAndAttrs.str() + " : tensor<" +
         std::to_string(x.size()) + "xf32>\n  return %y : tensor<" +
         std::to_string(x.size()) + "xf32>\n}");
    HostTensor y =
        runOne(source, {HostTensor({static_cast<int64_t>(x.size())}, x)});
    return y.data;
  }
};

TEST_F(ActivationTest, SigmoidLimits) {
  std::vector<float> y =
      apply("soma.sigmoid %x", {-inf, inf, nan, 0.0f, -0.0f, -100.0f, 100.0f});
  expectBitwise(y[0], 0.0f);
  expectBitwise(y[1], 1.0f);
  expectBitwise(y[2], nan);
  expectBitwise(y[3], 0.5f);
  expectBitwise(y[4], 0.5f);
  // e^-100 = 3.72e-44: a subnormal, not flushed to zero.
  EXPECT_EQ(y[5], static_cast<float>(std::exp(-100.0)));
  EXPECT_GT(y[5], 0.0f);
  expectBitwise(y[6], 1.0f);
}

TEST_F(ActivationTest, LogSigmoidIsStableFarBelowZero) {
  std::vector<float> y =
      apply("soma.log_sigmoid %x", {-100.0f, -1000.0f, -inf, inf, 0.0f, nan});
  expectBitwise(y[0], -100.0f);
  expectBitwise(y[1], -1000.0f);
  expectBitwise(y[2], -inf);
  expectBitwise(y[3], 0.0f);
  EXPECT_EQ(y[4], static_cast<float>(-std::log(2.0)));
  expectBitwise(y[5], nan);
}

TEST_F(ActivationTest, SoftplusAboveThresholdIsIdentity) {
  // Above beta * x > threshold the input passes through unchanged.
  std::vector<float> y = apply("soma.softplus %x", {20.5f, 1e4f, -inf, 0.0f});
  expectBitwise(y[0], 20.5f);
  expectBitwise(y[1], 1e4f);
  expectBitwise(y[2], 0.0f);
  EXPECT_EQ(y[3], static_cast<float>(std::log(2.0)));
  std::vector<float> z =
      apply("soma.softplus %x {beta = 2.0 : f32, threshold = 5.0 : f32}",
            {3.0f, 2.0f});
  expectBitwise(z[0], 3.0f);
  EXPECT_EQ(z[1], static_cast<float>(std::log1p(std::exp(4.0)) / 2));
}

TEST_F(ActivationTest, PiecewiseActivations) {
  std::vector<float> relu = apply("soma.relu %x", {-1.0f, 2.0f, nan, -0.0f});
  expectBitwise(relu[0], 0.0f);
  expectBitwise(relu[1], 2.0f);
  expectBitwise(relu[2], nan);
  expectBitwise(relu[3], -0.0f); // as PyTorch's clamp_min

  std::vector<float> leaky =
      apply("soma.leaky_relu %x {negative_slope = 0.5 : f32}", {-4.0f, 4.0f});
  expectTensor(HostTensor({2}, leaky), {2}, {-2.0f, 4.0f});

  std::vector<float> threshold = apply(
      "soma.threshold %x {threshold = 1.0 : f32, value = -7.0 : f32}",
      {1.0f, 1.5f, nan});
  expectBitwise(threshold[0], -7.0f);
  expectBitwise(threshold[1], 1.5f);
  expectBitwise(threshold[2], nan);

  // PyTorch's hard sigmoid: (x + 3) / 6 clamped; hard swish: x times it.
  std::vector<float> hs = apply("soma.hard_sigmoid %x", {-3.0f, 0.0f, 3.0f, 1.0f});
  expectTensor(HostTensor({4}, hs), {4}, {0.0f, 0.5f, 1.0f, 4.0f / 6.0f});
  std::vector<float> onnx = apply(
      "soma.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32}", {1.0f});
  EXPECT_EQ(onnx[0], static_cast<float>(double(0.2f) + 0.5));
  std::vector<float> hswish = apply("soma.hard_swish %x", {-3.0f, 3.0f, 1.0f});
  expectTensor(HostTensor({3}, hswish), {3}, {-0.0f, 3.0f, 4.0f / 6.0f});
}

TEST_F(ActivationTest, SubnormalsSurvive) {
  // tanh(x) = x and silu(x) = x / 2 for tiny x; nothing flushes to zero.
  std::vector<float> t = apply("soma.tanh %x", {minSubnormal, -1e-40f});
  expectBitwise(t[0], minSubnormal);
  expectBitwise(t[1], -1e-40f);
  std::vector<float> s = apply("soma.silu %x", {4 * minSubnormal});
  expectBitwise(s[0], 2 * minSubnormal);
}

TEST_F(ActivationTest, DropoutIsIdentity) {
  std::vector<float> y = apply("soma.dropout %x", {1.0f, -2.0f, nan});
  expectBitwise(y[0], 1.0f);
  expectBitwise(y[1], -2.0f);
  expectBitwise(y[2], nan);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

const char *dynamicLinear = R"mlir(
  func.func @main(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {
    %z = soma.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    return %z : tensor<?x3xf32>
  })mlir";

TEST_F(InterpreterTest, RejectsWrongInputCount) {
  EXPECT_TRUE(failed(run(dynamicLinear, {HostTensor({1, 3})})));
  EXPECT_NE(diagnostics.find("expected 2 inputs, got 1"), std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, RejectsWrongShape) {
  EXPECT_TRUE(failed(run(dynamicLinear, {HostTensor({1, 3}), HostTensor({1, 4})})));
  EXPECT_NE(diagnostics.find("input 1: expected shape [?, 3], got [1, 4]"),
            std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, RejectsTwoBatchSizes) {
  EXPECT_TRUE(failed(run(dynamicLinear, {HostTensor({1, 3}), HostTensor({2, 3})})));
  EXPECT_NE(diagnostics.find("batch size 2 but an earlier input has 1"),
            std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, ReportsRunTimeShapeErrorsAtTheOp) {
  // A static reshape of a dynamic batch only fits batch 1.
  const char *source = R"mlir(
    func.func @main(%x: tensor<?x6xf32>) -> tensor<2x3xf32> {
      %y = soma.reshape %x {shape = array<i64: 2, 3>} : (tensor<?x6xf32>) -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })mlir";
  EXPECT_TRUE(succeeded(run(source, {HostTensor({1, 6})}))) << diagnostics;
  EXPECT_TRUE(failed(run(source, {HostTensor({2, 6})})));
  EXPECT_NE(diagnostics.find("'soma.reshape' op at run time: cannot reshape"),
            std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, RejectsOpsItCannotRun) {
  const char *source = R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = arith.negf %x : tensor<2xf32>
      return %y : tensor<2xf32>
    })mlir";
  EXPECT_TRUE(failed(run(source, {HostTensor({2})})));
  EXPECT_NE(diagnostics.find("not supported by the reference interpreter"),
            std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, LargeLinear) {
  // 64x512x512 = 16.8M multiply-adds: the oracle must handle layers of real
  // size (its speed is measured by bench/, not here). Every output is
  // 512 * 1 * 0.5 = 256 exactly.
  std::string source = R"mlir(
    func.func @main(%x: tensor<64x512xf32>, %w: tensor<512x512xf32>) -> tensor<64x512xf32> {
      %y = soma.linear %x, %w : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32>
      return %y : tensor<64x512xf32>
    })mlir";
  HostTensor x({64, 512}, std::vector<float>(64 * 512, 1.0f));
  HostTensor w({512, 512}, std::vector<float>(512 * 512, 0.5f));
  HostTensor y = runOne(source, {x, w});
  expectTensor(y, {64, 512}, std::vector<float>(64 * 512, 256.0f));
}

} // namespace
