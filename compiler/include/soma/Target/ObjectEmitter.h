//===- ObjectEmitter.h - LLVM IR to machine code ----------------*- C++ -*-===//

#ifndef SOMA_TARGET_OBJECTEMITTER_H
#define SOMA_TARGET_OBJECTEMITTER_H

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace llvm {
class Module;
} // namespace llvm

namespace soma {

/// A TargetMachine for the host triple and `cpu` ("native": this machine's
/// CPU and features; otherwise any CPU name LLVM knows, such as
/// "x86-64-v3"), built for position-independent code at `optLevel` (0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel);

/// Runs LLVM's standard pipeline at `optLevel` on `module`, after giving it
/// the target's triple and data layout (without them nothing vectorizes)
/// and every function the reciprocal estimates Soma's activations expect
/// (a vector division marked arcp and ninf is the bare estimate).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Emits `module` as an object file or assembly text.
llvm::Expected<llvm::SmallString<0>>
emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                llvm::CodeGenFileType fileType);

} // namespace soma

#endif // SOMA_TARGET_OBJECTEMITTER_H
