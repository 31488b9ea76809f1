// soma-run with several inputs and results, --function, 0-d results,
// special values, and inputs in .npy format versions 2.0 and 3.0.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/a.npy --shape 3,2 --values=-0.5,0.25,1,2,3,4
// RUN: %npy write %t/b.npy --shape 2 --values 10,20 --version 2
// RUN: %npy write %t/c.npy --shape 2,2 --values 8,6,-4,3 --version 3
// RUN: soma-run %s --input %t/a.npy --input %t/b.npy \
// RUN:   | FileCheck %s --check-prefix=PRINT
// RUN: soma-run %s --function=first --input %t/a.npy --input %t/b.npy \
// RUN:     --output %t/sum.npy --output %t/total.npy | count 0
// RUN: %npy print %t/sum.npy | FileCheck %s --check-prefix=SUM
// RUN: %npy print %t/total.npy | FileCheck %s --check-prefix=TOTAL
// RUN: soma-run %s --function @second --input %t/c.npy \
// RUN:   | FileCheck %s --check-prefix=SECOND
//
// RUN: %npy write %t/special.npy --shape 2,2 --values inf,-inf,nan,-0
// RUN: %npy write %t/offsets.npy --shape 2 --values 1,-0
// RUN: soma-run %s --input %t/special.npy --input %t/offsets.npy \
// RUN:   | FileCheck %s --check-prefix=SPECIAL

// Expected values worked out by hand. @first adds b = [10, 20] to each row
// of a, then sums every element:
//   [-0.5, 0.25] + b = [9.5, 20.25]
//   [1, 2] + b       = [11, 22]
//   [3, 4] + b       = [13, 24]
//   total = 9.5 + 20.25 + 11 + 22 + 13 + 24 = 99.75
// All of these are exact in f32.

// PRINT:      result 0: shape [3, 2]
// PRINT-NEXT: 9.5 20.25
// PRINT-NEXT: 11 22
// PRINT-NEXT: 13 24
// PRINT-NEXT: result 1: shape []
// PRINT-NEXT: 99.75
// PRINT-EMPTY:

// SUM:      shape [3, 2]
// SUM-NEXT: 9.5 20.25
// SUM-NEXT: 11 22
// SUM-NEXT: 13 24

// TOTAL:      shape []
// TOTAL-NEXT: 99.75

// @second computes relu(c) - c * 0.5 on c = [[8, 6], [-4, 3]]:
//   [8 - 4, 6 - 3]   = [4, 3]
//   [0 + 2, 3 - 1.5] = [2, 1.5]
// and returns c unchanged as its second result.
// SECOND:      result 0: shape [2, 2]
// SECOND-NEXT: 4 3
// SECOND-NEXT: 2 1.5
// SECOND-NEXT: result 1: shape [2, 2]
// SECOND-NEXT: 8 6
// SECOND-NEXT: -4 3

// IEEE special values through @first: inf + 1 = inf, -inf + -0 = -inf,
// nan + 1 = nan, -0 + -0 = -0; the total inf + -inf + ... is nan.
// SPECIAL:      result 0: shape [2, 2]
// SPECIAL-NEXT: inf -inf
// SPECIAL-NEXT: nan -0
// SPECIAL-NEXT: result 1: shape []
// SPECIAL-NEXT: nan

// Private functions are not candidates for the default.
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

func.func @first(%a: tensor<?x2xf32>, %b: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<f32>) {
  %sum = soma.add %a, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %total = soma.reduce_sum %sum : (tensor<?x2xf32>) -> tensor<f32>
  return %sum, %total : tensor<?x2xf32>, tensor<f32>
}

func.func @second(%c: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %half = arith.constant dense<0.5> : tensor<f32>
  %r = soma.relu %c : tensor<2x2xf32>
  %h = soma.mul %c, %half : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %d = soma.sub %r, %h : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %d, %c : tensor<2x2xf32>, tensor<2x2xf32>
}
