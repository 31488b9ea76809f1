// A model that parses but fails the soma verifiers is reported at the
// offending op, before anything runs.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x.npy --shape 1,3 --values 1,2,3
// RUN: not soma-run %s --input %t/x.npy 2>&1 | FileCheck %s

func.func @main(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  // CHECK: {{.*}}verify-error.mlir:[[@LINE+1]]:8: error: 'soma.linear'
  %y = soma.linear %x, %w : (tensor<?x3xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
