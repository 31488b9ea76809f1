//===- HostTensor.h - A dense f32 tensor in host memory ---------*- C++ -*-===//
//
// The value type of the reference interpreter and of the tools around it:
// a shape and its elements in row-major order.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_INTERPRETER_HOSTTENSOR_H
#define SOMA_INTERPRETER_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <vector>

namespace soma {

/// A dense, row-major f32 tensor owned by the host.
struct HostTensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> data;

  HostTensor() = default;
  /// A zero-filled tensor of `shape`.
  explicit HostTensor(llvm::ArrayRef<int64_t> shape);
  HostTensor(llvm::ArrayRef<int64_t> shape, std::vector<float> data);

  int64_t numElements() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

} // namespace soma

#endif // SOMA_INTERPRETER_HOSTTENSOR_H
