//===- SomaDialect.cpp - The soma dialect ---------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

using namespace soma;

#include "soma/Dialect/Soma/IR/SomaOpsDialect.cpp.inc"

void SomaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "soma/Dialect/Soma/IR/SomaOps.cpp.inc"
      >();
}
