// The linalg forms (vector-lanes=0); with vectors, softmax along the last
// dimension becomes the row loops of SoftmaxKernel.cpp (ROWS).
// RUN: soma-opt %s --convert-soma-to-linalg=vector-lanes=0 --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma. \
// RUN:     --implicit-check-not=math.exp --implicit-check-not=math.log
// RUN: soma-opt %s --convert-soma-to-linalg=nontemporal-threshold=0 --split-input-file \
// RUN:   | FileCheck %s --check-prefix=ROWS --implicit-check-not=soma. \
// RUN:     --implicit-check-not=math.exp --implicit-check-not=math.log
// With the default nontemporal-threshold the rows' last pass may stream
// (STREAM).
// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --check-prefix=STREAM

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_sum_keepdim
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<?x4xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[KEPT]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x3x4xf32>) outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: %[[N2:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x4xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[SUM]] {{\[}}[0], [1, 2]] output_shape [%[[N2]], 1, 4] : tensor<?x4xf32> into tensor<?x1x4xf32>
// CHECK: return %[[R]]
func.func @reduce_sum_keepdim(%x: tensor<?x3x4xf32>) -> tensor<?x1x4xf32> {
  %0 = soma.reduce_sum %x {dims = array<i64: 1>, keepdim = true} : (tensor<?x3x4xf32>) -> tensor<?x1x4xf32>
  return %0 : tensor<?x1x4xf32>
}

// -----

// Negative dims count from the end; without keepdim there is no reshape.
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum_negative
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: #[[KEPT]]
// CHECK-SAME: iterator_types = ["reduction", "parallel", "reduction"]
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[SUM]]
func.func @reduce_sum_negative(%x: tensor<?x3x4xf32>) -> tensor<3xf32> {
  %0 = soma.reduce_sum %x {dims = array<i64: 0, -1>} : (tensor<?x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Empty dims sums everything; keepdim expands the rank-0 sum.
// CHECK-DAG: #[[ALL:.+]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func.func @reduce_sum_all
// CHECK: tensor.empty() : tensor<f32>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: #[[ALL]]
// CHECK-SAME: iterator_types = ["reduction", "reduction", "reduction"]
// CHECK: tensor.expand_shape %[[SUM]] [] output_shape [1, 1, 1] : tensor<f32> into tensor<1x1x1xf32>
func.func @reduce_sum_all(%x: tensor<?x3x4xf32>) -> tensor<1x1x1xf32> {
  %0 = soma.reduce_sum %x {keepdim = true} : (tensor<?x3x4xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// softmax: the maximum in f32; from the shift on f64: the exponentials once
// (element-wise), their sum (`reassoc`, so that it vectorizes), one
// reciprocal per row, and the normalization as a product.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @softmax_dim1
// CHECK-SAME: (%[[X:.+]]: tensor<?x5x6xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]]
// CHECK: %[[MAXE:.+]] = tensor.empty(%[[N]]) : tensor<?x6xf32>
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXI:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[MAXE]] : tensor<?x6xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x5x6xf32>) outs(%[[MAXI]] : tensor<?x6xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   arith.maximumf %[[ACC]], %[[V]] : f32
// CHECK: %[[SUME:.+]] = tensor.empty(%[[N]]) : tensor<?x6xf64>
// CHECK: %[[SUMI:.+]] = linalg.fill ins(%{{.+}} : f64) outs(%[[SUME]] : tensor<?x6xf64>)
// CHECK: %[[EXPE:.+]] = tensor.empty(%{{.+}}) : tensor<?x5x6xf64>
// CHECK: %[[EXP:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<?x5x6xf32>, tensor<?x6xf32>) outs(%[[EXPE]] : tensor<?x5x6xf64>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[M:.+]]: f32, %{{.+}}: f64):
// CHECK:   %[[WV:.+]] = arith.extf %[[V]] : f32 to f64
// CHECK:   %[[WM:.+]] = arith.extf %[[M]] : f32 to f64
// CHECK:   %[[SH:.+]] = arith.subf %[[WV]], %[[WM]] : f64
// Soma's exp (ApproxMath.cpp): the shifter, a polynomial, 2^n in two factors.
// CHECK:   arith.cmpf olt, %[[SH]], %{{.+}} : f64
// CHECK:   llvm.intr.fma
// CHECK:   linalg.yield %{{.+}} : f64
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%[[EXP]] : tensor<?x5x6xf64>) outs(%[[SUMI]] : tensor<?x6xf64>)
// CHECK: ^bb0(%[[T:.+]]: f64, %[[ACC:.+]]: f64):
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[T]] fastmath<reassoc> : f64
// CHECK-NEXT: linalg.yield %[[S]] : f64
// CHECK: %[[RECE:.+]] = tensor.empty(%[[N]]) : tensor<?x6xf64>
// CHECK: %[[REC:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ROW]], #[[ROW]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[SUM]] : tensor<?x6xf64>) outs(%[[RECE]] : tensor<?x6xf64>)
// CHECK: ^bb0(%[[S:.+]]: f64, %{{.+}}: f64):
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1.0{{.*}} : f64
// CHECK-NEXT: %[[Q:.+]] = arith.divf %[[ONE]], %[[S]] : f64
// CHECK-NEXT: linalg.yield %[[Q]] : f64
// CHECK: %[[OUT:.+]] = tensor.empty(%{{.+}}) : tensor<?x5x6xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[EXP]], %[[REC]] : tensor<?x5x6xf64>, tensor<?x6xf64>) outs(%[[OUT]] : tensor<?x5x6xf32>)
// CHECK: ^bb0(%[[E:.+]]: f64, %[[RS:.+]]: f64, %{{.+}}: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[E]], %[[RS]] : f64
// CHECK-NEXT: %[[T:.+]] = arith.truncf %[[P]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[T]] : f32
// CHECK: return %[[R]]
// Along another dimension than the last, vectors change nothing.
// ROWS-LABEL: func.func @softmax_dim1
// ROWS-NOT: scf.for
// ROWS: linalg.generic
func.func @softmax_dim1(%x: tensor<?x5x6xf32>) -> tensor<?x5x6xf32> {
  %0 = soma.softmax %x {dim = 1} : tensor<?x5x6xf32>
  return %0 : tensor<?x5x6xf32>
}

// -----

// The default dim is the last one. log_softmax computes each exponential
// only inside the sum, takes one log per row, and subtracts it.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @log_softmax_last
// CHECK-SAME: (%[[X:.+]]: tensor<2x5x6xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<2x5x6xf32>, tensor<2x5xf32>)
// CHECK: ^bb0(%{{.+}}: f32, %{{.+}}: f32, %[[ACC:.+]]: f64):
// CHECK:   arith.subf %{{.+}}, %{{.+}} : f64
// CHECK:   llvm.intr.fma
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %{{.+}} fastmath<reassoc> : f64
// CHECK-NEXT: linalg.yield %[[S]] : f64
// CHECK: %[[LOG:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ROW]], #[[ROW]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[SUM]] : tensor<2x5xf64>)
// CHECK: ^bb0(%[[S:.+]]: f64, %{{.+}}: f64):
// Soma's log (ApproxMath.cpp): exponent and mantissa by bitcasts, then
// +inf and NaN passed through.
// CHECK:   arith.bitcast %[[S]] : f64 to i64
// CHECK:   llvm.intr.fma
// CHECK:   %[[FINITE:.+]] = arith.cmpf olt, %[[S]], %{{.+}} : f64
// CHECK:   %[[L:.+]] = arith.select %[[FINITE]], %{{.+}}, %[[S]] : f64
// CHECK-NEXT: linalg.yield %[[L]] : f64
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[LOG]] : tensor<2x5x6xf32>, tensor<2x5xf32>, tensor<2x5xf64>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[M:.+]]: f32, %[[LS:.+]]: f64, %{{.+}}: f32):
// CHECK-NEXT: %[[WV:.+]] = arith.extf %[[V]] : f32 to f64
// CHECK-NEXT: %[[WM:.+]] = arith.extf %[[M]] : f32 to f64
// CHECK-NEXT: %[[SH:.+]] = arith.subf %[[WV]], %[[WM]] : f64
// CHECK-NEXT: %[[D:.+]] = arith.subf %[[SH]], %[[LS]] : f64
// CHECK-NEXT: %[[T:.+]] = arith.truncf %[[D]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[T]] : f32
// CHECK: return %[[R]]
// With vectors: the leading dimensions collapse into rows; per row, the
// maximum and minimum, then exp(x - max) in f32 (head and tail, scalef on
// AVX-512 unless every x - max lies above -130.86, where 2^n is normal),
// heads summed in f64 lanes and tails in f32 lanes (scaled by 2^64),
// masked past the row's end and added pairwise at the end, then log(sum) in
// f64 once, and x - (max + log(sum)) written back.
// ROWS-LABEL: func.func @log_softmax_last
// ROWS-SAME: (%[[X:.+]]: tensor<2x5x6xf32>)
// ROWS: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x5x6xf32> into tensor<10x6xf32>
// The prefetches' view and distance in rows, at least 4096 floats ahead
// (a row of no element counts as one).
// ROWS: bufferization.to_buffer %[[ROWS]] read_only : tensor<10x6xf32> to memref<10x6xf32, strided<[?, ?], offset: ?>>
// ROWS: %[[LONG:.+]] = arith.maxui %{{.+}}, %c1
// ROWS: arith.ceildivui %c4096, %[[LONG]]
// The first row's maximum and minimum before the row loop (when there is
// a row); each iteration carries its row's.
// ROWS: %[[HAS_FIRST:.+]] = arith.cmpi ult, %c0, %[[COUNT:.+]] : index
// ROWS: %[[FIRST:.+]]:2 = scf.if %[[HAS_FIRST]] -> (f32, f32) {
// ROWS:   scf.for {{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// ROWS:     %[[X0:.+]] = vector.transfer_read %[[ROWS]][%c0, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<10x6xf32>, vector<16xf32>
// ROWS:     %[[GT:.+]] = arith.cmpf ogt, %[[X0]], %{{.+}} : vector<16xf32>
// ROWS:     arith.select %[[GT]], %{{.+}} : vector<16xi1>, vector<16xf32>
// ROWS:     %[[LT:.+]] = arith.cmpf olt, %[[X0]], %{{.+}} : vector<16xf32>
// ROWS:     arith.select %[[LT]], %{{.+}} : vector<16xi1>, vector<16xf32>
// ROWS-NOT: arith.maximumf
// ROWS:   vector.reduction <maxnumf>, %{{.+}} fastmath<nnan> : vector<16xf32> into f32
// ROWS:   vector.reduction <minnumf>, %{{.+}} fastmath<nnan> : vector<16xf32> into f32
// ROWS: } else {
// ROWS: %[[RESULT:.+]]:3 = scf.for %[[ROW:.+]] = %{{.+}} to %[[COUNT]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %[[MAX:.+]] = %[[FIRST]]#0, %[[MIN:.+]] = %[[FIRST]]#1) -> (tensor<10x6xf32>, f32, f32)
// The whole vectors' pass is software-pipelined: for rows of at least one
// vector, the first vector's reduction and polynomial before the loop, which
// carries the next vector's (x - m as a head and tail, e^r - 1, n as a float
// and as an integer) beside the sums and finishes this one's (scaling,
// sums); the last vector's finish after it. It comes in two copies: for
// rows whose minimum less the maximum is at least -86.5 - 64·ln2, 2^n in
// the exponent field and e's head and tail as 2^n + 2^n·p rounded and its
// error, two fmas; for the others scalef.
// ROWS:   %[[NEGMAX:.+]] = arith.negf %[[MAX]] : f32
// ROWS:   %[[AHEAD:.+]] = arith.minui
// ROWS:   %[[LOWEST:.+]] = arith.addf %[[MIN]], %[[NEGMAX]] : f32
// ROWS:   %[[NORMAL:.+]] = arith.cmpf oge, %[[LOWEST]], %{{.+}} : f32
// ROWS:   scf.if %[[NORMAL]] -> (vector<16xf64>, vector<16xf32>, i32) {
// ROWS-NOT: x86vector.avx512.mask.scalef
// ROWS:     scf.for {{.+}} -> (vector<16xf64>, vector<16xf32>, i32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xi32>)
// ROWS-NOT: x86vector.avx512.mask.scalef
// ROWS:       %[[EXPONENT:.+]] = arith.shli
// ROWS:       %[[POW2:.+]] = arith.bitcast %[[EXPONENT]] : vector<16xi32> to vector<16xf32>
// ROWS-NEXT:  %[[HEAD:.+]] = llvm.intr.fma(%[[POW2]], %[[P:.+]], %[[POW2]])
// ROWS-NEXT:  %[[GAP:.+]] = arith.subf %[[POW2]], %[[HEAD]] : vector<16xf32>
// ROWS-NEXT:  llvm.intr.fma(%[[POW2]], %[[P]], %[[GAP]])
// ROWS-NOT: x86vector.avx512.mask.scalef
// ROWS:     scf.yield %{{.+}}#0, %{{.+}}#1, %{{.+}}#2 : vector<16xf64>, vector<16xf32>, i32
// ROWS-NEXT: } else {
// ROWS:   %[[ANY:.+]] = arith.cmpi ult, %{{.+}}, %[[WHOLE:.+]] : index
// ROWS:   %[[SUMS:.+]]:3 = scf.if %[[ANY]] -> (vector<16xf64>, vector<16xf32>, i32) {
// ROWS:     memref.prefetch %{{.+}}[%[[AHEAD]], %{{.+}}], read, locality<3>, data : memref<10x6xf32, strided<[?, ?], offset: ?>>
// ROWS-NOT:   x86vector.avx512.mask.scalef
// ROWS:     %[[LAST:.+]] = arith.subi %[[WHOLE]], %c16
// ROWS:     %[[LOOP:.+]]:8 = scf.for %{{.+}} = %{{.+}} to %[[LAST]] step %c16 iter_args({{.+}}) -> (vector<16xf64>, vector<16xf32>, i32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xi32>)
// ROWS:       memref.prefetch %{{.+}}[%[[AHEAD]], %{{.+}}], read, locality<3>, data : memref<10x6xf32, strided<[?, ?], offset: ?>>
// ROWS:       x86vector.avx512.mask.scalef
// ROWS:       arith.extf %{{.+}} : vector<16xf32> to vector<16xf64>
// ROWS:       scf.yield
// ROWS:     x86vector.avx512.mask.scalef %{{.+}}, %[[LOOP]]#6
// ROWS:     scf.yield
// ROWS:   } else {
// ROWS:   scf.for %{{.+}} = %[[WHOLE]] to %{{.+}} step %c16 iter_args(%{{.+}} = %[[SUMS]]#0, %{{.+}} = %[[SUMS]]#1, %{{.+}} = %[[SUMS]]#2)
// ROWS:   vector.create_mask
// ROWS:     arith.select %{{.+}} : vector<16xi1>, vector<16xf32>
// ROWS:     arith.select %{{.+}} : vector<16xi1>, vector<16xf32>
// ROWS:   vector.extract_strided_slice %{{.+}} {offsets = [0], sizes = [8], strides = [1]} : vector<16xf64> to vector<8xf64>
// ROWS:   vector.extract_strided_slice %{{.+}} {offsets = [8], sizes = [8], strides = [1]} : vector<16xf64> to vector<8xf64>
// ROWS:   arith.addf %{{.+}} : vector<8xf64>
// ROWS:   arith.addf %{{.+}} : vector<1xf64>
// ROWS:   vector.extract %{{.+}}[0] : f64 from vector<1xf64>
// ROWS:   arith.addf %{{.+}} : vector<1xf32>
// ROWS:   arith.mulf %{{.+}} : f64
// ROWS:   arith.bitcast %{{.+}} : f64 to i64
// The next row's bounds (if any) between log(sum) and the last pass.
// ROWS:   %[[NEXT:.+]] = arith.addi %[[ROW]], %c1
// ROWS:   %[[HAS_NEXT:.+]] = arith.cmpi ult, %[[NEXT]], %[[COUNT]] : index
// ROWS:   scf.if %[[HAS_NEXT]] -> (f32, f32) {
// ROWS:     vector.transfer_read %[[ROWS]][%[[NEXT]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<10x6xf32>, vector<16xf32>
// ROWS:     vector.reduction <maxnumf>
// ROWS:     vector.reduction <minnumf>
// ROWS:   vector.transfer_write %{{.+}} {in_bounds = [true]} : vector<16xf32>, tensor<10x6xf32>
// ROWS:   vector.transfer_write %{{.+}} : vector<16xf32>, tensor<10x6xf32>
// ROWS: tensor.expand_shape %[[RESULT]]#0 {{\[\[}}0, 1], [2]] output_shape [2, 5, 6] : tensor<10x6xf32> into tensor<2x5x6xf32>
func.func @log_softmax_last(%x: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  %0 = soma.log_softmax %x : tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

// A scalar is a one-element vector: the per-row values are 0-d.
// CHECK-LABEL: func.func @softmax_scalar
// CHECK-SAME: (%[[X:.+]]: tensor<f32>)
// CHECK: %[[V:.+]] = tensor.expand_shape %[[X]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK-COUNT-5: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.+]] = tensor.collapse_shape %{{.+}} [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[R]]
// ROWS-LABEL: func.func @softmax_scalar
// ROWS: linalg.generic
func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = soma.softmax %x : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// batch_norm: one element-wise generic in f64, the parameters read along
// dimension 1.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4x5xf32>, %[[M:.+]]: tensor<3xf32>, %[[V:.+]]: tensor<3xf32>, %[[W:.+]]: tensor<3xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]]
// CHECK: %[[OUT:.+]] = tensor.empty(%[[N]]) : tensor<?x3x4x5xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[C]], #[[C]], #[[C]], #[[C]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[M]], %[[V]], %[[W]], %[[B]] : {{.+}}) outs(%[[OUT]] : tensor<?x3x4x5xf32>)
// CHECK: ^bb0(%[[EX:.+]]: f32, %[[EM:.+]]: f32, %[[EV:.+]]: f32, %[[EW:.+]]: f32, %[[EB:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[DX:.+]] = arith.extf %[[EX]] : f32 to f64
// CHECK:   %[[DM:.+]] = arith.extf %[[EM]] : f32 to f64
// CHECK:   %[[DV:.+]] = arith.extf %[[EV]] : f32 to f64
// CHECK:   %[[DW:.+]] = arith.extf %[[EW]] : f32 to f64
// CHECK:   %[[DB:.+]] = arith.extf %[[EB]] : f32 to f64
// CHECK:   %[[CEN:.+]] = arith.subf %[[DX]], %[[DM]] : f64
// CHECK:   %[[EPS:.+]] = arith.constant 0.0010000000474974513 : f64
// CHECK:   %[[VE:.+]] = arith.addf %[[DV]], %[[EPS]] : f64
// CHECK:   %[[SD:.+]] = math.sqrt %[[VE]] : f64
// CHECK:   %[[NORM:.+]] = arith.divf %[[CEN]], %[[SD]] : f64
// CHECK:   %[[SC:.+]] = arith.mulf %[[NORM]], %[[DW]] : f64
// CHECK:   %[[R:.+]] = arith.addf %[[SC]], %[[DB]] : f64
// CHECK:   arith.truncf %[[R]] : f64 to f32
func.func @batch_norm(%x: tensor<?x3x4x5xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x4x5xf32> {
  %0 = soma.batch_norm %x, %m, %v, %w, %b {epsilon = 1.0e-3 : f32} : (tensor<?x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x5xf32>
  return %0 : tensor<?x3x4x5xf32>
}

// -----

// A vector is one row; softmax sums exp in f32 lanes (a head and what its
// additions lost), stores exp rounded to f32 in a row of its own (made
// once, carried by the row loop) and scales it by 1/sum (an f32 head and
// tail) into the output in a last pass.
// ROWS-LABEL: func.func @softmax_vector
// ROWS-SAME: (%[[X:.+]]: tensor<?xf32>)
// ROWS: %[[ROW:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [1, %{{.+}}] : tensor<?xf32> into tensor<1x?xf32>
// ROWS: %[[OUT:.+]] = tensor.empty(%{{.+}}) : tensor<?xf32>
// ROWS: %[[EXPS:.+]] = tensor.empty(%{{.+}}) : tensor<?xf32>
// ROWS: scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}, %[[MAX:[^ ]+]] = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %[[EXPS]]) -> (tensor<1x?xf32>, f32, f32, tensor<?xf32>)
// In the normal domain, x - max by Fast2Sum where the row's bounds order
// the exponents: max > 0 and |min|'s exponent field at most max's (-max
// first), else max <= 0 (x first), else TwoSum.
// ROWS:   %[[NORMAL:.+]] = arith.cmpf oge
// ROWS:   %[[POSITIVE:.+]] = arith.cmpf ogt, %[[MAX]], %{{.+}} : f32
// ROWS:   %[[MIN_EXP:.+]] = arith.shrui %{{.+}}, %c23_i32 : i32
// ROWS:   %[[MAX_EXP:.+]] = arith.shrui %{{.+}}, %c23_i32{{.*}} : i32
// ROWS:   %[[ORDERED:.+]] = arith.cmpi ule, %[[MIN_EXP]], %[[MAX_EXP]] : i32
// ROWS:   %[[MAX_FIRST:.+]] = arith.andi %[[POSITIVE]], %[[ORDERED]] : i1
// ROWS:   %[[NOT_POSITIVE:.+]] = arith.cmpf ule, %[[MAX]], %{{.+}} : f32
// ROWS:   scf.if %[[NORMAL]]
// ROWS:     scf.if %[[MAX_FIRST]]
// ROWS:       %[[HI:.+]] = arith.addf %[[XV:.+]], %[[NEGMAX:.+]] : vector<16xf32>
// ROWS-NEXT:  %[[BACK:.+]] = arith.subf %[[HI]], %[[NEGMAX]] : vector<16xf32>
// ROWS-NEXT:  arith.subf %[[XV]], %[[BACK]] : vector<16xf32>
// ROWS:     } else {
// ROWS:       scf.if %[[NOT_POSITIVE]]
// ROWS:         %[[HI2:.+]] = arith.addf %[[XV2:.+]], %[[NEGMAX2:.+]] : vector<16xf32>
// ROWS-NEXT:    %[[BACK2:.+]] = arith.subf %[[HI2]], %[[XV2]] : vector<16xf32>
// ROWS-NEXT:    arith.subf %[[NEGMAX2]], %[[BACK2]] : vector<16xf32>
// ROWS:   scf.for {{.+}} -> (vector<16xf32>, vector<16xf32>, tensor<?xf32>)
// ROWS:     vector.transfer_write %{{.+}} : vector<16xf32>, tensor<?xf32>
// ROWS:   vector.extract %{{.+}}[0] : f64 from vector<1xf64>
// ROWS:   arith.divf %{{.+}} : f64
// ROWS:   vector.reduction <maxnumf>
// ROWS:   scf.for
// ROWS:     vector.transfer_read %{{.+}} : tensor<?xf32>, vector<16xf32>
// ROWS:     llvm.intr.fma
// ROWS:     vector.transfer_write %{{.+}} : vector<16xf32>, tensor<1x?xf32>
// ROWS: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<1x?xf32> into tensor<?xf32>
// ROWS-NOT: soma.nontemporal_stores
//
// Streaming: the output is the op's own allocation, whose address is read
// once; it streams from 2^20 elements on if its floats are aligned. Each
// row is written in four loops: one masked vector up to the row's first
// 64-byte boundary, the whole vectors from there marked for
// soma-nontemporal-stores, the cached whole vectors (all of them when
// nothing streams), the masked rest.
// STREAM-LABEL: func.func @softmax_vector
// STREAM: %[[OWN:.+]] = bufferization.alloc_tensor(%{{.+}}) : tensor<?xf32>
// STREAM: %[[OUT:.+]] = tensor.expand_shape %[[OWN]]
// STREAM: %[[COUNT:.+]] = arith.muli
// STREAM: %[[BUFFER:.+]] = bufferization.to_buffer %[[OUT]] read_only
// STREAM: %[[BASE:.+]] = memref.extract_aligned_pointer_as_index %[[BUFFER]]
// STREAM: %[[LARGE:.+]] = arith.cmpi uge, %[[COUNT]], %c1048576
// STREAM: %[[STREAMS:.+]] = arith.andi %[[LARGE]], %{{.+}} : i1
// STREAM: scf.for %[[R:[^ ]+]] = {{.+}} -> (tensor<1x?xf32>, f32, f32, tensor<?xf32>)
// STREAM:   arith.divf %{{.+}} : f64
// STREAM:   %[[TO_BOUNDARY:.+]] = arith.divui %{{.+}}, %c4
// STREAM:   %[[SHORT:.+]] = arith.minui %[[TO_BOUNDARY]], %[[LENGTH:.+]] : index
// STREAM:   %[[HEAD:.+]] = arith.select %[[STREAMS]], %[[SHORT]], %c0{{.*}} : index
// STREAM:   %[[STREAM_END:.+]] = arith.select %[[STREAMS]], %{{.+}}, %[[HEAD]] : index
// STREAM:   scf.for %[[C:[^ ]+]] = %c0{{.*}} to %[[HEAD]] step %c16
// STREAM:     arith.subi %[[HEAD]], %[[C]]
// STREAM:     vector.create_mask
// STREAM:     vector.transfer_write %{{.+}}[%[[R]], %[[C]]] : vector<16xf32>, tensor<1x?xf32>
// STREAM:   scf.for %[[C:[^ ]+]] = %[[HEAD]] to %[[STREAM_END]] step %c16
// STREAM:     vector.transfer_write %{{.+}}[%[[R]], %[[C]]] {in_bounds = [true]} : vector<16xf32>, tensor<1x?xf32>
// STREAM:   } {soma.nontemporal_stores}
// STREAM:   scf.for %{{.+}} = %[[STREAM_END]] to %{{.+}} step %c16
// STREAM-NOT: soma.nontemporal_stores
// STREAM:     vector.transfer_write %{{.+}} {in_bounds = [true]} : vector<16xf32>, tensor<1x?xf32>
// STREAM:   scf.for
// STREAM:     vector.create_mask
// STREAM:     vector.transfer_write %{{.+}} : vector<16xf32>, tensor<1x?xf32>
func.func @softmax_vector(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = soma.softmax %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
