//===- CompiledModelTest.cpp - Compiled models against the interpreter ----===//
//
// Every op of the dialect and every example model is compiled through the
// same code path as somac (to a shared library, loaded with dlopen, called
// through soma_invoke) and compared with the reference interpreter on the
// same inputs: random values and, for element-wise ops, special values. The
// matrix: -O0 and -O3, the host CPU and x86-64-v3, batch sizes 0, 1, 7, 64.
//
// Tolerances (SPEC section 6, justified in docs/numerics.md):
// - Exact: ops whose f32 result is one correctly rounded operation or a
//   selection (layout, relu, add, max pooling...): bit-identical.
// - Activations: at most 2 ULP from the interpreter's correctly rounded
//   result (in practice 0: both evaluate the same formula in double).
// - Sums of K terms (linear, matmul, convolutions, reduce_sum, average
//   pooling) accumulate in f32 in compiled code; the standard bound for
//   that is |error| <= K * u * sum(|a_i * b_i|) with u = 2^-24. We allow
//   2 K u sum(|a_i b_i|) plus one ULP of the result (the final rounding),
//   where sum(|a_i b_i|) is the interpreter's result on the absolute values
//   of every input.
// - Examples (a sum of K terms z, then sigmoid): sigmoid's relative
//   sensitivity |d log s / dz| = 1 - s is below 1, so the compiled s may be
//   off by s * 2 K u sum(|a_i b_i|) plus one ULP, sum(|a_i b_i|) being the
//   model without its sigmoid run on the absolute values of every input and
//   weight.
// - Layers (a sum of K terms z, then any element-wise activation f, fused or
//   not): |f'| is at most 1.5 (hard_swish's steepest slope; threshold is a
//   step no random z lands on), so f(z) may be off by 1.5 times the sum's
//   bound plus two ULP of the result (the activation's own rounding on both
//   sides), sum(|a_i b_i|) being the model with every activation removed.
//
//===----------------------------------------------------------------------===//

#include "soma/Driver/CompiledModel.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"
#include "soma/Interpreter/Interpreter.h"
#include "soma/Support/FloatDistance.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>

using namespace mlir;
using namespace soma;

namespace {

enum class Tolerance { Exact, Activation, Sum, Example, Layer };

struct ModelCase {
  const char *name;
  /// The model: MLIR text, or "file:PATH" relative to the source root.
  const char *source;
  Tolerance tolerance;
  /// For Tolerance::Sum, Example and Layer: the number of terms of each sum
  /// (K).
  int64_t terms = 0;
};

constexpr float inf = std::numeric_limits<float>::infinity();

constexpr float floatMax = std::numeric_limits<float>::max();

/// Values every element-wise op must get right: signed zeros, infinities,
/// NaN, subnormals, the edges of exp's range and sigmoid's underflow, the
/// largest floats (silu's and hard_swish's x itself), hard_sigmoid's kinks
/// and the floats next to them, and the switch between tanh's two forms.
const float specialValues[] = {
    0.0f,    -0.0f,    inf,          -inf,        NAN,        1e-45f,
    -1e-45f, 1e-40f,   -1e-40f,      88.7f,       -88.7f,     89.0f,
    -100.0f, -103.9f,  -104.0f,      20.5f,       -3.0f,      3.0f,
    1e4f,    -1e4f,    floatMax,     -floatMax,   2.9999998f, -2.9999998f,
    0.75f,   -0.75f,   0.74999994f,  -0.74999994f};

#define UNARY(NAME, OP)                                                        \
  ModelCase {                                                                  \
    NAME,                                                                      \
        "func.func @main(%x: tensor<?x24xf32>) -> tensor<?x24xf32> {\n"        \
        "  %y = " OP " : tensor<?x24xf32>\n"                                   \
        "  return %y : tensor<?x24xf32>\n}",                                   \
        Tolerance::Activation                                                  \
  }

const ModelCase modelCases[] = {
    UNARY("sigmoid", "soma.sigmoid %x"),
    UNARY("log_sigmoid", "soma.log_sigmoid %x"),
    UNARY("hard_sigmoid", "soma.hard_sigmoid %x"),
    UNARY("hard_sigmoid_onnx",
          "soma.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32}"),
    UNARY("silu", "soma.silu %x"),
    UNARY("hard_swish", "soma.hard_swish %x"),
    UNARY("tanh", "soma.tanh %x"),
    UNARY("relu", "soma.relu %x"),
    UNARY("leaky_relu", "soma.leaky_relu %x {negative_slope = 0.2 : f32}"),
    UNARY("threshold",
          "soma.threshold %x {threshold = 0.5 : f32, value = -2.0 : f32}"),
    UNARY("softplus", "soma.softplus %x"),
    UNARY("softplus_beta",
          "soma.softplus %x {beta = 2.0 : f32, threshold = 5.0 : f32}"),
    // Beta 1 with a threshold below 16, where AVX-512's form selects x
    // (from 16 on its sum is x anyway).
    UNARY("softplus_threshold",
          "soma.softplus %x {beta = 1.0 : f32, threshold = 1.5 : f32}"),
    UNARY("dropout", "soma.dropout %x"),
    UNARY("softmax", "soma.softmax %x"),
    UNARY("log_softmax", "soma.log_softmax %x {dim = 1 : i64}"),
    // Rows of 3 whole 16-lane vectors (6 of 8 lanes) and 5 floats more:
    // the row kernel's pipelined loop runs, then its masked rest.
    {"softmax_long_rows", R"mlir(
func.func @main(%x: tensor<?x53xf32>) -> (tensor<?x53xf32>, tensor<?x53xf32>) {
  %0 = soma.softmax %x : tensor<?x53xf32>
  %1 = soma.log_softmax %x : tensor<?x53xf32>
  return %0, %1 : tensor<?x53xf32>, tensor<?x53xf32>
})mlir",
     Tolerance::Activation},
    {"broadcast_arithmetic", R"mlir(
func.func @main(%a: tensor<?x4x8xf32>, %b: tensor<8xf32>, %c: tensor<?x1x8xf32>) -> (tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<?x4x8xf32>) {
  %0 = soma.add %a, %b : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  %1 = soma.sub %a, %c : (tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  %2 = soma.mul %c, %a : (tensor<?x1x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %3 = soma.div %a, %b : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  return %0, %1, %2, %3 : tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<?x4x8xf32>
})mlir",
     Tolerance::Exact},
    {"linear", R"mlir(
func.func @main(%x: tensor<?x40xf32>, %w: tensor<24x40xf32>, %b: tensor<24xf32>) -> (tensor<?x24xf32>, tensor<?x24xf32>) {
  %0 = soma.linear %x, %w, %b : (tensor<?x40xf32>, tensor<24x40xf32>, tensor<24xf32>) -> tensor<?x24xf32>
  %1 = soma.linear %x, %w : (tensor<?x40xf32>, tensor<24x40xf32>) -> tensor<?x24xf32>
  return %0, %1 : tensor<?x24xf32>, tensor<?x24xf32>
})mlir",
     Tolerance::Sum, 41},
    {"linear_3d", R"mlir(
func.func @main(%x: tensor<?x3x5xf32>, %w: tensor<4x5xf32>) -> tensor<?x3x4xf32> {
  %0 = soma.linear %x, %w : (tensor<?x3x5xf32>, tensor<4x5xf32>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
})mlir",
     Tolerance::Sum, 5},
    {"matmul", R"mlir(
func.func @main(%x: tensor<?x7xf32>, %w: tensor<7x3xf32>, %v: tensor<7xf32>) -> (tensor<?x3xf32>, tensor<?xf32>) {
  %0 = soma.matmul %x, %w : (tensor<?x7xf32>, tensor<7x3xf32>) -> tensor<?x3xf32>
  %1 = soma.matmul %x, %v : (tensor<?x7xf32>, tensor<7xf32>) -> tensor<?xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?xf32>
})mlir",
     Tolerance::Sum, 7},
    {"matmul_batched", R"mlir(
func.func @main(%a: tensor<?x4x5xf32>, %b: tensor<5x6xf32>) -> tensor<?x4x6xf32> {
  %0 = soma.matmul %a, %b : (tensor<?x4x5xf32>, tensor<5x6xf32>) -> tensor<?x4x6xf32>
  return %0 : tensor<?x4x6xf32>
})mlir",
     Tolerance::Sum, 5},
    {"reduce_sum", R"mlir(
func.func @main(%x: tensor<?x6x5xf32>) -> (tensor<?x1x5xf32>, tensor<?xf32>) {
  %0 = soma.reduce_sum %x {dims = array<i64: 1>, keepdim = true} : (tensor<?x6x5xf32>) -> tensor<?x1x5xf32>
  %1 = soma.reduce_sum %x {dims = array<i64: -1, -2>} : (tensor<?x6x5xf32>) -> tensor<?xf32>
  return %0, %1 : tensor<?x1x5xf32>, tensor<?xf32>
})mlir",
     Tolerance::Sum, 30},
    {"batch_norm", R"mlir(
func.func @main(%x: tensor<?x3x4x4xf32>, %m: tensor<3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %v = arith.constant dense<[0.5, 1.0, 2.0]> : tensor<3xf32>
  %0 = soma.batch_norm %x, %m, %v, %g, %b : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
})mlir",
     Tolerance::Activation},
    {"layout", R"mlir(
func.func @main(%x: tensor<?x2x3x4xf32>) -> (tensor<?x24xf32>, tensor<?x12x2xf32>, tensor<?x4x2x3xf32>, tensor<?x6x4xf32>) {
  %0 = soma.flatten %x : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  %1 = soma.reshape %x {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  %2 = soma.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x4x2x3xf32>
  %3 = soma.flatten %x {start_dim = 1 : i64, end_dim = 2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x6x4xf32>
  return %0, %1, %2, %3 : tensor<?x24xf32>, tensor<?x12x2xf32>, tensor<?x4x2x3xf32>, tensor<?x6x4xf32>
})mlir",
     Tolerance::Exact},
    {"conv2d", R"mlir(
func.func @main(%x: tensor<?x4x9x9xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x4xf32> {
  %0 = soma.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : (tensor<?x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<?x6x5x4xf32>
  return %0 : tensor<?x6x5x4xf32>
})mlir",
     Tolerance::Sum, 19},
    {"conv2d_dilated", R"mlir(
func.func @main(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  %0 = soma.conv2d %x, %w {padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
})mlir",
     Tolerance::Sum, 27},
    {"conv_transpose2d", R"mlir(
func.func @main(%x: tensor<?x4x3x3xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<?x6x6x6xf32> {
  %0 = soma.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<?x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<?x6x6x6xf32>
  return %0 : tensor<?x6x6x6xf32>
})mlir",
     Tolerance::Sum, 19},
    {"max_pool2d", R"mlir(
func.func @main(%x: tensor<?x2x7x7xf32>) -> (tensor<?x2x3x3xf32>, tensor<?x2x4x4xf32>) {
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x2x7x7xf32>) -> tensor<?x2x3x3xf32>
  %1 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x7x7xf32>) -> tensor<?x2x4x4xf32>
  return %0, %1 : tensor<?x2x3x3xf32>, tensor<?x2x4x4xf32>
})mlir",
     Tolerance::Exact},
    {"avg_pool2d", R"mlir(
func.func @main(%x: tensor<?x2x7x7xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x7x7xf32>) -> tensor<?x2x4x4xf32>
  %1 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<?x2x7x7xf32>) -> tensor<?x2x4x4xf32>
  return %0, %1 : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
})mlir",
     Tolerance::Sum, 9},
    {"repeated_and_forwarded_results", R"mlir(
func.func @main(%x: tensor<?x5xf32>) -> (tensor<?x5xf32>, tensor<?x5xf32>, tensor<?x5xf32>) {
  %y = soma.relu %x : tensor<?x5xf32>
  return %y, %y, %x : tensor<?x5xf32>, tensor<?x5xf32>, tensor<?x5xf32>
})mlir",
     Tolerance::Exact},
    {"logistic_regression", "file:examples/logistic_regression/model.mlir",
     Tolerance::Example, 2},
    {"two_class_classifier", "file:examples/two_class_classifier/model.mlir",
     Tolerance::Example, 7},
    {"weighted_sum", "file:examples/weighted_sum/model.mlir",
     Tolerance::Example, 8},
    {"matmul_view", "file:examples/matmul_view/model.mlir", Tolerance::Example,
     8},
    // Fused layers as written, and as the soma pipeline fuses them.
    {"linear_activation", R"mlir(
func.func @main(%x: tensor<?x24xf32>, %w: tensor<8x24xf32>, %b: tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation sigmoid>} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = soma.linear_activation %x, %w {activation = #soma<activation log_sigmoid>} : (tensor<?x24xf32>, tensor<8x24xf32>) -> tensor<?x8xf32>
  %2 = soma.linear_activation %x, %w, %b {activation = #soma<activation hard_sigmoid>, alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %3 = soma.linear_activation %x, %w, %b {activation = #soma<activation silu>} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %4 = soma.linear_activation %x, %w, %b {activation = #soma<activation hard_swish>} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %5 = soma.linear_activation %x, %w, %b {activation = #soma<activation tanh>} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %6 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<?x24xf32>, tensor<8x24xf32>) -> tensor<?x8xf32>
  %7 = soma.linear_activation %x, %w, %b {activation = #soma<activation leaky_relu>, negative_slope = 0.2 : f32} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %8 = soma.linear_activation %x, %w, %b {activation = #soma<activation threshold>, threshold = 0.5 : f32, value = -2.0 : f32} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %9 = soma.linear_activation %x, %w, %b {activation = #soma<activation softplus>, beta = 2.0 : f32, threshold = 5.0 : f32} : (tensor<?x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
})mlir",
     Tolerance::Layer, 25},
    {"linear_then_activation", R"mlir(
func.func @main(%x: tensor<?x2x24xf32>, %w: tensor<8x24xf32>, %b: tensor<8xf32>) -> (tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>) {
  %0 = soma.linear %x, %w, %b : (tensor<?x2x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x2x8xf32>
  %1 = soma.log_sigmoid %0 : tensor<?x2x8xf32>
  %2 = soma.linear %x, %w : (tensor<?x2x24xf32>, tensor<8x24xf32>) -> tensor<?x2x8xf32>
  %3 = soma.hard_sigmoid %2 : tensor<?x2x8xf32>
  %4 = soma.linear %x, %w, %b : (tensor<?x2x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x2x8xf32>
  %5 = soma.dropout %4 : tensor<?x2x8xf32>
  %6 = soma.leaky_relu %5 : tensor<?x2x8xf32>
  %7 = soma.linear %x, %w, %b : (tensor<?x2x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x2x8xf32>
  %8 = soma.softplus %7 : tensor<?x2x8xf32>
  %9 = soma.linear %x, %w, %b : (tensor<?x2x24xf32>, tensor<8x24xf32>, tensor<8xf32>) -> tensor<?x2x8xf32>
  %10 = soma.threshold %9 {threshold = -1.0 : f32, value = 3.0 : f32} : tensor<?x2x8xf32>
  return %1, %3, %6, %8, %10 : tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>, tensor<?x2x8xf32>
})mlir",
     Tolerance::Layer, 25},
    {"matmul_bias_activation", R"mlir(
func.func @main(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<1x3xf32>, %y: tensor<?x2x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2x3xf32>) {
  %c = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, -0.75, 1.5], [-0.5, 1.0, 0.125], [0.375, 0.625, -2.0]]> : tensor<4x3xf32>
  %cb = arith.constant dense<[0.25, -0.5, 1.0]> : tensor<3xf32>
  %0 = soma.matmul %x, %c : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %cb : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.silu %1 : tensor<?x3xf32>
  %3 = soma.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %4 = soma.add %b, %3 : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %5 = soma.tanh %4 : tensor<?x3xf32>
  %6 = soma.matmul %y, %w : (tensor<?x2x4xf32>, tensor<4x3xf32>) -> tensor<?x2x3xf32>
  %7 = soma.add %6, %cb : (tensor<?x2x3xf32>, tensor<3xf32>) -> tensor<?x2x3xf32>
  %8 = soma.hard_swish %7 : tensor<?x2x3xf32>
  return %2, %5, %8 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2x3xf32>
})mlir",
     Tolerance::Layer, 5},
};

struct Config {
  unsigned optLevel;
  const char *cpu;
};

using Param = std::tuple<ModelCase, Config>;

/// A context with every dialect compilation needs, its diagnostics
/// collected for the failure messages.
struct CompilerContext {
  CompilerContext() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    registry.insert<SomaDialect>();
    context = std::make_unique<MLIRContext>(registry);
    context->loadDialect<SomaDialect>();
    context->getDiagEngine().registerHandler(
        [this](Diagnostic &diag) { diagnostics += diag.str() + "\n"; });
  }

  std::unique_ptr<MLIRContext> context;
  std::string diagnostics;
};

class CompiledModelTest : public ::testing::TestWithParam<Param>,
                          protected CompilerContext {
protected:
  OwningOpRef<ModuleOp> parse(const ModelCase &model) {
    llvm::StringRef source = model.source;
    if (source.consume_front("file:")) {
      auto file = llvm::MemoryBuffer::getFile(std::string(SOMA_SOURCE_DIR) +
                                              "/" + source.str());
      if (!file)
        return nullptr;
      return parseSourceString<ModuleOp>((*file)->getBuffer(), context.get());
    }
    return parseSourceString<ModuleOp>(source, context.get());
  }
};

/// Random inputs for `function` at `batch`; element-wise models also get
/// the special values at the front of their first input.
SmallVector<HostTensor> makeInputs(func::FuncOp function, int64_t batch,
                                   bool withSpecialValues, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  SmallVector<HostTensor> inputs;
  for (Type type : function.getArgumentTypes()) {
    SmallVector<int64_t, 4> shape(cast<RankedTensorType>(type).getShape());
    for (int64_t &dim : shape)
      if (ShapedType::isDynamic(dim))
        dim = batch;
    HostTensor tensor(shape);
    for (float &value : tensor.data)
      value = uniform(generator);
    if (withSpecialValues && inputs.empty())
      for (size_t i = 0; i < std::size(specialValues) && i < tensor.data.size();
           ++i)
        tensor.data[i] = specialValues[i];
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

/// The model that computes sum(|a_i b_i|) of an example or a layer: every
/// weight made absolute, every activation removed (a fused layer keeps its
/// linear part).
OwningOpRef<ModuleOp> magnitudeModel(ModuleOp module) {
  OwningOpRef<ModuleOp> copy = module.clone();
  copy->walk([](Operation *op) {
    if (LinearActivationOp::getActivationKindOf(op)) {
      op->getResult(0).replaceAllUsesWith(op->getOperand(0));
      op->erase();
    } else if (auto fused = dyn_cast<LinearActivationOp>(op)) {
      OpBuilder builder(fused);
      auto linear = LinearOp::create(builder, fused.getLoc(), fused.getInput(),
                                     fused.getWeight(), fused.getBias());
      fused.replaceAllUsesWith(linear.getResult());
      fused.erase();
    } else if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto weights = cast<DenseFPElementsAttr>(constant.getValue());
      constant.setValueAttr(
          weights.mapValues(weights.getElementType(), [](const APFloat &value) {
            return abs(value).bitcastToAPInt();
          }));
    }
  });
  return copy;
}

/// Checks one result against the interpreter's under `model`'s tolerance.
void expectClose(const ModelCase &model, const HostTensor &expected,
                 const HostTensor &actual, const HostTensor *magnitude,
                 const std::string &where) {
  ASSERT_EQ(ArrayRef<int64_t>(expected.shape), ArrayRef<int64_t>(actual.shape))
      << where;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    float want = expected.data[i], got = actual.data[i];
    double ulps = ulpDistance(want, got);
    bool ok = false;
    switch (model.tolerance) {
    case Tolerance::Exact:
      ok = ulps == 0;
      break;
    case Tolerance::Activation:
      ok = ulps <= 2;
      break;
    case Tolerance::Example: {
      double bound = 2.0 * model.terms * std::ldexp(1.0, -24) *
                     double(magnitude->data[i]) * std::fabs(double(want));
      ok = ulps <= 1 || std::fabs(double(want) - double(got)) <= bound;
      break;
    }
    case Tolerance::Sum: {
      double bound =
          2.0 * model.terms * std::ldexp(1.0, -24) * double(magnitude->data[i]);
      ok = ulps <= 1 || std::fabs(double(want) - double(got)) <= bound;
      break;
    }
    case Tolerance::Layer: {
      double ulp = std::nextafter(std::fabs(want), inf) - std::fabs(want);
      double bound = 1.5 * 2.0 * model.terms * std::ldexp(1.0, -24) *
                         double(magnitude->data[i]) +
                     2.0 * ulp;
      ok = ulps <= 2 || std::fabs(double(want) - double(got)) <= bound;
      break;
    }
    }
    if (!ok) {
      ADD_FAILURE() << where << ": element " << i << " is " << got
                    << ", the interpreter says " << want << " (" << ulps
                    << " ULP apart)";
      return;
    }
  }
}

TEST_P(CompiledModelTest, MatchesInterpreter) {
  const auto &[model, config] = GetParam();
  OwningOpRef<ModuleOp> module = parse(model);
  ASSERT_TRUE(module) << diagnostics;
  CompileOptions options;
  options.pipeline.optLevel = config.optLevel;
  options.targetCpu = config.cpu;
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*module, options);
  ASSERT_TRUE(succeeded(compiled)) << diagnostics;

  auto function = *module->getOps<func::FuncOp>().begin();
  bool dynamic = llvm::any_of(function.getArgumentTypes(), [](Type type) {
    return !cast<RankedTensorType>(type).hasStaticShape();
  });
  SmallVector<int64_t> batches =
      dynamic ? SmallVector<int64_t>{0, 1, 7, 64} : SmallVector<int64_t>{1};
  bool special = model.tolerance == Tolerance::Activation;
  for (int64_t batch : batches) {
    SmallVector<HostTensor> inputs =
        makeInputs(function, batch, special, /*seed=*/batch + 1);
    FailureOr<SmallVector<HostTensor>> expected = interpret(function, inputs);
    ASSERT_TRUE(succeeded(expected)) << diagnostics;
    llvm::Expected<SmallVector<HostTensor>> actual =
        (*compiled)->run(function.getSymName(), inputs);
    ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());

    // sum(|a_i b_i|): the interpreter on the absolute values of everything.
    FailureOr<SmallVector<HostTensor>> magnitudes = SmallVector<HostTensor>();
    if (model.tolerance == Tolerance::Sum ||
        model.tolerance == Tolerance::Example ||
        model.tolerance == Tolerance::Layer) {
      for (HostTensor &input : inputs)
        for (float &value : input.data)
          value = std::fabs(value);
      OwningOpRef<ModuleOp> absolute = magnitudeModel(*module);
      magnitudes = interpret(*absolute->getOps<func::FuncOp>().begin(), inputs);
      ASSERT_TRUE(succeeded(magnitudes)) << diagnostics;
    }
    for (size_t r = 0; r < expected->size(); ++r)
      expectClose(model, (*expected)[r], (*actual)[r],
                  magnitudes->empty() ? nullptr : &(*magnitudes)[r],
                  "batch " + std::to_string(batch) + ", result " +
                      std::to_string(r));
  }
}

/// Results are bit-identical whatever the number of threads (SPEC section
/// 5): each thread computes whole batch rows with the same code.
TEST_P(CompiledModelTest, ThreadCountDoesNotChangeResults) {
  const auto &[model, config] = GetParam();
  if (config.optLevel != 3 || std::string(config.cpu) != "native")
    GTEST_SKIP() << "checked once per model, at -O3 for the host";
  OwningOpRef<ModuleOp> module = parse(model);
  ASSERT_TRUE(module) << diagnostics;
  CompileOptions options;
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*module, options);
  ASSERT_TRUE(succeeded(compiled)) << diagnostics;
  auto function = *module->getOps<func::FuncOp>().begin();
  // Batches below, around and well above one task's rows, split between
  // one to four threads; the special values exercise every code path of the
  // activations.
  for (int64_t batch : {63, 257, 3001}) {
    SmallVector<HostTensor> inputs = makeInputs(function, batch, true, 7);
    std::optional<SmallVector<HostTensor>> first;
    for (int threads : {1, 2, 3, 4, 1}) {
      (*compiled)->setNumThreads(threads);
      llvm::Expected<SmallVector<HostTensor>> results =
          (*compiled)->run(function.getSymName(), inputs);
      ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
      if (!first) {
        first = std::move(*results);
        continue;
      }
      for (size_t r = 0; r < first->size(); ++r)
        ASSERT_EQ(0, std::memcmp((*first)[r].data.data(),
                                 (*results)[r].data.data(),
                                 (*first)[r].data.size() * sizeof(float)))
            << "result " << r << " differs with " << threads
            << " threads at batch " << batch;
    }
  }
}

std::string paramName(const ::testing::TestParamInfo<Param> &info) {
  const auto &[model, config] = info.param;
  std::string cpu = config.cpu;
  for (char &c : cpu)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return std::string(model.name) + "_O" + std::to_string(config.optLevel) +
         "_" + cpu;
}

INSTANTIATE_TEST_SUITE_P(
    Compiled, CompiledModelTest,
    ::testing::Combine(::testing::ValuesIn(modelCases),
                       ::testing::Values(Config{0, "native"},
                                         Config{3, "native"},
                                         Config{0, "x86-64-v3"},
                                         Config{3, "x86-64-v3"})),
    paramName);

//===----------------------------------------------------------------------===//
// Fused layers against the unfused ones
//===----------------------------------------------------------------------===//

struct FusedLayerCase {
  const char *name;
  /// The activation op applied to `%0`, the linear's result.
  const char *activation;
};

const FusedLayerCase fusedLayerCases[] = {
    {"sigmoid", "soma.sigmoid %0"},
    {"log_sigmoid", "soma.log_sigmoid %0"},
    {"hard_sigmoid", "soma.hard_sigmoid %0"},
    {"hard_sigmoid_onnx",
     "soma.hard_sigmoid %0 {alpha = 0.2 : f32, beta = 0.5 : f32}"},
    {"silu", "soma.silu %0"},
    {"hard_swish", "soma.hard_swish %0"},
    {"tanh", "soma.tanh %0"},
    {"relu", "soma.relu %0"},
    {"leaky_relu", "soma.leaky_relu %0 {negative_slope = 0.2 : f32}"},
    {"threshold",
     "soma.threshold %0 {threshold = 0.5 : f32, value = -2.0 : f32}"},
    {"softplus", "soma.softplus %0"},
    {"softplus_beta",
     "soma.softplus %0 {beta = 2.0 : f32, threshold = 5.0 : f32}"},
};

/// A soma.linear and the activation after it give the same bits whether
/// soma-fuse-linear-activation fused them or not, in the interpreter and in
/// compiled code: the fused op rounds its linear part once, as soma.linear
/// does, and its kernel and lowering are the unfused ones in sequence.
class FusedLayerTest : public ::testing::TestWithParam<FusedLayerCase>,
                       protected CompilerContext {};

/// Checks that two results have the same shape and the same bits.
void expectBitIdentical(const HostTensor &expected, const HostTensor &actual,
                        const std::string &where) {
  ASSERT_EQ(ArrayRef<int64_t>(expected.shape), ArrayRef<int64_t>(actual.shape))
      << where;
  EXPECT_EQ(0, std::memcmp(expected.data.data(), actual.data.data(),
                           expected.data.size() * sizeof(float)))
      << where << ": fused and unfused results differ";
}

TEST_P(FusedLayerTest, FusedIsBitIdenticalToUnfused) {
  std::string source = std::string(R"mlir(
func.func @main(%x: tensor<?x40xf32>, %w: tensor<24x40xf32>, %b: tensor<24xf32>) -> tensor<?x24xf32> {
  %0 = soma.linear %x, %w, %b : (tensor<?x40xf32>, tensor<24x40xf32>, tensor<24xf32>) -> tensor<?x24xf32>
  %1 = )mlir") + GetParam().activation +
                       R"mlir( : tensor<?x24xf32>
  return %1 : tensor<?x24xf32>
})mlir";
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source, context.get());
  ASSERT_TRUE(module) << diagnostics;
  auto unfused = *module->getOps<func::FuncOp>().begin();

  // The soma pipeline leaves one fused op, and nothing of the pair.
  OwningOpRef<ModuleOp> fusedModule = module->clone();
  ASSERT_TRUE(succeeded(runSomaPipeline(*fusedModule, CompileOptions())))
      << diagnostics;
  auto fused = *fusedModule->getOps<func::FuncOp>().begin();
  auto &body = fused.getBody().front();
  ASSERT_EQ(1, llvm::range_size(body.getOps<LinearActivationOp>()));
  ASSERT_TRUE(body.getOps<LinearOp>().empty());

  CompileOptions fuseOff;
  fuseOff.pipeline.fuse = false;
  CompileOptions fuseOn;
  fuseOn.pipeline.fuse = true;
  FailureOr<std::unique_ptr<CompiledModel>> compiledUnfused =
      CompiledModel::compile(*module, fuseOff);
  ASSERT_TRUE(succeeded(compiledUnfused)) << diagnostics;
  FailureOr<std::unique_ptr<CompiledModel>> compiledFused =
      CompiledModel::compile(*module, fuseOn);
  ASSERT_TRUE(succeeded(compiledFused)) << diagnostics;

  for (int64_t batch : {1, 7, 64}) {
    // The special values in x reach the activation as NaN and infinities.
    SmallVector<HostTensor> inputs =
        makeInputs(unfused, batch, /*withSpecialValues=*/true, batch + 1);
    std::string where = "batch " + std::to_string(batch);

    FailureOr<SmallVector<HostTensor>> interpretedUnfused =
        interpret(unfused, inputs);
    ASSERT_TRUE(succeeded(interpretedUnfused)) << diagnostics;
    FailureOr<SmallVector<HostTensor>> interpretedFused =
        interpret(fused, inputs);
    ASSERT_TRUE(succeeded(interpretedFused)) << diagnostics;
    expectBitIdentical((*interpretedUnfused)[0], (*interpretedFused)[0],
                       "interpreter, " + where);

    llvm::Expected<SmallVector<HostTensor>> runUnfused =
        (*compiledUnfused)->run("main", inputs);
    ASSERT_TRUE(bool(runUnfused)) << llvm::toString(runUnfused.takeError());
    llvm::Expected<SmallVector<HostTensor>> runFused =
        (*compiledFused)->run("main", inputs);
    ASSERT_TRUE(bool(runFused)) << llvm::toString(runFused.takeError());
    expectBitIdentical((*runUnfused)[0], (*runFused)[0], "compiled, " + where);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Compiled, FusedLayerTest, ::testing::ValuesIn(fusedLayerCases),
    [](const ::testing::TestParamInfo<FusedLayerCase> &info) {
      return std::string(info.param.name);
    });

/// On AVX-512, sigmoid and silu divide by vrcp14ps's estimate, and
/// softplus, log_sigmoid and tanh evaluate polynomials on intervals picked
/// by a 32-entry permute; AVX2 targets divide and take exp and log1p
/// instead, whose results differ in some last bits. A fused epilogue of
/// fewer lanes is widened to 16 so that it gives the stand-alone op's bits.
/// The inputs are ones where the two forms differ, found by comparing the
/// AVX2 build with the host's, and reach the 8-lane epilogue of a one-row
/// layer unchanged through an identity weight.
class WidenedEpilogueTest : public ::testing::Test,
                            protected CompilerContext {
protected:
  std::unique_ptr<CompiledModel> compile(const std::string &source,
                                         const char *cpu) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, context.get());
    if (!module)
      return nullptr;
    CompileOptions options;
    options.targetCpu = cpu;
    FailureOr<std::unique_ptr<CompiledModel>> compiled =
        CompiledModel::compile(*module, options);
    return succeeded(compiled) ? std::move(*compiled) : nullptr;
  }
};

TEST_F(WidenedEpilogueTest, FusedEpilogueGivesTheStandAloneBits) {
  const char *ops[] = {"sigmoid", "silu", "softplus", "log_sigmoid", "tanh"};
  // The fused op spells out every parameter of its activation.
  const char *fusedParameters[] = {"", "", ", beta = 1.0 : f32, threshold = "
                                   "20.0 : f32", "", ""};
  constexpr int opCount = std::size(ops);
  const char *type = "tensor<?x8xf32>";
  std::string results, standAlone, fused;
  for (int op = 0; op < opCount; ++op) {
    results += std::string(op ? ", " : "") + type;
    standAlone += llvm::formatv("  %{0} = soma.{1} %x : {2}\n", op, ops[op],
                                type);
    fused += llvm::formatv(
        "  %{0} = soma.linear_activation %x, %w, %b {{activation = "
        "#soma<activation {1}>{3}} : ({2}, tensor<8x8xf32>, tensor<8xf32>) "
        "-> {2}\n",
        op, ops[op], type, fusedParameters[op]);
  }
  std::string returned;
  for (int op = 0; op < opCount; ++op)
    returned += llvm::formatv("{0}%{1}", op ? ", " : "", op);
  std::string header =
      llvm::formatv("func.func @main(%x: {0}) -> ({1}) {{\n", type, results);
  std::string footer =
      llvm::formatv("  return {0} : {1}\n}\n", returned, results);
  std::string identity =
      "  %w = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "
      "0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, "
      "0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, "
      "0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, "
      "0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, "
      "0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<8x8xf32>\n"
      "  %b = arith.constant dense<0.0> : tensor<8xf32>\n";
  std::unique_ptr<CompiledModel> host =
      compile(header + standAlone + footer, "native");
  std::unique_ptr<CompiledModel> avx2 =
      compile(header + standAlone + footer, "x86-64-v3");
  std::unique_ptr<CompiledModel> hostFused =
      compile(header + identity + fused + footer, "native");
  ASSERT_TRUE(host && avx2 && hostFused) << diagnostics;

  // 2^20 inputs in [-20, 20], where the quotients and the intervals are.
  constexpr int64_t rows = 1 << 17;
  std::mt19937 random(5);
  std::uniform_real_distribution<float> uniform(-20.0f, 20.0f);
  HostTensor x({rows, 8});
  for (float &value : x.data)
    value = uniform(random);
  llvm::Expected<SmallVector<HostTensor>> hostResults = host->run("main", {x});
  ASSERT_TRUE(bool(hostResults)) << llvm::toString(hostResults.takeError());
  llvm::Expected<SmallVector<HostTensor>> avx2Results = avx2->run("main", {x});
  ASSERT_TRUE(bool(avx2Results)) << llvm::toString(avx2Results.takeError());

  // The first (up to) 4096 differing inputs of each op, eight at a time as
  // one-row batches (a tile of one row, whose 8 lanes the epilogue widens).
  constexpr size_t checkedPerOp = 4096;
  int64_t differing = 0;
  int64_t differingPerOp[opCount] = {};
  for (int op = 0; op < opCount; ++op) {
    const std::vector<float> &expected = (*hostResults)[op].data;
    const std::vector<float> &other = (*avx2Results)[op].data;
    SmallVector<int64_t> where;
    for (size_t i = 0; i < expected.size() && where.size() < checkedPerOp;
         ++i)
      if (std::memcmp(&expected[i], &other[i], sizeof(float)) != 0)
        where.push_back(static_cast<int64_t>(i));
    differing += static_cast<int64_t>(where.size());
    differingPerOp[op] = static_cast<int64_t>(where.size());
    for (size_t first = 0; first < where.size(); first += 8) {
      HostTensor row({1, 8});
      for (int64_t lane = 0; lane < 8; ++lane)
        row.data[lane] =
            x.data[where[std::min(first + lane, where.size() - 1)]];
      llvm::Expected<SmallVector<HostTensor>> fusedRow =
          hostFused->run("main", {row});
      ASSERT_TRUE(bool(fusedRow)) << llvm::toString(fusedRow.takeError());
      for (int64_t lane = 0; lane < 8; ++lane) {
        int64_t i = where[std::min(first + lane, where.size() - 1)];
        float got = (*fusedRow)[op].data[lane];
        EXPECT_EQ(0, std::memcmp(&got, &expected[i], sizeof(float)))
            << ops[op] << "(" << x.data[i] << "): fused " << got
            << ", stand-alone " << expected[i] << ", AVX2 " << other[i];
      }
    }
  }
  if (differing == 0)
    GTEST_SKIP() << "the host's build computes as AVX2's does (no AVX-512)";
  // On AVX-512 every op's two forms differ on thousands of the 2^20 inputs
  // (sigmoid on 5605, the fewest), so every epilogue was tested.
  for (int op = 0; op < opCount; ++op)
    EXPECT_GT(differingPerOp[op], 0) << ops[op];
}

//===----------------------------------------------------------------------===//
// Central steps against general ones
//===----------------------------------------------------------------------===//

/// On AVX-512, a whole step of sigmoid's or silu's loop (four or eight
/// vectors of 16 lanes) whose lanes all lie in [-16, 16] takes a cheaper
/// central form, one whose lanes all lie in [-64, 64] an extended one
/// (buildSigmoidF32Central, buildSigmoidF32Extended); a step with any other
/// lane takes the general form. All must give the same bits, or a result
/// would depend on its neighbours: the same inputs run once as they are
/// and once with the first of every 64 replaced by 100, which sends every
/// step to the general form; once in [-16, 16], where the steps take the
/// central form, and once in [-64, 64], where they take the extended one
/// (or, rarely, the central).
class CentralStepTest : public WidenedEpilogueTest,
                        public ::testing::WithParamInterface<float> {};

TEST_P(CentralStepTest, CentralStepsGiveTheGeneralBits) {
  if (!__builtin_cpu_supports("avx512f"))
    GTEST_SKIP() << "the central forms are AVX-512's; the host has none";
  const char *source = R"(
func.func @main(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = soma.sigmoid %x : tensor<?xf32>
  %1 = soma.silu %x : tensor<?xf32>
  return %0, %1 : tensor<?xf32>, tensor<?xf32>
}
)";
  std::unique_ptr<CompiledModel> model = compile(source, "native");
  ASSERT_TRUE(model) << diagnostics;

  // 2^18 inputs (below the streaming threshold, so the steps start at 0):
  // the range's edges and the points where 2^-n or x·q·residual change
  // form first, then uniform in [-range, range].
  const float range = GetParam();
  constexpr int64_t count = 1 << 18, step = 64;
  std::vector<float> edges = {range, -range, std::nextafter(range, 0.0f),
                              std::nextafter(-range, 0.0f), 0.0f, -0.0f,
                              0x1p-149f, -0x1p-149f, 0x1p-126f, -0x1p-126f,
                              0.3465735f, -0.3465735f, 0.3465736f,
                              -0.3465736f, 15.59f, -15.59f, 1e-30f, -1e-30f};
  if (range > 16.0f)
    // Where 1 + 2^-n starts to round, and where sigmoid rounds to 1.
    llvm::append_range(edges, std::initializer_list<float>{
                                  16.64f, -16.64f, 17.33f, 20.0f, 20.5f});
  std::mt19937 random(11);
  std::uniform_real_distribution<float> uniform(-range, range);
  HostTensor central({count});
  for (int64_t i = 0; i < count; ++i)
    central.data[i] = i / step < static_cast<int64_t>(edges.size())
                          ? edges[i / step]
                          : uniform(random);
  HostTensor general = central;
  for (int64_t i = 0; i < count; i += step)
    general.data[i] = 100.0f;

  llvm::Expected<SmallVector<HostTensor>> centralResults =
      model->run("main", {central});
  ASSERT_TRUE(bool(centralResults))
      << llvm::toString(centralResults.takeError());
  llvm::Expected<SmallVector<HostTensor>> generalResults =
      model->run("main", {general});
  ASSERT_TRUE(bool(generalResults))
      << llvm::toString(generalResults.takeError());
  const char *ops[] = {"sigmoid", "silu"};
  for (int op = 0; op < 2; ++op) {
    int64_t mismatches = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (i % step == 0)
        continue;
      float a = (*centralResults)[op].data[i];
      float b = (*generalResults)[op].data[i];
      if (std::memcmp(&a, &b, sizeof(float)) != 0 && ++mismatches <= 10)
        ADD_FAILURE() << ops[op] << "(" << central.data[i] << "): central "
                      << a << ", general " << b;
    }
    EXPECT_EQ(mismatches, 0) << ops[op];
  }
}

INSTANTIATE_TEST_SUITE_P(Ranges, CentralStepTest,
                         ::testing::Values(16.0f, 64.0f),
                         [](const ::testing::TestParamInfo<float> &info) {
                           return info.param == 16.0f ? "Central"
                                                      : "Extended";
                         });

//===----------------------------------------------------------------------===//
// softmax rows in the normal domain against general ones
//===----------------------------------------------------------------------===//

/// A softmax or log_softmax row whose every x - max lies at or above -86.5
/// (-130.86 for log_softmax) takes its exponentials without clamps and
/// vscalefps (ExpDomain::Normal), and there x - max by Fast2Sum where the
/// row's bounds order the exponents of x and max; any other row the
/// general pass. All must give the same bits: rows of 1024 inputs run once
/// as they are and once
/// with a 1025th input of -1000, whose term is 0 and which sends the row to
/// the general pass; the first 1024 results must not change. On AVX-512
/// and on AVX2 (8 lanes, where the general pass scales by two products).
class SoftmaxDomainTest : public WidenedEpilogueTest,
                          public ::testing::WithParamInterface<const char *> {};

TEST_P(SoftmaxDomainTest, NormalRowsGiveTheGeneralBits) {
  const char *source = R"(
func.func @normal(%x: tensor<?x1024xf32>) -> (tensor<?x1024xf32>, tensor<?x1024xf32>) {
  %0 = soma.softmax %x : tensor<?x1024xf32>
  %1 = soma.log_softmax %x : tensor<?x1024xf32>
  return %0, %1 : tensor<?x1024xf32>, tensor<?x1024xf32>
}
func.func @general(%x: tensor<?x1025xf32>) -> (tensor<?x1025xf32>, tensor<?x1025xf32>) {
  %0 = soma.softmax %x : tensor<?x1025xf32>
  %1 = soma.log_softmax %x : tensor<?x1025xf32>
  return %0, %1 : tensor<?x1025xf32>, tensor<?x1025xf32>
}
)";
  std::unique_ptr<CompiledModel> model = compile(source, GetParam());
  ASSERT_TRUE(model) << diagnostics;

  // 64 rows (below the streaming threshold), each of a different spread:
  // 56 up to 14 wide, with a tie at the maximum in the first; then 8 from
  // 0 down to a least x near the domains' floors (-86.5 for softmax,
  // -86.5 - 64·ln2 = -130.86 for log_softmax, both inside), where 2^n
  // comes nearest to the subnormal range: in every other row all but the
  // maximum lie within 1 of the least, so that the sum rounds to 1 and
  // softmax's results there are its exponentials, bit for bit; in the
  // others a quarter do. The row down to -87.39 reaches e^t below 2^-126,
  // which the normal domain's products would round twice: with its floor
  // moved below that row, the test fails there.
  constexpr int64_t rows = 64, length = 1024, narrowRows = 56;
  const float floors[rows - narrowRows] = {
      -80.0f, -86.4f, -86.49f, -86.5f, -87.39f, -100.0f, -130.85f, -130.86f};
  std::mt19937 random(5);
  HostTensor normal({rows, length}), general({rows, length + 1});
  for (int64_t r = 0; r < rows; ++r) {
    // Narrow rows in turn: around 0, all negative, and mostly negative
    // with a positive maximum (softmax's x - m by Fast2Sum with -m first,
    // with x first, and by TwoSum, each in some of the rows). The negative
    // rows' maximum, their first input, uses its mantissa's last bit (the
    // distribution's floats are multiples of coarser powers of two), so
    // that most x - m round.
    float width = 0.125f * (r + 1);
    float low = r >= narrowRows ? floors[r - narrowRows]
                : r % 3 == 0    ? -width
                : r % 3 == 1    ? -4.0f * width - 0.27f
                                : -4.0f * width;
    float high = r >= narrowRows ? 0.0f
                 : r % 3 == 0    ? width
                 : r % 3 == 1    ? -0x1.0e5f33p-2f
                                 : 0.5f * width;
    std::uniform_real_distribution<float> uniform(low, high);
    std::uniform_real_distribution<float> nearLow(low, low + 1.0f);
    for (int64_t c = 0; c < length; ++c) {
      float x;
      if (r < narrowRows)
        x = r == 0 && c < 2        ? 1.0f
            : r % 3 == 1 && c == 0 ? high
                                   : uniform(random);
      else if (c < 2)
        x = c == 0 ? high : low;
      else
        x = r % 2 == 0 || c % 4 == 0 ? nearLow(random) : uniform(random);
      normal.data[r * length + c] = x;
      general.data[r * (length + 1) + c] = x;
    }
    general.data[r * (length + 1) + length] = -1000.0f;
  }
  llvm::Expected<SmallVector<HostTensor>> normalResults =
      model->run("normal", {normal});
  ASSERT_TRUE(bool(normalResults)) << llvm::toString(normalResults.takeError());
  llvm::Expected<SmallVector<HostTensor>> generalResults =
      model->run("general", {general});
  ASSERT_TRUE(bool(generalResults))
      << llvm::toString(generalResults.takeError());
  const char *ops[] = {"softmax", "log_softmax"};
  for (int op = 0; op < 2; ++op) {
    int64_t mismatches = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < length; ++c) {
        float a = (*normalResults)[op].data[r * length + c];
        float b = (*generalResults)[op].data[r * (length + 1) + c];
        if (std::memcmp(&a, &b, sizeof(float)) != 0 && ++mismatches <= 10)
          ADD_FAILURE() << ops[op] << " row " << r << " column " << c
                        << ": normal " << a << ", general " << b;
      }
    EXPECT_EQ(mismatches, 0) << ops[op];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Targets, SoftmaxDomainTest, ::testing::Values("native", "x86-64-v3"),
    [](const ::testing::TestParamInfo<const char *> &info) {
      return std::string(info.param) == "native" ? "Native" : "Avx2";
    });

//===----------------------------------------------------------------------===//
// Streamed outputs against cached ones
//===----------------------------------------------------------------------===//

/// Activation and softmax outputs past convert-soma-to-linalg's
/// nontemporal-threshold are written with non-temporal stores after one
/// masked vector up to their first 64-byte boundary (each row's, for the
/// softmax rows). Whatever the output's alignment, the
/// results are the bits of the cached writes, and nothing outside the
/// output is touched.
class StreamingTest : public ::testing::TestWithParam<const char *>,
                      protected CompilerContext {
protected:
  /// The model compiled for the CPU of the test's parameter (AVX-512 or
  /// AVX2: 64- or 32-byte vectors) with `threshold` as its
  /// nontemporal-threshold.
  std::unique_ptr<CompiledModel> compile(ModuleOp module, int64_t threshold) {
    CompileOptions options;
    options.targetCpu = GetParam();
    options.pipeline.nontemporalThreshold = threshold;
    FailureOr<std::unique_ptr<CompiledModel>> compiled =
        CompiledModel::compile(module, options);
    if (failed(compiled))
      return nullptr;
    return std::move(*compiled);
  }
};

/// Whether `a` and `b` have the same bits, or are both NaN: which NaN an
/// operation on two NaNs passes on depends on the order of its operands
/// in the instruction, which two compilations of one model may choose
/// differently (a log_softmax row holding NaN and +inf gave -nan cached
/// and +nan streamed); NaN's sign and payload are not part of the results.
bool sameBitsOrBothNaN(float a, float b) {
  return std::memcmp(&a, &b, sizeof(float)) == 0 ||
         (std::isnan(a) && std::isnan(b));
}

/// Every activation with a vector loop, and the softmax rows (each row
/// streamed on its own: one masked vector up to its first boundary), on
/// rows of an odd width.
constexpr const char *streamingModel = R"mlir(
func.func @main(%x: tensor<?x37xf32>) -> (tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>) {
  %0 = soma.sigmoid %x : tensor<?x37xf32>
  %1 = soma.log_sigmoid %x : tensor<?x37xf32>
  %2 = soma.hard_sigmoid %x : tensor<?x37xf32>
  %3 = soma.silu %x : tensor<?x37xf32>
  %4 = soma.hard_swish %x : tensor<?x37xf32>
  %5 = soma.tanh %x : tensor<?x37xf32>
  %6 = soma.softplus %x : tensor<?x37xf32>
  %7 = soma.relu %x : tensor<?x37xf32>
  %8 = soma.softmax %x {dim = -1 : i64} : tensor<?x37xf32>
  %9 = soma.log_softmax %x {dim = -1 : i64} : tensor<?x37xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>, tensor<?x37xf32>
})mlir";

TEST_P(StreamingTest, SameBitsAtEveryAlignment) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(streamingModel, context.get());
  ASSERT_TRUE(module) << diagnostics;
  auto function = *module->getOps<func::FuncOp>().begin();
  std::unique_ptr<CompiledModel> cached = compile(*module, 0);
  ASSERT_TRUE(cached) << diagnostics;
  // From 16 elements on everything streams, so small batches reach every
  // case of the split: a head of 0 to 15 floats (0 to 7 with AVX2),
  // streamed steps or none, cached steps, the masked rest.
  std::unique_ptr<CompiledModel> streamed = compile(*module, 16);
  ASSERT_TRUE(streamed) << diagnostics;

  constexpr float guard = -12345.0f;
  constexpr int64_t margin = 32; // floats on either side of each output
  for (int64_t batch : {1, 2, 5, 40}) {
    SmallVector<HostTensor> inputs =
        makeInputs(function, batch, /*withSpecialValues=*/true, batch);
    llvm::Expected<SmallVector<HostTensor>> expected =
        cached->run("main", inputs);
    ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
    size_t count = (*expected)[0].data.size();
    for (int threads : {1, 2}) {
      streamed->setNumThreads(threads);
      for (int64_t offset = 0; offset < 16; ++offset) {
        // Each output `offset` floats past a 64-byte boundary, guarded.
        SmallVector<std::vector<float>> storage;
        SmallVector<float *> buffers = {inputs[0].data.data()};
        for (size_t r = 0; r < expected->size(); ++r) {
          std::vector<float> &space = storage.emplace_back(
              count + 2 * margin + 16, guard);
          auto address = reinterpret_cast<uintptr_t>(space.data() + margin);
          int64_t toBoundary = (64 - address % 64) % 64 / sizeof(float);
          buffers.push_back(space.data() + margin + toBoundary + offset);
        }
        ASSERT_FALSE(bool(streamed->call("main", buffers, batch)));
        std::string where = "batch " + std::to_string(batch) + ", " +
                            std::to_string(threads) + " threads, offset " +
                            std::to_string(offset);
        for (size_t r = 0; r < expected->size(); ++r) {
          float *output = buffers[r + 1];
          for (size_t i = 0; i < count; ++i)
            ASSERT_TRUE(sameBitsOrBothNaN((*expected)[r].data[i], output[i]))
                << where << ", result " << r << ", element " << i << ": "
                << (*expected)[r].data[i] << " cached, " << output[i]
                << " streamed";
          for (float *p = storage[r].data(); p < output; ++p)
            ASSERT_EQ(guard, *p) << where << ", result " << r
                                 << ": written before the output";
          for (float *p = output + count;
               p < storage[r].data() + storage[r].size(); ++p)
            ASSERT_EQ(guard, *p) << where << ", result " << r
                                 << ": written after the output";
        }
      }
    }
  }
  streamed->setNumThreads(0);

  // The default threshold, 2^20 elements: a batch just past it streams, at
  // the alignment std::vector gives.
  std::unique_ptr<CompiledModel> byDefault = compile(*module, 1 << 20);
  ASSERT_TRUE(byDefault) << diagnostics;
  int64_t batch = (1 << 20) / 37 + 1;
  SmallVector<HostTensor> inputs = makeInputs(function, batch, true, 3);
  llvm::Expected<SmallVector<HostTensor>> expected =
      cached->run("main", inputs);
  ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
  llvm::Expected<SmallVector<HostTensor>> actual =
      byDefault->run("main", inputs);
  ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());
  for (size_t r = 0; r < expected->size(); ++r)
    for (size_t i = 0; i < (*expected)[r].data.size(); ++i)
      ASSERT_TRUE(
          sameBitsOrBothNaN((*expected)[r].data[i], (*actual)[r].data[i]))
          << "batch " << batch << ", result " << r << ", element " << i;
}

INSTANTIATE_TEST_SUITE_P(Compiled, StreamingTest,
                         ::testing::Values("native", "x86-64-v3"),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           return std::string(info.param) == "native"
                                      ? std::string("native")
                                      : std::string("x86_64_v3");
                         });

} // namespace
