//===- NontemporalStores.cpp - The soma-nontemporal-stores pass -----------===//
//
// Makes the writes of the loops convert-soma-to-linalg marked with
// `soma.nontemporal_stores` non-temporal vector stores, once they write
// buffers (Passes.td says why).
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"
#include "soma/Conversion/SomaToLinalg.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace soma {
#define GEN_PASS_DEF_NONTEMPORALSTORESPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;

/// Replaces `write` by a non-temporal vector.store aligned to the vector's
/// size, if it is an in-bounds, unmasked 1-D write into a memref with unit
/// stride; fails with an error otherwise.
static LogicalResult makeNontemporal(RewriterBase &rewriter,
                                     vector::TransferWriteOp write) {
  auto memrefType = dyn_cast<MemRefType>(write.getBase().getType());
  VectorType vectorType = write.getVectorType();
  if (!memrefType || write.getMask() || vectorType.getRank() != 1 ||
      !write.getPermutationMap().isMinorIdentity() || !write.isDimInBounds(0) ||
      !memrefType.isLastDimUnitStride())
    return write.emitOpError(
        "in a loop marked for non-temporal stores must be an in-bounds, "
        "unmasked 1-D write into a memref with unit stride");
  uint64_t bytes = vectorType.getNumElements() *
                   vectorType.getElementTypeBitWidth() / 8;
  rewriter.setInsertionPoint(write);
  rewriter.replaceOpWithNewOp<vector::StoreOp>(
      write, write.getVector(), write.getBase(), write.getIndices(),
      /*nontemporal=*/true, llvm::Align(bytes));
  return success();
}

namespace {

struct NontemporalStoresPass final
    : soma::impl::NontemporalStoresPassBase<NontemporalStoresPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    llvm::SmallPtrSet<Operation *, 4> fenced;
    WalkResult result = getOperation()->walk([&](scf::ForOp loop) {
      if (!loop->removeAttr(soma::kNontemporalStoresAttrName))
        return WalkResult::advance();
      for (auto write : llvm::make_early_inc_range(
               loop.getBody()->getOps<vector::TransferWriteOp>()))
        if (failed(makeNontemporal(rewriter, write)))
          return WalkResult::interrupt();
      // Non-temporal stores are weakly ordered: fence them before whatever
      // tells another thread the output is ready.
      //
      // Once, after the outermost of the loops around this one (not after
      // each row of a softmax).
      Operation *outermost = loop;
      while (isa_and_nonnull<scf::ForOp>(outermost->getParentOp()))
        outermost = outermost->getParentOp();
      if (!fenced.insert(outermost).second)
        return WalkResult::advance();
      rewriter.setInsertionPointAfter(outermost);
      LLVM::CallIntrinsicOp::create(rewriter, loop.getLoc(),
                                    rewriter.getStringAttr("llvm.x86.sse.sfence"),
                                    ValueRange{});
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
