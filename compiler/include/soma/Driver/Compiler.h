//===- Compiler.h - A soma model to a native artifact -----------*- C++ -*-===//
//
// The library behind somac (and soma-run --compiled): runs the pipelines,
// generates code for a target CPU and writes one artifact. Every failure is
// an error diagnostic on the module's context; an output file is written
// whole or not at all.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DRIVER_COMPILER_H
#define SOMA_DRIVER_COMPILER_H

#include "soma/Pipeline/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <optional>

namespace soma {

/// What somac writes.
enum class Artifact {
  SharedLibrary, // .so, runtime linked in
  StaticLibrary, // .a
  Object,        // .o, runtime merged in
  Header,        // .h
  LLVMIR,        // .ll
  Assembly,      // .s
  SomaIR,        // .mlir, after the soma-level passes
};

/// The artifact an --emit= name (so, a, o, h, ll, s, mlir) or a file
/// extension (.so, ...) stands for.
std::optional<Artifact> artifactFromName(llvm::StringRef name);

struct CompileOptions {
  PipelineOptions pipeline;
  /// "native" or an LLVM CPU name (x86-64-v3, x86-64-v4, znver4, ...).
  std::string targetCpu = "native";
  /// Prefix of every exported symbol (--prefix); empty: the SPEC's names.
  std::string prefix;
  /// Applies command-line pass-manager options (IR printing, timing).
  std::function<mlir::LogicalResult(mlir::PassManager &)> configurePassManager;
};

/// Registers every dialect, interface and translation compilation needs;
/// call it on the context's registry before parsing a model.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Runs the soma-level pipeline on `module` in place.
mlir::LogicalResult runSomaPipeline(mlir::ModuleOp module,
                                    const CompileOptions &options);

/// Compiles `module` (after runSomaPipeline) into `artifact` at `output`.
mlir::LogicalResult compileToFile(mlir::ModuleOp module,
                                  const CompileOptions &options,
                                  Artifact artifact, llvm::StringRef output);

} // namespace soma

#endif // SOMA_DRIVER_COMPILER_H
