// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file -verify-diagnostics

// Window ops read their geometry at compile time: only the batch may be
// dynamic.
func.func @conv2d_dynamic_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32> {
  // expected-error @+1 {{'soma.conv2d' op cannot be lowered to linalg: expected tensors whose dimensions are static but for the leading (batch) one}}
  %0 = soma.conv2d %x, %w : (tensor<1x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

func.func @max_pool_dynamic_width(%x: tensor<?x3x8x?xf32>) -> tensor<?x3x4x?xf32> {
  // expected-error @+1 {{'soma.max_pool2d' op cannot be lowered to linalg}}
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x3x8x?xf32>) -> tensor<?x3x4x?xf32>
  return %0 : tensor<?x3x4x?xf32>
}

// -----

// Element-wise ops take any dynamic dimension.
func.func @sigmoid_all_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = soma.sigmoid %x : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
