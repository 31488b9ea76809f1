//===- BatchParallelism.cpp - Can a model's batch rows run apart? ---------===//
//
// A value is "batched" when its leading dimension is the dynamic batch. A
// function is row-independent when every op that produces a batched value
// keeps rows apart (the rules below, one per op family), no op consumes a
// batched value in a way that mixes rows, and every result is batched.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/Analysis/BatchParallelism.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace soma;

static bool isBatched(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() > 0 && type.isDynamicDim(0);
}

/// The product of the non-leading dimensions: the elements of one row.
static int64_t rowElements(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t count = 1;
  for (int64_t dim : type.getShape().drop_front())
    count *= dim;
  return count;
}

/// Normalizes a dimension attribute against `rank`.
static int64_t normalized(int64_t dim, int64_t rank) {
  return dim < 0 ? dim + rank : dim;
}

/// An operand of a broadcasting op keeps rows apart when it is batched
/// like the result or, unbatched, stretches along the batch (lower rank, or
/// a leading 1).
static bool broadcastsAlongBatch(Value operand, int64_t resultRank) {
  auto type = cast<RankedTensorType>(operand.getType());
  if (isBatched(operand))
    return type.getRank() == resultRank;
  return type.getRank() < resultRank || type.getDimSize(0) == 1;
}

/// Whether `op`, whose result is batched, keeps the rows of its batched
/// operands apart.
static bool keepsRowsApart(Operation *op) {
  Value result = op->getResult(0);
  int64_t rank = cast<RankedTensorType>(result.getType()).getRank();
  auto batchedOnlyFirst = [&] {
    return llvm::all_of(op->getOperands().drop_front(),
                        [](Value v) { return !isBatched(v); });
  };
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *op) {
        return llvm::all_of(op->getOperands(), [&](Value operand) {
          return broadcastsAlongBatch(operand, rank);
        });
      })
      .Case([&](MatmulOp matmul) {
        auto lhs = cast<RankedTensorType>(matmul.getLhs().getType());
        if (lhs.getRank() < 2 || !isBatched(matmul.getLhs()))
          return false;
        // A batched rhs must be batched along the same (leading) batch
        // dimension, which needs equal ranks above 2.
        if (isBatched(matmul.getRhs()))
          return lhs.getRank() > 2 &&
                 cast<RankedTensorType>(matmul.getRhs().getType())
                         .getRank() == lhs.getRank();
        return cast<RankedTensorType>(matmul.getRhs().getType()).getRank() <
               lhs.getRank() ||
               lhs.getRank() == 2;
      })
      .Case<LinearOp, LinearActivationOp>([&](auto linear) {
        return linear.getInput().getType().getRank() >= 2 &&
               batchedOnlyFirst();
      })
      .Case([&](ReduceSumOp sum) {
        int64_t inputRank = sum.getInput().getType().getRank();
        return !sum.getDims().empty() &&
               llvm::none_of(sum.getDims(), [&](int64_t dim) {
                 return normalized(dim, inputRank) == 0;
               });
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](auto softmax) {
        return normalized(softmax.getDim(), rank) != 0;
      })
      .Case([&](ReshapeOp reshape) {
        return isBatched(reshape.getInput()) &&
               rowElements(reshape.getInput()) == rowElements(result);
      })
      .Case([&](FlattenOp flatten) {
        int64_t inputRank = flatten.getInput().getType().getRank();
        return normalized(flatten.getStartDim(), inputRank) >= 1;
      })
      .Case([&](TransposeOp transpose) {
        return transpose.getPerm().front() == 0;
      })
      .Case<Conv2dOp, Conv2dActivationOp, ConvTranspose2dOp, MaxPool2dOp,
            AvgPool2dOp, BatchNormOp>(
          [&](Operation *) { return batchedOnlyFirst(); })
      // Element-wise activations and dropout act on each element alone.
      .Default([&](Operation *op) {
        return op->hasTrait<OpTrait::Elementwise>();
      });
}

/// Multiply-adds (or element operations) per result element of `op`.
static int64_t workPerElement(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case<LinearOp, LinearActivationOp>([](auto linear) -> int64_t {
        return linear.getWeight().getType().getDimSize(1);
      })
      .Case([](MatmulOp matmul) {
        return matmul.getLhs().getType().getShape().back();
      })
      .Case<Conv2dOp, Conv2dActivationOp, ConvTranspose2dOp>([](auto conv) {
        auto weight = conv.getWeight().getType();
        return weight.getDimSize(1) * weight.getDimSize(2) *
               weight.getDimSize(3);
      })
      // Transcendental activations cost tens of operations each.
      .Case<SigmoidOp, LogSigmoidOp, SiluOp, TanhOp, SoftplusOp, SoftmaxOp,
            LogSoftmaxOp>([](Operation *) { return 20; })
      .Default([](Operation *) { return 1; });
}

BatchParallelism soma::analyzeBatchParallelism(func::FuncOp function) {
  BatchParallelism result;
  if (function.isExternal() ||
      !llvm::any_of(function.getArgumentTypes(), [](Type type) {
        auto tensor = dyn_cast<RankedTensorType>(type);
        return tensor && tensor.getRank() > 0 && tensor.isDynamicDim(0);
      }))
    return result;
  int64_t work = 0;
  WalkResult walk = function.walk([&](Operation *op) {
    if (auto ret = dyn_cast<func::ReturnOp>(op))
      return llvm::all_of(ret.getOperands(), isBatched)
                 ? WalkResult::advance()
                 : WalkResult::interrupt();
    if (!isa<SomaDialect>(op->getDialect()) || op->getNumResults() != 1)
      return WalkResult::advance();
    bool consumesBatch = llvm::any_of(op->getOperands(), isBatched);
    if (!consumesBatch)
      return WalkResult::advance();
    if (!isBatched(op->getResult(0)) || !keepsRowsApart(op))
      return WalkResult::interrupt();
    work += rowElements(op->getResult(0)) * workPerElement(op);
    return WalkResult::advance();
  });
  result.rowIndependent = !walk.wasInterrupted();
  result.workPerRow = std::max<int64_t>(work, 1);
  return result;
}
