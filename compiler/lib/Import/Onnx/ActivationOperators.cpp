//===- ActivationOperators.cpp - Element-wise ONNX activations ------------===//
//
// Each maps to one soma op with ONNX's attribute defaults made explicit:
// HardSigmoid's alpha is 0.2 (PyTorch's 1/6); ThresholdedRelu is
// soma.threshold with value 0 (both keep x only where x > alpha); ONNX's
// Softplus is log(1 + exp(x)) with no linear tail, which soma.softplus with
// beta 1 and threshold 20 matches in f32: above 20, log1p(exp(x)) - x is
// below 2.1e-9, under half an ulp of x.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// Applies `OpTy` to the single input, with `attrs`.
template <typename OpTy>
static LogicalResult applyUnary(NodeContext &node,
                                ArrayRef<NamedAttribute> attrs = {}) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input) || node.hasFailed())
    return failure();
  FailureOr<Value> result = node.create<OpTy>(*input, attrs);
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

template <typename OpTy> static LogicalResult importUnary(NodeContext &node) {
  return applyUnary<OpTy>(node);
}

static LogicalResult importHardSigmoid(NodeContext &node) {
  float alpha = node.getFloat("alpha", 0.2f);
  float beta = node.getFloat("beta", 0.5f);
  return applyUnary<HardSigmoidOp>(
      node, {node.f32("alpha", alpha), node.f32("beta", beta)});
}

static LogicalResult importLeakyRelu(NodeContext &node) {
  float alpha = node.getFloat("alpha", 0.01f);
  return applyUnary<LeakyReluOp>(node, {node.f32("negative_slope", alpha)});
}

static LogicalResult importThresholdedRelu(NodeContext &node) {
  float alpha = node.getFloat("alpha", 1.0f);
  return applyUnary<ThresholdOp>(
      node, {node.f32("threshold", alpha), node.f32("value", 0.0f)});
}

static LogicalResult importSoftplus(NodeContext &node) {
  return applyUnary<SoftplusOp>(
      node, {node.f32("beta", 1.0f), node.f32("threshold", 20.0f)});
}

void soma::onnx_import::addActivationOperators(OperatorTable &table) {
  table["Sigmoid"] = {importUnary<SigmoidOp>};
  table["Tanh"] = {importUnary<TanhOp>};
  table["Relu"] = {importUnary<ReluOp>};
  table["HardSwish"] = {importUnary<HardSwishOp>};
  table["HardSigmoid"] = {importHardSigmoid};
  table["LeakyRelu"] = {importLeakyRelu};
  table["ThresholdedRelu"] = {importThresholdedRelu};
  table["Softplus"] = {importSoftplus};
}
