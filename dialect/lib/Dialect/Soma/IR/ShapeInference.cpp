//===- ShapeInference.cpp - Result shapes of soma ops ---------------------===//
//
// The shape rules shared by the ops' verifiers and the reference interpreter.
// A dynamic dimension (ShapedType::kDynamic) is compatible with any size; the
// rules check what the static dimensions already decide.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace soma::shape {

static bool isDynamic(int64_t dim) { return ShapedType::isDynamic(dim); }

/// Prints a dimension the way MLIR types do: '?' when dynamic.
static std::string dimToString(int64_t dim) {
  return isDynamic(dim) ? "?" : std::to_string(dim);
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::interleave(
      shape, [&](int64_t d) { text += dimToString(d); },
      [&] { text += ", "; });
  return text + "]";
}

/// Prints attribute values, where kDynamic is a plain number, not '?'.
static std::string valuesToString(ArrayRef<int64_t> values) {
  std::string text = "[";
  llvm::interleave(
      values, [&](int64_t v) { text += std::to_string(v); },
      [&] { text += ", "; });
  return text + "]";
}

/// True when two dimensions may be equal at run time.
static bool compatible(int64_t a, int64_t b) {
  return isDynamic(a) || isDynamic(b) || a == b;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// The product of the known entries of `shape` (neither dynamic nor the -1
/// of a reshape), or failure when it does not fit in int64_t: huge sizes are
/// rejected rather than wrapped around.
static FailureOr<int64_t> staticProduct(ArrayRef<int64_t> shape,
                                        StringRef what, EmitErrorFn emitError) {
  if (llvm::is_contained(shape, 0))
    return 0;
  int64_t product = 1;
  for (int64_t dim : shape) {
    if (isDynamic(dim) || dim == -1)
      continue;
    std::optional<int64_t> next = llvm::checkedMul(product, dim);
    if (!next)
      return emitError() << "expected " << what
                         << " to have fewer than 2^63 elements, got "
                         << formatShape(shape);
    product = *next;
  }
  return product;
}

/// Checks that `attr` has `size` entries, each at least `minValue`.
static LogicalResult checkWindowAttr(ArrayRef<int64_t> attr, StringRef name,
                                     int64_t minValue, EmitErrorFn emitError) {
  if (attr.size() != 2)
    return emitError() << "expected '" << name << "' to have 2 entries, got "
                       << attr.size();
  for (int64_t value : attr)
    if (value < minValue)
      return emitError() << "expected every entry of '" << name
                         << "' to be at least " << minValue << ", got "
                         << value;
  return success();
}

static LogicalResult checkRank(ArrayRef<int64_t> shape, StringRef operand,
                               size_t rank, EmitErrorFn emitError) {
  if (shape.size() != rank)
    return emitError() << "expected " << operand << " of rank " << rank
                       << ", got rank " << shape.size();
  return success();
}

/// Checks that an optional bias is a vector of `size` elements.
static LogicalResult checkBias(std::optional<ArrayRef<int64_t>> bias,
                               int64_t size, EmitErrorFn emitError) {
  if (!bias)
    return success();
  if (bias->size() != 1 || !compatible((*bias)[0], size))
    return emitError() << "expected bias of shape [" << dimToString(size)
                       << "], got " << formatShape(*bias);
  return success();
}

FailureOr<int64_t> normalizeDim(int64_t dim, int64_t rank, StringRef attrName,
                                EmitErrorFn emitError) {
  int64_t lowest = rank == 0 ? -1 : -rank;
  int64_t highest = rank == 0 ? 0 : rank - 1;
  if (dim < lowest || dim > highest)
    return emitError() << "expected '" << attrName << "' in [" << lowest
                       << ", " << highest << "] for an input of rank " << rank
                       << ", got " << dim;
  return dim < 0 ? dim + std::max<int64_t>(rank, 1) : dim;
}

FailureOr<Shape> broadcast(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                           EmitErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align at the trailing dimension; missing leading dimensions are 1.
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == b || b == 1)
      result[i] = a;
    else if (a == 1)
      result[i] = b;
    else if (isDynamic(a))
      result[i] = b;
    else if (isDynamic(b))
      result[i] = a;
    else
      return emitError() << "operands are not broadcastable: "
                         << formatShape(lhs) << " and "
                         << formatShape(rhs) << " differ in dimension " << i
                         << " of the result (" << a << " vs " << b << ")";
  }
  return result;
}

FailureOr<Shape> matmul(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                        EmitErrorFn emitError) {
  if (lhs.empty() || rhs.empty())
    return emitError() << "expected operands of rank at least 1, got ranks "
                       << lhs.size() << " and " << rhs.size();
  // A 1-D lhs is a row [1, K], a 1-D rhs a column [K, 1].
  Shape a(lhs.begin(), lhs.end()), b(rhs.begin(), rhs.end());
  if (lhs.size() == 1)
    a.insert(a.begin(), 1);
  if (rhs.size() == 1)
    b.push_back(1);
  int64_t kLhs = a.back(), kRhs = b[b.size() - 2];
  if (!compatible(kLhs, kRhs))
    return emitError() << "expected the contracted dimensions to agree: lhs "
                       << formatShape(lhs) << " has K = " << kLhs
                       << ", rhs " << formatShape(rhs) << " has K = " << kRhs;
  FailureOr<Shape> batch =
      broadcast(ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2), emitError);
  if (failed(batch))
    return failure();
  Shape result = *batch;
  if (lhs.size() > 1)
    result.push_back(a[a.size() - 2]);
  if (rhs.size() > 1)
    result.push_back(b.back());
  return result;
}

FailureOr<Shape> linear(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                        std::optional<ArrayRef<int64_t>> bias,
                        EmitErrorFn emitError) {
  if (input.empty())
    return emitError() << "expected input of rank at least 1, got rank 0";
  if (failed(checkRank(weight, "weight", 2, emitError)))
    return failure();
  if (!compatible(input.back(), weight[1]))
    return emitError() << "expected weight dimension 1 (K) to be "
                       << dimToString(input.back())
                       << " to match the last input dimension, got "
                       << dimToString(weight[1]);
  if (failed(checkBias(bias, weight[0], emitError)))
    return failure();
  Shape result(input.drop_back());
  result.push_back(weight[0]);
  return result;
}

FailureOr<Shape> reduceSum(ArrayRef<int64_t> input, ArrayRef<int64_t> dims,
                           bool keepdim, EmitErrorFn emitError) {
  llvm::SmallVector<bool> reduced(input.size(), dims.empty());
  for (int64_t dim : dims) {
    FailureOr<int64_t> d = normalizeDim(dim, input.size(), "dims", emitError);
    if (failed(d))
      return failure();
    if (input.empty())
      continue;
    if (reduced[*d])
      return emitError() << "expected distinct 'dims', got dimension " << *d
                         << " twice";
    reduced[*d] = true;
  }
  Shape result;
  for (auto [dim, isReduced] : llvm::zip_equal(input, reduced)) {
    if (!isReduced)
      result.push_back(dim);
    else if (keepdim)
      result.push_back(1);
  }
  return result;
}

FailureOr<Shape>
batchNorm(ArrayRef<int64_t> input,
          ArrayRef<std::pair<StringRef, ArrayRef<int64_t>>> namedParams,
          EmitErrorFn emitError) {
  if (input.size() < 2)
    return emitError() << "expected input of rank at least 2 ([N, C, ...]), "
                          "got rank "
                       << input.size();
  for (auto [name, param] : namedParams)
    if (param.size() != 1 || !compatible(param[0], input[1]))
      return emitError() << "expected " << name << " of shape ["
                         << dimToString(input[1])
                         << "] (the input's channels), got "
                         << formatShape(param);
  return Shape(input);
}

FailureOr<Shape> reshape(ArrayRef<int64_t> input, ArrayRef<int64_t> shape,
                         EmitErrorFn emitError) {
  std::optional<size_t> inferred;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (dim == -1) {
      if (inferred)
        return emitError() << "expected at most one -1 in 'shape', got "
                           << "entries " << *inferred << " and " << i;
      inferred = i;
    } else if (dim < 0) {
      return emitError() << "expected entries of 'shape' to be -1 or "
                            "non-negative, got "
                         << dim << " at position " << i;
    }
  }
  FailureOr<int64_t> knownOutOr = staticProduct(shape, "'shape'", emitError);
  if (failed(knownOutOr))
    return failure();
  FailureOr<int64_t> knownInOr = staticProduct(input, "the input", emitError);
  if (failed(knownInOr))
    return failure();
  int64_t knownOut = *knownOutOr, knownIn = *knownInOr;
  bool inputDynamic = llvm::any_of(input, isDynamic);

  Shape result(shape);
  if (inferred) {
    // PyTorch rejects -1 next to a 0 whatever the input: the size is
    // ambiguous, or no size makes the element counts agree.
    if (knownOut == 0)
      return emitError() << "expected no 0 in 'shape' next to -1, got "
                         << formatShape(shape);
    if (inputDynamic) {
      result[*inferred] = ShapedType::kDynamic;
      return result;
    }
    if (knownIn % knownOut != 0)
      return emitError() << "cannot reshape " << formatShape(input) << " ("
                         << knownIn << " elements) to "
                         << formatShape(shape);
    result[*inferred] = knownIn / knownOut;
    return result;
  }
  // Without -1 the result is static; a dynamic input must fit it exactly.
  bool fits = inputDynamic
                  ? (knownIn == 0 ? knownOut == 0 : knownOut % knownIn == 0)
                  : knownIn == knownOut;
  if (!fits)
    return emitError() << "cannot reshape " << formatShape(input) << " ("
                       << (inputDynamic ? "a multiple of " : "") << knownIn
                       << " elements) to " << formatShape(shape) << " ("
                       << knownOut << " elements)";
  return result;
}

FailureOr<Shape> flatten(ArrayRef<int64_t> input, int64_t startDim,
                         int64_t endDim, EmitErrorFn emitError) {
  // As in PyTorch, a scalar takes dimensions in [-1, 0] and becomes [1].
  FailureOr<int64_t> start =
      normalizeDim(startDim, input.size(), "start_dim", emitError);
  FailureOr<int64_t> end =
      normalizeDim(endDim, input.size(), "end_dim", emitError);
  if (failed(start) || failed(end))
    return failure();
  if (*start > *end)
    return emitError() << "expected 'start_dim' (" << *start
                       << ") not after 'end_dim' (" << *end << ")";
  if (input.empty())
    return Shape{1};
  Shape result(input.take_front(*start));
  ArrayRef<int64_t> mergedDims = input.slice(*start, *end - *start + 1);
  if (llvm::any_of(mergedDims, isDynamic)) {
    result.push_back(ShapedType::kDynamic);
  } else {
    FailureOr<int64_t> merged =
        staticProduct(mergedDims, "the flattened dimensions", emitError);
    if (failed(merged))
      return failure();
    result.push_back(*merged);
  }
  llvm::append_range(result, input.drop_front(*end + 1));
  return result;
}

FailureOr<Shape> transpose(ArrayRef<int64_t> input, ArrayRef<int64_t> perm,
                           EmitErrorFn emitError) {
  if (perm.size() != input.size())
    return emitError() << "expected 'perm' of " << input.size()
                       << " entries (the input's rank), got " << perm.size();
  llvm::SmallVector<bool> seen(input.size(), false);
  Shape result;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(input.size()) || seen[p])
      return emitError() << "expected 'perm' to be a permutation of [0, "
                         << input.size() << "), got " << valuesToString(perm);
    seen[p] = true;
    result.push_back(input[p]);
  }
  return result;
}

std::array<int64_t, 4> spatialPads(ArrayRef<int64_t> padding) {
  if (padding.size() == 4)
    return {padding[0], padding[1], padding[2], padding[3]};
  return {padding[0], padding[1], padding[0], padding[1]};
}

/// Checks a `padding` attribute: 2 or 4 non-negative entries.
static LogicalResult checkPadding(ArrayRef<int64_t> padding,
                                  EmitErrorFn emitError) {
  if (padding.size() != 2 && padding.size() != 4)
    return emitError() << "expected 'padding' to have 2 or 4 entries, got "
                       << padding.size();
  for (int64_t value : padding)
    if (value < 0)
      return emitError() << "expected every entry of 'padding' to be at "
                            "least 0, got "
                         << value;
  return success();
}

namespace {
/// One spatial dimension of a window op.
struct WindowDim {
  int64_t in, kernel, stride, padBegin, padEnd, dilation;
  StringRef name;
};
} // namespace

/// Size of one convolution or pooling output dimension, or failure when the
/// window does not fit even once. `ceilMode` rounds up, dropping a last
/// window that would start in the end padding (PyTorch's rule).
static FailureOr<int64_t> windowOutputSize(const WindowDim &d, bool ceilMode,
                                           EmitErrorFn emitError) {
  if (isDynamic(d.in) || isDynamic(d.kernel))
    return ShapedType::kDynamic;
  // kernel >= 1 and dilation >= 1 were checked: extent >= 1, padded >= 0.
  std::optional<int64_t> padded = llvm::checkedAdd(d.padBegin, d.padEnd);
  if (padded)
    padded = llvm::checkedAdd(*padded, d.in);
  std::optional<int64_t> extent =
      llvm::checkedMulAdd<int64_t>(d.dilation, d.kernel - 1, 1);
  if (!padded || !extent)
    return emitError() << "expected the padded " << d.name
                       << " and the window extent to fit in 64 bits";
  if (*padded < *extent)
    return emitError() << "expected the " << d.name << " window (kernel "
                       << d.kernel << ", dilation " << d.dilation
                       << ") to fit the padded input of size " << *padded
                       << ", but it is larger";
  int64_t span = *padded - *extent;
  if (!ceilMode)
    return span / d.stride + 1;
  int64_t size = llvm::divideCeil(span, d.stride) + 1;
  if ((size - 1) * d.stride >= d.in + d.padBegin)
    --size;
  return size;
}

/// Checks that the kernel dimensions (2 and 3) of a convolution weight are
/// positive; an empty kernel has no PyTorch meaning.
static LogicalResult checkKernel(ArrayRef<int64_t> weight,
                                 EmitErrorFn emitError) {
  if (weight[2] == 0 || weight[3] == 0)
    return emitError() << "expected weight dimensions 2 and 3 (the kernel) "
                          "to be positive, got "
                       << formatShape(weight);
  return success();
}

static LogicalResult checkGroups(int64_t groups, int64_t channels,
                                 StringRef what, EmitErrorFn emitError) {
  if (groups < 1)
    return emitError() << "expected 'groups' to be positive, got " << groups;
  if (!isDynamic(channels) && channels % groups != 0)
    return emitError() << "expected " << what << " (" << channels
                       << ") to be divisible by 'groups' (" << groups << ")";
  return success();
}

/// Checks the stride, padding and dilation of a window op.
static LogicalResult checkWindow(const Window &window, EmitErrorFn emitError) {
  if (failed(checkWindowAttr(window.stride, "stride", 1, emitError)) ||
      failed(checkPadding(window.padding, emitError)) ||
      failed(checkWindowAttr(window.dilation, "dilation", 1, emitError)))
    return failure();
  return success();
}

static const char *const spatialNames[] = {"height", "width"};

FailureOr<Shape> conv2d(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                        std::optional<ArrayRef<int64_t>> bias,
                        const Window &window, int64_t groups,
                        EmitErrorFn emitError) {
  if (failed(checkRank(input, "input (NCHW)", 4, emitError)) ||
      failed(checkRank(weight, "weight (OIHW)", 4, emitError)) ||
      failed(checkKernel(weight, emitError)) ||
      failed(checkWindow(window, emitError)) ||
      failed(checkGroups(groups, input[1], "input channels", emitError)) ||
      failed(checkGroups(groups, weight[0], "output channels", emitError)))
    return failure();
  // input[1] % groups == 0 was checked; dividing cannot overflow.
  if (!isDynamic(input[1]) && !isDynamic(weight[1]) &&
      weight[1] != input[1] / groups)
    return emitError() << "expected weight dimension 1 to be input channels / "
                          "groups = "
                       << input[1] << " / " << groups << " = "
                       << input[1] / groups << ", got " << weight[1];
  if (failed(checkBias(bias, weight[0], emitError)))
    return failure();
  std::array<int64_t, 4> pads = spatialPads(window.padding);
  Shape result{input[0], weight[0]};
  for (int i = 0; i < 2; ++i) {
    WindowDim dim{input[2 + i], weight[2 + i],      window.stride[i], pads[i],
                  pads[2 + i],  window.dilation[i], spatialNames[i]};
    FailureOr<int64_t> size =
        windowOutputSize(dim, /*ceilMode=*/false, emitError);
    if (failed(size))
      return failure();
    result.push_back(*size);
  }
  return result;
}

FailureOr<Shape> convTranspose2d(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> weight,
                                 std::optional<ArrayRef<int64_t>> bias,
                                 const Window &window,
                                 ArrayRef<int64_t> outputPadding,
                                 int64_t groups, EmitErrorFn emitError) {
  if (failed(checkRank(input, "input (NCHW)", 4, emitError)) ||
      failed(checkRank(weight, "weight (IOHW)", 4, emitError)) ||
      failed(checkKernel(weight, emitError)) ||
      failed(checkWindow(window, emitError)) ||
      failed(checkWindowAttr(outputPadding, "output_padding", 0, emitError)) ||
      failed(checkGroups(groups, input[1], "input channels", emitError)) ||
      failed(checkGroups(groups, weight[0], "weight dimension 0", emitError)))
    return failure();
  if (!compatible(weight[0], input[1]))
    return emitError() << "expected weight dimension 0 to be the input "
                          "channels ("
                       << input[1] << "), got " << weight[0];
  for (int i = 0; i < 2; ++i)
    if (outputPadding[i] >= std::max(window.stride[i], window.dilation[i]))
      return emitError() << "expected 'output_padding' smaller than 'stride' "
                            "or 'dilation' in dimension "
                         << i << ", got " << outputPadding[i];
  int64_t outChannels = ShapedType::kDynamic;
  if (!isDynamic(weight[1])) {
    std::optional<int64_t> product = llvm::checkedMul(weight[1], groups);
    if (!product)
      return emitError() << "expected output channels (weight dimension 1 "
                            "times 'groups') to fit in 64 bits";
    outChannels = *product;
  }
  if (failed(checkBias(bias, outChannels, emitError)))
    return failure();
  std::array<int64_t, 4> pads = spatialPads(window.padding);
  Shape result{input[0], outChannels};
  for (int i = 0; i < 2; ++i) {
    int64_t in = input[2 + i], kernel = weight[2 + i];
    if (isDynamic(in) || isDynamic(kernel)) {
      result.push_back(ShapedType::kDynamic);
      continue;
    }
    // (in - 1) * stride - padding_begin - padding_end
    // + dilation * (kernel - 1) + output_padding + 1, rejected rather than
    // wrapped around.
    std::optional<int64_t> size = llvm::checkedMulAdd<int64_t>(
        in - 1, window.stride[i], outputPadding[i] + 1);
    if (size)
      size = llvm::checkedMulAdd<int64_t>(window.dilation[i], kernel - 1,
                                          *size);
    if (size)
      size = llvm::checkedSub<int64_t>(*size, pads[i]);
    if (size)
      size = llvm::checkedSub<int64_t>(*size, pads[2 + i]);
    if (!size)
      return emitError() << "expected the output size in dimension " << 2 + i
                         << " to fit in 64 bits";
    if (*size < 1)
      return emitError() << "expected a positive output size in dimension "
                         << 2 + i << ", got " << *size;
    result.push_back(*size);
  }
  return result;
}

/// Checks that every pooling window overlaps the input: PyTorch's rule (at
/// most half the window) for the 2-entry form, a padding smaller than the
/// window for the 4-entry form.
static LogicalResult checkPoolPadding(ArrayRef<int64_t> kernelSize,
                                      const Window &window,
                                      EmitErrorFn emitError) {
  std::array<int64_t, 4> pads = spatialPads(window.padding);
  for (int i = 0; i < 2; ++i) {
    int64_t extent = window.dilation[i] * (kernelSize[i] - 1) + 1;
    if (window.padding.size() == 2 && pads[i] > extent / 2) {
      auto diag = emitError() << "expected 'padding' at most half of "
                                 "'kernel_size' in dimension "
                              << i << ", got padding " << pads[i]
                              << " for kernel " << kernelSize[i];
      if (window.dilation[i] != 1)
        diag << " (dilation " << window.dilation[i] << ")";
      return diag;
    }
    for (int64_t pad : {pads[i], pads[2 + i]})
      if (pad >= extent)
        return emitError() << "expected 'padding' smaller than the window "
                              "extent ("
                           << extent << ") in dimension " << i << ", got "
                           << pad;
  }
  return success();
}

FailureOr<Shape> pool2d(ArrayRef<int64_t> input, ArrayRef<int64_t> kernelSize,
                        const Window &window, bool ceilMode,
                        EmitErrorFn emitError) {
  if (failed(checkRank(input, "input (NCHW)", 4, emitError)) ||
      failed(checkWindowAttr(kernelSize, "kernel_size", 1, emitError)) ||
      failed(checkWindow(window, emitError)))
    return failure();
  // kernel_size and dilation are at least 1: only absurd values overflow the
  // dilated extent.
  for (int i = 0; i < 2; ++i)
    if (!llvm::checkedMulAdd<int64_t>(window.dilation[i], kernelSize[i] - 1, 1))
      return emitError() << "expected the window extent in dimension " << i
                         << " to fit in 64 bits";
  if (failed(checkPoolPadding(kernelSize, window, emitError)))
    return failure();
  std::array<int64_t, 4> pads = spatialPads(window.padding);
  Shape result{input[0], input[1]};
  for (int i = 0; i < 2; ++i) {
    WindowDim dim{input[2 + i], kernelSize[i],      window.stride[i], pads[i],
                  pads[2 + i],  window.dilation[i], spatialNames[i]};
    FailureOr<int64_t> size = windowOutputSize(dim, ceilMode, emitError);
    if (failed(size))
      return failure();
    result.push_back(*size);
  }
  return result;
}

} // namespace soma::shape
