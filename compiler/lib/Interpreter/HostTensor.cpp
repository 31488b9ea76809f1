//===- HostTensor.cpp - A dense f32 tensor in host memory -----------------===//

#include "soma/Interpreter/HostTensor.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include <cassert>

using namespace soma;

HostTensor::HostTensor(llvm::ArrayRef<int64_t> shape)
    : shape(shape.begin(), shape.end()),
      data(static_cast<size_t>(shape::numElements(shape)), 0.0f) {}

HostTensor::HostTensor(llvm::ArrayRef<int64_t> shape, std::vector<float> data)
    : shape(shape.begin(), shape.end()), data(std::move(data)) {
  assert(static_cast<int64_t>(this->data.size()) ==
             shape::numElements(shape) &&
         "element count does not match the shape");
}
