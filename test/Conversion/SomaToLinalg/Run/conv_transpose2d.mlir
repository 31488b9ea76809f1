// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref \
// RUN:   --output %t/r0.npy --output %t/r1.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: %npy print %t/r1.npy >> %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// conv_transpose2d with stride, output_padding, 2 groups, a bias, and row
// padding beyond dilation * (kernel - 1), which crops the spread input, on
// small integers (exact sums). Result 0 takes the
// weight as a constant (flipped at compile time); result 1 the same weight
// through a relu that is the identity on it, so the kernel is flipped by a
// generic at run time. Both must agree with the interpreter.

// REF: shape [1, 4, 2, 5]
// REF-NEXT: 1 1 -1 0 -2
// REF-NEXT: 3 5 1 2 -1
// REF-NEXT: -1 -1 -3 -3 -2
// REF-NEXT: -1 1 0 0 -3
// REF-NEXT: 1.5 3.5 3.5 6.5 2.5
// REF-NEXT: -1.5 2.5 3.5 4.5 5.5
// REF-NEXT: 3 0 7 0 2
// REF-NEXT: 1 0 6 3 2
// REF-NEXT: shape [1, 4, 2, 5]
// REF-NEXT: 1 1 -1 0 -2
// REF-NEXT: 3 5 1 2 -1
// REF-NEXT: -1 -1 -3 -3 -2
// REF-NEXT: -1 1 0 0 -3
// REF-NEXT: 1.5 3.5 3.5 6.5 2.5
// REF-NEXT: -1.5 2.5 3.5 4.5 5.5
// REF-NEXT: 3 0 7 0 2
// REF-NEXT: 1 0 6 3 2
// JIT: rank = 4 offset = 0 sizes = [1, 4, 2, 5] strides = [40, 10, 5, 1] data =
// JIT-NEXT: {{\[\[\[\[}}1, 1, -1, 0, -2]
// JIT-NEXT: [3, 5, 1, 2, -1]]
// JIT-NEXT: {{\[\[}}-1, -1, -3, -3, -2]
// JIT-NEXT: [-1, 1, 0, 0, -3]]
// JIT-NEXT: {{\[\[}}1.5, 3.5, 3.5, 6.5, 2.5]
// JIT-NEXT: [-1.5, 2.5, 3.5, 4.5, 5.5]]
// JIT-NEXT: {{\[\[}}3, 0, 7, 0, 2]
// JIT-NEXT: [1, 0, 6, 3, 2]]]]
// JIT: rank = 4 offset = 0 sizes = [1, 4, 2, 5] strides = [40, 10, 5, 1] data =
// JIT-NEXT: {{\[\[\[\[}}1, 1, -1, 0, -2]
// JIT-NEXT: [3, 5, 1, 2, -1]]
// JIT-NEXT: {{\[\[}}-1, -1, -3, -3, -2]
// JIT-NEXT: [-1, 1, 0, 0, -3]]
// JIT-NEXT: {{\[\[}}1.5, 3.5, 3.5, 6.5, 2.5]
// JIT-NEXT: [-1.5, 2.5, 3.5, 4.5, 5.5]]
// JIT-NEXT: {{\[\[}}3, 0, 7, 0, 2]
// JIT-NEXT: [1, 0, 6, 3, 2]]]]

//--- model.mlir
func.func @ref() -> (tensor<1x4x2x5xf32>, tensor<1x4x2x5xf32>) {
  %x = arith.constant dense<[[[[1.0, 2.0], [0.0, -1.0], [2.0, 1.0]], [[3.0, -2.0], [1.0, 2.0], [-1.0, 1.0]]]]> : tensor<1x2x3x2xf32>
  %w = arith.constant dense<[[[[1.0, 2.0, 0.0], [2.0, 1.0, 3.0], [1.0, 1.0, 2.0]], [[0.0, 1.0, 1.0], [2.0, 2.0, 1.0], [1.0, 0.0, 3.0]]],
                             [[[2.0, 0.0, 1.0], [1.0, 3.0, 1.0], [0.0, 2.0, 2.0]], [[1.0, 1.0, 0.0], [3.0, 0.0, 1.0], [2.0, 1.0, 1.0]]]]> : tensor<2x2x3x3xf32>
  %b = arith.constant dense<[1.0, -1.0, 0.5, 0.0]> : tensor<4xf32>
  %y = soma.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 3, 0>, output_padding = array<i64: 1, 0>, groups = 2} : (tensor<1x2x3x2xf32>, tensor<2x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x2x5xf32>
  %v = soma.relu %w : tensor<2x2x3x3xf32>
  %z = soma.conv_transpose2d %x, %v, %b {stride = array<i64: 2, 2>, padding = array<i64: 3, 0>, output_padding = array<i64: 1, 0>, groups = 2} : (tensor<1x2x3x2xf32>, tensor<2x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x2x5xf32>
  return %y, %z : tensor<1x4x2x5xf32>, tensor<1x4x2x5xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r:2 = call @ref() : () -> (tensor<1x4x2x5xf32>, tensor<1x4x2x5xf32>)
  %u = tensor.cast %r#0 : tensor<1x4x2x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %v = tensor.cast %r#1 : tensor<1x4x2x5xf32> to tensor<*xf32>
  call @printMemrefF32(%v) : (tensor<*xf32>) -> ()
  return
}
