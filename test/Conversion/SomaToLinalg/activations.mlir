// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=0" --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma. \
// RUN:     --implicit-check-not=math.exp --implicit-check-not=math.log \
// RUN:     --implicit-check-not=math.tanh --implicit-check-not=math.fma
// The pass also runs nested on each function.
// RUN: soma-opt %s --split-input-file \
// RUN:   --pass-pipeline="builtin.module(func.func(convert-soma-to-linalg{vector-lanes=0}))" \
// RUN:   | FileCheck %s --implicit-check-not=soma.
// By default (vector-lanes=16) the same bodies run on vectors.
// RUN: soma-opt %s --convert-soma-to-linalg --split-input-file \
// RUN:   | FileCheck %s --check-prefix=VEC
// The f32 forms stay in f32 from their label to their yield (F32).
// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=0" --split-input-file \
// RUN:   | FileCheck %s --check-prefix=F32
// 8-lane vectors (AVX2) build 2^n in the exponent field instead.
// RUN: soma-opt %s --convert-soma-to-linalg=vector-lanes=8 --split-input-file \
// RUN:   | FileCheck %s --check-prefix=AVX2 --implicit-check-not=x86vector

// With vector-lanes=0 every activation is one all-parallel linalg.generic
// of its element body; transcendental ones compute in f64 and truncate
// once, with Soma's own exp, expm1 and log1p (ApproxMath.cpp): arith ops
// and llvm.intr.fma, no math.exp, math.log or math.tanh, which would
// become libm calls.

// With vectors, the tensor is flattened and run in whole steps of two
// 16-lane vectors, then the rest one masked vector at a time, every element
// through the same vector code; the result is reshaped back. The whole
// steps of sigmoid and silu branch once per step on 16 lanes (below);
// on 8 lanes they, softplus and log_sigmoid run in two stages, the first
// stage of the next step with the second of this one. The whole
// steps prefetch each vector's input 4096 floats ahead from the flat
// tensor's buffer until 4096 floats before the end (rounded down to a whole
// step), then run on without a prefetch. From 2^20 elements on, when the
// output's floats are 4-byte aligned, its address decides a head of up to
// 15 elements before its first 64-byte boundary, computed as one masked
// vector; the prefetching steps then run in a loop marked for
// soma-nontemporal-stores, and the unmarked one after it is empty (below
// 2^20 it is the streaming loop that is empty, and the head is 0).
// AVX2-LABEL: func.func @sigmoid
// AVX2: arith.andi %{{.+}}, %c31 : index
// AVX2: arith.shli %{{.+}} : vector<8xi32>
// AVX2: arith.divf %{{.+}} : vector<8xf32>
// AVX2-NOT: vector.reduction
// AVX2: scf.for {{.+}} step %c32 iter_args({{.+}}) -> (tensor<?xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xi32>,
// AVX2-NOT: vector.reduction
// AVX2: tensor.expand_shape
// VEC-LABEL: func.func @sigmoid
// VEC-SAME: (%[[X:.+]]: tensor<?x8xf32>)
// VEC: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x8xf32> into tensor<?xf32>
// VEC: %[[OUT:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<?x8xf32> into tensor<?xf32>
// VEC: %[[N:.+]] = tensor.dim %[[FLAT]]
// VEC: %[[OUTBUF:.+]] = bufferization.to_buffer %[[OUT]] read_only : tensor<?xf32> to memref<?xf32, strided<[?], offset: ?>>
// VEC: %[[BASE:.+]] = memref.extract_aligned_pointer_as_index %[[OUTBUF]]
// VEC: %{{.+}}, %[[OFFSET:.+]], %{{.+}}, %{{.+}} = memref.extract_strided_metadata %[[OUTBUF]]
// VEC: %[[BYTES:.+]] = arith.muli %[[OFFSET]], %c4
// VEC: %[[ADDRESS:.+]] = arith.addi %[[BASE]], %[[BYTES]]
// VEC: %[[LOWBITS:.+]] = arith.andi %[[ADDRESS]], %c3
// VEC: %[[FLOATALIGNED:.+]] = arith.cmpi eq, %[[LOWBITS]]
// VEC: %[[LARGE:.+]] = arith.cmpi uge, %[[N]], %c1048576
// VEC: %[[STREAMS:.+]] = arith.andi %[[LARGE]], %[[FLOATALIGNED]] : i1
// VEC: %[[HEAD:.+]] = arith.select %[[STREAMS]], %{{.+}}, %{{.+}} : index
// VEC: %[[HEADLOOP:.+]] = scf.for %[[H:.+]] = %{{.+}} to %[[HEAD]] step %c16
// VEC: %[[LEFT:.+]] = arith.subi %[[HEAD]], %[[H]]
// VEC: %[[MASK:.+]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// VEC: vector.transfer_read %[[FLAT]][%[[H]]], %{{.+}}, %[[MASK]] {in_bounds = [true]} : tensor<?xf32>, vector<16xf32>
// VEC: vector.transfer_write %{{.+}}[%[[H]]], %[[MASK]] {in_bounds = [true]} : vector<16xf32>, tensor<?xf32>
// VEC: %[[VIEW:.+]] = bufferization.to_buffer %[[FLAT]] read_only : tensor<?xf32> to memref<?xf32, strided<[?], offset: ?>>
// VEC: %[[REMAINING:.+]] = arith.subi %[[N]], %[[HEAD]]
// VEC: %[[ATLEAST:.+]] = arith.maxui %[[REMAINING]], %c4096
// VEC: %[[ROOM:.+]] = arith.subi %[[ATLEAST]], %c4096
// VEC: %[[STEPS:.+]] = arith.divui %[[ROOM]], %c64
// VEC: %[[SPAN:.+]] = arith.muli %[[STEPS]], %c64
// VEC: %[[PREFETCHED:.+]] = arith.addi %[[HEAD]], %[[SPAN]]
// VEC: %[[STREAMTO:.+]] = arith.select %[[STREAMS]], %[[PREFETCHED]], %[[HEAD]] : index
// On 16 lanes each whole step of sigmoid's four vectors branches up to
// twice: if every lane lies in [-16, 16] (not NaN), the central form,
// whose 2^-n is built in the exponent field from the reduction's -n and
// applied by a product; else, if every lane lies in [-64, 64], the
// extended form, the same but for the general form's denominator tail;
// otherwise the general form, with its clamp and AVX-512's scalef. The
// same bits either way (ApproxMath.cpp), so a result does not depend on
// its neighbours.
// VEC: %[[STREAMED:.+]] = scf.for %[[I:.+]] = %[[HEAD]] to %[[STREAMTO]] step %c64 iter_args(%{{.+}} = %[[HEADLOOP]]) -> (tensor<?xf32>) {
// VEC: memref.prefetch %[[VIEW]]
// VEC: %[[X0:.+]] = vector.transfer_read %[[FLAT]]
// VEC-COUNT-3: vector.transfer_read %[[FLAT]]
// Each lane's |x| > 16 as integers: x's bits without the sign (shifted
// out) above 16's (NaN's lie above every other float's).
// VEC: %[[BITS0:.+]] = arith.bitcast %[[X0]] : vector<16xf32> to vector<16xi32>
// VEC: %[[MAG0:.+]] = arith.shli %[[BITS0]], %{{.+}} : vector<16xi32>
// VEC: %[[SIXTEEN:.+]] = arith.constant dense<1.600000e+01> : vector<16xf32>
// VEC: %[[LIMITBITS:.+]] = arith.bitcast %[[SIXTEEN]] : vector<16xf32> to vector<16xi32>
// VEC: %[[LIMIT:.+]] = arith.shli %[[LIMITBITS]], %{{.+}} : vector<16xi32>
// VEC: %[[OUT0:.+]] = arith.cmpi ugt, %[[MAG0]], %[[LIMIT]] : vector<16xi32>
// VEC: %[[OUT1:.+]] = arith.cmpi ugt
// VEC: %[[OUT01:.+]] = arith.ori %[[OUT0]], %[[OUT1]] : vector<16xi1>
// VEC-COUNT-2: arith.ori
// VEC: %[[ANYOUT:.+]] = vector.reduction <or>, %{{.+}} : vector<16xi1> into i1
// VEC: %[[YS:.+]]:4 = scf.if %[[ANYOUT]] -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// VEC: %[[BBITS0:.+]] = arith.bitcast %[[X0]] : vector<16xf32> to vector<16xi32>
// VEC: %[[BMAG0:.+]] = arith.shli %[[BBITS0]], %{{.+}} : vector<16xi32>
// VEC: %[[SIXTYFOUR:.+]] = arith.constant dense<6.400000e+01> : vector<16xf32>
// VEC: %[[BLIMITBITS:.+]] = arith.bitcast %[[SIXTYFOUR]] : vector<16xf32> to vector<16xi32>
// VEC: %[[BLIMIT:.+]] = arith.shli %[[BLIMITBITS]], %{{.+}} : vector<16xi32>
// VEC: arith.cmpi ugt, %[[BMAG0]], %[[BLIMIT]] : vector<16xi32>
// VEC-COUNT-3: arith.ori
// VEC: %[[ANYBEYOND:.+]] = vector.reduction <or>, %{{.+}} : vector<16xi1> into i1
// VEC: %{{.+}}:4 = scf.if %[[ANYBEYOND]] -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// e^-x's 2^n by AVX-512's scalef, one division marked for the reciprocal
// estimate.
// VEC: x86vector.avx512.mask.scalef %{{.+}} : vector<16xf32>
// VEC: arith.divf %{{.+}} fastmath<ninf,arcp> : vector<16xf32>
// VEC: x86vector.avx512.mask.scalef
// VEC: scf.yield
// VEC: } else {
// The extended form: the denominator d = (1 + 2^-n) + p and its tail
// ((1 - d) + 2^-n) + p, 2^-n from the exponent field.
// VEC-NOT: x86vector.avx512.mask.scalef
// VEC: %[[XSCALE:.+]] = arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// VEC: %[[XC:.+]] = arith.addf %{{.+}}, %[[XSCALE]] : vector<16xf32>
// VEC: %[[XD:.+]] = arith.addf %[[XC]], %[[XP:.+]] : vector<16xf32>
// VEC: %[[XONELESS:.+]] = arith.subf %{{.+}}, %[[XD]] : vector<16xf32>
// VEC: %[[XTAIL:.+]] = arith.addf %[[XONELESS]], %[[XSCALE]] : vector<16xf32>
// VEC: arith.addf %[[XTAIL]], %[[XP]] : vector<16xf32>
// VEC-NOT: x86vector.avx512.mask.scalef
// VEC: scf.yield
// VEC: scf.yield
// VEC: } else {
// VEC-NOT: x86vector.avx512.mask.scalef
// VEC: %[[SUM:.+]] = llvm.intr.fma(%[[X0]], %{{.+}}, %{{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// VEC: %[[SUMBITS:.+]] = arith.bitcast %[[SUM]] : vector<16xf32> to vector<16xi32>
// VEC: %[[NEGN:.+]] = arith.subi %{{.+}}, %[[SUMBITS]] : vector<16xi32>
// VEC: %[[BIASED:.+]] = arith.addi %[[NEGN]], %{{.+}} : vector<16xi32>
// VEC: %[[EXPONENT:.+]] = arith.shli %[[BIASED]]
// VEC: %[[SCALE:.+]] = arith.bitcast %[[EXPONENT]] : vector<16xi32> to vector<16xf32>
// VEC: %[[REC:.+]] = arith.divf %{{.+}} fastmath<ninf,arcp> : vector<16xf32>
// VEC: %[[SCALEDQ:.+]] = arith.mulf %[[REC]], %[[SCALE]] : vector<16xf32>
// VEC: %[[Y0:.+]] = llvm.intr.fma(%[[SCALEDQ]], %{{.+}}, %[[SCALEDQ]])
// VEC-NOT: x86vector.avx512.mask.scalef
// VEC: scf.yield %[[Y0]], %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
// VEC: vector.transfer_write %[[YS]]#0
// VEC-COUNT-3: vector.transfer_write %[[YS]]
// VEC: scf.yield
// VEC-NEXT: } {soma.nontemporal_stores}
// VEC: %[[AHEAD_LOOP:.+]] = scf.for %{{.+}} = %[[STREAMTO]] to %[[PREFETCHED]] step %c64 iter_args(%{{.+}} = %[[STREAMED]])
// VEC: memref.prefetch %[[VIEW]]
// VEC: scf.if
// VEC: scf.yield
// VEC-NEXT: }
// VEC-NOT: soma.nontemporal_stores
// VEC: %[[LEFTOVER:.+]] = arith.subi %[[N]], %[[PREFETCHED]]
// VEC: %[[WHOLE:.+]] = arith.addi %[[PREFETCHED]], %{{.+}}
// VEC-NOT: memref.prefetch
// VEC: %[[MAIN:.+]] = scf.for %{{.+}} = %[[PREFETCHED]] to %[[WHOLE]] step %c64 iter_args(%{{.+}} = %[[AHEAD_LOOP]])
// VEC-NOT: memref.prefetch
// VEC: scf.if
// VEC-NOT: memref.prefetch
// VEC: scf.yield
// Then the rest, one masked vector at a time, in one stage.
// VEC: %[[REST:.+]] = scf.for %[[J:.+]] = %[[WHOLE]] to %[[N]] step %c16{{.*}} iter_args(%{{.+}} = %[[MAIN]])
// VEC: vector.transfer_read %[[FLAT]][%[[J]]], %{{.+}} : tensor<?xf32>, vector<16xf32>
// VEC: arith.divf
// VEC: vector.transfer_write %{{.+}}[%[[J]]] : vector<16xf32>, tensor<?xf32>
// VEC: tensor.expand_shape %[[REST]] {{\[\[}}0, 1]] output_shape [%{{.+}}, 8] : tensor<?xf32> into tensor<?x8xf32>

// CHECK-LABEL: func.func @sigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %[[C0]]
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<?x8xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x8xf32>) outs(%[[INIT]] : tensor<?x8xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// sigmoid computes in f32 alone, as 2^-n/(m + 2^-n) with e^-x = m·2^n:
// x clamped to [-105, 20], reduced by the shifter 1.5·2^23 and two fma
// steps, ...
// CHECK:   arith.constant -1.050000e+02 : f32
// CHECK:   arith.constant 2.000000e+01 : f32
// CHECK:   %[[SHIFTER:.+]] = arith.constant 0x4B400000 : f32
// CHECK:   llvm.intr.fma(%{{.+}}, %{{.+}}, %[[SHIFTER]]) : (f32, f32, f32) -> f32
// ... 2^-n built in the exponent field as two factors ...
// CHECK:   arith.shrsi
// CHECK:   arith.shli
// ... 1/(m + 2^-n) from one f32 division and an fma residual, then the
// scaling by 2^-n; no branch on the sign, never widened to f64.
// CHECK:   %[[REC:.+]] = arith.divf %{{.+}}, %{{.+}} : f32
// CHECK:   %[[Q:.+]] = llvm.intr.fma(%[[REC]], %{{.+}}, %[[REC]])
// CHECK:   %[[S:.+]] = arith.mulf %[[Q]], %{{.+}} : f32
// CHECK:   %[[R1:.+]] = arith.mulf %[[S]], %{{.+}} : f32
// CHECK:   linalg.yield %[[R1]] : f32
// CHECK: return %[[R]]
// F32-LABEL: func.func @sigmoid
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @sigmoid(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = soma.sigmoid %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// log_sigmoid in f32: e = exp(-|x|) as in sigmoid, log1p(e) as
// 2·atanh(s) with 2s = e/(1 + e/2) in one form for all e (s at most 1/3,
// no branch on e), heads and tails throughout, then
// 0 - (max(-x, 0) + log1p(e)).
// CHECK-LABEL: func.func @log_sigmoid_static
// CHECK-NOT: tensor.dim
// CHECK: tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   arith.constant -1.050000e+02 : f32
// CHECK-NOT: arith.constant 0.414213568 : f32
// CHECK:   %[[HALFE:.+]] = arith.mulf %{{[0-9]+}}, %[[HALF:cst_[0-9]+]] : f32
// CHECK:   %[[DEN:.+]] = arith.addf %{{.+}}, %[[HALFE]] : f32
// CHECK:   arith.divf %{{.+}}, %[[DEN]] : f32
// CHECK-NOT: arith.constant 0.693147182 : f32
// The tail 2s·s²·R(s²) in v = (2s)², R's leading coefficient, about 1/3,
// over 4.
// CHECK:   arith.constant 0.0833333358 : f32
// CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:   %[[NEG:.+]] = arith.cmpf olt, %[[IN]], %[[ZERO]] : f32
// CHECK:   %[[MINUSX:.+]] = arith.negf %[[IN]] : f32
// CHECK:   arith.select %[[NEG]], %[[MINUSX]], %[[ZERO]] : f32
// CHECK:   %[[R:.+]] = arith.subf %[[ZERO]], %{{.+}} : f32
// Below -2^64 (and for -inf) x itself.
// CHECK:   %[[HUGE:.+]] = arith.cmpf olt, %[[IN]], %{{.+}} : f32
// CHECK:   %[[Y:.+]] = arith.select %[[HUGE]], %[[IN]], %[[R]] : f32
// CHECK:   linalg.yield %[[Y]] : f32
// F32-LABEL: func.func @log_sigmoid_static
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
// With AVX-512: 0 - softplus(-x), softplus as in @softplus_default below.
// VEC-LABEL: func.func @log_sigmoid_static
// VEC: %[[X:.+]] = vector.transfer_read
// VEC: %[[Z:.+]] = arith.negf %[[X]] : vector<16xf32>
// VEC: arith.cmpf ogt, %[[Z]], %{{.+}} : vector<16xf32>
// VEC-COUNT-8: vector.gather
// VEC-NOT: arith.divf
// VEC: %[[SOFTPLUS:.+]] = arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// VEC: %[[R:.+]] = arith.subf %{{.+}}, %[[SOFTPLUS]] : vector<16xf32>
// VEC-NEXT: vector.transfer_write %[[R]]
func.func @log_sigmoid_static(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = soma.log_sigmoid %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// PyTorch's hard_sigmoid (slope 1/6, offset 1/2) stays in f32: x clamped
// below at -3, c·(x + 3) in one fma with c = (1 - 2^-24)/6 and 3c both
// f32, a second fma that scales it by 1 + 2^-24, and a clamp at 1.
// CHECK-LABEL: func.func @hard_sigmoid_default
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[LOW:.+]] = arith.constant -3.000000e+00 : f32
// CHECK:   %[[BELOW:.+]] = arith.cmpf olt, %[[IN]], %[[LOW]] : f32
// CHECK:   %[[C:.+]] = arith.select %[[BELOW]], %[[LOW]], %[[IN]] : f32
// CHECK:   %[[SLOPE:.+]] = arith.constant 0.166666657 : f32
// CHECK:   %[[OFFSET:.+]] = arith.constant 0.49999997 : f32
// CHECK:   %[[LINE:.+]] = llvm.intr.fma(%[[C]], %[[SLOPE]], %[[OFFSET]])
// CHECK:   %[[TINY:.+]] = arith.constant 5.96046448E-8 : f32
// CHECK:   %[[SCALED:.+]] = llvm.intr.fma(%[[LINE]], %[[TINY]], %[[LINE]])
// CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[ABOVE:.+]] = arith.cmpf olt, %[[ONE]], %[[SCALED]] : f32
// CHECK:   %[[R:.+]] = arith.select %[[ABOVE]], %[[ONE]], %[[SCALED]] : f32
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @hard_sigmoid_default
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @hard_sigmoid_default(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = soma.hard_sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Other slopes compute in f64; ONNX's 0.2 is the f32 value, widened.
// CHECK-LABEL: func.func @hard_sigmoid_onnx
// CHECK: arith.extf
// CHECK: arith.constant 0.20000000298023224 : f64
// CHECK: arith.constant 5.0{{.*}}e-01 : f64
func.func @hard_sigmoid_onnx(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = soma.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// silu in f32 from sigmoid's parts (x clamped to [-120, 20]): one fma of
// x·q (x clamped below only, so x past 20 passes) plus x·q·residual,
// scaled by 2^-n; below -120 the result is x·0 (NaN for -inf).
// CHECK-LABEL: func.func @silu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[LOW:.+]] = arith.constant -1.200000e+02 : f32
// CHECK:   %[[TINY:.+]] = arith.cmpf olt, %[[IN]], %[[LOW]] : f32
// CHECK:   %[[ABOVE:.+]] = arith.select %[[TINY]], %[[LOW]], %[[IN]] : f32
// CHECK:   %[[TWENTY:.+]] = arith.constant 2.000000e+01 : f32
// CHECK:   %[[CLAMPED:.+]] = arith.select %{{.+}}, %[[TWENTY]], %[[ABOVE]] : f32
// CHECK:   %[[Q:.+]] = arith.divf %{{.+}} : f32
// CHECK:   %[[QR:.+]] = arith.mulf %[[Q]], %{{.+}} : f32
// CHECK:   %[[CORR:.+]] = arith.mulf %[[CLAMPED]], %[[QR]] : f32
// CHECK:   llvm.intr.fma(%[[ABOVE]], %[[Q]], %[[CORR]])
// CHECK:   %[[ZERO:.+]] = arith.mulf %[[IN]], %{{.+}} : f32
// CHECK:   %[[R:.+]] = arith.select %[[TINY]], %[[ZERO]], %{{.+}} : f32
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @silu
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @silu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = soma.silu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// hard_swish in f32: x clamped to [-3, 3], t = c·(x + 3) in one fma with
// c = (1 - 2^-24)/6 and 3c both f32 (t is 0 at or below -3, so the result
// is x·0 = -0 there, NaN for -inf), p = x·t, and p + p·2^-24 in one fma.
// CHECK-LABEL: func.func @hard_swish
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[THREE:.+]] = arith.constant 3.000000e+00 : f32
// CHECK:   %[[C:.+]] = arith.select %{{.+}}, %[[THREE]], %{{.+}} : f32
// CHECK:   %[[SLOPE:.+]] = arith.constant 0.166666657 : f32
// CHECK:   %[[OFFSET:.+]] = arith.constant 0.49999997 : f32
// CHECK:   %[[T:.+]] = llvm.intr.fma(%[[C]], %[[SLOPE]], %[[OFFSET]])
// CHECK:   %[[P:.+]] = arith.mulf %[[IN]], %[[T]] : f32
// CHECK:   %[[TINY:.+]] = arith.constant 5.96046448E-8 : f32
// CHECK:   %[[R:.+]] = llvm.intr.fma(%[[P]], %[[TINY]], %[[P]])
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @hard_swish
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
// With vectors: a piecewise-linear loop keeps up with memory on the
// hardware prefetcher alone, so it issues no prefetch; it still streams
// large outputs, into a destination of its own (an alloc_tensor, which CSE
// does not merge with another activation's), whose address it reads.
// VEC-LABEL: func.func @hard_swish
// VEC-NOT: memref.prefetch
// VEC: %[[OUT:.+]] = bufferization.alloc_tensor(%{{.+}}) : tensor<?x4xf32>
// VEC-NOT: memref.prefetch
// VEC: %[[FLATOUT:.+]] = tensor.collapse_shape %[[OUT]]
// VEC-NOT: memref.prefetch
// VEC: bufferization.to_buffer %[[FLATOUT]] read_only
// VEC-NOT: memref.prefetch
// VEC: scf.for {{.+}} step %c64
// VEC-NOT: memref.prefetch
// VEC: return
func.func @hard_swish(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = soma.hard_swish %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// tanh in f32 without AVX-512 (scalar bodies, AVX2): a = |x| clamped at
// 9.2; a + a·a²·P(a²) below 0.75 and 1 - 2/(1 + e^2a) (one division) from
// there on, both computed and one selected; x's sign put back.
// AVX2-LABEL: func.func @tanh
// AVX2: arith.divf %{{.+}} : vector<8xf32>
// AVX2-NOT: vector.gather
// AVX2: tensor.expand_shape
// With AVX-512: the interval of a = |x| (clamped at 9.2) from its bits,
// r = a minus the interval's center, and a degree-6 polynomial in r, with
// the center and the 7 coefficients gathered from tables of 32 (which
// soma-gather-to-permute makes permutes); x's sign put back. No division.
// VEC-LABEL: func.func @tanh
// VEC: %[[A:.+]] = math.absf %{{.+}} : vector<16xf32>
// VEC: %[[AC:.+]] = arith.select %{{.+}}, %{{.+}}, %[[A]] : vector<16xi1>, vector<16xf32>
// VEC: %[[BITS:.+]] = arith.bitcast %[[AC]] : vector<16xf32> to vector<16xi32>
// VEC: %[[SHIFTED:.+]] = arith.shrui %[[BITS]], %{{.+}} : vector<16xi32>
// VEC: %[[FROM:.+]] = arith.subi %[[SHIFTED]], %{{.+}} : vector<16xi32>
// VEC: %[[ATLEAST:.+]] = arith.maxsi %[[FROM]], %{{.+}} : vector<16xi32>
// VEC: %[[INDEX:.+]] = arith.andi %[[ATLEAST]], %{{.+}} : vector<16xi32>
// VEC: %[[CENTERS:.+]] = arith.constant dense<[0.000000e+00, 0.0859252959, {{.+}}]> : tensor<32xf32>
// VEC: %[[M:.+]] = vector.gather %[[CENTERS]][%{{.+}}] [%[[INDEX]]], %{{.+}}, %{{.+}} : tensor<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// VEC: %[[R:.+]] = arith.subf %[[AC]], %[[M]] : vector<16xf32>
// VEC-COUNT-6: llvm.intr.fma(%{{.+}}, %[[R]], %{{.+}})
// VEC-NOT: arith.divf
// VEC: arith.ori %{{.+}} : vector<16xi32>
// VEC: vector.transfer_write
// CHECK-LABEL: func.func @tanh
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[A:.+]] = math.absf %[[IN]] : f32
// CHECK:   %[[LIMIT:.+]] = arith.constant 9.1999998 : f32
// CHECK:   %[[LARGE:.+]] = arith.cmpf ogt, %[[A]], %[[LIMIT]] : f32
// CHECK:   %[[AC:.+]] = arith.select %[[LARGE]], %[[LIMIT]], %[[A]] : f32
// CHECK:   %[[T:.+]] = arith.mulf %[[AC]], %[[AC]] : f32
// CHECK:   %[[AT:.+]] = arith.mulf %[[AC]], %[[T]] : f32
// CHECK:   %[[NEAR:.+]] = llvm.intr.fma(%[[AT]], %{{.+}}, %[[AC]])
// CHECK:   %[[LOG2E2:.+]] = arith.constant 2.885390e+00 : f32
// CHECK:   llvm.intr.fma(%[[AC]], %[[LOG2E2]], %{{.+}})
// CHECK:   %[[Q:.+]] = arith.divf %{{.+}}, %{{.+}} : f32
// CHECK:   %[[FAR:.+]] = llvm.intr.fma(%{{.+}}, %{{.+}}, %{{.+}})
// CHECK:   %[[SPLIT:.+]] = arith.constant 7.500000e-01 : f32
// CHECK:   %[[SMALL:.+]] = arith.cmpf olt, %[[AC]], %[[SPLIT]] : f32
// CHECK:   arith.select %[[SMALL]], %[[NEAR]], %[[FAR]] : f32
// The sign of x, put back with integer ops.
// CHECK:   arith.andi
// CHECK:   %[[BITS:.+]] = arith.ori
// CHECK:   %[[R:.+]] = arith.bitcast %[[BITS]] : i32 to f32
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @tanh
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @tanh(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = soma.tanh %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Piecewise-linear activations stay in f32.
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK:   %[[NEG:.+]] = arith.cmpf olt, %[[IN]], %[[ZERO]] : f32
// CHECK:   %[[R:.+]] = arith.select %[[NEG]], %[[ZERO]], %[[IN]] : f32
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @relu
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @relu(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @leaky_relu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[SLOPE:.+]] = arith.constant 2.000000e-01 : f32
// CHECK:   %[[POS:.+]] = arith.cmpf ogt, %[[IN]], %{{.+}} : f32
// CHECK:   %[[SCALED:.+]] = arith.mulf %[[IN]], %[[SLOPE]] : f32
// CHECK:   arith.select %[[POS]], %[[IN]], %[[SCALED]] : f32
func.func @leaky_relu(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.leaky_relu %x {negative_slope = 0.2 : f32} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @threshold
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[T:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:   %[[LE:.+]] = arith.cmpf ole, %[[IN]], %[[T]] : f32
// CHECK:   %[[V:.+]] = arith.constant -2.000000e+00 : f32
// CHECK:   arith.select %[[LE]], %[[V]], %[[IN]] : f32
func.func @threshold(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.threshold %x {threshold = 0.5 : f32, value = -2.0 : f32} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// PyTorch's default softplus (beta 1) in f32: log1p(exp(-|x|)) as for
// log_sigmoid, plus max(x, 0); x itself past the threshold.
// AVX2-LABEL: func.func @softplus_default
// AVX2: arith.divf %{{.+}} : vector<8xf32>
// AVX2-NOT: vector.gather
// AVX2: tensor.expand_shape
// With AVX-512: p + g(a) with g(a) = log(1 + e^a), a = -x and p = x above
// 0.95, a = x and p = 0 below; the entry of a's interval from a·1.5625 by
// the shifter trick; then, if some lane's a is below -18.5, those lanes
// reduced for e^a = 2^n·e^r and given the 32nd entry, r for their
// argument and the others a minus their entry's center, a degree-6
// polynomial with the center and the 7 coefficients gathered from tables
// of 32, scaled by 2^n (n = 0 but for e^a); otherwise the same without
// the exponential's lanes. p added last. No division, and no select for
// the default threshold 20 (from 16 on the sum is x).
// VEC-LABEL: func.func @softplus_default
// VEC: %[[X:.+]] = vector.transfer_read
// VEC: %[[REFLECT:.+]] = arith.cmpf ogt, %[[X]], %{{.+}} : vector<16xf32>
// VEC: %[[NEGX:.+]] = arith.negf %[[X]] : vector<16xf32>
// VEC: %[[A:.+]] = arith.select %[[REFLECT]], %[[NEGX]], %[[X]] : vector<16xi1>, vector<16xf32>
// VEC: %[[P:.+]] = arith.select %[[REFLECT]], %[[X]], %{{.+}} : vector<16xi1>, vector<16xf32>
// VEC: %[[PICKED:.+]] = llvm.intr.fma(%[[A]], %{{.+}}, %{{.+}})
// VEC: %[[BITS:.+]] = arith.bitcast %[[PICKED]] : vector<16xf32> to vector<16xi32>
// VEC: %[[ENTRY:.+]] = arith.andi %[[BITS]], %{{.+}} : vector<16xi32>
// VEC: %[[USEEXP:.+]] = arith.cmpf olt, %[[A]], %{{.+}} : vector<16xf32>
// VEC: %[[ANY:.+]] = vector.reduction <or>, %[[USEEXP]] : vector<16xi1> into i1
// VEC: %[[G:.+]] = scf.if %[[ANY]] -> (vector<16xf32>) {
// VEC:   %[[SHIFTED:.+]] = llvm.intr.fma(%{{.+}}, %{{.+}}, %{{.+}})
// VEC:   %[[N:.+]] = arith.subf %[[SHIFTED]], %{{.+}} : vector<16xf32>
// VEC:   %[[EXPENTRY:.+]] = arith.select %[[USEEXP]], %{{.+}}, %[[ENTRY]] : vector<16xi1>, vector<16xi32>
// VEC:   %[[M:.+]] = vector.gather %{{.+}}[%{{.+}}] [%[[EXPENTRY]]], %{{.+}}, %{{.+}} : tensor<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// VEC:   %[[CENTERED:.+]] = arith.subf %[[A]], %[[M]] : vector<16xf32>
// VEC:   %[[R:.+]] = arith.select %[[USEEXP]], %{{.+}}, %[[CENTERED]] : vector<16xi1>, vector<16xf32>
// VEC-COUNT-6: llvm.intr.fma(%{{.+}}, %[[R]], %{{.+}})
// VEC:   %[[SCALED:.+]] = x86vector.avx512.mask.scalef %[[Y:.+]], %[[N]], %[[Y]], %{{.+}}, %{{.+}} : vector<16xf32>
// VEC:   scf.yield %[[SCALED]] : vector<16xf32>
// VEC: } else {
// VEC:   %[[M2:.+]] = vector.gather %{{.+}}[%{{.+}}] [%[[ENTRY]]], %{{.+}}, %{{.+}} : tensor<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// VEC:   %[[R2:.+]] = arith.subf %[[A]], %[[M2]] : vector<16xf32>
// VEC-COUNT-6: llvm.intr.fma(%{{.+}}, %[[R2]], %{{.+}})
// VEC-NOT: x86vector
// VEC:   scf.yield
// VEC: }
// VEC-NOT: arith.divf
// VEC-NOT: arith.select
// VEC: %[[SUM:.+]] = arith.addf %[[P]], %[[G]] : vector<16xf32>
// VEC-NEXT: vector.transfer_write %[[SUM]]
// CHECK-LABEL: func.func @softplus_default
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:   arith.divf %{{.+}} : f32
// CHECK:   %[[POS:.+]] = arith.cmpf ogt, %[[IN]], %{{.+}} : f32
// CHECK:   arith.select %[[POS]], %[[IN]], %{{.+}} : f32
// CHECK:   %[[T:.+]] = arith.constant 2.000000e+01 : f32
// CHECK:   %[[LINEAR:.+]] = arith.cmpf ogt, %[[IN]], %[[T]] : f32
// CHECK:   %[[R:.+]] = arith.select %[[LINEAR]], %[[IN]], %{{.+}} : f32
// CHECK:   linalg.yield %[[R]] : f32
// F32-LABEL: func.func @softplus_default
// F32-NOT: f64
// F32: linalg.yield %{{.+}} : f32
func.func @softplus_default(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.softplus %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Beta 1 with a threshold below 16: on AVX-512 x itself is selected past
// it, after the sum.
// VEC-LABEL: func.func @softplus_low_threshold
// VEC: %[[X:.+]] = vector.transfer_read
// VEC: %[[SUM:.+]] = arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// VEC-NEXT: %[[T:.+]] = arith.constant dense<1.500000e+00> : vector<16xf32>
// VEC-NEXT: %[[LINEAR:.+]] = arith.cmpf ogt, %[[X]], %[[T]] : vector<16xf32>
// VEC-NEXT: %[[R:.+]] = arith.select %[[LINEAR]], %[[X]], %[[SUM]] : vector<16xi1>, vector<16xf32>
// VEC-NEXT: vector.transfer_write %[[R]]
func.func @softplus_low_threshold(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.softplus %x {beta = 1.0 : f32, threshold = 1.5 : f32} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Other betas scale x in f64 first.
// CHECK-LABEL: func.func @softplus
// CHECK: linalg.generic
// CHECK:   %[[D:.+]] = arith.extf
// CHECK:   %[[BETA:.+]] = arith.constant 2.0{{.*}} : f64
// CHECK:   %[[XB:.+]] = arith.mulf %[[D]], %[[BETA]] : f64
// CHECK:   %[[T:.+]] = arith.constant 1.0{{.*}}e+01 : f64
// CHECK:   %[[LINEAR:.+]] = arith.cmpf ogt, %[[XB]], %[[T]] : f64
// max(z, 0) + log1p(exp(-|z|))
// CHECK:   %[[POS:.+]] = arith.cmpf ogt, %[[XB]], %{{.+}} : f64
// CHECK:   %[[HIGH:.+]] = arith.select %[[POS]], %[[XB]], %{{.+}} : f64
// CHECK:   math.absf %[[XB]]
// CHECK:   llvm.intr.fma
// CHECK:   %[[SUM:.+]] = arith.addf %[[HIGH]], %{{.+}} : f64
// CHECK:   %[[SMOOTH:.+]] = arith.divf %[[SUM]], %{{.+}} : f64
// CHECK:   %[[R:.+]] = arith.select %[[LINEAR]], %[[D]], %[[SMOOTH]] : f64
// CHECK:   arith.truncf %[[R]]
func.func @softplus(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.softplus %x {beta = 2.0 : f32, threshold = 10.0 : f32} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Dropout is the identity at inference.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<?x3xf32>
func.func @dropout(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = soma.dropout %x {p = 0.25 : f32} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A rank-0 activation has no loops (with vectors too).
// VEC-LABEL: func.func @scalar
// VEC: linalg.generic
// VEC-SAME: iterator_types = []
// CHECK-LABEL: func.func @scalar
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<f32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = []
// CHECK-SAME: outs(%[[INIT]] : tensor<f32>)
func.func @scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = soma.silu %x : tensor<f32>
  return %0 : tensor<f32>
}
