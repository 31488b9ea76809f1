//===- LayoutOperators.cpp - Reshapes, transposes and identities ----------===//
//
// Reshape's target shape must be known at import time: an initializer, a
// Constant, or a shape computation folded here. A 0 entry copies the input's
// dimension (unless `allowzero`), -1 is inferred, and an entry derived from
// the dynamic batch stays dynamic. Flatten always gives a matrix
// [d0 * ... * d(axis-1), d(axis) * ...]; Squeeze and Unsqueeze are reshapes
// too. On integer data known at import time (shape computations) these fold.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims) {
    if (ShapedType::isDynamic(dim))
      return ShapedType::kDynamic;
    result *= dim;
  }
  return result;
}

/// Defines output 0 as `input` under `shape`: a folded literal when the
/// input is integer data, a soma.reshape otherwise.
static LogicalResult reshapeOutput(NodeContext &node, ArrayRef<int64_t> shape) {
  if (const Literal *data = node.literal(0); data && !data->isFloat) {
    Literal folded = *data;
    folded.shape.assign(shape.begin(), shape.end());
    if (folded.numElements() != data->numElements())
      return node.emitError()
             << "cannot reshape integer data of shape "
             << formatShape(data->shape) << " to " << formatShape(shape);
    node.setOutput(0, std::move(folded));
    return success();
  }
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  FailureOr<Value> result = node.reshape(*input, shape);
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

/// The shape of input 0, from its value or its literal.
static FailureOr<SmallVector<int64_t>> inputShape(NodeContext &node) {
  if (const Literal *data = node.literal(0))
    return SmallVector<int64_t>(data->shape.begin(), data->shape.end());
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  return SmallVector<int64_t>(shapeOf(*input));
}

static LogicalResult importReshape(NodeContext &node) {
  bool shapeAttr = node.opset() < 5;
  if (failed(node.expectInputs(shapeAttr ? 1 : 2, shapeAttr ? 1 : 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> in = inputShape(node);
  if (failed(in))
    return failure();
  SmallVector<int64_t> shape;
  if (shapeAttr) {
    std::optional<SmallVector<int64_t>> given = node.getInts("shape");
    if (!given)
      return node.emitError() << "expected attribute 'shape'";
    shape = *given;
  } else {
    FailureOr<SmallVector<int64_t>> given =
        node.constantInts(1, "the target shape");
    if (failed(given))
      return failure();
    shape = *given;
  }
  bool allowZero = node.opset() >= 14 && node.getInt("allowzero", 0) != 0;
  if (node.hasFailed())
    return failure();

  // Resolve copied dimensions; count the unknown entries.
  std::optional<size_t> inferred, batch;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t &dim = shape[i];
    if (dim == 0 && !allowZero) {
      if (i >= in->size())
        return node.emitError() << "expected entry " << i
                                << " of the target shape to copy an input "
                                   "dimension, but the input has rank "
                                << in->size();
      dim = (*in)[i];
    }
    if (ShapedType::isDynamic(dim)) {
      if (batch)
        return node.emitError()
               << "expected at most one dynamic (batch) dimension in the "
                  "target shape, got "
               << formatShape(shape);
      batch = i;
    } else if (dim == -1) {
      if (inferred)
        return node.emitError() << "expected at most one -1 in the target "
                                   "shape, got entries "
                                << *inferred << " and " << i;
      inferred = i;
    } else if (dim < 0) {
      return node.emitError() << "expected target shape entries of at least "
                                 "-1, got "
                              << dim;
    }
  }
  // With the batch kept, a -1 covers the static part of the input alone.
  if (batch && inferred) {
    int64_t known = 1, staticIn = 1;
    for (int64_t dim : shape)
      if (!ShapedType::isDynamic(dim) && dim != -1)
        known *= dim;
    for (int64_t dim : *in)
      if (!ShapedType::isDynamic(dim))
        staticIn *= dim;
    if (known == 0 || staticIn % known != 0)
      return node.emitError() << "cannot reshape " << formatShape(*in) << " to "
                              << formatShape(shape);
    shape[*inferred] = staticIn / known;
  }
  return reshapeOutput(node, shape);
}

static LogicalResult importFlatten(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> in = inputShape(node);
  if (failed(in))
    return failure();
  int64_t rank = in->size(), axis = node.getInt("axis", 1);
  if (node.hasFailed())
    return failure();
  if (axis < -rank || axis > rank)
    return node.emitError() << "expected 'axis' in [" << -rank << ", " << rank
                            << "], got " << axis;
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> dims = *in;
  return reshapeOutput(
      node, {product(dims.take_front(axis)), product(dims.drop_front(axis))});
}

static LogicalResult importTranspose(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  int64_t rank = shapeOf(*input).size();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> given = node.getInts("perm"))
    perm = *given;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (node.hasFailed())
    return failure();
  FailureOr<Value> result =
      node.create<TransposeOp>(*input, {node.i64Array("perm", perm)});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

/// The axes of Squeeze or Unsqueeze: an attribute before opset 13, an
/// optional constant input from then on.
static FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &node) {
  if (node.opset() < 13)
    return node.getInts("axes").value_or(SmallVector<int64_t>());
  if (!node.hasInput(1))
    return SmallVector<int64_t>();
  return node.constantInts(1, "the axes");
}

static LogicalResult importSqueeze(NodeContext &node) {
  if (failed(node.expectInputs(1, node.opset() < 13 ? 1 : 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> in = inputShape(node);
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(node);
  if (failed(in) || failed(axes) || node.hasFailed())
    return failure();
  int64_t rank = in->size();
  SmallVector<bool> removed(rank, false);
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank)
      return node.emitError() << "expected axes in [" << -rank << ", "
                              << rank - 1 << "], got " << axis;
    removed[axis < 0 ? axis + rank : axis] = true;
  }
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(*in)) {
    if (axes->empty() && ShapedType::isDynamic(dim))
      return node.emitError() << "cannot tell whether the dynamic dimension "
                              << i << " has size 1; give the axes";
    bool squeeze = axes->empty() ? dim == 1 : removed[i];
    if (squeeze && dim != 1)
      return node.emitError() << "expected dimension " << i
                              << " to have size 1, got " << formatShape(*in);
    if (!squeeze)
      shape.push_back(dim);
  }
  return reshapeOutput(node, shape);
}

static LogicalResult importUnsqueeze(NodeContext &node) {
  if (failed(node.expectInputs(node.opset() < 13 ? 1 : 2,
                               node.opset() < 13 ? 1 : 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> in = inputShape(node);
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(node);
  if (failed(in) || failed(axes) || node.hasFailed())
    return failure();
  int64_t rank = in->size() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank)
      return node.emitError() << "expected axes in [" << -rank << ", "
                              << rank - 1 << "], got " << axis;
    int64_t index = axis < 0 ? axis + rank : axis;
    if (inserted[index])
      return node.emitError()
             << "expected distinct axes, got " << index << " twice";
    inserted[index] = true;
  }
  SmallVector<int64_t> shape;
  auto next = in->begin();
  for (bool one : inserted)
    shape.push_back(one ? 1 : *next++);
  return reshapeOutput(node, shape);
}

static LogicalResult importIdentity(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  return node.forward(0, 0);
}

/// Dropout is the identity at inference; training mode is refused, and its
/// mask output is left undefined (an error where it is used).
static LogicalResult importDropout(NodeContext &node) {
  if (failed(node.expectInputs(1, 3)))
    return failure();
  if (node.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> training =
        node.constantInts(2, "training_mode");
    if (failed(training))
      return failure();
    if (training->size() != 1 || (*training)[0] != 0)
      return node.emitError() << "expected training_mode false, got true; "
                                 "only inference is supported";
  }
  return node.forward(0, 0);
}

void soma::onnx_import::addLayoutOperators(OperatorTable &table) {
  table["Reshape"] = {importReshape};
  table["Flatten"] = {importFlatten};
  table["Transpose"] = {importTranspose};
  table["Squeeze"] = {importSqueeze};
  table["Unsqueeze"] = {importUnsqueeze};
  table["Identity"] = {importIdentity};
  table["Dropout"] = {importDropout};
}
