//===- LinearKernelTest.cpp - Compiled linear layers at benchmark shapes --===//
//
// Linear layers with constant weights go through the register-blocked kernel
// (compiler/lib/Conversion/SomaToLinalg/LinearKernel.cpp). For each shape the
// benchmarks measure, plus shapes that leave partial tiles and panels, one
// model holds the layer fused with each of the ten activations; it is
// compiled for the host (16 lanes with AVX-512) and for x86-64-v3 (8 lanes),
// and every result is checked against the reference interpreter. On the
// small shapes, the fused layers must also give the bits of the unfused
// pairs; and every shape's results must not depend on the thread count.
//
// The interpreter's fused layer is its linear, rounded to f32 (z), then the
// activation f in double, rounded; the compiled one is held to the bound of
// KernelTestSupport.h.
//
//===----------------------------------------------------------------------===//

#include "soma/Driver/CompiledModel.h"
#include "soma/Driver/Compiler.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"
#include "soma/Interpreter/Interpreter.h"
#include "soma/Support/FloatDistance.h"

#include "KernelTestSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
using namespace soma;
using namespace soma::testing;

namespace {

struct Shape {
  int64_t m, k, n;
};

// The benchmark's shapes, then shapes with partial row tiles, partial
// panels, narrow and one-column layers.
const Shape shapes[] = {
    {1, 8, 2},      {16, 6, 2},      {1, 1024, 1024}, {64, 1024, 1024},
    {256, 512, 512}, {256, 4096, 1024}, {1024, 1024, 1024},
    {13, 37, 70},   {7, 5, 1},       {65, 3, 200},    {6, 130, 17},
};

class LinearKernelTest : public ::testing::TestWithParam<Shape> {
protected:
  LinearKernelTest() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    registry.insert<SomaDialect>();
    context.appendDialectRegistry(registry);
    context.loadDialect<SomaDialect, func::FuncDialect, arith::ArithDialect>();
  }


  /// `main(x) -> (linear_activation_0(x), ..., linear_activation_9(x))` with
  /// one constant weight and bias; `withActivations` false gives the plain
  /// `linear` instead.
  OwningOpRef<ModuleOp> buildModel(const Shape &shape, bool withActivations) {
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    auto f32 = b.getF32Type();
    auto inputType = RankedTensorType::get({ShapedType::kDynamic, shape.k}, f32);
    auto resultType = RankedTensorType::get({ShapedType::kDynamic, shape.n}, f32);
    auto weightType = RankedTensorType::get({shape.n, shape.k}, f32);
    auto biasType = RankedTensorType::get({shape.n}, f32);
    int64_t numResults = withActivations ? activationCases().size() : 1;
    auto function = func::FuncOp::create(
        b, loc, "main",
        b.getFunctionType(inputType,
                          SmallVector<Type>(numResults, resultType)));
    b.setInsertionPointToEnd(function.addEntryBlock());
    Value weight = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(weightType, ArrayRef(weights)));
    Value bias = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(biasType, ArrayRef(biases)));
    Value x = function.getArgument(0);
    SmallVector<Value> results;
    if (!withActivations) {
      results.push_back(LinearOp::create(b, loc, x, weight, bias));
    } else {
      for (const ActivationCase &activation : activationCases()) {
        auto layer = LinearActivationOp::create(
            b, loc, resultType, x, weight, bias,
            ActivationKindAttr::get(&context, activation.kind), FloatAttr(),
            FloatAttr(), FloatAttr(), FloatAttr(), FloatAttr());
        for (auto [name, value] : activation.parameters)
          layer->setAttr(name, b.getF32FloatAttr(value));
        results.push_back(layer);
      }
    }
    func::ReturnOp::create(b, loc, results);
    return module;
  }

  MLIRContext context;
  std::vector<float> weights, biases;
};

TEST_P(LinearKernelTest, MatchesInterpreterWithinTheDotProductBound) {
  const Shape shape = GetParam();
  weights = uniform(shape.n * shape.k, 1);
  biases = uniform(shape.n, 2);
  HostTensor x(ArrayRef<int64_t>{shape.m, shape.k});
  x.data = uniform(shape.m * shape.k, 3);

  // z and sum(|a_i b_i|) in double, from the interpreter's linear.
  OwningOpRef<ModuleOp> linear = buildModel(shape, /*withActivations=*/false);
  FailureOr<SmallVector<HostTensor>> z =
      interpret(*linear->getOps<func::FuncOp>().begin(), {x});
  ASSERT_TRUE(succeeded(z));
  std::vector<double> magnitude(shape.m * shape.n);
  for (int64_t i = 0; i < shape.m; ++i)
    for (int64_t j = 0; j < shape.n; ++j) {
      double sum = std::fabs(biases[j]);
      for (int64_t kk = 0; kk < shape.k; ++kk)
        sum += std::fabs(double(x.data[i * shape.k + kk]) *
                         weights[j * shape.k + kk]);
      magnitude[i * shape.n + j] = sum;
    }

  OwningOpRef<ModuleOp> model = buildModel(shape, /*withActivations=*/true);
  auto main = *model->getOps<func::FuncOp>().begin();
  SmallVector<Operation *> layers;
  for (Operation &op : main.getBody().front().without_terminator())
    if (isa<LinearActivationOp>(op))
      layers.push_back(&op);

  for (const char *cpu : {"native", "x86-64-v3"}) {
    llvm::Expected<SmallVector<HostTensor>> actual =
        compileAndRun(*model, cpu, {x});
    ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());

    for (auto [r, layer] : llvm::enumerate(layers)) {
      auto fused = cast<LinearActivationOp>(layer);
      OwningOpRef<Operation *> activation = fused.buildActivationDescription();
      expectLayerWithinBound(
          activation.get(), (*z)[0].data, magnitude, shape.k,
          (*actual)[r].data,
          std::string(cpu) + ", " +
              stringifyActivationKind(fused.getActivation()).str());
    }
  }
}

/// The kernel's epilogue gives the bits of the unfused pair (the kernel
/// without activation, then the activation's own vector loop): the same
/// element code, on vectors of whatever width.
TEST_P(LinearKernelTest, FusedIsBitIdenticalToUnfused) {
  const Shape shape = GetParam();
  if (shape.k * shape.n > 100000)
    GTEST_SKIP() << "checked on the small shapes (compile time)";
  weights = uniform(shape.n * shape.k, 1);
  biases = uniform(shape.n, 2);
  int64_t rows = shape.m + 5;
  HostTensor x(ArrayRef<int64_t>{rows, shape.k});
  x.data = uniform(rows * shape.k, 5);
  for (float &value : x.data)
    value *= 8.0f; // well into every activation's tails

  OwningOpRef<ModuleOp> model = buildModel(shape, /*withActivations=*/true);
  // Unfused: each fused layer rewritten as soma.linear and its activation.
  OwningOpRef<ModuleOp> unfusedModel = model->clone();
  unfusedModel->walk([](LinearActivationOp layer) {
    OpBuilder b(layer);
    auto linear = LinearOp::create(b, layer.getLoc(), layer.getInput(),
                                   layer.getWeight(), layer.getBias());
    OwningOpRef<Operation *> description = layer.buildActivationDescription();
    OperationState state(layer.getLoc(), description->getName());
    state.addOperands(linear.getResult());
    state.addAttributes(description->getAttrs());
    state.addTypes(layer.getType());
    layer.replaceAllUsesWith(b.create(state)->getResult(0));
    layer.erase();
  });
  expectFusedMatchesUnfused(*model, *unfusedModel, {x});
}

TEST_P(LinearKernelTest, ThreadCountDoesNotChangeResults) {
  const Shape shape = GetParam();
  weights = uniform(shape.n * shape.k, 1);
  biases = uniform(shape.n, 2);
  OwningOpRef<ModuleOp> model = buildModel(shape, /*withActivations=*/false);
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*model, CompileOptions());
  ASSERT_TRUE(succeeded(compiled));
  // One and three rows (too few to split the batch: the threads split the
  // whole panels of the layer's columns where it has several and enough
  // work), and enough rows for several tasks of the pool.
  for (int64_t rows :
       {int64_t{1}, int64_t{3}, std::max<int64_t>(shape.m, 200)}) {
    HostTensor x(ArrayRef<int64_t>{rows, shape.k});
    x.data = uniform(rows * shape.k, 4);
    std::optional<HostTensor> first;
    for (int threads : {1, 2, 3}) {
      (*compiled)->setNumThreads(threads);
      llvm::Expected<SmallVector<HostTensor>> result =
          (*compiled)->run("main", {x});
      ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
      if (!first) {
        first = (*result)[0];
        continue;
      }
      ASSERT_EQ(0, std::memcmp(first->data.data(), (*result)[0].data.data(),
                               first->data.size() * sizeof(float)))
          << rows << " rows, " << threads << " threads";
    }
  }
}

std::string shapeName(const ::testing::TestParamInfo<Shape> &info) {
  return "M" + std::to_string(info.param.m) + "_K" +
         std::to_string(info.param.k) + "_N" + std::to_string(info.param.n);
}

INSTANTIATE_TEST_SUITE_P(Shapes, LinearKernelTest, ::testing::ValuesIn(shapes),
                         shapeName);

} // namespace
