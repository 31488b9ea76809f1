// softmax and log_softmax over rows of no element: the row kernel's loops
// run no iteration (and its prefetch distance in rows divides by at least
// 1); the result is as empty as the input, compiled and interpreted.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x.npy --shape 3,0 --values=
// RUN: soma-run %s --function softmax --input %t/x.npy --compiled \
// RUN:   --output %t/s.npy
// RUN: %npy print %t/s.npy | FileCheck %s
// RUN: soma-run %s --function log_softmax --input %t/x.npy --compiled \
// RUN:   --output %t/l.npy
// RUN: %npy print %t/l.npy | FileCheck %s
// RUN: soma-run %s --function log_softmax --input %t/x.npy --compare \
// RUN:   | FileCheck %s --check-prefix=COMPARE
// CHECK: shape [3, 0]
// COMPARE: result 0: max abs diff 0, max ulp diff 0

func.func @softmax(%x: tensor<?x0xf32>) -> tensor<?x0xf32> {
  %y = soma.softmax %x : tensor<?x0xf32>
  return %y : tensor<?x0xf32>
}

func.func @log_softmax(%x: tensor<?x0xf32>) -> tensor<?x0xf32> {
  %y = soma.log_softmax %x : tensor<?x0xf32>
  return %y : tensor<?x0xf32>
}
