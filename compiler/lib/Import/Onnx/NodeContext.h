//===- NodeContext.h - What an operator importer sees -----------*- C++ -*-===//
//
// Internal to the ONNX importer. The graph importer keeps one ValueInfo per
// ONNX value name; an operator importer sees its node through NodeContext:
// its inputs as f32 SSA values or as known data (initializers, Constants,
// folded shape computations), its attributes with ONNX's defaults, and a
// builder for soma ops whose result types come from the dialect's own shape
// rules, so that a shape mismatch is reported at the node instead of
// aborting.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_IMPORT_ONNX_NODECONTEXT_H
#define SOMA_LIB_IMPORT_ONNX_NODECONTEXT_H

#include "soma/Import/OnnxTensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace onnx {
class AttributeProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace soma::onnx_import {

/// Data of an ONNX value known at import time.
struct Literal {
  llvm::SmallVector<int64_t, 4> shape;
  bool isFloat = true;
  std::vector<float> floats;
  /// Integer data; in a folded shape computation ShapedType::kDynamic stands
  /// for the batch size, unknown until run time.
  std::vector<int64_t> ints;

  int64_t numElements() const;
  static Literal ofInts(llvm::ArrayRef<int64_t> shape,
                        std::vector<int64_t> values);
};

/// What an ONNX value name stands for.
struct ValueInfo {
  /// The f32 tensor, once materialized.
  mlir::Value value;
  /// Known data: constants and folded shape computations.
  std::optional<Literal> literal;
  /// Where the value is not usable (an unsupported element type or node
  /// output): why, and the location to report it at.
  std::string unavailable;
  std::optional<mlir::Location> unavailableAt;
};

/// The state of one graph being imported.
class GraphImporter {
public:
  GraphImporter(mlir::OpBuilder &builder, llvm::StringRef path, int64_t opset);

  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() { return b.getContext(); }
  int64_t opset() const { return opsetVersion; }
  llvm::StringRef path() const { return modelPath; }
  /// The location of the file itself.
  mlir::Location fileLoc();
  /// The location of something in the graph: `what` is "node 'n' (Conv)",
  /// "input 'x'", ...
  mlir::Location loc(llvm::StringRef what);

  ValueInfo *lookup(llvm::StringRef name);
  ValueInfo &define(llvm::StringRef name) { return values[name]; }

  /// The f32 value of `info`, materializing a constant when needed.
  mlir::FailureOr<mlir::Value>
  materialize(ValueInfo &info, llvm::StringRef name, mlir::Location useLoc);

private:
  mlir::OpBuilder &b;
  std::string modelPath;
  int64_t opsetVersion;
  llvm::StringMap<ValueInfo> values;
};

/// One node being imported.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
              mlir::Location loc);

  const onnx::NodeProto &proto() const { return node; }
  /// The directory of the model file (external tensor data lives there).
  std::string modelDir() const;
  llvm::StringRef opType() const;
  int64_t opset() const { return graph.opset(); }
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder() { return graph.builder(); }
  mlir::MLIRContext *context() { return graph.context(); }

  /// Reports an error at the node; the node then fails.
  mlir::InFlightDiagnostic emitError();
  bool hasFailed() const { return failedFlag; }

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  unsigned numInputs() const;
  /// Whether input `i` is given (optional inputs may be missing or empty).
  bool hasInput(unsigned i) const;
  /// Input `i` as an f32 tensor.
  mlir::FailureOr<mlir::Value> tensor(unsigned i);
  /// The known data of input `i`, or null.
  const Literal *literal(unsigned i);
  /// The integer data of input `i`, which must be known at import time;
  /// `what` names it in the error.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef what);
  /// Fails unless the node has between `min` and `max` inputs.
  mlir::LogicalResult expectInputs(unsigned min, unsigned max);

  //===--------------------------------------------------------------------===//
  // Attributes: ONNX's defaults when absent; a wrong type is an error.
  //===--------------------------------------------------------------------===//

  bool hasAttr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t defaultValue);
  float getFloat(llvm::StringRef name, float defaultValue);
  std::string getString(llvm::StringRef name, llvm::StringRef defaultValue);
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name);
  const onnx::TensorProto *getTensor(llvm::StringRef name);

  //===--------------------------------------------------------------------===//
  // Outputs
  //===--------------------------------------------------------------------===//

  unsigned numOutputs() const;
  void setOutput(unsigned i, mlir::Value value);
  void setOutput(unsigned i, Literal literal);
  /// Output `out` is input `in` itself (Identity, Dropout).
  mlir::LogicalResult forward(unsigned in, unsigned out);

  //===--------------------------------------------------------------------===//
  // Building soma ops
  //===--------------------------------------------------------------------===//

  /// Creates op `opName` with `operands` and `attrs`, its result type
  /// inferred by the op's shape rules; an error is reported at the node.
  mlir::FailureOr<mlir::Value>
  create(llvm::StringRef opName, mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs);
  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  create(mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return create(OpTy::getOperationName(), operands, attrs);
  }

  /// `soma.reshape` of `input` to `shape`, where a dynamic entry (at most
  /// one) is the batch; the identity when the shape already matches.
  mlir::FailureOr<mlir::Value> reshape(mlir::Value input,
                                       llvm::ArrayRef<int64_t> shape);

  /// An f32 constant of `shape` filled with `value`.
  mlir::Value splat(llvm::ArrayRef<int64_t> shape, float value);

  mlir::NamedAttribute i64Array(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> values);
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value);
  mlir::NamedAttribute f32(llvm::StringRef name, float value);
  mlir::NamedAttribute boolean(llvm::StringRef name, bool value);

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  /// Reports that attribute `name` has the wrong type.
  void wrongAttrType(llvm::StringRef name, llvm::StringRef expected);

  GraphImporter &graph;
  const onnx::NodeProto &node;
  mlir::Location location;
  bool failedFlag = false;
};

/// The literal holding a decoded TensorProto.
Literal literalFrom(OnnxTensor tensor);

/// The weights attribute of an f32 constant: `dense<...>` for small
/// tensors, a `dense_resource` blob named after `name` for large ones.
mlir::ElementsAttr weightsAttr(mlir::RankedTensorType type,
                               llvm::ArrayRef<float> values,
                               llvm::StringRef name);

/// The shape of an f32 tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);

/// Prints a shape as [2, ?, 3].
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace soma::onnx_import

#endif // SOMA_LIB_IMPORT_ONNX_NODECONTEXT_H
