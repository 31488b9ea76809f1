//===- SomaOps.h - The ops of the soma dialect ------------------*- C++ -*-===//
//
// Declares the generated op, enum and attribute classes of SomaOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_IR_SOMAOPS_H
#define SOMA_DIALECT_SOMA_IR_SOMAOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "soma/Dialect/Soma/IR/SomaOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "soma/Dialect/Soma/IR/SomaOpsAttrDefs.h.inc"

#define GET_OP_CLASSES
#include "soma/Dialect/Soma/IR/SomaOps.h.inc"

namespace soma {

/// The f32 values of `value` when it is a constant whose elements can be
/// read (dense, or a dense_resource blob in memory), in row-major order;
/// empty otherwise.
llvm::SmallVector<float> constantFloats(mlir::Value value);

} // namespace soma

#endif // SOMA_DIALECT_SOMA_IR_SOMAOPS_H
