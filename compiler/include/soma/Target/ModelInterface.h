//===- ModelInterface.h - What a compiled model exports ---------*- C++ -*-===//
//
// The public functions of a model and the C symbols a compiled library
// exports for them (SPEC section 5). Collected from the soma-level module
// before lowering, it drives the ABI wrappers, the C header and the
// soma_model_info() JSON, so the three always agree.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_TARGET_MODELINTERFACE_H
#define SOMA_TARGET_MODELINTERFACE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace soma {

/// One tensor operand of an entry point; -1 in `shape` is the batch.
struct TensorSignature {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;

  bool hasBatch() const { return !shape.empty() && shape.front() == -1; }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

/// A public func.func of the model, seen from C.
struct EntryPoint {
  /// The function's name in the model; the C symbol adds the prefix.
  std::string name;
  llvm::SmallVector<TensorSignature> inputs;
  llvm::SmallVector<TensorSignature> outputs;
  /// When the function computes batch rows independently, the rows one
  /// thread-pool task takes; 0 when the batch cannot be split.
  int64_t rowsPerTask = 0;
  /// A batch of fewer rows runs as one task, whose linear layers split
  /// their columns between the threads instead; 0 when none can.
  int64_t columnSplitBelowRows = 0;

  /// True when the C entry takes the trailing `batch` argument.
  bool hasBatch() const;
};

/// The C symbol names of one library: `prefix_NAME` and friends with
/// `--prefix`, the SPEC's plain names without.
struct SymbolNames {
  std::string prefix;

  std::string entry(llvm::StringRef function) const;
  std::string modelInfo() const { return withPrefix("model_info"); }
  std::string invoke() const { return withPrefix("invoke"); }
  std::string lastError() const { return withPrefix("last_error"); }
  std::string setNumThreads() const { return withPrefix("set_num_threads"); }

private:
  std::string withPrefix(llvm::StringRef name) const;
};

/// Collects the public functions of `module`. Reports an error diagnostic
/// (and fails) for a function the C ABI cannot express: an operand that is
/// not a ranked f32 tensor, a dynamic dimension other than the leading one,
/// or no public function at all.
mlir::FailureOr<llvm::SmallVector<EntryPoint>>
collectEntryPoints(mlir::ModuleOp module);

/// The JSON document soma_model_info() returns.
std::string modelInfoJson(llvm::ArrayRef<EntryPoint> entries);

} // namespace soma

#endif // SOMA_TARGET_MODELINTERFACE_H
