//===- Linker.h - Objects to libraries --------------------------*- C++ -*-===//
//
// Packs a model's object file and the Soma runtime into the artifact an
// application links: a shared library, a relocatable object or a static
// archive. Each is self-contained (the runtime is inside) and exports only
// the model's C ABI; the runtime's symbols are hidden, or local in objects
// and archives, so two models in one program never collide.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_TARGET_LINKER_H
#define SOMA_TARGET_LINKER_H

#include "llvm/Support/Error.h"

namespace soma {

/// The runtime archive (libsoma_runtime.a) beside the running tool, or the
/// one this build made.
llvm::Expected<std::string> findRuntimeLibrary();

/// Links `object` and the runtime into a shared library at `output`, whose
/// DT_SONAME is `soname` (the name the library will have).
llvm::Error linkSharedLibrary(llvm::StringRef object, llvm::StringRef output,
                              llvm::StringRef soname);

/// Merges `object` and the runtime into one relocatable object at `output`
/// whose runtime symbols are local.
llvm::Error linkRelocatableObject(llvm::StringRef object,
                                  llvm::StringRef output);

/// Writes a static archive holding the relocatable object `object` as
/// member `memberName`.
llvm::Error writeStaticArchive(llvm::StringRef object, llvm::StringRef output,
                               llvm::StringRef memberName);

} // namespace soma

#endif // SOMA_TARGET_LINKER_H
