//===- soma-run.cpp - Runs a soma model on .npy tensors -------------------===//
//
// The command-line face of the reference interpreter: parses a model, picks
// one of its functions, feeds it the .npy files given with --input (one per
// argument, in order) and writes each result to the matching --output file,
// or prints the results when there is none. With --compiled it runs the
// model compiled by somac's code path instead; with --compare it runs both
// and prints how far apart their results are. A model ending in .onnx is
// imported from ONNX. Every mistake on the command line or in an input file
// is reported before the model runs, as one line on stderr, and makes the
// tool exit with status 1.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/ShapeInference.h"
#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Driver/CompiledModel.h"
#include "soma/Import/OnnxImporter.h"
#include "soma/Interpreter/Interpreter.h"
#include "soma/Support/FloatDistance.h"
#include "soma/Support/Npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include <cmath>

using namespace mlir;
using namespace soma;

static llvm::cl::OptionCategory runCategory("soma-run options");

static llvm::cl::opt<std::string>
    modelPath(llvm::cl::Positional, llvm::cl::Required,
              llvm::cl::desc("<model.mlir|model.onnx>"),
              llvm::cl::cat(runCategory));

static llvm::cl::list<std::string>
    inputPaths("input", llvm::cl::value_desc("file.npy"),
               llvm::cl::desc("A .npy input, one per function argument, in "
                              "argument order"),
               llvm::cl::cat(runCategory));

static llvm::cl::list<std::string>
    outputPaths("output", llvm::cl::value_desc("file.npy"),
                llvm::cl::desc("Where to write a result, one per function "
                               "result, in result order (default: print the "
                               "results to stdout)"),
                llvm::cl::cat(runCategory));

static llvm::cl::opt<std::string> functionName(
    "function", llvm::cl::value_desc("name"),
    llvm::cl::desc("The function to run (default: the first public one)"),
    llvm::cl::cat(runCategory));

static llvm::cl::opt<bool>
    runCompiled("compiled",
                llvm::cl::desc("Run the compiled model instead of the "
                               "reference interpreter"),
                llvm::cl::cat(runCategory));

static llvm::cl::opt<bool>
    compare("compare",
            llvm::cl::desc("Run both and print the largest absolute and ULP "
                           "difference of each result"),
            llvm::cl::cat(runCategory));

static llvm::cl::opt<double> maxUlp(
    "max-ulp", llvm::cl::value_desc("n"),
    llvm::cl::desc("With --compare: fail when a result differs by more than "
                   "n ULPs"),
    llvm::cl::init(-1), llvm::cl::cat(runCategory));

static llvm::cl::opt<unsigned>
    optLevel("O", llvm::cl::desc("Optimization level 0-3 of --compiled"),
             llvm::cl::Prefix, llvm::cl::init(3), llvm::cl::cat(runCategory));

static llvm::cl::opt<std::string>
    targetCpu("target-cpu",
              llvm::cl::desc("Target CPU of --compiled (default native)"),
              llvm::cl::init("native"), llvm::cl::cat(runCategory));

/// Starts an error message on stderr, after the tool's name.
static llvm::raw_ostream &error() {
  return llvm::WithColor::error(llvm::errs(), "soma-run");
}

/// Reads and parses the model; parse errors go through the diagnostic
/// handler installed on `sourceMgr`'s context as file:line:col messages.
static OwningOpRef<ModuleOp> loadModel(MLIRContext &context,
                                       llvm::SourceMgr &sourceMgr) {
  if (isOnnxFile(modelPath))
    return importOnnxModel(modelPath, &context);
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(modelPath, &message);
  if (!file) {
    error() << message << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}

/// The function named by --function, else the first public function with a
/// body.
static func::FuncOp selectFunction(ModuleOp module) {
  SmallVector<func::FuncOp> candidates;
  for (auto function : module.getOps<func::FuncOp>())
    if (!function.isExternal() &&
        (!functionName.empty() || function.isPublic()))
      candidates.push_back(function);
  StringRef wanted = StringRef(functionName).ltrim('@');
  for (func::FuncOp function : candidates)
    if (wanted.empty() || function.getSymName() == wanted)
      return function;

  auto &os = error() << modelPath << ": ";
  if (module.lookupSymbol<func::FuncOp>(wanted)) {
    os << "@" << wanted << " is a declaration without a body\n";
    return nullptr;
  }
  if (candidates.empty()) {
    os << "no " << (wanted.empty() ? "public " : "")
       << "func.func with a body to run\n";
    return nullptr;
  }
  os << "no function named '" << wanted << "'; available: ";
  llvm::interleaveComma(candidates, os, [&](func::FuncOp function) {
    os << '@' << function.getSymName();
  });
  os << "\n";
  return nullptr;
}

/// Checks the command line against the signature of `function`.
static LogicalResult checkArity(func::FuncOp function) {
  unsigned numArgs = function.getNumArguments();
  unsigned numResults = function.getNumResults();
  if (inputPaths.size() != numArgs) {
    error() << "@" << function.getSymName() << " takes " << numArgs << " input"
            << (numArgs == 1 ? "" : "s") << ", got " << inputPaths.size()
            << " --input file" << (inputPaths.size() == 1 ? "" : "s") << "\n";
    return failure();
  }
  if (!outputPaths.empty() && outputPaths.size() != numResults) {
    error() << "@" << function.getSymName() << " returns " << numResults
            << " result" << (numResults == 1 ? "" : "s") << ", got "
            << outputPaths.size() << " --output file"
            << (outputPaths.size() == 1 ? "" : "s")
            << " (give one per result, or none to print them)\n";
    return failure();
  }
  return success();
}

/// Whether `shape` fits `type`: the same rank and every static dimension.
static bool fitsType(ArrayRef<int64_t> shape, Type type) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  // Other types are reported by the interpreter, which rejects them.
  if (!tensorType)
    return true;
  ArrayRef<int64_t> expected = tensorType.getShape();
  if (expected.size() != shape.size())
    return false;
  for (auto [want, have] : llvm::zip(expected, shape))
    if (!ShapedType::isDynamic(want) && want != have)
      return false;
  return true;
}

/// Reads every --input file and checks it against its argument's type.
static FailureOr<SmallVector<HostTensor>> readInputs(func::FuncOp function) {
  SmallVector<HostTensor> inputs;
  for (auto [index, path] : llvm::enumerate(inputPaths)) {
    llvm::Expected<HostTensor> tensor = npy::readFile(path);
    if (!tensor) {
      error() << llvm::toString(tensor.takeError()) << "\n";
      return failure();
    }
    Type type = function.getArgumentTypes()[index];
    if (!fitsType(tensor->shape, type)) {
      error() << "input " << index << " (" << path << "): expected shape "
              << shape::formatShape(cast<RankedTensorType>(type).getShape())
              << ", got " << shape::formatShape(tensor->shape) << "\n";
      return failure();
    }
    inputs.push_back(std::move(*tensor));
  }
  return inputs;
}

/// Prints `tensor` as its shape, then one line per row of its innermost
/// dimension.
static void printResult(size_t index, const HostTensor &tensor) {
  llvm::raw_ostream &os = llvm::outs();
  os << "result " << index << ": shape " << shape::formatShape(tensor.shape)
     << "\n";
  int64_t rowLength = tensor.shape.empty() ? 1 : tensor.shape.back();
  for (int64_t i = 0; i < tensor.numElements(); ++i) {
    float value = tensor.data[i];
    // glibc prints a NaN with its sign bit set as "-nan"; NumPy does not.
    if (std::isnan(value))
      os << "nan";
    else
      os << llvm::format("%.9g", static_cast<double>(value));
    os << ((i + 1) % rowLength == 0 ? "\n" : " ");
  }
}

/// Writes each result to its --output file, or prints them all.
static LogicalResult emitResults(ArrayRef<HostTensor> results) {
  for (auto [index, result] : llvm::enumerate(results)) {
    if (outputPaths.empty()) {
      printResult(index, result);
      continue;
    }
    if (llvm::Error writeError = npy::writeFile(outputPaths[index], result)) {
      error() << llvm::toString(std::move(writeError)) << "\n";
      return failure();
    }
  }
  llvm::raw_fd_ostream &os = llvm::outs();
  os.flush();
  if (std::error_code ec = os.error()) {
    // Cleared, or the stream would abort the process when destroyed.
    os.clear_error();
    error() << "cannot write to stdout: " << ec.message() << "\n";
    return failure();
  }
  return success();
}

/// Compiles the model and runs `function` on `inputs`.
static FailureOr<SmallVector<HostTensor>>
runCompiledModel(ModuleOp module, func::FuncOp function,
                 ArrayRef<HostTensor> inputs) {
  CompileOptions options;
  options.pipeline.optLevel = optLevel;
  options.targetCpu = targetCpu;
  FailureOr<std::unique_ptr<CompiledModel>> model =
      CompiledModel::compile(module, options);
  if (failed(model))
    return failure();
  llvm::Expected<SmallVector<HostTensor>> results =
      (*model)->run(function.getSymName(), inputs);
  if (!results) {
    error() << llvm::toString(results.takeError()) << "\n";
    return failure();
  }
  return std::move(*results);
}

/// Prints how far the compiled results are from the interpreter's; fails
/// when one is further than --max-ulp.
static LogicalResult reportDistance(ArrayRef<HostTensor> reference,
                                    ArrayRef<HostTensor> compiled) {
  bool withinBound = true;
  for (auto [index, expected, actual] : llvm::enumerate(reference, compiled)) {
    FloatDistance distance = measureDistance(expected.data, actual.data);
    llvm::outs() << "result " << index << ": max abs diff "
                 << llvm::format("%.9g", distance.maxAbsolute)
                 << ", max ulp diff " << llvm::format("%g", distance.maxUlp)
                 << "\n";
    if (maxUlp >= 0 && distance.maxUlp > maxUlp) {
      error() << "result " << index << " differs by " << distance.maxUlp
              << " ULP, more than --max-ulp=" << maxUlp << "\n";
      withinBound = false;
    }
  }
  return success(withinBound);
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  // libLLVM registers every backend's flags; --help shows only ours and
  // MLIR's.
  llvm::cl::HideUnrelatedOptions(runCategory);
  for (auto &option : llvm::cl::getRegisteredOptions())
    if (option.first.starts_with("mlir-"))
      option.second->setHiddenFlag(llvm::cl::NotHidden);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "Runs a soma model in the reference interpreter\n");

  DialectRegistry registry;
  registry.insert<SomaDialect, arith::ArithDialect, func::FuncDialect>();
  if (runCompiled || compare)
    registerCompilerDialects(registry);
  MLIRContext context(registry);
  // The interpreter reports call errors on the function; a dump of its
  // whole body after each one is noise unless asked for.
  llvm::cl::Option *printOpOption =
      llvm::cl::getRegisteredOptions().lookup("mlir-print-op-on-diagnostic");
  if (!printOpOption || !printOpOption->getNumOccurrences())
    context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnosticHandler(sourceMgr, &context);
  std::optional<OnnxDiagnosticHandler> onnxDiagnostics;
  if (isOnnxFile(modelPath))
    onnxDiagnostics.emplace(&context);

  OwningOpRef<ModuleOp> module = loadModel(context, sourceMgr);
  if (!module)
    return 1;
  func::FuncOp function = selectFunction(*module);
  if (!function || failed(checkArity(function)))
    return 1;
  FailureOr<SmallVector<HostTensor>> inputs = readInputs(function);
  if (failed(inputs))
    return 1;

  if (compare) {
    FailureOr<SmallVector<HostTensor>> reference = interpret(function, *inputs);
    if (failed(reference))
      return 1;
    FailureOr<SmallVector<HostTensor>> compiled =
        runCompiledModel(*module, function, *inputs);
    if (failed(compiled))
      return 1;
    return succeeded(reportDistance(*reference, *compiled)) ? 0 : 1;
  }
  FailureOr<SmallVector<HostTensor>> results =
      runCompiled ? runCompiledModel(*module, function, *inputs)
                  : interpret(function, *inputs);
  if (failed(results) || failed(emitResults(*results)))
    return 1;
  return 0;
}
