//===- bench_support.h - What soma-bench and peer-bench share ---*- C++ -*-===//
//
// Buffers, deterministic inputs, double-precision references, a small team
// of threads, the case names and the benchmark main of both bench binaries:
// the peers are fed, checked, named and timed exactly like Soma.
//
// Case names (the keys bench/report.py joins the sides on; peer-bench
// prefixes them with "<peer>/"):
//   fc_<act>/M:<m>/K:<k>/N:<n>/threads:<t>   Y = act(X·Wᵀ + b)
//   act/<op>/n:<elements>/threads:<t>       Y = op(X), rows of 1024
//   act_wide/<op>/n:<elements>/threads:1    the same on wider inputs
//   classifier/batch:<b>/threads:1          examples/two_class_classifier
//   machine/fma/threads:<t>, machine/memcpy/n:<n>/threads:<t>,
//   machine/stream/n:<n>/threads:<t>        the machine's limits
// bench/run.sh selects the cases of one thread count with
// --benchmark_filter and runs them pinned to that many CPUs.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_BENCH_BENCH_SUPPORT_H
#define SOMA_BENCH_BENCH_SUPPORT_H

#include "soma_bench_cases.h"

#include <benchmark/benchmark.h>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bench {

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], FreeDeleter>;

/// 64-byte aligned like PyTorch's tensors, so no side gains from alignment
/// another lacks. The memory is touched once, so that no timed call pays
/// for first-touch page faults.
inline Buffer allocate(size_t count) {
  size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
  auto *p = static_cast<float *>(std::aligned_alloc(64, bytes ? bytes : 64));
  if (!p) {
    std::fprintf(stderr, "bench: out of memory\n");
    std::exit(1);
  }
  std::memset(p, 0, bytes);
  return Buffer(p);
}

/// Deterministic inputs uniform in [lo, hi): the inputs only have to be
/// typical, but the same on every run and in every binary.
inline Buffer uniform(size_t count, float lo, float hi, uint64_t seed) {
  Buffer b = allocate(count);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < count; ++i) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t r = s * 0x2545F4914F6CDD1Dull;
    b[i] = lo + (hi - lo) * static_cast<float>(r >> 40) / float(1 << 24);
  }
  return b;
}

/// The CPUs this process may run on (bench/run.sh pins it with taskset).
inline int allowedCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return 1;
  return CPU_COUNT(&set);
}

/// A case at `threads` threads needs that many CPUs: on fewer it would
/// measure time-slicing, not the library.
inline bool haveCpus(benchmark::State &state, int threads) {
  if (allowedCpus() >= threads)
    return true;
  state.SkipWithError(("needs " + std::to_string(threads) +
                       " CPUs in the affinity mask (taskset)")
                          .c_str());
  return false;
}

/// Runs fn(index, count) on `count` threads, the caller being index 0, for
/// the loops the benchmark writes itself (the machine's limits, the SLEEF
/// and OpenBLAS activation loops). Workers spin for `spin` pauses (about a
/// millisecond by default) between calls, as the thread pools of the
/// libraries compared do, then sleep; a Team lives for one case.
class Team {
public:
  explicit Team(int count, int spin = 100000)
      : count_(std::max(count, 1)), spin_(spin) {
    if (count_ == 1)
      return;
    // One thread per CPU of the affinity mask, the caller on the first:
    // left unpinned, this VM may run two busy threads on one CPU for
    // milliseconds. The caller's own mask comes back when the Team goes.
    sched_getaffinity(0, sizeof callerMask_, &callerMask_);
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &callerMask_))
        cpus_.push_back(c);
    pinTo(0);
    for (int i = 1; i < count_; ++i)
      workers_.emplace_back([this, i] {
        pinTo(i);
        work(i);
      });
  }
  ~Team() {
    if (count_ > 1)
      sched_setaffinity(0, sizeof callerMask_, &callerMask_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto &w : workers_)
      w.join();
  }
  Team(const Team &) = delete;
  Team &operator=(const Team &) = delete;


  void run(const std::function<void(int, int)> &fn) {
    if (count_ == 1) {
      fn(0, 1);
      return;
    }
    job_ = &fn;
    pending_.store(count_ - 1);
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    fn(0, count_);
    while (pending_.load(std::memory_order_acquire) != 0)
      pause();
  }

  /// [begin, end) of part `index` of `count` of n items, in multiples of
  /// `granule` (a cache line of floats by default).
  static std::pair<int64_t, int64_t> split(int64_t n, int index, int count,
                                           int64_t granule = 16) {
    int64_t units = (n + granule - 1) / granule;
    int64_t lo = units * index / count * granule;
    int64_t hi = units * (index + 1) / count * granule;
    return {std::min(lo, n), std::min(hi, n)};
  }

private:
  static void pause() { __builtin_ia32_pause(); }

  void pinTo(int index) {
    if (cpus_.empty())
      return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus_[index % cpus_.size()], &set);
    sched_setaffinity(0, sizeof set, &set); // 0: the calling thread
  }

  void work(int index) {
    uint64_t seen = 0;
    for (;;) {
      uint64_t now = generation_.load();
      for (int spin = 0; now == seen && spin < spin_; ++spin) {
        pause();
        now = generation_.load();
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        sleepers_.fetch_sub(1);
        now = generation_.load();
      }
      seen = now;
      if (stop_)
        return;
      (*job_)(index, count_);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  int count_;
  int spin_;
  cpu_set_t callerMask_;
  std::vector<int> cpus_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  const std::function<void(int, int)> *job_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

//===----------------------------------------------------------------------===//
// Double-precision references and the checks every case runs once, before
// timing.
//===----------------------------------------------------------------------===//

/// Element-wise activations (PyTorch's definitions and default parameters).
inline double activationRef(const std::string &op, double x) {
  if (op == "sigmoid")
    return 1.0 / (1.0 + std::exp(-x));
  if (op == "log_sigmoid")
    return std::min(x, 0.0) - std::log1p(std::exp(-std::fabs(x)));
  if (op == "hard_sigmoid")
    return std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
  if (op == "silu")
    return x / (1.0 + std::exp(-x));
  if (op == "hard_swish")
    return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  if (op == "tanh")
    return std::tanh(x);
  if (op == "softplus")
    return x > 20.0 ? x : std::log1p(std::exp(x));
  if (op == "relu")
    return std::max(x, 0.0);
  std::fprintf(stderr, "bench: no reference for %s\n", op.c_str());
  std::abort();
}

constexpr double kRelTolerance = 1e-4;
constexpr double kAbsTolerance = 1e-6;

/// Compares `got` with `want`; on mismatch stops the case with
/// SkipWithError and returns false.
inline bool close(benchmark::State &state, float got, double want,
                  const char *what, int64_t index) {
  double err = std::fabs(double(got) - want);
  if (!(err <= kRelTolerance * std::fabs(want) + kAbsTolerance)) {
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  "%s mismatch at %lld: got %.9g, want %.9g", what,
                  static_cast<long long>(index), got, want);
    state.SkipWithError(msg);
    return false;
  }
  return true;
}

/// Checks a few rows of y = op(x) over `count` floats in rows of 1024
/// (softmax and log_softmax along each row).
inline bool checkActivation(benchmark::State &state, const std::string &op,
                            const float *x, const float *y, int64_t count) {
  const int64_t rows = count / 1024;
  const int64_t check[] = {0, rows / 2, rows - 1};
  for (int64_t r : check) {
    const float *xr = x + r * 1024;
    const float *yr = y + r * 1024;
    double max = -INFINITY, sum = 0;
    if (op == "softmax" || op == "log_softmax") {
      for (int j = 0; j < 1024; ++j)
        max = std::max(max, double(xr[j]));
      for (int j = 0; j < 1024; ++j)
        sum += std::exp(double(xr[j]) - max);
    }
    for (int j = 0; j < 1024; ++j) {
      double want;
      if (op == "softmax")
        want = std::exp(double(xr[j]) - max) / sum;
      else if (op == "log_softmax")
        want = double(xr[j]) - max - std::log(sum);
      else
        want = activationRef(op, xr[j]);
      if (!close(state, yr[j], want, op.c_str(), r * 1024 + j))
        return false;
    }
  }
  return true;
}

/// Checks a few elements of Y = act(X·Wᵀ + b), W as N rows of K.
inline bool checkFc(benchmark::State &state, const std::string &act,
                    const float *x, const float *w, const float *b,
                    const float *y, int64_t m, int64_t k, int64_t n) {
  const int64_t rows[] = {0, m / 2, m - 1};
  const int64_t cols[] = {0, n / 3, n - 1};
  for (int64_t i : rows)
    for (int64_t j : cols) {
      double acc = b[j];
      for (int64_t p = 0; p < k; ++p)
        acc += double(x[i * k + p]) * double(w[j * k + p]);
      if (!close(state, y[i * n + j], activationRef(act, acc), "fc",
                 i * n + j))
        return false;
    }
  return true;
}

//===----------------------------------------------------------------------===//
// Case names and shared inputs.
//===----------------------------------------------------------------------===//

inline std::string fcName(const std::string &act, int64_t m, int64_t k,
                          int64_t n, int threads) {
  return "fc_" + act + "/M:" + std::to_string(m) + "/K:" + std::to_string(k) +
         "/N:" + std::to_string(n) + "/threads:" + std::to_string(threads);
}

/// The inputs of the activation cases, uniform in [-bound, bound): the
/// same for every op and side, and the family of the cases' names.
struct ActInput {
  const char *family;
  float bound;
};

/// sigmoid's working range, where results are neither saturated nor tiny
/// and every exp stays on its main path.
constexpr ActInput kNarrowInput{"act", 8.0f};
/// Wide enough that sigmoid saturates and rounds to 0, and that nearly
/// every group of vectors holds an input outside the central forms' range
/// (docs/activations.md).
constexpr ActInput kWideInput{"act_wide", SOMA_BENCH_ACT_WIDE_BOUND};

inline std::string actName(const std::string &op, int64_t count, int threads,
                           const ActInput &input = kNarrowInput) {
  return std::string(input.family) + "/" + op + "/n:" +
         std::to_string(count) + "/threads:" + std::to_string(threads);
}

inline Buffer activationInput(int64_t count,
                              const ActInput &input = kNarrowInput) {
  return uniform(count, -input.bound, input.bound, 42);
}

/// The fused layers' operands: X uniform in [-1, 1), W (N rows of K) and b
/// uniform in ±1/√K (PyTorch's Linear init range, as generate.py's; the same
/// distribution as Soma's constant weights, not the same values).
struct FcOperands {
  Buffer x, w, b, y;
  FcOperands(int64_t m, int64_t k, int64_t n)
      : x(uniform(m * k, -1.0f, 1.0f, 42)),
        w(uniform(n * k, -1.0f / std::sqrt(float(k)),
                  1.0f / std::sqrt(float(k)), 7)),
        b(uniform(n, -1.0f / std::sqrt(float(k)), 1.0f / std::sqrt(float(k)),
                  9)),
        y(allocate(m * n)) {}
};

inline void setFcCounters(benchmark::State &state, int64_t m, int64_t k,
                          int64_t n) {
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

inline void configure(benchmark::internal::Benchmark *b) {
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

/// Activation cases: the largest (16M elements, 128 MiB of traffic per
/// call) take fewer repetitions, each of them long enough already.
inline void configureActivation(benchmark::internal::Benchmark *b,
                                int64_t count) {
  configure(b);
  if (count >= (int64_t(1) << 24))
    b->Repetitions(5);
}

/// Runs the registered benchmarks with defaults the command line may
/// override (later flags win): many short repetitions, reported as
/// aggregates, give a median that one preempted repetition cannot move.
inline int runBenchmarks(int argc, char **argv) {
  std::vector<char *> args(argv, argv + argc);
  char repetitions[] = "--benchmark_repetitions=9";
  char minTime[] = "--benchmark_min_time=0.01";
  char aggregatesOnly[] = "--benchmark_report_aggregates_only=true";
  args.insert(args.begin() + 1, {repetitions, minTime, aggregatesOnly});
  argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  argv = args.data();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

} // namespace bench

#endif // SOMA_BENCH_BENCH_SUPPORT_H
