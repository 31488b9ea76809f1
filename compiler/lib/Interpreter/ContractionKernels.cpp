//===- ContractionKernels.cpp - matmul, linear, sums, softmax, batch norm -===//
//
// Sums accumulate in double and round once, so these results are the
// oracle's: within a few f32 ULPs of the exact value whatever K is.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace soma;

HostTensor interp::runMatmul(const HostTensor &lhs, const HostTensor &rhs,
                             ArrayRef<int64_t> resultShape) {
  // Promote 1-D operands as torch.matmul does: a row on the left, a column
  // on the right.
  SmallVector<int64_t, 4> a(lhs.shape), b(rhs.shape);
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  ArrayRef<int64_t> batchA = ArrayRef(a).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef(b).drop_back(2);
  SmallVector<int64_t, 4> batch(
      resultShape.take_front(std::max(batchA.size(), batchB.size())));
  SmallVector<int64_t, 4> stridesA = broadcastStrides(batchA, batch, m * k);
  SmallVector<int64_t, 4> stridesB = broadcastStrides(batchB, batch, k * n);

  HostTensor result(resultShape);
  SmallVector<int64_t, 4> index(batch.size(), 0);
  float *out = result.data.data();
  for (int64_t count = shape::numElements(batch); count > 0; --count) {
    int64_t offsetA = 0, offsetB = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      offsetA += index[d] * stridesA[d];
      offsetB += index[d] * stridesB[d];
    }
    const float *x = lhs.data.data() + offsetA;
    const float *y = rhs.data.data() + offsetB;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += double(x[i * k + p]) * double(y[p * n + j]);
        *out++ = static_cast<float>(sum);
      }
    nextIndex(index, batch);
  }
  return result;
}

HostTensor interp::runLinear(const HostTensor &input, const HostTensor &weight,
                             const HostTensor *bias,
                             ArrayRef<int64_t> resultShape) {
  int64_t n = weight.shape[0], k = weight.shape[1];
  int64_t rows = shape::numElements(ArrayRef(input.shape).drop_back());
  HostTensor result(resultShape);
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias ? double(bias->data[j]) : 0.0;
      for (int64_t p = 0; p < k; ++p)
        sum += double(input.data[row * k + p]) * double(weight.data[j * k + p]);
      result.data[row * n + j] = static_cast<float>(sum);
    }
  return result;
}

HostTensor interp::runReduceSum(ReduceSumOp op, const HostTensor &input,
                                ArrayRef<int64_t> resultShape) {
  int64_t rank = input.rank();
  SmallVector<bool, 4> reduced(rank, op.getDims().empty());
  for (int64_t dim : op.getDims())
    if (rank > 0)
      reduced[dim < 0 ? dim + rank : dim] = true;
  // Stride of each input dimension in the result (0 where it is reduced);
  // keepdim only adds size-1 dimensions, so the layouts coincide.
  SmallVector<int64_t, 4> outStrides(rank, 0);
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d)
    if (!reduced[d]) {
      outStrides[d] = stride;
      stride *= input.shape[d];
    }
  std::vector<double> sums(shape::numElements(resultShape), 0.0);
  SmallVector<int64_t, 4> index(rank, 0);
  for (int64_t linear = 0; linear < input.numElements(); ++linear) {
    int64_t out = 0;
    for (int64_t d = 0; d < rank; ++d)
      out += index[d] * outStrides[d];
    sums[out] += input.data[linear];
    nextIndex(index, input.shape);
  }
  HostTensor result(resultShape);
  for (size_t i = 0; i < sums.size(); ++i)
    result.data[i] = static_cast<float>(sums[i]);
  return result;
}

HostTensor interp::runSoftmax(const HostTensor &input, int64_t dim,
                              bool logarithm) {
  // A 0-d tensor is a row of one element.
  SmallVector<int64_t, 4> shape(input.shape);
  if (shape.empty())
    shape.push_back(1);
  int64_t rank = static_cast<int64_t>(shape.size());
  dim = dim < 0 ? dim + rank : dim;
  int64_t outer = shape::numElements(ArrayRef(shape).take_front(dim));
  int64_t size = shape[dim];
  int64_t inner = shape::numElements(ArrayRef(shape).drop_front(dim + 1));
  HostTensor result(input.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return o * size * inner + j * inner + i; };
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < size; ++j)
        max = std::isnan(input.data[at(j)]) ? input.data[at(j)]
                                            : std::max<double>(max, input.data[at(j)]);
      // log_softmax takes log(sum) as log1p of the sum without one maximum's
      // term (exactly 1): where that term dominates, sum rounds near 1 and
      // log(sum) would lose the rest, which is then the whole result at the
      // maximum. NaN and infinite rows have no zero shift and take log(sum).
      double sum = 0, others = 0;
      bool skipped = false;
      for (int64_t j = 0; j < size; ++j) {
        double shifted = input.data[at(j)] - max;
        double term = std::exp(shifted);
        sum += term;
        if (!skipped && shifted == 0)
          skipped = true;
        else
          others += term;
      }
      double logSum = skipped ? std::log1p(others) : std::log(sum);
      for (int64_t j = 0; j < size; ++j) {
        double shifted = input.data[at(j)] - max;
        result.data[at(j)] = static_cast<float>(
            logarithm ? shifted - logSum : std::exp(shifted) / sum);
      }
    }
  return result;
}

HostTensor interp::runBatchNorm(BatchNormOp op, const HostTensor &input,
                                const HostTensor &mean,
                                const HostTensor &variance,
                                const HostTensor &weight,
                                const HostTensor &bias) {
  double epsilon = op.getEpsilon().convertToFloat();
  int64_t channels = input.shape[1];
  int64_t inner = shape::numElements(ArrayRef(input.shape).drop_front(2));
  HostTensor result(input.shape);
  for (int64_t i = 0; i < input.numElements(); ++i) {
    int64_t c = (i / inner) % channels;
    double normalized = (double(input.data[i]) - mean.data[c]) /
                        std::sqrt(double(variance.data[c]) + epsilon);
    result.data[i] =
        static_cast<float>(normalized * weight.data[c] + bias.data[c]);
  }
  return result;
}

HostTensor interp::runLinearActivation(LinearActivationOp op,
                                       const HostTensor &input,
                                       const HostTensor &weight,
                                       const HostTensor *bias,
                                       ArrayRef<int64_t> resultShape) {
  HostTensor linear = runLinear(input, weight, bias, resultShape);
  OwningOpRef<Operation *> activation = op.buildActivationDescription();
  return runActivation(activation.get(), linear);
}
