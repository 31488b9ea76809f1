// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.

// NumPy broadcasting through indexing maps: operands align at their trailing
// dimension and a static size-1 dimension that stretches reads index 0.

// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<?x1x4xf32>, %[[B:.+]]: tensor<3x1xf32>)
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %[[C0]] : tensor<?x1x4xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<?x3x4xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x1x4xf32>, tensor<3x1xf32>)
// CHECK-SAME: outs(%[[INIT]] : tensor<?x3x4xf32>)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[S:.+]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<?x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<?x3x4xf32> {
  %0 = soma.add %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

// The dynamic batch comes from whichever operand has it.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @sub_batch_on_rhs
// CHECK-SAME: (%[[A:.+]]: tensor<5xf32>, %[[B:.+]]: tensor<?x5xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x5xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<?x5xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[ID]], #[[ID]]]
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: f32):
// CHECK:   arith.subf %[[X]], %[[Y]] : f32
func.func @sub_batch_on_rhs(%a: tensor<5xf32>, %b: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = soma.sub %a, %b : (tensor<5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @mul_static
// CHECK-NOT: tensor.dim
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK:   arith.mulf
func.func @mul_static(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = soma.mul %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A rank-0 operand broadcasts to everything.
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @div_by_scalar
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: f32):
// CHECK:   arith.divf %[[X]], %[[Y]] : f32
func.func @div_by_scalar(%a: tensor<?x3xf32>, %b: tensor<f32>) -> tensor<?x3xf32> {
  %0 = soma.div %a, %b : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
