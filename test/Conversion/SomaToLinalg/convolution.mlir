// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=0" --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.

// One group: zero padding, then linalg.conv_2d_nchw_fchw into zeros.
// CHECK-LABEL: func.func @conv2d_padded
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x7x7xf32>, %[[W:.+]]: tensor<5x3x3x3xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:   tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<?x3x7x7xf32> to tensor<?x3x9x9xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x7x7xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x5x4x4xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<?x5x4x4xf32>)
// CHECK: %[[R:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[PAD]], %[[W]] : tensor<?x3x9x9xf32>, tensor<5x3x3x3xf32>) outs(%[[INIT]] : tensor<?x5x4x4xf32>)
// CHECK: return %[[R]]
func.func @conv2d_padded(%x: tensor<?x3x7x7xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<?x5x4x4xf32> {
  %0 = soma.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x7xf32>, tensor<5x3x3x3xf32>) -> tensor<?x5x4x4xf32>
  return %0 : tensor<?x5x4x4xf32>
}

// -----

// Without padding there is no tensor.pad; the bias broadcast along the
// channels is the accumulator.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv2d_bias
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x5x5xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x4x3x3xf32>
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[BIAS]], #[[ID]]]
// CHECK-SAME: ins(%[[B]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<2x4x3x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%[[X]], %[[W]] : {{.+}}) outs(%[[INIT]] : tensor<2x4x3x3xf32>)
func.func @conv2d_bias(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %0 = soma.conv2d %x, %w, %b : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %0 : tensor<2x4x3x3xf32>
}

// -----

// Groups: the padded input, the weight and the accumulator are viewed with
// the channels split into [groups, channels / groups] for
// linalg.conv_2d_ngchw_gfchw, and the result merged back.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x9x8xf32>, %[[W:.+]]: tensor<6x2x3x2xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 1, 2]
// CHECK: %[[GW:.+]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 2] : tensor<6x2x3x2xf32> into tensor<2x3x2x3x2xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {{.+}} ins(%[[B]] : tensor<6xf32>)
// CHECK: %[[GINIT:.+]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.+}}, 2, 3, 5, 4] : tensor<?x6x5x4xf32> into tensor<?x2x3x5x4xf32>
// CHECK: %[[GX:.+]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.+}}, 2, 2, 11, 12] : tensor<?x4x11x12xf32> into tensor<?x2x2x11x12xf32>
// CHECK: %[[C:.+]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[GX]], %[[GW]] : tensor<?x2x2x11x12xf32>, tensor<2x3x2x3x2xf32>) outs(%[[GINIT]] : tensor<?x2x3x5x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4]] : tensor<?x2x3x5x4xf32> into tensor<?x6x5x4xf32>
// CHECK: return %[[R]]
func.func @conv2d_groups(%x: tensor<?x4x9x8xf32>, %w: tensor<6x2x3x2xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x4xf32> {
  %0 = soma.conv2d %x, %w, %b {stride = array<i64: 2, 3>, padding = array<i64: 1, 2>, dilation = array<i64: 1, 2>, groups = 2} : (tensor<?x4x9x8xf32>, tensor<6x2x3x2xf32>, tensor<6xf32>) -> tensor<?x6x5x4xf32>
  return %0 : tensor<?x6x5x4xf32>
}

// -----

// conv_transpose2d with a weight argument: the kernel is flipped and its
// channels swapped by a generic; the input is spread `stride` apart into
// zeros padded by dilation * (kernel - 1) - padding (+ output_padding at the
// end): rows 1 + 2 * 3 + 1 + 2 = 10, columns 2 + 3 * 4 + 1 + 4 = 19.
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0 * 2 + d2, d1, -d3 + 2, -d4 + 1)>
// CHECK-DAG: #[[ID5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv_transpose2d_groups
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x4x5xf32>, %[[W:.+]]: tensor<4x3x3x2xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK: %[[KE:.+]] = tensor.empty() : tensor<2x3x2x3x2xf32>
// CHECK: %[[K:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[FLIP]], #[[ID5]]]
// CHECK-SAME: ins(%[[W]] : tensor<4x3x3x2xf32>) outs(%[[KE]] : tensor<2x3x2x3x2xf32>)
// CHECK: %[[INIT:.+]] = linalg.generic {{.+}} ins(%[[B]] : tensor<6xf32>)
// CHECK: %[[ZE:.+]] = tensor.empty(%{{.+}}) : tensor<?x4x10x19xf32>
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[ZE]] : tensor<?x4x10x19xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x4x4x5xf32>
// CHECK: %[[S:.+]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 1, 2] [%[[N]], 4, 4, 5] [1, 1, 2, 3] : tensor<?x4x4x5xf32> into tensor<?x4x10x19xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[GINIT:.+]] = tensor.expand_shape %[[INIT]]
// CHECK: %[[GS:.+]] = tensor.expand_shape %[[S]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.+}}, 2, 2, 10, 19]
// CHECK: %[[C:.+]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: ins(%[[GS]], %[[K]] : tensor<?x2x2x10x19xf32>, tensor<2x3x2x3x2xf32>) outs(%[[GINIT]] : tensor<?x2x3x8x17xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4]] : tensor<?x2x3x8x17xf32> into tensor<?x6x8x17xf32>
func.func @conv_transpose2d_groups(%x: tensor<?x4x4x5xf32>, %w: tensor<4x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<?x6x8x17xf32> {
  %0 = soma.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 3>, padding = array<i64: 1, 0>, output_padding = array<i64: 1, 2>, dilation = array<i64: 1, 2>, groups = 2} : (tensor<?x4x4x5xf32>, tensor<4x3x3x2xf32>, tensor<6xf32>) -> tensor<?x6x8x17xf32>
  return %0 : tensor<?x6x8x17xf32>
}

// -----

// A constant weight is flipped at compile time: [C = 2, F = 1, 1, 2] becomes
// FCHW [1, 2, 1, 2] with each row reversed. In the rows, padding beyond
// dilation * (kernel - 1) crops the spread input instead (offset 1, 5 - 2
// rows); the columns get 1 zero before and 1 + output_padding after.
// CHECK-LABEL: func.func @conv_transpose2d_constant
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x3x3xf32>)
// CHECK: %[[K:.+]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 1.000000e+00]], {{\[\[}}4.000000e+00, 3.000000e+00]]]]> : tensor<1x2x1x2xf32>
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x5x8xf32>)
// CHECK: %[[S:.+]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 0, 1] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x5x8xf32>
// CHECK: %[[C:.+]] = tensor.extract_slice %[[S]][0, 0, 1, 0] [1, 2, 3, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x2x3x8xf32>
// CHECK: %[[R:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: ins(%[[C]], %[[K]] : tensor<1x2x3x8xf32>, tensor<1x2x1x2xf32>) outs(%{{.+}} : tensor<1x1x3x7xf32>)
// CHECK: return %[[R]]
func.func @conv_transpose2d_constant(%x: tensor<1x2x3x3xf32>) -> tensor<1x1x3x7xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %0 = soma.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, output_padding = array<i64: 0, 1>} : (tensor<1x2x3x3xf32>, tensor<2x1x1x2xf32>) -> tensor<1x1x3x7xf32>
  return %0 : tensor<1x1x3x7xf32>
}

// -----

// A dense_resource weight is flipped at compile time too.
// CHECK-LABEL: func.func @conv_transpose2d_resource
// CHECK: %[[K:.+]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 1.000000e+00]], {{\[\[}}4.000000e+00, 3.000000e+00]]]]> : tensor<1x2x1x2xf32>
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%{{.+}}, %[[K]] :
func.func @conv_transpose2d_resource(%x: tensor<?x2x3x3xf32>) -> tensor<?x1x5x6xf32> {
  %w = arith.constant dense_resource<weight> : tensor<2x1x1x2xf32>
  %0 = soma.conv_transpose2d %x, %w {stride = array<i64: 2, 2>} : (tensor<?x2x3x3xf32>, tensor<2x1x1x2xf32>) -> tensor<?x1x5x6xf32>
  return %0 : tensor<?x1x5x6xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
