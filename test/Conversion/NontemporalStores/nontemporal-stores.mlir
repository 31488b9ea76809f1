// RUN: soma-opt %s --soma-nontemporal-stores --split-input-file \
// RUN:   --verify-diagnostics | FileCheck %s

// The writes of a marked loop become non-temporal stores aligned to the
// vector's size, an sfence follows the loop, and the marker goes; the
// loop's reads and other ops stay.
// CHECK-LABEL: func.func @marked
// CHECK-SAME: (%[[IN:.+]]: memref<?xf32>, %[[OUT:.+]]: memref<?xf32>, %[[FROM:.+]]: index, %[[TO:.+]]: index)
// CHECK: scf.for %[[I:.+]] = %[[FROM]] to %[[TO]] step %c32 {
// CHECK:   %[[V:.+]] = vector.transfer_read %[[IN]][%[[I]]]
// CHECK:   vector.store %[[V]], %[[OUT]][%[[I]]] {alignment = 64 : i64, nontemporal = true} : memref<?xf32>, vector<16xf32>
// CHECK:   %[[J:.+]] = arith.addi %[[I]], %c16
// CHECK:   vector.store %{{.+}}, %[[OUT]][%[[J]]] {alignment = 64 : i64, nontemporal = true} : memref<?xf32>, vector<16xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: }
// CHECK-NOT: soma.nontemporal_stores
// CHECK-NEXT: llvm.call_intrinsic "llvm.x86.sse.sfence"() : () -> ()
// CHECK-NEXT: return
func.func @marked(%in: memref<?xf32>, %out: memref<?xf32>, %from: index, %to: index) {
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %from to %to step %c32 {
    %v = vector.transfer_read %in[%i], %pad {in_bounds = [true]} : memref<?xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%i] {in_bounds = [true]} : vector<16xf32>, memref<?xf32>
    %j = arith.addi %i, %c16 : index
    %w = vector.transfer_read %in[%j], %pad {in_bounds = [true]} : memref<?xf32>, vector<16xf32>
    vector.transfer_write %w, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<?xf32>
  } {soma.nontemporal_stores}
  return
}

// -----

// 8-lane vectors (AVX2) are aligned to 32 bytes.
// CHECK-LABEL: func.func @eight_lanes
// CHECK: vector.store %{{.+}} {alignment = 32 : i64, nontemporal = true} : memref<?xf32>, vector<8xf32>
// CHECK: llvm.call_intrinsic "llvm.x86.sse.sfence"
func.func @eight_lanes(%out: memref<?xf32>, %from: index, %to: index) {
  %c8 = arith.constant 8 : index
  %v = arith.constant dense<1.0> : vector<8xf32>
  scf.for %i = %from to %to step %c8 {
    vector.transfer_write %v, %out[%i] {in_bounds = [true]} : vector<8xf32>, memref<?xf32>
  } {soma.nontemporal_stores}
  return
}

// -----

// Marked loops inside other loops (a softmax's rows) are fenced once,
// after the outermost loop.
// CHECK-LABEL: func.func @nested
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     vector.store %{{.+}} {alignment = 64 : i64, nontemporal = true}
// CHECK-NOT: llvm.call_intrinsic
// CHECK:   scf.for
// CHECK:     vector.store %{{.+}} {alignment = 64 : i64, nontemporal = true}
// CHECK:   }
// CHECK-NEXT: }
// CHECK-NEXT: llvm.call_intrinsic "llvm.x86.sse.sfence"() : () -> ()
// CHECK-NOT: llvm.call_intrinsic
// CHECK: return
func.func @nested(%out: memref<?x?xf32>, %rows: index, %from: index, %to: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %v = arith.constant dense<1.0> : vector<16xf32>
  scf.for %r = %c0 to %rows step %c1 {
    scf.for %i = %from to %to step %c16 {
      vector.transfer_write %v, %out[%r, %i] {in_bounds = [true]} : vector<16xf32>, memref<?x?xf32>
    } {soma.nontemporal_stores}
    scf.for %i = %to to %to step %c16 {
      vector.transfer_write %v, %out[%r, %i] {in_bounds = [true]} : vector<16xf32>, memref<?x?xf32>
    } {soma.nontemporal_stores}
  }
  return
}

// -----

// An unmarked loop keeps its writes, and gets no fence.
// CHECK-LABEL: func.func @unmarked
// CHECK: vector.transfer_write
// CHECK-NOT: vector.store
// CHECK-NOT: llvm.call_intrinsic
func.func @unmarked(%out: memref<?xf32>, %from: index, %to: index) {
  %c16 = arith.constant 16 : index
  %v = arith.constant dense<1.0> : vector<16xf32>
  scf.for %i = %from to %to step %c16 {
    vector.transfer_write %v, %out[%i] {in_bounds = [true]} : vector<16xf32>, memref<?xf32>
  }
  return
}

// -----

// A write the marker cannot cover is an error, not a misaligned store.
func.func @masked(%out: memref<?xf32>, %from: index, %to: index, %m: vector<16xi1>) {
  %c16 = arith.constant 16 : index
  %v = arith.constant dense<1.0> : vector<16xf32>
  scf.for %i = %from to %to step %c16 {
    // expected-error @below {{in a loop marked for non-temporal stores must be an in-bounds, unmasked 1-D write into a memref with unit stride}}
    vector.transfer_write %v, %out[%i], %m {in_bounds = [true]} : vector<16xf32>, memref<?xf32>
  } {soma.nontemporal_stores}
  return
}

// -----

func.func @out_of_bounds(%out: memref<?xf32>, %from: index, %to: index) {
  %c16 = arith.constant 16 : index
  %v = arith.constant dense<1.0> : vector<16xf32>
  scf.for %i = %from to %to step %c16 {
    // expected-error @below {{must be an in-bounds, unmasked 1-D write}}
    vector.transfer_write %v, %out[%i] : vector<16xf32>, memref<?xf32>
  } {soma.nontemporal_stores}
  return
}
