//===- ActivationVectorTest.cpp - Activation bodies on vectors ------------===//
//
// `buildActivationScalar` builds each element-wise activation's body for an
// f32 element and, for kernels that apply activations to registers of
// results (a fused linear layer's epilogue), for vectors of f32. These tests
// build every body on f32, vector<4xf32>, vector<8xf32> and vector<16xf32>,
// for AVX2 and AVX-512 targets (tanh differs), check that the result has
// the operand's type and that the IR verifies, and that no libm function
// (math.exp, math.log, math.tanh, ...) is left for the lowering to turn
// into a call.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/IR/SomaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

// One of each activation, in the form the fused layer describes them.
constexpr const char *kActivations = R"mlir(
func.func @activations(%x: tensor<4xf32>) {
  %0 = soma.sigmoid %x : tensor<4xf32>
  %1 = soma.log_sigmoid %x : tensor<4xf32>
  %2 = soma.hard_sigmoid %x : tensor<4xf32>
  %3 = soma.silu %x : tensor<4xf32>
  %4 = soma.hard_swish %x : tensor<4xf32>
  %5 = soma.tanh %x : tensor<4xf32>
  %6 = soma.relu %x : tensor<4xf32>
  %7 = soma.leaky_relu %x : tensor<4xf32>
  %8 = soma.threshold %x {threshold = 0.5 : f32, value = -2.0 : f32} : tensor<4xf32>
  %9 = soma.softplus %x {beta = 2.0 : f32, threshold = 10.0 : f32} : tensor<4xf32>
  return
}
)mlir";

class ActivationVectorTest : public ::testing::TestWithParam<int64_t> {
protected:
  ActivationVectorTest() {
    context
        .loadDialect<soma::SomaDialect, arith::ArithDialect, func::FuncDialect,
                     math::MathDialect, scf::SCFDialect, tensor::TensorDialect,
                     vector::VectorDialect, LLVM::LLVMDialect,
                     x86vector::X86VectorDialect>();
  }

  MLIRContext context;
};

TEST_P(ActivationVectorTest, BodiesKeepTheOperandType) {
  OwningOpRef<ModuleOp> activations =
      parseSourceString<ModuleOp>(kActivations, &context);
  ASSERT_TRUE(activations);
  int64_t lanes = GetParam();
  Type f32 = Float32Type::get(&context);
  Type type = lanes ? Type(VectorType::get({lanes}, f32)) : f32;

  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  int count = 0;
  for (int64_t targetLanes : {8, 16}) {
    activations->walk([&](Operation *activation) {
      if (activation->getDialect()->getNamespace() != "soma")
        return;
      auto function =
          func::FuncOp::create(builder, loc, "body" + std::to_string(count++),
                               builder.getFunctionType({type}, {type}));
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToEnd(function.addEntryBlock());
      ImplicitLocOpBuilder b(loc, builder);
      Value result = soma::lowering::buildActivationScalar(
          b, activation, function.getArgument(0), targetLanes);
      ASSERT_TRUE(result) << activation->getName().getStringRef().str();
      EXPECT_EQ(result.getType(), type)
          << activation->getName().getStringRef().str();
      func::ReturnOp::create(b, result);
    });
  }
  EXPECT_EQ(count, 20);
  EXPECT_TRUE(succeeded(verify(*module)));
  module->walk([](Operation *op) {
    EXPECT_FALSE((isa<math::ExpOp, math::Exp2Op, math::ExpM1Op, math::LogOp,
                      math::Log1pOp, math::TanhOp>(op)))
        << op->getName().getStringRef().str();
  });
}

INSTANTIATE_TEST_SUITE_P(Shapes, ActivationVectorTest,
                         ::testing::Values(0, 4, 8, 16), [](const auto &info) {
                           return info.param
                                      ? "vector" + std::to_string(info.param)
                                      : std::string("scalar");
                         });

} // namespace
