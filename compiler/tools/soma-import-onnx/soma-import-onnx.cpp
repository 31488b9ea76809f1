//===- soma-import-onnx.cpp - Prints an ONNX model as soma IR -------------===//
//
//   soma-import-onnx MODEL.onnx [-o OUT.mlir]
//
// Imports the model exactly as somac and soma-run do and prints the module
// before any pass runs: the soma ops, the weights (large ones as
// dense_resource blobs) and the entry point's signature. MLIR's printing
// options (--mlir-print-debuginfo shows each op's ONNX node) pass through.
//
//===----------------------------------------------------------------------===//

#include "soma/Import/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory importCategory("soma-import-onnx options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"),
                                      cl::cat(importCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(importCategory));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(importCategory);
  for (auto &option : cl::getRegisteredOptions())
    if (option.first.starts_with("mlir-"))
      option.second->setHiddenFlag(cl::NotHidden);
  cl::ParseCommandLineOptions(argc, argv,
                              "Imports an ONNX model into the soma dialect\n");

  MLIRContext context;
  soma::OnnxDiagnosticHandler diagnostics(&context);
  OwningOpRef<ModuleOp> module = soma::importOnnxModel(inputFile, &context);
  if (!module)
    return 1;
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFile, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "soma-import-onnx") << error << "\n";
    return 1;
  }
  module->print(output->os(), OpPrintingFlags());
  output->os() << "\n";
  output->keep();
  return 0;
}
