// RUN: soma-opt %s --soma-parallel-loops-to-runtime --split-input-file | FileCheck %s

// The loop's body moves to @scale_parallel, an scf.for over a chunk
// [begin, end) of its iterations, taking the values it uses from outside
// (the buffers and the scalar, in the order of their first use; the
// constant is made again inside).
// @scale_parallel_task unpacks them from a context struct and calls it. In
// the loop's place, the context is filled (its alloca in the entry block)
// and soma_rt_parallel_for runs the tasks over the loop's count.
// CHECK-LABEL: func.func @scale
// CHECK-SAME: (%[[IN:.+]]: memref<?xf32>, %[[OUT:.+]]: memref<?xf32>, %[[N:.+]]: index, %[[FACTOR:.+]]: f32)
// CHECK: %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[CONTEXT:.+]] = llvm.alloca %[[ONE]] x !llvm.struct<([[DESCRIPTOR:struct<.+>]], f32, [[DESCRIPTOR]])> {alignment = 8 : i64}
// CHECK: %[[D0:.+]] = builtin.unrealized_conversion_cast %[[IN]] : memref<?xf32> to !llvm.[[DESCRIPTOR]]
// CHECK: %[[P0:.+]] = llvm.getelementptr %[[CONTEXT]][0, 0]
// CHECK: llvm.store %[[D0]], %[[P0]]
// CHECK: %[[P1:.+]] = llvm.getelementptr %[[CONTEXT]][0, 1]
// CHECK-NOT: unrealized_conversion_cast %[[FACTOR]]
// CHECK: llvm.store %[[FACTOR]], %[[P1]]
// CHECK: %[[D2:.+]] = builtin.unrealized_conversion_cast %[[OUT]] : memref<?xf32> to !llvm.[[DESCRIPTOR]]
// CHECK: %[[P2:.+]] = llvm.getelementptr %[[CONTEXT]][0, 2]
// CHECK: llvm.store %[[D2]], %[[P2]]
// CHECK: %[[COUNT:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[TASK:.+]] = constant @scale_parallel_task : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[TASKPTR:.+]] = builtin.unrealized_conversion_cast %[[TASK]] : (!llvm.ptr, i64, i64) -> () to !llvm.ptr
// CHECK: %[[SIZE:.+]] = llvm.mlir.constant(88 : i64) : i64
// CHECK: llvm.call @soma_rt_parallel_for(%[[COUNT]], %[[TASKPTR]], %[[CONTEXT]], %[[SIZE]]) : (i64, !llvm.ptr, !llvm.ptr, i64) -> i32
// CHECK-NOT: scf.forall
// CHECK: return

// CHECK-LABEL: func.func private @scale_parallel
// CHECK-SAME: (%[[BEGIN:.+]]: index, %[[END:.+]]: index, %[[BIN:.+]]: memref<?xf32>, %[[BFACTOR:.+]]: f32, %[[BOUT:.+]]: memref<?xf32>)
// CHECK: %[[C2:.+]] = arith.constant 2.000000e+00 : f32
// CHECK: scf.for %[[I:.+]] = %[[BEGIN]] to %[[END]] step %{{.+}} {
// CHECK: %[[X:.+]] = memref.load %[[BIN]][%[[I]]]
// CHECK: %[[Y:.+]] = arith.mulf %[[X]], %[[BFACTOR]]
// CHECK: %[[Z:.+]] = arith.addf %[[Y]], %[[C2]]
// CHECK: memref.store %[[Z]], %[[BOUT]][%[[I]]]

// CHECK-LABEL: func.func private @scale_parallel_task
// CHECK-SAME: (%[[CTX:.+]]: !llvm.ptr, %[[B64:.+]]: i64, %[[E64:.+]]: i64)
// CHECK: %[[B:.+]] = arith.index_cast %[[B64]] : i64 to index
// CHECK: %[[E:.+]] = arith.index_cast %[[E64]] : i64 to index
// CHECK: %[[L0:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.[[DESCRIPTOR]]
// CHECK: %[[M0:.+]] = builtin.unrealized_conversion_cast %[[L0]] : !llvm.[[DESCRIPTOR]] to memref<?xf32>
// CHECK: %[[F:.+]] = llvm.load %{{.+}} : !llvm.ptr -> f32
// CHECK: %[[L2:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.[[DESCRIPTOR]]
// CHECK: %[[M2:.+]] = builtin.unrealized_conversion_cast %[[L2]] : !llvm.[[DESCRIPTOR]] to memref<?xf32>
// CHECK: call @scale_parallel(%[[B]], %[[E]], %[[M0]], %[[F]], %[[M2]])

// CHECK: llvm.func @soma_rt_parallel_for(i64, !llvm.ptr, !llvm.ptr, i64) -> i32
func.func @scale(%in: memref<?xf32>, %out: memref<?xf32>, %n: index, %factor: f32) {
  %two = arith.constant 2.0 : f32
  scf.forall (%i) in (%n) {
    %x = memref.load %in[%i] : memref<?xf32>
    %y = arith.mulf %x, %factor : f32
    %z = arith.addf %y, %two : f32
    memref.store %z, %out[%i] : memref<?xf32>
  }
  return
}

// -----

// Loops the pass leaves to scf-forall-to-for: two induction variables, a
// lower bound other than 0, a buffer allocated inside (whose failure a
// chunk could not report), results on tensors.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-4: scf.forall
// CHECK-NOT: llvm.call
func.func @kept(%out: memref<?x?xf32>, %n: index, %t: tensor<?xf32>) -> tensor<?xf32> {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i, %j) in (%n, %n) {
    memref.store %zero, %out[%i, %j] : memref<?x?xf32>
  }
  scf.forall (%i) = (1) to (%n) step (1) {
    memref.store %zero, %out[%i, %i] : memref<?x?xf32>
  }
  scf.forall (%i) in (%n) {
    %scratch = memref.alloc(%n) : memref<?xf32>
    memref.store %zero, %scratch[%i] : memref<?xf32>
    memref.dealloc %scratch : memref<?xf32>
  }
  %r = scf.forall (%i) in (%n) shared_outs(%o = %t) -> (tensor<?xf32>) {
    %one = tensor.from_elements %zero : tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %one into %o[%i] [1] [1] : tensor<1xf32> into tensor<?xf32>
    }
  }
  return %r : tensor<?xf32>
}
