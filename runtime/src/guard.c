//===- guard.c - Allocation failures become a status --------------*- C -*-===//
//
// A compiled model allocates its intermediate buffers through MLIR's generic
// allocation hooks (`_mlir_memref_to_llvm_alloc`, `..._aligned_alloc`,
// `..._free`, the names MLIR's memref-to-LLVM lowering calls with
// use-generic-functions). The runtime tracks every buffer of the running
// call in a thread-local list. When an allocation fails, the call cannot
// continue: the hook frees the call's buffers and jumps back to the guard
// around the call, which returns SOMA_ERROR_OUT_OF_MEMORY. Generated code
// has nothing to unwind (no destructors), so the jump is safe; the caller's
// output buffers are left partially written, as documented.
//
//===----------------------------------------------------------------------===//

#include "abi.h"
#include "guard.h"

#include "soma/runtime.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

/// The header in front of every tracked buffer.
typedef struct Allocation {
  struct Allocation *prev, *next;
  void *block; // what malloc returned
} Allocation;

/// The guarded call running on this thread, if any.
static _Thread_local struct {
  jmp_buf *escape;
  Allocation live; // sentinel of the circular list of live buffers
  int initialized;
} guard;

static Allocation *liveList(void) {
  if (!guard.initialized) {
    guard.live.prev = guard.live.next = &guard.live;
    guard.initialized = 1;
  }
  return &guard.live;
}

static void freeAllocation(Allocation *header) {
  header->prev->next = header->next;
  header->next->prev = header->prev;
  free(header->block);
}

int32_t soma_rt_run_guarded(soma_rt_body_fn body, void *context,
                            int64_t begin, int64_t end) {
  jmp_buf escape;
  jmp_buf *outer = guard.escape;
  Allocation *list = liveList();
  // Buffers already live belong to an enclosing call (nested parallel_for
  // runs inline); remember where this call's start.
  Allocation *before = list->prev;
  if (setjmp(escape) != 0) {
    while (list->prev != before)
      freeAllocation(list->prev);
    guard.escape = outer;
    return SOMA_ERROR_OUT_OF_MEMORY;
  }
  guard.escape = &escape;
  body(context, begin, end);
  guard.escape = outer;
  return SOMA_OK;
}

/// Allocates `size` bytes aligned to `alignment` (a power of two) and links
/// the buffer into this thread's live list.
static void *trackedAlloc(uint64_t alignment, uint64_t size) {
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  uint64_t total = size + alignment + sizeof(Allocation);
  void *block = total > size ? malloc(total) : NULL;
  if (!block) {
    char message[96];
    snprintf(message, sizeof(message),
             "out of memory allocating %" PRIu64 " bytes", size);
    soma_rt_set_error(SOMA_ERROR_OUT_OF_MEMORY, message);
    if (guard.escape)
      longjmp(*guard.escape, 1);
    return NULL;
  }
  uintptr_t data = ((uintptr_t)block + sizeof(Allocation) + alignment - 1) &
                   ~(uintptr_t)(alignment - 1);
  Allocation *header = (Allocation *)data - 1;
  Allocation *list = liveList();
  header->block = block;
  header->prev = list->prev;
  header->next = list;
  list->prev->next = header;
  list->prev = header;
  return (void *)data;
}

SOMA_HIDDEN void *_mlir_memref_to_llvm_alloc(uint64_t size);
SOMA_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment,
                                                     uint64_t size);
SOMA_HIDDEN void _mlir_memref_to_llvm_free(void *data);

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return trackedAlloc(16, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  return trackedAlloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *data) {
  if (data)
    freeAllocation((Allocation *)data - 1);
}
