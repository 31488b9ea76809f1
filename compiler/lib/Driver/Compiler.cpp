//===- Compiler.cpp - A soma model to a native artifact -------------------===//

#include "soma/Driver/Compiler.h"

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "soma/Target/ABIWrappers.h"
#include "soma/Target/HeaderEmitter.h"
#include "soma/Target/Linker.h"
#include "soma/Target/ModelInterface.h"
#include "soma/Target/ObjectEmitter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace soma;

std::optional<Artifact> soma::artifactFromName(StringRef name) {
  name.consume_front(".");
  return llvm::StringSwitch<std::optional<Artifact>>(name)
      .Case("so", Artifact::SharedLibrary)
      .Case("a", Artifact::StaticLibrary)
      .Case("o", Artifact::Object)
      .Case("h", Artifact::Header)
      .Case("ll", Artifact::LLVMIR)
      .Case("s", Artifact::Assembly)
      .Case("mlir", Artifact::SomaIR)
      .Default(std::nullopt);
}

void soma::registerCompilerDialects(DialectRegistry &registry) {
  // Lowering passes create ops of many upstream dialects, and bufferization
  // and LLVM conversion find their interfaces through these registrations.
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

static LogicalResult runPipeline(
    ModuleOp module, const CompileOptions &options,
    LogicalResult (*build)(OpPassManager &, const PipelineOptions &)) {
  PassManager pm(module.getContext());
  if (failed(build(pm, options.pipeline)))
    return module.emitError() << "internal error: a pipeline does not parse";
  if (options.configurePassManager &&
      failed(options.configurePassManager(pm)))
    return failure();
  return pm.run(module);
}

LogicalResult soma::runSomaPipeline(ModuleOp module,
                                    const CompileOptions &options) {
  return runPipeline(module, options, buildSomaPipeline);
}

namespace {
/// A file in the output's directory that becomes the output on commit and
/// disappears otherwise, so a failed compilation leaves nothing behind.
class PendingFile {
public:
  static FailureOr<PendingFile> create(ModuleOp module, StringRef output) {
    llvm::SmallString<256> model(output);
    model += ".tmp-%%%%%%";
    llvm::SmallString<256> path;
    int fd;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, path))
      return module.emitError()
             << "cannot write '" << output << "': " << ec.message();
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    return PendingFile(path.str().str(), output.str());
  }
  PendingFile(PendingFile &&other)
      : path(std::move(other.path)), output(std::move(other.output)) {
    other.path.clear();
  }
  ~PendingFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  StringRef getPath() const { return path; }

  LogicalResult commit(ModuleOp module) {
    if (std::error_code ec = llvm::sys::fs::rename(path, output))
      return module.emitError()
             << "cannot write '" << output << "': " << ec.message();
    path.clear();
    return success();
  }

private:
  PendingFile(std::string path, std::string output)
      : path(std::move(path)), output(std::move(output)) {}
  std::string path, output;
};
} // namespace

/// Writes `bytes` to `output` atomically.
static LogicalResult writeFile(ModuleOp module, StringRef output,
                               StringRef bytes) {
  FailureOr<PendingFile> file = PendingFile::create(module, output);
  if (failed(file))
    return failure();
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(file->getPath(), ec);
    if (!ec) {
      os << bytes;
      os.close();
      ec = os.error();
    }
  }
  if (ec)
    return module.emitError()
           << "cannot write '" << output << "': " << ec.message();
  return file->commit(module);
}

/// Gives every result of every function its own tensor: a value returned
/// twice (`return %y, %y`) becomes a copy the second time. Each result is a
/// separate caller buffer, and buffer-results-to-out-params expects distinct
/// values.
static void separateDuplicateResults(ModuleOp module) {
  module.getContext()->getOrLoadDialect<bufferization::BufferizationDialect>();
  module.walk([](func::ReturnOp ret) {
    llvm::SmallPtrSet<Value, 4> seen;
    OpBuilder b(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value value = operand.get();
      if (seen.insert(value).second)
        continue;
      // A new buffer initialized from the value; unlike a copy into
      // tensor.empty, empty-tensor elimination cannot fold it back.
      auto copy = bufferization::AllocTensorOp::create(
          b, ret.getLoc(), cast<RankedTensorType>(value.getType()),
          ValueRange(), value);
      operand.set(copy);
    }
  });
}

/// Lowers a clone of `module` to LLVM IR with the C ABI wrappers added.
static std::unique_ptr<llvm::Module>
lowerToLLVMIR(ModuleOp module, ArrayRef<EntryPoint> entries,
              const CompileOptions &options, llvm::LLVMContext &context) {
  OwningOpRef<ModuleOp> lowered = module.clone();
  SymbolTable symbols(*lowered);
  for (const EntryPoint &entry : entries) {
    auto function = symbols.lookup<func::FuncOp>(entry.name);
    StringAttr newName =
        StringAttr::get(module.getContext(), implementationName(entry.name));
    if (failed(symbols.replaceAllSymbolUses(function, newName, *lowered)))
      return nullptr;
    symbols.setSymbolName(function, newName);
  }
  separateDuplicateResults(*lowered);
  if (failed(runPipeline(*lowered, options, buildLoweringPipeline)))
    return nullptr;

  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*lowered, context, "soma_model");
  if (!llvmModule) {
    module.emitError() << "internal error: cannot translate to LLVM IR";
    return nullptr;
  }
  addABIWrappers(*llvmModule, entries, SymbolNames{options.prefix});
  return llvmModule;
}

/// Emits an object file, then packs it as `artifact` into `output`.
static LogicalResult writeBinary(ModuleOp module, llvm::Module &llvmModule,
                                 llvm::TargetMachine &machine,
                                 Artifact artifact, StringRef output) {
  auto fail = [&](llvm::Error error) {
    return module.emitError() << llvm::toString(std::move(error));
  };
  llvm::Expected<llvm::SmallString<0>> object =
      emitMachineCode(llvmModule, machine, llvm::CodeGenFileType::ObjectFile);
  if (!object)
    return fail(object.takeError());
  FailureOr<PendingFile> objectFile = PendingFile::create(module, output);
  if (failed(objectFile))
    return failure();
  FailureOr<PendingFile> linked = PendingFile::create(module, output);
  if (failed(linked) ||
      failed(writeFile(module, objectFile->getPath(), *object)))
    return failure();
  if (llvm::Error error =
          artifact == Artifact::SharedLibrary
              ? linkSharedLibrary(objectFile->getPath(), linked->getPath(),
                                  llvm::sys::path::filename(output))
              : linkRelocatableObject(objectFile->getPath(),
                                      linked->getPath()))
    return fail(std::move(error));
  if (artifact != Artifact::StaticLibrary)
    return linked->commit(module);

  FailureOr<PendingFile> archive = PendingFile::create(module, output);
  if (failed(archive))
    return failure();
  std::string member = (llvm::sys::path::stem(output) + ".o").str();
  if (llvm::Error error = writeStaticArchive(linked->getPath(),
                                             archive->getPath(), member))
    return fail(std::move(error));
  return archive->commit(module);
}

/// Checks that `module` holds only what the lowering knows: soma ops,
/// arith.constant weights and functions returning their results.
static LogicalResult checkSupportedOps(ModuleOp module) {
  WalkResult result = module.walk([](Operation *op) {
    if (isa<ModuleOp, func::FuncOp, func::ReturnOp, arith::ConstantOp>(op) ||
        isa<SomaDialect>(op->getDialect()))
      return WalkResult::advance();
    op->emitError() << "'" << op->getName()
                    << "' is not supported by somac: a model is made of soma "
                       "ops, arith.constant weights and func.return";
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

LogicalResult soma::compileToFile(ModuleOp module,
                                  const CompileOptions &options,
                                  Artifact artifact, StringRef output) {
  if (artifact == Artifact::SomaIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    return writeFile(module, output, text);
  }
  FailureOr<SmallVector<EntryPoint>> entries = collectEntryPoints(module);
  if (failed(entries) || failed(checkSupportedOps(module)))
    return failure();
  if (artifact == Artifact::Header)
    return writeFile(
        module, output,
        emitHeader(*entries, SymbolNames{options.prefix},
                   llvm::sys::path::stem(output)));

  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(options.targetCpu, options.pipeline.optLevel);
  if (!machine)
    return module.emitError() << llvm::toString(machine.takeError());
  // The linear kernel's register blocking follows the target's vectors, and
  // the forms that need AVX-512 (tanh's permutes, vrangeps clamps) its
  // presence: F and DQ, which every AVX-512 CPU since Skylake-SP has.
  CompileOptions targetOptions = options;
  targetOptions.pipeline.vectorLanes =
      (*machine)->getMCSubtargetInfo()->checkFeatures("+avx512f,+avx512dq")
          ? 16
          : 8;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      lowerToLLVMIR(module, *entries, targetOptions, context);
  if (!llvmModule)
    return failure();
  optimizeModule(*llvmModule, **machine, options.pipeline.optLevel);

  if (artifact == Artifact::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return writeFile(module, output, text);
  }
  if (artifact == Artifact::Assembly) {
    llvm::Expected<llvm::SmallString<0>> assembly = emitMachineCode(
        *llvmModule, **machine, llvm::CodeGenFileType::AssemblyFile);
    if (!assembly)
      return module.emitError() << llvm::toString(assembly.takeError());
    return writeFile(module, output, *assembly);
  }
  return writeBinary(module, *llvmModule, **machine, artifact, output);
}
