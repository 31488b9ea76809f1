//===- Interpreter.h - The reference interpreter of soma models -*- C++ -*-===//
//
// Runs a func.func made of soma ops and arith.constant weights on host
// tensors. Every op computes in double precision and rounds its result to
// f32 once. It is the numerical oracle of Soma's tests: written for
// obvious correctness, not speed.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_INTERPRETER_INTERPRETER_H
#define SOMA_INTERPRETER_INTERPRETER_H

#include "soma/Interpreter/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <functional>

namespace soma {

/// Runs `function` on `inputs`, one per function argument, and returns one
/// tensor per function result. Input shapes must match the argument types,
/// where a dynamic dimension takes any size (the batch). A violated rule
/// (a wrong input count or shape, an op it cannot run) is reported as an
/// error diagnostic on the function's context, at the offending location,
/// and yields failure.
mlir::FailureOr<llvm::SmallVector<HostTensor>>
interpret(mlir::func::FuncOp function, llvm::ArrayRef<HostTensor> inputs);

/// The double-precision function that `interpret` applies to each element
/// for the element-wise activation `op` (soma.sigmoid, ..., soma.dropout;
/// its operands are not read), before rounding the result to f32. Null for
/// any other op. Accuracy tools compare compiled results with its unrounded
/// value.
std::function<double(double)> activationFunction(mlir::Operation *op);

} // namespace soma

#endif // SOMA_INTERPRETER_INTERPRETER_H
