//===- Convolution.cpp - conv2d and conv_transpose2d to linalg ------------===//
//
// conv2d pads its input with zeros (`tensor.pad`, the top and left padding
// possibly differing from the bottom and right) and becomes
// `linalg.conv_2d_nchw_fchw`, or for several groups
// `linalg.conv_2d_ngchw_gfchw` on views that split the channels into
// groups. The sum starts from the broadcast bias and accumulates in f32.
//
// conv_transpose2d is the same convolution over a rewritten input: the
// input's elements spread `stride` apart into zeros, padded by
// `dilation * (kernel - 1) - padding` on each side (the padding of that side;
// cropped where that is negative) plus `output_padding` at the end, and
// convolved at stride 1 with the kernel flipped in space and its channel
// dimensions swapped.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

/// The NCHW `input` with zeros around its rows and columns; `pads` is
/// [top, left, bottom, right].
static Value padWithZeros(OpBuilder &b, Location loc, Value input,
                          const std::array<int64_t, 4> &pads) {
  if (llvm::all_of(pads, [](int64_t pad) { return pad == 0; }))
    return input;
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(pads[0]),
                                   b.getIndexAttr(pads[1])};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(pads[2]),
                                    b.getIndexAttr(pads[3])};
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  // A null result type lets tensor.pad infer it.
  return tensor::PadOp::create(b, loc, RankedTensorType(), input, low, high,
                               zero);
}

/// Convolves the padded NCHW `input` with `weight` into `init`. With one
/// group `weight` is FCHW; with `groups` > 1 it is GFCHW, and the input and
/// accumulator are viewed as NGCHW for `linalg.conv_2d_ngchw_gfchw`.
static Value convolve(OpBuilder &b, Location loc, Value input, Value weight,
                      Value init, int64_t groups, ArrayRef<int64_t> stride,
                      ArrayRef<int64_t> dilation) {
  Attribute strides = windowAttr(b, stride),
            dilations = windowAttr(b, dilation);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{input, weight},
               ValueRange{init}, strides, dilations)
        .getResult(0);

  // [N, C, H, W] viewed as [N, G, C / G, H, W].
  SmallVector<ReassociationIndices> channels = {{0}, {1, 2}, {3}, {4}};
  auto splitChannels = [&](Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[1] /= groups;
    shape.insert(shape.begin() + 1, groups);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, value);
    sizes[1] = b.getIndexAttr(shape[2]);
    sizes.insert(sizes.begin() + 1, b.getIndexAttr(groups));
    return expandTo(b, loc, value,
                    RankedTensorType::get(shape, type.getElementType()),
                    channels, sizes);
  };
  Value grouped = splitChannels(init);
  Value result = linalg::Conv2DNgchwGfchwOp::create(
                     b, loc, TypeRange{grouped.getType()},
                     ValueRange{splitChannels(input), weight},
                     ValueRange{grouped}, strides, dilations)
                     .getResult(0);
  return collapseTo(b, loc, result, cast<RankedTensorType>(init.getType()),
                    channels);
}

/// The result sizes of a convolution: the input's batch, then static ones.
static SmallVector<OpFoldResult> outputSizes(OpBuilder &b, Location loc,
                                             Value input,
                                             RankedTensorType resultType) {
  SmallVector<OpFoldResult> sizes = {dimSize(b, loc, input, 0)};
  for (int64_t size : resultType.getShape().drop_front())
    sizes.push_back(b.getIndexAttr(size));
  return sizes;
}

/// The conv_transpose2d weight [C, F, KH, KW] as the kernel of the
/// equivalent convolution, flipped in space: [G, F, C / G, KH, KW] (GFCHW)
/// whose element (g, f, c, kh, kw) is weight (g * C / G + c, f, KH - 1 - kh,
/// KW - 1 - kw), without the G dimension (FCHW) for one group. Computed now
/// when the weight is a constant, by a generic otherwise.
static Value transposedKernel(OpBuilder &b, Location loc, Value weight,
                              int64_t groups) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t c = type.getDimSize(0), f = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  int64_t cg = c / groups;
  SmallVector<int64_t> shape = {f, cg, kh, kw};
  if (groups > 1)
    shape.insert(shape.begin(), groups);
  auto resultType = RankedTensorType::get(shape, type.getElementType());

  if (SmallVector<float> values = constantValues(weight); !values.empty()) {
    SmallVector<float> flipped;
    flipped.reserve(values.size());
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t o = 0; o < f; ++o)
        for (int64_t i = 0; i < cg; ++i)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              flipped.push_back(
                  values[(((g * cg + i) * f + o) * kh + (kh - 1 - y)) * kw +
                         (kw - 1 - x)]);
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(resultType, ArrayRef(flipped)));
  }

  MLIRContext *context = b.getContext();
  int64_t rank = resultType.getRank();
  AffineExpr dg = getAffineConstantExpr(0, context);
  if (groups > 1)
    dg = getAffineDimExpr(0, context);
  auto dim = [&](int64_t i) { return getAffineDimExpr(rank - 4 + i, context); };
  AffineMap read = AffineMap::get(
      rank, 0, {dg * cg + dim(1), dim(0), (kh - 1) - dim(2), (kw - 1) - dim(3)},
      context);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return buildGeneric(
      b, loc, weight,
      createEmpty(b, loc, getAsIndexOpFoldResult(context, shape)),
      {read, b.getMultiDimIdentityMap(rank)}, iterators,
      [](ImplicitLocOpBuilder &, ValueRange args) { return args[0]; });
}

namespace {

/// Lowers `soma.conv2d`.
struct Conv2dLowering final : OpConversionPattern<Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    int64_t groups = op.getGroups();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    Value padded =
        padWithZeros(rewriter, loc, input, shape::spatialPads(op.getPadding()));
    if (groups > 1) {
      // [O, C / G, KH, KW] viewed as [G, O / G, C / G, KH, KW].
      auto type = cast<RankedTensorType>(weight.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[0] /= groups;
      shape.insert(shape.begin(), groups);
      weight = expandTo(rewriter, loc, weight,
                        RankedTensorType::get(shape, type.getElementType()),
                        {{0, 1}, {2}, {3}, {4}});
    }
    auto resultType = cast<RankedTensorType>(op.getType());
    Value init = createAccumulator(
        rewriter, loc, outputSizes(rewriter, loc, input, resultType),
        adaptor.getBias(), /*channelDim=*/1);
    rewriter.replaceOp(op, convolve(rewriter, loc, padded, weight, init, groups,
                                    op.getStride(), op.getDilation()));
    return success();
  }
};

/// Lowers `soma.conv_transpose2d` to a stride-1 convolution.
struct ConvTranspose2dLowering final : OpConversionPattern<ConvTranspose2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTranspose2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    int64_t groups = op.getGroups();
    Value input = adaptor.getInput();
    Value kernel = transposedKernel(rewriter, loc, adaptor.getWeight(), groups);

    auto resultType = cast<RankedTensorType>(op.getType());
    Value init = createAccumulator(
        rewriter, loc, outputSizes(rewriter, loc, input, resultType),
        adaptor.getBias(), /*channelDim=*/1);
    Value spread = spreadInput(rewriter, loc, op, input);
    rewriter.replaceOp(op, convolve(rewriter, loc, spread, kernel, init, groups,
                                    /*stride=*/{1, 1}, op.getDilation()));
    return success();
  }

private:
  /// The input with `stride - 1` zeros between neighbors, `dilation *
  /// (kernel - 1) - padding` zeros before and after (the padding of that
  /// side), plus `output_padding` after; negative amounts crop instead.
  static Value spreadInput(OpBuilder &b, Location loc, ConvTranspose2dOp op,
                           Value input) {
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> kernel = cast<RankedTensorType>(op.getWeight().getType())
                                   .getShape()
                                   .drop_front(2);
    OpFoldResult batch = dimSize(b, loc, input, 0);
    OpFoldResult channels = b.getIndexAttr(inputType.getDimSize(1));

    std::array<int64_t, 4> pads = shape::spatialPads(op.getPadding());
    SmallVector<int64_t> before(2), after(2), zerosSize(2), cropSize(2);
    for (int i = 0; i < 2; ++i) {
      int64_t spread =
          (inputType.getDimSize(2 + i) - 1) * op.getStride()[i] + 1;
      int64_t full = op.getDilation()[i] * (kernel[i] - 1);
      before[i] = full - pads[i];
      after[i] = full - pads[2 + i] + op.getOutputPadding()[i];
      zerosSize[i] = spread + std::max<int64_t>(before[i], 0) +
                     std::max<int64_t>(after[i], 0);
      cropSize[i] = spread + before[i] + after[i];
    }
    Value zeros = createFilled(b, loc,
                               {batch, channels, b.getIndexAttr(zerosSize[0]),
                                b.getIndexAttr(zerosSize[1])},
                               b.getF32FloatAttr(0));
    auto index = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
    Value spread = tensor::InsertSliceOp::create(
        b, loc, input, zeros,
        {index(0), index(0), index(std::max<int64_t>(before[0], 0)),
         index(std::max<int64_t>(before[1], 0))},
        tensor::getMixedSizes(b, loc, input),
        {index(1), index(1), index(op.getStride()[0]),
         index(op.getStride()[1])});
    if (before[0] >= 0 && before[1] >= 0 && after[0] >= 0 && after[1] >= 0)
      return spread;
    return tensor::ExtractSliceOp::create(
        b, loc, spread,
        {index(0), index(0), index(std::max<int64_t>(-before[0], 0)),
         index(std::max<int64_t>(-before[1], 0))},
        {batch, channels, index(cropSize[0]), index(cropSize[1])},
        {index(1), index(1), index(1), index(1)});
  }
};

} // namespace

void soma::lowering::populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, ConvTranspose2dLowering>(patterns.getContext());
}
