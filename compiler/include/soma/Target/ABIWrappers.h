//===- ABIWrappers.h - The C entry points of a compiled model ---*- C++ -*-===//

#ifndef SOMA_TARGET_ABIWRAPPERS_H
#define SOMA_TARGET_ABIWRAPPERS_H

#include "soma/Target/ModelInterface.h"

namespace llvm {
class Module;
} // namespace llvm

namespace soma {

/// The name the lowered body of model function `name` has in LLVM IR; the
/// C entry point of the same function wraps it.
std::string implementationName(llvm::StringRef name);

/// Adds to `module` (the lowered model, whose function NAME has been renamed
/// to implementationName(NAME) and takes expanded memref descriptors, inputs
/// then outputs) the exported C ABI of SPEC section 5: one checked entry per
/// function, model_info, invoke, last_error and set_num_threads. Every other
/// definition of the module becomes internal.
void addABIWrappers(llvm::Module &module, llvm::ArrayRef<EntryPoint> entries,
                    const SymbolNames &names);

} // namespace soma

#endif // SOMA_TARGET_ABIWRAPPERS_H
