// softmax and log_softmax along rows of 20 (one whole vector and a masked
// tail on AVX-512, two and a tail on AVX2), compiled as the row kernel and
// compared with the interpreter, on rows with special values: a +inf, all
// -inf, -inf with a 1 and a NaN, masked-attention style -inf then 0..9, one
// logit dominating by 40 and more, ties at the maximum with subnormal and
// near-overflow inputs, and a logit dominating by 102, where log_softmax at
// the maximum is -19·e^-102.029, a subnormal float (summed as f32 terms on
// the subnormal grid each term would lose about half a unit: 9 ULP in all).
// NaN must match NaN; finite results are within 2 ULP (SPEC section 6).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npy write %t/x.npy --shape 7,20 --values=-1.409,-2.793,1.207,-3.421,0.287,inf,-3.536,0.059,-3.7,-0.531,-3.441,-3.274,-0.604,2.615,-3.01,-2.214,1.019,3.582,0.617,-0.827,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,1.0,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,nan,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,-inf,0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,0.0,-40.0,-41.0,-42.0,-43.0,-44.0,-45.0,-46.0,-47.0,-48.0,-49.0,-50.0,-51.0,-52.0,-53.0,-54.0,-55.0,-56.0,-57.0,-58.0,3.0,3.0,1e-45,-1e-45,-3e+38,-3e+38,2.5,3.0,3.81,-3.627,2.868,-1.683,-2.846,-3.058,-1.532,2.529,-2.554,0.653,1.111,-1.021,0.0,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029,-102.029
// RUN: soma-run %s --function softmax --input %t/x.npy --compare \
// RUN:   | FileCheck %s --check-prefix=COMPARE
// RUN: soma-run %s --function log_softmax --input %t/x.npy --compare \
// RUN:   | FileCheck %s --check-prefix=COMPARE
// COMPARE: result 0: max abs diff {{.+}}, max ulp diff {{[012]$}}
//
// The compiled rows themselves: NaN rows for the +inf, all -inf and NaN
// rows (x - max is NaN somewhere), exact 0 for the masked entries, and at
// a dominated maximum log_softmax is -log1p(e^-40 + e^-41 + ...) =
// -6.72e-18, not 0.
// RUN: soma-run %s --function log_softmax --input %t/x.npy --compiled \
// RUN:   --output %t/y.npy
// RUN: %npy print %t/y.npy | FileCheck %s --check-prefix=LOG
// LOG: shape [7, 20]
// LOG-NEXT: {{^}}nan nan nan
// LOG-NEXT: {{^}}nan nan nan
// LOG-NEXT: {{^}}nan nan nan
// LOG-NEXT: {{^}}-inf -inf {{.*}} -0.458
// LOG-NEXT: {{^}}-6.72079{{[0-9]*}}e-18 -40
// LOG-NEXT: {{^}}-2.04769
// LOG-NEXT: {{^}}-9.24856986e-44 -102.028999
// RUN: soma-run %s --function softmax --input %t/x.npy --compiled \
// RUN:   --output %t/s.npy
// RUN: %npy print %t/s.npy | FileCheck %s --check-prefix=SOFT
// SOFT: shape [7, 20]
// SOFT-NEXT: {{^}}nan nan
// SOFT-NEXT: {{^}}nan nan
// SOFT-NEXT: {{^}}nan nan
// SOFT-NEXT: {{^}}0 0 0 0 0 0 0 0 0 0 {{.*}} 0.632
// SOFT-NEXT: {{^}}1 4.248{{[0-9]*}}e-18

func.func @softmax(%x: tensor<?x20xf32>) -> tensor<?x20xf32> {
  %y = soma.softmax %x : tensor<?x20xf32>
  return %y : tensor<?x20xf32>
}

func.func @log_softmax(%x: tensor<?x20xf32>) -> tensor<?x20xf32> {
  %y = soma.log_softmax %x : tensor<?x20xf32>
  return %y : tensor<?x20xf32>
}
