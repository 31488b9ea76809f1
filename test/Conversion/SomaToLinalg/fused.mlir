// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=0" --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.
// Without prefetches (which CSE keeps, as memory effects) and streamed
// stores (which the fused layer's loop does not make) the unfused
// activation loop is the fused layer's. On 8 lanes: with AVX-512's 16,
// log_sigmoid, softplus and tanh read their coefficients with
// vector.gather, whose read of a constant tensor CSE does not merge either
// (CompiledModelTest's FusedLayerTest compares those loops' bits).
// RUN: soma-opt %s \
// RUN:   --convert-soma-to-linalg="vector-lanes=8 prefetch-distance=0 nontemporal-threshold=0" --cse \
// RUN:   --split-input-file \
// RUN:   | FileCheck %s --check-prefix=SAME --implicit-check-not=soma.

// With a weight computed at run time (a function argument here), a fused
// layer lowers to the linear's product from the bias, then the activation's
// element-wise generic. (Constant weights go through the register-blocked
// kernel: linear-kernel.mlir.)
// CHECK-LABEL: func.func @linear_sigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[W:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[ACC:.+]] = linalg.generic {{.+}} ins(%[[B]] : tensor<3xf32>)
// CHECK: %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<3x4xf32>)
// CHECK: %[[Z:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[WT]] : tensor<?x4xf32>, tensor<4x3xf32>) outs(%[[ACC]] : tensor<?x3xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]} ins(%[[Z]] : tensor<?x3xf32>)
// CHECK: llvm.intr.fma
// CHECK: arith.divf {{.+}} : f32
// CHECK: return %[[Y]]
func.func @linear_sigmoid(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation sigmoid>} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Without a bias, on a batch of matrices: rows collapsed, zero accumulator,
// the activation (with its parameters in its body) on the rows, then the
// rows expanded back.
// CHECK-LABEL: func.func @linear_leaky_relu_3d
// CHECK: tensor.collapse_shape
// CHECK: linalg.fill
// CHECK: linalg.transpose
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-DAG: arith.constant 2.000000e-01 : f32
// CHECK-DAG: arith.cmpf ogt
// CHECK: arith.select
// CHECK: tensor.expand_shape
func.func @linear_leaky_relu_3d(%x: tensor<?x2x4xf32>, %w: tensor<3x4xf32>) -> tensor<?x2x3xf32> {
  %0 = soma.linear_activation %x, %w {activation = #soma<activation leaky_relu>, negative_slope = 0.2 : f32} : (tensor<?x2x4xf32>, tensor<3x4xf32>) -> tensor<?x2x3xf32>
  return %0 : tensor<?x2x3xf32>
}

// -----

// The fused layer and the unfused pair lower to the same ops: CSE merges
// them into one value.
// SAME-LABEL: func.func @same_as_unfused
// SAME: return %[[A:.+]], %[[A]], %[[B:.+]], %[[B]], %[[C:.+]], %[[C]], %[[D:.+]], %[[D]] :
func.func @same_as_unfused(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation softplus>, beta = 2.0 : f32, threshold = 5.0 : f32} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.softplus %1 {beta = 2.0 : f32, threshold = 5.0 : f32} : tensor<?x3xf32>
  %3 = soma.linear_activation %x, %w, %b {activation = #soma<activation hard_sigmoid>, alpha = 0.166666672 : f32, beta = 0.5 : f32} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %4 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.hard_sigmoid %4 : tensor<?x3xf32>
  %6 = soma.linear_activation %x, %w {activation = #soma<activation threshold>, threshold = 0.5 : f32, value = -2.0 : f32} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %7 = soma.linear %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %8 = soma.threshold %7 {threshold = 0.5 : f32, value = -2.0 : f32} : tensor<?x3xf32>
  %9 = soma.linear_activation %x, %w, %b {activation = #soma<activation log_sigmoid>} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %10 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %11 = soma.log_sigmoid %10 : tensor<?x3xf32>
  return %0, %2, %3, %5, %6, %8, %9, %11 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}
