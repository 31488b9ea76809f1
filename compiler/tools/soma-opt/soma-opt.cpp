//===- soma-opt.cpp - The soma optimizer driver ---------------------------===//
//
// MlirOptMain with the soma dialect, the dialects models are written in, the
// dialects soma lowers to, the soma passes and MLIR's own passes
// (canonicalize, cse, ...).
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"
#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Dialect/Soma/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  soma::registerSomaConversionPasses();
  soma::registerSomaTransformsPasses();
  mlir::DialectRegistry registry;
  registry.insert<soma::SomaDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::LLVM::LLVMDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect, mlir::vector::VectorDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Soma optimizer driver\n", registry));
}
