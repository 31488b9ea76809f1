//===- cpus.h - Where the runtime's threads run, and how many -----*- C -*-===//
//
// The CPUs of the process's affinity mask and the default thread count.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_RUNTIME_CPUS_H
#define SOMA_RUNTIME_CPUS_H

#include "abi.h"

/// The most threads a pool runs, the caller included.
enum { SOMA_MAX_THREADS = 1024 };

/// Number of CPUs in the process's affinity mask, as it was when the
/// library was loaded (at least 1).
SOMA_HIDDEN int somaCpuCount(void);

/// The CPU worker `worker` is pinned to: the mask's CPUs in order, starting
/// after `callerCpu` (the CPU the pool's user runs on, or -1) so the caller
/// keeps its own CPU while there are others, and wrapping around.
SOMA_HIDDEN int somaWorkerCpu(int worker, int callerCpu);

/// The thread count SOMA_NUM_THREADS asks for, read now: a decimal integer
/// in [1, SOMA_MAX_THREADS] (larger ones are capped), surrounding blanks
/// allowed. Anything else, or no variable, gives somaCpuCount() (capped).
SOMA_HIDDEN int somaDefaultNumThreads(void);

#endif // SOMA_RUNTIME_CPUS_H
