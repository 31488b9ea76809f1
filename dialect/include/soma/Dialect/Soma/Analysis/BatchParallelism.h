//===- BatchParallelism.h - Can a model's batch rows run apart? -*- C++ -*-===//
//
// Most models compute each row of their batch without looking at the
// others: activations, linear layers, convolutions and pooling over the N
// dimension. Such a function can run any slice of its batch on its own,
// which is how compiled models use several threads: the batch is cut into
// slices, each computed by the same code, so the results are bit-identical
// whatever the number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_ANALYSIS_BATCHPARALLELISM_H
#define SOMA_DIALECT_SOMA_ANALYSIS_BATCHPARALLELISM_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace soma {

/// Multiply-adds (or element operations) worth handing to another thread:
/// about 10 microseconds of scalar work, well above the cost of waking a
/// pooled worker. The batch is cut into tasks of at least this much work
/// (ModelInterface.cpp), and a linear layer splits its columns from this
/// much on (LinearKernel.cpp).
constexpr int64_t kWorkPerThreadTask = 1 << 15;

struct BatchParallelism {
  /// Every batch row of every result depends only on the same row of the
  /// batched inputs (and on unbatched inputs and weights).
  bool rowIndependent = false;
  /// A rough cost of one row in multiply-adds (or element operations),
  /// for choosing how many rows make a task worth a thread.
  int64_t workPerRow = 0;
};

/// Analyzes a function of soma ops whose only dynamic dimensions are the
/// leading ones (the batch).
BatchParallelism analyzeBatchParallelism(mlir::func::FuncOp function);

} // namespace soma

#endif // SOMA_DIALECT_SOMA_ANALYSIS_BATCHPARALLELISM_H
