// A model that does not parse is reported at its file:line:col.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x.npy --shape 1,3 --values 1,2,3
// RUN: not soma-run %s --input %t/x.npy 2>&1 | FileCheck %s

func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // CHECK: {{.*}}parse-error.mlir:[[@LINE+1]]:21: error: use of value '%x' expects different type than prior uses: 'tensor<?x2xf32>' vs 'tensor<?x3xf32>'
  %s = soma.sigmoid %x : tensor<?x2xf32>
  return %s : tensor<?x3xf32>
}
