// A model without a public function has nothing to run by default, but a
// private one can still be named.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x.npy --shape 2 --values 1,2
// RUN: not soma-run %s --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: soma-run: error: {{.*}}no-public-function.mlir: no public func.func with a body to run
// RUN: soma-run %s --function helper --input %t/x.npy | FileCheck %s --check-prefix=NAMED
// NAMED:      result 0: shape [2]
// NAMED-NEXT: 1 2
// RUN: not soma-run %s --function declared --input %t/x.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=DECLARED
// DECLARED: soma-run: error: {{.*}}no-public-function.mlir: @declared is a declaration without a body

func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

func.func private @declared(%x: tensor<2xf32>) -> tensor<2xf32>
