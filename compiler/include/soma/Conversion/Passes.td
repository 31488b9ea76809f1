//===- Passes.td - Conversions out of the soma dialect -----*- tablegen -*-===//
//
// Passes that lower soma ops to upstream MLIR dialects, and one that
// finishes their loops once bufferized.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_CONVERSION_PASSES_TD
#define SOMA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

// Not anchored on an op: it runs on a module or nested on each function.
def ConvertSomaToLinalgPass : Pass<"convert-soma-to-linalg"> {
  let summary = "Lower soma ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every soma op into destination-passing tensor IR that one-shot
    bufferization accepts: element-wise ops and reductions become
    `linalg.generic`, products `linalg.matmul` or contraction generics,
    grouped convolutions and pooling the named `linalg` window ops over
    `tensor.pad`-ded inputs, and shape changes `tensor.collapse_shape`,
    `tensor.expand_shape` and `linalg.transpose`. A linear layer with a
    constant weight, fused with its activation or not, becomes a
    register-blocked kernel in `scf` and `vector` ops over a weight packed at
    compile time; a one-group convolution (with its activation or not) the
    same kernel over the image's patches, image by image. Only the leading dimension
    of a tensor may be dynamic (the batch). The pass converts the soma ops
    nested in whatever op it runs on: a module, or each `func.func`.

    Element-wise activations become vector loops over the flattened tensor
    (`vector-lanes` f32 per vector, four vectors a step (silu on 16 lanes
    eight), each but the
    piecewise-linear ones prefetching its input `prefetch-distance` f32
    ahead until that would pass the end, then
    one masked vector; sigmoid, silu and, with fewer than 16 lanes,
    softplus and log_sigmoid in two stages, software-pipelined across
    steps, except that on 16 lanes sigmoid and silu branch once per step
    to a central form with the same bits when every lane lies in
    [-16, 16]; outputs of
    `nontemporal-threshold` elements or more in a loop marked for
    soma-nontemporal-stores), and softmax and log_softmax along the last
    dimension row loops of vectors (which prefetch a later row, and mark
    the loop of each row's last pass that writes from the row's first
    vector boundary on, for outputs of `nontemporal-threshold` elements or
    more). sigmoid,
    log_sigmoid, silu, tanh, softplus (beta 1), hard_sigmoid (slope 1/6)
    and hard_swish compute in f32, with heads and tails carried exactly
    where a rounding would cost accuracy; the other forms (batch
    norm, other slopes and betas, softmax along another dimension) compute
    in f64 and round once. Special values agree with the reference
    interpreter and element-wise results stay within SPEC's ULP budget.
    Contractions accumulate in f32.

    ```mlir
    %y = soma.sigmoid %x : tensor<?x8xf32>
    ```
    becomes a loop of `vector<16xf32>` steps (AVX-512) computing
    exp(-|x|) as a head and tail, one reciprocal estimate and its fma
    residual of second order (a division and its residual on AVX2); with
    `vector-lanes=0`, a `linalg.generic` with the same body on scalars.
  }];
  let options = [
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"16",
           "f32 lanes of the vectors of the linear kernel, the "
           "activation loops and the softmax rows (16 for AVX-512, whose "
           "code uses x86vector's scalef; 8 for AVX2; 0: scalar "
           "linalg/loop forms only)">,
    Option<"prefetchDistance", "prefetch-distance", "int64_t",
           /*default=*/"4096",
           "f32 elements ahead of its reads an element-wise activation "
           "loop (not a piecewise-linear one) prefetches its input, and a "
           "softmax row loop the row at "
           "least that far ahead (0: no prefetch). sigmoid over 128M "
           "floats (512 MiB, past the 260 MiB L3 of the machine it was "
           "measured on) takes 76 ms with the hardware prefetcher alone "
           "and 53 ms with 16 KiB ahead; softmax over 16M floats 7% "
           "less time with it">,
    Option<"nontemporalThreshold", "nontemporal-threshold", "int64_t",
           /*default=*/"1048576",
           "f32 elements from which an element-wise activation loop, or "
           "softmax's row loop, writes its output with non-temporal stores "
           "(from its first vector-aligned element on, each row's for "
           "softmax; soma-nontemporal-stores makes them so after "
           "bufferization), which skip reading each output line before "
           "writing it; 0: never. 4 MiB of output is twice a core's L2 "
           "here">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    // The activations' fused multiply-adds (llvm.intr.fma, ApproxMath.cpp).
    "::mlir::LLVM::LLVMDialect",
    // AVX-512's scalef (sigmoid's 2^n, ApproxMath.cpp).
    "::mlir::x86vector::X86VectorDialect",
    // The activation loops' prefetches of their input (Activations.cpp).
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ConvolutionLoopOrderPass : Pass<"soma-convolution-loop-order"> {
  let summary = "Put the loops over a convolution's output rows and columns "
                "innermost";
  let description = [{
    Runs on tensors, after convert-soma-to-linalg. `linalg.conv_2d_nchw_fchw`
    and `linalg.conv_2d_ngchw_gfchw` become `linalg.generic`s whose loops
    run over the batch, groups and output channels, then the input channels
    and the kernel's rows and columns, and innermost over the output's rows
    and columns (the named ops' order puts the kernel innermost).
    `convert-linalg-to-loops` keeps that order, so the innermost loop walks
    a row of the output and of the input with stride 1 (the convolution's
    stride in the input): a loop LLVM vectorizes, where a kernel row of 3
    elements was not worth it. Every output element still sums its products
    in the same order (input channel, kernel row, kernel column), so the
    results are the same bits.

    ```mlir
    %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                                   strides = dense<1> : tensor<2xi64>}
           ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>)
           outs(%acc : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
    becomes a generic over (n, f, c, kh, kw, oh, ow) with the maps
    (n, c, oh + kh, ow + kw), (f, c, kh, kw) and (n, f, oh, ow).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def NontemporalStoresPass : Pass<"soma-nontemporal-stores"> {
  let summary = "Make the writes of marked loops non-temporal vector stores";
  let description = [{
    Runs after bufferization. In every `scf.for` that
    convert-soma-to-linalg marked `soma.nontemporal_stores` (the loops of
    an element-wise activation over a large output, and of each softmax
    row's last pass), each in-bounds,
    unmasked 1-D `vector.transfer_write` into a memref becomes a
    `vector.store` with `nontemporal` set and the vector's size as its
    alignment, which the marker promises: LLVM emits `vmovntps`, which
    writes whole cache lines without first reading them (a plain store
    reads each line of the output before writing it, a third of the
    traffic of a streaming loop). The outermost `scf.for` around the loop
    (the loop itself, or a softmax's row loop) is then followed by one
    `sfence` (`llvm.x86.sse.sfence`), since non-temporal stores are not
    ordered with later ones: the thread pool's completion flag must not
    become visible before the data. The marker is removed.

    ```mlir
    scf.for %i = %a to %b step %c32 {
      ...
      vector.transfer_write %v, %out[%i] {in_bounds = [true]}
          : vector<16xf32>, memref<?xf32>
    } {soma.nontemporal_stores}
    ```
    becomes
    ```mlir
    scf.for %i = %a to %b step %c32 {
      ...
      vector.store %v, %out[%i] {alignment = 64 : i64, nontemporal = true}
          : memref<?xf32>, vector<16xf32>
    }
    llvm.call_intrinsic "llvm.x86.sse.sfence"() : () -> ()
    ```
    A marked loop with any other write is an error: the marker's promise
    covers only what the activation and softmax loops write.
  }];
  let dependentDialects = [
    "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect",
  ];
}

def GatherToPermutePass : Pass<"soma-gather-to-permute"> {
  let summary = "Make 16-lane gathers from a 32-entry constant table "
                "AVX-512 permutes";
  let description = [{
    Runs after bufferization, on AVX-512 targets. A `vector.gather` of 16
    f32 lanes, every lane enabled, from a constant `memref.global` of 32
    f32 at offset 0 (the coefficient lookups of tanh, softplus and
    log_sigmoid: TanhByIntervals.cpp, SoftplusByIntervals.cpp)
    becomes AVX-512's two-register permute `vpermi2ps`
    (`llvm.x86.avx512.vpermi2var.ps.512`) of the table's two halves as
    vector constants: one instruction on registers instead of 16 loads. The
    permute reads the low 5 bits of each index, which is the gather's
    result for every index in bounds (the only ones a gather may have).

    ```mlir
    %t = memref.get_global @table : memref<32xf32>
    %v = vector.gather %t[%c0] [%index], %all, %zero
        : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32>
          into vector<16xf32>
    ```
    becomes
    ```mlir
    %lo = arith.constant dense<[...first 16...]> : vector<16xf32>
    %hi = arith.constant dense<[...last 16...]> : vector<16xf32>
    %v = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.ps.512"(%lo, %index, %hi)
        : (vector<16xf32>, vector<16xi32>, vector<16xf32>) -> vector<16xf32>
    ```
    It runs after buffer deallocation, which does not accept an intrinsic
    call of unknown memory effects.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
  ];
}

def SymmetricClampToRangePass : Pass<"soma-symmetric-clamp-to-range"> {
  let summary = "Make 16-lane clamps to [-a, a] one AVX-512 vrangeps";
  let description = [{
    Runs after buffer deallocation (which rejects an intrinsic call of
    unknown memory effects), on AVX-512 targets (16-lane vectors: with
    AVX-512F and DQ). A clamp of 16 f32 lanes to a symmetric interval
    [-a, a], as `clampKeepNaN` (Lowering.cpp) builds it, two compares and
    selects that keep NaN, when it feeds one fma whose result is
    multiplied by x itself (hard_swish's x·t, t the line of x clamped to
    [-3, 3]),

    ```mlir
    %below = arith.cmpf olt, %x, %minusA : vector<16xf32>
    %low = arith.select %below, %minusA, %x : vector<16xi1>, vector<16xf32>
    %above = arith.cmpf olt, %a, %low : vector<16xf32>
    %y = arith.select %above, %a, %low : vector<16xi1>, vector<16xf32>
    ```
    becomes AVX-512DQ's `vrangeps` taking the smaller magnitude of x and a
    with x's sign, sign(x)·min(|x|, a): the same value for every number
    (±0 and ±inf included), in one instruction instead of two. For a quiet
    NaN x, vrangeps returns ±a where the clamp keeps the NaN: hence the
    product by x, which makes the result x's NaN either way. A clamp used
    otherwise stays.

    ```mlir
    %y = llvm.call_intrinsic "llvm.x86.avx512.mask.range.ps.512"(%x, %a, %c2, %x, %all, %c4)
        : (vector<16xf32>, vector<16xf32>, i32, vector<16xf32>, i16, i32) -> vector<16xf32>
    ```
    (imm 2: the smaller magnitude, with the first operand's sign; all
    lanes; the current rounding.)
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
  ];
}

def ParallelLoopsToRuntimePass
    : Pass<"soma-parallel-loops-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Run one-dimensional scf.forall loops on the runtime's "
                "thread pool";
  let description = [{
    Runs after bufferization and buffer deallocation. Each `scf.forall`
    without results, of one induction variable, whose body allocates no
    buffer (convert-soma-to-linalg emits them over the whole panels of a
    linear layer) becomes a call of the runtime's `soma_rt_parallel_for`:

    * its body moves to a private function of the chunk `[begin, end)`
      and of the values it uses from outside, as an `scf.for` over the
      chunk (constants are cloned into it rather than passed);
    * a task function `(ptr context, i64 begin, i64 end)` loads those
      values from a context struct and calls it;
    * in place of the loop, the values are stored into a context struct on
      the stack, and `soma_rt_parallel_for(count, task, context, size)`
      runs the tasks: on the pool's threads when the call is the outermost
      one, in line inside a thread's share of an enclosing parallel loop.

    ```mlir
    scf.forall (%i) in (%n) {
      ... uses %buffer ...
    }
    ```
    becomes, with `@f_parallel0(%begin: index, %end: index, %buffer: ...)`
    looping over `[%begin, %end)` and `@f_parallel0_task` unpacking the
    context for it,
    ```mlir
    %context = llvm.alloca %c1 x !llvm.struct<(...)> : (i64) -> !llvm.ptr
    llvm.store %bufferDescriptor, %context : !llvm.struct<(...)>, !llvm.ptr
    %task = func.constant @f_parallel0_task
    %status = llvm.call @soma_rt_parallel_for(%count, %taskPointer, %context, %size)
    ```
    The runtime's status is not read: a body that allocates nothing cannot
    fail. Other `scf.forall` loops are left for scf-forall-to-for.
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
  ];
}

#endif // SOMA_CONVERSION_PASSES_TD
