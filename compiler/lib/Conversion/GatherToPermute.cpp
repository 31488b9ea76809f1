//===- GatherToPermute.cpp - The soma-gather-to-permute pass --------------===//
//
// Turns 16-lane gathers from a 32-entry constant table into AVX-512's
// two-register permute (Passes.td says when and why).
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace soma {
#define GEN_PASS_DEF_GATHERTOPERMUTEPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;

namespace {

constexpr int64_t kLanes = 16;

/// vector.gather of 16 f32 from a constant 32-entry memref.global, every
/// lane on, at offset 0 -> llvm.x86.avx512.vpermi2var.ps.512.
struct GatherFromTableToPermute final : OpRewritePattern<vector::GatherOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    VectorType resultType = gather.getVectorType();
    auto indexType = cast<VectorType>(gather.getIndices().getType());
    if (resultType.getShape() != ArrayRef<int64_t>{kLanes} ||
        !resultType.getElementType().isF32() ||
        !indexType.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(gather, "not 16 f32 by i32 indices");
    if (!matchPattern(gather.getMask(), m_One()) ||
        !llvm::all_of(gather.getOffsets(), [](Value offset) {
          return matchPattern(offset, m_Zero());
        }))
      return rewriter.notifyMatchFailure(gather, "masked or offset");
    auto getGlobal = gather.getBase().getDefiningOp<memref::GetGlobalOp>();
    if (!getGlobal)
      return rewriter.notifyMatchFailure(gather, "not from a global");
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        getGlobal, getGlobal.getNameAttr());
    auto table = global ? dyn_cast_or_null<DenseFPElementsAttr>(
                              global.getConstantInitValue())
                        : DenseFPElementsAttr();
    if (!table || table.getNumElements() != 2 * kLanes ||
        !table.getElementType().isF32())
      return rewriter.notifyMatchFailure(gather,
                                         "not a constant table of 32 f32");

    SmallVector<float> values(table.getValues<float>());
    auto half = [&](int64_t first) {
      return arith::ConstantOp::create(
          rewriter, gather.getLoc(),
          DenseElementsAttr::get(resultType,
                                 ArrayRef<float>(values).slice(first, kLanes)));
    };
    Value low = half(0), high = half(kLanes);
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        gather, resultType,
        rewriter.getStringAttr("llvm.x86.avx512.vpermi2var.ps.512"),
        ValueRange{low, gather.getIndices(), high});
    if (getGlobal->use_empty())
      rewriter.eraseOp(getGlobal);
    return success();
  }
};

struct GatherToPermutePass final
    : soma::impl::GatherToPermutePassBase<GatherToPermutePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<GatherFromTableToPermute>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
