// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.

// A plain 2-D product is linalg.matmul from a zero-filled destination.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.+]]: tensor<?x7xf32>, %[[B:.+]]: tensor<7x3xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x7xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<?x3xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<?x7xf32>, tensor<7x3xf32>) outs(%[[INIT]] : tensor<?x3xf32>)
// CHECK: return %[[R]]
func.func @matmul_2d(%a: tensor<?x7xf32>, %b: tensor<7x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.matmul %a, %b : (tensor<?x7xf32>, tensor<7x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Batched with broadcasting: the size-1 batch dimension of lhs reads 0, rhs
// has no leading batch dimension.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:.+]]: tensor<?x1x3x4xf32>, %[[B:.+]]: tensor<2x4x5xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x1x3x4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x2x3x5xf32>
// CHECK: %[[INIT:.+]] = linalg.fill {{.+}} outs(%[[EMPTY]]
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[A]], %[[B]] : {{.+}}) outs(%[[INIT]] : tensor<?x2x3x5xf32>)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:   linalg.yield %[[S]] : f32
func.func @matmul_batched(%a: tensor<?x1x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<?x2x3x5xf32> {
  %0 = soma.matmul %a, %b : (tensor<?x1x3x4xf32>, tensor<2x4x5xf32>) -> tensor<?x2x3x5xf32>
  return %0 : tensor<?x2x3x5xf32>
}

// -----

// Two vectors: a dot product into a rank-0 tensor.
// CHECK-DAG: #[[VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @matmul_dot
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<f32>
// CHECK: %[[INIT:.+]] = linalg.fill {{.+}} outs(%[[EMPTY]] : tensor<f32>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[VEC]], #[[VEC]], #[[SCALAR]]]
// CHECK-SAME: iterator_types = ["reduction"]
func.func @matmul_dot(%a: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<f32> {
  %0 = soma.matmul %a, %b : (tensor<6xf32>, tensor<6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A 1-D lhs is a row whose dimension the result drops; the batch comes from
// rhs.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_vector_matrix
// CHECK-SAME: (%[[A:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<?x4x5xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x4x5xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?x5xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
func.func @matmul_vector_matrix(%a: tensor<4xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x5xf32> {
  %0 = soma.matmul %a, %b : (tensor<4xf32>, tensor<?x4x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// A 1-D rhs is a column whose dimension the result drops.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_matrix_vector
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
func.func @matmul_matrix_vector(%a: tensor<?x3x4xf32>, %b: tensor<4xf32>) -> tensor<?x3xf32> {
  %0 = soma.matmul %a, %b : (tensor<?x3x4xf32>, tensor<4xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// linear with a bias: the bias broadcast along the rows is the accumulator
// of a product over the collapsed leading dimensions, in (row, k, column)
// loop order against the transposed weight.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[MX:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[MW:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MO:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @linear_bias_3d
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x6xf32>, %[[W:.+]]: tensor<2x6xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x3x6xf32> into tensor<?x6xf32>
// CHECK: %[[M:.+]] = tensor.dim %[[ROWS]], %{{.+}} : tensor<?x6xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[M]]) : tensor<?x2xf32>
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[BIAS]], #[[ID]]]
// CHECK-SAME: ins(%[[B]] : tensor<2xf32>) outs(%[[EMPTY]] : tensor<?x2xf32>)
// CHECK: %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<2x6xf32>) outs(%{{.+}} : tensor<6x2xf32>) permutation = [1, 0]
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[MX]], #[[MW]], #[[MO]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[ROWS]], %[[WT]] : tensor<?x6xf32>, tensor<6x2xf32>) outs(%[[INIT]] : tensor<?x2xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x6xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [%[[N]], 3, 2] : tensor<?x2xf32> into tensor<?x3x2xf32>
// CHECK: return %[[R]]
func.func @linear_bias_3d(%x: tensor<?x3x6xf32>, %w: tensor<2x6xf32>, %b: tensor<2xf32>) -> tensor<?x3x2xf32> {
  %0 = soma.linear %x, %w, %b : (tensor<?x3x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x3x2xf32>
  return %0 : tensor<?x3x2xf32>
}

// -----

// Without a bias the accumulator is zeros; 2-D inputs need no reshape.
// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[W:.+]]: tensor<5x16xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<5x16xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[WT]] : {{.+}}) outs(%[[INIT]] : tensor<?x5xf32>)
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
func.func @linear_no_bias(%x: tensor<?x16xf32>, %w: tensor<5x16xf32>) -> tensor<?x5xf32> {
  %0 = soma.linear %x, %w : (tensor<?x16xf32>, tensor<5x16xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// A 1-D input is one row.
// CHECK-LABEL: func.func @linear_vector
// CHECK-SAME: (%[[X:.+]]: tensor<6xf32>
// CHECK: %[[ROW:.+]] = tensor.expand_shape %[[X]] {{\[}}[0, 1]] output_shape [1, 6] : tensor<6xf32> into tensor<1x6xf32>
// CHECK: %[[P:.+]] = linalg.generic {{.+}} ins(%[[ROW]], {{.+}}) outs({{.+}} : tensor<1x3xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[P]] {{\[}}[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
// CHECK: return %[[R]]
func.func @linear_vector(%x: tensor<6xf32>, %w: tensor<3x6xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = soma.linear %x, %w, %b : (tensor<6xf32>, tensor<3x6xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
