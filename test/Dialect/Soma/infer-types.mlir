// RUN: soma-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Result types of the soma ops, one shape rule at a time. The custom form of
// an element-wise op spells only its operand type: the result type is
// inferred. Every other op spells its result type, and the
// InferTypeOpInterface verifier rejects it unless it is exactly the inferred
// one; so a piece that verifies (and prints) proves the inference, and a
// piece with a deliberately wrong result type (tensor<1xf32>) shows in its
// diagnostic what was inferred.

// CHECK-LABEL: func.func @activation_result
// CHECK-SAME: -> (tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK: soma.hard_swish %{{.+}} : tensor<?x8xf32>
// CHECK: soma.softmax %{{.+}} {dim = 0 : i64} : tensor<?x8xf32>
func.func @activation_result(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %0 = soma.hard_swish %x : tensor<?x8xf32>
  %1 = soma.softmax %0 {dim = 0 : i64} : tensor<?x8xf32>
  return %0, %1 : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%a: tensor<?x4x8xf32>, %b: tensor<8xf32>, %c: tensor<?x1x8xf32>, %d: tensor<3x1xf32>, %e: tensor<?x4xf32>, %f: tensor<3x4xf32>, %g: tensor<?x1xf32>, %s: tensor<f32>, %z: tensor<0x4xf32>, %o: tensor<1x4xf32>) {
  // Trailing alignment; a missing leading dimension is 1.
  // CHECK: (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  %0 = soma.add %a, %b : (tensor<?x4x8xf32>, tensor<8xf32>) -> tensor<?x4x8xf32>
  // 1 stretches on either side.
  // CHECK: (tensor<?x1x8xf32>, tensor<3x1xf32>) -> tensor<?x3x8xf32>
  %1 = soma.sub %c, %d : (tensor<?x1x8xf32>, tensor<3x1xf32>) -> tensor<?x3x8xf32>
  // `?` against a static size other than 1 must be 1 or that size: static.
  // CHECK: (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = soma.mul %e, %f : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // `?` against 1 stays `?`, in either order.
  // CHECK: (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %3 = soma.div %e, %g : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  // CHECK: (tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %4 = soma.div %g, %e : (tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // A scalar broadcasts to anything.
  // CHECK: (tensor<f32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %5 = soma.add %s, %a : (tensor<f32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  // 1 stretches to 0 as well.
  // CHECK: (tensor<0x4xf32>, tensor<1x4xf32>) -> tensor<0x4xf32>
  %6 = soma.add %z, %o : (tensor<0x4xf32>, tensor<1x4xf32>) -> tensor<0x4xf32>
  return
}

// -----

func.func @broadcast_shown(%c: tensor<?x1x8xf32>, %d: tensor<3x1xf32>) {
  // expected-error @+2 {{'soma.add' op inferred type(s) 'tensor<?x3x8xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.add"(%c, %d) : (tensor<?x1x8xf32>, tensor<3x1xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @broadcast_dynamic_meets_static(%e: tensor<?x4xf32>, %f: tensor<3x4xf32>) {
  // expected-error @+2 {{'soma.add' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<?x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.add"(%e, %f) : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// matmul: 1-D promotion, batch broadcasting
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
func.func @matmul(%v: tensor<4xf32>, %m: tensor<4x5xf32>, %n: tensor<3x4xf32>, %x: tensor<?x3x4xf32>, %b: tensor<2x4x5xf32>, %p: tensor<2x1x3x4xf32>, %q: tensor<6x4x5xf32>, %y: tensor<?x7xf32>, %w: tensor<7x1xf32>) {
  // vector . vector: a scalar.
  // CHECK: (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %0 = soma.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  // vector . matrix: the prepended 1 is removed.
  // CHECK: (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  %1 = soma.matmul %v, %m : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  // matrix . vector: the appended 1 is removed.
  // CHECK: (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3xf32>
  %2 = soma.matmul %n, %v : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3xf32>
  // CHECK: (tensor<?x3x4xf32>, tensor<4xf32>) -> tensor<?x3xf32>
  %3 = soma.matmul %x, %v : (tensor<?x3x4xf32>, tensor<4xf32>) -> tensor<?x3xf32>
  // CHECK: (tensor<4xf32>, tensor<2x4x5xf32>) -> tensor<2x5xf32>
  %4 = soma.matmul %v, %b : (tensor<4xf32>, tensor<2x4x5xf32>) -> tensor<2x5xf32>
  // Batched: the batch dimensions broadcast.
  // CHECK: (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  %5 = soma.matmul %x, %m : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  // CHECK: (tensor<2x1x3x4xf32>, tensor<6x4x5xf32>) -> tensor<2x6x3x5xf32>
  %6 = soma.matmul %p, %q : (tensor<2x1x3x4xf32>, tensor<6x4x5xf32>) -> tensor<2x6x3x5xf32>
  // CHECK: (tensor<?x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %7 = soma.matmul %x, %b : (tensor<?x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  %8 = soma.matmul %y, %w : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  return
}

// -----

func.func @matmul_vector_vector_shown(%v: tensor<4xf32>) {
  // expected-error @+2 {{'soma.matmul' op inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.matmul"(%v, %v) : (tensor<4xf32>, tensor<4xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @matmul_batch_shown(%p: tensor<2x1x3x4xf32>, %q: tensor<6x4x5xf32>) {
  // expected-error @+2 {{'soma.matmul' op inferred type(s) 'tensor<2x6x3x5xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.matmul"(%p, %q) : (tensor<2x1x3x4xf32>, tensor<6x4x5xf32>) -> tensor<1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<?x6xf32>, %x3: tensor<?x3x6xf32>, %v: tensor<6xf32>, %w: tensor<2x6xf32>, %b: tensor<2xf32>, %k: tensor<?x?xf32>) {
  // CHECK: (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %0 = soma.linear %x, %w, %b : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: (tensor<?x3x6xf32>, tensor<2x6xf32>) -> tensor<?x3x2xf32>
  %1 = soma.linear %x3, %w : (tensor<?x3x6xf32>, tensor<2x6xf32>) -> tensor<?x3x2xf32>
  // CHECK: (tensor<6xf32>, tensor<2x6xf32>) -> tensor<2xf32>
  %2 = soma.linear %v, %w : (tensor<6xf32>, tensor<2x6xf32>) -> tensor<2xf32>
  // A dynamic K matches any weight.
  // CHECK: (tensor<?x?xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  %3 = soma.linear %k, %w : (tensor<?x?xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @linear_shown(%x3: tensor<?x3x6xf32>, %w: tensor<2x6xf32>) {
  // expected-error @+2 {{'soma.linear' op inferred type(s) 'tensor<?x3x2xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.linear"(%x3, %w) : (tensor<?x3x6xf32>, tensor<2x6xf32>) -> tensor<1xf32>
  return
}

// -----

// The dynamic-batch case of invalid.mlir's linear_k_mismatch, with K right.
// CHECK-LABEL: func.func @linear_dynamic_batch_k
// CHECK: soma.linear {{.+}} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
func.func @linear_dynamic_batch_k(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  %0 = "soma.linear"(%x, %w) : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// reduce_sum, batch_norm
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reduce_sum
func.func @reduce_sum(%x: tensor<?x2x3xf32>, %s: tensor<f32>) {
  // CHECK: (tensor<?x2x3xf32>) -> tensor<f32>
  %0 = soma.reduce_sum %x : (tensor<?x2x3xf32>) -> tensor<f32>
  // CHECK: (tensor<?x2x3xf32>) -> tensor<1x1x1xf32>
  %1 = soma.reduce_sum %x {keepdim = true} : (tensor<?x2x3xf32>) -> tensor<1x1x1xf32>
  // CHECK: (tensor<?x2x3xf32>) -> tensor<2xf32>
  %2 = soma.reduce_sum %x {dims = array<i64: 0, -1>} : (tensor<?x2x3xf32>) -> tensor<2xf32>
  // CHECK: (tensor<?x2x3xf32>) -> tensor<?x1x3xf32>
  %3 = soma.reduce_sum %x {dims = array<i64: -2>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<?x1x3xf32>
  // A scalar takes dimension 0 or -1, as in torch.sum.
  // CHECK: (tensor<f32>) -> tensor<f32>
  %4 = soma.reduce_sum %s {dims = array<i64: -1>} : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @reduce_sum_shown(%x: tensor<?x2x3xf32>) {
  // expected-error @+2 {{'soma.reduce_sum' op inferred type(s) 'tensor<?x1x3xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.reduce_sum"(%x) {dims = array<i64: -2>, keepdim = true} : (tensor<?x2x3xf32>) -> tensor<1xf32>
  return
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK: -> tensor<?x?x5xf32>
func.func @batch_norm(%x: tensor<?x?x5xf32>, %p: tensor<4xf32>) -> tensor<?x?x5xf32> {
  // Dynamic channels match any parameter size.
  %0 = soma.batch_norm %x, %p, %p, %p, %p : (tensor<?x?x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x?x5xf32>
  return %0 : tensor<?x?x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// reshape, flatten, transpose
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x2x3x4xf32>, %y: tensor<2x6xf32>, %e: tensor<0x3xf32>, %o: tensor<?x1xf32>) {
  // The -1 next to a dynamic batch is dynamic.
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  %0 = soma.reshape %x {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<?x12x2xf32>
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<2x?xf32>
  %1 = soma.reshape %x {shape = array<i64: 2, -1>} : (tensor<?x2x3x4xf32>) -> tensor<2x?xf32>
  // On a static input the -1 is computed.
  // CHECK: (tensor<2x6xf32>) -> tensor<3x4xf32>
  %2 = soma.reshape %y {shape = array<i64: -1, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
  // CHECK: (tensor<2x6xf32>) -> tensor<12xf32>
  %3 = soma.reshape %y {shape = array<i64: -1>} : (tensor<2x6xf32>) -> tensor<12xf32>
  // Without -1 the result is static; the batch must fit it at run time.
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<48xf32>
  %4 = soma.reshape %x {shape = array<i64: 48>} : (tensor<?x2x3x4xf32>) -> tensor<48xf32>
  // Zero elements: the -1 is 0.
  // CHECK: (tensor<0x3xf32>) -> tensor<0xf32>
  %5 = soma.reshape %e {shape = array<i64: -1>} : (tensor<0x3xf32>) -> tensor<0xf32>
  // To a scalar: the dynamic batch must be 1.
  // CHECK: (tensor<?x1xf32>) -> tensor<f32>
  %6 = soma.reshape %o {shape = array<i64>} : (tensor<?x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @reshape_dynamic_shown(%x: tensor<?x2x3x4xf32>) {
  // expected-error @+2 {{'soma.reshape' op inferred type(s) 'tensor<?x12x2xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.reshape"(%x) {shape = array<i64: -1, 12, 2>} : (tensor<?x2x3x4xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @reshape_static_shown(%y: tensor<2x6xf32>) {
  // expected-error @+2 {{'soma.reshape' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<?x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.reshape"(%y) {shape = array<i64: -1, 4>} : (tensor<2x6xf32>) -> tensor<?x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @flatten
func.func @flatten(%x: tensor<?x2x3x4xf32>, %y: tensor<2x?x3xf32>, %s: tensor<f32>) {
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  %0 = soma.flatten %x : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  // Negative dimensions count from the end.
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<?x6x4xf32>
  %1 = soma.flatten %x {start_dim = -3 : i64, end_dim = -2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x6x4xf32>
  // Merging the batch makes the result dynamic.
  // CHECK: (tensor<?x2x3x4xf32>) -> tensor<?x4xf32>
  %2 = soma.flatten %x {start_dim = 0 : i64, end_dim = -2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x4xf32>
  // CHECK: (tensor<2x?x3xf32>) -> tensor<?xf32>
  %3 = soma.flatten %y {start_dim = 0 : i64} : (tensor<2x?x3xf32>) -> tensor<?xf32>
  // A scalar becomes a 1-element vector.
  // CHECK: (tensor<f32>) -> tensor<1xf32>
  %4 = soma.flatten %s {start_dim = -1 : i64} : (tensor<f32>) -> tensor<1xf32>
  return
}

// -----

func.func @flatten_shown(%x: tensor<?x2x3x4xf32>) {
  // expected-error @+2 {{'soma.flatten' op inferred type(s) 'tensor<?x6x4xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.flatten"(%x) {start_dim = -3 : i64, end_dim = -2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<1xf32>
  return
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: (tensor<?x2x3xf32>) -> tensor<3x?x2xf32>
func.func @transpose(%x: tensor<?x2x3xf32>) -> tensor<3x?x2xf32> {
  %0 = soma.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<?x2x3xf32>) -> tensor<3x?x2xf32>
  return %0 : tensor<3x?x2xf32>
}

// -----

func.func @transpose_shown(%x: tensor<?x2x3xf32>) {
  // expected-error @+2 {{'soma.transpose' op inferred type(s) 'tensor<3x?x2xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.transpose"(%x) {perm = array<i64: 2, 0, 1>} : (tensor<?x2x3xf32>) -> tensor<1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Convolution and pooling: floor((in + 2p - d(k - 1) - 1) / s) + 1
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv2d
func.func @conv2d(%x: tensor<?x4x9x10xf32>, %w: tensor<8x4x3x3xf32>, %wg: tensor<8x2x3x2xf32>, %xd: tensor<?x4x?x10xf32>) {
  // (9 - 2 - 1) / 1 + 1 = 7, (10 - 2 - 1) / 1 + 1 = 8.
  // CHECK: (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x7x8xf32>
  %0 = soma.conv2d %x, %w : (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x7x8xf32>
  // Stride rounds down: (9 + 2 - 2 - 1) / 2 + 1 = 5, (10 + 2 - 2 - 1) / 3 + 1 = 4.
  // CHECK: (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x5x4xf32>
  %1 = soma.conv2d %x, %w {stride = array<i64: 2, 3>, padding = array<i64: 1, 1>} : (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x5x4xf32>
  // Dilation: (9 + 0 - 3 * 2 - 1) / 1 + 1 = 3, (10 + 4 - 2 * 1 - 1) / 1 + 1 = 12.
  // CHECK: (tensor<?x4x9x10xf32>, tensor<8x2x3x2xf32>) -> tensor<?x8x3x12xf32>
  %2 = soma.conv2d %x, %wg {dilation = array<i64: 3, 2>, padding = array<i64: 0, 2>, groups = 2 : i64} : (tensor<?x4x9x10xf32>, tensor<8x2x3x2xf32>) -> tensor<?x8x3x12xf32>
  // A dynamic spatial size gives a dynamic output size.
  // CHECK: (tensor<?x4x?x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x?x8xf32>
  %3 = soma.conv2d %xd, %w : (tensor<?x4x?x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x?x8xf32>
  return
}

// -----

func.func @conv2d_shown(%x: tensor<?x4x9x10xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'soma.conv2d' op inferred type(s) 'tensor<?x8x5x4xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.conv2d"(%x, %w) {stride = array<i64: 2, 3>, padding = array<i64: 1, 1>} : (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<1xf32>
  return
}

// -----

// (in - 1) * s - 2p + d(k - 1) + output_padding + 1
// CHECK-LABEL: func.func @conv_transpose2d
func.func @conv_transpose2d(%x: tensor<?x4x5x6xf32>, %w: tensor<4x3x3x3xf32>, %wg: tensor<4x1x2x2xf32>) {
  // (5 - 1) + 2 + 1 = 7, (6 - 1) + 2 + 1 = 8.
  // CHECK: (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x7x8xf32>
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x7x8xf32>
  // 4 * 2 - 2 + 2 + 1 + 1 = 10, 5 * 3 - 0 + 2 + 2 + 1 = 20.
  // CHECK: (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x10x20xf32>
  %1 = soma.conv_transpose2d %x, %w {stride = array<i64: 2, 3>, padding = array<i64: 1, 0>, output_padding = array<i64: 1, 2>} : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x10x20xf32>
  // Output padding below the dilation: 4 + 3 * (2 - 1) + 2 + 1 = 10, and
  // 5 + 1 + 0 + 1 = 7; groups multiply the output channels: 1 * 2 = 2.
  // CHECK: (tensor<?x4x5x6xf32>, tensor<4x1x2x2xf32>) -> tensor<?x2x10x7xf32>
  %2 = soma.conv_transpose2d %x, %wg {dilation = array<i64: 3, 1>, output_padding = array<i64: 2, 0>, groups = 2 : i64} : (tensor<?x4x5x6xf32>, tensor<4x1x2x2xf32>) -> tensor<?x2x10x7xf32>
  return
}

// -----

func.func @conv_transpose2d_shown(%x: tensor<?x4x5x6xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'soma.conv_transpose2d' op inferred type(s) 'tensor<?x3x10x20xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 3>, padding = array<i64: 1, 0>, output_padding = array<i64: 1, 2>} : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1xf32>
  return
}

// -----

// CHECK-LABEL: func.func @pool2d
func.func @pool2d(%x: tensor<?x3x7x8xf32>) {
  // The stride defaults to the kernel; the tail that does not fill a window
  // is dropped: 7 / 2 = 3, 8 / 2 = 4.
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x3x4xf32>
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x3x4xf32>
  // (7 + 2 - 3) / 2 + 1 = 4, (8 + 0 - 3) / 1 + 1 = 6.
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x4x6xf32>
  %1 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 1>, padding = array<i64: 1, 0>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x4x6xf32>
  // Padding of exactly half the kernel is the limit: (7 + 4 - 4) / 1 + 1 = 8.
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x8x9xf32>
  %2 = soma.max_pool2d %x {kernel_size = array<i64: 4, 2>, stride = array<i64: 1, 1>, padding = array<i64: 2, 1>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x8x9xf32>
  return
}

// -----

func.func @pool2d_shown(%x: tensor<?x3x7x8xf32>) {
  // expected-error @+2 {{'soma.max_pool2d' op inferred type(s) 'tensor<?x3x3x4xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.max_pool2d"(%x) {kernel_size = array<i64: 2, 2>} : (tensor<?x3x7x8xf32>) -> tensor<1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Window extensions for ONNX: [top, left, bottom, right] padding, ceil_mode,
// dilated max pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @asymmetric_padding
func.func @asymmetric_padding(%x: tensor<?x4x9x10xf32>, %w: tensor<8x4x3x3xf32>, %xt: tensor<?x4x5x6xf32>, %wt: tensor<4x3x3x3xf32>) {
  // 9 + 1 + 2 - 3 + 1 = 10, 10 + 0 + 1 - 3 + 1 = 9.
  // CHECK: (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x10x9xf32>
  %0 = soma.conv2d %x, %w {padding = array<i64: 1, 0, 2, 1>} : (tensor<?x4x9x10xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x10x9xf32>
  // (5 - 1) * 2 - 1 - 0 + 2 + 1 = 10, (6 - 1) * 2 - 0 - 2 + 2 + 1 = 11.
  // CHECK: (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x10x11xf32>
  %1 = soma.conv_transpose2d %xt, %wt {stride = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 2>} : (tensor<?x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x10x11xf32>
  // Four-entry pooling padding may exceed half the window (not the window):
  // 7 + 2 - 3 + 1 = 7, 8 + 2 - 3 + 1 = 8.
  // CHECK: (tensor<?x4x9x10xf32>) -> tensor<?x4x9x10xf32>
  %2 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 2, 0, 0, 2>, count_include_pad = false} : (tensor<?x4x9x10xf32>) -> tensor<?x4x9x10xf32>
  return
}

// -----

// CHECK-LABEL: func.func @pool_ceil_mode
func.func @pool_ceil_mode(%x: tensor<?x3x7x8xf32>, %y: tensor<?x3x5x5xf32>) {
  // ceil((7 - 3) / 2) + 1 = 3, ceil((8 - 3) / 2) + 1 = 4 (floor: 3, 3).
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x3x4xf32>
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, ceil_mode = true} : (tensor<?x3x7x8xf32>) -> tensor<?x3x3x4xf32>
  // ceil((5 + 2 - 2) / 2) + 1 = 4, but the last window would start at 6,
  // in the end padding (6 >= 5 + 1): PyTorch drops it, leaving 3.
  // CHECK: (tensor<?x3x5x5xf32>) -> tensor<?x3x3x3xf32>
  %1 = soma.avg_pool2d %y {kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true} : (tensor<?x3x5x5xf32>) -> tensor<?x3x3x3xf32>
  // ceil_mode = false is the default and prints nothing.
  // CHECK: soma.max_pool2d %{{.*}} {kernel_size = array<i64: 2, 2>} :
  %2 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>, ceil_mode = false} : (tensor<?x3x7x8xf32>) -> tensor<?x3x3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @max_pool_dilation
func.func @max_pool_dilation(%x: tensor<?x3x7x8xf32>) {
  // Extents 2 * (2 - 1) + 1 = 3 and 3 * (2 - 1) + 1 = 4: 7 - 3 + 1 = 5,
  // 8 - 4 + 1 = 5.
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x5x5xf32>
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, dilation = array<i64: 2, 3>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x5x5xf32>
  // Half of the dilated window bounds the padding: extent 5, padding 2.
  // CHECK: (tensor<?x3x7x8xf32>) -> tensor<?x3x7x8xf32>
  %1 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x7x8xf32>
  return
}
