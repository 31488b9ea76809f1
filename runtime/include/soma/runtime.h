//===- runtime.h - The C API every compiled Soma model exports ----*- C -*-===//
//
// A model compiled by `somac` is a library (shared, static or an object)
// with the Soma runtime linked in. Besides one function per entry point of
// the model,
//
//   int32_t NAME(const float *in0, ..., float *out0, ..., int64_t batch);
//
// declared in the header `somac` writes for that model, every library
// exports the four functions declared here. With `somac --prefix=P` each of
// them is named `P_...` instead of `soma_...` (`P_last_error`,
// `P_set_num_threads`, `P_model_info`, `P_invoke`), so several models link
// into one program; each model then has its own runtime, thread pool and
// error state, and nothing of one runtime is visible to another.
//
// Conventions:
// - Entry points return SOMA_OK (0) or another soma_status; the reason is
//   in soma_last_error() on the same thread.
// - Tensors are caller-owned, dense, row-major float arrays of any
//   alignment. A library never keeps a pointer it was given past the call.
// - Everything is reentrant and thread-safe unless a function says
//   otherwise: the library has no mutable global state besides its thread
//   pool and per-thread error messages.
// - Results are bit-identical for every thread count.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_RUNTIME_H
#define SOMA_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Headers that `somac` writes define the same enum under the same guard, so
// an application may include this header and any number of model headers.
#ifndef SOMA_STATUS_DEFINED
#define SOMA_STATUS_DEFINED
/// Return codes of every entry point and of soma_invoke; 0 is success.
typedef enum soma_status {
#define SOMA_STATUS(NAME, VALUE, MESSAGE) NAME = VALUE,
#include "soma/Status.def"
} soma_status;
#endif

/// Returns a message describing the most recent failure of a call into this
/// library on the calling thread, or "" if no call on this thread has failed.
///
/// Read it right after a call returned a status other than SOMA_OK: a
/// successful call may leave an older message in place.
///
/// Ownership: the string belongs to the library. It stays valid until the
/// next call into the library on the same thread, or until the thread
/// exits; copy it to keep it longer.
/// Thread safety: each thread has its own message; a failure on one thread
/// never changes what another thread sees.
const char *soma_last_error(void);

/// Sets how many threads (the calling thread included) later calls into this
/// library use. n <= 0 restores the default: the `SOMA_NUM_THREADS`
/// environment variable if it holds a positive integer (read again on every
/// such restore), else the number of CPUs the process may run on (its
/// affinity mask when the library was loaded). Counts are capped at 1024.
///
/// The library keeps one pool of worker threads, created on first use and
/// resized lazily by the next parallel call. Worker i is pinned to one CPU
/// of the process's affinity mask; the calling thread is never re-pinned.
/// If the pool is busy with a call from another thread, a call runs on its
/// own thread alone rather than oversubscribing the CPUs.
///
/// Thread safety: may be called from any thread at any time, also while
/// other threads run the model; calls already running keep their count.
/// Results do not depend on the count. With `--prefix`, each model has its
/// own pool and its own `P_set_num_threads`.
void soma_set_num_threads(int n);

/// Returns a JSON description of the model: each entry point by name, with
/// its inputs and outputs in call order (name, shape with -1 for the batch
/// dimension, dtype).
///
/// Ownership: a static string of the library; never free it.
/// Thread safety: constant; safe from any thread.
const char *soma_model_info(void);

/// Calls the entry point called `name` with `buffers`: one pointer per
/// tensor, the inputs then the outputs in the order soma_model_info() lists
/// them. Inputs are only read. `batch` gives every dynamic leading dimension
/// and is ignored by entry points without one. For generic tools that learn
/// the signature at run time; applications call the typed entry point.
///
/// Returns SOMA_OK, SOMA_ERROR_NULL_POINTER (`name`, `buffers` or one of
/// the tensors is NULL), SOMA_ERROR_UNKNOWN_FUNCTION, or whatever the entry
/// point returns; soma_last_error() says why.
///
/// Ownership: `buffers` and the tensors stay the caller's; `buffers` must
/// hold as many pointers as the entry point has tensors.
/// Thread safety: as the entry point: reentrant, thread-safe on distinct
/// output buffers.
int32_t soma_invoke(const char *name, float *const *buffers, int64_t batch);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // SOMA_RUNTIME_H
