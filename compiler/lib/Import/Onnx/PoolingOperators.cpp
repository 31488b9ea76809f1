//===- PoolingOperators.cpp - ONNX MaxPool, AveragePool and global pools --===//
//
// ONNX pools default to a stride of 1 (soma's to the kernel), so the stride
// is always explicit; pads become the four-entry padding, which may exceed
// half the window as ONNX allows. AveragePool's count_include_pad defaults
// to 0. ceil_mode follows PyTorch: a last window that would start in the end
// padding is dropped. MaxPool's Indices output is not supported. The global
// pools average or take the maximum over the whole spatial extent.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"
#include "Windows.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// Creates the pool `OpTy` over input 0 (lifted to 2-D) and defines output 0.
template <typename OpTy>
static LogicalResult pool(NodeContext &node, Value input, unsigned rank,
                          ArrayRef<NamedAttribute> attrs) {
  FailureOr<Value> input2d = liftTo2d(node, input, rank);
  if (failed(input2d))
    return failure();
  FailureOr<Value> result = node.create<OpTy>(*input2d, attrs);
  if (failed(result))
    return failure();
  FailureOr<Value> output = lowerFrom2d(node, *result, rank);
  if (failed(output))
    return failure();
  node.setOutput(0, *output);
  return success();
}

template <typename OpTy> static LogicalResult importPool(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  FailureOr<unsigned> rank = spatialRank(node, *input);
  if (failed(rank))
    return failure();
  FailureOr<Window2d> window = readWindow(node, shapeOf(*input), std::nullopt,
                                          /*resolveSame=*/true);
  bool ceilMode = node.getInt("ceil_mode", 0) != 0;
  if (failed(window) || node.hasFailed())
    return failure();
  SmallVector<NamedAttribute> attrs = {
      node.i64Array("kernel_size", window->kernel),
      node.i64Array("stride", window->stride),
      node.i64Array("padding", window->padding(/*alwaysFour=*/true)),
      node.boolean("ceil_mode", ceilMode)};
  if constexpr (std::is_same_v<OpTy, MaxPool2dOp>) {
    if (node.getInt("storage_order", 0) != 0 && node.numOutputs() > 1)
      return node.emitError() << "expected 'storage_order' = 0, got 1";
    attrs.push_back(node.i64Array("dilation", window->dilation));
  } else {
    if (llvm::any_of(window->dilation, [](int64_t d) { return d != 1; }))
      return node.emitError() << "expected no dilation in AveragePool";
    bool includePad = node.getInt("count_include_pad", 0) != 0;
    attrs.push_back(node.boolean("count_include_pad", includePad));
  }
  if (node.hasFailed())
    return failure();
  return pool<OpTy>(node, *input, *rank, attrs);
}

template <typename OpTy>
static LogicalResult importGlobalPool(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  FailureOr<unsigned> rank = spatialRank(node, *input);
  if (failed(rank))
    return failure();
  SmallVector<int64_t, 2> kernel(shapeOf(*input).drop_front(2));
  if (*rank == 1)
    kernel.insert(kernel.begin(), 1);
  return pool<OpTy>(
      node, *input, *rank,
      {node.i64Array("kernel_size", kernel), node.i64Array("stride", {1, 1})});
}

void soma::onnx_import::addPoolingOperators(OperatorTable &table) {
  table["MaxPool"] = {importPool<MaxPool2dOp>};
  table["AveragePool"] = {importPool<AvgPool2dOp>};
  table["GlobalMaxPool"] = {importGlobalPool<MaxPool2dOp>};
  table["GlobalAveragePool"] = {importGlobalPool<AvgPool2dOp>};
}
