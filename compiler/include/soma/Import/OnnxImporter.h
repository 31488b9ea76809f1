//===- OnnxImporter.h - ONNX models to the soma dialect ---------*- C++ -*-===//
//
// Reads an ONNX model (ONNX's own protobuf classes from libonnx) and builds
// one func.func of soma ops: the graph's inputs, initializers excluded, are
// its arguments; initializers become arith.constant weights; the graph's
// outputs are its results. A symbolic leading dimension becomes the dynamic
// batch. docs/onnx.md lists the operators and their semantics.
//
// Errors are diagnostics on the context, located at the file and node they
// concern; OnnxDiagnosticHandler prints such locations readably.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_IMPORT_ONNXIMPORTER_H
#define SOMA_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace onnx {
class ModelProto;
} // namespace onnx

namespace soma {

/// The default-domain opset versions the importer accepts.
constexpr int64_t kMinOnnxOpset = 1;
constexpr int64_t kMaxOnnxOpset = 17;

/// True when `path` names an ONNX model (by its `.onnx` extension).
bool isOnnxFile(llvm::StringRef path);

/// Reads and imports the model at `path`. Loads the dialects it needs into
/// `context`. Returns null after reporting an error.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(llvm::StringRef path,
                                                  mlir::MLIRContext *context);

/// Imports `model`, read from `path`: locations name that file, and external
/// tensor data is found next to it.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(const onnx::ModelProto &model,
                                                  llvm::StringRef path,
                                                  mlir::MLIRContext *context);

/// True when the importer handles default-domain nodes of `opType` on f32
/// tensors. Operators only folded at import time on constant shape values
/// (Shape, Gather, Concat, Cast) are not counted.
bool isSupportedOnnxOperator(llvm::StringRef domain, llvm::StringRef opType);

/// The operators of isSupportedOnnxOperator, sorted.
llvm::ArrayRef<llvm::StringRef> supportedOnnxOperators();

/// Prints diagnostics as `FILE: node 'NAME' (OP): error: MESSAGE`, which is
/// how the importer's locations read; other locations print as MLIR prints
/// them. Notes follow their diagnostic.
class OnnxDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  explicit OnnxDiagnosticHandler(mlir::MLIRContext *context,
                                 llvm::raw_ostream &os = llvm::errs());
};

/// The text OnnxDiagnosticHandler prints for `location`.
std::string describeOnnxLocation(mlir::Location location);

} // namespace soma

#endif // SOMA_IMPORT_ONNXIMPORTER_H
