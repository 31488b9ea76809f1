// RUN: soma-opt %s --convert-soma-to-linalg --canonicalize --cse \
// RUN:   --split-input-file | FileCheck %s --implicit-check-not=soma.

// Without a stride the linear kernel reads the padded image in place: each
// k = (c, kh, kw) starts at c·9·8 + kh·8 + kw of the 2x9x8 image (two zero
// rows below for the vectors past the last column), the bias seeds each
// filter's accumulators, and the 5x8 columns per filter are copied out 6 at
// a time.
// CHECK-LABEL: func.func @conv2d_in_place
// CHECK-NOT: linalg.conv
// CHECK-DAG: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[STEPS:.+]] = arith.constant dense<[0, 1, 2, 8, 9, 10, 16, 17, 18, 72, 73, 74, 80, 81, 82, 88, 89, 90]> : tensor<18xindex>
// CHECK: scf.for %[[N:.+]] = %{{.+}} to %{{.+}} iter_args(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x3x5x6xf32>)
// CHECK:   %[[IMAGE:.+]] = tensor.extract_slice %{{.+}}[%[[N]], 0, 0, 0] [1, 2, 5, 6]
// CHECK:   linalg.fill {{.+}} -> tensor<2x9x8xf32>
// CHECK:   linalg.copy ins(%[[IMAGE]] : tensor<2x5x6xf32>)
// CHECK:   %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2]] : tensor<2x9x8xf32> into tensor<144xf32>
// CHECK:   scf.for %[[K:.+]] = %{{.+}} iter_args(%{{.+}} = %[[ONE]],
// CHECK:     %[[AT:.+]] = tensor.extract %[[STEPS]][%[[K]]] : tensor<18xindex>
// CHECK:     vector.transfer_read %[[FLAT]][%[[AT]]]
// CHECK:     vector.fma
// CHECK:   tensor.expand_shape %{{.+}} output_shape [3, 5, 8] : tensor<3x40xf32> into tensor<3x5x8xf32>
// CHECK:   scf.for
// CHECK:     tensor.extract_slice %{{.+}} [1, 1, 6] [1, 1, 1] : tensor<3x5x6xf32> to tensor<6xf32>
// CHECK:   tensor.insert_slice %{{.+}} into %[[OUT]][%[[N]], 0, 0, 0] [1, 3, 5, 6]
func.func @conv2d_in_place(%x: tensor<?x2x5x6xf32>) -> tensor<?x3x5x6xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = soma.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x2x5x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x5x6xf32>
  return %0 : tensor<?x3x5x6xf32>
}

// -----

// With a stride the patches are copied first: 2·2·2 rows of 3·3 columns
// rounded up to 16, read from a strided slice of an image row, zeros past
// the 9th column; the kernel then writes the filter rows straight into the
// output.
// CHECK-LABEL: func.func @conv2d_strided
// CHECK-NOT: linalg.conv
// CHECK-DAG: %[[STEPS:.+]] = arith.constant dense<[0, 16, 32, 48, 64, 80, 96, 112]> : tensor<8xindex>
// CHECK: scf.for %[[N:.+]] = %{{.+}} iter_args(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x4x3x3xf32>)
// CHECK:   tensor.empty() : tensor<128xf32>
// CHECK:   scf.for
// CHECK:     tensor.insert_slice %{{.+}} [7] [1] : tensor<7xf32> into tensor<128xf32>
// CHECK:     scf.for
// CHECK:       tensor.extract_slice %{{.+}} [1, 1, 3] [1, 1, 2] : tensor<2x7x7xf32> to tensor<3xf32>
// CHECK:   %[[SLICE:.+]] = tensor.extract_slice %[[OUT]][%[[N]], 0, 0, 0] [1, 4, 3, 3]
// CHECK:   %[[ROWS:.+]] = tensor.collapse_shape %[[SLICE]] {{\[}}[0], [1, 2]] : tensor<4x3x3xf32> into tensor<4x9xf32>
// CHECK:   vector.fma
// CHECK:   vector.transfer_write %{{.+}}, %[[ROWS]][%{{.+}}, %{{.+}}] : vector<16xf32>, tensor<4x9xf32>
func.func @conv2d_strided(%x: tensor<?x2x7x7xf32>) -> tensor<?x4x3x3xf32> {
  %w = arith.constant dense<0.25> : tensor<4x2x2x2xf32>
  %0 = soma.conv2d %x, %w {stride = array<i64: 2, 2>} : (tensor<?x2x7x7xf32>, tensor<4x2x2x2xf32>) -> tensor<?x4x3x3xf32>
  return %0 : tensor<?x4x3x3xf32>
}
