//===- BatchParallelismTest.cpp - Which models may split their batch ------===//
//
// A model whose rows are computed apart may run batch slices on different
// threads; one op that mixes rows (a sum over the batch, a reshape that
// moves the batch boundary, a softmax along it) must forbid it, or threads
// would compute wrong results.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/Analysis/BatchParallelism.h"
#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

struct Case {
  const char *name;
  const char *body; // the ops of @f, between its signature and return
  const char *signature;
  bool rowIndependent;
};

const Case cases[] = {
    {"activation", "%y = soma.sigmoid %x : tensor<?x8xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x8xf32>", true},
    {"linear",
     "%w = arith.constant dense<1.0> : tensor<3x8xf32>\n"
     "%y = soma.linear %x, %w : (tensor<?x8xf32>, tensor<3x8xf32>) -> "
     "tensor<?x3xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x3xf32>", true},
    {"broadcast_bias",
     "%b = arith.constant dense<1.0> : tensor<1x8xf32>\n"
     "%y = soma.add %x, %b : (tensor<?x8xf32>, tensor<1x8xf32>) -> "
     "tensor<?x8xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x8xf32>", true},
    {"reshape_keeps_rows",
     "%y = soma.reshape %x {shape = array<i64: -1, 2, 4>} : "
     "(tensor<?x8xf32>) -> tensor<?x2x4xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x2x4xf32>", true},
    {"reshape_moves_rows",
     "%y = soma.reshape %x {shape = array<i64: -1, 4>} : "
     "(tensor<?x8xf32>) -> tensor<?x4xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x4xf32>", false},
    {"sum_over_batch",
     "%y = soma.reduce_sum %x {dims = array<i64: 0>, keepdim = true} : "
     "(tensor<?x8xf32>) -> tensor<1x8xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<1x8xf32>", false},
    {"sum_over_rows",
     "%y = soma.reduce_sum %x {dims = array<i64: 1>} : (tensor<?x8xf32>) -> "
     "tensor<?xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?xf32>", true},
    {"softmax_along_batch",
     "%y = soma.softmax %x {dim = 0 : i64} : tensor<?x8xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?x8xf32>", false},
    {"transpose_moves_batch",
     "%y = soma.transpose %x {perm = array<i64: 1, 0>} : (tensor<?x8xf32>) "
     "-> tensor<8x?xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<8x?xf32>", false},
    {"flatten_merges_batch",
     "%y = soma.flatten %x {start_dim = 0 : i64} : (tensor<?x8xf32>) -> "
     "tensor<?xf32>",
     "(%x: tensor<?x8xf32>) -> tensor<?xf32>", false},
    {"batch_contracted",
     "%y = soma.matmul %w, %x : (tensor<2x?xf32>, tensor<?x8xf32>) -> "
     "tensor<2x8xf32>",
     "(%w: tensor<2x?xf32>, %x: tensor<?x8xf32>) -> tensor<2x8xf32>", false},
    {"two_batched_operands",
     "%y = soma.mul %x, %z : (tensor<?x8xf32>, tensor<?x8xf32>) -> "
     "tensor<?x8xf32>",
     "(%x: tensor<?x8xf32>, %z: tensor<?x8xf32>) -> tensor<?x8xf32>", true},
    {"static_model", "%y = soma.relu %x : tensor<4x8xf32>",
     "(%x: tensor<4x8xf32>) -> tensor<4x8xf32>", false},
};

class BatchParallelismTest : public ::testing::TestWithParam<Case> {};

TEST_P(BatchParallelismTest, DecidesRowIndependence) {
  MLIRContext context;
  context.loadDialect<soma::SomaDialect, arith::ArithDialect,
                      func::FuncDialect>();
  const Case &c = GetParam();
  std::string resultType =
      std::string(c.signature).substr(std::string(c.signature).find("-> ") + 3);
  std::string source = std::string("func.func @f") + c.signature + " {\n" +
                       c.body + "\nreturn %y : " + resultType + "\n}";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module) << source;
  auto function = *module->getOps<func::FuncOp>().begin();
  soma::BatchParallelism result = soma::analyzeBatchParallelism(function);
  EXPECT_EQ(result.rowIndependent, c.rowIndependent);
  if (result.rowIndependent)
    EXPECT_GT(result.workPerRow, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Models, BatchParallelismTest, ::testing::ValuesIn(cases),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

} // namespace
