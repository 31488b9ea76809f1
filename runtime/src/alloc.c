//===- alloc.c - Aligned allocation for generated code ------------*- C -*-===//
//
// Buffers the compiled model needs beyond the caller's tensors. Aligned to
// a cache line by default so vector loads never straddle two lines.
//
//===----------------------------------------------------------------------===//

#include "abi.h"

#include "soma/runtime.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { SOMA_DEFAULT_ALIGNMENT = 64 };

static int isPowerOfTwo(int64_t value) {
  return value > 0 && (value & (value - 1)) == 0;
}

void *soma_rt_alloc(int64_t bytes, int64_t alignment) {
  if (alignment == 0)
    alignment = SOMA_DEFAULT_ALIGNMENT;
  if (bytes < 0 || !isPowerOfTwo(alignment)) {
    char message[128];
    snprintf(message, sizeof(message),
             "invalid allocation of %" PRId64 " bytes aligned to %" PRId64,
             bytes, alignment);
    soma_rt_set_error(SOMA_ERROR_INVALID_ARGUMENT, message);
    return NULL;
  }
  // posix_memalign wants a multiple of sizeof(void *).
  if (alignment < (int64_t)sizeof(void *))
    alignment = sizeof(void *);
  // posix_memalign(0) may return NULL; callers expect a unique pointer.
  size_t size = bytes > 0 ? (size_t)bytes : 1;
#if SIZE_MAX < INT64_MAX
  if ((uint64_t)bytes > SIZE_MAX)
    size = SIZE_MAX; // Fails below, reported as out of memory.
#endif
  void *pointer = NULL;
  if (posix_memalign(&pointer, (size_t)alignment, size) != 0) {
    char message[128];
    snprintf(message, sizeof(message),
             "out of memory allocating %" PRId64 " bytes", bytes);
    soma_rt_set_error(SOMA_ERROR_OUT_OF_MEMORY, message);
    return NULL;
  }
  return pointer;
}

void soma_rt_free(void *pointer) { free(pointer); }
