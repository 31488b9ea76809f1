// RUN: soma-opt %s -canonicalize="test-convergence" | FileCheck %s

// Folds and canonicalization patterns of the soma ops, each with the cases
// that must stay as they are.

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
// CHECK-NOT: soma.dropout
// CHECK: return %[[X]], %[[X]] : tensor<?x8xf32>, tensor<?x8xf32>
func.func @dropout(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %0 = soma.dropout %x : tensor<?x8xf32>
  %1 = soma.dropout %x {p = 1.0 : f32} : tensor<?x8xf32>
  return %0, %1 : tensor<?x8xf32>, tensor<?x8xf32>
}

// Only dropout is the identity: the activation next to it stays.
// CHECK-LABEL: func.func @dropout_then_relu
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.+]] = soma.relu %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @dropout_then_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = soma.dropout %x {p = 0.2 : f32} : tensor<4xf32>
  %1 = soma.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = soma.reshape %[[X]] {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = soma.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = soma.reshape %0 {shape = array<i64: 4, 6>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// Three reshapes become one; the -1 stays, inferred from the dynamic batch.
// CHECK-LABEL: func.func @reshape_chain_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3xf32>)
// CHECK-NEXT: %[[R:.+]] = soma.reshape %[[X]] {shape = array<i64: -1, 3, 2>} : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain_dynamic(%x: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %0 = soma.reshape %x {shape = array<i64: -1, 6>} : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  %1 = soma.reshape %0 {shape = array<i64: -1>} : (tensor<?x6xf32>) -> tensor<?xf32>
  %2 = soma.reshape %1 {shape = array<i64: -1, 3, 2>} : (tensor<?xf32>) -> tensor<?x3x2xf32>
  return %2 : tensor<?x3x2xf32>
}

// The first reshape pins the batch (12 elements): the folded reshape spells
// the static result out, since -1 on the dynamic input would infer 4x?.
// CHECK-LABEL: func.func @reshape_of_reshape_pins_batch
// CHECK-SAME: (%[[X:.+]]: tensor<?x6xf32>)
// CHECK-NEXT: %[[R:.+]] = soma.reshape %[[X]] {shape = array<i64: 4, 3>} : (tensor<?x6xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape_pins_batch(%x: tensor<?x6xf32>) -> tensor<4x3xf32> {
  %0 = soma.reshape %x {shape = array<i64: 12>} : (tensor<?x6xf32>) -> tensor<12xf32>
  %1 = soma.reshape %0 {shape = array<i64: 4, -1>} : (tensor<12xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// Back to the input's shape: nothing is left.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x3xf32>)
// CHECK-NOT: soma.reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<?x2x3xf32>) -> tensor<?x2x3xf32> {
  %0 = soma.reshape %x {shape = array<i64: -1, 6>} : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  %1 = soma.reshape %0 {shape = array<i64: -1, 2, 3>} : (tensor<?x6xf32>) -> tensor<?x2x3xf32>
  return %1 : tensor<?x2x3xf32>
}

// The producer has another use: it stays, the consumer reads `x` directly.
// CHECK-LABEL: func.func @reshape_of_shared_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>)
// CHECK-DAG: %[[A:.+]] = soma.reshape %[[X]] {shape = array<i64: 12>} : (tensor<2x6xf32>) -> tensor<12xf32>
// CHECK-DAG: %[[B:.+]] = soma.reshape %[[X]] {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
// CHECK: return %[[A]], %[[B]]
func.func @reshape_of_shared_reshape(%x: tensor<2x6xf32>) -> (tensor<12xf32>, tensor<3x4xf32>) {
  %0 = soma.reshape %x {shape = array<i64: 12>} : (tensor<2x6xf32>) -> tensor<12xf32>
  %1 = soma.reshape %0 {shape = array<i64: 3, 4>} : (tensor<12xf32>) -> tensor<3x4xf32>
  return %0, %1 : tensor<12xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>, %[[Y:.+]]: tensor<?x6xf32>)
// CHECK-NOT: soma.reshape
// CHECK: return %[[X]], %[[Y]]
func.func @reshape_identity(%x: tensor<2x6xf32>, %y: tensor<?x6xf32>) -> (tensor<2x6xf32>, tensor<?x6xf32>) {
  %0 = soma.reshape %x {shape = array<i64: 2, 6>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  %1 = soma.reshape %y {shape = array<i64: -1, 6>} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0, %1 : tensor<2x6xf32>, tensor<?x6xf32>
}

// Same element count, other shape: not the identity.
// CHECK-LABEL: func.func @reshape_not_identity
// CHECK: soma.reshape %{{.+}} {shape = array<i64: 6, 2>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
// CHECK: soma.reshape %{{.+}} {shape = array<i64: 6, -1>} : (tensor<?x6xf32>) -> tensor<6x?xf32>
func.func @reshape_not_identity(%x: tensor<2x6xf32>, %y: tensor<?x6xf32>) -> (tensor<6x2xf32>, tensor<6x?xf32>) {
  %0 = soma.reshape %x {shape = array<i64: 6, 2>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
  %1 = soma.reshape %y {shape = array<i64: 6, -1>} : (tensor<?x6xf32>) -> tensor<6x?xf32>
  return %0, %1 : tensor<6x2xf32>, tensor<6x?xf32>
}

// Two dynamic input dimensions: the single -1 cannot keep both, so no
// reshape has the input's type and none folds.
// CHECK-LABEL: func.func @reshape_two_dynamic
// CHECK: soma.reshape %{{.+}} {shape = array<i64: -1>} : (tensor<?x?xf32>) -> tensor<?xf32>
func.func @reshape_two_dynamic(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = soma.reshape %x {shape = array<i64: -1>} : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

//===----------------------------------------------------------------------===//
// flatten
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @flatten_flat
// CHECK-SAME: (%[[X:.+]]: tensor<?x24xf32>, %[[Y:.+]]: tensor<?x3x4xf32>)
// CHECK-NOT: soma.flatten
// CHECK: return %[[X]], %[[Y]]
func.func @flatten_flat(%x: tensor<?x24xf32>, %y: tensor<?x3x4xf32>) -> (tensor<?x24xf32>, tensor<?x3x4xf32>) {
  %0 = soma.flatten %x : (tensor<?x24xf32>) -> tensor<?x24xf32>
  // A range of one dimension.
  %1 = soma.flatten %y {start_dim = 1 : i64, end_dim = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  return %0, %1 : tensor<?x24xf32>, tensor<?x3x4xf32>
}

// Merging dimensions changes the type, even when one of them is 1.
// CHECK-LABEL: func.func @flatten_merges
// CHECK: soma.flatten %{{.+}} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
// CHECK: soma.flatten %{{.+}} : (tensor<?x1x4xf32>) -> tensor<?x4xf32>
// CHECK: soma.flatten %{{.+}} : (tensor<f32>) -> tensor<1xf32>
func.func @flatten_merges(%x: tensor<?x3x4xf32>, %y: tensor<?x1x4xf32>, %s: tensor<f32>) -> (tensor<?x12xf32>, tensor<?x4xf32>, tensor<1xf32>) {
  %0 = soma.flatten %x : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  %1 = soma.flatten %y : (tensor<?x1x4xf32>) -> tensor<?x4xf32>
  %2 = soma.flatten %s {start_dim = 0 : i64} : (tensor<f32>) -> tensor<1xf32>
  return %0, %1, %2 : tensor<?x12xf32>, tensor<?x4xf32>, tensor<1xf32>
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4xf32>, %[[S:.+]]: tensor<f32>)
// CHECK-NOT: soma.transpose
// CHECK: return %[[X]], %[[S]]
func.func @transpose_identity(%x: tensor<?x3x4xf32>, %s: tensor<f32>) -> (tensor<?x3x4xf32>, tensor<f32>) {
  %0 = soma.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %1 = soma.transpose %s {perm = array<i64>} : (tensor<f32>) -> tensor<f32>
  return %0, %1 : tensor<?x3x4xf32>, tensor<f32>
}

// Swapping two equal dimensions keeps the type but moves the elements.
// CHECK-LABEL: func.func @transpose_not_identity
// CHECK: soma.transpose %{{.+}} {perm = array<i64: 0, 2, 1>} : (tensor<?x3x4xf32>) -> tensor<?x4x3xf32>
// CHECK: soma.transpose %{{.+}} {perm = array<i64: 0, 2, 1>} : (tensor<?x4x4xf32>) -> tensor<?x4x4xf32>
func.func @transpose_not_identity(%x: tensor<?x3x4xf32>, %y: tensor<?x4x4xf32>) -> (tensor<?x4x3xf32>, tensor<?x4x4xf32>) {
  %0 = soma.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<?x3x4xf32>) -> tensor<?x4x3xf32>
  %1 = soma.transpose %y {perm = array<i64: 0, 2, 1>} : (tensor<?x4x4xf32>) -> tensor<?x4x4xf32>
  return %0, %1 : tensor<?x4x3xf32>, tensor<?x4x4xf32>
}

//===----------------------------------------------------------------------===//
// Ops without folds
//===----------------------------------------------------------------------===//

// A chain of identities disappears; the ops around it do not.
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[W:.+]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[L:.+]] = soma.linear %[[X]], %[[W]] : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
// CHECK-NEXT: %[[S:.+]] = soma.softmax %[[L]] : tensor<?x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @mixed(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  %0 = soma.dropout %x : tensor<?x8xf32>
  %1 = soma.flatten %0 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %2 = soma.transpose %1 {perm = array<i64: 0, 1>} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %3 = soma.linear %2, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %4 = soma.reshape %3 {shape = array<i64: -1, 4>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %5 = soma.softmax %4 : tensor<?x4xf32>
  return %5 : tensor<?x4xf32>
}
