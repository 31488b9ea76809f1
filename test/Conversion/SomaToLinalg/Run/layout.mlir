// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref --output %t/r0.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// transpose, then a reshape that regroups nothing (through 1-D), then
// flatten: the elements must come out in PyTorch's order.

// REF: shape [2, 6]
// REF-NEXT: 0 4 8 1 5 9
// REF-NEXT: 2 6 10 3 7 11
// JIT: rank = 2 offset = 0 sizes = [2, 6] strides = [6, 1] data =
// JIT-NEXT: {{\[\[}}0, 4, 8, 1, 5, 9]
// JIT-NEXT: [2, 6, 10, 3, 7, 11]]

//--- model.mlir
func.func @ref() -> tensor<2x6xf32> {
  %x = arith.constant dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> : tensor<2x3x2xf32>
  %t = soma.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x2xf32>) -> tensor<2x2x3xf32>
  %r = soma.reshape %t {shape = array<i64: 3, -1, 2>} : (tensor<2x2x3xf32>) -> tensor<3x2x2xf32>
  %f = soma.flatten %r {start_dim = 0, end_dim = 1} : (tensor<3x2x2xf32>) -> tensor<6x2xf32>
  %u = soma.transpose %f {perm = array<i64: 1, 0>} : (tensor<6x2xf32>) -> tensor<2x6xf32>
  return %u : tensor<2x6xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r = call @ref() : () -> tensor<2x6xf32>
  %u = tensor.cast %r : tensor<2x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
