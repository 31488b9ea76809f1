// RUN: soma-opt %s --soma-gather-to-permute --split-input-file | FileCheck %s

// A 16-lane gather from a constant table of 32 f32 becomes AVX-512's
// two-register permute of the table's halves; the get_global goes.
memref.global "private" constant @table : memref<32xf32> = dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]>
// CHECK-LABEL: func.func @lookup
// CHECK-SAME: (%[[INDEX:.+]]: vector<16xi32>)
// CHECK-DAG: %[[LOW:.+]] = arith.constant dense<[0.000000e+00, 1.000000e+00, {{.+}}, 1.500000e+01]> : vector<16xf32>
// CHECK-DAG: %[[HIGH:.+]] = arith.constant dense<[1.600000e+01, {{.+}}, 3.100000e+01]> : vector<16xf32>
// CHECK-NOT: memref.get_global
// CHECK: %[[V:.+]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.ps.512"(%[[LOW]], %[[INDEX]], %[[HIGH]]) : (vector<16xf32>, vector<16xi32>, vector<16xf32>) -> vector<16xf32>
// CHECK: return %[[V]]
func.func @lookup(%index: vector<16xi32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %all = arith.constant dense<true> : vector<16xi1>
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %t = memref.get_global @table : memref<32xf32>
  %v = vector.gather %t[%c0] [%index], %all, %zero : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  return %v : vector<16xf32>
}

// -----

// Gathers the permute cannot express stay: some lanes off, an offset, a
// table that is not constant or not 32 floats, other lane counts.
memref.global "private" constant @table : memref<32xf32> = dense<1.0>
memref.global "private" @mutable : memref<32xf32> = dense<1.0>
memref.global "private" constant @short : memref<16xf32> = dense<1.0>
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-5: vector.gather
// CHECK-NOT: llvm.call_intrinsic
func.func @kept(%index: vector<16xi32>, %mask: vector<16xi1>, %index8: vector<8xi32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %all = arith.constant dense<true> : vector<16xi1>
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %all8 = arith.constant dense<true> : vector<8xi1>
  %zero8 = arith.constant dense<0.0> : vector<8xf32>
  %t = memref.get_global @table : memref<32xf32>
  %m = memref.get_global @mutable : memref<32xf32>
  %s = memref.get_global @short : memref<16xf32>
  %0 = vector.gather %t[%c0] [%index], %mask, %zero : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %1 = vector.gather %t[%c1] [%index], %all, %zero : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %2 = vector.gather %m[%c0] [%index], %all, %zero : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %3 = vector.gather %s[%c0] [%index], %all, %zero : memref<16xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %4 = vector.gather %t[%c0] [%index8], %all8, %zero8 : memref<32xf32>, vector<8xi32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
  return %0, %1, %2, %3, %4 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<8xf32>
}
