//===- somac.cpp - The Soma model compiler --------------------------------===//
//
//   somac MODEL.mlir -o OUT [--emit=so|a|o|h|ll|s|mlir] [-O0..-O3]
//         [--target-cpu=CPU] [--prefix=P] [--no-fuse]
//
// OUT's extension picks the artifact unless --emit says. MLIR's pass-manager
// options (--mlir-print-ir-after-all, --mlir-timing, ...) pass through. A
// MODEL ending in .onnx is imported from ONNX (docs/onnx.md).
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Driver/Compiler.h"
#include "soma/Import/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory somacCategory("somac options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.mlir|model.onnx>"),
                                      cl::init("-"), cl::cat(somacCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::Required,
                                       cl::cat(somacCategory));
static cl::opt<std::string>
    emit("emit", cl::desc("Artifact: so, a, o, h, ll, s or mlir (default: "
                          "the output's extension)"),
         cl::cat(somacCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"),
                                  cl::Prefix, cl::init(3),
                                  cl::cat(somacCategory));
static cl::opt<std::string>
    targetCpu("target-cpu",
              cl::desc("Target CPU: native (default), x86-64-v3, x86-64-v4 "
                       "or any LLVM CPU name"),
              cl::init("native"), cl::cat(somacCategory));
static cl::opt<std::string>
    prefix("prefix", cl::desc("Prefix of every exported symbol (P_NAME)"),
           cl::cat(somacCategory));
static cl::opt<bool> noFuse("no-fuse",
                            cl::desc("Do not fuse layers with activations"),
                            cl::cat(somacCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "somac") << message << "\n";
  return 1;
}

static bool isCIdentifier(llvm::StringRef name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  return llvm::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Soma model compiler\n");

  std::optional<soma::Artifact> artifact = soma::artifactFromName(
      emit.empty() ? llvm::sys::path::extension(outputFile) : emit);
  if (!artifact)
    return fail(emit.empty()
                    ? "cannot tell the artifact from '" + outputFile +
                          "': use .so, .a, .o, .h, .ll, .s, .mlir or --emit"
                    : "unknown --emit=" + emit +
                          " (expected so, a, o, h, ll, s or mlir)");
  if (optLevel > 3)
    return fail("unknown optimization level -O" + llvm::Twine(optLevel));
  if (!prefix.empty() && !isCIdentifier(prefix))
    return fail("--prefix=" + prefix + " is not a C identifier");

  DialectRegistry registry;
  soma::registerCompilerDialects(registry);
  registry.insert<soma::SomaDialect>();
  MLIRContext context(registry);
  context.loadDialect<soma::SomaDialect>();
  // A diagnostic names its location; a dump of the whole module after it is
  // noise unless asked for.
  llvm::cl::Option *printOp =
      cl::getRegisteredOptions().lookup("mlir-print-op-on-diagnostic");
  if (!printOp || !printOp->getNumOccurrences())
    context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::optional<soma::OnnxDiagnosticHandler> onnxDiagnostics;
  OwningOpRef<ModuleOp> module;
  if (soma::isOnnxFile(inputFile)) {
    onnxDiagnostics.emplace(&context);
    module = soma::importOnnxModel(inputFile, &context);
  } else {
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> input =
        openInputFile(inputFile, &error);
    if (!input)
      return fail(error);
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return 1;

  soma::CompileOptions options;
  options.pipeline.optLevel = optLevel;
  options.pipeline.fuse = !noFuse;
  options.targetCpu = targetCpu;
  options.prefix = prefix;
  options.configurePassManager = [](PassManager &pm) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    applyDefaultTimingPassManagerCLOptions(pm);
    return success();
  };
  if (failed(soma::runSomaPipeline(*module, options)) ||
      failed(soma::compileToFile(*module, options, *artifact, outputFile)))
    return 1;
  return 0;
}
