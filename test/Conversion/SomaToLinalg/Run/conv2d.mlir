// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref --output %t/r0.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// conv2d with 2 groups, stride, padding, dilation and a bias, on small
// integers: every sum is exact, so the compiled result must equal the
// interpreter's bit for bit whatever the order of accumulation.

// REF: shape [1, 4, 3, 2]
// REF-NEXT: 0.5 0.5
// REF-NEXT: 2.5 -4.5
// REF-NEXT: 0.5 5.5
// REF-NEXT: 1 -1
// REF-NEXT: -2 -4
// REF-NEXT: 1 1
// REF-NEXT: 5 2
// REF-NEXT: 8 -2
// REF-NEXT: 3 2
// REF-NEXT: -1 1
// REF-NEXT: -2 1
// REF-NEXT: -3 1
// JIT: rank = 4 offset = 0 sizes = [1, 4, 3, 2] strides = [24, 6, 2, 1] data =
// JIT-NEXT: {{\[\[\[\[}}0.5, 0.5]
// JIT-NEXT: [2.5, -4.5]
// JIT-NEXT: [0.5, 5.5]]
// JIT-NEXT: {{\[\[}}1, -1]
// JIT-NEXT: [-2, -4]
// JIT-NEXT: [1, 1]]
// JIT-NEXT: {{\[\[}}5, 2]
// JIT-NEXT: [8, -2]
// JIT-NEXT: [3, 2]]
// JIT-NEXT: {{\[\[}}-1, 1]
// JIT-NEXT: [-2, 1]
// JIT-NEXT: [-3, 1]]]]

//--- model.mlir
func.func @ref() -> tensor<1x4x3x2xf32> {
  %x = arith.constant dense<[[[[1.0, 2.0, 0.0, -1.0], [3.0, -2.0, 1.0, 2.0], [0.0, 1.0, -3.0, 2.0], [2.0, 0.0, 1.0, 1.0], [-1.0, 2.0, 2.0, 0.0]],
                              [[0.0, 1.0, 1.0, 2.0], [-1.0, 0.0, 2.0, 1.0], [2.0, 2.0, -1.0, 0.0], [1.0, -2.0, 0.0, 3.0], [0.0, 1.0, 1.0, -1.0]]]]> : tensor<1x2x5x4xf32>
  %w = arith.constant dense<[[[[1.0, -1.0], [2.0, 0.0]]], [[[0.0, 1.0], [1.0, 1.0]]],
                             [[[-2.0, 1.0], [0.0, 3.0]]], [[[1.0, 1.0], [1.0, -1.0]]]]> : tensor<4x1x2x2xf32>
  %b = arith.constant dense<[0.5, -1.0, 2.0, 0.0]> : tensor<4xf32>
  %y = soma.conv2d %x, %w, %b {stride = array<i64: 2, 3>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 2>, groups = 2} : (tensor<1x2x5x4xf32>, tensor<4x1x2x2xf32>, tensor<4xf32>) -> tensor<1x4x3x2xf32>
  return %y : tensor<1x4x3x2xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r = call @ref() : () -> tensor<1x4x3x2xf32>
  %u = tensor.cast %r : tensor<1x4x3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
