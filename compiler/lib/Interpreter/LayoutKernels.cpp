//===- LayoutKernels.cpp - reshape, flatten and transpose -----------------===//

#include "Kernels.h"

using namespace mlir;
using namespace soma;

SmallVector<int64_t, 4> interp::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

bool interp::nextIndex(MutableArrayRef<int64_t> index,
                       ArrayRef<int64_t> shape) {
  for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d])
      return true;
    index[d] = 0;
  }
  return false;
}

SmallVector<int64_t, 4> interp::broadcastStrides(ArrayRef<int64_t> shape,
                                                 ArrayRef<int64_t> resultShape,
                                                 int64_t scale) {
  SmallVector<int64_t, 4> own = stridesOf(shape);
  SmallVector<int64_t, 4> strides(resultShape.size(), 0);
  size_t offset = resultShape.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    strides[offset + d] = shape[d] == 1 ? 0 : own[d] * scale;
  return strides;
}

HostTensor interp::runReshape(const HostTensor &input,
                              ArrayRef<int64_t> resultShape) {
  return HostTensor(resultShape, input.data);
}

HostTensor interp::runTranspose(const HostTensor &input, ArrayRef<int64_t> perm,
                                ArrayRef<int64_t> resultShape) {
  HostTensor result(resultShape);
  SmallVector<int64_t, 4> inStrides = stridesOf(input.shape);
  SmallVector<int64_t, 4> index(resultShape.size(), 0);
  for (int64_t linear = 0; linear < result.numElements(); ++linear) {
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += index[d] * inStrides[perm[d]];
    result.data[linear] = input.data[source];
    nextIndex(index, resultShape);
  }
  return result;
}
