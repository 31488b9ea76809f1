//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The .npy format (NumPy's `np.save`) is how tensors enter and leave the
// soma tools: a magic string, a version, a Python-literal header dict giving
// the dtype, the memory order and the shape, then the raw elements. Soma
// reads versions 1.0, 2.0 and 3.0 of little-endian float32 arrays in C order
// and writes version 1.0 with NumPy's 64-byte header alignment. Reading
// validates every byte it relies on and reports each defect as an error that
// names the file, so a malformed file never crashes a tool.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_SUPPORT_NPY_H
#define SOMA_SUPPORT_NPY_H

#include "soma/Interpreter/HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace soma::npy {

/// Decodes the contents of a .npy file. `name` (the file's path, usually)
/// prefixes every error message. Accepts format versions 1.0, 2.0 and 3.0
/// with dtype '<f4' in C order, of any rank including 0-d and empty arrays;
/// the element data must be exactly as long as the shape requires.
llvm::Expected<HostTensor> parse(llvm::StringRef bytes,
                                 llvm::StringRef name = "<memory>");

/// Reads and decodes the .npy file at `path`.
llvm::Expected<HostTensor> readFile(llvm::StringRef path);

/// Encodes `tensor` as a version 1.0 .npy file with dtype '<f4', its header
/// padded with spaces so that the data starts at a multiple of 64 bytes, as
/// NumPy does. Fails if the element count does not match the shape.
llvm::Expected<std::string> encode(const HostTensor &tensor);

/// Writes `tensor` to `path` atomically: the bytes go to a temporary file in
/// the same directory, which is renamed over `path` once complete, and is
/// removed on failure, so `path` never holds a partial file.
llvm::Error writeFile(llvm::StringRef path, const HostTensor &tensor);

} // namespace soma::npy

#endif // SOMA_SUPPORT_NPY_H
