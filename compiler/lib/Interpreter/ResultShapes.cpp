//===- ResultShapes.cpp - Concrete result shapes for the interpreter ------===//
//
// Applies the dialect's shape rules (ShapeInference.h) to the concrete shapes
// of one call, so that a batch size that breaks a rule (a reshape that no
// longer divides, a broadcast that no longer matches) is reported at the op
// instead of computing garbage.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace soma;

namespace {
using Shape = shape::Shape;

/// Adapts an op and its concrete operands to the shape rules.
struct ShapeQuery {
  Operation *op;
  ArrayRef<const HostTensor *> operands;

  ArrayRef<int64_t> operand(unsigned i) const { return operands[i]->shape; }
  std::optional<ArrayRef<int64_t>> optionalOperand(unsigned i) const {
    if (i < operands.size())
      return operand(i);
    return std::nullopt;
  }
  InFlightDiagnostic emitError() const {
    return op->emitOpError() << "at run time: ";
  }
};
} // namespace

/// The dilation of a pooling op: max_pool2d has one, avg_pool2d none.
static ArrayRef<int64_t> poolDilation(MaxPool2dOp op) {
  return op.getDilation();
}
static ArrayRef<int64_t> poolDilation(AvgPool2dOp) {
  static const int64_t ones[] = {1, 1};
  return ones;
}

template <typename PoolOp>
static FailureOr<Shape> poolShape(const ShapeQuery &q, PoolOp pool) {
  shape::Window window{pool.getStrideOrKernel(), pool.getPadding(),
                       poolDilation(pool)};
  return shape::pool2d(q.operand(0), pool.getKernelSize(), window,
                       pool.getCeilMode(), [&] { return q.emitError(); });
}

FailureOr<SmallVector<int64_t, 4>>
interp::resultShape(Operation *op, ArrayRef<const HostTensor *> operands) {
  ShapeQuery q{op, operands};
  auto emit = [&] { return q.emitError(); };
  return llvm::TypeSwitch<Operation *, FailureOr<Shape>>(op)
      .Case<AddOp, SubOp, MulOp, DivOp>([&](auto) {
        return shape::broadcast(q.operand(0), q.operand(1), emit);
      })
      .Case([&](MatmulOp) {
        return shape::matmul(q.operand(0), q.operand(1), emit);
      })
      .Case<LinearOp, LinearActivationOp>([&](auto) {
        return shape::linear(q.operand(0), q.operand(1), q.optionalOperand(2),
                             emit);
      })
      .Case([&](ReduceSumOp sum) {
        return shape::reduceSum(q.operand(0), sum.getDims(), sum.getKeepdim(),
                                emit);
      })
      .Case([&](BatchNormOp) {
        std::pair<StringRef, ArrayRef<int64_t>> params[] = {
            {"mean", q.operand(1)},
            {"variance", q.operand(2)},
            {"weight", q.operand(3)},
            {"bias", q.operand(4)}};
        return shape::batchNorm(q.operand(0), params, emit);
      })
      .Case([&](ReshapeOp reshape) {
        return shape::reshape(q.operand(0), reshape.getShape(), emit);
      })
      .Case([&](FlattenOp flatten) {
        return shape::flatten(q.operand(0), flatten.getStartDim(),
                              flatten.getEndDim(), emit);
      })
      .Case([&](TransposeOp transpose) {
        return shape::transpose(q.operand(0), transpose.getPerm(), emit);
      })
      .Case<Conv2dOp, Conv2dActivationOp>([&](auto conv) {
        shape::Window window{conv.getStride(), conv.getPadding(),
                             conv.getDilation()};
        return shape::conv2d(q.operand(0), q.operand(1), q.optionalOperand(2),
                             window, conv.getGroups(), emit);
      })
      .Case([&](ConvTranspose2dOp conv) {
        shape::Window window{conv.getStride(), conv.getPadding(),
                             conv.getDilation()};
        return shape::convTranspose2d(q.operand(0), q.operand(1),
                                      q.optionalOperand(2), window,
                                      conv.getOutputPadding(),
                                      conv.getGroups(), emit);
      })
      .Case<MaxPool2dOp, AvgPool2dOp>(
          [&](auto pool) { return poolShape(q, pool); })
      // Element-wise ops, softmax and dropout keep their input's shape.
      .Default([&](Operation *) { return Shape(q.operand(0)); });
}
