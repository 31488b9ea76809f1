// RUN: soma-opt %s --soma-fuse-linear-activation | FileCheck %s

// soma-fuse-linear-activation: an affine layer (soma.linear, a matmul plus a
// bias broadcast along N, the tutorial's matmul with a viewed weight)
// followed by each of the ten element-wise activations becomes one
// soma.linear_activation; then the cases that must stay unfused.

//===----------------------------------------------------------------------===//
// soma.linear + activation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear_sigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[W:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation sigmoid>} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @linear_sigmoid(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = soma.sigmoid %0 : tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// Without a bias, and on a batch of matrices.
// CHECK-LABEL: func.func @linear_without_bias_relu
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x4xf32>, %[[W:.+]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[W]] {activation = #soma<activation relu>} : (tensor<?x2x4xf32>, tensor<3x4xf32>) -> tensor<?x2x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @linear_without_bias_relu(%x: tensor<?x2x4xf32>, %w: tensor<3x4xf32>) -> tensor<?x2x3xf32> {
  %0 = soma.linear %x, %w : (tensor<?x2x4xf32>, tensor<3x4xf32>) -> tensor<?x2x3xf32>
  %1 = soma.relu %0 : tensor<?x2x3xf32>
  return %1 : tensor<?x2x3xf32>
}

// CHECK-LABEL: func.func @linear_parameterless
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[W:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-NOT: soma.linear %
// CHECK: %[[LS:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation log_sigmoid>}
// CHECK: %[[SI:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation silu>}
// CHECK: %[[HS:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_swish>}
// CHECK: %[[T:.+]] = soma.linear_activation %[[X]], %[[W]] {activation = #soma<activation tanh>}
// CHECK-NOT: soma.log_sigmoid
// CHECK-NOT: soma.silu
// CHECK-NOT: soma.hard_swish
// CHECK-NOT: soma.tanh
// CHECK: return %[[LS]], %[[SI]], %[[HS]], %[[T]]
func.func @linear_parameterless(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = soma.log_sigmoid %0 : tensor<?x3xf32>
  %2 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = soma.silu %2 : tensor<?x3xf32>
  %4 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.hard_swish %4 : tensor<?x3xf32>
  %6 = soma.linear %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %7 = soma.tanh %6 : tensor<?x3xf32>
  return %1, %3, %5, %7 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// Parameters move to the fused op under their own names; those left at
// their defaults are spelled out.
// CHECK-LABEL: func.func @linear_with_parameters
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[W:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[HD:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_sigmoid>, alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32}
// CHECK: %[[HO:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_sigmoid>, alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
// CHECK: %[[LD:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation leaky_relu>, negative_slope = 0.00999999977 : f32}
// CHECK: %[[LR:.+]] = soma.linear_activation %[[X]], %[[W]] {activation = #soma<activation leaky_relu>, negative_slope = 2.000000e-01 : f32}
// CHECK: %[[TH:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation threshold>, threshold = 5.000000e-01 : f32, value = -2.000000e+00 : f32}
// CHECK: %[[SD:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation softplus>, beta = 1.000000e+00 : f32, threshold = 2.000000e+01 : f32}
// CHECK: %[[SP:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation softplus>, beta = 2.000000e+00 : f32, threshold = 5.000000e+00 : f32}
// CHECK-NOT: soma.linear %
// CHECK: return %[[HD]], %[[HO]], %[[LD]], %[[LR]], %[[TH]], %[[SD]], %[[SP]]
func.func @linear_with_parameters(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = soma.hard_sigmoid %0 : tensor<?x3xf32>
  %2 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = soma.hard_sigmoid %2 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<?x3xf32>
  %4 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.leaky_relu %4 : tensor<?x3xf32>
  %6 = soma.linear %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %7 = soma.leaky_relu %6 {negative_slope = 0.2 : f32} : tensor<?x3xf32>
  %8 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %9 = soma.threshold %8 {threshold = 0.5 : f32, value = -2.0 : f32} : tensor<?x3xf32>
  %10 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %11 = soma.softplus %10 : tensor<?x3xf32>
  %12 = soma.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %13 = soma.softplus %12 {beta = 2.0 : f32, threshold = 5.0 : f32} : tensor<?x3xf32>
  return %1, %3, %5, %7, %9, %11, %13 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

//===----------------------------------------------------------------------===//
// soma.matmul + bias + activation
//===----------------------------------------------------------------------===//

// A constant [K, N] weight is transposed at compile time.
// CHECK-LABEL: func.func @matmul_constant_weight_relu
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[Y:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation relu>} : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// CHECK-NOT: soma.matmul
// CHECK-NOT: soma.add
// CHECK-NOT: soma.relu
// CHECK: return %[[Y]]
func.func @matmul_constant_weight_relu(%x: tensor<?x2xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.relu %1 : tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// The bias on the left, [1, N] and constant: it becomes an [N] constant.
// CHECK-LABEL: func.func @matmul_row_bias_tanh
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[W:.+]]: tensor<2x3xf32>)
// CHECK-DAG: %[[WT:.+]] = soma.transpose %[[W]] {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: %[[Y:.+]] = soma.linear_activation %[[X]], %[[WT]], %[[B]] {activation = #soma<activation tanh>}
// CHECK-NOT: soma.matmul
// CHECK: return %[[Y]]
func.func @matmul_row_bias_tanh(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %b, %0 : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = soma.tanh %1 : tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// A [1, N] bias that is not a constant is reshaped to [N].
// CHECK-LABEL: func.func @matmul_argument_bias_silu
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[W:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<1x3xf32>)
// CHECK-DAG: %[[WT:.+]] = soma.transpose %[[W]] {perm = array<i64: 1, 0>}
// CHECK-DAG: %[[BV:.+]] = soma.reshape %[[B]] {shape = array<i64: 3>} : (tensor<1x3xf32>) -> tensor<3xf32>
// CHECK: %[[Y:.+]] = soma.linear_activation %[[X]], %[[WT]], %[[BV]] {activation = #soma<activation silu>}
// CHECK: return %[[Y]]
func.func @matmul_argument_bias_silu(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %2 = soma.silu %1 : tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// A transposed weight is used untransposed.
// CHECK-LABEL: func.func @matmul_transposed_weight_softplus
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[V:.+]]: tensor<3x2xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[V]], %[[B]] {activation = #soma<activation softplus>, beta = 1.000000e+00 : f32, threshold = 2.000000e+01 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @matmul_transposed_weight_softplus(%x: tensor<?x2xf32>, %v: tensor<3x2xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %w = soma.transpose %v {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.softplus %1 : tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// A batch of matrices times one weight.
// CHECK-LABEL: func.func @matmul_batched_input_hard_swish
// CHECK-SAME: (%[[X:.+]]: tensor<?x5x2xf32>, %[[V:.+]]: tensor<3x2xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[V]], %[[B]] {activation = #soma<activation hard_swish>} : (tensor<?x5x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x5x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @matmul_batched_input_hard_swish(%x: tensor<?x5x2xf32>, %v: tensor<3x2xf32>, %b: tensor<3xf32>) -> tensor<?x5x3xf32> {
  %w = soma.transpose %v {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %0 = soma.matmul %x, %w : (tensor<?x5x2xf32>, tensor<2x3xf32>) -> tensor<?x5x3xf32>
  %1 = soma.add %0, %b : (tensor<?x5x3xf32>, tensor<3xf32>) -> tensor<?x5x3xf32>
  %2 = soma.hard_swish %1 : tensor<?x5x3xf32>
  return %2 : tensor<?x5x3xf32>
}

// Activations with parameters after a matmul.
// CHECK-LABEL: func.func @matmul_with_parameters
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[V:.+]]: tensor<3x2xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[L:.+]] = soma.linear_activation %[[X]], %[[V]], %[[B]] {activation = #soma<activation leaky_relu>, negative_slope = 2.000000e-01 : f32}
// CHECK: %[[T:.+]] = soma.linear_activation %[[X]], %[[V]], %[[B]] {activation = #soma<activation threshold>, threshold = 1.000000e+00 : f32, value = 0.000000e+00 : f32}
// CHECK: %[[H:.+]] = soma.linear_activation %[[X]], %[[V]], %[[B]] {activation = #soma<activation hard_sigmoid>, alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
// CHECK-NOT: soma.matmul
// CHECK: return %[[L]], %[[T]], %[[H]]
func.func @matmul_with_parameters(%x: tensor<?x2xf32>, %v: tensor<3x2xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %w = soma.transpose %v {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.leaky_relu %1 {negative_slope = 0.2 : f32} : tensor<?x3xf32>
  %3 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %4 = soma.add %3, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.threshold %4 {threshold = 1.0 : f32, value = 0.0 : f32} : tensor<?x3xf32>
  %6 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %7 = soma.add %6, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %8 = soma.hard_sigmoid %7 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<?x3xf32>
  return %2, %5, %8 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

//===----------------------------------------------------------------------===//
// The tutorial's sigmoid(mm(x, w.view(K, 1)) + b)
//===----------------------------------------------------------------------===//

// The [1, K] weight the column was viewed from is the linear's weight.
// CHECK-LABEL: func.func @tutorial_view
// CHECK-SAME: (%[[X:.+]]: tensor<?x7xf32>)
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, -1.000000e+00, 2.500000e-01, 2.000000e+00, -7.500000e-01, 1.500000e+00, -5.000000e-01]]> : tensor<1x7xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<1.250000e-01> : tensor<1xf32>
// CHECK: %[[Y:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation sigmoid>} : (tensor<?x7xf32>, tensor<1x7xf32>, tensor<1xf32>) -> tensor<?x1xf32>
// CHECK-NOT: soma.reshape
// CHECK-NOT: soma.matmul
// CHECK: return %[[Y]]
func.func @tutorial_view(%features: tensor<?x7xf32>) -> tensor<?x1xf32> {
  %weights = arith.constant dense<[[0.5, -1.0, 0.25, 2.0, -0.75, 1.5, -0.5]]> : tensor<1x7xf32>
  %bias = arith.constant dense<[[0.125]]> : tensor<1x1xf32>
  %column = soma.reshape %weights {shape = array<i64: 7, 1>} : (tensor<1x7xf32>) -> tensor<7x1xf32>
  %product = soma.matmul %features, %column : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  %logit = soma.add %product, %bias : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %y = soma.sigmoid %logit : tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// A column viewed from a vector: the vector viewed as a row instead.
// CHECK-LABEL: func.func @vector_view
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[V:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<1xf32>)
// CHECK-NEXT: %[[ROW:.+]] = soma.reshape %[[V]] {shape = array<i64: 1, 4>} : (tensor<4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[ROW]], %[[B]] {activation = #soma<activation sigmoid>}
// CHECK-NEXT: return %[[Y]]
func.func @vector_view(%x: tensor<?x4xf32>, %v: tensor<4xf32>, %b: tensor<1xf32>) -> tensor<?x1xf32> {
  %column = soma.reshape %v {shape = array<i64: 4, 1>} : (tensor<4xf32>) -> tensor<4x1xf32>
  %0 = soma.matmul %x, %column : (tensor<?x4xf32>, tensor<4x1xf32>) -> tensor<?x1xf32>
  %1 = soma.add %0, %b : (tensor<?x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  %2 = soma.sigmoid %1 : tensor<?x1xf32>
  return %2 : tensor<?x1xf32>
}

// A constant column is reshaped into a constant row.
// CHECK-LABEL: func.func @constant_column
// CHECK-SAME: (%[[X:.+]]: tensor<?x2xf32>, %[[B:.+]]: tensor<1xf32>)
// CHECK-NEXT: %[[ROW:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, -1.500000e+00]]> : tensor<1x2xf32>
// CHECK-NEXT: %[[Y:.+]] = soma.linear_activation %[[X]], %[[ROW]], %[[B]] {activation = #soma<activation log_sigmoid>}
// CHECK-NEXT: return %[[Y]]
func.func @constant_column(%x: tensor<?x2xf32>, %b: tensor<1xf32>) -> tensor<?x1xf32> {
  %column = arith.constant dense<[[0.5], [-1.5]]> : tensor<2x1xf32>
  %0 = soma.matmul %x, %column : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %1 = soma.add %0, %b : (tensor<?x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  %2 = soma.log_sigmoid %1 : tensor<?x1xf32>
  return %2 : tensor<?x1xf32>
}

//===----------------------------------------------------------------------===//
// Must stay unfused
//===----------------------------------------------------------------------===//

// The pre-activation value is also returned.
// CHECK-LABEL: func.func @linear_used_twice
// CHECK-NEXT: %[[L:.+]] = soma.linear
// CHECK-NEXT: %[[S:.+]] = soma.sigmoid %[[L]]
// CHECK-NEXT: return %[[S]], %[[L]]
func.func @linear_used_twice(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.linear %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %1 = soma.sigmoid %0 : tensor<?x3xf32>
  return %1, %0 : tensor<?x3xf32>, tensor<?x3xf32>
}

// Two activations of one linear: neither fuses.
// CHECK-LABEL: func.func @linear_two_activations
// CHECK-NOT: soma.linear_activation
// CHECK: %[[L:.+]] = soma.linear
// CHECK-NEXT: soma.relu %[[L]]
// CHECK-NEXT: soma.tanh %[[L]]
func.func @linear_two_activations(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.linear %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  %1 = soma.relu %0 : tensor<?x3xf32>
  %2 = soma.tanh %0 : tensor<?x3xf32>
  return %1, %2 : tensor<?x3xf32>, tensor<?x3xf32>
}

// The product has another user.
// CHECK-LABEL: func.func @product_used_twice
// CHECK-NOT: soma.linear
// CHECK: %[[P:.+]] = soma.matmul
// CHECK-NEXT: %[[S:.+]] = soma.add %[[P]]
// CHECK-NEXT: %[[R:.+]] = soma.relu %[[S]]
// CHECK-NEXT: return %[[R]], %[[P]]
func.func @product_used_twice(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.relu %1 : tensor<?x3xf32>
  return %2, %0 : tensor<?x3xf32>, tensor<?x3xf32>
}

// The sum has another user.
// CHECK-LABEL: func.func @sum_used_twice
// CHECK-NOT: soma.linear
// CHECK: %[[P:.+]] = soma.matmul
// CHECK-NEXT: %[[S:.+]] = soma.add %[[P]]
// CHECK-NEXT: %[[R:.+]] = soma.relu %[[S]]
// CHECK-NEXT: return %[[R]], %[[S]]
func.func @sum_used_twice(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.relu %1 : tensor<?x3xf32>
  return %2, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}

// A bias per element [M, N], per row [M, 1], or one scalar for every
// column: not a linear's bias.
// CHECK-LABEL: func.func @bias_not_along_columns
// CHECK-NOT: soma.linear
// CHECK: soma.matmul
// CHECK-NEXT: soma.add %{{.+}} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: soma.sigmoid
// CHECK-NEXT: soma.matmul
// CHECK-NEXT: soma.add %{{.+}} : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: soma.sigmoid
// CHECK-NEXT: soma.matmul
// CHECK-NEXT: soma.add %{{.+}} : (tensor<4x3xf32>, tensor<1xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: soma.sigmoid
func.func @bias_not_along_columns(%x: tensor<4x2xf32>, %w: tensor<2x3xf32>, %full: tensor<4x3xf32>, %rows: tensor<4x1xf32>, %scalar: tensor<1xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = soma.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %1 = soma.add %0, %full : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = soma.sigmoid %1 : tensor<4x3xf32>
  %3 = soma.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %4 = soma.add %3, %rows : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %5 = soma.sigmoid %4 : tensor<4x3xf32>
  %6 = soma.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %7 = soma.add %6, %scalar : (tensor<4x3xf32>, tensor<1xf32>) -> tensor<4x3xf32>
  %8 = soma.sigmoid %7 : tensor<4x3xf32>
  return %2, %5, %8 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// A bias of higher rank broadcasts the sum beyond the product's type.
// CHECK-LABEL: func.func @sum_type_differs
// CHECK-NOT: soma.linear
// CHECK: soma.matmul
// CHECK-NEXT: soma.add %{{.+}} : (tensor<?x3xf32>, tensor<1x1x3xf32>) -> tensor<1x?x3xf32>
// CHECK-NEXT: soma.relu
func.func @sum_type_differs(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>, %b: tensor<1x1x3xf32>) -> tensor<1x?x3xf32> {
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<1x1x3xf32>) -> tensor<1x?x3xf32>
  %2 = soma.relu %1 : tensor<1x?x3xf32>
  return %2 : tensor<1x?x3xf32>
}

// A batched (3-D) weight, or a weight with a dynamic dimension.
// CHECK-LABEL: func.func @weight_not_static_2d
// CHECK-NOT: soma.linear
// CHECK: soma.matmul %{{.+}} : (tensor<2x4x2xf32>, tensor<2x2x3xf32>) -> tensor<2x4x3xf32>
// CHECK: soma.matmul %{{.+}} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
func.func @weight_not_static_2d(%x: tensor<2x4x2xf32>, %w: tensor<2x2x3xf32>, %y: tensor<?x2xf32>, %v: tensor<?x3xf32>, %b: tensor<3xf32>) -> (tensor<2x4x3xf32>, tensor<?x3xf32>) {
  %0 = soma.matmul %x, %w : (tensor<2x4x2xf32>, tensor<2x2x3xf32>) -> tensor<2x4x3xf32>
  %1 = soma.add %0, %b : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  %2 = soma.relu %1 : tensor<2x4x3xf32>
  %3 = soma.matmul %y, %v : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %4 = soma.add %3, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.relu %4 : tensor<?x3xf32>
  return %2, %5 : tensor<2x4x3xf32>, tensor<?x3xf32>
}

// Without an activation, a matmul and an add keep their two roundings, and
// a linear stays a linear; softmax and dropout are not element-wise
// activations a layer fuses.
// CHECK-LABEL: func.func @no_activation
// CHECK-NOT: soma.linear_activation
// CHECK: soma.matmul
// CHECK-NEXT: soma.add
// CHECK-NEXT: soma.linear
// CHECK-NEXT: soma.softmax
// CHECK-NEXT: soma.linear
// CHECK-NEXT: soma.dropout
func.func @no_activation(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>, %v: tensor<3x2xf32>, %b: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = soma.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = soma.add %0, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = soma.linear %x, %v, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = soma.softmax %2 : tensor<?x3xf32>
  %4 = soma.linear %x, %v, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = soma.dropout %4 : tensor<?x3xf32>
  return %1, %3, %5 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// A conv2d followed by an activation becomes one conv2d_activation with the
// convolution's attributes and the activation's parameters (defaults
// spelled out); a convolution with another user stays, and so does a
// conv_transpose2d.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x5x6xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[V:.+]]: tensor<2x3x3x3xf32>)
// CHECK: %[[H:.+]] = soma.conv2d_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_sigmoid>, alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32, padding = array<i64: 1, 1>, stride = array<i64: 2, 1>}
// CHECK: %[[L:.+]] = soma.conv2d_activation %[[X]], %[[W]] {activation = #soma<activation leaky_relu>, dilation = array<i64: 2, 2>, negative_slope = 2.000000e-01 : f32}
// CHECK: %[[C:.+]] = soma.conv2d %[[X]], %[[W]]
// CHECK: soma.silu %[[C]]
// CHECK: %[[T:.+]] = soma.conv_transpose2d
// CHECK: soma.relu %[[T]]
// CHECK: return %[[H]], %[[L]], %{{.+}}, %[[C]], %{{.+}}
func.func @conv2d(%x: tensor<?x2x5x6xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>, %v: tensor<2x3x3x3xf32>) -> (tensor<?x3x3x6xf32>, tensor<?x3x1x2xf32>, tensor<?x3x3x4xf32>, tensor<?x3x3x4xf32>, tensor<?x3x7x8xf32>) {
  %0 = soma.conv2d %x, %w, %b {stride = array<i64: 2, 1>, padding = array<i64: 1, 1>} : (tensor<?x2x5x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x3x6xf32>
  %1 = soma.hard_sigmoid %0 : tensor<?x3x3x6xf32>
  %2 = soma.conv2d %x, %w {dilation = array<i64: 2, 2>} : (tensor<?x2x5x6xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x1x2xf32>
  %3 = soma.leaky_relu %2 {negative_slope = 0.2 : f32} : tensor<?x3x1x2xf32>
  %4 = soma.conv2d %x, %w : (tensor<?x2x5x6xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x3x4xf32>
  %5 = soma.silu %4 : tensor<?x3x3x4xf32>
  %6 = soma.conv_transpose2d %x, %v : (tensor<?x2x5x6xf32>, tensor<2x3x3x3xf32>) -> tensor<?x3x7x8xf32>
  %7 = soma.relu %6 : tensor<?x3x7x8xf32>
  return %1, %3, %5, %4, %7 : tensor<?x3x3x6xf32>, tensor<?x3x1x2xf32>, tensor<?x3x3x4xf32>, tensor<?x3x3x4xf32>, tensor<?x3x7x8xf32>
}

// A batch_norm of a conv2d with constant parameters folds into the
// convolution (s = gamma / sqrt(variance + epsilon) = 1 and 2 here:
// w' = w·s, b' = (b - mean)·s + beta), which then fuses with the relu; with
// a parameter computed at run time the pair stays.
// CHECK-LABEL: func.func @conv2d_batch_norm
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{.+}}1.000000e+00{{.+}}2.000000e+00{{.+}}6.000000e+00{{.+}}-8.000000e+00{{.+}}> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[-7.500000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = soma.conv2d_activation %{{.+}}, %[[W]], %[[B]] {activation = #soma<activation relu>}
// CHECK: %[[C:.+]] = soma.conv2d
// CHECK: %[[N:.+]] = soma.batch_norm %[[C]]
// CHECK: return %[[Y]], %[[N]]
func.func @conv2d_batch_norm(%x: tensor<?x2x4x4xf32>, %m: tensor<2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[-4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.5, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.99999, 0.24999]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.25, 3.0]> : tensor<2xf32>
  %0 = soma.conv2d %x, %w, %b : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %1 = soma.batch_norm %0, %mean, %var, %gamma, %beta : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %2 = soma.relu %1 : tensor<?x2x4x4xf32>
  %3 = soma.conv2d %x, %w, %b : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %4 = soma.batch_norm %3, %m, %var, %gamma, %beta : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %2, %4 : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}
