//===- HeaderEmitter.h - The C header of a compiled model -------*- C++ -*-===//

#ifndef SOMA_TARGET_HEADEREMITTER_H
#define SOMA_TARGET_HEADEREMITTER_H

#include "soma/Target/ModelInterface.h"

namespace soma {

/// The self-contained C header declaring every symbol a compiled model
/// exports, each entry documented with its operands' shapes. `guardName`
/// seeds the include guard (the output file's stem).
std::string emitHeader(llvm::ArrayRef<EntryPoint> entries,
                       const SymbolNames &names, llvm::StringRef guardName);

} // namespace soma

#endif // SOMA_TARGET_HEADEREMITTER_H
