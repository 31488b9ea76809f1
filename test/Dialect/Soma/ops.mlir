// RUN: soma-opt %s | soma-opt | FileCheck %s
// RUN: soma-opt %s --mlir-print-op-generic | soma-opt | FileCheck %s

// Round trip of every op of SPEC section 3: the custom assembly, then the
// generic form; dynamic batch (`?`) and static shapes; optional operands
// present and absent; attributes at their default (elided when printed) and
// set to other values.

//===----------------------------------------------------------------------===//
// Element-wise activations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @activations
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @activations(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // CHECK: %[[S:.+]] = soma.sigmoid %[[X]] : tensor<?x8xf32>
  %0 = soma.sigmoid %x : tensor<?x8xf32>
  // CHECK: %[[LS:.+]] = soma.log_sigmoid %[[S]] : tensor<?x8xf32>
  %1 = soma.log_sigmoid %0 : tensor<?x8xf32>
  // CHECK: %[[SI:.+]] = soma.silu %[[LS]] : tensor<?x8xf32>
  %2 = soma.silu %1 : tensor<?x8xf32>
  // CHECK: %[[HS:.+]] = soma.hard_swish %[[SI]] : tensor<?x8xf32>
  %3 = soma.hard_swish %2 : tensor<?x8xf32>
  // CHECK: %[[T:.+]] = soma.tanh %[[HS]] : tensor<?x8xf32>
  %4 = soma.tanh %3 : tensor<?x8xf32>
  // CHECK: %[[R:.+]] = soma.relu %[[T]] : tensor<?x8xf32>
  %5 = soma.relu %4 : tensor<?x8xf32>
  // CHECK: return %[[R]] : tensor<?x8xf32>
  return %5 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @activations_static
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
func.func @activations_static(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK: %[[S:.+]] = soma.sigmoid %[[X]] : tensor<2x3x4xf32>
  %0 = soma.sigmoid %x : tensor<2x3x4xf32>
  // CHECK: %[[R:.+]] = soma.relu %[[S]] : tensor<2x3x4xf32>
  %1 = soma.relu %0 : tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// A rank-0 tensor is a valid operand of every element-wise op.
// CHECK-LABEL: func.func @activation_scalar
// CHECK: soma.tanh %{{.+}} : tensor<f32>
func.func @activation_scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = soma.tanh %x : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @hard_sigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @hard_sigmoid(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  // Defaults, implicit and spelled out: both print without attributes.
  // CHECK: soma.hard_sigmoid %[[X]] : tensor<?x8xf32>
  %0 = soma.hard_sigmoid %x : tensor<?x8xf32>
  // CHECK: soma.hard_sigmoid %[[X]] : tensor<?x8xf32>
  %1 = soma.hard_sigmoid %x {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<?x8xf32>
  // ONNX's alpha, PyTorch's beta: only alpha is printed.
  // CHECK: soma.hard_sigmoid %[[X]] {alpha = 2.000000e-01 : f32} : tensor<?x8xf32>
  %2 = soma.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<?x8xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @leaky_relu
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @leaky_relu(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  // CHECK: soma.leaky_relu %[[X]] : tensor<?x8xf32>
  %0 = soma.leaky_relu %x {negative_slope = 0.01 : f32} : tensor<?x8xf32>
  // CHECK: soma.leaky_relu %[[X]] {negative_slope = 2.000000e-01 : f32} : tensor<?x8xf32>
  %1 = soma.leaky_relu %x {negative_slope = 0.2 : f32} : tensor<?x8xf32>
  return %0, %1 : tensor<?x8xf32>, tensor<?x8xf32>
}

// `threshold` and `value` have no default: always printed.
// CHECK-LABEL: func.func @threshold
// CHECK: soma.threshold %{{.+}} {threshold = 0.000000e+00 : f32, value = -1.000000e+00 : f32} : tensor<4xf32>
func.func @threshold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = soma.threshold %x {threshold = 0.0 : f32, value = -1.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @softplus
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @softplus(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  // CHECK: soma.softplus %[[X]] : tensor<?x8xf32>
  %0 = soma.softplus %x : tensor<?x8xf32>
  // CHECK: soma.softplus %[[X]] : tensor<?x8xf32>
  %1 = soma.softplus %x {beta = 1.0 : f32, threshold = 20.0 : f32} : tensor<?x8xf32>
  // A negative beta is allowed; only zero is rejected.
  // CHECK: soma.softplus %[[X]] {beta = -2.000000e+00 : f32, threshold = 1.000000e+01 : f32} : tensor<?x8xf32>
  %2 = soma.softplus %x {beta = -2.0 : f32, threshold = 10.0 : f32} : tensor<?x8xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @dropout(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  // CHECK: soma.dropout %[[X]] : tensor<?x8xf32>
  %0 = soma.dropout %x : tensor<?x8xf32>
  // CHECK: soma.dropout %[[X]] {p = 1.000000e-01 : f32} : tensor<?x8xf32>
  %1 = soma.dropout %x {p = 0.1 : f32} : tensor<?x8xf32>
  // Both ends of [0, 1] are valid.
  // CHECK: soma.dropout %[[X]] {p = 0.000000e+00 : f32} : tensor<?x8xf32>
  %2 = soma.dropout %x {p = 0.0 : f32} : tensor<?x8xf32>
  // CHECK: soma.dropout %[[X]] {p = 1.000000e+00 : f32} : tensor<?x8xf32>
  %3 = soma.dropout %x {p = 1.0 : f32} : tensor<?x8xf32>
  return %0, %1, %2, %3 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

//===----------------------------------------------------------------------===//
// Broadcasting arithmetic
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @arith
// CHECK-SAME: (%[[A:.+]]: tensor<?x4x8xf32>, %[[B:.+]]: tensor<8xf32>, %[[C:.+]]: tensor<?x1x8xf32>)
func.func @arith(%a: tensor<?x4x8xf32>, %b: tensor<8xf32>, %c: tensor<?x1x8xf32>) -> tensor<?x4x8xf32> {
  // CHECK: %[[ADD:.+]] = soma.add %[[A]], %[[B]] : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  %0 = soma.add %a, %b : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[SUB:.+]] = soma.sub %[[ADD]], %[[C]] : (tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  %1 = soma.sub %0, %c : (tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[MUL:.+]] = soma.mul %[[B]], %[[SUB]] : (tensor<8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %2 = soma.mul %b, %1 : (tensor<8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[DIV:.+]] = soma.div %[[MUL]], %[[A]] : (tensor<?x4x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %3 = soma.div %2, %a : (tensor<?x4x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: return %[[DIV]]
  return %3 : tensor<?x4x8xf32>
}

// CHECK-LABEL: func.func @arith_static
// CHECK: soma.add %{{.+}}, %{{.+}} : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
// CHECK: soma.mul %{{.+}}, %{{.+}} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
func.func @arith_static(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>, %s: tensor<f32>) -> tensor<3x4xf32> {
  %0 = soma.add %a, %b : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %1 = soma.mul %0, %s : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.+]]: tensor<?x7xf32>, %[[W:.+]]: tensor<7x1xf32>, %[[A:.+]]: tensor<3x4x5xf32>, %[[B:.+]]: tensor<3x5x6xf32>)
func.func @matmul(%x: tensor<?x7xf32>, %w: tensor<7x1xf32>, %a: tensor<3x4x5xf32>, %b: tensor<3x5x6xf32>) -> (tensor<?x1xf32>, tensor<3x4x6xf32>) {
  // CHECK: soma.matmul %[[X]], %[[W]] : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  %0 = soma.matmul %x, %w : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  // CHECK: soma.matmul %[[A]], %[[B]] : (tensor<3x4x5xf32>, tensor<3x5x6xf32>) -> tensor<3x4x6xf32>
  %1 = soma.matmul %a, %b : (tensor<3x4x5xf32>, tensor<3x5x6xf32>) -> tensor<3x4x6xf32>
  return %0, %1 : tensor<?x1xf32>, tensor<3x4x6xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<?x6xf32>)
func.func @linear(%x: tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  // CHECK-DAG: %[[W:.+]] = arith.constant dense<5.000000e-01> : tensor<2x6xf32>
  // CHECK-DAG: %[[B:.+]] = arith.constant dense<[1.000000e-01, -2.000000e-01]> : tensor<2xf32>
  %w = arith.constant dense<0.5> : tensor<2x6xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  // CHECK: soma.linear %[[X]], %[[W]], %[[B]] : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %0 = soma.linear %x, %w, %b : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear %[[X]], %[[W]] : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  %1 = soma.linear %x, %w : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// F.linear takes any number of leading dimensions, and a 1-D input.
// CHECK-LABEL: func.func @linear_ranks
// CHECK: soma.linear %{{.+}}, %{{.+}} : (tensor<2x3x6xf32>, tensor<4x6xf32>) -> tensor<2x3x4xf32>
// CHECK: soma.linear %{{.+}}, %{{.+}}, %{{.+}} : (tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @linear_ranks(%x: tensor<2x3x6xf32>, %v: tensor<6xf32>, %w: tensor<4x6xf32>, %b: tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<4xf32>) {
  %0 = soma.linear %x, %w : (tensor<2x3x6xf32>, tensor<4x6xf32>) -> tensor<2x3x4xf32>
  %1 = soma.linear %v, %w, %b : (tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3xf32>)
func.func @reduce_sum(%x: tensor<?x2x3xf32>) -> (tensor<f32>, tensor<?x2xf32>, tensor<?x1x3xf32>, tensor<?x1x1xf32>) {
  // Empty `dims` (the default) sums everything.
  // CHECK: soma.reduce_sum %[[X]] : (tensor<?x2x3xf32>) -> tensor<f32>
  %0 = soma.reduce_sum %x : (tensor<?x2x3xf32>) -> tensor<f32>
  // CHECK: soma.reduce_sum %[[X]] {dims = array<i64: -1>} : (tensor<?x2x3xf32>) -> tensor<?x2xf32>
  %1 = soma.reduce_sum %x {dims = array<i64: -1>, keepdim = false} : (tensor<?x2x3xf32>) -> tensor<?x2xf32>
  // CHECK: soma.reduce_sum %[[X]] {dims = array<i64: 1>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<?x1x3xf32>
  %2 = soma.reduce_sum %x {dims = array<i64: 1>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<?x1x3xf32>
  // CHECK: soma.reduce_sum %[[X]] {dims = array<i64: 2, 1>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<?x1x1xf32>
  %3 = soma.reduce_sum %x {dims = array<i64: 2, 1>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<?x1x1xf32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<?x2xf32>, tensor<?x1x3xf32>, tensor<?x1x1xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @softmax(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  // CHECK: soma.softmax %[[X]] : tensor<?x8xf32>
  %0 = soma.softmax %x : tensor<?x8xf32>
  // CHECK: soma.softmax %[[X]] {dim = 0 : i64} : tensor<?x8xf32>
  %1 = soma.softmax %x {dim = 0 : i64} : tensor<?x8xf32>
  // CHECK: soma.log_softmax %[[X]] : tensor<?x8xf32>
  %2 = soma.log_softmax %x {dim = -1 : i64} : tensor<?x8xf32>
  // CHECK: soma.log_softmax %[[X]] {dim = 1 : i64} : tensor<?x8xf32>
  %3 = soma.log_softmax %x {dim = 1 : i64} : tensor<?x8xf32>
  return %0, %1, %2, %3 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x5x5xf32>, %[[M:.+]]: tensor<4xf32>, %[[V:.+]]: tensor<4xf32>, %[[G:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<2x4xf32>)
func.func @batch_norm(%x: tensor<?x4x5x5xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %y: tensor<2x4xf32>) -> (tensor<?x4x5x5xf32>, tensor<2x4xf32>) {
  // CHECK: soma.batch_norm %[[X]], %[[M]], %[[V]], %[[G]], %[[B]] : (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32>
  %0 = soma.batch_norm %x, %m, %v, %g, %b : (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32>
  // An [N, C] input, as nn.BatchNorm1d.
  // CHECK: soma.batch_norm %[[Y]], %[[M]], %[[V]], %[[G]], %[[B]] {epsilon = 1.000000e-03 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = soma.batch_norm %y, %m, %v, %g, %b {epsilon = 1.0e-3 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<?x4x5x5xf32>, tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @shapes
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3x4xf32>)
func.func @shapes(%x: tensor<?x2x3x4xf32>) -> (tensor<?x12x2xf32>, tensor<?x24xf32>, tensor<?x6x4xf32>, tensor<?x4x2x3xf32>) {
  // CHECK: soma.reshape %[[X]] {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  %0 = soma.reshape %x {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  // CHECK: soma.flatten %[[X]] : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  %1 = soma.flatten %x {start_dim = 1 : i64, end_dim = -1 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  // CHECK: soma.flatten %[[X]] {end_dim = 2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x6x4xf32>
  %2 = soma.flatten %x {end_dim = 2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x6x4xf32>
  // CHECK: soma.transpose %[[X]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x4x2x3xf32>
  %3 = soma.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x4x2x3xf32>
  return %0, %1, %2, %3 : tensor<?x12x2xf32>, tensor<?x24xf32>, tensor<?x6x4xf32>, tensor<?x4x2x3xf32>
}

// CHECK-LABEL: func.func @shapes_static
// CHECK: soma.reshape %{{.+}} {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
// CHECK: soma.flatten %{{.+}} {start_dim = 0 : i64} : (tensor<2x6xf32>) -> tensor<12xf32>
// CHECK: soma.transpose %{{.+}} {perm = array<i64: 1, 0>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
func.func @shapes_static(%x: tensor<2x6xf32>) -> (tensor<3x4xf32>, tensor<12xf32>, tensor<6x2xf32>) {
  %0 = soma.reshape %x {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
  %1 = soma.flatten %x {start_dim = 0 : i64} : (tensor<2x6xf32>) -> tensor<12xf32>
  %2 = soma.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
  return %0, %1, %2 : tensor<3x4xf32>, tensor<12xf32>, tensor<6x2xf32>
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>, %[[WG:.+]]: tensor<6x1x3x3xf32>, %[[BG:.+]]: tensor<6xf32>)
func.func @conv2d(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %wg: tensor<6x1x3x3xf32>, %bg: tensor<6xf32>) -> (tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>, tensor<?x6x4x4xf32>) {
  // Defaults, implicit and spelled out: no attributes printed.
  // CHECK: soma.conv2d %[[X]], %[[W]], %[[B]] : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %0 = soma.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  // CHECK: soma.conv2d %[[X]], %[[W]] : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %1 = soma.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  // Depthwise: (8 + 2 * 2 - 2 * (3 - 1) - 1) / 2 + 1 = 4 high,
  // (8 + 2 * 1 - 1 * (3 - 1) - 1) / 2 + 1 = 4 wide.
  // CHECK: soma.conv2d %[[X]], %[[WG]], %[[BG]] {dilation = array<i64: 2, 1>, groups = 3 : i64, padding = array<i64: 2, 1>, stride = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<?x6x4x4xf32>
  %2 = soma.conv2d %x, %wg, %bg {stride = array<i64: 2, 2>, padding = array<i64: 2, 1>, dilation = array<i64: 2, 1>, groups = 3 : i64} : (tensor<?x3x8x8xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<?x6x4x4xf32>
  return %0, %1, %2 : tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>, tensor<?x6x4x4xf32>
}

// CHECK-LABEL: func.func @conv_transpose2d
// CHECK-SAME: (%[[X:.+]]: tensor<?x8x4x4xf32>, %[[W:.+]]: tensor<8x4x2x2xf32>, %[[B:.+]]: tensor<4xf32>, %[[WG:.+]]: tensor<8x2x3x3xf32>, %[[BG:.+]]: tensor<8xf32>)
func.func @conv_transpose2d(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x2xf32>, %b: tensor<4xf32>, %wg: tensor<8x2x3x3xf32>, %bg: tensor<8xf32>) -> (tensor<?x4x5x5xf32>, tensor<?x4x8x8xf32>, tensor<?x8x10x10xf32>) {
  // CHECK: soma.conv_transpose2d %[[X]], %[[W]] : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32>
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32>
  // CHECK: soma.conv_transpose2d %[[X]], %[[W]], %[[B]] {stride = array<i64: 2, 2>} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %1 = soma.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  // (4 - 1) * 2 - 2 * 1 + 2 * (3 - 1) + 1 + 1 = 10 high,
  // (4 - 1) * 3 - 2 * 1 + 1 * (3 - 1) + 0 + 1 = 10 wide, 2 * 4 = 8 channels.
  // CHECK: soma.conv_transpose2d %[[X]], %[[WG]], %[[BG]] {dilation = array<i64: 2, 1>, groups = 4 : i64, output_padding = array<i64: 1, 0>, padding = array<i64: 1, 1>, stride = array<i64: 2, 3>} : (tensor<?x8x4x4xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<?x8x10x10xf32>
  %2 = soma.conv_transpose2d %x, %wg, %bg {stride = array<i64: 2, 3>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, dilation = array<i64: 2, 1>, groups = 4 : i64} : (tensor<?x8x4x4xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<?x8x10x10xf32>
  return %0, %1, %2 : tensor<?x4x5x5xf32>, tensor<?x4x8x8xf32>, tensor<?x8x10x10xf32>
}

// CHECK-LABEL: func.func @pool2d
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x10x10xf32>)
func.func @pool2d(%x: tensor<?x4x10x10xf32>) -> (tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>, tensor<?x4x5x5xf32>, tensor<?x4x10x10xf32>) {
  // `stride` absent: it is the kernel size.
  // CHECK: soma.max_pool2d %[[X]] {kernel_size = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  // CHECK: soma.max_pool2d %[[X]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 0>, stride = array<i64: 3, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x4x4xf32>
  %1 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 3, 2>, padding = array<i64: 1, 0>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: soma.avg_pool2d %[[X]] {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  %2 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, count_include_pad = true} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  // CHECK: soma.avg_pool2d %[[X]] {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x10x10xf32>
  %3 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<?x4x10x10xf32>) -> tensor<?x4x10x10xf32>
  return %0, %1, %2, %3 : tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>, tensor<?x4x5x5xf32>, tensor<?x4x10x10xf32>
}

//===----------------------------------------------------------------------===//
// The generic form, as tests outside the project write it (SPEC section 3)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @generic_unary
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
func.func @generic_unary(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // CHECK: %[[V0:.+]] = soma.sigmoid %[[X]] : tensor<?x8xf32>
  %0 = "soma.sigmoid"(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V1:.+]] = soma.log_sigmoid %[[V0]] : tensor<?x8xf32>
  %1 = "soma.log_sigmoid"(%0) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V2:.+]] = soma.hard_sigmoid %[[V1]] : tensor<?x8xf32>
  %2 = "soma.hard_sigmoid"(%1) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V3:.+]] = soma.hard_sigmoid %[[V2]] {alpha = 2.000000e-01 : f32} : tensor<?x8xf32>
  %3 = "soma.hard_sigmoid"(%2) {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V4:.+]] = soma.silu %[[V3]] : tensor<?x8xf32>
  %4 = "soma.silu"(%3) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V5:.+]] = soma.hard_swish %[[V4]] : tensor<?x8xf32>
  %5 = "soma.hard_swish"(%4) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V6:.+]] = soma.tanh %[[V5]] : tensor<?x8xf32>
  %6 = "soma.tanh"(%5) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V7:.+]] = soma.relu %[[V6]] : tensor<?x8xf32>
  %7 = "soma.relu"(%6) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V8:.+]] = soma.leaky_relu %[[V7]] {negative_slope = 2.000000e-01 : f32} : tensor<?x8xf32>
  %8 = "soma.leaky_relu"(%7) {negative_slope = 0.2 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V9:.+]] = soma.threshold %[[V8]] {threshold = 0.000000e+00 : f32, value = 9.99999974E-6 : f32} : tensor<?x8xf32>
  %9 = "soma.threshold"(%8) {threshold = 0.0 : f32, value = 1.0e-05 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V10:.+]] = soma.softplus %[[V9]] : tensor<?x8xf32>
  %10 = "soma.softplus"(%9) {beta = 1.0 : f32, threshold = 20.0 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V11:.+]] = soma.dropout %[[V10]] {p = 1.000000e-01 : f32} : tensor<?x8xf32>
  %11 = "soma.dropout"(%10) {p = 0.1 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V12:.+]] = soma.softmax %[[V11]] {dim = 1 : i64} : tensor<?x8xf32>
  %12 = "soma.softmax"(%11) {dim = 1 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[V13:.+]] = soma.log_softmax %[[V12]] : tensor<?x8xf32>
  %13 = "soma.log_softmax"(%12) {dim = -1 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: return %[[V13]]
  return %13 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @generic_binary
// CHECK-SAME: (%[[A:.+]]: tensor<?x4x8xf32>, %[[B:.+]]: tensor<8xf32>, %[[C:.+]]: tensor<?x1x8xf32>)
func.func @generic_binary(%a: tensor<?x4x8xf32>, %b: tensor<8xf32>, %c: tensor<?x1x8xf32>) -> tensor<?x4x8xf32> {
  // CHECK: %[[V0:.+]] = soma.add %[[A]], %[[B]] : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  %0 = "soma.add"(%a, %b) : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[V1:.+]] = soma.sub %[[V0]], %[[C]] : (tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  %1 = "soma.sub"(%0, %c) : (tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[V2:.+]] = soma.mul %[[V1]], %[[B]] : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  %2 = "soma.mul"(%1, %b) : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  // CHECK: %[[V3:.+]] = soma.div %[[V2]], %[[A]] : (tensor<?x4x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %3 = "soma.div"(%2, %a) : (tensor<?x4x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: return %[[V3]]
  return %3 : tensor<?x4x8xf32>
}

// CHECK-LABEL: func.func @generic_linear
// CHECK-SAME: (%[[X:.+]]: tensor<?x6xf32>, %[[W:.+]]: tensor<2x6xf32>, %[[B:.+]]: tensor<2xf32>, %[[WT:.+]]: tensor<6x2xf32>)
func.func @generic_linear(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>, %b: tensor<2xf32>, %wt: tensor<6x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
  // CHECK: soma.linear %[[X]], %[[W]], %[[B]] : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %0 = "soma.linear"(%x, %w, %b) : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear %[[X]], %[[W]] : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  %1 = "soma.linear"(%x, %w) : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  // CHECK: soma.matmul %[[X]], %[[WT]] : (tensor<?x6xf32>, tensor<6x2xf32>) -> tensor<?x2xf32>
  %2 = "soma.matmul"(%x, %wt) : (tensor<?x6xf32>, tensor<6x2xf32>) -> tensor<?x2xf32>
  return %0, %1, %2 : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @generic_shapes
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3x4xf32>)
func.func @generic_shapes(%x: tensor<?x2x3x4xf32>) -> (tensor<?x24xf32>, tensor<?x12x2xf32>, tensor<?x4x2x3xf32>, tensor<?x1xf32>, tensor<?x2x4xf32>) {
  // CHECK: %[[F:.+]] = soma.flatten %[[X]] : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  %0 = "soma.flatten"(%x) {start_dim = 1 : i64, end_dim = -1 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  // CHECK: soma.reshape %[[X]] {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  %1 = "soma.reshape"(%x) {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  // CHECK: soma.transpose %[[X]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x4x2x3xf32>
  %2 = "soma.transpose"(%x) {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x4x2x3xf32>
  // CHECK: soma.reduce_sum %[[F]] {dims = array<i64: 1>, keepdim = true} : (tensor<?x24xf32>) -> tensor<?x1xf32>
  %3 = "soma.reduce_sum"(%0) {dims = array<i64: 1>, keepdim = true} : (tensor<?x24xf32>) -> tensor<?x1xf32>
  // CHECK: soma.reduce_sum %[[X]] {dims = array<i64: 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x2x4xf32>
  %4 = "soma.reduce_sum"(%x) {dims = array<i64: 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x2x4xf32>
  return %0, %1, %2, %3, %4 : tensor<?x24xf32>, tensor<?x12x2xf32>, tensor<?x4x2x3xf32>, tensor<?x1xf32>, tensor<?x2x4xf32>
}

// CHECK-LABEL: func.func @generic_conv
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>, %[[D:.+]]: tensor<?x8x4x4xf32>, %[[DW:.+]]: tensor<8x4x2x2xf32>)
func.func @generic_conv(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %d: tensor<?x8x4x4xf32>, %dw: tensor<8x4x2x2xf32>) -> (tensor<?x4x10x10xf32>, tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) {
  // CHECK: %[[C:.+]] = soma.conv2d %[[X]], %[[W]], %[[B]] {padding = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x10x10xf32>
  %0 = "soma.conv2d"(%x, %w, %b) {stride = array<i64: 1, 1>, padding = array<i64: 2, 2>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x10x10xf32>
  // CHECK: %[[N:.+]] = soma.batch_norm %[[C]], %[[B]], %[[B]], %[[B]], %[[B]] : (tensor<?x4x10x10xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x10x10xf32>
  %1 = "soma.batch_norm"(%0, %b, %b, %b, %b) {epsilon = 1.0e-05 : f32} : (tensor<?x4x10x10xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x10x10xf32>
  // CHECK: soma.max_pool2d %[[N]] {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  %2 = "soma.max_pool2d"(%1) {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x5x5xf32>
  // CHECK: soma.avg_pool2d %[[N]] {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x4x4xf32>
  %3 = "soma.avg_pool2d"(%1) {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<?x4x10x10xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: soma.conv_transpose2d %[[D]], %[[DW]] {stride = array<i64: 2, 2>} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x8x8xf32>
  %4 = "soma.conv_transpose2d"(%d, %dw) {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x8x8xf32>
  return %1, %2, %3, %4 : tensor<?x4x10x10xf32>, tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>
}

//===----------------------------------------------------------------------===//
// Fused layers
//===----------------------------------------------------------------------===//

// Every activation, with and without a bias; parameters under their own
// names, in the custom form and the generic one.
// CHECK-LABEL: func.func @linear_activation
// CHECK-SAME: (%[[X:.+]]: tensor<?x6xf32>, %[[W:.+]]: tensor<2x6xf32>, %[[B:.+]]: tensor<2xf32>)
func.func @linear_activation(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>, %b: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation sigmoid>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation sigmoid>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]] {activation = #soma<activation log_sigmoid>} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  %1 = soma.linear_activation %x, %w {activation = #soma<activation log_sigmoid>} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_sigmoid>, alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
  %2 = soma.linear_activation %x, %w, %b {activation = #soma<activation hard_sigmoid>, alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation silu>}
  %3 = soma.linear_activation %x, %w, %b {activation = #soma<activation silu>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation hard_swish>}
  %4 = soma.linear_activation %x, %w, %b {activation = #soma<activation hard_swish>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation tanh>}
  %5 = "soma.linear_activation"(%x, %w, %b) {activation = #soma<activation tanh>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]] {activation = #soma<activation relu>}
  %6 = "soma.linear_activation"(%x, %w) <{activation = #soma<activation relu>}> : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation leaky_relu>, negative_slope = 0.00999999977 : f32}
  %7 = soma.linear_activation %x, %w, %b {activation = #soma<activation leaky_relu>, negative_slope = 0.01 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation threshold>, threshold = 5.000000e-01 : f32, value = -2.000000e+00 : f32}
  %8 = soma.linear_activation %x, %w, %b {value = -2.0 : f32, activation = #soma<activation threshold>, threshold = 0.5 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation softplus>, beta = 1.000000e+00 : f32, threshold = 2.000000e+01 : f32}
  %9 = soma.linear_activation %x, %w, %b {activation = #soma<activation softplus>, beta = 1.0 : f32, threshold = 20.0 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation softplus>, beta = -2.000000e+00 : f32, threshold = 5.000000e+00 : f32}
  %10 = soma.linear_activation %x, %w, %b {activation = #soma<activation softplus>, beta = -2.0 : f32, threshold = 5.0 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

// The shape rule of soma.linear: any number of leading dimensions, a 1-D
// input, static shapes.
// CHECK-LABEL: func.func @linear_activation_ranks
// CHECK: soma.linear_activation %{{.+}}, %{{.+}} {activation = #soma<activation relu>} : (tensor<2x3x6xf32>, tensor<4x6xf32>) -> tensor<2x3x4xf32>
// CHECK: soma.linear_activation %{{.+}}, %{{.+}}, %{{.+}} {activation = #soma<activation tanh>} : (tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @linear_activation_ranks(%x: tensor<2x3x6xf32>, %v: tensor<6xf32>, %w: tensor<4x6xf32>, %b: tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<4xf32>) {
  %0 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<2x3x6xf32>, tensor<4x6xf32>) -> tensor<2x3x4xf32>
  %1 = soma.linear_activation %v, %w, %b {activation = #soma<activation tanh>} : (tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<4xf32>
}
