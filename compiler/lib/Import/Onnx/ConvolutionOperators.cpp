//===- ConvolutionOperators.cpp - ONNX Conv and ConvTranspose -------------===//
//
// Conv is soma.conv2d with ONNX's pads as [top, left, bottom, right]
// padding (auto_pad resolved). ConvTranspose is soma.conv_transpose2d; its
// pads crop the full output, and `output_shape` or auto_pad SAME_* fix the
// output size instead: the total padding is then
// stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - out,
// split with the larger half at the start, or at the end for SAME_UPPER. A
// negative total (an output larger than the full one) becomes
// output_padding. 1-D convolutions run over a height of 1.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"
#include "Windows.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// The input, weight and optional bias of a convolution node, the input and
/// weight lifted to 2-D.
struct ConvOperands {
  Value input, weight, bias;
  unsigned spatialRank = 0;
  /// The weight's spatial dimensions before lifting.
  SmallVector<int64_t, 2> kernel;
  /// The input's shape before lifting.
  SmallVector<int64_t, 4> inputShape;
};

static FailureOr<ConvOperands> readConvOperands(NodeContext &node) {
  if (failed(node.expectInputs(2, 3)))
    return failure();
  FailureOr<Value> input = node.tensor(0), weight = node.tensor(1);
  if (failed(input) || failed(weight))
    return failure();
  FailureOr<unsigned> rank = spatialRank(node, *input);
  if (failed(rank))
    return failure();
  ConvOperands operands;
  operands.spatialRank = *rank;
  operands.inputShape.assign(shapeOf(*input).begin(), shapeOf(*input).end());
  if (shapeOf(*weight).size() != *rank + 2)
    return node.emitError() << "expected a weight of rank " << *rank + 2
                            << ", got " << formatShape(shapeOf(*weight));
  operands.kernel.assign(shapeOf(*weight).begin() + 2, shapeOf(*weight).end());
  FailureOr<Value> input2d = liftTo2d(node, *input, *rank);
  FailureOr<Value> weight2d = liftTo2d(node, *weight, *rank);
  if (failed(input2d) || failed(weight2d))
    return failure();
  operands.input = *input2d;
  operands.weight = *weight2d;
  if (node.hasInput(2)) {
    FailureOr<Value> bias = node.tensor(2);
    if (failed(bias))
      return failure();
    operands.bias = *bias;
  }
  return operands;
}

/// Creates `OpTy` on `operands` and defines the (lowered) output.
template <typename OpTy>
static LogicalResult finishConv(NodeContext &node, const ConvOperands &operands,
                                ArrayRef<NamedAttribute> attrs) {
  SmallVector<Value, 3> values = {operands.input, operands.weight};
  if (operands.bias)
    values.push_back(operands.bias);
  FailureOr<Value> result = node.create<OpTy>(values, attrs);
  if (failed(result))
    return failure();
  FailureOr<Value> output = lowerFrom2d(node, *result, operands.spatialRank);
  if (failed(output))
    return failure();
  node.setOutput(0, *output);
  return success();
}

static LogicalResult importConv(NodeContext &node) {
  FailureOr<ConvOperands> operands = readConvOperands(node);
  if (failed(operands))
    return failure();
  FailureOr<Window2d> window = readWindow(node, operands->inputShape,
                                          ArrayRef<int64_t>(operands->kernel),
                                          /*resolveSame=*/true);
  int64_t groups = node.getInt("group", 1);
  if (failed(window) || node.hasFailed())
    return failure();
  return finishConv<Conv2dOp>(
      node, *operands,
      {node.i64Array("stride", window->stride),
       node.i64Array("padding", window->padding(/*alwaysFour=*/false)),
       node.i64Array("dilation", window->dilation),
       node.i64("groups", groups)});
}

static LogicalResult importConvTranspose(NodeContext &node) {
  FailureOr<ConvOperands> operands = readConvOperands(node);
  if (failed(operands))
    return failure();
  FailureOr<Window2d> window = readWindow(node, operands->inputShape,
                                          ArrayRef<int64_t>(operands->kernel),
                                          /*resolveSame=*/false);
  int64_t groups = node.getInt("group", 1);
  unsigned rank = operands->spatialRank;
  SmallVector<int64_t> outputPadding(rank, 0);
  if (std::optional<SmallVector<int64_t>> given =
          node.getInts("output_padding"))
    outputPadding = *given;
  std::optional<SmallVector<int64_t>> outputShape =
      node.getInts("output_shape");
  if (failed(window) || node.hasFailed())
    return failure();
  if (outputPadding.size() != rank)
    return node.emitError() << "expected 'output_padding' to have " << rank
                            << " entries, got " << outputPadding.size();
  // output_shape may include the batch and channel dimensions.
  if (outputShape && outputShape->size() == rank + 2)
    outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
  if (outputShape && outputShape->size() != rank)
    return node.emitError() << "expected 'output_shape' to have " << rank
                            << " entries, got " << outputShape->size();
  if (llvm::any_of(outputPadding, [](int64_t pad) { return pad < 0; }))
    return node.emitError() << "expected non-negative 'output_padding'";
  if (rank == 1)
    outputPadding.insert(outputPadding.begin(), 0);

  bool same =
      window->autoPad == "SAME_UPPER" || window->autoPad == "SAME_LOWER";
  if (outputShape || same) {
    for (unsigned i = 0; i < rank; ++i) {
      unsigned d = i + (2 - rank); // The 2-D dimension.
      int64_t in = operands->inputShape[2 + i];
      // The full output, stride * (in - 1) + output_padding
      // + dilation * (kernel - 1) + 1, less the target size.
      std::optional<int64_t> target =
          outputShape ? std::optional<int64_t>((*outputShape)[i])
                      : llvm::checkedMul<int64_t>(in, window->stride[d]);
      std::optional<int64_t> full = llvm::checkedMulAdd<int64_t>(
          window->dilation[d], window->kernel[d] - 1, 1);
      if (full)
        full = llvm::checkedAdd<int64_t>(*full, outputPadding[d]);
      if (full)
        full = llvm::checkedMulAdd<int64_t>(window->stride[d], in - 1, *full);
      if (!target || !full || !llvm::checkedSub(*full, *target))
        return node.emitError() << "expected the output size of spatial "
                                   "dimension "
                                << i << " to fit in 64 bits";
      int64_t total = *full - *target;
      if (total < 0) {
        outputPadding[d] -= total;
        total = 0;
      }
      int64_t small = total / 2;
      window->pads[d] = window->autoPad == "SAME_UPPER" ? small : total - small;
      window->pads[2 + d] = total - window->pads[d];
    }
  }
  return finishConv<ConvTranspose2dOp>(
      node, *operands,
      {node.i64Array("stride", window->stride),
       node.i64Array("padding", window->padding(/*alwaysFour=*/false)),
       node.i64Array("output_padding", outputPadding),
       node.i64Array("dilation", window->dilation),
       node.i64("groups", groups)});
}

void soma::onnx_import::addConvolutionOperators(OperatorTable &table) {
  table["Conv"] = {importConv};
  table["ConvTranspose"] = {importConvTranspose};
}
