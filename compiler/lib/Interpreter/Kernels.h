//===- Kernels.h - The interpreter's per-op kernels -------------*- C++ -*-===//
//
// One function per op family. Each receives operands whose shapes have
// already been checked by the shape rules and the result shape those rules
// produced, and computes in double precision, rounding to f32 once per
// result element. Internal to the interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_INTERPRETER_KERNELS_H
#define SOMA_LIB_INTERPRETER_KERNELS_H

#include "soma/Dialect/Soma/IR/SomaOps.h"
#include "soma/Interpreter/HostTensor.h"

namespace soma::interp {

/// Row-major strides of `shape`, in elements.
llvm::SmallVector<int64_t, 4> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Advances a row-major multi-index over `shape`; false once it wraps.
bool nextIndex(llvm::MutableArrayRef<int64_t> index,
               llvm::ArrayRef<int64_t> shape);

/// Strides that read a tensor of `shape` as if broadcast (NumPy rules) to
/// `resultShape`: aligned at the trailing dimension, zero where a dimension
/// stretches. `scale` multiplies every stride.
llvm::SmallVector<int64_t, 4>
broadcastStrides(llvm::ArrayRef<int64_t> shape,
                 llvm::ArrayRef<int64_t> resultShape, int64_t scale = 1);

/// The result shapes of `op` for concrete operand shapes, by the same rules
/// the op's verifier uses; errors are reported at the op.
mlir::FailureOr<llvm::SmallVector<int64_t, 4>>
resultShape(mlir::Operation *op, llvm::ArrayRef<const HostTensor *> operands);

/// Element-wise activations (and dropout) applied to every element.
HostTensor runActivation(mlir::Operation *op, const HostTensor &input);

/// add, sub, mul, div with NumPy broadcasting.
HostTensor runBroadcast(mlir::Operation *op, const HostTensor &lhs,
                        const HostTensor &rhs,
                        llvm::ArrayRef<int64_t> resultShape);

HostTensor runMatmul(const HostTensor &lhs, const HostTensor &rhs,
                     llvm::ArrayRef<int64_t> resultShape);
HostTensor runLinear(const HostTensor &input, const HostTensor &weight,
                     const HostTensor *bias,
                     llvm::ArrayRef<int64_t> resultShape);
HostTensor runReduceSum(ReduceSumOp op, const HostTensor &input,
                        llvm::ArrayRef<int64_t> resultShape);
/// softmax, or log_softmax when `logarithm` is set.
HostTensor runSoftmax(const HostTensor &input, int64_t dim, bool logarithm);
HostTensor runBatchNorm(BatchNormOp op, const HostTensor &input,
                        const HostTensor &mean, const HostTensor &variance,
                        const HostTensor &weight, const HostTensor &bias);

/// reshape and flatten: the same elements under a new shape.
HostTensor runReshape(const HostTensor &input,
                      llvm::ArrayRef<int64_t> resultShape);
HostTensor runTranspose(const HostTensor &input, llvm::ArrayRef<int64_t> perm,
                        llvm::ArrayRef<int64_t> resultShape);

HostTensor runConv2d(Conv2dOp op, const HostTensor &input,
                     const HostTensor &weight, const HostTensor *bias,
                     llvm::ArrayRef<int64_t> resultShape);
HostTensor runConvTranspose2d(ConvTranspose2dOp op, const HostTensor &input,
                              const HostTensor &weight, const HostTensor *bias,
                              llvm::ArrayRef<int64_t> resultShape);
HostTensor runMaxPool2d(MaxPool2dOp op, const HostTensor &input,
                        llvm::ArrayRef<int64_t> resultShape);
HostTensor runAvgPool2d(AvgPool2dOp op, const HostTensor &input,
                        llvm::ArrayRef<int64_t> resultShape);

/// `activation(linear(...))`: runLinear, then runActivation on the
/// activation's stand-alone op, so the result is the unfused layer's bit for
/// bit.
HostTensor runLinearActivation(LinearActivationOp op, const HostTensor &input,
                               const HostTensor &weight, const HostTensor *bias,
                               llvm::ArrayRef<int64_t> resultShape);
/// `activation(conv2d(...))` in the same way.
HostTensor runConv2dActivation(Conv2dActivationOp op, const HostTensor &input,
                               const HostTensor &weight, const HostTensor *bias,
                               llvm::ArrayRef<int64_t> resultShape);

} // namespace soma::interp

#endif // SOMA_LIB_INTERPRETER_KERNELS_H
