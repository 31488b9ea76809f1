//===- Convolution.cpp - conv2d and conv_transpose2d to linalg ------------===//
//
// conv2d pads its input with zeros (`tensor.pad`, the top and left padding
// possibly differing from the bottom and right) and becomes
// `linalg.conv_2d_nchw_fchw`, or for several groups
// `linalg.conv_2d_ngchw_gfchw` on views that split the channels into
// groups. The sum starts from the broadcast bias and accumulates in f32.
//
// With one group and vector code, the convolution is
// instead the linear layers' register-blocked kernel (LinearKernel.cpp),
// image by image: the image's patches become the rows of a matrix
// (im2col, k-major: column oh·OW + ow holds the C·KH·KW inputs under the
// kernel at output (oh, ow)), and the weight [F, C, KH, KW] as [F, C·KH·KW]
// times that matrix is the image's NCHW output [F, OH·OW]: the kernel with
// its operands' roles swapped, the weight's rows as its rows (read element
// by element: a weight computed at run time serves as well as a constant),
// the patches' columns as its panels, so the stores run along output rows.
// Each output element is then the fused multiply-add chain of its C·KH·KW
// products in (c, kh, kw) order from the bias, as the linear kernel forms
// every element, whatever the image's position in the batch.
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
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

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

/// The image `image` ([C, H, W]) with `pads` ([top, left, bottom, right])
/// zeros around it: a zero-filled tensor with the image copied into its
/// middle by `linalg.copy`, a loop that vectorizes (the `memref.copy` of a
/// `tensor.pad` into a strided view is an element-by-element library call).
static Value padImage(OpBuilder &b, Location loc, Value image,
                      const std::array<int64_t, 4> &pads) {
  if (llvm::all_of(pads, [](int64_t pad) { return pad == 0; }))
    return image;
  auto type = cast<RankedTensorType>(image.getType());
  int64_t channels = type.getDimSize(0), height = type.getDimSize(1),
          width = type.getDimSize(2);
  Value zeros =
      createFilled(b, loc,
                   getAsIndexOpFoldResult(
                       b.getContext(),
                       ArrayRef<int64_t>{channels, height + pads[0] + pads[2],
                                         width + pads[1] + pads[3]}),
                   b.getF32FloatAttr(0.0f));
  SmallVector<OpFoldResult> offsets = {
      b.getIndexAttr(0), b.getIndexAttr(pads[0]), b.getIndexAttr(pads[1])};
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), type.getShape());
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  Value middle =
      tensor::ExtractSliceOp::create(b, loc, zeros, offsets, sizes, strides);
  Value copied = linalg::CopyOp::create(b, loc, image, middle).getResult(0);
  return tensor::InsertSliceOp::create(b, loc, copied, zeros, offsets, sizes,
                                       strides);
}

/// `target` (1-D) with `source`'s first floats copied over it, as many as
/// `target` holds, in vectors of `lanes` (the last one masked).
static Value copyStretch(ImplicitLocOpBuilder &b, Value source, Value target,
                         int64_t lanes) {
  int64_t length = cast<RankedTensorType>(target.getType()).getDimSize(0);
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  for (int64_t first = 0; first < length; first += lanes) {
    bool whole = first + lanes <= length;
    Value at = arith::ConstantIndexOp::create(b, first);
    Value v = vector::TransferReadOp::create(
        b, vectorType, source, ValueRange{at}, zero, ArrayRef<bool>{whole});
    target = vector::TransferWriteOp::create(b, v, target, ValueRange{at},
                                             ArrayRef<bool>{whole})
                 .getResult();
  }
  return target;
}

/// `scf.for` from 0 to `count` carrying `init`, `body` giving the next value
/// from the induction variable and the carried one.
static Value
forEach(ImplicitLocOpBuilder &b, Value count, Value init,
        function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  Location loc = b.getLoc();
  return scf::ForOp::create(
             b, arith::ConstantIndexOp::create(b, 0), count,
             arith::ConstantIndexOp::create(b, 1), ValueRange{init},
             [&](OpBuilder &nested, Location, Value i, ValueRange iter) {
               ImplicitLocOpBuilder inner(loc, nested);
               scf::YieldOp::create(inner, body(inner, i, iter[0]));
             })
      .getResult(0);
}

static Value
forEach(ImplicitLocOpBuilder &b, int64_t count, Value init,
        function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  return forEach(b, arith::ConstantIndexOp::create(b, count), init, body);
}

/// The patches of the padded image `image` ([C, H, W]) under a kernel of
/// `kernel` ([KH, KW]), k-major, flat: row (c·KH + kh)·KW + kw, of
/// `rowLength` >= OH·OW floats, holds image(c, oh·stride + kh·dilation,
/// ow·stride + kw·dilation) at column oh·OW + ow, and zeros past OH·OW.
/// (For convolutions with a stride; the others read the image in place.)
static Value patches(ImplicitLocOpBuilder &b, Value image,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> outputSize,
                     ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                     int64_t rowLength, int64_t lanes) {
  int64_t channels = cast<RankedTensorType>(image.getType()).getDimSize(0);
  int64_t outHeight = outputSize[0], outWidth = outputSize[1];
  int64_t rows = channels * kernel[0] * kernel[1];
  auto index = [&](ImplicitLocOpBuilder &ib, int64_t value) -> Value {
    return arith::ConstantIndexOp::create(ib, value);
  };
  auto stretchType = RankedTensorType::get({outWidth}, b.getF32Type());
  auto zerosType =
      RankedTensorType::get({rowLength - outHeight * outWidth}, b.getF32Type());
  Value zeros =
      createFilled(b, b.getLoc(), {b.getIndexAttr(zerosType.getDimSize(0))},
                   b.getF32FloatAttr(0.0f));
  Value matrix = createEmpty(b, b.getLoc(), {b.getIndexAttr(rows * rowLength)});
  return forEach(
      b, rows, matrix, [&](ImplicitLocOpBuilder &rb, Value row, Value out) {
        // row = (c·KH + kh)·KW + kw.
        Value kw = arith::RemUIOp::create(rb, row, index(rb, kernel[1]));
        Value rest = arith::DivUIOp::create(rb, row, index(rb, kernel[1]));
        Value kh = arith::RemUIOp::create(rb, rest, index(rb, kernel[0]));
        Value c = arith::DivUIOp::create(rb, rest, index(rb, kernel[0]));
        Value rowStart = arith::MulIOp::create(rb, row, index(rb, rowLength));
        if (zerosType.getDimSize(0) > 0)
          out = tensor::InsertSliceOp::create(
              rb, zeros, out,
              ArrayRef<OpFoldResult>{OpFoldResult(arith::AddIOp::create(
                  rb, rowStart, index(rb, outHeight * outWidth)))},
              ArrayRef<OpFoldResult>{rb.getIndexAttr(zerosType.getDimSize(0))},
              ArrayRef<OpFoldResult>{rb.getIndexAttr(1)});
        return forEach(
            rb, outHeight, out,
            [&](ImplicitLocOpBuilder &sb, Value oh, Value stretches) {
              Value imageRow = arith::AddIOp::create(
                  sb, arith::MulIOp::create(sb, kh, index(sb, dilation[0])),
                  arith::MulIOp::create(sb, oh, index(sb, stride[0])));
              Value source = tensor::ExtractSliceOp::create(
                  sb, stretchType, image,
                  ArrayRef<OpFoldResult>{
                      c, imageRow,
                      arith::MulIOp::create(sb, kw, index(sb, dilation[1]))
                          .getResult()},
                  ArrayRef<OpFoldResult>{sb.getIndexAttr(1), sb.getIndexAttr(1),
                                         sb.getIndexAttr(outWidth)},
                  ArrayRef<OpFoldResult>{sb.getIndexAttr(1), sb.getIndexAttr(1),
                                         sb.getIndexAttr(stride[1])});
              SmallVector<OpFoldResult> offsets = {
                  OpFoldResult(arith::AddIOp::create(
                      sb, rowStart,
                      arith::MulIOp::create(sb, oh, index(sb, outWidth))))};
              SmallVector<OpFoldResult> sizes = {sb.getIndexAttr(outWidth)};
              SmallVector<OpFoldResult> strides = {sb.getIndexAttr(1)};
              Value target = tensor::ExtractSliceOp::create(
                  sb, stretchType, stretches, offsets, sizes, strides);
              return tensor::InsertSliceOp::create(
                         sb, copyStretch(sb, source, target, lanes), stretches,
                         offsets, sizes, strides)
                  .getResult();
            });
      });
}

/// Whether a convolution of `groups` groups goes through the linear kernel
/// (convolveAsLinear) with vectors of `lanes` f32: one group and vector
/// code.
static bool convolvesAsLinear(int64_t groups, int64_t lanes) {
  return groups == 1 && lanes >= 4;
}

/// How the kernel reads the matrix X of an image (see the top of the
/// file), X(k, j) at stepOffsets[k] + j of the flat padded image (in place)
/// or of its copied patches.
struct PatchMatrix {
  bool inPlace;
  /// [top, left, bottom, right]; in place, with zero rows added below for
  /// the vectors past the last column.
  std::array<int64_t, 4> pads;
  int64_t paddedWidth;
  /// The length of a row of the copied patches (N rounded up to vectors).
  int64_t rowLength;
  /// N: OH·W' in place (the columns from OW on of each output row are
  /// computed and dropped), OH·OW otherwise.
  int64_t columns;
  SmallVector<int64_t> stepOffsets;
};

/// The PatchMatrix of a convolution of images of `imageShape` ([C, H, W])
/// padded by `pads` with a kernel of `kernel` ([KH, KW]).
static PatchMatrix planPatchMatrix(ArrayRef<int64_t> imageShape,
                                   std::array<int64_t, 4> pads,
                                   ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> outputSize,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> dilation, int64_t lanes) {
  int64_t channels = imageShape[0];
  int64_t height = imageShape[1] + pads[0] + pads[2];
  int64_t width = imageShape[2] + pads[1] + pads[3];
  PatchMatrix matrix{stride[0] == 1 && stride[1] == 1, pads, width, 0, 0,
                     {}};
  if (!matrix.inPlace) {
    // k = (c·KH + kh)·KW + kw, one row of the patches each.
    matrix.columns = outputSize[0] * outputSize[1];
    matrix.rowLength = llvm::alignTo(matrix.columns, lanes);
    for (int64_t k = 0; k < channels * kernel[0] * kernel[1]; ++k)
      matrix.stepOffsets.push_back(k * matrix.rowLength);
    return matrix;
  }
  // Without a stride, X(k, j) for k = (c, kh, kw) and j = oh·W' + ow is the
  // padded image's (c, oh + kh·dilation, ow + kw·dilation).
  matrix.columns = outputSize[0] * width;
  int64_t lastRead = (channels - 1) * height * width +
                     (kernel[0] - 1) * dilation[0] * width +
                     (kernel[1] - 1) * dilation[1] +
                     llvm::alignTo(matrix.columns, lanes);
  int64_t past = lastRead - channels * height * width;
  if (past > 0) {
    int64_t extraRows = llvm::divideCeil(past, width);
    matrix.pads[2] += extraRows;
    height += extraRows;
  }
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t kh = 0; kh < kernel[0]; ++kh)
      for (int64_t kw = 0; kw < kernel[1]; ++kw)
        matrix.stepOffsets.push_back(c * height * width +
                                     kh * dilation[0] * width +
                                     kw * dilation[1]);
  return matrix;
}

/// `out` ([F, OH, OW]) with the first OW floats of each row of `wide`
/// ([F, OH, W']) copied into it, in vectors of `lanes`.
static Value dropExtraColumns(ImplicitLocOpBuilder &b, Value wide, Value out,
                              int64_t lanes) {
  ArrayRef<int64_t> wideShape =
      cast<RankedTensorType>(wide.getType()).getShape();
  int64_t filters = wideShape[0], outHeight = wideShape[1];
  int64_t outWidth = cast<RankedTensorType>(out.getType()).getDimSize(2);
  return forEach(
      b, filters * outHeight, out,
      [&](ImplicitLocOpBuilder &rb, Value row, Value rows) {
        Value height = arith::ConstantIndexOp::create(rb, outHeight);
        SmallVector<OpFoldResult> offsets = {
            arith::DivUIOp::create(rb, row, height).getResult(),
            arith::RemUIOp::create(rb, row, height).getResult(),
            rb.getIndexAttr(0)};
        SmallVector<OpFoldResult> strides(3, rb.getIndexAttr(1));
        auto rowOf = [&](Value tensor, int64_t length) {
          return tensor::ExtractSliceOp::create(
              rb, RankedTensorType::get({length}, rb.getF32Type()), tensor,
              offsets,
              ArrayRef<OpFoldResult>{rb.getIndexAttr(1), rb.getIndexAttr(1),
                                     rb.getIndexAttr(length)},
              strides);
        };
        Value copied =
            copyStretch(rb, rowOf(wide, wideShape[2]), rowOf(rows, outWidth),
                        lanes);
        return tensor::InsertSliceOp::create(
                   rb, copied, rows, offsets,
                   ArrayRef<OpFoldResult>{rb.getIndexAttr(1),
                                          rb.getIndexAttr(1),
                                          rb.getIndexAttr(outWidth)},
                   strides)
            .getResult();
      });
}

/// The one-group convolution of the NCHW `input`, padded by `pads` ([top,
/// left, bottom, right]), with `weight` ([F, C, KH, KW]) plus `bias` ([F]
/// or null), `activation` (or null) applied, through the linear kernel
/// image by image (see the top of the file), when convolvesAsLinear.
static Value convolveAsLinear(OpBuilder &builder, Location loc, Value input,
                              const std::array<int64_t, 4> &pads,
                              Value weight, Value bias,
                              RankedTensorType resultType,
                              ArrayRef<int64_t> stride,
                              ArrayRef<int64_t> dilation, Operation *activation,
                              int64_t lanes) {
  ImplicitLocOpBuilder b(loc, builder);
  auto f32 = b.getF32Type();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t filters = weightType.getDimSize(0);
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  Value weightRows = collapseTo(
      b, loc, weight,
      RankedTensorType::get({filters, weightType.getNumElements() / filters},
                            f32),
      {{0}, {1, 2, 3}});

  auto imageType = RankedTensorType::get(
      cast<RankedTensorType>(input.getType()).getShape().drop_front(), f32);
  auto imageOutputType =
      RankedTensorType::get(resultType.getShape().drop_front(), f32);
  ArrayRef<int64_t> outputSize = imageOutputType.getShape().drop_front();
  int64_t outHeight = outputSize[0], outWidth = outputSize[1];
  PatchMatrix plan = planPatchMatrix(imageType.getShape(), pads, kernel,
                                     outputSize, stride, dilation, lanes);
  bool wide = plan.columns != outHeight * outWidth;

  SmallVector<OpFoldResult> outputSizes = {dimSize(b, loc, input, 0)};
  for (int64_t size : imageOutputType.getShape())
    outputSizes.push_back(b.getIndexAttr(size));
  Value batch = tensor::DimOp::create(b, input, 0);
  return forEach(
      b, batch, createEmpty(b, loc, outputSizes),
      [&](ImplicitLocOpBuilder &nb, Value n, Value out) {
        // Image n of a [N, ...] tensor whose image is of `type`.
        auto imageSlice = [&](RankedTensorType type) {
          SmallVector<OpFoldResult> offsets(4, nb.getIndexAttr(0));
          offsets[0] = n;
          SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(1)};
          for (int64_t size : type.getShape())
            sizes.push_back(nb.getIndexAttr(size));
          return std::make_tuple(
              offsets, sizes, SmallVector<OpFoldResult>(4, nb.getIndexAttr(1)));
        };
        auto [inOffsets, inSizes, inStrides] = imageSlice(imageType);
        Value padded =
            padImage(nb, loc,
                     tensor::ExtractSliceOp::create(nb, imageType, input,
                                                    inOffsets, inSizes,
                                                    inStrides),
                     plan.pads);
        auto paddedType = cast<RankedTensorType>(padded.getType());
        Value matrix =
            plan.inPlace
                ? collapseTo(
                      nb, loc, padded,
                      RankedTensorType::get({paddedType.getNumElements()}, f32),
                      {{0, 1, 2}})
                : patches(nb, padded, kernel, outputSize, stride, dilation,
                          plan.rowLength, lanes);

        // The image's output [F, OH·OW], computed in its slice of the
        // result, or [F, OH·W'] first when W' is more than OW.
        auto [outOffsets, outSizes, outStrides] = imageSlice(imageOutputType);
        Value slice = tensor::ExtractSliceOp::create(
            nb, imageOutputType, out, outOffsets, outSizes, outStrides);
        auto productType = RankedTensorType::get({filters, plan.columns}, f32);
        Value productInit =
            wide ? createEmpty(nb, loc,
                               getAsIndexOpFoldResult(nb.getContext(),
                                                      productType.getShape()))
                 : collapseTo(nb, loc, slice, productType, {{0}, {1, 2}});
        Value product = buildLinearKernelOnMatrix(
            nb, loc, weightRows, matrix, plan.stepOffsets, plan.columns, bias,
            activation, lanes, productInit);
        auto wideType = RankedTensorType::get(
            {filters, outHeight, plan.paddedWidth}, f32);
        Value imageOutput =
            wide ? dropExtraColumns(
                       nb, expandTo(nb, loc, product, wideType, {{0}, {1, 2}}),
                       slice, lanes)
                 : expandTo(nb, loc, product, imageOutputType, {{0}, {1, 2}});
        return tensor::InsertSliceOp::create(nb, imageOutput, out, outOffsets,
                                             outSizes, outStrides)
            .getResult();
      });
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

/// `activation(conv2d(...))` for conv2d and conv2d_activation (a null
/// `activation`: the convolution alone).
template <typename ConvOp>
static Value lowerConv2d(ConversionPatternRewriter &rewriter, ConvOp op,
                         typename ConvOp::Adaptor adaptor,
                         Operation *activation, int64_t vectorLanes) {
  Location loc = op.getLoc();
  int64_t groups = op.getGroups();
  Value input = adaptor.getInput(), weight = adaptor.getWeight();
  std::array<int64_t, 4> pads = shape::spatialPads(op.getPadding());
  auto resultType = cast<RankedTensorType>(op.getType());
  if (convolvesAsLinear(groups, vectorLanes))
    return convolveAsLinear(rewriter, loc, input, pads, weight,
                            adaptor.getBias(), resultType, op.getStride(),
                            op.getDilation(), activation, vectorLanes);
  Value padded = padWithZeros(rewriter, loc, input, pads);
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
  Value init = createAccumulator(
      rewriter, loc, outputSizes(rewriter, loc, input, resultType),
      adaptor.getBias(), /*channelDim=*/1);
  Value result = convolve(rewriter, loc, padded, weight, init, groups,
                          op.getStride(), op.getDilation());
  if (activation)
    result =
        buildActivationLoop(rewriter, loc, result, activation, vectorLanes);
  return result;
}

/// Lowers `soma.conv2d`.
struct Conv2dLowering final : OpConversionPattern<Conv2dOp> {
  Conv2dLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern(context), vectorLanes(vectorLanes) {}

  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    rewriter.replaceOp(op, lowerConv2d(rewriter, op, adaptor,
                                       /*activation=*/nullptr, vectorLanes));
    return success();
  }

  int64_t vectorLanes;
};

/// Lowers `soma.conv2d_activation`: with the linear kernel, the activation
/// applies to the accumulators before their store (the same element body
/// as the stand-alone op's, so the same bits); otherwise it is a loop over
/// the convolution's result.
struct Conv2dActivationLowering final
    : OpConversionPattern<Conv2dActivationOp> {
  Conv2dActivationLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern(context), vectorLanes(vectorLanes) {}

  LogicalResult
  matchAndRewrite(Conv2dActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    OwningOpRef<Operation *> activation = op.buildActivationDescription();
    rewriter.replaceOp(op, lowerConv2d(rewriter, op, adaptor,
                                       activation.get(), vectorLanes));
    return success();
  }

  int64_t vectorLanes;
};

/// Lowers `soma.conv_transpose2d` to a stride-1 convolution.
struct ConvTranspose2dLowering final : OpConversionPattern<ConvTranspose2dOp> {
  ConvTranspose2dLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern(context), vectorLanes(vectorLanes) {}

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
    if (convolvesAsLinear(groups, vectorLanes)) {
      rewriter.replaceOp(
          op,
          convolveAsLinear(rewriter, loc, spreadInput(rewriter, loc, op, input),
                           /*pads=*/{0, 0, 0, 0}, kernel, adaptor.getBias(),
                           resultType, /*stride=*/{1, 1}, op.getDilation(),
                           /*activation=*/nullptr, vectorLanes));
      return success();
    }
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

  int64_t vectorLanes;
};

} // namespace

void soma::lowering::populateConvolutionPatterns(RewritePatternSet &patterns,
                                                 int64_t vectorLanes) {
  patterns.add<Conv2dLowering, Conv2dActivationLowering,
               ConvTranspose2dLowering>(patterns.getContext(), vectorLanes);
}
