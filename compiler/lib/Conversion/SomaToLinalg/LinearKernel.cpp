//===- LinearKernel.cpp - Register-blocked kernel for linear layers -------===//
//
// `act(rows · Wᵀ + bias)` with a constant weight, as vector code:
//
//  * The weight is packed at compile time into panels of `panelWidth`
//    columns of Wᵀ, each stored k-major ([K][panelWidth]) after the previous
//    one, so the kernel reads one panel row per k step with aligned,
//    contiguous vector loads. The last panel is as wide as the remaining
//    columns rounded up to the vector width, zero-padded.
//  * A tile of `tileRows` rows x one panel keeps its accumulators in
//    registers for the whole K loop: per k step, `panelVectors` weight loads
//    and `tileRows` broadcasts of an input element feed
//    tileRows x panelVectors FMAs. The accumulators start from the bias.
//  * The epilogue applies the activation to the accumulators (the same
//    element body as the unfused activation op, on vectors; narrow vectors
//    joined into full registers first) before the only store of each output
//    element; out-of-range columns of the last panel are masked off.
//  * Panels are the outer loop and row tiles the inner one: a panel
//    (K x panelWidth floats) stays in L2 while every tile of the rows reads
//    it. The rows that do not fill a tile go through tiles of 4, 2 and 1
//    rows.
//  * The whole panels are the iterations of an scf.forall when they hold
//    enough work, which the runtime splits between threads: a call with a
//    batch too small to split (a batch of one) then still uses every core,
//    each on its own panels of Wᵀ.
//
// Every output element is `fma` of its K products in k order from the bias,
// whichever tile computes it, so the result of a row does not depend on the
// number of rows in the call, and so on the thread count.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "soma/Dialect/Soma/Analysis/BatchParallelism.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace soma;
using namespace soma::lowering;

namespace {

/// The register blocking: a tile is `tileRows` rows by `panelVectors`
/// vectors of `lanes` f32 columns.
struct KernelGeometry {
  int64_t lanes;
  int64_t tileRows;
  int64_t panelVectors;
  int64_t maxLanes; // the target's widest f32 vector

  int64_t panelWidth() const { return lanes * panelVectors; }

  /// 32 vector registers with 16 lanes (AVX-512): 6 x 4 accumulators, 4
  /// weight vectors and a broadcast. 16 registers with 8 lanes (AVX2):
  /// 6 x 2 accumulators. Narrow layers (N below one vector) use the
  /// smallest power-of-two vector that holds a row, down to 4 lanes.
  static KernelGeometry forLayer(int64_t n, int64_t maxLanes) {
    int64_t lanes = std::clamp<int64_t>(llvm::PowerOf2Ceil(n), 4, maxLanes);
    int64_t panelVectors = maxLanes >= 16 ? 4 : 2;
    return {lanes, 6,
            std::min<int64_t>(panelVectors, llvm::divideCeil(n, lanes)),
            maxLanes};
  }
};

/// One panel of the packed weight: its columns and where it starts.
struct Panel {
  int64_t firstColumn;
  int64_t width;   // columns stored per k step (a multiple of `lanes`)
  int64_t vectors; // width / lanes
};

/// The packed weight of a [N, K] constant, or failure when the weight is not
/// a constant whose values can be read.
FailureOr<Value> packWeight(OpBuilder &b, Location loc, Value weight,
                            const KernelGeometry &geometry) {
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  SmallVector<float> values = constantValues(weight);
  if (static_cast<int64_t>(values.size()) != n * k)
    return failure();

  int64_t panelWidth = geometry.panelWidth();
  int64_t paddedN = llvm::alignTo(n, geometry.lanes);
  SmallVector<float> packed(paddedN * k, 0.0f);
  for (int64_t first = 0; first < n; first += panelWidth) {
    int64_t width = std::min(panelWidth, paddedN - first);
    float *panel = packed.data() + first * k;
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t c = 0; c < width && first + c < n; ++c)
        panel[kk * width + c] = values[(first + c) * k + kk];
  }
  auto packedType =
      RankedTensorType::get({paddedN * k}, b.getF32Type());
  return arith::ConstantOp::create(
             b, loc, DenseElementsAttr::get(packedType, ArrayRef(packed)))
      .getResult();
}

/// The part of the K loop one sweep over the output covers.
struct KRange {
  Value start;   // first k
  int64_t count; // number of k steps
  bool first;    // accumulators start from the bias (else: the output)
  bool last;     // the epilogue applies the activation
};

/// Emits the kernel's loops into the output tensor `init` ([M, N]).
class KernelEmitter {
public:
  /// Without `stepOffsets`, `packed` is the packed weight and `bias` runs
  /// along the columns; with them, `packed` is a matrix read in place
  /// (column j of step k at stepOffsets[k] + j) and `bias` runs along the
  /// rows.
  KernelEmitter(ImplicitLocOpBuilder &b, Value rows, Value packed, Value bias,
                Operation *activation, KernelGeometry geometry,
                Value stepOffsets = {})
      : b(b), rows(rows), packed(packed), bias(bias), activation(activation),
        geometry(geometry), stepOffsets(stepOffsets) {
    auto rowsType = cast<RankedTensorType>(rows.getType());
    k = rowsType.getDimSize(1);
  }

  /// Sweeps of the output, one per block of K (a single one when K is
  /// short): the panel rows of a block stay in L1/L2 while every row tile
  /// reads them. Between blocks the accumulators go through the output;
  /// storing an f32 and loading it back is exact, so the sums are those of
  /// one sweep.
  Value emit(Value init, int64_t n) {
    int64_t block = kBlock();
    int64_t numBlocks = llvm::divideCeil(k, block);
    if (numBlocks == 1)
      return emitSweep(b, init, KRange{index(0), k, true, true}, n);
    Value out = emitSweep(b, init, KRange{index(0), block, true, false}, n);
    if (numBlocks > 2)
      out = scf::ForOp::create(
                b, index(1), index(numBlocks - 1), index(1), ValueRange{out},
                [&](OpBuilder &nested, Location loc, Value kb,
                    ValueRange iter) {
                  ImplicitLocOpBuilder body(loc, nested);
                  Value start = arith::MulIOp::create(
                      body, kb, arith::ConstantIndexOp::create(body, block));
                  scf::YieldOp::create(
                      body, emitSweep(body, iter[0],
                                      KRange{start, block, false, false}, n));
                })
                .getResult(0);
    int64_t lastStart = (numBlocks - 1) * block;
    return emitSweep(b, out,
                     KRange{index(lastStart), k - lastStart, false, true}, n);
  }

private:
  /// K steps per sweep: a whole panel up to 256 KiB (it then fits in L2
  /// next to the rows' block of the same size), else blocks of that size.
  int64_t kBlock() const {
    int64_t limit = (256 * 1024) / (4 * geometry.panelWidth());
    return k <= limit ? k : limit;
  }

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }

  /// One sweep over the output: the whole panels in a loop, then the last,
  /// narrower panel.
  Value emitSweep(ImplicitLocOpBuilder &sb, Value out, const KRange &kRange,
                  int64_t n) {
    int64_t panelWidth = geometry.panelWidth();
    int64_t fullPanels = n / panelWidth;
    if (fullPanels > 0)
      out = emitWholePanels(sb, out, kRange, n, fullPanels);
    int64_t first = fullPanels * panelWidth;
    if (first < n) {
      int64_t width = llvm::alignTo(n - first, geometry.lanes);
      Panel panel{first, width, width / geometry.lanes};
      Value column = arith::ConstantIndexOp::create(sb, first);
      out = emitPanel(sb, out, panel, column, column, kRange, n);
    }
    return out;
  }

  /// The `count` whole panels of a sweep. With enough work they are the
  /// iterations of an `scf.forall` that the runtime may split between
  /// threads (soma-parallel-loops-to-runtime), so that a call with too few
  /// rows to split the batch (a batch of one) still uses every core; with
  /// little work, one iteration takes them all. Each panel writes its own
  /// columns, computed alike in either case.
  Value emitWholePanels(ImplicitLocOpBuilder &sb, Value out,
                        const KRange &kRange, int64_t n, int64_t count) {
    int64_t panelWidth = geometry.panelWidth();
    Value one = arith::ConstantIndexOp::create(sb, 1);
    if (count == 1)
      return emitPanels(sb, out, arith::ConstantIndexOp::create(sb, 0), one,
                        arith::ConstantIndexOp::create(sb, 0), kRange, n);
    Value numRows = tensor::DimOp::create(sb, rows, 0);
    Value work = arith::MulIOp::create(
        sb, numRows,
        arith::ConstantIndexOp::create(sb, kRange.count * count * panelWidth));
    Value split = arith::CmpIOp::create(
        sb, arith::CmpIPredicate::uge, work,
        arith::ConstantIndexOp::create(sb, kWorkPerThreadTask));
    Value all = arith::ConstantIndexOp::create(sb, count);
    Value chunks = arith::SelectOp::create(sb, split, all, one);
    Value panelsPerChunk = arith::SelectOp::create(sb, split, one, all);
    Value width = arith::MulIOp::create(
        sb, panelsPerChunk, arith::ConstantIndexOp::create(sb, panelWidth));
    auto forall = scf::ForallOp::create(sb, ArrayRef<OpFoldResult>{chunks},
                                        ValueRange{out}, std::nullopt);
    Value chunk = forall.getInductionVar(0);
    Value shared = forall.getRegionIterArgs()[0];
    ImplicitLocOpBuilder body(sb.getLoc(), forall.getTerminator());
    Value first = arith::MulIOp::create(body, chunk, panelsPerChunk);
    Value firstColumn = arith::MulIOp::create(body, chunk, width);
    SmallVector<OpFoldResult> offsets = {body.getIndexAttr(0), firstColumn};
    SmallVector<OpFoldResult> sizes = {numRows, width};
    SmallVector<OpFoldResult> strides(2, body.getIndexAttr(1));
    Value slice = tensor::ExtractSliceOp::create(body, shared, offsets, sizes,
                                                 strides);
    Value computed =
        emitPanels(body, slice, first,
                   arith::AddIOp::create(body, first, panelsPerChunk),
                   firstColumn, kRange, n);
    body.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(body, computed, shared, offsets,
                                          sizes, strides);
    return forall.getResult(0);
  }

  /// Whole panels [first, last) into `out`, whose column 0 is column
  /// `outColumn` of the result.
  Value emitPanels(ImplicitLocOpBuilder &pb, Value out, Value first,
                   Value last, Value outColumn, const KRange &kRange,
                   int64_t n) {
    int64_t panelWidth = geometry.panelWidth();
    return scf::ForOp::create(
               pb, first, last, arith::ConstantIndexOp::create(pb, 1),
               ValueRange{out},
               [&](OpBuilder &nested, Location loc, Value p, ValueRange iter) {
                 ImplicitLocOpBuilder body(loc, nested);
                 Value column = arith::MulIOp::create(
                     body, p,
                     arith::ConstantIndexOp::create(body, panelWidth));
                 Panel panel{/*firstColumn=*/-1, panelWidth,
                             geometry.panelVectors};
                 scf::YieldOp::create(
                     body, emitPanel(body, iter[0], panel, column,
                                     arith::SubIOp::create(body, column,
                                                           outColumn),
                                     kRange, n));
               })
        .getResult(0);
  }

  /// Every row against one panel: whole tiles, then the rows left in tiles
  /// of 4, 2 and 1 rows (each taken at most once).
  Value emitPanel(ImplicitLocOpBuilder &pb, Value out, const Panel &panel,
                  Value column, Value outColumn, const KRange &kRange,
                  int64_t n) {
    Value numRows = tensor::DimOp::create(pb, rows, 0);
    Value lower = arith::ConstantIndexOp::create(pb, 0);
    SmallVector<int64_t> tileSizes = {geometry.tileRows};
    for (int64_t size : {4, 2, 1})
      if (size < geometry.tileRows)
        tileSizes.push_back(size);
    for (int64_t tileRows : tileSizes) {
      // [lower, upper): as many whole tiles as fit in the rows left.
      Value size = arith::ConstantIndexOp::create(pb, tileRows);
      Value left = arith::SubIOp::create(pb, numRows, lower);
      Value upper = arith::AddIOp::create(
          pb, lower,
          arith::MulIOp::create(pb, arith::DivUIOp::create(pb, left, size),
                                size));
      out = scf::ForOp::create(
                pb, lower, upper, size, ValueRange{out},
                [&](OpBuilder &nested, Location loc, Value row,
                    ValueRange iter) {
                  ImplicitLocOpBuilder body(loc, nested);
                  scf::YieldOp::create(body,
                                       emitTile(body, iter[0], panel, column,
                                                outColumn, row, tileRows,
                                                kRange, n));
                })
                .getResult(0);
      lower = upper;
    }
    return out;
  }

  /// Whether vector `v` of `panel` lies within the N columns. Panels of the
  /// loop (firstColumn < 0) are whole by construction.
  bool vectorInBounds(const Panel &panel, int64_t v, int64_t n) const {
    return panel.firstColumn < 0 ||
           panel.firstColumn + (v + 1) * geometry.lanes <= n;
  }

  /// `tileRows` rows from `row` against `panel` (from result column
  /// `column`), stored into `out` from its column `outColumn`.
  Value emitTile(ImplicitLocOpBuilder &tb, Value out, const Panel &panel,
                 Value column, Value outColumn, Value row, int64_t tileRows,
                 const KRange &kRange, int64_t n) {
    auto vectorType = VectorType::get({geometry.lanes}, tb.getF32Type());
    Value zeroF = arith::ConstantOp::create(tb, tb.getF32FloatAttr(0.0f));
    SmallVector<Value> columns, outColumns, rowIndices;
    for (int64_t v = 0; v < panel.vectors; ++v) {
      Value offset = arith::ConstantIndexOp::create(tb, v * geometry.lanes);
      columns.push_back(arith::AddIOp::create(tb, column, offset));
      outColumns.push_back(arith::AddIOp::create(tb, outColumn, offset));
    }
    for (int64_t r = 0; r < tileRows; ++r)
      rowIndices.push_back(arith::AddIOp::create(
          tb, row, arith::ConstantIndexOp::create(tb, r)));

    // Accumulators [r * vectors + v], from the bias in the first sweep,
    // from the output's partial sums in the others.
    SmallVector<Value> initial;
    for (int64_t r = 0; r < tileRows; ++r)
      for (int64_t v = 0; v < panel.vectors; ++v) {
        bool inBounds = vectorInBounds(panel, v, n);
        if (!kRange.first)
          initial.push_back(vector::TransferReadOp::create(
              tb, vectorType, out, ValueRange{rowIndices[r], outColumns[v]},
              zeroF, ArrayRef<bool>{inBounds}));
        else if (bias && stepOffsets)
          initial.push_back(vector::BroadcastOp::create(
              tb, vectorType,
              tensor::ExtractOp::create(tb, bias, ValueRange{rowIndices[r]})));
        else if (bias)
          initial.push_back(vector::TransferReadOp::create(
              tb, vectorType, bias, ValueRange{columns[v]}, zeroF,
              ArrayRef<bool>{inBounds}));
        else
          initial.push_back(arith::ConstantOp::create(
              tb, DenseElementsAttr::get(vectorType, 0.0f)));
      }

    Value lower = kRange.start;
    Value upper = arith::AddIOp::create(
        tb, lower, arith::ConstantIndexOp::create(tb, kRange.count));
    Value step = arith::ConstantIndexOp::create(tb, 1);
    Value width = arith::ConstantIndexOp::create(tb, panel.width);
    // Every panel before this one is a whole K x panelWidth block, so the
    // panel starts at column·K in the packed weight.
    Value offset = arith::MulIOp::create(
        tb, column, arith::ConstantIndexOp::create(tb, k));
    auto kLoop = scf::ForOp::create(
        tb, lower, upper, step, initial,
        [&](OpBuilder &nested, Location loc, Value kk, ValueRange acc) {
          ImplicitLocOpBuilder body(loc, nested);
          Value base =
              stepOffsets
                  ? arith::AddIOp::create(
                        body, column,
                        tensor::ExtractOp::create(body, stepOffsets, kk))
                  : arith::AddIOp::create(
                        body, offset, arith::MulIOp::create(body, kk, width));
          SmallVector<Value> weights;
          for (int64_t v = 0; v < panel.vectors; ++v) {
            Value at = arith::AddIOp::create(
                body, base,
                arith::ConstantIndexOp::create(body, v * geometry.lanes));
            weights.push_back(vector::TransferReadOp::create(
                body, vectorType, packed, ValueRange{at}, zeroF,
                ArrayRef<bool>{true}));
          }
          SmallVector<Value> next;
          for (int64_t r = 0; r < tileRows; ++r) {
            Value x = tensor::ExtractOp::create(body, rows,
                                                ValueRange{rowIndices[r], kk});
            Value splat = vector::BroadcastOp::create(body, vectorType, x);
            for (int64_t v = 0; v < panel.vectors; ++v)
              next.push_back(vector::FMAOp::create(
                  body, splat, weights[v], acc[r * panel.vectors + v]));
          }
          scf::YieldOp::create(body, next);
        });

    SmallVector<Value> results(kLoop.getResults());
    if (activation && kRange.last)
      results = applyActivation(tb, results);
    for (int64_t r = 0; r < tileRows; ++r)
      for (int64_t v = 0; v < panel.vectors; ++v) {
        Value y = results[r * panel.vectors + v];
        out = vector::TransferWriteOp::create(
                  tb, y, out, ValueRange{rowIndices[r], outColumns[v]},
                  ArrayRef<bool>{vectorInBounds(panel, v, n)})
                  .getResult();
      }
    return out;
  }

  /// The activation applied to the accumulators. Narrow vectors (a layer
  /// with N below the register width) are first concatenated into vectors
  /// of up to `maxLanes`, so the epilogue runs on full registers, then split
  /// back: lanes are independent, so every result is the same.
  SmallVector<Value> applyActivation(ImplicitLocOpBuilder &eb,
                                     ArrayRef<Value> accumulators) {
    int64_t lanes = geometry.lanes;
    int64_t group = geometry.maxLanes / lanes;
    SmallVector<Value> results;
    for (size_t first = 0; first < accumulators.size(); first += group) {
      ArrayRef<Value> pieces = accumulators.slice(
          first, std::min<size_t>(group, accumulators.size() - first));
      Value joined = pieces.front();
      for (Value piece : pieces.drop_front()) {
        int64_t width = cast<VectorType>(joined.getType()).getNumElements();
        joined = vector::ShuffleOp::create(
            eb, joined, piece,
            llvm::to_vector(llvm::seq<int64_t>(0, width + lanes)));
      }
      Value y =
          buildActivationScalar(eb, activation, joined, geometry.maxLanes);
      if (pieces.size() == 1) {
        results.push_back(y);
        continue;
      }
      for (size_t i = 0; i < pieces.size(); ++i)
        results.push_back(vector::ExtractStridedSliceOp::create(
            eb, y, ArrayRef<int64_t>{static_cast<int64_t>(i) * lanes},
            ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1}));
    }
    return results;
  }

  ImplicitLocOpBuilder &b;
  Value rows, packed, bias;
  Operation *activation;
  KernelGeometry geometry;
  Value stepOffsets;
  int64_t k;
};

} // namespace

FailureOr<Value> soma::lowering::buildLinearKernel(
    OpBuilder &b, Location loc, Value rows, Value weight, Value bias,
    Operation *activation, int64_t maxLanes) {
  if (maxLanes < 4)
    return failure();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t n = weightType.getDimSize(0);
  KernelGeometry geometry = KernelGeometry::forLayer(n, maxLanes);
  FailureOr<Value> packed = packWeight(b, loc, weight, geometry);
  if (failed(packed))
    return failure();
  ImplicitLocOpBuilder builder(loc, b);
  Value init = createEmpty(b, loc, {dimSize(b, loc, rows, 0),
                                    b.getIndexAttr(n)});
  return KernelEmitter(builder, rows, *packed, bias, activation, geometry)
      .emit(init, n);
}

Value soma::lowering::buildLinearKernelOnMatrix(
    OpBuilder &b, Location loc, Value weight, Value matrix,
    ArrayRef<int64_t> stepOffsets, int64_t n, Value bias,
    Operation *activation, int64_t maxLanes, Value init) {
  assert(maxLanes >= 4 && "the kernel needs vectors of 4 lanes or more");
  auto offsetsType = RankedTensorType::get(
      {static_cast<int64_t>(stepOffsets.size())}, b.getIndexType());
  SmallVector<Attribute> offsets;
  for (int64_t offset : stepOffsets)
    offsets.push_back(b.getIndexAttr(offset));
  Value offsetTable = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(offsetsType, offsets));
  ImplicitLocOpBuilder builder(loc, b);
  return KernelEmitter(builder, weight, matrix, bias, activation,
                       KernelGeometry::forLayer(n, maxLanes), offsetTable)
      .emit(init, n);
}
