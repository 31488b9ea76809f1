// RUN: split-file %s %t
// RUN: %npy write %t/x.npy --shape 2,1,4,4 \
// RUN:   --values=-5,2,-2,5,1,-3,4,0,-4,3,-1,-5,2,-2,5,1,-3,4,0,-4,3,-1,-5,2,-2,5,1,-3,4,0,-4,3
// RUN: soma-run %t/model.mlir --function model --input %t/x.npy \
// RUN:   --output %t/r0.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// A dynamic batch through conv2d (padding, bias), max_pool2d and flatten,
// called with a batch of 2; the input is written twice, as the .npy the
// interpreter reads and as the constant the JIT's main passes.

// REF: shape [2, 8]
// REF-NEXT: 7 12 0 11 15.5 14.5 13.5 9.5
// REF-NEXT: 7 16 6 16 12.5 11.5 15.5 11.5
// JIT: rank = 2 offset = 0 sizes = [2, 8] strides = [8, 1] data =
// JIT-NEXT: {{\[\[}}7, 12, 0, 11, 15.5, 14.5, 13.5, 9.5]
// JIT-NEXT: [7, 16, 6, 16, 12.5, 11.5, 15.5, 11.5]]

//--- model.mlir
func.func @model(%x: tensor<?x1x4x4xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<[[[[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 1.0]]],
                             [[[0.0, 1.0, 0.0], [1.0, -2.0, 1.0], [0.0, 1.0, 0.0]]]]> : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[1.0, -0.5]> : tensor<2xf32>
  %c = soma.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %p = soma.max_pool2d %c {kernel_size = array<i64: 2, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  %f = soma.flatten %p : (tensor<?x2x2x2xf32>) -> tensor<?x8xf32>
  return %f : tensor<?x8xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %x = arith.constant dense<[[[[-5.0, 2.0, -2.0, 5.0], [1.0, -3.0, 4.0, 0.0], [-4.0, 3.0, -1.0, -5.0], [2.0, -2.0, 5.0, 1.0]]],
                              [[[-3.0, 4.0, 0.0, -4.0], [3.0, -1.0, -5.0, 2.0], [-2.0, 5.0, 1.0, -3.0], [4.0, 0.0, -4.0, 3.0]]]]> : tensor<2x1x4x4xf32>
  %batch = tensor.cast %x : tensor<2x1x4x4xf32> to tensor<?x1x4x4xf32>
  %r = call @model(%batch) : (tensor<?x1x4x4xf32>) -> tensor<?x8xf32>
  %u = tensor.cast %r : tensor<?x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
