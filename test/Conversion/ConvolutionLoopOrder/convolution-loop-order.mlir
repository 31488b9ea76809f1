// RUN: soma-opt %s --soma-convolution-loop-order --split-input-file | FileCheck %s

// One group: the loops run over (n, f, c, kh, kw, oh, ow), the output's rows
// and columns innermost; the input is read at the stride and dilation.
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d5 * 2 + d3, d6 * 2 + d4 * 3)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
// CHECK-DAG: #[[Y:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func.func @nchw
// CHECK-NOT: linalg.conv_2d
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %[[K:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[IN]], %[[K]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
func.func @nchw(%x: tensor<?x3x11x11xf32>, %w: tensor<5x3x3x2xf32>, %acc: tensor<?x5x4x3xf32>) -> tensor<?x5x4x3xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 3]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<?x3x11x11xf32>, tensor<5x3x3x2xf32>)
         outs(%acc : tensor<?x5x4x3xf32>) -> tensor<?x5x4x3xf32>
  return %r : tensor<?x5x4x3xf32>
}

// -----

// Groups: (n, g, f, c, kh, kw, oh, ow).
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d3, d4 + d6, d5 + d7)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[Y:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d6, d7)>
// CHECK-LABEL: func.func @ngchw
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
func.func @ngchw(%x: tensor<?x2x2x6x6xf32>, %w: tensor<2x3x2x3x3xf32>, %acc: tensor<?x2x3x4x4xf32>) -> tensor<?x2x3x4x4xf32> {
  %r = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<?x2x2x6x6xf32>, tensor<2x3x2x3x3xf32>)
         outs(%acc : tensor<?x2x3x4x4xf32>) -> tensor<?x2x3x4x4xf32>
  return %r : tensor<?x2x3x4x4xf32>
}

// -----

// Other linalg ops stay as they are.
// CHECK-LABEL: func.func @pooling
// CHECK: linalg.pooling_nchw_max
func.func @pooling(%x: tensor<1x2x4x4xf32>, %k: tensor<2x2xf32>, %acc: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %k : tensor<1x2x4x4xf32>, tensor<2x2xf32>)
         outs(%acc : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %r : tensor<1x2x2x2xf32>
}
