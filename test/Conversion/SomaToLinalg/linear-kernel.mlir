// RUN: soma-opt %s --convert-soma-to-linalg --cse --canonicalize --split-input-file \
// RUN:   | FileCheck %s --implicit-check-not=soma.
// RUN: soma-opt %s --convert-soma-to-linalg="vector-lanes=8" --cse --canonicalize \
// RUN:   --split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: not soma-opt %s --convert-soma-to-linalg="vector-lanes=12" --split-input-file 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// BAD: vector-lanes must be 0, 4, 8 or 16, not 12

// RUN: not soma-opt %s --convert-soma-to-linalg="prefetch-distance=-1" --split-input-file 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-PREFETCH
// BAD-PREFETCH: prefetch-distance must not be negative, not -1

// RUN: not soma-opt %s --convert-soma-to-linalg="nontemporal-threshold=-2" --split-input-file 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-THRESHOLD
// BAD-THRESHOLD: nontemporal-threshold must not be negative, not -2

// A linear layer with a constant weight becomes the register-blocked
// kernel. N = 5 fits one 8-lane vector: the weight is packed k-major into
// one panel of 8 columns, zero-padded; tiles of 6 rows keep 6 accumulators
// that start from the bias (read past N with zero padding); each k step
// broadcasts one input element per row into an FMA; relu applies to the
// accumulators, joined two by two into full 16-lane registers and split
// back, and the store masks the 3 columns past N (no in_bounds).
// CHECK-LABEL: func.func @relu_layer
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<?x3xf32>)
// CHECK-DAG: %[[BIAS:[a-z0-9_]+]] = arith.constant dense<[5.000000e-01, 1.500000e+00, 2.500000e+00, 3.500000e+00, 4.500000e+00]> : tensor<5xf32>
// CHECK-DAG: %[[PACKED:[a-z0-9_]+]] = arith.constant dense<[1.000000e+00, 4.000000e+00, 7.000000e+00, 1.000000e+01, 1.300000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 2.000000e+00, {{.+}}]> : tensor<24xf32>
// CHECK-DAG: %[[M:[a-z0-9_]+]] = tensor.dim %[[X]]
// CHECK-DAG: %[[C6:[a-z0-9_]+]] = arith.constant 6 : index
// CHECK: %[[TILES:[a-z0-9_]+]] = arith.divui %[[M]], %[[C6]]
// CHECK: %[[WHOLE:[a-z0-9_]+]] = arith.muli %[[TILES]], %[[C6]]
// CHECK: %[[T:[a-z0-9_]+]] = scf.for %[[ROW:[a-z0-9_]+]] = %{{.+}} to %[[WHOLE]] step %[[C6]] iter_args
// CHECK: %[[ACC0:[a-z0-9_]+]] = vector.transfer_read %[[BIAS]][%{{.+}}], %{{.+}} : tensor<5xf32>, vector<8xf32>
// CHECK: %[[SUMS:[a-z0-9_]+]]:6 = scf.for %[[K:[a-z0-9_]+]] = {{.+}} iter_args(%[[A0:[a-z0-9_]+]] = %[[ACC0]], {{.+}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: %[[W:[a-z0-9_]+]] = vector.transfer_read %[[PACKED]][%{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<24xf32>, vector<8xf32>
// CHECK: %[[XE:[a-z0-9_]+]] = tensor.extract %[[X]][%[[ROW]], %[[K]]]
// CHECK: %[[XB:[a-z0-9_]+]] = vector.broadcast %[[XE]] : f32 to vector<8xf32>
// CHECK: vector.fma %[[XB]], %[[W]], %[[A0]] : vector<8xf32>
// CHECK-COUNT-5: vector.fma
// CHECK: scf.yield
// CHECK: %[[JOINED:[a-z0-9_]+]] = vector.shuffle %[[SUMS]]#0, %[[SUMS]]#1 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// CHECK: arith.cmpf olt, %[[JOINED]], %{{.+}} : vector<16xf32>
// CHECK: %[[Y01:[a-z0-9_]+]] = arith.select
// CHECK: %[[Y0:[a-z0-9_]+]] = vector.extract_strided_slice %[[Y01]] {offsets = [0], sizes = [8], strides = [1]} : vector<16xf32> to vector<8xf32>
// CHECK: vector.transfer_write %[[Y0]], %{{.+}}[%[[ROW]], %{{.+}}] : vector<8xf32>, tensor<?x5xf32>
// The rows left, in at most one tile each of 4, 2 and 1 rows.
// CHECK: %[[T4:[a-z0-9_]+]] = scf.for %{{.+}} = %[[WHOLE]] to %{{.+}} step %c4 iter_args(%{{.+}} = %[[T]])
// CHECK: scf.for {{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-4: vector.fma
// CHECK: %[[T2:[a-z0-9_]+]] = scf.for {{.+}} step %c2 iter_args(%{{.+}} = %[[T4]])
// CHECK-COUNT-2: vector.fma
// CHECK: scf.for {{.+}} to %[[M]] step %c1 iter_args(%{{.+}} = %[[T2]])
// CHECK: scf.for {{.+}} -> (vector<8xf32>)
// CHECK-COUNT-1: vector.fma
// CHECK-NOT: vector.fma
// CHECK: return
func.func @relu_layer(%x: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0], [13.0, 14.0, 15.0]]> : tensor<5x3xf32>
  %b = arith.constant dense<[0.5, 1.5, 2.5, 3.5, 4.5]> : tensor<5xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation relu>} : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// N = 80 with 16 lanes: one whole panel of 4 vectors (64 columns; the loop
// over panels folds away), then a last panel of one vector, stored in
// bounds (80 is a multiple of 16). Without a bias the accumulators start
// from zero. With 8 lanes (AVX2) panels are 2 vectors wide.
// CHECK-LABEL: func.func @wide_layer
// CHECK: arith.constant dense<{{.+}}> : tensor<160xf32>
// CHECK: %{{.+}}:24 = scf.for {{.+}} -> (vector<16xf32>,
// CHECK-COUNT-24: vector.fma
// CHECK: vector.transfer_write {{.+}} {in_bounds = [true]} : vector<16xf32>, tensor<?x80xf32>
// CHECK: %{{.+}}:16 = scf.for {{.+}} -> (vector<16xf32>,
// The last panel: one vector per row.
// CHECK: %{{.+}}:6 = scf.for {{.+}} -> (vector<16xf32>,
// CHECK-COUNT-6: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield
// AVX2-LABEL: func.func @wide_layer
// AVX2: %{{.+}}:12 = scf.for {{.+}} -> (vector<8xf32>,
// AVX2-NOT: vector<16xf32>
func.func @wide_layer(%x: tensor<?x2xf32>) -> tensor<?x80xf32> {
  %w = arith.constant dense<[[1.0, -1.0], [2.0, -2.0], [3.0, -3.0], [4.0, -4.0], [5.0, -5.0], [6.0, -6.0], [7.0, -7.0], [8.0, -8.0], [9.0, -9.0], [10.0, -10.0], [11.0, -11.0], [12.0, -12.0], [13.0, -13.0], [14.0, -14.0], [15.0, -15.0], [16.0, -16.0], [17.0, -17.0], [18.0, -18.0], [19.0, -19.0], [20.0, -20.0], [21.0, -21.0], [22.0, -22.0], [23.0, -23.0], [24.0, -24.0], [25.0, -25.0], [26.0, -26.0], [27.0, -27.0], [28.0, -28.0], [29.0, -29.0], [30.0, -30.0], [31.0, -31.0], [32.0, -32.0], [33.0, -33.0], [34.0, -34.0], [35.0, -35.0], [36.0, -36.0], [37.0, -37.0], [38.0, -38.0], [39.0, -39.0], [40.0, -40.0], [41.0, -41.0], [42.0, -42.0], [43.0, -43.0], [44.0, -44.0], [45.0, -45.0], [46.0, -46.0], [47.0, -47.0], [48.0, -48.0], [49.0, -49.0], [50.0, -50.0], [51.0, -51.0], [52.0, -52.0], [53.0, -53.0], [54.0, -54.0], [55.0, -55.0], [56.0, -56.0], [57.0, -57.0], [58.0, -58.0], [59.0, -59.0], [60.0, -60.0], [61.0, -61.0], [62.0, -62.0], [63.0, -63.0], [64.0, -64.0], [65.0, -65.0], [66.0, -66.0], [67.0, -67.0], [68.0, -68.0], [69.0, -69.0], [70.0, -70.0], [71.0, -71.0], [72.0, -72.0], [73.0, -73.0], [74.0, -74.0], [75.0, -75.0], [76.0, -76.0], [77.0, -77.0], [78.0, -78.0], [79.0, -79.0], [80.0, -80.0]]> : tensor<80x2xf32>
  %0 = soma.linear %x, %w : (tensor<?x2xf32>, tensor<80x2xf32>) -> tensor<?x80xf32>
  return %0 : tensor<?x80xf32>
}

// -----

// K = 2000 with 64-column panels: 1024 k steps per sweep (a 256 KiB panel
// block). The first sweep starts from the bias and stores the raw sums, the
// last one reads them back and applies the activation (relu: a select).
// CHECK-LABEL: func.func @long_layer
// CHECK: %[[FIRST:[a-z0-9_]+]] = scf.for
// CHECK: vector.transfer_read %{{.+}} : tensor<64xf32>, vector<16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c1024 step %c1
// CHECK-NOT: arith.select
// CHECK: vector.transfer_write
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[FIRST]])
// CHECK: vector.transfer_read %{{.+}} : tensor<?x64xf32>, vector<16xf32>
// CHECK: scf.for %{{.+}} = %c1024 to %c2000 step %c1
// CHECK: arith.select
// CHECK: vector.transfer_write
func.func @long_layer(%x: tensor<?x2000xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<64x2000xf32>
  %b = arith.constant dense<0.25> : tensor<64xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation relu>} : (tensor<?x2000xf32>, tensor<64x2000xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// N = 128: two whole panels of 64 columns. They are the iterations of an
// scf.forall (which the runtime may split between threads) when the sweep
// has 2^15 multiply-adds or more (rows x 256 x 128: from one row on); with
// less, one iteration takes both. Each iteration computes its panels into
// its slice of the output, at columns relative to the slice.
// CHECK-LABEL: func.func @two_panels
// CHECK: %[[ROWS:.+]] = tensor.dim %{{.+}}, %c0
// CHECK: %[[WORK:.+]] = arith.muli %[[ROWS]], %c32768
// CHECK: %[[SPLIT:.+]] = arith.cmpi uge, %[[WORK]], %c32768
// CHECK: %[[CHUNKS:.+]] = arith.select %[[SPLIT]], %c2, %c1
// CHECK: %[[PER:.+]] = arith.select %[[SPLIT]], %c1, %c2
// CHECK: %[[WIDTH:.+]] = arith.muli %[[PER]], %c64
// CHECK: scf.forall (%[[CHUNK:.+]]) in (%[[CHUNKS]]) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x128xf32>)
// CHECK: %[[COLUMN:.+]] = arith.muli %[[CHUNK]], %[[WIDTH]]
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[OUT]][0, %[[COLUMN]]] [%[[ROWS]], %[[WIDTH]]] [1, 1]
// CHECK: %[[PANELS:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[SLICE]]) -> (tensor<?x?xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[PANELS]] into %[[OUT]][0, %[[COLUMN]]] [%[[ROWS]], %[[WIDTH]]] [1, 1]
func.func @two_panels(%x: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<128x256xf32>
  %b = arith.constant dense<0.25> : tensor<128xf32>
  %0 = soma.linear_activation %x, %w, %b {activation = #soma<activation relu>} : (tensor<?x256xf32>, tensor<128x256xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}
