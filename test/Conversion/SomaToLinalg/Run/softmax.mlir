// RUN: split-file %s %t
// RUN: soma-run %t/model.mlir --function ref \
// RUN:   --output %t/r0.npy --output %t/r1.npy --output %t/r2.npy
// RUN: %npy print %t/r0.npy > %t/ref.txt
// RUN: %npy print %t/r1.npy >> %t/ref.txt
// RUN: %npy print %t/r2.npy >> %t/ref.txt
// RUN: FileCheck %s --check-prefix=REF < %t/ref.txt
// RUN: cat %t/model.mlir %t/main.mlir | soma-opt --convert-soma-to-linalg=vector-lanes=8 \
// RUN:   | %lower-to-llvm | %run-main | FileCheck %s --check-prefix=JIT

// softmax along dimension 0, log_softmax along the last one, and sigmoid,
// with large, tiny and infinite inputs. At a row's maximum log_softmax is
// -log1p(sum of the other terms): -1.4e-44 and -6.4e-39 below, not 0. The
// JIT prints 6 digits.

// REF: shape [3, 3]
// REF-NEXT: 1.64581145e-38 1.821688e-44 0
// REF-NEXT: 4.47377931e-38 0.5 0.997527361
// REF-NEXT: 1 0.5 0.00247262325
// REF-NEXT: shape [3, 3]
// REF-NEXT: -1.40129846e-44 -101 -inf
// REF-NEXT: -1.34901226 -3.34901214 -0.349012226
// REF-NEXT: -6.35604321e-39 -88 -91
// REF-NEXT: shape [3, 3]
// REF-NEXT: 0.731058598 3.78350585e-44 0
// REF-NEXT: 0.880797088 0.5 0.952574134
// REF-NEXT: 1 0.5 0.0474258736
// JIT: rank = 2 offset = 0 sizes = [3, 3] strides = [3, 1] data =
// JIT-NEXT: {{\[\[}}1.64581e-38, 1.82169e-44, 0]
// JIT-NEXT: [4.47378e-38, 0.5, 0.997527]
// JIT-NEXT: [1, 0.5, 0.00247262]]
// JIT: rank = 2 offset = 0 sizes = [3, 3] strides = [3, 1] data =
// JIT-NEXT: {{\[\[}}-1.4013e-44, -101, -inf]
// JIT-NEXT: [-1.34901, -3.34901, -0.349012]
// JIT-NEXT: [-6.35604e-39, -88, -91]]
// JIT: rank = 2 offset = 0 sizes = [3, 3] strides = [3, 1] data =
// JIT-NEXT: {{\[\[}}0.731059, 3.78351e-44, 0]
// JIT-NEXT: [0.880797, 0.5, 0.952574]
// JIT-NEXT: [1, 0.5, 0.0474259]]

//--- model.mlir
func.func @ref() -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>) {
  %x = arith.constant dense<[[1.0, -100.0, 0xFF800000], [2.0, 0.0, 3.0], [88.0, 1.0e-8, -3.0]]> : tensor<3x3xf32>
  %s = soma.softmax %x {dim = 0} : tensor<3x3xf32>
  %l = soma.log_softmax %x : tensor<3x3xf32>
  %g = soma.sigmoid %x : tensor<3x3xf32>
  return %s, %l, %g : tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>
}

//--- main.mlir
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {
  %r:3 = call @ref() : () -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>)
  %a = tensor.cast %r#0 : tensor<3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%a) : (tensor<*xf32>) -> ()
  %b = tensor.cast %r#1 : tensor<3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%b) : (tensor<*xf32>) -> ()
  %c = tensor.cast %r#2 : tensor<3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%c) : (tensor<*xf32>) -> ()
  return
}
