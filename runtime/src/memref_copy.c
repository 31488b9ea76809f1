//===- memref_copy.c - Strided copies for MLIR-lowered code -------*- C -*-===//
//
// MLIR lowers a memref.copy between buffers that are not both contiguous
// (a padded or strided view, as convolutions make) to a call to
// `memrefCopy`, a function MLIR's own runner library provides. A model
// library must stand alone, so the runtime provides it, hidden like every
// other runtime symbol. The name and the descriptor layout are MLIR's
// (mlir/ExecutionEngine/CRunnerUtils.h), not Soma's.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>
#include <string.h>

/// An unranked memref as MLIR passes it: the rank and a pointer to a ranked
/// descriptor {allocated, aligned, offset, sizes[rank], strides[rank]}.
typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[];
} RankedDescriptor;

enum { MAX_RANK = 16 };

void memrefCopy(int64_t elementSize, UnrankedMemRef *source,
                UnrankedMemRef *target);

void memrefCopy(int64_t elementSize, UnrankedMemRef *source,
                UnrankedMemRef *target) {
  int64_t rank = source->rank;
  const RankedDescriptor *src = source->descriptor;
  const RankedDescriptor *dst = target->descriptor;
  const int64_t *sizes = src->sizesAndStrides;
  const int64_t *srcStrides = src->sizesAndStrides + rank;
  const int64_t *dstStrides = dst->sizesAndStrides + rank;
  const char *from = src->aligned + src->offset * elementSize;
  char *to = dst->aligned + dst->offset * elementSize;

  if (rank == 0) {
    memcpy(to, from, (size_t)elementSize);
    return;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  // Walk every index in row-major order, moving both pointers by strides.
  int64_t index[MAX_RANK] = {0};
  if (rank > MAX_RANK)
    return;
  for (;;) {
    memcpy(to, from, (size_t)elementSize);
    int64_t d = rank - 1;
    for (; d >= 0; --d) {
      from += srcStrides[d] * elementSize;
      to += dstStrides[d] * elementSize;
      if (++index[d] < sizes[d])
        break;
      from -= srcStrides[d] * sizes[d] * elementSize;
      to -= dstStrides[d] * sizes[d] * elementSize;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
