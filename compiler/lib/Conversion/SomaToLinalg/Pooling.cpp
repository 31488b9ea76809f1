//===- Pooling.cpp - max_pool2d and avg_pool2d to linalg ------------------===//
//
// max_pool2d pads with -inf and becomes `linalg.pooling_nchw_max` (dilated
// like the op), whose `arith.maximumf` lets a NaN win its window as the
// interpreter does. avg_pool2d pads with zeros, sums with
// `linalg.pooling_nchw_sum` and divides by each window's element count: the
// kernel area, or a table of counts computed here (the input's height and
// width are static) where windows differ, following the interpreter's window
// arithmetic. Padding may differ between the start and the end of a
// dimension; a `ceil_mode` window reaching past the end padding reads more
// padding, which the counts leave out.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

/// The dilation of a pooling op: max_pool2d has one, avg_pool2d none.
static ArrayRef<int64_t> poolDilation(MaxPool2dOp op) {
  return op.getDilation();
}
static ArrayRef<int64_t> poolDilation(AvgPool2dOp) {
  static const int64_t ones[] = {1, 1};
  return ones;
}

/// Pools the NCHW `input`, padded with `padValue`, into an accumulator
/// filled with `initValue`, with the named linalg pooling op `PoolOp`. The
/// end padding grows where a ceil_mode window reaches past it.
template <typename PoolOp, typename SomaPoolOp>
static Value pool(OpBuilder &b, Location loc, SomaPoolOp op, Value input,
                  float padValue, float initValue) {
  ArrayRef<int64_t> kernel = op.getKernelSize(),
                    stride = op.getStrideOrKernel(),
                    dilation = poolDilation(op);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  std::array<int64_t, 4> pads = shape::spatialPads(op.getPadding());
  SmallVector<OpFoldResult> low(4, b.getIndexAttr(0)),
      high(4, b.getIndexAttr(0));
  bool padded = false;
  for (int i = 0; i < 2; ++i) {
    int64_t extent = dilation[i] * (kernel[i] - 1) + 1;
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * stride[i] + extent;
    int64_t have = inputType.getDimSize(2 + i) + pads[i] + pads[2 + i];
    int64_t end = pads[2 + i] + std::max<int64_t>(needed - have, 0);
    low[2 + i] = b.getIndexAttr(pads[i]);
    high[2 + i] = b.getIndexAttr(end);
    padded |= pads[i] != 0 || end != 0;
  }
  Value source = input;
  if (padded) {
    Value value =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(padValue));
    // A null result type lets tensor.pad infer it.
    source = tensor::PadOp::create(b, loc, RankedTensorType(), input, low, high,
                                   value);
  }
  SmallVector<OpFoldResult> sizes = {dimSize(b, loc, input, 0)};
  for (int64_t size : resultType.getShape().drop_front())
    sizes.push_back(b.getIndexAttr(size));
  Value init = createFilled(b, loc, sizes, b.getF32FloatAttr(initValue));
  // The window operand only carries the kernel's shape.
  Value window = createEmpty(
      b, loc, {b.getIndexAttr(kernel[0]), b.getIndexAttr(kernel[1])});
  return PoolOp::create(b, loc, TypeRange{resultType},
                        ValueRange{source, window}, ValueRange{init},
                        windowAttr(b, stride), windowAttr(b, dilation))
      .getResult(0);
}

/// The number of elements each output position of `op` averages, per output
/// row (dimension 0) and column (dimension 1), as the interpreter counts
/// them: windows clipped to the padded input, then to the input unless
/// padding counts.
static SmallVector<int64_t> windowCounts(AvgPool2dOp op, int dim) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  int64_t size = inputType.getDimSize(2 + dim);
  int64_t outSize = cast<RankedTensorType>(op.getType()).getDimSize(2 + dim);
  std::array<int64_t, 4> pads = shape::spatialPads(op.getPadding());
  int64_t kernel = op.getKernelSize()[dim];
  int64_t stride = op.getStrideOrKernel()[dim];
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < outSize; ++o) {
    int64_t begin = o * stride - pads[dim];
    int64_t end = std::min(begin + kernel, size + pads[2 + dim]);
    counts.push_back(op.getCountIncludePad()
                         ? end - begin
                         : std::min(end, size) - std::max<int64_t>(begin, 0));
  }
  return counts;
}

namespace {

/// Lowers `soma.max_pool2d`.
struct MaxPool2dLowering final : OpConversionPattern<MaxPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    float lowest = -std::numeric_limits<float>::infinity();
    rewriter.replaceOp(
        op, pool<linalg::PoolingNchwMaxOp>(rewriter, op.getLoc(), op,
                                           adaptor.getInput(), lowest, lowest));
    return success();
  }
};

/// Lowers `soma.avg_pool2d` to a sum and a division.
struct AvgPool2dLowering final : OpConversionPattern<AvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value sum = pool<linalg::PoolingNchwSumOp>(rewriter, loc, op,
                                               adaptor.getInput(), 0.0f, 0.0f);

    SmallVector<int64_t> rows = windowCounts(op, 0), cols = windowCounts(op, 1);
    SmallVector<float> counts;
    for (int64_t r : rows)
      for (int64_t c : cols)
        counts.push_back(static_cast<float>(r * c));
    bool uniform = llvm::all_equal(counts);

    MLIRContext *context = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    Value init =
        createEmpty(rewriter, loc, tensor::getMixedSizes(rewriter, loc, sum));
    Value result;
    if (uniform) {
      result = buildGeneric(
          rewriter, loc, sum, init, {identity, identity}, iterators,
          [&](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
            return arith::DivFOp::create(b, args[0],
                                         f32Constant(b, counts.front()));
          });
    } else {
      auto tableType =
          RankedTensorType::get({static_cast<int64_t>(rows.size()),
                                 static_cast<int64_t>(cols.size())},
                                rewriter.getF32Type());
      Value table = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(tableType, ArrayRef(counts)));
      AffineExpr h = getAffineDimExpr(2, context),
                 w = getAffineDimExpr(3, context);
      AffineMap spatial = AffineMap::get(4, 0, {h, w}, context);
      result = buildGeneric(
          rewriter, loc, {sum, table}, init, {identity, spatial, identity},
          iterators, [](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
            return arith::DivFOp::create(b, args[0], args[1]);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void soma::lowering::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2dLowering, AvgPool2dLowering>(patterns.getContext());
}
