//===- soma-opt.cpp - The soma optimizer driver ---------------------------===//
//
// MlirOptMain with the soma dialect, the dialects models are written in, and
// MLIR's own passes (canonicalize, cse, ...).
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::DialectRegistry registry;
  registry.insert<soma::SomaDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Soma optimizer driver\n", registry));
}
