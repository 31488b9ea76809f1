//===- CompiledModel.h - Compile a model and call it in-process -*- C++ -*-===//
//
// Compiles a module to a temporary shared library with the same code path as
// somac, loads it with dlopen and calls it through its soma_invoke() entry:
// exactly what an application linking the library would run. Used by
// `soma-run --compiled/--compare` and the numerical tests.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DRIVER_COMPILEDMODEL_H
#define SOMA_DRIVER_COMPILEDMODEL_H

#include "soma/Driver/Compiler.h"
#include "soma/Interpreter/HostTensor.h"
#include "soma/Target/ModelInterface.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace soma {

class CompiledModel {
public:
  /// Compiles `module` (running the soma-level pipeline on a clone) and
  /// loads the library. Errors are diagnostics on the module's context.
  static mlir::FailureOr<std::unique_ptr<CompiledModel>>
  compile(mlir::ModuleOp module, const CompileOptions &options);

  ~CompiledModel();
  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  /// The library's entry points.
  llvm::ArrayRef<EntryPoint> entries() const { return entryPoints; }

  /// Calls entry `function` on `inputs`. Shapes must match its signature,
  /// every batch dimension having one size. On failure returns the
  /// library's (or the argument check's) message.
  llvm::Expected<llvm::SmallVector<HostTensor>>
  run(llvm::StringRef function, llvm::ArrayRef<HostTensor> inputs) const;

  /// Calls entry `function` on caller-owned buffers, its inputs then its
  /// outputs, as a C application does (any alignment, shapes unchecked).
  /// On failure returns the library's message.
  llvm::Error call(llvm::StringRef function, llvm::ArrayRef<float *> buffers,
                   int64_t batch) const;

  /// Sets the worker threads of the library's pool (<= 0: the default).
  void setNumThreads(int count) const { setThreads(count); }

private:
  CompiledModel() = default;

  using InvokeFn = int32_t (*)(const char *, float *const *, int64_t);
  using LastErrorFn = const char *(*)();
  using SetThreadsFn = void (*)(int);

  llvm::SmallVector<EntryPoint> entryPoints;
  std::string libraryPath;
  void *handle = nullptr;
  InvokeFn invoke = nullptr;
  LastErrorFn lastError = nullptr;
  SetThreadsFn setThreads = nullptr;
};

} // namespace soma

#endif // SOMA_DRIVER_COMPILEDMODEL_H
