//===- ConvolutionKernelTest.cpp - Compiled one-group convolutions --------===//
//
// One-group convolutions go through the linear kernel
// (compiler/lib/Conversion/SomaToLinalg/Convolution.cpp): in place on the
// padded image without a stride, through copied patches with one. Here the
// weights are constants (CompiledModelTest's conv2d_dilated passes one as
// an argument).
// For each geometry below (paddings that leave columns to drop, strides,
// dilations, 1x1 kernels, partial tiles and panels, a transposed
// convolution), one model holds the convolution alone and fused with each
// of the ten activations; it is compiled for the host (16 lanes with
// AVX-512) and for x86-64-v3 (8 lanes), and every result is checked
// against the reference interpreter within the bound of KernelTestSupport.h
// (the dot-product bound of the K = C·KH·KW products, then the
// activation's slope). The fused layers must give the unfused pairs'
// bits, and no result may depend on the thread count.
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

struct Geometry {
  const char *name;
  int64_t channels, filters, height, width, kernelHeight, kernelWidth;
  SmallVector<int64_t, 4> stride, padding, dilation;
  bool transposed = false;
};

const Geometry geometries[] = {
    {"k3_pad1", 5, 7, 9, 9, 3, 3, {1, 1}, {1, 1}, {1, 1}},
    {"k1", 6, 20, 8, 8, 1, 1, {1, 1}, {0, 0}, {1, 1}},
    {"k3_stride2", 4, 6, 9, 9, 3, 3, {2, 2}, {1, 0}, {1, 1}},
    {"k3_stride2x1", 3, 5, 7, 10, 3, 2, {2, 1}, {0, 1}, {1, 1}},
    {"k3_dilated", 3, 4, 8, 8, 3, 3, {1, 1}, {1, 1}, {2, 2}},
    {"k2x3_asymmetric", 2, 3, 6, 7, 2, 3, {1, 1}, {0, 1, 2, 1}, {1, 1}},
    {"k3_wide", 32, 48, 28, 28, 3, 3, {1, 1}, {1, 1}, {1, 1}},
    {"transposed", 4, 3, 5, 5, 3, 3, {2, 2}, {1, 1}, {1, 1}, true},
};

class ConvolutionKernelTest : public ::testing::TestWithParam<Geometry> {
protected:
  ConvolutionKernelTest() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    registry.insert<SomaDialect>();
    context.appendDialectRegistry(registry);
    context.loadDialect<SomaDialect, func::FuncDialect, arith::ArithDialect>();
  }

  /// The weight's shape: [F, C, KH, KW], [C, F, KH, KW] when transposed.
  SmallVector<int64_t> weightShape() const {
    const Geometry &g = GetParam();
    if (g.transposed)
      return {g.channels, g.filters, g.kernelHeight, g.kernelWidth};
    return {g.filters, g.channels, g.kernelHeight, g.kernelWidth};
  }

  /// `main(x)` returning the convolution alone (`absolute`: with |w| and
  /// |b|, for sum(|a_i b_i|)), then, unless `absolute` or transposed, fused
  /// with each activation (`fused`) or followed by it.
  OwningOpRef<ModuleOp> buildModel(bool absolute, bool fused) {
    const Geometry &g = GetParam();
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    auto f32 = b.getF32Type();
    auto inputType = RankedTensorType::get(
        {ShapedType::kDynamic, g.channels, g.height, g.width}, f32);
    std::vector<float> w = weights, bs = biases;
    if (absolute) {
      for (float &v : w)
        v = std::fabs(v);
      for (float &v : bs)
        v = std::fabs(v);
    }
    auto weightType = RankedTensorType::get(weightShape(), f32);
    auto biasType = RankedTensorType::get({g.filters}, f32);
    auto function = func::FuncOp::create(b, loc, "main",
                                         b.getFunctionType(inputType, {}));
    b.setInsertionPointToEnd(function.addEntryBlock());
    Value weight = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(weightType, ArrayRef(w)));
    Value bias = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(biasType, ArrayRef(bs)));
    Value x = function.getArgument(0);
    SmallVector<Value> results;
    if (g.transposed)
      results.push_back(ConvTranspose2dOp::create(
          b, loc, x, weight, bias, b.getDenseI64ArrayAttr(g.stride),
          b.getDenseI64ArrayAttr(g.padding),
          b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr(g.dilation),
          b.getI64IntegerAttr(1)));
    else
      results.push_back(Conv2dOp::create(
          b, loc, x, weight, bias, b.getDenseI64ArrayAttr(g.stride),
          b.getDenseI64ArrayAttr(g.padding),
          b.getDenseI64ArrayAttr(g.dilation), b.getI64IntegerAttr(1)));
    if (!absolute && !g.transposed) {
      auto conv = results.front().getDefiningOp<Conv2dOp>();
      for (const ActivationCase &activation : activationCases()) {
        auto layer = Conv2dActivationOp::create(
            b, loc, conv.getType(), x, weight, bias, conv.getStrideAttr(),
            conv.getPaddingAttr(), conv.getDilationAttr(),
            conv.getGroupsAttr(),
            ActivationKindAttr::get(&context, activation.kind), FloatAttr(),
            FloatAttr(), FloatAttr(), FloatAttr(), FloatAttr());
        for (auto [name, value] : activation.parameters)
          layer->setAttr(name, b.getF32FloatAttr(value));
        if (fused) {
          results.push_back(layer);
          continue;
        }
        // The same layer unfused: its convolution and activation op.
        auto alone = Conv2dOp::create(b, loc, x, weight, bias,
                                      conv.getStrideAttr(),
                                      conv.getPaddingAttr(),
                                      conv.getDilationAttr(),
                                      conv.getGroupsAttr());
        OwningOpRef<Operation *> description =
            layer.buildActivationDescription();
        OperationState state(loc, description->getName());
        state.addOperands(alone.getResult());
        state.addAttributes(description->getAttrs());
        state.addTypes(layer.getType());
        results.push_back(b.create(state)->getResult(0));
        layer.erase();
      }
    }
    func::ReturnOp::create(b, loc, results);
    function.setType(b.getFunctionType(inputType, ValueRange(results).getTypes()));
    return module;
  }

  HostTensor input(int64_t batch, uint32_t seed) const {
    const Geometry &g = GetParam();
    HostTensor x(ArrayRef<int64_t>{batch, g.channels, g.height, g.width});
    x.data = uniform(x.data.size(), seed);
    return x;
  }

  void initialize() {
    SmallVector<int64_t> shape = weightShape();
    weights = uniform(shape[0] * shape[1] * shape[2] * shape[3], 1);
    biases = uniform(GetParam().filters, 2);
  }

  int64_t terms() const {
    SmallVector<int64_t> shape = weightShape();
    return (GetParam().transposed ? shape[0] : shape[1]) * shape[2] * shape[3];
  }

  MLIRContext context;
  std::vector<float> weights, biases;
};

TEST_P(ConvolutionKernelTest, MatchesInterpreterWithinTheDotProductBound) {
  initialize();
  HostTensor x = input(3, 3);
  HostTensor absoluteX = x;
  for (float &value : absoluteX.data)
    value = std::fabs(value);
  OwningOpRef<ModuleOp> model = buildModel(/*absolute=*/false, /*fused=*/true);
  OwningOpRef<ModuleOp> absolute = buildModel(/*absolute=*/true, false);
  auto main = *model->getOps<func::FuncOp>().begin();
  FailureOr<SmallVector<HostTensor>> expected = interpret(main, {x});
  ASSERT_TRUE(succeeded(expected));
  FailureOr<SmallVector<HostTensor>> magnitude =
      interpret(*absolute->getOps<func::FuncOp>().begin(), {absoluteX});
  ASSERT_TRUE(succeeded(magnitude));
  const HostTensor &z = (*expected)[0];

  SmallVector<Operation *> layers;
  for (Operation &op : main.getBody().front().without_terminator())
    if (isa<Conv2dOp, ConvTranspose2dOp, Conv2dActivationOp>(op))
      layers.push_back(&op);

  for (const char *cpu : {"native", "x86-64-v3"}) {
    llvm::Expected<SmallVector<HostTensor>> actual =
        compileAndRun(*model, cpu, {x});
    ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());

    for (auto [r, layer] : llvm::enumerate(layers)) {
      OwningOpRef<Operation *> activation;
      if (auto fused = dyn_cast<Conv2dActivationOp>(layer))
        activation = fused.buildActivationDescription();
      expectLayerWithinBound(activation.get(), z.data, (*magnitude)[0].data,
                             terms(), (*actual)[r].data,
                             std::string(cpu) + ", result " +
                                 std::to_string(r));
    }
  }
}

/// The kernel's epilogue gives the bits of the unfused pair.
TEST_P(ConvolutionKernelTest, FusedIsBitIdenticalToUnfused) {
  if (GetParam().transposed)
    GTEST_SKIP() << "conv_transpose2d does not fuse";
  initialize();
  HostTensor x = input(2, 5);
  for (float &value : x.data)
    value *= 4.0f; // into every activation's tails
  OwningOpRef<ModuleOp> fusedModel = buildModel(false, /*fused=*/true);
  OwningOpRef<ModuleOp> unfusedModel = buildModel(false, /*fused=*/false);
  expectFusedMatchesUnfused(*fusedModel, *unfusedModel, {x});
}

/// A batch of one splits the kernel's panels between the threads, larger
/// ones their images; either way every result is computed alike.
TEST_P(ConvolutionKernelTest, ThreadCountDoesNotChangeResults) {
  initialize();
  OwningOpRef<ModuleOp> model = buildModel(false, /*fused=*/true);
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*model, CompileOptions());
  ASSERT_TRUE(succeeded(compiled));
  for (int64_t batch : {1, 3, 9}) {
    HostTensor x = input(batch, 7);
    std::optional<SmallVector<HostTensor>> first;
    for (int threads : {1, 2, 3}) {
      (*compiled)->setNumThreads(threads);
      llvm::Expected<SmallVector<HostTensor>> result =
          (*compiled)->run("main", {x});
      ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
      if (!first) {
        first = *result;
        continue;
      }
      for (size_t r = 0; r < result->size(); ++r)
        ASSERT_EQ(0, std::memcmp((*first)[r].data.data(),
                                 (*result)[r].data.data(),
                                 (*first)[r].data.size() * sizeof(float)))
            << "batch " << batch << ", " << threads << " threads, result "
            << r;
    }
  }
}

/// A batch_norm after the convolution folds into its weight and bias (and
/// the silu after that fuses): against the interpreter's unfused ops, the
/// folded layer is a sum of K products with the weights w' = w·s rounded
/// once more, and the bias b' too, so it is held to the bound of K + 2
/// terms of magnitude sum(|x w'|) + |b'|, plus |s|·ulp(z) for the
/// interpreter's rounding of the convolution z before it normalizes.
TEST_P(ConvolutionKernelTest, BatchNormFoldsWithinTheBound) {
  const Geometry &g = GetParam();
  if (g.transposed)
    GTEST_SKIP() << "only conv2d folds a batch_norm";
  initialize();
  std::vector<float> mean = uniform(g.filters, 11), gamma = uniform(g.filters, 12),
                     beta = uniform(g.filters, 13),
                     variance = uniform(g.filters, 14);
  for (float &v : variance)
    v = std::fabs(v) + 0.05f;
  float epsilon = 1e-5f;

  // x -> (batch_norm(conv2d(x)), silu(batch_norm(conv2d(x)))), unfused:
  // the interpreter's normalized value and its silu.
  OwningOpRef<ModuleOp> model = buildModel(/*absolute=*/false, false);
  auto main = *model->getOps<func::FuncOp>().begin();
  Block &body = main.getBody().front();
  Operation *terminator = body.getTerminator();
  auto conv = cast<Conv2dOp>(terminator->getOperand(0).getDefiningOp());
  OpBuilder b(terminator);
  Location loc = b.getUnknownLoc();
  auto vector = [&](ArrayRef<float> values) -> Value {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({g.filters}, b.getF32Type()), values));
  };
  auto normalized = [&]() -> Value {
    auto convAgain = cast<Conv2dOp>(b.clone(*conv.getOperation()));
    return BatchNormOp::create(b, loc, convAgain.getType(), convAgain,
                               vector(mean), vector(variance), vector(gamma),
                               vector(beta), b.getF32FloatAttr(epsilon));
  };
  Value plain = normalized();
  Value silu = SiluOp::create(b, loc, normalized());
  func::ReturnOp::create(b, loc, ValueRange{plain, silu});
  terminator->erase();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (op.use_empty() && !isa<func::ReturnOp>(op))
      op.erase();
  main.setType(b.getFunctionType(main.getArgumentTypes(),
                                 {plain.getType(), silu.getType()}));

  // The compiled model returns silu(batch_norm(conv2d(x))) alone (with
  // both results, CSE would merge the two convolutions, whose one result
  // could then not fuse with the silu); the soma pipeline leaves one
  // conv2d_activation of it.
  OwningOpRef<ModuleOp> compiledModel = model->clone();
  {
    auto function = *compiledModel->getOps<func::FuncOp>().begin();
    Operation *ret = function.getBody().front().getTerminator();
    ret->eraseOperand(0);
    function.setType(b.getFunctionType(function.getArgumentTypes(),
                                       {silu.getType()}));
  }
  OwningOpRef<ModuleOp> folded = compiledModel->clone();
  ASSERT_TRUE(succeeded(runSomaPipeline(*folded, CompileOptions())));
  Block &foldedBody =
      (*folded->getOps<func::FuncOp>().begin()).getBody().front();
  ASSERT_TRUE(foldedBody.getOps<BatchNormOp>().empty());
  ASSERT_TRUE(foldedBody.getOps<Conv2dOp>().empty());
  ASSERT_EQ(1, llvm::range_size(foldedBody.getOps<Conv2dActivationOp>()));

  // The folded weight and bias, as the pass computes them, and the
  // convolution alone (z) and with |w'| and |b'| on |x| from the
  // interpreter.
  int64_t perFilter = weights.size() / g.filters;
  std::vector<float> scales(g.filters);
  std::vector<float> foldedWeights(weights.size()), foldedBiases(g.filters);
  for (int64_t f = 0; f < g.filters; ++f) {
    double scale = double(gamma[f]) / std::sqrt(double(variance[f]) + epsilon);
    scales[f] = static_cast<float>(std::fabs(scale));
    for (int64_t i = f * perFilter; i < (f + 1) * perFilter; ++i)
      foldedWeights[i] = static_cast<float>(weights[i] * scale);
    foldedBiases[f] = static_cast<float>(
        (double(biases[f]) - mean[f]) * scale + beta[f]);
  }
  HostTensor x = input(3, 9);
  HostTensor absoluteX = x;
  for (float &value : absoluteX.data)
    value = std::fabs(value);
  OwningOpRef<ModuleOp> convolution = buildModel(/*absolute=*/false, false);
  std::vector<float> original = weights, originalBiases = biases;
  weights = foldedWeights;
  biases = foldedBiases;
  OwningOpRef<ModuleOp> magnitudeModel = buildModel(/*absolute=*/true, false);
  weights = original;
  biases = originalBiases;
  FailureOr<SmallVector<HostTensor>> z =
      interpret(*convolution->getOps<func::FuncOp>().begin(), {x});
  FailureOr<SmallVector<HostTensor>> magnitude =
      interpret(*magnitudeModel->getOps<func::FuncOp>().begin(), {absoluteX});
  FailureOr<SmallVector<HostTensor>> expected = interpret(main, {x});
  ASSERT_TRUE(succeeded(z) && succeeded(magnitude) && succeeded(expected));

  for (const char *cpu : {"native", "x86-64-v3"}) {
    llvm::Expected<SmallVector<HostTensor>> actual =
        compileAndRun(*compiledModel, cpu, {x});
    ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());
    int64_t pixels = (*z)[0].data.size() / (3 * g.filters);
    for (size_t i = 0; i < (*z)[0].data.size(); ++i) {
      int64_t f = (i / pixels) % g.filters;
      float zi = (*z)[0].data[i], yi = (*expected)[0].data[i];
      double delta =
          layerBound(terms() + 2, (*magnitude)[0].data[i], yi) +
          scales[f] * (std::nextafter(std::fabs(zi), INFINITY) - std::fabs(zi));
      float want = (*expected)[1].data[i];
      float got = (*actual)[0].data[i];
      if (!withinLayerBound(yi, delta, want, got, /*isThreshold=*/false)) {
        ADD_FAILURE() << cpu << ": element " << i << " is " << got
                      << ", the interpreter says " << want
                      << " (bound on the normalized value " << delta << ")";
        break;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Geometries, ConvolutionKernelTest, ::testing::ValuesIn(geometries),
    [](const ::testing::TestParamInfo<Geometry> &info) {
      return std::string(info.param.name);
    });

} // namespace
