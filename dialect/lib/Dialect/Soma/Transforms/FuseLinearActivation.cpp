//===- FuseLinearActivation.cpp - The soma-fuse-linear-activation pass ----===//
//
// Fuses an affine layer with the element-wise activation after it, in two
// steps that the greedy driver chains:
//
// 1. `activation(add(matmul(x, w), b))`, with `w` a static [K, N] weight and
//    `b` broadcast along N, becomes `activation(linear(x, w', b'))`: the
//    weight transposed to [N, K], the bias reshaped to [N] (C++ below, which
//    has to check shapes and build those operands);
// 2. `activation(linear(...))` becomes `linear_activation(...)` (DRR, one
//    pattern per activation, FuseLinearActivation.td).
//
// Step 1 fires only under an activation, so a plain matmul + add keeps its
// two roundings. Every intermediate must feed the next op alone: a value
// with another user stays, and with it the ops that compute it.
//
// `activation(conv2d(...))` likewise becomes `conv2d_activation(...)` (C++
// below, one pattern for every activation), and a batch_norm of a conv2d,
// both with constant parameters, folds into the convolution's weight and
// bias first.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/Transforms/Passes.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace soma {
#define GEN_PASS_DEF_FUSELINEARACTIVATIONPASS
#include "soma/Dialect/Soma/Transforms/Passes.h.inc"
} // namespace soma

using namespace mlir;
using namespace soma;

//===----------------------------------------------------------------------===//
// Step 1: matmul + bias -> linear
//===----------------------------------------------------------------------===//

/// True when every dimension of `type` but the leading one is static.
static bool isStaticButLeading(RankedTensorType type) {
  return llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic);
}

/// True when a bias of `type` adds one value per column of an [..., N]
/// product: it is [N], [1, N], [1, 1, N], ...
static bool broadcastsAlongColumns(RankedTensorType type, int64_t n) {
  ArrayRef<int64_t> shape = type.getShape();
  return !shape.empty() && shape.back() == n &&
         llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; });
}

/// The matmul operand of `add` and its other operand, in either order.
static std::pair<MatmulOp, Value> productAndBias(AddOp add) {
  if (auto matmul = add.getLhs().getDefiningOp<MatmulOp>())
    return {matmul, add.getRhs()};
  if (auto matmul = add.getRhs().getDefiningOp<MatmulOp>())
    return {matmul, add.getLhs()};
  return {};
}

/// The elements of the 2-D constant `values` transposed.
static DenseElementsAttr transposeConstant(DenseElementsAttr values) {
  auto type = cast<RankedTensorType>(values.getType());
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  auto transposedType =
      RankedTensorType::get({columns, rows}, type.getElementType());
  if (values.isSplat())
    return values.reshape(transposedType);
  auto elements = llvm::to_vector(values.getValues<APFloat>());
  SmallVector<APFloat> transposed;
  transposed.reserve(elements.size());
  for (int64_t j = 0; j < columns; ++j)
    for (int64_t i = 0; i < rows; ++i)
      transposed.push_back(elements[i * columns + j]);
  return DenseElementsAttr::get(transposedType, transposed);
}

/// `value` reshaped to the static `type`: itself, a reshaped constant, or a
/// soma.reshape.
static Value reshapeTo(PatternRewriter &rewriter, Location loc, Value value,
                       RankedTensorType type) {
  if (value.getType() == type)
    return value;
  DenseElementsAttr values;
  if (matchPattern(value, m_Constant(&values)))
    return arith::ConstantOp::create(rewriter, loc, values.reshape(type));
  return ReshapeOp::create(rewriter, loc, type, value,
                           rewriter.getDenseI64ArrayAttr(type.getShape()));
}

/// The [N, K] weight of a linear equal to the static [K, N] rhs `weight` of
/// a matmul, built as cheaply as its producer allows.
static Value transposeWeight(PatternRewriter &rewriter, Location loc,
                             Value weight) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  auto transposedType = RankedTensorType::get({n, k}, type.getElementType());

  // A transposed weight: its input.
  if (auto transpose = weight.getDefiningOp<TransposeOp>())
    if (transpose.getPerm() == ArrayRef<int64_t>{1, 0})
      return transpose.getInput();

  // A column (`w.view(K, 1)`) or a row is its own transpose up to a reshape;
  // reshape what the view was taken of.
  if (n == 1 || k == 1) {
    Value source = weight;
    if (auto view = weight.getDefiningOp<ReshapeOp>())
      if (view.getInput().getType().hasStaticShape())
        source = view.getInput();
    return reshapeTo(rewriter, loc, source, transposedType);
  }

  // A constant: transposed now.
  DenseElementsAttr values;
  if (matchPattern(weight, m_Constant(&values)))
    return arith::ConstantOp::create(rewriter, loc, transposeConstant(values));

  return TransposeOp::create(rewriter, loc, transposedType, weight,
                             rewriter.getDenseI64ArrayAttr({1, 0}));
}

namespace {

/// `add(matmul(x, w), b)` feeding an activation alone becomes
/// `linear(x, transpose(w), b)`.
struct FoldBiasedMatmulIntoLinear final : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    if (!add->hasOneUse() ||
        !LinearActivationOp::getActivationKindOf(*add->user_begin()))
      return rewriter.notifyMatchFailure(
          add, "expected the sum's only user to be an activation");
    auto [matmul, bias] = productAndBias(add);
    if (!matmul)
      return rewriter.notifyMatchFailure(add, "expected a matmul operand");
    if (!matmul->hasOneUse())
      return rewriter.notifyMatchFailure(add, "the product has other users");
    if (add.getType() != matmul.getType())
      return rewriter.notifyMatchFailure(
          add, "expected the sum to have the product's type");

    RankedTensorType inputType = matmul.getLhs().getType();
    RankedTensorType weightType = matmul.getRhs().getType();
    if (inputType.getRank() < 2 || !isStaticButLeading(inputType))
      return rewriter.notifyMatchFailure(
          add, "expected an input of rank 2 or more, static but for its "
               "leading dimension");
    if (weightType.getRank() != 2 || !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(add, "expected a static 2-D weight");
    auto biasType = cast<RankedTensorType>(bias.getType());
    int64_t n = weightType.getDimSize(1);
    if (!broadcastsAlongColumns(biasType, n))
      return rewriter.notifyMatchFailure(
          add, "expected a bias broadcast along N: [N], [1, N], ...");

    Location loc = rewriter.getFusedLoc({matmul.getLoc(), add.getLoc()});
    Value weight = transposeWeight(rewriter, loc, matmul.getRhs());
    Value vector =
        reshapeTo(rewriter, loc, bias,
                  RankedTensorType::get({n}, biasType.getElementType()));
    rewriter.replaceOpWithNewOp<LinearOp>(add, matmul.getLhs(), weight, vector);
    rewriter.eraseOp(matmul);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Step 2: linear + activation (DRR)
//===----------------------------------------------------------------------===//

/// The fused op the DRR patterns produce. `parameters` are alpha, beta,
/// negative_slope, threshold and value, in this order, null where unset;
/// `bias` is null without a bias.
static Value buildLinearActivation(OpBuilder &builder, Location loc,
                                   ActivationKind kind, Value input,
                                   Value weight, Value bias,
                                   ArrayRef<FloatAttr> parameters) {
  return LinearActivationOp::create(builder, loc, input, weight, bias, kind,
                                    parameters[0], parameters[1], parameters[2],
                                    parameters[3], parameters[4]);
}

namespace {
#include "FuseLinearActivation.inc"
} // namespace

//===----------------------------------------------------------------------===//
// conv2d + batch_norm -> conv2d
//===----------------------------------------------------------------------===//

namespace {

/// `batch_norm(conv2d(x, w, b), mean, variance, gamma, beta)`, the
/// convolution used nowhere else and every parameter a constant, to
/// `conv2d(x, w', b')`: with s = gamma / sqrt(variance + epsilon) per output
/// channel f, w'[f] = w[f]·s_f and b'_f = (b_f - mean_f)·s_f + beta_f, in
/// double and rounded to f32 once (the interpreter's batch_norm computes in
/// double too). The folded layer rounds once where the pair rounded twice,
/// and its weights carry one more rounding each, so its results may differ
/// from the pair's in the last bits (as matmul + add -> linear).
struct FoldBatchNormIntoConv2d final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto conv = norm.getInput().getDefiningOp<Conv2dOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(norm,
                                         "not the only user of a conv2d");
    SmallVector<float> weight = constantFloats(conv.getWeight());
    SmallVector<float> mean = constantFloats(norm.getMean()),
                       variance = constantFloats(norm.getVariance()),
                       gamma = constantFloats(norm.getWeight()),
                       beta = constantFloats(norm.getBias());
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t filters = weightType.getDimSize(0);
    SmallVector<float> bias(filters, 0.0f);
    if (conv.getBias())
      bias = constantFloats(conv.getBias());
    auto hasFilters = [&](ArrayRef<float> values) {
      return static_cast<int64_t>(values.size()) == filters;
    };
    if (weight.empty() || !hasFilters(bias) || !hasFilters(mean) ||
        !hasFilters(variance) || !hasFilters(gamma) || !hasFilters(beta))
      return rewriter.notifyMatchFailure(norm, "a parameter is not a constant");

    double epsilon = norm.getEpsilon().convertToFloat();
    int64_t perFilter = weightType.getNumElements() / filters;
    SmallVector<float> foldedWeight(weight.size()), foldedBias(filters);
    for (int64_t f = 0; f < filters; ++f) {
      double scale =
          double(gamma[f]) / std::sqrt(double(variance[f]) + epsilon);
      for (int64_t i = f * perFilter; i < (f + 1) * perFilter; ++i)
        foldedWeight[i] = static_cast<float>(double(weight[i]) * scale);
      foldedBias[f] = static_cast<float>(
          (double(bias[f]) - double(mean[f])) * scale + double(beta[f]));
    }
    Location loc = norm.getLoc();
    auto constant = [&](RankedTensorType type, ArrayRef<float> values) {
      return arith::ConstantOp::create(rewriter, loc,
                                       DenseElementsAttr::get(type, values));
    };
    Value newWeight = constant(weightType, foldedWeight);
    Value newBias = constant(
        RankedTensorType::get({filters}, rewriter.getF32Type()), foldedBias);
    rewriter.replaceOpWithNewOp<Conv2dOp>(
        norm, norm.getType(), conv.getInput(), newWeight, newBias,
        conv.getStrideAttr(), conv.getPaddingAttr(), conv.getDilationAttr(),
        conv.getGroupsAttr());
    rewriter.eraseOp(conv);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// conv2d + activation
//===----------------------------------------------------------------------===//

namespace {

/// `activation(conv2d(x, w, b))`, the convolution used nowhere else, to
/// `conv2d_activation(x, w, b)` with the convolution's attributes and the
/// activation's kind and parameters (under their own names).
struct FuseConv2dActivation final : RewritePattern {
  explicit FuseConv2dActivation(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *activation,
                                PatternRewriter &rewriter) const override {
    std::optional<ActivationKind> kind =
        LinearActivationOp::getActivationKindOf(activation);
    if (!kind)
      return failure();
    auto conv = activation->getOperand(0).getDefiningOp<Conv2dOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(activation,
                                         "not the only user of a conv2d");
    auto parameter = [&](StringRef name) {
      return llvm::is_contained(LinearActivationOp::getParameterNames(*kind),
                                name)
                 ? activation->getAttrOfType<FloatAttr>(name)
                 : FloatAttr();
    };
    rewriter.replaceOpWithNewOp<Conv2dActivationOp>(
        activation, activation->getResultTypes(), conv.getInput(),
        conv.getWeight(), conv.getBias(), conv.getStrideAttr(),
        conv.getPaddingAttr(), conv.getDilationAttr(), conv.getGroupsAttr(),
        ActivationKindAttr::get(rewriter.getContext(), *kind),
        parameter("alpha"), parameter("beta"), parameter("negative_slope"),
        parameter("threshold"), parameter("value"));
    rewriter.eraseOp(conv);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct FuseLinearActivationPass final
    : soma::impl::FuseLinearActivationPassBase<FuseLinearActivationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseLinearActivationPatterns(patterns);
    // Fusion only: folding and region simplification are canonicalize's.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void soma::populateFuseLinearActivationPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBiasedMatmulIntoLinear, FoldBatchNormIntoConv2d,
               FuseConv2dActivation>(patterns.getContext());
  populateWithGenerated(patterns);
}
