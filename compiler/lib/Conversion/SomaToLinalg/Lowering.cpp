//===- Lowering.cpp - Shared pieces of the soma-to-linalg patterns --------===//
//
// Helpers every pattern family uses to build destination tensors, generic
// ops, reshapes and scalar arithmetic.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace soma::lowering {

bool isStaticButBatch(Operation *op) {
  auto check = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor &&
           llvm::none_of(tensor.getShape().drop_front(), ShapedType::isDynamic);
  };
  return llvm::all_of(op->getOperandTypes(), check) &&
         llvm::all_of(op->getResultTypes(), check);
}

bool needsStaticButBatch(Operation *op) {
  return isa<LinearOp, Conv2dOp, Conv2dActivationOp, ConvTranspose2dOp,
             MaxPool2dOp, AvgPool2dOp>(op);
}

LogicalResult requireStaticButBatch(RewriterBase &rewriter, Operation *op) {
  if (!isStaticButBatch(op))
    return rewriter.notifyMatchFailure(
        op, "expected tensors whose dimensions are static but for the "
            "leading (batch) one");
  return success();
}

OpFoldResult dimSize(OpBuilder &b, Location loc, Value value, int64_t dim) {
  return tensor::getMixedSize(b, loc, value, dim);
}

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType) {
  if (!elementType)
    elementType = b.getF32Type();
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   TypedAttr value) {
  Value empty = createEmpty(b, loc, sizes, value.getType());
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

Value createAccumulator(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Value bias,
                        int64_t channelDim) {
  if (!bias)
    return createFilled(b, loc, sizes, b.getF32FloatAttr(0.0f));
  MLIRContext *context = b.getContext();
  int64_t rank = sizes.size();
  AffineMap biasMap =
      AffineMap::get(rank, 0, getAffineDimExpr(channelDim, context));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return buildGeneric(
      b, loc, bias, createEmpty(b, loc, sizes),
      {biasMap, b.getMultiDimIdentityMap(rank)}, iterators,
      [](ImplicitLocOpBuilder &, ValueRange args) { return args[0]; });
}

Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators, BodyFn body) {
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        ImplicitLocOpBuilder builder(nestedLoc, nested);
        linalg::YieldOp::create(builder, body(builder, args));
      });
  return generic.getResult(0);
}

AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> resultShape) {
  int64_t offset = resultShape.size() - shape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(shape)) {
    int64_t loop = offset + i;
    bool stretches = size == 1 && resultShape[loop] != 1;
    exprs.push_back(stretches ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(loop, context));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, context);
}

Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padding, float padValue) {
  if (llvm::all_of(padding, [](int64_t pad) { return pad == 0; }))
    return input;
  SmallVector<OpFoldResult> pads = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(padding[0]),
                                    b.getIndexAttr(padding[1])};
  Value value = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(padValue));
  // A null result type lets tensor.pad infer it.
  return tensor::PadOp::create(b, loc, RankedTensorType(), input, pads, pads,
                               value);
}

Value expandTo(OpBuilder &b, Location loc, Value source,
               RankedTensorType resultType,
               ArrayRef<ReassociationIndices> reassociation,
               ArrayRef<OpFoldResult> knownShape) {
  if (!knownShape.empty())
    return tensor::ExpandShapeOp::create(b, loc, resultType, source,
                                         reassociation, knownShape);
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<OpFoldResult> outputShape;
  for (auto [group, indices] : llvm::enumerate(reassociation)) {
    int64_t staticPart = 1;
    for (int64_t i : indices)
      if (!ShapedType::isDynamic(shape[i]))
        staticPart *= shape[i];
    for (int64_t i : indices) {
      if (!ShapedType::isDynamic(shape[i])) {
        outputShape.push_back(b.getIndexAttr(shape[i]));
        continue;
      }
      // The one dynamic size of the group: what the static ones leave.
      Value whole = tensor::DimOp::create(b, loc, source, group);
      if (staticPart != 1)
        whole = arith::DivUIOp::create(
            b, loc, whole, arith::ConstantIndexOp::create(b, loc, staticPart));
      outputShape.push_back(whole);
    }
  }
  if (reassociation.empty())
    for (int64_t size : shape)
      outputShape.push_back(b.getIndexAttr(size));
  return tensor::ExpandShapeOp::create(b, loc, resultType, source,
                                       reassociation, outputShape);
}

Value collapseTo(OpBuilder &b, Location loc, Value source,
                 RankedTensorType resultType,
                 ArrayRef<ReassociationIndices> reassociation) {
  return tensor::CollapseShapeOp::create(b, loc, resultType, source,
                                         reassociation);
}

SmallVector<ReassociationIndices> mergeDims(int64_t rank, int64_t first,
                                            int64_t last) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < first; ++d)
    groups.push_back({d});
  ReassociationIndices merged;
  for (int64_t d = first; d <= last; ++d)
    merged.push_back(d);
  groups.push_back(merged);
  for (int64_t d = last + 1; d < rank; ++d)
    groups.push_back({d});
  return groups;
}

Value collapseToRows(OpBuilder &b, Location loc, Value input,
                            SmallVector<ReassociationIndices> &groups) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  groups = mergeDims(rank, 0, rank - 2);
  if (rank == 1) {
    groups = {{0, 1}};
    return expandTo(b, loc, input,
                    RankedTensorType::get({1, inputType.getDimSize(0)},
                                          inputType.getElementType()),
                    groups);
  }
  if (rank == 2)
    return input;
  int64_t numRows = 1;
  for (int64_t size : inputType.getShape().drop_back())
    numRows = ShapedType::isDynamic(size) || ShapedType::isDynamic(numRows)
                  ? ShapedType::kDynamic
                  : numRows * size;
  auto rowsType = RankedTensorType::get({numRows, inputType.getShape().back()},
                                        inputType.getElementType());
  return collapseTo(b, loc, input, rowsType, groups);
}

Value expandFromRows(OpBuilder &b, Location loc, Value rows,
                     RankedTensorType type,
                     ArrayRef<ReassociationIndices> groups,
                     ArrayRef<OpFoldResult> sizes) {
  if (type.getRank() == 1)
    return collapseTo(b, loc, rows, type, groups);
  if (type.getRank() == 2)
    return rows;
  return expandTo(b, loc, rows, type, groups, sizes);
}

Type withElementType(Type type, Type element) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(element);
  return element;
}

Value constantLike(ImplicitLocOpBuilder &b, double value, Type type) {
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  TypedAttr scalar = b.getFloatAttr(element, value);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(b, SplatElementsAttr::get(shaped, scalar));
  return arith::ConstantOp::create(b, scalar);
}

Value integerConstantLike(ImplicitLocOpBuilder &b, int64_t value, Type type) {
  TypedAttr scalar = b.getIntegerAttr(getElementTypeOrSelf(type), value);
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(b, SplatElementsAttr::get(shaped, scalar));
  return arith::ConstantOp::create(b, scalar);
}

Value f32Constant(ImplicitLocOpBuilder &b, double value) {
  return constantLike(b, value, b.getF32Type());
}

Value f64Constant(ImplicitLocOpBuilder &b, double value) {
  return constantLike(b, value, b.getF64Type());
}

Value extendToF64(ImplicitLocOpBuilder &b, Value value) {
  return arith::ExtFOp::create(
      b, withElementType(value.getType(), b.getF64Type()), value);
}

Value truncateToF32(ImplicitLocOpBuilder &b, Value value) {
  return arith::TruncFOp::create(
      b, withElementType(value.getType(), b.getF32Type()), value);
}

Value clampKeepNaN(ImplicitLocOpBuilder &b, Value x, Value lo, Value hi) {
  // std::max(x, lo) is `x < lo ? lo : x`; std::min(m, hi) is
  // `hi < m ? hi : m`. Ordered comparisons are false on NaN, so NaN stays.
  Value belowLo = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, lo);
  Value atLeastLo = arith::SelectOp::create(b, belowLo, lo, x);
  Value aboveHi =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, hi, atLeastLo);
  return arith::SelectOp::create(b, aboveHi, hi, atLeastLo);
}

SmallVector<Value> buildPipelinedSteps(ImplicitLocOpBuilder &b, Value from,
                                       Value to, Value step, ValueRange init,
                                       StageStart start, StageFinish finish,
                                       scf::ForOp *loop) {
  Value any = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, from, to);
  size_t carriedCount = init.size();
  auto ifOp = scf::IfOp::create(
      b, any,
      [&](OpBuilder &thenBuilder, Location thenLoc) {
        ImplicitLocOpBuilder tb(thenLoc, thenBuilder);
        SmallVector<Value> carried(init.begin(), init.end());
        llvm::append_range(carried, start(tb, from));
        Value last = arith::SubIOp::create(tb, to, step);
        auto forOp = scf::ForOp::create(
            tb, from, last, step, carried,
            [&](OpBuilder &nested, Location loc, Value at, ValueRange iter) {
              ImplicitLocOpBuilder lb(loc, nested);
              SmallVector<Value> next =
                  start(lb, arith::AddIOp::create(lb, at, step));
              SmallVector<Value> yielded =
                  finish(lb, at, iter.take_front(carriedCount),
                         iter.drop_front(carriedCount));
              llvm::append_range(yielded, next);
              scf::YieldOp::create(lb, yielded);
            });
        if (loop)
          *loop = forOp;
        ValueRange results = forOp.getResults();
        scf::YieldOp::create(tb, finish(tb, last,
                                        results.take_front(carriedCount),
                                        results.drop_front(carriedCount)));
      },
      [&](OpBuilder &elseBuilder, Location elseLoc) {
        scf::YieldOp::create(elseBuilder, elseLoc, init);
      });
  return SmallVector<Value>(ifOp.getResults().begin(),
                            ifOp.getResults().end());
}

Value onLanes(ImplicitLocOpBuilder &b, Value x, int64_t lanes,
              llvm::function_ref<Value(Value)> body) {
  auto wideType = VectorType::get({lanes}, getElementTypeOrSelf(x));
  auto vectorType = dyn_cast<VectorType>(x.getType());
  if (!vectorType)
    return vector::ExtractOp::create(
        b, body(vector::BroadcastOp::create(b, wideType, x)),
        ArrayRef<int64_t>{0});
  int64_t narrow = vectorType.getNumElements();
  if (narrow == lanes)
    return body(x);
  SmallVector<int64_t> repeated;
  for (int64_t i = 0; i < lanes; ++i)
    repeated.push_back(i % narrow);
  Value wide = vector::ShuffleOp::create(b, x, x, repeated);
  return vector::ExtractStridedSliceOp::create(
      b, body(wide), ArrayRef<int64_t>{0}, ArrayRef<int64_t>{narrow},
      ArrayRef<int64_t>{1});
}

SmallVector<float> constantValues(Value value) {
  return constantFloats(value);
}

DenseIntElementsAttr windowAttr(Builder &b, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return DenseIntElementsAttr::get(type, values);
}

} // namespace soma::lowering

Value soma::lowering::bufferView(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

soma::lowering::StreamingOutput soma::lowering::streamingOutput(ImplicitLocOpBuilder &b,
                                                Value out, Value count,
                                                int64_t threshold) {
  auto index = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  };
  Value buffer = bufferView(b, b.getLoc(), out);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, buffer);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, buffer);
  Value address = arith::AddIOp::create(
      b, base, arith::MulIOp::create(b, metadata.getOffset(), index(4)));
  Value floatAligned = arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, address, index(3)), index(0));
  Value large = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, count,
                                      index(threshold));
  return {address, arith::AndIOp::create(b, large, floatAligned)};
}

Value soma::lowering::floatsToVectorBoundary(ImplicitLocOpBuilder &b,
                                             Value address, int64_t lanes) {
  auto index = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  };
  // (-address mod vector bytes)/4.
  Value vectorBytes = index(lanes * 4);
  Value toBoundary = arith::AndIOp::create(
      b, arith::SubIOp::create(b, vectorBytes,
                               arith::AndIOp::create(
                                   b, address, index(lanes * 4 - 1))),
      index(lanes * 4 - 1));
  return arith::DivUIOp::create(b, toBoundary, index(4));
}
