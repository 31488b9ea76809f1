//===- WindowKernels.cpp - Convolutions and pooling -----------------------===//
//
// Direct loops over NCHW tensors, as the PyTorch documentation defines the
// ops: no im2col, no Winograd, nothing that could hide an indexing error.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace soma;

namespace {
/// Reads element (n, c, h, w) of an NCHW tensor.
struct Nchw {
  const HostTensor &tensor;
  int64_t channels() const { return tensor.shape[1]; }
  int64_t height() const { return tensor.shape[2]; }
  int64_t width() const { return tensor.shape[3]; }
  int64_t offset(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return ((n * channels() + c) * height() + h) * width() + w;
  }
  float at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return tensor.data[offset(n, c, h, w)];
  }
};
} // namespace

/// conv2d and conv2d_activation's convolution.
template <typename ConvOp>
static HostTensor convolve(ConvOp op, const HostTensor &input,
                           const HostTensor &weight, const HostTensor *bias,
                           ArrayRef<int64_t> resultShape) {
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  // Only the top and left padding shift the window; the result shape
  // accounts for the bottom and right.
  std::array<int64_t, 4> pad = shape::spatialPads(op.getPadding());
  int64_t groups = op.getGroups();
  Nchw x{input}, w{weight};
  HostTensor result(resultShape);
  Nchw y{result};
  int64_t inPerGroup = w.channels(), outPerGroup = resultShape[1] / groups;
  for (int64_t n = 0; n < resultShape[0]; ++n)
    for (int64_t co = 0; co < resultShape[1]; ++co) {
      int64_t firstIn = (co / outPerGroup) * inPerGroup;
      for (int64_t oh = 0; oh < resultShape[2]; ++oh)
        for (int64_t ow = 0; ow < resultShape[3]; ++ow) {
          double sum = bias ? double(bias->data[co]) : 0.0;
          for (int64_t ci = 0; ci < inPerGroup; ++ci)
            for (int64_t kh = 0; kh < w.height(); ++kh)
              for (int64_t kw = 0; kw < w.width(); ++kw) {
                int64_t ih = oh * stride[0] - pad[0] + kh * dilation[0];
                int64_t iw = ow * stride[1] - pad[1] + kw * dilation[1];
                if (ih < 0 || ih >= x.height() || iw < 0 || iw >= x.width())
                  continue;
                sum += double(x.at(n, firstIn + ci, ih, iw)) *
                       double(w.at(co, ci, kh, kw));
              }
          result.data[y.offset(n, co, oh, ow)] = static_cast<float>(sum);
        }
    }
  return result;
}

HostTensor interp::runConv2d(Conv2dOp op, const HostTensor &input,
                             const HostTensor &weight, const HostTensor *bias,
                             ArrayRef<int64_t> resultShape) {
  return convolve(op, input, weight, bias, resultShape);
}

HostTensor interp::runConv2dActivation(Conv2dActivationOp op,
                                       const HostTensor &input,
                                       const HostTensor &weight,
                                       const HostTensor *bias,
                                       ArrayRef<int64_t> resultShape) {
  HostTensor convolution = convolve(op, input, weight, bias, resultShape);
  OwningOpRef<Operation *> activation = op.buildActivationDescription();
  return runActivation(activation.get(), convolution);
}

HostTensor interp::runConvTranspose2d(ConvTranspose2dOp op,
                                      const HostTensor &input,
                                      const HostTensor &weight,
                                      const HostTensor *bias,
                                      ArrayRef<int64_t> resultShape) {
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  // The top and left padding crop the start of the full output; the result
  // shape has already cropped its end.
  std::array<int64_t, 4> pad = shape::spatialPads(op.getPadding());
  int64_t groups = op.getGroups();
  Nchw x{input}, w{weight};
  HostTensor result(resultShape);
  Nchw y{result};
  // Every input element scatters its contribution over a window of the
  // output; sums stay in double until the end.
  std::vector<double> sums(result.data.size(), 0.0);
  int64_t inPerGroup = x.channels() / groups, outPerGroup = w.channels();
  for (int64_t n = 0; n < x.tensor.shape[0]; ++n)
    for (int64_t ci = 0; ci < x.channels(); ++ci) {
      int64_t firstOut = (ci / inPerGroup) * outPerGroup;
      for (int64_t ih = 0; ih < x.height(); ++ih)
        for (int64_t iw = 0; iw < x.width(); ++iw) {
          double value = x.at(n, ci, ih, iw);
          for (int64_t co = 0; co < outPerGroup; ++co)
            for (int64_t kh = 0; kh < w.height(); ++kh)
              for (int64_t kw = 0; kw < w.width(); ++kw) {
                int64_t oh = ih * stride[0] - pad[0] + kh * dilation[0];
                int64_t ow = iw * stride[1] - pad[1] + kw * dilation[1];
                if (oh < 0 || oh >= y.height() || ow < 0 || ow >= y.width())
                  continue;
                sums[y.offset(n, firstOut + co, oh, ow)] +=
                    value * double(w.at(ci, co, kh, kw));
              }
        }
    }
  for (size_t i = 0; i < sums.size(); ++i) {
    int64_t channel = (i / (y.height() * y.width())) % y.channels();
    result.data[i] =
        static_cast<float>(sums[i] + (bias ? bias->data[channel] : 0.0));
  }
  return result;
}

namespace {
/// One pooling window of an NCHW input: its first row and column (negative
/// in the padding), the input rows [hBegin, hEnd) and columns [wBegin, wEnd)
/// it covers without dilation, and its size within the padded input
/// (PyTorch's count_include_pad divisor).
struct PoolWindow {
  int64_t h0, w0;
  int64_t hBegin, hEnd, wBegin, wEnd;
  int64_t paddedSize;
};
} // namespace

template <typename PoolOp>
static PoolWindow windowAt(PoolOp op, Nchw x, int64_t oh, int64_t ow) {
  ArrayRef<int64_t> kernel = op.getKernelSize(),
                    stride = op.getStrideOrKernel();
  std::array<int64_t, 4> pad = shape::spatialPads(op.getPadding());
  int64_t h0 = oh * stride[0] - pad[0], w0 = ow * stride[1] - pad[1];
  // A ceil_mode window may reach past the bottom and right padding, which
  // is where PyTorch's divisor stops counting.
  int64_t h1 = std::min(h0 + kernel[0], x.height() + pad[2]);
  int64_t w1 = std::min(w0 + kernel[1], x.width() + pad[3]);
  return {h0,
          w0,
          std::max<int64_t>(h0, 0),
          std::min(h1, x.height()),
          std::max<int64_t>(w0, 0),
          std::min(w1, x.width()),
          (h1 - h0) * (w1 - w0)};
}

/// Runs `reduce(n, c, window)` for every output element.
template <typename PoolOp, typename Reduce>
static HostTensor pool(PoolOp op, const HostTensor &input,
                       ArrayRef<int64_t> resultShape, Reduce reduce) {
  Nchw x{input};
  HostTensor result(resultShape);
  float *out = result.data.data();
  for (int64_t n = 0; n < resultShape[0]; ++n)
    for (int64_t c = 0; c < resultShape[1]; ++c)
      for (int64_t oh = 0; oh < resultShape[2]; ++oh)
        for (int64_t ow = 0; ow < resultShape[3]; ++ow)
          *out++ = static_cast<float>(reduce(n, c, windowAt(op, x, oh, ow)));
  return result;
}

HostTensor interp::runMaxPool2d(MaxPool2dOp op, const HostTensor &input,
                                ArrayRef<int64_t> resultShape) {
  Nchw x{input};
  ArrayRef<int64_t> kernel = op.getKernelSize(), dilation = op.getDilation();
  return pool(op, input, resultShape,
              [&](int64_t n, int64_t c, const PoolWindow &win) {
                // Padding is -inf; a NaN anywhere in the window wins.
                double max = -std::numeric_limits<double>::infinity();
                for (int64_t kh = 0; kh < kernel[0]; ++kh) {
                  int64_t h = win.h0 + kh * dilation[0];
                  if (h < 0 || h >= x.height())
                    continue;
                  for (int64_t kw = 0; kw < kernel[1]; ++kw) {
                    int64_t w = win.w0 + kw * dilation[1];
                    if (w < 0 || w >= x.width())
                      continue;
                    double v = x.at(n, c, h, w);
                    if (std::isnan(v))
                      return v;
                    max = std::max(max, v);
                  }
                }
                return max;
              });
}

HostTensor interp::runAvgPool2d(AvgPool2dOp op, const HostTensor &input,
                                ArrayRef<int64_t> resultShape) {
  Nchw x{input};
  bool includePad = op.getCountIncludePad();
  return pool(op, input, resultShape,
              [&](int64_t n, int64_t c, const PoolWindow &win) {
                double sum = 0;
                for (int64_t h = win.hBegin; h < win.hEnd; ++h)
                  for (int64_t w = win.wBegin; w < win.wEnd; ++w)
                    sum += x.at(n, c, h, w);
                int64_t count = includePad ? win.paddedSize
                                           : (win.hEnd - win.hBegin) *
                                                 (win.wEnd - win.wBegin);
                return sum / double(count);
              });
}
