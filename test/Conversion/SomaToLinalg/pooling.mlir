// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.

// CHECK-LABEL: func.func @max_pool_padded
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x7x8xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:   tensor.yield %[[NEGINF]] : f32
// CHECK: } : tensor<?x3x7x8xf32> to tensor<?x3x9x10xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x7x8xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x3x4x3xf32>
// CHECK: %[[LOWEST:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%[[EMPTY]] : tensor<?x3x4x3xf32>)
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[R:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[PAD]], %[[WIN]] : tensor<?x3x9x10xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<?x3x4x3xf32>)
// CHECK: return %[[R]]
func.func @max_pool_padded(%x: tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32> {
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 3>, padding = array<i64: 1, 1>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32>
  return %0 : tensor<?x3x4x3xf32>
}

// -----

// The stride defaults to the kernel; no padding, no tensor.pad.
// CHECK-LABEL: func.func @max_pool_default_stride
// CHECK-NOT: tensor.pad
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: -> tensor<2x3x4x4xf32>
func.func @max_pool_default_stride(%x: tensor<2x3x8x8xf32>) -> tensor<2x3x4x4xf32> {
  %0 = soma.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<2x3x8x8xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// count_include_pad: the sum over zero padding divided by the kernel area.
// CHECK-LABEL: func.func @avg_pool_include_pad
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x7x8xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:   tensor.yield %[[ZERO]] : f32
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[PAD]], %{{.+}} : tensor<?x3x9x10xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<?x3x4x3xf32>)
// CHECK: %[[OUT:.+]] = tensor.empty(%{{.+}}) : tensor<?x3x4x3xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<?x3x4x3xf32>) outs(%[[OUT]] : tensor<?x3x4x3xf32>)
// CHECK: ^bb0(%[[S:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[AREA:.+]] = arith.constant 9.0{{.*}} : f32
// CHECK:   %[[Q:.+]] = arith.divf %[[S]], %[[AREA]] : f32
// CHECK:   linalg.yield %[[Q]] : f32
// CHECK: return %[[R]]
func.func @avg_pool_include_pad(%x: tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32> {
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 3>, padding = array<i64: 1, 1>} : (tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32>
  return %0 : tensor<?x3x4x3xf32>
}

// -----

// Without count_include_pad each position divides by the elements its
// window covers in the input: a [OH, OW] table built at compile time.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avg_pool_exclude_pad
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum
// CHECK: %[[COUNTS:.+]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00], [4.000000e+00, 6.000000e+00, 6.000000e+00]]> : tensor<4x3xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[HW]], #[[ID]]]
// CHECK-SAME: ins(%[[SUM]], %[[COUNTS]] : tensor<?x3x4x3xf32>, tensor<4x3xf32>)
// CHECK: ^bb0(%[[S:.+]]: f32, %[[C:.+]]: f32, %{{.+}}: f32):
// CHECK:   arith.divf %[[S]], %[[C]] : f32
func.func @avg_pool_exclude_pad(%x: tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32> {
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 3>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<?x3x7x8xf32>) -> tensor<?x3x4x3xf32>
  return %0 : tensor<?x3x4x3xf32>
}

// -----

// Without padding the counts are uniform even when padding does not count.
// CHECK-LABEL: func.func @avg_pool_exclude_no_pad
// CHECK-NOT: arith.constant dense
// CHECK: arith.constant 4.0{{.*}} : f32
func.func @avg_pool_exclude_no_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = soma.avg_pool2d %x {kernel_size = array<i64: 2, 2>, count_include_pad = false} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
