//===- abi.h - Declarations of the runtime's entry points ---------*- C -*-===//
//
// Declares every function of RuntimeABI.def with C types, hidden. Each
// source file that defines one includes this first, so the compiler checks
// the definition against the table the code generator uses.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_RUNTIME_ABI_H
#define SOMA_RUNTIME_ABI_H

#include <stdint.h>

/// Symbols of the runtime are never exported from a model library, even
/// when this code is built without -fvisibility=hidden.
#define SOMA_HIDDEN __attribute__((visibility("hidden")))

/// The `body` argument of soma_rt_parallel_for (a `ptr` in the table).
typedef void (*soma_rt_body_fn)(void *context, int64_t begin, int64_t end);

// The table's type tokens, spelled as C types only while it is expanded.
// An empty argument list becomes `(void)`: a prototype, not `()`.
#define i32 int32_t
#define i64 int64_t
#define ptr void *
#define SOMA_C_PARAMS_ void
#define SOMA_C_PARAMS_SOME
#define SOMA_C_PARAMS(...) __VA_ARGS__ SOMA_C_PARAMS_##__VA_OPT__(SOME)
#define SOMA_RUNTIME_FUNCTION(NAME, RET, ...)                                  \
  SOMA_HIDDEN RET NAME(SOMA_C_PARAMS(__VA_ARGS__));
#include "soma/RuntimeABI.def"
#undef SOMA_C_PARAMS
#undef SOMA_C_PARAMS_SOME
#undef SOMA_C_PARAMS_
#undef ptr
#undef i64
#undef i32

#endif // SOMA_RUNTIME_ABI_H
