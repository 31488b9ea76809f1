//===- ConstantOperators.cpp - Constants and folded shape computations ----===//
//
// Constant defines known data. Shape, Gather, Concat and Cast are evaluated
// here on integer data known at import time, as exporters emit them to
// compute the target shape of a Reshape (`x.view(x.size(0), -1)`); the
// dynamic batch size stays an unknown entry, which Reshape keeps dynamic.
// Applied to f32 tensors, they are reported as unsupported.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

static LogicalResult importConstant(NodeContext &node) {
  if (failed(node.expectInputs(0, 0)))
    return failure();
  Literal literal;
  if (const onnx::TensorProto *tensor = node.getTensor("value")) {
    llvm::Expected<OnnxTensor> decoded =
        decodeOnnxTensor(*tensor, node.modelDir());
    if (!decoded)
      return node.emitError() << llvm::toString(decoded.takeError());
    literal = literalFrom(std::move(*decoded));
  } else if (node.hasAttr("value_float")) {
    literal.floats = {node.getFloat("value_float", 0.0f)};
  } else if (node.hasAttr("value_int")) {
    literal = Literal::ofInts({}, {node.getInt("value_int", 0)});
  } else if (std::optional<SmallVector<int64_t>> ints =
                 node.getInts("value_ints")) {
    literal = Literal::ofInts({static_cast<int64_t>(ints->size())},
                              std::vector<int64_t>(ints->begin(), ints->end()));
  } else {
    for (const onnx::AttributeProto &attr : node.proto().attribute())
      if (attr.name() == "value_floats") {
        literal.shape = {attr.floats_size()};
        literal.floats.assign(attr.floats().begin(), attr.floats().end());
        node.setOutput(0, std::move(literal));
        return success();
      }
    return node.emitError() << "expected a 'value', 'value_float(s)' or "
                               "'value_int(s)' attribute; sparse and string "
                               "constants are not supported";
  }
  if (node.hasFailed())
    return failure();
  node.setOutput(0, std::move(literal));
  return success();
}

/// The integer data of input `i`, or an error naming the operator's limits.
static const Literal *foldableInts(NodeContext &node, unsigned i) {
  const Literal *data = node.literal(i);
  if (!data || data->isFloat) {
    node.emitError() << node.opType()
                     << " is only supported on integer data known at import "
                        "time (shape computations); input "
                     << i << " is not";
    return nullptr;
  }
  return data;
}

static LogicalResult importShape(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  SmallVector<int64_t> shape;
  if (const Literal *data = node.literal(0)) {
    shape.assign(data->shape.begin(), data->shape.end());
  } else {
    FailureOr<Value> input = node.tensor(0);
    if (failed(input))
      return failure();
    shape.assign(shapeOf(*input).begin(), shapeOf(*input).end());
  }
  int64_t rank = shape.size();
  auto clamp = [&](int64_t index) {
    if (index < 0)
      index += rank;
    return std::clamp<int64_t>(index, 0, rank);
  };
  int64_t start = clamp(node.getInt("start", 0));
  int64_t end = clamp(node.getInt("end", rank));
  if (node.hasFailed())
    return failure();
  std::vector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  int64_t size = dims.size();
  node.setOutput(0, Literal::ofInts({size}, std::move(dims)));
  return success();
}

static LogicalResult importGather(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  const Literal *data = foldableInts(node, 0);
  const Literal *indices = data ? foldableInts(node, 1) : nullptr;
  if (!indices)
    return failure();
  int64_t rank = data->shape.size(), axis = node.getInt("axis", 0);
  if (node.hasFailed())
    return failure();
  if (rank == 0 || axis < -rank || axis >= rank)
    return node.emitError() << "expected 'axis' in [" << -rank << ", "
                            << rank - 1 << "], got " << axis;
  if (axis < 0)
    axis += rank;
  int64_t outer = 1, inner = 1, extent = data->shape[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= data->shape[i];
  for (int64_t i = axis + 1; i < rank; ++i)
    inner *= data->shape[i];
  std::vector<int64_t> values;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices->ints) {
      if (index < -extent || index >= extent)
        return node.emitError() << "expected indices in [" << -extent << ", "
                                << extent - 1 << "], got " << index;
      if (index < 0)
        index += extent;
      for (int64_t i = 0; i < inner; ++i)
        values.push_back(data->ints[(o * extent + index) * inner + i]);
    }
  SmallVector<int64_t> shape(ArrayRef(data->shape).take_front(axis));
  llvm::append_range(shape, indices->shape);
  llvm::append_range(shape, ArrayRef(data->shape).drop_front(axis + 1));
  node.setOutput(0, Literal::ofInts(shape, std::move(values)));
  return success();
}

static LogicalResult importConcat(NodeContext &node) {
  if (failed(node.expectInputs(1, ~0u)))
    return failure();
  std::vector<int64_t> values;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    const Literal *part = foldableInts(node, i);
    if (!part)
      return failure();
    if (part->shape.size() != 1)
      return node.emitError() << "Concat is only folded on 1-D integer data; "
                                 "input "
                              << i << " has shape " << formatShape(part->shape);
    llvm::append_range(values, part->ints);
  }
  int64_t size = values.size();
  node.setOutput(0, Literal::ofInts({size}, std::move(values)));
  return success();
}

static LogicalResult importCast(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  int64_t to = node.getInt("to", 0);
  if (node.hasFailed())
    return failure();
  const Literal *data = node.literal(0);
  bool toFloat = to == onnx::TensorProto::FLOAT;
  if (data && !data->isFloat && !toFloat) {
    node.setOutput(0, *data);
    return success();
  }
  if (toFloat && data && !data->isFloat &&
      !llvm::any_of(data->ints, ShapedType::isDynamic)) {
    Literal floats;
    floats.shape = data->shape;
    for (int64_t value : data->ints)
      floats.floats.push_back(static_cast<float>(value));
    node.setOutput(0, std::move(floats));
    return success();
  }
  if (toFloat && (!data || data->isFloat))
    return node.forward(0, 0);
  return node.emitError() << "expected a cast to FLOAT or between integer "
                             "data known at import time, got a cast to "
                          << onnxDataTypeName(to);
}

void soma::onnx_import::addConstantOperators(OperatorTable &table) {
  table["Constant"] = {importConstant};
  table["Shape"] = {importShape, /*foldedOnly=*/true};
  table["Gather"] = {importGather, /*foldedOnly=*/true};
  table["Concat"] = {importConcat, /*foldedOnly=*/true};
  table["Cast"] = {importCast, /*foldedOnly=*/true};
}
