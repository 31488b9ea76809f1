//===- NormalizationOperators.cpp - Softmax, ReduceSum, BatchNorm ---------===//
//
// Softmax and LogSoftmax normalize along one axis from opset 13 on (default
// the last); before, they coerced the input to 2-D at `axis` (default 1) and
// normalized each row of that matrix, which is expressed here with reshapes
// around a normalization along the last dimension. ReduceSum takes its axes
// as an attribute before opset 13 and as a constant input from then on.
// BatchNormalization runs in inference mode only.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// Maps `axis` into [0, rank) (or [0, rank] when `allowRank`).
static FailureOr<int64_t> normalizeAxis(NodeContext &node, int64_t axis,
                                        int64_t rank, bool allowRank = false) {
  int64_t highest = allowRank ? rank : rank - 1;
  if (axis < -rank || axis > highest)
    return node.emitError()
           << "expected 'axis' in [" << -rank << ", " << highest
           << "] for an input of rank " << rank << ", got " << axis;
  return axis < 0 ? axis + rank : axis;
}

/// The product of `dims`, dynamic when one of them is.
static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims) {
    if (ShapedType::isDynamic(dim))
      return ShapedType::kDynamic;
    result *= dim;
  }
  return result;
}

template <typename OpTy> static LogicalResult importSoftmax(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(*input);
  int64_t rank = shape.size();
  if (rank == 0)
    return node.emitError() << "expected an input of rank at least 1, got a "
                               "scalar";
  bool singleAxis = node.opset() >= 13;
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getInt("axis", singleAxis ? -1 : 1), rank);
  if (failed(axis) || node.hasFailed())
    return failure();
  if (singleAxis || *axis == rank - 1) {
    FailureOr<Value> result =
        node.create<OpTy>(*input, {node.i64("dim", *axis)});
    if (failed(result))
      return failure();
    node.setOutput(0, *result);
    return success();
  }
  // [d0 ... d(axis-1)] x [d(axis) ...], each row normalized.
  SmallVector<int64_t> shape2d = {product(shape.take_front(*axis)),
                                  product(shape.drop_front(*axis))};
  FailureOr<Value> rows = node.reshape(*input, shape2d);
  if (failed(rows))
    return failure();
  FailureOr<Value> normalized = node.create<OpTy>(*rows, {node.i64("dim", 1)});
  if (failed(normalized))
    return failure();
  FailureOr<Value> result = node.reshape(*normalized, shape);
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

static LogicalResult importReduceSum(NodeContext &node) {
  bool axesInput = node.opset() >= 13;
  if (failed(node.expectInputs(1, axesInput ? 2 : 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  SmallVector<int64_t> axes;
  bool noopWithoutAxes = false;
  if (axesInput) {
    noopWithoutAxes = node.getInt("noop_with_empty_axes", 0) != 0;
    if (node.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> given = node.constantInts(1, "the axes");
      if (failed(given))
        return failure();
      axes = *given;
    }
  } else if (std::optional<SmallVector<int64_t>> given = node.getInts("axes")) {
    axes = *given;
  }
  bool keepdims = node.getInt("keepdims", 1) != 0;
  if (node.hasFailed())
    return failure();
  if (axes.empty() && noopWithoutAxes) {
    node.setOutput(0, *input);
    return success();
  }
  FailureOr<Value> result = node.create<ReduceSumOp>(
      *input, {node.i64Array("dims", axes), node.boolean("keepdim", keepdims)});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

static LogicalResult importBatchNormalization(NodeContext &node) {
  if (failed(node.expectInputs(5, 5)))
    return failure();
  if (node.getInt("training_mode", 0) != 0)
    return node.emitError() << "expected 'training_mode' = 0 (inference), "
                               "got 1; batch statistics are not supported";
  if (node.opset() < 9 && node.getInt("spatial", 1) == 0)
    return node.emitError() << "expected 'spatial' = 1, got 0; per-element "
                               "statistics are not supported";
  float epsilon = node.getFloat("epsilon", 1e-5f);
  if (node.hasFailed())
    return failure();
  SmallVector<Value, 5> operands;
  // ONNX: X, scale, B, mean, var; soma: input, mean, variance, weight, bias.
  for (unsigned i : {0u, 3u, 4u, 1u, 2u}) {
    FailureOr<Value> operand = node.tensor(i);
    if (failed(operand))
      return failure();
    operands.push_back(*operand);
  }
  FailureOr<Value> result =
      node.create<BatchNormOp>(operands, {node.f32("epsilon", epsilon)});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

void soma::onnx_import::addNormalizationOperators(OperatorTable &table) {
  table["Softmax"] = {importSoftmax<SoftmaxOp>};
  table["LogSoftmax"] = {importSoftmax<LogSoftmaxOp>};
  table["ReduceSum"] = {importReduceSum};
  table["BatchNormalization"] = {importBatchNormalization};
}
