// Every way a soma-run invocation can go wrong reports one error and exits
// with status 1; none of them leaves an output file behind.
//
// RUN: rm -rf %t && mkdir -p %t/out
// RUN: %npy write %t/x.npy --shape 1,3 --values 1,2,3
// RUN: %npy write %t/w.npy --shape 2,3 --values 1,0,0,0,1,0

// The number of --input and --output files.
// RUN: not soma-run %s --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=ONE-INPUT
// ONE-INPUT: soma-run: error: @main takes 2 inputs, got 1 --input file{{$}}
// RUN: not soma-run %s --input %t/x.npy --input %t/w.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=THREE-INPUTS
// THREE-INPUTS: soma-run: error: @main takes 2 inputs, got 3 --input files
// RUN: not soma-run %s --input %t/x.npy --input %t/w.npy --output %t/out/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OUTPUTS
// OUTPUTS: soma-run: error: @main returns 2 results, got 1 --output file (give one per result, or none to print them)

// Input shapes against the argument types, checked before the model runs.
// RUN: %npy write %t/rank1.npy --shape 3 --values 1,2,3
// RUN: not soma-run %s --input %t/rank1.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=RANK
// RANK: soma-run: error: input 0 ({{.*}}rank1.npy): expected shape [?, 3], got [3]
// RUN: %npy write %t/x35.npy --shape 3,5 --values 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
// RUN: not soma-run %s --input %t/x35.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=INNER-DIM
// INNER-DIM: soma-run: error: input 0 ({{.*}}x35.npy): expected shape [?, 3], got [3, 5]
// RUN: not soma-run %s --input %t/x.npy --input %t/x.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=STATIC-DIM
// STATIC-DIM: soma-run: error: input 1 ({{.*}}x.npy): expected shape [2, 3], got [1, 3]

// Inputs whose batch sizes disagree are caught by the interpreter, which
// points at the function; no output is written.
// RUN: %npy write %t/x2.npy --shape 2,3 --values 1,2,3,4,5,6
// RUN: not soma-run %s --function pair --input %t/x.npy --input %t/x2.npy \
// RUN:     --output %t/out/never.npy 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not ls %t/out/never.npy

// Files that are not float32 .npy files.
// RUN: not soma-run %s --input %t/none.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING
// MISSING: soma-run: error: {{.*}}none.npy: cannot read file: No such file or directory
// RUN: %npy write %t/f64.npy --shape 1,3 --values 1,2,3 --descr '<f8'
// RUN: not soma-run %s --input %t/f64.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=F64
// F64: soma-run: error: {{.*}}f64.npy: dtype '<f8' is not supported, expected '<f4' (float32)
// RUN: %npy write %t/i32.npy --shape 1,3 --values 1,2,3 --descr '<i4'
// RUN: not soma-run %s --input %t/i32.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=I32
// I32: soma-run: error: {{.*}}i32.npy: dtype '<i4' is not supported, expected '<f4' (float32)
// RUN: %npy write %t/big.npy --shape 1,3 --values 1,2,3 --descr '>f4'
// RUN: not soma-run %s --input %t/big.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BIG-ENDIAN
// BIG-ENDIAN: soma-run: error: {{.*}}big.npy: dtype '>f4' is not supported
// RUN: %npy write %t/fortran.npy --shape 1,3 --values 1,2,3 --fortran
// RUN: not soma-run %s --input %t/fortran.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: soma-run: error: {{.*}}fortran.npy: Fortran-order arrays are not supported

// Truncated and malformed files.
// RUN: %npy truncate %t/x.npy %t/empty.npy 0
// RUN: not soma-run %s --input %t/empty.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMPTY
// EMPTY: soma-run: error: {{.*}}empty.npy: file is empty, not a .npy file
// RUN: %npy truncate %t/x.npy %t/short-header.npy 50
// RUN: not soma-run %s --input %t/short-header.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SHORT-HEADER
// SHORT-HEADER: soma-run: error: {{.*}}short-header.npy: truncated header: it is 118 bytes long but only 40 remain
// RUN: %npy truncate %t/x.npy %t/short-data.npy 132
// RUN: not soma-run %s --input %t/short-data.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SHORT-DATA
// SHORT-DATA: soma-run: error: {{.*}}short-data.npy: data size mismatch: shape [1, 3] needs 12 bytes of data, found 4
// RUN: %npy raw %t/png.npy --magic 89504e470d0a --header '{}'
// RUN: not soma-run %s --input %t/png.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MAGIC
// MAGIC: soma-run: error: {{.*}}png.npy: not a .npy file (bad magic string)
// RUN: %npy raw %t/v4.npy --version 4 --header '{}'
// RUN: not soma-run %s --input %t/v4.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=VERSION
// VERSION: soma-run: error: {{.*}}v4.npy: unsupported .npy format version 4.0, expected 1.0, 2.0 or 3.0
// RUN: %npy raw %t/garbage.npy --header 'hello' --data-bytes 12
// RUN: not soma-run %s --input %t/garbage.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: soma-run: error: {{.*}}garbage.npy: malformed header: expected '{' at offset 0 of the header dict
// RUN: %npy raw %t/no-shape.npy --header "{'descr': '<f4', 'fortran_order': False}" --data-bytes 12
// RUN: not soma-run %s --input %t/no-shape.npy --input %t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-SHAPE
// NO-SHAPE: soma-run: error: {{.*}}no-shape.npy: malformed header: the dict has no 'shape' key

// The model and the function.
// RUN: not soma-run %t/none.mlir --input %t/x.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-MODEL
// NO-MODEL: soma-run: error: cannot open input file '{{.*}}none.mlir': No such file or directory
// RUN: not soma-run %s --function nope --input %t/x.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FUNCTION
// FUNCTION: soma-run: error: {{.*}}errors.mlir: no function named 'nope'; available: @main, @pair
// RUN: not soma-run %s 2>&1 | FileCheck %s --check-prefix=NO-INPUTS
// NO-INPUTS: soma-run: error: @main takes 2 inputs, got 0 --input files

// Outputs that cannot be written leave nothing behind: neither a partial
// file nor a temporary one, nor the results after the failing one.
// RUN: not soma-run %s --input %t/x.npy --input %t/w.npy \
// RUN:     --output %t/out/no-such-dir/y.npy --output %t/out/s.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-DIR
// NO-DIR: soma-run: error: {{.*}}no-such-dir/y.npy: cannot write file: No such file or directory
// RUN: ls %t/out | count 0
// RUN: mkdir %t/out/y.npy
// RUN: not soma-run %s --input %t/x.npy --input %t/w.npy \
// RUN:     --output %t/out/y.npy --output %t/out/s.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=IS-DIR
// IS-DIR: soma-run: error: {{.*}}y.npy: cannot write file: Is a directory
// RUN: ls %t/out | FileCheck %s --check-prefix=LISTING
// LISTING:     y.npy
// LISTING-NOT: {{.}}

// Printed results that cannot be written are an error too.
// RUN: not soma-run %s --input %t/x.npy --input %t/w.npy > /dev/full 2> %t/stderr
// RUN: FileCheck %s --check-prefix=STDOUT < %t/stderr
// STDOUT: soma-run: error: cannot write to stdout: No space left on device

func.func @main(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %y = soma.linear %x, %w : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  %s = soma.sigmoid %y : tensor<?x2xf32>
  return %y, %s : tensor<?x2xf32>, tensor<?x2xf32>
}

// BATCH: {{.*}}errors.mlir:[[@LINE+2]]:1: error: input 1 has batch size 2 but an earlier input has 1
// BATCH-NOT: soma-run: error
func.func @pair(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %s = soma.add %a, %b : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %s : tensor<?x3xf32>
}
