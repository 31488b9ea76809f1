//===- Values.cpp - The values of a graph being imported ------------------===//
//
// Known data (Literal), the table of ONNX value names, and the
// materialization of f32 constants where a value is first used as a tensor.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace soma::onnx_import;

int64_t Literal::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Literal Literal::ofInts(ArrayRef<int64_t> shape, std::vector<int64_t> values) {
  Literal literal;
  literal.shape.assign(shape.begin(), shape.end());
  literal.isFloat = false;
  literal.ints = std::move(values);
  return literal;
}

Literal soma::onnx_import::literalFrom(OnnxTensor tensor) {
  Literal literal;
  literal.shape = std::move(tensor.shape);
  literal.isFloat = tensor.isFloat;
  literal.floats = std::move(tensor.floats);
  literal.ints = std::move(tensor.ints);
  return literal;
}

ArrayRef<int64_t> soma::onnx_import::shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

std::string soma::onnx_import::formatShape(ArrayRef<int64_t> shape) {
  return shape::formatShape(shape);
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(OpBuilder &builder, StringRef path, int64_t opset)
    : b(builder), modelPath(path.str()), opsetVersion(opset) {}

Location GraphImporter::fileLoc() {
  return FileLineColLoc::get(context(), modelPath, 0, 0);
}

Location GraphImporter::loc(StringRef what) {
  return NameLoc::get(StringAttr::get(context(), what), fileLoc());
}

ValueInfo *GraphImporter::lookup(StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

FailureOr<Value> GraphImporter::materialize(ValueInfo &info, StringRef name,
                                            Location useLoc) {
  if (!info.unavailable.empty()) {
    emitError(info.unavailableAt.value_or(useLoc)) << info.unavailable;
    return failure();
  }
  if (info.value)
    return info.value;
  if (!info.literal)
    return emitError(useLoc) << "value '" << name << "' has no definition";
  const Literal &literal = *info.literal;
  if (!literal.isFloat)
    return emitError(useLoc)
           << "expected value '" << name
           << "' to be an f32 tensor, got integer data of shape "
           << formatShape(literal.shape)
           << " (integer tensors are only folded into shape attributes)";
  auto type = RankedTensorType::get(literal.shape, b.getF32Type());
  info.value = arith::ConstantOp::create(
      b, useLoc, weightsAttr(type, literal.floats, name));
  return info.value;
}
