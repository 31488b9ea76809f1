//===- Linker.cpp - Objects to libraries ----------------------------------===//
//
// Links with LLVM's own tools: clang as the linker driver (it knows the
// system's library paths) with lld, and llvm-objcopy to localize the hidden
// runtime symbols of a relocatable object. Their paths are fixed when Soma
// is configured.
//
//===----------------------------------------------------------------------===//

#include "soma/Target/Linker.h"

#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace soma;

/// Runs `program` with `arguments`; the error carries its diagnostics.
static llvm::Error run(llvm::StringRef program,
                       llvm::ArrayRef<llvm::StringRef> arguments) {
  llvm::SmallVector<llvm::StringRef> argv{program};
  argv.append(arguments.begin(), arguments.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0)
    return llvm::createStringError(
        program + " failed" + (message.empty() ? "" : ": " + message) +
        " (exit status " + std::to_string(status) + ")");
  return llvm::Error::success();
}

llvm::Expected<std::string> soma::findRuntimeLibrary() {
  // A tool in <root>/bin finds <root>/lib/libsoma_runtime.a.
  std::string tool = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&findRuntimeLibrary));
  llvm::SmallString<256> path(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(tool)));
  llvm::sys::path::append(path, "lib", "libsoma_runtime.a");
  if (llvm::sys::fs::exists(path))
    return std::string(path);
  if (llvm::sys::fs::exists(SOMA_RUNTIME_LIBRARY))
    return std::string(SOMA_RUNTIME_LIBRARY);
  return llvm::createStringError("cannot find the Soma runtime (looked for " +
                                 std::string(path) + " and " +
                                 SOMA_RUNTIME_LIBRARY ")");
}

llvm::Error soma::linkSharedLibrary(llvm::StringRef object,
                                    llvm::StringRef output,
                                    llvm::StringRef soname) {
  llvm::Expected<std::string> runtime = findRuntimeLibrary();
  if (!runtime)
    return runtime.takeError();
  std::string sonameFlag = ("-Wl,-soname," + soname).str();
  return run(SOMA_CLANG_DRIVER,
             {"-shared", "-fuse-ld=lld", sonameFlag, "-o", output, object,
              *runtime,
              "-lmvec", "-lm", "-lpthread", "-Wl,--no-undefined", "-Wl,-z,relro",
              "-Wl,-z,now", "-Wl,--exclude-libs,ALL"});
}

llvm::Error soma::linkRelocatableObject(llvm::StringRef object,
                                        llvm::StringRef output) {
  llvm::Expected<std::string> runtime = findRuntimeLibrary();
  if (!runtime)
    return runtime.takeError();
  if (llvm::Error error =
          run(SOMA_LLD, {"-r", "-o", output, object, "--whole-archive",
                         *runtime, "--no-whole-archive"}))
    return error;
  return run(SOMA_OBJCOPY, {"--localize-hidden", output});
}

llvm::Error soma::writeStaticArchive(llvm::StringRef object,
                                     llvm::StringRef output,
                                     llvm::StringRef memberName) {
  llvm::Expected<llvm::NewArchiveMember> member =
      llvm::NewArchiveMember::getFile(object, /*Deterministic=*/true);
  if (!member)
    return member.takeError();
  member->MemberName = memberName;
  llvm::NewArchiveMember members[] = {std::move(*member)};
  return llvm::writeArchive(output, members,
                            llvm::SymtabWritingMode::NormalSymtab,
                            llvm::object::Archive::K_GNU,
                            /*Deterministic=*/true, /*Thin=*/false);
}
