//===- Lowering.h - Shared pieces of the SomaToLinalg files -----*- C++ -*-===//
//
// Internal to the SomaToLinalg files: the pattern families each file
// contributes, and the IR-building helpers they share (destination tensors,
// broadcasting maps, reshapes, and the f64 scalar forms that keep the
// results equal to the reference interpreter's).
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_LIB_CONVERSION_SOMATOLINALG_LOWERING_H
#define SOMA_LIB_CONVERSION_SOMATOLINALG_LOWERING_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace soma::lowering {

//===----------------------------------------------------------------------===//
// Pattern families, one per file
//===----------------------------------------------------------------------===//

/// Element-wise activations and dropout (Activations.cpp): vector loops of
/// `vectorLanes` f32, or linalg.generic ops on scalars when it is 0; the
/// loops prefetch their input `prefetchDistance` f32 ahead (0: not at all)
/// and stream outputs of `nontemporalThreshold` elements or more past the
/// caches (0: none).
void populateActivationPatterns(mlir::RewritePatternSet &patterns,
                                int64_t vectorLanes, int64_t prefetchDistance,
                                int64_t nontemporalThreshold);
/// add, sub, mul, div with NumPy broadcasting (Arithmetic.cpp).
void populateArithmeticPatterns(mlir::RewritePatternSet &patterns);
/// matmul and linear (Contraction.cpp); linear layers with a constant
/// weight use the kernel of LinearKernel.cpp with vectors of up to
/// `vectorLanes` f32.
void populateContractionPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t vectorLanes);
/// reduce_sum, softmax, log_softmax and batch_norm (Reduction.cpp);
/// softmax along the last dimension as the row loops of SoftmaxKernel.cpp
/// with vectors of `vectorLanes` f32 (linalg forms when it is 0), which
/// prefetch rows `prefetchDistance` f32 ahead (0: not at all) and stream
/// outputs of `nontemporalThreshold` elements or more (0: none).
void populateReductionPatterns(mlir::RewritePatternSet &patterns,
                               int64_t vectorLanes, int64_t prefetchDistance,
                               int64_t nontemporalThreshold);

/// softmax (or, with `logarithm`, log_softmax) of `input` (rank >= 1, f32)
/// along its last dimension, as row loops of vectors of `vectorLanes` f32
/// (SoftmaxKernel.cpp) that prefetch the row at least `prefetchDistance`
/// f32 ahead, unless that is 0, and write an output of
/// `nontemporalThreshold` elements or more (unless that is 0) with
/// non-temporal stores.
mlir::Value buildRowSoftmax(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value input, bool logarithm,
                            int64_t vectorLanes, int64_t prefetchDistance,
                            int64_t nontemporalThreshold);
/// reshape, flatten and transpose (Layout.cpp).
void populateLayoutPatterns(mlir::RewritePatternSet &patterns);
/// conv2d, conv2d_activation and conv_transpose2d (Convolution.cpp);
/// one-group convolutions use the linear kernel with vectors of up to
/// `vectorLanes` f32 (0: never).
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t vectorLanes);
/// max_pool2d and avg_pool2d (Pooling.cpp).
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
/// linear_activation (Fused.cpp).
void populateFusedPatterns(mlir::RewritePatternSet &patterns,
                           int64_t vectorLanes);

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

/// True when every operand and result of `op` is a ranked tensor whose
/// dimensions are static but for the leading one.
bool isStaticButBatch(mlir::Operation *op);

/// True for the ops whose lowering reads every size but the batch at compile
/// time (window geometry, weight shapes), and so needs `isStaticButBatch`.
bool needsStaticButBatch(mlir::Operation *op);

/// Fails (with a match-failure note) unless `isStaticButBatch(op)`.
llvm::LogicalResult requireStaticButBatch(mlir::RewriterBase &rewriter,
                                          mlir::Operation *op);

//===----------------------------------------------------------------------===//
// Destination tensors
//===----------------------------------------------------------------------===//

/// Size `dim` of `value`: an attribute when static, `tensor.dim` otherwise.
mlir::OpFoldResult dimSize(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value value, int64_t dim);

/// `tensor.empty` of `sizes` (f32 unless `elementType` says otherwise).
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes,
                        mlir::Type elementType = {});

/// A tensor of `sizes` filled with the scalar `value` (`linalg.fill`); the
/// element type is the value's.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::TypedAttr value);

/// The accumulator of a biased product: `bias` ([C]) broadcast along
/// dimension `channelDim` of a tensor of `sizes`, or zeros without a bias.
/// Starting the sum from the bias is how the reference interpreter adds it.
mlir::Value createAccumulator(mlir::OpBuilder &b, mlir::Location loc,
                              llvm::ArrayRef<mlir::OpFoldResult> sizes,
                              mlir::Value bias, int64_t channelDim);

/// The NCHW `input` with `padding` ([rows, columns]) elements of value
/// `padValue` before and after its rows and columns (`tensor.pad`), or
/// `input` itself without padding.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> padding,
                       float padValue);

//===----------------------------------------------------------------------===//
// linalg.generic
//===----------------------------------------------------------------------===//

/// Computes the yielded value of a generic body from its block arguments
/// (the inputs' elements, then the output's).
using BodyFn = llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &,
                                              mlir::ValueRange)>;

/// One-result `linalg.generic` over `inputs` into `init`.
mlir::Value buildGeneric(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::ValueRange inputs, mlir::Value init,
                         llvm::ArrayRef<mlir::AffineMap> maps,
                         llvm::ArrayRef<mlir::utils::IteratorType> iterators,
                         BodyFn body);

/// The indexing map that reads an operand of `shape` broadcast (NumPy
/// rules: aligned at the trailing dimension) to `resultShape`: loop `i` of
/// the result, or the constant 0 where a static size-1 dimension stretches.
mlir::AffineMap broadcastMap(mlir::MLIRContext *context,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> resultShape);

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// `tensor.expand_shape` of `source` to `resultType`. Without
/// `outputShape`, each group of `reassociation` may have one dynamic size,
/// which is the source dimension it expands divided by the group's static
/// sizes.
mlir::Value expandTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value source,
                     mlir::RankedTensorType resultType,
                     llvm::ArrayRef<mlir::ReassociationIndices> reassociation,
                     llvm::ArrayRef<mlir::OpFoldResult> outputShape = {});

/// `tensor.collapse_shape` of `source` to `resultType`.
mlir::Value
collapseTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value source,
           mlir::RankedTensorType resultType,
           llvm::ArrayRef<mlir::ReassociationIndices> reassociation);

/// The reassociation that merges dimensions [first, last] of a rank-`rank`
/// tensor and keeps every other dimension alone.
llvm::SmallVector<mlir::ReassociationIndices>
mergeDims(int64_t rank, int64_t first, int64_t last);

/// The rows of `input` (rank >= 1): [K] becomes [1, K], [d0, ..., K]
/// becomes [d0·..., K]; `groups` gets the reassociation that undoes it.
mlir::Value
collapseToRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
               llvm::SmallVector<mlir::ReassociationIndices> &groups);
/// Undoes collapseToRows on `rows` (whose last size may differ): a tensor of
/// `type`, `sizes` its sizes.
mlir::Value expandFromRows(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value rows, mlir::RankedTensorType type,
                           llvm::ArrayRef<mlir::ReassociationIndices> groups,
                           llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// The buffer `tensor` will live in, as a read-only memref of any offset
/// and strides (`bufferization.to_buffer`): for loops that prefetch the
/// tensor ahead of their reads, or that need its address.
mlir::Value bufferView(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value tensor);

/// Where a loop may write `out` (f32) with non-temporal stores: the byte
/// address of its first element, and whether it streams — when it has at
/// least `threshold` elements (`count`) and its floats are 4-byte aligned
/// (always, from C; a misaligned view could not reach a vector boundary).
/// The address is read from the buffer `out` will live in, so `out` must be
/// the loop's own destination (a bufferization.alloc_tensor, which CSE does
/// not merge with another).
struct StreamingOutput {
  mlir::Value address, streams;
};
StreamingOutput streamingOutput(mlir::ImplicitLocOpBuilder &b, mlir::Value out,
                                mlir::Value count, int64_t threshold);

/// The floats from byte `address` (4-byte aligned) up to the next multiple
/// of `lanes` floats: where vector stores of `lanes` f32 may start aligned.
mlir::Value floatsToVectorBoundary(mlir::ImplicitLocOpBuilder &b,
                                   mlir::Value address, int64_t lanes);

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

// Every helper below works on scalars and on vectors alike (an f32 element
// in a linalg.generic body, or a vector of 4 to 16 of them in a vectorized
// kernel): constants are splats of the operand's shape, conversions keep it.

/// `type` (a scalar, or a vector or tensor of them) with its element type
/// replaced by `element`.
mlir::Type withElementType(mlir::Type type, mlir::Type element);

/// The constant `value` of the float `type` (scalar), or a splat of it for a
/// vector or tensor type.
mlir::Value constantLike(mlir::ImplicitLocOpBuilder &b, double value,
                         mlir::Type type);
/// The constant `value` of the integer `type`, or a splat of it.
mlir::Value integerConstantLike(mlir::ImplicitLocOpBuilder &b, int64_t value,
                                mlir::Type type);

/// Scalar f32 and f64 constants.
mlir::Value f32Constant(mlir::ImplicitLocOpBuilder &b, double value);
mlir::Value f64Constant(mlir::ImplicitLocOpBuilder &b, double value);

/// `value` (f32, or a vector of f32) widened to f64 of the same shape.
mlir::Value extendToF64(mlir::ImplicitLocOpBuilder &b, mlir::Value value);
/// `value` (f64, or a vector of f64) rounded to f32 of the same shape.
mlir::Value truncateToF32(mlir::ImplicitLocOpBuilder &b, mlir::Value value);

/// `std::min(std::max(x, lo), hi)` with its NaN and signed-zero behavior:
/// NaN passes through, ties keep `x`.
mlir::Value clampKeepNaN(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                         mlir::Value lo, mlir::Value hi);

/// The first stage of a loop step at index `at`: the values the second
/// stage takes.
using StageStart = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::ImplicitLocOpBuilder &, mlir::Value at)>;
/// The second stage of the step at `at`, from the loop's carried values and
/// the first stage's: the new carried values.
using StageFinish = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::ImplicitLocOpBuilder &, mlir::Value at, mlir::ValueRange carried,
    mlir::ValueRange started)>;

/// Steps from `from` to `to` (a whole number of `step`s apart) whose body is
/// finish(start), software-pipelined: the first stage of the first step
/// before an scf.for, then each iteration the first stage of the next step
/// and the second of this one, the last step's second stage after it, all
/// inside an scf.if that passes `init` through an empty range. A long chain
/// of dependent operations per element otherwise leaves the out-of-order
/// window short of independent work; the operations are those of
/// finish(start) step by step, so the results are the same bits. Returns
/// the carried values after the last step; `loop`, if given, receives the
/// scf.for.
llvm::SmallVector<mlir::Value>
buildPipelinedSteps(mlir::ImplicitLocOpBuilder &b, mlir::Value from,
                    mlir::Value to, mlir::Value step, mlir::ValueRange init,
                    StageStart start, StageFinish finish,
                    mlir::scf::ForOp *loop = nullptr);

/// `body` applied to the f32 scalar or vector `x` on vectors of `lanes`:
/// a scalar broadcast and lane 0 of the result taken, a narrower vector
/// repeated to `lanes` and its first lanes taken, a vector of `lanes`
/// passed as it is. For bodies whose widest form differs in its last bits
/// from narrower ones (AVX-512's permutes and reciprocal estimate), so that
/// a compilation computes every element alike.
mlir::Value onLanes(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                    int64_t lanes,
                    llvm::function_ref<mlir::Value(mlir::Value)> body);

/// The f32 result of the element-wise activation op `activation`
/// (soma.sigmoid, ..., soma.softplus; its operands are not read) applied to
/// the f32 element `x`: the scalar body of the activation's own lowering
/// (Activations.cpp). `x` may also be a vector of f32 (4 to 16 lanes),
/// for which the result is the vector of the element results, bit for bit.
/// `targetLanes` is the f32 lanes of the compilation's widest vectors: 16
/// means AVX-512, whose permute tanh, softplus and log_sigmoid and whose
/// reciprocal estimate sigmoid and silu then use at every width (widened
/// to 16 lanes), so that all of
/// a compilation's results of an op are the same bits. The body uses arith,
/// math, vector, tensor, scf, LLVM (fma) and x86vector ops, whose dialects
/// must be loaded. Null for any other op.
mlir::Value buildActivationScalar(mlir::ImplicitLocOpBuilder &b,
                                  mlir::Operation *activation, mlir::Value x,
                                  int64_t targetLanes);

/// The element-wise activation `activation` (as for
/// `buildActivationScalar`) applied to every element of `input`: a vector
/// loop over the flattened tensor with vectors of `vectorLanes` f32, or a
/// linalg.generic of the scalar body when `vectorLanes` is 0 or the tensor
/// has rank 0 (Activations.cpp). The vector loop prefetches its input
/// `prefetchDistance` f32 ahead of its reads, unless that is 0, and writes
/// an output of `nontemporalThreshold` elements or more (unless that is 0)
/// in a loop marked for soma-nontemporal-stores.
mlir::Value buildActivationLoop(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value input, mlir::Operation *activation,
                                int64_t vectorLanes,
                                int64_t prefetchDistance = 0,
                                int64_t nontemporalThreshold = 0);

/// `soma.linear` of `input` (rank 1 or more) and the optional
/// `activation` applied to it, as `resultType`: the rows go through
/// `buildLinearKernel` when the weight is a constant, through a loop nest and
/// the activation's generic otherwise.
mlir::Value buildLinear(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value input, mlir::Value weight, mlir::Value bias,
                        mlir::RankedTensorType resultType,
                        mlir::Operation *activation, int64_t vectorLanes);

/// `act(rows · weightᵀ + bias)` ([M, N]) from `rows` ([M, K], M dynamic),
/// a constant `weight` ([N, K]) and an optional `bias` ([N]), as the
/// register-blocked vector kernel of LinearKernel.cpp with vectors of up to
/// `maxLanes` f32; `activation` (an element-wise activation op, as for
/// `buildActivationScalar`) may be null. Fails, emitting nothing, when the
/// weight is not a readable constant.
llvm::FailureOr<mlir::Value>
buildLinearKernel(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows,
                  mlir::Value weight, mlir::Value bias,
                  mlir::Operation *activation, int64_t maxLanes);

/// `act(weight · X + bias)` ([M, N]) into `init`: the same kernel with the
/// roles of its operands swapped, for a `weight` ([M, K], its rows the
/// kernel's rows; read element by element, so it need not be a constant), a
/// bias ([M] or null) added along the rows, and X ([K, N]) read at run time
/// in place from the 1-D `matrix`: X(k, j) is matrix[stepOffsets[k] + j].
/// The kernel reads whole vectors, so `matrix` must hold stepOffsets[k] + N
/// rounded up to `maxLanes` (at least 4) floats for every k (what lies past
/// N only reaches lanes that are not stored).
mlir::Value buildLinearKernelOnMatrix(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::Value weight, mlir::Value matrix,
                                      llvm::ArrayRef<int64_t> stepOffsets,
                                      int64_t n, mlir::Value bias,
                                      mlir::Operation *activation,
                                      int64_t maxLanes, mlir::Value init);

/// The f32 values of `value` when it is an `arith.constant` whose elements
/// can be read (dense, or a dense_resource blob in memory), in row-major
/// order; empty otherwise.
llvm::SmallVector<float> constantValues(mlir::Value value);

/// The i64 vector attribute (`dense<[a, b]> : tensor<2xi64>`) that named
/// linalg window ops take for strides and dilations.
mlir::DenseIntElementsAttr windowAttr(mlir::Builder &b,
                                      llvm::ArrayRef<int64_t> values);

} // namespace soma::lowering

#endif // SOMA_LIB_CONVERSION_SOMATOLINALG_LOWERING_H
