//===- guard.h - Running a body so allocation failures return -----*- C -*-===//

#ifndef SOMA_RUNTIME_GUARD_H
#define SOMA_RUNTIME_GUARD_H

#include "abi.h"

/// Runs body(context, begin, end) on this thread; returns SOMA_OK, or
/// SOMA_ERROR_OUT_OF_MEMORY (with the message set) when one of its buffers
/// could not be allocated, after freeing those it had.
SOMA_HIDDEN int32_t soma_rt_run_guarded(soma_rt_body_fn body, void *context,
                                        int64_t begin, int64_t end);

#endif // SOMA_RUNTIME_GUARD_H
