//===- SomaToLinalg.h - Lowering soma ops to linalg -------------*- C++ -*-===//
//
// The patterns behind `convert-soma-to-linalg`, for drivers that assemble
// their own conversion.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_CONVERSION_SOMATOLINALG_H
#define SOMA_CONVERSION_SOMATOLINALG_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace soma {

/// The unit attribute convert-soma-to-linalg puts on the `scf.for` loops
/// whose vector writes all start on a vector-size boundary and should pass
/// the caches; soma-nontemporal-stores turns them into non-temporal stores
/// once the loops write buffers.
inline constexpr llvm::StringLiteral kNontemporalStoresAttrName =
    "soma.nontemporal_stores";

/// Adds the conversion patterns that rewrite every soma op into linalg,
/// tensor, arith and math ops on tensors. The patterns change no types; they
/// expect static shapes but for a dynamic leading (batch) dimension and fail
/// to match otherwise. Linear layers, element-wise activations and softmax
/// rows use vectors of (up to) `vectorLanes` f32; 0 keeps scalar forms.
/// Element-wise activation loops prefetch their input `prefetchDistance`
/// f32 ahead of their reads, softmax rows the row at least that far ahead
/// (0: not at all). Activation outputs of `nontemporalThreshold` elements
/// or more (0: none) are written by loops marked with
/// `kNontemporalStoresAttrName`.
void populateSomaToLinalgConversionPatterns(
    mlir::RewritePatternSet &patterns, int64_t vectorLanes = 16,
    int64_t prefetchDistance = 4096, int64_t nontemporalThreshold = 1 << 20);

} // namespace soma

#endif // SOMA_CONVERSION_SOMATOLINALG_H
