// RUN: soma-opt %s --soma-symmetric-clamp-to-range --split-input-file | FileCheck %s

// hard_swish's shape: x clamped to [-3, 3] keeping NaN, into one fma, whose
// result is multiplied by x. The clamp becomes one vrangeps (imm 2: the
// smaller magnitude with x's sign; all 16 lanes; current rounding).
// CHECK-LABEL: func.func @hard_swish
// CHECK-SAME: (%[[X:.+]]: vector<16xf32>)
// CHECK-DAG: %[[THREE:.+]] = arith.constant dense<3.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[IMM:.+]] = llvm.mlir.constant(2 : i32) : i32
// CHECK-DAG: %[[ALL:.+]] = llvm.mlir.constant(-1 : i16) : i16
// CHECK-DAG: %[[ROUND:.+]] = llvm.mlir.constant(4 : i32) : i32
// CHECK: %[[C:.+]] = llvm.call_intrinsic "llvm.x86.avx512.mask.range.ps.512"(%[[X]], %[[THREE]], %[[IMM]], %[[X]], %[[ALL]], %[[ROUND]]) : (vector<16xf32>, vector<16xf32>, i32, vector<16xf32>, i16, i32) -> vector<16xf32>
// CHECK: %[[T:.+]] = llvm.intr.fma(%[[C]],
// CHECK: arith.mulf %[[X]], %[[T]]
// CHECK-NOT: arith.select
func.func @hard_swish(%x: vector<16xf32>) -> vector<16xf32> {
  %lo = arith.constant dense<-3.0> : vector<16xf32>
  %hi = arith.constant dense<3.0> : vector<16xf32>
  %c = arith.constant dense<0.166666657> : vector<16xf32>
  %d = arith.constant dense<0.49999997> : vector<16xf32>
  %below = arith.cmpf olt, %x, %lo : vector<16xf32>
  %low = arith.select %below, %lo, %x : vector<16xi1>, vector<16xf32>
  %above = arith.cmpf olt, %hi, %low : vector<16xf32>
  %clamped = arith.select %above, %hi, %low : vector<16xi1>, vector<16xf32>
  %t = llvm.intr.fma(%clamped, %c, %d) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  %p = arith.mulf %x, %t : vector<16xf32>
  return %p : vector<16xf32>
}

// -----

// Clamps that stay: the result not multiplied by x (a quiet NaN x would
// give ±a instead of NaN: hard_sigmoid's shape), an asymmetric interval,
// 8 lanes, and the clamp used twice.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-8: arith.select
// CHECK-NOT: llvm.call_intrinsic
func.func @kept(%x: vector<16xf32>, %x8: vector<8xf32>) -> (vector<16xf32>, vector<16xf32>, vector<8xf32>, vector<16xf32>) {
  %lo = arith.constant dense<-3.0> : vector<16xf32>
  %hi = arith.constant dense<3.0> : vector<16xf32>
  %hi2 = arith.constant dense<2.0> : vector<16xf32>
  %lo8 = arith.constant dense<-3.0> : vector<8xf32>
  %hi8 = arith.constant dense<3.0> : vector<8xf32>
  %c = arith.constant dense<0.166666657> : vector<16xf32>
  %c8 = arith.constant dense<0.166666657> : vector<8xf32>
  // Into an fma, not multiplied by x.
  %b0 = arith.cmpf olt, %x, %lo : vector<16xf32>
  %l0 = arith.select %b0, %lo, %x : vector<16xi1>, vector<16xf32>
  %a0 = arith.cmpf olt, %hi, %l0 : vector<16xf32>
  %k0 = arith.select %a0, %hi, %l0 : vector<16xi1>, vector<16xf32>
  %t0 = llvm.intr.fma(%k0, %c, %c) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  // [-3, 2].
  %b1 = arith.cmpf olt, %x, %lo : vector<16xf32>
  %l1 = arith.select %b1, %lo, %x : vector<16xi1>, vector<16xf32>
  %a1 = arith.cmpf olt, %hi2, %l1 : vector<16xf32>
  %k1 = arith.select %a1, %hi2, %l1 : vector<16xi1>, vector<16xf32>
  %t1 = llvm.intr.fma(%k1, %c, %c) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  %p1 = arith.mulf %x, %t1 : vector<16xf32>
  // 8 lanes.
  %b2 = arith.cmpf olt, %x8, %lo8 : vector<8xf32>
  %l2 = arith.select %b2, %lo8, %x8 : vector<8xi1>, vector<8xf32>
  %a2 = arith.cmpf olt, %hi8, %l2 : vector<8xf32>
  %k2 = arith.select %a2, %hi8, %l2 : vector<8xi1>, vector<8xf32>
  %t2 = llvm.intr.fma(%k2, %c8, %c8) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  %p2 = arith.mulf %x8, %t2 : vector<8xf32>
  // Used twice.
  %b3 = arith.cmpf olt, %x, %lo : vector<16xf32>
  %l3 = arith.select %b3, %lo, %x : vector<16xi1>, vector<16xf32>
  %a3 = arith.cmpf olt, %hi, %l3 : vector<16xf32>
  %k3 = arith.select %a3, %hi, %l3 : vector<16xi1>, vector<16xf32>
  %t3 = llvm.intr.fma(%k3, %c, %k3) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  %p3 = arith.mulf %x, %t3 : vector<16xf32>
  return %t0, %p1, %p2, %p3 : vector<16xf32>, vector<16xf32>, vector<8xf32>, vector<16xf32>
}
