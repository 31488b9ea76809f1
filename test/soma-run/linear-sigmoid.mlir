// soma-run on a linear + sigmoid model with a dynamic batch: printed
// results for batches of 3, 1 and 0, and the same run written with --output
// and read back.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x3.npy --shape 3,3 --values 1,2,3,0,0,0,2,1,2
// RUN: %npy write %t/x1.npy --shape 1,3 --values 1,2,3
// RUN: %npy write %t/x0.npy --shape 0,3 --values ''
// RUN: soma-run %s --input %t/x3.npy | FileCheck %s --check-prefix=BATCH3
// RUN: soma-run %s --input %t/x1.npy | FileCheck %s --check-prefix=BATCH1
// RUN: soma-run %s --input %t/x0.npy | FileCheck %s --check-prefix=BATCH0
// RUN: soma-run %s --input %t/x3.npy --output %t/y3.npy | count 0
// RUN: %npy print %t/y3.npy | FileCheck %s --check-prefix=BATCH3-FILE

// Expected values worked out by hand. y = x * transpose(w) + b, row by row:
//   [1, 2, 3] -> [1 - 3, (1 + 2 + 3) / 2 - 1] = [-2, 2]
//   [0, 0, 0] -> [0, -1]
//   [2, 1, 2] -> [2 - 2, (2 + 1 + 2) / 2 - 1] = [0, 1.5]
// then sigmoid(y) = 1 / (1 + exp(-y)), rounded to the nearest f32:
//   sigmoid(-2)  = 0.119202922022... -> 0.119202919
//   sigmoid(2)   = 0.880797077977... -> 0.880797088
//   sigmoid(0)   = 0.5 exactly
//   sigmoid(-1)  = 0.268941421369... -> 0.268941432
//   sigmoid(1.5) = 0.817574476193... -> 0.817574501

// BATCH3:      result 0: shape [3, 2]
// BATCH3-NEXT: 0.119202919 0.880797088
// BATCH3-NEXT: 0.5 0.268941432
// BATCH3-NEXT: 0.5 0.817574501
// BATCH3-EMPTY:

// BATCH1:      result 0: shape [1, 2]
// BATCH1-NEXT: 0.119202919 0.880797088
// BATCH1-EMPTY:

// BATCH0:     result 0: shape [0, 2]
// BATCH0-NOT: {{.}}

// BATCH3-FILE:      shape [3, 2]
// BATCH3-FILE-NEXT: 0.119202919 0.880797088
// BATCH3-FILE-NEXT: 0.5 0.268941432
// BATCH3-FILE-NEXT: 0.5 0.817574501

func.func @main(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %y = soma.linear %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %s = soma.sigmoid %y : tensor<?x2xf32>
  return %s : tensor<?x2xf32>
}
