//===- NodeContext.cpp - What an operator importer sees -------------------===//
//
// Input lookup, attribute access with ONNX's defaults, and the creation of
// soma ops whose result types the dialect infers.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace soma::onnx_import;

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         Location loc)
    : graph(graph), node(node), location(loc) {}

StringRef NodeContext::opType() const { return node.op_type(); }

std::string NodeContext::modelDir() const {
  return llvm::sys::path::parent_path(graph.path()).str();
}

InFlightDiagnostic NodeContext::emitError() {
  failedFlag = true;
  return mlir::emitError(location);
}

unsigned NodeContext::numInputs() const { return node.input_size(); }

bool NodeContext::hasInput(unsigned i) const {
  return i < numInputs() && !node.input(i).empty();
}

FailureOr<Value> NodeContext::tensor(unsigned i) {
  if (!hasInput(i))
    return emitError() << "expected input " << i << ", got none";
  const std::string &name = node.input(i);
  ValueInfo *info = graph.lookup(name);
  if (!info)
    return emitError() << "input " << i << " ('" << name
                       << "') is not a graph input, an initializer or the "
                          "output of an earlier node";
  FailureOr<Value> value = graph.materialize(*info, name, location);
  if (failed(value))
    failedFlag = true;
  return value;
}

const Literal *NodeContext::literal(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  ValueInfo *info = graph.lookup(node.input(i));
  if (!info || !info->unavailable.empty() || !info->literal)
    return nullptr;
  return &*info->literal;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(unsigned i,
                                                          StringRef what) {
  if (!hasInput(i))
    return emitError() << "expected " << what << " (input " << i
                       << "), got none";
  const Literal *data = literal(i);
  if (!data) {
    if (!graph.lookup(node.input(i)))
      return emitError() << "input " << i << " ('" << node.input(i)
                         << "') is not a graph input, an initializer or the "
                            "output of an earlier node";
    return emitError() << "expected " << what << " (input " << i << ", '"
                       << node.input(i)
                       << "') to be a constant known at import time";
  }
  if (data->isFloat)
    return emitError() << "expected " << what
                       << " to be an integer tensor, got f32";
  return SmallVector<int64_t>(data->ints.begin(), data->ints.end());
}

LogicalResult NodeContext::expectInputs(unsigned min, unsigned max) {
  if (numInputs() < min || numInputs() > max) {
    auto diag = emitError() << "expected ";
    if (min == max)
      diag << min;
    else
      diag << min << " to " << max;
    diag << " inputs, got " << numInputs();
    return failure();
  }
  for (unsigned i = 0; i < min; ++i)
    if (!hasInput(i))
      return emitError() << "expected input " << i << ", got an empty name";
  return success();
}

const onnx::AttributeProto *NodeContext::findAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const {
  return findAttr(name) != nullptr;
}

void NodeContext::wrongAttrType(StringRef name, StringRef expected) {
  emitError() << "expected attribute '" << name << "' to be " << expected
              << ", got type "
              << onnx::AttributeProto_AttributeType_Name(
                     findAttr(name)->type());
}

/// Whether `attr` has type `type`; producers of old models sometimes leave
/// the type out, in which case the populated field decides.
static bool hasType(const onnx::AttributeProto &attr,
                    onnx::AttributeProto::AttributeType type, bool present) {
  return attr.type() == type ||
         (attr.type() == onnx::AttributeProto::UNDEFINED && present);
}

int64_t NodeContext::getInt(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue;
  if (!hasType(*attr, onnx::AttributeProto::INT, attr->has_i())) {
    wrongAttrType(name, "an integer");
    return defaultValue;
  }
  return attr->i();
}

float NodeContext::getFloat(StringRef name, float defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue;
  if (!hasType(*attr, onnx::AttributeProto::FLOAT, attr->has_f())) {
    wrongAttrType(name, "a float");
    return defaultValue;
  }
  return attr->f();
}

std::string NodeContext::getString(StringRef name, StringRef defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return defaultValue.str();
  if (!hasType(*attr, onnx::AttributeProto::STRING, attr->has_s())) {
    wrongAttrType(name, "a string");
    return defaultValue.str();
  }
  return attr->s();
}

std::optional<SmallVector<int64_t>> NodeContext::getInts(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return std::nullopt;
  if (!hasType(*attr, onnx::AttributeProto::INTS, attr->ints_size() > 0)) {
    wrongAttrType(name, "a list of integers");
    return std::nullopt;
  }
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

const onnx::TensorProto *NodeContext::getTensor(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return nullptr;
  if (!hasType(*attr, onnx::AttributeProto::TENSOR, attr->has_t())) {
    wrongAttrType(name, "a tensor");
    return nullptr;
  }
  return &attr->t();
}

unsigned NodeContext::numOutputs() const { return node.output_size(); }

void NodeContext::setOutput(unsigned i, Value value) {
  if (i >= numOutputs() || node.output(i).empty())
    return;
  ValueInfo &info = graph.define(node.output(i));
  info = ValueInfo();
  info.value = value;
}

void NodeContext::setOutput(unsigned i, Literal literal) {
  if (i >= numOutputs() || node.output(i).empty())
    return;
  ValueInfo &info = graph.define(node.output(i));
  info = ValueInfo();
  info.literal = std::move(literal);
}

LogicalResult NodeContext::forward(unsigned in, unsigned out) {
  if (!hasInput(in))
    return emitError() << "expected input " << in << ", got none";
  ValueInfo *info = graph.lookup(node.input(in));
  if (!info)
    return emitError() << "input " << in << " ('" << node.input(in)
                       << "') is not a graph input, an initializer or the "
                          "output of an earlier node";
  if (out < numOutputs() && !node.output(out).empty()) {
    ValueInfo copy = *info;
    graph.define(node.output(out)) = std::move(copy);
  }
  return success();
}

FailureOr<Value> NodeContext::create(StringRef opName, ValueRange operands,
                                     ArrayRef<NamedAttribute> attrs) {
  // Built with a placeholder result type, then typed by the op's own shape
  // rules: the generated builders would abort on a shape they reject.
  OperationState state(location, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(operands.front().getType());
  Operation *op = builder().create(state);
  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  SmallVector<Type, 1> types;
  if (!inferable ||
      failed(inferable.inferReturnTypes(
          context(), location, op->getOperands(), op->getRawDictionaryAttrs(),
          op->getPropertiesStorage(), op->getRegions(), types))) {
    op->erase();
    failedFlag = true;
    return failure();
  }
  op->getResult(0).setType(types.front());
  return op->getResult(0);
}

FailureOr<Value> NodeContext::reshape(Value input, ArrayRef<int64_t> shape) {
  if (shapeOf(input) == shape)
    return input;
  SmallVector<int64_t> target(shape);
  for (int64_t &dim : target)
    if (ShapedType::isDynamic(dim))
      dim = -1;
  if (llvm::count(target, -1) > 1)
    return emitError() << "cannot express the shape " << formatShape(shape)
                       << ": only the batch dimension may be dynamic";
  return create("soma.reshape", input, {i64Array("shape", target)});
}

Value NodeContext::splat(ArrayRef<int64_t> shape, float value) {
  auto type = RankedTensorType::get(shape, builder().getF32Type());
  return arith::ConstantOp::create(builder(), location,
                                   DenseElementsAttr::get(type, value));
}

NamedAttribute NodeContext::i64Array(StringRef name, ArrayRef<int64_t> values) {
  return builder().getNamedAttr(name, builder().getDenseI64ArrayAttr(values));
}

NamedAttribute NodeContext::i64(StringRef name, int64_t value) {
  return builder().getNamedAttr(name, builder().getI64IntegerAttr(value));
}

NamedAttribute NodeContext::f32(StringRef name, float value) {
  return builder().getNamedAttr(name, builder().getF32FloatAttr(value));
}

NamedAttribute NodeContext::boolean(StringRef name, bool value) {
  return builder().getNamedAttr(name, builder().getBoolAttr(value));
}
