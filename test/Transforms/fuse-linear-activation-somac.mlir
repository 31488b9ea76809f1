// somac fuses layers with their activations at the soma level, after
// canonicalization has removed what stood between them (a dropout, a
// reshape of the weight into the shape it already has); with --no-fuse the
// layers and their activations stay apart.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: somac %s -o %t/fused.mlir.out --emit=mlir
// RUN: FileCheck %s --check-prefix=FUSED --implicit-check-not=soma.reshape \
// RUN:   --implicit-check-not=soma.matmul --implicit-check-not=soma.add \
// RUN:   --implicit-check-not=soma.relu --implicit-check-not=soma.sigmoid \
// RUN:   < %t/fused.mlir.out
// RUN: somac %s -o %t/unfused.mlir.out --emit=mlir --no-fuse
// RUN: FileCheck %s --check-prefix=UNFUSED < %t/unfused.mlir.out
// The default at every optimization level.
// RUN: somac %s -o %t/fused-O0.mlir.out --emit=mlir -O0
// RUN: FileCheck %s --check-prefix=FUSED < %t/fused-O0.mlir.out

// FUSED-LABEL: func.func @classify
// FUSED-SAME: (%[[X:.+]]: tensor<?x6xf32>)
// FUSED-DAG: %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<2x6xf32>
// FUSED-DAG: %[[B:.+]] = arith.constant dense<{{.+}}> : tensor<2xf32>
// FUSED: %[[H:.+]] = soma.linear_activation %[[X]], %[[W]], %[[B]] {activation = #soma<activation relu>}
// FUSED: %[[Y:.+]] = soma.linear_activation %[[H]], %{{.+}}, %{{.+}} {activation = #soma<activation sigmoid>} : (tensor<?x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<?x1xf32>
// FUSED: return %[[Y]]

// UNFUSED-LABEL: func.func @classify
// UNFUSED-NOT: soma.linear_activation
// UNFUSED: %[[L:.+]] = soma.linear
// UNFUSED-NEXT: %[[R:.+]] = soma.relu %[[L]]
// UNFUSED: %[[P:.+]] = soma.matmul %[[R]]
// UNFUSED-NEXT: %[[S:.+]] = soma.add %[[P]]
// UNFUSED-NEXT: %[[Y:.+]] = soma.sigmoid %[[S]]
// UNFUSED-NEXT: return %[[Y]]
func.func @classify(%x: tensor<?x6xf32>) -> tensor<?x1xf32> {
  %w1 = arith.constant dense<[[0.25, -0.5, 0.75, 0.1, -0.2, 0.3],
                              [-0.4, 0.6, -0.1, 0.2, 0.5, -0.3]]> : tensor<2x6xf32>
  %b1 = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %w2 = arith.constant dense<[[0.5], [-1.5]]> : tensor<2x1xf32>
  %b2 = arith.constant dense<[[0.125]]> : tensor<1x1xf32>
  %0 = soma.linear %x, %w1, %b1 : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = soma.dropout %0 : tensor<?x2xf32>
  %2 = soma.relu %1 : tensor<?x2xf32>
  %3 = soma.reshape %w2 {shape = array<i64: 2, 1>} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %4 = soma.matmul %2, %3 : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %5 = soma.add %4, %b2 : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %6 = soma.sigmoid %5 : tensor<?x1xf32>
  return %6 : tensor<?x1xf32>
}
