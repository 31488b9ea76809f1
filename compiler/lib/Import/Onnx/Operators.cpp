//===- Operators.cpp - The table of ONNX operators ------------------------===//
//
// Collects each family's importers into one table, and answers which
// operators the importer supports.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "soma/Import/OnnxImporter.h"

#include <algorithm>

using namespace soma;
using namespace soma::onnx_import;

const OperatorTable &soma::onnx_import::operatorTable() {
  static const OperatorTable table = [] {
    OperatorTable result;
    addActivationOperators(result);
    addArithmeticOperators(result);
    addNormalizationOperators(result);
    addLayoutOperators(result);
    addConstantOperators(result);
    addConvolutionOperators(result);
    addPoolingOperators(result);
    return result;
  }();
  return table;
}

/// Whether `domain` names ONNX's default operator set.
static bool isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

bool soma::isSupportedOnnxOperator(llvm::StringRef domain,
                                   llvm::StringRef opType) {
  if (!isDefaultDomain(domain))
    return false;
  auto it = operatorTable().find(opType);
  return it != operatorTable().end() && !it->second.foldedOnly;
}

llvm::ArrayRef<llvm::StringRef> soma::supportedOnnxOperators() {
  static const std::vector<llvm::StringRef> names = [] {
    std::vector<llvm::StringRef> result;
    for (const auto &entry : operatorTable())
      if (!entry.second.foldedOnly)
        result.push_back(entry.first());
    std::sort(result.begin(), result.end());
    return result;
  }();
  return names;
}
