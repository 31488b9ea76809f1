// RUN: soma-opt %s --convert-soma-to-linalg --cse --canonicalize \
// RUN:   | grep arith.divf | FileCheck %s
// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=8" --cse --canonicalize \
// RUN:   | grep arith.divf | FileCheck %s --check-prefix=AVX2

// With 16 lanes (AVX-512) sigmoid and silu divide by the reciprocal
// estimate, a division marked arcp and ninf that the object emitter lowers
// to vrcp14ps alone, whose bits differ from those of a division. So that
// every element of a compilation gets the same bits, narrower bodies are
// widened to 16 lanes: here the epilogues of the layers' tiles of 6, 4, 2
// and 1 rows, whose vectors of 8 lanes are joined two by two, the last one
// with itself. Every division is the estimate, on 16 lanes: 3 + 2 + 1 + 1
// for each layer.
// CHECK-COUNT-14: arith.divf %{{.+}}, %{{.+}} fastmath<ninf,arcp> : vector<16xf32>
// CHECK-NOT: arith.divf

// AVX2 has no 14-bit estimate: a correctly rounded division on every tile
// row, 6 + 4 + 2 + 1 for each layer.
// AVX2-COUNT-26: arith.divf %{{.+}}, %{{.+}} : vector<8xf32>
// AVX2-NOT: arith.divf

func.func @sigmoid_layer(%x: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0], [13.0, 14.0, 15.0]]> : tensor<5x3xf32>
  %b = arith.constant dense<[0.5, 1.5, 2.5, 3.5, 4.5]> : tensor<5xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation sigmoid>} : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

func.func @silu_layer(%x: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0], [13.0, 14.0, 15.0]]> : tensor<5x3xf32>
  %b = arith.constant dense<[0.5, 1.5, 2.5, 3.5, 4.5]> : tensor<5xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation silu>} : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
