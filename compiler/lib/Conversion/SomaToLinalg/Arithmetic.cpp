//===- Arithmetic.cpp - Broadcasting add, sub, mul, div to linalg ---------===//
//
// One linalg.generic per op whose indexing maps do the NumPy broadcasting.
// The f32 operation is correctly rounded, and so is the reference
// interpreter's f64 operation rounded to f32 (f64 has more than twice f32's
// precision, so double rounding is harmless for +, -, *, /): the results are
// bit-identical.
//
// A dynamic dimension is taken not to stretch at run time: only the batch
// may be dynamic, and it never broadcasts against a static size.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

/// The sizes of the broadcast result: static ones from its type, dynamic
/// ones from an operand whose aligned dimension is dynamic too.
static SmallVector<OpFoldResult> broadcastSizes(OpBuilder &b, Location loc,
                                                RankedTensorType resultType,
                                                ValueRange operands) {
  SmallVector<OpFoldResult> sizes;
  int64_t rank = resultType.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d)) {
      sizes.push_back(b.getIndexAttr(resultType.getDimSize(d)));
      continue;
    }
    for (Value operand : operands) {
      auto type = cast<RankedTensorType>(operand.getType());
      int64_t aligned = d - (rank - type.getRank());
      if (aligned >= 0 && type.isDynamicDim(aligned)) {
        sizes.push_back(dimSize(b, loc, operand, aligned));
        break;
      }
    }
  }
  return sizes;
}

namespace {

/// Lowers a broadcasting binary op to a generic applying `ArithOp`.
template <typename OpTy, typename ArithOp>
struct BroadcastLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    SmallVector<OpFoldResult> sizes =
        broadcastSizes(rewriter, loc, resultType, {lhs, rhs});
    if (static_cast<int64_t>(sizes.size()) != resultType.getRank())
      return rewriter.notifyMatchFailure(
          op, "expected every dynamic result dimension to be dynamic in an "
              "operand");

    MLIRContext *context = rewriter.getContext();
    ArrayRef<int64_t> shape = resultType.getShape();
    SmallVector<AffineMap> maps = {
        broadcastMap(context, cast<RankedTensorType>(lhs.getType()).getShape(),
                     shape),
        broadcastMap(context, cast<RankedTensorType>(rhs.getType()).getShape(),
                     shape),
        rewriter.getMultiDimIdentityMap(shape.size())};
    SmallVector<utils::IteratorType> iterators(shape.size(),
                                               utils::IteratorType::parallel);
    Value result = buildGeneric(
        rewriter, loc, {lhs, rhs}, createEmpty(rewriter, loc, sizes), maps,
        iterators, [](ImplicitLocOpBuilder &b, ValueRange args) -> Value {
          return ArithOp::create(b, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void soma::lowering::populateArithmeticPatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastLowering<AddOp, arith::AddFOp>,
               BroadcastLowering<SubOp, arith::SubFOp>,
               BroadcastLowering<MulOp, arith::MulFOp>,
               BroadcastLowering<DivOp, arith::DivFOp>>(patterns.getContext());
}
