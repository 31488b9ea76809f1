//===- SomaDialect.h - The soma dialect -------------------------*- C++ -*-===//
//
// Declares the soma dialect class; see SomaDialect.td for what it models.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_IR_SOMADIALECT_H
#define SOMA_DIALECT_SOMA_IR_SOMADIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "soma/Dialect/Soma/IR/SomaOpsDialect.h.inc"

#endif // SOMA_DIALECT_SOMA_IR_SOMADIALECT_H
