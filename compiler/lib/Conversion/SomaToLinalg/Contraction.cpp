//===- Contraction.cpp - matmul and linear to linalg ----------------------===//
//
// Products accumulate in f32 from a zero (or bias) destination: the result
// is within the standard dot-product error bound of the interpreter's f64
// sum. A plain 2-D product is `linalg.matmul`; every other torch.matmul case
// (1-D promotion, broadcast batch dimensions) is one contraction
// `linalg.generic` whose indexing maps do the promotion and broadcasting.
// `linear` collapses its leading dimensions into rows; with a constant weight
// (the usual case) they go through the register-blocked vector kernel of
// LinearKernel.cpp, otherwise through a loop nest over the transposed weight
// that starts from the broadcast bias.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

namespace {

/// The loop structure of a torch.matmul contraction: batch loops, then the
/// row loop (when lhs is not 1-D), the column loop (when rhs is not 1-D),
/// then the reduction over K.
struct MatmulLoops {
  int64_t numBatch, numLoops;
  std::optional<int64_t> row, col;
  int64_t k() const { return numLoops - 1; }
};

/// Lowers `soma.matmul`.
struct MatmulLowering final : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t lhsRank = cast<RankedTensorType>(lhs.getType()).getRank();
    int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();

    MatmulLoops loops;
    loops.numBatch = resultType.getRank() - (lhsRank > 1) - (rhsRank > 1);
    int64_t next = loops.numBatch;
    if (lhsRank > 1)
      loops.row = next++;
    if (rhsRank > 1)
      loops.col = next++;
    loops.numLoops = next + 1;

    SmallVector<OpFoldResult> sizes =
        resultSizes(rewriter, loc, resultType, lhs, rhs, loops);
    if (static_cast<int64_t>(sizes.size()) != resultType.getRank())
      return rewriter.notifyMatchFailure(
          op, "expected every dynamic result dimension to be dynamic in an "
              "operand");
    Value init =
        createFilled(rewriter, loc, sizes, rewriter.getF32FloatAttr(0));
    Value result;
    if (lhsRank == 2 && rhsRank == 2)
      result = linalg::MatmulOp::create(rewriter, loc, TypeRange{resultType},
                                        ValueRange{lhs, rhs}, ValueRange{init})
                   .getResult(0);
    else
      result = buildContraction(rewriter, loc, op, lhs, rhs, init, loops);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// Static result sizes, and the dynamic ones from the operand dimension
  /// each comes from (an aligned batch dimension or lhs's rows).
  static SmallVector<OpFoldResult> resultSizes(OpBuilder &b, Location loc,
                                               RankedTensorType resultType,
                                               Value lhs, Value rhs,
                                               const MatmulLoops &loops) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < resultType.getRank(); ++d) {
      if (!resultType.isDynamicDim(d)) {
        sizes.push_back(b.getIndexAttr(resultType.getDimSize(d)));
        continue;
      }
      if (loops.row && d == *loops.row) {
        int64_t lhsRank = cast<RankedTensorType>(lhs.getType()).getRank();
        sizes.push_back(dimSize(b, loc, lhs, lhsRank - 2));
        continue;
      }
      for (Value operand : {lhs, rhs}) {
        auto type = cast<RankedTensorType>(operand.getType());
        int64_t aligned = d - (loops.numBatch - (type.getRank() - 2));
        if (type.getRank() > 2 && aligned >= 0 && type.isDynamicDim(aligned)) {
          sizes.push_back(dimSize(b, loc, operand, aligned));
          break;
        }
      }
    }
    return sizes;
  }

  /// The contraction generic of any torch.matmul case.
  static Value buildContraction(OpBuilder &b, Location loc, MatmulOp op,
                                Value lhs, Value rhs, Value init,
                                const MatmulLoops &loops) {
    MLIRContext *context = b.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> resultBatch =
        resultType.getShape().take_front(loops.numBatch);
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };

    // lhs: [batch..., row, k] or [k]; rhs: [batch..., k, col] or [k]. The
    // batch dimensions align at the end of the batch loops and broadcast
    // where of size 1.
    auto batchExprs = [&](ArrayRef<int64_t> shape) {
      return llvm::to_vector(
          broadcastMap(context, shape.drop_back(2), resultBatch).getResults());
    };
    ArrayRef<int64_t> lhsShape =
        cast<RankedTensorType>(lhs.getType()).getShape();
    ArrayRef<int64_t> rhsShape =
        cast<RankedTensorType>(rhs.getType()).getShape();
    SmallVector<AffineExpr> lhsExprs, rhsExprs, outExprs;
    if (loops.row)
      lhsExprs = batchExprs(lhsShape);
    if (loops.col)
      rhsExprs = batchExprs(rhsShape);
    if (loops.row)
      lhsExprs.push_back(dim(*loops.row));
    lhsExprs.push_back(dim(loops.k()));
    rhsExprs.push_back(dim(loops.k()));
    if (loops.col)
      rhsExprs.push_back(dim(*loops.col));
    for (int64_t i = 0; i < loops.k(); ++i)
      outExprs.push_back(dim(i));

    SmallVector<AffineMap> maps;
    for (ArrayRef<AffineExpr> exprs : {lhsExprs, rhsExprs, outExprs})
      maps.push_back(AffineMap::get(loops.numLoops, 0, exprs, context));
    SmallVector<utils::IteratorType> iterators(loops.numLoops,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    return buildGeneric(b, loc, {lhs, rhs}, init, maps, iterators,
                        [](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
                          Value product =
                              arith::MulFOp::create(b, args[0], args[1]);
                          return arith::AddFOp::create(b, args[2], product);
                        });
  }
};

/// The weight [N, K] laid out as [K, N]: transposed now when it is a
/// constant (weights usually are), by `linalg.transpose` otherwise.
static Value transposedWeight(OpBuilder &b, Location loc, Value weight) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  auto resultType = RankedTensorType::get({k, n}, type.getElementType());
  ElementsAttr constant;
  if (matchPattern(weight, m_Constant(&constant))) {
    auto dense = dyn_cast<DenseElementsAttr>(constant);
    if (dense && dense.isSplat())
      return arith::ConstantOp::create(b, loc, dense.resizeSplat(resultType));
    SmallVector<float> values = constantValues(weight);
    if (!values.empty()) {
      SmallVector<float> transposed(values.size());
      for (int64_t row = 0; row < n; ++row)
        for (int64_t col = 0; col < k; ++col)
          transposed[col * n + row] = values[row * k + col];
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(resultType, ArrayRef(transposed)));
    }
  }
  Value init = createEmpty(b, loc, getAsIndexOpFoldResult(b.getContext(),
                                                          ArrayRef{k, n}));
  return linalg::TransposeOp::create(b, loc, weight, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// rows [M, K] times weightT [K, N] accumulated into `init` [M, N], with
/// the loops ordered (m, k, n): the innermost loop runs along a row of the
/// result and of the weight, contiguous in both, so it vectorizes without
/// reordering any sum (each result still adds its K products in order).
static Value buildRowMajorProduct(OpBuilder &b, Location loc, Value rows,
                                  Value weightT, Value init) {
  MLIRContext *context = b.getContext();
  AffineExpr m = getAffineDimExpr(0, context), k = getAffineDimExpr(1, context),
             n = getAffineDimExpr(2, context);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {m, k}, context),
                                 AffineMap::get(3, 0, {k, n}, context),
                                 AffineMap::get(3, 0, {m, n}, context)};
  SmallVector<utils::IteratorType> iterators = {
      utils::IteratorType::parallel, utils::IteratorType::reduction,
      utils::IteratorType::parallel};
  // `contract` lets LLVM fuse each multiply-add into one FMA: one rounding
  // instead of two, well inside the dot-product bound the tests enforce.
  // (Batch slices keep results independent of the thread count; see
  // kRowGranule in ModelInterface.cpp.)
  auto contract = arith::FastMathFlags::contract;
  return buildGeneric(b, loc, ValueRange{rows, weightT}, init, maps,
                      iterators,
                      [&](ImplicitLocOpBuilder &body, ValueRange args) {
                        Value product = arith::MulFOp::create(
                            body, args[0], args[1], contract);
                        return arith::AddFOp::create(body, args[2], product,
                                                     contract)
                            .getResult();
                      });
}

} // namespace

Value soma::lowering::buildLinear(OpBuilder &b, Location loc, Value input,
                                  Value weight, Value bias,
                                  RankedTensorType resultType,
                                  Operation *activation, int64_t vectorLanes) {
  int64_t n = resultType.getShape().back();
  SmallVector<ReassociationIndices> groups;
  Value rows = collapseToRows(b, loc, input, groups);

  Value product;
  FailureOr<Value> kernel =
      buildLinearKernel(b, loc, rows, weight, bias, activation, vectorLanes);
  if (succeeded(kernel)) {
    product = *kernel;
  } else {
    // A weight computed at run time: the loop form, then the activation.
    SmallVector<OpFoldResult> sizes = {dimSize(b, loc, rows, 0),
                                       b.getIndexAttr(n)};
    Value init = createAccumulator(b, loc, sizes, bias, /*channelDim=*/1);
    product = buildRowMajorProduct(b, loc, rows,
                                   transposedWeight(b, loc, weight), init);
    if (activation)
      product = buildActivationLoop(b, loc, product, activation, vectorLanes);
  }

  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, input);
  shape.back() = b.getIndexAttr(n);
  return expandFromRows(b, loc, product, resultType, groups, shape);
}

namespace {

/// Lowers `soma.linear` to `x * transpose(w) + b` on 2-D rows.
struct LinearLowering final : OpConversionPattern<LinearOp> {
  LinearLowering(MLIRContext *context, int64_t vectorLanes)
      : OpConversionPattern(context), vectorLanes(vectorLanes) {}

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticButBatch(rewriter, op)))
      return failure();
    rewriter.replaceOp(
        op, buildLinear(rewriter, op.getLoc(), adaptor.getInput(),
                        adaptor.getWeight(), adaptor.getBias(),
                        cast<RankedTensorType>(op.getType()),
                        /*activation=*/nullptr, vectorLanes));
    return success();
  }

  int64_t vectorLanes;
};

} // namespace

void soma::lowering::populateContractionPatterns(RewritePatternSet &patterns,
                                                 int64_t vectorLanes) {
  patterns.add<MatmulLowering>(patterns.getContext());
  patterns.add<LinearLowering>(patterns.getContext(), vectorLanes);
}
