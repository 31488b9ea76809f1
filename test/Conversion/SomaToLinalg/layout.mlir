// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.

// Dimensions that regroup need one expand_shape; the batch carries over.
// CHECK-LABEL: func.func @reshape_expand
// CHECK-SAME: (%[[X:.+]]: tensor<?x6xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x6xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [%[[N]], 2, 3] : tensor<?x6xf32> into tensor<?x2x3xf32>
// CHECK: return %[[R]]
func.func @reshape_expand(%x: tensor<?x6xf32>) -> tensor<?x2x3xf32> {
  %0 = soma.reshape %x {shape = array<i64: -1, 2, 3>} : (tensor<?x6xf32>) -> tensor<?x2x3xf32>
  return %0 : tensor<?x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_collapse
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
// CHECK: return %[[R]]
func.func @reshape_collapse(%x: tensor<?x2x3xf32>) -> tensor<?x6xf32> {
  %0 = soma.reshape %x {shape = array<i64: -1, 6>} : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// Otherwise through 1-D; the inferred size is the element count divided by
// the known sizes.
// CHECK-LABEL: func.func @reshape_through_vector
// CHECK-SAME: (%[[X:.+]]: tensor<?x6x4xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<?x6x4xf32> into tensor<?xf32>
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[TOTAL:.+]] = tensor.dim %[[FLAT]], %[[C0]] : tensor<?xf32>
// CHECK: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[D:.+]] = arith.divui %[[TOTAL]], %[[C2]] : index
// CHECK: %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [2, %[[D]]] : tensor<?xf32> into tensor<2x?xf32>
// CHECK: return %[[R]]
func.func @reshape_through_vector(%x: tensor<?x6x4xf32>) -> tensor<2x?xf32> {
  %0 = soma.reshape %x {shape = array<i64: 2, -1>} : (tensor<?x6x4xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// A dynamic input whose result is static: the 1-D form takes the count.
// CHECK-LABEL: func.func @reshape_to_static
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
// CHECK: %[[CAST:.+]] = tensor.cast %[[FLAT]] : tensor<?xf32> to tensor<8xf32>
// CHECK: tensor.expand_shape %[[CAST]] {{\[}}[0, 1, 2]] output_shape [2, 2, 2] : tensor<8xf32> into tensor<2x2x2xf32>
func.func @reshape_to_static(%x: tensor<?x4xf32>) -> tensor<2x2x2xf32> {
  %0 = soma.reshape %x {shape = array<i64: 2, 2, 2>} : (tensor<?x4xf32>) -> tensor<2x2x2xf32>
  return %0 : tensor<2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_static
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
func.func @reshape_static(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = soma.reshape %x {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_scalars
// CHECK-SAME: (%[[X:.+]]: tensor<f32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[X]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[E]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return %[[C]]
func.func @reshape_scalars(%x: tensor<f32>) -> tensor<f32> {
  %0 = soma.reshape %x {shape = array<i64: 1, -1>} : (tensor<f32>) -> tensor<1x1xf32>
  %1 = soma.reshape %0 {shape = array<i64>} : (tensor<1x1xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4x5xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2], [3]] : tensor<?x3x4x5xf32> into tensor<?x12x5xf32>
// CHECK: return %[[R]]
func.func @flatten(%x: tensor<?x3x4x5xf32>) -> tensor<?x12x5xf32> {
  %0 = soma.flatten %x {start_dim = 1, end_dim = 2} : (tensor<?x3x4x5xf32>) -> tensor<?x12x5xf32>
  return %0 : tensor<?x12x5xf32>
}

// -----

// The default flattens everything after the batch.
// CHECK-LABEL: func.func @flatten_default
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<?x3x4x5xf32> into tensor<?x60xf32>
func.func @flatten_default(%x: tensor<?x3x4x5xf32>) -> tensor<?x60xf32> {
  %0 = soma.flatten %x : (tensor<?x3x4x5xf32>) -> tensor<?x60xf32>
  return %0 : tensor<?x60xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_scalar
// CHECK: tensor.expand_shape %{{.+}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
func.func @flatten_scalar(%x: tensor<f32>) -> tensor<1xf32> {
  %0 = soma.flatten %x {start_dim = 0} : (tensor<f32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4x5xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x4x5xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<5x?x4x3xf32>
// CHECK: %[[R:.+]] = linalg.transpose ins(%[[X]] : tensor<?x3x4x5xf32>) outs(%[[INIT]] : tensor<5x?x4x3xf32>) permutation = [3, 0, 2, 1]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<?x3x4x5xf32>) -> tensor<5x?x4x3xf32> {
  %0 = soma.transpose %x {perm = array<i64: 3, 0, 2, 1>} : (tensor<?x3x4x5xf32>) -> tensor<5x?x4x3xf32>
  return %0 : tensor<5x?x4x3xf32>
}
