//===- Diagnostics.cpp - Printing diagnostics at ONNX locations -----------===//
//
// The importer locates a diagnostic at `NameLoc("node 'n' (Conv)",
// FileLineColLoc(FILE, 0, 0))`: a file without lines. Such locations print
// as `FILE: node 'n' (Conv)`; locations with a line print as `FILE:L:C`.
//
//===----------------------------------------------------------------------===//

#include "soma/Import/OnnxImporter.h"

#include "mlir/IR/Location.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

bool soma::isOnnxFile(llvm::StringRef path) {
  return llvm::sys::path::extension(path).equals_insensitive(".onnx");
}

std::string soma::describeOnnxLocation(Location location) {
  if (auto name = dyn_cast<NameLoc>(location)) {
    std::string inner = describeOnnxLocation(name.getChildLoc());
    return inner.empty() ? name.getName().str()
                         : inner + ": " + name.getName().str();
  }
  if (auto file = dyn_cast<FileLineColLoc>(location)) {
    std::string text = file.getFilename().str();
    if (file.getLine() != 0)
      text += ":" + std::to_string(file.getLine()) + ":" +
              std::to_string(file.getColumn());
    return text;
  }
  if (auto fused = dyn_cast<FusedLoc>(location))
    for (Location part : fused.getLocations()) {
      std::string text = describeOnnxLocation(part);
      if (!text.empty())
        return text;
    }
  if (auto callSite = dyn_cast<CallSiteLoc>(location))
    return describeOnnxLocation(callSite.getCallee());
  return "";
}

static llvm::StringRef severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

static void printDiagnostic(llvm::raw_ostream &os, Location location,
                            DiagnosticSeverity severity,
                            const llvm::Twine &message) {
  std::string where = soma::describeOnnxLocation(location);
  if (!where.empty())
    os << where << ": ";
  os << severityName(severity) << ": " << message << "\n";
}

soma::OnnxDiagnosticHandler::OnnxDiagnosticHandler(MLIRContext *context,
                                                   llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(context) {
  setHandler([&os](Diagnostic &diag) {
    printDiagnostic(os, diag.getLocation(), diag.getSeverity(), diag.str());
    for (Diagnostic &note : diag.getNotes())
      printDiagnostic(os, note.getLocation(), note.getSeverity(), note.str());
    os.flush();
    return success();
  });
}
