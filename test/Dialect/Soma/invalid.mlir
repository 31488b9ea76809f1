// RUN: soma-opt %s -split-input-file -verify-diagnostics

// One piece per verifier or shape-rule diagnostic of the soma dialect. A
// shape rule runs as type inference: its precise message is followed by the
// InferTypeOpInterface verifier's "failed to infer returned types".

//===----------------------------------------------------------------------===//
// ODS constraints
//===----------------------------------------------------------------------===//

func.func @not_f32(%x: tensor<4x8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'soma.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4x8xi32>'}}
  %0 = "soma.relu"(%x) : (tensor<4x8xi32>) -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

func.func @f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'soma.sigmoid' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4x8xf16>'}}
  %0 = soma.sigmoid %x : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'soma.tanh' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %0 = "soma.tanh"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unranked_rhs(%a: tensor<8xf32>, %b: tensor<*xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'soma.add' op operand #1 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %0 = "soma.add"(%a, %b) : (tensor<8xf32>, tensor<*xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @not_a_tensor(%x: f32) -> f32 {
  // expected-error @+1 {{'soma.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'f32'}}
  %0 = "soma.relu"(%x) : (f32) -> f32
  return %0 : f32
}

// -----

func.func @memref(%x: memref<4xf32>, %w: tensor<2x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'soma.linear' op operand #0 must be ranked tensor of 32-bit float values, but got 'memref<4xf32>'}}
  %0 = "soma.linear"(%x, %w) : (memref<4xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @result_not_f32(%x: tensor<4xf32>, %w: tensor<2x4xf32>) -> tensor<2xf64> {
  // expected-error @+1 {{'soma.linear' op result #0 must be ranked tensor of 32-bit float values, but got 'tensor<2xf64>'}}
  %0 = "soma.linear"(%x, %w) : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @unary_shape_changed(%x: tensor<4x8xf32>) -> tensor<4x9xf32> {
  // expected-error @+1 {{'soma.sigmoid' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "soma.sigmoid"(%x) : (tensor<4x8xf32>) -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

func.func @softmax_batch_changed(%x: tensor<?x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'soma.softmax' op inferred type(s) 'tensor<?x8xf32>' are incompatible with return type(s) of operation 'tensor<2x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.softmax"(%x) : (tensor<?x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @threshold_needs_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.threshold' op requires attribute 'value'}}
  %0 = "soma.threshold"(%x) {threshold = 0.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pool_needs_kernel(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'soma.max_pool2d' op requires attribute 'kernel_size'}}
  %0 = "soma.max_pool2d"(%x) : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @reshape_needs_shape(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.reshape' op requires attribute 'shape'}}
  %0 = "soma.reshape"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f64_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.leaky_relu' op attribute 'negative_slope' failed to satisfy constraint: 32-bit float attribute}}
  %0 = "soma.leaky_relu"(%x) {negative_slope = 0.2 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @array_attribute(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'soma.conv2d' op attribute 'stride' failed to satisfy constraint: i64 dense array attribute}}
  %0 = "soma.conv2d"(%x, %w) {stride = [1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @i32_attribute(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'soma.conv2d' op attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "soma.conv2d"(%x, %w) {groups = 1 : i32} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @linear_one_operand(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.linear' op expected 2 or more operands, but found 1}}
  %0 = "soma.linear"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @conv_four_operands(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'soma.conv2d' op operand group starting at #2 requires 0 or 1 element, but found 2}}
  %0 = "soma.conv2d"(%x, %w, %b, %b) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Inferred result types
//===----------------------------------------------------------------------===//

func.func @wrong_result_type(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x9xf32> {
  // expected-error @+2 {{'soma.add' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.add"(%a, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

// The batch stays dynamic: a declared static batch is not what was inferred.
func.func @batch_made_static(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<4x2xf32> {
  // expected-error @+2 {{'soma.linear' op inferred type(s) 'tensor<?x2xf32>' are incompatible with return type(s) of operation 'tensor<4x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear %x, %w : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @batch_made_dynamic(%x: tensor<3x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<?x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear %x, %w : (tensor<3x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Element-wise activations
//===----------------------------------------------------------------------===//

func.func @softplus_beta_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.softplus' op expected a non-zero 'beta', got 0}}
  %0 = soma.softplus %x {beta = 0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @softplus_beta_negative_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'soma.softplus' op expected a non-zero 'beta', got 0}}
  %0 = soma.softplus %x {beta = -0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_p_above_one(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'soma.dropout' op expected 'p' in [0, 1], got 1.5}}
  %0 = "soma.dropout"(%x) {p = 1.5 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dropout_p_negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'soma.dropout' op expected 'p' in [0, 1], got -1.000000e-01}}
  %0 = soma.dropout %x {p = -0.1 : f32} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dropout_p_nan(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'soma.dropout' op expected 'p' in [0, 1], got nan}}
  %0 = soma.dropout %x {p = 0x7FC00000 : f32} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Broadcasting arithmetic
//===----------------------------------------------------------------------===//

func.func @not_broadcastable(%a: tensor<4x8xf32>, %b: tensor<3xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{'soma.add' op operands are not broadcastable: [4, 8] and [3] differ in dimension 1 of the result (8 vs 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.add"(%a, %b) : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The dynamic batch broadcasts, the static feature sizes still must agree.
func.func @not_broadcastable_batch(%a: tensor<?x4xf32>, %b: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+2 {{'soma.mul' op operands are not broadcastable: [?, 4] and [3, 5] differ in dimension 1 of the result (4 vs 5)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.mul %a, %b : (tensor<?x4xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'soma.matmul' op expected operands of rank at least 1, got ranks 0 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.matmul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_k(%a: tensor<?x3x4xf32>, %b: tensor<5x6xf32>) -> tensor<?x3x6xf32> {
  // expected-error @+2 {{'soma.matmul' op expected the contracted dimensions to agree: lhs [?, 3, 4] has K = 4, rhs [5, 6] has K = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.matmul %a, %b : (tensor<?x3x4xf32>, tensor<5x6xf32>) -> tensor<?x3x6xf32>
  return %0 : tensor<?x3x6xf32>
}

// -----

// A 1-D rhs is a column: its only dimension is K.
func.func @matmul_vector_k(%a: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'soma.matmul' op expected the contracted dimensions to agree: lhs [3, 4] has K = 4, rhs [3] has K = 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.matmul %a, %b : (tensor<3x4xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x3x5xf32> {
  // expected-error @+2 {{'soma.matmul' op operands are not broadcastable: [2] and [3] differ in dimension 0 of the result (2 vs 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<3x3x5xf32>
  return %0 : tensor<3x3x5xf32>
}

// -----

func.func @linear_k_mismatch(%x: tensor<?x5xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear' op expected weight dimension 1 (K) to be 5 to match the last input dimension, got 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.linear"(%x, %w) : (tensor<?x5xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_scalar(%x: tensor<f32>, %w: tensor<2x1xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'soma.linear' op expected input of rank at least 1, got rank 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear %x, %w : (tensor<f32>, tensor<2x1xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<?x6xf32>, %w: tensor<6xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.linear' op expected weight of rank 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear %x, %w : (tensor<?x6xf32>, tensor<6xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @linear_bias_size(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>, %b: tensor<3xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear' op expected bias of shape [2], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.linear"(%x, %w, %b) : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<3xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_bias_rank(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>, %b: tensor<1x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear' op expected bias of shape [2], got [1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear %x, %w, %b : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

func.func @reduce_dim_range(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.reduce_sum' op expected 'dims' in [-2, 1] for an input of rank 2, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reduce_sum %x {dims = array<i64: 2>} : (tensor<?x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @reduce_dim_int64_min(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.reduce_sum' op expected 'dims' in [-2, 1] for an input of rank 2, got -9223372036854775808}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reduce_sum %x {dims = array<i64: -9223372036854775808>} : (tensor<?x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @reduce_dim_twice(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.reduce_sum' op expected distinct 'dims', got dimension 1 twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reduce_sum %x {dims = array<i64: 1, -1>} : (tensor<?x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @softmax_dim(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'soma.softmax' op expected 'dim' in [-2, 1] for an input of rank 2, got 2}}
  %0 = "soma.softmax"(%x) {dim = 2 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @log_softmax_dim(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'soma.log_softmax' op expected 'dim' in [-2, 1] for an input of rank 2, got -3}}
  %0 = soma.log_softmax %x {dim = -3 : i64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @softmax_scalar_dim(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'soma.softmax' op expected 'dim' in [-1, 0] for an input of rank 0, got 1}}
  %0 = soma.softmax %x {dim = 1 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @batch_norm_rank(%x: tensor<?xf32>, %p: tensor<4xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.batch_norm' op expected input of rank at least 2 ([N, C, ...]), got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.batch_norm %x, %p, %p, %p, %p : (tensor<?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @batch_norm_mean(%x: tensor<?x3x4x4xf32>, %m: tensor<4xf32>, %p: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  // expected-error @+2 {{'soma.batch_norm' op expected mean of shape [3] (the input's channels), got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.batch_norm %x, %m, %p, %p, %p : (tensor<?x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

func.func @batch_norm_bias(%x: tensor<?x3x4x4xf32>, %p: tensor<3xf32>, %b: tensor<3x1xf32>) -> tensor<?x3x4x4xf32> {
  // expected-error @+2 {{'soma.batch_norm' op expected bias of shape [3] (the input's channels), got [3, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.batch_norm %x, %p, %p, %p, %b : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

func.func @reshape_count(%x: tensor<2x6xf32>) -> tensor<5x2xf32> {
  // expected-error @+2 {{'soma.reshape' op cannot reshape [2, 6] (12 elements) to [5, 2] (10 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.reshape"(%x) {shape = array<i64: 5, 2>} : (tensor<2x6xf32>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// -----

func.func @reshape_count_inferred(%x: tensor<2x6xf32>) -> tensor<?x5xf32> {
  // expected-error @+2 {{'soma.reshape' op cannot reshape [2, 6] (12 elements) to [-1, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: -1, 5>} : (tensor<2x6xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// A [?, 6] input holds a multiple of 6 elements: never 20.
func.func @reshape_count_dynamic(%x: tensor<?x6xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{'soma.reshape' op cannot reshape [?, 6] (a multiple of 6 elements) to [4, 5] (20 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: 4, 5>} : (tensor<?x6xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x6xf32>) -> tensor<?x?xf32> {
  // expected-error @+2 {{'soma.reshape' op expected at most one -1 in 'shape', got entries 0 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x6xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @reshape_negative(%x: tensor<2x6xf32>) -> tensor<12xf32> {
  // expected-error @+2 {{'soma.reshape' op expected entries of 'shape' to be -1 or non-negative, got -2 at position 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: 12, -2>} : (tensor<2x6xf32>) -> tensor<12xf32>
  return %0 : tensor<12xf32>
}

// -----

// PyTorch rejects -1 next to a 0, even on a dynamic input.
func.func @reshape_inferred_next_to_zero(%x: tensor<?x0xf32>) -> tensor<?x0xf32> {
  // expected-error @+2 {{'soma.reshape' op expected no 0 in 'shape' next to -1, got [-1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: -1, 0>} : (tensor<?x0xf32>) -> tensor<?x0xf32>
  return %0 : tensor<?x0xf32>
}

// -----

func.func @reshape_overflow(%x: tensor<2x6xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.reshape' op expected 'shape' to have fewer than 2^63 elements, got [-1, 4611686018427387904, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: -1, 4611686018427387904, 4>} : (tensor<2x6xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @reshape_input_overflow(%x: tensor<?x4611686018427387904x4xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.reshape' op expected the input to have fewer than 2^63 elements, got [?, 4611686018427387904, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.reshape %x {shape = array<i64: -1>} : (tensor<?x4611686018427387904x4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @flatten_start_range(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  // expected-error @+2 {{'soma.flatten' op expected 'start_dim' in [-3, 2] for an input of rank 3, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.flatten %x {start_dim = 3 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

func.func @flatten_end_range(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  // expected-error @+2 {{'soma.flatten' op expected 'end_dim' in [-3, 2] for an input of rank 3, got -4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.flatten %x {end_dim = -4 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// torch.flatten checks the dimensions of a scalar too.
func.func @flatten_scalar_range(%x: tensor<f32>) -> tensor<1xf32> {
  // expected-error @+2 {{'soma.flatten' op expected 'start_dim' in [-1, 0] for an input of rank 0, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.flatten %x : (tensor<f32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @flatten_start_after_end(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  // expected-error @+2 {{'soma.flatten' op expected 'start_dim' (2) not after 'end_dim' (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.flatten %x {start_dim = -1 : i64, end_dim = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

func.func @flatten_overflow(%x: tensor<3074457345618258603x3xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.flatten' op expected the flattened dimensions to have fewer than 2^63 elements, got [3074457345618258603, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.flatten %x {start_dim = 0 : i64} : (tensor<3074457345618258603x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @transpose_size(%x: tensor<?x3x4xf32>) -> tensor<?x4x3xf32> {
  // expected-error @+2 {{'soma.transpose' op expected 'perm' of 3 entries (the input's rank), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.transpose %x {perm = array<i64: 0, 2>} : (tensor<?x3x4xf32>) -> tensor<?x4x3xf32>
  return %0 : tensor<?x4x3xf32>
}

// -----

func.func @transpose_repeat(%x: tensor<?x3x4xf32>) -> tensor<?x4x4xf32> {
  // expected-error @+2 {{'soma.transpose' op expected 'perm' to be a permutation of [0, 3), got [0, 2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.transpose %x {perm = array<i64: 0, 2, 2>} : (tensor<?x3x4xf32>) -> tensor<?x4x4xf32>
  return %0 : tensor<?x4x4xf32>
}

// -----

// Negative entries are not counted from the end, unlike torch.permute: the
// attribute is printed as written.
func.func @transpose_negative(%x: tensor<?x3xf32>) -> tensor<3x?xf32> {
  // expected-error @+2 {{'soma.transpose' op expected 'perm' to be a permutation of [0, 2), got [-1, -9223372036854775808]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.transpose %x {perm = array<i64: -1, -9223372036854775808>} : (tensor<?x3xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<?x3x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected input (NCHW) of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w : (tensor<?x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6xf32>
  return %0 : tensor<?x4x6xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected weight (OIHW) of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_empty_kernel(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) -> tensor<?x4x9x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected weight dimensions 2 and 3 (the kernel) to be positive, got [4, 3, 0, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<?x4x9x6xf32>
  return %0 : tensor<?x4x9x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected weight dimension 1 to be input channels / groups = 3 / 1 = 3, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_channels_grouped(%x: tensor<?x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected weight dimension 1 to be input channels / groups = 4 / 2 = 2, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {groups = 2 : i64} : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_stride_size(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected 'stride' to have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {stride = array<i64: 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected every entry of 'stride' to be at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {stride = array<i64: 1, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_padding_negative(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected every entry of 'padding' to be at least 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {padding = array<i64: -1, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_dilation_empty(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected 'dilation' to have 2 entries, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {dilation = array<i64>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_groups_zero(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected 'groups' to be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {groups = 0 : i64} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_groups_input(%x: tensor<?x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected input channels (3) to be divisible by 'groups' (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {groups = 2 : i64} : (tensor<?x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_groups_output(%x: tensor<?x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x3x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected output channels (3) to be divisible by 'groups' (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {groups = 2 : i64} : (tensor<?x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x6x6xf32>
  return %0 : tensor<?x3x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected bias of shape [4], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_window_too_big(%x: tensor<?x3x4x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x1x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected the height window (kernel 3, dilation 2) to fit the padded input of size 4, but it is larger}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {dilation = array<i64: 2, 1>} : (tensor<?x3x4x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x1x6xf32>
  return %0 : tensor<?x4x1x6xf32>
}

// -----

func.func @conv_width_too_big(%x: tensor<?x3x8x2xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x1xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected the width window (kernel 3, dilation 1) to fit the padded input of size 2, but it is larger}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w : (tensor<?x3x8x2xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x1xf32>
  return %0 : tensor<?x4x6x1xf32>
}

// -----

func.func @conv_padding_overflow(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected the padded height and the window extent to fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {padding = array<i64: 4611686018427387904, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_transpose_input_rank(%x: tensor<?x8x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x8xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected input (NCHW) of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x8x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x8xf32>
  return %0 : tensor<?x4x8xf32>
}

// -----

func.func @conv_transpose_weight_rank(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected weight (IOHW) of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x8x4x4xf32>, tensor<8x4x2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

func.func @conv_transpose_empty_kernel(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x0xf32>) -> tensor<?x4x5x3xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected weight dimensions 2 and 3 (the kernel) to be positive, got [8, 4, 2, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x8x4x4xf32>, tensor<8x4x2x0xf32>) -> tensor<?x4x5x3xf32>
  return %0 : tensor<?x4x5x3xf32>
}

// -----

func.func @conv_transpose_output_padding_size(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected 'output_padding' to have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {output_padding = array<i64: 0, 0, 0>} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

func.func @conv_transpose_groups_input(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x12x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected input channels (8) to be divisible by 'groups' (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {groups = 3 : i64} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x12x5x5xf32>
  return %0 : tensor<?x12x5x5xf32>
}

// -----

// With dynamic input channels the weight still decides the groups.
func.func @conv_transpose_groups_weight(%x: tensor<?x?x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x12x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected weight dimension 0 (8) to be divisible by 'groups' (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {groups = 3 : i64} : (tensor<?x?x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x12x5x5xf32>
  return %0 : tensor<?x12x5x5xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<?x6x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected weight dimension 0 to be the input channels (6), got 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w : (tensor<?x6x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x10x8xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected 'output_padding' smaller than 'stride' or 'dilation' in dimension 0, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, output_padding = array<i64: 2, 0>} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x10x8xf32>
  return %0 : tensor<?x4x10x8xf32>
}

// -----

func.func @conv_transpose_bias(%x: tensor<?x8x4x4xf32>, %w: tensor<8x2x2x2xf32>, %b: tensor<2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected bias of shape [4], got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w, %b {groups = 2 : i64} : (tensor<?x8x4x4xf32>, tensor<8x2x2x2xf32>, tensor<2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

// (1 - 1) * 1 - 2 * 1 + 1 * (2 - 1) + 0 + 1 = 0.
func.func @conv_transpose_empty_output(%x: tensor<?x8x1x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x0x3xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected a positive output size in dimension 2, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {padding = array<i64: 1, 1>} : (tensor<?x8x1x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x0x3xf32>
  return %0 : tensor<?x4x0x3xf32>
}

// -----

func.func @conv_transpose_size_overflow(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected the output size in dimension 3 to fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {stride = array<i64: 1, 4611686018427387904>} : (tensor<?x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

func.func @conv_transpose_channels_overflow(%x: tensor<?x2x4x4xf32>, %w: tensor<2x4611686018427387904x2x2xf32>) -> tensor<?x4x5x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected output channels (weight dimension 1 times 'groups') to fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {groups = 2 : i64} : (tensor<?x2x4x4xf32>, tensor<2x4611686018427387904x2x2xf32>) -> tensor<?x4x5x5xf32>
  return %0 : tensor<?x4x5x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

func.func @pool_rank(%x: tensor<?x4x4xf32>) -> tensor<?x2x2xf32> {
  // expected-error @+2 {{'soma.avg_pool2d' op expected input (NCHW) of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x4x4xf32>) -> tensor<?x2x2xf32>
  return %0 : tensor<?x2x2xf32>
}

// -----

func.func @pool_kernel_size(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected 'kernel_size' to have 2 entries, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
  return %0 : tensor<?x1x2x2xf32>
}

// -----

func.func @pool_kernel_zero(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected every entry of 'kernel_size' to be at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 0>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
  return %0 : tensor<?x1x2x2xf32>
}

// -----

func.func @pool_stride_negative(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32> {
  // expected-error @+2 {{'soma.avg_pool2d' op expected every entry of 'stride' to be at least 1, got -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: -2, 2>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
  return %0 : tensor<?x1x2x2xf32>
}

// -----

func.func @pool_padding_size(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32> {
  // expected-error @+2 {{'soma.avg_pool2d' op expected 'padding' to have 2 or 4 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 1>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x2x2xf32>
  return %0 : tensor<?x1x2x2xf32>
}

// -----

// PyTorch: "pad should be at most half of effective kernel size".
func.func @pool_padding_half(%x: tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected 'padding' at most half of 'kernel_size' in dimension 1, got padding 2 for kernel 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 2>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32>
  return %0 : tensor<?x1x4x4xf32>
}

// -----

func.func @pool_too_big(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected the height window (kernel 3, dilation 1) to fit the padded input of size 2, but it is larger}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "soma.max_pool2d"(%x) {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Window extensions: four-entry padding, ceil_mode, dilated max pooling
//===----------------------------------------------------------------------===//

func.func @conv_padding_three(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected 'padding' to have 2 or 4 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {padding = array<i64: 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_padding_four_negative(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{'soma.conv2d' op expected every entry of 'padding' to be at least 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv2d %x, %w {padding = array<i64: 0, 0, 0, -1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @conv_transpose_padding_four_crops_all(%x: tensor<?x8x1x4xf32>, %w: tensor<8x4x2x2xf32>) -> tensor<?x4x1x5xf32> {
  // expected-error @+2 {{'soma.conv_transpose2d' op expected a positive output size in dimension 2, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.conv_transpose2d %x, %w {padding = array<i64: 1, 0, 1, 0>} : (tensor<?x8x1x4xf32>, tensor<8x4x2x2xf32>) -> tensor<?x4x1x5xf32>
  return %0 : tensor<?x4x1x5xf32>
}

// -----

// A four-entry padding may exceed half the window, but a window made of
// padding alone has no value.
func.func @pool_padding_four_whole_window(%x: tensor<?x1x8x8xf32>) -> tensor<?x1x9x8xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected 'padding' smaller than the window extent (3) in dimension 0, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 3, 0>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x9x8xf32>
  return %0 : tensor<?x1x9x8xf32>
}

// -----

func.func @pool_padding_half_dilated(%x: tensor<?x1x8x8xf32>) -> tensor<?x1x8x8xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected 'padding' at most half of 'kernel_size' in dimension 0, got padding 3 for kernel 2 (dilation 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 3, 0>, dilation = array<i64: 3, 1>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x8x8xf32>
  return %0 : tensor<?x1x8x8xf32>
}

// -----

func.func @pool_dilation_zero(%x: tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32> {
  // expected-error @+2 {{'soma.max_pool2d' op expected every entry of 'dilation' to be at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>, dilation = array<i64: 1, 0>} : (tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32>
  return %0 : tensor<?x1x4x4xf32>
}

// -----

func.func @pool_ceil_mode_type(%x: tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32> {
  // expected-error @+1 {{'soma.max_pool2d' op attribute 'ceil_mode' failed to satisfy constraint: bool attribute}}
  %0 = "soma.max_pool2d"(%x) {kernel_size = array<i64: 2, 2>, ceil_mode = 1 : i64} : (tensor<?x1x8x8xf32>) -> tensor<?x1x4x4xf32>
  return %0 : tensor<?x1x4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Fused layers
//===----------------------------------------------------------------------===//

func.func @linear_activation_without_activation(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op requires attribute 'activation'}}
  %0 = "soma.linear_activation"(%x, %w) : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_unknown(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{expected ::soma::ActivationKind to be one of: sigmoid, log_sigmoid, hard_sigmoid, silu, hard_swish, tanh, relu, leaky_relu, threshold, softplus}}
  // expected-error @+1 {{failed to parse Soma_ActivationKindAttr parameter 'value' which is to be a `::soma::ActivationKind`}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation gelu>} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_not_an_enum(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op attribute 'activation' failed to satisfy constraint: element-wise activation of a fused layer}}
  %0 = "soma.linear_activation"(%x, %w) {activation = "relu"} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameter_not_f32(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op attribute 'negative_slope' failed to satisfy constraint: 32-bit float attribute}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation leaky_relu>, negative_slope = 1 : i32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameter_missing(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected parameters {alpha, beta} for activation hard_sigmoid, got {alpha}}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation hard_sigmoid>, alpha = 0.2 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameters_missing(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected parameters {threshold, value} for activation threshold, got {}}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation threshold>} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameter_unexpected(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected no parameters for activation sigmoid, got {negative_slope}}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation sigmoid>, negative_slope = 0.1 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameter_of_another(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected parameters {negative_slope} for activation leaky_relu, got {alpha}}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation leaky_relu>, alpha = 0.1 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_parameter_extra(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected parameters {beta, threshold} for activation softplus, got {beta, threshold, value}}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation softplus>, beta = 1.0 : f32, threshold = 20.0 : f32, value = 0.0 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_softplus_beta_zero(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected a non-zero 'beta', got 0}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation softplus>, beta = 0.0 : f32, threshold = 20.0 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_k_mismatch(%x: tensor<?x5xf32>, %w: tensor<2x6xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear_activation' op expected weight dimension 1 (K) to be 5 to match the last input dimension, got 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<?x5xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_bias_size(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>, %b: tensor<1x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'soma.linear_activation' op expected bias of shape [2], got [1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation relu>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_activation_weight_rank(%x: tensor<?x6xf32>, %w: tensor<6xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'soma.linear_activation' op expected weight of rank 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<?x6xf32>, tensor<6xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @linear_activation_scalar(%x: tensor<f32>, %w: tensor<2x1xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'soma.linear_activation' op expected input of rank at least 1, got rank 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<f32>, tensor<2x1xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @linear_activation_result_type(%x: tensor<?x6xf32>, %w: tensor<2x6xf32>) -> tensor<?x3xf32> {
  // expected-error @+2 {{'soma.linear_activation' op inferred type(s) 'tensor<?x2xf32>' are incompatible with return type(s) of operation 'tensor<?x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = soma.linear_activation %x, %w {activation = #soma<activation relu>} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @linear_activation_one_operand(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  // expected-error @+1 {{'soma.linear_activation' op expected 2 or more operands, but found 1}}
  %0 = "soma.linear_activation"(%x) {activation = #soma<activation relu>} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

func.func @linear_activation_not_f32(%x: tensor<?x6xf16>, %w: tensor<2x6xf16>) -> tensor<?x2xf16> {
  // expected-error @+1 {{'soma.linear_activation' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x6xf16>'}}
  %0 = "soma.linear_activation"(%x, %w) {activation = #soma<activation relu>} : (tensor<?x6xf16>, tensor<2x6xf16>) -> tensor<?x2xf16>
  return %0 : tensor<?x2xf16>
}

// -----

func.func @conv2d_activation_parameter_missing(%x: tensor<?x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32> {
  // expected-error @+1 {{'soma.conv2d_activation' op expected parameters {threshold, value} for activation threshold, got {value}}}
  %0 = soma.conv2d_activation %x, %w {activation = #soma<activation threshold>, value = 1.0 : f32} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

// -----

func.func @conv2d_activation_bad_groups(%x: tensor<?x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32> {
  // expected-error @+2 {{'soma.conv2d_activation' op expected output channels (3) to be divisible by 'groups' (2)}}
  // expected-error @+1 {{'soma.conv2d_activation' op failed to infer returned types}}
  %0 = soma.conv2d_activation %x, %w {groups = 2 : i64, activation = #soma<activation relu>} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}
