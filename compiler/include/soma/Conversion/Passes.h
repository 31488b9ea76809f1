//===- Passes.h - Conversions out of the soma dialect -----------*- C++ -*-===//
//
// Declares the conversion passes of Passes.td and their registration.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_CONVERSION_PASSES_H
#define SOMA_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace soma {

#define GEN_PASS_DECL
#include "soma/Conversion/Passes.h.inc"

/// Registers every soma conversion pass with the global pass registry
/// (`registerSomaConversionPasses()`), for soma-opt and pipeline parsing.
#define GEN_PASS_REGISTRATION
#include "soma/Conversion/Passes.h.inc"

} // namespace soma

#endif // SOMA_CONVERSION_PASSES_H
