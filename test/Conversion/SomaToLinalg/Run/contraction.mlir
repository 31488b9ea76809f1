// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref \
// RUN:   --output %t/r0.npy --output %t/r1.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: %npy print %t/r1.npy >> %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// A batched matmul whose lhs batch broadcasts, and a linear layer with a
// bias over 3-D input, on small integers (exact sums).

// REF: shape [2, 2, 3]
// REF-NEXT: 7 -2 4
// REF-NEXT: -3 1 -1
// REF-NEXT: 0 3 8
// REF-NEXT: -1 -1 -4
// REF-NEXT: shape [2, 2, 2]
// REF-NEXT: -1.5 4
// REF-NEXT: -1.5 -2
// REF-NEXT: 4.5 1
// REF-NEXT: 0.5 0
// JIT: rank = 3 offset = 0 sizes = [2, 2, 3] strides = [6, 3, 1] data =
// JIT-NEXT: {{\[\[\[}}7, -2, 4]
// JIT-NEXT: [-3, 1, -1]]
// JIT-NEXT: {{\[\[}}0, 3, 8]
// JIT-NEXT: [-1, -1, -4]]]
// JIT: rank = 3 offset = 0 sizes = [2, 2, 2] strides = [4, 2, 1] data =
// JIT-NEXT: {{\[\[\[}}-1.5, 4]
// JIT-NEXT: [-1.5, -2]]
// JIT-NEXT: {{\[\[}}4.5, 1]
// JIT-NEXT: [0.5, 0]]]

//--- model.mlir
func.func @ref() -> (tensor<2x2x3xf32>, tensor<2x2x2xf32>) {
  %a = arith.constant dense<[[[1.0, 2.0], [0.0, -1.0]]]> : tensor<1x2x2xf32>
  %b = arith.constant dense<[[[1.0, 0.0, 2.0], [3.0, -1.0, 1.0]], [[-2.0, 1.0, 0.0], [1.0, 1.0, 4.0]]]> : tensor<2x2x3xf32>
  %m = soma.matmul %a, %b : (tensor<1x2x2xf32>, tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
  %x = arith.constant dense<[[[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]], [[2.0, 2.0, -2.0], [1.0, 0.0, 1.0]]]> : tensor<2x2x3xf32>
  %w = arith.constant dense<[[1.0, 0.0, -1.0], [2.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %c = arith.constant dense<[0.5, -3.0]> : tensor<2xf32>
  %l = soma.linear %x, %w, %c : (tensor<2x2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2x2xf32>
  return %m, %l : tensor<2x2x3xf32>, tensor<2x2x2xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r:2 = call @ref() : () -> (tensor<2x2x3xf32>, tensor<2x2x2xf32>)
  %a = tensor.cast %r#0 : tensor<2x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%a) : (tensor<*xf32>) -> ()
  %b = tensor.cast %r#1 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%b) : (tensor<*xf32>) -> ()
  return
}
