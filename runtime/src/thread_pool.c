//===- thread_pool.c - The workers behind soma_rt_parallel_for ----*- C -*-===//
//
// One pool per model library, created on first use. Worker i is pinned to
// one CPU of the process (an unpinned pool can end up packed onto one CPU
// of a VM); the calling thread takes chunk 0 and is never re-pinned. Idle
// workers spin briefly, then sleep on a condition variable.
//
// An application thread owns the pool for one whole parallel_for (a
// trylock). Another application thread that finds it busy, and any nested
// call, runs its whole range inline: callers never wait for each other and
// the CPUs are never oversubscribed.
//
// A job is published as a ticket: a generation number with the number of
// participating threads in its low bits. A worker without a chunk reads
// nothing else, so it never races with the owner writing the next job.
//
//===----------------------------------------------------------------------===//

#include "cpus.h"
#include "guard.h"

#include "soma/runtime.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum {
  /// Low bits of a ticket: the threads (caller included) taking a chunk.
  TICKET_PARTICIPANT_BITS = 16,
  /// Polls before sleeping: tens of microseconds, enough to catch the next
  /// layer of a model without burning a CPU another program wants.
  SPIN_ITERATIONS = 2000,
};

_Static_assert(SOMA_MAX_THREADS < (1 << TICKET_PARTICIPANT_BITS),
               "a ticket's low bits must hold the thread count");

struct worker {
  pthread_t thread;
  int index;
  /// The ticket when the worker was created: only later ones are new jobs.
  uint64_t firstTicket;
};

/// Bytes of context a job carries in its own cache line (three pointers:
/// a model with one input and one output, and its batch).
enum { INLINE_CONTEXT_BYTES = 24 };

static struct Pool {
  // The job line: what a job moves from the owner to the workers, and its
  // completion count back. A worker that sees a new ticket finds the job,
  // and a small context with it, without fetching another line from the
  // owner's core: each such transfer costs 120-190 ns on this machine's
  // VM. (A context left on the caller's stack cost a two-thread sigmoid
  // over 4096 floats 0.16-0.27 us of its 1.2.)
  _Alignas(64) _Atomic uint64_t ticket;
  /// Workers still running a chunk of the current job.
  atomic_int pending;
  /// The first failure of a chunk of the current job (SOMA_OK if none).
  atomic_int status;
  /// The current job; the owner writes it before publishing its ticket.
  soma_rt_body_fn body;
  int64_t count;
  /// What the workers pass to `body`: the caller's context, or
  /// `inlineContext` holding a copy of it.
  void *context;
  _Alignas(8) unsigned char inlineContext[INLINE_CONTEXT_BYTES];
  // Read on every job, written only when a thread goes to sleep or wakes
  // (and `spin` on a resize): each core keeps its own copy of this line.
  /// Workers asleep on `wake`, and whether the owner sleeps on `done`: a
  /// thread that finds nobody asleep skips the lock and the futex call.
  /// Sequentially consistent against `ticket` and `pending`: either the
  /// sleeper sees the change, or the changer sees the sleeper.
  _Alignas(64) atomic_int sleepers;
  atomic_bool ownerSleeps;
  /// Whether waiting threads spin first: only when each has its own CPU.
  atomic_bool spin;
  /// Held by the application thread using the pool: for one whole
  /// parallel_for, including any resize it does first.
  _Alignas(64) pthread_mutex_t owner;
  /// Guards sleeping and waking, and activeWorkers.
  pthread_mutex_t lock;
  pthread_cond_t wake; ///< A new ticket, or fewer active workers.
  pthread_cond_t done; ///< pending reached 0.
  /// Workers with an index at or above this exit.
  int activeWorkers;
  /// Workers started and not joined. Owner only.
  int numWorkers;
  /// Threads the next parallel_for uses; set by pthread_once.
  atomic_int numThreads;
  pthread_once_t once;
  struct worker workers[SOMA_MAX_THREADS - 1];
} pool = {
    .owner = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .once = PTHREAD_ONCE_INIT,
};

_Static_assert(offsetof(struct Pool, inlineContext) + INLINE_CONTEXT_BYTES <=
                   64,
               "a job and its inline context must share one cache line");

/// Set on workers, and on the caller while it runs a chunk of a split
/// loop: a parallel_for from inside such a chunk runs inline.
static _Thread_local bool inParallelBody;

static void cpuRelax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

//===----------------------------------------------------------------------===//
// Running chunks
//===----------------------------------------------------------------------===//

/// Runs one chunk under an allocation guard; a failure is kept in
/// pool.status for the caller to return.
static int32_t runBody(soma_rt_body_fn body, void *context, int64_t begin,
                       int64_t end) {
  bool outer = inParallelBody;
  inParallelBody = true;
  int32_t status = soma_rt_run_guarded(body, context, begin, end);
  inParallelBody = outer;
  return status;
}

/// Runs chunk `index` of `parts` of the current job with `context`: the
/// first count % parts chunks get one extra iteration. Depends on nothing
/// but these numbers.
static void runChunk(int index, int parts, void *context) {
  int64_t base = pool.count / parts, extra = pool.count % parts;
  int64_t begin = index * base + (index < extra ? index : extra);
  int64_t end = begin + base + (index < extra ? 1 : 0);
  int32_t status = runBody(pool.body, context, begin, end);
  if (status != SOMA_OK)
    atomic_store(&pool.status, status);
}

static void finishChunk(void) {
  if (atomic_fetch_sub(&pool.pending, 1) != 1 ||
      !atomic_load(&pool.ownerSleeps))
    return;
  pthread_mutex_lock(&pool.lock);
  pthread_cond_signal(&pool.done);
  pthread_mutex_unlock(&pool.lock);
}

//===----------------------------------------------------------------------===//
// Workers
//===----------------------------------------------------------------------===//

/// Waits for a ticket other than `*seen` and stores it there. Returns false
/// when the worker must exit instead.
static bool waitForTicket(int index, uint64_t *seen) {
  if (atomic_load_explicit(&pool.spin, memory_order_relaxed)) {
    for (int i = 0; i < SPIN_ITERATIONS; ++i) {
      uint64_t ticket =
          atomic_load_explicit(&pool.ticket, memory_order_acquire);
      if (ticket != *seen) {
        *seen = ticket;
        return true;
      }
      cpuRelax();
    }
  }
  pthread_mutex_lock(&pool.lock);
  atomic_fetch_add(&pool.sleepers, 1);
  while (index < pool.activeWorkers && atomic_load(&pool.ticket) == *seen)
    pthread_cond_wait(&pool.wake, &pool.lock);
  atomic_fetch_sub(&pool.sleepers, 1);
  bool active = index < pool.activeWorkers;
  *seen = atomic_load_explicit(&pool.ticket, memory_order_acquire);
  pthread_mutex_unlock(&pool.lock);
  return active;
}

static void *workerMain(void *argument) {
  const struct worker *self = argument;
  inParallelBody = true;
  uint64_t seen = self->firstTicket;
  // A worker that is not active was told to exit before any ticket made it
  // a participant: stopWorkers runs between jobs only.
  while (waitForTicket(self->index, &seen)) {
    int participants = (int)(seen & ((1u << TICKET_PARTICIPANT_BITS) - 1));
    if (self->index + 1 >= participants)
      continue;
    runChunk(self->index + 1, participants, pool.context);
    finishChunk();
  }
  return NULL;
}

static void pinThread(pthread_t thread, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  // Best effort: an unpinned worker is slower, not wrong.
  (void)pthread_setaffinity_np(thread, sizeof(set), &set);
}

static void setActiveWorkers(int count) {
  pthread_mutex_lock(&pool.lock);
  pool.activeWorkers = count;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
}

/// Joins the workers from `keep` on. Only between jobs, with `owner` held.
static void stopWorkers(int keep) {
  setActiveWorkers(keep);
  for (int i = keep; i < pool.numWorkers; ++i)
    pthread_join(pool.workers[i].thread, NULL);
  pool.numWorkers = keep;
}

/// Starts workers up to `wanted` (fewer if threads cannot be created).
/// Only between jobs, with `owner` held.
static void startWorkers(int wanted) {
  // Workers inherit a full signal mask: signals go to application threads.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  setActiveWorkers(wanted);
  int callerCpu = sched_getcpu();
  int started = pool.numWorkers;
  for (; started < wanted; ++started) {
    struct worker *worker = &pool.workers[started];
    worker->index = started;
    worker->firstTicket = atomic_load(&pool.ticket);
    if (pthread_create(&worker->thread, NULL, workerMain, worker) != 0)
      break;
    pinThread(worker->thread, somaWorkerCpu(started, callerCpu));
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (started < wanted)
    setActiveWorkers(started);
  pool.numWorkers = started;
}

static void resizeWorkers(int wanted) {
  if (wanted < pool.numWorkers)
    stopWorkers(wanted);
  else if (wanted > pool.numWorkers)
    startWorkers(wanted);
  // Written only when it changes: the workers read it on every wait.
  bool spin = pool.numWorkers < somaCpuCount();
  if (atomic_load_explicit(&pool.spin, memory_order_relaxed) != spin)
    atomic_store_explicit(&pool.spin, spin, memory_order_relaxed);
}

//===----------------------------------------------------------------------===//
// Pool lifetime
//===----------------------------------------------------------------------===//

/// Only the forking thread lives on in a child: it starts with no workers
/// and an unowned pool, whatever other threads were doing.
static void resetPoolInChild(void) {
  pool.owner = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
  pool.lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
  pool.wake = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
  pool.done = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
  atomic_store(&pool.pending, 0);
  atomic_store(&pool.sleepers, 0);
  atomic_store(&pool.ownerSleeps, false);
  pool.activeWorkers = 0;
  pool.numWorkers = 0;
}

static void initPool(void) {
  atomic_store(&pool.numThreads, somaDefaultNumThreads());
  pthread_atfork(NULL, NULL, resetPoolInChild);
}

/// Workers run this library's code, so they must be gone before dlclose
/// unmaps it. A pool another thread is using cannot be stopped safely; that
/// only happens if the process exits during a call, which ends it anyway.
__attribute__((destructor)) static void stopPoolAtUnload(void) {
  if (pthread_mutex_trylock(&pool.owner) != 0)
    return;
  stopWorkers(0);
  pthread_mutex_unlock(&pool.owner);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void soma_rt_set_num_threads(int32_t n) {
  pthread_once(&pool.once, initPool);
  if (n <= 0)
    n = somaDefaultNumThreads();
  else if (n > SOMA_MAX_THREADS)
    n = SOMA_MAX_THREADS;
  // Takes effect at the owner's next resize: setting never blocks.
  atomic_store(&pool.numThreads, n);
}

int32_t soma_rt_num_threads(void) {
  pthread_once(&pool.once, initPool);
  return atomic_load(&pool.numThreads);
}

static void publishTicket(int participants) {
  uint64_t generation =
      (atomic_load(&pool.ticket) >> TICKET_PARTICIPANT_BITS) + 1;
  atomic_store(&pool.ticket,
               generation << TICKET_PARTICIPANT_BITS | participants);
  if (atomic_load(&pool.sleepers) == 0)
    return;
  // A sleeper holds the lock from counting itself until it waits.
  pthread_mutex_lock(&pool.lock);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
}

static void waitForWorkers(void) {
  if (atomic_load_explicit(&pool.spin, memory_order_relaxed))
    for (int i = 0; i < SPIN_ITERATIONS; ++i) {
      if (atomic_load_explicit(&pool.pending, memory_order_acquire) == 0)
        return;
      cpuRelax();
    }
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.ownerSleeps, true);
  while (atomic_load(&pool.pending) != 0)
    pthread_cond_wait(&pool.done, &pool.lock);
  atomic_store(&pool.ownerSleeps, false);
  pthread_mutex_unlock(&pool.lock);
}

/// Runs a job with `owner` held.
static void runOnPool(soma_rt_body_fn body, void *context,
                      int64_t contextBytes, int64_t count) {
  resizeWorkers(soma_rt_num_threads() - 1);
  int participants = pool.numWorkers + 1;
  if (count < participants)
    participants = (int)count;
  if (participants == 1) {
    int32_t status = runBody(body, context, 0, count);
    if (status != SOMA_OK)
      atomic_store(&pool.status, status);
    return;
  }
  pool.body = body;
  pool.count = count;
  pool.context = context;
  if (contextBytes > 0 && contextBytes <= INLINE_CONTEXT_BYTES) {
    memcpy(pool.inlineContext, context, (size_t)contextBytes);
    pool.context = pool.inlineContext;
  }
  atomic_store_explicit(&pool.pending, participants - 1, memory_order_relaxed);
  publishTicket(participants);
  runChunk(0, participants, context);
  waitForWorkers();
}

int32_t soma_rt_parallel_for(int64_t count, void *body, void *context,
                             int64_t contextBytes) {
  if (count <= 0 || !body)
    return SOMA_OK;
  // POSIX guarantees function pointers survive a round trip through void *.
  soma_rt_body_fn function = (soma_rt_body_fn)body;
  // A single chunk runs here without taking the pool, which a parallel
  // loop inside it (a batch of one, split by columns) may then use.
  if (count == 1 && !inParallelBody)
    return soma_rt_run_guarded(function, context, 0, count);
  if (inParallelBody || pthread_mutex_trylock(&pool.owner) != 0)
    return runBody(function, context, 0, count);
  // (No job runs: the owner alone reads and resets the status.)
  if (atomic_load_explicit(&pool.status, memory_order_relaxed) != SOMA_OK)
    atomic_store(&pool.status, SOMA_OK);
  runOnPool(function, context, contextBytes, count);
  int32_t status = atomic_load(&pool.status);
  pthread_mutex_unlock(&pool.owner);
  // A worker's message stays on the worker's thread: give the caller one.
  if (status != SOMA_OK)
    soma_rt_set_error(status, NULL);
  return status;
}
