// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref \
// RUN:   --output %t/r0.npy --output %t/r1.npy --output %t/r2.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: %npy print %t/r1.npy >> %t/ref.txt
// RUN: %npy print %t/r2.npy >> %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// Max pooling with padding, where a NaN wins its windows and -inf padding
// never does; average pooling with and without count_include_pad.

// REF: shape [1, 1, 3, 3]
// REF-NEXT: nan nan 1.5
// REF-NEXT: nan nan 4
// REF-NEXT: 5 5 4
// REF-NEXT: shape [1, 1, 3, 3]
// REF-NEXT: 0.555555582 0.888888896 -0.555555582
// REF-NEXT: -0.222222224 -0.944444418 -1.27777779
// REF-NEXT: 0.444444448 1.13888884 1.08333337
// REF-NEXT: shape [1, 1, 3, 3]
// REF-NEXT: 1.25 1.33333337 -1.25
// REF-NEXT: -0.333333343 -0.944444418 -1.91666663
// REF-NEXT: 1 1.70833337 2.4375
// JIT: rank = 4 offset = 0 sizes = [1, 1, 3, 3] strides = [9, 9, 3, 1] data =
// JIT-NEXT: {{\[\[\[\[}}nan, nan, 1.5]
// JIT-NEXT: [nan, nan, 4]
// JIT-NEXT: [5, 5, 4]]]]
// JIT: rank = 4 offset = 0 sizes = [1, 1, 3, 3] strides = [9, 9, 3, 1] data =
// JIT-NEXT: {{\[\[\[\[}}0.555556, 0.888889, -0.555556]
// JIT-NEXT: [-0.222222, -0.944444, -1.27778]
// JIT-NEXT: [0.444444, 1.13889, 1.08333]]]]
// JIT: rank = 4 offset = 0 sizes = [1, 1, 3, 3] strides = [9, 9, 3, 1] data =
// JIT-NEXT: {{\[\[\[\[}}1.25, 1.33333, -1.25]
// JIT-NEXT: [-0.333333, -0.944444, -1.91667]
// JIT-NEXT: [1, 1.70833, 2.4375]]]]

//--- model.mlir
func.func @ref() -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
  %x = arith.constant dense<[[[[-1.0, -2.0, 3.0, 0.5, -4.0],
                               [2.0, 0x7FC00000, -1.0, 1.5, -3.0],
                               [-5.0, -6.0, -7.0, -8.0, -9.0],
                               [1.0, 0.0, 2.0, 4.0, 3.0],
                               [-2.0, 5.0, -1.0, 0.25, 2.5]]]]> : tensor<1x1x5x5xf32>
  %y = arith.constant dense<[[[[-1.0, -2.0, 3.0, 0.5, -4.0],
                               [2.0, 6.0, -1.0, 1.5, -3.0],
                               [-5.0, -6.0, -7.0, -8.0, -9.0],
                               [1.0, 0.0, 2.0, 4.0, 3.0],
                               [-2.0, 5.0, -1.0, 0.25, 2.5]]]]> : tensor<1x1x5x5xf32>
  %max = soma.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %avg = soma.avg_pool2d %y {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %exc = soma.avg_pool2d %y {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %max, %avg, %exc : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r:3 = call @ref() : () -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>)
  %a = tensor.cast %r#0 : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%a) : (tensor<*xf32>) -> ()
  %b = tensor.cast %r#1 : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%b) : (tensor<*xf32>) -> ()
  %c = tensor.cast %r#2 : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%c) : (tensor<*xf32>) -> ()
  return
}
