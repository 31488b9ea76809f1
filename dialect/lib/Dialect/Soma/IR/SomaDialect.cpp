//===- SomaDialect.cpp - The soma dialect ---------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace soma;

#include "soma/Dialect/Soma/IR/SomaOpsDialect.cpp.inc"
#include "soma/Dialect/Soma/IR/SomaOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "soma/Dialect/Soma/IR/SomaOpsAttrDefs.cpp.inc"

void SomaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "soma/Dialect/Soma/IR/SomaOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "soma/Dialect/Soma/IR/SomaOpsAttrDefs.cpp.inc"
      >();
}
