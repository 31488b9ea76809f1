//===- Operators.h - The ONNX operators the importer knows ------*- C++ -*-===//
//
// Internal to the ONNX importer: one importer function per default-domain
// operator, registered by family (one file each).
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_IMPORT_ONNX_OPERATORS_H
#define SOMA_LIB_IMPORT_ONNX_OPERATORS_H

#include "NodeContext.h"

#include "llvm/ADT/StringMap.h"

namespace soma::onnx_import {

/// Imports one node: defines its outputs or reports an error at it.
using OperatorImporter = mlir::LogicalResult (*)(NodeContext &node);

struct OperatorInfo {
  OperatorImporter import = nullptr;
  /// Only folded at import time on constant integer data (shape
  /// computations); never applied to f32 tensors.
  bool foldedOnly = false;
};

using OperatorTable = llvm::StringMap<OperatorInfo>;

/// Sigmoid, Tanh, Relu, LeakyRelu, HardSigmoid, HardSwish, ThresholdedRelu,
/// Softplus (ActivationOperators.cpp).
void addActivationOperators(OperatorTable &table);
/// Add, Sub, Mul, Div, Sum, Neg, MatMul, Gemm (ArithmeticOperators.cpp).
void addArithmeticOperators(OperatorTable &table);
/// Softmax, LogSoftmax, ReduceSum, BatchNormalization
/// (NormalizationOperators.cpp).
void addNormalizationOperators(OperatorTable &table);
/// Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, Dropout
/// (LayoutOperators.cpp).
void addLayoutOperators(OperatorTable &table);
/// Constant, and the shape computations folded at import time: Shape,
/// Gather, Concat, Cast (ConstantOperators.cpp).
void addConstantOperators(OperatorTable &table);
/// Conv, ConvTranspose (ConvolutionOperators.cpp).
void addConvolutionOperators(OperatorTable &table);
/// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool
/// (PoolingOperators.cpp).
void addPoolingOperators(OperatorTable &table);

/// Every operator, by op type.
const OperatorTable &operatorTable();

} // namespace soma::onnx_import

#endif // SOMA_LIB_IMPORT_ONNX_OPERATORS_H
