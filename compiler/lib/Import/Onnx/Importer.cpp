//===- Importer.cpp - An ONNX graph to a func.func of soma ops ------------===//
//
// Checks the model's opset, turns the graph's inputs into function
// arguments (a symbolic leading dimension is the batch, `?`), decodes the
// initializers, imports the nodes in order (ONNX stores them topologically
// sorted) and returns the graph's outputs, checked against their declared
// shapes. Every error is reported at the file and the node, input, output
// or initializer it concerns.
//
//===----------------------------------------------------------------------===//

#include "soma/Import/OnnxImporter.h"

#include "Operators.h"

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <climits>

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// The version of the default ONNX domain the model imports, or failure.
static FailureOr<int64_t> defaultOpset(const onnx::ModelProto &model,
                                       Location loc) {
  std::optional<int64_t> version;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      version = opset.version();
  if (!version)
    return emitError(loc) << "expected the model to import the default ONNX "
                             "opset, got no opset_import for it";
  if (*version < kMinOnnxOpset || *version > kMaxOnnxOpset)
    return emitError(loc) << "expected an opset version of the default ONNX "
                             "domain from "
                          << kMinOnnxOpset << " to " << kMaxOnnxOpset
                          << ", got " << *version;
  return *version;
}

/// A C identifier made from the graph's name, for the entry point.
static std::string functionName(llvm::StringRef graphName) {
  std::string name;
  for (char c : graphName)
    name += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (name.empty() || name == "main")
    return "model";
  if (llvm::isDigit(name.front()))
    name.insert(0, "model_");
  return name;
}

/// The tensor type of a graph input or output, checked: f32, a known rank,
/// static dimensions but for a leading dynamic one.
static FailureOr<RankedTensorType> tensorType(const onnx::ValueInfoProto &info,
                                              StringRef what, Location loc) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type())
    return emitError(loc) << "expected " << what
                          << " to be a tensor, got another kind of value";
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  if (tensor.elem_type() != onnx::TensorProto::FLOAT)
    return emitError(loc) << "expected " << what
                          << " to have element type FLOAT, got "
                          << onnxDataTypeName(tensor.elem_type());
  if (!tensor.has_shape())
    return emitError(loc) << "expected " << what
                          << " to have a known rank, got no shape";
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (i != 0)
      return emitError(loc)
             << "expected static dimensions after the first (the batch), "
                "got dynamic dimension "
             << i
             << (dim.has_dim_param() ? " ('" + dim.dim_param() + "')"
                                     : std::string())
             << " in " << what;
    shape.push_back(ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, Float32Type::get(loc.getContext()));
}

/// Whether a computed shape agrees with a declared one; a dynamic dimension
/// on either side agrees with anything.
static bool agrees(ArrayRef<int64_t> computed, ArrayRef<int64_t> declared) {
  if (computed.size() != declared.size())
    return false;
  for (auto [a, b] : llvm::zip(computed, declared))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return false;
  return true;
}

namespace {
/// Imports one graph into a function.
class GraphBuilder {
public:
  GraphBuilder(OpBuilder &b, StringRef path, int64_t opset)
      : graph(b, path, opset) {}

  FailureOr<func::FuncOp> build(const onnx::GraphProto &proto, ModuleOp module);

private:
  LogicalResult addInitializers(const onnx::GraphProto &proto);
  LogicalResult checkOperators(const onnx::GraphProto &proto);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  FailureOr<SmallVector<Value>> collectOutputs(const onnx::GraphProto &proto);

  /// The location of node `index`.
  Location nodeLoc(const onnx::NodeProto &node, int index) {
    std::string what = node.name().empty() ? "node #" + std::to_string(index)
                                           : "node '" + node.name() + "'";
    return graph.loc(what + " (" + node.op_type() + ")");
  }

  GraphImporter graph;
};
} // namespace

LogicalResult GraphBuilder::addInitializers(const onnx::GraphProto &proto) {
  std::string dir = llvm::sys::path::parent_path(graph.path()).str();
  for (const onnx::TensorProto &tensor : proto.initializer()) {
    ValueInfo &info = graph.define(tensor.name());
    llvm::Expected<OnnxTensor> decoded = decodeOnnxTensor(tensor, dir);
    if (decoded) {
      info.literal = literalFrom(std::move(*decoded));
      continue;
    }
    // Reported where it is used: an unused initializer may be anything.
    info.unavailable = llvm::toString(decoded.takeError());
    info.unavailableAt = graph.loc("initializer '" + tensor.name() + "'");
  }
  for (const onnx::SparseTensorProto &sparse : proto.sparse_initializer()) {
    ValueInfo &info = graph.define(sparse.values().name());
    info.unavailable = "sparse initializers are not supported";
    info.unavailableAt =
        graph.loc("initializer '" + sparse.values().name() + "'");
  }
  return success();
}

LogicalResult GraphBuilder::checkOperators(const onnx::GraphProto &proto) {
  bool supported = true;
  for (auto [index, node] : llvm::enumerate(proto.node())) {
    StringRef domain = node.domain();
    if (!domain.empty() && domain != "ai.onnx") {
      emitError(nodeLoc(node, index))
          << "operator '" << node.op_type() << "' of domain '" << domain
          << "' is not supported; only the default ONNX domain is";
      supported = false;
    } else if (!operatorTable().count(node.op_type())) {
      emitError(nodeLoc(node, index))
          << "ONNX operator '" << node.op_type() << "' is not supported";
      supported = false;
    }
  }
  return success(supported);
}

LogicalResult GraphBuilder::importNode(const onnx::NodeProto &node, int index) {
  Location loc = nodeLoc(node, index);
  NodeContext context(graph, node, loc);
  const OperatorInfo &info = operatorTable().find(node.op_type())->second;
  if (failed(info.import(context)) || context.hasFailed())
    return failure();
  // Outputs the importer left undefined (Dropout's mask, MaxPool's
  // indices, BatchNormalization's training statistics) fail where used.
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (name.empty() || graph.lookup(name))
      continue;
    ValueInfo &undefined = graph.define(name);
    undefined.unavailable = "output " + std::to_string(i) + " ('" + name +
                            "') of " + node.op_type() + " is not supported";
    undefined.unavailableAt = loc;
  }
  return success();
}

FailureOr<SmallVector<Value>>
GraphBuilder::collectOutputs(const onnx::GraphProto &proto) {
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : proto.output()) {
    Location loc = graph.loc("output '" + output.name() + "'");
    ValueInfo *info = graph.lookup(output.name());
    if (!info)
      return emitError(loc) << "no node, input or initializer defines graph "
                               "output '"
                            << output.name() << "'";
    FailureOr<Value> value = graph.materialize(*info, output.name(), loc);
    if (failed(value))
      return failure();
    if (output.has_type() && output.type().has_tensor_type()) {
      const onnx::TypeProto::Tensor &declared = output.type().tensor_type();
      if (declared.elem_type() != onnx::TensorProto::FLOAT &&
          declared.elem_type() != onnx::TensorProto::UNDEFINED)
        return emitError(loc) << "expected graph output '" << output.name()
                              << "' to have element type FLOAT, got "
                              << onnxDataTypeName(declared.elem_type());
      if (declared.has_shape()) {
        SmallVector<int64_t> shape;
        for (const auto &dim : declared.shape().dim())
          shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                              : ShapedType::kDynamic);
        if (!agrees(shapeOf(*value), shape))
          return emitError(loc)
                 << "expected graph output '" << output.name()
                 << "' to have its declared shape " << formatShape(shape)
                 << ", got " << formatShape(shapeOf(*value));
      }
    }
    results.push_back(*value);
  }
  if (results.empty())
    return emitError(graph.fileLoc()) << "expected the graph to have outputs";
  return results;
}

FailureOr<func::FuncOp> GraphBuilder::build(const onnx::GraphProto &proto,
                                            ModuleOp module) {
  OpBuilder &b = graph.builder();
  if (failed(checkOperators(proto)) || failed(addInitializers(proto)))
    return failure();

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : proto.input()) {
    // Before IR version 4 initializers are listed among the inputs too.
    if (ValueInfo *known = graph.lookup(input.name());
        known && (known->literal || !known->unavailable.empty()))
      continue;
    Location loc = graph.loc("input '" + input.name() + "'");
    FailureOr<RankedTensorType> type =
        tensorType(input, "graph input '" + input.name() + "'", loc);
    if (failed(type))
      return failure();
    argTypes.push_back(*type);
    argNames.push_back(input.name());
  }

  b.setInsertionPointToEnd(module.getBody());
  auto function =
      func::FuncOp::create(b, graph.fileLoc(), functionName(proto.name()),
                           b.getFunctionType(argTypes, {}));
  Block *body = function.addEntryBlock();
  for (auto [arg, name] : llvm::zip(function.getArguments(), argNames)) {
    ValueInfo &info = graph.define(name);
    info = ValueInfo();
    info.value = arg;
  }
  b.setInsertionPointToEnd(body);
  for (auto [index, node] : llvm::enumerate(proto.node()))
    if (failed(importNode(node, index)))
      return failure();

  FailureOr<SmallVector<Value>> results = collectOutputs(proto);
  if (failed(results))
    return failure();
  func::ReturnOp::create(b, graph.fileLoc(), *results);
  function.setType(
      b.getFunctionType(argTypes, ValueRange(*results).getTypes()));
  return function;
}

OwningOpRef<ModuleOp> soma::importOnnxModel(const onnx::ModelProto &model,
                                            StringRef path,
                                            MLIRContext *context) {
  context->loadDialect<SomaDialect, arith::ArithDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (!model.has_graph()) {
    emitError(fileLoc) << "expected an ONNX model with a graph, got none";
    return nullptr;
  }
  FailureOr<int64_t> opset = defaultOpset(model, fileLoc);
  if (failed(opset))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder b(context);
  GraphBuilder builder(b, path, *opset);
  if (failed(builder.build(model.graph(), *module)) || failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> soma::importOnnxModel(StringRef path,
                                            MLIRContext *context) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!file) {
    emitError(fileLoc) << "cannot read the model: "
                       << file.getError().message();
    return nullptr;
  }
  StringRef bytes = (*file)->getBuffer();
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "cannot parse the file as an ONNX model: it is "
                          "truncated, corrupt or not an ONNX ModelProto";
    return nullptr;
  }
  return importOnnxModel(model, path, context);
}
