//===- ModelInterface.cpp - What a compiled model exports -----------------===//

#include "soma/Target/ModelInterface.h"

#include "soma/Dialect/Soma/Analysis/BatchParallelism.h"
#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <numeric>

using namespace mlir;
using namespace soma;

bool EntryPoint::hasBatch() const {
  auto batched = [](const TensorSignature &t) { return t.hasBatch(); };
  return llvm::any_of(inputs, batched) || llvm::any_of(outputs, batched);
}

std::string SymbolNames::withPrefix(StringRef name) const {
  return (prefix.empty() ? "soma" : prefix) + "_" + name.str();
}

std::string SymbolNames::entry(StringRef function) const {
  return prefix.empty() ? function.str() : prefix + "_" + function.str();
}

/// Describes one operand type, or reports why C cannot pass it.
static FailureOr<TensorSignature> signatureOf(func::FuncOp function, Type type,
                                              std::string name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.getElementType().isF32())
    return function.emitError()
           << "'" << name << "' has type " << type
           << "; compiled models take and return ranked f32 tensors";
  TensorSignature signature{std::move(name), {}};
  for (auto [i, dim] : llvm::enumerate(tensor.getShape())) {
    if (ShapedType::isDynamic(dim) && i != 0)
      return function.emitError()
             << "'" << signature.name << "' has type " << type
             << "; only the leading (batch) dimension may be dynamic";
    signature.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  }
  return signature;
}

/// Tasks start on multiples of this many rows. A vectorized loop over rows
/// runs its vector body on whole groups of (vector width x unroll) rows
/// counted from its first row, and a remainder loop (scalar, or another
/// vector width) on the rest; those paths may round differently (an FMA
/// against a multiply and an add, libmvec's exp against libm's). When every
/// slice starts on a multiple of the largest group, each row takes the same
/// path in a one-thread call and in any split, so results do not depend on
/// the thread count. 64 rows covers 16 f32 lanes unrolled 4 times.
static constexpr int64_t kRowGranule = 64;

/// f32 in a 64-byte cache line.
static constexpr int64_t kFloatsPerLine = 16;

/// The granule of functions made only of ops whose compiled code gives an
/// element the same bits wherever it lies: linear layers with a constant
/// weight (the register-blocked kernel computes each row alike in any tile),
/// element-wise activations (one vector body for every element, the tail
/// masked), softmax and log_softmax along the last dimension (one row at a
/// time, SoftmaxKernel.cpp), and convolutions, pooling, batch_norm and
/// flatten (loops of correctly rounded operations, however vectorized).
/// Their batch can be split at any row, so small batches use both cores
/// too; the granule is only as coarse as it takes for every task's slice of
/// every result to start a whole number of 64-byte lines after the result's
/// start (on 64-byte aligned buffers no two threads then write one line): 1
/// for rows of 1024 floats, 8 for rows of 2. (Over 4096 floats in rows of 1024 at 2 threads, splitting at 2
/// rows instead of one task of 4 measured sigmoid 1.85 -> 1.59 us, tanh
/// 2.67 -> 1.90, softmax 2.72 -> 1.90.)
static int64_t lineAlignedRowGranule(func::FuncOp function) {
  int64_t granule = 1;
  for (Type type : function.getResultTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.getRank() == 0)
      continue;
    int64_t rowElements = 1;
    // (Only the batch may be dynamic; a row of unknown size counts as 1.)
    for (int64_t size : tensor.getShape().drop_front())
      rowElements *= ShapedType::isDynamic(size) ? 1 : size;
    granule = std::max(granule,
                       kFloatsPerLine / std::gcd(kFloatsPerLine, rowElements));
  }
  return granule;
}

/// Whether the softmax or log_softmax `op` normalizes along the last
/// dimension of a tensor of rank 2 or more.
static bool isAlongLastDim(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!type || type.getRank() < 2)
    return false;
  // The I64Attr accessor returns the value as unsigned.
  int64_t dim = isa<SoftmaxOp>(op)
                    ? static_cast<int64_t>(cast<SoftmaxOp>(op).getDim())
                    : static_cast<int64_t>(cast<LogSoftmaxOp>(op).getDim());
  return dim == -1 || dim == type.getRank() - 1;
}

/// Whether every op of `function` is one of those.
static bool isPositionIndependent(func::FuncOp function) {
  WalkResult result = function.walk([](Operation *op) {
    if (isa<func::FuncOp, func::ReturnOp, arith::ConstantOp, DropoutOp>(op) ||
        LinearActivationOp::getActivationKindOf(op))
      return WalkResult::advance();
    if (isa<LinearOp, LinearActivationOp>(op) &&
        matchPattern(op->getOperand(1), m_Constant()))
      return WalkResult::advance();
    if (isa<SoftmaxOp, LogSoftmaxOp>(op) && isAlongLastDim(op))
      return WalkResult::advance();
    // Loops of IEEE additions, products, quotients, square roots and
    // maxima alone (no libm call, no contraction into FMAs): the same bits
    // in a vector body and in a scalar remainder. (One-group convolutions
    // go through the linear kernel instead, which forms every element by
    // the same fma chain wherever it lies; a fused activation is one of the
    // activations above.)
    if (isa<Conv2dOp, Conv2dActivationOp, ConvTranspose2dOp, MaxPool2dOp,
            AvgPool2dOp, BatchNormOp, FlattenOp>(op))
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

/// Layers at least this wide count as splitting their columns between
/// threads: 8 whole 64-column panels of the linear kernel with AVX-512 (32
/// of 16 columns with AVX2), which two threads share within one panel of
/// each other. (From 2 panels on a layer may split, but 3 panels, say,
/// split 2 to 1, slower than its rows would.)
static constexpr int64_t kMinSplitColumns = 512;

/// The batch below which splitting the columns of `function`'s linear
/// layers costs less than splitting its rows. Split by rows, every thread
/// reads all of each layer's K x N weights and 1/T of the M x K inputs; by
/// columns (LinearKernel.cpp: the layers of at least kMinSplitColumns
/// columns), 1/T of those weights and all of the inputs. Columns win when
/// M < sum(K·N) / sum(K), over the split layers' weights and every layer's
/// inputs. (On two threads, (M,K,N) = (64,1024,1024) measured 480 us by
/// rows and 425 by columns, (256,512,512) 437 and 420, (256,4096,1024)
/// 7061 and 6932, (1024,1024,1024) 6652 and 6816.) Only functions of
/// position-independent ops, whose other ops are cheap next to the
/// layers.
static int64_t columnSplitBelowRows(func::FuncOp function) {
  int64_t splitWeights = 0, inputs = 0;
  function.walk([&](Operation *op) {
    if (!isa<LinearOp, LinearActivationOp>(op))
      return;
    auto weight = cast<RankedTensorType>(op->getOperand(1).getType());
    int64_t n = weight.getDimSize(0), k = weight.getDimSize(1);
    inputs += k;
    if (n >= kMinSplitColumns)
      splitWeights += k * n;
  });
  return inputs > 0 ? splitWeights / inputs : 0;
}

FailureOr<SmallVector<EntryPoint>> soma::collectEntryPoints(ModuleOp module) {
  SmallVector<EntryPoint> entries;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (!function.isPublic() || function.isExternal())
      continue;
    EntryPoint entry{function.getName().str(), {}, {}};
    FunctionType type = function.getFunctionType();
    for (auto [i, input] : llvm::enumerate(type.getInputs())) {
      auto sig = signatureOf(function, input, "a" + std::to_string(i));
      if (failed(sig))
        return failure();
      entry.inputs.push_back(*sig);
    }
    for (auto [i, output] : llvm::enumerate(type.getResults())) {
      auto sig = signatureOf(function, output, "r" + std::to_string(i));
      if (failed(sig))
        return failure();
      entry.outputs.push_back(*sig);
    }
    BatchParallelism parallelism = analyzeBatchParallelism(function);
    if (parallelism.rowIndependent) {
      bool positionIndependent = isPositionIndependent(function);
      entry.rowsPerTask = llvm::alignTo(
          llvm::divideCeil(kWorkPerThreadTask, parallelism.workPerRow),
          positionIndependent ? lineAlignedRowGranule(function)
                              : kRowGranule);
      if (positionIndependent)
        entry.columnSplitBelowRows = columnSplitBelowRows(function);
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return module.emitError() << "the model has no public function to export";
  return entries;
}

static llvm::json::Array tensorsToJson(ArrayRef<TensorSignature> tensors) {
  llvm::json::Array array;
  for (const TensorSignature &tensor : tensors)
    array.push_back(llvm::json::Object{
        {"name", tensor.name},
        {"shape", llvm::json::Array(tensor.shape)},
        {"dtype", "float32"}});
  return array;
}

std::string soma::modelInfoJson(ArrayRef<EntryPoint> entries) {
  llvm::json::Array functions;
  for (const EntryPoint &entry : entries)
    functions.push_back(llvm::json::Object{
        {"name", entry.name},
        {"batch", entry.hasBatch()},
        {"inputs", tensorsToJson(entry.inputs)},
        {"outputs", tensorsToJson(entry.outputs)}});
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(llvm::json::Object{{"functions", std::move(functions)}});
  return text;
}
