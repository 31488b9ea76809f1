//===- cpus.c - Where the runtime's threads run, and how many -----*- C -*-===//
//
// The process's CPUs are read once, when the library is loaded, as libgomp
// does: an application that later pins its own thread to one CPU (as
// benchmarks do) must not shrink the pool onto that CPU.
//
//===----------------------------------------------------------------------===//

#include "cpus.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/// The CPUs the process may run on, in increasing order. Written once.
static struct {
  pthread_once_t once;
  int count;
  int cpus[CPU_SETSIZE];
} processCpus = {PTHREAD_ONCE_INIT, 0, {0}};

static void captureCpus(void) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &mask))
        processCpus.cpus[processCpus.count++] = cpu;
  if (processCpus.count > 0)
    return;
  // No mask (more CPUs than a cpu_set_t holds): assume the online CPUs.
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (online < 1)
    online = 1;
  if (online > CPU_SETSIZE)
    online = CPU_SETSIZE;
  for (int cpu = 0; cpu < online; ++cpu)
    processCpus.cpus[processCpus.count++] = cpu;
}

__attribute__((constructor)) static void captureCpusAtLoad(void) {
  pthread_once(&processCpus.once, captureCpus);
}

int somaCpuCount(void) {
  // Also here: a model may run from another library's constructor first.
  pthread_once(&processCpus.once, captureCpus);
  return processCpus.count;
}

int somaWorkerCpu(int worker, int callerCpu) {
  int count = somaCpuCount();
  int start = 0;
  for (int i = 0; i < count; ++i)
    if (processCpus.cpus[i] == callerCpu)
      start = i + 1;
  return processCpus.cpus[(start + worker) % count];
}

/// The thread count `text` asks for, or 0 if it is not a positive integer.
static int parseNumThreads(const char *text) {
  if (!text)
    return 0;
  // errno is the application's: leave it as it was.
  int savedErrno = errno;
  errno = 0;
  char *end;
  long value = strtol(text, &end, 10); // Skips leading blanks.
  bool overflow = errno == ERANGE;
  errno = savedErrno;
  if (end == text)
    return 0;
  while (isspace((unsigned char)*end))
    ++end;
  if (*end != '\0' || value <= 0)
    return 0;
  if (overflow || value > SOMA_MAX_THREADS)
    return SOMA_MAX_THREADS;
  return (int)value;
}

int somaDefaultNumThreads(void) {
  int requested = parseNumThreads(getenv("SOMA_NUM_THREADS"));
  if (requested > 0)
    return requested;
  int cpus = somaCpuCount();
  return cpus < SOMA_MAX_THREADS ? cpus : SOMA_MAX_THREADS;
}
